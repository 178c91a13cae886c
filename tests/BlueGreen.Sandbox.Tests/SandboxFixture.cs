using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>Starts the built sandbox on a free loopback port for the whole suite and stops it at the end.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public const double TimeScale = 600;
    private Process? _process;
    private readonly StringBuilder _output = new();

    public int Port { get; private set; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The sandbox program's process (the dotnet host runs it in-process).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The sandbox is not started.");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var dll = Path.Combine(AppContext.BaseDirectory, "BlueGreen.Sandbox.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--time-scale", TimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        var ready = new TaskCompletionSource();
        _process.OutputDataReceived += (_, e) =>
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            if (e.Data?.StartsWith("Listening on ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var finished = await Task.WhenAny(ready.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        if (finished != ready.Task)
        {
            throw new InvalidOperationException("The sandbox did not start: " + Output);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    public async Task<JsonNode> ControlAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, Endpoint + "/_sandbox/" + path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    public Task SetTimeScaleAsync(double scale) =>
        ControlAsync(HttpMethod.Put, "time-scale", $"{{\"timeScale\":{scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}");

    public void SetTimeScale(double scale) => SetTimeScaleAsync(scale).GetAwaiter().GetResult();

    /// <summary>
    /// Holds simulated time still (scale 0), so a state in the middle of a release stays put while the CLI,
    /// which takes seconds a call on a loaded machine, looks at it. <see cref="SetTimeScale"/> lets it run again.
    /// </summary>
    public void HoldClock() => SetTimeScale(0);

    /// <summary>The sandbox's simulated time, which runs ahead of the wall clock.</summary>
    public DateTimeOffset VirtualTime() =>
        DateTimeOffset.Parse(ControlAsync(HttpMethod.Get, "health").GetAwaiter().GetResult()["virtualTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Polls one region's state through the control API (a few milliseconds a look, no CLI) until
    /// <paramref name="condition"/> holds, and returns that region's dump. For waits that are not themselves
    /// under test: what is asserted is read with the CLI afterwards.
    /// </summary>
    public JsonNode WaitForState(string region, Func<JsonNode, bool> condition, string what, int seconds = 180)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonNode? last;
        do
        {
            last = ControlAsync(HttpMethod.Get, "state?region=" + Uri.EscapeDataString(region)).GetAwaiter().GetResult()["regions"]!.AsArray().SingleOrDefault();
            if (last is not null && condition(last))
            {
                return last;
            }

            Thread.Sleep(20);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{what} did not happen in {region} within {seconds} s; last state: {last?.ToJsonString()}");
        return last!;
    }
}

/// <summary>Tests that share one sandbox, one at a time (some of them set its time scale or its faults).</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}

/// <summary>The CodeDeploy release tests, in a sandbox of their own so that they run beside the others: the suite spends
/// its time waiting on simulated time, not working.</summary>
[CollectionDefinition(Name)]
public sealed class ReleaseSandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "release sandbox";
}

/// <summary>ECS's own deployments, in a sandbox of their own for the same reason (they also slow its clock for the walkthrough).</summary>
[CollectionDefinition(Name)]
public sealed class NativeSandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "native sandbox";
}

/// <summary>Metrics made by generated traffic, in a sandbox of their own: they hold and set its clock, and wait on simulated minutes.</summary>
[CollectionDefinition(Name)]
public sealed class MetricsSandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "metrics sandbox";
}
