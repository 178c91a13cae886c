using System;
using System.Linq;
using BlueGreen.Core.Deployments;
using Xunit;

namespace BlueGreen.Tests.Releases;

public sealed class HistoryFilterTests
{
    private static readonly DateTime Noon = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    // Newest first, as the engines list a target's history.
    private static BlueGreenDeployment[] History() =>
    [
        new("d-FOUR") { Status = DeploymentStatus.InProgress, CreateTime = Noon.AddHours(3) },
        new("d-THREE") { Status = DeploymentStatus.Stopped, CreateTime = Noon.AddHours(2) },
        new("d-TWO") { Status = DeploymentStatus.Succeeded, CreateTime = Noon.AddHours(1) },
        new("d-ONE") { Status = DeploymentStatus.Succeeded, CreateTime = Noon },
        new("d-ZERO") { Status = DeploymentStatus.Succeeded },
    ];

    [Fact]
    public void Empty_KeepsEverything_InOrder()
    {
        var filter = new HistoryFilter();
        Assert.True(filter.IsEmpty);
        Assert.Equal(["d-FOUR", "d-THREE", "d-TWO", "d-ONE", "d-ZERO"], filter.Apply(History()).Select(d => d.DeploymentId));
    }

    [Fact]
    public void Status_KeepsReleasesInAnyOfTheStates()
    {
        var kept = new HistoryFilter([DeploymentStatus.Succeeded, DeploymentStatus.Stopped]).Apply(History());
        Assert.Equal(["d-THREE", "d-TWO", "d-ONE", "d-ZERO"], kept.Select(d => d.DeploymentId));
    }

    [Fact]
    public void Since_KeepsReleasesCreatedThenOrLater_AndDropsThoseWithoutATime()
    {
        var kept = new HistoryFilter(since: Noon.AddHours(1)).Apply(History());
        Assert.Equal(["d-FOUR", "d-THREE", "d-TWO"], kept.Select(d => d.DeploymentId));
    }

    [Fact]
    public void Since_InLocalTime_IsTheSameInstant()
    {
        var kept = new HistoryFilter(since: Noon.AddHours(2).ToLocalTime()).Apply(History());
        Assert.Equal(["d-FOUR", "d-THREE"], kept.Select(d => d.DeploymentId));
    }

    [Fact]
    public void First_TakesTheNewestOfWhatTheOtherFiltersKept()
    {
        var kept = new HistoryFilter([DeploymentStatus.Succeeded], first: 2).Apply(History());
        Assert.Equal(["d-TWO", "d-ONE"], kept.Select(d => d.DeploymentId));
        Assert.False(new HistoryFilter(first: 1).IsEmpty);
    }

    [Fact]
    public void First_OfNoneIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HistoryFilter(first: 0));
}
