using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Runtime;

/// <summary>The rate budget every release in a process shares per service and region: a burst spread over time against
/// moto, throttling ridden out and slowing every caller of the budget against a server that throttles on purpose.</summary>
[Collection(MotoGroup.Name)]
public sealed class RateBudgetTests(MotoServer moto)
{
    private const string Deployment = "{\"deploymentInfo\":{\"deploymentId\":\"d-BUDGET\",\"status\":\"InProgress\"}}";

    [Fact]
    public async Task A_burst_of_concurrent_calls_is_spread_at_the_budgets_rate()
    {
        // A region no other test uses against moto: the budget is this test's alone.
        const string region = "ap-northeast-3";
        var context = moto.Context(region);
        var budget = AwsRateBudget.Configure(new Uri(moto.Url), "ecs", region, new AwsRateLimit(10, 5));
        var client = new EcsClient(context);

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => client.DescribeClustersAsync(new DescribeClustersRequest { Clusters = ["default"] })));
        clock.Stop();

        Assert.All(answers, a => Assert.NotNull(a.Failures ?? (object?)a.Clusters));
        Assert.Equal(25, budget.Calls);
        // Five go at once (the burst), twenty wait for tokens refilled at ten a second: two seconds at least.
        Assert.Equal(20, budget.Delayed);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"25 calls with a budget of 10/s and a burst of 5 took only {clock.Elapsed}");
        Assert.Equal(0, budget.Throttles);
    }

    [Fact]
    public async Task Throttled_calls_are_retried_and_the_throttle_slows_every_caller_of_the_budget()
    {
        using var server = new ScriptedHttpServer().RespondError(400, "ThrottlingException").RespondError(429, "TooManyRequestsException");
        for (var i = 0; i < 30; i++)
        {
            server.Respond(200, Deployment);
        }

        // Two releases, each with its own client and context, share one budget: same endpoint, service and region.
        var budget = AwsRateBudget.Configure(new Uri(server.Url), "codedeploy", "us-east-1", new AwsRateLimit(40, 4));
        var first = new CodeDeployClient(server.Context(maxAttempts: 5));
        var second = new CodeDeployClient(server.Context(maxAttempts: 5));
        var calls = Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? first : second).GetDeploymentAsync(new GetDeploymentRequest { DeploymentId = "d-BUDGET" }));
        var answers = await Task.WhenAll(calls);

        Assert.All(answers, a => Assert.Equal("d-BUDGET", a.DeploymentInfo!.DeploymentId));
        Assert.Equal(32, server.Requests.Count);
        Assert.Equal(2, budget.Throttles);
        // After the throttle, the others went at the slower rate: the last 20 requests span more than at 40/s (0.5 s).
        var times = server.Requests.Select(r => r.ReceivedAt).OrderBy(t => t).ToArray();
        var span = times[^1] - times[^20];
        Assert.True(span >= TimeSpan.FromSeconds(0.6), $"20 calls after the throttle arrived within {span.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void One_budget_per_endpoint_service_and_region_with_AWS_limits_only_where_they_are_AWS_s()
    {
        var aws = new Uri("https://ecs.eu-central-2.amazonaws.com");
        var ecs = AwsRateBudget.For(aws, "ecs", "eu-central-2", customEndpoint: false, _ => null)!;
        Assert.Same(ecs, AwsRateBudget.For(aws, "ecs", "eu-central-2", customEndpoint: false, _ => null));
        Assert.NotSame(ecs, AwsRateBudget.For(new Uri("https://ecs.eu-central-1.amazonaws.com"), "ecs", "eu-central-1", customEndpoint: false, _ => null));
        Assert.NotSame(ecs, AwsRateBudget.For(new Uri("https://lambda.eu-central-2.amazonaws.com"), "lambda", "eu-central-2", customEndpoint: false, _ => null));
        Assert.Equal(AwsRateBudget.AwsLimits["ecs"], ecs.Limit);

        // A sandbox or an emulator has its own limits: unlimited until it throttles, unless AWS's are asked for.
        var sandbox = new Uri("http://127.0.0.1:1");
        Assert.True(AwsRateBudget.For(sandbox, "ecs", "eu-central-2", customEndpoint: true, _ => null)!.Limit.IsUnlimited);
        Assert.Equal(AwsRateBudget.AwsLimits["ecs"], AwsRateBudget.For(sandbox, "ecs", "eu-central-2", customEndpoint: true, n => n == "BLUEGREEN_RATE_BUDGET" ? "aws" : null)!.Limit);
        Assert.Null(AwsRateBudget.For(sandbox, "ecs", "eu-central-2", customEndpoint: true, n => n == "BLUEGREEN_RATE_BUDGET" ? "off" : null));
        Assert.False(AwsRateBudget.Counts("lambda", "Invoke"));
        Assert.True(AwsRateBudget.Counts("lambda", "UpdateAlias"));
    }

    [Fact]
    public async Task An_unlimited_budget_learns_the_rate_a_service_refused_and_grows_back()
    {
        var now = 100.0;
        var budget = new AwsRateBudget("ecs", "us-east-1", "http://127.0.0.1:2", AwsRateLimit.Unlimited, () => now);
        for (var i = 0; i < 40; i++)
        {
            await budget.AcquireAsync(default);
        }

        Assert.Equal(0, budget.Delayed);
        budget.OnThrottled();
        Assert.Equal(20, budget.CurrentPerSecond, 3);
        budget.OnThrottled(); // the same instant: one signal
        Assert.Equal(20, budget.CurrentPerSecond, 3);
        now += 2;
        Assert.Equal(80, budget.CurrentPerSecond, 3);
        now += 20;
        Assert.True(budget.CurrentPerSecond > 10_000);
    }

    [Fact]
    public async Task A_throttle_makes_the_callers_already_waiting_wait_longer()
    {
        var now = 100.0;
        var budget = new AwsRateBudget("codedeploy", "us-east-1", "http://127.0.0.1:3", new AwsRateLimit(40, 4), () => now);
        for (var i = 0; i < 4; i++)
        {
            await budget.AcquireAsync(default);
        }

        Assert.Equal(40, budget.CurrentPerSecond, 3);
        budget.OnThrottled();
        Assert.Equal(20, budget.CurrentPerSecond, 3);
        // No tokens left after the throttle: the next caller waits, even a second later only as long as the slower rate allows.
        var waiting = budget.AcquireAsync(default);
        Assert.False(waiting.IsCompleted);
        now += 0.5;
        Assert.Equal(20 * Math.Pow(2, 0.5), budget.CurrentPerSecond, 3);
        now += 1;
        Assert.Equal(40, budget.CurrentPerSecond, 3);
        await waiting;
        Assert.Equal(1, budget.Delayed);
    }
}
