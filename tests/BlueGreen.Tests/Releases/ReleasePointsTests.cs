using System;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Tests.Releases;

public sealed class ReleasePointsTests
{
    private static readonly string[] Events = { "BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic" };

    /// <summary>A release whose first <paramref name="done"/> events succeeded and whose next one is <paramref name="next"/>.</summary>
    private static BlueGreenDeployment At(DeploymentStatus status, int done, string next = "Pending", bool? waitsAtReady = true) => new("d-TEST12345")
    {
        Status = status,
        WaitsAtReady = waitsAtReady,
        DeploymentGroupName = "web-dg",
        LifecycleEvents = Array.ConvertAll(Events, name =>
        {
            var index = Array.IndexOf(Events, name);
            return new DeploymentLifecycleEvent(name, index < done ? "Succeeded" : index == done ? next : "Pending", null, null, null);
        }),
    };

    public static TheoryData<BlueGreenDeployment, WaitTarget?> Furthest() => new()
    {
        { At(DeploymentStatus.Created, 0), null },
        { At(DeploymentStatus.InProgress, 1, "InProgress"), null },
        { At(DeploymentStatus.InProgress, 2), WaitTarget.Installed },
        { At(DeploymentStatus.InProgress, 3, "InProgress"), WaitTarget.Installed },
        { At(DeploymentStatus.InProgress, 4, "InProgress"), WaitTarget.TestTraffic },
        { At(DeploymentStatus.Ready, 5), WaitTarget.Ready },
        { At(DeploymentStatus.InProgress, 5, "InProgress"), WaitTarget.Ready },
        { At(DeploymentStatus.InProgress, 6, "InProgress"), WaitTarget.Ready },
        { At(DeploymentStatus.InProgress, 7, "InProgress"), WaitTarget.TrafficShifted },
        { At(DeploymentStatus.Baking, 8), WaitTarget.TrafficShifted },
        { At(DeploymentStatus.Succeeded, 8), WaitTarget.Succeeded },
        // Without lifecycle events (no deployment targets to read), the status alone.
        { new BlueGreenDeployment("d-TEST12345") { Status = DeploymentStatus.InProgress }, null },
        { new BlueGreenDeployment("d-TEST12345") { Status = DeploymentStatus.Ready }, WaitTarget.Ready },
        { new BlueGreenDeployment("d-TEST12345") { Status = DeploymentStatus.InProgress, TerminationWaitStarted = true }, WaitTarget.TrafficShifted },
    };

    [Theory]
    [MemberData(nameof(Furthest))]
    public void Furthest_MapsStatusAndLifecycleEvents(BlueGreenDeployment deployment, WaitTarget? expected)
    {
        Assert.Equal(expected, ReleasePoints.Furthest(deployment));
    }

    [Theory]
    [InlineData(WaitTarget.Installed, true)]
    [InlineData(WaitTarget.TestTraffic, true)]
    [InlineData(WaitTarget.Ready, true)]
    [InlineData(WaitTarget.TrafficShifted, false)]
    [InlineData(WaitTarget.Succeeded, false)]
    public void Reached_AtReady_AllPointsUpToReady(WaitTarget point, bool expected)
    {
        Assert.Equal(expected, ReleasePoints.Reached(At(DeploymentStatus.Ready, 5), point));
        Assert.Null(ReleasePoints.Unreachable(At(DeploymentStatus.Ready, 5), point));
    }

    [Fact]
    public void Reached_ReadyOfAReleaseThatWaits_OnlyAtTheGate()
    {
        Assert.False(ReleasePoints.Reached(At(DeploymentStatus.InProgress, 4, "InProgress"), WaitTarget.Ready));
        Assert.False(ReleasePoints.Reached(At(DeploymentStatus.InProgress, 5), WaitTarget.Ready));
        Assert.True(ReleasePoints.Reached(At(DeploymentStatus.Ready, 5), WaitTarget.Ready));
        Assert.Null(ReleasePoints.ReadyNote(At(DeploymentStatus.Ready, 5)));
    }

    [Fact]
    public void Reached_ReadyOfAReleaseThatDoesNotWait_OnceTestTrafficIsOnGreen_WithANote()
    {
        var atTest = At(DeploymentStatus.InProgress, 4, "InProgress", waitsAtReady: false);
        Assert.True(ReleasePoints.Reached(atTest, WaitTarget.Ready));
        Assert.Contains("does not wait at Ready", ReleasePoints.ReadyNote(atTest), StringComparison.Ordinal);
        Assert.Contains("web-dg", ReleasePoints.ReadyNote(atTest), StringComparison.Ordinal);
        Assert.False(ReleasePoints.Reached(At(DeploymentStatus.InProgress, 3, "InProgress", waitsAtReady: false), WaitTarget.Ready));
        Assert.Null(ReleasePoints.ReadyNote(At(DeploymentStatus.InProgress, 3, "InProgress", waitsAtReady: false)));

        // Not known whether it waits (an emulator without the group's settings): counted at test traffic, without a note.
        var unknown = At(DeploymentStatus.InProgress, 4, "InProgress", waitsAtReady: null);
        Assert.True(ReleasePoints.Reached(unknown, WaitTarget.Ready));
        Assert.Null(ReleasePoints.ReadyNote(unknown));
    }

    [Fact]
    public void Reached_EveryPointOfASucceededRelease()
    {
        foreach (var point in Enum.GetValues<WaitTarget>())
        {
            Assert.True(ReleasePoints.Reached(At(DeploymentStatus.Succeeded, 8), point));
        }
    }

    [Theory]
    [InlineData(DeploymentStatus.Stopped)]
    [InlineData(DeploymentStatus.Failed)]
    public void Unreachable_EveryPointOfAReleaseThatEnded_SayingWhereItGot(DeploymentStatus status)
    {
        var ended = At(status, 5);
        ended.RollbackDeploymentId = "d-ROLLBACK1";
        ended.ErrorCode = "TIMEOUT";
        ended.ErrorMessage = "The deployment timed out while waiting for the replacement.";
        foreach (var point in Enum.GetValues<WaitTarget>())
        {
            Assert.False(ReleasePoints.Reached(ended, point));
            var why = ReleasePoints.Unreachable(ended, point);
            Assert.NotNull(why);
            Assert.Contains($"{status} after it got to TestTraffic", why, StringComparison.Ordinal);
            Assert.Contains("rolled back by d-ROLLBACK1", why, StringComparison.Ordinal);
            Assert.Contains("TIMEOUT", why, StringComparison.Ordinal);
            Assert.EndsWith($"it will not get to {point}.", why, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Unreachable_NullWhileItCanStillGetThere()
    {
        Assert.Null(ReleasePoints.Unreachable(At(DeploymentStatus.InProgress, 1, "InProgress"), WaitTarget.Succeeded));
        Assert.Null(ReleasePoints.Unreachable(At(DeploymentStatus.Ready, 5), WaitTarget.TrafficShifted));
    }

    [Fact]
    public void WaitTarget_IsInTheOrderAReleaseGetsThere()
    {
        Assert.Equal(new[] { "Installed", "TestTraffic", "Ready", "TrafficShifted", "Succeeded" }, Enum.GetNames<WaitTarget>());
    }
}
