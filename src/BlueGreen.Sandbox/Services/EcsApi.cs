using System.Globalization;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Engine;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

internal sealed class EcsCluster(string name, string arn, DateTimeOffset createdAt)
{
    public string Name { get; } = name;

    public string Arn { get; } = arn;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public Dictionary<string, EcsService> Services { get; } = new(StringComparer.Ordinal);
}

internal sealed class TaskDefinition
{
    public required string Arn { get; init; }

    public required string Family { get; init; }

    public required int Revision { get; init; }

    public required JsonObject Body { get; init; }

    public string Status { get; set; } = "ACTIVE";

    /// <summary>The environment of the named container (or the first), which tells a simulated task how to answer.</summary>
    public Dictionary<string, string> Environment(string? containerName)
    {
        var containers = Body.Arr("containerDefinitions").OfType<JsonObject>().ToList();
        var container = containers.FirstOrDefault(c => c.Str("name") == containerName) ?? containers.FirstOrDefault();
        var environment = container.Arr("environment").OfType<JsonObject>()
            .Where(e => e.Str("name") is not null)
            .GroupBy(e => e.Str("name")!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Str("value") ?? string.Empty, StringComparer.Ordinal);

        // There are no real images: a tag ending in "-broken" stands for a build that answers 500, so a bad
        // release can be rehearsed by changing only the image, as a real one would be.
        if (container.Str("image")?.EndsWith(BrokenImageSuffix, StringComparison.Ordinal) == true)
        {
            environment.TryAdd(ListenerHost.StatusVariable, "500");
        }

        return environment;
    }

    public string ShortName => $"{Family}:{Revision}";

    /// <summary>The image tag suffix that makes a simulated task answer 500.</summary>
    public const string BrokenImageSuffix = "-broken";
}

internal sealed class EcsService
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public required EcsCluster Cluster { get; init; }

    public required string Controller { get; init; }

    public required string TaskDefinitionArn { get; set; }

    public int DesiredCount { get; set; }

    public JsonArray LoadBalancers { get; set; } = [];

    public JsonNode? NetworkConfiguration { get; set; }

    public string LaunchType { get; set; } = "FARGATE";

    public string Status { get; set; } = "ACTIVE";

    public DateTimeOffset CreatedAt { get; init; }

    public JsonObject DeploymentConfiguration { get; set; } = [];

    /// <summary>Task sets (CODE_DEPLOY, EXTERNAL) or deployments (ECS): both are groups of tasks of one revision.</summary>
    public List<TaskSet> Sets { get; } = [];

    public List<JsonObject> Events { get; } = [];

    /// <summary>Every service deployment of an ECS-controlled service, oldest first.</summary>
    public List<ServiceDeployment> Deployments { get; } = [];

    public List<ServiceRevision> Revisions { get; } = [];

    /// <summary>The revision production runs: the target of the last deployment that succeeded.</summary>
    public ServiceRevision? CurrentRevision { get; set; }

    public string Strategy => EcsServiceDeployments.StrategyOf(DeploymentConfiguration);
}

internal sealed class TaskSet
{
    public required string Id { get; init; }

    public required string Arn { get; init; }

    public required EcsService Service { get; init; }

    public required string TaskDefinitionArn { get; init; }

    public string? ExternalId { get; init; }

    public string? StartedBy { get; init; }

    public string Status { get; set; } = "ACTIVE";

    public double ScalePercent { get; set; } = 100;

    public JsonArray LoadBalancers { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Blue or Green, as CodeDeploy labels task sets; "Primary" outside CodeDeploy.</summary>
    public string Label { get; set; } = "Blue";

    public List<SimTask> Tasks { get; } = [];

    public DateTimeOffset StabilityAt { get; set; }

    public string RolloutState { get; set; } = "IN_PROGRESS";

    public int DesiredTasks => Status == "DRAINING" ? 0 : (int)Math.Ceiling(Service.DesiredCount * ScalePercent / 100.0);

    public int Running(DateTimeOffset now) => Tasks.Count(t => t.IsRunning(now));

    public bool Steady(DateTimeOffset now) => Tasks.Count == DesiredTasks && Running(now) == DesiredTasks;
}

internal sealed class SimTask
{
    public required string Id { get; init; }

    public required string Arn { get; init; }

    public required TaskSet Set { get; init; }

    public required string Ip { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset RunningAt { get; init; }

    public bool IsRunning(DateTimeOffset now) => now >= RunningAt;
}

/// <summary>Amazon ECS: clusters, task definitions, services, task sets and their simulated tasks.</summary>
internal sealed class EcsApi(Region region)
{
    /// <summary>Virtual time a simulated task takes from PROVISIONING to RUNNING.</summary>
    public static readonly TimeSpan TaskStartup = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, EcsCluster> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TaskDefinition>> _families = new(StringComparer.Ordinal);
    private int _nextIp = 10;
    private EcsServiceDeployments? _native;

    /// <summary>Service deployments and revisions of ECS-controlled services.</summary>
    public EcsServiceDeployments Native => _native ??= new EcsServiceDeployments(region, this);

    public IEnumerable<EcsService> AllServices => _clusters.Values.SelectMany(c => c.Services.Values);

    public JsonNode Handle(string operation, JsonObject input) => operation switch
    {
        "CreateCluster" => CreateCluster(input),
        "DescribeClusters" => DescribeClusters(input),
        "ListClusters" => new JsonObject { ["clusterArns"] = _clusters.Values.Select(c => c.Arn).ToJsonArray() },
        "RegisterTaskDefinition" => RegisterTaskDefinition(input),
        "DescribeTaskDefinition" => new JsonObject { ["taskDefinition"] = TaskDefinitionJson(ResolveTaskDefinition(input.Req("taskDefinition"))), ["tags"] = new JsonArray() },
        "ListTaskDefinitions" => ListTaskDefinitions(input),
        "ListTaskDefinitionFamilies" => ListTaskDefinitionFamilies(input),
        "CreateService" => CreateService(input),
        "DescribeServices" => DescribeServices(input),
        "ListServices" => new JsonObject { ["serviceArns"] = Cluster(input).Services.Values.Where(s => s.Status == "ACTIVE").Select(s => s.Arn).ToJsonArray() },
        "UpdateService" => UpdateService(input),
        "DeleteService" => DeleteService(input),
        "CreateTaskSet" => CreateTaskSet(input),
        "DescribeTaskSets" => DescribeTaskSets(input),
        "UpdateTaskSet" => UpdateTaskSet(input),
        "UpdateServicePrimaryTaskSet" => UpdateServicePrimaryTaskSet(input),
        "DeleteTaskSet" => DeleteTaskSet(input),
        "ListTasks" => ListTasks(input),
        "DescribeTasks" => DescribeTasks(input),
        "ListServiceDeployments" => Native.List(input),
        "DescribeServiceDeployments" => Native.Describe(input),
        "DescribeServiceRevisions" => Native.DescribeRevisions(input),
        "StopServiceDeployment" => Native.Stop(input),
        "ContinueServiceDeployment" => Native.Continue(input),
        _ => throw new AwsException("UnknownOperationException", $"The sandbox does not implement ECS {operation}."),
    };

    private JsonObject CreateCluster(JsonObject input)
    {
        var name = input.Str("clusterName") ?? "default";
        if (!_clusters.TryGetValue(name, out var cluster))
        {
            cluster = new EcsCluster(name, region.Arn("ecs", $"cluster/{name}"), region.Now);
            _clusters[name] = cluster;
        }

        return new JsonObject { ["cluster"] = ClusterJson(cluster) };
    }

    private JsonObject DescribeClusters(JsonObject input)
    {
        var names = input.Strings("clusters").DefaultIfEmpty("default");
        var clusters = new JsonArray();
        var failures = new JsonArray();
        foreach (var name in names)
        {
            if (FindCluster(name) is { } cluster)
            {
                clusters.Add(ClusterJson(cluster));
            }
            else
            {
                failures.Add(new JsonObject { ["arn"] = name.StartsWith("arn:", StringComparison.Ordinal) ? name : region.Arn("ecs", $"cluster/{name}"), ["reason"] = "MISSING" });
            }
        }

        return new JsonObject { ["clusters"] = clusters, ["failures"] = failures };
    }

    private JsonObject ClusterJson(EcsCluster cluster)
    {
        var now = region.Now;
        var tasks = cluster.Services.Values.SelectMany(s => s.Sets).SelectMany(t => t.Tasks).ToList();
        return new JsonObject
        {
            ["clusterArn"] = cluster.Arn,
            ["clusterName"] = cluster.Name,
            ["status"] = "ACTIVE",
            ["registeredContainerInstancesCount"] = 0,
            ["runningTasksCount"] = tasks.Count(t => t.IsRunning(now)),
            ["pendingTasksCount"] = tasks.Count(t => !t.IsRunning(now)),
            ["activeServicesCount"] = cluster.Services.Values.Count(s => s.Status == "ACTIVE"),
            ["statistics"] = new JsonArray(),
            ["tags"] = new JsonArray(),
            ["settings"] = new JsonArray { new JsonObject { ["name"] = "containerInsights", ["value"] = "disabled" } },
            ["capacityProviders"] = new JsonArray { "FARGATE", "FARGATE_SPOT" },
            ["defaultCapacityProviderStrategy"] = new JsonArray(),
        };
    }

    public EcsCluster Cluster(JsonNode input) => Cluster(input.Str("cluster") ?? "default");

    public EcsCluster Cluster(string nameOrArn) =>
        FindCluster(nameOrArn) ?? throw new AwsException("ClusterNotFoundException", "Cluster not found.");

    private EcsCluster? FindCluster(string nameOrArn)
    {
        var name = nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? nameOrArn[(nameOrArn.LastIndexOf('/') + 1)..] : nameOrArn;
        return _clusters.GetValueOrDefault(name);
    }

    private JsonObject RegisterTaskDefinition(JsonObject input)
    {
        var family = input.Req("family");
        var containers = input.Arr("containerDefinitions");
        if (containers.Count == 0)
        {
            throw new AwsException("ClientException", "Container list cannot be empty.");
        }

        if (!_families.TryGetValue(family, out var revisions))
        {
            revisions = [];
            _families[family] = revisions;
        }

        var revision = revisions.Count + 1;
        var body = (JsonObject)input.DeepClone();
        body.Remove("tags");
        var definition = new TaskDefinition
        {
            Arn = region.Arn("ecs", $"task-definition/{family}:{revision}"),
            Family = family,
            Revision = revision,
            Body = body,
        };
        body["registeredAt"] = JsonValue.Create(region.Now);
        revisions.Add(definition);
        return new JsonObject { ["taskDefinition"] = TaskDefinitionJson(definition), ["tags"] = input.Arr("tags").DeepClone() };
    }

    private static JsonObject TaskDefinitionJson(TaskDefinition definition)
    {
        var json = (JsonObject)definition.Body.DeepClone();
        json["taskDefinitionArn"] = definition.Arn;
        json["revision"] = definition.Revision;
        json["status"] = definition.Status;
        json["compatibilities"] = new JsonArray { "EC2", "FARGATE" };
        json["requiresAttributes"] = new JsonArray();
        json["placementConstraints"] ??= new JsonArray();
        json["volumes"] ??= new JsonArray();
        foreach (var container in json.Arr("containerDefinitions").OfType<JsonObject>())
        {
            container["environment"] ??= new JsonArray();
            container["portMappings"] ??= new JsonArray();
            container["essential"] ??= true;
            container["mountPoints"] ??= new JsonArray();
            container["volumesFrom"] ??= new JsonArray();
        }

        return json;
    }

    public TaskDefinition ResolveTaskDefinition(string reference)
    {
        var text = reference.StartsWith("arn:", StringComparison.Ordinal) ? reference[(reference.IndexOf("task-definition/", StringComparison.Ordinal) + 16)..] : reference;
        var parts = text.Split(':');
        if (_families.TryGetValue(parts[0], out var revisions))
        {
            if (parts.Length == 1)
            {
                var latest = revisions.LastOrDefault(r => r.Status == "ACTIVE");
                if (latest is not null)
                {
                    return latest;
                }
            }
            else if (int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= revisions.Count)
            {
                return revisions[number - 1];
            }
        }

        throw new AwsException("ClientException", "Unable to describe task definition.");
    }

    private JsonObject ListTaskDefinitions(JsonObject input)
    {
        var prefix = input.Str("familyPrefix");
        var status = input.Str("status") ?? "ACTIVE";
        var arns = _families.Values.SelectMany(r => r)
            .Where(d => (prefix is null || d.Family == prefix) && (status == "ALL" || d.Status == status))
            .OrderBy(d => d.Family, StringComparer.Ordinal).ThenBy(d => d.Revision)
            .Select(d => d.Arn);
        if (input.Str("sort") == "DESC")
        {
            arns = arns.Reverse();
        }

        return new JsonObject { ["taskDefinitionArns"] = arns.ToJsonArray() };
    }

    private JsonObject ListTaskDefinitionFamilies(JsonObject input)
    {
        var prefix = input.Str("familyPrefix");
        var status = input.Str("status") ?? "ACTIVE";
        var families = _families
            .Where(f => (prefix is null || f.Key.StartsWith(prefix, StringComparison.Ordinal)) &&
                (status == "ALL" || f.Value.Any(d => d.Status == "ACTIVE") == (status == "ACTIVE")))
            .Select(f => f.Key).Order(StringComparer.Ordinal);
        return new JsonObject { ["families"] = families.ToJsonArray() };
    }

    private JsonObject CreateService(JsonObject input)
    {
        var cluster = Cluster(input);
        var name = input.Req("serviceName");
        if (cluster.Services.TryGetValue(name, out var existing) && existing.Status != "INACTIVE")
        {
            throw new AwsException("InvalidParameterException", "Creation of service was not idempotent.");
        }

        var controller = input["deploymentController"].Str("type") ?? "ECS";
        if (controller is not ("ECS" or "CODE_DEPLOY" or "EXTERNAL"))
        {
            throw new AwsException("InvalidParameterException", $"Deployment controller type {controller} is not valid.");
        }

        var loadBalancers = (JsonArray)input.Arr("loadBalancers").DeepClone();
        foreach (var lb in loadBalancers)
        {
            var arn = lb.Str("targetGroupArn") ?? throw new AwsException("InvalidParameterException", "targetGroupArn is required for an Application Load Balancer.");
            var group = region.Elb.FindTargetGroup(arn) ?? throw new AwsException("InvalidParameterException", $"Unable to find target group {arn}.");
            if (!region.Elb.LoadBalancersOf(group).Any())
            {
                throw new AwsException("InvalidParameterException", $"The target group with targetGroupArn {arn} does not have an associated load balancer.");
            }
        }

        TaskDefinition? definition = null;
        if (controller != "EXTERNAL" || input.Str("taskDefinition") is not null)
        {
            definition = ResolveTaskDefinition(input.Req("taskDefinition"));
        }

        var configuration = input["deploymentConfiguration"]?.DeepClone() as JsonObject ?? [];
        configuration = Native.Validate(controller, configuration, loadBalancers);

        var service = new EcsService
        {
            Name = name,
            Arn = region.Arn("ecs", $"service/{cluster.Name}/{name}"),
            Cluster = cluster,
            Controller = controller,
            TaskDefinitionArn = definition?.Arn ?? string.Empty,
            DesiredCount = input.Int("desiredCount") ?? 1,
            LoadBalancers = loadBalancers,
            NetworkConfiguration = input["networkConfiguration"]?.DeepClone(),
            LaunchType = input.Str("launchType") ?? "FARGATE",
            CreatedAt = region.Now,
            DeploymentConfiguration = configuration,
        };
        cluster.Services[name] = service;
        if (definition is not null && controller != "EXTERNAL")
        {
            var first = AddSet(service, definition, loadBalancers, controller == "CODE_DEPLOY" ? null : "ecs-svc", null);
            first.Status = "PRIMARY";
            if (controller == "ECS")
            {
                if (service.Strategy != "ROLLING")
                {
                    first.Label = "Blue";
                }

                // The first tasks go to the primary target group; the alternate one waits for the first blue/green deployment.
                Native.StartRolling(service, null, Native.NewRevision(service, definition), first);
            }
        }

        AddEvent(service, $"(service {name}) has started tasks.");
        return new JsonObject { ["service"] = ServiceJson(service) };
    }

    public void AddEvent(EcsService service, string message)
    {
        service.Events.Insert(0, new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["createdAt"] = JsonValue.Create(region.Now), ["message"] = message });
        if (service.Events.Count > 50)
        {
            service.Events.RemoveAt(service.Events.Count - 1);
        }
    }

    public TaskSet AddSet(EcsService service, TaskDefinition definition, JsonArray loadBalancers, string? startedBy, string? externalId)
    {
        var id = "ecs-svc/" + Region.NewId(19, "0123456789");
        var set = new TaskSet
        {
            Id = id,
            Arn = region.Arn("ecs", $"task-set/{service.Cluster.Name}/{service.Name}/{id}"),
            Service = service,
            TaskDefinitionArn = definition.Arn,
            StartedBy = startedBy,
            ExternalId = externalId,
            LoadBalancers = (JsonArray)loadBalancers.DeepClone(),
            CreatedAt = region.Now,
            UpdatedAt = region.Now,
            StabilityAt = region.Now,
            Label = service.Controller == "ECS" ? "Primary" : "Blue",
        };
        service.Sets.Add(set);
        Reconcile(set, region.Now);
        return set;
    }

    public EcsService Service(JsonNode input, string member = "service")
    {
        var cluster = Cluster(input);
        var reference = input.Req(member);
        var name = reference.StartsWith("arn:", StringComparison.Ordinal) ? reference[(reference.LastIndexOf('/') + 1)..] : reference;
        return cluster.Services.GetValueOrDefault(name) ?? throw new AwsException("ServiceNotFoundException", "Service not found.");
    }

    public EcsService? FindService(string clusterName, string serviceName) =>
        FindCluster(clusterName)?.Services.GetValueOrDefault(serviceName);

    private JsonObject DescribeServices(JsonObject input)
    {
        var cluster = Cluster(input);
        var services = new JsonArray();
        var failures = new JsonArray();
        foreach (var reference in input.Strings("services"))
        {
            var name = reference.StartsWith("arn:", StringComparison.Ordinal) ? reference[(reference.LastIndexOf('/') + 1)..] : reference;
            if (cluster.Services.TryGetValue(name, out var service))
            {
                services.Add(ServiceJson(service));
            }
            else
            {
                failures.Add(new JsonObject { ["arn"] = region.Arn("ecs", $"service/{cluster.Name}/{name}"), ["reason"] = "MISSING" });
            }
        }

        return new JsonObject { ["services"] = services, ["failures"] = failures };
    }

    public JsonObject ServiceJson(EcsService service)
    {
        var now = region.Now;
        var json = new JsonObject
        {
            ["serviceArn"] = service.Arn,
            ["serviceName"] = service.Name,
            ["clusterArn"] = service.Cluster.Arn,
            ["loadBalancers"] = service.LoadBalancers.DeepClone(),
            ["serviceRegistries"] = new JsonArray(),
            ["status"] = service.Status,
            ["desiredCount"] = service.DesiredCount,
            ["runningCount"] = service.Sets.Sum(s => s.Running(now)),
            ["pendingCount"] = service.Sets.Sum(s => s.Tasks.Count - s.Running(now)),
            ["launchType"] = service.LaunchType,
            ["deploymentConfiguration"] = service.DeploymentConfiguration.DeepClone(),
            ["events"] = service.Events.Select(e => (JsonNode?)e.DeepClone()).ToJsonArray(),
            ["createdAt"] = JsonValue.Create(service.CreatedAt),
            ["placementConstraints"] = new JsonArray(),
            ["placementStrategy"] = new JsonArray(),
            ["networkConfiguration"] = service.NetworkConfiguration?.DeepClone(),
            ["schedulingStrategy"] = "REPLICA",
            ["deploymentController"] = new JsonObject { ["type"] = service.Controller },
            ["createdBy"] = region.Arn("iam", "root").Replace($":{region.Name}:", "::", StringComparison.Ordinal),
            ["enableECSManagedTags"] = false,
            ["propagateTags"] = "NONE",
            ["enableExecuteCommand"] = false,
        };
        if (!string.IsNullOrEmpty(service.TaskDefinitionArn))
        {
            json["taskDefinition"] = service.TaskDefinitionArn;
        }

        if (service.Controller == "ECS")
        {
            json["deployments"] = service.Sets.Select(s => (JsonNode?)DeploymentJson(s, now)).ToJsonArray();
            if (service.Deployments.Count > 0)
            {
                json["currentServiceDeployment"] = service.Deployments[^1].Arn;
            }
        }
        else
        {
            json["taskSets"] = service.Sets.Select(s => (JsonNode?)TaskSetJson(s)).ToJsonArray();
        }

        return json;
    }

    private static JsonObject DeploymentJson(TaskSet set, DateTimeOffset now) => new()
    {
        ["id"] = set.Id,
        ["status"] = set.Status,
        ["taskDefinition"] = set.TaskDefinitionArn,
        ["desiredCount"] = set.DesiredTasks,
        ["pendingCount"] = set.Tasks.Count - set.Running(now),
        ["runningCount"] = set.Running(now),
        ["failedTasks"] = 0,
        ["createdAt"] = JsonValue.Create(set.CreatedAt),
        ["updatedAt"] = JsonValue.Create(set.UpdatedAt),
        ["launchType"] = set.Service.LaunchType,
        ["networkConfiguration"] = set.Service.NetworkConfiguration?.DeepClone(),
        ["rolloutState"] = set.RolloutState,
        ["rolloutStateReason"] = set.RolloutState == "COMPLETED" ? "ECS deployment ecs-svc completed." : "ECS deployment detected.",
    };

    public JsonObject TaskSetJson(TaskSet set)
    {
        var now = region.Now;
        var json = new JsonObject
        {
            ["id"] = set.Id,
            ["taskSetArn"] = set.Arn,
            ["serviceArn"] = set.Service.Arn,
            ["clusterArn"] = set.Service.Cluster.Arn,
            ["status"] = set.Status,
            ["taskDefinition"] = set.TaskDefinitionArn,
            ["computedDesiredCount"] = set.DesiredTasks,
            ["pendingCount"] = set.Tasks.Count - set.Running(now),
            ["runningCount"] = set.Running(now),
            ["createdAt"] = JsonValue.Create(set.CreatedAt),
            ["updatedAt"] = JsonValue.Create(set.UpdatedAt),
            ["launchType"] = set.Service.LaunchType,
            ["networkConfiguration"] = set.Service.NetworkConfiguration?.DeepClone(),
            ["loadBalancers"] = set.LoadBalancers.DeepClone(),
            ["serviceRegistries"] = new JsonArray(),
            ["scale"] = new JsonObject { ["value"] = set.ScalePercent, ["unit"] = "PERCENT" },
            ["stabilityStatus"] = set.Steady(now) ? "STEADY_STATE" : "STABILIZING",
            ["stabilityStatusAt"] = JsonValue.Create(set.StabilityAt),
        };
        if (set.StartedBy is not null)
        {
            json["startedBy"] = set.StartedBy;
        }

        if (set.ExternalId is not null)
        {
            json["externalId"] = set.ExternalId;
        }

        return json;
    }

    private JsonObject UpdateService(JsonObject input)
    {
        var service = Service(input);
        if (service.Status != "ACTIVE")
        {
            throw new AwsException("ServiceNotActiveException", "Service was not ACTIVE.");
        }

        // Everything is checked before anything changes.
        var requested = input.Str("taskDefinition") is { } reference ? ResolveTaskDefinition(reference) : null;
        if (service.Controller == "ECS" && ((requested is not null && requested.Arn != service.TaskDefinitionArn) || (input.Bool("forceNewDeployment") ?? false))
            && service.Deployments.FirstOrDefault(d => d.Native && d.Active) is { } running)
        {
            throw new AwsException("InvalidParameterException", $"The service {service.Name} has a service deployment in progress ({running.Arn}). Wait for it to finish, or stop it with StopServiceDeployment, before starting another.");
        }

        if (input["loadBalancers"] is JsonArray newLoadBalancers && service.Controller == "ECS")
        {
            foreach (var lb in newLoadBalancers)
            {
                var arn = lb.Str("targetGroupArn") ?? throw new AwsException("InvalidParameterException", "targetGroupArn is required for an Application Load Balancer.");
                _ = region.Elb.FindTargetGroup(arn) ?? throw new AwsException("InvalidParameterException", $"Unable to find target group {arn}.");
            }
        }

        var loadBalancers = input["loadBalancers"] is JsonArray given && service.Controller == "ECS" ? (JsonArray)given.DeepClone() : service.LoadBalancers;
        if (input["deploymentConfiguration"] is JsonObject || input["loadBalancers"] is JsonArray)
        {
            // Members given replace the service's; members left out keep their values.
            var merged = (JsonObject)service.DeploymentConfiguration.DeepClone();
            foreach (var (key, value) in input["deploymentConfiguration"] as JsonObject ?? [])
            {
                merged[key] = value?.DeepClone();
            }

            if (EcsServiceDeployments.StrategyOf(merged) != "LINEAR")
            {
                merged.Remove("linearConfiguration");
            }

            if (EcsServiceDeployments.StrategyOf(merged) != "CANARY")
            {
                merged.Remove("canaryConfiguration");
            }

            if (service.Controller == "CODE_DEPLOY" && input["deploymentConfiguration"]?["strategy"] is not null)
            {
                throw new AwsException("InvalidParameterException", "deploymentConfiguration.strategy can only be set on services that use the ECS deployment controller.");
            }

            service.DeploymentConfiguration = service.Controller == "ECS" ? Native.Validate(service.Controller, merged, loadBalancers) : merged;
            service.LoadBalancers = loadBalancers;
        }

        if (input.Int("desiredCount") is { } desired)
        {
            service.DesiredCount = Math.Max(0, desired);
        }

        var newDefinition = input.Str("taskDefinition");
        var force = input.Bool("forceNewDeployment") ?? false;
        if (service.Controller == "CODE_DEPLOY" && newDefinition is not null && ResolveTaskDefinition(newDefinition).Arn != service.TaskDefinitionArn)
        {
            throw new AwsException("InvalidParameterException", "Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.");
        }

        if (service.Controller == "ECS" && (newDefinition is not null || force))
        {
            var definition = newDefinition is null ? ResolveTaskDefinition(service.TaskDefinitionArn) : ResolveTaskDefinition(newDefinition);
            if (service.Strategy != "ROLLING" && (definition.Arn != service.TaskDefinitionArn || force))
            {
                Native.StartNative(service, definition);
            }
            else if (definition.Arn != service.TaskDefinitionArn || force)
            {
                // A rolling update: the new deployment starts its tasks; the old one drains once it is steady.
                foreach (var old in service.Sets)
                {
                    old.Status = "ACTIVE";
                    old.UpdatedAt = region.Now;
                }

                service.TaskDefinitionArn = definition.Arn;
                var primary = AddSet(service, definition, service.LoadBalancers, "ecs-svc", null);
                primary.Status = "PRIMARY";
                Native.StartRolling(service, service.CurrentRevision, Native.NewRevision(service, definition), primary);
                AddEvent(service, $"(service {service.Name}) has started a deployment of {definition.ShortName}.");
            }
        }

        foreach (var set in service.Sets)
        {
            Reconcile(set, region.Now);
        }

        return new JsonObject { ["service"] = ServiceJson(service) };
    }

    private JsonObject DeleteService(JsonObject input)
    {
        var service = Service(input);
        if (service.Status != "ACTIVE")
        {
            throw new AwsException("ServiceNotActiveException", "Service was not ACTIVE.");
        }

        if (service.DesiredCount > 0 && !(input.Bool("force") ?? false) && service.Controller != "EXTERNAL")
        {
            throw new AwsException("InvalidParameterException", "The service cannot be stopped while it is scaled above 0.");
        }

        service.Status = "DRAINING";
        service.DesiredCount = 0;
        foreach (var set in service.Sets)
        {
            set.Status = "DRAINING";
            Reconcile(set, region.Now);
        }

        return new JsonObject { ["service"] = ServiceJson(service) };
    }

    private EcsService ExternalService(JsonObject input)
    {
        var service = Service(input);
        if (service.Controller != "EXTERNAL")
        {
            throw new AwsException("InvalidParameterException", "Amazon ECS only supports task set management on services configured to use external deployment controllers.");
        }

        if (service.Status != "ACTIVE")
        {
            throw new AwsException("ServiceNotActiveException", "Service was not ACTIVE.");
        }

        return service;
    }

    private JsonObject CreateTaskSet(JsonObject input)
    {
        var service = ExternalService(input);
        var definition = ResolveTaskDefinition(input.Req("taskDefinition"));
        var set = AddSet(service, definition, input.Arr("loadBalancers"), input.Str("clientToken") is null ? null : "external", input.Str("externalId"));
        if (input["scale"] is JsonObject scale)
        {
            set.ScalePercent = Math.Clamp(scale.Num("value") ?? 100, 0, 100);
            Reconcile(set, region.Now);
        }

        if (service.Sets.Count == 1)
        {
            set.Status = "PRIMARY";
            service.TaskDefinitionArn = definition.Arn;
        }

        return new JsonObject { ["taskSet"] = TaskSetJson(set) };
    }

    private TaskSet Set(EcsService service, string reference) =>
        service.Sets.FirstOrDefault(s => s.Id == reference || s.Arn == reference)
        ?? throw new AwsException("TaskSetNotFoundException", "The specified task set does not exist.");

    private JsonObject DescribeTaskSets(JsonObject input)
    {
        var service = Service(input);
        var wanted = input.Strings("taskSets").ToList();
        var sets = new JsonArray();
        var failures = new JsonArray();
        if (wanted.Count == 0)
        {
            foreach (var set in service.Sets)
            {
                sets.Add(TaskSetJson(set));
            }
        }
        else
        {
            foreach (var reference in wanted)
            {
                var set = service.Sets.FirstOrDefault(s => s.Id == reference || s.Arn == reference);
                if (set is null)
                {
                    failures.Add(new JsonObject { ["arn"] = reference, ["reason"] = "MISSING" });
                }
                else
                {
                    sets.Add(TaskSetJson(set));
                }
            }
        }

        return new JsonObject { ["taskSets"] = sets, ["failures"] = failures };
    }

    private JsonObject UpdateTaskSet(JsonObject input)
    {
        var service = ExternalService(input);
        var set = Set(service, input.Req("taskSet"));
        var scale = input["scale"] ?? throw new AwsException("InvalidParameterException", "scale is required.");
        set.ScalePercent = Math.Clamp(scale.Num("value") ?? 100, 0, 100);
        set.UpdatedAt = region.Now;
        Reconcile(set, region.Now);
        return new JsonObject { ["taskSet"] = TaskSetJson(set) };
    }

    private JsonObject UpdateServicePrimaryTaskSet(JsonObject input)
    {
        var service = ExternalService(input);
        var set = Set(service, input.Req("primaryTaskSet"));
        MakePrimary(set);
        return new JsonObject { ["taskSet"] = TaskSetJson(set) };
    }

    public void MakePrimary(TaskSet set)
    {
        foreach (var other in set.Service.Sets.Where(s => s != set && s.Status == "PRIMARY"))
        {
            other.Status = "ACTIVE";
            other.UpdatedAt = region.Now;
        }

        set.Status = "PRIMARY";
        set.UpdatedAt = region.Now;
        set.Service.TaskDefinitionArn = set.TaskDefinitionArn;
    }

    private JsonObject DeleteTaskSet(JsonObject input)
    {
        var service = ExternalService(input);
        var set = Set(service, input.Req("taskSet"));
        if (set.Status == "PRIMARY" && !(input.Bool("force") ?? false))
        {
            throw new AwsException("InvalidParameterException", "Cannot delete a task set that is PRIMARY. Set another task set as primary first or use force.");
        }

        RemoveSet(set);
        return new JsonObject { ["taskSet"] = TaskSetJson(set) };
    }

    /// <summary>Starts draining a task set: its tasks stop, then it disappears.</summary>
    public void RemoveSet(TaskSet set)
    {
        set.Status = "DRAINING";
        set.UpdatedAt = region.Now;
        Reconcile(set, region.Now);
    }

    private JsonObject ListTasks(JsonObject input)
    {
        var cluster = Cluster(input);
        var serviceName = input.Str("serviceName");
        var family = input.Str("family");
        var startedBy = input.Str("startedBy");
        if (input.Str("desiredStatus") == "STOPPED")
        {
            return new JsonObject { ["taskArns"] = new JsonArray() };
        }

        var tasks = cluster.Services.Values
            .Where(s => serviceName is null || s.Name == serviceName || s.Arn == serviceName)
            .SelectMany(s => s.Sets)
            .SelectMany(set => set.Tasks)
            .Where(t => family is null || ResolveTaskDefinition(t.Set.TaskDefinitionArn).Family == family)
            .Where(t => startedBy is null || t.Set.StartedBy == startedBy || t.Set.Id == startedBy);
        return new JsonObject { ["taskArns"] = tasks.Select(t => t.Arn).ToJsonArray() };
    }

    private JsonObject DescribeTasks(JsonObject input)
    {
        var cluster = Cluster(input);
        var all = cluster.Services.Values.SelectMany(s => s.Sets).SelectMany(s => s.Tasks).ToList();
        var tasks = new JsonArray();
        var failures = new JsonArray();
        var now = region.Now;
        foreach (var reference in input.Strings("tasks"))
        {
            var task = all.FirstOrDefault(t => t.Id == reference || t.Arn == reference);
            if (task is null)
            {
                failures.Add(new JsonObject { ["arn"] = reference, ["reason"] = "MISSING" });
                continue;
            }

            var definition = ResolveTaskDefinition(task.Set.TaskDefinitionArn);
            var status = task.IsRunning(now) ? "RUNNING" : "PROVISIONING";
            tasks.Add(new JsonObject
            {
                ["taskArn"] = task.Arn,
                ["clusterArn"] = cluster.Arn,
                ["taskDefinitionArn"] = definition.Arn,
                ["lastStatus"] = status,
                ["desiredStatus"] = "RUNNING",
                ["healthStatus"] = "UNKNOWN",
                ["launchType"] = task.Set.Service.LaunchType,
                ["group"] = $"service:{task.Set.Service.Name}",
                ["startedBy"] = task.Set.StartedBy ?? task.Set.Id,
                ["createdAt"] = JsonValue.Create(task.CreatedAt),
                ["startedAt"] = task.IsRunning(now) ? JsonValue.Create(task.RunningAt) : null,
                ["cpu"] = definition.Body.Str("cpu"),
                ["memory"] = definition.Body.Str("memory"),
                ["availabilityZone"] = region.Name + "a",
                ["containers"] = definition.Body.Arr("containerDefinitions").OfType<JsonObject>().Select(c => (JsonNode?)new JsonObject
                {
                    ["containerArn"] = region.Arn("ecs", $"container/{cluster.Name}/{task.Id}/{Guid.NewGuid()}"),
                    ["taskArn"] = task.Arn,
                    ["name"] = c.Str("name"),
                    ["image"] = c.Str("image"),
                    ["lastStatus"] = status,
                    ["networkInterfaces"] = new JsonArray { new JsonObject { ["attachmentId"] = Guid.NewGuid().ToString(), ["privateIpv4Address"] = task.Ip } },
                }).ToJsonArray(),
            });
        }

        return new JsonObject { ["tasks"] = tasks, ["failures"] = failures };
    }

    /// <summary>Starts or stops simulated tasks so a task set has as many as it should.</summary>
    private void Reconcile(TaskSet set, DateTimeOffset now)
    {
        var desired = set.DesiredTasks;
        var changed = false;
        while (set.Tasks.Count < desired)
        {
            var id = Region.NewId(32);
            var ip = _nextIp++;
            set.Tasks.Add(new SimTask
            {
                Id = id,
                Arn = region.Arn("ecs", $"task/{set.Service.Cluster.Name}/{id}"),
                Set = set,
                Ip = $"10.0.{(ip / 250) % 250}.{(ip % 250) + 2}",
                CreatedAt = now,
                RunningAt = now + TaskStartup,
            });
            changed = true;
        }

        while (set.Tasks.Count > desired)
        {
            set.Tasks.RemoveAt(set.Tasks.Count - 1);
            changed = true;
        }

        if (changed)
        {
            set.StabilityAt = now;
        }
    }

    public void Tick(DateTimeOffset now)
    {
        foreach (var service in AllServices)
        {
            foreach (var set in service.Sets)
            {
                Reconcile(set, now);
            }

            // An ECS rolling update: once the primary deployment is steady, older ones drain away.
            if (service.Controller == "ECS" && !service.Deployments.Any(d => d.Native && d.Active))
            {
                var primary = service.Sets.FirstOrDefault(s => s.Status == "PRIMARY");
                if (primary is not null && primary.Steady(now) && primary.RolloutState == "IN_PROGRESS")
                {
                    foreach (var old in service.Sets.Where(s => s != primary))
                    {
                        old.Status = "DRAINING";
                        Reconcile(old, now);
                    }

                    primary.RolloutState = "COMPLETED";
                    AddEvent(service, $"(service {service.Name}) has reached a steady state.");
                }
            }

            service.Sets.RemoveAll(s => s.Status == "DRAINING" && s.Tasks.Count == 0 && service.Status == "ACTIVE");
            if (service.Status == "ACTIVE" && service.Controller == "ECS")
            {
                Native.Tick(service, now);
            }

            if (service.Status == "DRAINING" && service.Sets.All(s => s.Tasks.Count == 0))
            {
                service.Status = "INACTIVE";
                service.Sets.Clear();
            }
        }
    }

    /// <summary>Running tasks registered in a target group, with the task set they belong to.</summary>
    public IEnumerable<SimTask> TargetsOf(string targetGroupArn, DateTimeOffset now) =>
        AllServices.Where(s => s.Status == "ACTIVE")
            .SelectMany(s => s.Sets)
            .Where(set => set.Status != "DRAINING" && set.LoadBalancers.Any(lb => lb.Str("targetGroupArn") == targetGroupArn))
            .SelectMany(set => set.Tasks)
            .Where(t => t.IsRunning(now));

    public IEnumerable<SimTask> AllTargetsOf(string targetGroupArn) =>
        AllServices.SelectMany(s => s.Sets)
            .Where(set => set.LoadBalancers.Any(lb => lb.Str("targetGroupArn") == targetGroupArn))
            .SelectMany(set => set.Tasks);

    public JsonObject Dump() => new()
    {
        ["clusters"] = _clusters.Values.Select(c => (JsonNode?)new JsonObject
        {
            ["clusterArn"] = c.Arn,
            ["services"] = c.Services.Values.Select(s => (JsonNode?)ServiceJson(s)).ToJsonArray(),
        }).ToJsonArray(),
        ["taskDefinitions"] = _families.Values.SelectMany(r => r).Select(d => d.Arn).ToJsonArray(),
        ["serviceDeployments"] = AllServices.SelectMany(s => s.Deployments).Select(d => (JsonNode?)Native.DeploymentJson(d)).ToJsonArray(),
    };
}
