using System;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Releases;

/// <summary>How far an undo is followed.</summary>
public enum UndoFollow
{
    /// <summary>Until all production traffic is on the version that served before (the default): a release of the
    /// previous task definition gets the go-ahead at Ready by itself.</summary>
    AllTraffic,

    /// <summary>A release of the previous task definition is followed to Ready and left waiting for Set-TrafficShift -Continue.</summary>
    StopAtReady,

    /// <summary>Not followed: returned as soon as it is started.</summary>
    NoWait,
}

/// <summary>
/// Carries an undo through: the rollback until blue serves everything, or the release of the previous task definition
/// through its Ready wait until all production traffic is on it. The emergency path must not stop half-way on a gate.
/// </summary>
public static class UndoCoordinator
{
    /// <summary>What -WhatIf and -Confirm show: the plan and how far it is followed.</summary>
    public static string Describe(UndoPlan plan, UndoFollow follow)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        if (plan.Kind != UndoKind.RedeployPrevious || plan.Release?.ReadyWaitMinutes is null)
        {
            return plan.Description;
        }

        return plan.Description + follow switch
        {
            UndoFollow.AllTraffic => " Its group waits at Ready: the go-ahead is given at once, and production traffic moves to it.",
            UndoFollow.StopAtReady => $" Its group waits at Ready: it is left there for Set-TrafficShift -Continue (after {plan.Release.ReadyWaitMinutes} minutes without it, it stops).",
            _ => $" Its group waits at Ready: production traffic moves only after Set-TrafficShift -Continue (after {plan.Release.ReadyWaitMinutes} minutes without it, it stops and production stays as it is).",
        };
    }

    /// <summary>The undo Undo-Deployment makes, without a person: planned, done, and followed until blue serves all
    /// production traffic again (<see cref="UndoFollow.AllTraffic"/>); returns what serves then.</summary>
    public static async Task<BlueGreenDeployment> UndoNowAsync(IReleaseEngine engine, BlueGreenDeployment deployment,
        Func<BlueGreenDeployment, WaitTarget, CancellationToken, Task<BlueGreenDeployment>> wait, CancellationToken cancellationToken)
    {
        if (engine is null || deployment is null)
        {
            throw new ArgumentNullException(engine is null ? nameof(engine) : nameof(deployment));
        }

        var plan = await engine.PlanUndoAsync(deployment, null, cancellationToken).ConfigureAwait(false);
        var started = await engine.UndoAsync(plan, cancellationToken).ConfigureAwait(false);
        return await FollowAsync(engine, plan, started, UndoFollow.AllTraffic, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Follows what <see cref="IReleaseEngine.UndoAsync"/> started, as far as <paramref name="follow"/> says, and returns what
    /// serves then. <paramref name="wait"/> waits for a point (with the caller's progress). Throws <see cref="ReleaseException"/>
    /// (<c>UndoIncomplete</c>) when the undo ended before blue served all traffic, saying what serves.
    /// </summary>
    public static async Task<BlueGreenDeployment> FollowAsync(IReleaseEngine engine, UndoPlan plan, BlueGreenDeployment started, UndoFollow follow,
        Func<BlueGreenDeployment, WaitTarget, CancellationToken, Task<BlueGreenDeployment>> wait, CancellationToken cancellationToken)
    {
        if (engine is null || plan is null || started is null || wait is null)
        {
            throw new ArgumentNullException(engine is null ? nameof(engine) : plan is null ? nameof(plan) : started is null ? nameof(started) : nameof(wait));
        }

        // Pointing the target back is done when it returns: there is nothing to follow.
        if (follow == UndoFollow.NoWait || plan.Kind == UndoKind.RestorePrevious)
        {
            return started;
        }

        // A release that ended well just before its stop is undone by a release of the previous version instead.
        var redeploy = plan.Kind == UndoKind.RedeployPrevious || started.DeploymentId != plan.Deployment.DeploymentId && !started.IsRollback;
        if (!redeploy)
        {
            if (started.RollbackDeploymentId is not { } rollbackId)
            {
                // Stopped or failed without a rollback: nothing moves any more.
                return started;
            }

            var rollback = await engine.GetAsync(rollbackId, cancellationToken).ConfigureAwait(false);
            rollback = await wait(rollback, WaitTarget.Succeeded, cancellationToken).ConfigureAwait(false);
            var release = await engine.GetAsync(started.DeploymentId, cancellationToken).ConfigureAwait(false);
            release = AfterRollback(release, rollback);
            if (rollback.Status != DeploymentStatus.Succeeded)
            {
                throw new ReleaseException("UndoIncomplete", ReleaseErrorKind.OperationStopped,
                    $"The rollback {rollback.DeploymentId} of release {release.DeploymentId} ended {rollback.Status}{Reason(rollback)}: production traffic may still reach green ({Short(release.GreenTaskDefinition)}).",
                    release, $"See what serves with 'Get-BlueGreenDeployment -Id {rollback.DeploymentId} | Format-List *', and release the version you want with Start-BlueGreenDeployment -TaskDefinition {Short(release.BlueTaskDefinition)}.");
            }

            return release;
        }

        var current = started;
        if (ReleasePoints.WaitsAtReady(current) == true || (ReleasePoints.WaitsAtReady(current) is null && plan.Release?.ReadyWaitMinutes is not null))
        {
            current = await wait(current, WaitTarget.Ready, cancellationToken).ConfigureAwait(false);
            if (!ReleasePoints.Reached(current, WaitTarget.Ready))
            {
                throw Incomplete(plan, current, WaitTarget.Ready);
            }

            if (follow == UndoFollow.StopAtReady)
            {
                return current;
            }

            if (current.Status == DeploymentStatus.Ready)
            {
                try
                {
                    await engine.ContinueAsync(current, cancellationToken).ConfigureAwait(false);
                }
                catch (ReleaseException ex) when (ex.ErrorId == "DeploymentNotWaiting")
                {
                    // Someone else gave the go-ahead meanwhile: it goes on all the same.
                }
            }
        }
        else if (follow == UndoFollow.StopAtReady)
        {
            current = await wait(current, WaitTarget.Ready, cancellationToken).ConfigureAwait(false);
            return ReleasePoints.Reached(current, WaitTarget.Ready) ? current : throw Incomplete(plan, current, WaitTarget.Ready);
        }

        current = await wait(current, WaitTarget.TrafficShifted, cancellationToken).ConfigureAwait(false);
        return ReleasePoints.Reached(current, WaitTarget.TrafficShifted) ? current : throw Incomplete(plan, current, WaitTarget.TrafficShifted);
    }

    /// <summary>A rolled-back release as it serves after its rollback: the rollback says where traffic is.</summary>
    public static BlueGreenDeployment AfterRollback(BlueGreenDeployment release, BlueGreenDeployment rollback)
    {
        if (release is null || rollback is null)
        {
            throw new ArgumentNullException(release is null ? nameof(release) : nameof(rollback));
        }

        release.RollbackDeploymentId ??= rollback.DeploymentId;
        if (rollback.Status == DeploymentStatus.Succeeded)
        {
            // The rollback has ended: all production traffic is on blue, which still runs.
            release.GreenTrafficPercent = 0;
            release.BlueExists = true;
        }
        else if (rollback.LifecycleEvents.Count > 0)
        {
            // A rollback's own share is the one on the task set it puts back (blue).
            release.GreenTrafficPercent = Math.Max(0, Math.Min(100, 100 - rollback.GreenTrafficPercent));
        }

        return release;
    }

    /// <summary>What to tell a user whose undo was interrupted (Ctrl+C), from the last state seen: where it is and what to do.</summary>
    public static string Interrupted(UndoPlan plan, BlueGreenDeployment? started, BlueGreenDeployment? lastSeen) =>
        started is null
            ? $"Stopped before the undo of {plan?.Deployment.DeploymentId} was started: nothing was changed. Run Undo-Deployment again."
            : "Stopped waiting. " + State(plan!, started, lastSeen);

    /// <summary>Where a started undo is, from the last state seen, and what to do next.</summary>
    public static string State(UndoPlan plan, BlueGreenDeployment started, BlueGreenDeployment? lastSeen)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        if (started is null)
        {
            throw new ArgumentNullException(nameof(started));
        }

        var seen = lastSeen ?? started;
        if (plan.Kind == UndoKind.RestorePrevious)
        {
            return $"{started.Target?.DisplayName ?? "The target"} was pointed back at {started.Blue ?? "what served before"}; see it with 'Get-BlueGreenDeployment -Id {started.DeploymentId}'.";
        }

        if (plan.Kind != UndoKind.RedeployPrevious)
        {
            var rollback = started.RollbackDeploymentId;
            if (rollback is null)
            {
                return $"Release {started.DeploymentId} is {started.Status}; see what serves with 'Get-BlueGreenDeployment -Id {started.DeploymentId} | Format-List *'.";
            }

            return seen.DeploymentId == rollback && seen.IsComplete
                ? $"Release {started.DeploymentId} is stopped and its rollback {rollback} has ended {seen.Status}."
                : $"Release {started.DeploymentId} is stopped; its rollback {rollback} goes on in AWS and puts all traffic back on blue by itself. " +
                  $"Follow it with 'Get-BlueGreenDeployment -Id {rollback} | Wait-BlueGreenDeployment'.";
        }

        var id = seen.DeploymentId;
        var previous = Short(plan.Release?.GreenTaskDefinition ?? seen.GreenTaskDefinition);
        var bad = Short(plan.Deployment.GreenTaskDefinition);
        if (seen.IsComplete)
        {
            return $"The undo release {id} of {previous} had already ended {seen.Status}; see what serves with 'Get-BlueGreenDeployment -Id {id} | Format-List *'.";
        }

        if (ReleasePoints.Reached(seen, WaitTarget.TrafficShifted))
        {
            return $"The undo release {id} has moved all production traffic to {previous}; it goes on in AWS and removes {bad} after the termination wait.";
        }

        if (ReleasePoints.WaitsAtReady(seen) == true && !Moving(seen))
        {
            return $"The undo release {id} of {previous} goes on in AWS but stops at Ready: production still serves {bad} until you give the go-ahead with " +
                $"'Get-BlueGreenDeployment -Id {id} | Set-TrafficShift -Continue' (without it, it stops when the group's Ready wait ends).";
        }

        return $"The undo release {id} goes on in AWS and moves production traffic to {previous} by itself; " +
            $"follow it with 'Get-BlueGreenDeployment -Id {id} | Wait-BlueGreenDeployment -Until TrafficShifted'.";
    }

    // Past the Ready wait: the go-ahead was given (BeforeAllowTraffic or AllowTraffic has started).
    private static bool Moving(BlueGreenDeployment deployment) =>
        deployment.Status != DeploymentStatus.Ready && ReleasePoints.Furthest(deployment) is { } furthest && furthest >= WaitTarget.Ready;

    private static ReleaseException Incomplete(UndoPlan plan, BlueGreenDeployment current, WaitTarget point)
    {
        var bad = Short(plan.Deployment.GreenTaskDefinition);
        return new ReleaseException("UndoIncomplete", ReleaseErrorKind.OperationStopped,
            $"The undo release {current.DeploymentId} of {Short(current.GreenTaskDefinition)} ended {current.Status}{Reason(current)} before it got to {point}: production still serves {bad}.",
            current, $"See why with 'Get-BlueGreenDeployment -Id {current.DeploymentId} | Format-List *', then run Undo-Deployment -Id {plan.Deployment.DeploymentId} again.");
    }

    private static string Reason(BlueGreenDeployment deployment) => deployment.ErrorCode is null ? string.Empty : $" ({deployment.ErrorCode}: {deployment.ErrorMessage})";

    private static string Short(string? taskDefinition) => taskDefinition is null ? "the task definition" : taskDefinition.Substring(taskDefinition.LastIndexOf('/') + 1);
}
