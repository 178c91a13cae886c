using System;
using System.Linq;
using BlueGreen.Core.Releases;

namespace BlueGreen.Tests.Releases;

public sealed class TrafficShiftPolicyTests
{
    [Theory]
    [InlineData("AllAtOnce", "CodeDeployDefault.ECSAllAtOnce")]
    [InlineData("ECSAllAtOnce", "CodeDeployDefault.ECSAllAtOnce")]
    [InlineData("CodeDeployDefault.ECSAllAtOnce", "CodeDeployDefault.ECSAllAtOnce")]
    [InlineData("Canary10Percent5Minutes", "CodeDeployDefault.ECSCanary10Percent5Minutes")]
    [InlineData("CodeDeployDefault.ECSCanary10Percent15Minutes", "CodeDeployDefault.ECSCanary10Percent15Minutes")]
    [InlineData("linear10percentevery1minutes", "CodeDeployDefault.ECSLinear10PercentEvery1Minutes")]
    [InlineData("Linear10PercentEvery3Minute", "CodeDeployDefault.ECSLinear10PercentEvery3Minutes")]
    [InlineData(" Canary25Percent2Minutes ", "BlueGreen.ECSCanary25Percent2Minutes")]
    [InlineData("Linear20PercentEvery3Minutes", "BlueGreen.ECSLinear20PercentEvery3Minutes")]
    [InlineData("BlueGreen.ECSLinear20PercentEvery3Minutes", "BlueGreen.ECSLinear20PercentEvery3Minutes")]
    [InlineData("CodeDeployDefault.ECSCanary25Percent2Minutes", "BlueGreen.ECSCanary25Percent2Minutes")]
    public void Parse_GivesTheDeploymentConfigName(string text, string expected)
    {
        Assert.True(TrafficShiftPolicy.TryParse(text, out var policy, out var problem), problem);
        Assert.Equal(expected, policy!.DeploymentConfigName);
        Assert.Equal(expected.StartsWith("CodeDeployDefault.", StringComparison.Ordinal), policy.IsPredefined);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Canary")]
    [InlineData("Canary0Percent5Minutes")]
    [InlineData("Canary100Percent5Minutes")]
    [InlineData("Linear10PercentEvery0Minutes")]
    [InlineData("Linear10PercentEvery3000Minutes")]
    [InlineData("CodeDeployDefault.LambdaCanary10Percent5Minutes")]
    [InlineData("HalfAtOnce")]
    [InlineData("Canary10Percent5Minutes; drop")]
    public void Parse_RefusesWhatIsNotAPolicy(string text)
    {
        Assert.False(TrafficShiftPolicy.TryParse(text, out var policy, out var problem));
        Assert.Null(policy);
        Assert.Contains(text.Trim().Length == 0 ? "''" : text, problem!, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TrafficShiftPolicy.Parse(text));
    }

    [Fact]
    public void SameNameGivesTheSameCustomConfig()
    {
        var a = TrafficShiftPolicy.Parse("Canary25Percent2Minutes");
        var b = TrafficShiftPolicy.Parse("BlueGreen.ECSCanary25Percent2Minute");
        Assert.Equal(a, b);
        Assert.Equal(a.DeploymentConfigName, b.DeploymentConfigName);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, TrafficShiftPolicy.Parse("Canary25Percent3Minutes"));
    }

    [Fact]
    public void Steps_Canary()
    {
        Assert.Equal(new[] { (0, 25), (2, 100) }, TrafficShiftPolicy.Parse("Canary25Percent2Minutes").Steps());
    }

    [Fact]
    public void Steps_LinearEndsAtExactlyAHundred()
    {
        var steps = TrafficShiftPolicy.Parse("Linear30PercentEvery2Minutes").Steps();
        Assert.Equal(new[] { (0, 30), (2, 60), (4, 90), (6, 100) }, steps);
        Assert.Equal(10, TrafficShiftPolicy.Parse("Linear10PercentEvery1Minutes").Steps().Length);
    }

    [Fact]
    public void Steps_AllAtOnce()
    {
        Assert.Equal(new[] { (0, 100) }, TrafficShiftPolicy.AllAtOnce.Steps());
    }

    [Theory]
    [InlineData("TimeBasedCanary", 15, 7, "BlueGreen.ECSCanary15Percent7Minutes")]
    [InlineData("TimeBasedLinear", 10, 3, "CodeDeployDefault.ECSLinear10PercentEvery3Minutes")]
    [InlineData("AllAtOnce", null, null, "CodeDeployDefault.ECSAllAtOnce")]
    public void FromRouting_ReadsACodeDeployConfig(string type, int? percent, int? interval, string expected)
    {
        Assert.Equal(expected, TrafficShiftPolicy.FromRouting(type, percent, interval).DeploymentConfigName);
    }
}

public sealed class ReleaseTimelineTests
{
    [Fact]
    public void Canary_TestTrafficThenStepsThenBlueRemoved()
    {
        var steps = ReleaseTimeline.Compute(TrafficShiftPolicy.Parse("Canary10Percent5Minutes"), null, 5);
        Assert.Equal(new[] { 0, 10, 100, 100 }, steps.Select(s => s.GreenPercent));
        Assert.Equal(new[] { 0.0, 0, 5, 10 }, steps.Select(s => s.At.TotalMinutes));
        Assert.Contains("test listener", steps[0].What, StringComparison.Ordinal);
        Assert.Contains("blue removed", steps[^1].What, StringComparison.Ordinal);
        Assert.StartsWith("T+5m", steps[2].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadyWait_IsShownBeforeProductionSteps()
    {
        var steps = ReleaseTimeline.Compute(TrafficShiftPolicy.AllAtOnce, 60, 0);
        Assert.Equal(4, steps.Count);
        Assert.Contains("Set-TrafficShift -Continue", steps[1].What, StringComparison.Ordinal);
        Assert.Contains("60 min", steps[1].What, StringComparison.Ordinal);
        Assert.Equal(100, steps[2].GreenPercent);
        Assert.Equal(TimeSpan.Zero, steps[3].At);
    }

    [Fact]
    public void Linear_LongReleaseShowsHours()
    {
        var steps = ReleaseTimeline.Compute(TrafficShiftPolicy.Parse("Linear10PercentEvery10Minutes"), null, 60);
        Assert.Equal(12, steps.Count);
        Assert.Equal(TimeSpan.FromMinutes(150), steps[^1].At);
        Assert.StartsWith("T+2h30m", steps[^1].ToString(), StringComparison.Ordinal);
    }
}
