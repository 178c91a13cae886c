using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Releases;

/// <summary>What a wait waits for: the points of a release, in the order it gets to them (see <see cref="ReleasePoints"/>).</summary>
public enum WaitTarget
{
    /// <summary>Green's tasks are up (the Install event succeeded).</summary>
    Installed,

    /// <summary>The test listener routes to green (AllowTestTraffic succeeded).</summary>
    TestTraffic,

    /// <summary>Green waits for the go-ahead (status Ready): Set-TrafficShift -Continue lets production traffic move.</summary>
    Ready,

    /// <summary>All production traffic is on green (AllowTraffic succeeded); blue is still kept.</summary>
    TrafficShifted,

    /// <summary>The release has ended well: blue is removed.</summary>
    Succeeded,
}

/// <summary>How often to look: fast right after a change, slower while nothing moves, never slower than <see cref="Maximum"/>.</summary>
public sealed class PollingPolicy
{
    public TimeSpan Minimum { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan Maximum { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Each look that finds nothing new waits this many times longer.</summary>
    public double Growth { get; set; } = 1.5;

    /// <summary>How long reads that keep failing for a passing reason (throttling, 5xx, a dropped connection) are tried
    /// again, after the AWS layer's own retries, before the failure is the caller's: counted from the last good read.</summary>
    public TimeSpan TransientTolerance { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>From the environment: BLUEGREEN_POLL_MIN_MS and BLUEGREEN_POLL_MAX_MS override the bounds.</summary>
    public static PollingPolicy FromEnvironment()
    {
        var policy = new PollingPolicy();
        if (int.TryParse(Environment.GetEnvironmentVariable("BLUEGREEN_POLL_MIN_MS"), out var min) && min > 0)
        {
            policy.Minimum = TimeSpan.FromMilliseconds(min);
        }

        if (int.TryParse(Environment.GetEnvironmentVariable("BLUEGREEN_POLL_MAX_MS"), out var max) && max > 0)
        {
            policy.Maximum = TimeSpan.FromMilliseconds(Math.Max(max, policy.Minimum.TotalMilliseconds));
        }

        return policy;
    }

    /// <summary>The next wait: back to the minimum after a change, otherwise longer, up to the maximum.</summary>
    public TimeSpan Next(TimeSpan previous, bool changed)
    {
        if (changed || previous <= TimeSpan.Zero)
        {
            return Minimum;
        }

        var next = TimeSpan.FromMilliseconds(previous.TotalMilliseconds * Growth);
        return next > Maximum ? Maximum : next < Minimum ? Minimum : next;
    }
}

/// <summary>Follows a release until it reaches a state, ends, or the time is up.</summary>
public static class DeploymentWatcher
{
    public static bool IsTransient(AwsServiceException exception) =>
        exception is not null && (exception.IsThrottling || exception.IsRetryable || exception.OutcomeUnknown || exception.StatusCode == 0 || (int)exception.StatusCode >= 500);

    /// <summary>The one way a release is read, whether by a wait (first look or later, id piped or given) or a single
    /// Get: transient failures that outlast the AWS layer's retries are read again, with the polling policy's growing
    /// pauses, until <see cref="PollingPolicy.TransientTolerance"/> (or <paramref name="deadline"/>) has passed.
    /// A connection that cannot be made at all (nothing listens there, the host is unknown) is not waited out: waiting
    /// does not make something answer there. <paramref name="onRetry"/> hears of each failure ridden out, with the pause
    /// before the next try.</summary>
    public static async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, PollingPolicy polling, Action<AwsServiceException, TimeSpan>? onRetry,
        DateTime? deadline, CancellationToken cancellationToken)
    {
        if (read is null)
        {
            throw new ArgumentNullException(nameof(read));
        }

        if (polling is null)
        {
            throw new ArgumentNullException(nameof(polling));
        }

        var giveUpAt = DateTime.UtcNow + polling.TransientTolerance;
        if (deadline is { } end && end < giveUpAt)
        {
            giveUpAt = end;
        }

        var pause = TimeSpan.Zero;
        while (true)
        {
            try
            {
                return await read(cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException ex) when (IsTransient(ex) && !ex.NotConnected && DateTime.UtcNow < giveUpAt)
            {
                pause = polling.Next(pause, changed: false);
                var left = giveUpAt - DateTime.UtcNow;
                var wait = left < pause ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : pause;
                onRetry?.Invoke(ex, wait);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>True when the release has got where the caller waits for.</summary>
    public static bool Reached(BlueGreenDeployment deployment, WaitTarget until)
    {
        return ReleasePoints.Reached(deployment, until);
    }

    /// <summary>A fingerprint of what moves, to tell whether a look found something new.</summary>
    public static string Fingerprint(BlueGreenDeployment d) =>
        d is null ? string.Empty : $"{d.EngineStatus}|{d.Status}|{d.Phase}|{d.GreenTrafficPercent}|{string.Join(",", d.LifecycleEvents.Select(e => e.Status))}";

    /// <summary>Waits; returns the last state read (reached, or ended otherwise). Throws <see cref="ReleaseException"/>
    /// (<c>WaitTimedOut</c>) when <paramref name="timeout"/> passes first.</summary>
    /// <remarks>A <paramref name="deployment"/> that is only an id (no target yet) is read in full by the first look, so
    /// that look rides out transient failures exactly as every later one does.</remarks>
    public static async Task<BlueGreenDeployment> WaitAsync(IReleaseEngine engine, BlueGreenDeployment deployment, WaitTarget until, TimeSpan? timeout,
        PollingPolicy polling, Action<BlueGreenDeployment, TimeSpan>? onLook, Action<AwsServiceException, TimeSpan>? onRetry, CancellationToken cancellationToken)
    {
        if (engine is null)
        {
            throw new ArgumentNullException(nameof(engine));
        }

        if (polling is null)
        {
            throw new ArgumentNullException(nameof(polling));
        }

        var deadline = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        var current = deployment;
        var seen = string.Empty;
        var interval = TimeSpan.Zero;
        while (true)
        {
            var previous = current;
            current = await ReadAsync(token => engine.RefreshAsync(previous, token), polling, onRetry, deadline, cancellationToken).ConfigureAwait(false);
            var print = Fingerprint(current);
            interval = polling.Next(interval, print != seen);
            seen = print;
            onLook?.Invoke(current, interval);
            if (Reached(current, until) || current.IsComplete)
            {
                return current;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new ReleaseException("WaitTimedOut", ReleaseErrorKind.OperationTimeout,
                    $"Release {current.DeploymentId} is {current.Status} ({current.Phase}) and did not get to {until} in time; it goes on in AWS.", current.DeploymentId,
                    $"Wait again with 'Get-BlueGreenDeployment -Id {current.DeploymentId} | Wait-BlueGreenDeployment', or undo it with Undo-Deployment.");
            }

            await Task.Delay(interval < left ? interval : left, cancellationToken).ConfigureAwait(false);
        }
    }
}
