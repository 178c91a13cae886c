using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Tests.Analysis;

/// <summary>Smoke-test samples as a source: which side a result tested, and blue's baseline sent by the analyzer when only
/// green's result is given (or why not). No AWS call: the probe of blue is the test's own.</summary>
public sealed class SmokeTestSourceTests
{
    private static readonly AnalysisDefinition Definition = AnalysisDefinition.FromDictionary(new Hashtable
    {
        ["Metrics"] = new object[] { new Hashtable { ["Name"] = "SmokeTest.Errors", ["Critical"] = true }, "SmokeTest.Latency" },
    });

    private static AwsContext Context() => new AwsContextResolver(_ => null).Resolve(new AwsConnectionSettings
    {
        Region = "us-east-1",
        AccessKey = "testing",
        SecretKey = "testing",
        EndpointUrl = "http://127.0.0.1:9",
    });

    private static SmokeTestResult Result(string? deploymentId, Func<int, (double Ms, bool Ok)> sample, int requests = 20) => new()
    {
        DeploymentId = deploymentId,
        Requests = requests,
        Samples = Enumerable.Range(0, requests).Select(i => sample(i)).Select(s => new SmokeTestSample(s.Ms, s.Ok, answered: true)).ToList(),
        Policy = new SmokeTestPolicy { Requests = requests, Concurrency = 2 },
    };

    private static SmokeTestResult Lambda(string id, string version, Func<int, (double Ms, bool Ok)> sample)
    {
        var result = Result(id, sample);
        result.TargetKind = SmokeTestTargetKind.LambdaVersion;
        result.FunctionName = "orders";
        result.Version = version;
        return result;
    }

    private static BlueGreenDeployment Release() => new("lambda:orders:live:abc") { FunctionName = "orders", Alias = "live", BlueVersion = "6", GreenVersion = "7" };

    [Fact]
    public async Task Only_greens_result_given_sends_the_same_test_to_blues_version()
    {
        SmokeTestPolicy? sentPolicy = null;
        SmokeProbeTarget? sentTo = null;
        var analyzer = new CanaryAnalyzer(Context())
        {
            BlueProbe = (policy, target, _) =>
            {
                (sentPolicy, sentTo) = (policy, target);
                return Task.FromResult(Lambda("unused", "6", i => (10 + i % 3, true)));
            },
        };
        var green = Lambda("lambda:orders:live:abc", "7", i => (10 + i % 3, true));

        var result = await analyzer.AnalyzeAsync(Release(), Definition, new[] { green }, CancellationToken.None);

        Assert.Same(green.Policy, sentPolicy);
        Assert.Equal("orders:6", sentTo!.Function!.DisplayName);
        Assert.Equal(AnalysisVerdict.Pass, result.Verdict);
        Assert.Equal(0, result.CloudWatchCalls);
        Assert.Equal(new[] { (20, 20), (20, 20) }, result.Metrics.Select(m => (m.GreenSamples, m.BlueSamples)));
        Assert.Contains("Blue's baseline: the same smoke test sent to Lambda version orders:6: 20 requests, 0 failed.", result.Notes);
    }

    [Fact]
    public async Task Greens_failures_against_blues_successes_fail_the_critical_metric()
    {
        var analyzer = new CanaryAnalyzer(Context());
        var green = Lambda("lambda:orders:live:abc", "7", i => (10, i % 2 == 0));
        var blue = Lambda("lambda:orders:live:abc", "6", _ => (10, true));

        var result = await analyzer.AnalyzeAsync(Release(), Definition, new[] { blue, green }, CancellationToken.None);

        Assert.Equal(AnalysisVerdict.Fail, result.Verdict);
        Assert.False(result.Passed);
        Assert.Equal("SmokeTest.Errors", result.FailedMetrics);
        Assert.StartsWith("Critical metric SmokeTest.Errors failed", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0.5, result.Metrics[0].GreenMean);
        Assert.Equal(0, result.Metrics[0].BlueMean);
    }

    [Fact]
    public async Task Blue_is_not_probed_through_production_once_green_takes_production_traffic()
    {
        var probed = false;
        var analyzer = new CanaryAnalyzer(Context()) { BlueProbe = (_, _, _) => { probed = true; throw new InvalidOperationException("not to be sent"); } };
        var release = new BlueGreenDeployment("d-ABCDEF123")
        {
            Cluster = "prod", Service = "web", GreenTaskDefinition = "web:8", BlueTaskDefinition = "web:7",
            TestEndpoint = "http://127.0.0.1:8081", ProductionEndpoint = "http://127.0.0.1:8080", GreenTrafficPercent = 10,
        };
        var green = Result("d-ABCDEF123", i => (5, true));
        green.Uri = new Uri("http://127.0.0.1:8081/health");

        var result = await analyzer.AnalyzeAsync(release, Definition, new[] { green }, CancellationToken.None);

        Assert.False(probed);
        Assert.Equal(AnalysisVerdict.Inconclusive, result.Verdict);
        Assert.All(result.Metrics, m => Assert.Equal((MetricVerdict.NoData, 0), (m.Verdict, m.BlueSamples)));
        Assert.Contains(result.Notes, n => n.StartsWith("Blue was not smoke-tested: production traffic already reaches green (10%)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_green_http_test_is_sent_to_the_production_listener_while_it_serves_blue_alone()
    {
        SmokeProbeTarget? sentTo = null;
        var analyzer = new CanaryAnalyzer(Context())
        {
            BlueProbe = (_, target, _) =>
            {
                sentTo = target;
                return Task.FromResult(Result(null, i => (5, true)));
            },
        };
        var release = new BlueGreenDeployment("d-ABCDEF123") { Cluster = "prod", Service = "web", TestEndpoint = "http://127.0.0.1:8081", ProductionEndpoint = "http://127.0.0.1:8080/" };
        var green = Result("d-ABCDEF123", i => (5, true));
        green.Uri = new Uri("http://127.0.0.1:8081/health?deep=1");

        var result = await analyzer.AnalyzeAsync(release, Definition, new[] { green }, CancellationToken.None);

        Assert.Equal("http://127.0.0.1:8080/health?deep=1", sentTo!.Uri!.ToString());
        Assert.Equal(AnalysisVerdict.Pass, result.Verdict);
    }

    [Fact]
    public async Task A_result_of_another_release_is_left_out_and_said()
    {
        var analyzer = new CanaryAnalyzer(Context()) { BlueProbe = (_, _, _) => throw new InvalidOperationException("not to be sent") };

        var result = await analyzer.AnalyzeAsync(Release(), Definition, new[] { Lambda("lambda:orders:live:other", "7", _ => (5, true)) }, CancellationToken.None);

        Assert.Equal(AnalysisVerdict.Inconclusive, result.Verdict);
        Assert.Contains(result.Notes, n => n.Contains("is of neither green nor blue", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.StartsWith("No smoke test of green was given", StringComparison.Ordinal));
    }

    [Fact]
    public void The_evaluator_keeps_one_sample_per_request()
    {
        var evaluator = new SmokeTestEvaluator(new SmokeTestPolicy { Requests = 3 });
        var responses = new[]
        {
            new SmokeProbeResponse { StatusCode = 200, Latency = TimeSpan.FromMilliseconds(12) },
            new SmokeProbeResponse { StatusCode = 500, Latency = TimeSpan.FromMilliseconds(30) },
            new SmokeProbeResponse { Error = SmokeProbeError.Timeout, Latency = TimeSpan.FromSeconds(10) },
        };

        var result = evaluator.Evaluate(new Uri("http://127.0.0.1/"), null, responses, DateTime.UtcNow, TimeSpan.FromSeconds(1));

        Assert.Equal(new[] { (12.0, true, true), (30.0, false, true), (10000.0, false, false) }, result.Samples.Select(s => (s.LatencyMilliseconds, s.Succeeded, s.Answered)));
    }
}
