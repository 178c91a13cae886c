using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Tests.SmokeTests;

/// <summary>The runner with a scripted probe: how many requests, how many at once, progress and cancellation.</summary>
public sealed class SmokeTestRunnerTests
{
    private static readonly Uri Target = new("http://127.0.0.1:8080/");

    private sealed class CountingProbe : ISmokeProbe
    {
        private readonly Func<int, CancellationToken, Task<SmokeProbeResponse>> _answer;
        private int _inFlight;
        private int _calls;

        public CountingProbe(Func<int, CancellationToken, Task<SmokeProbeResponse>> answer) => _answer = answer;

        public int MaxInFlight { get; private set; }

        public int Calls => Volatile.Read(ref _calls);

        public SmokeProbeRequest? LastRequest { get; private set; }

        public async Task<SmokeProbeResponse> SendAsync(SmokeProbeRequest request, CancellationToken cancellationToken)
        {
            LastRequest = request;
            var number = Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _inFlight);
            lock (this)
            {
                MaxInFlight = Math.Max(MaxInFlight, now);
            }

            try
            {
                return await _answer(number, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    private static async Task<SmokeProbeResponse> Ok(int delayMs, CancellationToken cancellationToken)
    {
        await Task.Delay(delayMs, cancellationToken);
        return new SmokeProbeResponse { StatusCode = 200, Latency = TimeSpan.FromMilliseconds(delayMs) };
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(20, 4)]
    [InlineData(8, 8)]
    public async Task Sends_every_request_and_never_more_at_once_than_allowed(int requests, int concurrency)
    {
        var probe = new CountingProbe((_, ct) => Ok(20, ct));
        var result = await new SmokeTestRunner(probe, new SmokeTestPolicy { Requests = requests, Concurrency = concurrency })
            .RunAsync(Target, null, null, CancellationToken.None);

        Assert.Equal(requests, probe.Calls);
        Assert.Equal(requests, result.Requests);
        Assert.Equal(concurrency, probe.MaxInFlight);
        Assert.True(result.Passed);
    }

    [Fact]
    public async Task Passes_the_policy_to_the_probe()
    {
        var probe = new CountingProbe((_, ct) => Ok(0, ct));
        var policy = new SmokeTestPolicy { Method = "post", Body = "{}", Timeout = TimeSpan.FromSeconds(3), Requests = 1 };
        await new SmokeTestRunner(probe, policy).RunAsync(Target, null, null, CancellationToken.None);

        Assert.Equal("POST", probe.LastRequest!.Method);
        Assert.Equal("{}", probe.LastRequest.Body);
        Assert.Equal(TimeSpan.FromSeconds(3), probe.LastRequest.Timeout);
        Assert.Equal(Target, probe.LastRequest.Uri);
    }

    [Fact]
    public async Task Reports_progress_for_every_request_and_counts_failures()
    {
        var probe = new CountingProbe((n, ct) => Task.FromResult(new SmokeProbeResponse { StatusCode = n % 2 == 0 ? 500 : 200 }));
        var reports = new System.Collections.Concurrent.ConcurrentBag<SmokeTestProgress>();
        var result = await new SmokeTestRunner(probe, new SmokeTestPolicy { Requests = 10, Concurrency = 1, MaxErrorRate = 0.5 })
            .RunAsync(Target, "d-P", reports.Add, CancellationToken.None);

        Assert.Equal(10, reports.Count);
        Assert.Contains(new SmokeTestProgress(10, 5, 10), reports);
        Assert.True(result.Passed);
        Assert.Equal(5, result.Failed);
    }

    [Fact]
    public async Task A_probe_that_throws_counts_as_a_failed_request()
    {
        var probe = new CountingProbe((n, ct) => n == 2 ? throw new InvalidOperationException("probe broke") : Ok(0, ct));
        var result = await new SmokeTestRunner(probe, new SmokeTestPolicy { Requests = 3, Concurrency = 1 })
            .RunAsync(Target, null, null, CancellationToken.None);

        Assert.Equal(1, result.Failed);
        Assert.Equal("request 2: probe broke", result.FailureReasons[0]);
    }

    [Fact]
    public async Task Cancellation_reaches_the_requests_in_flight_and_ends_the_test_promptly()
    {
        var started = 0;
        var cancelledInFlight = 0;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var probe = new CountingProbe(async (_, ct) =>
        {
            // Cancelled once all four are in flight, however slowly a busy machine starts them.
            if (Interlocked.Increment(ref started) == 4)
            {
                cancel.CancelAfter(TimeSpan.FromMilliseconds(50));
            }

            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelledInFlight);
                throw;
            }

            return new SmokeProbeResponse();
        });
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new SmokeTestRunner(probe, new SmokeTestPolicy { Requests = 100, Concurrency = 4 }).RunAsync(Target, null, null, cancel.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(4, started);
        Assert.Equal(4, cancelledInFlight);
    }

    [Fact]
    public async Task Bad_settings_are_refused_before_any_request()
    {
        var probe = new CountingProbe((_, ct) => Ok(0, ct));

        await Assert.ThrowsAsync<SmokeTestInputException>(() =>
            new SmokeTestRunner(probe, new SmokeTestPolicy { Requests = 2, Concurrency = 3 }).RunAsync(Target, null, null, CancellationToken.None));
        Assert.Equal(0, probe.Calls);
    }
}
