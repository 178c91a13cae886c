using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Tests.SmokeTests;

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 (port 0) for the probe tests. The path says how to answer:
/// <c>/ok</c> 200 with sandbox-style version headers; <c>/status/N</c>; <c>/slow/MS</c> (200 after MS milliseconds);
/// <c>/drop</c> (closes the connection without answering); <c>/half</c> (announces a body, sends part, closes);
/// <c>/hang</c> (never answers); <c>/big/N</c> (N bytes of 'x'); <c>/echo</c> (method, headers and body back).
/// Keeps connections alive, and counts the requests in flight.
/// </summary>
public sealed class SmokeHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _requests;

    public SmokeHttpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoop();
    }

    public int Port { get; }

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int RequestCount => Volatile.Read(ref _requests);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (!_stop.IsCancellationRequested)
                {
                    var request = await ReadRequest(stream);
                    if (request is null)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _requests);
                    var now = Interlocked.Increment(ref _inFlight);
                    int seen;
                    while ((seen = Volatile.Read(ref _maxInFlight)) < now && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
                    {
                    }

                    try
                    {
                        if (!await Answer(client, stream, request))
                        {
                            return;
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _inFlight);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
            {
            }
        }
    }

    /// <summary>Answers one request; false when the connection is to be closed.</summary>
    private async Task<bool> Answer(TcpClient client, NetworkStream stream, Request request)
    {
        var path = request.Target;
        var headers = new Dictionary<string, string>();
        var status = 200;
        var body = Encoding.UTF8.GetBytes("hello from green");
        if (path == "/ok")
        {
            headers["X-Sandbox-Task-Definition"] = "web:2";
            headers["X-Sandbox-Task-Set-Label"] = "Green";
        }
        else if (path.StartsWith("/status/", StringComparison.Ordinal))
        {
            status = int.Parse(path["/status/".Length..], CultureInfo.InvariantCulture);
            body = Encoding.UTF8.GetBytes($"status {status}");
        }
        else if (path.StartsWith("/slow/", StringComparison.Ordinal))
        {
            await Task.Delay(int.Parse(path["/slow/".Length..], CultureInfo.InvariantCulture), _stop.Token);
        }
        else if (path == "/drop")
        {
            client.Client.LingerState = new LingerOption(true, 0);
            return false;
        }
        else if (path == "/half")
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly part"));
            await stream.FlushAsync();
            client.Client.LingerState = new LingerOption(true, 0);
            return false;
        }
        else if (path == "/hang")
        {
            await Task.Delay(Timeout.Infinite, _stop.Token);
        }
        else if (path.StartsWith("/big/", StringComparison.Ordinal))
        {
            body = new byte[int.Parse(path["/big/".Length..], CultureInfo.InvariantCulture)];
            Array.Fill(body, (byte)'x');
        }
        else if (path == "/echo")
        {
            var text = new StringBuilder();
            text.Append(request.Method).Append('\n');
            foreach (var header in request.Headers)
            {
                text.Append(header.Key.ToLowerInvariant()).Append(": ").Append(header.Value).Append('\n');
            }

            text.Append('\n').Append(request.Body);
            body = Encoding.UTF8.GetBytes(text.ToString());
        }
        else
        {
            status = 404;
            body = Encoding.UTF8.GetBytes("no such path");
        }

        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} Test\r\nContent-Type: text/plain; charset=utf-8\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {(request.Method == "HEAD" ? 0 : body.Length)}\r\n");
        foreach (var header in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{header.Key}: {header.Value}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        if (request.Method != "HEAD")
        {
            await stream.WriteAsync(body);
        }

        await stream.FlushAsync();
        return true;
    }

    private sealed record Request(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body);

    private static async Task<Request?> ReadRequest(Stream stream)
    {
        var headerBytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            headerBytes.Add(one[0]);
            var n = headerBytes.Count;
            if (n >= 4 && headerBytes[n - 4] == '\r' && headerBytes[n - 3] == '\n' && headerBytes[n - 2] == '\r' && headerBytes[n - 1] == '\n')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString(headerBytes.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }

        var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
        var body = new byte[length];
        var offset = 0;
        while (offset < length)
        {
            var read = await stream.ReadAsync(body.AsMemory(offset));
            if (read == 0)
            {
                return null;
            }

            offset += read;
        }

        return new Request(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body));
    }
}
