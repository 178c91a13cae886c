using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Aws.ElasticLoadBalancingV2;
using BlueGreen.Aws.ElasticLoadBalancingV2.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases.CodeDeploy;
using BlueGreen.Core.Releases.Ecs;
using CodeDeployStatus = BlueGreen.Aws.CodeDeploy.Model.DeploymentStatus;
using DeploymentStatus = BlueGreen.Core.Deployments.DeploymentStatus;
using EcsService = BlueGreen.Aws.ECS.Model.Service;

namespace BlueGreen.Core.Releases;

/// <summary>What planning an ECS release keeps for the start: the container traffic goes to, and blue's definition when a revision is registered from it.</summary>
public sealed class EcsReleasePlan : EnginePlan
{
    public string ContainerName { get; set; } = string.Empty;

    public int ContainerPort { get; set; }

    public IReadOnlyDictionary<string, string> ImageChanges { get; set; } = new Dictionary<string, string>();

    internal Aws.ECS.Model.TaskDefinition? BlueDefinition { get; set; }

    /// <summary>The group change that makes CodeDeploy watch the release's alarms; null when none is needed.</summary>
    public GroupAlarmChange? AlarmChange { get; set; }
}

/// <summary>ECS blue/green through AWS CodeDeploy: CodeDeploy runs the release; this engine starts, reads, gates and undoes it.</summary>
public sealed class CodeDeployEcsEngine : IReleaseEngine, IGroupDefaults, IPlatformReader
{
    private readonly AwsContext _context;
    private readonly CodeDeployDeployments _deployments;
    private readonly CodeDeployClient _codeDeploy;
    private readonly EcsClient _ecs;
    private readonly EcsServices _services;

    public CodeDeployEcsEngine(AwsContext context)
        : this(new CodeDeployDeployments(context ?? throw new ArgumentNullException(nameof(context))))
    {
    }

    /// <summary>An engine sharing CodeDeploy's parts (and their group cache) with the engines of other platforms.</summary>
    public CodeDeployEcsEngine(CodeDeployDeployments deployments)
    {
        _deployments = deployments ?? throw new ArgumentNullException(nameof(deployments));
        _context = deployments.Context;
        _codeDeploy = deployments.Client;
        _services = new EcsServices(_context, () => _deployments.LostAnswerAttempts);
        _ecs = _services.Ecs;
    }

    /// <summary>Hands over the service just read to choose this engine, so that planning does not read it again.</summary>
    internal CodeDeployEcsEngine WithService(EcsService service)
    {
        _services.Know(service);
        return this;
    }

    public DeploymentEngine Kind => DeploymentEngine.CodeDeployEcs;

    public EngineCapabilities Capabilities => EngineCapabilities.TestTraffic | EngineCapabilities.ReadyGate | EngineCapabilities.TerminationWait
        | EngineCapabilities.ServerSideRollback | EngineCapabilities.CustomShifts | EngineCapabilities.Hooks | EngineCapabilities.GroupDefaults;

    private static EcsServiceTarget EcsTarget(ReleaseRequest request) => request.Target as EcsServiceTarget
        ?? throw new ReleaseException("WrongTargetKind", ReleaseErrorKind.InvalidArgument, $"CodeDeploy's ECS platform releases ECS services, not {request.Target.DisplayName}.", request.Target.Key);

    /// <summary>Makes the token that marks a CreateDeployment request as ours (fixed in tests).</summary>
    internal Func<string> NewToken { get; set; } = () => Guid.NewGuid().ToString("N");

    // ----- start -----------------------------------------------------------------------------------------

    public async Task<ReleasePlan> PlanAsync(ReleaseRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var hookProblem = EcsAppSpec.ValidateHooks(request.Hooks);
        if (hookProblem is not null)
        {
            throw new ReleaseException("InvalidHook", ReleaseErrorKind.InvalidArgument, hookProblem, request.Hooks, "Name hooks after ECS lifecycle events, e.g. @{ BeforeAllowTraffic = 'my-check-function' }.");
        }

        EcsServices.CheckImages(request.Images);

        var target = EcsTarget(request);
        var service = await DescribeServiceAsync(target.Cluster, target.Service, cancellationToken).ConfigureAwait(false);
        var ecs = new EcsReleasePlan();
        var plan = new ReleasePlan(request) { Engine = Kind, BlueTaskDefinition = service.TaskDefinition ?? string.Empty, EnginePlan = ecs };
        var loadBalancer = service.LoadBalancers?.FirstOrDefault(lb => lb.ContainerName is not null);
        if (loadBalancer is null)
        {
            throw new ReleaseException("NoLoadBalancer", ReleaseErrorKind.InvalidOperation,
                $"The service '{target.Service}' has no load balancer with a container name: a CodeDeploy blue/green release needs one.", target.Service);
        }

        ecs.ContainerName = loadBalancer.ContainerName!;
        ecs.ContainerPort = loadBalancer.ContainerPort ?? 0;

        var group = await FindGroupAsync(request, cancellationToken).ConfigureAwait(false);
        plan.ApplicationName = group.ApplicationName!;
        plan.DeploymentGroupName = group.DeploymentGroupName!;
        await _deployments.RefuseIfActiveAsync(plan.ApplicationName, plan.DeploymentGroupName, Wording(target), cancellationToken).ConfigureAwait(false);

        // The task definitions: what serves now, and what to release.
        var blue = await DescribeTaskDefinitionAsync(plan.BlueTaskDefinition, cancellationToken).ConfigureAwait(false);
        plan.BlueTaskDefinition = blue.TaskDefinitionArn ?? plan.BlueTaskDefinition;
        if (request.TaskDefinition is not null)
        {
            var green = await DescribeTaskDefinitionAsync(request.TaskDefinition, cancellationToken).ConfigureAwait(false);
            RequireContainer(green, ecs.ContainerName, request.TaskDefinition);
            plan.GreenTaskDefinition = green.TaskDefinitionArn;
        }
        else
        {
            var images = request.Images ?? throw new ArgumentException("Either a task definition or images are needed.", nameof(request));
            var changes = EcsServices.ImageChanges(blue, plan.BlueTaskDefinition, images);
            ecs.ImageChanges = changes;
            ecs.BlueDefinition = blue;
            plan.GreenSource = EcsServices.RevisionSource(plan.BlueTaskDefinition, changes);
        }

        // The traffic shift: the one asked for, or the group's default.
        if (request.TrafficShift is { } policy)
        {
            plan.Policy = policy;
            plan.CreatesDeploymentConfig = !policy.IsPredefined && !await _deployments.DeploymentConfigExistsAsync(policy.DeploymentConfigName, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            plan.Policy = await _deployments.ReadPolicyAsync(group.DeploymentConfigName ?? TrafficShiftPolicy.AllAtOnce.DeploymentConfigName, cancellationToken).ConfigureAwait(false);
        }

        var settings = group.BlueGreenDeploymentConfiguration;
        plan.TerminationWaitMinutes = settings?.TerminateBlueInstancesOnDeploymentSuccess?.TerminationWaitTimeInMinutes ?? 0;
        plan.ReadyWaitMinutes = settings?.DeploymentReadyOption?.ActionOnTimeout == "STOP_DEPLOYMENT" ? settings.DeploymentReadyOption.WaitTimeInMinutes ?? 0 : null;
        plan.Alarms = group.AlarmConfiguration?.Alarms?.Select(a => a.Name ?? string.Empty).Where(n => n.Length > 0).ToList() ?? new List<string>();
        plan.AlarmsEnabled = group.AlarmConfiguration?.Enabled ?? false;
        plan.AutoRollbackEnabled = group.AutoRollbackConfiguration?.Enabled ?? false;
        plan.RollbackEvents = group.AutoRollbackConfiguration?.Events ?? new List<string>();
        ecs.AlarmChange = await _deployments.PlanAlarmsAsync(plan, group, cancellationToken).ConfigureAwait(false);
        plan.Timeline = ReleaseTimeline.Compute(plan.Policy, plan.ReadyWaitMinutes, plan.TerminationWaitMinutes);
        (plan.ProductionEndpoint, plan.TestEndpoint) = await EndpointsAsync(group, cancellationToken).ConfigureAwait(false);
        plan.AppSpec = EcsAppSpec.Build(plan.GreenTaskDefinition ?? "<new revision>", ecs.ContainerName, ecs.ContainerPort, request.Hooks, plan.BlueTaskDefinition);
        plan.Headline = $"Start a blue/green release of service '{target.Service}' in cluster '{target.Cluster}' through CodeDeploy application '{plan.ApplicationName}', group '{plan.DeploymentGroupName}'.";
        plan.Details.Add(new KeyValuePair<string, string>("Container", $"{ecs.ContainerName}:{ecs.ContainerPort.ToString(CultureInfo.InvariantCulture)}"));
        plan.PolicyName = plan.Policy.DeploymentConfigName;
        if (plan.GreenTaskDefinition is null)
        {
            plan.Changes.Add(new PlannedChange("RegisterTaskDefinition", $"register {plan.GreenSource}"));
        }

        if (plan.CreatesDeploymentConfig)
        {
            plan.Changes.Add(new PlannedChange("CreateDeploymentConfig", $"create {plan.Policy.DeploymentConfigName} (compute platform ECS)"));
        }

        plan.Changes.Add(new PlannedChange("CreateDeployment", $"start the deployment in {plan.ApplicationName}/{plan.DeploymentGroupName} with the AppSpec below"));
        return plan;
    }

    public async Task<BlueGreenDeployment> StartAsync(ReleasePlan plan, CancellationToken cancellationToken)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        if (((EcsReleasePlan)plan.EnginePlan!).AlarmChange is { } alarms)
        {
            await _deployments.ApplyAlarmsAsync(plan.ApplicationName, plan.DeploymentGroupName, alarms, cancellationToken).ConfigureAwait(false);
        }

        if (plan.CreatesDeploymentConfig)
        {
            await _deployments.CreateDeploymentConfigAsync(plan.Policy.DeploymentConfigName, plan.Policy, ComputePlatform.Ecs, cancellationToken).ConfigureAwait(false);
        }

        var green = plan.GreenTaskDefinition;
        if (green is null)
        {
            var ecsPlan = (EcsReleasePlan)plan.EnginePlan!;
            var registered = await _services.RegisterRevisionAsync(ecsPlan.BlueDefinition!, ecsPlan.ImageChanges, cancellationToken).ConfigureAwait(false);
            green = registered.TaskDefinitionArn!;
            plan.GreenTaskDefinition = green;
        }

        var token = NewToken();
        var started = (EcsReleasePlan)plan.EnginePlan!;
        var appSpec = EcsAppSpec.Build(green, started.ContainerName, started.ContainerPort, plan.Request.Hooks, plan.BlueTaskDefinition, token);
        plan.AppSpec = appSpec;
        var id = await CreateDeploymentOnceAsync(plan, appSpec, token, cancellationToken).ConfigureAwait(false);
        BlueGreenDeployment deployment;
        try
        {
            // The listeners were just read for the plan: only the deployment and its target are read again.
            var info = await GetInfoAsync(id, cancellationToken).ConfigureAwait(false);
            deployment = FromInfo(info);
            deployment.ProductionEndpoint = plan.ProductionEndpoint;
            deployment.TestEndpoint = plan.TestEndpoint;
            await EnrichAsync(deployment, info, full: false, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (DeploymentWatcher.IsTransient(ex))
        {
            // Started: the id must not be lost because the first read failed. What is known is returned.
            deployment = new BlueGreenDeployment(id)
            {
                Engine = DeploymentEngine.CodeDeployEcs,
                ApplicationName = plan.ApplicationName,
                DeploymentGroupName = plan.DeploymentGroupName,
                Status = DeploymentStatus.Created,
                BlueTaskDefinition = plan.BlueTaskDefinition,
                GreenTaskDefinition = plan.GreenTaskDefinition,
                WaitsAtReady = plan.ReadyWaitMinutes is not null,
                TrafficShift = plan.Request.TrafficShift?.DeploymentConfigName,
                TestEndpoint = plan.TestEndpoint,
                ProductionEndpoint = plan.ProductionEndpoint,
                Description = plan.Request.Description,
                Region = _context.Region,
                EndpointUrl = _context.EndpointUrl,
                ProfileName = _context.ProfileName,
            };
        }

        var service = EcsTarget(plan.Request);
        deployment.Cluster ??= service.Cluster;
        deployment.Service ??= service.Service;
        return deployment;
    }

    /// <summary>How the shared CodeDeploy code names a service in its messages.</summary>
    private static ReleaseWording Wording(EcsServiceTarget target) => new()
    {
        Subject = target.Service,
        OneAtATime = "Only one release of a service runs at a time.",
        RetryAction = $"Run Start-BlueGreenDeployment again; 'Get-BlueGreenDeployment -Cluster {target.Cluster} -Service {target.Service}' shows the latest release of the service.",
        LookAction = $"Look with 'Get-BlueGreenDeployment -Cluster <cluster> -Service {target.Service}' before running Start-BlueGreenDeployment again.",
        AttachAction = "Attach to it with 'Get-BlueGreenDeployment -Cluster <cluster> -Service <service> | Wait-BlueGreenDeployment'.",
    };

    /// <summary>CreateDeployment that never makes two (see <see cref="CodeDeployDeployments.CreateDeploymentOnceAsync"/>).</summary>
    private Task<string> CreateDeploymentOnceAsync(ReleasePlan plan, string appSpec, string token, CancellationToken cancellationToken) =>
        _deployments.CreateDeploymentOnceAsync(new CreateDeploymentRequest
        {
            ApplicationName = plan.ApplicationName,
            DeploymentGroupName = plan.DeploymentGroupName,
            DeploymentConfigName = plan.Request.TrafficShift?.DeploymentConfigName,
            Description = plan.Request.Description,
            Revision = new RevisionLocation { RevisionType = "AppSpecContent", AppSpecContent = new AppSpecContent { Content = appSpec } },
            OverrideAlarmConfiguration = plan.Request.WithoutAlarms ? new AlarmConfiguration { Enabled = false } : null,
        }, token, Wording(EcsTarget(plan.Request)), cancellationToken);

    private async Task<EcsService> DescribeServiceAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        var found = await _services.DescribeServiceAsync(cluster, service, cancellationToken).ConfigureAwait(false);
        var controller = found.DeploymentController?.Type ?? "ECS";
        if (controller != "CODE_DEPLOY")
        {
            throw new ReleaseException("NotCodeDeployControlled", ReleaseErrorKind.InvalidOperation,
                $"The service '{service}' is deployed by the {controller} deployment controller, not CODE_DEPLOY: CodeDeploy cannot release it.", service,
                "Create the service with deploymentController type CODE_DEPLOY and a CodeDeploy deployment group for it.");
        }

        return found;
    }

    private Task<Aws.ECS.Model.TaskDefinition> DescribeTaskDefinitionAsync(string name, CancellationToken cancellationToken) =>
        _services.DescribeTaskDefinitionAsync(name, cancellationToken);

    private static void RequireContainer(Aws.ECS.Model.TaskDefinition definition, string container, string where) =>
        EcsServices.RequireContainer(definition, container, where);

    private async Task<DeploymentGroupInfo> FindGroupAsync(ReleaseRequest request, CancellationToken cancellationToken)
    {
        var target = EcsTarget(request);
        if (request.ApplicationName is not null && request.DeploymentGroupName is not null)
        {
            var named = await GetGroupAsync(request.ApplicationName, request.DeploymentGroupName, cancellationToken).ConfigureAwait(false);
            if (!Owns(named, target.Cluster, target.Service))
            {
                throw new ReleaseException("GroupDoesNotOwnService", ReleaseErrorKind.InvalidArgument,
                    $"The deployment group '{request.DeploymentGroupName}' of '{request.ApplicationName}' does not release service '{target.Service}' in cluster '{target.Cluster}'.",
                    request.DeploymentGroupName, "Leave out -ApplicationName and -DeploymentGroupName to find the group that owns the service.");
            }

            return named;
        }

        var found = await _deployments.FindGroupAsync(request.ApplicationName, request.DeploymentGroupName,
            (group, _) => Task.FromResult(Owns(group, target.Cluster, target.Service)), cancellationToken).ConfigureAwait(false);
        if (found is not null)
        {
            return found;
        }

        throw new ReleaseException("NoDeploymentGroup", ReleaseErrorKind.ObjectNotFound,
            $"No CodeDeploy deployment group in {_context.Region} releases service '{target.Service}' of cluster '{target.Cluster}'.", target.Service,
            "Create a deployment group (compute platform ECS, blue/green with traffic control) for the service, or name it with -ApplicationName and -DeploymentGroupName.");
    }

    private static bool Owns(DeploymentGroupInfo group, string cluster, string service) =>
        group.EcsServices?.Any(s => SameName(s.ClusterName, cluster) && SameName(s.ServiceName, service)) == true;

    private static bool SameName(string? a, string? b) => a is not null && b is not null && string.Equals(Last(a), Last(b), StringComparison.Ordinal);

    private static string Last(string nameOrArn) => nameOrArn.Substring(nameOrArn.LastIndexOf('/') + 1);

    private Task<DeploymentGroupInfo> GetGroupAsync(string application, string group, CancellationToken cancellationToken) =>
        _deployments.GetGroupAsync(application, group, cancellationToken);

    // ----- read ------------------------------------------------------------------------------------------

    public Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken) => _deployments.ReadAsync(this, deploymentId, cancellationToken);

    /// <summary>A release in full from a deployment already read (by a dispatcher that read it to learn its platform).</summary>
    internal Task<BlueGreenDeployment> GetAsync(DeploymentInfo info, CancellationToken cancellationToken) => CodeDeployDeployments.ReadAsync(this, info, cancellationToken);

    public Task<BlueGreenDeployment> RefreshAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) => _deployments.RefreshAsync(this, deployment, cancellationToken);

    private Task<DeploymentInfo> GetInfoAsync(string deploymentId, CancellationToken cancellationToken) => _deployments.GetInfoAsync(deploymentId, cancellationToken);

    BlueGreenDeployment IPlatformReader.FromInfo(DeploymentInfo info) => FromInfo(info);

    /// <summary>The service and its endpoints are not in the deployment: a refresh keeps what the full read found.</summary>
    void IPlatformReader.CarryOver(BlueGreenDeployment fresh, BlueGreenDeployment previous)
    {
        fresh.Cluster = previous.Cluster;
        fresh.Service = previous.Service;
        fresh.TargetId = previous.TargetId;
        fresh.TestEndpoint = previous.TestEndpoint;
        fresh.ProductionEndpoint = previous.ProductionEndpoint;
        fresh.BlueTaskDefinition ??= previous.BlueTaskDefinition;
    }

    Task IPlatformReader.EnrichAsync(BlueGreenDeployment deployment, DeploymentInfo info, bool full, BlueGreenDeployment? previous, CancellationToken cancellationToken) =>
        EnrichAsync(deployment, info, full, cancellationToken, previous);

    internal BlueGreenDeployment FromInfo(DeploymentInfo info)
    {
        var content = CodeDeployDeployments.AppSpecOf(info.Revision);
        var deployment = _deployments.FromInfo(info);
        deployment.GreenTaskDefinition = EcsAppSpec.ReadTaskDefinition(content);
        deployment.BlueTaskDefinition = EcsAppSpec.ReadPreviousTaskDefinition(content)
            ?? EcsAppSpec.ReadTaskDefinition(CodeDeployDeployments.AppSpecOf(info.PreviousRevision));
        return deployment;
    }

    /// <summary>CodeDeploy's status in the module's terms: the termination wait after all traffic moved is Baking.</summary>
    public static DeploymentStatus MapStatus(string? status, bool? terminationWaitStarted = null) => CodeDeployDeployments.MapStatus(status, terminationWaitStarted);

    /// <summary>The target's events and traffic; on a full read also the service, task definitions and listeners.
    /// None of it is needed to know where the release stands: what cannot be read becomes a <see cref="ReadGap"/> on the
    /// deployment (what exists nowhere, like the target of a deployment not yet started, is simply left empty), and what
    /// was read is returned. A refresh keeps the previous look's events and traffic when the target cannot be read.</summary>
    private async Task EnrichAsync(BlueGreenDeployment deployment, DeploymentInfo info, bool full, CancellationToken cancellationToken, BlueGreenDeployment? previous = null)
    {
        var gaps = new List<ReadGap>();
        deployment.ReadGaps = gaps;
        if (info.ComputePlatform is not null && info.ComputePlatform != ComputePlatform.Ecs)
        {
            return;
        }

        DeploymentGroupInfo? group = null;
        if (full || deployment.TargetId is null)
        {
            if (string.IsNullOrEmpty(info.ApplicationName) || string.IsNullOrEmpty(info.DeploymentGroupName))
            {
                // Nothing says which service it deployed: the deployment is all there is to show.
                return;
            }

            try
            {
                (_, group) = await OptionalAsync("GetDeploymentGroup", "service, lifecycle events, traffic split and endpoints", gaps,
                    () => GetGroupAsync(info.ApplicationName!, info.DeploymentGroupName!, cancellationToken)).ConfigureAwait(false);
            }
            catch (ReleaseException)
            {
                // The group is gone: nothing names the service any more.
                return;
            }

            var ecs = group?.EcsServices?.FirstOrDefault();
            if (ecs?.ClusterName is null || ecs.ServiceName is null)
            {
                return;
            }

            deployment.Cluster = Last(ecs.ClusterName);
            deployment.Service = Last(ecs.ServiceName);
            deployment.TargetId = deployment.Cluster + ":" + deployment.Service;
        }

        var (targetRead, target) = await OptionalAsync("GetDeploymentTarget", "lifecycle events and traffic split", gaps,
            async () => (await _codeDeploy.GetDeploymentTargetAsync(new GetDeploymentTargetRequest { DeploymentId = deployment.DeploymentId, TargetId = deployment.TargetId }, cancellationToken).ConfigureAwait(false))
                .DeploymentTarget?.EcsTarget,
            CodeDeployErrorCode.DeploymentTargetDoesNotExistException, CodeDeployErrorCode.DeploymentNotStartedException).ConfigureAwait(false);

        if (target is not null)
        {
            (deployment.LifecycleEvents, deployment.Phase) = CodeDeployDeployments.Events(target.LifecycleEvents);
            var sets = target.TaskSetsInfo ?? new List<ECSTaskSet>();
            var greenSet = sets.FirstOrDefault(s => s.TaskSetLabel == "Green");
            var blueSet = sets.FirstOrDefault(s => s.TaskSetLabel == "Blue");
            deployment.GreenTrafficPercent = deployment.IsRollback ? blueSet?.TrafficWeight ?? 0 : greenSet?.TrafficWeight ?? 0;
            deployment.BlueExists = blueSet is not null && blueSet.Status != "DRAINING" && !(deployment.Status == DeploymentStatus.Succeeded && !deployment.IsRollback);
            if (full && deployment.BlueTaskDefinition is null && blueSet?.Identifer is not null)
            {
                (_, deployment.BlueTaskDefinition) = await OptionalAsync("DescribeServices", "blue task definition", gaps,
                    () => TaskDefinitionOfSetAsync(deployment, blueSet.Identifer, cancellationToken),
                    ECSErrorCode.ClusterNotFoundException, ECSErrorCode.ServiceNotFoundException).ConfigureAwait(false);
            }
        }
        else if (!targetRead && previous is not null)
        {
            // Unread this time: what the last look saw stands (the gap says so) rather than dropping to nothing.
            deployment.LifecycleEvents = previous.LifecycleEvents;
            deployment.Phase = previous.Phase;
            deployment.GreenTrafficPercent = previous.GreenTrafficPercent;
            deployment.BlueExists = previous.BlueExists;
        }

        if (full && group is not null)
        {
            var (endpointsRead, endpoints) = await OptionalAsync("DescribeListeners", "endpoints", gaps, () => EndpointsAsync(group, cancellationToken),
                ElasticLoadBalancingV2ErrorCode.ListenerNotFoundException, ElasticLoadBalancingV2ErrorCode.LoadBalancerNotFoundException).ConfigureAwait(false);
            if (endpointsRead)
            {
                (deployment.ProductionEndpoint, deployment.TestEndpoint) = endpoints;
            }
        }
    }

    private static Task<(bool Read, T? Value)> OptionalAsync<T>(string operation, string missing, List<ReadGap> gaps, Func<Task<T>> read, params string[] absentCodes) =>
        CodeDeployDeployments.OptionalAsync(operation, missing, gaps, read, absentCodes);

    private async Task<string?> TaskDefinitionOfSetAsync(BlueGreenDeployment deployment, string taskSetId, CancellationToken cancellationToken)
    {
        var service = (await _ecs.DescribeServicesAsync(new DescribeServicesRequest { Cluster = deployment.Cluster, Services = new List<string> { deployment.Service! } }, cancellationToken).ConfigureAwait(false))
            .Services?.FirstOrDefault();
        return service?.TaskSets?.FirstOrDefault(s => s.Id == taskSetId)?.TaskDefinition;
    }

    /// <summary>The production and test listener URLs. On a loopback endpoint (the sandbox) the load balancer's
    /// <c>.localhost</c> name is replaced by the endpoint's own address.</summary>
    private Task<(string? Production, string? Test)> EndpointsAsync(DeploymentGroupInfo group, CancellationToken cancellationToken)
    {
        var pair = group.LoadBalancerInfo?.TargetGroupPairInfoList?.FirstOrDefault();
        return _services.ListenerUrlsAsync(pair?.ProdTrafficRoute?.ListenerArns?.FirstOrDefault(), pair?.TestTrafficRoute?.ListenerArns?.FirstOrDefault(), cancellationToken);
    }

    public async Task<IReadOnlyList<BlueGreenDeployment>> GetForTargetAsync(ReleaseTarget target, bool all, CodeDeployGroupName? group, CancellationToken cancellationToken)
    {
        var ecsTarget = target as EcsServiceTarget
            ?? throw new ReleaseException("WrongTargetKind", ReleaseErrorKind.InvalidArgument, $"CodeDeploy's ECS platform releases ECS services, not {target?.DisplayName}.", target?.Key);
        var (cluster, service) = (ecsTarget.Cluster, ecsTarget.Service);
        await DescribeServiceAsync(cluster, service, cancellationToken).ConfigureAwait(false);
        var owner = await FindGroupAsync(new ReleaseRequest(cluster, service) { ApplicationName = group?.ApplicationName, DeploymentGroupName = group?.DeploymentGroupName }, cancellationToken).ConfigureAwait(false);
        var ordered = await _deployments.HistoryAsync(owner.ApplicationName!, owner.DeploymentGroupName!, cancellationToken).ConfigureAwait(false);
        if (!all)
        {
            return ordered.Count == 0 ? Array.Empty<BlueGreenDeployment>() : new[] { await GetAsync(ordered[0].DeploymentId!, cancellationToken).ConfigureAwait(false) };
        }

        var rows = new List<BlueGreenDeployment>(ordered.Count);
        foreach (var i in ordered)
        {
            var d = FromInfo(i);
            if (!FinishedPhase.IsFinished(d.Status))
            {
                // A release still running has no phase in its record: its lifecycle events tell (at most a row or two per group).
                rows.Add(await GetAsync(i, cancellationToken).ConfigureAwait(false));
                continue;
            }

            d.Phase = FinishedPhase.Of(d.Status, d.RolledBack);
            d.Cluster = Last(cluster);
            d.Service = Last(service);
            d.TargetId = d.Cluster + ":" + d.Service;
            if (d.Status == DeploymentStatus.Succeeded)
            {
                // Where traffic rests once it is over: on green, or back on blue for a rollback.
                d.GreenTrafficPercent = d.IsRollback ? 0 : 100;
            }

            rows.Add(d);
        }

        return rows;
    }

    // ----- gate ------------------------------------------------------------------------------------------

    public Task ContinueAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) =>
        ContinueAsync(deployment, DeploymentWaitType.ReadyWait, cancellationToken);

    public Task CompleteAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) =>
        ContinueAsync(deployment, DeploymentWaitType.TerminationWait, cancellationToken);

    private Task ContinueAsync(BlueGreenDeployment deployment, string waitType, CancellationToken cancellationToken) =>
        _deployments.ContinueAsync(deployment, waitType, cancellationToken);

    public async Task<string> PlanDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait,
        CancellationToken cancellationToken)
    {
        if (policy is null && readyWait is null)
        {
            throw new ArgumentException("Give a traffic shift, a Ready wait, or both.", nameof(policy));
        }

        var group = await GetGroupAsync(applicationName, deploymentGroupName, cancellationToken).ConfigureAwait(false);
        if (group.ComputePlatform is not null && group.ComputePlatform != ComputePlatform.Ecs)
        {
            throw new ReleaseException("NotAnEcsGroup", ReleaseErrorKind.InvalidArgument, $"The deployment group '{deploymentGroupName}' is for {group.ComputePlatform}, not ECS.", deploymentGroupName);
        }

        var changes = new List<string>();
        if (policy is not null)
        {
            var creates = !policy.IsPredefined && !await _deployments.DeploymentConfigExistsAsync(policy.DeploymentConfigName, cancellationToken).ConfigureAwait(false);
            changes.Add($"the default traffic shift from {group.DeploymentConfigName ?? "none"} to {policy.DeploymentConfigName}" + (creates ? " (custom configuration, created first)" : string.Empty));
        }

        if (readyWait is { } wait)
        {
            var ready = group.BlueGreenDeploymentConfiguration?.DeploymentReadyOption;
            var from = ready?.ActionOnTimeout == DeploymentReadyAction.StopDeployment ? $"{ready.WaitTimeInMinutes ?? 0} minutes" : "none";
            changes.Add($"the Ready wait from {from} to " + (wait <= TimeSpan.Zero ? "none (production traffic moves as soon as green is up)" : $"{ReadyWaitMinutes(wait)} minutes (then the release stops)"));
        }

        return $"Set {string.Join(" and ", changes)} of deployment group '{deploymentGroupName}' (application '{applicationName}')";
    }

    public async Task SetDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait,
        CancellationToken cancellationToken)
    {
        if (policy is null && readyWait is null)
        {
            throw new ArgumentException("Give a traffic shift, a Ready wait, or both.", nameof(policy));
        }

        if (policy is not null && !policy.IsPredefined && !await _deployments.DeploymentConfigExistsAsync(policy.DeploymentConfigName, cancellationToken).ConfigureAwait(false))
        {
            await _deployments.CreateDeploymentConfigAsync(policy.DeploymentConfigName, policy, ComputePlatform.Ecs, cancellationToken).ConfigureAwait(false);
        }

        BlueGreenDeploymentConfiguration? blueGreen = null;
        if (readyWait is { } wait)
        {
            // UpdateDeploymentGroup replaces the whole blue/green configuration: keep what is there, change the Ready option.
            var group = await GetGroupAsync(applicationName, deploymentGroupName, cancellationToken).ConfigureAwait(false);
            blueGreen = group.BlueGreenDeploymentConfiguration ?? new BlueGreenDeploymentConfiguration();
            blueGreen.DeploymentReadyOption = wait <= TimeSpan.Zero
                ? new DeploymentReadyOption { ActionOnTimeout = DeploymentReadyAction.ContinueDeployment, WaitTimeInMinutes = 0 }
                : new DeploymentReadyOption { ActionOnTimeout = DeploymentReadyAction.StopDeployment, WaitTimeInMinutes = ReadyWaitMinutes(wait) };
        }

        await _codeDeploy.UpdateDeploymentGroupAsync(new UpdateDeploymentGroupRequest
        {
            ApplicationName = applicationName,
            CurrentDeploymentGroupName = deploymentGroupName,
            DeploymentConfigName = policy?.DeploymentConfigName,
            BlueGreenDeploymentConfiguration = blueGreen,
        }, cancellationToken).ConfigureAwait(false);
        _deployments.ForgetGroup(applicationName, deploymentGroupName);
    }

    // CodeDeploy counts the Ready wait in whole minutes, up to two days.
    private static int ReadyWaitMinutes(TimeSpan wait) => (int)Math.Min(2880, Math.Max(1, Math.Ceiling(wait.TotalMinutes)));

    // ----- undo ------------------------------------------------------------------------------------------

    public async Task<UndoPlan> PlanUndoAsync(BlueGreenDeployment deployment, TrafficShiftPolicy? policy, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        return await PlanUndoOfAsync(await GetAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false), policy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The undo of a release just read in full.</summary>
    internal async Task<UndoPlan> PlanUndoOfAsync(BlueGreenDeployment current, TrafficShiftPolicy? policy, CancellationToken cancellationToken)
    {
        if (current.IsRollback)
        {
            throw new ReleaseException("UndoOfRollback", ReleaseErrorKind.InvalidOperation,
                $"{current.DeploymentId} is itself a rollback (of {current.RollbackTriggeringDeploymentId}).", current.DeploymentId,
                "Undo the release it rolled back instead, or start a new release.");
        }

        if (current.RolledBack)
        {
            return new UndoPlan(current, UndoKind.AlreadyRolledBack,
                $"Nothing to undo: release {current.DeploymentId} was already rolled back by {current.RollbackDeploymentId}; follow that one.");
        }

        if (!current.IsComplete)
        {
            return new UndoPlan(current, UndoKind.StopAndRollBack,
                $"Stop release {current.DeploymentId} of service '{current.Service}' ({current.Status}, {current.GreenTrafficPercent.ToString("0", CultureInfo.InvariantCulture)}% on green) and roll back: " +
                $"all traffic back to blue ({current.BlueTaskDefinition ?? "the original task set"}), green removed.");
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
            ApplicationName = current.ApplicationName,
            DeploymentGroupName = current.DeploymentGroupName,
            TrafficShift = policy ?? TrafficShiftPolicy.AllAtOnce,
            Description = $"Undo of {current.DeploymentId}",
            WithoutAlarms = true,
        }, cancellationToken).ConfigureAwait(false);
        return new UndoPlan(current, UndoKind.RedeployPrevious,
            $"Blue of release {current.DeploymentId} is gone: start a new release of the previous task definition {previous} on service '{current.Service}' ({release.Policy.DeploymentConfigName}), " +
            "without the group's alarms, which the bad version may have raised.")
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
                return await RolledBackAsync(plan.Deployment, plan.Deployment.RollbackDeploymentId!, cancellationToken).ConfigureAwait(false);
            case UndoKind.RedeployPrevious:
                return await StartAsync(plan.Release!, cancellationToken).ConfigureAwait(false);
        }

        var id = plan.Deployment.DeploymentId;
        var stopped = await _deployments.StopWithRollbackAsync(id, cancellationToken).ConfigureAwait(false);
        if (stopped.RollbackInfo?.RollbackDeploymentId is { } rollback)
        {
            return await RolledBackAsync(plan.Deployment, rollback, cancellationToken).ConfigureAwait(false);
        }

        if (stopped.Status == CodeDeployStatus.Succeeded)
        {
            // It finished first: blue is gone now, so undo by releasing it again.
            var again = await PlanUndoAsync(FromInfo(stopped), null, cancellationToken).ConfigureAwait(false);
            return await UndoAsync(again, cancellationToken).ConfigureAwait(false);
        }

        var ended = FromInfo(stopped);
        ended.Cluster = plan.Deployment.Cluster;
        ended.Service = plan.Deployment.Service;
        ended.TargetId = plan.Deployment.TargetId;
        return ended;
    }

    /// <summary>The release undone, read again, with where its rollback has put traffic: what serves after the undo.</summary>
    private async Task<BlueGreenDeployment> RolledBackAsync(BlueGreenDeployment release, string rollbackId, CancellationToken cancellationToken)
    {
        var now = await GetAsync(release.DeploymentId, cancellationToken).ConfigureAwait(false);
        var rollback = await RefreshAsync(new BlueGreenDeployment(rollbackId) { TargetId = now.TargetId, Cluster = now.Cluster, Service = now.Service }, cancellationToken).ConfigureAwait(false);
        return UndoCoordinator.AfterRollback(now, rollback);
    }
}
