using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Engine;

/// <summary>One stream of requests to a listener or invocations of a function, and what came of them.</summary>
internal sealed class TrafficRun
{
    private readonly ConcurrentDictionary<string, long> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _groups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);
    private long _sent;
    private long _answered;
    private long _failed;
    private long _functionErrors;

    public required string Id { get; init; }

    public required JsonObject Target { get; init; }

    public required double Rate { get; init; }

    public double? Duration { get; init; }

    public long? Count { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? EndTime { get; set; }

    public string State { get; set; } = "running";

    public CancellationTokenSource Stop { get; } = new();

    /// <summary>Completes when the run has ended and its last request is counted.</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Sent => Interlocked.Read(ref _sent);

    public void CountSent() => Interlocked.Increment(ref _sent);

    public void CountAnswer(string status, string? targetGroup = null, string? version = null, bool functionError = false)
    {
        Interlocked.Increment(ref _answered);
        _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        if (targetGroup is not null)
        {
            _groups.AddOrUpdate(targetGroup, 1, (_, n) => n + 1);
        }

        if (version is not null)
        {
            _versions.AddOrUpdate(version, 1, (_, n) => n + 1);
        }

        if (functionError)
        {
            Interlocked.Increment(ref _functionErrors);
        }
    }

    public void CountFailure(string reason)
    {
        Interlocked.Increment(ref _failed);
        _statuses.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }

    private static JsonObject Counts(ConcurrentDictionary<string, long> counts)
    {
        var json = new JsonObject();
        foreach (var (key, value) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            json[key] = value;
        }

        return json;
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["id"] = Id,
            ["state"] = State,
            ["target"] = Target.DeepClone(),
            ["rate"] = Rate,
            ["duration"] = Duration,
            ["count"] = Count,
            ["startTime"] = StartTime.ToString("O", CultureInfo.InvariantCulture),
            ["endTime"] = EndTime?.ToString("O", CultureInfo.InvariantCulture),
            ["sent"] = Sent,
            ["answered"] = Interlocked.Read(ref _answered),
            ["failed"] = Interlocked.Read(ref _failed),
            ["statuses"] = Counts(_statuses),
        };
        if (Target.ContainsKey("function"))
        {
            json["versions"] = Counts(_versions);
            json["functionErrors"] = Interlocked.Read(ref _functionErrors);
        }
        else
        {
            json["targetGroups"] = Counts(_groups);
        }

        return json;
    }
}

/// <summary>
/// Production-like traffic for the sandbox's own listeners and functions (<c>/_sandbox/traffic</c>): requests at a
/// steady rate per real second, for a real duration or a count. Listener requests are real HTTP requests over pooled
/// connections, so the listener's weights split them as they split any client's; invocations take Invoke's own path
/// (alias weights, latency, errors, metrics). A run has at most <see cref="MaxInFlight"/> requests in flight: a slow
/// target gets fewer requests than the rate asks, never a pile of waiting ones.
/// </summary>
internal sealed class TrafficGenerator(Sandbox sandbox) : IAsyncDisposable
{
    public const int MaxInFlight = 32;
    public const int MaxRunning = 8;
    public const double MaxRate = 500;
    public const double MaxDuration = 3600;
    private const int Kept = 50;
    private readonly object _gate = new();
    private readonly List<TrafficRun> _runs = [];
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = MaxInFlight,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    private int _next;

    public IReadOnlyList<TrafficRun> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs];
            }
        }
    }

    public TrafficRun? Find(string id)
    {
        lock (_gate)
        {
            return _runs.FirstOrDefault(r => r.Id == id);
        }
    }

    /// <summary>Checks a request and starts it; a request that cannot run throws <see cref="ArgumentException"/> with what to change.</summary>
    public TrafficRun Start(JsonObject spec)
    {
        var known = new HashSet<string>(StringComparer.Ordinal) { "target", "rate", "duration", "count", "method", "path", "headers", "payload" };
        if (spec.Select(p => p.Key).FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"Unknown member '{unknown}'. Members: target, rate, duration, count, method, path, headers, payload.");
        }

        var rate = Number(spec, "rate") ?? throw new ArgumentException("rate is required: requests per real second, above 0 and at most 500.");
        if (rate <= 0 || rate > MaxRate)
        {
            throw new ArgumentException("rate is requests per real second, above 0 and at most 500.");
        }

        var duration = Number(spec, "duration");
        var count = Number(spec, "count");
        if (duration is not null && (duration <= 0 || duration > MaxDuration))
        {
            throw new ArgumentException("duration is real seconds, above 0 and at most 3600.");
        }

        if (count is not null && (count < 1 || count > 10_000_000 || count != Math.Floor(count.Value)))
        {
            throw new ArgumentException("count is a whole number of requests, at least 1.");
        }

        duration ??= count is null ? 60 : null;
        Func<TrafficRun, Task> send;
        JsonObject target;
        switch (spec["target"])
        {
            case JsonObject function when function.Str("function") is { } name:
                (target, send) = Function(function, name, spec["payload"]);
                break;
            case JsonValue value when value.TryGetValue<int>(out var port):
                (target, send) = Listener($"http://{sandbox.Options.Host}:{port}/", spec);
                break;
            case JsonValue value when value.TryGetValue<string>(out var url):
                (target, send) = Listener(url, spec);
                break;
            default:
                throw new ArgumentException("target is a listener (its port, or a URL such as http://127.0.0.1:8080/path) or a function ({\"function\":\"orders\",\"qualifier\":\"live\",\"region\":\"us-east-1\"}).");
        }

        TrafficRun run;
        lock (_gate)
        {
            if (_runs.Count(r => r.State == "running") >= MaxRunning)
            {
                throw new ArgumentException($"{MaxRunning} traffic runs are running already: stop one (DELETE /_sandbox/traffic/ID) first.");
            }

            run = new TrafficRun
            {
                Id = "traffic-" + (++_next).ToString(CultureInfo.InvariantCulture),
                Target = target,
                Rate = rate,
                Duration = duration,
                Count = count is null ? null : (long)count.Value,
                StartTime = sandbox.Clock.Now,
            };
            _runs.Add(run);
            // Finished runs are kept for reading, the newest first to stay.
            while (_runs.Count > Kept && _runs.FirstOrDefault(r => r.State != "running") is { } old)
            {
                _runs.Remove(old);
            }
        }

        _ = Task.Run(() => RunAsync(run, send));
        return run;
    }

    private static double? Number(JsonObject spec, string name)
    {
        try
        {
            return spec.Num(name);
        }
        catch (AwsException)
        {
            throw new ArgumentException($"{name} must be a number.");
        }
    }

    private (JsonObject, Func<TrafficRun, Task>) Listener(string url, JsonObject spec)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
        {
            throw new ArgumentException($"'{url}' is not an http URL of a listener, such as http://127.0.0.1:8080/.");
        }

        var port = uri.Port;
        var loopback = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            ? IPAddress.Parse(uri.Host.Trim('[', ']')) is var ip && (IPAddress.IsLoopback(ip) || uri.Host == sandbox.Options.Host)
            : uri.Host == "localhost" || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
        lock (sandbox.Gate)
        {
            if (!loopback || !sandbox.Regions.Any(r => r.Elb.Listeners.Any(l => l.Port == port)))
            {
                throw new ArgumentException($"No listener of this sandbox answers at {url}: traffic goes only to the sandbox's own listeners (DescribeListeners gives their ports).");
            }
        }

        // A name (the load balancer's DNSName) travels as the Host header, for host-header rules; the connection goes to the sandbox's own address.
        var address = sandbox.Options.Host == "localhost" ? "127.0.0.1" : sandbox.Options.Host;
        var connectTo = new UriBuilder(uri) { Host = address }.Uri;
        if (spec.Str("path") is { } path)
        {
            connectTo = new Uri(connectTo, path);
        }

        var hostHeader = uri.HostNameType == UriHostNameType.Dns ? uri.Authority : null;
        var payload = spec["payload"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var text) => text,
            var node => node.ToJsonString(),
        };
        var method = new HttpMethod(spec.Str("method") ?? (payload is null ? "GET" : "POST"));
        var headers = (spec["headers"] as JsonObject ?? []).Select(h => (h.Key, Value: h.Value is null ? string.Empty : Json.AsString(h.Value))).ToList();
        var target = new JsonObject { ["listener"] = connectTo.ToString(), ["port"] = port, ["method"] = method.Method };
        if (hostHeader is not null)
        {
            target["host"] = hostHeader;
        }

        async Task Send(TrafficRun run)
        {
            using var request = new HttpRequestMessage(method, connectTo);
            if (hostHeader is not null)
            {
                request.Headers.Host = hostHeader;
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (payload is not null)
            {
                request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
            }

            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                var group = response.Headers.TryGetValues("X-Sandbox-Target-Group", out var groups) ? groups.FirstOrDefault() : null;
                run.CountAnswer(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), group);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                run.CountFailure(e is TaskCanceledException ? "Timeout" : "ConnectionFailed");
            }
        }

        return (target, Send);
    }

    private (JsonObject, Func<TrafficRun, Task>) Function(JsonObject spec, string name, JsonNode? payloadNode)
    {
        var regionName = spec.Str("region") ?? Seed.DefaultRegion;
        var qualifier = spec.Str("qualifier");
        lock (sandbox.Gate)
        {
            var function = sandbox.Regions.FirstOrDefault(r => r.Name == regionName)?.Lambda.Find(name)
                ?? throw new ArgumentException($"There is no function {name} in {regionName}: name the function and its region (\"region\", default {Seed.DefaultRegion}).");
            if (qualifier is not null && qualifier != "$LATEST" && !function.Versions.ContainsKey(qualifier) && !function.Aliases.ContainsKey(qualifier))
            {
                throw new ArgumentException($"{name} has no version or alias {qualifier}.");
            }
        }

        var payload = payloadNode is null ? [] : Encoding.UTF8.GetBytes(payloadNode.ToJsonString());
        var target = new JsonObject { ["function"] = name, ["qualifier"] = qualifier, ["region"] = regionName };

        async Task Send(TrafficRun run)
        {
            Services.Invocation invocation;
            try
            {
                lock (sandbox.Gate)
                {
                    invocation = sandbox.Region(regionName).Lambda.Prepare(name, qualifier, payload, "lambda:" + name);
                }
            }
            catch (AwsException e)
            {
                run.CountFailure(e.Code);
                return;
            }

            if (invocation.DelayMs > 0)
            {
                await Latency.DelayAsync(invocation.DelayMs, CancellationToken.None);
            }

            lock (sandbox.Gate)
            {
                invocation.Completed();
            }

            run.CountAnswer("200", version: invocation.ExecutedVersion, functionError: invocation.FunctionError is not null);
        }

        return (target, Send);
    }

    private async Task RunAsync(TrafficRun run, Func<TrafficRun, Task> send)
    {
        var slots = new SemaphoreSlim(MaxInFlight, MaxInFlight);
        var started = Stopwatch.GetTimestamp();
        var token = run.Stop.Token;
        try
        {
            for (long i = 0; run.Count is not { } count || i < count; i++)
            {
                var due = TimeSpan.FromSeconds(i / run.Rate);
                if (run.Duration is { } duration && due.TotalSeconds >= duration)
                {
                    break;
                }

                var wait = due - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, token);
                }

                await slots.WaitAsync(token);
                run.CountSent();
                _ = SendOne();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: what is in flight still finishes and is counted.
        }

        for (var i = 0; i < MaxInFlight; i++)
        {
            await slots.WaitAsync();
        }

        lock (_gate)
        {
            run.EndTime = sandbox.Clock.Now;
            run.State = token.IsCancellationRequested ? "stopped" : "finished";
        }

        run.Ended.TrySetResult();

        async Task SendOne()
        {
            try
            {
                await send(run);
            }
            catch (Exception e)
            {
                run.CountFailure(e.GetType().Name);
            }
            finally
            {
                slots.Release();
            }
        }
    }

    /// <summary>Stops a run and waits (a few seconds at most) for the requests in flight to be counted.</summary>
    public async Task<TrafficRun?> StopAsync(string id)
    {
        var run = Find(id);
        if (run is not null)
        {
            await run.Stop.CancelAsync();
            await Task.WhenAny(run.Ended.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        }

        return run;
    }

    /// <summary>Stops every run and forgets them all (a reset).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            foreach (var run in _runs)
            {
                // Off this thread: a cancelled run finishes on the thread that cancels it, and a reset holds the state lock.
                _ = Task.Run(run.Stop.Cancel);
            }

            _runs.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Clear();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
