using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Aws.Probes;

/// <summary>One HTTP request to send to a service under test (not an AWS API call: nothing is signed).</summary>
public sealed class HttpProbeRequest
{
    public HttpProbeRequest(Uri uri, string method)
    {
        Uri = uri ?? throw new ArgumentNullException(nameof(uri));
        Method = method ?? throw new ArgumentNullException(nameof(method));
    }

    public Uri Uri { get; }

    public string Method { get; }

    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    public string? Body { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public int MaxBodyCharacters { get; set; } = 64 * 1024;
}

/// <summary>Why a probe got no answer.</summary>
public enum HttpProbeFailure
{
    None,
    Timeout,
    ConnectionFailed,
    ConnectionDropped,
}

/// <summary>What one request got back.</summary>
public sealed class HttpProbeResponse
{
    public int? StatusCode { get; set; }

    public TimeSpan Latency { get; set; }

    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public string? Body { get; set; }

    public HttpProbeFailure Failure { get; set; }

    public string? FailureMessage { get; set; }
}

/// <summary>
/// Sends smoke-test requests over HTTP(S) with a pool of its own: no redirects followed, no cookies, a timeout
/// per request covering the whole answer, cancellation reaching the request in flight. Failures to get an
/// answer are reported in the response, never thrown; only the caller's cancellation throws.
/// </summary>
public sealed class HttpSmokeProbe : IDisposable
{
    private static readonly string UserAgent = "BlueGreen-SmokeTest/" + typeof(HttpSmokeProbe).Assembly.GetName().Version;

    private readonly HttpClient _http;

    public HttpSmokeProbe(int maxConnections)
    {
        if (maxConnections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxConnections), maxConnections, "At least one connection is needed.");
        }

#pragma warning disable CA2000 // The client owns the handler and disposes it.
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            MaxConnectionsPerServer = maxConnections,
        };
#pragma warning restore CA2000
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public async Task<HttpProbeResponse> SendAsync(HttpProbeRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        using var message = BuildMessage(request);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(request.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in response.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            foreach (var header in response.Content.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            var body = await ReadBodyAsync(response.Content, request.MaxBodyCharacters, attempt.Token).ConfigureAwait(false);
            return new HttpProbeResponse
            {
                StatusCode = (int)response.StatusCode,
                Latency = clock.Elapsed,
                Headers = headers,
                Body = body,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return Failed(HttpProbeFailure.Timeout, $"no complete answer within {request.Timeout.TotalSeconds:0.###} s", clock);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or ObjectDisposedException)
        {
            return NeverConnected(ex)
                ? Failed(HttpProbeFailure.ConnectionFailed, $"could not connect to {request.Uri.GetLeftPart(UriPartial.Authority)}: {Innermost(ex).Message}", clock)
                : Failed(HttpProbeFailure.ConnectionDropped, $"the connection broke before the answer was complete: {Innermost(ex).Message}", clock);
        }
    }

    public void Dispose() => _http.Dispose();

    private static HttpRequestMessage BuildMessage(HttpProbeRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Uri);
        string? contentType = null;
        foreach (var header in request.Headers)
        {
            if (header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = header.Value;
            }
            else if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.Host = header.Value;
            }
            else if (!message.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                throw new ArgumentException($"The header '{header.Key}' cannot be set on a request.", nameof(request));
            }
        }

        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "text/plain; charset=utf-8");
        }

        if (!message.Headers.Contains("User-Agent"))
        {
            message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        }

        return message;
    }

    /// <summary>Keeps the start of the body as text and reads the rest to the end, so the latency covers the
    /// whole answer and the connection can be reused.</summary>
    private static async Task<string> ReadBodyAsync(HttpContent content, int maxCharacters, CancellationToken cancellationToken)
    {
        using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        using var registration = cancellationToken.Register(() => stream.Dispose());
        var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var limit = Math.Max(0, maxCharacters) * 4L;
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            if (read == 0)
            {
                break;
            }

            var keep = (int)Math.Min(read, limit - kept.Length);
            if (keep > 0)
            {
                kept.Write(buffer, 0, keep);
            }
        }

        var text = Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
        return text.Length > maxCharacters ? text.Substring(0, maxCharacters) : text;
    }

    private static HttpProbeResponse Failed(HttpProbeFailure failure, string message, Stopwatch clock) =>
        new() { Failure = failure, FailureMessage = message, Latency = clock.Elapsed };

    private static bool NeverConnected(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket &&
                socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable
                    or SocketError.HostUnreachable or SocketError.TryAgain or SocketError.NoData)
            {
                return true;
            }
        }

        return false;
    }

    private static Exception Innermost(Exception exception)
    {
        var inner = exception;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner;
    }
}
