using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Hosting;

/// <summary>What a fault does to one call before the operation runs.</summary>
internal enum FaultVerdict
{
    /// <summary>The operation runs.</summary>
    Pass,

    /// <summary>The connection is closed without an answer; nothing ran.</summary>
    Drop,

    /// <summary>AWS's throttling error; nothing ran.</summary>
    Throttle,

    /// <summary>A 500; nothing ran.</summary>
    Error,
}

/// <summary>How an answer is lost after the operation ran.</summary>
internal enum LostAnswer
{
    /// <summary>The connection is closed without an answer.</summary>
    Drop,

    /// <summary>A 500 comes back although the change was made.</summary>
    Error,
}

/// <summary>How many more calls a rule may fail; shared by the calls that race for it.</summary>
internal sealed class FaultBudget(int times)
{
    private int _left = times;

    public int Left => Math.Max(0, Volatile.Read(ref _left));

    public bool Take() => Interlocked.Decrement(ref _left) >= 0;
}

/// <summary>Faults injected into one service's operation (or every operation, "*"). Latency is drawn between
/// <see cref="LatencyMs"/> and <see cref="LatencyMaxMs"/> for each call; with <see cref="Times"/>, the rule fails that
/// many calls (drop, throttling, error or lost answer) and no more, so a script can fail exactly the first call. With
/// <see cref="Region"/>, only calls signed for that region are affected, as when one region of AWS throttles.</summary>
internal sealed record Fault(string Service, string Operation, string Region, double ThrottleRate, double ErrorRate, int LatencyMs, int LatencyMaxMs, double DropRate,
    double LostAnswerRate, LostAnswer LostAnswerAs, int? Times)
{
    private FaultBudget? Budget { get; } = Times is { } times ? new FaultBudget(times) : null;

    public JsonObject ToJson() => new()
    {
        ["service"] = Service,
        ["operation"] = Operation,
        ["region"] = Region,
        ["throttleRate"] = ThrottleRate,
        ["errorRate"] = ErrorRate,
        ["latencyMs"] = LatencyMs,
        ["latencyMaxMs"] = LatencyMaxMs,
        ["dropRate"] = DropRate,
        ["lostAnswerRate"] = LostAnswerRate,
        ["lostAnswerAs"] = LostAnswerAs == LostAnswer.Drop ? "drop" : "error",
        ["times"] = Times,
        ["timesLeft"] = Budget?.Left,
    };

#pragma warning disable CA5394 // Fault draws need no cryptographic randomness.
    /// <summary>This call's delay before anything else happens.</summary>
    public int DrawLatencyMs() => LatencyMaxMs > LatencyMs ? Random.Shared.Next(LatencyMs, LatencyMaxMs + 1) : LatencyMs;

    /// <summary>Drawn in this order: a dropped connection, then throttling, then a 500.</summary>
    public FaultVerdict DrawBefore() =>
        Hits(DropRate) ? FaultVerdict.Drop
        : Hits(ThrottleRate) ? FaultVerdict.Throttle
        : Hits(ErrorRate) ? FaultVerdict.Error
        : FaultVerdict.Pass;

    /// <summary>Whether the answer of an operation that has run is lost.</summary>
    public bool DrawLostAnswer() => Hits(LostAnswerRate);

    private bool Hits(double rate) => rate > 0 && Random.Shared.NextDouble() < rate && (Budget?.Take() ?? true);
#pragma warning restore CA5394
}

internal sealed class FaultTable
{
    /// <summary>Upper bound of an injected delay: longer than any client waits for an answer.</summary>
    public const int MaxLatencyMs = 600_000;

    private static readonly string[] Members = ["service", "operation", "region", "throttleRate", "errorRate", "latencyMs", "latencyMaxMs", "dropRate", "lostAnswerRate", "lostAnswerAs", "times"];
    private static readonly string[] Effects = ["throttleRate", "errorRate", "latencyMs", "dropRate", "lostAnswerRate"];

    /// <summary>The operations the sandbox answers, by the scope name each service signs with: a fault on any other
    /// could never fire.</summary>
    private static readonly Dictionary<string, HashSet<string>> Operations = new(StringComparer.Ordinal)
    {
        ["codedeploy"] = new(StringComparer.Ordinal)
        {
            "CreateApplication", "GetApplication", "ListApplications", "BatchGetApplications", "DeleteApplication", "CreateDeploymentGroup",
            "GetDeploymentGroup", "UpdateDeploymentGroup", "ListDeploymentGroups", "DeleteDeploymentGroup", "CreateDeploymentConfig",
            "GetDeploymentConfig", "ListDeploymentConfigs", "DeleteDeploymentConfig", "CreateDeployment", "GetDeployment", "BatchGetDeployments",
            "ListDeployments", "ListDeploymentTargets", "GetDeploymentTarget", "BatchGetDeploymentTargets", "ContinueDeployment", "StopDeployment",
            "PutLifecycleEventHookExecutionStatus",
        },
        ["ecs"] = new(StringComparer.Ordinal)
        {
            "CreateCluster", "DescribeClusters", "ListClusters", "RegisterTaskDefinition", "DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies",
            "CreateService", "DescribeServices", "ListServices", "UpdateService", "DeleteService", "CreateTaskSet", "DescribeTaskSets",
            "UpdateTaskSet", "UpdateServicePrimaryTaskSet", "DeleteTaskSet", "ListTasks", "DescribeTasks",
        },
        ["elasticloadbalancing"] = new(StringComparer.Ordinal)
        {
            "CreateLoadBalancer", "DescribeLoadBalancers", "CreateTargetGroup", "DescribeTargetGroups", "CreateListener", "DescribeListeners",
            "ModifyListener", "DeleteListener", "CreateRule", "DescribeRules", "ModifyRule", "DescribeTargetHealth",
        },
        ["lambda"] = new(StringComparer.Ordinal)
        {
            "CreateFunction", "ListFunctions", "GetFunction", "DeleteFunction", "GetFunctionConfiguration", "UpdateFunctionCode", "PublishVersion",
            "ListVersionsByFunction", "CreateAlias", "GetAlias", "UpdateAlias", "ListAliases", "DeleteAlias", "Invoke", "TagResource", "UntagResource",
            "ListTags",
        },
        ["monitoring"] = new(StringComparer.Ordinal)
        {
            "PutMetricAlarm", "DescribeAlarms", "SetAlarmState", "DeleteAlarms", "PutMetricData", "GetMetricData", "GetMetricStatistics", "ListMetrics",
        },
    };

    private readonly object _gate = new();
    private readonly List<Fault> _faults = [];

    /// <summary>The scope names the AWS CLI signs with, plus the names users know the services by.</summary>
    public static string CanonicalService(string name) => name.ToLowerInvariant() switch
    {
        "elbv2" or "elb" or "elasticloadbalancingv2" => "elasticloadbalancing",
        "cloudwatch" => "monitoring",
        var n => n,
    };

    /// <summary>Adds (or replaces) the rule for a service and operation. A rule that could never fire, or that says
    /// something the sandbox cannot do, is refused with a <see cref="AwsException"/> saying what to change.</summary>
    public Fault Set(JsonNode body)
    {
        if (body is not JsonObject fields)
        {
            throw Refused("A fault is a JSON object, e.g. {\"service\":\"codedeploy\",\"operation\":\"CreateDeployment\",\"lostAnswerRate\":1}.");
        }

        var unknown = fields.Select(f => f.Key).Where(k => !Members.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw Refused($"Unknown fault member{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(u => $"'{u}'"))}: a fault takes {string.Join(", ", Members)}.");
        }

        if (!Effects.Any(fields.ContainsKey))
        {
            throw Refused($"A fault needs at least one of {string.Join(", ", Effects)}.");
        }

        var service = CanonicalService(Text(fields, "service") ?? "*");
        if (service != "*" && !Operations.ContainsKey(service))
        {
            throw Refused($"The sandbox has no service '{Text(fields, "service")}': use one of {string.Join(", ", Operations.Keys)} (or elbv2, cloudwatch), or \"*\" for every service.");
        }

        var operation = Text(fields, "operation") ?? "*";
        if (operation != "*")
        {
            var known = service == "*" ? Operations.Values.SelectMany(o => o) : Operations[service];
            if (!known.Contains(operation, StringComparer.Ordinal))
            {
                var near = known.FirstOrDefault(o => string.Equals(o, operation, StringComparison.OrdinalIgnoreCase));
                throw Refused($"{(service == "*" ? "No service of the sandbox" : $"The sandbox's {service}")} has no operation '{operation}'"
                    + (near is not null ? $": did you mean '{near}'? Operation names are case-sensitive." : ": name an operation as the service's API spells it (e.g. CreateDeployment), or \"*\" for every operation."));
            }
        }

        var region = Text(fields, "region") ?? "*";
        if (region != "*" && !(region.Length is >= 9 and <= 25 && region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && region.Count(c => c == '-') >= 2))
        {
            throw Refused($"region is '{region}': name a region as AWS spells it (e.g. eu-west-1), or leave it out (or \"*\") for every region.");
        }

        var latency = Milliseconds(fields, "latencyMs") ?? 0;
        var latencyMax = Milliseconds(fields, "latencyMaxMs");
        if (latencyMax is { } max && max < latency)
        {
            throw Refused($"latencyMaxMs ({max}) is below latencyMs ({latency}): latency is drawn between latencyMs and latencyMaxMs.");
        }

        var lostAs = Text(fields, "lostAnswerAs") switch
        {
            null or "drop" => LostAnswer.Drop,
            "error" => LostAnswer.Error,
            var other => throw Refused($"lostAnswerAs is '{other}': use \"drop\" (the connection closes without an answer) or \"error\" (a 500 after the change was made)."),
        };
        var times = Number(fields, "times");
        if (times is { } n && (n < 1 || n != Math.Floor(n) || n > int.MaxValue))
        {
            throw Refused($"times is {n.ToString(CultureInfo.InvariantCulture)}: give how many calls the rule fails, 1 or more (leave it out for no limit).");
        }

        var fault = new Fault(service, operation, region, Rate(fields, "throttleRate"), Rate(fields, "errorRate"), latency, latencyMax ?? latency,
            Rate(fields, "dropRate"), Rate(fields, "lostAnswerRate"), lostAs, (int?)times);
        lock (_gate)
        {
            _faults.RemoveAll(f => f.Service == fault.Service && f.Operation == fault.Operation && f.Region == fault.Region);
            _faults.Add(fault);
        }

        return fault;
    }

    public IReadOnlyList<Fault> All()
    {
        lock (_gate)
        {
            return [.. _faults];
        }
    }

    /// <summary>The most specific rule: the operation of the service, any operation of the service, the operation of any
    /// service, then every operation; at each step a rule for the call's region before one for every region.</summary>
    public Fault? Find(string service, string operation, string region)
    {
        lock (_gate)
        {
            foreach (var (s, o) in new[] { (service, operation), (service, "*"), ("*", operation), ("*", "*") })
            {
                var found = _faults.FirstOrDefault(f => f.Service == s && f.Operation == o && f.Region == region)
                    ?? _faults.FirstOrDefault(f => f.Service == s && f.Operation == o && f.Region == "*");
                if (found is not null)
                {
                    return found;
                }
            }

            return null;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    private static AwsException Refused(string message) => new("InvalidFault", message);

    private static string? Text(JsonObject fields, string name) => fields[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => throw Refused($"{name} must be a string."),
    };

    private static double? Number(JsonObject fields, string name) => fields[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.GetValue<double>(),
        _ => throw Refused($"{name} must be a number."),
    };

    private static double Rate(JsonObject fields, string name)
    {
        var value = Number(fields, name) ?? 0;
        if (value is < 0 or > 1 || !double.IsFinite(value))
        {
            throw Refused($"{name} is {value.ToString(CultureInfo.InvariantCulture)}: a rate is a fraction of calls from 0 to 1 (0.3 is 30 %).");
        }

        return value;
    }

    private static int? Milliseconds(JsonObject fields, string name)
    {
        if (Number(fields, name) is not { } value)
        {
            return null;
        }

        if (value < 0 || value > MaxLatencyMs || value != Math.Floor(value))
        {
            throw Refused($"{name} is {value.ToString(CultureInfo.InvariantCulture)}: give whole milliseconds from 0 to {MaxLatencyMs}.");
        }

        return (int)value;
    }
}
