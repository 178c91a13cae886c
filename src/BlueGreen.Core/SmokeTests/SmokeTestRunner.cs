using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Core.SmokeTests;

/// <summary>How far a running smoke test has got.</summary>
public readonly struct SmokeTestProgress : IEquatable<SmokeTestProgress>
{
    public SmokeTestProgress(int completed, int failed, int total)
    {
        Completed = completed;
        Failed = failed;
        Total = total;
    }

    public int Completed { get; }

    public int Failed { get; }

    public int Total { get; }

    public bool Equals(SmokeTestProgress other) => Completed == other.Completed && Failed == other.Failed && Total == other.Total;

    public override bool Equals(object? obj) => obj is SmokeTestProgress other && Equals(other);

    public override int GetHashCode() => (Completed * 397) ^ (Failed * 31) ^ Total;

    public static bool operator ==(SmokeTestProgress left, SmokeTestProgress right) => left.Equals(right);

    public static bool operator !=(SmokeTestProgress left, SmokeTestProgress right) => !left.Equals(right);
}

/// <summary>Sends a smoke test's requests through a probe, at most <see cref="SmokeTestPolicy.Concurrency"/> at a
/// time, and judges them. Cancelling the token cancels the requests in flight.</summary>
public sealed class SmokeTestRunner
{
    private readonly ISmokeProbe _probe;
    private readonly SmokeTestPolicy _policy;

    public SmokeTestRunner(ISmokeProbe probe, SmokeTestPolicy policy)
    {
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
    }

    /// <summary>Sends the policy's HTTP requests to <paramref name="uri"/>.</summary>
    public async Task<SmokeTestResult> RunAsync(Uri uri, string? deploymentId, Action<SmokeTestProgress>? progress, CancellationToken cancellationToken)
    {
        if (uri is null)
        {
            throw new ArgumentNullException(nameof(uri));
        }

        _policy.Validate();
        var evaluator = new SmokeTestEvaluator(_policy);
        var request = new SmokeProbeRequest(uri, _policy.Method.ToUpperInvariant())
        {
            Headers = _policy.Headers,
            Body = _policy.Body,
            Timeout = _policy.Timeout,
        };
        var (responses, startTime, duration) = await SendAllAsync(_ => request, evaluator, progress, cancellationToken).ConfigureAwait(false);
        var result = evaluator.Evaluate(uri, deploymentId, responses, startTime, duration);
        result.Policy = _policy;
        return result;
    }

    /// <summary>Invokes <paramref name="function"/> (a version, never an alias) with the policy's payloads, one after
    /// another as the requests go out.</summary>
    public async Task<SmokeTestResult> RunAsync(LambdaVersionReference function, string? deploymentId, Action<SmokeTestProgress>? progress, CancellationToken cancellationToken)
    {
        if (function is null)
        {
            throw new ArgumentNullException(nameof(function));
        }

        _policy.Validate();
        var evaluator = new SmokeTestEvaluator(_policy, function);
        var payloads = _policy.Payloads;
        var requests = new SmokeProbeRequest[Math.Max(1, payloads.Count)];
        for (var i = 0; i < requests.Length; i++)
        {
            requests[i] = new SmokeProbeRequest(function)
            {
                Body = payloads.Count == 0 ? null : payloads[i],
                Timeout = _policy.Timeout,
            };
        }

        var (responses, startTime, duration) = await SendAllAsync(i => requests[i % requests.Length], evaluator, progress, cancellationToken).ConfigureAwait(false);
        var result = evaluator.Evaluate(function, deploymentId, responses, startTime, duration);
        result.Policy = _policy;
        return result;
    }

    private async Task<(SmokeProbeResponse[] Responses, DateTime StartTime, TimeSpan Duration)> SendAllAsync(Func<int, SmokeProbeRequest> requestFor,
        SmokeTestEvaluator evaluator, Action<SmokeTestProgress>? progress, CancellationToken cancellationToken)
    {
        var total = _policy.Requests;
        var responses = new SmokeProbeResponse[total];
        var completed = 0;
        var failed = 0;
        var startTime = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();

        using var gate = new SemaphoreSlim(_policy.Concurrency, _policy.Concurrency);
        var running = new List<Task>(total);
        try
        {
            for (var i = 0; i < total; i++)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    // A slot freed by a cancelled request: start nothing new.
                    gate.Release();
                    cancellationToken.ThrowIfCancellationRequested();
                }

                running.Add(SendOneAsync(i));
            }
        }
        finally
        {
            // Whatever happened (Ctrl+C), wait for the requests in flight so none outlives the test.
            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return (responses, startTime, clock.Elapsed);

        async Task SendOneAsync(int index)
        {
            try
            {
                SmokeProbeResponse response;
                try
                {
                    response = await _probe.SendAsync(requestFor(index), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // A probe should not throw; if one does, it is a request that failed, not a broken test.
                    response = new SmokeProbeResponse
                    {
                        Error = ex is OperationCanceledException ? SmokeProbeError.Timeout : SmokeProbeError.ConnectionFailed,
                        ErrorMessage = ex.Message,
                    };
                }

                responses[index] = response;
                var isFailure = evaluator.Judge(response) is not null;
                var done = Interlocked.Increment(ref completed);
                var failures = isFailure ? Interlocked.Increment(ref failed) : Volatile.Read(ref failed);
                progress?.Invoke(new SmokeTestProgress(done, failures, total));
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
