using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

internal sealed class CdApplication
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Platform { get; init; }

    public DateTimeOffset CreateTime { get; init; }
}

internal sealed class CdGroup
{
    public required string Id { get; init; }

    public required CdApplication Application { get; init; }

    public required string Name { get; set; }

    /// <summary>The group's settings as last given, in the API's own member names.</summary>
    public required JsonObject Settings { get; set; }

    public JsonObject? LastSuccessful { get; set; }

    public JsonObject? LastAttempted { get; set; }

    public JsonObject? TargetRevision { get; set; }

    public string ConfigName => Settings.Str("deploymentConfigName")!;
}

internal sealed class CdConfig
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Platform { get; init; }

    public JsonObject? TrafficRouting { get; init; }

    public JsonObject? MinimumHealthyHosts { get; init; }

    public DateTimeOffset CreateTime { get; init; }

    public bool Predefined { get; init; }
}

internal sealed class LifecycleStep(string name)
{
    public string Name { get; } = name;

    public string Status { get; set; } = "Pending";

    public DateTimeOffset? Start { get; set; }

    public DateTimeOffset? End { get; set; }

    public JsonObject? Diagnostics { get; set; }

    public string? HookFunction { get; set; }

    public string? HookExecutionId { get; set; }

    public string? HookResult { get; set; }

    /// <summary>The error of a hook function that failed instead of reporting.</summary>
    public string? HookError { get; set; }

    public DateTimeOffset HookDeadline { get; set; }
}

internal sealed class CdDeployment
{
    public required string Id { get; init; }

    public required CdGroup Group { get; init; }

    public required CdConfig Config { get; init; }

    public required string Creator { get; init; }

    public required JsonObject Revision { get; init; }

    public JsonObject? PreviousRevision { get; init; }

    public string? Description { get; init; }

    public required JsonObject AutoRollback { get; init; }

    /// <summary>CreateDeployment's overrideAlarmConfiguration: replaces the group's alarms for this deployment.</summary>
    public JsonObject? AlarmOverride { get; init; }

    public string Status { get; set; } = "Created";

    public DateTimeOffset CreateTime { get; init; }

    public DateTimeOffset? StartTime { get; set; }

    public DateTimeOffset? CompleteTime { get; set; }

    public DateTimeOffset LastUpdated { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public string? RollbackDeploymentId { get; set; }

    public string? RollbackTriggeringDeploymentId { get; set; }

    public string? RollbackMessage { get; set; }

    public List<LifecycleStep> Steps { get; } = [];

    public int StepIndex { get; set; }

    public Dictionary<string, string> Hooks { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Percent of production traffic on the replacement (green) side.</summary>
    public double GreenPercent { get; set; }

    public DateTimeOffset? NextShiftAt { get; set; }

    public bool ReadyReleased { get; set; }

    public DateTimeOffset? ReadyWaitUntil { get; set; }

    public DateTimeOffset? TerminationWaitUntil { get; set; }

    public bool TerminationStarted { get; set; }

    public bool IsRollback => Creator == "codeDeployRollback";

    public CdDeployment? RolledBack { get; init; }

    // ECS
    public EcsService? Service { get; set; }

    public TaskSet? Original { get; set; }

    public TaskSet? Replacement { get; set; }

    public string? TaskDefinition { get; init; }

    public string? ContainerName { get; init; }

    public int ContainerPort { get; init; }

    public TargetGroup? BlueGroup { get; set; }

    public TargetGroup? GreenGroup { get; set; }

    // Lambda
    public string? FunctionName { get; init; }

    public string? Alias { get; init; }

    public string? CurrentVersion { get; init; }

    public string? TargetVersion { get; init; }

    public bool Active => Status is "Created" or "Queued" or "InProgress" or "Ready" or "Baking";

    public string Platform => Group.Application.Platform;

    public string TargetId => Platform == "ECS" ? $"{Group.Settings["ecsServices"]?[0].Str("clusterName")}:{Group.Settings["ecsServices"]?[0].Str("serviceName")}" : $"{FunctionName}:{Alias}";
}

/// <summary>
/// AWS CodeDeploy for the ECS and Lambda compute platforms. Deployments run their real lifecycle over
/// (scaled) time: task sets are created, listeners and aliases move, hooks call sandbox functions, alarms
/// stop releases, and rollbacks happen.
/// </summary>
internal sealed class CodeDeployApi
{
    /// <summary>How long CodeDeploy waits for a lifecycle hook to report back.</summary>
    public static readonly TimeSpan HookTimeout = TimeSpan.FromHours(1);

    private static readonly string[] EcsEvents = ["BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"];
    private static readonly string[] LambdaEvents = ["BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"];
    private readonly Region _region;
    private readonly Dictionary<string, CdApplication> _applications = new(StringComparer.Ordinal);
    private readonly List<CdGroup> _groups = [];
    private readonly Dictionary<string, CdConfig> _configs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CdDeployment> _deployments = new(StringComparer.Ordinal);

    public CodeDeployApi(Region region)
    {
        _region = region;
        foreach (var config in PredefinedConfigs(region.Now))
        {
            _configs[config.Name] = config;
        }
    }

    private static IEnumerable<CdConfig> PredefinedConfigs(DateTimeOffset now)
    {
        CdConfig Make(string name, string platform, JsonObject? routing, JsonObject? healthy = null) => new()
        {
            Id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(name))[..16]).ToString(),
            Name = name,
            Platform = platform,
            TrafficRouting = routing,
            MinimumHealthyHosts = healthy,
            CreateTime = now,
            Predefined = true,
        };
        JsonObject AllAtOnce() => new() { ["type"] = "AllAtOnce" };
        JsonObject Canary(int percent, int minutes) => new() { ["type"] = "TimeBasedCanary", ["timeBasedCanary"] = new JsonObject { ["canaryPercentage"] = percent, ["canaryInterval"] = minutes } };
        JsonObject Linear(int percent, int minutes) => new() { ["type"] = "TimeBasedLinear", ["timeBasedLinear"] = new JsonObject { ["linearPercentage"] = percent, ["linearInterval"] = minutes } };
        JsonObject Hosts(string type, int value) => new() { ["type"] = type, ["value"] = value };

        yield return Make("CodeDeployDefault.OneAtATime", "Server", null, Hosts("HOST_COUNT", 1));
        yield return Make("CodeDeployDefault.HalfAtATime", "Server", null, Hosts("FLEET_PERCENT", 50));
        yield return Make("CodeDeployDefault.AllAtOnce", "Server", null, Hosts("HOST_COUNT", 0));
        yield return Make("CodeDeployDefault.ECSAllAtOnce", "ECS", AllAtOnce(), Hosts("FLEET_PERCENT", 0));
        yield return Make("CodeDeployDefault.ECSLinear10PercentEvery1Minutes", "ECS", Linear(10, 1), Hosts("FLEET_PERCENT", 0));
        yield return Make("CodeDeployDefault.ECSLinear10PercentEvery3Minutes", "ECS", Linear(10, 3), Hosts("FLEET_PERCENT", 0));
        yield return Make("CodeDeployDefault.ECSCanary10Percent5Minutes", "ECS", Canary(10, 5), Hosts("FLEET_PERCENT", 0));
        yield return Make("CodeDeployDefault.ECSCanary10Percent15Minutes", "ECS", Canary(10, 15), Hosts("FLEET_PERCENT", 0));
        yield return Make("CodeDeployDefault.LambdaAllAtOnce", "Lambda", AllAtOnce(), Hosts("FLEET_PERCENT", 0));
        foreach (var minutes in new[] { 5, 10, 15, 30 })
        {
            yield return Make($"CodeDeployDefault.LambdaCanary10Percent{minutes}Minutes", "Lambda", Canary(10, minutes), Hosts("FLEET_PERCENT", 0));
        }

        foreach (var minutes in new[] { 1, 2, 3, 10 })
        {
            yield return Make($"CodeDeployDefault.LambdaLinear10PercentEvery{minutes}Minute{(minutes == 1 ? string.Empty : "s")}", "Lambda", Linear(10, minutes), Hosts("FLEET_PERCENT", 0));
        }
    }

    public JsonNode Handle(string operation, JsonObject input) => operation switch
    {
        "CreateApplication" => CreateApplication(input),
        "GetApplication" => new JsonObject { ["application"] = ApplicationJson(Application(input)) },
        "ListApplications" => new JsonObject { ["applications"] = _applications.Keys.Order(StringComparer.Ordinal).ToJsonArray() },
        "BatchGetApplications" => new JsonObject { ["applicationsInfo"] = input.Strings("applicationNames").Select(n => (JsonNode?)ApplicationJson(Application(new JsonObject { ["applicationName"] = n }))).ToJsonArray() },
        "DeleteApplication" => DeleteApplication(input),
        "CreateDeploymentGroup" => CreateDeploymentGroup(input),
        "GetDeploymentGroup" => new JsonObject { ["deploymentGroupInfo"] = GroupJson(Group(input, "deploymentGroupName")) },
        "UpdateDeploymentGroup" => UpdateDeploymentGroup(input),
        "ListDeploymentGroups" => ListDeploymentGroups(input),
        "DeleteDeploymentGroup" => DeleteDeploymentGroup(input),
        "CreateDeploymentConfig" => CreateDeploymentConfig(input),
        "GetDeploymentConfig" => new JsonObject { ["deploymentConfigInfo"] = ConfigJson(Config(input.Req("deploymentConfigName", "DeploymentConfigNameRequiredException"))) },
        "ListDeploymentConfigs" => new JsonObject { ["deploymentConfigsList"] = _configs.Keys.Order(StringComparer.Ordinal).ToJsonArray() },
        "DeleteDeploymentConfig" => DeleteDeploymentConfig(input),
        "CreateDeployment" => CreateDeployment(input),
        "GetDeployment" => new JsonObject { ["deploymentInfo"] = DeploymentJson(Deployment(input.Str("deploymentId"))) },
        "BatchGetDeployments" => new JsonObject { ["deploymentsInfo"] = input.Strings("deploymentIds").Select(id => (JsonNode?)DeploymentJson(Deployment(id))).ToJsonArray() },
        "ListDeployments" => ListDeployments(input),
        "ListDeploymentTargets" => new JsonObject { ["targetIds"] = new JsonArray { Deployment(input.Str("deploymentId")).TargetId } },
        "GetDeploymentTarget" => new JsonObject { ["deploymentTarget"] = TargetJson(Deployment(input.Str("deploymentId")), input.Req("targetId", "DeploymentTargetIdRequiredException")) },
        "BatchGetDeploymentTargets" => BatchGetDeploymentTargets(input),
        "ContinueDeployment" => ContinueDeployment(input),
        "StopDeployment" => StopDeployment(input),
        "PutLifecycleEventHookExecutionStatus" => PutLifecycleEventHookExecutionStatus(input),
        _ => throw new AwsException("UnknownOperationException", $"The sandbox does not implement CodeDeploy {operation}."),
    };

    // ----- applications -------------------------------------------------------------------------

    private JsonObject CreateApplication(JsonObject input)
    {
        var name = input.Req("applicationName", "ApplicationNameRequiredException");
        if (_applications.ContainsKey(name))
        {
            throw new AwsException("ApplicationAlreadyExistsException", $"{name} already exists in your account");
        }

        var platform = input.Str("computePlatform") ?? "Server";
        if (platform is not ("Server" or "Lambda" or "ECS"))
        {
            throw new AwsException("InvalidComputePlatformException", $"The computePlatform {platform} is not valid.");
        }

        var application = new CdApplication { Id = Guid.NewGuid().ToString(), Name = name, Platform = platform, CreateTime = _region.Now };
        _applications[name] = application;
        return new JsonObject { ["applicationId"] = application.Id };
    }

    private CdApplication Application(JsonObject input)
    {
        var name = input.Req("applicationName", "ApplicationNameRequiredException");
        return _applications.GetValueOrDefault(name) ?? throw new AwsException("ApplicationDoesNotExistException", $"No application found for name: {name}");
    }

    private static JsonObject ApplicationJson(CdApplication application) => new()
    {
        ["applicationId"] = application.Id,
        ["applicationName"] = application.Name,
        ["createTime"] = JsonValue.Create(application.CreateTime),
        ["linkedToGitHub"] = false,
        ["computePlatform"] = application.Platform,
    };

    private JsonObject DeleteApplication(JsonObject input)
    {
        var application = Application(input);
        _groups.RemoveAll(g => g.Application == application);
        _applications.Remove(application.Name);
        return [];
    }

    // ----- deployment groups --------------------------------------------------------------------

    private CdGroup Group(JsonObject input, string member)
    {
        var application = Application(input);
        var name = input.Req(member, "DeploymentGroupNameRequiredException");
        return _groups.FirstOrDefault(g => g.Application == application && g.Name == name)
            ?? throw new AwsException("DeploymentGroupDoesNotExistException", $"No Deployment Group found for name: {name}");
    }

    private static readonly string[] GroupSettings =
    [
        "deploymentConfigName", "serviceRoleArn", "alarmConfiguration", "autoRollbackConfiguration", "deploymentStyle",
        "blueGreenDeploymentConfiguration", "loadBalancerInfo", "ecsServices", "triggerConfigurations", "outdatedInstancesStrategy", "terminationHookEnabled",
    ];

    private void ValidateGroup(CdApplication application, JsonObject settings)
    {
        if (settings.Str("serviceRoleArn") is null)
        {
            throw new AwsException("RoleRequiredException", "Role ARN is required for deployment group creation.");
        }

        var config = Config(settings.Str("deploymentConfigName")!);
        if (config.Platform != application.Platform)
        {
            throw new AwsException("InvalidDeploymentConfigNameException", $"Deployment config {config.Name} is for the {config.Platform} compute platform, not {application.Platform}.");
        }

        if (application.Platform is "ECS" or "Lambda")
        {
            var style = settings["deploymentStyle"];
            if (style is not null && (style.Str("deploymentType") != "BLUE_GREEN" || style.Str("deploymentOption") != "WITH_TRAFFIC_CONTROL"))
            {
                throw new AwsException("InvalidDeploymentStyleException", $"The {application.Platform} compute platform requires deploymentType BLUE_GREEN and deploymentOption WITH_TRAFFIC_CONTROL.");
            }

            settings["deploymentStyle"] = new JsonObject { ["deploymentType"] = "BLUE_GREEN", ["deploymentOption"] = "WITH_TRAFFIC_CONTROL" };
        }

        if (application.Platform != "ECS")
        {
            return;
        }

        var services = settings.Arr("ecsServices");
        if (services.Count != 1)
        {
            throw new AwsException("InvalidECSServiceException", "An ECS deployment group must name exactly one ECS service.");
        }

        var serviceInfo = services[0]!;
        var service = _region.Ecs.FindService(serviceInfo.Req("clusterName", "InvalidECSServiceException"), serviceInfo.Req("serviceName", "InvalidECSServiceException"));
        if (service is null || service.Status != "ACTIVE")
        {
            throw new AwsException("InvalidECSServiceException", $"Deployment group's ECS service must be an active ECS service: {serviceInfo.Str("serviceName")}");
        }

        if (service.Controller != "CODE_DEPLOY")
        {
            throw new AwsException("InvalidECSServiceException", "Deployment group's ECS service must be configured for a CODE_DEPLOY deployment controller.");
        }

        var pairs = settings["loadBalancerInfo"].Arr("targetGroupPairInfoList");
        if (pairs.Count != 1 || pairs[0].Arr("targetGroups").Count != 2)
        {
            throw new AwsException("InvalidTargetGroupPairException", "An ECS deployment group needs one target group pair of two target groups.");
        }

        foreach (var tg in pairs[0].Arr("targetGroups"))
        {
            if (_region.Elb.FindTargetGroup(tg.Req("name", "InvalidTargetGroupPairException")) is null)
            {
                throw new AwsException("InvalidTargetGroupPairException", $"Target group {tg.Str("name")} does not exist.");
            }
        }

        var listeners = pairs[0]!["prodTrafficRoute"].Strings("listenerArns").Concat(pairs[0]!["testTrafficRoute"].Strings("listenerArns")).ToList();
        if (!pairs[0]!["prodTrafficRoute"].Strings("listenerArns").Any())
        {
            throw new AwsException("InvalidTargetGroupPairException", "A production traffic route with one listener is required.");
        }

        foreach (var arn in listeners)
        {
            if (_region.Elb.FindListener(arn) is null)
            {
                throw new AwsException("InvalidTargetGroupPairException", $"Listener {arn} does not exist.");
            }
        }
    }

    private JsonObject CreateDeploymentGroup(JsonObject input)
    {
        var application = Application(input);
        var name = input.Req("deploymentGroupName", "DeploymentGroupNameRequiredException");
        if (_groups.Any(g => g.Application == application && g.Name == name))
        {
            throw new AwsException("DeploymentGroupAlreadyExistsException", $"A deployment group with name {name} already exists for this application.");
        }

        var settings = new JsonObject();
        foreach (var member in GroupSettings)
        {
            if (input[member] is { } value)
            {
                settings[member] = value.DeepClone();
            }
        }

        settings["deploymentConfigName"] ??= application.Platform switch
        {
            "ECS" => "CodeDeployDefault.ECSAllAtOnce",
            "Lambda" => "CodeDeployDefault.LambdaAllAtOnce",
            _ => "CodeDeployDefault.OneAtATime",
        };
        ValidateGroup(application, settings);
        var group = new CdGroup { Id = Guid.NewGuid().ToString(), Application = application, Name = name, Settings = settings };
        _groups.Add(group);
        return new JsonObject { ["deploymentGroupId"] = group.Id };
    }

    private JsonObject GroupJson(CdGroup group)
    {
        var json = new JsonObject
        {
            ["applicationName"] = group.Application.Name,
            ["deploymentGroupId"] = group.Id,
            ["deploymentGroupName"] = group.Name,
            ["computePlatform"] = group.Application.Platform,
            ["triggerConfigurations"] = new JsonArray(),
            ["alarmConfiguration"] = new JsonObject { ["enabled"] = false, ["ignorePollAlarmFailure"] = false, ["alarms"] = new JsonArray() },
            ["autoRollbackConfiguration"] = new JsonObject { ["enabled"] = false, ["events"] = new JsonArray() },
            ["outdatedInstancesStrategy"] = "UPDATE",
            ["terminationHookEnabled"] = false,
        };
        foreach (var (key, value) in group.Settings)
        {
            json[key] = value?.DeepClone();
        }

        json["lastSuccessfulDeployment"] = group.LastSuccessful?.DeepClone();
        json["lastAttemptedDeployment"] = group.LastAttempted?.DeepClone();
        json["targetRevision"] = group.TargetRevision?.DeepClone();
        return json;
    }

    private JsonObject UpdateDeploymentGroup(JsonObject input)
    {
        var group = Group(input, "currentDeploymentGroupName");
        var settings = (JsonObject)group.Settings.DeepClone();
        foreach (var member in GroupSettings)
        {
            if (input[member] is { } value)
            {
                settings[member] = value.DeepClone();
            }
        }

        ValidateGroup(group.Application, settings);
        if (input.Str("newDeploymentGroupName") is { } newName && newName != group.Name)
        {
            if (_groups.Any(g => g.Application == group.Application && g.Name == newName))
            {
                throw new AwsException("DeploymentGroupAlreadyExistsException", $"A deployment group with name {newName} already exists for this application.");
            }

            group.Name = newName;
        }

        group.Settings = settings;
        return new JsonObject { ["hooksNotCleanedUp"] = new JsonArray() };
    }

    private JsonObject ListDeploymentGroups(JsonObject input)
    {
        var application = Application(input);
        return new JsonObject
        {
            ["applicationName"] = application.Name,
            ["deploymentGroups"] = _groups.Where(g => g.Application == application).Select(g => g.Name).Order(StringComparer.Ordinal).ToJsonArray(),
        };
    }

    private JsonObject DeleteDeploymentGroup(JsonObject input)
    {
        var group = Group(input, "deploymentGroupName");
        _groups.Remove(group);
        return new JsonObject { ["hooksNotCleanedUp"] = new JsonArray() };
    }

    // ----- deployment configs -------------------------------------------------------------------

    private CdConfig Config(string name) =>
        _configs.GetValueOrDefault(name) ?? throw new AwsException("DeploymentConfigDoesNotExistException", $"No deployment configuration found for name: {name}");

    private static JsonObject ConfigJson(CdConfig config) => new()
    {
        ["deploymentConfigId"] = config.Id,
        ["deploymentConfigName"] = config.Name,
        ["minimumHealthyHosts"] = config.MinimumHealthyHosts?.DeepClone(),
        ["createTime"] = JsonValue.Create(config.CreateTime),
        ["computePlatform"] = config.Platform,
        ["trafficRoutingConfig"] = config.TrafficRouting?.DeepClone(),
    };

    private JsonObject CreateDeploymentConfig(JsonObject input)
    {
        var name = input.Req("deploymentConfigName", "DeploymentConfigNameRequiredException");
        if (_configs.ContainsKey(name))
        {
            throw new AwsException("DeploymentConfigAlreadyExistsException", $"A deployment configuration with name {name} already exists");
        }

        var platform = input.Str("computePlatform") ?? "Server";
        var routing = input["trafficRoutingConfig"] as JsonObject;
        if (platform is "ECS" or "Lambda")
        {
            routing ??= new JsonObject { ["type"] = "AllAtOnce" };
            var type = routing.Str("type") ?? "AllAtOnce";
            var (member, percent, interval) = type switch
            {
                "TimeBasedCanary" => ("timeBasedCanary", "canaryPercentage", "canaryInterval"),
                "TimeBasedLinear" => ("timeBasedLinear", "linearPercentage", "linearInterval"),
                "AllAtOnce" => (string.Empty, string.Empty, string.Empty),
                _ => throw new AwsException("InvalidTrafficRoutingConfigurationException", $"Traffic routing type {type} is not valid."),
            };
            if (member.Length > 0)
            {
                var p = routing[member].Int(percent) ?? 0;
                var i = routing[member].Int(interval) ?? 0;
                if (p is < 1 or > 99 || i < 1)
                {
                    throw new AwsException("InvalidTrafficRoutingConfigurationException", "The configuration of the traffic routing is invalid: the percentage must be 1 to 99 and the interval at least 1 minute.");
                }
            }
        }
        else if (input["minimumHealthyHosts"] is null)
        {
            throw new AwsException("InvalidMinimumHealthyHostValueException", "minimumHealthyHosts is required for the Server compute platform.");
        }

        var config = new CdConfig
        {
            Id = Guid.NewGuid().ToString(),
            Name = name,
            Platform = platform,
            TrafficRouting = (JsonObject?)routing?.DeepClone(),
            MinimumHealthyHosts = input["minimumHealthyHosts"]?.DeepClone() as JsonObject,
            CreateTime = _region.Now,
        };
        _configs[name] = config;
        return new JsonObject { ["deploymentConfigId"] = config.Id };
    }

    private JsonObject DeleteDeploymentConfig(JsonObject input)
    {
        var config = Config(input.Req("deploymentConfigName", "DeploymentConfigNameRequiredException"));
        if (config.Predefined)
        {
            throw new AwsException("InvalidOperationException", "You cannot delete a predefined deployment configuration.");
        }

        if (_groups.Any(g => g.ConfigName == config.Name))
        {
            throw new AwsException("DeploymentConfigInUseException", $"The deployment configuration {config.Name} is still in use.");
        }

        _configs.Remove(config.Name);
        return [];
    }

    // ----- deployments ---------------------------------------------------------------------------

    private CdDeployment Deployment(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new AwsException("DeploymentIdRequiredException", "A deployment ID must be specified.");
        }

        return _deployments.GetValueOrDefault(id) ?? throw new AwsException("DeploymentDoesNotExistException", $"The deployment {id} could not be found.");
    }

    private JsonObject CreateDeployment(JsonObject input)
    {
        var application = Application(input);
        var group = Group(input, "deploymentGroupName");
        var revision = input["revision"] as JsonObject ?? throw new AwsException("RevisionRequiredException", "A revision must be specified.");
        var content = revision.Str("revisionType") switch
        {
            "AppSpecContent" => revision["appSpecContent"].Str("content"),
            "String" => revision["string"].Str("content"),
            var t => throw new AwsException("InvalidRevisionException", $"The sandbox deploys AppSpecContent or String revisions, not {t ?? "none"}."),
        } ?? throw new AwsException("InvalidRevisionException", "The revision has no AppSpec content.");
        var config = Config(input.Str("deploymentConfigName") ?? group.ConfigName);
        if (config.Platform != application.Platform)
        {
            throw new AwsException("InvalidDeploymentConfigNameException", $"Deployment config {config.Name} is not for the {application.Platform} compute platform.");
        }

        var (properties, hooks) = AppSpec.Read(AppSpec.Parse(content));
        var active = _deployments.Values.FirstOrDefault(d => d.Group == group && d.Active);
        if (active is not null)
        {
            throw new AwsException("DeploymentLimitExceededException", $"The Deployment Group '{group.Name}' already has an active Deployment '{active.Id}'");
        }

        var autoRollback = input["autoRollbackConfiguration"]?.DeepClone() as JsonObject
            ?? group.Settings["autoRollbackConfiguration"]?.DeepClone() as JsonObject
            ?? new JsonObject { ["enabled"] = false, ["events"] = new JsonArray() };
        var deployment = new CdDeployment
        {
            Id = NewDeploymentId(),
            Group = group,
            Config = config,
            Creator = "user",
            Revision = (JsonObject)revision.DeepClone(),
            PreviousRevision = group.TargetRevision?.DeepClone() as JsonObject,
            Description = input.Str("description"),
            AutoRollback = autoRollback,
            AlarmOverride = input["overrideAlarmConfiguration"]?.DeepClone() as JsonObject,
            CreateTime = _region.Now,
            LastUpdated = _region.Now,
            Hooks = hooks,
            TaskDefinition = properties.Str("TaskDefinition"),
            ContainerName = properties["LoadBalancerInfo"].Str("ContainerName"),
            ContainerPort = properties["LoadBalancerInfo"].Int("ContainerPort") ?? 0,
            FunctionName = properties.Str("Name"),
            Alias = properties.Str("Alias"),
            CurrentVersion = properties.Str("CurrentVersion"),
            TargetVersion = properties.Str("TargetVersion"),
        };
        if (application.Platform == "ECS" && (deployment.TaskDefinition is null || deployment.ContainerName is null || deployment.ContainerPort == 0))
        {
            throw new AwsException("InvalidRevisionException", "The AppSpec file for ECS must give TaskDefinition and LoadBalancerInfo (ContainerName, ContainerPort).");
        }

        if (application.Platform == "Lambda" && (deployment.FunctionName is null || deployment.Alias is null || deployment.CurrentVersion is null || deployment.TargetVersion is null))
        {
            throw new AwsException("InvalidRevisionException", "The AppSpec file for Lambda must give Name, Alias, CurrentVersion and TargetVersion.");
        }

        if (application.Platform == "Server")
        {
            throw new AwsException("InvalidRevisionException", "The sandbox runs ECS and Lambda deployments, not Server ones.");
        }

        foreach (var name in application.Platform == "ECS" ? EcsEvents : LambdaEvents)
        {
            deployment.Steps.Add(new LifecycleStep(name) { HookFunction = hooks.GetValueOrDefault(name) });
        }

        _deployments[deployment.Id] = deployment;
        group.TargetRevision = (JsonObject)revision.DeepClone();
        group.LastAttempted = Summary(deployment);
        return new JsonObject { ["deploymentId"] = deployment.Id };
    }

    private static string NewDeploymentId() => "d-" + Region.NewId(9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    private static JsonObject Summary(CdDeployment d) => new()
    {
        ["deploymentId"] = d.Id,
        ["status"] = d.Status,
        ["endTime"] = d.CompleteTime is null ? null : JsonValue.Create(d.CompleteTime.Value),
        ["createTime"] = JsonValue.Create(d.CreateTime),
    };

    private JsonObject DeploymentJson(CdDeployment d)
    {
        var json = new JsonObject
        {
            ["applicationName"] = d.Group.Application.Name,
            ["deploymentGroupName"] = d.Group.Name,
            ["deploymentConfigName"] = d.Config.Name,
            ["deploymentId"] = d.Id,
            ["previousRevision"] = d.PreviousRevision?.DeepClone(),
            ["revision"] = d.Revision.DeepClone(),
            ["status"] = d.Status,
            ["createTime"] = JsonValue.Create(d.CreateTime),
            ["startTime"] = d.StartTime is null ? null : JsonValue.Create(d.StartTime.Value),
            ["completeTime"] = d.CompleteTime is null ? null : JsonValue.Create(d.CompleteTime.Value),
            ["deploymentOverview"] = Overview(d),
            ["description"] = d.Description,
            ["creator"] = d.Creator,
            ["ignoreApplicationStopFailures"] = false,
            ["autoRollbackConfiguration"] = d.AutoRollback.DeepClone(),
            ["overrideAlarmConfiguration"] = d.AlarmOverride?.DeepClone(),
            ["updateOutdatedInstancesOnly"] = false,
            ["deploymentStyle"] = d.Group.Settings["deploymentStyle"]?.DeepClone(),
            ["instanceTerminationWaitTimeStarted"] = d.TerminationStarted,
            ["blueGreenDeploymentConfiguration"] = d.Group.Settings["blueGreenDeploymentConfiguration"]?.DeepClone(),
            ["loadBalancerInfo"] = d.Group.Settings["loadBalancerInfo"]?.DeepClone(),
            ["fileExistsBehavior"] = "DISALLOW",
            ["deploymentStatusMessages"] = new JsonArray(),
            ["computePlatform"] = d.Platform,
        };
        if (d.ErrorCode is not null)
        {
            json["errorInformation"] = new JsonObject { ["code"] = d.ErrorCode, ["message"] = d.ErrorMessage };
        }

        if (d.RollbackDeploymentId is not null || d.RollbackTriggeringDeploymentId is not null || d.RollbackMessage is not null)
        {
            json["rollbackInfo"] = new JsonObject
            {
                ["rollbackDeploymentId"] = d.RollbackDeploymentId,
                ["rollbackTriggeringDeploymentId"] = d.RollbackTriggeringDeploymentId,
                ["rollbackMessage"] = d.RollbackMessage,
            };
        }

        return json;
    }

    private static string TargetStatus(CdDeployment d) => d.Status switch
    {
        "Created" or "Queued" => "Pending",
        "Ready" => "Ready",
        "Succeeded" => "Succeeded",
        "Failed" or "Stopped" => "Failed",
        _ => "InProgress",
    };

    private static JsonObject Overview(CdDeployment d)
    {
        var status = TargetStatus(d);
        JsonObject overview = new() { ["Pending"] = 0, ["InProgress"] = 0, ["Succeeded"] = 0, ["Failed"] = 0, ["Skipped"] = 0, ["Ready"] = 0 };
        overview[status] = 1;
        return overview;
    }

    private JsonObject ListDeployments(JsonObject input)
    {
        IEnumerable<CdDeployment> deployments = _deployments.Values;
        if (input.Str("applicationName") is not null)
        {
            if (input.Str("deploymentGroupName") is null)
            {
                throw new AwsException("DeploymentGroupNameRequiredException", "If applicationName is specified, then deploymentGroupName must be specified.");
            }

            var group = Group(input, "deploymentGroupName");
            deployments = deployments.Where(d => d.Group == group);
        }

        var statuses = input.Strings("includeOnlyStatuses").ToHashSet(StringComparer.Ordinal);
        if (statuses.Count > 0)
        {
            deployments = deployments.Where(d => statuses.Contains(d.Status));
        }

        if (input["createTimeRange"] is JsonObject range)
        {
            var start = range.Time("start") ?? DateTimeOffset.MinValue;
            var end = range.Time("end") ?? DateTimeOffset.MaxValue;
            deployments = deployments.Where(d => d.CreateTime >= start && d.CreateTime <= end);
        }

        return new JsonObject { ["deployments"] = deployments.OrderByDescending(d => d.CreateTime).Select(d => d.Id).ToJsonArray() };
    }

    private JsonObject TargetJson(CdDeployment d, string targetId)
    {
        if (targetId != d.TargetId)
        {
            throw new AwsException("DeploymentTargetDoesNotExistException", $"The provided target ID {targetId} does not belong to the deployment {d.Id}.");
        }

        var events = d.Steps.Select(s => (JsonNode?)new JsonObject
        {
            ["lifecycleEventName"] = s.Name,
            ["diagnostics"] = s.Diagnostics?.DeepClone(),
            ["startTime"] = s.Start is null ? null : JsonValue.Create(s.Start.Value),
            ["endTime"] = s.End is null ? null : JsonValue.Create(s.End.Value),
            ["status"] = s.Status,
        }).ToJsonArray();
        if (d.Platform == "ECS")
        {
            var sets = new JsonArray();
            var now = _region.Now;
            foreach (var (set, group, weight, label) in new[] { (d.Original, d.BlueGroup, 100 - d.GreenPercent, "Blue"), (d.Replacement, d.GreenGroup, d.GreenPercent, "Green") })
            {
                if (set is null)
                {
                    continue;
                }

                sets.Add(new JsonObject
                {
                    ["identifer"] = set.Id,
                    ["desiredCount"] = set.DesiredTasks,
                    ["pendingCount"] = set.Tasks.Count - set.Running(now),
                    ["runningCount"] = set.Running(now),
                    ["status"] = set.Status,
                    ["trafficWeight"] = weight,
                    ["targetGroup"] = new JsonObject { ["name"] = group?.Name },
                    ["taskSetLabel"] = label,
                });
            }

            return new JsonObject
            {
                ["deploymentTargetType"] = "ECSTarget",
                ["ecsTarget"] = new JsonObject
                {
                    ["deploymentId"] = d.Id,
                    ["targetId"] = d.TargetId,
                    ["targetArn"] = d.Service?.Arn,
                    ["lastUpdatedAt"] = JsonValue.Create(d.LastUpdated),
                    ["lifecycleEvents"] = events,
                    ["status"] = TargetStatus(d),
                    ["taskSetsInfo"] = sets,
                },
            };
        }

        var function = _region.Lambda.Find(d.FunctionName!);
        return new JsonObject
        {
            ["deploymentTargetType"] = "LambdaTarget",
            ["lambdaTarget"] = new JsonObject
            {
                ["deploymentId"] = d.Id,
                ["targetId"] = d.TargetId,
                ["targetArn"] = function is null ? null : $"{function.Arn}:{d.Alias}",
                ["status"] = TargetStatus(d),
                ["lastUpdatedAt"] = JsonValue.Create(d.LastUpdated),
                ["lifecycleEvents"] = events,
                ["lambdaFunctionInfo"] = new JsonObject
                {
                    ["functionName"] = d.FunctionName,
                    ["functionAlias"] = d.Alias,
                    ["currentVersion"] = d.CurrentVersion,
                    ["targetVersion"] = d.TargetVersion,
                    ["targetVersionWeight"] = d.GreenPercent / 100.0,
                },
            },
        };
    }

    private JsonObject BatchGetDeploymentTargets(JsonObject input)
    {
        var deployment = Deployment(input.Str("deploymentId"));
        var targets = input.Strings("targetIds").Select(id => (JsonNode?)TargetJson(deployment, id)).ToJsonArray();
        return new JsonObject { ["deploymentTargets"] = targets };
    }

    private JsonObject ContinueDeployment(JsonObject input)
    {
        var d = Deployment(input.Str("deploymentId"));
        if (!d.Active)
        {
            throw new AwsException("DeploymentAlreadyCompletedException", $"The deployment {d.Id} has already completed.");
        }

        var waitType = input.Str("deploymentWaitType") ?? "READY_WAIT";
        switch (waitType)
        {
            case "READY_WAIT":
                if (d.Status != "Ready")
                {
                    throw new AwsException("DeploymentIsNotInReadyStateException", $"The deployment {d.Id} is not in a ready state.");
                }

                d.ReadyReleased = true;
                break;
            case "TERMINATION_WAIT":
                if (d.TerminationWaitUntil is null)
                {
                    throw new AwsException("DeploymentIsNotInReadyStateException", $"The deployment {d.Id} is not waiting to terminate the original task set.");
                }

                d.TerminationWaitUntil = _region.Now;
                break;
            default:
                throw new AwsException("InvalidDeploymentWaitTypeException", $"The wait type {waitType} is invalid.");
        }

        Advance(d, _region.Now);
        return [];
    }

    private JsonObject StopDeployment(JsonObject input)
    {
        var d = Deployment(input.Str("deploymentId"));
        if (!d.Active)
        {
            throw new AwsException("DeploymentAlreadyCompletedException", $"The deployment {d.Id} has already completed.");
        }

        var rollback = input.Bool("autoRollbackEnabled") ?? RollsBackOn(d, "DEPLOYMENT_STOP_ON_REQUEST");
        End(d, "Stopped", "MANUAL_STOP", "The deployment was stopped by the user.", rollback);
        return new JsonObject { ["status"] = "Pending", ["statusMessage"] = rollback ? "Stopping deployment and rolling back." : "Stopping deployment." };
    }

    private JsonObject PutLifecycleEventHookExecutionStatus(JsonObject input)
    {
        var d = Deployment(input.Str("deploymentId"));
        var executionId = input.Req("lifecycleEventHookExecutionId", "InvalidLifecycleEventHookExecutionIdException");
        var status = input.Req("status", "InvalidLifecycleEventHookExecutionStatusException");
        if (status is not ("Succeeded" or "Failed"))
        {
            throw new AwsException("InvalidLifecycleEventHookExecutionStatusException", $"The status {status} is not valid; use Succeeded or Failed.");
        }

        var step = d.Steps.FirstOrDefault(s => s.HookExecutionId == executionId)
            ?? throw new AwsException("InvalidLifecycleEventHookExecutionIdException", $"The lifecycle event hook execution id {executionId} is not valid for deployment {d.Id}.");
        if (step.Status != "InProgress" || step.HookResult is not null || !d.Active)
        {
            throw new AwsException("LifecycleEventAlreadyCompletedException", $"The lifecycle event {step.Name} of deployment {d.Id} has already completed.");
        }

        step.HookResult = status;
        return new JsonObject { ["lifecycleEventHookExecutionId"] = executionId };
    }

    // ----- the lifecycle -------------------------------------------------------------------------

    public void Tick(DateTimeOffset now)
    {
        foreach (var d in _deployments.Values.Where(d => d.Active).ToList())
        {
            Advance(d, now);
        }
    }

    private static bool RollsBackOn(CdDeployment d, string trigger) =>
        (d.AutoRollback.Bool("enabled") ?? false) && d.AutoRollback.Strings("events").Contains(trigger);

    private string? ActiveAlarm(CdDeployment d)
    {
        var alarms = d.AlarmOverride ?? d.Group.Settings["alarmConfiguration"];
        if (!(alarms.Bool("enabled") ?? false))
        {
            return null;
        }

        return alarms.Arr("alarms").Select(a => a.Str("name")).FirstOrDefault(n => n is not null && _region.CloudWatch.StateOf(n) == "ALARM");
    }

    private void Advance(CdDeployment d, DateTimeOffset now)
    {
        if (d.Status == "Created")
        {
            d.Status = "InProgress";
            d.StartTime = now;
            d.LastUpdated = now;
            if (d.Platform == "ECS" && !PrepareEcs(d))
            {
                return;
            }

            if (d.Platform == "Lambda" && !PrepareLambda(d))
            {
                return;
            }
        }

        if (!d.IsRollback && ActiveAlarm(d) is { } alarm)
        {
            End(d, "Stopped", "ALARM_ACTIVE", $"One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <{alarm}>", RollsBackOn(d, "DEPLOYMENT_STOP_ON_ALARM"));
            return;
        }

        for (var guard = 0; guard < 32 && d.Active; guard++)
        {
            if (d.StepIndex >= d.Steps.Count)
            {
                Finish(d, now);
                return;
            }

            var step = d.Steps[d.StepIndex];
            if (step.Status == "Pending")
            {
                if (!d.IsRollback && step.Name == "BeforeAllowTraffic" && d.Platform == "ECS" && !ReadyToReroute(d, now))
                {
                    return;
                }

                step.Status = "InProgress";
                step.Start = now;
                d.LastUpdated = now;
                if (d.IsRollback && step.Name is not ("Install" or "AllowTestTraffic" or "AllowTraffic"))
                {
                    step.Status = "Skipped";
                    step.End = now;
                    d.StepIndex++;
                    continue;
                }

                if (!Enter(d, step, now))
                {
                    return;
                }
            }

            var outcome = Progress(d, step, now);
            if (outcome is null)
            {
                return;
            }

            if (outcome is { } failure && failure.Length > 0)
            {
                step.Status = "Failed";
                step.End = now;
                return;
            }

            step.Status = "Succeeded";
            step.End = now;
            d.LastUpdated = now;
            d.StepIndex++;
        }
    }

    /// <summary>The Ready wait before production traffic moves, as the group's deploymentReadyOption says.</summary>
    private bool ReadyToReroute(CdDeployment d, DateTimeOffset now)
    {
        var option = d.Group.Settings["blueGreenDeploymentConfiguration"]?["deploymentReadyOption"];
        if (option.Str("actionOnTimeout") != "STOP_DEPLOYMENT" || d.ReadyReleased)
        {
            if (d.Status == "Ready")
            {
                d.Status = "InProgress";
                d.LastUpdated = now;
            }

            return true;
        }

        if (d.ReadyWaitUntil is null)
        {
            d.ReadyWaitUntil = now.AddMinutes(option.Int("waitTimeInMinutes") ?? 0);
            d.Status = "Ready";
            d.LastUpdated = now;
        }

        if (now >= d.ReadyWaitUntil)
        {
            End(d, "Stopped", "TIMEOUT", "The deployment timed out while waiting for the replacement to be ready to receive production traffic (deploymentReadyOption STOP_DEPLOYMENT).", RollsBackOn(d, "DEPLOYMENT_FAILURE"));
        }

        return false;
    }

    private bool PrepareEcs(CdDeployment d)
    {
        var serviceInfo = d.Group.Settings["ecsServices"]![0];
        d.Service = _region.Ecs.FindService(serviceInfo.Str("clusterName")!, serviceInfo.Str("serviceName")!);
        if (d.Service is null || d.Service.Status != "ACTIVE")
        {
            End(d, "Failed", "INVALID_ECS_SERVICE", "The ECS service of the deployment group does not exist or is not active.", RollsBackOn(d, "DEPLOYMENT_FAILURE"));
            return false;
        }

        var pair = d.Group.Settings["loadBalancerInfo"].Arr("targetGroupPairInfoList")[0]!;
        var groups = pair.Arr("targetGroups").Select(t => _region.Elb.FindTargetGroup(t.Str("name")!)).ToList();
        if (d.IsRollback)
        {
            var original = d.RolledBack!;
            d.Original = original.Original;
            d.Replacement = original.Replacement;
            d.BlueGroup = original.BlueGroup;
            d.GreenGroup = original.GreenGroup;
            d.GreenPercent = original.GreenPercent;
            return true;
        }

        d.Original = d.Service.Sets.FirstOrDefault(s => s.Status == "PRIMARY");
        var originalGroup = d.Original?.LoadBalancers.Select(lb => lb.Str("targetGroupArn")).FirstOrDefault();
        d.BlueGroup = groups.FirstOrDefault(g => g?.Arn == originalGroup) ?? groups[0];
        d.GreenGroup = groups.First(g => g != d.BlueGroup);
        if (d.BlueGroup is null || d.GreenGroup is null)
        {
            End(d, "Failed", "ELASTIC_LOAD_BALANCING_INVALID", "A target group of the deployment group no longer exists.", RollsBackOn(d, "DEPLOYMENT_FAILURE"));
            return false;
        }

        return true;
    }

    private bool PrepareLambda(CdDeployment d)
    {
        var function = _region.Lambda.Find(d.FunctionName!);
        var alias = _region.Lambda.FindAlias(d.FunctionName!, d.Alias!);
        if (function is null || alias is null || !function.Versions.ContainsKey(d.CurrentVersion!) || !function.Versions.ContainsKey(d.TargetVersion!))
        {
            End(d, "Failed", "INVALID_LAMBDA_CONFIGURATION", $"The function {d.FunctionName}, its alias {d.Alias} or versions {d.CurrentVersion} and {d.TargetVersion} do not exist.", false);
            return false;
        }

        if (d.IsRollback)
        {
            d.GreenPercent = d.RolledBack!.GreenPercent;
        }

        return true;
    }

    /// <summary>Starts a lifecycle event. Returns false when the deployment ended on the way.</summary>
    private bool Enter(CdDeployment d, LifecycleStep step, DateTimeOffset now)
    {
        if (step.HookFunction is not null && !d.IsRollback)
        {
            step.HookExecutionId = Guid.NewGuid().ToString();
            step.HookDeadline = now + HookTimeout;
            try
            {
                var payload = Json.Serialize(new JsonObject { ["DeploymentId"] = d.Id, ["LifecycleEventHookExecutionId"] = step.HookExecutionId });
                var invocation = _region.Lambda.Prepare(step.HookFunction, null, payload, "lambda:" + step.HookFunction);
                var executionId = step.HookExecutionId;
                _region.Lambda.Schedule(invocation, () => HookErred(d, step, executionId, invocation));
            }
            catch (AwsException e)
            {
                step.Diagnostics = new JsonObject { ["errorCode"] = "UnknownError", ["scriptName"] = step.HookFunction, ["message"] = e.Message };
                step.Status = "Failed";
                step.End = now;
                End(d, "Failed", "INVALID_LAMBDA_FUNCTION", $"The {step.Name} hook function {step.HookFunction} could not be invoked: {e.Message}", RollsBackOn(d, "DEPLOYMENT_FAILURE"));
                return false;
            }
        }

        switch (step.Name)
        {
            case "Install" when d.Platform == "ECS":
                if (d.IsRollback)
                {
                    return true;
                }

                var definition = _region.Ecs.ResolveTaskDefinition(d.TaskDefinition!);
                var loadBalancers = new JsonArray { new JsonObject { ["targetGroupArn"] = d.GreenGroup!.Arn, ["containerName"] = d.ContainerName, ["containerPort"] = d.ContainerPort } };
                if (d.Original is not null)
                {
                    d.Original.Label = "Blue";
                }

                d.Replacement = _region.Ecs.AddSet(d.Service!, definition, loadBalancers, "CodeDeploy", d.Id);
                d.Replacement.Label = "Green";
                break;
            case "AllowTestTraffic" when d.Platform == "ECS":
                var testWeights = d.IsRollback ? Weights(d, 0) : Weights(d, 100);
                foreach (var listener in Listeners(d, "testTrafficRoute"))
                {
                    _region.Elb.SetWeights(listener, testWeights);
                }

                break;
            case "AllowTraffic":
                if (d.IsRollback)
                {
                    Shift(d, 0);
                }
                else
                {
                    Shift(d, InitialPercent(d.Config));
                    d.NextShiftAt = now.AddMinutes(Interval(d.Config));
                }

                break;
        }

        return true;
    }

    private static double InitialPercent(CdConfig config) => config.TrafficRouting.Str("type") switch
    {
        "TimeBasedCanary" => config.TrafficRouting!["timeBasedCanary"].Num("canaryPercentage") ?? 10,
        "TimeBasedLinear" => config.TrafficRouting!["timeBasedLinear"].Num("linearPercentage") ?? 10,
        _ => 100,
    };

    private static double Interval(CdConfig config) => config.TrafficRouting.Str("type") switch
    {
        "TimeBasedCanary" => config.TrafficRouting!["timeBasedCanary"].Num("canaryInterval") ?? 1,
        "TimeBasedLinear" => config.TrafficRouting!["timeBasedLinear"].Num("linearInterval") ?? 1,
        _ => 0,
    };

    private Dictionary<string, int> Weights(CdDeployment d, double greenPercent)
    {
        var green = (int)Math.Round(greenPercent);
        return new Dictionary<string, int>(StringComparer.Ordinal) { [d.BlueGroup!.Arn] = 100 - green, [d.GreenGroup!.Arn] = green };
    }

    private IEnumerable<Listener> Listeners(CdDeployment d, string route) =>
        d.Group.Settings["loadBalancerInfo"].Arr("targetGroupPairInfoList")[0]?[route].Strings("listenerArns")
            .Select(_region.Elb.FindListener).OfType<Listener>() ?? [];

    /// <summary>Puts this share of production traffic on the replacement.</summary>
    private void Shift(CdDeployment d, double greenPercent)
    {
        d.GreenPercent = Math.Clamp(greenPercent, 0, 100);
        if (d.Platform == "ECS")
        {
            foreach (var listener in Listeners(d, "prodTrafficRoute"))
            {
                _region.Elb.SetWeights(listener, Weights(d, d.GreenPercent));
            }
        }
        else
        {
            var (primary, additional, weight) = d.IsRollback
                ? (d.RolledBack!.CurrentVersion!, (string?)null, 0.0)
                : d.GreenPercent >= 100
                    ? (d.TargetVersion!, (string?)null, 0.0)
                    : (d.CurrentVersion!, d.TargetVersion, d.GreenPercent / 100.0);
            _region.Lambda.Route(d.FunctionName!, d.Alias!, primary, additional, weight);
        }
    }

    /// <summary>
    /// A hook function that ends in an error (X-Amz-Function-Error) fails its lifecycle event: it never reports a
    /// status, and CodeDeploy sees the error of its invocation.
    /// </summary>
    private static void HookErred(CdDeployment d, LifecycleStep step, string executionId, Invocation invocation)
    {
        if (invocation.FunctionError is null || step.HookExecutionId != executionId || step.HookResult is not null || step.Status != "InProgress" || !d.Active)
        {
            return;
        }

        step.HookResult = "Failed";
        step.HookError = $"The Lambda function {step.HookFunction} returned an error ({invocation.FunctionError}): {invocation.Error}";
    }

    /// <summary>Null while the event waits; empty when it succeeded; a reason when the deployment ended.</summary>
    private string? Progress(CdDeployment d, LifecycleStep step, DateTimeOffset now)
    {
        if (step.HookExecutionId is not null && step.HookResult is null)
        {
            if (now < step.HookDeadline)
            {
                return null;
            }

            step.Diagnostics = new JsonObject { ["errorCode"] = "ScriptTimedOut", ["scriptName"] = step.HookFunction, ["message"] = "The lifecycle hook did not report a status before its timeout." };
            step.Status = "Failed";
            step.End = now;
            End(d, "Failed", "TIMEOUT", $"The {step.Name} lifecycle event hook {step.HookFunction} timed out.", RollsBackOn(d, "DEPLOYMENT_FAILURE"));
            return "timeout";
        }

        if (step.HookResult == "Failed")
        {
            step.Diagnostics = new JsonObject { ["errorCode"] = "ScriptFailed", ["scriptName"] = step.HookFunction, ["message"] = step.HookError ?? "The lifecycle hook reported Failed." };
            step.Status = "Failed";
            step.End = now;
            End(d, "Failed", "HOOK_EXECUTION_FAILURE", $"The deployment failed because a specified Lambda function failed in lifecycle event {step.Name}.", RollsBackOn(d, "DEPLOYMENT_FAILURE"));
            return "hook failed";
        }

        switch (step.Name)
        {
            case "Install" when d.Platform == "ECS" && !d.IsRollback:
                return d.Replacement!.Steady(now) ? string.Empty : null;
            case "AllowTraffic" when !d.IsRollback:
                while (d.GreenPercent < 100 && d.NextShiftAt is { } next && now >= next)
                {
                    var step2 = d.Config.TrafficRouting.Str("type") == "TimeBasedLinear" ? InitialPercent(d.Config) : 100;
                    Shift(d, d.GreenPercent + step2);
                    d.NextShiftAt = next.AddMinutes(Interval(d.Config));
                    d.LastUpdated = now;
                }

                if (d.GreenPercent < 100)
                {
                    return null;
                }

                if (d.Platform == "ECS")
                {
                    _region.Ecs.MakePrimary(d.Replacement!);
                }

                return string.Empty;
            default:
                return string.Empty;
        }
    }

    /// <summary>After the last event: the termination wait, then the original task set goes.</summary>
    private void Finish(CdDeployment d, DateTimeOffset now)
    {
        if (d.Platform == "ECS")
        {
            if (d.IsRollback)
            {
                if (d.Original is not null)
                {
                    _region.Ecs.MakePrimary(d.Original);
                }

                if (d.Replacement is not null)
                {
                    _region.Ecs.RemoveSet(d.Replacement);
                }
            }
            else
            {
                var terminate = d.Group.Settings["blueGreenDeploymentConfiguration"]?["terminateBlueInstancesOnDeploymentSuccess"];
                var action = terminate.Str("action") ?? "TERMINATE";
                if (action == "TERMINATE")
                {
                    if (d.TerminationWaitUntil is null)
                    {
                        d.TerminationWaitUntil = now.AddMinutes(terminate.Int("terminationWaitTimeInMinutes") ?? 0);
                        d.TerminationStarted = true;
                        d.LastUpdated = now;
                    }

                    if (now < d.TerminationWaitUntil)
                    {
                        return;
                    }

                    if (d.Original is not null)
                    {
                        _region.Ecs.RemoveSet(d.Original);
                    }
                }
            }
        }

        d.Status = "Succeeded";
        d.CompleteTime = now;
        d.LastUpdated = now;
        if (d.Platform == "Lambda")
        {
            // The lifecycle is over; what is reported afterwards is where traffic rests.
            d.GreenPercent = d.IsRollback ? 0 : 100;
        }

        d.Group.LastSuccessful = Summary(d);
        d.Group.LastAttempted = Summary(d);
    }

    /// <summary>Ends a deployment as Stopped or Failed, and starts its rollback when asked.</summary>
    private void End(CdDeployment d, string status, string code, string message, bool rollback)
    {
        var now = _region.Now;
        foreach (var step in d.Steps.Where(s => s.Status == "InProgress"))
        {
            step.Status = "Failed";
            step.End = now;
            step.Diagnostics ??= new JsonObject { ["errorCode"] = "UnknownError", ["message"] = message };
        }

        d.Status = status;
        d.ErrorCode = code;
        d.ErrorMessage = message;
        d.CompleteTime = now;
        d.LastUpdated = now;
        d.Group.LastAttempted = Summary(d);
        if (!rollback || d.IsRollback)
        {
            return;
        }

        var rollbackDeployment = new CdDeployment
        {
            Id = NewDeploymentId(),
            Group = d.Group,
            Config = d.Config,
            Creator = "codeDeployRollback",
            Revision = d.PreviousRevision?.DeepClone() as JsonObject ?? (JsonObject)d.Revision.DeepClone(),
            PreviousRevision = (JsonObject)d.Revision.DeepClone(),
            Description = $"Rollback of {d.Id}",
            AutoRollback = (JsonObject)d.AutoRollback.DeepClone(),
            CreateTime = now,
            LastUpdated = now,
            RolledBack = d,
            RollbackTriggeringDeploymentId = d.Id,
            FunctionName = d.FunctionName,
            Alias = d.Alias,
            CurrentVersion = d.TargetVersion,
            TargetVersion = d.CurrentVersion,
            TaskDefinition = d.Original?.TaskDefinitionArn,
            ContainerName = d.ContainerName,
            ContainerPort = d.ContainerPort,
        };
        foreach (var name in d.Platform == "ECS" ? EcsEvents : LambdaEvents)
        {
            rollbackDeployment.Steps.Add(new LifecycleStep(name));
        }

        rollbackDeployment.RollbackMessage = $"Deployment {rollbackDeployment.Id} is a rollback of deployment {d.Id}.";
        d.RollbackDeploymentId = rollbackDeployment.Id;
        d.RollbackMessage = $"Deployment {d.Id} was rolled back by deployment {rollbackDeployment.Id}.";
        if (d.PreviousRevision is not null)
        {
            d.Group.TargetRevision = (JsonObject)d.PreviousRevision.DeepClone();
        }

        _deployments[rollbackDeployment.Id] = rollbackDeployment;
        Advance(rollbackDeployment, now);
    }

    public JsonObject Dump() => new()
    {
        ["applications"] = _applications.Values.Select(a => (JsonNode?)ApplicationJson(a)).ToJsonArray(),
        ["deploymentGroups"] = _groups.Select(g => (JsonNode?)GroupJson(g)).ToJsonArray(),
        ["customDeploymentConfigs"] = _configs.Values.Where(c => !c.Predefined).Select(c => (JsonNode?)ConfigJson(c)).ToJsonArray(),
        ["deployments"] = _deployments.Values.OrderBy(d => d.CreateTime).Select(d => (JsonNode?)DeploymentJson(d)).ToJsonArray(),
    };
}
