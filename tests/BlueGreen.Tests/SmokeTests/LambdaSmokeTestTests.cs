using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Tests.SmokeTests;

/// <summary>The pure parts of a Lambda smoke test: which qualifiers are versions, JSON path checks, how answers of an
/// invocation are judged, and payloads sent in turn.</summary>
public sealed class LambdaSmokeTestTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:123456789012:function:orders";

    [Theory]
    [InlineData("orders", "2", "orders", "orders", "2")]
    [InlineData("orders", "$LATEST", "orders", "orders", "$LATEST")]
    [InlineData("orders:7", null, "orders", "orders", "7")]
    [InlineData("orders:7", "7", "orders", "orders", "7")]
    [InlineData(Arn, "3", Arn, "orders", "3")]
    [InlineData(Arn + ":3", null, Arn, "orders", "3")]
    [InlineData("123456789012:function:orders", "4", "123456789012:function:orders", "orders", "4")]
    [InlineData("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:my.fn_1", "10", "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:my.fn_1", "my.fn_1", "10")]
    public void Versions_are_read_from_the_name_or_the_version(string function, string? version, string expectedFunction, string expectedName, string expectedVersion)
    {
        var reference = LambdaVersionReference.Parse(function, version);

        Assert.Equal(expectedFunction, reference.Function);
        Assert.Equal(expectedName, reference.Name);
        Assert.Equal(expectedVersion, reference.Version);
        Assert.Equal($"{expectedName}:{expectedVersion}", reference.DisplayName);
    }

    [Theory]
    [InlineData("orders", "live", "InvalidFunctionVersion")]
    [InlineData("orders:live", null, "InvalidFunctionVersion")]
    [InlineData(Arn + ":live", null, "InvalidFunctionVersion")]
    [InlineData("orders", "LATEST", "InvalidFunctionVersion")]
    [InlineData("orders", "-1", "InvalidFunctionVersion")]
    [InlineData("orders", "2.0", "InvalidFunctionVersion")]
    [InlineData("orders:", null, "InvalidFunctionVersion")]
    [InlineData("orders", null, "NoFunctionVersion")]
    [InlineData("orders:1", "2", "ConflictingFunctionVersion")]
    [InlineData("", "1", "NoSmokeTestFunction")]
    [InlineData("orders service", "1", "InvalidFunctionName")]
    [InlineData("orders:1:2", null, "InvalidFunctionName")]
    [InlineData("arn:aws:s3:::bucket", "1", "InvalidFunctionName")]
    public void Aliases_and_bad_names_are_refused(string function, string? version, string errorId)
    {
        var refused = Assert.Throws<SmokeTestInputException>(() => LambdaVersionReference.Parse(function, version));

        Assert.Equal(errorId, refused.ErrorId);
        Assert.False(string.IsNullOrEmpty(refused.RecommendedAction));
    }

    [Fact]
    public void A_function_name_longer_than_Lambda_allows_is_refused()
    {
        var refused = Assert.Throws<SmokeTestInputException>(() => LambdaVersionReference.Parse(new string('f', 65), "1"));
        Assert.Equal("InvalidFunctionName", refused.ErrorId);
        Assert.Equal("1", LambdaVersionReference.Parse(new string('f', 64), "1").Version);
    }

    [Theory]
    [InlineData("status", "ok", true)]
    [InlineData("$.status", "ok", true)]
    [InlineData("status", "OK", false)]
    [InlineData("items[0].id", 1, true)]
    [InlineData("items[0].id", 1.0, true)]
    [InlineData("items[0].id", "1", false)]
    [InlineData("items[1].price", 2.5, true)]
    [InlineData("items[1].price", 2.4999, false)]
    [InlineData("items[1]['id']", 2, true)]
    [InlineData("['a.b']", true, true)]
    [InlineData("missing", null, false)]
    [InlineData("nothing", null, true)]
    [InlineData("count", 10000000000L, true)]
    public void Json_paths_compare_typed_values(string path, object? expected, bool matches)
    {
        using var document = JsonDocument.Parse("""{"status":"ok","items":[{"id":1},{"id":2,"price":2.50}],"a.b":true,"nothing":null,"count":10000000000}""");

        var reason = JsonExpectation.Create(path, expected).Check(document.RootElement);

        Assert.Equal(matches, reason is null);
    }

    [Fact]
    public void Json_mismatches_say_what_was_found_and_expected()
    {
        using var document = JsonDocument.Parse("""{"items":[{"id":1}],"status":"degraded"}""");

        Assert.Equal("items[0].id is 1 (a number), expected '1' (a string)", JsonExpectation.Create("items[0].id", "1").Check(document.RootElement));
        Assert.Equal("status is 'degraded' (a string), expected 'ok' (a string)", JsonExpectation.Create("status", "ok").Check(document.RootElement));
        Assert.Equal("the JSON has no items[3].id", JsonExpectation.Create("items[3].id", 1).Check(document.RootElement));
        Assert.Equal("the JSON has no status.code", JsonExpectation.Create("status.code", 1).Check(document.RootElement));
    }

    [Theory]
    [InlineData("")]
    [InlineData("items[0")]
    [InlineData("items[x]")]
    [InlineData("items..id")]
    [InlineData("items.")]
    [InlineData("items[0]id")]
    public void Bad_json_paths_are_refused(string path)
    {
        var refused = Assert.Throws<SmokeTestInputException>(() => JsonExpectation.Create(path, 1));
        Assert.Equal("InvalidExpectJson", refused.ErrorId);
    }

    [Fact]
    public void Only_scalars_can_be_expected()
    {
        Assert.Equal("InvalidExpectJson", Assert.Throws<SmokeTestInputException>(() => JsonExpectation.Create("items", new[] { 1, 2 })).ErrorId);
        Assert.Equal("InvalidExpectJson", Assert.Throws<SmokeTestInputException>(() => JsonExpectation.Create("n", double.NaN)).ErrorId);
    }

    private static readonly LambdaVersionReference Orders2 = LambdaVersionReference.Parse("orders", "2");

    private static SmokeProbeResponse Invoked(string body = """{"status":"ok"}""", string? executed = "2", string? functionError = null, string? errorType = null, double ms = 10) =>
        new() { StatusCode = 200, Body = body, ExecutedVersion = executed, FunctionError = functionError, FunctionErrorType = errorType, Latency = TimeSpan.FromMilliseconds(ms) };

    private static SmokeTestResult Evaluate(SmokeTestPolicy policy, params SmokeProbeResponse[] responses) =>
        new SmokeTestEvaluator(policy, Orders2).Evaluate(Orders2, "d-LAMBDA", responses, DateTime.UtcNow, TimeSpan.FromSeconds(1));

    [Fact]
    public void An_invocation_is_judged_by_function_error_version_latency_body_and_json()
    {
        var policy = new SmokeTestPolicy
        {
            MaxLatency = TimeSpan.FromMilliseconds(100),
            ExpectBodyMatch = "\"status\"",
            ExpectJson = new[] { JsonExpectation.Create("status", "ok") },
        };

        var result = Evaluate(policy,
            Invoked(),
            Invoked(body: """{"errorType":"TypeError","errorMessage":"secret 4111"}""", functionError: "Unhandled", errorType: "TypeError"),
            Invoked(executed: "1"),
            Invoked(executed: null),
            Invoked(ms: 250),
            Invoked(body: """{"state":"ok"}"""),
            Invoked(body: """{"status":"down"}"""),
            Invoked(body: "not json \"status\""),
            new SmokeProbeResponse { StatusCode = 429, ErrorCode = "TooManyRequestsException", ErrorMessage = "Rate exceeded" },
            new SmokeProbeResponse { Error = SmokeProbeError.Timeout, ErrorMessage = "no complete answer within 10 s" });

        Assert.Equal(
            new[]
            {
                "request 2: function error (Unhandled): TypeError",
                "request 3: version 1 ran, not version 2",
                "request 4: Lambda did not say which version ran (no X-Amz-Executed-Version)",
                "request 5: took 250 ms, more than 100 ms",
                "request 6: the body does not match '\"status\"': '{\"state\":\"ok\"}'",
            },
            result.FailureReasons);
        Assert.Equal(9, result.Failed);
        Assert.Equal(SmokeTestTargetKind.LambdaVersion, result.TargetKind);
        Assert.Equal("orders:2", result.Target);
        Assert.Equal("Invoke", result.Method);
        Assert.Null(result.Uri);
        Assert.Equal(new Dictionary<string, int> { ["1"] = 1, ["2"] = 6 }, result.ExecutedVersions);
        Assert.Equal(new Dictionary<string, int> { ["TypeError"] = 1 }, result.FunctionErrors);
        Assert.Equal(new Dictionary<int, int> { [200] = 8, [429] = 1 }, result.StatusCodes);
        Assert.Equal(1, result.TransportErrors["Timeout"]);
        Assert.DoesNotContain("4111", string.Join(" ", result.FailureReasons) + result.Summary + result.StatusSummary, StringComparison.Ordinal);

        var evaluator = new SmokeTestEvaluator(policy, Orders2);
        Assert.Equal("status is 'down' (a string), expected 'ok' (a string)", evaluator.Judge(Invoked(body: """{"status":"down"}""")));
        Assert.StartsWith("the body is not JSON: ", evaluator.Judge(Invoked(body: "not json \"status\"")), StringComparison.Ordinal);
        Assert.Equal("Lambda refused the invocation with status 429, TooManyRequestsException: Rate exceeded",
            evaluator.Judge(new SmokeProbeResponse { StatusCode = 429, ErrorCode = "TooManyRequestsException", ErrorMessage = "Rate exceeded" }));
    }

    [Fact]
    public void A_function_error_without_an_error_type_counts_by_its_kind()
    {
        var result = Evaluate(new SmokeTestPolicy(), Invoked(body: "\"boom\"", functionError: "Handled"));

        Assert.Equal("request 1: function error (Handled): the error payload names no errorType", result.FailureReasons[0]);
        Assert.Equal(1, result.FunctionErrors["Handled"]);
    }

    [Fact]
    public void Results_name_the_version_that_served_and_sort_versions_as_numbers()
    {
        var result = Evaluate(new SmokeTestPolicy { MaxErrorRate = 1 }, Invoked(executed: "10"), Invoked(executed: "2"), Invoked(executed: "$LATEST"), Invoked(executed: "2"));

        Assert.Equal(new[] { "2", "10", "$LATEST" }, result.ExecutedVersions.Keys.ToArray());
        Assert.Equal("orders:2 x2, orders:10 x1, orders:$LATEST x1", result.ServedBy);
        Assert.StartsWith("Smoke test of Lambda version orders:2 passed: 2 of 4 requests failed", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Http_results_keep_their_shape()
    {
        var uri = new Uri("http://127.0.0.1:8080/health");
        var result = new SmokeTestEvaluator(new SmokeTestPolicy()).Evaluate(uri, null, new[] { new SmokeProbeResponse { StatusCode = 200, Body = "ok" } }, DateTime.UtcNow, TimeSpan.Zero);

        Assert.Equal(SmokeTestTargetKind.Http, result.TargetKind);
        Assert.Equal(uri.ToString(), result.Target);
        Assert.Equal(uri, result.Uri);
        Assert.Null(result.FunctionName);
        Assert.Empty(result.ExecutedVersions);
        Assert.StartsWith("Smoke test of GET http://127.0.0.1:8080/health passed", result.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"id\": 1", "InvalidPayload")]
    [InlineData("", "InvalidPayload")]
    [InlineData("orders", "InvalidPayload")]
    public void Payloads_must_be_json(string payload, string errorId)
    {
        var policy = new SmokeTestPolicy { Payloads = new[] { "{}", payload } };

        var refused = Assert.Throws<SmokeTestInputException>(policy.Validate);

        Assert.Equal(errorId, refused.ErrorId);
        Assert.StartsWith("Payload 2 of 2 is not JSON", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, refused.Target);
    }

    [Fact]
    public void A_payload_larger_than_Invoke_takes_is_refused()
    {
        var policy = new SmokeTestPolicy { Payloads = new[] { "\"" + new string('x', SmokeTestPolicy.MaxPayloadBytes) + "\"" } };
        Assert.Equal("PayloadTooLarge", Assert.Throws<SmokeTestInputException>(policy.Validate).ErrorId);
    }

    [Fact]
    public async Task Payloads_are_sent_in_turn_and_every_invocation_names_the_version()
    {
        var probe = new RecordingProbe();
        var policy = new SmokeTestPolicy { Requests = 7, Concurrency = 3, Payloads = new[] { "1", "2", "3" } };

        var result = await new SmokeTestRunner(probe, policy).RunAsync(Orders2, "d-TURN", null, CancellationToken.None);

        Assert.True(result.Passed);
        Assert.Equal("d-TURN", result.DeploymentId);
        Assert.Equal(new[] { "1", "2", "3", "1", "2", "3", "1" }, probe.Payloads.OrderBy(p => p.Index).Select(p => p.Body).ToArray());
        Assert.All(probe.Payloads, p => Assert.Same(Orders2, p.Function));
    }

    [Fact]
    public async Task No_payload_sends_none()
    {
        var probe = new RecordingProbe();
        await new SmokeTestRunner(probe, new SmokeTestPolicy { Requests = 2, Concurrency = 1 }).RunAsync(Orders2, null, null, CancellationToken.None);
        Assert.All(probe.Payloads, p => Assert.Null(p.Body));
    }

    /// <summary>Answers every invocation as version 2 would, and keeps what each one carried, in sending order.</summary>
    private sealed class RecordingProbe : ISmokeProbe
    {
        private int _sent;

        public ConcurrentBag<(int Index, string? Body, LambdaVersionReference? Function)> Payloads { get; } = new();

        public Task<SmokeProbeResponse> SendAsync(SmokeProbeRequest request, CancellationToken cancellationToken)
        {
            Payloads.Add((Interlocked.Increment(ref _sent), request.Body, request.Function));
            return Task.FromResult(Invoked());
        }
    }
}
