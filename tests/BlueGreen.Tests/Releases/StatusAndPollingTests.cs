using System;
using System.Collections.Generic;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Tests.Releases;

public sealed class StatusAndPollingTests
{
    [Theory]
    [InlineData("Created", null, DeploymentStatus.Created)]
    [InlineData("Queued", null, DeploymentStatus.Created)]
    [InlineData(null, null, DeploymentStatus.Created)]
    [InlineData("InProgress", false, DeploymentStatus.InProgress)]
    [InlineData("InProgress", true, DeploymentStatus.Baking)]
    [InlineData("Ready", null, DeploymentStatus.Ready)]
    [InlineData("Baking", null, DeploymentStatus.Baking)]
    [InlineData("Succeeded", true, DeploymentStatus.Succeeded)]
    [InlineData("Failed", null, DeploymentStatus.Failed)]
    [InlineData("Stopped", null, DeploymentStatus.Stopped)]
    [InlineData("SomethingNew", null, DeploymentStatus.InProgress)]
    public void MapStatus(string? codeDeploy, bool? terminationWait, DeploymentStatus expected)
    {
        Assert.Equal(expected, CodeDeployEcsEngine.MapStatus(codeDeploy, terminationWait));
    }

    private static BlueGreenDeployment With(DeploymentStatus status, params (string Name, string Status)[] events) => new("d-TEST12345")
    {
        Status = status,
        LifecycleEvents = Array.ConvertAll(events, e => new DeploymentLifecycleEvent(e.Name, e.Status, null, null, null)),
    };

    [Fact]
    public void Reached_ReadyOnceTestTrafficIsOnGreen()
    {
        Assert.False(DeploymentWatcher.Reached(With(DeploymentStatus.InProgress, ("Install", "Succeeded"), ("AllowTestTraffic", "InProgress")), WaitTarget.Ready));
        Assert.True(DeploymentWatcher.Reached(With(DeploymentStatus.InProgress, ("Install", "Succeeded"), ("AllowTestTraffic", "Succeeded")), WaitTarget.Ready));
        Assert.True(DeploymentWatcher.Reached(With(DeploymentStatus.Ready), WaitTarget.Ready));
        Assert.True(DeploymentWatcher.Reached(With(DeploymentStatus.Baking), WaitTarget.Ready));
        Assert.False(DeploymentWatcher.Reached(With(DeploymentStatus.Stopped), WaitTarget.Ready));
    }

    [Fact]
    public void Reached_SucceededOnlyWhenSucceeded()
    {
        Assert.False(DeploymentWatcher.Reached(With(DeploymentStatus.Baking), WaitTarget.Succeeded));
        Assert.False(DeploymentWatcher.Reached(With(DeploymentStatus.Failed), WaitTarget.Succeeded));
        Assert.True(DeploymentWatcher.Reached(With(DeploymentStatus.Succeeded), WaitTarget.Succeeded));
    }

    [Fact]
    public void Polling_BacksOffWhileNothingMovesAndResetsOnChange()
    {
        var policy = new PollingPolicy { Minimum = TimeSpan.FromMilliseconds(100), Maximum = TimeSpan.FromMilliseconds(1000), Growth = 2 };
        var waits = new List<double>();
        var interval = TimeSpan.Zero;
        foreach (var changed in new[] { true, false, false, false, false, false, true, false })
        {
            interval = policy.Next(interval, changed);
            waits.Add(interval.TotalMilliseconds);
        }

        Assert.Equal(new double[] { 100, 200, 400, 800, 1000, 1000, 100, 200 }, waits);
    }

    [Fact]
    public void TrafficBar_ShowsTheSplit()
    {
        Assert.Equal("[--------------------]", new BlueGreenDeployment("d-1") { GreenTrafficPercent = 0 }.TrafficBar);
        Assert.Equal("[------------------##]", new BlueGreenDeployment("d-1") { GreenTrafficPercent = 10 }.TrafficBar);
        Assert.Equal("[####################]", new BlueGreenDeployment("d-1") { GreenTrafficPercent = 100 }.TrafficBar);
    }

    [Fact]
    public void RollbackFlags()
    {
        var rolledBack = new BlueGreenDeployment("d-1") { RollbackDeploymentId = "d-2" };
        var rollback = new BlueGreenDeployment("d-2") { Creator = "codeDeployRollback" };
        Assert.True(rolledBack.RolledBack);
        Assert.False(rolledBack.IsRollback);
        Assert.True(rollback.IsRollback);
        Assert.False(rollback.RolledBack);
    }
}
