using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;

namespace BlueGreen.Aws.Runtime;

/// <summary>
/// Bounded retries with exponential backoff and full jitter, as the AWS SDKs' "standard" mode: throttling, 5xx and
/// transient network errors; never beyond <see cref="MaxAttempts"/>; cancellable. The SDKs make 3 attempts by default;
/// a release is a long series of calls, each of which must get through, so BlueGreen makes
/// <see cref="DefaultMaxAttempts"/> unless AWS_MAX_ATTEMPTS or the profile's max_attempts say otherwise.
/// </summary>
public sealed class AwsRetryPolicy
{
    /// <summary>Attempts per call when nothing is configured: with 30 % throttling, 10 % 5xx and 10 % dropped
    /// connections, a call still fails after 10 attempts about once in 4,000.</summary>
    public const int DefaultMaxAttempts = 10;

    /// <summary>Attempts at most when no connection can be made (refused, unknown host): that seldom passes by waiting.</summary>
    public const int NotConnectedMaxAttempts = 3;

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

    /// <summary>The attempts as the SDKs read them: AWS_MAX_ATTEMPTS first, then the profile's max_attempts, then
    /// <see cref="DefaultMaxAttempts"/>. A value that is not a whole number of at least 1 is refused.</summary>
    public static AwsRetryPolicy FromEnvironment(Func<string, string?> environment, int? profileMaxAttempts = null, string? profileName = null)
    {
        var policy = new AwsRetryPolicy();
        var configured = environment?.Invoke("AWS_MAX_ATTEMPTS");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (!int.TryParse(configured!.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempts) || attempts < 1)
            {
                throw new AwsConfigurationException("InvalidMaxAttempts", $"AWS_MAX_ATTEMPTS is '{configured}': it must be a whole number of attempts, 1 or more.",
                    $"Set AWS_MAX_ATTEMPTS to the number of attempts per AWS call (BlueGreen's default is {DefaultMaxAttempts}), or clear it.", configured);
            }

            policy.MaxAttempts = attempts;
        }
        else if (profileMaxAttempts is { } fromProfile)
        {
            if (fromProfile < 1)
            {
                throw new AwsConfigurationException("InvalidMaxAttempts", $"The profile '{profileName}' sets max_attempts = {fromProfile}: it must be 1 or more.",
                    $"Set max_attempts in the profile to the number of attempts per AWS call (BlueGreen's default is {DefaultMaxAttempts}), or remove it.", profileName);
            }

            policy.MaxAttempts = fromProfile;
        }

        return policy;
    }

    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Throttling waits longer: the service asked us to slow down.</summary>
    public TimeSpan ThrottlingBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>After a 5xx or a lost connection the wait grows only to this: the service did not ask to slow down, and a
    /// failure that persists (an operation an emulator lacks) should not cost the full throttling backoff of every attempt.</summary>
    public TimeSpan TransientMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

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
        var cap = throttled ? MaxDelay : (TransientMaxDelay < MaxDelay ? TransientMaxDelay : MaxDelay);
        var ceiling = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
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
