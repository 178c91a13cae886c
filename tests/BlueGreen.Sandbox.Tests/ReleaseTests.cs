using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using BlueGreen.Testing;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>Releases driven end to end with the AWS CLI. Each test works in its own region, so state never mixes.</summary>
[Collection(ReleaseSandboxCollection.Name)]
public sealed class ReleaseTests(SandboxFixture sandbox)
{
    [Fact]
    public void Ecs_blue_green_from_nothing_succeeds_and_moves_traffic()
    {
        var aws = new Aws(sandbox, "us-west-2");
        var env = EcsEnvironment.Create(aws, "CodeDeployDefault.ECSCanary10Percent5Minutes");
        Assert.Equal("v1", Get(env.ProductionPort).Body);

        // Hold time while asking for the second deployment, so the first is surely still active.
        sandbox.HoldClock();
        string id;
        CliResult second;
        try
        {
            id = env.Deploy("web:2");

            // One active deployment per group, with AWS's error.
            second = aws.Run("deploy", "create-deployment", "--application-name", "demo", "--deployment-group-name", "demo-dg", "--revision", EcsEnvironment.Revision("web:2"));
        }
        finally
        {
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
        }

        Assert.Matches("^d-[A-Z0-9]{9}$", id);
        second.AssertServiceError("DeploymentLimitExceededException");
        Assert.Contains(id, second.Stderr, StringComparison.Ordinal);

        var info = aws.WaitForDeployment(id, d => d["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Stopped");
        Assert.Equal("Succeeded", info["status"]!.GetValue<string>());
        Assert.Equal("user", info["creator"]!.GetValue<string>());
        Assert.Equal(1, info["deploymentOverview"]!["Succeeded"]!.GetValue<int>());

        var target = aws.Ok("deploy", "get-deployment-target", "--deployment-id", id, "--target-id", "demo:web")["deploymentTarget"]!;
        Assert.Equal("ECSTarget", target["deploymentTargetType"]!.GetValue<string>());
        var events = target["ecsTarget"]!["lifecycleEvents"]!.AsArray().Select(e => (e!["lifecycleEventName"]!.GetValue<string>(), e["status"]!.GetValue<string>())).ToList();
        Assert.Equal(
            ["BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"],
            events.Select(e => e.Item1));
        Assert.All(events, e => Assert.Equal("Succeeded", e.Item2));

        // The replacement runs web:2 and is primary; production answers from it.
        var sets = aws.Ok("ecs", "describe-task-sets", "--cluster", "demo", "--service", "web")["taskSets"]!.AsArray();
        var primary = Assert.Single(sets, s => s!["status"]!.GetValue<string>() == "PRIMARY")!;
        Assert.EndsWith("task-definition/web:2", primary["taskDefinition"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal([0, 100], env.ProductionWeights());
        var response = Get(env.ProductionPort);
        Assert.Equal("v2", response.Body);
        Assert.Equal("web:2", response.TaskDefinition);
    }

    [Fact]
    public void Production_listener_serves_blue_and_green_in_the_configured_proportion_while_shifting()
    {
        var aws = new Aws(sandbox, "eu-central-1");
        aws.Ok("deploy", "create-deployment-config", "--deployment-config-name", "canary-30", "--compute-platform", "ECS",
            "--traffic-routing-config", "type=TimeBasedCanary,timeBasedCanary={canaryPercentage=30,canaryInterval=60}");
        var env = EcsEnvironment.Create(aws, "canary-30");

        // At 60x the canary's hour is a minute of wall time, so the wait finds it well inside; from there time
        // is held while the CLI reads the weights and the listener is sampled.
        sandbox.SetTimeScale(60);
        string id;
        try
        {
            id = env.Deploy("web:2");
            env.WaitForGreenWeight(sandbox, w => w > 0, "The canary");
            sandbox.HoldClock();
            Assert.Equal(30, env.GreenWeight(id));
            Assert.Equal([70, 30], env.ProductionWeights());
            var labels = Enumerable.Range(0, 600).Select(_ => Get(env.ProductionPort).Label).ToList();
            var green = labels.Count(l => l == "Green") / (double)labels.Count;
            Assert.All(labels, l => Assert.Contains(l, new[] { "Blue", "Green" }));
            Assert.InRange(green, 0.22, 0.38);

            // The test listener already sends everything to green.
            Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal("Green", Get(env.TestPort).Label));
        }
        finally
        {
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
        }

        Assert.Equal("Succeeded", aws.WaitForDeployment(id, d => d["status"]!.GetValue<string>() != "InProgress")["status"]!.GetValue<string>());
    }

    [Fact]
    public void Stopping_a_release_rolls_back_to_the_original_task_set()
    {
        var aws = new Aws(sandbox, "ap-northeast-1");
        aws.Ok("deploy", "create-deployment-config", "--deployment-config-name", "canary-50", "--compute-platform", "ECS",
            "--traffic-routing-config", "type=TimeBasedCanary,timeBasedCanary={canaryPercentage=50,canaryInterval=120}");
        var env = EcsEnvironment.Create(aws, "canary-50");

        // Found at 60x (the canary's two hours are two minutes of wall time), then held: the release is surely
        // in the middle of its canary when the CLI looks and when it is stopped.
        sandbox.SetTimeScale(60);
        string id;
        string rollbackId;
        try
        {
            id = env.Deploy("web:2");
            env.WaitForGreenWeight(sandbox, w => w > 0, "The canary");
            sandbox.HoldClock();
            Assert.Equal(50, env.GreenWeight(id));
            Assert.Equal([50, 50], env.ProductionWeights());

            var stop = aws.Ok("deploy", "stop-deployment", "--deployment-id", id, "--auto-rollback-enabled");
            Assert.Contains(stop["status"]!.GetValue<string>(), new[] { "Pending", "Succeeded" });

            var stopped = aws.Ok("deploy", "get-deployment", "--deployment-id", id)["deploymentInfo"]!;
            Assert.Equal("Stopped", stopped["status"]!.GetValue<string>());
            rollbackId = stopped["rollbackInfo"]!["rollbackDeploymentId"]!.GetValue<string>();
            Assert.NotEqual(id, rollbackId);
        }
        finally
        {
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
        }

        var rollback = aws.WaitForDeployment(rollbackId, d => d["status"]!.GetValue<string>() == "Succeeded");
        Assert.Equal("codeDeployRollback", rollback["creator"]!.GetValue<string>());
        Assert.Equal(id, rollback["rollbackInfo"]!["rollbackTriggeringDeploymentId"]!.GetValue<string>());
        Assert.Equal([100, 0], env.ProductionWeights());
        Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal("v1", Get(env.ProductionPort).Body));

        var sets = aws.Ok("ecs", "describe-services", "--cluster", "demo", "--services", "web")["services"]![0]!["taskSets"]!.AsArray();
        Assert.EndsWith("web:1", Assert.Single(sets, s => s!["status"]!.GetValue<string>() == "PRIMARY")!["taskDefinition"]!.GetValue<string>(), StringComparison.Ordinal);

        var again = aws.Run("deploy", "stop-deployment", "--deployment-id", id);
        again.AssertServiceError("DeploymentAlreadyCompletedException");
    }

    [Fact]
    public void An_alarm_in_ALARM_stops_the_release_and_rolls_back()
    {
        var aws = new Aws(sandbox, "sa-east-1");
        aws.Ok("cloudwatch", "put-metric-alarm", "--alarm-name", "demo-5xx", "--namespace", "AWS/ApplicationELB", "--metric-name", "HTTPCode_Target_5XX_Count",
            "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "5", "--comparison-operator", "GreaterThanThreshold", "--treat-missing-data", "notBreaching");
        aws.Ok("deploy", "create-deployment-config", "--deployment-config-name", "linear-10", "--compute-platform", "ECS",
            "--traffic-routing-config", "type=TimeBasedLinear,timeBasedLinear={linearPercentage=10,linearInterval=30}");
        var env = EcsEnvironment.Create(aws, "linear-10", alarm: "demo-5xx");

        // Found at 60x, then held: the alarm goes off while the release is surely still shifting, and the
        // alarm's own evaluation (no 5XX traffic: OK again) cannot clear it before the release sees it.
        sandbox.SetTimeScale(60);
        string id;
        JsonNode stopped;
        try
        {
            id = env.Deploy("web:2");
            env.WaitForGreenWeight(sandbox, w => w >= 10, "The first linear step");
            sandbox.HoldClock();
            Assert.InRange(env.GreenWeight(id), 10, 90);
            aws.Ok("cloudwatch", "set-alarm-state", "--alarm-name", "demo-5xx", "--state-value", "ALARM", "--state-reason", "test");
            stopped = aws.WaitForDeployment(id, d => d["status"]!.GetValue<string>() != "InProgress");
        }
        finally
        {
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
        }

        Assert.Equal("Stopped", stopped["status"]!.GetValue<string>());
        Assert.Equal("ALARM_ACTIVE", stopped["errorInformation"]!["code"]!.GetValue<string>());
        Assert.Contains("demo-5xx", stopped["errorInformation"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var rollbackId = stopped["rollbackInfo"]!["rollbackDeploymentId"]!.GetValue<string>();
        aws.WaitForDeployment(rollbackId, d => d["status"]!.GetValue<string>() == "Succeeded");
        Assert.Equal([100, 0], env.ProductionWeights());
    }

    [Fact]
    public void Lambda_canary_moves_alias_weights_and_succeeds()
    {
        var aws = new Aws(sandbox, "eu-west-1");
        var zip1 = Path.GetTempFileName();
        var zip2 = Path.GetTempFileName();
        var hookZip = Path.GetTempFileName();
        File.WriteAllBytes(zip1, Zip("""{"payload": {"v": 1}}"""));
        File.WriteAllBytes(zip2, Zip("""{"payload": {"v": 2}, "latencyMs": 1}"""));
        File.WriteAllBytes(hookZip, Zip("""{"hookStatus": "Succeeded"}"""));
        try
        {
            var created = aws.Ok("lambda", "create-function", "--function-name", "orders", "--runtime", "python3.12", "--handler", "index.handler",
                "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + zip1);
            Assert.Equal("$LATEST", created["Version"]!.GetValue<string>());
            Assert.Equal("1", aws.Ok("lambda", "publish-version", "--function-name", "orders")["Version"]!.GetValue<string>());
            aws.Ok("lambda", "update-function-code", "--function-name", "orders", "--zip-file", "fileb://" + zip2);
            Assert.Equal("2", aws.Ok("lambda", "publish-version", "--function-name", "orders")["Version"]!.GetValue<string>());
            aws.Ok("lambda", "create-alias", "--function-name", "orders", "--name", "live", "--function-version", "1");
            aws.Ok("lambda", "create-function", "--function-name", "hook", "--runtime", "python3.12", "--handler", "index.handler",
                "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + hookZip);
            aws.Ok("deploy", "create-application", "--application-name", "orders", "--compute-platform", "Lambda");
            aws.Ok("deploy", "create-deployment-group", "--application-name", "orders", "--deployment-group-name", "orders-dg",
                "--service-role-arn", "arn:aws:iam::000000000000:role/codedeploy", "--deployment-config-name", "CodeDeployDefault.LambdaCanary10Percent30Minutes",
                "--deployment-style", "deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL");
            var appSpec = "{\"version\":0.0,\"Resources\":[{\"orders\":{\"Type\":\"AWS::Lambda::Function\",\"Properties\":{\"Name\":\"orders\",\"Alias\":\"live\",\"CurrentVersion\":\"1\",\"TargetVersion\":\"2\"}}}],"
                + "\"Hooks\":[{\"BeforeAllowTraffic\":\"hook\"},{\"AfterAllowTraffic\":\"hook\"}]}";
            var revision = new JsonObject { ["revisionType"] = "String", ["string"] = new JsonObject { ["content"] = appSpec } }.ToJsonString();
            // During the canary the alias sends 10% to version 2. Its 30 simulated minutes are found at 60x (half a
            // minute of wall time), then time is held while the CLI reads the alias.
            sandbox.SetTimeScale(60);
            string id;
            JsonNode alias;
            try
            {
                id = aws.Ok("deploy", "create-deployment", "--application-name", "orders", "--deployment-group-name", "orders-dg", "--revision", revision)["deploymentId"]!.GetValue<string>();
                sandbox.WaitForState(aws.Region, r => Live(r)?["RoutingConfig"] is not null, "The Lambda canary");
                sandbox.HoldClock();
                alias = aws.Ok("lambda", "get-alias", "--function-name", "orders", "--name", "live");
            }
            finally
            {
                sandbox.SetTimeScale(SandboxFixture.TimeScale);
            }

            Assert.Equal("1", alias["FunctionVersion"]!.GetValue<string>());
            Assert.Equal(0.1, alias["RoutingConfig"]!["AdditionalVersionWeights"]!["2"]!.GetValue<double>(), 3);

            var info = aws.WaitForDeployment(id, d => d["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Stopped");
            Assert.Equal("Succeeded", info["status"]!.GetValue<string>());
            alias = aws.Ok("lambda", "get-alias", "--function-name", "orders", "--name", "live");
            Assert.Equal("2", alias["FunctionVersion"]!.GetValue<string>());
            Assert.Null(alias["RoutingConfig"]);

            var target = aws.Ok("deploy", "get-deployment-target", "--deployment-id", id, "--target-id", "orders:live")["deploymentTarget"]!["lambdaTarget"]!;
            Assert.Equal(["BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"], target["lifecycleEvents"]!.AsArray().Select(e => e!["lifecycleEventName"]!.GetValue<string>()));
            Assert.All(target["lifecycleEvents"]!.AsArray(), e => Assert.Equal("Succeeded", e!["status"]!.GetValue<string>()));

            // Invoke through the alias now runs version 2.
            var outFile = Path.GetTempFileName();
            var invoke = aws.Ok("lambda", "invoke", "--function-name", "orders", "--qualifier", "live", outFile);
            Assert.Equal("2", invoke["ExecutedVersion"]!.GetValue<string>());
            Assert.Equal(2, JsonNode.Parse(File.ReadAllText(outFile))!["v"]!.GetValue<int>());
            OwnedPath.Delete(outFile);

            // The hooks reported back through PutLifecycleEventHookExecutionStatus.
            var log = sandbox.ControlAsync(HttpMethod.Get, "requests").GetAwaiter().GetResult()["requests"]!.AsArray();
            Assert.True(log.Count(r => r!["operation"]!.GetValue<string>() == "PutLifecycleEventHookExecutionStatus" && r["region"]!.GetValue<string>() == "eu-west-1") >= 2);
        }
        finally
        {
            OwnedPath.Delete(zip1);
            OwnedPath.Delete(zip2);
            OwnedPath.Delete(hookZip);
        }
    }

    [Fact]
    public void A_failing_hook_fails_the_release_and_rolls_back()
    {
        var aws = new Aws(sandbox, "ca-central-1");
        var hookZip = Path.GetTempFileName();
        File.WriteAllBytes(hookZip, Zip("""{"hookStatus": "Failed"}"""));
        try
        {
            aws.Ok("lambda", "create-function", "--function-name", "check", "--runtime", "python3.12", "--handler", "index.handler",
                "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + hookZip);
            var env = EcsEnvironment.Create(aws, "CodeDeployDefault.ECSAllAtOnce");
            var revision = EcsEnvironment.Revision("web:2").Replace("ContainerPort: 80", "ContainerPort: 80\\nHooks:\\n  - AfterAllowTestTraffic: check", StringComparison.Ordinal);
            var id = aws.Ok("deploy", "create-deployment", "--application-name", "demo", "--deployment-group-name", "demo-dg", "--revision", revision)["deploymentId"]!.GetValue<string>();
            var info = aws.WaitForDeployment(id, d => d["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Stopped");
            Assert.Equal("Failed", info["status"]!.GetValue<string>());
            Assert.Equal("HOOK_EXECUTION_FAILURE", info["errorInformation"]!["code"]!.GetValue<string>());
            var rollbackId = info["rollbackInfo"]!["rollbackDeploymentId"]!.GetValue<string>();
            aws.WaitForDeployment(rollbackId, d => d["status"]!.GetValue<string>() == "Succeeded");
            Assert.Equal([100, 0], env.ProductionWeights());
        }
        finally
        {
            OwnedPath.Delete(hookZip);
        }
    }

    /// <summary>The alias orders:live in a region's state dump (the shape of GetAlias), or null.</summary>
    private static JsonNode? Live(JsonNode region) =>
        region["lambda"]!["functions"]!.AsArray()
            .FirstOrDefault(f => f!["FunctionArn"]!.GetValue<string>().EndsWith(":function:orders", StringComparison.Ordinal))?["Aliases"]!.AsArray()
            .FirstOrDefault(a => a!["Name"]!.GetValue<string>() == "live");

    internal static byte[] Zip(string behaviour)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = archive.CreateEntry("sandbox.json").Open();
            stream.Write(Encoding.UTF8.GetBytes(behaviour));
        }

        return buffer.ToArray();
    }

    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(10) };

    internal static (string Body, string Label, string TaskDefinition) Get(int port)
    {
        using var response = Client.GetAsync($"http://127.0.0.1:{port}/").GetAwaiter().GetResult();
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.Equal(200, (int)response.StatusCode);
        return (body, response.Headers.GetValues("X-Sandbox-Task-Set-Label").Single(), response.Headers.GetValues("X-Sandbox-Task-Definition").Single());
    }
}
