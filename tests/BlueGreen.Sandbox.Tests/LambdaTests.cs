using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BlueGreen.Testing;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>
/// What Lambda releases need of the sandbox, judged by the AWS CLI: code updates that take time and are guarded by
/// RevisionId and CodeSha256, image functions, alias routing by weight, invocation by version, per-version metrics
/// that alarms see, tags, and CodeDeploy hooks that time out or fail. Each test works in its own region.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class LambdaTests(SandboxFixture sandbox)
{
    private const string Role = "arn:aws:iam::000000000000:role/lambda";

    [Fact]
    public void Lambda_code_updates_take_time_and_are_guarded_by_RevisionId_and_CodeSha256()
    {
        var aws = new Aws(sandbox, "ap-southeast-1");
        var zip1 = TempZip("""{"payload": {"v": 1}}""");
        var zip2 = TempZip("""{"payload": {"v": 2}}""");
        try
        {
            var created = aws.Ok("lambda", "create-function", "--function-name", "f", "--runtime", "python3.12", "--handler", "index.handler",
                "--role", Role, "--zip-file", "fileb://" + zip1);
            Assert.Equal("Active", created["State"]!.GetValue<string>());
            Assert.Equal("Zip", created["PackageType"]!.GetValue<string>());
            Assert.Equal("1", aws.Ok("lambda", "publish-version", "--function-name", "f")["Version"]!.GetValue<string>());

            // Held clock: the update stays in progress while the CLI looks at it, and Lambda refuses what AWS refuses then.
            sandbox.HoldClock();
            JsonNode updating;
            CliResult publishWhileUpdating, updateWhileUpdating;
            try
            {
                var updated = aws.Ok("lambda", "update-function-code", "--function-name", "f", "--zip-file", "fileb://" + zip2);
                Assert.Equal("InProgress", updated["LastUpdateStatus"]!.GetValue<string>());
                updating = aws.Ok("lambda", "get-function", "--function-name", "f")["Configuration"]!;
                publishWhileUpdating = aws.Run("lambda", "publish-version", "--function-name", "f");
                updateWhileUpdating = aws.Run("lambda", "update-function-code", "--function-name", "f", "--zip-file", "fileb://" + zip1);
            }
            finally
            {
                sandbox.SetTimeScale(SandboxFixture.TimeScale);
            }

            Assert.Equal("InProgress", updating["LastUpdateStatus"]!.GetValue<string>());
            Assert.Equal("Active", updating["State"]!.GetValue<string>());
            publishWhileUpdating.AssertServiceError("ResourceConflictException");
            Assert.Contains("An update is in progress", publishWhileUpdating.Stderr, StringComparison.Ordinal);
            updateWhileUpdating.AssertServiceError("ResourceConflictException");

            // The CLI's own waiter sees it finish; the finished function has a new revision.
            aws.Ok("lambda", "wait", "function-updated", "--function-name", "f");
            var done = aws.Ok("lambda", "get-function-configuration", "--function-name", "f");
            Assert.Equal("Successful", done["LastUpdateStatus"]!.GetValue<string>());
            var sha = Convert.ToBase64String(SHA256.HashData(File.ReadAllBytes(zip2)));
            Assert.Equal(sha, done["CodeSha256"]!.GetValue<string>());
            var revision = done["RevisionId"]!.GetValue<string>();
            Assert.NotEqual(updating["RevisionId"]!.GetValue<string>(), revision);

            aws.Run("lambda", "publish-version", "--function-name", "f", "--revision-id", updating["RevisionId"]!.GetValue<string>()).AssertServiceError("PreconditionFailedException");
            var wrongSha = aws.Run("lambda", "publish-version", "--function-name", "f", "--code-sha256", Convert.ToBase64String(SHA256.HashData(File.ReadAllBytes(zip1))));
            wrongSha.AssertServiceError("InvalidParameterValueException");
            Assert.Contains(sha, wrongSha.Stderr, StringComparison.Ordinal);
            aws.Run("lambda", "update-function-code", "--function-name", "f", "--zip-file", "fileb://" + zip1, "--revision-id", "stale").AssertServiceError("PreconditionFailedException");
            var published = aws.Ok("lambda", "publish-version", "--function-name", "f", "--code-sha256", sha, "--revision-id", revision, "--description", "second");
            Assert.Equal("2", published["Version"]!.GetValue<string>());
            Assert.Equal(sha, published["CodeSha256"]!.GetValue<string>());
            Assert.Equal("2", aws.Ok("lambda", "publish-version", "--function-name", "f")["Version"]!.GetValue<string>());

            // No S3 in the sandbox: said plainly, and nothing changes.
            var s3 = aws.Run("lambda", "update-function-code", "--function-name", "f", "--s3-bucket", "code", "--s3-key", "f.zip");
            s3.AssertServiceError("InvalidParameterValueException");
            Assert.Contains("no Amazon S3", s3.Stderr, StringComparison.Ordinal);

            // An alias moved by someone else: UpdateAlias with the old revision is refused with 412.
            var alias = aws.Ok("lambda", "create-alias", "--function-name", "f", "--name", "live", "--function-version", "1");
            aws.Ok("lambda", "update-alias", "--function-name", "f", "--name", "live", "--function-version", "2", "--revision-id", alias["RevisionId"]!.GetValue<string>());
            aws.Run("lambda", "update-alias", "--function-name", "f", "--name", "live", "--function-version", "1", "--revision-id", alias["RevisionId"]!.GetValue<string>())
                .AssertServiceError("PreconditionFailedException");
            var log = sandbox.ControlAsync(HttpMethod.Get, "requests").GetAwaiter().GetResult()["requests"]!.AsArray();
            Assert.Contains(log, r => r!["region"]!.GetValue<string>() == aws.Region && r["operation"]!.GetValue<string>() == "UpdateAlias" && r["status"]!.GetValue<int>() == 412);
            Assert.Equal("2", aws.Ok("lambda", "get-alias", "--function-name", "f", "--name", "live")["FunctionVersion"]!.GetValue<string>());
        }
        finally
        {
            OwnedPath.Delete(zip1);
            OwnedPath.Delete(zip2);
        }
    }

    [Fact]
    public void Lambda_image_functions_update_from_an_image_uri_and_a_broken_image_fails()
    {
        var aws = new Aws(sandbox, "ap-southeast-2");
        const string Repository = "000000000000.dkr.ecr.ap-southeast-2.amazonaws.com/orders";
        var created = aws.Ok("lambda", "create-function", "--function-name", "img", "--package-type", "Image", "--code", $"ImageUri={Repository}:1", "--role", Role, "--publish");
        Assert.Equal("Image", created["PackageType"]!.GetValue<string>());
        Assert.Equal("1", created["Version"]!.GetValue<string>());

        var zip = TempZip("{}");
        try
        {
            aws.Run("lambda", "update-function-code", "--function-name", "img", "--zip-file", "fileb://" + zip).AssertServiceError("InvalidParameterValueException");
        }
        finally
        {
            OwnedPath.Delete(zip);
        }

        var updated = aws.Ok("lambda", "update-function-code", "--function-name", "img", "--image-uri", $"{Repository}:2-broken");
        Assert.NotEqual(created["CodeSha256"]!.GetValue<string>(), updated["CodeSha256"]!.GetValue<string>());
        aws.Ok("lambda", "wait", "function-updated", "--function-name", "img");
        var function = aws.Ok("lambda", "get-function", "--function-name", "img");
        Assert.Equal("ECR", function["Code"]!["RepositoryType"]!.GetValue<string>());
        Assert.Equal($"{Repository}:2-broken", function["Code"]!["ImageUri"]!.GetValue<string>());
        Assert.Equal($"{Repository}@sha256:{updated["CodeSha256"]!.GetValue<string>()}", function["Code"]!["ResolvedImageUri"]!.GetValue<string>());
        Assert.Equal("Successful", function["Configuration"]!["LastUpdateStatus"]!.GetValue<string>());
        Assert.Equal("2", aws.Ok("lambda", "publish-version", "--function-name", "img")["Version"]!.GetValue<string>());

        var (good, _) = Invoke(aws, "img", "1");
        Assert.Equal("1", good["ExecutedVersion"]!.GetValue<string>());
        Assert.Null(good["FunctionError"]);
        var (bad, payload) = Invoke(aws, "img", "2");
        Assert.Equal("Unhandled", bad["FunctionError"]!.GetValue<string>());
        Assert.Equal("Runtime.ExitError", payload["errorType"]!.GetValue<string>());
    }

    [Fact]
    public void Lambda_alias_routes_by_weight_and_per_version_metrics_fire_alarms()
    {
        const string Region = "ap-northeast-2";
        var summary = sandbox.ControlAsync(HttpMethod.Post, "seed?region=" + Region).GetAwaiter().GetResult();

        // Simulated time is held while the CLI works and runs only while traffic flows and alarms are awaited, so
        // every datapoint lies within minutes of the others (metrics are kept three simulated hours).
        sandbox.HoldClock();
        try
        {
            RouteAndAlarm(Region, summary);
        }
        finally
        {
            sandbox.SetTimeScale(SandboxFixture.TimeScale);
        }
    }

    private void RouteAndAlarm(string region, JsonNode summary)
    {
        var payments = summary["functions"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "payments")!;
        Assert.Equal("3", payments["failingVersion"]!.GetValue<string>());
        var aws = new Aws(sandbox, region);

        // The seed's payments function: versions 1 to 3, live on 1, no CodeDeploy application releases it.
        Assert.Equal(["$LATEST", "1", "2", "3"], aws.Ok("lambda", "list-versions-by-function", "--function-name", "payments")["Versions"]!.AsArray().Select(v => v!["Version"]!.GetValue<string>()));
        Assert.Equal(["orders", "web"], aws.Ok("deploy", "list-applications")["applications"]!.AsArray().Select(a => a!.GetValue<string>()).Order(StringComparer.Ordinal));

        // A version qualifier runs that version only, as --qualifier or as function:version; an error is a 200 with Unhandled.
        var (two, twoPayload) = Invoke(aws, "payments", "2");
        Assert.Equal(("2", 200), (two["ExecutedVersion"]!.GetValue<string>(), two["StatusCode"]!.GetValue<int>()));
        Assert.Equal(2, twoPayload["version"]!.GetValue<int>());
        var (three, threePayload) = Invoke(aws, "payments:3", null);
        Assert.Equal(("3", 200, "Unhandled"), (three["ExecutedVersion"]!.GetValue<string>(), three["StatusCode"]!.GetValue<int>(), three["FunctionError"]!.GetValue<string>()));
        Assert.Equal("PaymentsBadBuild", threePayload["errorType"]!.GetValue<string>());

        // Half the alias's traffic to the failing version, with a long description kept whole.
        var description = new string('d', 256);
        var alias = aws.Ok("lambda", "update-alias", "--function-name", "payments", "--name", "live", "--description", description,
            "--routing-config", """{"AdditionalVersionWeights":{"3":0.5}}""");
        Assert.Equal(0.5, alias["RoutingConfig"]!["AdditionalVersionWeights"]!["3"]!.GetValue<double>());
        Assert.Equal(description, aws.Ok("lambda", "get-alias", "--function-name", "payments", "--name", "live")["Description"]!.GetValue<string>());
        aws.Run("lambda", "update-alias", "--function-name", "payments", "--name", "live", "--description", description + "d").AssertServiceError("ValidationException");

        // An alarm of one's own on the failing version alone, beside the seed's on the whole alias.
        aws.Ok("cloudwatch", "put-metric-alarm", "--alarm-name", "payments-v3-errors", "--namespace", "AWS/Lambda", "--metric-name", "Errors",
            "--dimensions", "Name=FunctionName,Value=payments", "Name=Resource,Value=payments:live", "Name=ExecutedVersion,Value=3",
            "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "0", "--comparison-operator", "GreaterThanThreshold",
            "--treat-missing-data", "notBreaching");

        // At 60x an alarm stays in ALARM a wall second after it fires, long enough to be seen; then time is held for the CLI.
        sandbox.SetTimeScale(60);
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        const int Invocations = 60;
        for (var i = 0; i < Invocations; i++)
        {
            var (status, executed, error) = InvokeSigned(region, "payments:live");
            Assert.Equal(200, status);
            Assert.Equal(executed == "3", error == "Unhandled");
            versions[executed] = versions.GetValueOrDefault(executed) + 1;
        }

        sandbox.WaitForState(region, r => AlarmState(r, "payments-errors") == "ALARM" && AlarmState(r, "payments-v3-errors") == "ALARM", "The alarms on payments:live");
        sandbox.HoldClock();
        var alarms = aws.Ok("cloudwatch", "describe-alarms", "--alarm-names", "payments-errors", "payments-v3-errors");

        Assert.All(alarms["MetricAlarms"]!.AsArray(), a => Assert.Equal("ALARM", a!["StateValue"]!.GetValue<string>()));
        Assert.Equal(["1", "3"], versions.Keys.Order(StringComparer.Ordinal));
        Assert.InRange(versions["3"], 10, 50);

        // The metrics by version, by alias and by function, as GetMetricData answers them.
        var now = sandbox.VirtualTime().UtcDateTime;
        var live = new[] { ("FunctionName", "payments"), ("Resource", "payments:live") };
        var data = MetricData(aws, now,
            ("v3", "Invocations", "Sum", [.. live, ("ExecutedVersion", "3")]),
            ("v3errors", "Errors", "Sum", [.. live, ("ExecutedVersion", "3")]),
            ("v1", "Invocations", "Sum", [.. live, ("ExecutedVersion", "1")]),
            ("v1errors", "Errors", "Sum", [.. live, ("ExecutedVersion", "1")]),
            ("alias", "Invocations", "Sum", live),
            ("function", "Invocations", "Sum", [("FunctionName", "payments")]),
            ("duration", "Duration", "Minimum", [.. live, ("ExecutedVersion", "3")]));
        Assert.Equal(versions["3"], data["v3"]);
        Assert.Equal(versions["3"], data["v3errors"]);
        Assert.Equal(versions["1"], data["v1"]);
        Assert.Equal(0, data["v1errors"]);
        Assert.Equal(60, data["alias"]);
        Assert.Equal(62, data["function"]);
        Assert.True(data["duration"] >= 5, $"Duration of version 3 was {data["duration"]} ms; its sandbox.json says 5.");
    }

    [Fact]
    public void Lambda_tags_on_function_arns_are_kept_listed_and_removed()
    {
        var aws = new Aws(sandbox, "ap-northeast-3");
        var zip = TempZip("{}");
        string arn;
        try
        {
            arn = aws.Ok("lambda", "create-function", "--function-name", "tagged", "--runtime", "python3.12", "--handler", "index.handler", "--role", Role,
                "--zip-file", "fileb://" + zip, "--tags", "team=payments")["FunctionArn"]!.GetValue<string>();
        }
        finally
        {
            OwnedPath.Delete(zip);
        }

        aws.Ok("lambda", "tag-resource", "--resource", arn, "--tags", """{"release":"lambda:live:3/50","owner":"ops"}""");
        Assert.Equal(
            new JsonObject { ["owner"] = "ops", ["release"] = "lambda:live:3/50", ["team"] = "payments" }.ToJsonString(),
            aws.Ok("lambda", "list-tags", "--resource", arn)["Tags"]!.ToJsonString());
        aws.Ok("lambda", "untag-resource", "--resource", arn, "--tag-keys", "release", "team");
        Assert.Equal("""{"owner":"ops"}""", aws.Ok("lambda", "get-function", "--function-name", "tagged")["Tags"]!.ToJsonString());

        aws.Run("lambda", "tag-resource", "--resource", arn + ":live", "--tags", "a=b").AssertServiceError("InvalidParameterValueException");
        aws.Run("lambda", "tag-resource", "--resource", arn, "--tags", """{"json":"{\"a\"}"}""").AssertServiceError("ValidationException");
        aws.Run("lambda", "list-tags", "--resource", arn.Replace("tagged", "missing", StringComparison.Ordinal)).AssertServiceError("ResourceNotFoundException");

        // The new operations take faults like every other.
        sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"lambda","operation":"ListTags","errorRate":1}""").GetAwaiter().GetResult();
        try
        {
            aws.Run("lambda", "list-tags", "--resource", arn).AssertServiceError("ServiceException");
        }
        finally
        {
            sandbox.ControlAsync(HttpMethod.Delete, "faults").GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void Lambda_hooks_that_never_report_time_out_and_hooks_that_error_fail_the_deployment()
    {
        const string Region = "us-west-1";
        sandbox.ControlAsync(HttpMethod.Post, "seed?region=" + Region).GetAwaiter().GetResult();
        var aws = new Aws(sandbox, Region);
        var silent = TempZip("""{"hookStatus": "None"}""");
        var erring = TempZip("""{"error": {"errorType": "HookCrashed", "errorMessage": "the check crashed"}}""");
        try
        {
            foreach (var (name, zip) in new[] { ("silent-hook", silent), ("erring-hook", erring) })
            {
                aws.Ok("lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "index.handler", "--role", Role, "--zip-file", "fileb://" + zip);
            }
        }
        finally
        {
            OwnedPath.Delete(silent);
            OwnedPath.Delete(erring);
        }

        // A group of its own for each release, so the first one's rollback does not hold up the second.
        var ids = new List<string>();
        foreach (var hook in new[] { "silent-hook", "erring-hook" })
        {
            aws.Ok("deploy", "create-deployment-group", "--application-name", "orders", "--deployment-group-name", hook + "-dg",
                "--service-role-arn", "arn:aws:iam::000000000000:role/codedeploy", "--deployment-config-name", "CodeDeployDefault.LambdaAllAtOnce",
                "--deployment-style", "deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL");
            var appSpec = "{\"version\":0.0,\"Resources\":[{\"orders\":{\"Type\":\"AWS::Lambda::Function\",\"Properties\":{\"Name\":\"orders\",\"Alias\":\"live\",\"CurrentVersion\":\"1\",\"TargetVersion\":\"2\"}}}],"
                + "\"Hooks\":[{\"BeforeAllowTraffic\":\"" + hook + "\"}]}";
            var revision = new JsonObject { ["revisionType"] = "String", ["string"] = new JsonObject { ["content"] = appSpec } }.ToJsonString();
            ids.Add(aws.Ok("deploy", "create-deployment", "--application-name", "orders", "--deployment-group-name", hook + "-dg", "--revision", revision)["deploymentId"]!.GetValue<string>());
        }

        // The silent hook fails at CodeDeploy's one-hour hook timeout, in simulated time.
        var timedOut = aws.WaitForDeployment(ids[0], d => d["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Stopped");
        Assert.Equal(("Failed", "TIMEOUT"), (timedOut["status"]!.GetValue<string>(), timedOut["errorInformation"]!["code"]!.GetValue<string>()));
        var hour = Time(timedOut["completeTime"]!) - Time(timedOut["createTime"]!);
        Assert.InRange(hour, TimeSpan.FromHours(1), TimeSpan.FromMinutes(70));
        var events = LifecycleEvents(aws, ids[0]);
        Assert.Equal("ScriptTimedOut", events["BeforeAllowTraffic"]!["diagnostics"]!["errorCode"]!.GetValue<string>());

        // The erring hook fails its event with the function's error, without ever reporting a status.
        var erred = aws.WaitForDeployment(ids[1], d => d["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Stopped");
        Assert.Equal(("Failed", "HOOK_EXECUTION_FAILURE"), (erred["status"]!.GetValue<string>(), erred["errorInformation"]!["code"]!.GetValue<string>()));
        events = LifecycleEvents(aws, ids[1]);
        Assert.Equal("Failed", events["BeforeAllowTraffic"]!["status"]!.GetValue<string>());
        Assert.Contains("HookCrashed", events["BeforeAllowTraffic"]!["diagnostics"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var log = sandbox.ControlAsync(HttpMethod.Get, "requests").GetAwaiter().GetResult()["requests"]!.AsArray();
        Assert.DoesNotContain(log, r => r!["region"]!.GetValue<string>() == Region && r["operation"]!.GetValue<string>() == "PutLifecycleEventHookExecutionStatus");

        // Traffic never moved.
        Assert.Equal("1", aws.Ok("lambda", "get-alias", "--function-name", "orders", "--name", "live")["FunctionVersion"]!.GetValue<string>());
    }

    private static string TempZip(string behaviour)
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, ReleaseTests.Zip(behaviour));
        return path;
    }

    /// <summary>Invokes with the CLI; returns its JSON output and the payload it wrote.</summary>
    private static (JsonNode Output, JsonNode Payload) Invoke(Aws aws, string function, string? qualifier)
    {
        var outFile = Path.GetTempFileName();
        try
        {
            var args = new List<string> { "lambda", "invoke", "--function-name", function };
            if (qualifier is not null)
            {
                args.AddRange(["--qualifier", qualifier]);
            }

            args.Add(outFile);
            var output = aws.Ok([.. args]);
            return (output, JsonNode.Parse(File.ReadAllText(outFile))!);
        }
        finally
        {
            OwnedPath.Delete(outFile);
        }
    }

    /// <summary>One invocation signed by hand, for the many a weight is judged on (a CLI process each would take minutes).</summary>
    private (int Status, string ExecutedVersion, string? FunctionError) InvokeSigned(string region, string function)
    {
        var body = "{}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{sandbox.Endpoint}/2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations") { Content = new ByteArrayContent(body) };
        RawSigner.Sign(request, body, "lambda", region);
        using var response = sandbox.Http.Send(request);
        var error = response.Headers.TryGetValues("X-Amz-Function-Error", out var errors) ? errors.Single() : null;
        var executed = response.Headers.TryGetValues("X-Amz-Executed-Version", out var versions) ? versions.Single() : string.Empty;
        return ((int)response.StatusCode, executed, error);
    }

    private static string? AlarmState(JsonNode region, string name) =>
        region["cloudwatch"]!["alarms"]!.AsArray().FirstOrDefault(a => a!["AlarmName"]!.GetValue<string>() == name)?["StateValue"]!.GetValue<string>();

    /// <summary>Each query's statistic over the two simulated hours around now, as one number (summed, should the window straddle two periods).</summary>
    private static Dictionary<string, double> MetricData(Aws aws, DateTime now, params (string Id, string Metric, string Stat, (string Name, string Value)[] Dimensions)[] queries)
    {
        var array = new JsonArray();
        foreach (var (id, metric, stat, dimensions) in queries)
        {
            array.Add(new JsonObject
            {
                ["Id"] = id,
                ["MetricStat"] = new JsonObject
                {
                    ["Metric"] = new JsonObject
                    {
                        ["Namespace"] = "AWS/Lambda",
                        ["MetricName"] = metric,
                        ["Dimensions"] = new JsonArray(dimensions.Select(d => (JsonNode?)new JsonObject { ["Name"] = d.Name, ["Value"] = d.Value }).ToArray()),
                    },
                    ["Period"] = 7200,
                    ["Stat"] = stat,
                },
            });
        }

        // One period that holds the whole test: a single value per query.
        var start = now.AddHours(-1);
        var data = aws.Ok("cloudwatch", "get-metric-data", "--metric-data-queries", array.ToJsonString(),
            "--start-time", start.ToString("O", CultureInfo.InvariantCulture), "--end-time", now.AddHours(1).ToString("O", CultureInfo.InvariantCulture));
        return data["MetricDataResults"]!.AsArray().ToDictionary(
            r => r!["Id"]!.GetValue<string>(),
            r => r!["Values"]!.AsArray().Select(v => v!.GetValue<double>()).Aggregate(0.0, (a, v) => a + v));
    }

    /// <summary>A timestamp as the CLI prints it: ISO 8601 text, or epoch seconds with some output settings.</summary>
    private static DateTimeOffset Time(JsonNode node) =>
        node.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(node.GetValue<double>() * 1000))
            : DateTimeOffset.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture);

    private static Dictionary<string, JsonNode> LifecycleEvents(Aws aws, string id) =>
        aws.Ok("deploy", "get-deployment-target", "--deployment-id", id, "--target-id", "orders:live")["deploymentTarget"]!["lambdaTarget"]!["lifecycleEvents"]!.AsArray()
            .ToDictionary(e => e!["lifecycleEventName"]!.GetValue<string>(), e => e!);
}
