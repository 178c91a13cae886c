using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>A fleet seeded in one request, seen by the AWS CLI region by region; faults that hit one region only.</summary>
[Collection(SandboxCollection.Name)]
public sealed class FleetTests(SandboxFixture sandbox)
{
    // Regions no other test of the collection uses: what is seen in them is this class's alone.
    private const string East = "ap-southeast-4";
    private const string West = "ca-west-1";

    private (HttpStatusCode Status, JsonNode Body) Post(string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, sandbox.Endpoint + "/_sandbox/" + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = sandbox.Http.Send(request);
        return (response.StatusCode, JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult())!);
    }

    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(a => a!.GetValue<string>()).ToArray();

    [Fact]
    public void A_fleet_lands_in_its_regions_each_seeing_only_its_own_targets()
    {
        var prefix = "f" + Guid.NewGuid().ToString("N")[..6];
        var (status, fleet) = Post("fleet", $$"""{"ecsServices": 4, "lambdaFunctions": 4, "regions": ["{{East}}", "{{West}}"], "prefix": "{{prefix}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var targets = fleet["targets"]!.AsArray().Select(t => t!.AsObject()).ToList();
        Assert.Equal(8, targets.Count);
        // Each region gets both kinds of controller.
        foreach (var region in new[] { East, West })
        {
            var services = targets.Where(t => t.Str("kind") == "EcsService" && t.Str("region") == region).ToList();
            Assert.Equal(["CODE_DEPLOY", "ECS"], services.Select(s => s.Str("deploymentController")!).Order(StringComparer.Ordinal));
            var functions = targets.Where(t => t.Str("kind") == "LambdaAlias" && t.Str("region") == region).ToList();
            Assert.Equal(["CodeDeploy", "Module"], functions.Select(s => s.Str("controller")!).Order(StringComparer.Ordinal));
        }

        var east = new Aws(sandbox, East);
        var eastServices = Strings(east.Ok("ecs", "list-services", "--cluster", prefix)["serviceArns"]);
        Assert.Equal(
            targets.Where(t => t.Str("kind") == "EcsService" && t.Str("region") == East).Select(t => $"arn:aws:ecs:{East}:000000000000:service/{prefix}/{t.Str("service")}").Order(StringComparer.Ordinal),
            eastServices.Order(StringComparer.Ordinal));
        var westFunctions = new Aws(sandbox, West).Ok("lambda", "list-functions")["Functions"]!.AsArray()
            .Select(f => f!["FunctionName"]!.GetValue<string>()).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(targets.Where(t => t.Str("kind") == "LambdaAlias" && t.Str("region") == West).Select(t => t.Str("functionName")!).Order(StringComparer.Ordinal), westFunctions);

        // What a target says is true: its alias is on blue, its CodeDeploy group exists, its listener serves blue.
        var function = targets.First(t => t.Str("kind") == "LambdaAlias" && t.Str("region") == East && t.Str("controller") == "CodeDeploy");
        var alias = east.Ok("lambda", "get-alias", "--function-name", function.Str("functionName")!, "--name", "live");
        Assert.Equal(function.Str("blueVersion"), alias["FunctionVersion"]!.GetValue<string>());
        var service = targets.First(t => t.Str("kind") == "EcsService" && t.Str("region") == East && t.Str("deploymentController") == "CODE_DEPLOY");
        var group = east.Ok("deploy", "get-deployment-group", "--application-name", service.Str("application")!, "--deployment-group-name", service.Str("deploymentGroup")!);
        Assert.Equal(service.Str("service"), group["deploymentGroupInfo"]!["ecsServices"]![0]!["serviceName"]!.GetValue<string>());
        sandbox.WaitForState(East, r => r["ecs"]!.ToJsonString().Contains($"{service.Str("service")}:1", StringComparison.Ordinal), "the fleet service's task", 30);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage answer;
        while ((answer = sandbox.Http.GetAsync(service.Str("productionUrl")).GetAwaiter().GetResult()).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        Assert.Equal(service.Str("blueTaskDefinition"), answer.Headers.GetValues("X-Sandbox-Task-Definition").Single());
    }

    [Fact]
    public void A_fleet_that_cannot_be_made_is_refused_saying_why()
    {
        var (status, body) = Post("fleet", """{"ecsServices": 2, "regions": ["Mars"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("as AWS spells them", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        (status, body) = Post("fleet", """{"ecsServices": 400, "lambdaFunctions": 101}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 500 targets", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Throttling_injected_for_one_region_and_service_leaves_the_others_alone()
    {
        sandbox.ControlAsync(HttpMethod.Put, "faults", $$"""{"service": "codedeploy", "region": "{{West}}", "throttleRate": 1}""").GetAwaiter().GetResult();
        sandbox.ControlAsync(HttpMethod.Put, "faults", $$"""{"service": "lambda", "region": "{{West}}", "throttleRate": 1}""").GetAwaiter().GetResult();
        var since = sandbox.ControlAsync(HttpMethod.Get, "requests?since=999999999999").GetAwaiter().GetResult()["lastSequence"]!.GetValue<long>();
        try
        {
            new Aws(sandbox, West).Run("deploy", "list-applications").AssertServiceError("ThrottlingException");
            new Aws(sandbox, West).Run("lambda", "list-functions").AssertServiceError("TooManyRequestsException");
            new Aws(sandbox, East).Ok("deploy", "list-applications");
            new Aws(sandbox, West).Ok("ecs", "list-clusters");
        }
        finally
        {
            sandbox.ControlAsync(HttpMethod.Delete, "faults").GetAwaiter().GetResult();
        }

        var log = sandbox.ControlAsync(HttpMethod.Get, $"requests?since={since}").GetAwaiter().GetResult()["requests"]!.AsArray()
            .Where(e => e!["source"]!.GetValue<string>() == "http").Select(e => $"{e!["service"]} {e["region"]} {e["status"]} {e["errorCode"]}").ToList();
        Assert.Equal([$"codedeploy {West} 400 ThrottlingException", $"lambda {West} 429 TooManyRequestsException", $"codedeploy {East} 200 ", $"ecs {West} 200 "], log);
    }

    [Fact]
    public void A_throttle_rate_throttles_about_that_share_of_the_calls()
    {
        // Signed requests straight from this process: two hundred CLI processes would cost a minute for one number.
        sandbox.ControlAsync(HttpMethod.Put, "faults", $$"""{"service": "ecs", "operation": "ListClusters", "region": "{{East}}", "throttleRate": 0.5}""").GetAwaiter().GetResult();
        var throttled = 0;
        try
        {
            for (var i = 0; i < 200; i++)
            {
                var body = "{}"u8.ToArray();
                using var request = new HttpRequestMessage(HttpMethod.Post, sandbox.Endpoint + "/") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
                request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters");
                RawSigner.Sign(request, body, "ecs", East);
                using var response = sandbox.Http.Send(request);
                if (response.StatusCode == HttpStatusCode.BadRequest && response.Headers.GetValues("x-amzn-ErrorType").Single() == "ThrottlingException")
                {
                    throttled++;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }
        }
        finally
        {
            sandbox.ControlAsync(HttpMethod.Delete, "faults").GetAwaiter().GetResult();
        }

        // 100 expected; 60 and 140 are more than five standard deviations away.
        Assert.InRange(throttled, 60, 140);
    }
}

internal static class FleetJson
{
    public static string? Str(this JsonObject node, string name) => node[name]?.GetValue<string>();
}
