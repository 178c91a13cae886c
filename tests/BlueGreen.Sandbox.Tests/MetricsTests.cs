using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>
/// CloudWatch metrics made by the sandbox's own traffic (the traffic generator's requests to a listener during a canary,
/// its invocations of a weighted alias), read back with the AWS CLI, and the alarm that follows them. Each test works in
/// its own region of a sandbox of its own.
/// </summary>
[Collection(MetricsSandboxCollection.Name)]
public sealed class MetricsTests(SandboxFixture sandbox)
{
    private const string Elb = "AWS/ApplicationELB";

    [Fact]
    public void Canary_traffic_gives_metrics_per_target_group_and_its_5xx_alarm_undoes_the_release()
    {
        const string Region = "eu-west-3";
        var summary = sandbox.ControlAsync(HttpMethod.Post, "seed?region=" + Region).GetAwaiter().GetResult();
        var port = new Uri(summary["productionListener"]!["url"]!.GetValue<string>()).Port;
        var elb = sandbox.WaitForState(Region, _ => true, "The seeded state")["elbv2"]!;
        var lbArn = elb["loadBalancers"]!.AsArray().Single(l => l!["LoadBalancerName"]!.GetValue<string>() == "web-alb")!["LoadBalancerArn"]!.GetValue<string>();
        string GroupArn(string name) => elb["targetGroups"]!.AsArray().Single(g => g!["TargetGroupName"]!.GetValue<string>() == name)!["TargetGroupArn"]!.GetValue<string>();
        var lb = lbArn[lbArn.IndexOf("app/", StringComparison.Ordinal)..];
        var blue = GroupArn("web-blue")[GroupArn("web-blue").IndexOf("targetgroup/", StringComparison.Ordinal)..];
        var green = GroupArn("web-green")[GroupArn("web-green").IndexOf("targetgroup/", StringComparison.Ordinal)..];
        var aws = new Aws(sandbox, Region);

        // A green that fails every request, 40 ms slower than blue's 5, on a canary of 10% for 15 minutes (15 s at 60x).
        sandbox.SetTimeScale(60);
        aws.Ok("ecs", "register-task-definition", "--family", "web", "--network-mode", "awsvpc", "--requires-compatibilities", "FARGATE", "--cpu", "256", "--memory", "512",
            "--container-definitions", """[{"name":"web","image":"public.ecr.aws/sandbox/web:3.0-broken","portMappings":[{"containerPort":80}],"environment":[{"name":"SANDBOX_LATENCY_MS","value":"40"}]}]""");
        var id = aws.Ok("deploy", "create-deployment", "--application-name", "web", "--deployment-group-name", "web-dg",
            "--deployment-config-name", "CodeDeployDefault.ECSCanary10Percent15Minutes", "--revision", EcsEnvironment.Revision("web:3"))["deploymentId"]!.GetValue<string>();
        var listenerArn = summary["productionListener"]!["arn"]!.GetValue<string>();
        sandbox.WaitForState(Region, r => ProductionWeight(r, listenerArn, GroupArn("web-green")) == 10, "The canary's 10% on green");

        // Simulated time is held while the traffic runs and the CLI reads, so the canary and the seed's alarm on 5XX wait.
        sandbox.HoldClock();
        var run = RunTraffic($$"""{"target":{{port}},"rate":100,"count":400}""");
        Assert.Equal((400, 0), (run["answered"]!.GetValue<int>(), run["failed"]!.GetValue<int>()));
        var greenAnswers = run["targetGroups"]!["web-green"]!.GetValue<int>();
        var blueAnswers = run["targetGroups"]!["web-blue"]!.GetValue<int>();
        Assert.InRange(greenAnswers, 15, 70);
        Assert.Equal(greenAnswers, run["statuses"]!["500"]!.GetValue<int>());

        var now = sandbox.VirtualTime();
        var byGroup = (string group) => new[] { ("LoadBalancer", lb), ("TargetGroup", group) };
        var data = aws.Ok("cloudwatch", "get-metric-data", "--start-time", Iso(now.AddHours(-1)), "--end-time", Iso(now.AddHours(1)), "--metric-data-queries", Queries(
            Stat("blue", Elb, "RequestCount", "Sum", 60, byGroup(blue)),
            Stat("green", Elb, "RequestCount", "Sum", 60, byGroup(green)),
            Stat("all", Elb, "RequestCount", "Sum", 60, ("LoadBalancer", lb)),
            Stat("green5xx", Elb, "HTTPCode_Target_5XX_Count", "Sum", 60, byGroup(green)),
            Stat("blue5xx", Elb, "HTTPCode_Target_5XX_Count", "Sum", 60, byGroup(blue)),
            Stat("blue2xx", Elb, "HTTPCode_Target_2XX_Count", "Sum", 60, byGroup(blue)).Also("ReturnData", false),
            Stat("bluelatency", Elb, "TargetResponseTime", "p50", 60, byGroup(blue)),
            Stat("greenlatency", Elb, "TargetResponseTime", "Minimum", 60, byGroup(green)),
            new JsonObject { ["Id"] = "errorrate", ["Expression"] = "100 * green5xx / green", ["Label"] = "green 5XX %" },
            new JsonObject { ["Id"] = "errors", ["Expression"] = "FILL(blue5xx, 0) + green5xx" },
            new JsonObject { ["Id"] = "blueok", ["Expression"] = "blue2xx / blue" }))["MetricDataResults"]!.AsArray();

        // Everything was answered in one held minute: one datapoint per query that has data, none where there is none.
        var values = data.ToDictionary(r => r!["Id"]!.GetValue<string>(), r => r!["Values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray());
        Assert.DoesNotContain("blue2xx", values.Keys);
        Assert.Equal(blueAnswers, Single(values["blue"]));
        Assert.Equal(greenAnswers, Single(values["green"]));
        Assert.Equal(400, Single(values["all"]));
        Assert.Equal(greenAnswers, Single(values["green5xx"]));
        Assert.Empty(values["blue5xx"]);
        Assert.Equal(100, Single(values["errorrate"]));
        Assert.Equal(greenAnswers, Single(values["errors"]));
        Assert.Equal(1, Single(values["blueok"]));
        Assert.True(Single(values["greenlatency"]) >= 0.040, $"Green's fastest answer took {Single(values["greenlatency"])} s; its tasks wait 40 ms.");
        Assert.True(Single(values["bluelatency"]) >= 0.005 && Single(values["bluelatency"]) < 0.040, $"Blue's median answer took {Single(values["bluelatency"])} s; its tasks wait 5 ms.");
        var labels = data.ToDictionary(r => r!["Id"]!.GetValue<string>(), r => r!["Label"]!.GetValue<string>());
        Assert.Equal(("RequestCount", "green 5XX %"), (labels["green"], labels["errorrate"]));
        Assert.All(data, r => Assert.Equal("Complete", r!["StatusCode"]!.GetValue<string>()));

        var listed = aws.Ok("cloudwatch", "list-metrics", "--namespace", Elb, "--dimensions", $"Name=TargetGroup,Value={green}")["Metrics"]!.AsArray();
        Assert.Equal(["HTTPCode_Target_5XX_Count", "RequestCount", "TargetResponseTime"], listed.Select(m => m!["MetricName"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(listed, m => Assert.Equal(
            [("LoadBalancer", lb), ("TargetGroup", green)],
            m!["Dimensions"]!.AsArray().Select(d => (d!["Name"]!.GetValue<string>(), d["Value"]!.GetValue<string>()))));

        // Time runs again: the seed's alarm (more than 5 5XX a minute on the load balancer) fires from those answers and the
        // release is undone; a minute without errors later, it is OK again.
        sandbox.SetTimeScale(60);
        var stopped = aws.WaitForDeployment(id, d => d["status"]!.GetValue<string>() is "Stopped" or "Failed" or "Succeeded");
        Assert.Equal(("Stopped", "ALARM_ACTIVE"), (stopped["status"]!.GetValue<string>(), stopped["errorInformation"]!["code"]!.GetValue<string>()));
        Assert.Contains("web-5xx", stopped["errorInformation"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        sandbox.WaitForState(Region, r => AlarmState(r, "web-5xx") == "OK", "The alarm settling once the errors stop");
        var alarm = aws.Ok("cloudwatch", "describe-alarms", "--alarm-names", "web-5xx")["MetricAlarms"]![0]!;
        Assert.Equal("OK", alarm["StateValue"]!.GetValue<string>());
        Assert.Contains("0 out of the last 1", alarm["StateReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Alias_traffic_gives_invocations_errors_and_duration_per_executed_version_and_fires_an_alarm_on_metric_math()
    {
        const string Region = "ap-southeast-2";
        sandbox.ControlAsync(HttpMethod.Post, "seed?region=" + Region).GetAwaiter().GetResult();
        sandbox.SetTimeScale(60);
        var aws = new Aws(sandbox, Region);

        // Half of payments:live to version 3, which fails every invocation, and an alarm on the alias's error rate in
        // percent (metric math) that stays in ALARM for half an hour (30 s at 60x) after one breaching minute.
        aws.Ok("lambda", "update-alias", "--function-name", "payments", "--name", "live", "--routing-config", """{"AdditionalVersionWeights":{"3":0.5}}""");
        var rate = new JsonArray(
            new JsonObject { ["Id"] = "rate", ["Expression"] = "100*errors/invocations", ["Label"] = "payments:live errors %" },
            Stat("errors", "AWS/Lambda", "Errors", "Sum", 60, ("FunctionName", "payments"), ("Resource", "payments:live")).Also("ReturnData", false),
            Stat("invocations", "AWS/Lambda", "Invocations", "Sum", 60, ("FunctionName", "payments"), ("Resource", "payments:live")).Also("ReturnData", false));
        aws.Ok("cloudwatch", "put-metric-alarm", "--alarm-name", "payments-error-rate", "--metrics", rate.ToJsonString(), "--threshold", "10",
            "--comparison-operator", "GreaterThanThreshold", "--evaluation-periods", "30", "--datapoints-to-alarm", "1", "--treat-missing-data", "missing");
        var run = RunTraffic($$$"""{"target":{"function":"payments","qualifier":"live","region":"{{{Region}}}"},"rate":200,"count":200,"payload":{"order":1}}""");
        var one = run["versions"]!["1"]!.GetValue<int>();
        var three = run["versions"]!["3"]!.GetValue<int>();
        Assert.Equal((200, 200, three), (one + three, run["answered"]!.GetValue<int>(), run["functionErrors"]!.GetValue<int>()));
        Assert.InRange(three, 60, 140);

        sandbox.WaitForState(Region, r => AlarmState(r, "payments-error-rate") == "ALARM", "The alarm on the error rate");
        var alarm = aws.Ok("cloudwatch", "describe-alarms", "--alarm-names", "payments-error-rate")["MetricAlarms"]![0]!;
        Assert.Equal("ALARM", alarm["StateValue"]!.GetValue<string>());
        Assert.Contains("out of the last 30 datapoints were breaching the threshold (10)", alarm["StateReason"]!.GetValue<string>(), StringComparison.Ordinal);

        // One period covers the whole run (at 60x, its second is a simulated minute).
        var start = DateTimeOffset.Parse(run["startTime"]!.GetValue<string>(), CultureInfo.InvariantCulture).AddMinutes(-30);
        var end = DateTimeOffset.Parse(run["endTime"]!.GetValue<string>(), CultureInfo.InvariantCulture).AddMinutes(30);
        (string, string)[] live = [("FunctionName", "payments"), ("Resource", "payments:live")];
        (string, string)[] Version(string v) => [.. live, ("ExecutedVersion", v)];
        var data = aws.Ok("cloudwatch", "get-metric-data", "--start-time", Iso(start), "--end-time", Iso(end), "--scan-by", "TimestampAscending", "--metric-data-queries", Queries(
            Stat("inv1", "AWS/Lambda", "Invocations", "Sum", 86400, Version("1")),
            Stat("inv3", "AWS/Lambda", "Invocations", "Sum", 86400, Version("3")),
            Stat("err1", "AWS/Lambda", "Errors", "Sum", 86400, Version("1")),
            Stat("err3", "AWS/Lambda", "Errors", "Sum", 86400, Version("3")),
            Stat("dur3", "AWS/Lambda", "Duration", "Minimum", 86400, Version("3")),
            Stat("throttles", "AWS/Lambda", "Throttles", "Sum", 86400, live),
            Stat("alias", "AWS/Lambda", "Invocations", "Sum", 86400, live),
            Stat("function", "AWS/Lambda", "Invocations", "Sum", 86400, ("FunctionName", "payments")),
            new JsonObject { ["Id"] = "errorrate3", ["Expression"] = "100*err3/inv3" }))["MetricDataResults"]!.AsArray();
        var values = data.ToDictionary(r => r!["Id"]!.GetValue<string>(), r => Single(r!["Values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray()));
        Assert.Equal((one, three, 0, three), (values["inv1"], values["inv3"], values["err1"], values["err3"]));
        Assert.Equal((200, 200, 0, 100), (values["alias"], values["function"], values["throttles"], values["errorrate3"]));
        Assert.True(values["dur3"] >= 5, $"Version 3's shortest invocation took {values["dur3"]} ms; its sandbox.json says 5.");

        // The Query protocol (the AWS CLI v2's) gets the same answer as XML.
        var form = new Dictionary<string, string>
        {
            ["Action"] = "GetMetricData", ["Version"] = "2010-08-01", ["StartTime"] = Iso(start), ["EndTime"] = Iso(end),
            ["MetricDataQueries.member.1.Id"] = "inv3",
            ["MetricDataQueries.member.1.MetricStat.Metric.Namespace"] = "AWS/Lambda",
            ["MetricDataQueries.member.1.MetricStat.Metric.MetricName"] = "Invocations",
            ["MetricDataQueries.member.1.MetricStat.Period"] = "86400",
            ["MetricDataQueries.member.1.MetricStat.Stat"] = "Sum",
        };
        foreach (var (i, (name, value)) in Version("3").Index())
        {
            form[$"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.{i + 1}.Name"] = name;
            form[$"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.{i + 1}.Value"] = value;
        }

        var body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, sandbox.Endpoint + "/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        RawSigner.Sign(request, body, "monitoring", Region);
        using var response = sandbox.Http.Send(request);
        var xml = System.Xml.Linq.XDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = xml.Descendants().Single(e => e.Name.LocalName == "MetricDataResults").Elements().Single();
        string Member(string name) => result.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal(("inv3", "Complete"), (Member("Id"), Member("StatusCode")));
        Assert.Equal(three.ToString(CultureInfo.InvariantCulture), result.Elements().Single(e => e.Name.LocalName == "Values").Elements().Single().Value);
    }

    [Fact]
    public void Dashboards_are_kept_per_account_listed_by_prefix_and_refused_as_cloudwatch_refuses()
    {
        var east = new Aws(sandbox, "ap-south-1");
        var west = new Aws(sandbox, "ap-south-2");
        var name = "bluegreen-train-" + Guid.NewGuid().ToString("N")[..12];
        const string Body = """{"widgets":[{"type":"text","x":0,"y":0,"width":24,"height":2,"properties":{"markdown":"# train"}}]}""";
        Assert.Empty(east.Ok("cloudwatch", "put-dashboard", "--dashboard-name", name, "--dashboard-body", Body)["DashboardValidationMessages"]?.AsArray() ?? []);

        // Dashboards belong to the account: another region reads the same one.
        var read = west.Ok("cloudwatch", "get-dashboard", "--dashboard-name", name);
        Assert.Equal(name, read["DashboardName"]!.GetValue<string>());
        Assert.Equal(Body, read["DashboardBody"]!.GetValue<string>());
        Assert.Equal($"arn:aws:cloudwatch::000000000000:dashboard/{name}", read["DashboardArn"]!.GetValue<string>());
        var listed = west.Ok("cloudwatch", "list-dashboards", "--dashboard-name-prefix", name[..20])["DashboardEntries"]!.AsArray();
        var entry = listed.Single(e => e!["DashboardName"]!.GetValue<string>() == name)!;
        Assert.Equal(Body.Length, entry["Size"]!.GetValue<long>());
        Assert.Empty(west.Ok("cloudwatch", "list-dashboards", "--dashboard-name-prefix", "nothing-")["DashboardEntries"]!.AsArray());

        east.Run("cloudwatch", "put-dashboard", "--dashboard-name", name, "--dashboard-body", """{"nowidgets":[]}""").AssertServiceError("InvalidParameterInput");
        east.Run("cloudwatch", "put-dashboard", "--dashboard-name", "bad name", "--dashboard-body", Body).AssertServiceError("InvalidParameterInput");
        east.Run("cloudwatch", "put-dashboard", "--dashboard-name", name, "--dashboard-body", """{"widgets":[{"type":"text","properties":{}}]}""").AssertServiceError("InvalidParameterInput");
        east.Run("cloudwatch", "delete-dashboards", "--dashboard-names", name, name + "-missing").AssertServiceError("ResourceNotFound");
        Assert.Equal(Body, east.Ok("cloudwatch", "get-dashboard", "--dashboard-name", name)["DashboardBody"]!.GetValue<string>());

        east.Ok("cloudwatch", "delete-dashboards", "--dashboard-names", name);
        west.Run("cloudwatch", "get-dashboard", "--dashboard-name", name).AssertServiceError("ResourceNotFound");
    }

    [Fact]
    public void Get_metric_data_refuses_what_cloudwatch_refuses()
    {
        var aws = new Aws(sandbox, "sa-east-1");
        var now = DateTimeOffset.UtcNow;
        CliResult Get(params JsonObject[] queries) => aws.Run("cloudwatch", "get-metric-data", "--start-time", Iso(now.AddHours(-1)), "--end-time", Iso(now), "--metric-data-queries", Queries(queries));

        var duplicate = Get(Stat("m1", Elb, "RequestCount", "Sum", 60), Stat("m1", Elb, "RequestCount", "Average", 60));
        duplicate.AssertServiceError("ValidationError");
        Assert.Contains("The values for parameter id in MetricDataQueries are not unique.", duplicate.Stderr, StringComparison.Ordinal);

        var bad = Get(Stat("m1", Elb, "RequestCount", "Sum", 45), Stat("m2", Elb, "RequestCount", "Median", 60));
        bad.AssertServiceError("ValidationError");
        Assert.Contains("The value 45 for parameter MetricDataQueries.member.1.MetricStat.Period is not valid", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("The value Median for parameter MetricDataQueries.member.2.MetricStat.Stat is not a valid statistic.", bad.Stderr, StringComparison.Ordinal);

        var expression = Get(Stat("m1", Elb, "RequestCount", "Sum", 60), new JsonObject { ["Id"] = "e1", ["Expression"] = "ANOMALY_DETECTION_BAND(m1)" });
        expression.AssertServiceError("ValidationError");
        Assert.Contains("The function ANOMALY_DETECTION_BAND is not supported.", expression.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Traffic_runs_are_started_listed_and_stopped_and_bad_ones_refused()
    {
        const string Region = "ca-central-1";
        var summary = sandbox.ControlAsync(HttpMethod.Post, "seed?region=" + Region).GetAwaiter().GetResult();
        var url = summary["productionListener"]!["url"]!.GetValue<string>();
        var started = sandbox.ControlAsync(HttpMethod.Post, "traffic", $$"""{"target":"{{url}}health","rate":50,"duration":600}""").GetAwaiter().GetResult();
        var id = started["id"]!.GetValue<string>();
        Assert.Equal("running", started["state"]!.GetValue<string>());
        Assert.Contains(sandbox.ControlAsync(HttpMethod.Get, "traffic").GetAwaiter().GetResult()["traffic"]!.AsArray(), r => r!["id"]!.GetValue<string>() == id && r["state"]!.GetValue<string>() == "running");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sandbox.ControlAsync(HttpMethod.Get, "traffic/" + id).GetAwaiter().GetResult()["answered"]!.GetValue<int>() < 20 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        var stopped = sandbox.ControlAsync(HttpMethod.Delete, "traffic/" + id).GetAwaiter().GetResult();
        Assert.Equal("stopped", stopped["state"]!.GetValue<string>());
        var sent = stopped["sent"]!.GetValue<int>();
        Assert.InRange(sent, 20, 2000);
        Assert.Equal((sent, 0), (stopped["answered"]!.GetValue<int>(), stopped["failed"]!.GetValue<int>()));
        Assert.Equal(sent, stopped["statuses"]!["200"]!.GetValue<int>());
        Assert.Equal(sent, stopped["targetGroups"]!["web-blue"]!.GetValue<int>());
        Thread.Sleep(200);
        Assert.Equal(sent, sandbox.ControlAsync(HttpMethod.Get, "traffic/" + id).GetAwaiter().GetResult()["sent"]!.GetValue<int>());

        Assert.Contains("rate", Refused(HttpMethod.Post, "traffic", $$"""{"target":"{{url}}","rate":0}""", 400), StringComparison.Ordinal);
        Assert.Contains("No listener of this sandbox", Refused(HttpMethod.Post, "traffic", """{"target":"http://192.0.2.1:80/","rate":1}""", 400), StringComparison.Ordinal);
        Assert.Contains("no function nope", Refused(HttpMethod.Post, "traffic", $$$"""{"target":{"function":"nope","region":"{{{Region}}}"},"rate":1}""", 400), StringComparison.Ordinal);
        Assert.Contains("Unknown member 'rps'", Refused(HttpMethod.Post, "traffic", $$"""{"target":"{{url}}","rps":1}""", 400), StringComparison.Ordinal);
        Assert.Contains("no traffic run", Refused(HttpMethod.Delete, "traffic/traffic-999", null, 404), StringComparison.Ordinal);
    }

    /// <summary>Starts a run through the control API and returns it once it has ended.</summary>
    private JsonNode RunTraffic(string spec)
    {
        var run = sandbox.ControlAsync(HttpMethod.Post, "traffic", spec).GetAwaiter().GetResult();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (run["state"]!.GetValue<string>() == "running" && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            run = sandbox.ControlAsync(HttpMethod.Get, "traffic/" + run["id"]!.GetValue<string>()).GetAwaiter().GetResult();
        }

        Assert.Equal("finished", run["state"]!.GetValue<string>());
        return run;
    }

    private string Refused(HttpMethod method, string path, string? body, int status)
    {
        using var request = new HttpRequestMessage(method, $"{sandbox.Endpoint}/_sandbox/{path}");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = sandbox.Http.Send(request);
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["error"]!.GetValue<string>();
    }

    private static double Single(double[] values) => Assert.Single(values);

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Stat(string id, string ns, string metric, string stat, int period, params (string Name, string Value)[] dimensions) => new()
    {
        ["Id"] = id,
        ["MetricStat"] = new JsonObject
        {
            ["Metric"] = new JsonObject
            {
                ["Namespace"] = ns,
                ["MetricName"] = metric,
                ["Dimensions"] = new JsonArray([.. dimensions.Select(d => (JsonNode?)new JsonObject { ["Name"] = d.Name, ["Value"] = d.Value })]),
            },
            ["Period"] = period,
            ["Stat"] = stat,
        },
    };

    private static string Queries(params JsonObject[] queries) => new JsonArray([.. queries]).ToJsonString();

    private static int ProductionWeight(JsonNode region, string listenerArn, string groupArn)
    {
        var listener = region["elbv2"]!["listeners"]!.AsArray().Single(l => l!["ListenerArn"]!.GetValue<string>() == listenerArn)!;
        return listener["DefaultActions"]![0]!["ForwardConfig"]?["TargetGroups"]?.AsArray()
            .Where(g => g!["TargetGroupArn"]!.GetValue<string>() == groupArn).Select(g => g!["Weight"]!.GetValue<int>()).FirstOrDefault() ?? 0;
    }

    private static string? AlarmState(JsonNode region, string name) =>
        region["cloudwatch"]!["alarms"]!.AsArray().FirstOrDefault(a => a!["AlarmName"]!.GetValue<string>() == name)?["StateValue"]!.GetValue<string>();
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject json, string name, JsonNode? value)
    {
        json[name] = value;
        return json;
    }
}
