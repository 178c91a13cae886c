using System.Collections.Generic;
using System.Linq;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Releases.CodeDeploy;

namespace BlueGreen.Tests.Releases;

/// <summary>-Alarm: names checked before anything is sent, and the deployment-group change that makes CodeDeploy stop
/// and roll back a release on them.</summary>
public sealed class ReleaseAlarmsTests
{
    private static DeploymentGroupInfo Group(bool enabled, IEnumerable<string> alarms, bool rollback, params string[] events) => new()
    {
        ApplicationName = "web",
        DeploymentGroupName = "web-dg",
        AlarmConfiguration = new AlarmConfiguration { Enabled = enabled, IgnorePollAlarmFailure = true, Alarms = alarms.Select(a => new Alarm { Name = a }).ToList() },
        AutoRollbackConfiguration = new AutoRollbackConfiguration { Enabled = rollback, Events = events.ToList() },
    };

    [Fact]
    public void Normalize_DropsDuplicatesAndRefusesBadNames()
    {
        Assert.Equal(new[] { "a", "b" }, ReleaseAlarms.Normalize(new[] { "a", "b", "a" }));
        Assert.Empty(ReleaseAlarms.Normalize(null));
        Assert.Equal("InvalidAlarm", Assert.Throws<ReleaseException>(() => ReleaseAlarms.Normalize(new[] { new string('x', 256) })).ErrorId);
        Assert.Equal("InvalidAlarm", Assert.Throws<ReleaseException>(() => ReleaseAlarms.Normalize(new[] { " " })).ErrorId);
        var tooMany = Assert.Throws<ReleaseException>(() => ReleaseAlarms.Normalize(Enumerable.Range(0, 11).Select(i => "a" + i).ToList(), CodeDeployAlarms.GroupLimit));
        Assert.Contains("at most 10", tooMany.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void RequireFound_NamesEveryMissingAlarm()
    {
        ReleaseAlarms.RequireFound(new[] { "a" }, new[] { "a", "b" }, "us-east-1");
        var missing = Assert.Throws<ReleaseException>(() => ReleaseAlarms.RequireFound(new[] { "a", "x", "y" }, new[] { "a" }, "eu-west-1"));
        Assert.Equal("AlarmNotFound", missing.ErrorId);
        Assert.Equal(ReleaseErrorKind.ObjectNotFound, missing.Kind);
        Assert.StartsWith("No CloudWatch alarm 'x', 'y' exists in eu-west-1", missing.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AddsTheAlarmsToTheGroupAndRollbackOnAlarm()
    {
        var change = CodeDeployAlarms.Plan(Group(true, new[] { "web-5xx" }, true, "DEPLOYMENT_FAILURE"), new[] { "web-latency", "web-5xx" });
        Assert.NotNull(change);
        Assert.Equal(new[] { "web-5xx", "web-latency" }, change!.AlarmNames);
        Assert.True(change.Alarms.Enabled);
        Assert.True(change.Alarms.IgnorePollAlarmFailure);
        Assert.True(change.Rollback.Enabled);
        Assert.Equal(new[] { "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM" }, change.Rollback.Events);
        Assert.Contains("add alarms web-latency", change.Description, System.StringComparison.Ordinal);
        Assert.Contains("roll back automatically on DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM", change.Description, System.StringComparison.Ordinal);

        var request = CodeDeployAlarms.Request("web", "web-dg", change);
        Assert.Equal("web-dg", request.CurrentDeploymentGroupName);
        Assert.Null(request.BlueGreenDeploymentConfiguration);
        Assert.Null(request.DeploymentConfigName);
        Assert.Same(change.Alarms, request.AlarmConfiguration);
    }

    [Fact]
    public void Plan_TurnsRollbackOnForAGroupWithoutIt()
    {
        var change = CodeDeployAlarms.Plan(Group(false, System.Array.Empty<string>(), false), new[] { "orders-errors" })!;
        Assert.Equal(new[] { "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM" }, change.Rollback.Events);
        Assert.Contains("enable the group's alarms", change.Description, System.StringComparison.Ordinal);
        Assert.Equal(new[] { "orders-errors" }, change.AlarmNames);
    }

    [Fact]
    public void Plan_ChangesNothingWhenTheGroupAlreadyRollsBackOnTheAlarms()
    {
        Assert.Null(CodeDeployAlarms.Plan(Group(true, new[] { "web-5xx" }, true, "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"), new[] { "web-5xx" }));
        // Listed but disabled, or rollback off: changed.
        Assert.NotNull(CodeDeployAlarms.Plan(Group(false, new[] { "web-5xx" }, true, "DEPLOYMENT_STOP_ON_ALARM"), new[] { "web-5xx" }));
        Assert.NotNull(CodeDeployAlarms.Plan(Group(true, new[] { "web-5xx" }, true, "DEPLOYMENT_FAILURE"), new[] { "web-5xx" }));
    }

    [Fact]
    public void Plan_RefusesMoreThanAGroupTakes()
    {
        var group = Group(true, Enumerable.Range(0, 9).Select(i => "g" + i), true, "DEPLOYMENT_STOP_ON_ALARM");
        Assert.NotNull(CodeDeployAlarms.Plan(group, new[] { "new1" }));
        Assert.Equal("TooManyAlarms", Assert.Throws<ReleaseException>(() => CodeDeployAlarms.Plan(group, new[] { "new1", "new2" })).ErrorId);
    }

    [Fact]
    public void Show_PutsTheChangeInThePlan()
    {
        var plan = new ReleasePlan(new ReleaseRequest("sandbox", "web"));
        CodeDeployAlarms.Show(plan, CodeDeployAlarms.Plan(Group(true, new[] { "web-5xx" }, true, "DEPLOYMENT_FAILURE"), new[] { "web-latency" })!);
        var text = plan.Describe();
        Assert.Contains("Alarms:             web-5xx, web-latency", text, System.StringComparison.Ordinal);
        Assert.Contains("Rollback:           automatic on DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM", text, System.StringComparison.Ordinal);
        Assert.Contains("UpdateDeploymentGroup: deployment group 'web-dg' (application 'web'): add alarms web-latency", text, System.StringComparison.Ordinal);
    }
}
