using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Releases;

/// <summary>A read returns what it could read: an optional call that fails becomes a gap, never a failed read;
/// transient failures are ridden out for a bounded time, the same way for a first read and a later one.</summary>
public sealed class ReadGapTests
{
    private const string Id = "0f3a3e4c-cfc9-49ba-b1d4-e0958f011908";

    private static string Deployment(string status = "InProgress") =>
        "{\"deploymentInfo\":{\"deploymentId\":\"" + Id + "\",\"status\":\"" + status + "\",\"computePlatform\":\"ECS\",\"applicationName\":\"web\",\"deploymentGroupName\":\"web-dg\"}}";

    private const string Group = "{\"deploymentGroupInfo\":{\"applicationName\":\"web\",\"deploymentGroupName\":\"web-dg\",\"ecsServices\":[{\"clusterName\":\"prod\",\"serviceName\":\"web\"}]}}";

    private const string Target = "{\"deploymentTarget\":{\"deploymentTargetType\":\"ECSTarget\",\"ecsTarget\":{\"deploymentId\":\"" + Id + "\",\"targetId\":\"prod:web\"," +
        "\"lifecycleEvents\":[{\"lifecycleEventName\":\"Install\",\"status\":\"Succeeded\"},{\"lifecycleEventName\":\"AllowTraffic\",\"status\":\"InProgress\"}]," +
        "\"taskSetsInfo\":[{\"identifer\":\"ts-blue\",\"taskSetLabel\":\"Blue\",\"trafficWeight\":60.0,\"status\":\"PRIMARY\"},{\"identifer\":\"ts-green\",\"taskSetLabel\":\"Green\",\"trafficWeight\":40.0,\"status\":\"ACTIVE\"}]}}}";

    private static readonly Dictionary<string, string> Html = new() { ["Content-Type"] = "text/html; charset=utf-8" };

    private static IEnumerable<string> Operations(ScriptedHttpServer server) =>
        server.Requests.Select(r => r.Headers.TryGetValue("X-Amz-Target", out var target) ? target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..] : r.Target);

    [Fact]
    public async Task Get_TargetAnsweredWithAnHtml500_ReturnsTheDeploymentWithOneGap()
    {
        using var server = new ScriptedHttpServer()
            .Respond(200, Deployment())
            .Respond(200, Group)
            .Respond(500, "<!doctype html><html><body><h1>Internal Server Error</h1></body></html>", Html);
        var engine = new CodeDeployEcsEngine(server.Context(maxAttempts: 1));

        var deployment = await engine.GetAsync(Id, CancellationToken.None);

        Assert.Equal(Id, deployment.DeploymentId);
        Assert.Equal(DeploymentStatus.InProgress, deployment.Status);
        Assert.Equal("prod", deployment.Cluster);
        Assert.Equal("web", deployment.Service);
        Assert.Empty(deployment.LifecycleEvents);
        var gap = Assert.Single(deployment.ReadGaps);
        Assert.Equal("GetDeploymentTarget", gap.Operation);
        Assert.Contains("HTTP 500", gap.Reason, StringComparison.Ordinal);
        Assert.Equal("lifecycle events and traffic split", gap.Missing);
        var warning = ReadGap.Describe(deployment.DeploymentId, deployment.ReadGaps);
        Assert.StartsWith($"Release {Id} was read in part: could not read GetDeploymentTarget (", warning, StringComparison.Ordinal);
        Assert.EndsWith("so its lifecycle events and traffic split are not shown.", warning, StringComparison.Ordinal);
        Assert.Equal(new[] { "GetDeployment", "GetDeploymentGroup", "GetDeploymentTarget" }, Operations(server));
    }

    [Fact]
    public async Task Get_EverythingRead_HasNoGaps()
    {
        using var server = new ScriptedHttpServer().Respond(200, Deployment()).Respond(200, Group).Respond(200, Target)
            .Respond(200, "{\"services\":[{\"serviceName\":\"web\",\"status\":\"ACTIVE\",\"taskSets\":[{\"id\":\"ts-blue\",\"taskDefinition\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/web:1\"}]}]}");
        var engine = new CodeDeployEcsEngine(server.Context(maxAttempts: 1));

        var deployment = await engine.GetAsync(Id, CancellationToken.None);

        Assert.Empty(deployment.ReadGaps);
        Assert.Equal(40, deployment.GreenTrafficPercent);
        Assert.Equal("AllowTraffic", deployment.Phase);
        Assert.EndsWith("web:1", deployment.BlueTaskDefinition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_TargetNotThereYet_IsNoGap()
    {
        using var server = new ScriptedHttpServer().Respond(200, Deployment("Created")).Respond(200, Group).RespondError(400, "DeploymentNotStartedException");
        var engine = new CodeDeployEcsEngine(server.Context(maxAttempts: 1));

        var deployment = await engine.GetAsync(Id, CancellationToken.None);

        Assert.Equal(DeploymentStatus.Created, deployment.Status);
        Assert.Empty(deployment.ReadGaps);
    }

    [Fact]
    public async Task Get_TaskSetsThrottledPastRetries_NamesDescribeServices()
    {
        using var server = new ScriptedHttpServer().Respond(200, Deployment()).Respond(200, Group).Respond(200, Target)
            .RespondError(400, "ThrottlingException");
        var engine = new CodeDeployEcsEngine(server.Context(maxAttempts: 1));

        var deployment = await engine.GetAsync(Id, CancellationToken.None);

        var gap = Assert.Single(deployment.ReadGaps);
        Assert.Equal("DescribeServices", gap.Operation);
        Assert.StartsWith("ThrottlingException, HTTP 400: scripted ThrottlingException", gap.Reason, StringComparison.Ordinal);
        Assert.Equal(40, deployment.GreenTrafficPercent);
    }

    [Fact]
    public async Task Get_TheDeploymentItselfFailing_IsStillAnError()
    {
        using var server = new ScriptedHttpServer().RespondError(400, "AccessDeniedException");
        var engine = new CodeDeployEcsEngine(server.Context(maxAttempts: 1));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => engine.GetAsync(Id, CancellationToken.None));

        Assert.Equal("AccessDeniedException", error.ErrorCode);
        Assert.Equal("GetDeployment", error.Operation);
    }

    /// <summary>A release as a full read left it: what a refresh starts from.</summary>
    private static BlueGreenDeployment LastLook() => new(Id)
    {
        Cluster = "prod",
        Service = "web",
        TargetId = "prod:web",
        TestEndpoint = "http://test.example/",
        ProductionEndpoint = "http://prod.example/",
        BlueTaskDefinition = "arn:aws:ecs:us-east-1:1:task-definition/web:1",
        Phase = "AllowTraffic",
        GreenTrafficPercent = 40,
        LifecycleEvents = new[] { new DeploymentLifecycleEvent("AllowTraffic", "InProgress", null, null, null) },
    };

    [Fact]
    public async Task Refresh_TargetUnreadable_KeepsTheLastLookAndSaysSo()
    {
        using var server = new ScriptedHttpServer().Respond(200, Deployment()).RespondError(503, "ServiceUnavailableException");
        var engine = new CodeDeployEcsEngine(server.Context(maxAttempts: 1));
        var fresh = await engine.RefreshAsync(LastLook(), CancellationToken.None);

        Assert.Equal(40, fresh.GreenTrafficPercent);
        Assert.Equal("AllowTraffic", fresh.Phase);
        Assert.Single(fresh.LifecycleEvents);
        Assert.Equal("GetDeploymentTarget", Assert.Single(fresh.ReadGaps).Operation);
    }

    [Fact]
    public async Task Refresh_KeepsTheServiceAndEndpointsOnlyTheFullReadFound_InTwoCalls()
    {
        using var server = new ScriptedHttpServer().Respond(200, Deployment()).Respond(200, Target);
        var engine = new CodeDeployEcsEngine(server.Context(maxAttempts: 1));
        var previous = LastLook();
        previous.GreenTrafficPercent = 10;

        var fresh = await engine.RefreshAsync(previous, CancellationToken.None);

        Assert.Equal(("prod", "web", "prod:web"), (fresh.Cluster, fresh.Service, fresh.TargetId));
        Assert.Equal(("http://test.example/", "http://prod.example/"), (fresh.TestEndpoint, fresh.ProductionEndpoint));
        Assert.Equal("arn:aws:ecs:us-east-1:1:task-definition/web:1", fresh.BlueTaskDefinition);
        Assert.Equal(40, fresh.GreenTrafficPercent);
        Assert.Empty(fresh.ReadGaps);
        Assert.Equal(new[] { "GetDeployment", "GetDeploymentTarget" }, Operations(server));
    }

    private static AwsServiceException Throttled() => new("CodeDeploy", "GetDeployment", "ThrottlingException", "Rate exceeded", HttpStatusCode.BadRequest, null, isThrottling: true, isRetryable: true);

    private static PollingPolicy Quick(TimeSpan tolerance) => new() { Minimum = TimeSpan.FromMilliseconds(10), Maximum = TimeSpan.FromMilliseconds(50), TransientTolerance = tolerance };

    [Fact]
    public async Task ReadAsync_RidesOutTransientFailures()
    {
        var calls = 0;
        var retries = new List<TimeSpan>();

        var value = await DeploymentWatcher.ReadAsync(_ => ++calls < 4 ? throw Throttled() : Task.FromResult("read"), Quick(TimeSpan.FromSeconds(30)),
            (_, pause) => retries.Add(pause), null, CancellationToken.None);

        Assert.Equal("read", value);
        Assert.Equal(4, calls);
        Assert.Equal(3, retries.Count);
    }

    [Fact]
    public async Task ReadAsync_GivesUpWhenTheToleranceHasPassed()
    {
        var calls = 0;
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => DeploymentWatcher.ReadAsync<string>(_ =>
        {
            calls++;
            throw Throttled();
        }, Quick(TimeSpan.FromMilliseconds(400)), null, null, CancellationToken.None));

        Assert.True(error.IsThrottling);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        Assert.True(calls > 2, $"read {calls} times");
    }

    [Fact]
    public async Task ReadAsync_DoesNotWaitOnWhatDoesNotPass()
    {
        var refused = new AwsServiceException("CodeDeploy", "GetDeployment", "NetworkFailure", "connection refused", 0, null, isThrottling: false, isRetryable: true,
            innerException: new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)));
        var denied = new AwsServiceException("CodeDeploy", "GetDeployment", "AccessDeniedException", "no", HttpStatusCode.BadRequest, null, isThrottling: false, isRetryable: false);
        Assert.True(refused.NotConnected);
        Assert.False(denied.NotConnected);

        foreach (var failure in new[] { refused, denied })
        {
            var calls = 0;
            await Assert.ThrowsAsync<AwsServiceException>(() => DeploymentWatcher.ReadAsync<string>(_ =>
            {
                calls++;
                throw failure;
            }, Quick(TimeSpan.FromSeconds(30)), null, null, CancellationToken.None));
            Assert.Equal(1, calls);
        }
    }

    [Fact]
    public async Task Wait_ById_FirstLookRidesOutThrottlingLikeEveryLaterOne()
    {
        using var server = new ScriptedHttpServer()
            .RespondError(400, "ThrottlingException")
            .RespondError(400, "ThrottlingException")
            .Respond(200, Deployment("Succeeded"))
            .RespondError(400, "DeploymentGroupDoesNotExistException");
        var engine = new CodeDeployEcsEngine(server.Context(maxAttempts: 1));
        var retries = 0;

        var done = await DeploymentWatcher.WaitAsync(engine, new BlueGreenDeployment(Id), WaitTarget.Succeeded, TimeSpan.FromSeconds(30), Quick(TimeSpan.FromSeconds(30)),
            null, (_, _) => retries++, CancellationToken.None);

        Assert.Equal(DeploymentStatus.Succeeded, done.Status);
        Assert.Equal(2, retries);
        Assert.Equal("web", done.ApplicationName);
    }
}
