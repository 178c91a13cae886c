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
    /// <summary>Looks in a row that may fail (throttling, 5xx, lost answers) before the wait gives up.</summary>
    public const int MaxTransientFailures = 5;

    public static bool IsTransient(AwsServiceException exception) =>
        exception is not null && (exception.IsThrottling || exception.IsRetryable || exception.OutcomeUnknown || exception.StatusCode == 0 || (int)exception.StatusCode >= 500);

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
    public static async Task<BlueGreenDeployment> WaitAsync(IReleaseEngine engine, BlueGreenDeployment deployment, WaitTarget until, TimeSpan? timeout,
        PollingPolicy polling, Action<BlueGreenDeployment, TimeSpan>? onLook, CancellationToken cancellationToken)
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
        var failures = 0;
        while (true)
        {
            try
            {
                current = await engine.RefreshAsync(current, cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (AwsServiceException ex) when (IsTransient(ex) && ++failures < MaxTransientFailures && DateTime.UtcNow < deadline)
            {
                // The transport already retried; a release lasts long enough to look again a little later.
                interval = polling.Next(interval, changed: false);
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                continue;
            }

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
