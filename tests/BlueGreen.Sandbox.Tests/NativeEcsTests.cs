using System.Text.Json.Nodes;
using BlueGreen.Testing;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>
/// ECS blue/green, linear and canary deployments run by ECS itself (deployment controller ECS), on the seeded
/// service <c>api</c>, judged by the AWS CLI and by real requests to the listener ports. Each test works in its own region.
/// </summary>
[Collection(NativeSandboxCollection.Name)]
public sealed class NativeEcsTests(SandboxFixture sandbox)
{
    private const string LambdaRole = "arn:aws:iam::000000000000:role/ecs-lambda-hooks";

    [Fact]
    public void Native_blue_green_runs_every_stage_in_order_to_successful_and_swaps_the_target_groups()
    {
        var env = NativeEcsEnvironment.Seed(sandbox, "af-south-1");
        var aws = env.Aws;
        var initial = Assert.Single(NativeEcsEnvironment.Deployments(sandbox.WaitForState(aws.Region, _ => true, "The state")))!;
        Assert.Equal("SUCCESSFUL", initial["status"]!.GetValue<string>());
        Assert.Equal("api:1", ReleaseTests.Get(env.ProductionPort).TaskDefinition);

        // A pause at every stage a pause hook may wait at shows the stages in ECS's order, and what each has done.
        var v2 = env.Register("public.ecr.aws/sandbox/api:2.0");
        var arn = env.Deploy(v2, """
            {"strategy":"BLUE_GREEN","bakeTimeInMinutes":0,"lifecycleHooks":[{"targetType":"PAUSE","timeoutConfiguration":{"timeoutInMinutes":1440,"action":"ROLLBACK"},
             "lifecycleStages":["RECONCILE_SERVICE","PRE_SCALE_UP","POST_SCALE_UP","POST_TEST_TRAFFIC_SHIFT","PRE_PRODUCTION_TRAFFIC_SHIFT","POST_PRODUCTION_TRAFFIC_SHIFT"]}]}
            """);
        string[] stages = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"];
        foreach (var stage in stages)
        {
            var d = env.WaitFor(arn, x => NativeEcsEnvironment.Stage(x) == stage && NativeEcsEnvironment.Awaiting(x) is not null, $"The pause at {stage}");
            Assert.Equal("IN_PROGRESS", NativeEcsEnvironment.Status(d));
            Assert.Equal(stage, NativeEcsEnvironment.Stage(d));
            var hook = Assert.Single(d["lifecycleHookDetails"]!.AsArray())!;
            Assert.Equal("PAUSE", hook["targetType"]!.GetValue<string>());
            Assert.Equal("AWAITING_ACTION", hook["status"]!.GetValue<string>());
            Assert.Equal("ROLLBACK", hook["timeoutAction"]!.GetValue<string>());
            Assert.NotNull(hook["expiresAt"]);
            var target = d["targetServiceRevision"]!;
            var source = Assert.Single(d["sourceServiceRevisions"]!.AsArray())!;
            Assert.Equal(initial["targetServiceRevision"]!["arn"]!.GetValue<string>(), source["arn"]!.GetValue<string>());
            switch (stage)
            {
                case "PRE_SCALE_UP":
                    Assert.Equal(0, target["runningTaskCount"]!.GetValue<int>());
                    Assert.Equal(2, source["runningTaskCount"]!.GetValue<int>());
                    break;
                case "POST_SCALE_UP":
                    Assert.Equal(2, target["runningTaskCount"]!.GetValue<int>());
                    Assert.Equal(0, target["requestedTestTrafficWeight"]!.GetValue<double>());
                    break;
                case "POST_TEST_TRAFFIC_SHIFT":
                    Assert.Equal(100, target["requestedTestTrafficWeight"]!.GetValue<double>());
                    Assert.Equal(0, target["requestedProductionTrafficWeight"]!.GetValue<double>());
                    Assert.Equal(100, env.StateWeights(env.TestRule)["api-green"]);
                    Assert.Equal(100, env.StateWeights(env.ProductionRule)["api-blue"]);
                    Assert.Equal("api:2", ReleaseTests.Get(env.TestPort).TaskDefinition);
                    Assert.Equal("api:1", ReleaseTests.Get(env.ProductionPort).TaskDefinition);
                    break;
                case "PRODUCTION_TRAFFIC_SHIFT":
                    Assert.Equal(0, target["requestedProductionTrafficWeight"]!.GetValue<double>());
                    break;
                case "POST_PRODUCTION_TRAFFIC_SHIFT":
                    Assert.Equal(100, target["requestedProductionTrafficWeight"]!.GetValue<double>());
                    Assert.Equal(new Dictionary<string, int> { ["api-blue"] = 0, ["api-green"] = 100 }, env.Weights(env.ProductionRule));
                    Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal("api:2", ReleaseTests.Get(env.ProductionPort).TaskDefinition));

                    // Blue still runs until clean-up.
                    var running = env.StateService("api")["deployments"]!.AsArray();
                    Assert.Equal(["ACTIVE", "PRIMARY"], running.Select(r => r!["status"]!.GetValue<string>()).Order());
                    break;
            }

            aws.Ok("ecs", "continue-service-deployment", "--service-deployment-arn", arn, "--hook-id", hook["hookId"]!.GetValue<string>(), "--action", "CONTINUE");
        }

        var done = env.WaitForEnd(arn);
        Assert.Equal("SUCCESSFUL", NativeEcsEnvironment.Status(done));
        Assert.Equal("CLEAN_UP", NativeEcsEnvironment.Stage(done));
        Assert.NotNull(done["finishedAt"]);
        Assert.Equal(0, done["sourceServiceRevisions"]![0]!["requestedProductionTrafficWeight"]!.GetValue<double>());
        Assert.Equal("BLUE_GREEN", done["deploymentConfiguration"]!["strategy"]!.GetValue<string>());
        Assert.Equal("MONITORING_COMPLETE", done["alarms"]!["status"]!.GetValue<string>());
        Assert.Equal(["api-5xx"], done["alarms"]!["alarmNames"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Null(done["rollback"]);

        var service = aws.Ok("ecs", "describe-services", "--cluster", "sandbox", "--services", "api")["services"]![0]!;
        Assert.Equal("ECS", service["deploymentController"]!["type"]!.GetValue<string>());
        var primary = Assert.Single(service["deployments"]!.AsArray())!;
        Assert.Equal("PRIMARY", primary["status"]!.GetValue<string>());
        Assert.Equal("COMPLETED", primary["rolloutState"]!.GetValue<string>());
        Assert.EndsWith("task-definition/api:2", primary["taskDefinition"]!.GetValue<string>(), StringComparison.Ordinal);

        // The revisions: what each deployment ran.
        var targetArn = done["targetServiceRevision"]!["arn"]!.GetValue<string>();
        var revisions = aws.Ok("ecs", "describe-service-revisions", "--service-revision-arns", targetArn, initial["targetServiceRevision"]!["arn"]!.GetValue<string>(), targetArn + "0")!;
        Assert.Equal(targetArn + "0", Assert.Single(revisions["failures"]!.AsArray())!["arn"]!.GetValue<string>());
        var revision = revisions["serviceRevisions"]![0]!;
        Assert.EndsWith("task-definition/api:2", revision["taskDefinition"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("public.ecr.aws/sandbox/api:2.0", revision["containerImages"]![0]!["image"]!.GetValue<string>());
        Assert.StartsWith("sha256:", revision["containerImages"]![0]!["imageDigest"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(env.GreenGroup, revision["loadBalancers"]![0]!["advancedConfiguration"]!["alternateTargetGroupArn"]!.GetValue<string>());
        Assert.NotNull(revision["createdAt"]);
        Assert.EndsWith("task-definition/api:1", revisions["serviceRevisions"]![1]!["taskDefinition"]!.GetValue<string>(), StringComparison.Ordinal);

        // Listing: newest first, filtered by status, a page at a time.
        var first = aws.Ok("ecs", "list-service-deployments", "--cluster", "sandbox", "--service", "api", "--status", "SUCCESSFUL", "--max-results", "1");
        var listed = Assert.Single(first["serviceDeployments"]!.AsArray())!;
        Assert.Equal(arn, listed["serviceDeploymentArn"]!.GetValue<string>());
        Assert.Equal(targetArn, listed["targetServiceRevisionArn"]!.GetValue<string>());
        Assert.Equal("SUCCESSFUL", listed["status"]!.GetValue<string>());
        var next = aws.Ok("ecs", "list-service-deployments", "--cluster", "sandbox", "--service", "api", "--status", "SUCCESSFUL", "--max-results", "1",
            "--next-token", first["nextToken"]!.GetValue<string>())["serviceDeployments"]!.AsArray();
        Assert.Equal(initial["serviceDeploymentArn"]!.GetValue<string>(), Assert.Single(next)!["serviceDeploymentArn"]!.GetValue<string>());

        // The next deployment goes the other way: green is now the primary target group's turn.
        var back = env.Deploy("api:1", """{"strategy":"BLUE_GREEN","bakeTimeInMinutes":0,"lifecycleHooks":[]}""");
        env.WaitFor(back, d => NativeEcsEnvironment.Status(d) == "SUCCESSFUL", "The deployment back to api:1");
        Assert.Equal(new Dictionary<string, int> { ["api-blue"] = 100, ["api-green"] = 0 }, env.StateWeights(env.ProductionRule));
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal("api:1", ReleaseTests.Get(env.ProductionPort).TaskDefinition));
    }

    [Fact]
    public void Native_canary_waits_at_its_pause_hook_then_serves_the_canary_share_on_the_production_listener()
    {
        var env = NativeEcsEnvironment.Seed(sandbox, "ap-east-1");
        var aws = env.Aws;
        var v2 = env.Register("public.ecr.aws/sandbox/api:2.0");

        // At 60x the canary's hour is a minute of wall time; time is held while it is looked at.
        sandbox.SetTimeScale(60);
        try
        {
            var arn = env.Deploy(v2, """
                {"strategy":"CANARY","bakeTimeInMinutes":0,"canaryConfiguration":{"canaryPercent":30,"canaryBakeTimeInMinutes":60},
                 "lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"]}]}
                """);
            var paused = env.WaitFor(arn, d => NativeEcsEnvironment.Awaiting(d) is not null, "The pause after test traffic");
            Assert.Equal("POST_TEST_TRAFFIC_SHIFT", NativeEcsEnvironment.Stage(paused));
            var hook = NativeEcsEnvironment.Awaiting(paused)!;
            Assert.Equal("ROLLBACK", hook["timeoutAction"]!.GetValue<string>());
            Assert.Equal(30, paused["deploymentConfiguration"]!["canaryConfiguration"]!["canaryPercent"]!.GetValue<double>());

            // One deployment at a time: another new task definition meanwhile is refused, and changes nothing.
            var second = aws.Run("ecs", "update-service", "--cluster", "sandbox", "--service", "api", "--task-definition", "api:1", "--desired-count", "3");
            second.AssertServiceError("InvalidParameterException");
            Assert.Contains(arn, second.Stderr, StringComparison.Ordinal);
            Assert.Equal(2, env.StateService("api")["desiredCount"]!.GetValue<int>());

            // It waits: the pause does not end by itself.
            Thread.Sleep(500);
            Assert.Equal("AWAITING_ACTION", NativeEcsEnvironment.Awaiting(env.WaitFor(arn, _ => true, "The state"))!["status"]!.GetValue<string>());
            Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal("api:1", ReleaseTests.Get(env.ProductionPort).TaskDefinition));

            aws.Ok("ecs", "continue-service-deployment", "--service-deployment-arn", arn, "--hook-id", hook["hookId"]!.GetValue<string>());
            env.WaitFor(arn, d => d["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>() > 0, "The canary");
            sandbox.HoldClock();
            var canary = env.Describe(arn);
            Assert.Equal("PRODUCTION_TRAFFIC_SHIFT", NativeEcsEnvironment.Stage(canary));
            Assert.Equal(30, canary["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>());
            Assert.Equal(70, canary["sourceServiceRevisions"]![0]!["requestedProductionTrafficWeight"]!.GetValue<double>());
            Assert.Equal(new Dictionary<string, int> { ["api-blue"] = 70, ["api-green"] = 30 }, env.Weights(env.ProductionRule));

            var answers = Enumerable.Range(0, 600).Select(_ => ReleaseTests.Get(env.ProductionPort)).ToList();
            Assert.All(answers, a => Assert.Contains(a.TaskDefinition, new[] { "api:1", "api:2" }));
            Assert.InRange(answers.Count(a => a.TaskDefinition == "api:2") / 600.0, 0.22, 0.38);
            Assert.All(answers, a => Assert.Equal(a.TaskDefinition == "api:2" ? "Green" : "Blue", a.Label));
            Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal("api:2", ReleaseTests.Get(env.TestPort).TaskDefinition));
            sandbox.SetTimeScale(SandboxFixture.TimeScale);

            Assert.Equal("SUCCESSFUL", NativeEcsEnvironment.Status(env.WaitFor(arn, d => NativeEcsEnvironment.Status(d) != "IN_PROGRESS", "The end of the canary")));
            Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal("api:2", ReleaseTests.Get(env.ProductionPort).TaskDefinition));
        }
        finally
        {
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
        }
    }

    [Fact]
    public void Native_linear_shifts_production_a_step_at_a_time()
    {
        var env = NativeEcsEnvironment.Seed(sandbox, "eu-south-1");
        var v2 = env.Register("public.ecr.aws/sandbox/api:2.0");
        var updated = env.Aws.Ok("ecs", "update-service", "--cluster", "sandbox", "--service", "api", "--task-definition", v2,
            "--deployment-configuration", """{"strategy":"LINEAR","bakeTimeInMinutes":0,"linearConfiguration":{"stepPercent":25,"stepBakeTimeInMinutes":20}}""");
        var current = updated["service"]!["currentServiceDeployment"]!.GetValue<string>();

        // Every step is 20 simulated minutes (2 s at 600x): the control API, looked at from the moment the update
        // returns, sees each weight in turn.
        var seen = new List<double>();
        string? arn = null;
        sandbox.WaitForState(env.Aws.Region, r =>
        {
            var d = NativeEcsEnvironment.Deployments(r).Last(x => x["deploymentConfiguration"]!["strategy"]?.GetValue<string>() == "LINEAR");
            arn = d["serviceDeploymentArn"]!.GetValue<string>();
            var weight = d["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>();
            if (weight > 0 && (seen.Count == 0 || seen[^1] != weight))
            {
                Assert.Contains(NativeEcsEnvironment.Stage(d), new[] { "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP" });
                seen.Add(weight);
            }

            return NativeEcsEnvironment.Status(d) != "IN_PROGRESS";
        }, "The linear deployment");
        Assert.Equal([25, 50, 75, 100], seen);
        Assert.Equal(current, arn);

        var done = env.Describe(arn!);
        Assert.Equal("SUCCESSFUL", NativeEcsEnvironment.Status(done));
        Assert.Equal(25, done["deploymentConfiguration"]!["linearConfiguration"]!["stepPercent"]!.GetValue<double>());
        var took = done["finishedAt"]!.GetValue<double>() - done["startedAt"]!.GetValue<double>();
        Assert.True(took >= 3 * 20 * 60, $"Three 20-minute steps took {took} simulated seconds.");
        Assert.Equal(new Dictionary<string, int> { ["api-blue"] = 0, ["api-green"] = 100 }, env.StateWeights(env.ProductionRule));
    }

    [Fact]
    public void Native_lambda_hooks_are_called_back_while_in_progress_and_a_failed_one_rolls_back()
    {
        var env = NativeEcsEnvironment.Seed(sandbox, "eu-west-2");
        var aws = env.Aws;
        var gate = TempZip("""{"payloads": [{"hookStatus": "IN_PROGRESS", "callBackDelay": 120, "hookDetails": {"round": 1}}, {"hookStatus": "SUCCEEDED"}]}""");
        var deny = TempZip("""{"payload": {"hookStatus": "FAILED"}}""");
        var slow = TempZip("""{"payloads": [{"hookStatus": "IN_PROGRESS", "callBackDelay": 300}, {"hookStatus": "SUCCEEDED"}]}""");
        try
        {
            string Function(string name, string zip) => aws.Ok("lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "index.handler",
                "--role", LambdaRole, "--zip-file", "fileb://" + zip)["FunctionArn"]!.GetValue<string>();
            var gateArn = Function("gate", gate);
            var denyArn = Function("deny", deny);
            var slowArn = Function("traffic-check", slow);

            var v2 = env.Register("public.ecr.aws/sandbox/api:2.0");
            var arn = env.Deploy(v2, $$"""
                {"strategy":"BLUE_GREEN","bakeTimeInMinutes":0,
                 "lifecycleHooks":[{"hookTargetArn":"{{gateArn}}","roleArn":"{{LambdaRole}}","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"],"hookDetails":{"suite":"smoke"} }]}
                """);
            var waiting = env.WaitFor(arn, d => d["lifecycleHookDetails"]!.AsArray().Any(h => h!["status"]!.GetValue<string>() == "IN_PROGRESS") || NativeEcsEnvironment.Status(d) != "IN_PROGRESS", "The Lambda hook running");
            if (NativeEcsEnvironment.Status(waiting) == "IN_PROGRESS")
            {
                var running = Assert.Single(waiting["lifecycleHookDetails"]!.AsArray())!;
                Assert.Equal("AWS_LAMBDA", running["targetType"]!.GetValue<string>());
                Assert.Equal(gateArn, running["targetArn"]!.GetValue<string>());
            }

            var done = env.WaitForEnd(arn);
            Assert.Equal("SUCCESSFUL", NativeEcsEnvironment.Status(done));

            // IN_PROGRESS with a callBackDelay of 120 s: ECS asked again two simulated minutes later.
            var took = done["finishedAt"]!.GetValue<double>() - done["startedAt"]!.GetValue<double>();
            Assert.True(took >= 120, $"The deployment took {took} simulated seconds, less than the hook's callBackDelay.");

            // A hook that answers FAILED: the deployment rolls back to the revision production ran. On the way back the
            // traffic-shift hooks run again: the first call of traffic-check is in the rollback, and it asks for 300 s.
            var v3 = env.Register("public.ecr.aws/sandbox/api:3.0");
            var failing = env.Deploy(v3, $$"""
                {"strategy":"BLUE_GREEN","bakeTimeInMinutes":0,
                 "lifecycleHooks":[{"hookTargetArn":"{{denyArn}}","roleArn":"{{LambdaRole}}","lifecycleStages":["POST_SCALE_UP"]},
                                   {"hookTargetArn":"{{slowArn}}","roleArn":"{{LambdaRole}}","lifecycleStages":["TEST_TRAFFIC_SHIFT","PRODUCTION_TRAFFIC_SHIFT"]}]}
                """);
            var rolledBack = env.WaitForEnd(failing);
            Assert.Equal("ROLLBACK_SUCCESSFUL", NativeEcsEnvironment.Status(rolledBack));
            var rollbackTook = rolledBack["finishedAt"]!.GetValue<double>() - rolledBack["rollback"]!["startedAt"]!.GetValue<double>();
            Assert.True(rollbackTook >= 300, $"The rollback took {rollbackTook} simulated seconds: its traffic-shift hook was not called back.");
            Assert.Contains("FAILED", rolledBack["rollback"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(done["targetServiceRevision"]!["arn"]!.GetValue<string>(), rolledBack["rollback"]!["serviceRevisionArn"]!.GetValue<string>());
            Assert.NotNull(rolledBack["rollback"]!["startedAt"]);
            Assert.Equal(0, rolledBack["targetServiceRevision"]!["requestedProductionTrafficWeight"]!.GetValue<double>());
            Assert.Equal(new Dictionary<string, int> { ["api-blue"] = 0, ["api-green"] = 100 }, env.StateWeights(env.ProductionRule));
            Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal("api:2", ReleaseTests.Get(env.ProductionPort).TaskDefinition));
            sandbox.WaitForState(aws.Region, r => r["ecs"]!["clusters"]!.AsArray().SelectMany(c => c!["services"]!.AsArray()).Single(s => s!["serviceName"]!.GetValue<string>() == "api")!["deployments"]!.AsArray().Count == 1, "The green tasks draining");
            var primary = Assert.Single(env.StateService("api")["deployments"]!.AsArray())!;
            Assert.EndsWith("task-definition/api:2", primary["taskDefinition"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            OwnedPath.Delete(gate);
            OwnedPath.Delete(deny);
            OwnedPath.Delete(slow);
        }
    }

    [Fact]
    public void Native_deployments_roll_back_on_an_alarm_on_stop_and_on_a_rollback_continue_and_abort_where_they_stand()
    {
        var env = NativeEcsEnvironment.Seed(sandbox, "me-south-1");
        var aws = env.Aws;
        var v2 = env.Register("public.ecr.aws/sandbox/api:2.0");
        const string Paused = """{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"]}]}""";
        JsonNode Pause(string arn) => NativeEcsEnvironment.Awaiting(env.WaitFor(arn, d => NativeEcsEnvironment.Awaiting(d) is not null, "The pause after test traffic"))!;
        void OnBlue(JsonNode d)
        {
            Assert.Equal("ROLLBACK_SUCCESSFUL", NativeEcsEnvironment.Status(d));
            Assert.Equal(new Dictionary<string, int> { ["api-blue"] = 100, ["api-green"] = 0 }, env.StateWeights(env.ProductionRule));
            Assert.Equal(new Dictionary<string, int> { ["api-blue"] = 100, ["api-green"] = 0 }, env.StateWeights(env.TestRule));
            Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal("api:1", ReleaseTests.Get(env.ProductionPort).TaskDefinition));
        }

        // The seeded alarm api-5xx goes off while test traffic is on green.
        var first = env.Deploy(v2, Paused);
        Pause(first);
        aws.Ok("cloudwatch", "set-alarm-state", "--alarm-name", "api-5xx", "--state-value", "ALARM", "--state-reason", "Threshold Crossed: 9 errors");
        var alarmed = env.WaitForEnd(first);
        OnBlue(alarmed);
        Assert.Equal("TRIGGERED", alarmed["alarms"]!["status"]!.GetValue<string>());
        Assert.Equal(["api-5xx"], alarmed["alarms"]!["triggeredAlarmNames"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Contains("api-5xx", alarmed["rollback"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        // With no 5XX from green any more, the alarm is OK again at the end of its period.
        sandbox.WaitForState(aws.Region, r => r["cloudwatch"]!["alarms"]!.AsArray().Single(a => a!["AlarmName"]!.GetValue<string>() == "api-5xx")!["StateValue"]!.GetValue<string>() == "OK", "The alarm settling");

        // StopServiceDeployment ROLLBACK.
        var second = env.Deploy(v2);
        Pause(second);
        Assert.Equal(second, aws.Ok("ecs", "stop-service-deployment", "--service-deployment-arn", second, "--stop-type", "ROLLBACK")["serviceDeploymentArn"]!.GetValue<string>());
        var stopped = env.WaitForEnd(second);
        OnBlue(stopped);
        Assert.Contains("StopServiceDeployment", stopped["rollback"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(stopped["sourceServiceRevisions"]![0]!["arn"]!.GetValue<string>(), stopped["rollback"]!["serviceRevisionArn"]!.GetValue<string>());
        aws.Run("ecs", "stop-service-deployment", "--service-deployment-arn", second, "--stop-type", "ROLLBACK").AssertServiceError("ConflictException");

        // ContinueServiceDeployment ROLLBACK at the pause.
        var third = env.Deploy(v2);
        var hook = Pause(third);
        aws.Ok("ecs", "continue-service-deployment", "--service-deployment-arn", third, "--hook-id", hook["hookId"]!.GetValue<string>(), "--action", "ROLLBACK");
        OnBlue(env.WaitForEnd(third));
        aws.Run("ecs", "continue-service-deployment", "--service-deployment-arn", third, "--hook-id", hook["hookId"]!.GetValue<string>()).AssertServiceError("InvalidParameterException");

        Assert.Equal(3, aws.Ok("ecs", "list-service-deployments", "--cluster", "sandbox", "--service", "api", "--status", "ROLLBACK_SUCCESSFUL", "SUCCESSFUL")["serviceDeployments"]!.AsArray().Count(d => d!["status"]!.GetValue<string>() == "ROLLBACK_SUCCESSFUL"));

        // ABORT stops where it stands: test traffic stays on green, production on blue, both revisions keep running.
        var fourth = env.Deploy(v2);
        Pause(fourth);
        aws.Ok("ecs", "stop-service-deployment", "--service-deployment-arn", fourth, "--stop-type", "ABORT");
        var aborted = env.WaitFor(fourth, d => NativeEcsEnvironment.Status(d) != "IN_PROGRESS", "The abort");
        Assert.Equal("STOPPED", NativeEcsEnvironment.Status(aborted));
        Assert.Null(aborted["rollback"]);
        Assert.Equal(100, env.StateWeights(env.TestRule)["api-green"]);
        Assert.Equal(100, env.StateWeights(env.ProductionRule)["api-blue"]);
        Thread.Sleep(300);
        Assert.Equal(2, env.StateService("api")["deployments"]!.AsArray().Count);
        Assert.Equal("api:1", ReleaseTests.Get(env.ProductionPort).TaskDefinition);
        Assert.Equal("api:2", ReleaseTests.Get(env.TestPort).TaskDefinition);
    }

    [Fact]
    public void Native_deployment_settings_are_validated_as_ECS_validates_them()
    {
        var env = NativeEcsEnvironment.Seed(sandbox, "il-central-1");
        var aws = env.Aws;
        void Refused(string configuration, string expected)
        {
            var result = aws.Run("ecs", "update-service", "--cluster", "sandbox", "--service", "api", "--deployment-configuration", configuration);
            result.AssertServiceError("InvalidParameterException");
            Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        }

        Refused("""{"strategy":"LINEAR","linearConfiguration":{"stepPercent":2}}""", "stepPercent");
        Refused("""{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["TEST_TRAFFIC_SHIFT"]}]}""", "PAUSE");
        Refused("""{"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:il-central-1:000000000000:function:f","lifecycleStages":["POST_SCALE_UP"]}]}""", "roleArn");
        Refused("""{"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["POST_SCALE_UP"],"timeoutConfiguration":{"timeoutInMinutes":20161}}]}""", "timeoutInMinutes");

        // The service keeps its settings after every refusal.
        var service = env.StateService("api");
        Assert.Equal("BLUE_GREEN", service["deploymentConfiguration"]!["strategy"]!.GetValue<string>());
        Assert.Empty(service["deploymentConfiguration"]!["lifecycleHooks"]!.AsArray());

        // A new service: the strategy needs a load balancer with an advancedConfiguration whose rules exist and a role.
        var advanced = env.Summary;
        string Create(string loadBalancers)
        {
            var result = aws.Run("ecs", "create-service", "--cluster", "sandbox", "--service-name", "api2", "--task-definition", "api:1",
                "--deployment-controller", "type=ECS", "--deployment-configuration", """{"strategy":"BLUE_GREEN","bakeTimeInMinutes":5}""", "--load-balancers", loadBalancers);
            result.AssertServiceError("InvalidParameterException");
            return result.Stderr;
        }

        var plain = Create($$"""[{"targetGroupArn":"{{env.BlueGroup}}","containerName":"api","containerPort":80}]""");
        Assert.Contains("advancedConfiguration", plain, StringComparison.Ordinal);
        var missingRule = Create($$"""[{"targetGroupArn":"{{env.BlueGroup}}","containerName":"api","containerPort":80,"advancedConfiguration":{"alternateTargetGroupArn":"{{env.GreenGroup}}","productionListenerRule":"{{env.ProductionRule}}0","roleArn":"{{advanced["roleArn"]}}"} }]""");
        Assert.Contains("productionListenerRule", missingRule, StringComparison.Ordinal);
        var noRole = Create($$"""[{"targetGroupArn":"{{env.BlueGroup}}","containerName":"api","containerPort":80,"advancedConfiguration":{"alternateTargetGroupArn":"{{env.GreenGroup}}","productionListenerRule":"{{env.ProductionRule}}"} }]""");
        Assert.Contains("roleArn", noRole, StringComparison.Ordinal);

        // A CodeDeploy-controlled service takes no strategy.
        var codeDeploy = aws.Run("ecs", "update-service", "--cluster", "sandbox", "--service", "web", "--deployment-configuration", """{"strategy":"BLUE_GREEN","bakeTimeInMinutes":5}""");
        codeDeploy.AssertServiceError("InvalidParameterException");

        // Service deployments that do not exist.
        var missing = "arn:aws:ecs:il-central-1:000000000000:service-deployment/sandbox/api/NoSuchDeployment0000";
        var described = aws.Ok("ecs", "describe-service-deployments", "--service-deployment-arns", missing);
        Assert.Empty(described["serviceDeployments"]!.AsArray());
        Assert.Equal("MISSING", Assert.Single(described["failures"]!.AsArray())!["reason"]!.GetValue<string>());
        aws.Run("ecs", "stop-service-deployment", "--service-deployment-arn", missing).AssertServiceError("ServiceDeploymentNotFoundException");
        aws.Run("ecs", "list-service-deployments", "--cluster", "sandbox", "--service", "nope").AssertServiceError("ServiceNotFoundException");
    }

    [Fact]
    public void Walkthrough_of_a_native_canary_in_the_docs_runs_as_written()
    {
        const string Region = "ap-south-2";
        var script = WalkthroughScript();
        Assert.Contains("http://127.0.0.1:4566", script, StringComparison.Ordinal);
        Assert.Contains("AWS_DEFAULT_REGION=us-east-1", script, StringComparison.Ordinal);
        script = script.Replace("http://127.0.0.1:4566", sandbox.Endpoint, StringComparison.Ordinal)
            .Replace("AWS_DEFAULT_REGION=us-east-1", "AWS_DEFAULT_REGION=" + Region, StringComparison.Ordinal);
        NativeEcsEnvironment.Seed(sandbox, Region);

        // The page says --time-scale 60: the canary's twenty minutes are twenty seconds.
        sandbox.SetTimeScale(60);
        string output;
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.Environment.Remove("AWS_PROFILE");
            start.Environment.Remove("AWS_ENDPOINT_URL");
            using var bash = System.Diagnostics.Process.Start(start)!;
            bash.StandardInput.Write(script);
            bash.StandardInput.Close();
            var stdout = bash.StandardOutput.ReadToEndAsync();
            var stderr = bash.StandardError.ReadToEndAsync();
            Assert.True(bash.WaitForExit(TimeSpan.FromMinutes(4)), "The walkthrough did not finish within 4 minutes: " + stdout.Result);
            output = stdout.Result;
            Assert.True(bash.ExitCode == 0 || output.Contains("SUCCESSFUL", StringComparison.Ordinal), $"The walkthrough failed: {output}\n{stderr.Result}");
        }
        finally
        {
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
        }

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        Assert.Equal("api:1 Blue 200", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("IN_PROGRESS POST_TEST_TRAFFIC_SHIFT test=100% production=0% api:2 Green 200", StringComparison.Ordinal));
        Assert.StartsWith("SUCCESSFUL CLEAN_UP green=100%  50 api:2 Green 200", lines[^1], StringComparison.Ordinal);

        // Production's answers while the canary held 20%: a line is counted when the next one still reports 20%, so
        // all of its 50 requests were sent during the canary.
        var watch = lines.Where(l => l.Contains(" green=", StringComparison.Ordinal)).ToList();
        var canary = watch.Where((l, i) => l.Contains(" green=20% ", StringComparison.Ordinal) && i + 1 < watch.Count && watch[i + 1].Contains(" green=20% ", StringComparison.Ordinal)).ToList();
        Assert.True(canary.Count >= 1, "No whole sample of production during the canary: " + output);
        int Count(string line, string revision) =>
            System.Text.RegularExpressions.Regex.Matches(line, @"(\d+) (api:\d+) (Blue|Green) 200").Where(m => m.Groups[2].Value == revision).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        var green = canary.Sum(l => Count(l, "api:2"));
        var blue = canary.Sum(l => Count(l, "api:1"));
        Assert.Equal(50 * canary.Count, green + blue);
        Assert.InRange(green / (double)(green + blue), 0.06, 0.36);
        Assert.Equal("SUCCESSFUL", NativeEcsEnvironment.Status(NativeEcsEnvironment.Deployments(sandbox.WaitForState(Region, _ => true, "The state")).Last()));
    }

    /// <summary>The bash the page docs/sandbox.md gives for the native canary walkthrough.</summary>
    private static string WalkthroughScript()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "docs", "sandbox.md")))
        {
            folder = folder.Parent;
        }

        Assert.NotNull(folder);
        var page = File.ReadAllText(Path.Combine(folder.FullName, "docs", "sandbox.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var section = page[page.IndexOf("## Walkthrough: a native ECS canary with a pause hook", StringComparison.Ordinal)..];
        var blocks = System.Text.RegularExpressions.Regex.Matches(section, "```bash\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.Contains("--seed", blocks[0].Groups[1].Value, StringComparison.Ordinal);
        return blocks[1].Groups[1].Value;
    }

    private static string TempZip(string behaviour)
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, ReleaseTests.Zip(behaviour));
        return path;
    }
}
