using System;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Tests.SmokeTests;

/// <summary>How answers are judged: percentiles, error-rate thresholds, expectations, version counts.</summary>
public sealed class SmokeTestEvaluationTests
{
    private static readonly Uri Target = new("http://127.0.0.1:8080/health");

    private static SmokeProbeResponse Ok(double ms = 10, string body = "ok", string? taskDefinition = null, string? label = null)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (taskDefinition is not null)
        {
            headers["X-Sandbox-Task-Definition"] = taskDefinition;
        }

        if (label is not null)
        {
            headers["x-sandbox-task-set-label"] = label;
        }

        return new SmokeProbeResponse { StatusCode = 200, Latency = TimeSpan.FromMilliseconds(ms), Body = body, Headers = headers };
    }

    private static SmokeProbeResponse Status(int status, double ms = 10) =>
        new() { StatusCode = status, Latency = TimeSpan.FromMilliseconds(ms), Body = "x" };

    private static SmokeTestResult Evaluate(SmokeTestPolicy policy, IEnumerable<SmokeProbeResponse> responses) =>
        new SmokeTestEvaluator(policy).Evaluate(Target, "d-EVAL", responses.ToList(), DateTime.UtcNow, TimeSpan.FromSeconds(1));

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var sorted = Enumerable.Range(1, 100).Select(i => TimeSpan.FromMilliseconds(i)).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(50), SmokeTestEvaluator.Percentile(sorted, 50));
        Assert.Equal(TimeSpan.FromMilliseconds(90), SmokeTestEvaluator.Percentile(sorted, 90));
        Assert.Equal(TimeSpan.FromMilliseconds(99), SmokeTestEvaluator.Percentile(sorted, 99));
        Assert.Equal(TimeSpan.FromMilliseconds(100), SmokeTestEvaluator.Percentile(sorted, 100));
    }

    [Theory]
    [InlineData(new[] { 7.0 }, 50, 7.0)]
    [InlineData(new[] { 7.0 }, 99, 7.0)]
    [InlineData(new[] { 1.0, 2.0 }, 50, 1.0)]
    [InlineData(new[] { 1.0, 2.0 }, 51, 2.0)]
    [InlineData(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0 }, 90, 9.0)]
    [InlineData(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0 }, 99, 10.0)]
    public void Percentiles_of_small_samples(double[] ms, double percent, double expected)
    {
        var sorted = ms.Select(TimeSpan.FromMilliseconds).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(expected), SmokeTestEvaluator.Percentile(sorted, percent));
    }

    [Fact]
    public void Percentiles_of_nothing_are_null_and_bad_percents_are_refused()
    {
        Assert.Null(SmokeTestEvaluator.Percentile(Array.Empty<TimeSpan>(), 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmokeTestEvaluator.Percentile(new[] { TimeSpan.Zero }, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmokeTestEvaluator.Percentile(new[] { TimeSpan.Zero }, 101));
    }

    [Fact]
    public void The_result_carries_latency_percentiles_of_the_answers_whatever_order_they_came_in()
    {
        var responses = Enumerable.Range(1, 100).Reverse().Select(i => Ok(i)).ToList();
        var result = Evaluate(new SmokeTestPolicy { Requests = 100 }, responses);

        Assert.Equal(TimeSpan.FromMilliseconds(50), result.P50);
        Assert.Equal(TimeSpan.FromMilliseconds(90), result.P90);
        Assert.Equal(TimeSpan.FromMilliseconds(99), result.P99);
        Assert.Equal(TimeSpan.FromMilliseconds(100), result.Max);
    }

    [Theory]
    [InlineData(0.0, 0, true)]
    [InlineData(0.0, 1, false)]
    [InlineData(0.1, 2, true)]   // exactly at the limit passes
    [InlineData(0.1, 3, false)]
    [InlineData(1.0, 20, true)]
    public void The_error_rate_decides_the_verdict(double maxErrorRate, int failures, bool passed)
    {
        var responses = Enumerable.Range(0, 20).Select(i => i < failures ? Status(500) : Ok()).ToList();
        var result = Evaluate(new SmokeTestPolicy { MaxErrorRate = maxErrorRate }, responses);

        Assert.Equal(passed, result.Passed);
        Assert.Equal(20, result.Requests);
        Assert.Equal(failures, result.Failed);
        Assert.Equal(20 - failures, result.Succeeded);
        Assert.Equal(failures / 20.0, result.ErrorRate, 10);
        Assert.Equal(maxErrorRate, result.MaxErrorRate);
    }

    [Fact]
    public void Only_the_expected_statuses_succeed()
    {
        var policy = new SmokeTestPolicy { ExpectStatus = new[] { 200, 204 } };
        var result = Evaluate(policy, new[] { Status(200), Status(204), Status(201), Status(500), Status(500) });

        Assert.Equal(3, result.Failed);
        Assert.Equal(new Dictionary<int, int> { [200] = 1, [201] = 1, [204] = 1, [500] = 2 }, result.StatusCodes);
        Assert.Equal("request 3: status 201, expected 200 or 204", result.FailureReasons[0]);
        Assert.Equal("200 x1, 201 x1, 204 x1, 500 x2", result.StatusSummary);
    }

    [Fact]
    public void A_failing_status_can_be_the_expected_one()
    {
        var result = Evaluate(new SmokeTestPolicy { ExpectStatus = new[] { 503 } }, new[] { Status(503), Status(503) });

        Assert.True(result.Passed);
    }

    [Fact]
    public void The_body_must_match_the_pattern()
    {
        var policy = new SmokeTestPolicy { ExpectBodyMatch = "^web:2 " };
        var result = Evaluate(policy, new[] { Ok(body: "web:2 Green 200"), Ok(body: "web:1 Blue 200") });

        Assert.False(result.Passed);
        Assert.Equal(1, result.Failed);
        Assert.Equal("request 2: the body does not match '^web:2 ': 'web:1 Blue 200'", result.FailureReasons.Single());
    }

    [Fact]
    public void An_answer_slower_than_MaxLatency_is_a_failed_request()
    {
        var policy = new SmokeTestPolicy { MaxLatency = TimeSpan.FromMilliseconds(100), MaxErrorRate = 0.5 };
        var result = Evaluate(policy, new[] { Ok(100), Ok(101), Ok(20), Ok(250) });

        Assert.Equal(2, result.Failed);
        Assert.True(result.Passed);
        Assert.Equal("request 2: took 101 ms, more than 100 ms", result.FailureReasons[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(250), result.Max);
    }

    [Fact]
    public void Requests_without_an_answer_fail_and_are_counted_by_kind_but_not_in_latency()
    {
        var responses = new[]
        {
            Ok(5),
            new SmokeProbeResponse { Error = SmokeProbeError.Timeout, ErrorMessage = "no complete answer within 1 s", Latency = TimeSpan.FromSeconds(1) },
            new SmokeProbeResponse { Error = SmokeProbeError.ConnectionDropped, ErrorMessage = "dropped" },
            new SmokeProbeResponse { Error = SmokeProbeError.ConnectionDropped, ErrorMessage = "dropped" },
        };
        var result = Evaluate(new SmokeTestPolicy(), responses);

        Assert.False(result.Passed);
        Assert.Equal(3, result.Failed);
        Assert.Equal(new Dictionary<string, int> { ["ConnectionDropped"] = 2, ["Timeout"] = 1 }, result.TransportErrors);
        Assert.Equal(TimeSpan.FromMilliseconds(5), result.Max);
        Assert.Equal("request 2: no complete answer within 1 s", result.FailureReasons[0]);
    }

    [Fact]
    public void Failure_reasons_keep_the_first_five_in_request_order()
    {
        var responses = Enumerable.Range(1, 10).Select(i => Status(500 + i)).ToList();
        var result = Evaluate(new SmokeTestPolicy(), responses);

        Assert.Equal(10, result.Failed);
        Assert.Equal(SmokeTestEvaluator.MaxFailureReasons, result.FailureReasons.Count);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"request {i}: status {500 + i}, expected 200"), result.FailureReasons);
    }

    [Fact]
    public void Versions_that_answered_are_counted_from_the_headers()
    {
        var responses = new[] { Ok(taskDefinition: "web:2", label: "Green"), Ok(taskDefinition: "web:2", label: "Green"), Ok(taskDefinition: "web:1", label: "Blue"), Ok() };
        var result = Evaluate(new SmokeTestPolicy(), responses);

        Assert.Equal(new Dictionary<string, int> { ["web:1"] = 1, ["web:2"] = 2 }, result.TaskDefinitions);
        Assert.Equal(new Dictionary<string, int> { ["Blue"] = 1, ["Green"] = 2 }, result.TaskSetLabels);
        Assert.Equal("web:1 x1, web:2 x2, Blue x1, Green x2", result.ServedBy);
    }

    [Fact]
    public void The_result_names_the_deployment_and_sums_itself_up()
    {
        var result = Evaluate(new SmokeTestPolicy { MaxErrorRate = 0.01 }, new[] { Ok(10), Status(500, 30) });

        Assert.Equal("d-EVAL", result.DeploymentId);
        Assert.Equal(Target, result.Uri);
        Assert.Equal("Smoke test of GET http://127.0.0.1:8080/health failed: 1 of 2 requests failed (50.0%, allowed 1.0%); p50 10 ms, p90 30 ms, p99 30 ms, max 30 ms.", result.Summary);
    }
}
