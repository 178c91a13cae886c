using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>Injected faults as the AWS CLI meets them: answers lost after the operation ran, latency drawn from a range,
/// rules that could never fire refused.</summary>
[Collection(SandboxCollection.Name)]
public sealed class FaultTests(SandboxFixture sandbox)
{
    private const string Region = "eu-west-3";

    private (HttpStatusCode Status, JsonNode Body) PutFault(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, sandbox.Endpoint + "/_sandbox/faults") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = sandbox.Http.Send(request);
        return (response.StatusCode, JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult())!);
    }

    private void ClearFaults() => sandbox.ControlAsync(HttpMethod.Delete, "faults").GetAwaiter().GetResult();

    private static string[] Revisions(Aws aws, string family) =>
        aws.Ok("ecs", "list-task-definitions", "--family-prefix", family)["taskDefinitionArns"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();

    private static CliResult Register(Aws aws, string family) =>
        aws.Run("ecs", "register-task-definition", "--family", family, "--container-definitions", """[{"name":"app","image":"public.ecr.aws/sandbox/web:1","memory":128}]""");

    [Fact]
    public void A_lost_answer_fails_the_call_but_the_revision_was_registered()
    {
        var aws = new Aws(sandbox, Region);
        var family = "lost-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Empty(Revisions(aws, family));
        sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"ecs","operation":"RegisterTaskDefinition","lostAnswerRate":1}""").GetAwaiter().GetResult();
        CliResult lost;
        try
        {
            lost = Register(aws, family);
        }
        finally
        {
            ClearFaults();
        }

        Assert.True(lost.ExitCode != 0, $"The CLI got an answer although it was to be lost: {lost.Stdout}");
        Assert.Single(Revisions(aws, family));

        // Lost as a 500: the CLI reads AWS's error, and the change is made all the same.
        sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"ecs","operation":"RegisterTaskDefinition","lostAnswerRate":1,"lostAnswerAs":"error"}""").GetAwaiter().GetResult();
        try
        {
            Register(aws, family).AssertServiceError("InternalFailure");
        }
        finally
        {
            ClearFaults();
        }

        Assert.Equal(2, Revisions(aws, family).Length);
        var log = sandbox.ControlAsync(HttpMethod.Get, "requests").GetAwaiter().GetResult()["requests"]!.AsArray();
        Assert.Equal(2, log.Count(e => e!["operation"]!.GetValue<string>() == "RegisterTaskDefinition" && e["errorCode"]?.GetValue<string>() == "AnswerLost"));
    }

    [Fact]
    public void A_drop_before_the_operation_changes_nothing()
    {
        var aws = new Aws(sandbox, Region);
        var family = "dropped-" + Guid.NewGuid().ToString("N")[..8];
        sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"ecs","operation":"RegisterTaskDefinition","dropRate":1}""").GetAwaiter().GetResult();
        try
        {
            Assert.True(Register(aws, family).ExitCode != 0);
        }
        finally
        {
            ClearFaults();
        }

        Assert.Empty(Revisions(aws, family));
    }

    [Fact]
    public void Latency_is_drawn_from_the_range_for_each_call_and_a_single_number_still_works()
    {
        var aws = new Aws(sandbox, Region);
        var set = sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"ecs","operation":"ListClusters","latencyMs":300,"latencyMaxMs":700}""").GetAwaiter().GetResult();
        Assert.Equal(300, set["latencyMs"]!.GetValue<int>());
        Assert.Equal(700, set["latencyMaxMs"]!.GetValue<int>());
        var since = sandbox.ControlAsync(HttpMethod.Get, "requests").GetAwaiter().GetResult()["lastSequence"]!.GetValue<long>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                aws.Ok("ecs", "list-clusters");
            }

            // A single number is a fixed delay, as before.
            sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"ecs","operation":"DescribeClusters","latencyMs":250}""").GetAwaiter().GetResult();
            aws.Ok("ecs", "describe-clusters", "--clusters", "default");
        }
        finally
        {
            ClearFaults();
        }

        var calls = sandbox.ControlAsync(HttpMethod.Get, $"requests?since={since}").GetAwaiter().GetResult()["requests"]!.AsArray();
        var listed = calls.Where(c => c!["operation"]!.GetValue<string>() == "ListClusters").Select(c => c!["durationMs"]!.GetValue<double>()).ToList();
        Assert.Equal(3, listed.Count);
        Assert.All(listed, ms => Assert.InRange(ms, 300, 700 + 500));
        Assert.InRange(calls.Single(c => c!["operation"]!.GetValue<string>() == "DescribeClusters")!["durationMs"]!.GetValue<double>(), 250, 250 + 500);
    }

    [Fact]
    public void A_rule_for_one_operation_of_every_service_matches_that_operation_only()
    {
        var aws = new Aws(sandbox, Region);
        sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"*","operation":"ListClusters","throttleRate":1}""").GetAwaiter().GetResult();
        try
        {
            aws.Run("ecs", "list-clusters").AssertServiceError("ThrottlingException");
            aws.Ok("ecs", "describe-clusters", "--clusters", "default");
        }
        finally
        {
            ClearFaults();
        }
    }

    [Fact]
    public void A_rule_with_times_fails_that_many_calls_and_then_lets_calls_through()
    {
        var aws = new Aws(sandbox, Region);
        sandbox.ControlAsync(HttpMethod.Put, "faults", """{"service":"ecs","operation":"ListClusters","throttleRate":1,"times":1}""").GetAwaiter().GetResult();
        try
        {
            aws.Run("ecs", "list-clusters").AssertServiceError("ThrottlingException");
            aws.Ok("ecs", "list-clusters");
            Assert.Equal(0, sandbox.ControlAsync(HttpMethod.Get, "faults").GetAwaiter().GetResult()["faults"]![0]!["timesLeft"]!.GetValue<int>());
        }
        finally
        {
            ClearFaults();
        }
    }

    [Theory]
    [InlineData("""{"service":"dynamodb","operation":"*","errorRate":1}""", "no service 'dynamodb'")]
    [InlineData("""{"service":"ecs","operation":"CreateDeployment","errorRate":1}""", "no operation 'CreateDeployment'")]
    [InlineData("""{"service":"ecs","operation":"registerTaskDefinition","errorRate":1}""", "did you mean 'RegisterTaskDefinition'")]
    [InlineData("""{"service":"*","operation":"PutItem","errorRate":1}""", "no operation 'PutItem'")]
    [InlineData("""{"service":"codedeploy","operation":"*","throttleRate":1.5}""", "throttleRate is 1.5")]
    [InlineData("""{"service":"codedeploy","operation":"*","dropRate":-0.1}""", "dropRate is -0.1")]
    [InlineData("""{"service":"codedeploy","operation":"*","lostAnswerRate":2}""", "lostAnswerRate is 2")]
    [InlineData("""{"service":"codedeploy","operation":"*","errorRate":"0.5"}""", "errorRate must be a number")]
    [InlineData("""{"service":"codedeploy","operation":"*","latencyMs":-5}""", "latencyMs is -5")]
    [InlineData("""{"service":"codedeploy","operation":"*","latencyMs":2000,"latencyMaxMs":1000}""", "latencyMaxMs (1000) is below latencyMs (2000)")]
    [InlineData("""{"service":"codedeploy","operation":"*","throtleRate":0.3}""", "Unknown fault member 'throtleRate'")]
    [InlineData("""{"service":"codedeploy","operation":"*","lostAnswerRate":1,"lostAnswerAs":"later"}""", "lostAnswerAs is 'later'")]
    [InlineData("""{"service":"codedeploy","operation":"*","errorRate":1,"times":0}""", "times is 0")]
    [InlineData("""{"service":"codedeploy","operation":"*"}""", "needs at least one of")]
    public void A_rule_that_could_never_fire_or_says_nothing_is_refused(string body, string says)
    {
        ClearFaults();
        var (status, answer) = PutFault(body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(says, answer["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(sandbox.ControlAsync(HttpMethod.Get, "faults").GetAwaiter().GetResult()["faults"]!.AsArray());
    }
}
