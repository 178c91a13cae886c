using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

/// <summary>A service revision: what one deployment of a service runs (task definition, load balancers, images).</summary>
internal sealed class ServiceRevision
{
    public required string Arn { get; init; }

    public required EcsService Service { get; init; }

    public required string TaskDefinitionArn { get; init; }

    public required JsonArray LoadBalancers { get; init; }

    public JsonNode? NetworkConfiguration { get; init; }

    public required string LaunchType { get; init; }

    public required JsonArray ContainerImages { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One lifecycle hook running at one stage of a service deployment.</summary>
internal sealed class HookRun
{
    public required string Id { get; init; }

    public required JsonObject Hook { get; init; }

    public required string TargetType { get; init; }

    /// <summary>The hook stage it runs for (PRE_PRODUCTION_TRAFFIC_SHIFT is a hook stage, not a lifecycle stage).</summary>
    public required string Stage { get; init; }

    public string Status { get; set; } = "IN_PROGRESS";

    public DateTimeOffset ExpiresAt { get; init; }

    public required string TimeoutAction { get; init; }

    public DateTimeOffset NextInvokeAt { get; set; }

    public bool Invoking { get; set; }

    public JsonNode? Details { get; set; }

    public string? Failure { get; set; }

    public int Invocations { get; set; }
}

/// <summary>A step of a deployment's plan: the lifecycle stage it reports, what it does, the hooks it runs, how long it waits.</summary>
internal sealed record DeploymentStep(string Stage, string? HookStage = null, string? Action = null, double Percent = 0, double WaitMinutes = 0);

/// <summary>A service deployment: a rolling update, or a blue/green, linear or canary release run by ECS itself.</summary>
internal sealed class ServiceDeployment
{
    public required string Arn { get; init; }

    public required EcsService Service { get; init; }

    public ServiceRevision? Source { get; init; }

    public required ServiceRevision Target { get; init; }

    public TaskSet? SourceSet { get; set; }

    public TaskSet? TargetSet { get; set; }

    /// <summary>ROLLING, BLUE_GREEN, LINEAR or CANARY.</summary>
    public required string Strategy { get; init; }

    public required JsonObject Configuration { get; init; }

    public string? BlueGroupArn { get; set; }

    public string? GreenGroupArn { get; set; }

    public string? ProductionRuleArn { get; set; }

    public string? TestRuleArn { get; set; }

    public string Status { get; set; } = "PENDING";

    public string? StatusReason { get; set; }

    public string? Stage { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset? StoppedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<DeploymentStep> Steps { get; set; } = [];

    public int StepIndex { get; set; }

    public bool StepEntered { get; set; }

    public DateTimeOffset StepWaitUntil { get; set; }

    public List<HookRun> Hooks { get; } = [];

    /// <summary>Percent of production (and test) traffic requested for the target revision.</summary>
    public double ProductionPercent { get; set; }

    public double TestPercent { get; set; }

    public bool RollingBack { get; set; }

    public string? RollbackReason { get; set; }

    public DateTimeOffset? RollbackStartedAt { get; set; }

    public List<string> TriggeredAlarms { get; } = [];

    public bool Native => Strategy != "ROLLING";

    public bool Active => Status is "PENDING" or "IN_PROGRESS" or "ROLLBACK_REQUESTED" or "ROLLBACK_IN_PROGRESS" or "STOP_REQUESTED";
}

/// <summary>
/// Service deployments of ECS-controlled services: the record of every rolling update, and the lifecycle of blue/green,
/// linear and canary deployments (stages, listener rule weights, lifecycle hooks, alarms, rollback) over simulated time.
/// </summary>
internal sealed class EcsServiceDeployments(Region region, EcsApi ecs)
{
    public static readonly string[] Strategies = ["ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"];
    private static readonly string[] HookStages = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"];
    private static readonly TimeSpan DefaultCallBackDelay = TimeSpan.FromSeconds(30);

    // ----- validation ---------------------------------------------------------------------------

    public static string StrategyOf(JsonNode? configuration) => configuration.Str("strategy") ?? "ROLLING";

    /// <summary>
    /// Checks a deployment configuration as ECS does and fills in the defaults the API documents.
    /// Returns the configuration to keep.
    /// </summary>
    public JsonObject Validate(string controller, JsonObject configuration, JsonArray loadBalancers)
    {
        var strategy = StrategyOf(configuration);
        if (!Strategies.Contains(strategy))
        {
            throw new AwsException("InvalidParameterException", $"Invalid deployment strategy '{strategy}'. Valid values are ROLLING, BLUE_GREEN, LINEAR and CANARY.");
        }

        if (strategy != "ROLLING" && controller != "ECS")
        {
            throw new AwsException("InvalidParameterException", $"The {strategy} deployment strategy is only supported for services that use the ECS deployment controller.");
        }

        if (configuration["linearConfiguration"] is JsonObject && strategy != "LINEAR")
        {
            throw new AwsException("InvalidParameterException", "linearConfiguration is only valid when the deployment strategy is LINEAR.");
        }

        if (configuration["canaryConfiguration"] is JsonObject && strategy != "CANARY")
        {
            throw new AwsException("InvalidParameterException", "canaryConfiguration is only valid when the deployment strategy is CANARY.");
        }

        var result = (JsonObject)configuration.DeepClone();
        result["maximumPercent"] ??= 200;
        result["minimumHealthyPercent"] ??= 100;
        if (strategy == "ROLLING")
        {
            ValidateAlarms(result);
            return result;
        }

        result["strategy"] = strategy;
        if (configuration.Int("bakeTimeInMinutes") is not { } bake)
        {
            if (strategy == "BLUE_GREEN")
            {
                throw new AwsException("InvalidParameterException", "bakeTimeInMinutes is required when the deployment strategy is BLUE_GREEN.");
            }

            result["bakeTimeInMinutes"] = 0;
        }
        else if (bake is < 0 or > 1440)
        {
            throw new AwsException("InvalidParameterException", "bakeTimeInMinutes must be between 0 and 1440.");
        }

        if (strategy == "LINEAR")
        {
            var linear = configuration["linearConfiguration"] as JsonObject ?? [];
            var step = linear.Num("stepPercent") ?? 10.0;
            if (step is < 3.0 or > 100.0 || !Tenths(step))
            {
                throw new AwsException("InvalidParameterException", "linearConfiguration.stepPercent must be a multiple of 0.1 from 3.0 to 100.0.");
            }

            var stepBake = linear.Int("stepBakeTimeInMinutes") ?? 6;
            if (stepBake is < 0 or > 1440)
            {
                throw new AwsException("InvalidParameterException", "linearConfiguration.stepBakeTimeInMinutes must be between 0 and 1440.");
            }

            result["linearConfiguration"] = new JsonObject { ["stepPercent"] = step, ["stepBakeTimeInMinutes"] = stepBake };
        }

        if (strategy == "CANARY")
        {
            var canary = configuration["canaryConfiguration"] as JsonObject ?? [];
            var percent = canary.Num("canaryPercent") ?? 5.0;
            if (percent is < 0.1 or > 100.0 || !Tenths(percent))
            {
                throw new AwsException("InvalidParameterException", "canaryConfiguration.canaryPercent must be a multiple of 0.1 from 0.1 to 100.0.");
            }

            var canaryBake = canary.Int("canaryBakeTimeInMinutes") ?? 10;
            if (canaryBake is < 0 or > 1440)
            {
                throw new AwsException("InvalidParameterException", "canaryConfiguration.canaryBakeTimeInMinutes must be between 0 and 1440.");
            }

            result["canaryConfiguration"] = new JsonObject { ["canaryPercent"] = percent, ["canaryBakeTimeInMinutes"] = canaryBake };
        }

        if (configuration["deploymentCircuitBreaker"] is JsonObject breaker && (breaker.Bool("enable") ?? false))
        {
            throw new AwsException("InvalidParameterException", "The deployment circuit breaker can only be used with the ROLLING deployment strategy.");
        }

        ValidateAlarms(result);
        result["lifecycleHooks"] = ValidateHooks(result.Arr("lifecycleHooks"));
        ValidateLoadBalancers(strategy, loadBalancers);
        return result;
    }

    private static bool Tenths(double value) => Math.Abs((value * 10) - Math.Round(value * 10)) < 1e-6;

    private static void ValidateAlarms(JsonObject configuration)
    {
        if (configuration["alarms"] is not JsonObject alarms)
        {
            return;
        }

        if (alarms["alarmNames"] is not JsonArray || alarms["enable"] is null || alarms["rollback"] is null)
        {
            throw new AwsException("InvalidParameterException", "deploymentConfiguration.alarms requires alarmNames, enable and rollback.");
        }

        if ((alarms.Bool("enable") ?? false) && alarms.Arr("alarmNames").Count == 0)
        {
            throw new AwsException("InvalidParameterException", "deploymentConfiguration.alarms.alarmNames must name at least one alarm when alarms are enabled.");
        }
    }

    private static JsonArray ValidateHooks(JsonArray hooks)
    {
        var result = new JsonArray();
        foreach (var node in hooks)
        {
            if (node is not JsonObject hook)
            {
                throw new AwsException("InvalidParameterException", "A lifecycle hook must be an object.");
            }

            var type = hook.Str("targetType") ?? "AWS_LAMBDA";
            if (type is not ("AWS_LAMBDA" or "PAUSE"))
            {
                throw new AwsException("InvalidParameterException", $"Invalid lifecycle hook targetType '{type}'. Valid values are AWS_LAMBDA and PAUSE.");
            }

            var stages = hook.Strings("lifecycleStages").ToList();
            if (stages.Count == 0)
            {
                throw new AwsException("InvalidParameterException", "lifecycleStages is required for a deployment lifecycle hook.");
            }

            foreach (var stage in stages)
            {
                if (!HookStages.Contains(stage))
                {
                    throw new AwsException("InvalidParameterException", $"Invalid lifecycle stage '{stage}'. Valid values are {string.Join(", ", HookStages)}.");
                }

                if (type == "PAUSE" && stage is "TEST_TRAFFIC_SHIFT" or "PRODUCTION_TRAFFIC_SHIFT")
                {
                    throw new AwsException("InvalidParameterException", $"PAUSE hooks cannot be configured at the {stage} stage; it is only valid for AWS_LAMBDA hooks.");
                }
            }

            if (type == "AWS_LAMBDA")
            {
                var target = hook.Str("hookTargetArn");
                if (string.IsNullOrEmpty(target))
                {
                    throw new AwsException("InvalidParameterException", "hookTargetArn is required for an AWS_LAMBDA lifecycle hook.");
                }

                if (!target.StartsWith("arn:aws:lambda:", StringComparison.Ordinal))
                {
                    throw new AwsException("InvalidParameterException", $"hookTargetArn '{target}' is not a Lambda function ARN.");
                }

                if (string.IsNullOrEmpty(hook.Str("roleArn")))
                {
                    throw new AwsException("InvalidParameterException", "roleArn is required for an AWS_LAMBDA lifecycle hook: the role lets Amazon ECS invoke the function.");
                }
            }
            else if (hook.Str("hookTargetArn") is not null)
            {
                throw new AwsException("InvalidParameterException", "hookTargetArn is not applicable to PAUSE lifecycle hooks.");
            }

            var timeout = hook["timeoutConfiguration"] as JsonObject ?? [];
            var minutes = timeout.Int("timeoutInMinutes") ?? 1440;
            if (minutes is < 1 or > 20160)
            {
                throw new AwsException("InvalidParameterException", "timeoutConfiguration.timeoutInMinutes must be between 1 and 20160.");
            }

            var action = timeout.Str("action") ?? "ROLLBACK";
            if (action is not ("CONTINUE" or "ROLLBACK"))
            {
                throw new AwsException("InvalidParameterException", $"Invalid timeoutConfiguration.action '{action}'. Valid values are CONTINUE and ROLLBACK.");
            }

            var clean = (JsonObject)hook.DeepClone();
            clean["targetType"] = type;
            clean["timeoutConfiguration"] = new JsonObject { ["timeoutInMinutes"] = minutes, ["action"] = action };
            result.Add(clean);
        }

        return result;
    }

    private void ValidateLoadBalancers(string strategy, JsonArray loadBalancers)
    {
        var advanced = loadBalancers.OfType<JsonObject>().Where(lb => lb["advancedConfiguration"] is JsonObject).ToList();
        if (advanced.Count == 0)
        {
            throw new AwsException("InvalidParameterException", $"The {strategy} deployment strategy requires a load balancer with an advancedConfiguration (alternateTargetGroupArn, productionListenerRule and roleArn).");
        }

        foreach (var lb in advanced)
        {
            var primary = lb.Str("targetGroupArn")!;
            var configuration = lb["advancedConfiguration"]!;
            var alternate = configuration.Str("alternateTargetGroupArn");
            if (string.IsNullOrEmpty(alternate))
            {
                throw new AwsException("InvalidParameterException", "advancedConfiguration.alternateTargetGroupArn is required.");
            }

            if (region.Elb.FindTargetGroup(alternate) is null || !alternate.StartsWith("arn:", StringComparison.Ordinal))
            {
                throw new AwsException("InvalidParameterException", $"Unable to find target group {alternate}.");
            }

            if (alternate == primary)
            {
                throw new AwsException("InvalidParameterException", "advancedConfiguration.alternateTargetGroupArn must be a different target group from targetGroupArn.");
            }

            if (string.IsNullOrEmpty(configuration.Str("roleArn")))
            {
                throw new AwsException("InvalidParameterException", "advancedConfiguration.roleArn is required: the role lets Amazon ECS change the load balancer's listener rules.");
            }

            var production = configuration.Str("productionListenerRule");
            if (string.IsNullOrEmpty(production))
            {
                throw new AwsException("InvalidParameterException", "advancedConfiguration.productionListenerRule is required for an Application Load Balancer.");
            }

            CheckRule(production, "productionListenerRule", primary, alternate);
            if (configuration.Str("testListenerRule") is { Length: > 0 } test)
            {
                if (test == production)
                {
                    throw new AwsException("InvalidParameterException", "advancedConfiguration.testListenerRule must be a different rule from productionListenerRule.");
                }

                CheckRule(test, "testListenerRule", primary, alternate);
            }
        }
    }

    private void CheckRule(string arn, string member, string primary, string alternate)
    {
        var rule = region.Elb.FindRuleOrNull(arn)
            ?? throw new AwsException("InvalidParameterException", $"advancedConfiguration.{member} {arn} does not exist. Give the ARN of a listener rule (DescribeRules).");
        var groups = ElbApi.ForwardTargets(rule.Actions).Select(t => t.Arn).ToHashSet(StringComparer.Ordinal);
        if (!groups.Contains(primary) && !groups.Contains(alternate))
        {
            throw new AwsException("InvalidParameterException", $"advancedConfiguration.{member} {arn} must forward to the service's target groups ({primary} and {alternate}).");
        }

        if (groups.Any(g => g != primary && g != alternate))
        {
            throw new AwsException("InvalidParameterException", $"advancedConfiguration.{member} {arn} forwards to a target group that is neither targetGroupArn nor alternateTargetGroupArn.");
        }
    }

    // ----- revisions and deployments ------------------------------------------------------------

    public ServiceRevision NewRevision(EcsService service, TaskDefinition definition)
    {
        var images = definition.Body.Arr("containerDefinitions").OfType<JsonObject>().Select(c => (JsonNode?)new JsonObject
        {
            ["containerName"] = c.Str("name"),
            ["image"] = c.Str("image"),
            ["imageDigest"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(c.Str("image") ?? string.Empty))),
        }).ToJsonArray();
        var revision = new ServiceRevision
        {
            Arn = region.Arn("ecs", $"service-revision/{service.Cluster.Name}/{service.Name}/{Region.NewId(19, "0123456789")}"),
            Service = service,
            TaskDefinitionArn = definition.Arn,
            LoadBalancers = (JsonArray)service.LoadBalancers.DeepClone(),
            NetworkConfiguration = service.NetworkConfiguration?.DeepClone(),
            LaunchType = service.LaunchType,
            ContainerImages = images,
            CreatedAt = region.Now,
        };
        service.Revisions.Add(revision);
        return revision;
    }

    private ServiceDeployment NewDeployment(EcsService service, ServiceRevision? source, ServiceRevision target, string strategy)
    {
        var now = region.Now;
        var deployment = new ServiceDeployment
        {
            Arn = region.Arn("ecs", $"service-deployment/{service.Cluster.Name}/{service.Name}/{Region.NewId(21, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}"),
            Service = service,
            Source = source,
            Target = target,
            Strategy = strategy,
            Configuration = (JsonObject)service.DeploymentConfiguration.DeepClone(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        service.Deployments.Add(deployment);
        return deployment;
    }

    /// <summary>Records a rolling update (or a service's first tasks): it ends when its tasks are steady.</summary>
    public void StartRolling(EcsService service, ServiceRevision? source, ServiceRevision target, TaskSet set)
    {
        var deployment = NewDeployment(service, source, target, "ROLLING");
        deployment.SourceSet = service.Sets.FirstOrDefault(s => s != set && s.Status != "DRAINING");
        deployment.TargetSet = set;
        deployment.Status = "IN_PROGRESS";
        deployment.StartedAt = deployment.CreatedAt;
        deployment.ProductionPercent = 100;
        service.CurrentRevision = target;
    }

    /// <summary>Starts a blue/green, linear or canary deployment of <paramref name="definition"/>.</summary>
    public ServiceDeployment StartNative(EcsService service, TaskDefinition definition)
    {
        if (service.Deployments.FirstOrDefault(d => d.Native && d.Active) is { } running)
        {
            throw new AwsException("InvalidParameterException", $"The service {service.Name} has a service deployment in progress ({running.Arn}). Wait for it to finish, or stop it with StopServiceDeployment, before starting another.");
        }

        var source = service.CurrentRevision;
        var target = NewRevision(service, definition);
        var deployment = NewDeployment(service, source, target, StrategyOf(service.DeploymentConfiguration));
        var lb = service.LoadBalancers.OfType<JsonObject>().First(l => l["advancedConfiguration"] is JsonObject);
        var advanced = lb["advancedConfiguration"]!;
        var primaryGroup = lb.Str("targetGroupArn")!;
        var alternateGroup = advanced.Str("alternateTargetGroupArn")!;
        deployment.SourceSet = service.Sets.FirstOrDefault(s => s.Status == "PRIMARY") ?? service.Sets.FirstOrDefault(s => s.Status != "DRAINING");
        var sourceGroup = deployment.SourceSet?.LoadBalancers.Select(l => l.Str("targetGroupArn")).FirstOrDefault(a => a == primaryGroup || a == alternateGroup);
        deployment.BlueGroupArn = sourceGroup ?? primaryGroup;
        deployment.GreenGroupArn = deployment.BlueGroupArn == primaryGroup ? alternateGroup : primaryGroup;
        deployment.ProductionRuleArn = advanced.Str("productionListenerRule");
        deployment.TestRuleArn = advanced.Str("testListenerRule");
        deployment.Steps = ForwardPlan(deployment);
        service.TaskDefinitionArn = definition.Arn;
        ecs.AddEvent(service, $"(service {service.Name}) has started a {deployment.Strategy} service deployment {deployment.Arn} of {definition.ShortName}.");
        Advance(deployment, region.Now);
        return deployment;
    }

    private static List<DeploymentStep> ForwardPlan(ServiceDeployment d)
    {
        var c = d.Configuration;
        var plan = new List<DeploymentStep>
        {
            new("RECONCILE_SERVICE", "RECONCILE_SERVICE"),
            new("PRE_SCALE_UP", "PRE_SCALE_UP"),
            new("SCALE_UP", Action: "ScaleUp"),
            new("POST_SCALE_UP", "POST_SCALE_UP"),
            new("TEST_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT", "Test", 100),
            new("POST_TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"),
        };
        var steps = new List<(double Percent, double Bake)>();
        switch (d.Strategy)
        {
            case "CANARY":
                var canary = c["canaryConfiguration"];
                var percent = canary.Num("canaryPercent") ?? 5;
                steps.Add((percent, canary.Num("canaryBakeTimeInMinutes") ?? 10));
                if (percent < 100)
                {
                    steps.Add((100, 0));
                }

                break;
            case "LINEAR":
                var linear = c["linearConfiguration"];
                var step = linear.Num("stepPercent") ?? 10;
                var bake = linear.Num("stepBakeTimeInMinutes") ?? 6;
                for (var i = 1; ; i++)
                {
                    var share = Math.Min(100, Math.Round(step * i, 1));
                    steps.Add((share, share >= 100 ? 0 : bake));
                    if (share >= 100)
                    {
                        break;
                    }
                }

                break;
            default:
                steps.Add((100, 0));
                break;
        }

        foreach (var (percent, bake) in steps)
        {
            plan.Add(new DeploymentStep("PRODUCTION_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT"));
            plan.Add(new DeploymentStep("PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "Production", percent));
            if (percent < 100 && bake > 0)
            {
                plan.Add(new DeploymentStep("PRODUCTION_TRAFFIC_SHIFT", WaitMinutes: bake));
            }
        }

        plan.Add(new DeploymentStep("POST_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"));
        plan.Add(new DeploymentStep("BAKE_TIME", WaitMinutes: c.Num("bakeTimeInMinutes") ?? 0));
        plan.Add(new DeploymentStep("CLEAN_UP", Action: "CleanUp"));
        return plan;
    }

    private static List<DeploymentStep> RollbackPlan() =>
    [
        new("PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "Production", 0),
        new("TEST_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT", "Test", 0),
        new("CLEAN_UP", Action: "RollbackCleanUp"),
    ];

    // ----- the lifecycle -------------------------------------------------------------------------

    public void Tick(EcsService service, DateTimeOffset now)
    {
        foreach (var d in service.Deployments.Where(d => d.Active).ToList())
        {
            if (d.Native)
            {
                Advance(d, now);
            }
            else
            {
                AdvanceRolling(d, now);
            }
        }
    }

    private static void AdvanceRolling(ServiceDeployment d, DateTimeOffset now)
    {
        var set = d.TargetSet;
        if (set is null || set.Status != "PRIMARY" || !d.Service.Sets.Contains(set))
        {
            d.Status = "STOPPED";
            d.StatusReason = "A newer service deployment replaced this one.";
            d.StoppedAt = now;
            d.FinishedAt = now;
            d.UpdatedAt = now;
        }
        else if (set.RolloutState == "COMPLETED")
        {
            d.Status = "SUCCESSFUL";
            d.StatusReason = "Service deployment completed.";
            d.FinishedAt = now;
            d.UpdatedAt = now;
        }
    }

    private void Advance(ServiceDeployment d, DateTimeOffset now)
    {
        if (d.Status == "PENDING")
        {
            d.Status = "IN_PROGRESS";
            d.StartedAt = now;
            d.UpdatedAt = now;
        }

        if (d.Status == "ROLLBACK_REQUESTED")
        {
            d.Status = "ROLLBACK_IN_PROGRESS";
            d.UpdatedAt = now;
        }

        if (!d.RollingBack && AlarmTriggered(d) is { } alarm)
        {
            var reason = $"Service deployment rolled back because the CloudWatch alarm {alarm} is in ALARM.";
            if (d.Configuration["alarms"].Bool("rollback") ?? false)
            {
                StartRollback(d, reason, now);
            }
            else
            {
                End(d, "STOPPED", $"Service deployment stopped because the CloudWatch alarm {alarm} is in ALARM.", now);
                return;
            }
        }

        for (var guard = 0; guard < 64 && d.Active; guard++)
        {
            if (d.StepIndex >= d.Steps.Count)
            {
                Finish(d, now);
                return;
            }

            var step = d.Steps[d.StepIndex];
            if (!d.StepEntered)
            {
                d.StepEntered = true;
                d.Stage = step.Stage;
                d.UpdatedAt = now;
                d.StepWaitUntil = now.AddMinutes(step.WaitMinutes);
                Enter(d, step, now);
                d.Hooks.Clear();
                if (step.HookStage is { } hookStage)
                {
                    foreach (var hook in d.Configuration.Arr("lifecycleHooks").OfType<JsonObject>().Where(h => h.Strings("lifecycleStages").Contains(hookStage)))
                    {
                        var timeout = hook["timeoutConfiguration"];
                        d.Hooks.Add(new HookRun
                        {
                            Id = (hook.Str("targetType") == "PAUSE" ? "ecs-pause-" : "ecs-lambda-") + Region.NewId(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                            Hook = hook,
                            TargetType = hook.Str("targetType") ?? "AWS_LAMBDA",
                            Stage = hookStage,
                            Status = hook.Str("targetType") == "PAUSE" ? "AWAITING_ACTION" : "IN_PROGRESS",
                            ExpiresAt = now.AddMinutes(timeout.Int("timeoutInMinutes") ?? 1440),
                            TimeoutAction = timeout.Str("action") ?? "ROLLBACK",
                            NextInvokeAt = now,
                            Details = hook["hookDetails"]?.DeepClone(),
                        });
                    }
                }
            }

            if (step.Action == "ScaleUp" && d.TargetSet is { } green && !green.Steady(now))
            {
                return;
            }

            if (now < d.StepWaitUntil)
            {
                return;
            }

            var outcome = Hooks(d, now);
            if (outcome is null)
            {
                return;
            }

            if (outcome.Length > 0)
            {
                StartRollback(d, outcome, now);
                continue;
            }

            d.StepIndex++;
            d.StepEntered = false;
        }
    }

    private void Enter(ServiceDeployment d, DeploymentStep step, DateTimeOffset now)
    {
        switch (step.Action)
        {
            case "ScaleUp":
                var definition = ecs.ResolveTaskDefinition(d.Target.TaskDefinitionArn);
                var lb = d.Service.LoadBalancers.OfType<JsonObject>().First(l => l["advancedConfiguration"] is JsonObject);
                var loadBalancers = new JsonArray { new JsonObject { ["targetGroupArn"] = d.GreenGroupArn, ["containerName"] = lb.Str("containerName"), ["containerPort"] = lb.Int("containerPort") } };
                if (d.SourceSet is not null)
                {
                    d.SourceSet.Status = "ACTIVE";
                    d.SourceSet.Label = "Blue";
                    d.SourceSet.UpdatedAt = now;
                }

                d.TargetSet = ecs.AddSet(d.Service, definition, loadBalancers, "ecs-svc", null);
                d.TargetSet.Status = "PRIMARY";
                d.TargetSet.Label = "Green";
                break;
            case "Test":
                d.TestPercent = step.Percent;
                SetWeights(d, d.TestRuleArn, step.Percent);
                break;
            case "Production":
                d.ProductionPercent = step.Percent;
                SetWeights(d, d.ProductionRuleArn, step.Percent);
                break;
            case "CleanUp":
                if (d.SourceSet is not null)
                {
                    ecs.RemoveSet(d.SourceSet);
                }

                break;
            case "RollbackCleanUp":
                if (d.SourceSet is not null)
                {
                    d.SourceSet.Status = "PRIMARY";
                    d.SourceSet.UpdatedAt = now;
                    d.Service.TaskDefinitionArn = d.SourceSet.TaskDefinitionArn;
                }

                if (d.TargetSet is not null)
                {
                    d.TargetSet.RolloutState = "FAILED";
                    ecs.RemoveSet(d.TargetSet);
                }

                break;
        }
    }

    private void SetWeights(ServiceDeployment d, string? ruleArn, double greenPercent)
    {
        if (ruleArn is null)
        {
            return;
        }

        var green = (int)Math.Round(greenPercent);
        if (green == 0 && greenPercent > 0)
        {
            green = 1;
        }

        if (green == 100 && greenPercent < 100)
        {
            green = 99;
        }

        region.Elb.SetRuleWeights(ruleArn, new Dictionary<string, int>(StringComparer.Ordinal) { [d.BlueGroupArn!] = 100 - green, [d.GreenGroupArn!] = green });
    }

    /// <summary>Null while a hook of the step still runs; empty when all succeeded; otherwise why the deployment rolls back.</summary>
    private string? Hooks(ServiceDeployment d, DateTimeOffset now)
    {
        foreach (var run in d.Hooks)
        {
            if (run.Status is "SUCCEEDED" or "TIMED_OUT" && run.Failure is null)
            {
                continue;
            }

            if (run.Status == "FAILED" || run.Failure is not null)
            {
                if (d.RollingBack)
                {
                    continue;
                }

                return run.Failure ?? $"The lifecycle hook {run.Id} failed at {run.Stage}.";
            }

            if (now >= run.ExpiresAt)
            {
                run.Status = "TIMED_OUT";
                if (run.TimeoutAction == "ROLLBACK" && !d.RollingBack)
                {
                    run.Failure = $"The lifecycle hook {run.Id} at {run.Stage} timed out and its timeout action is ROLLBACK.";
                    return run.Failure;
                }

                continue;
            }

            if (run.TargetType == "AWS_LAMBDA" && !run.Invoking && now >= run.NextInvokeAt)
            {
                Invoke(d, run, now);
            }
        }

        return d.Hooks.All(r => r.Status is "SUCCEEDED" or "TIMED_OUT" || (d.RollingBack && r.Status == "FAILED")) ? string.Empty : null;
    }

    private void Invoke(ServiceDeployment d, HookRun run, DateTimeOffset now)
    {
        var payload = new JsonObject
        {
            ["executionDetails"] = new JsonObject
            {
                ["testTrafficWeights"] = Weights(d, d.TestPercent),
                ["productionTrafficWeights"] = Weights(d, d.ProductionPercent),
                ["serviceArn"] = d.Service.Arn,
                ["targetServiceRevisionArn"] = d.Target.Arn,
                ["lifecycleStage"] = run.Stage,
            },
            ["executionId"] = run.Id,
            ["lifecycleStage"] = run.Stage,
            ["resourceArn"] = d.Arn,
            ["hookDetails"] = run.Details?.DeepClone(),
        };
        run.Invoking = true;
        run.Invocations++;
        var target = run.Hook.Str("hookTargetArn")!;
        try
        {
            var invocation = region.Lambda.Prepare(target, null, Json.Serialize(payload), "ecs:" + d.Service.Name);
            region.Lambda.Schedule(invocation, () => Answered(d, run, invocation));
        }
        catch (AwsException e)
        {
            run.Invoking = false;
            run.Status = "FAILED";
            run.Failure = $"The lifecycle hook function {target} could not be invoked at {run.Stage}: {e.Message}";
        }

        d.UpdatedAt = now;
    }

    private JsonObject Weights(ServiceDeployment d, double targetPercent)
    {
        var weights = new JsonObject();
        if (d.Source is not null)
        {
            weights[d.Source.Arn] = 100 - targetPercent;
        }

        weights[d.Target.Arn] = targetPercent;
        return weights;
    }

    /// <summary>A Lambda hook's answer: its returned hookStatus (and callBackDelay, hookDetails), or its error.</summary>
    private void Answered(ServiceDeployment d, HookRun run, Invocation invocation)
    {
        run.Invoking = false;
        if (!d.Active || !d.Hooks.Contains(run) || run.Status != "IN_PROGRESS")
        {
            return;
        }

        var now = region.Now;
        var target = run.Hook.Str("hookTargetArn");
        if (invocation.FunctionError is not null)
        {
            run.Status = "FAILED";
            run.Failure = $"The lifecycle hook function {target} failed at {run.Stage}: {invocation.Error}";
            return;
        }

        JsonNode? answer = null;
        try
        {
            answer = JsonNode.Parse(invocation.Payload);
        }
        catch (JsonException)
        {
            // Not JSON: no hookStatus, handled below.
        }

        switch (answer.Str("hookStatus"))
        {
            case "SUCCEEDED":
                run.Status = "SUCCEEDED";
                break;
            case "FAILED":
                run.Status = "FAILED";
                run.Failure = $"The lifecycle hook function {target} returned hookStatus FAILED at {run.Stage}.";
                break;
            case "IN_PROGRESS":
                var delay = answer.Num("callBackDelay") is { } seconds && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : DefaultCallBackDelay;
                run.NextInvokeAt = now + delay;
                if (answer?["hookDetails"] is { } details)
                {
                    run.Details = details.DeepClone();
                }

                break;
            default:
                run.Status = "FAILED";
                run.Failure = $"The lifecycle hook function {target} did not return a valid hookStatus (SUCCEEDED, FAILED or IN_PROGRESS) at {run.Stage}.";
                break;
        }

        d.UpdatedAt = now;
    }

    private string? AlarmTriggered(ServiceDeployment d)
    {
        var alarms = d.Configuration["alarms"];
        if (!(alarms.Bool("enable") ?? false))
        {
            return null;
        }

        var triggered = alarms.Strings("alarmNames").FirstOrDefault(n => region.CloudWatch.StateOf(n) == "ALARM");
        if (triggered is not null && !d.TriggeredAlarms.Contains(triggered))
        {
            d.TriggeredAlarms.Add(triggered);
        }

        return triggered;
    }

    private static void StartRollback(ServiceDeployment d, string reason, DateTimeOffset now, bool requested = false)
    {
        if (d.RollingBack)
        {
            return;
        }

        d.RollingBack = true;
        d.RollbackReason = reason;
        d.RollbackStartedAt = now;
        d.StatusReason = reason;
        d.Status = requested ? "ROLLBACK_REQUESTED" : "ROLLBACK_IN_PROGRESS";
        d.Steps = RollbackPlan();
        d.StepIndex = 0;
        d.StepEntered = false;
        d.UpdatedAt = now;
    }

    private void Finish(ServiceDeployment d, DateTimeOffset now)
    {
        d.Hooks.Clear();
        if (d.RollingBack)
        {
            d.Status = "ROLLBACK_SUCCESSFUL";
            d.StatusReason = $"Service deployment rolled back to {d.Source?.Arn ?? "the previous service revision"}: {d.RollbackReason}";
            d.ProductionPercent = 0;
            d.TestPercent = 0;
            d.Service.CurrentRevision = d.Source;
            ecs.AddEvent(d.Service, $"(service {d.Service.Name}) rolled back service deployment {d.Arn}.");
        }
        else
        {
            d.Status = "SUCCESSFUL";
            d.StatusReason = "Service deployment completed.";
            d.Service.CurrentRevision = d.Target;
            if (d.TargetSet is not null)
            {
                d.TargetSet.RolloutState = "COMPLETED";
            }

            ecs.AddEvent(d.Service, $"(service {d.Service.Name}) service deployment {d.Arn} completed.");
        }

        d.Stage = d.RollingBack ? d.Stage : "CLEAN_UP";
        d.FinishedAt = now;
        d.UpdatedAt = now;
    }

    private static void End(ServiceDeployment d, string status, string reason, DateTimeOffset now)
    {
        // Stopped where it stands: neither revision's tasks are replaced by the other's.
        if (d.TargetSet is not null)
        {
            d.TargetSet.RolloutState = "FAILED";
        }

        d.Status = status;
        d.StatusReason = reason;
        d.StoppedAt = now;
        d.FinishedAt = now;
        d.UpdatedAt = now;
        foreach (var run in d.Hooks.Where(r => r.Status is "AWAITING_ACTION" or "IN_PROGRESS"))
        {
            run.Status = "FAILED";
        }
    }

    // ----- operations ----------------------------------------------------------------------------

    private ServiceDeployment Find(string arn) =>
        FindOrNull(arn) ?? throw new AwsException("ServiceDeploymentNotFoundException", $"The service deployment {arn} does not exist.");

    private ServiceDeployment? FindOrNull(string arn) =>
        ecs.AllServices.SelectMany(s => s.Deployments).FirstOrDefault(d => d.Arn == arn);

    public JsonObject List(JsonObject input)
    {
        // A service ARN names its cluster (service/<cluster>/<name>), so the cluster may be left out.
        if (input.Str("cluster") is null && input.Str("service") is { } reference && reference.StartsWith("arn:", StringComparison.Ordinal)
            && reference.Split(':')[^1].Split('/') is ["service", var cluster, _])
        {
            input = (JsonObject)input.DeepClone();
            input["cluster"] = cluster;
        }

        var service = ecs.Service(input);
        var statuses = input.Strings("status").ToHashSet(StringComparer.Ordinal);
        var after = input["createdAt"].Time("after");
        var before = input["createdAt"].Time("before");
        var max = input.Int("maxResults") ?? 20;
        if (max is < 1 or > 100)
        {
            throw new AwsException("InvalidParameterException", "maxResults must be between 1 and 100.");
        }

        var start = 0;
        if (input.Str("nextToken") is { } token)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new AwsException("InvalidParameterException", "The nextToken is not valid.");
            }
        }

        var matching = service.Deployments
            .Where(d => statuses.Count == 0 || statuses.Contains(d.Status))
            .Where(d => (after is null || d.CreatedAt >= after) && (before is null || d.CreatedAt <= before))
            .OrderByDescending(d => d.CreatedAt)
            .ToList();
        var page = matching.Skip(start).Take(max).Select(d => (JsonNode?)new JsonObject
        {
            ["serviceDeploymentArn"] = d.Arn,
            ["serviceArn"] = d.Service.Arn,
            ["clusterArn"] = d.Service.Cluster.Arn,
            ["startedAt"] = d.StartedAt is { } s ? JsonValue.Create(s) : null,
            ["createdAt"] = JsonValue.Create(d.CreatedAt),
            ["finishedAt"] = d.FinishedAt is { } f ? JsonValue.Create(f) : null,
            ["targetServiceRevisionArn"] = d.Target.Arn,
            ["status"] = d.Status,
            ["statusReason"] = d.StatusReason,
        }).ToJsonArray();
        var result = new JsonObject { ["serviceDeployments"] = page };
        if (start + max < matching.Count)
        {
            result["nextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((start + max).ToString(CultureInfo.InvariantCulture)));
        }

        return result;
    }

    public JsonObject Describe(JsonObject input)
    {
        var deployments = new JsonArray();
        var failures = new JsonArray();
        var arns = input.Strings("serviceDeploymentArns").ToList();
        if (arns.Count == 0)
        {
            throw new AwsException("InvalidParameterException", "serviceDeploymentArns must name at least one service deployment.");
        }

        foreach (var arn in arns)
        {
            if (FindOrNull(arn) is { } d)
            {
                deployments.Add(DeploymentJson(d));
            }
            else
            {
                failures.Add(new JsonObject { ["arn"] = arn, ["reason"] = "MISSING", ["detail"] = "The service deployment does not exist." });
            }
        }

        return new JsonObject { ["serviceDeployments"] = deployments, ["failures"] = failures };
    }

    public JsonObject DescribeRevisions(JsonObject input)
    {
        var revisions = new JsonArray();
        var failures = new JsonArray();
        var arns = input.Strings("serviceRevisionArns").ToList();
        if (arns.Count == 0)
        {
            throw new AwsException("InvalidParameterException", "serviceRevisionArns must name at least one service revision.");
        }

        foreach (var arn in arns)
        {
            var revision = ecs.AllServices.SelectMany(s => s.Revisions).FirstOrDefault(r => r.Arn == arn);
            if (revision is null)
            {
                failures.Add(new JsonObject { ["arn"] = arn, ["reason"] = "MISSING", ["detail"] = "The service revision does not exist." });
                continue;
            }

            revisions.Add(new JsonObject
            {
                ["serviceRevisionArn"] = revision.Arn,
                ["serviceArn"] = revision.Service.Arn,
                ["clusterArn"] = revision.Service.Cluster.Arn,
                ["taskDefinition"] = revision.TaskDefinitionArn,
                ["capacityProviderStrategy"] = new JsonArray(),
                ["launchType"] = revision.LaunchType,
                ["platformVersion"] = revision.LaunchType == "FARGATE" ? "1.4.0" : null,
                ["platformFamily"] = revision.LaunchType == "FARGATE" ? "Linux" : null,
                ["loadBalancers"] = revision.LoadBalancers.DeepClone(),
                ["serviceRegistries"] = new JsonArray(),
                ["networkConfiguration"] = revision.NetworkConfiguration?.DeepClone(),
                ["containerImages"] = revision.ContainerImages.DeepClone(),
                ["guardDutyEnabled"] = false,
                ["volumeConfigurations"] = new JsonArray(),
                ["createdAt"] = JsonValue.Create(revision.CreatedAt),
            });
        }

        return new JsonObject { ["serviceRevisions"] = revisions, ["failures"] = failures };
    }

    public JsonObject Stop(JsonObject input)
    {
        var d = Find(input.Req("serviceDeploymentArn"));
        var type = input.Str("stopType") ?? "ROLLBACK";
        if (type is not ("ROLLBACK" or "ABORT"))
        {
            throw new AwsException("InvalidParameterException", $"Invalid stopType '{type}'. Valid values are ABORT and ROLLBACK.");
        }

        if (!d.Active || d.RollingBack)
        {
            throw new AwsException("ConflictException", $"The service deployment {d.Arn} is {d.Status} and cannot be stopped.");
        }

        var now = region.Now;
        if (type == "ABORT")
        {
            // Stopped where it stands: traffic and both revisions' tasks stay as they are.
            End(d, "STOPPED", "Service deployment stopped by StopServiceDeployment (ABORT).", now);
            d.Hooks.Clear();
            return new JsonObject { ["serviceDeploymentArn"] = d.Arn };
        }

        if (!d.Native)
        {
            RollBackRolling(d, now);
            return new JsonObject { ["serviceDeploymentArn"] = d.Arn };
        }

        StartRollback(d, "Service deployment rolled back by StopServiceDeployment (ROLLBACK).", now, requested: true);
        return new JsonObject { ["serviceDeploymentArn"] = d.Arn };
    }

    private void RollBackRolling(ServiceDeployment d, DateTimeOffset now)
    {
        d.RollingBack = true;
        d.RollbackReason = "Service deployment rolled back by StopServiceDeployment (ROLLBACK).";
        d.RollbackStartedAt = now;
        var previous = d.Source is null ? null : ecs.ResolveTaskDefinition(d.Source.TaskDefinitionArn);
        if (d.TargetSet is not null)
        {
            d.TargetSet.RolloutState = "FAILED";
            ecs.RemoveSet(d.TargetSet);
        }

        if (previous is not null)
        {
            var set = d.SourceSet is { Status: not "DRAINING" } source && d.Service.Sets.Contains(source)
                ? source
                : ecs.AddSet(d.Service, previous, d.Service.LoadBalancers, "ecs-svc", null);
            set.Status = "PRIMARY";
            set.RolloutState = "COMPLETED";
            d.Service.TaskDefinitionArn = previous.Arn;
        }

        d.Service.CurrentRevision = d.Source;
        d.Status = "ROLLBACK_SUCCESSFUL";
        d.StatusReason = d.RollbackReason;
        d.FinishedAt = now;
        d.UpdatedAt = now;
    }

    public JsonObject Continue(JsonObject input)
    {
        var d = Find(input.Req("serviceDeploymentArn"));
        var hookId = input.Req("hookId");
        var action = input.Str("action") ?? "CONTINUE";
        if (action is not ("CONTINUE" or "ROLLBACK"))
        {
            throw new AwsException("InvalidParameterException", $"Invalid action '{action}'. Valid values are CONTINUE and ROLLBACK.");
        }

        var run = d.Hooks.FirstOrDefault(r => r.Id == hookId);
        if (run is null || run.TargetType != "PAUSE")
        {
            throw new AwsException("InvalidParameterException", $"The service deployment {d.Arn} has no pause hook {hookId} awaiting action.");
        }

        if (d.Status != "IN_PROGRESS" || run.Status != "AWAITING_ACTION")
        {
            throw new AwsException("InvalidParameterException", $"The pause hook {hookId} is {run.Status} and the service deployment is {d.Status}: only a hook in AWAITING_ACTION of a deployment IN_PROGRESS can be continued.");
        }

        var now = region.Now;
        if (action == "CONTINUE")
        {
            run.Status = "SUCCEEDED";
        }
        else
        {
            run.Status = "FAILED";
            StartRollback(d, $"Service deployment rolled back by ContinueServiceDeployment (ROLLBACK) at the pause hook {hookId} ({run.Stage}).", now, requested: true);
        }

        d.UpdatedAt = now;
        return new JsonObject { ["serviceDeploymentArn"] = d.Arn };
    }

    private JsonObject RevisionSummary(ServiceDeployment d, ServiceRevision revision, TaskSet? set, bool target)
    {
        var now = region.Now;
        var production = target ? d.ProductionPercent : 100 - d.ProductionPercent;
        var test = target ? d.TestPercent : 100 - d.TestPercent;
        if (!d.Native)
        {
            production = target ? 100 : 0;
            test = production;
        }

        var live = set is not null && d.Service.Sets.Contains(set);
        return new JsonObject
        {
            ["arn"] = revision.Arn,
            ["requestedTaskCount"] = live ? set!.DesiredTasks : 0,
            ["runningTaskCount"] = live ? set!.Running(now) : 0,
            ["pendingTaskCount"] = live ? set!.Tasks.Count - set.Running(now) : 0,
            ["requestedTestTrafficWeight"] = test,
            ["requestedProductionTrafficWeight"] = production,
        };
    }

    public JsonObject DeploymentJson(ServiceDeployment d)
    {
        var alarms = d.Configuration["alarms"];
        var alarmsEnabled = alarms.Bool("enable") ?? false;
        var breaker = d.Configuration["deploymentCircuitBreaker"];
        var breakerEnabled = breaker.Bool("enable") ?? false;
        var json = new JsonObject
        {
            ["serviceDeploymentArn"] = d.Arn,
            ["serviceArn"] = d.Service.Arn,
            ["clusterArn"] = d.Service.Cluster.Arn,
            ["createdAt"] = JsonValue.Create(d.CreatedAt),
            ["startedAt"] = d.StartedAt is { } started ? JsonValue.Create(started) : null,
            ["finishedAt"] = d.FinishedAt is { } finished ? JsonValue.Create(finished) : null,
            ["stoppedAt"] = d.StoppedAt is { } stopped ? JsonValue.Create(stopped) : null,
            ["updatedAt"] = JsonValue.Create(d.UpdatedAt),
            ["sourceServiceRevisions"] = d.Source is null ? new JsonArray() : new JsonArray { RevisionSummary(d, d.Source, d.SourceSet, false) },
            ["targetServiceRevision"] = RevisionSummary(d, d.Target, d.TargetSet, true),
            ["status"] = d.Status,
            ["statusReason"] = d.StatusReason,
            ["lifecycleStage"] = d.Native ? d.Stage : null,
            ["lifecycleHookDetails"] = d.Hooks.Select(r => (JsonNode?)new JsonObject
            {
                ["hookId"] = r.Id,
                ["targetType"] = r.TargetType,
                ["targetArn"] = r.TargetType == "AWS_LAMBDA" ? r.Hook.Str("hookTargetArn") : null,
                ["status"] = r.Status,
                ["expiresAt"] = JsonValue.Create(r.ExpiresAt),
                ["timeoutAction"] = r.TimeoutAction,
            }).ToJsonArray(),
            ["deploymentConfiguration"] = d.Configuration.DeepClone(),
            ["deploymentCircuitBreaker"] = new JsonObject
            {
                ["status"] = !breakerEnabled ? "DISABLED" : d.Active ? "MONITORING" : "MONITORING_COMPLETE",
                ["failureCount"] = 0,
                ["threshold"] = breakerEnabled ? Math.Max(3, Math.Min(200, (int)Math.Ceiling(d.Service.DesiredCount * 0.5))) : 0,
            },
            ["alarms"] = new JsonObject
            {
                ["status"] = !alarmsEnabled ? "DISABLED" : d.TriggeredAlarms.Count > 0 ? "TRIGGERED" : d.Active ? "MONITORING" : "MONITORING_COMPLETE",
                ["alarmNames"] = alarms.Strings("alarmNames").ToJsonArray(),
                ["triggeredAlarmNames"] = d.TriggeredAlarms.ToJsonArray(),
            },
        };
        if (d.RollingBack)
        {
            json["rollback"] = new JsonObject
            {
                ["reason"] = d.RollbackReason,
                ["startedAt"] = d.RollbackStartedAt is { } at ? JsonValue.Create(at) : null,
                ["serviceRevisionArn"] = d.Source?.Arn,
            };
        }

        return json;
    }
}
