using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Aws.ElasticLoadBalancingV2;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using DeploymentStatus = BlueGreen.Core.Deployments.DeploymentStatus;
using EcsService = BlueGreen.Aws.ECS.Model.Service;

namespace BlueGreen.Core.Releases.Ecs;

/// <summary>What planning a native ECS release keeps for the start.</summary>
public sealed class EcsNativePlan : EnginePlan
{
    public string ContainerName { get; set; } = string.Empty;

    public IReadOnlyDictionary<string, string> ImageChanges { get; set; } = new Dictionary<string, string>();

    /// <summary>The deployment configuration UpdateService sends: the service's own with the release's changes.</summary>
    public DeploymentConfiguration DeploymentConfiguration { get; set; } = new();

    /// <summary>The service deployment that was current when planned (a start must make a new one).</summary>
    public string? PreviousServiceDeployment { get; set; }

    internal TaskDefinition? BlueDefinition { get; set; }
}

/// <summary>
/// ECS blue/green, linear and canary run by ECS itself (deployment controller ECS, a load balancer with advancedConfiguration):
/// a release is an UpdateService, its id the service deployment's ARN; the Ready wait and a bake that can be ended by hand are
/// PAUSE lifecycle hooks the module places in the service's deployment configuration.
/// </summary>
public sealed class EcsNativeEngine : IReleaseEngine
{
    private static readonly List<string> ActiveStatuses = new() { "PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS" };

    private readonly AwsContext _context;
    private readonly EcsServices _services;
    private readonly EcsClient _ecs;

    public EcsNativeEngine(AwsContext context)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _services = new EcsServices(context);
        _ecs = _services.Ecs;
    }

    /// <summary>Hands over the service just read to choose this engine, so that planning does not read it again.</summary>
    internal EcsNativeEngine WithService(EcsService service)
    {
        _services.Know(service);
        return this;
    }

    public DeploymentEngine Kind => DeploymentEngine.EcsNative;

    /// <summary>How long an undo waits for ECS to take a stop.</summary>
    internal TimeSpan StopTakes { get; set; } = TimeSpan.FromSeconds(30);

    public EngineCapabilities Capabilities => EngineCapabilities.TestTraffic | EngineCapabilities.ReadyGate | EngineCapabilities.TerminationWait
        | EngineCapabilities.ServerSideRollback | EngineCapabilities.CustomShifts | EngineCapabilities.Hooks;

    /// <summary>Why a service cannot be released by ECS's own blue/green, or null when it can.</summary>
    public static string? Unfit(EcsService service)
    {
        if (service is null)
        {
            throw new ArgumentNullException(nameof(service));
        }

        var controller = service.DeploymentController?.Type ?? "ECS";
        if (controller != "ECS")
        {
            return $"its deployment controller is {controller}, and ECS's own blue/green needs the ECS controller";
        }

        if (service.LoadBalancers is not { Count: > 0 })
        {
            return "it has no load balancer, and a blue/green release moves traffic between two target groups behind a listener rule";
        }

        return service.LoadBalancers.Any(lb => lb.AdvancedConfiguration is not null) ? null
            : "its load balancer has no advancedConfiguration (alternateTargetGroupArn, productionListenerRule, testListenerRule, roleArn) saying where green goes";
    }

    /// <summary>The error for a service <see cref="Unfit"/> names.</summary>
    public static ReleaseException NotBlueGreen(EcsServiceTarget target, string why) =>
        new("ServiceNotBlueGreenCapable", ReleaseErrorKind.InvalidOperation,
            $"The {target.DisplayName} cannot be released blue/green: {why}.", target.Service,
            "Give the service a deployment controller of type CODE_DEPLOY with a CodeDeploy deployment group, or of type ECS with a load balancer whose advancedConfiguration names the alternate target group, " +
            "the production and test listener rules and the role ECS uses for them (switching a service between controllers is done in ECS, not by this module).");

    // ----- start -----------------------------------------------------------------------------------------

    public async Task<ReleasePlan> PlanAsync(ReleaseRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var target = request.Target as EcsServiceTarget
            ?? throw new ReleaseException("WrongTargetKind", ReleaseErrorKind.InvalidArgument, $"ECS releases ECS services, not {request.Target.DisplayName}.", request.Target.Key);
        var hookProblem = EcsAppSpec.ValidateHooks(request.Hooks);
        if (hookProblem is not null)
        {
            throw new ReleaseException("InvalidHook", ReleaseErrorKind.InvalidArgument, hookProblem, request.Hooks, "Name hooks after ECS lifecycle events, e.g. @{ BeforeAllowTraffic = 'my-check-function' }.");
        }

        EcsServices.CheckImages(request.Images);
        if (request.TrafficShift is { } asked)
        {
            EcsNativeMapping.Strategy(asked);
        }

        var bakeAsked = request.BakeTime is { } bakeTime ? EcsNativeMapping.BakeMinutes(bakeTime) : (int?)null;
        var alarmsAsked = ReleaseAlarms.Normalize(request.Alarms);

        var service = await _services.DescribeServiceAsync(target.Cluster, target.Service, cancellationToken).ConfigureAwait(false);
        if (Unfit(service) is { } why)
        {
            throw NotBlueGreen(target, why);
        }

        var loadBalancer = service.LoadBalancers!.First(lb => lb.AdvancedConfiguration is not null);
        var advanced = loadBalancer.AdvancedConfiguration!;
        await RefuseIfActiveAsync(target, cancellationToken).ConfigureAwait(false);

        var native = new EcsNativePlan { ContainerName = loadBalancer.ContainerName ?? string.Empty, PreviousServiceDeployment = service.CurrentServiceDeployment };
        var plan = new ReleasePlan(request) { Engine = Kind, EnginePlan = native };
        var blue = await _services.DescribeTaskDefinitionAsync(service.TaskDefinition ?? throw new ReleaseException("NoTaskDefinition", ReleaseErrorKind.InvalidOperation,
            $"The {target.DisplayName} names no task definition.", target.Service), cancellationToken).ConfigureAwait(false);
        plan.BlueTaskDefinition = blue.TaskDefinitionArn ?? service.TaskDefinition;
        if (request.TaskDefinition is not null)
        {
            var green = await _services.DescribeTaskDefinitionAsync(request.TaskDefinition, cancellationToken).ConfigureAwait(false);
            if (native.ContainerName.Length > 0)
            {
                EcsServices.RequireContainer(green, native.ContainerName, request.TaskDefinition);
            }

            plan.GreenTaskDefinition = green.TaskDefinitionArn;
        }
        else
        {
            var images = request.Images ?? throw new ArgumentException("Either a task definition or images are needed.", nameof(request));
            native.ImageChanges = EcsServices.ImageChanges(blue, plan.BlueTaskDefinition, images);
            native.BlueDefinition = blue;
            plan.GreenSource = EcsServices.RevisionSource(plan.BlueTaskDefinition, native.ImageChanges);
        }

        var current = service.DeploymentConfiguration;
        var hooks = LambdaHooks(request.Hooks, service, advanced);
        var waitAtReady = !request.WithoutReadyWait;
        var bake = bakeAsked ?? EcsNativeMapping.BakeMinutes(current);
        if (!request.WithoutAlarms)
        {
            await ReleaseAlarms.RequireExistAsync(_context, alarmsAsked, cancellationToken).ConfigureAwait(false);
        }

        native.DeploymentConfiguration = EcsNativeMapping.Apply(current, request.TrafficShift, bake, waitAtReady, alarmsAsked, hooks);
        if (request.WithoutAlarms && native.DeploymentConfiguration.Alarms is { } alarms)
        {
            native.DeploymentConfiguration.Alarms = new DeploymentAlarms { AlarmNames = alarms.AlarmNames, Enable = false, Rollback = alarms.Rollback };
        }

        var next = native.DeploymentConfiguration;
        var (shiftName, _) = EcsNativeMapping.Shift(next);
        plan.Policy = request.TrafficShift ?? TrafficShiftPolicy.AllAtOnce;
        plan.PolicyName = shiftName;
        plan.Timeline = EcsNativeMapping.Timeline(next);
        plan.Alarms = next.Alarms?.AlarmNames ?? new List<string>();
        plan.AlarmsEnabled = next.Alarms?.Enable ?? false;
        plan.AutoRollbackEnabled = true;
        plan.RollbackDescription = "ECS rolls back by itself" + (plan.AlarmsEnabled && next.Alarms?.Rollback == true ? " when an alarm fires," : string.Empty) +
            " when a hook fails, or when the Ready wait times out; Undo-Deployment stops it with ROLLBACK";
        plan.TerminationWaitMinutes = EcsNativeMapping.BakeMinutes(next);
        plan.ReadyWaitMinutes = EcsNativeMapping.WaitsAtReady(next)
            ? next.LifecycleHooks!.First(h => h.TargetType == EcsNativeMapping.Pause && h.LifecycleStages?.Contains("POST_TEST_TRAFFIC_SHIFT") == true).TimeoutConfiguration?.TimeoutInMinutes ?? EcsNativeMapping.ReadyWaitMinutes
            : null;
        (plan.ProductionEndpoint, plan.TestEndpoint) = await _services.ListenerUrlsAsync(EcsServices.ListenerOfRule(advanced.ProductionListenerRule),
            EcsServices.ListenerOfRule(advanced.TestListenerRule), cancellationToken).ConfigureAwait(false);
        plan.Headline = $"Start a blue/green release of service '{target.Service}' in cluster '{target.Cluster}' through ECS's own deployments (controller ECS, strategy {next.Strategy}).";
        if (native.ContainerName.Length > 0)
        {
            plan.Details.Add(new KeyValuePair<string, string>("Container", $"{native.ContainerName}:{(loadBalancer.ContainerPort ?? 0).ToString(CultureInfo.InvariantCulture)}"));
        }

        plan.Details.Add(new KeyValuePair<string, string>("Target groups", $"{EcsServices.Last(loadBalancer.TargetGroupArn ?? "?")} (blue) / {EcsServices.Last(advanced.AlternateTargetGroupArn ?? "?")} (green)"));
        if (plan.GreenTaskDefinition is null)
        {
            plan.Changes.Add(new PlannedChange("RegisterTaskDefinition", $"register {plan.GreenSource}"));
        }

        plan.Changes.Add(new PlannedChange("UpdateService", $"service '{target.Service}': taskDefinition {plan.GreenTaskDefinition ?? "<the new revision>"}; deploymentConfiguration {Describe(next)}"));
        return plan;
    }

    /// <summary>The deployment configuration sent, in one line.</summary>
    internal static string Describe(DeploymentConfiguration c)
    {
        var parts = new List<string> { "strategy " + c.Strategy };
        if (c.CanaryConfiguration is { } canary)
        {
            parts.Add(string.Format(CultureInfo.InvariantCulture, "canary {0}% for {1} min", canary.CanaryPercent, canary.CanaryBakeTimeInMinutes));
        }

        if (c.LinearConfiguration is { } linear)
        {
            parts.Add(string.Format(CultureInfo.InvariantCulture, "linear {0}% every {1} min", linear.StepPercent, linear.StepBakeTimeInMinutes));
        }

        parts.Add("bakeTimeInMinutes " + (c.BakeTimeInMinutes ?? 0).ToString(CultureInfo.InvariantCulture));
        foreach (var hook in c.LifecycleHooks ?? new List<DeploymentLifecycleHook>())
        {
            var timeout = hook.TimeoutConfiguration is { } t ? string.Format(CultureInfo.InvariantCulture, " ({0} after {1} min)", t.Action, t.TimeoutInMinutes) : string.Empty;
            parts.Add($"{hook.TargetType} hook at {string.Join("/", hook.LifecycleStages ?? new List<string>())}{(hook.HookTargetArn is null ? string.Empty : " " + hook.HookTargetArn)}{timeout}");
        }

        if (c.Alarms is { AlarmNames.Count: > 0 } alarms)
        {
            parts.Add($"alarms {string.Join(", ", alarms.AlarmNames)} ({(alarms.Enable == true ? "enabled" : "disabled")}, rollback {(alarms.Rollback == true ? "true" : "false")})");
        }

        return string.Join("; ", parts);
    }

    /// <summary>The -Hook functions as ECS Lambda hooks at the matching stages, invoked with the role of a Lambda hook the
    /// service already has, else the load balancer's role (ECS needs a role to invoke a hook).</summary>
    private static List<DeploymentLifecycleHook> LambdaHooks(IReadOnlyDictionary<string, string>? hooks, EcsService service, AdvancedConfiguration advanced)
    {
        var result = new List<DeploymentLifecycleHook>();
        if (hooks is null || hooks.Count == 0)
        {
            return result;
        }

        var role = service.DeploymentConfiguration?.LifecycleHooks?.FirstOrDefault(h => h.TargetType == EcsNativeMapping.Lambda && h.RoleArn is not null)?.RoleArn ?? advanced.RoleArn;
        foreach (var pair in hooks)
        {
            if (!EcsNativeMapping.HookStages.TryGetValue(pair.Key, out var stage))
            {
                throw new ReleaseException("HooksNotSupported", ReleaseErrorKind.InvalidArgument,
                    $"ECS has no lifecycle stage for the hook '{pair.Key}'.", pair.Key,
                    $"Use one of {string.Join(", ", EcsNativeMapping.HookStages.Keys)} (they run at {string.Join(", ", EcsNativeMapping.HookStages.Values)}).");
            }

            result.Add(new DeploymentLifecycleHook
            {
                TargetType = EcsNativeMapping.Lambda,
                HookTargetArn = FunctionArn(pair.Value, service.ServiceArn),
                RoleArn = role,
                LifecycleStages = new List<string> { stage },
            });
        }

        return result;
    }

    /// <summary>A function's ARN from its name, in the service's partition, region and account.</summary>
    internal static string FunctionArn(string nameOrArn, string? serviceArn)
    {
        if (nameOrArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return nameOrArn;
        }

        var parts = (serviceArn ?? string.Empty).Split(':');
        return parts.Length >= 5 ? $"arn:{parts[1]}:lambda:{parts[3]}:{parts[4]}:function:{nameOrArn}" : nameOrArn;
    }

    private async Task RefuseIfActiveAsync(EcsServiceTarget target, CancellationToken cancellationToken)
    {
        var active = (await _ecs.ListServiceDeploymentsAsync(new ListServiceDeploymentsRequest { Cluster = target.Cluster, Service = target.Service, Status = ActiveStatuses }, cancellationToken).ConfigureAwait(false))
            .ServiceDeployments?.Where(d => d.Status is not null && ActiveStatuses.Contains(d.Status)).OrderByDescending(d => d.CreatedAt).FirstOrDefault();
        if (active?.ServiceDeploymentArn is { } arn)
        {
            throw new ReleaseException("DeploymentAlreadyActive", ReleaseErrorKind.ResourceExists,
                $"A release of '{target.Service}' is already active: {arn} ({active.Status}). Only one release of a service runs at a time.", arn,
                $"Attach to it with 'Get-BlueGreenDeployment -Id {arn} | Wait-BlueGreenDeployment', or undo it with 'Get-BlueGreenDeployment -Id {arn} | Undo-Deployment'.");
        }
    }

    public async Task<BlueGreenDeployment> StartAsync(ReleasePlan plan, CancellationToken cancellationToken)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        var native = (EcsNativePlan)plan.EnginePlan!;
        var target = (EcsServiceTarget)plan.Target;
        if (plan.GreenTaskDefinition is null)
        {
            plan.GreenTaskDefinition = (await _services.RegisterRevisionAsync(native.BlueDefinition!, native.ImageChanges, cancellationToken).ConfigureAwait(false)).TaskDefinitionArn!;
        }

        var arn = await UpdateServiceOnceAsync(target, plan.GreenTaskDefinition!, native, cancellationToken).ConfigureAwait(false);
        BlueGreenDeployment deployment;
        try
        {
            deployment = EcsNativeMapping.Read(await DescribeAsync(arn, cancellationToken).ConfigureAwait(false));
        }
        catch (AwsServiceException ex) when (DeploymentWatcher.IsTransient(ex))
        {
            // Started: the id must not be lost because the first read failed. What is known is returned.
            deployment = new BlueGreenDeployment(arn)
            {
                Engine = Kind,
                Status = DeploymentStatus.Created,
                WaitsAtReady = plan.ReadyWaitMinutes is not null,
                TrafficShift = plan.PolicyName,
                Cluster = target.Cluster,
                Service = target.Service,
                TargetId = target.Cluster + ":" + target.Service,
            };
        }

        deployment.BlueTaskDefinition = plan.BlueTaskDefinition;
        deployment.GreenTaskDefinition = plan.GreenTaskDefinition;
        deployment.ProductionEndpoint = plan.ProductionEndpoint;
        deployment.TestEndpoint = plan.TestEndpoint;
        deployment.Description = plan.Request.Description;
        deployment.Hooks = plan.Request.Hooks ?? new Dictionary<string, string>();
        return Stamp(deployment);
    }

    /// <summary>UpdateService that never starts two deployments: when its answer is lost, the service is read, and a
    /// deployment of green that is not the one current before is taken as this start's; otherwise it is sent again.</summary>
    private async Task<string> UpdateServiceOnceAsync(EcsServiceTarget target, string green, EcsNativePlan native, CancellationToken cancellationToken)
    {
        var attempts = Math.Max(1, _context.RetryPolicy.MaxAttempts);
        for (var attempt = 1; ; attempt++)
        {
            EcsService? updated;
            try
            {
                updated = (await _ecs.UpdateServiceAsync(new UpdateServiceRequest
                {
                    Cluster = target.Cluster,
                    Service = target.Service,
                    TaskDefinition = green,
                    DeploymentConfiguration = native.DeploymentConfiguration,
                }, cancellationToken).ConfigureAwait(false)).Service;
            }
            catch (AwsServiceException ex) when (ex.OutcomeUnknown)
            {
                var now = await _ecs.DescribeServicesAsync(new DescribeServicesRequest { Cluster = target.Cluster, Services = new List<string> { target.Service } }, cancellationToken).ConfigureAwait(false);
                var service = now.Services?.FirstOrDefault();
                if (service is not null && service.TaskDefinition == green && service.CurrentServiceDeployment is { } adopted && adopted != native.PreviousServiceDeployment)
                {
                    return adopted;
                }

                if (attempt >= attempts)
                {
                    throw new ReleaseException("DeploymentOutcomeUnknown", ReleaseErrorKind.InvalidOperation,
                        $"UpdateService of {target.DisplayName} got no answer {attempt} times in a row ({ex.ErrorCode}), and the service does not run a deployment of {green}.", target.Service,
                        $"Look with 'Get-BlueGreenDeployment -Cluster {target.Cluster} -Service {target.Service}' before running Start-BlueGreenDeployment again.", ex);
                }

                await Task.Delay(_context.RetryPolicy.DelayBefore(attempt, throttled: false), cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode is ECSErrorCode.InvalidParameterException or ECSErrorCode.ClientException)
            {
                throw new ReleaseException("UpdateServiceRefused", ReleaseErrorKind.InvalidArgument, $"ECS refused the release of {target.DisplayName}: {ex.Message}", target.Service,
                    "Check the service's load balancer (advancedConfiguration), the strategy and the hooks shown by -WhatIf.", ex);
            }

            if (updated?.CurrentServiceDeployment is { } current && current != native.PreviousServiceDeployment)
            {
                return current;
            }

            // An answer without the new deployment's ARN: the newest deployment of the service is this start's.
            var newest = (await _ecs.ListServiceDeploymentsAsync(new ListServiceDeploymentsRequest { Cluster = target.Cluster, Service = target.Service }, cancellationToken).ConfigureAwait(false))
                .ServiceDeployments?.Where(d => d.ServiceDeploymentArn != native.PreviousServiceDeployment).OrderByDescending(d => d.CreatedAt).FirstOrDefault()?.ServiceDeploymentArn;
            return newest ?? throw new ReleaseException("NoServiceDeployment", ReleaseErrorKind.InvalidOperation,
                $"ECS updated {target.DisplayName} but started no service deployment.", target.Service, "Check that the new task definition differs from the one the service runs.");
        }
    }

    // ----- read ------------------------------------------------------------------------------------------

    private async Task<ServiceDeployment> DescribeAsync(string arn, CancellationToken cancellationToken)
    {
        DescribeServiceDeploymentsResponse response;
        try
        {
            response = await _ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest { ServiceDeploymentArns = new List<string> { arn } }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is ECSErrorCode.InvalidParameterException or ECSErrorCode.ServiceNotFoundException or ECSErrorCode.ClusterNotFoundException)
        {
            throw new DeploymentNotFoundException(arn, _context.Region, ex);
        }

        return response.ServiceDeployments?.FirstOrDefault(d => d.ServiceDeploymentArn == arn) ?? response.ServiceDeployments?.FirstOrDefault()
            ?? throw new DeploymentNotFoundException(arn, _context.Region);
    }

    public async Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var (arn, rollback) = EcsNativeMapping.ParseId(deploymentId ?? throw new ArgumentNullException(nameof(deploymentId)));
        var sd = await DescribeAsync(arn, cancellationToken).ConfigureAwait(false);
        var deployment = EcsNativeMapping.Read(sd, rollback);
        var gaps = new List<ReadGap>();
        deployment.ReadGaps = gaps;

        // The versions and where the release is reached: one read of its revisions, one of the listeners.
        var (read, revisions) = await CodeDeploy.CodeDeployDeployments.OptionalAsync("DescribeServiceRevisions", "blue and green task definitions, endpoints", gaps,
            () => RevisionsAsync(sd, cancellationToken)).ConfigureAwait(false);
        if (read && revisions is not null)
        {
            var targetRevision = revisions.FirstOrDefault(r => r.ServiceRevisionArn == sd.TargetServiceRevision?.Arn);
            var source = revisions.FirstOrDefault(r => sd.SourceServiceRevisions?.Any(s => s.Arn == r.ServiceRevisionArn) == true);
            deployment.GreenTaskDefinition = targetRevision?.TaskDefinition;
            deployment.BlueTaskDefinition = source?.TaskDefinition;
            var advanced = (targetRevision ?? source)?.LoadBalancers?.FirstOrDefault(lb => lb.AdvancedConfiguration is not null)?.AdvancedConfiguration;
            if (advanced is not null)
            {
                var (urlsRead, urls) = await CodeDeploy.CodeDeployDeployments.OptionalAsync("DescribeListeners", "endpoints", gaps,
                    () => _services.ListenerUrlsAsync(EcsServices.ListenerOfRule(advanced.ProductionListenerRule), EcsServices.ListenerOfRule(advanced.TestListenerRule), cancellationToken),
                    "ListenerNotFound", "LoadBalancerNotFound").ConfigureAwait(false);
                if (urlsRead)
                {
                    (deployment.ProductionEndpoint, deployment.TestEndpoint) = urls;
                }
            }
        }

        if (rollback)
        {
            (deployment.BlueTaskDefinition, deployment.GreenTaskDefinition) = (deployment.GreenTaskDefinition, deployment.BlueTaskDefinition);
        }

        return Stamp(deployment);
    }

    private async Task<List<ServiceRevision>> RevisionsAsync(ServiceDeployment sd, CancellationToken cancellationToken)
    {
        var arns = (sd.SourceServiceRevisions ?? new List<ServiceRevisionSummary>()).Select(s => s.Arn).Append(sd.TargetServiceRevision?.Arn)
            .Where(a => a is not null).Select(a => a!).Distinct().Take(20).ToList();
        if (arns.Count == 0)
        {
            return new List<ServiceRevision>();
        }

        return (await _ecs.DescribeServiceRevisionsAsync(new DescribeServiceRevisionsRequest { ServiceRevisionArns = arns }, cancellationToken).ConfigureAwait(false)).ServiceRevisions
            ?? new List<ServiceRevision>();
    }

    /// <summary>One DescribeServiceDeployments: the versions and endpoints read before are kept (they do not change).</summary>
    public async Task<BlueGreenDeployment> RefreshAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        if (deployment.Green is null || deployment.TargetId is null)
        {
            return await GetAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        }

        var (arn, rollback) = EcsNativeMapping.ParseId(deployment.DeploymentId);
        var fresh = EcsNativeMapping.Read(await DescribeAsync(arn, cancellationToken).ConfigureAwait(false), rollback);
        fresh.BlueTaskDefinition = deployment.BlueTaskDefinition;
        fresh.GreenTaskDefinition = deployment.GreenTaskDefinition;
        fresh.ProductionEndpoint = deployment.ProductionEndpoint;
        fresh.TestEndpoint = deployment.TestEndpoint;
        fresh.Description = deployment.Description;
        fresh.Hooks = deployment.Hooks;
        return Stamp(fresh);
    }

    public async Task<IReadOnlyList<BlueGreenDeployment>> GetForTargetAsync(ReleaseTarget target, bool all, CodeDeployGroupName? group, CancellationToken cancellationToken)
    {
        var service = target as EcsServiceTarget
            ?? throw new ReleaseException("WrongTargetKind", ReleaseErrorKind.InvalidArgument, $"ECS releases ECS services, not {target?.DisplayName}.", target?.Key);
        var briefs = new List<ServiceDeploymentBrief>();
        string? next = null;
        do
        {
            var page = await _ecs.ListServiceDeploymentsAsync(new ListServiceDeploymentsRequest { Cluster = service.Cluster, Service = service.Service, NextToken = next }, cancellationToken).ConfigureAwait(false);
            briefs.AddRange(page.ServiceDeployments ?? new List<ServiceDeploymentBrief>());
            next = all ? page.NextToken : null;
        }
        while (next is not null);

        var ordered = briefs.Where(b => b.ServiceDeploymentArn is not null).OrderByDescending(b => b.CreatedAt ?? b.StartedAt ?? DateTime.MinValue).ToList();
        if (ordered.Count == 0)
        {
            return Array.Empty<BlueGreenDeployment>();
        }

        if (!all)
        {
            return new[] { await GetAsync(ordered[0].ServiceDeploymentArn!, cancellationToken).ConfigureAwait(false) };
        }

        var result = new List<BlueGreenDeployment>();
        foreach (var batch in ordered.Select((b, i) => (b, i)).GroupBy(x => x.i / 20, x => x.b.ServiceDeploymentArn!))
        {
            var described = (await _ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest { ServiceDeploymentArns = batch.ToList() }, cancellationToken).ConfigureAwait(false))
                .ServiceDeployments ?? new List<ServiceDeployment>();
            result.AddRange(batch.Select(arn => described.FirstOrDefault(d => d.ServiceDeploymentArn == arn)).Where(d => d is not null).Select(d => Stamp(EcsNativeMapping.Read(d!))));
        }

        return result;
    }

    private BlueGreenDeployment Stamp(BlueGreenDeployment deployment)
    {
        deployment.Region = _context.Region;
        deployment.EndpointUrl = _context.EndpointUrl;
        deployment.ProfileName = _context.ProfileName;
        return deployment;
    }

    // ----- gate ------------------------------------------------------------------------------------------

    /// <summary>Answers the Ready hook (a PAUSE awaiting action once test traffic is on green) with CONTINUE.</summary>
    public Task ContinueAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) =>
        AnswerPauseAsync(deployment, "POST_TEST_TRAFFIC_SHIFT", "waiting for the go-ahead (Ready)",
            $"Wait for it with 'Wait-BlueGreenDeployment -Id {deployment?.DeploymentId} -Until Ready' first.", cancellationToken);

    /// <summary>Ends the bake: answers the bake hook (a PAUSE awaiting action after production traffic moved) with CONTINUE.</summary>
    public Task CompleteAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) =>
        AnswerPauseAsync(deployment, "POST_PRODUCTION_TRAFFIC_SHIFT", "in a bake that can be ended (Baking, at its PAUSE hook)",
            $"Wait for it with 'Wait-BlueGreenDeployment -Id {deployment?.DeploymentId} -Until TrafficShifted' first; a bake given as ECS's bakeTimeInMinutes cannot be ended early.", cancellationToken);

    private async Task AnswerPauseAsync(BlueGreenDeployment deployment, string stage, string what, string action, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        var (arn, _) = EcsNativeMapping.ParseId(deployment.DeploymentId);
        var sd = await DescribeAsync(arn, cancellationToken).ConfigureAwait(false);
        var hook = sd.LifecycleStage == stage && sd.Status == "IN_PROGRESS"
            ? sd.LifecycleHookDetails?.FirstOrDefault(h => h.TargetType == EcsNativeMapping.Pause && h.Status == "AWAITING_ACTION")
            : null;
        if (hook?.HookId is null)
        {
            var ended = sd.Status is "SUCCESSFUL" or "STOPPED" or "ROLLBACK_SUCCESSFUL" or "ROLLBACK_FAILED";
            throw new ReleaseException(ended ? "DeploymentAlreadyCompleted" : "DeploymentNotWaiting", ReleaseErrorKind.InvalidOperation,
                $"The release {deployment.DeploymentId} is not {what}: it is {sd.Status} at {sd.LifecycleStage ?? "no stage yet"}.", deployment.DeploymentId, action);
        }

        try
        {
            await _ecs.ContinueServiceDeploymentAsync(new ContinueServiceDeploymentRequest { ServiceDeploymentArn = arn, HookId = hook.HookId, Action = EcsNativeMapping.Continue }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.OutcomeUnknown)
        {
            // The answer may have been taken: it is given again only while the hook still awaits it.
            var now = await DescribeAsync(arn, cancellationToken).ConfigureAwait(false);
            if (now.LifecycleHookDetails?.Any(h => h.HookId == hook.HookId && h.Status == "AWAITING_ACTION") == true)
            {
                await _ecs.ContinueServiceDeploymentAsync(new ContinueServiceDeploymentRequest { ServiceDeploymentArn = arn, HookId = hook.HookId, Action = EcsNativeMapping.Continue }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // ----- undo ------------------------------------------------------------------------------------------

    public async Task<UndoPlan> PlanUndoAsync(BlueGreenDeployment deployment, TrafficShiftPolicy? policy, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        var current = await GetAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        if (current.IsRollback)
        {
            throw new ReleaseException("UndoOfRollback", ReleaseErrorKind.InvalidOperation,
                $"{current.DeploymentId} is itself a rollback (of {current.RollbackTriggeringDeploymentId}).", current.DeploymentId,
                "Undo the release it rolled back instead, or start a new release.");
        }

        if (current.RolledBack)
        {
            return new UndoPlan(current, UndoKind.AlreadyRolledBack,
                $"Nothing to undo: release {current.DeploymentId} was already rolled back ({current.EngineStatus}); follow {current.RollbackDeploymentId}.");
        }

        if (!current.IsComplete)
        {
            return new UndoPlan(current, UndoKind.StopAndRollBack,
                $"Stop release {current.DeploymentId} of service '{current.Service}' ({current.Status} at {current.Phase}, {current.GreenTrafficPercent.ToString("0", CultureInfo.InvariantCulture)}% on green) " +
                $"with StopServiceDeployment ROLLBACK: ECS moves all traffic back to blue ({current.BlueTaskDefinition ?? "the source revision"}), which still runs.");
        }

        if (current.Status != DeploymentStatus.Succeeded)
        {
            throw new ReleaseException("NothingToUndo", ReleaseErrorKind.InvalidOperation,
                $"Release {current.DeploymentId} ended {current.Status} without a rollback: blue kept serving.", current.DeploymentId,
                $"Check what serves with 'Get-BlueGreenDeployment -Cluster {current.Cluster} -Service {current.Service}'.");
        }

        var previous = current.BlueTaskDefinition ?? throw new ReleaseException("PreviousUnknown", ReleaseErrorKind.InvalidOperation,
            $"The task definition that served before {current.DeploymentId} is not known.", current.DeploymentId,
            "Start a release of the task definition you want with Start-BlueGreenDeployment -TaskDefinition.");
        var release = await PlanAsync(new ReleaseRequest(current.Cluster!, current.Service!)
        {
            TaskDefinition = previous,
            TrafficShift = policy ?? TrafficShiftPolicy.AllAtOnce,
            BakeTime = TimeSpan.Zero,
            Description = $"Undo of {current.DeploymentId}",
            WithoutAlarms = true,
            WithoutReadyWait = true,
        }, cancellationToken).ConfigureAwait(false);
        return new UndoPlan(current, UndoKind.RedeployPrevious,
            $"Blue of release {current.DeploymentId} is gone: start a new release of the previous task definition {previous} on service '{current.Service}' ({release.PolicyName}), " +
            "without the Ready wait, the bake and the alarms, which the bad version may have raised (ECS keeps the configuration: the alarms stay disabled on the service until a release gives -Alarm).")
        {
            Release = release,
        };
    }

    public async Task<BlueGreenDeployment> UndoAsync(UndoPlan plan, CancellationToken cancellationToken)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        switch (plan.Kind)
        {
            case UndoKind.AlreadyRolledBack:
                return await GetAsync(plan.Deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
            case UndoKind.RedeployPrevious:
                return await StartAsync(plan.Release!, cancellationToken).ConfigureAwait(false);
        }

        var (arn, _) = EcsNativeMapping.ParseId(plan.Deployment.DeploymentId);
        try
        {
            await _ecs.StopServiceDeploymentAsync(new StopServiceDeploymentRequest { ServiceDeploymentArn = arn, StopType = EcsNativeMapping.Rollback }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.OutcomeUnknown || ex.ErrorCode is ECSErrorCode.ConflictException or ECSErrorCode.InvalidParameterException)
        {
            // Lost, or the release had moved on (ended, or already rolling back): what it is now decides below.
        }

        // ECS takes the stop asynchronously: read until the release rolls back or has ended.
        var now = await GetAsync(plan.Deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        var giveUpAt = DateTime.UtcNow + StopTakes;
        while (!now.RolledBack && !now.IsComplete)
        {
            if (DateTime.UtcNow > giveUpAt)
            {
                throw new ReleaseException("StopNotTaken", ReleaseErrorKind.OperationTimeout, $"Release {now.DeploymentId} did not stop after StopServiceDeployment ({now.EngineStatus}).", now.DeploymentId,
                    $"Look with 'Get-BlueGreenDeployment -Id {now.DeploymentId}', and run Undo-Deployment again.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            now = await RefreshAsync(now, cancellationToken).ConfigureAwait(false);
        }

        if (now.Status == DeploymentStatus.Succeeded)
        {
            // It finished first: blue is gone now, so undo by releasing it again.
            var again = await PlanUndoAsync(now, null, cancellationToken).ConfigureAwait(false);
            return await UndoAsync(again, cancellationToken).ConfigureAwait(false);
        }

        return now;
    }
}
