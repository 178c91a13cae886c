using System;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Tests.Releases;

public sealed class UndoCoordinatorTests
{
    private const string Bad = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3";
    private const string Good = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";

    private static BlueGreenDeployment Release(string id, DeploymentStatus status, double green) => new(id)
    {
        Status = status,
        GreenTrafficPercent = green,
        GreenTaskDefinition = Bad,
        BlueTaskDefinition = Good,
    };

    [Fact]
    public void AfterRollback_DescribesWhatServes_BlueWithAllTraffic()
    {
        var release = Release("d-RELEASE01", DeploymentStatus.Stopped, 10);
        var rollback = new BlueGreenDeployment("d-ROLLBACK1") { Status = DeploymentStatus.Succeeded, GreenTrafficPercent = 100, RollbackTriggeringDeploymentId = "d-RELEASE01" };
        var after = UndoCoordinator.AfterRollback(release, rollback);
        Assert.Equal("d-RELEASE01", after.DeploymentId);
        Assert.Equal(0, after.GreenTrafficPercent);
        Assert.True(after.BlueExists);
        Assert.True(after.RolledBack);
        Assert.Equal("d-ROLLBACK1", after.RollbackDeploymentId);
        Assert.Equal("[--------------------]", after.TrafficBar);
    }

    [Fact]
    public void AfterRollback_InFlight_TakesTheRollbacksShareOfBlue()
    {
        var rollback = new BlueGreenDeployment("d-ROLLBACK1")
        {
            Status = DeploymentStatus.InProgress,
            GreenTrafficPercent = 70,
            LifecycleEvents = new[] { new DeploymentLifecycleEvent("AllowTraffic", "InProgress", null, null, null) },
        };
        Assert.Equal(30, UndoCoordinator.AfterRollback(Release("d-RELEASE01", DeploymentStatus.Stopped, 10), rollback).GreenTrafficPercent);
    }

    [Fact]
    public void Interrupted_BeforeStart_SaysNothingChanged()
    {
        var plan = TestPlans.Undo(Release("d-RELEASE01", DeploymentStatus.Succeeded, 100), UndoKind.RedeployPrevious, Good, readyWaitMinutes: 60);
        Assert.Contains("nothing was changed", UndoCoordinator.Interrupted(plan, null, null), StringComparison.Ordinal);
    }

    [Fact]
    public void Interrupted_AtTheReadyGate_SaysProductionStillServesTheBadVersionAndHowToGoOn()
    {
        var plan = TestPlans.Undo(Release("d-RELEASE01", DeploymentStatus.Succeeded, 100), UndoKind.RedeployPrevious, Good, readyWaitMinutes: 60);
        var undo = new BlueGreenDeployment("d-UNDO00001") { Status = DeploymentStatus.Ready, WaitsAtReady = true, GreenTaskDefinition = Good };
        var text = UndoCoordinator.Interrupted(plan, undo, undo);
        Assert.StartsWith("Stopped waiting. ", text, StringComparison.Ordinal);
        Assert.Contains("stops at Ready", text, StringComparison.Ordinal);
        Assert.Contains("production still serves web:3", text, StringComparison.Ordinal);
        Assert.Contains("Get-BlueGreenDeployment -Id d-UNDO00001 | Set-TrafficShift -Continue", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Interrupted_AfterTheGoAhead_SaysTrafficMovesByItself()
    {
        var plan = TestPlans.Undo(Release("d-RELEASE01", DeploymentStatus.Succeeded, 100), UndoKind.RedeployPrevious, Good, readyWaitMinutes: 60);
        var undo = new BlueGreenDeployment("d-UNDO00001")
        {
            Status = DeploymentStatus.InProgress,
            WaitsAtReady = true,
            GreenTaskDefinition = Good,
            LifecycleEvents = new[] { new DeploymentLifecycleEvent("AllowTraffic", "InProgress", null, null, null) },
        };
        var text = UndoCoordinator.Interrupted(plan, undo, undo);
        Assert.Contains("moves production traffic to web:2 by itself", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Continue", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Interrupted_Rollback_NamesTheRollbackAndNeverSaysAnEndedOneGoesOn()
    {
        var stopped = Release("d-RELEASE01", DeploymentStatus.Stopped, 10);
        stopped.RollbackDeploymentId = "d-ROLLBACK1";
        var plan = TestPlans.Undo(stopped, UndoKind.StopAndRollBack, null, null);
        var going = UndoCoordinator.Interrupted(plan, stopped, new BlueGreenDeployment("d-ROLLBACK1") { Status = DeploymentStatus.InProgress });
        Assert.Contains("its rollback d-ROLLBACK1 goes on in AWS and puts all traffic back on blue by itself", going, StringComparison.Ordinal);
        var ended = UndoCoordinator.Interrupted(plan, stopped, new BlueGreenDeployment("d-ROLLBACK1") { Status = DeploymentStatus.Succeeded });
        Assert.DoesNotContain("goes on", ended, StringComparison.Ordinal);
        Assert.Contains("has ended Succeeded", ended, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_SaysTheGoAheadIsGivenOrNot()
    {
        var plan = TestPlans.Undo(Release("d-RELEASE01", DeploymentStatus.Succeeded, 100), UndoKind.RedeployPrevious, Good, readyWaitMinutes: 60);
        Assert.Contains("the go-ahead is given at once", UndoCoordinator.Describe(plan, UndoFollow.AllTraffic), StringComparison.Ordinal);
        Assert.Contains("left there for Set-TrafficShift -Continue", UndoCoordinator.Describe(plan, UndoFollow.StopAtReady), StringComparison.Ordinal);
        Assert.Contains("moves only after Set-TrafficShift -Continue", UndoCoordinator.Describe(plan, UndoFollow.NoWait), StringComparison.Ordinal);
        var noGate = TestPlans.Undo(Release("d-RELEASE01", DeploymentStatus.Succeeded, 100), UndoKind.RedeployPrevious, Good, readyWaitMinutes: null);
        Assert.Equal(noGate.Description, UndoCoordinator.Describe(noGate, UndoFollow.AllTraffic));
    }
}

internal static class TestPlans
{
    public static UndoPlan Undo(BlueGreenDeployment deployment, UndoKind kind, string? previous, int? readyWaitMinutes)
    {
        var plan = new UndoPlan(deployment, kind, $"Undo {deployment.DeploymentId}.");
        if (kind == UndoKind.RedeployPrevious)
        {
            plan.Release = new ReleasePlan(new ReleaseRequest("sandbox", "web") { TaskDefinition = previous })
            {
                GreenTaskDefinition = previous,
                ReadyWaitMinutes = readyWaitMinutes,
            };
        }

        return plan;
    }
}
