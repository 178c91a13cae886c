using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

internal sealed class LoadBalancer
{
    public required string Arn { get; init; }

    public required string Name { get; init; }

    public required string DnsName { get; init; }

    public required JsonObject Body { get; init; }
}

internal sealed class TargetGroup
{
    public required string Arn { get; init; }

    public required string Name { get; init; }

    public required JsonObject Body { get; init; }

    /// <summary>The CloudWatch dimension value, e.g. <c>targetgroup/web-blue/0123456789abcdef</c>.</summary>
    public string Dimension => Arn[(Arn.IndexOf("targetgroup/", StringComparison.Ordinal))..];
}

internal sealed class Listener
{
    public required string Arn { get; init; }

    public required LoadBalancer LoadBalancer { get; init; }

    public required string Protocol { get; set; }

    public required int Port { get; set; }

    public required JsonArray DefaultActions { get; set; }

    public List<ListenerRule> Rules { get; } = [];

    public string DefaultRuleArn => Arn.Replace(":listener/", ":listener-rule/", StringComparison.Ordinal) + "/" + Arn[^16..];
}

internal sealed class ListenerRule
{
    public required string Arn { get; init; }

    public required int Priority { get; set; }

    public required JsonArray Conditions { get; set; }

    public required JsonArray Actions { get; set; }
}

/// <summary>What a listener decided for one HTTP request.</summary>
internal sealed record RouteDecision(TargetGroup? TargetGroup, SimTask? Task, TaskDefinition? Definition, JsonObject? FixedResponse, string? Reason);

/// <summary>
/// Elastic Load Balancing v2 (application load balancers). Every listener really listens: its port on the
/// sandbox's address forwards HTTP to simulated tasks by the weights of its rules and default action.
/// </summary>
internal sealed class ElbApi(Region region)
{
    private readonly Dictionary<string, LoadBalancer> _loadBalancers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TargetGroup> _targetGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Listener> _listeners = new(StringComparer.Ordinal);

    public JsonNode Handle(string operation, JsonObject input) => operation switch
    {
        "CreateLoadBalancer" => CreateLoadBalancer(input),
        "DescribeLoadBalancers" => DescribeLoadBalancers(input),
        "CreateTargetGroup" => CreateTargetGroup(input),
        "DescribeTargetGroups" => DescribeTargetGroups(input),
        "CreateListener" => CreateListener(input),
        "DescribeListeners" => DescribeListeners(input),
        "ModifyListener" => ModifyListener(input),
        "DeleteListener" => DeleteListener(input),
        "CreateRule" => CreateRule(input),
        "DescribeRules" => DescribeRules(input),
        "ModifyRule" => ModifyRule(input),
        "DescribeTargetHealth" => DescribeTargetHealth(input),
        _ => throw new AwsException("InvalidAction", $"The sandbox does not implement Elastic Load Balancing {operation}."),
    };

    private JsonObject CreateLoadBalancer(JsonObject input)
    {
        var name = input.Req("Name", "ValidationError");
        var existing = _loadBalancers.Values.FirstOrDefault(l => l.Name == name);
        if (existing is not null)
        {
            return new JsonObject { ["LoadBalancers"] = new JsonArray { existing.Body.DeepClone() } };
        }

        var type = input.Str("Type") ?? "application";
        if (type != "application")
        {
            throw new AwsException("ValidationError", "The sandbox simulates application load balancers only.");
        }

        var id = Region.NewId(16);
        var arn = region.Arn("elasticloadbalancing", $"loadbalancer/app/{name}/{id}");
        var dns = $"{name}-{id[..10]}.{region.Name}.elb.localhost".ToLowerInvariant();
        var subnets = input.Strings("Subnets").ToList();
        var body = new JsonObject
        {
            ["LoadBalancerArn"] = arn,
            ["DNSName"] = dns,
            ["CanonicalHostedZoneId"] = "Z35SXDOTRQ7X7K",
            ["CreatedTime"] = JsonValue.Create(region.Now),
            ["LoadBalancerName"] = name,
            ["Scheme"] = input.Str("Scheme") ?? "internet-facing",
            ["VpcId"] = "vpc-sandbox",
            ["State"] = new JsonObject { ["Code"] = "active" },
            ["Type"] = "application",
            ["AvailabilityZones"] = subnets.Select((s, i) => (JsonNode?)new JsonObject { ["ZoneName"] = region.Name + (char)('a' + (i % 6)), ["SubnetId"] = s }).ToJsonArray(),
            ["SecurityGroups"] = input.Strings("SecurityGroups").ToJsonArray(),
            ["IpAddressType"] = input.Str("IpAddressType") ?? "ipv4",
        };
        var lb = new LoadBalancer { Arn = arn, Name = name, DnsName = dns, Body = body };
        _loadBalancers[arn] = lb;
        return new JsonObject { ["LoadBalancers"] = new JsonArray { body.DeepClone() } };
    }

    private JsonObject DescribeLoadBalancers(JsonObject input)
    {
        var arns = input.Strings("LoadBalancerArns").ToList();
        var names = input.Strings("Names").ToList();
        var result = new JsonArray();
        foreach (var arn in arns)
        {
            result.Add((_loadBalancers.GetValueOrDefault(arn) ?? throw new AwsException("LoadBalancerNotFound", $"Load balancers '[{arn}]' not found")).Body.DeepClone());
        }

        foreach (var name in names)
        {
            result.Add((_loadBalancers.Values.FirstOrDefault(l => l.Name == name) ?? throw new AwsException("LoadBalancerNotFound", $"Load balancers '[{name}]' not found")).Body.DeepClone());
        }

        if (arns.Count == 0 && names.Count == 0)
        {
            foreach (var lb in _loadBalancers.Values)
            {
                result.Add(lb.Body.DeepClone());
            }
        }

        return new JsonObject { ["LoadBalancers"] = result };
    }

    private JsonObject CreateTargetGroup(JsonObject input)
    {
        var name = input.Req("Name", "ValidationError");
        var existing = _targetGroups.Values.FirstOrDefault(t => t.Name == name);
        if (existing is not null)
        {
            if (existing.Body.Str("Protocol") != (input.Str("Protocol") ?? "HTTP") || existing.Body.Int("Port") != (input.Int("Port") ?? 80))
            {
                throw new AwsException("DuplicateTargetGroupName", "A target group with the same name exists, but with different settings");
            }

            return new JsonObject { ["TargetGroups"] = new JsonArray { TargetGroupJson(existing) } };
        }

        var id = Region.NewId(16);
        var arn = region.Arn("elasticloadbalancing", $"targetgroup/{name}/{id}");
        var body = new JsonObject
        {
            ["TargetGroupArn"] = arn,
            ["TargetGroupName"] = name,
            ["Protocol"] = input.Str("Protocol") ?? "HTTP",
            ["Port"] = input.Int("Port") ?? 80,
            ["VpcId"] = input.Str("VpcId") ?? "vpc-sandbox",
            ["HealthCheckProtocol"] = input.Str("HealthCheckProtocol") ?? "HTTP",
            ["HealthCheckPort"] = input.Str("HealthCheckPort") ?? "traffic-port",
            ["HealthCheckEnabled"] = input.Bool("HealthCheckEnabled") ?? true,
            ["HealthCheckIntervalSeconds"] = input.Int("HealthCheckIntervalSeconds") ?? 30,
            ["HealthCheckTimeoutSeconds"] = input.Int("HealthCheckTimeoutSeconds") ?? 5,
            ["HealthyThresholdCount"] = input.Int("HealthyThresholdCount") ?? 5,
            ["UnhealthyThresholdCount"] = input.Int("UnhealthyThresholdCount") ?? 2,
            ["HealthCheckPath"] = input.Str("HealthCheckPath") ?? "/",
            ["Matcher"] = new JsonObject { ["HttpCode"] = input["Matcher"].Str("HttpCode") ?? "200" },
            ["TargetType"] = input.Str("TargetType") ?? "instance",
            ["ProtocolVersion"] = input.Str("ProtocolVersion") ?? "HTTP1",
            ["IpAddressType"] = input.Str("IpAddressType") ?? "ipv4",
        };
        var group = new TargetGroup { Arn = arn, Name = name, Body = body };
        _targetGroups[arn] = group;
        return new JsonObject { ["TargetGroups"] = new JsonArray { TargetGroupJson(group) } };
    }

    private JsonObject TargetGroupJson(TargetGroup group)
    {
        var json = (JsonObject)group.Body.DeepClone();
        json["LoadBalancerArns"] = LoadBalancersOf(group).Select(l => l.Arn).ToJsonArray();
        return json;
    }

    public TargetGroup? FindTargetGroup(string arnOrName) =>
        _targetGroups.GetValueOrDefault(arnOrName) ?? _targetGroups.Values.FirstOrDefault(t => t.Name == arnOrName);

    public IEnumerable<TargetGroup> TargetGroups => _targetGroups.Values;

    public IEnumerable<Listener> Listeners => _listeners.Values;

    public Listener? FindListener(string arn) => _listeners.GetValueOrDefault(arn);

    /// <summary>Load balancers whose listeners or rules forward to the target group.</summary>
    public IEnumerable<LoadBalancer> LoadBalancersOf(TargetGroup group) =>
        _listeners.Values.Where(l => ForwardTargets(l.DefaultActions).Any(t => t.Arn == group.Arn) || l.Rules.Any(r => ForwardTargets(r.Actions).Any(t => t.Arn == group.Arn)))
            .Select(l => l.LoadBalancer).Distinct();

    private JsonObject DescribeTargetGroups(JsonObject input)
    {
        var arns = input.Strings("TargetGroupArns").ToList();
        var names = input.Strings("Names").ToList();
        var lbArn = input.Str("LoadBalancerArn");
        IEnumerable<TargetGroup> groups;
        if (arns.Count > 0 || names.Count > 0)
        {
            groups = arns.Select(a => _targetGroups.GetValueOrDefault(a) ?? throw new AwsException("TargetGroupNotFound", $"Target groups '[{a}]' not found"))
                .Concat(names.Select(n => _targetGroups.Values.FirstOrDefault(t => t.Name == n) ?? throw new AwsException("TargetGroupNotFound", $"One or more target groups not found")))
                .ToList();
        }
        else if (lbArn is not null)
        {
            var lb = _loadBalancers.GetValueOrDefault(lbArn) ?? throw new AwsException("LoadBalancerNotFound", $"Load balancers '[{lbArn}]' not found");
            groups = _targetGroups.Values.Where(t => LoadBalancersOf(t).Contains(lb)).ToList();
        }
        else
        {
            groups = _targetGroups.Values.ToList();
        }

        return new JsonObject { ["TargetGroups"] = groups.Select(g => (JsonNode?)TargetGroupJson(g)).ToJsonArray() };
    }

    /// <summary>Brings actions to the shape AWS describes: a forward names its target groups both ways.</summary>
    private JsonArray NormalizeActions(JsonArray actions, string errorCode = "ValidationError")
    {
        if (actions.Count == 0)
        {
            throw new AwsException(errorCode, "At least one action must be specified.");
        }

        var result = new JsonArray();
        var order = 1;
        foreach (var action in actions.OfType<JsonObject>())
        {
            var type = action.Str("Type") ?? throw new AwsException("ValidationError", "An action must have a type.");
            var normalized = new JsonObject { ["Type"] = type, ["Order"] = action.Int("Order") ?? order++ };
            switch (type)
            {
                case "forward":
                    var groups = new JsonArray();
                    if (action["ForwardConfig"] is JsonObject forward)
                    {
                        foreach (var tg in forward.Arr("TargetGroups").OfType<JsonObject>())
                        {
                            groups.Add(new JsonObject { ["TargetGroupArn"] = tg.Req("TargetGroupArn", "ValidationError"), ["Weight"] = tg.Int("Weight") ?? 1 });
                        }
                    }
                    else if (action.Str("TargetGroupArn") is { } single)
                    {
                        groups.Add(new JsonObject { ["TargetGroupArn"] = single, ["Weight"] = 1 });
                    }

                    foreach (var tg in groups)
                    {
                        if (FindTargetGroup(tg.Str("TargetGroupArn")!) is null)
                        {
                            throw new AwsException("TargetGroupNotFound", $"Target groups '[{tg.Str("TargetGroupArn")}]' not found");
                        }
                    }

                    if (groups.Count == 0)
                    {
                        throw new AwsException("ValidationError", "A forward action must name a target group.");
                    }

                    if (groups.Count == 1)
                    {
                        normalized["TargetGroupArn"] = groups[0].Str("TargetGroupArn");
                    }

                    normalized["ForwardConfig"] = new JsonObject
                    {
                        ["TargetGroups"] = groups,
                        ["TargetGroupStickinessConfig"] = new JsonObject { ["Enabled"] = false },
                    };
                    break;
                case "fixed-response":
                    var fixedConfig = action["FixedResponseConfig"] ?? throw new AwsException("ValidationError", "FixedResponseConfig is required.");
                    normalized["FixedResponseConfig"] = new JsonObject
                    {
                        ["StatusCode"] = fixedConfig.Req("StatusCode", "ValidationError"),
                        ["ContentType"] = fixedConfig.Str("ContentType") ?? "text/plain",
                        ["MessageBody"] = fixedConfig.Str("MessageBody"),
                    };
                    break;
                default:
                    throw new AwsException("ValidationError", $"The sandbox supports forward and fixed-response actions, not '{type}'.");
            }

            result.Add(normalized);
        }

        return result;
    }

    public static IEnumerable<(string Arn, int Weight)> ForwardTargets(JsonArray actions) =>
        actions.OfType<JsonObject>().Where(a => a.Str("Type") == "forward")
            .SelectMany(a => a["ForwardConfig"].Arr("TargetGroups").OfType<JsonObject>())
            .Select(t => (t.Str("TargetGroupArn")!, t.Int("Weight") ?? 1));

    private JsonObject CreateListener(JsonObject input)
    {
        var lb = _loadBalancers.GetValueOrDefault(input.Req("LoadBalancerArn", "ValidationError"))
            ?? throw new AwsException("LoadBalancerNotFound", "The specified load balancer does not exist.");
        var port = input.Int("Port") ?? throw new AwsException("ValidationError", "Port is required.");
        var protocol = input.Str("Protocol") ?? "HTTP";
        if (protocol != "HTTP")
        {
            throw new AwsException("ValidationError", "The sandbox's listeners speak HTTP only.");
        }

        var actions = NormalizeActions(input.Arr("DefaultActions"));
        var existing = _listeners.Values.FirstOrDefault(l => l.LoadBalancer == lb && l.Port == port);
        if (existing is not null)
        {
            throw new AwsException("DuplicateListener", "A listener already exists on this port for this load balancer");
        }

        var arn = region.Arn("elasticloadbalancing", $"listener/app/{lb.Name}/{lb.Arn[^16..]}/{Region.NewId(16)}");
        var listener = new Listener { Arn = arn, LoadBalancer = lb, Protocol = protocol, Port = port, DefaultActions = actions };
        listener.Port = region.Sandbox.Listeners.Open(region, listener, port);
        _listeners[arn] = listener;
        return new JsonObject { ["Listeners"] = new JsonArray { ListenerJson(listener) } };
    }

    private static JsonObject ListenerJson(Listener listener) => new()
    {
        ["ListenerArn"] = listener.Arn,
        ["LoadBalancerArn"] = listener.LoadBalancer.Arn,
        ["Port"] = listener.Port,
        ["Protocol"] = listener.Protocol,
        ["DefaultActions"] = listener.DefaultActions.DeepClone(),
    };

    private Listener Listener(string arn) =>
        _listeners.GetValueOrDefault(arn) ?? throw new AwsException("ListenerNotFound", "One or more listeners not found");

    private JsonObject DescribeListeners(JsonObject input)
    {
        var arns = input.Strings("ListenerArns").ToList();
        IEnumerable<Listener> listeners;
        if (arns.Count > 0)
        {
            listeners = arns.Select(Listener).ToList();
        }
        else
        {
            var lbArn = input.Str("LoadBalancerArn") ?? throw new AwsException("ValidationError", "You must specify either listener ARNs or a load balancer ARN");
            var lb = _loadBalancers.GetValueOrDefault(lbArn) ?? throw new AwsException("LoadBalancerNotFound", $"Load balancers '[{lbArn}]' not found");
            listeners = _listeners.Values.Where(l => l.LoadBalancer == lb).ToList();
        }

        return new JsonObject { ["Listeners"] = listeners.Select(l => (JsonNode?)ListenerJson(l)).ToJsonArray() };
    }

    private JsonObject ModifyListener(JsonObject input)
    {
        var listener = Listener(input.Req("ListenerArn", "ValidationError"));
        if (input["DefaultActions"] is JsonArray actions && actions.Count > 0)
        {
            listener.DefaultActions = NormalizeActions(actions);
        }

        if (input.Int("Port") is { } port && port != listener.Port)
        {
            region.Sandbox.Listeners.Close(listener.Arn);
            listener.Port = region.Sandbox.Listeners.Open(region, listener, port);
        }

        return new JsonObject { ["Listeners"] = new JsonArray { ListenerJson(listener) } };
    }

    private JsonObject DeleteListener(JsonObject input)
    {
        var listener = Listener(input.Req("ListenerArn", "ValidationError"));
        region.Sandbox.Listeners.Close(listener.Arn);
        _listeners.Remove(listener.Arn);
        return [];
    }

    /// <summary>Sets the weights of every forward action (default and rules) that names these target groups.</summary>
    public ListenerRule? FindRuleOrNull(string arn) => _listeners.Values.SelectMany(l => l.Rules).FirstOrDefault(r => r.Arn == arn);

    /// <summary>Sets the forward weights of one rule, as ModifyRule would.</summary>
    public void SetRuleWeights(string ruleArn, IReadOnlyDictionary<string, int> weights)
    {
        if (FindRuleOrNull(ruleArn) is { } rule)
        {
            rule.Actions = Reweigh(rule.Actions, weights);
        }
    }

    public void SetWeights(Listener listener, IReadOnlyDictionary<string, int> weights)
    {
        listener.DefaultActions = Reweigh(listener.DefaultActions, weights);
        foreach (var rule in listener.Rules)
        {
            rule.Actions = Reweigh(rule.Actions, weights);
        }
    }

    private static JsonArray Reweigh(JsonArray actions, IReadOnlyDictionary<string, int> weights)
    {
        var result = (JsonArray)actions.DeepClone();
        foreach (var action in result.OfType<JsonObject>().Where(a => a.Str("Type") == "forward"))
        {
            var current = ForwardTargets([action.DeepClone()]).Select(t => t.Arn).ToList();
            if (!current.Any(weights.ContainsKey))
            {
                continue;
            }

            var groups = weights.Where(w => w.Value > 0 || current.Contains(w.Key)).Select(w => (JsonNode?)new JsonObject { ["TargetGroupArn"] = w.Key, ["Weight"] = w.Value }).ToJsonArray();
            action["ForwardConfig"] = new JsonObject { ["TargetGroups"] = groups, ["TargetGroupStickinessConfig"] = new JsonObject { ["Enabled"] = false } };
            action.Remove("TargetGroupArn");
            if (groups.Count == 1)
            {
                action["TargetGroupArn"] = groups[0].Str("TargetGroupArn");
            }
        }

        return result;
    }

    private JsonObject CreateRule(JsonObject input)
    {
        var listener = Listener(input.Req("ListenerArn", "ValidationError"));
        var priority = input.Int("Priority") ?? throw new AwsException("ValidationError", "Priority is required.");
        if (listener.Rules.Any(r => r.Priority == priority))
        {
            throw new AwsException("PriorityInUse", $"Priority '{priority}' is currently in use");
        }

        var rule = new ListenerRule
        {
            Arn = listener.Arn.Replace(":listener/", ":listener-rule/", StringComparison.Ordinal) + "/" + Region.NewId(16),
            Priority = priority,
            Conditions = NormalizeConditions(input.Arr("Conditions")),
            Actions = NormalizeActions(input.Arr("Actions")),
        };
        listener.Rules.Add(rule);
        return new JsonObject { ["Rules"] = new JsonArray { RuleJson(rule) } };
    }

    private static JsonArray NormalizeConditions(JsonArray conditions)
    {
        var result = new JsonArray();
        foreach (var condition in conditions.OfType<JsonObject>())
        {
            var field = condition.Str("Field") ?? throw new AwsException("ValidationError", "A condition must have a field.");
            var values = condition.Strings("Values").ToList();
            var configName = field switch
            {
                "path-pattern" => "PathPatternConfig",
                "host-header" => "HostHeaderConfig",
                "http-header" => "HttpHeaderConfig",
                _ => throw new AwsException("ValidationError", $"The sandbox supports path-pattern, host-header and http-header conditions, not '{field}'."),
            };
            if (values.Count == 0)
            {
                values = condition[configName].Strings("Values").ToList();
            }

            var normalized = new JsonObject { ["Field"] = field };
            if (field == "http-header")
            {
                normalized[configName] = new JsonObject { ["HttpHeaderName"] = condition[configName].Req("HttpHeaderName", "ValidationError"), ["Values"] = values.ToJsonArray() };
            }
            else
            {
                normalized["Values"] = values.ToJsonArray();
                normalized[configName] = new JsonObject { ["Values"] = values.ToJsonArray() };
            }

            result.Add(normalized);
        }

        return result;
    }

    private static JsonObject RuleJson(ListenerRule rule) => new()
    {
        ["RuleArn"] = rule.Arn,
        ["Priority"] = rule.Priority.ToString(CultureInfo.InvariantCulture),
        ["Conditions"] = rule.Conditions.DeepClone(),
        ["Actions"] = rule.Actions.DeepClone(),
        ["IsDefault"] = false,
    };

    private JsonObject DescribeRules(JsonObject input)
    {
        var rules = new JsonArray();
        if (input.Str("ListenerArn") is { } listenerArn)
        {
            var listener = Listener(listenerArn);
            foreach (var rule in listener.Rules.OrderBy(r => r.Priority))
            {
                rules.Add(RuleJson(rule));
            }

            rules.Add(new JsonObject { ["RuleArn"] = listener.DefaultRuleArn, ["Priority"] = "default", ["Conditions"] = new JsonArray(), ["Actions"] = listener.DefaultActions.DeepClone(), ["IsDefault"] = true });
        }
        else
        {
            foreach (var arn in input.Strings("RuleArns"))
            {
                rules.Add(RuleJson(FindRule(arn)));
            }
        }

        return new JsonObject { ["Rules"] = rules };
    }

    private ListenerRule FindRule(string arn) =>
        _listeners.Values.SelectMany(l => l.Rules).FirstOrDefault(r => r.Arn == arn) ?? throw new AwsException("RuleNotFound", "One or more rules not found");

    private JsonObject ModifyRule(JsonObject input)
    {
        var rule = FindRule(input.Req("RuleArn", "ValidationError"));
        if (input["Conditions"] is JsonArray conditions && conditions.Count > 0)
        {
            rule.Conditions = NormalizeConditions(conditions);
        }

        if (input["Actions"] is JsonArray actions && actions.Count > 0)
        {
            rule.Actions = NormalizeActions(actions);
        }

        return new JsonObject { ["Rules"] = new JsonArray { RuleJson(rule) } };
    }

    private JsonObject DescribeTargetHealth(JsonObject input)
    {
        var group = _targetGroups.GetValueOrDefault(input.Req("TargetGroupArn", "ValidationError"))
            ?? throw new AwsException("TargetGroupNotFound", "One or more target groups not found");
        var now = region.Now;
        var port = group.Body.Int("Port") ?? 80;
        var inUse = LoadBalancersOf(group).Any();
        var descriptions = region.Ecs.AllTargetsOf(group.Arn).Select(t => (JsonNode?)new JsonObject
        {
            ["Target"] = new JsonObject { ["Id"] = t.Ip, ["Port"] = port, ["AvailabilityZone"] = region.Name + "a" },
            ["HealthCheckPort"] = port.ToString(CultureInfo.InvariantCulture),
            ["TargetHealth"] = !inUse
                ? new JsonObject { ["State"] = "unused", ["Reason"] = "Target.NotInUse", ["Description"] = "Target group is not configured to receive traffic from the load balancer" }
                : t.Set.Status == "DRAINING"
                    ? new JsonObject { ["State"] = "draining", ["Reason"] = "Target.DeregistrationInProgress", ["Description"] = "Target deregistration is in progress" }
                    : t.IsRunning(now)
                        ? new JsonObject { ["State"] = "healthy" }
                        : new JsonObject { ["State"] = "initial", ["Reason"] = "Elb.RegistrationInProgress", ["Description"] = "Target registration is in progress" },
        }).ToJsonArray();
        return new JsonObject { ["TargetHealthDescriptions"] = descriptions };
    }

    /// <summary>Chooses where one HTTP request arriving at a listener goes: rule, target group by weight, task.</summary>
    public RouteDecision Route(Listener listener, string path, string host, Func<string, string?> header)
    {
        var actions = listener.Rules.OrderBy(r => r.Priority).FirstOrDefault(r => Matches(r, path, host, header))?.Actions ?? listener.DefaultActions;
        var action = actions.OfType<JsonObject>().OrderBy(a => a.Int("Order") ?? 1).First();
        if (action.Str("Type") == "fixed-response")
        {
            return new RouteDecision(null, null, null, (JsonObject)action["FixedResponseConfig"]!, null);
        }

        var targets = ForwardTargets([action.DeepClone()]).Where(t => t.Weight > 0).ToList();
        var total = targets.Sum(t => t.Weight);
        if (total == 0)
        {
            return new RouteDecision(null, null, null, null, "No target group has weight.");
        }

        var pick = Random.Shared.Next(total);
        var chosen = targets[^1].Arn;
        foreach (var (arn, weight) in targets)
        {
            if (pick < weight)
            {
                chosen = arn;
                break;
            }

            pick -= weight;
        }

        var group = FindTargetGroup(chosen)!;
        var tasks = region.Ecs.TargetsOf(group.Arn, region.Now).ToList();
        if (tasks.Count == 0)
        {
            return new RouteDecision(group, null, null, null, "No healthy target in " + group.Name);
        }

        var task = tasks[Random.Shared.Next(tasks.Count)];
        return new RouteDecision(group, task, region.Ecs.ResolveTaskDefinition(task.Set.TaskDefinitionArn), null, null);
    }

    private static bool Matches(ListenerRule rule, string path, string host, Func<string, string?> header) =>
        rule.Conditions.OfType<JsonObject>().All(c => c.Str("Field") switch
        {
            "path-pattern" => c.Strings("Values").Any(p => Glob(p, path)),
            "host-header" => c.Strings("Values").Any(p => Glob(p.ToLowerInvariant(), host.ToLowerInvariant())),
            "http-header" => header(c["HttpHeaderConfig"].Str("HttpHeaderName")!) is { } value && c["HttpHeaderConfig"].Strings("Values").Any(p => Glob(p, value)),
            _ => false,
        });

    private static bool Glob(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));

    public void CloseAll()
    {
        foreach (var listener in _listeners.Values)
        {
            region.Sandbox.Listeners.Close(listener.Arn);
        }
    }

    public JsonObject Dump() => new()
    {
        ["loadBalancers"] = _loadBalancers.Values.Select(l => (JsonNode?)l.Body.DeepClone()).ToJsonArray(),
        ["targetGroups"] = _targetGroups.Values.Select(t => (JsonNode?)TargetGroupJson(t)).ToJsonArray(),
        ["listeners"] = _listeners.Values.Select(l =>
        {
            var json = ListenerJson(l);
            json["Rules"] = l.Rules.Select(r => (JsonNode?)RuleJson(r)).ToJsonArray();
            return (JsonNode?)json;
        }).ToJsonArray(),
    };
}
