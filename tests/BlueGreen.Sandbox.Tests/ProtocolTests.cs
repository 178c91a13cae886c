using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>Authentication, error shapes, faults and the control API, checked with raw HTTP and the CLI.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ProtocolTests(SandboxFixture sandbox)
{
    private const string Region = "us-east-2";

    /// <summary>A request signed by <see cref="RawSigner"/>, independent of the sandbox's verifier.</summary>
    private HttpRequestMessage Signed(string service, string target, string body, string accessKey = "test", string secret = "test", DateTime? at = null, string contentType = "application/x-amz-json-1.1")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, sandbox.Endpoint + "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (target.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        RawSigner.Sign(request, Encoding.UTF8.GetBytes(body), service, Region, accessKey, secret, at);
        return request;
    }

    private (int Status, string Body, string? ErrorType) Send(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = sandbox.Http.Send(request);
            var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First() : null;
            return ((int)response.StatusCode, body, type);
        }
    }

    private const string CreateCluster = "AmazonEC2ContainerServiceV20141113.CreateCluster";

    [Fact]
    public void A_correct_signature_is_accepted()
    {
        var (status, body, _) = Send(Signed("ecs", CreateCluster, """{"clusterName":"signed"}"""));
        Assert.Equal(200, status);
        Assert.Equal("arn:aws:ecs:us-east-2:000000000000:cluster/signed", JsonNode.Parse(body)!["cluster"]!["clusterArn"]!.GetValue<string>());
    }

    [Fact]
    public void Signature_failures_get_AWS_errors_and_change_nothing()
    {
        var before = sandbox.ControlAsync(HttpMethod.Get, "requests").GetAwaiter().GetResult()["lastSequence"]!.GetValue<long>();

        var missing = new HttpRequestMessage(HttpMethod.Post, sandbox.Endpoint + "/") { Content = new StringContent("""{"clusterName":"nope"}""") };
        missing.Headers.TryAddWithoutValidation("X-Amz-Target", CreateCluster);
        var (status, body, type) = Send(missing);
        Assert.Equal(400, status);
        Assert.Equal("MissingAuthenticationTokenException", type);
        Assert.Contains("MissingAuthenticationTokenException", body, StringComparison.Ordinal);

        (status, _, type) = Send(Signed("ecs", CreateCluster, """{"clusterName":"nope"}""", secret: "wrong"));
        Assert.Equal(400, status);
        Assert.Equal("InvalidSignatureException", type);

        (status, _, type) = Send(Signed("ecs", CreateCluster, """{"clusterName":"nope"}""", accessKey: "AKIAUNKNOWN"));
        Assert.Equal(400, status);
        Assert.Equal("UnrecognizedClientException", type);

        (status, body, type) = Send(Signed("ecs", CreateCluster, """{"clusterName":"nope"}""", at: DateTime.UtcNow.AddMinutes(-20)));
        Assert.Equal(400, status);
        Assert.Equal("InvalidSignatureException", type);
        Assert.Contains("Signature expired", body, StringComparison.Ordinal);

        // A body changed after signing: the payload hash no longer matches.
        var tampered = Signed("ecs", CreateCluster, """{"clusterName":"nope"}""");
        tampered.Content = new StringContent("""{"clusterName":"evil"}""", Encoding.UTF8);
        tampered.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        (status, _, type) = Send(tampered);
        Assert.Equal(400, status);
        Assert.Equal("InvalidSignatureException", type);

        // Query protocol (ELBv2): 403 with an XML error.
        (status, body, _) = Send(Signed("elasticloadbalancing", string.Empty, "Action=DescribeLoadBalancers&Version=2015-12-01", secret: "wrong", contentType: "application/x-www-form-urlencoded; charset=utf-8"));
        Assert.Equal(403, status);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", body, StringComparison.Ordinal);

        // Nothing was created, and every rejected call is in the log as rejected.
        var aws = new Aws(sandbox, Region);
        var clusters = aws.Ok("ecs", "list-clusters")["clusterArns"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.DoesNotContain(clusters, c => c.EndsWith("/nope", StringComparison.Ordinal) || c.EndsWith("/evil", StringComparison.Ordinal));
        var log = sandbox.ControlAsync(HttpMethod.Get, $"requests?since={before}").GetAwaiter().GetResult()["requests"]!.AsArray();
        var creates = log.Where(r => r!["operation"]!.GetValue<string>() == "CreateCluster").ToList();
        Assert.Equal(5, creates.Count);
        Assert.All(creates, r => Assert.NotEqual(200, r!["status"]!.GetValue<int>()));
    }

    [Fact]
    public void The_CLI_with_a_wrong_secret_is_rejected()
    {
        var start = new System.Diagnostics.ProcessStartInfo("aws") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "deploy", "list-applications", "--endpoint-url", sandbox.Endpoint })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";
        start.Environment["AWS_DEFAULT_REGION"] = Region;
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment["AWS_PAGER"] = string.Empty;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        new CliResult(process.ExitCode, stdout.Result, stderr).AssertServiceError("InvalidSignatureException");
    }

    [Fact]
    public void Injected_throttling_returns_AWS_throttling_errors_until_cleared()
    {
        var aws = new Aws(sandbox, Region);
        sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"ecs","operation":"ListClusters","throttleRate":1}""").GetAwaiter().GetResult();
        try
        {
            var throttled = aws.Run("ecs", "list-clusters");
            throttled.AssertServiceError("ThrottlingException");

            // Other operations are untouched.
            aws.Ok("ecs", "describe-clusters", "--clusters", "default");
        }
        finally
        {
            sandbox.ControlAsync(HttpMethod.Delete, "faults").GetAwaiter().GetResult();
        }

        aws.Ok("ecs", "list-clusters");

        sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"elbv2","operation":"*","errorRate":1}""").GetAwaiter().GetResult();
        try
        {
            var failed = aws.Run("elbv2", "describe-load-balancers");
            failed.AssertServiceError("InternalFailure");
        }
        finally
        {
            sandbox.ControlAsync(HttpMethod.Delete, "faults").GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void Errors_follow_each_protocol()
    {
        var aws = new Aws(sandbox, Region);
        var ecs = aws.Run("ecs", "describe-services", "--cluster", "no-such-cluster", "--services", "x");
        ecs.AssertServiceError("ClusterNotFoundException");
        var lambda = aws.Run("lambda", "get-alias", "--function-name", "missing", "--name", "live");
        lambda.AssertServiceError("ResourceNotFoundException");
        var deploy = aws.Run("deploy", "get-application", "--application-name", "missing");
        deploy.AssertServiceError("ApplicationDoesNotExistException");
        var elb = aws.Run("elbv2", "describe-load-balancers", "--names", "missing");
        elb.AssertServiceError("LoadBalancerNotFound");
        var cw = aws.Run("cloudwatch", "set-alarm-state", "--alarm-name", "missing", "--state-value", "ALARM", "--state-reason", "x");
        cw.AssertServiceError("ResourceNotFound");
    }

    [Fact]
    public void Seed_creates_the_sample_environment_through_the_API()
    {
        var summary = sandbox.ControlAsync(HttpMethod.Post, "seed?region=ap-south-1").GetAwaiter().GetResult();
        Assert.Equal("sandbox", summary["cluster"]!.GetValue<string>());
        var aws = new Aws(sandbox, "ap-south-1");
        var service = aws.Ok("ecs", "describe-services", "--cluster", "sandbox", "--services", "web")["services"]![0]!;
        Assert.Equal("CODE_DEPLOY", service["deploymentController"]!["type"]!.GetValue<string>());
        Assert.Equal(["orders-dg"], aws.Ok("deploy", "list-deployment-groups", "--application-name", "orders")["deploymentGroups"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Equal("1", aws.Ok("lambda", "get-alias", "--function-name", "orders", "--name", "live")["FunctionVersion"]!.GetValue<string>());
        Assert.Equal(["api-5xx", "orders-errors", "payments-errors", "web-5xx"], aws.Ok("cloudwatch", "describe-alarms")["MetricAlarms"]!.AsArray().Select(a => a!["AlarmName"]!.GetValue<string>()));
        var configs = aws.Ok("deploy", "list-deployment-configs")["deploymentConfigsList"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Contains("CodeDeployDefault.ECSCanary10Percent5Minutes", configs);
        Assert.Contains("CodeDeployDefault.LambdaLinear10PercentEvery1Minute", configs);

        var url = summary["productionListener"]!["url"]!.GetValue<string>();
        var port = new Uri(url).Port;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        (string Body, string Label, string TaskDefinition) answer;
        while (true)
        {
            try
            {
                answer = ReleaseTests.Get(port);
                break;
            }
            catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100); // tasks are still starting
            }
        }

        Assert.Equal("web:1", answer.TaskDefinition);
        Assert.Equal("Blue", answer.Label);

        // Metrics from that traffic are visible through GetMetricData. They are stored at simulated time, which
        // runs ahead of the wall clock (at 600x, two days in under five minutes of a test run): ask around it.
        var now = sandbox.VirtualTime().UtcDateTime;
        var query = new JsonArray
        {
            new JsonObject
            {
                ["Id"] = "requests",
                ["MetricStat"] = new JsonObject
                {
                    ["Metric"] = new JsonObject { ["Namespace"] = "AWS/ApplicationELB", ["MetricName"] = "RequestCount", ["Dimensions"] = new JsonArray() },
                    ["Period"] = 60,
                    ["Stat"] = "Sum",
                },
            },
        };
        var lbArn = aws.Ok("elbv2", "describe-load-balancers", "--names", "web-alb")["LoadBalancers"]![0]!["LoadBalancerArn"]!.GetValue<string>();
        query[0]!["MetricStat"]!["Metric"]!["Dimensions"]!.AsArray().Add(new JsonObject { ["Name"] = "LoadBalancer", ["Value"] = lbArn[lbArn.IndexOf("app/", StringComparison.Ordinal)..] });
        var data = aws.Ok("cloudwatch", "get-metric-data", "--metric-data-queries", query.ToJsonString(),
            "--start-time", now.AddDays(-1).ToString("O", CultureInfo.InvariantCulture), "--end-time", now.AddHours(1).ToString("O", CultureInfo.InvariantCulture));
        Assert.True(data["MetricDataResults"]![0]!["Values"]!.AsArray().Sum(v => v!.GetValue<double>()) >= 1);
    }

    [Fact]
    public void Time_scale_zero_holds_simulated_time_until_it_runs_again()
    {
        Assert.Equal(SandboxFixture.TimeScale, sandbox.ControlAsync(HttpMethod.Get, "time-scale").GetAwaiter().GetResult()["timeScale"]!.GetValue<double>());
        try
        {
            Assert.Equal(0, sandbox.ControlAsync(HttpMethod.Put, "time-scale", """{"timeScale":0}""").GetAwaiter().GetResult()["timeScale"]!.GetValue<double>());
            var held = sandbox.VirtualTime();
            Thread.Sleep(300); // three simulated minutes at the suite's scale, had time not been held
            Assert.Equal(held, sandbox.VirtualTime());
            Assert.Equal(0, sandbox.ControlAsync(HttpMethod.Get, "health").GetAwaiter().GetResult()["timeScale"]!.GetValue<double>());

            // Releases wait too: what takes no simulated time happens, but the replacement's tasks (5 simulated
            // seconds to start) never run, so the release stays in Install; at 600x it would be long done.
            var aws = new Aws(sandbox, "eu-north-1");
            var env = EcsEnvironment.Create(aws, "CodeDeployDefault.ECSAllAtOnce");
            var id = env.Deploy("web:2");
            Thread.Sleep(300);
            Assert.Equal("InProgress", aws.Ok("deploy", "get-deployment", "--deployment-id", id)["deploymentInfo"]!["status"]!.GetValue<string>());
            var events = aws.Ok("deploy", "get-deployment-target", "--deployment-id", id, "--target-id", "demo:web")["deploymentTarget"]!["ecsTarget"]!["lifecycleEvents"]!.AsArray();
            Assert.Equal("InProgress", events.Single(e => e!["lifecycleEventName"]!.GetValue<string>() == "Install")!["status"]!.GetValue<string>());
            Assert.Equal(0, env.ProductionWeights()[1]);
            Assert.Equal(held, sandbox.VirtualTime());

            // Running again picks up from the held instant, not from where real time went meanwhile.
            var running = System.Diagnostics.Stopwatch.StartNew();
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
            var resumed = sandbox.VirtualTime();
            Assert.InRange(resumed, held, held + (running.Elapsed * SandboxFixture.TimeScale) + TimeSpan.FromSeconds(1));
            Assert.Equal("Succeeded", aws.WaitForDeployment(id, d => d["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Stopped")["status"]!.GetValue<string>());

            // A scale below 0, or not a number, is refused and changes nothing.
            foreach (var bad in new[] { """{"timeScale":-1}""", """{"timeScale":"fast"}""", "{}" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, sandbox.Endpoint + "/_sandbox/time-scale") { Content = new StringContent(bad, Encoding.UTF8, "application/json") };
                using var response = sandbox.Http.Send(request);
                Assert.Equal(400, (int)response.StatusCode);
                Assert.Contains("timeScale must be a number", response.Content.ReadAsStringAsync().GetAwaiter().GetResult(), StringComparison.Ordinal);
            }

            Assert.Equal(SandboxFixture.TimeScale, sandbox.ControlAsync(HttpMethod.Get, "time-scale").GetAwaiter().GetResult()["timeScale"]!.GetValue<double>());
        }
        finally
        {
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
        }
    }

    [Fact]
    public void Control_api_reports_health_and_state()
    {
        var health = sandbox.ControlAsync(HttpMethod.Get, "health").GetAwaiter().GetResult();
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal("000000000000", health["account"]!.GetValue<string>());
        var state = sandbox.ControlAsync(HttpMethod.Get, "state").GetAwaiter().GetResult();
        Assert.NotNull(state["regions"]);
        Assert.DoesNotContain("\"test\"", sandbox.Output, StringComparison.Ordinal);
    }
}
