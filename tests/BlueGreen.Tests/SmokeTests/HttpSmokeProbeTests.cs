using System.Linq;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Probes;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Tests.SmokeTests;

/// <summary>The HTTP probe against a real local server: statuses, headers, bodies, latency, timeouts,
/// refused and dropped connections, cancellation, and a whole smoke test through it.</summary>
public sealed class HttpSmokeProbeTests : IDisposable
{
    private readonly SmokeHttpServer _server = new();
    private readonly HttpSmokeProbe _probe = new(4);

    private Task<HttpProbeResponse> Send(string path, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _probe.SendAsync(new HttpProbeRequest(_server.Url(path), "GET") { Timeout = timeout ?? TimeSpan.FromSeconds(5) }, cancellationToken);

    [Fact]
    public async Task An_answer_gives_its_status_headers_and_body()
    {
        var response = await Send("/ok");

        Assert.Equal(HttpProbeFailure.None, response.Failure);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("hello from green", response.Body);
        Assert.Equal("web:2", response.Headers["x-sandbox-task-definition"]);
        Assert.Equal("Green", response.Headers["X-Sandbox-Task-Set-Label"]);
        Assert.Equal("text/plain; charset=utf-8", response.Headers["Content-Type"]);
        Assert.True(response.Latency > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(404)]
    [InlineData(301)]
    public async Task Error_and_redirect_statuses_are_answers_not_failures(int status)
    {
        var response = await Send($"/status/{status}");

        Assert.Equal(HttpProbeFailure.None, response.Failure);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal($"status {status}", response.Body);
    }

    [Fact]
    public async Task Latency_covers_the_wait_for_the_answer()
    {
        var response = await Send("/slow/300");

        Assert.Equal(200, response.StatusCode);
        Assert.InRange(response.Latency, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_a_timeout_reported_on_time()
    {
        var clock = Stopwatch.StartNew();
        var response = await Send("/hang", TimeSpan.FromMilliseconds(300));

        Assert.Equal(HttpProbeFailure.Timeout, response.Failure);
        Assert.Null(response.StatusCode);
        Assert.Contains("0.3 s", response.FailureMessage, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_connection_closed_without_an_answer_is_a_dropped_connection()
    {
        var response = await Send("/drop");

        Assert.Equal(HttpProbeFailure.ConnectionDropped, response.Failure);
        Assert.Null(response.StatusCode);
        Assert.False(string.IsNullOrEmpty(response.FailureMessage));
    }

    [Fact]
    public async Task A_body_cut_short_is_a_dropped_connection()
    {
        var response = await Send("/half");

        Assert.Equal(HttpProbeFailure.ConnectionDropped, response.Failure);
    }

    [Fact]
    public async Task A_refused_connection_is_a_connection_failure()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var response = await _probe.SendAsync(new HttpProbeRequest(new Uri($"http://127.0.0.1:{port}/"), "GET"), CancellationToken.None);

        Assert.Equal(HttpProbeFailure.ConnectionFailed, response.Failure);
        Assert.Contains($"127.0.0.1:{port}", response.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_reaches_the_request_in_flight()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Send("/hang", TimeSpan.FromSeconds(30), cancel.Token));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_large_body_is_read_to_the_end_and_kept_only_up_to_the_limit()
    {
        var response = await _probe.SendAsync(new HttpProbeRequest(_server.Url("/big/300000"), "GET") { MaxBodyCharacters = 1000 }, CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(new string('x', 1000), response.Body);
        // The whole body was consumed, so the connection serves the next request.
        Assert.Equal(200, (await Send("/ok")).StatusCode);
    }

    [Fact]
    public async Task Method_headers_and_body_are_sent_as_given()
    {
        var response = await _probe.SendAsync(new HttpProbeRequest(_server.Url("/echo"), "POST")
        {
            Headers = new Dictionary<string, string> { ["X-Smoke"] = "yes", ["Content-Type"] = "application/json" },
            Body = "{\"probe\":1}",
        }, CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("POST\n", response.Body, StringComparison.Ordinal);
        Assert.Contains("x-smoke: yes\n", response.Body, StringComparison.Ordinal);
        Assert.Contains("content-type: application/json\n", response.Body, StringComparison.Ordinal);
        Assert.Contains("user-agent: BlueGreen-SmokeTest/", response.Body, StringComparison.Ordinal);
        Assert.EndsWith("\n\n{\"probe\":1}", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_smoke_test_through_the_probe_keeps_to_its_concurrency_and_judges_every_answer()
    {
        using var probe = new RemoteSmokeProbe(4);
        var policy = new SmokeTestPolicy { Requests = 24, Concurrency = 4, ExpectBodyMatch = "green" };

        var result = await new SmokeTestRunner(probe, policy).RunAsync(_server.Url("/slow/50"), "d-HTTP", null, CancellationToken.None);

        Assert.True(result.Passed, string.Join("; ", result.FailureReasons));
        Assert.Equal(24, result.Requests);
        Assert.Equal(24, result.Succeeded);
        Assert.Equal(24, _server.RequestCount);
        Assert.Equal(4, _server.MaxInFlight);
        Assert.Equal(24, result.StatusCodes[200]);
        Assert.InRange(result.P50!.Value, TimeSpan.FromMilliseconds(45), TimeSpan.FromSeconds(5));
        // 24 requests of 50 ms, 4 at a time, take at least 6 rounds of 50 ms.
        Assert.True(result.Duration >= TimeSpan.FromMilliseconds(290), $"took {result.Duration}");
    }

    [Fact]
    public async Task A_smoke_test_against_dropped_and_timed_out_requests_fails_with_their_reasons()
    {
        using var probe = new RemoteSmokeProbe(2);
        // The drop gets a timeout it cannot reach even on a loaded machine, so only the drop can fail it.
        var patient = new SmokeTestRunner(probe, new SmokeTestPolicy { Requests = 2, Concurrency = 2, Timeout = TimeSpan.FromSeconds(20) });
        var impatient = new SmokeTestRunner(probe, new SmokeTestPolicy { Requests = 2, Concurrency = 2, Timeout = TimeSpan.FromMilliseconds(300) });

        var dropped = await patient.RunAsync(_server.Url("/drop"), null, null, CancellationToken.None);
        var hung = await impatient.RunAsync(_server.Url("/hang"), null, null, CancellationToken.None);

        Assert.False(dropped.Passed);
        Assert.True(dropped.TransportErrors.TryGetValue("ConnectionDropped", out var droppedCount),
            "transport errors: " + string.Join(", ", dropped.TransportErrors.Select(e => $"{e.Key}={e.Value}")) + "; reasons: " + string.Join(" | ", dropped.FailureReasons));
        Assert.Equal(2, droppedCount);
        Assert.Null(dropped.P50);
        Assert.False(hung.Passed);
        Assert.Equal(2, hung.TransportErrors["Timeout"]);
        Assert.StartsWith("request 1: no complete answer within 0.3 s", hung.FailureReasons[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpProbeFailure.None, SmokeProbeError.None)]
    [InlineData(HttpProbeFailure.Timeout, SmokeProbeError.Timeout)]
    [InlineData(HttpProbeFailure.ConnectionFailed, SmokeProbeError.ConnectionFailed)]
    [InlineData(HttpProbeFailure.ConnectionDropped, SmokeProbeError.ConnectionDropped)]
    public void Each_probe_failure_is_the_smoke_tests_error_of_the_same_name(HttpProbeFailure failure, SmokeProbeError error)
    {
        // HTTP and Lambda probes both report failures this way.
        Assert.Equal(error, RemoteSmokeProbe.ErrorOf(failure));
    }

    public void Dispose()
    {
        _probe.Dispose();
        _server.Dispose();
    }
}
