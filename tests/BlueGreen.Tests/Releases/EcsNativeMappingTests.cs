using System;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Releases.Ecs;
using DeploymentStatus = BlueGreen.Core.Deployments.DeploymentStatus;

namespace BlueGreen.Tests.Releases;

/// <summary>ECS's own blue/green in the module's terms: traffic shifts as strategies, the Ready wait and bake as PAUSE
/// hooks, service deployments as statuses and points.</summary>
public sealed class EcsNativeMappingTests
{
    private const string Arn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/sandbox/api/Kx2v9WmQnR4aT7bYcZ1dE";

    [Theory]
    [InlineData("AllAtOnce", "BLUE_GREEN", null, null)]
    [InlineData("Canary10Percent5Minutes", "CANARY", 10.0, 5)]
    [InlineData("Canary1Percent15Minutes", "CANARY", 1.0, 15)]
    [InlineData("Linear10PercentEvery3Minutes", "LINEAR", 10.0, 3)]
    [InlineData("Linear3PercentEvery1Minutes", "LINEAR", 3.0, 1)]
    public void Strategy_FromTrafficShift(string policy, string strategy, double? percent, int? minutes)
    {
        var (name, linear, canary) = EcsNativeMapping.Strategy(TrafficShiftPolicy.Parse(policy));

        Assert.Equal(strategy, name);
        Assert.Equal(percent, canary?.CanaryPercent ?? linear?.StepPercent);
        Assert.Equal(minutes, canary?.CanaryBakeTimeInMinutes ?? linear?.StepBakeTimeInMinutes);
        Assert.False(linear is not null && canary is not null);
    }

    [Theory]
    [InlineData("Linear2PercentEvery1Minutes")]
    [InlineData("Linear1PercentEvery5Minutes")]
    [InlineData("Canary10Percent1441Minutes")]
    public void Strategy_RefusesWhatEcsCannotExpress(string policy)
    {
        var error = Assert.Throws<ReleaseException>(() => EcsNativeMapping.Strategy(TrafficShiftPolicy.Parse(policy)));

        Assert.Equal("TrafficShiftNotSupported", error.ErrorId);
        Assert.Equal(ReleaseErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(policy, error.Message, StringComparison.Ordinal);
    }

    private static DeploymentConfiguration Seeded() => new()
    {
        Strategy = "BLUE_GREEN",
        BakeTimeInMinutes = 5,
        MaximumPercent = 200,
        MinimumHealthyPercent = 100,
        DeploymentCircuitBreaker = new DeploymentCircuitBreaker { Enable = true, Rollback = true },
        Alarms = new DeploymentAlarms { AlarmNames = new() { "api-5xx" }, Enable = true, Rollback = true },
        LifecycleHooks = new()
        {
            new DeploymentLifecycleHook { TargetType = "AWS_LAMBDA", HookTargetArn = "arn:aws:lambda:us-east-1:123456789012:function:check", RoleArn = "arn:aws:iam::123456789012:role/hooks", LifecycleStages = new() { "POST_SCALE_UP" } },
        },
    };

    [Fact]
    public void Apply_KeepsTheServiceSettings_AndAddsStrategyReadyWaitBakeAndAlarms()
    {
        var next = EcsNativeMapping.Apply(Seeded(), TrafficShiftPolicy.Parse("Canary20Percent3Minutes"), 10, waitAtReady: true, new[] { "api-latency" }, null);

        Assert.Equal(("CANARY", 20.0, 3), (next.Strategy, next.CanaryConfiguration!.CanaryPercent, next.CanaryConfiguration.CanaryBakeTimeInMinutes));
        Assert.Null(next.LinearConfiguration);
        Assert.Equal((200, 100), (next.MaximumPercent, next.MinimumHealthyPercent));
        Assert.True(next.DeploymentCircuitBreaker!.Enable);
        Assert.Equal(new[] { "api-5xx", "api-latency" }, next.Alarms!.AlarmNames);
        Assert.True(next.Alarms.Rollback);
        Assert.True(next.Alarms.Enable);

        // The bake is a PAUSE hook that continues by itself, so that it can be ended by hand; ECS's own bake is then 0.
        Assert.Equal(0, next.BakeTimeInMinutes);
        var hooks = next.LifecycleHooks!;
        Assert.Equal(3, hooks.Count);
        Assert.Contains(hooks, h => h.TargetType == "AWS_LAMBDA" && h.LifecycleStages!.SequenceEqual(new[] { "POST_SCALE_UP" }));
        var ready = Assert.Single(hooks, h => EcsNativeMapping.IsPauseAt(h, "POST_TEST_TRAFFIC_SHIFT"));
        Assert.Equal(("ROLLBACK", EcsNativeMapping.ReadyWaitMinutes), (ready.TimeoutConfiguration!.Action, ready.TimeoutConfiguration.TimeoutInMinutes!.Value));
        var bake = Assert.Single(hooks, EcsNativeMapping.IsBakeHook);
        Assert.Equal(("CONTINUE", 10), (bake.TimeoutConfiguration!.Action, bake.TimeoutConfiguration.TimeoutInMinutes!.Value));
        Assert.Equal(10, EcsNativeMapping.BakeMinutes(next));
        Assert.True(EcsNativeMapping.WaitsAtReady(next));
    }

    [Fact]
    public void Apply_Again_FindsItsHooks_ReplacesTheBake_AndLeavesTheInputAlone()
    {
        var seeded = Seeded();
        var first = EcsNativeMapping.Apply(seeded, null, 10, waitAtReady: true, null, null);
        var second = EcsNativeMapping.Apply(first, TrafficShiftPolicy.AllAtOnce, 0, waitAtReady: true, null, null);

        Assert.Single(seeded.LifecycleHooks!);
        Assert.Equal(5, seeded.BakeTimeInMinutes);
        Assert.Equal("BLUE_GREEN", second.Strategy);
        Assert.Single(second.LifecycleHooks!, h => EcsNativeMapping.IsPauseAt(h, "POST_TEST_TRAFFIC_SHIFT"));
        Assert.DoesNotContain(second.LifecycleHooks!, EcsNativeMapping.IsBakeHook);
        Assert.Equal(0, EcsNativeMapping.BakeMinutes(second));
    }

    [Fact]
    public void Apply_WithoutReadyWait_RemovesTheReadyHook()
    {
        var gated = EcsNativeMapping.Apply(Seeded(), null, 5, waitAtReady: true, null, null);
        var undo = EcsNativeMapping.Apply(gated, TrafficShiftPolicy.AllAtOnce, 0, waitAtReady: false, null, null);

        Assert.False(EcsNativeMapping.WaitsAtReady(undo));
        Assert.Single(undo.LifecycleHooks!);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(10.0, 10)]
    [InlineData(0.5, 1)]
    [InlineData(1440.0, 1440)]
    public void BakeMinutes_WholeMinutes(double minutes, int expected) => Assert.Equal(expected, EcsNativeMapping.BakeMinutes(TimeSpan.FromMinutes(minutes)));

    [Fact]
    public void BakeMinutes_RefusesMoreThanADay() =>
        Assert.Equal("InvalidBakeTime", Assert.Throws<ReleaseException>(() => EcsNativeMapping.BakeMinutes(TimeSpan.FromMinutes(1441))).ErrorId);

    [Fact]
    public void Timeline_NamesEcsStages_WithShiftStepsAndBake()
    {
        var config = EcsNativeMapping.Apply(Seeded(), TrafficShiftPolicy.Parse("Canary10Percent5Minutes"), 15, waitAtReady: true, null, null);

        var lines = EcsNativeMapping.Timeline(config).Select(s => s.ToString()).ToList();

        var order = new[] { "RECONCILE_SERVICE", "SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT: Ready", "PRODUCTION_TRAFFIC_SHIFT: production 10% green", "PRODUCTION_TRAFFIC_SHIFT: production 100% green", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME 15 min", "CLEAN_UP" };
        var at = order.Select(o => lines.FindIndex(l => l.Contains(o, StringComparison.Ordinal))).ToList();
        Assert.DoesNotContain(-1, at);
        Assert.Equal(at.OrderBy(i => i), at);
        Assert.Contains(lines, l => l.StartsWith("T+5m", StringComparison.Ordinal) && l.Contains("100% green", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("T+20m", StringComparison.Ordinal) && l.Contains("CLEAN_UP", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Set-TrafficShift -Complete", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("hook check", StringComparison.Ordinal));
    }

    [Fact]
    public void Timeline_Linear_HasEveryStep()
    {
        var config = EcsNativeMapping.Apply(null, TrafficShiftPolicy.Parse("Linear25PercentEvery2Minutes"), 0, waitAtReady: false, null, null);

        var shifts = EcsNativeMapping.Timeline(config).Where(s => s.What.StartsWith("PRODUCTION_TRAFFIC_SHIFT", StringComparison.Ordinal)).Select(s => (s.At.TotalMinutes, s.GreenPercent)).ToList();

        Assert.Equal(new[] { (0.0, 25), (2.0, 50), (4.0, 75), (6.0, 100) }, shifts);
    }

    private static ServiceDeployment Deployment(string status, string? stage, double? green = null, string? awaiting = null, Action<ServiceDeployment>? more = null)
    {
        var sd = new ServiceDeployment
        {
            ServiceDeploymentArn = Arn,
            ServiceArn = "arn:aws:ecs:us-east-1:123456789012:service/sandbox/api",
            ClusterArn = "arn:aws:ecs:us-east-1:123456789012:cluster/sandbox",
            Status = status,
            LifecycleStage = stage,
            TargetServiceRevision = new ServiceRevisionSummary { Arn = "arn:aws:ecs:us-east-1:123456789012:service-revision/sandbox/api/2", RequestedProductionTrafficWeight = green },
            SourceServiceRevisions = new() { new ServiceRevisionSummary { Arn = "arn:aws:ecs:us-east-1:123456789012:service-revision/sandbox/api/1", RequestedProductionTrafficWeight = green is null ? null : 100 - green } },
            DeploymentConfiguration = EcsNativeMapping.Apply(Seeded(), null, 5, waitAtReady: true, null, null),
            LifecycleHookDetails = awaiting is null ? null : new() { new DeploymentLifecycleHookDetail { HookId = "hook-1", TargetType = "PAUSE", Status = awaiting } },
        };
        more?.Invoke(sd);
        return sd;
    }

    public static TheoryData<string, string?, string?, DeploymentStatus, WaitTarget?> Points() => new()
    {
        { "PENDING", null, null, DeploymentStatus.Created, null },
        { "IN_PROGRESS", "PRE_SCALE_UP", null, DeploymentStatus.InProgress, null },
        { "IN_PROGRESS", "SCALE_UP", null, DeploymentStatus.InProgress, null },
        { "IN_PROGRESS", "POST_SCALE_UP", null, DeploymentStatus.InProgress, WaitTarget.Installed },
        { "IN_PROGRESS", "TEST_TRAFFIC_SHIFT", null, DeploymentStatus.InProgress, WaitTarget.Installed },
        { "IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", null, DeploymentStatus.InProgress, WaitTarget.TestTraffic },
        { "IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", "AWAITING_ACTION", DeploymentStatus.Ready, WaitTarget.Ready },
        { "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", null, DeploymentStatus.InProgress, WaitTarget.Ready },
        { "IN_PROGRESS", "POST_PRODUCTION_TRAFFIC_SHIFT", "AWAITING_ACTION", DeploymentStatus.Baking, WaitTarget.TrafficShifted },
        { "IN_PROGRESS", "BAKE_TIME", null, DeploymentStatus.Baking, WaitTarget.TrafficShifted },
        { "IN_PROGRESS", "CLEAN_UP", null, DeploymentStatus.InProgress, WaitTarget.TrafficShifted },
        { "SUCCESSFUL", "CLEAN_UP", null, DeploymentStatus.Succeeded, WaitTarget.Succeeded },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void Read_StatusAndPoint_FromStatusAndStage(string status, string? stage, string? awaiting, DeploymentStatus expected, WaitTarget? point)
    {
        var deployment = EcsNativeMapping.Read(Deployment(status, stage, awaiting: awaiting));

        Assert.Equal(expected, deployment.Status);
        Assert.Equal(point, ReleasePoints.Furthest(deployment));
        Assert.Equal(DeploymentEngine.EcsNative, deployment.Engine);
        Assert.Equal(("sandbox", "api"), (deployment.Cluster, deployment.Service));
        Assert.True(deployment.WaitsAtReady);
        Assert.Equal(EcsNativeMapping.Stages, deployment.LifecycleEvents.Select(e => e.Name));
    }

    [Fact]
    public void Read_GreenShare_FromTheTargetRevisionsProductionWeight()
    {
        Assert.Equal(25, EcsNativeMapping.Read(Deployment("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", green: 25)).GreenTrafficPercent);
        Assert.Equal(100, EcsNativeMapping.Read(Deployment("SUCCESSFUL", "CLEAN_UP")).GreenTrafficPercent);
        Assert.False(EcsNativeMapping.Read(Deployment("SUCCESSFUL", "CLEAN_UP")).BlueExists);
        Assert.True(EcsNativeMapping.Read(Deployment("IN_PROGRESS", "BAKE_TIME", green: 100)).BlueExists);
    }

    [Fact]
    public void Read_AlarmRollback_IsFailedAndRolledBack_WithItsRollbackView()
    {
        var sd = Deployment("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", green: 40, more: d =>
        {
            d.Alarms = new ServiceDeploymentAlarms { Status = "TRIGGERED", AlarmNames = new() { "api-5xx" }, TriggeredAlarmNames = new() { "api-5xx" } };
            d.Rollback = new Rollback { Reason = "Alarm api-5xx fired", ServiceRevisionArn = "arn:aws:ecs:us-east-1:123456789012:service-revision/sandbox/api/1" };
        });

        var release = EcsNativeMapping.Read(sd);
        var rollback = EcsNativeMapping.Read(sd, asRollback: true);

        Assert.Equal(DeploymentStatus.Failed, release.Status);
        Assert.True(release.RolledBack);
        Assert.Equal(Arn + "#rollback", release.RollbackDeploymentId);
        Assert.Contains("api-5xx", release.ErrorMessage, StringComparison.Ordinal);
        Assert.False(ReleasePoints.Reached(release, WaitTarget.Succeeded));
        Assert.True(rollback.IsRollback);
        Assert.Equal(DeploymentStatus.InProgress, rollback.Status);
        Assert.Equal(60, rollback.GreenTrafficPercent);
        Assert.Equal(DeploymentStatus.Succeeded, EcsNativeMapping.Read(Deployment("ROLLBACK_SUCCESSFUL", "CLEAN_UP"), asRollback: true).Status);
        Assert.Equal(DeploymentStatus.Stopped, EcsNativeMapping.Read(Deployment("ROLLBACK_SUCCESSFUL", "CLEAN_UP", more: d => d.Rollback = new Rollback { Reason = "stopped by user" })).Status);
    }

    [Fact]
    public void Read_WithoutReadyHook_DoesNotWaitAtReady()
    {
        var sd = Deployment("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", more: d => d.DeploymentConfiguration = new DeploymentConfiguration { Strategy = "BLUE_GREEN", BakeTimeInMinutes = 0 });

        var deployment = EcsNativeMapping.Read(sd);

        Assert.False(deployment.WaitsAtReady);
        Assert.True(ReleasePoints.Reached(deployment, WaitTarget.Ready));
        Assert.Contains("no PAUSE hook", ReleasePoints.ReadyNote(deployment), StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_ServiceDeploymentArns_AreRoutedToTheNativeEngine()
    {
        Assert.Equal(DeploymentEngine.EcsNative, ReleaseIds.EngineOf(Arn));
        Assert.Equal(DeploymentEngine.EcsNative, ReleaseIds.EngineOf(Arn + "#rollback"));
        Assert.Equal(DeploymentEngine.CodeDeployEcs, ReleaseIds.EngineOf("d-ABCDEFGHI"));
        Assert.Equal(DeploymentEngine.LambdaDirect, ReleaseIds.EngineOf("lambda:f:live:abc"));
        Assert.Equal(DeploymentEngine.CodeDeployEcs, ReleaseIds.EngineOf("arn:aws:lambda:us-east-1:1:function:x"));
        Assert.Null(DeploymentIds.Validate("arn:aws:ecs:us-east-1:123456789012:service-deployment/" + new string('c', 255) + "/api/abc"));
        Assert.NotNull(DeploymentIds.Validate(new string('d', 129)));
        Assert.Equal((Arn, true), EcsNativeMapping.ParseId(Arn + "#rollback"));
    }

    [Theory]
    [InlineData("arn:aws:ecs:us-east-1:1:service/prod/web", null, "prod", "web")]
    [InlineData("arn:aws:ecs:us-east-1:1:service/web", "arn:aws:ecs:us-east-1:1:cluster/prod", "prod", "web")]
    public void ServiceOf_ReadsClusterAndService(string serviceArn, string? clusterArn, string cluster, string service) =>
        Assert.Equal((cluster, service), EcsNativeMapping.ServiceOf(serviceArn, clusterArn));

    [Fact]
    public void ListenerOfRule_IsTheRulesListener()
    {
        Assert.Equal("arn:aws:elasticloadbalancing:us-east-1:1:listener/app/api/abc/def",
            EcsServices.ListenerOfRule("arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/api/abc/def/ghi"));
        Assert.Equal("arn:aws:elasticloadbalancing:us-east-1:1:listener/net/api/abc/def",
            EcsServices.ListenerOfRule("arn:aws:elasticloadbalancing:us-east-1:1:listener/net/api/abc/def"));
    }

    [Fact]
    public void Unfit_SaysWhatAServiceNeeds()
    {
        Assert.Contains("CODE_DEPLOY", EcsNativeEngine.Unfit(new Service { DeploymentController = new DeploymentController { Type = "CODE_DEPLOY" } }), StringComparison.Ordinal);
        Assert.Contains("no load balancer", EcsNativeEngine.Unfit(new Service { DeploymentController = new DeploymentController { Type = "ECS" } }), StringComparison.Ordinal);
        Assert.Contains("advancedConfiguration", EcsNativeEngine.Unfit(new Service { LoadBalancers = new() { new LoadBalancer { TargetGroupArn = "tg" } } }), StringComparison.Ordinal);
        Assert.Contains("EXTERNAL", EcsNativeEngine.Unfit(new Service { DeploymentController = new DeploymentController { Type = "EXTERNAL" } }), StringComparison.Ordinal);
        Assert.Null(EcsNativeEngine.Unfit(new Service { LoadBalancers = new() { new LoadBalancer { AdvancedConfiguration = new AdvancedConfiguration { AlternateTargetGroupArn = "g" } } } }));
    }
}
