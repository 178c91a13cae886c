using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Core.Sandbox;

/// <summary>A running sandbox: where it answers and which process it is.</summary>
public sealed class BlueGreenSandbox
{
    public BlueGreenSandbox(Uri endpoint, int processId, double timeScale, DateTime startTime)
    {
        Endpoint = endpoint;
        ProcessId = processId;
        TimeScale = timeScale;
        StartTime = startTime;
    }

    /// <summary>The URL to pass as -EndpointUrl (or the AWS CLI's --endpoint-url).</summary>
    public Uri Endpoint { get; }

    public int Port => Endpoint.Port;

    public int ProcessId { get; }

    /// <summary>How many simulated seconds pass in one real second.</summary>
    public double TimeScale { get; }

    public DateTime StartTime { get; }

    public override string ToString() => Endpoint.ToString();
}

/// <summary>The port asked for is taken by another program.</summary>
public sealed class SandboxPortInUseException : InvalidOperationException
{
    public SandboxPortInUseException(int port)
        : base($"Port {port} is in use, so the sandbox cannot listen on it: pass another -Port, or leave -Port out to take a free one.")
    {
        Port = port;
    }

    public int Port { get; }
}

/// <summary>Starts and stops the sandbox program shipped in the module's <c>sandbox</c> folder.</summary>
public static class SandboxProcess
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Only processes started here may be stopped here, and through the Process object that started them:
    // an id alone could by now name another process.
    private static readonly Dictionary<int, Process> Started = new();
    private static readonly Dictionary<int, BlueGreenSandbox> Sandboxes = new();

    /// <summary>Starts the sandbox and returns once it listens; the output lines it wrote are in the error when it does not.</summary>
    public static async Task<BlueGreenSandbox> StartAsync(string sandboxDll, int port, double timeScale, bool seed, CancellationToken cancellationToken)
    {
        if (!File.Exists(sandboxDll))
        {
            throw new FileNotFoundException($"The sandbox program is missing at {sandboxDll}; reinstall the module (build.ps1 Build lays it out).", sandboxDll);
        }

        if (port != 0 && !IsFree(port))
        {
            throw new SandboxPortInUseException(port);
        }

        var start = new ProcessStartInfo(DotnetHost(), $"\"{sandboxDll}\" --port {port} --time-scale {timeScale.ToString(CultureInfo.InvariantCulture)}{(seed ? " --seed" : string.Empty)}")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("The sandbox process did not start.");
        var seen = new List<string>();
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(SafeExitCode(process) == PortInUseExitCode
            ? new SandboxPortInUseException(port)
            : new InvalidOperationException($"The sandbox exited with code {SafeExitCode(process)} before listening: {string.Join(" | ", Snapshot())}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        using (timeout.Token.Register(() => ready.TrySetCanceled()))
        {
            try
            {
                var endpoint = await ready.Task.ConfigureAwait(false);
                var sandbox = new BlueGreenSandbox(endpoint, process.Id, timeScale, DateTime.UtcNow);
                lock (Started)
                {
                    Started[process.Id] = process;
                    Sandboxes[process.Id] = sandbox;
                }

                return sandbox;
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
            {
                Kill(process);
                if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"The sandbox did not listen within {StartTimeout.TotalSeconds:0} seconds: {string.Join(" | ", Snapshot())}", ex);
                }

                throw;
            }
        }

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            // A stack trace says nothing to the user that its first line did not.
            if (line.StartsWith("   at ", StringComparison.Ordinal) || line.StartsWith("--- End of", StringComparison.Ordinal))
            {
                return;
            }

            lock (seen)
            {
                if (seen.Count < 50)
                {
                    seen.Add(line);
                }
            }

            const string Marker = "Listening on ";
            if (line.StartsWith(Marker, StringComparison.Ordinal) && Uri.TryCreate(line.Substring(Marker.Length).Trim(), UriKind.Absolute, out var uri))
            {
                ready.TrySetResult(uri);
            }
        }

        string[] Snapshot()
        {
            lock (seen)
            {
                return seen.ToArray();
            }
        }
    }

    // The sandbox program's exit code when its port is taken.
    private const string PortInUseExitCode = "3";

    private static bool IsFree(int port)
    {
        try
        {
            var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }

    /// <summary>Whether this session started the sandbox with that process id.</summary>
    public static bool WasStartedHere(int processId)
    {
        lock (Started)
        {
            return Started.ContainsKey(processId);
        }
    }

    /// <summary>The sandbox this session started with that process id, or null.</summary>
    public static BlueGreenSandbox? Find(int processId)
    {
        lock (Started)
        {
            return Sandboxes.TryGetValue(processId, out var sandbox) ? sandbox : null;
        }
    }

    /// <summary>Stops a sandbox this session started; false when it had already gone.</summary>
    public static bool Stop(int processId)
    {
        Process? process;
        lock (Started)
        {
            if (!Started.TryGetValue(processId, out process))
            {
                throw new InvalidOperationException($"Process {processId} is not a sandbox started in this session.");
            }

            Started.Remove(processId);
            Sandboxes.Remove(processId);
        }

        using (process)
        {
            var wasRunning = !process.HasExited;
            Kill(process);
            return wasRunning;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    // The sandbox is a framework-dependent .NET program: run it with the dotnet host that runs us when
    // there is one, else the one on PATH.
    private static string DotnetHost()
    {
        using var current = Process.GetCurrentProcess();
        var path = current.MainModule?.FileName;
        return path is not null && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? path : "dotnet";
    }
}
