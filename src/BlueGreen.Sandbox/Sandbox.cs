using System.Collections.Concurrent;
using BlueGreen.Sandbox.Engine;
using BlueGreen.Sandbox.Hosting;

namespace BlueGreen.Sandbox;

/// <summary>Command-line options of the sandbox program.</summary>
internal sealed record SandboxOptions
{
    public int Port { get; init; } = 4566;

    public string Host { get; init; } = "127.0.0.1";

    public double TimeScale { get; init; } = 1;

    public bool Seed { get; init; }

    public Dictionary<string, string> Credentials { get; init; } = new(StringComparer.Ordinal) { ["test"] = "test" };

    public static SandboxOptions Parse(string[] args)
    {
        var options = new SandboxOptions();
        var credentials = new Dictionary<string, string>(StringComparer.Ordinal) { ["test"] = "test" };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--port" => options with { Port = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--host" => options with { Host = Next() },
                "--time-scale" => options with { TimeScale = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--seed" => options with { Seed = true },
                "--credential" => AddCredential(options, credentials, Next()),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --port N, --host ADDRESS, --time-scale N, --seed, --credential KEY:SECRET."),
            };
        }

        if (options.TimeScale <= 0)
        {
            throw new ArgumentException("--time-scale must be greater than 0.");
        }

        return options with { Credentials = credentials };
    }

    private static SandboxOptions AddCredential(SandboxOptions options, Dictionary<string, string> credentials, string value)
    {
        var parts = value.Split(':', 2);
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new ArgumentException("--credential takes ACCESS_KEY:SECRET_KEY.");
        }

        credentials[parts[0]] = parts[1];
        return options;
    }
}

/// <summary>
/// The whole simulated cloud. Every read and change of state happens under <see cref="Gate"/>:
/// one lock keeps the simulation simple and consistent, and its work is small next to HTTP parsing.
/// </summary>
internal sealed class Sandbox
{
    public const string Account = "000000000000";
    private readonly ConcurrentDictionary<string, string> _credentials;
    private readonly Dictionary<string, Region> _regions = new(StringComparer.Ordinal);

    public Sandbox(SandboxOptions options)
    {
        Options = options;
        Clock = new VirtualClock(TimeProvider.System, options.TimeScale);
        _credentials = new ConcurrentDictionary<string, string>(options.Credentials, StringComparer.Ordinal);
        Listeners = new ListenerHost(this);
        Traffic = new TrafficGenerator(this);
    }

    public object Gate { get; } = new();

    public SandboxOptions Options { get; }

    public VirtualClock Clock { get; }

    public RequestLog Log { get; } = new();

    public FaultTable Faults { get; } = new();

    /// <summary>CloudWatch dashboards: one set for every region, as AWS keeps them per account.</summary>
    public Services.Dashboards Dashboards { get; } = new();

    public ListenerHost Listeners { get; }

    public TrafficGenerator Traffic { get; }

    /// <summary>Where the sandbox answers, set once Kestrel has bound.</summary>
    public string Endpoint { get; set; } = string.Empty;

    public IReadOnlyCollection<Region> Regions => _regions.Values;

    public string? SecretFor(string accessKey) => _credentials.TryGetValue(accessKey, out var secret) ? secret : null;

    public void AddCredential(string accessKey, string secret) => _credentials[accessKey] = secret;

    /// <summary>The state of one region, created on first use. Call under <see cref="Gate"/>.</summary>
    public Region Region(string name)
    {
        if (!_regions.TryGetValue(name, out var region))
        {
            region = new Region(this, name);
            _regions[name] = region;
        }

        return region;
    }

    /// <summary>Forgets every resource, closes every listener port and stops all traffic. Call under <see cref="Gate"/>.</summary>
    public void Reset()
    {
        foreach (var region in _regions.Values)
        {
            region.Elb.CloseAll();
        }

        _regions.Clear();
        Traffic.Clear();
        Log.Clear();
        Faults.Clear();
        Dashboards.Clear();
    }

    /// <summary>Moves every running deployment, task and alarm on to the current virtual time.</summary>
    public void Tick()
    {
        lock (Gate)
        {
            var now = Clock.Now;
            foreach (var region in _regions.Values)
            {
                region.Tick(now);
            }
        }
    }
}
