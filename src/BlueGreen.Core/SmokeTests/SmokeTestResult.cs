using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BlueGreen.Core.SmokeTests;

/// <summary>
/// The verdict of one smoke test: what was sent, what came back, and whether it passed. Carries the
/// <see cref="DeploymentId"/> so it pipes into Set-TrafficShift -Continue and Undo-Deployment.
/// </summary>
public sealed class SmokeTestResult
{
    /// <summary>The release tested, or null when only a URL was given.</summary>
    public string? DeploymentId { get; set; }

    /// <summary>The deployment that was tested, when one was piped in: piping the result on to
    /// Set-TrafficShift or Undo-Deployment then needs no AWS parameter again.</summary>
    public Deployments.BlueGreenDeployment? Deployment { get; set; }

    /// <summary>What was tested: an HTTP URL, or a Lambda version.</summary>
    public SmokeTestTargetKind TargetKind { get; set; }

    /// <summary>What was tested, as text: the URL, or the function and version invoked (<c>orders:2</c>).</summary>
    public string Target { get; set; } = string.Empty;

    /// <summary>The URL requested; null for a Lambda version.</summary>
    public Uri? Uri { get; set; }

    /// <summary>The HTTP method, or <c>Invoke</c> for a Lambda version.</summary>
    public string Method { get; set; } = "GET";

    /// <summary>The Lambda function invoked (its name or ARN as given, without a qualifier); null for HTTP.</summary>
    public string? FunctionName { get; set; }

    /// <summary>The Lambda version invoked (the qualifier of every invocation); null for HTTP.</summary>
    public string? Version { get; set; }

    /// <summary>True when the share of failed requests is within <see cref="MaxErrorRate"/>.</summary>
    public bool Passed { get; set; }

    /// <summary>How many requests were sent.</summary>
    public int Requests { get; set; }

    /// <summary>Requests whose answer met every expectation (status, body, latency).</summary>
    public int Succeeded { get; set; }

    /// <summary>Requests that got no answer or an answer that did not meet an expectation.</summary>
    public int Failed { get; set; }

    /// <summary><see cref="Failed"/> / <see cref="Requests"/>, 0 to 1.</summary>
    public double ErrorRate { get; set; }

    /// <summary>The tolerated error rate the verdict was judged by.</summary>
    public double MaxErrorRate { get; set; }

    /// <summary>The latency limit of one answer the verdict was judged by; null for none.</summary>
    public TimeSpan? MaxLatency { get; set; }

    /// <summary>Latency percentiles (nearest rank) over the requests that got an answer; null when none did.</summary>
    public TimeSpan? P50 { get; set; }

    public TimeSpan? P90 { get; set; }

    public TimeSpan? P99 { get; set; }

    public TimeSpan? Max { get; set; }

    /// <summary>How many answers came with each HTTP status.</summary>
    public IReadOnlyDictionary<int, int> StatusCodes { get; set; } = new SortedDictionary<int, int>();

    /// <summary>Requests per kind of transport failure (Timeout, ConnectionFailed, ConnectionDropped).</summary>
    public IReadOnlyDictionary<string, int> TransportErrors { get; set; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Answers per serving task definition (the <c>X-Sandbox-Task-Definition</c> header), when the answers name one.</summary>
    public IReadOnlyDictionary<string, int> TaskDefinitions { get; set; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Answers per serving task set label, Blue or Green (the <c>X-Sandbox-Task-Set-Label</c> header), when the answers name one.</summary>
    public IReadOnlyDictionary<string, int> TaskSetLabels { get; set; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Lambda answers per version that ran (the <c>X-Amz-Executed-Version</c> header); each must be <see cref="Version"/>.</summary>
    public IReadOnlyDictionary<string, int> ExecutedVersions { get; set; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Lambda answers per function error: the <c>errorType</c> the error payload names, or the
    /// <c>X-Amz-Function-Error</c> value (Handled, Unhandled) when it names none.</summary>
    public IReadOnlyDictionary<string, int> FunctionErrors { get; set; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>The first few failures, in the order they happened: request number and reason.</summary>
    public IReadOnlyList<string> FailureReasons { get; set; } = Array.Empty<string>();

    /// <summary>Each request's latency and outcome, in the order sent (at most <see cref="MaxSamples"/>): what a canary analysis
    /// judges as <c>SmokeTest.Latency</c> and <c>SmokeTest.Errors</c>.</summary>
    public IReadOnlyList<SmokeTestSample> Samples { get; set; } = Array.Empty<SmokeTestSample>();

    /// <summary>The most per-request samples a result keeps.</summary>
    public const int MaxSamples = 10000;

    /// <summary>What the test sent and accepted, so that the same test can be sent to blue; never shown (it may hold headers).</summary>
    internal SmokeTestPolicy? Policy { get; set; }

    public DateTime StartTime { get; set; }

    /// <summary>Wall-clock time of the whole test.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>A one-line summary of who answered, e.g. <c>web:2 x20, Green x20</c> or <c>orders:2 x20</c>; empty when the answers did not say.</summary>
    public string ServedBy
    {
        get
        {
            var function = FunctionName is null ? null : Deployments.LambdaAliasTarget.FunctionNameOf(FunctionName);
            var parts = TaskDefinitions.Select(p => $"{p.Key} x{p.Value}")
                .Concat(TaskSetLabels.Select(p => $"{p.Key} x{p.Value}"))
                .Concat(ExecutedVersions.Select(p => $"{function}:{p.Key} x{p.Value}"));
            return string.Join(", ", parts);
        }
    }

    /// <summary>The status counts as one string, e.g. <c>200 x19, 500 x1</c>, function errors included (<c>200 x20, TypeError x3</c>).</summary>
    public string StatusSummary =>
        string.Join(", ", StatusCodes.Select(p => $"{p.Key.ToString(CultureInfo.InvariantCulture)} x{p.Value}")
            .Concat(FunctionErrors.Select(p => $"{p.Key} x{p.Value}"))
            .Concat(TransportErrors.Select(p => $"{p.Key} x{p.Value}")));

    /// <summary>The verdict in one sentence, with the numbers.</summary>
    public string Summary
    {
        get
        {
            var verdict = Passed ? "passed" : "failed";
            var latency = P50 is null ? "no answers" : $"p50 {Ms(P50)}, p90 {Ms(P90)}, p99 {Ms(P99)}, max {Ms(Max)}";
            var target = Target.Length > 0 ? Target : Uri?.ToString();
            var what = TargetKind == SmokeTestTargetKind.LambdaVersion ? $"Lambda version {target}" : $"{Method} {target}";
            return FormattableString.Invariant($"Smoke test of {what} {verdict}: {Failed} of {Requests} requests failed ({ErrorRate * 100:0.0}%, allowed {MaxErrorRate * 100:0.0}%); {latency}.");
        }
    }

    public override string ToString() => Summary;

    private static string Ms(TimeSpan? value) => value is { } v ? FormattableString.Invariant($"{v.TotalMilliseconds:0.#} ms") : "-";
}

/// <summary>What a smoke test sent its requests to.</summary>
public enum SmokeTestTargetKind
{
    /// <summary>HTTP requests to a URL (a test listener, or any URL).</summary>
    Http,

    /// <summary>Invocations of a Lambda function's version (never an alias).</summary>
    LambdaVersion,
}

/// <summary>One smoke-test request: how long it took and whether it met every expectation.</summary>
public sealed class SmokeTestSample
{
    public SmokeTestSample(double latencyMilliseconds, bool succeeded, bool answered)
    {
        LatencyMilliseconds = latencyMilliseconds;
        Succeeded = succeeded;
        Answered = answered;
    }

    /// <summary>From sending the request to the end of its answer (or its failure), in milliseconds.</summary>
    public double LatencyMilliseconds { get; }

    /// <summary>The answer met every expectation.</summary>
    public bool Succeeded { get; }

    /// <summary>An answer came (a status), whether or not it met the expectations.</summary>
    public bool Answered { get; }

    public override string ToString() => FormattableString.Invariant($"{LatencyMilliseconds:0.#} ms {(Succeeded ? "ok" : "failed")}");
}
