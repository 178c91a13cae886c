using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.SmokeTests;

/// <summary>Judges answers against a <see cref="SmokeTestPolicy"/>: each request on its own, then the test as a whole.</summary>
public sealed class SmokeTestEvaluator
{
    /// <summary>How many failure reasons a result keeps.</summary>
    public const int MaxFailureReasons = 5;

    /// <summary>The answer header naming the serving task definition (the sandbox sets it).</summary>
    public const string TaskDefinitionHeader = "X-Sandbox-Task-Definition";

    /// <summary>The answer header naming the serving task set's label, Blue or Green (the sandbox sets it).</summary>
    public const string TaskSetLabelHeader = "X-Sandbox-Task-Set-Label";

    private static readonly int[] DefaultStatus = { 200 };

    private readonly SmokeTestPolicy _policy;
    private readonly LambdaVersionReference? _function;
    private readonly Regex? _bodyPattern;
    private readonly HashSet<int> _statuses;

    /// <param name="policy">What every answer must meet.</param>
    /// <param name="function">The Lambda version invoked, whose number every answer's executed version must be; null for HTTP.</param>
    public SmokeTestEvaluator(SmokeTestPolicy policy, LambdaVersionReference? function = null)
    {
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _function = function;
        _bodyPattern = policy.ExpectBodyMatch is null ? null : new Regex(policy.ExpectBodyMatch, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        _statuses = new HashSet<int>(policy.ExpectStatus.Count == 0 ? DefaultStatus : policy.ExpectStatus);
    }

    /// <summary>Why one answer fails the policy, or null when it meets every expectation.</summary>
    public string? Judge(SmokeProbeResponse response)
    {
        if (response is null)
        {
            throw new ArgumentNullException(nameof(response));
        }

        if (response.Error != SmokeProbeError.None || response.StatusCode is null)
        {
            return response.ErrorMessage ?? response.Error.ToString();
        }

        var status = response.StatusCode.Value;
        if (response.ErrorCode is not null)
        {
            return FormattableString.Invariant($"Lambda refused the invocation with status {status}, {response.ErrorCode}: {response.ErrorMessage}");
        }

        if (!_statuses.Contains(status))
        {
            return FormattableString.Invariant($"status {status}, expected {string.Join(" or ", _statuses.OrderBy(s => s))}");
        }

        if (response.FunctionError is not null)
        {
            // The error's type only: its message and stack may quote data, as a failed HTTP answer's body is not shown either.
            return $"function error ({response.FunctionError}): {response.FunctionErrorType ?? "the error payload names no errorType"}";
        }

        if (_function is not null && !string.Equals(response.ExecutedVersion, _function.Version, StringComparison.Ordinal))
        {
            return response.ExecutedVersion is null
                ? "Lambda did not say which version ran (no X-Amz-Executed-Version)"
                : $"version {response.ExecutedVersion} ran, not version {_function.Version}";
        }

        if (_policy.MaxLatency is { } limit && response.Latency > limit)
        {
            return FormattableString.Invariant($"took {response.Latency.TotalMilliseconds:0} ms, more than {limit.TotalMilliseconds:0} ms");
        }

        if (_bodyPattern is not null)
        {
            bool matched;
            try
            {
                matched = _bodyPattern.IsMatch(response.Body ?? string.Empty);
            }
            catch (RegexMatchTimeoutException)
            {
                return "the body could not be matched within 1 second";
            }

            if (!matched)
            {
                return $"the body does not match '{_policy.ExpectBodyMatch}': {Snippet(response.Body)}";
            }
        }

        if (_policy.ExpectJson.Count > 0)
        {
            return JudgeJson(response.Body);
        }

        return null;
    }

    private string? JudgeJson(string? body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body ?? string.Empty);
        }
        catch (JsonException)
        {
            return $"the body is not JSON: {Snippet(body)}";
        }

        using (document)
        {
            foreach (var expectation in _policy.ExpectJson)
            {
                if (expectation.Check(document.RootElement) is { } reason)
                {
                    return reason;
                }
            }
        }

        return null;
    }

    /// <summary>The verdict over all answers, given in the order the requests were sent.</summary>
    public SmokeTestResult Evaluate(Uri uri, string? deploymentId, IReadOnlyList<SmokeProbeResponse> responses, DateTime startTime, TimeSpan duration)
    {
        var result = Evaluate(deploymentId, responses, startTime, duration);
        result.Uri = uri;
        result.TargetKind = SmokeTestTargetKind.Http;
        result.Target = uri?.ToString() ?? string.Empty;
        return result;
    }

    /// <summary>The verdict over the answers of a Lambda version, given in the order the invocations were sent.</summary>
    public SmokeTestResult Evaluate(LambdaVersionReference function, string? deploymentId, IReadOnlyList<SmokeProbeResponse> responses, DateTime startTime, TimeSpan duration)
    {
        if (function is null)
        {
            throw new ArgumentNullException(nameof(function));
        }

        var result = Evaluate(deploymentId, responses, startTime, duration);
        result.TargetKind = SmokeTestTargetKind.LambdaVersion;
        result.Target = function.DisplayName;
        result.FunctionName = function.Function;
        result.Version = function.Version;
        return result;
    }

    private SmokeTestResult Evaluate(string? deploymentId, IReadOnlyList<SmokeProbeResponse> responses, DateTime startTime, TimeSpan duration)
    {
        if (responses is null)
        {
            throw new ArgumentNullException(nameof(responses));
        }

        var statuses = new SortedDictionary<int, int>();
        var transport = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var taskDefinitions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var labels = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var executedVersions = new SortedDictionary<string, int>(VersionOrder.Instance);
        var functionErrors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var reasons = new List<string>();
        var latencies = new List<TimeSpan>();
        var failed = 0;
        var samples = new List<SmokeTestSample>(Math.Min(responses.Count, SmokeTestResult.MaxSamples));
        for (var i = 0; i < responses.Count; i++)
        {
            var response = responses[i];
            var answered = response.StatusCode is not null && response.Error == SmokeProbeError.None;
            if (response.StatusCode is { } status && response.Error == SmokeProbeError.None)
            {
                Count(statuses, status);
                latencies.Add(response.Latency);
                if (Header(response, TaskDefinitionHeader) is { } taskDefinition)
                {
                    Count(taskDefinitions, taskDefinition);
                }

                if (Header(response, TaskSetLabelHeader) is { } label)
                {
                    Count(labels, label);
                }

                if (!string.IsNullOrEmpty(response.ExecutedVersion))
                {
                    Count(executedVersions, response.ExecutedVersion!);
                }

                if (response.FunctionError is not null)
                {
                    Count(functionErrors, response.FunctionErrorType ?? response.FunctionError);
                }
            }
            else
            {
                Count(transport, response.Error == SmokeProbeError.None ? "NoAnswer" : response.Error.ToString());
            }

            var reason = Judge(response);
            if (samples.Count < SmokeTestResult.MaxSamples)
            {
                samples.Add(new SmokeTestSample(response.Latency.TotalMilliseconds, reason is null, answered));
            }

            if (reason is not null)
            {
                failed++;
                if (reasons.Count < MaxFailureReasons)
                {
                    reasons.Add(FormattableString.Invariant($"request {i + 1}: {reason}"));
                }
            }
        }

        latencies.Sort();
        var total = responses.Count;
        var errorRate = total == 0 ? 1.0 : (double)failed / total;
        return new SmokeTestResult
        {
            DeploymentId = deploymentId,
            Method = _function is null ? _policy.Method : SmokeProbeRequest.InvokeMethod,
            Requests = total,
            Succeeded = total - failed,
            Failed = failed,
            ErrorRate = errorRate,
            MaxErrorRate = _policy.MaxErrorRate,
            MaxLatency = _policy.MaxLatency,
            Passed = total > 0 && errorRate <= _policy.MaxErrorRate,
            P50 = Percentile(latencies, 50),
            P90 = Percentile(latencies, 90),
            P99 = Percentile(latencies, 99),
            Max = latencies.Count == 0 ? null : latencies[latencies.Count - 1],
            StatusCodes = statuses,
            TransportErrors = transport,
            TaskDefinitions = taskDefinitions,
            TaskSetLabels = labels,
            ExecutedVersions = executedVersions,
            FunctionErrors = functionErrors,
            FailureReasons = reasons,
            Samples = samples,
            StartTime = startTime,
            Duration = duration,
        };
    }

    /// <summary>The nearest-rank percentile of sorted values: the smallest value with at least
    /// <paramref name="percent"/>% of the values at or below it; null for no values.</summary>
    public static TimeSpan? Percentile(IReadOnlyList<TimeSpan> sorted, double percent)
    {
        if (sorted is null)
        {
            throw new ArgumentNullException(nameof(sorted));
        }

        if (percent is <= 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is above 0 and at most 100.");
        }

        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Min(Math.Max(rank, 1), sorted.Count) - 1];
    }

    private static string? Header(SmokeProbeResponse response, string name) =>
        response.Headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static void Count<TKey>(IDictionary<TKey, int> counts, TKey key) =>
        counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;

    /// <summary>At most 80 characters of a body, on one line, quoted: all a message ever shows of an answer.</summary>
    internal static string Snippet(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return "(empty)";
        }

        var oneLine = Regex.Replace(body, @"\s+", " ", RegexOptions.None, TimeSpan.FromSeconds(1)).Trim();
        return oneLine.Length <= 80 ? $"'{oneLine}'" : $"'{oneLine.Substring(0, 80)}...'";
    }

    /// <summary>Version numbers in numeric order (2 before 10), <c>$LATEST</c> and anything else after them.</summary>
    private sealed class VersionOrder : IComparer<string>
    {
        public static readonly VersionOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var xNumber = long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var a);
            var yNumber = long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var b);
            if (xNumber && yNumber)
            {
                return a.CompareTo(b);
            }

            return xNumber == yNumber ? string.CompareOrdinal(x, y) : (xNumber ? -1 : 1);
        }
    }
}
