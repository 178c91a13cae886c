using System;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;

namespace BlueGreen.Tests.Infrastructure;

/// <summary>
/// moto_server, the independent AWS emulator the client layer is judged against. build.ps1 starts one
/// and passes its URL in BLUEGREEN_TEST_MOTO_URL; run directly (dotnet test), the fixture starts its own.
/// </summary>
public sealed class MotoServer : IDisposable
{
    private readonly Process? _process;

    public MotoServer()
    {
        var url = Environment.GetEnvironmentVariable("BLUEGREEN_TEST_MOTO_URL");
        if (string.IsNullOrEmpty(url))
        {
            var port = FreePort();
            var start = new ProcessStartInfo("moto_server", $"-H 127.0.0.1 -p {port}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            try
            {
                _process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start.");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("moto_server is not installed: run 'python3 -m pip install \"moto[server]\"', or run the tests through build.ps1 Test.", ex);
            }

            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            url = $"http://127.0.0.1:{port}";
            WaitUntilAnswering(url);
        }

        Url = url!.TrimEnd('/');
    }

    public string Url { get; }

    /// <summary>A context for moto with the test keys and the given region.</summary>
    public AwsContext Context(string region = "us-east-1") =>
        new AwsContextResolver(_ => null).Resolve(new AwsConnectionSettings
        {
            Region = region,
            AccessKey = "testing",
            SecretKey = "testing",
            EndpointUrl = Url,
        });

    /// <summary>A name no other test uses, so tests sharing one moto never see each other's resources.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}".Substring(0, Math.Min(prefix.Length + 13, 32));

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitUntilAnswering(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                client.GetAsync(url + "/moto-api/").GetAwaiter().GetResult();
                return;
            }
            catch (HttpRequestException)
            {
                Thread.Sleep(200);
            }
            catch (TaskCanceledException)
            {
                Thread.Sleep(200);
            }
        }

        throw new InvalidOperationException($"moto_server did not answer at {url} within 30 seconds.");
    }
}

[CollectionDefinition(Name)]
public sealed class MotoGroup : ICollectionFixture<MotoServer>
{
    public const string Name = "moto";
}
