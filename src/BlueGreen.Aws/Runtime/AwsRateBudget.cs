using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Aws.Runtime;

/// <summary>A sustained rate and a burst: a token bucket's refill per second and its size.</summary>
public readonly struct AwsRateLimit : IEquatable<AwsRateLimit>
{
    public AwsRateLimit(double perSecond, double burst)
    {
        if (!(perSecond > 0) || !(burst >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(perSecond), "A rate limit needs a rate above 0 and a burst of at least 1.");
        }

        PerSecond = perSecond;
        Burst = burst;
    }

    /// <summary>No limit: the budget only slows down once the service throttles.</summary>
    public static AwsRateLimit Unlimited { get; } = new(double.PositiveInfinity, double.PositiveInfinity);

    public double PerSecond { get; }

    public double Burst { get; }

    public bool IsUnlimited => double.IsPositiveInfinity(PerSecond);

    public bool Equals(AwsRateLimit other) => PerSecond.Equals(other.PerSecond) && Burst.Equals(other.Burst);

    public override bool Equals(object? obj) => obj is AwsRateLimit other && Equals(other);

    public override int GetHashCode() => PerSecond.GetHashCode() ^ Burst.GetHashCode();

    public static bool operator ==(AwsRateLimit left, AwsRateLimit right) => left.Equals(right);

    public static bool operator !=(AwsRateLimit left, AwsRateLimit right) => !left.Equals(right);

    public override string ToString() => IsUnlimited ? "unlimited" : $"{PerSecond:0.##}/s, burst {Burst:0}";
}

/// <summary>
/// One budget of AWS API calls per service and region (and endpoint), shared by every release in the process: AWS
/// throttles per account and region, so fifty releases polling at once must share what one account may send. A token
/// bucket sized to AWS's limits spreads a burst instead of letting AWS refuse it; a throttling answer seen by any caller
/// halves the rate for all of them (they slow down together instead of each being refused in turn), and the rate grows
/// back while no throttling is seen.
/// </summary>
public sealed class AwsRateBudget
{
    /// <summary>After a throttle, the rate grows by this factor per second without one.</summary>
    private const double RecoveryPerSecond = 2;

    /// <summary>Throttling answers closer together than this are one signal: fifty callers refused in the same instant
    /// must not halve the rate fifty times.</summary>
    private static readonly TimeSpan ThrottleWindow = TimeSpan.FromSeconds(1);

    /// <summary>Never slower than this: a budget that throttling drove to nothing would never learn it may speed up.</summary>
    private const double MinimumPerSecond = 1;

    /// <summary>An endpoint whose limits nobody here knows (a sandbox that throttles at random, not by rate) is never
    /// slowed below this: halving there would crawl without making a call any likelier to pass.</summary>
    private const double UnknownLimitMinimumPerSecond = 5;

    private static readonly ConcurrentDictionary<string, AwsRateBudget> Budgets = new(StringComparer.Ordinal);

    private readonly object _gate = new();
    private readonly Func<double> _seconds;
    private double _tokens;
    private double _lastRefill;
    private double _throttledRate = double.PositiveInfinity;
    private double _lastThrottle = double.NegativeInfinity;
    private double _windowStart = double.NegativeInfinity;
    private long _windowCalls;
    private long _previousWindowCalls;
    private long _calls;
    private long _delayed;
    private long _throttles;
    private double _waitedSeconds;
    private int _waiters;

    internal AwsRateBudget(string service, string region, string endpoint, AwsRateLimit limit, Func<double>? seconds = null)
    {
        Service = service;
        Region = region;
        Endpoint = endpoint;
        Limit = limit;
        _seconds = seconds ?? (() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency);
        _lastRefill = _seconds();
        _tokens = limit.Burst;
    }

    /// <summary>The limits used for AWS's own endpoints, per SigV4 signing name. ECS documents its token buckets (reads
    /// refill at 20 a second, buckets of 50 to 100); Lambda allows 15 control-plane calls a second (Invoke is not counted:
    /// it is limited by concurrency, not rate); CloudWatch's GetMetricData allows 50 and DescribeAlarms 9; CodeDeploy and
    /// Elastic Load Balancing publish no rates, so a conservative 10 a second is assumed.</summary>
    public static IReadOnlyDictionary<string, AwsRateLimit> AwsLimits { get; } = new Dictionary<string, AwsRateLimit>(StringComparer.Ordinal)
    {
        ["ecs"] = new(20, 50),
        ["lambda"] = new(15, 15),
        ["codedeploy"] = new(10, 20),
        ["elasticloadbalancing"] = new(10, 20),
        ["monitoring"] = new(9, 20),
    };

    /// <summary>Every budget used so far in this process.</summary>
    public static IReadOnlyList<AwsRateBudget> All => Budgets.Values.OrderBy(b => b.Endpoint, StringComparer.Ordinal).ThenBy(b => b.Service, StringComparer.Ordinal)
        .ThenBy(b => b.Region, StringComparer.Ordinal).ToList();

    /// <summary>The SigV4 signing name (ecs, lambda, codedeploy, ...).</summary>
    public string Service { get; }

    public string Region { get; }

    /// <summary>Scheme, host and port of the endpoint called: a sandbox and AWS never share a budget.</summary>
    public string Endpoint { get; }

    /// <summary>The rate when nothing was throttled lately.</summary>
    public AwsRateLimit Limit { get; }

    /// <summary>Calls that took a token.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Calls that had to wait for a token.</summary>
    public long Delayed => Interlocked.Read(ref _delayed);

    /// <summary>Throttling answers seen (every one, also those counted as one signal).</summary>
    public long Throttles => Interlocked.Read(ref _throttles);

    /// <summary>Time spent waiting for tokens, summed over the calls.</summary>
    public TimeSpan Waited
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromSeconds(_waitedSeconds);
            }
        }
    }

    /// <summary>The rate allowed now: the limit, or less while recovering from throttling.</summary>
    public double CurrentPerSecond
    {
        get
        {
            lock (_gate)
            {
                return RateAt(_seconds());
            }
        }
    }

    /// <summary>The budget a call to <paramref name="endpoint"/> for <paramref name="signingName"/> in <paramref name="region"/>
    /// draws on. AWS's endpoints get <see cref="AwsLimits"/>; any other endpoint (a sandbox, an emulator, a proxy) has
    /// limits of its own that nobody here knows, so its budget only slows down when it throttles, unless
    /// BLUEGREEN_RATE_BUDGET says otherwise: <c>aws</c> (AWS's limits for every endpoint, to rehearse them) or <c>off</c>.</summary>
    public static AwsRateBudget? For(Uri endpoint, string signingName, string region, bool customEndpoint, Func<string, string?>? environment = null)
    {
        if (endpoint is null)
        {
            throw new ArgumentNullException(nameof(endpoint));
        }

        var mode = (environment ?? Environment.GetEnvironmentVariable)("BLUEGREEN_RATE_BUDGET")?.Trim().ToLowerInvariant();
        if (mode == "off")
        {
            return null;
        }

        var endpointKey = endpoint.GetLeftPart(UriPartial.Authority);
        var key = endpointKey + "|" + signingName + "|" + region + "|" + (mode ?? string.Empty);
        return Budgets.GetOrAdd(key, _ =>
        {
            var limit = (!customEndpoint || mode == "aws") && AwsLimits.TryGetValue(signingName, out var known) ? known : AwsRateLimit.Unlimited;
            return new AwsRateBudget(signingName, region, endpointKey, limit);
        });
    }

    /// <summary>Sets the limit of one budget (for tests that need a small one), replacing any budget there was.</summary>
    internal static AwsRateBudget Configure(Uri endpoint, string signingName, string region, AwsRateLimit limit)
    {
        var endpointKey = endpoint.GetLeftPart(UriPartial.Authority);
        var budget = new AwsRateBudget(signingName, region, endpointKey, limit);
        Budgets[endpointKey + "|" + signingName + "|" + region + "|"] = budget;
        return budget;
    }

    /// <summary>Whether an operation draws on its service's budget: Lambda's Invoke is data plane, limited by concurrency.</summary>
    public static bool Counts(string signingName, string operation) => !(signingName == "lambda" && operation == "Invoke");

    /// <summary>Takes a token, waiting for one when the bucket is empty. A waiter sleeps until about its turn (the tokens
    /// still missing plus those the others already wait for) and then tries again: a throttle seen meanwhile slows the
    /// waiters too, not only the calls that come after it.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var waiting = false;
        var started = 0.0;
        try
        {
            while (true)
            {
                double wait;
                lock (_gate)
                {
                    var now = _seconds();
                    if (!waiting)
                    {
                        CountInWindow(now);
                    }

                    var rate = RateAt(now);
                    if (double.IsPositiveInfinity(rate))
                    {
                        return;
                    }

                    _tokens = Math.Min(BurstAt(rate), _tokens + ((now - _lastRefill) * rate));
                    _lastRefill = now;
                    if (_tokens >= 1)
                    {
                        _tokens -= 1;
                        if (waiting)
                        {
                            _waiters--;
                            _waitedSeconds += now - started;
                            waiting = false;
                        }

                        return;
                    }

                    if (!waiting)
                    {
                        waiting = true;
                        started = now;
                        _waiters++;
                        Interlocked.Increment(ref _delayed);
                    }

                    wait = (1 - _tokens + (_waiters - 1)) / rate;
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.001, wait)), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (waiting)
            {
                lock (_gate)
                {
                    _waiters--;
                }
            }
        }
    }

    /// <summary>The service refused a call for its rate: everyone sharing the budget slows to half the rate seen, and the
    /// tokens saved up are spent, so the callers behind this one wait too.</summary>
    public void OnThrottled()
    {
        Interlocked.Increment(ref _throttles);
        lock (_gate)
        {
            var now = _seconds();
            if (now - _lastThrottle < ThrottleWindow.TotalSeconds)
            {
                return;
            }

            var rate = RateAt(now);
            _throttledRate = Limit.IsUnlimited
                ? Math.Max(UnknownLimitMinimumPerSecond, ObservedRate() / 2)
                : Math.Max(MinimumPerSecond, rate / 2);
            _lastThrottle = now;
            _tokens = Math.Min(_tokens, 0);
            _lastRefill = now;
        }
    }

    public override string ToString() => $"{Service} {Region} at {Endpoint}: {Limit}, {Calls} calls, {Delayed} delayed, {Throttles} throttled";

    /// <summary>Calls per second lately (this second or the one before, whichever saw more), for an unlimited budget that
    /// meets throttling: it is the rate the service refused.</summary>
    private double ObservedRate() => Math.Max(MinimumPerSecond * 2, Math.Max(_previousWindowCalls, _windowCalls));

    private void CountInWindow(double now)
    {
        if (now - _windowStart >= 1)
        {
            _previousWindowCalls = now - _windowStart < 2 ? _windowCalls : 0;
            _windowStart = now;
            _windowCalls = 0;
        }

        _windowCalls++;
    }

    private double RateAt(double now)
    {
        if (double.IsNegativeInfinity(_lastThrottle))
        {
            return Limit.PerSecond;
        }

        var recovered = _throttledRate * Math.Pow(RecoveryPerSecond, now - _lastThrottle);
        return recovered >= Limit.PerSecond ? Limit.PerSecond : recovered;
    }

    /// <summary>While slowed down, the bucket holds a second's worth of tokens at most.</summary>
    private double BurstAt(double rate) => rate >= Limit.PerSecond ? Limit.Burst : Math.Min(Limit.Burst, Math.Max(1, rate));
}
