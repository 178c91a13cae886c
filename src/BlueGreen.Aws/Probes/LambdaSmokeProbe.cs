using System;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Lambda.Model;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Aws.Probes;

/// <summary>One synchronous invocation of a Lambda function's version for a smoke test.</summary>
public sealed class LambdaProbeRequest
{
    public LambdaProbeRequest(string functionName, string qualifier)
    {
        FunctionName = functionName ?? throw new ArgumentNullException(nameof(functionName));
        Qualifier = qualifier ?? throw new ArgumentNullException(nameof(qualifier));
    }

    /// <summary>The function's name or ARN, without a qualifier.</summary>
    public string FunctionName { get; }

    /// <summary>The version to invoke.</summary>
    public string Qualifier { get; }

    /// <summary>The payload, JSON text; null sends none.</summary>
    public string? Payload { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public int MaxBodyCharacters { get; set; } = 64 * 1024;
}

/// <summary>What one invocation got back.</summary>
public sealed class LambdaProbeResponse
{
    /// <summary>The HTTP status of Invoke (200 for a synchronous invocation, also when the function failed), or of
    /// Lambda's refusal; null when no answer came.</summary>
    public int? StatusCode { get; set; }

    public TimeSpan Latency { get; set; }

    /// <summary><c>Handled</c> or <c>Unhandled</c> when the function failed, else null.</summary>
    public string? FunctionError { get; set; }

    /// <summary>The <c>errorType</c> of a failed function's error payload, when it names one.</summary>
    public string? FunctionErrorType { get; set; }

    public string? ExecutedVersion { get; set; }

    /// <summary>The start of the function's answer (up to <see cref="LambdaProbeRequest.MaxBodyCharacters"/>).</summary>
    public string? Payload { get; set; }

    /// <summary>The AWS error code when Lambda refused the invocation itself (no such version, throttled, ...).</summary>
    public string? ErrorCode { get; set; }

    public HttpProbeFailure Failure { get; set; }

    /// <summary>What went wrong: Lambda's refusal, or why no answer came.</summary>
    public string? FailureMessage { get; set; }
}

/// <summary>
/// Invokes Lambda versions for smoke tests through the service layer's <see cref="LambdaClient"/>: signed, with its
/// retries of throttling, and a timeout per invocation covering the retries. Failures are reported in the response,
/// never thrown; only the caller's cancellation throws.
/// </summary>
public sealed class LambdaSmokeProbe
{
    private readonly LambdaClient _client;

    public LambdaSmokeProbe(AwsContext context)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        _client = new LambdaClient(context);
    }

    public async Task<LambdaProbeResponse> SendAsync(LambdaProbeRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(request.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            var answer = await _client.InvokeAsync(new InvokeRequest
            {
                FunctionName = request.FunctionName,
                Qualifier = request.Qualifier,
                InvocationType = "RequestResponse",
                Payload = request.Payload is null ? null : Encoding.UTF8.GetBytes(request.Payload),
            }, attempt.Token).ConfigureAwait(false);
            var latency = clock.Elapsed;
            var payload = answer.Payload is null ? null : Text(answer.Payload, request.MaxBodyCharacters);
            return new LambdaProbeResponse
            {
                StatusCode = answer.StatusCode ?? (int)answer.HttpStatusCode,
                Latency = latency,
                FunctionError = string.IsNullOrEmpty(answer.FunctionError) ? null : answer.FunctionError,
                FunctionErrorType = string.IsNullOrEmpty(answer.FunctionError) ? null : ErrorType(payload),
                ExecutedVersion = answer.ExecutedVersion,
                Payload = payload,
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
        catch (AwsServiceException ex) when (ex.StatusCode != 0)
        {
            return new LambdaProbeResponse { StatusCode = (int)ex.StatusCode, Latency = clock.Elapsed, ErrorCode = ex.ErrorCode, FailureMessage = ex.Message };
        }
        catch (AwsServiceException ex)
        {
            var failure = ex.ErrorCode == "RequestTimeout" ? HttpProbeFailure.Timeout
                : ex.NotConnected ? HttpProbeFailure.ConnectionFailed
                : HttpProbeFailure.ConnectionDropped;
            return Failed(failure, ex.Message, clock);
        }
    }

    /// <summary>
    /// A dry run of the invocation (Invoke with InvocationType DryRun: Lambda checks the version and the permission to
    /// invoke it, and runs nothing): null when it would be accepted, else Lambda's error. Done before the test so that a
    /// missing version or a missing permission is one clear error rather than a failed request per invocation, and so
    /// that the first invocations' latencies do not include this process's first signed call (credentials, signer, connection).
    /// </summary>
    public async Task<AwsServiceException?> DryRunAsync(string functionName, string qualifier, CancellationToken cancellationToken)
    {
        try
        {
            await _client.InvokeAsync(new InvokeRequest { FunctionName = functionName, Qualifier = qualifier, InvocationType = "DryRun" }, cancellationToken)
                .ConfigureAwait(false);
            return null;
        }
        catch (AwsServiceException ex)
        {
            return ex;
        }
    }

    /// <summary>
    /// Wraps a trace so that Lambda Invoke lines keep their request line and headers but lose their bodies: smoke-test
    /// payloads and function answers may carry data that is nobody's business in a debug log, as HTTP smoke-test bodies
    /// are never traced either.
    /// </summary>
    public static IAwsTrace? WithoutPayloads(IAwsTrace? trace) => trace is null ? null : new PayloadFreeTrace(trace);

    private static string Text(byte[] payload, int maxCharacters)
    {
        var text = Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, Math.Max(0, maxCharacters) * 4));
        return text.Length > maxCharacters ? text.Substring(0, maxCharacters) : text;
    }

    private static string? ErrorType(string? payload)
    {
        if (payload is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("errorType", out var type) && type.ValueKind == JsonValueKind.String
                ? type.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static LambdaProbeResponse Failed(HttpProbeFailure failure, string message, Stopwatch clock) =>
        new() { Failure = failure, FailureMessage = message, Latency = clock.Elapsed };

    private sealed class PayloadFreeTrace : IAwsTrace
    {
        private static readonly Regex HeaderLine = new("^  [!-9;-~]+: ", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        private readonly IAwsTrace _inner;

        public PayloadFreeTrace(IAwsTrace inner) => _inner = inner;

        public void Write(string message)
        {
            if (message is null || !message.StartsWith("Lambda.Invoke ", StringComparison.Ordinal))
            {
                _inner.Write(message!);
                return;
            }

            var lines = message.Split('\n');
            var kept = new StringBuilder(lines[0].TrimEnd('\r'));
            for (var i = 1; i < lines.Length; i++)
            {
                var line = lines[i].TrimEnd('\r');
                kept.Append('\n').Append(HeaderLine.IsMatch(line) ? line : "  (payload not shown)");
            }

            _inner.Write(kept.ToString());
        }
    }
}
