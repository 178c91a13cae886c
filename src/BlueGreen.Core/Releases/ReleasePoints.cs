using System;
using System.Linq;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Releases;

/// <summary>
/// Where a release has got to, in the points a user waits for (<see cref="WaitTarget"/>), read from CodeDeploy's
/// status and lifecycle events: Install (green's tasks up), AllowTestTraffic (test listener on green), status Ready
/// (the go-ahead is awaited), AllowTraffic (all production traffic on green), status Succeeded (blue removed).
/// Without lifecycle events (an emulator without deployment targets) the status alone says what it can.
/// ECS's own deployments name their events by stage: SCALE_UP done is Installed, TEST_TRAFFIC_SHIFT done is TestTraffic,
/// status Ready (paused at POST_TEST_TRAFFIC_SHIFT) or a production shift started is Ready, PRODUCTION_TRAFFIC_SHIFT done
/// (production all on green; the bake starts) is TrafficShifted, SUCCESSFUL is Succeeded.
/// </summary>
public static class ReleasePoints
{
    /// <summary>The furthest point the release has got to; null before green's tasks are up.</summary>
    public static WaitTarget? Furthest(BlueGreenDeployment deployment)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        if (deployment.Status == DeploymentStatus.Succeeded)
        {
            return WaitTarget.Succeeded;
        }

        if (deployment.Status == DeploymentStatus.Baking || deployment.TerminationWaitStarted || Done(deployment, "AllowTraffic") || Done(deployment, "PRODUCTION_TRAFFIC_SHIFT"))
        {
            return WaitTarget.TrafficShifted;
        }

        // Production traffic has started to move (or its hook runs): the Ready wait, if any, is behind it.
        if (deployment.Status == DeploymentStatus.Ready || Started(deployment, "BeforeAllowTraffic") || Started(deployment, "AllowTraffic")
            || Started(deployment, "PRE_PRODUCTION_TRAFFIC_SHIFT") || Started(deployment, "PRODUCTION_TRAFFIC_SHIFT"))
        {
            return WaitTarget.Ready;
        }

        if (Done(deployment, "AllowTestTraffic") || Started(deployment, "AfterAllowTestTraffic") || Done(deployment, "TEST_TRAFFIC_SHIFT"))
        {
            return WaitTarget.TestTraffic;
        }

        if (Done(deployment, "Install") || Started(deployment, "AfterInstall") || Started(deployment, "AllowTestTraffic") || Done(deployment, "SCALE_UP"))
        {
            return WaitTarget.Installed;
        }

        return null;
    }

    /// <summary>True when the release is at <paramref name="point"/> or past it, and still going or succeeded.
    /// A release that does not wait at Ready (its group has no Ready wait, or it is a rollback) counts as Ready once
    /// test traffic reaches green: that is where it would wait.</summary>
    public static bool Reached(BlueGreenDeployment deployment, WaitTarget point)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        if (deployment.Status is DeploymentStatus.Failed or DeploymentStatus.Stopped)
        {
            return false;
        }

        var furthest = Furthest(deployment);
        if (furthest is null)
        {
            return false;
        }

        if (point == WaitTarget.Ready && WaitsAtReady(deployment) != true)
        {
            return furthest.Value >= WaitTarget.TestTraffic;
        }

        return furthest.Value >= point;
    }

    /// <summary>Whether the release stops at Ready for the go-ahead; null when not known.</summary>
    public static bool? WaitsAtReady(BlueGreenDeployment deployment) =>
        deployment is null ? throw new ArgumentNullException(nameof(deployment)) : deployment.IsRollback ? false : deployment.WaitsAtReady;

    /// <summary>Why a release cannot get to <paramref name="point"/> any more (it ended otherwise), or null when it still can.</summary>
    public static string? Unreachable(BlueGreenDeployment deployment, WaitTarget point)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        if (Reached(deployment, point) || !(deployment.Status is DeploymentStatus.Failed or DeploymentStatus.Stopped))
        {
            return null;
        }

        var furthest = Furthest(deployment);
        var got = furthest is { } f ? $" after it got to {f}" : " before green was up";
        var rolledBack = deployment.RolledBack ? $" and was rolled back by {deployment.RollbackDeploymentId} (blue serves)" : string.Empty;
        var reason = deployment.ErrorCode is null ? string.Empty : $" ({deployment.ErrorCode}: {deployment.ErrorMessage})";
        return $"Release {deployment.DeploymentId} {deployment.Status}{got}{rolledBack}{reason}: it will not get to {point}.";
    }

    /// <summary>For a wait until Ready that ended on a release which does not wait there: what to know. Null otherwise.</summary>
    public static string? ReadyNote(BlueGreenDeployment deployment)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        if (WaitsAtReady(deployment) != false || !Reached(deployment, WaitTarget.Ready) || deployment.IsComplete)
        {
            return null;
        }

        if (deployment.Target is LambdaAliasTarget alias)
        {
            return $"Release {deployment.DeploymentId} of {alias.DisplayName} does not wait at Ready: a Lambda release has no test listener and no go-ahead, " +
                "so production traffic moves by itself. It was returned once green was about to take traffic (its BeforeAllowTraffic stage); test the version itself with 'Invoke-SmokeTest -FunctionName <f> -Version <n>' before starting.";
        }

        if (deployment.Engine == DeploymentEngine.EcsNative && !deployment.IsRollback)
        {
            return $"Release {deployment.DeploymentId} does not wait at Ready: its deployment configuration has no PAUSE hook at POST_TEST_TRAFFIC_SHIFT, so production traffic moves by itself " +
                "and Set-TrafficShift -Continue is not needed. It was returned once test traffic reached green (-Until TestTraffic says so without this warning).";
        }

        return deployment.IsRollback
            ? $"{deployment.DeploymentId} is a rollback: it does not wait at Ready; it puts traffic back on blue by itself."
            : $"Release {deployment.DeploymentId} does not wait at Ready: its deployment group '{deployment.DeploymentGroupName}' has no Ready wait, so production traffic moves by itself " +
              "and Set-TrafficShift -Continue is not needed. It was returned once test traffic reached green (-Until TestTraffic says so without this warning).";
    }

    private static bool Done(BlueGreenDeployment deployment, string lifecycleEvent) =>
        deployment.LifecycleEvents.Any(e => e.Name == lifecycleEvent && e.Status is "Succeeded" or "Skipped");

    private static bool Started(BlueGreenDeployment deployment, string lifecycleEvent) =>
        deployment.LifecycleEvents.Any(e => e.Name == lifecycleEvent && e.Status is "InProgress" or "Succeeded" or "Skipped" or "Failed");
}
