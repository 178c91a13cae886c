using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Module.Tests;

/// <summary>A loopback HTTP endpoint answering every GetDeployment with a deployment, slowly, and counting
/// requests: it shows whether work goes on after the pipeline has stopped.</summary>
public sealed class CountingCodeDeploy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private int _requests;

    public CountingCodeDeploy(TimeSpan delay)
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _ = ServeAsync(delay);
    }

    public string Url { get; }

    public int Requests => Volatile.Read(ref _requests);

    private async Task ServeAsync(TimeSpan delay)
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            _ = Task.Run(async () =>
            {
                await Task.Delay(delay);
                var body = Encoding.UTF8.GetBytes("{\"deploymentInfo\":{\"deploymentId\":\"d-COUNTED01\",\"status\":\"Succeeded\",\"applicationName\":\"web\"}}");
                context.Response.ContentType = "application/x-amz-json-1.1";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            });
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
