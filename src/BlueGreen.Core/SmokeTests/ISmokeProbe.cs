using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Core.SmokeTests;

/// <summary>Sends one smoke-test request and reports what came back. Implementations never throw for a
/// failed request (refused, dropped, timed out): they say so in <see cref="SmokeProbeResponse.Error"/>; only
/// cancellation by the caller's token ends a call with an exception.</summary>
public interface ISmokeProbe
{
    Task<SmokeProbeResponse> SendAsync(SmokeProbeRequest request, CancellationToken cancellationToken);
}

/// <summary>What to send: the same for every request of a smoke test.</summary>
public sealed class SmokeProbeRequest
{
    public SmokeProbeRequest(Uri uri, string method)
    {
        Uri = uri ?? throw new ArgumentNullException(nameof(uri));
        Method = method ?? throw new ArgumentNullException(nameof(method));
    }

    public Uri Uri { get; }

    public string Method { get; }

    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    public string? Body { get; set; }

    /// <summary>How long one request may take, answer included, before it counts as timed out.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How much of the answer's body to keep for matching (the rest is read and dropped).</summary>
    public int MaxBodyCharacters { get; set; } = 64 * 1024;
}

/// <summary>What kind of failure stopped a request from getting an answer.</summary>
public enum SmokeProbeError
{
    None,

    /// <summary>No complete answer within the timeout.</summary>
    Timeout,

    /// <summary>The connection could not be opened (refused, no such host, unreachable).</summary>
    ConnectionFailed,

    /// <summary>The connection was closed or broken before the answer was complete.</summary>
    ConnectionDropped,
}

/// <summary>What one request got.</summary>
public sealed class SmokeProbeResponse
{
    /// <summary>The HTTP status, or null when no answer came.</summary>
    public int? StatusCode { get; set; }

    /// <summary>From sending the request to the end of the answer's body (or to the failure).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The answer's headers, names case-insensitive.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The start of the body (up to <see cref="SmokeProbeRequest.MaxBodyCharacters"/>).</summary>
    public string? Body { get; set; }

    public SmokeProbeError Error { get; set; }

    /// <summary>A human description of <see cref="Error"/>.</summary>
    public string? ErrorMessage { get; set; }
}
