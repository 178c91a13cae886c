using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Releases.Ecs;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Releases;

/// <summary>
/// The native engine's start, read, gate and undo against a scripted endpoint: the calls it makes, how a lost UpdateService
/// answer is adopted rather than sent twice, and every ECS request it sends judged by botocore's own validator against
/// AWS's model (moto does not implement service deployments; botocore is the independent judge of the JSON).
/// </summary>
public sealed class EcsNativeWireTests
{
    private const string Old = "arn:aws:ecs:us-east-1:123456789012:service-deployment/sandbox/api/OLD0000000000000000001";
    private const string New = "arn:aws:ecs:us-east-1:123456789012:service-deployment/sandbox/api/NEW0000000000000000002";
    private const string Prefix = "AmazonEC2ContainerServiceV20141113.";
    private const string ProdRule = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/api/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";
    private const string TestRule = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/api/50dc6c495c0c9188/aa2f1c8efc522ab3/1683b2d02a6cabef";

    /// <summary>A Lambda hook of the service's own, with free-form hookDetails a release must send back as they are.</summary>
    private const string OwnHook = ",\"lifecycleHooks\":[{\"targetType\":\"AWS_LAMBDA\",\"hookTargetArn\":\"arn:aws:lambda:us-east-1:123456789012:function:warm-cache\"," +
        "\"roleArn\":\"arn:aws:iam::123456789012:role/ecs-bg\",\"lifecycleStages\":[\"POST_SCALE_UP\"],\"hookDetails\":{\"owner\":\"team-a\",\"paths\":[\"/a\",\"/b\"],\"depth\":{\"n\":2}}}]";

    private static string Service(string taskDefinition, string current, string hooks = "") => "{\"services\":[{\"serviceArn\":\"arn:aws:ecs:us-east-1:123456789012:service/sandbox/api\",\"serviceName\":\"api\"," +
        "\"clusterArn\":\"arn:aws:ecs:us-east-1:123456789012:cluster/sandbox\",\"status\":\"ACTIVE\",\"taskDefinition\":\"" + taskDefinition + "\"," +
        "\"currentServiceDeployment\":\"" + current + "\",\"deploymentController\":{\"type\":\"ECS\"}," +
        "\"deploymentConfiguration\":{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":5,\"maximumPercent\":200,\"minimumHealthyPercent\":100," +
        "\"alarms\":{\"alarmNames\":[\"api-5xx\"],\"enable\":true,\"rollback\":true}" + hooks + "}," +
        "\"loadBalancers\":[{\"targetGroupArn\":\"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-blue/1\",\"containerName\":\"api\",\"containerPort\":8080," +
        "\"advancedConfiguration\":{\"alternateTargetGroupArn\":\"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-green/2\"," +
        "\"productionListenerRule\":\"" + ProdRule + "\",\"testListenerRule\":\"" + TestRule + "\",\"roleArn\":\"arn:aws:iam::123456789012:role/ecs-bg\"}}]}]}";

    private const string TaskDefinition = "{\"taskDefinition\":{\"taskDefinitionArn\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/api:1\",\"family\":\"api\",\"revision\":1," +
        "\"containerDefinitions\":[{\"name\":\"api\",\"image\":\"sandbox/api:1\",\"memory\":128,\"portMappings\":[{\"containerPort\":8080}]}]}}";

    private const string Registered = "{\"taskDefinition\":{\"taskDefinitionArn\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/api:2\",\"family\":\"api\",\"revision\":2," +
        "\"containerDefinitions\":[{\"name\":\"api\",\"image\":\"sandbox/api:2\",\"memory\":128}]}}";

    private const string Listeners = "<DescribeListenersResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><DescribeListenersResult><Listeners>" +
        "<member><ListenerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/api/50dc6c495c0c9188/f2f7dc8efc522ab2</ListenerArn><LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188</LoadBalancerArn><Port>8081</Port><Protocol>HTTP</Protocol></member>" +
        "<member><ListenerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/api/50dc6c495c0c9188/aa2f1c8efc522ab3</ListenerArn><LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188</LoadBalancerArn><Port>9081</Port><Protocol>HTTP</Protocol></member>" +
        "</Listeners></DescribeListenersResult></DescribeListenersResponse>";

    private const string Balancers = "<DescribeLoadBalancersResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><DescribeLoadBalancersResult><LoadBalancers>" +
        "<member><LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188</LoadBalancerArn><DNSName>api.elb.localhost</DNSName></member>" +
        "</LoadBalancers></DescribeLoadBalancersResult></DescribeLoadBalancersResponse>";

    private static string Deployment(string status, string stage, string? awaiting = null) => "{\"serviceDeployments\":[{\"serviceDeploymentArn\":\"" + New + "\"," +
        "\"serviceArn\":\"arn:aws:ecs:us-east-1:123456789012:service/sandbox/api\",\"clusterArn\":\"arn:aws:ecs:us-east-1:123456789012:cluster/sandbox\"," +
        "\"status\":\"" + status + "\",\"lifecycleStage\":\"" + stage + "\"," +
        "\"sourceServiceRevisions\":[{\"arn\":\"arn:aws:ecs:us-east-1:123456789012:service-revision/sandbox/api/1\",\"requestedProductionTrafficWeight\":100.0}]," +
        "\"targetServiceRevision\":{\"arn\":\"arn:aws:ecs:us-east-1:123456789012:service-revision/sandbox/api/2\",\"requestedProductionTrafficWeight\":0.0}," +
        "\"deploymentConfiguration\":{\"strategy\":\"CANARY\",\"bakeTimeInMinutes\":0,\"lifecycleHooks\":[{\"targetType\":\"PAUSE\",\"lifecycleStages\":[\"POST_TEST_TRAFFIC_SHIFT\"],\"timeoutConfiguration\":{\"timeoutInMinutes\":1440,\"action\":\"ROLLBACK\"}}]}" +
        (awaiting is null ? string.Empty : ",\"lifecycleHookDetails\":[{\"hookId\":\"hook-ready\",\"targetType\":\"PAUSE\",\"status\":\"" + awaiting + "\"}]") + "}],\"failures\":[]}";

    private static string Target(ScriptedHttpServer.RecordedRequest r) => r.Headers.FirstOrDefault(h => h.Key.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase)).Value ?? ElbAction(r.Body);

    private static string ElbAction(string body) => body.Split('&').Select(p => p.Split('=')).Where(p => p[0] == "Action").Select(p => "elb." + p[1]).FirstOrDefault() ?? "?";

    [Fact]
    public async Task Start_ByImage_LostUpdateServiceAnswer_IsAdoptedNotSentTwice_AndEveryRequestIsValidEcs()
    {
        using var server = new ScriptedHttpServer()
            .Respond(200, Service("arn:aws:ecs:us-east-1:123456789012:task-definition/api:1", Old, OwnHook)) // DescribeServices
            .Respond(200, "{\"serviceDeployments\":[]}")                                                 // ListServiceDeployments (active)
            .Respond(200, TaskDefinition)                                                                // DescribeTaskDefinition (blue)
            .Respond(200, "{\"MetricAlarms\":[{\"AlarmName\":\"api-latency\"}],\"CompositeAlarms\":[]}")      // DescribeAlarms: the asked alarm exists
            .Respond(200, Listeners)                                                                     // DescribeListeners
            .Respond(200, Balancers)                                                                     // DescribeLoadBalancers
            .Respond(200, Registered)                                                                    // RegisterTaskDefinition
            .Drop()                                                                                      // UpdateService: made, answer lost
            .Respond(200, Service("arn:aws:ecs:us-east-1:123456789012:task-definition/api:2", New))      // DescribeServices: green runs
            .Respond(200, Deployment("IN_PROGRESS", "SCALE_UP"));                                        // DescribeServiceDeployments
        var engine = new EcsNativeEngine(server.Context());
        var request = new ReleaseRequest("sandbox", "api")
        {
            Images = new Dictionary<string, string> { [string.Empty] = "sandbox/api:2" },
            TrafficShift = TrafficShiftPolicy.Parse("Canary10Percent5Minutes"),
            BakeTime = TimeSpan.FromMinutes(3),
            Alarms = new[] { "api-latency" },
            Hooks = new Dictionary<string, string> { ["AfterInstall"] = "api-check" },
        };

        var plan = await engine.PlanAsync(request, CancellationToken.None);
        var described = plan.Describe();
        var deployment = await engine.StartAsync(plan, CancellationToken.None);

        Assert.Equal(New, deployment.DeploymentId);
        Assert.Equal(DeploymentEngine.EcsNative, deployment.Engine);
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:task-definition/api:2", deployment.GreenTaskDefinition);
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:task-definition/api:1", deployment.BlueTaskDefinition);
        Assert.Equal(("http://127.0.0.1:8081/", "http://127.0.0.1:9081/"), (deployment.ProductionEndpoint, deployment.TestEndpoint));
        Assert.Contains("BAKE_TIME 3 min", described, StringComparison.Ordinal);
        Assert.Contains("UpdateService:", described, StringComparison.Ordinal);

        var requests = server.Requests.ToList();
        var targets = requests.Select(Target).ToList();
        Assert.Equal(new[]
        {
            Prefix + "DescribeServices", Prefix + "ListServiceDeployments", Prefix + "DescribeTaskDefinition", "GraniteServiceVersion20100801.DescribeAlarms", "elb.DescribeListeners", "elb.DescribeLoadBalancers",
            Prefix + "RegisterTaskDefinition", Prefix + "UpdateService", Prefix + "DescribeServices", Prefix + "DescribeServiceDeployments",
        }, targets);

        // What UpdateService sends: only the task definition and the whole deployment configuration, with the changes.
        using var update = JsonDocument.Parse(requests.Single(r => Target(r) == Prefix + "UpdateService").Body);
        var root = update.RootElement;
        Assert.Equal(new[] { "cluster", "deploymentConfiguration", "service", "taskDefinition" }, root.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        var config = root.GetProperty("deploymentConfiguration");
        Assert.Equal("CANARY", config.GetProperty("strategy").GetString());
        Assert.Equal(10.0, config.GetProperty("canaryConfiguration").GetProperty("canaryPercent").GetDouble());
        Assert.Equal(0, config.GetProperty("bakeTimeInMinutes").GetInt32());
        Assert.Equal(200, config.GetProperty("maximumPercent").GetInt32());
        Assert.Equal(new[] { "api-5xx", "api-latency" }, config.GetProperty("alarms").GetProperty("alarmNames").EnumerateArray().Select(a => a.GetString()));
        var hooks = config.GetProperty("lifecycleHooks").EnumerateArray().ToList();
        Assert.Contains(hooks, h => h.GetProperty("targetType").GetString() == "AWS_LAMBDA" && h.GetProperty("hookTargetArn").GetString() == "arn:aws:lambda:us-east-1:123456789012:function:api-check"
            && h.GetProperty("roleArn").GetString() == "arn:aws:iam::123456789012:role/ecs-bg");
        var own = Assert.Single(hooks, h => h.TryGetProperty("hookTargetArn", out var arn) && arn.GetString()!.EndsWith(":function:warm-cache", StringComparison.Ordinal));
        Assert.Equal("{\"owner\":\"team-a\",\"paths\":[\"/a\",\"/b\"],\"depth\":{\"n\":2}}", own.GetProperty("hookDetails").GetRawText());
        Assert.Contains(hooks, h => h.GetProperty("targetType").GetString() == "PAUSE" && h.GetProperty("lifecycleStages")[0].GetString() == "POST_PRODUCTION_TRAFFIC_SHIFT"
            && h.GetProperty("timeoutConfiguration").GetProperty("timeoutInMinutes").GetInt32() == 3 && h.GetProperty("timeoutConfiguration").GetProperty("action").GetString() == "CONTINUE");

        BotocoreJudge.AssertValid(requests.Where(r => Target(r).StartsWith(Prefix, StringComparison.Ordinal)).Select(r => (Target(r).Substring(Prefix.Length), r.Body)));
    }

    [Fact]
    public async Task Plan_RefusesAStartWhileAServiceDeploymentIsActive_BeforeAnyChange()
    {
        using var server = new ScriptedHttpServer()
            .Respond(200, Service("arn:aws:ecs:us-east-1:123456789012:task-definition/api:1", Old))
            .Respond(200, "{\"serviceDeployments\":[{\"serviceDeploymentArn\":\"" + Old + "\",\"status\":\"IN_PROGRESS\"}]}");
        var engine = new EcsNativeEngine(server.Context());

        var error = await Assert.ThrowsAsync<ReleaseException>(() => engine.PlanAsync(new ReleaseRequest("sandbox", "api") { TaskDefinition = "api:2" }, CancellationToken.None));

        Assert.Equal("DeploymentAlreadyActive", error.ErrorId);
        Assert.Contains(Old, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
        BotocoreJudge.AssertValid(server.Requests.Select(r => (Target(r).Substring(Prefix.Length), r.Body)));
    }

    [Fact]
    public async Task ReadyGate_PollIsOneCall_ContinueAnswersTheReadyHook_UndoStopsWithRollback()
    {
        using var server = new ScriptedHttpServer()
            .Respond(200, Deployment("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", "AWAITING_ACTION"))      // RefreshAsync
            .Respond(200, Deployment("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", "AWAITING_ACTION"))      // ContinueAsync reads the hook
            .Respond(200, "{}")                                                                         // ContinueServiceDeployment
            .Respond(200, Deployment("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT"))                        // PlanUndo: DescribeServiceDeployments
            .Respond(200, "{\"serviceRevisions\":[]}")                                                  // DescribeServiceRevisions
            .Respond(200, "{\"serviceDeploymentArn\":\"" + New + "\"}")                                 // StopServiceDeployment
            .Respond(200, Deployment("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT"))               // read after the stop
            .Respond(200, "{\"serviceRevisions\":[]}");
        var engine = new EcsNativeEngine(server.Context());
        var known = new BlueGreenDeployment(New) { Engine = DeploymentEngine.EcsNative, TargetId = "sandbox:api", GreenTaskDefinition = "api:2", BlueTaskDefinition = "api:1" };

        var ready = await engine.RefreshAsync(known, CancellationToken.None);
        Assert.Equal(DeploymentStatus.Ready, ready.Status);
        Assert.Single(server.Requests);
        await engine.ContinueAsync(ready, CancellationToken.None);
        var undo = await engine.PlanUndoAsync(ready, null, CancellationToken.None);
        Assert.Equal(UndoKind.StopAndRollBack, undo.Kind);
        var undone = await engine.UndoAsync(undo, CancellationToken.None);

        Assert.True(undone.RolledBack);
        Assert.Equal(New + "#rollback", undone.RollbackDeploymentId);
        var requests = server.Requests.ToList();
        using var continued = JsonDocument.Parse(requests.Single(r => Target(r) == Prefix + "ContinueServiceDeployment").Body);
        Assert.Equal(("hook-ready", "CONTINUE"), (continued.RootElement.GetProperty("hookId").GetString(), continued.RootElement.GetProperty("action").GetString()));
        using var stopped = JsonDocument.Parse(requests.Single(r => Target(r) == Prefix + "StopServiceDeployment").Body);
        Assert.Equal("ROLLBACK", stopped.RootElement.GetProperty("stopType").GetString());
        BotocoreJudge.AssertValid(requests.Select(r => (Target(r).Substring(Prefix.Length), r.Body)));
    }

    [Fact]
    public async Task Complete_WhenNotInTheBakeHook_IsRefusedWithoutAChange()
    {
        using var server = new ScriptedHttpServer().Respond(200, Deployment("IN_PROGRESS", "BAKE_TIME"));
        var engine = new EcsNativeEngine(server.Context());

        var error = await Assert.ThrowsAsync<ReleaseException>(() => engine.CompleteAsync(new BlueGreenDeployment(New), CancellationToken.None));

        Assert.Equal("DeploymentNotWaiting", error.ErrorId);
        Assert.Single(server.Requests);
    }
}

/// <summary>botocore's own parameter validator, run on request bodies: an independent judge of the JSON against AWS's model.</summary>
internal static class BotocoreJudge
{
    private const string Script = @"
import json, sys
import botocore.session, botocore.validate
model = botocore.session.get_session().get_service_model('ecs')
problems = []
for item in json.load(sys.stdin):
    op = model.operation_model(item['operation'])
    report = botocore.validate.ParamValidator().validate(json.loads(item['body']), op.input_shape)
    if report.has_errors():
        problems.append(item['operation'] + ': ' + report.generate_report())
print(json.dumps(problems))
";

    public static void AssertValid(IEnumerable<(string Operation, string Body)> requests)
    {
        var items = requests.Select(r => new Dictionary<string, string> { ["operation"] = r.Operation, ["body"] = r.Body }).ToList();
        Assert.NotEmpty(items);
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(JsonSerializer.Serialize(items));
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "botocore could not judge the requests: " + error);
        var problems = JsonSerializer.Deserialize<List<string>>(output)!;
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
