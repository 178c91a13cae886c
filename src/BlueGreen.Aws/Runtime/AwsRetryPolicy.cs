using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Aws.Runtime;

/// <summary>
/// Bounded retries with exponential backoff and full jitter, as the AWS SDKs' "standard" mode:
/// throttling, 5xx and transient network errors; never beyond <see cref="MaxAttempts"/>; cancellable.
/// </summary>
public sealed class AwsRetryPolicy
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "EC2ThrottledException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError", "InternalFailure",
        "ServiceUnavailable", "ServiceUnavailableException",
    };

#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
    private readonly Random _random = new();

    public static AwsRetryPolicy FromEnvironment(Func<string, string?> environment)
    {
        var policy = new AwsRetryPolicy();
        var configured = environment?.Invoke("AWS_MAX_ATTEMPTS");
        if (int.TryParse(configured, NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempts) && attempts >= 1)
        {
            policy.MaxAttempts = Math.Min(attempts, 20);
        }

        return policy;
    }

    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; set; } = 3;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Throttling waits longer: the service asked us to slow down.</summary>
    public TimeSpan ThrottlingBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one attempt may take before it counts as a lost answer.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(90);

    public static bool IsThrottling(string errorCode, HttpStatusCode status) =>
        ThrottlingCodes.Contains(errorCode) || (int)status == 429;

    public static bool IsTransient(string errorCode, HttpStatusCode status) =>
        TransientCodes.Contains(errorCode) || (int)status >= 500;

    /// <summary>The wait before attempt number <paramref name="attempt"/> + 1 (1-based).</summary>
    public TimeSpan DelayBefore(int attempt, bool throttled)
    {
        var baseDelay = throttled ? ThrottlingBaseDelay : BaseDelay;
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        double fraction;
        lock (_random)
        {
            fraction = _random.NextDouble();
        }

        return TimeSpan.FromMilliseconds(ceiling * fraction);
    }
#pragma warning restore CA5394

    internal static Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
