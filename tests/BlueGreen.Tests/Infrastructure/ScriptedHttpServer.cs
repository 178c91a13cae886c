using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;

namespace BlueGreen.Tests.Infrastructure;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 that answers each request with the next scripted step: a status and
/// body, a dropped connection (the request was read, no answer comes), or silence until it is disposed.
/// Connections are kept alive, as AWS's are, so the client's pooling behaves as it does in production.
/// </summary>
public sealed class ScriptedHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentQueue<Step> _script = new();
    private readonly CancellationTokenSource _stop = new();
    private int _requestCount;

    public ScriptedHttpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _ = AcceptLoop();
    }

    public string Url { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public sealed record RecordedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body, DateTime ReceivedAt);

    private sealed record Step(int Status, string? Body, bool Drop, bool Hang, IReadOnlyDictionary<string, string>? Headers);

    public ScriptedHttpServer Respond(int status, string body, IReadOnlyDictionary<string, string>? headers = null)
    {
        _script.Enqueue(new Step(status, body, Drop: false, Hang: false, headers));
        return this;
    }

    public ScriptedHttpServer RespondError(int status, string code) =>
        Respond(status, $"{{\"__type\":\"{code}\",\"message\":\"scripted {code}\"}}");

    public ScriptedHttpServer Drop()
    {
        _script.Enqueue(new Step(0, null, Drop: true, Hang: false, null));
        return this;
    }

    public ScriptedHttpServer Hang()
    {
        _script.Enqueue(new Step(0, null, Drop: false, Hang: true, null));
        return this;
    }

    /// <summary>A context that sends every service here, with the test keys and quick retries.</summary>
    public AwsContext Context(int maxAttempts = 3, string? sessionToken = null)
    {
        var context = new AwsContextResolver(_ => null).Resolve(new AwsConnectionSettings
        {
            Region = "us-east-1",
            AccessKey = "AKIDEXAMPLE",
            SecretKey = "scripted-secret",
            SessionToken = sessionToken,
            EndpointUrl = Url,
        });
        context.RetryPolicy.MaxAttempts = maxAttempts;
        context.RetryPolicy.BaseDelay = TimeSpan.FromMilliseconds(20);
        context.RetryPolicy.ThrottlingBaseDelay = TimeSpan.FromMilliseconds(20);
        context.RetryPolicy.AttemptTimeout = TimeSpan.FromSeconds(10);
        return context;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
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
                    var request = await ReadRequest(stream).ConfigureAwait(false);
                    if (request is null)
                    {
                        return;
                    }

                    var number = Interlocked.Increment(ref _requestCount);
                    Requests.Enqueue(request);
                    var step = _script.TryDequeue(out var next) ? next : new Step(200, "{}", false, false, null);
                    if (step.Drop)
                    {
                        client.Client.LingerState = new LingerOption(true, 0);
                        return;
                    }

                    if (step.Hang)
                    {
                        try
                        {
                            await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                        }

                        return;
                    }

                    var body = Encoding.UTF8.GetBytes(step.Body ?? string.Empty);
                    var head = new StringBuilder();
                    head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {step.Status} Scripted\r\n");
                    if (step.Headers is null || !step.Headers.ContainsKey("Content-Type"))
                    {
                        head.Append("Content-Type: application/x-amz-json-1.1\r\n");
                    }

                    head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
                    head.Append(CultureInfo.InvariantCulture, $"x-amzn-RequestId: scripted-{number}\r\n");
                    foreach (var header in step.Headers ?? new Dictionary<string, string>())
                    {
                        head.Append(CultureInfo.InvariantCulture, $"{header.Key}: {header.Value}\r\n");
                    }

                    head.Append("\r\n");
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString())).ConfigureAwait(false);
                    await stream.WriteAsync(body).ConfigureAwait(false);
                    await stream.FlushAsync().ConfigureAwait(false);
                }
            }
            catch (IOException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<RecordedRequest?> ReadRequest(Stream stream)
    {
        var headerBytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            var read = await stream.ReadAsync(one).ConfigureAwait(false);
            if (read == 0)
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
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
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
            var read = await stream.ReadAsync(body.AsMemory(offset)).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            offset += read;
        }

        return new RecordedRequest(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body), DateTime.UtcNow);
    }
}
