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

/// <summary>What to send: an HTTP request to a URL, or an invocation of a Lambda version.</summary>
public sealed class SmokeProbeRequest
{
    public SmokeProbeRequest(Uri uri, string method)
    {
        Uri = uri ?? throw new ArgumentNullException(nameof(uri));
        Method = method ?? throw new ArgumentNullException(nameof(method));
    }

    /// <summary>An invocation of <paramref name="function"/> with <see cref="Body"/> as its payload.</summary>
    public SmokeProbeRequest(LambdaVersionReference function)
    {
        Function = function ?? throw new ArgumentNullException(nameof(function));
        Method = InvokeMethod;
    }

    /// <summary>What <see cref="Method"/> says for a Lambda invocation.</summary>
    public const string InvokeMethod = "Invoke";

    /// <summary>The URL of an HTTP request; null for a Lambda invocation.</summary>
    public Uri? Uri { get; }

    /// <summary>The version a Lambda invocation calls; null for an HTTP request.</summary>
    public LambdaVersionReference? Function { get; }

    public string Method { get; }

    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    /// <summary>The HTTP body, or the Lambda payload (JSON text).</summary>
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

    /// <summary>The AWS error code when Lambda refused the invocation (e.g. <c>ResourceNotFoundException</c>), with
    /// <see cref="ErrorMessage"/> saying why; null otherwise.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>For a Lambda invocation: <c>Handled</c> or <c>Unhandled</c> when the function failed (the
    /// <c>X-Amz-Function-Error</c> header), else null.</summary>
    public string? FunctionError { get; set; }

    /// <summary>For a failed Lambda invocation: the <c>errorType</c> its error payload names, if any.</summary>
    public string? FunctionErrorType { get; set; }

    /// <summary>For a Lambda invocation: the version that ran (the <c>X-Amz-Executed-Version</c> header).</summary>
    public string? ExecutedVersion { get; set; }
}
