using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Lambda.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases.Lambda;
using CodeDeployStatus = BlueGreen.Aws.CodeDeploy.Model.DeploymentStatus;
using DeploymentStatus = BlueGreen.Core.Deployments.DeploymentStatus;

namespace BlueGreen.Core.Releases.CodeDeploy;

/// <summary>What planning a Lambda release keeps for the start: the function's revision when new code is published.</summary>
public sealed class LambdaReleasePlan : EnginePlan
{
    public string FunctionName { get; set; } = string.Empty;

    public string Alias { get; set; } = string.Empty;

    /// <summary>The RevisionId of the function ($LATEST) when planned: the code update is refused if it changed since.</summary>
    public string? FunctionRevisionId { get; set; }

    /// <summary>The configuration name CreateDeployment asks for; null for the group's own.</summary>
    public string? ConfigName { get; set; }

    /// <summary>The group change that makes CodeDeploy watch the release's alarms; null when none is needed.</summary>
    public GroupAlarmChange? AlarmChange { get; set; }
}

/// <summary>What an undo of a Lambda release keeps: the version to point the alias back at, and the alias revision read.</summary>
public sealed class LambdaUndoPlan : EnginePlan
{
    public string FunctionName { get; set; } = string.Empty;

    public string Alias { get; set; } = string.Empty;

    public string BlueVersion { get; set; } = string.Empty;

    public string? AliasRevisionId { get; set; }
}

/// <summary>
/// Lambda releases through AWS CodeDeploy, as AWS SAM makes them: CodeDeploy moves the alias from the version it serves
/// (blue) to a published version (green) by the policy, runs the BeforeAllowTraffic and AfterAllowTraffic hooks, and
/// rolls back on the group's alarms. New code is published as a version first. Versions never go away, so an undo after
/// success points the alias straight back.
/// </summary>
public sealed class CodeDeployLambdaEngine : IReleaseEngine, IGroupDefaults, IPlatformReader
{
    // What this process has learned about which group releases an alias (SAM's groups carry no function name).
    private static readonly ConcurrentDictionary<string, (string Application, string Group)> KnownGroups = new(StringComparer.Ordinal);

    private readonly AwsContext _context;
    private readonly CodeDeployDeployments _deployments;
    private readonly CodeDeployClient _codeDeploy;
    private readonly LambdaClient _lambda;

    public CodeDeployLambdaEngine(AwsContext context)
        : this(new CodeDeployDeployments(context ?? throw new ArgumentNullException(nameof(context))))
    {
    }

    /// <summary>An engine sharing CodeDeploy's parts (and their group cache) with the engines of other platforms.</summary>
    public CodeDeployLambdaEngine(CodeDeployDeployments deployments)
    {
        _deployments = deployments ?? throw new ArgumentNullException(nameof(deployments));
        _context = deployments.Context;
        _codeDeploy = deployments.Client;
        _lambda = new LambdaClient(_context);
    }

    public DeploymentEngine Kind => DeploymentEngine.CodeDeployLambda;

    public EngineCapabilities Capabilities => EngineCapabilities.ServerSideRollback | EngineCapabilities.CustomShifts | EngineCapabilities.Hooks | EngineCapabilities.GroupDefaults;

    /// <summary>Makes the token that marks a CreateDeployment request as ours (fixed in tests).</summary>
    internal Func<string> NewToken { get; set; } = () => Guid.NewGuid().ToString("N");

    private static LambdaAliasTarget AliasTarget(ReleaseTarget? target) => target as LambdaAliasTarget
        ?? throw new ReleaseException("WrongTargetKind", ReleaseErrorKind.InvalidArgument, $"CodeDeploy's Lambda platform releases Lambda aliases, not {target?.DisplayName}.", target?.Key);

    private static ReleaseWording Wording(LambdaAliasTarget target) => new()
    {
        Subject = $"{target.FunctionName}:{target.Alias}",
        OneAtATime = "Only one release of a deployment group runs at a time.",
        RetryAction = $"Run Start-BlueGreenDeployment again; 'Get-BlueGreenDeployment -FunctionName {target.FunctionName} -Alias {target.Alias}' shows the latest release of the alias.",
        LookAction = $"Look with 'Get-BlueGreenDeployment -FunctionName {target.FunctionName} -Alias {target.Alias}' before running Start-BlueGreenDeployment again.",
        AttachAction = $"Attach to it with 'Get-BlueGreenDeployment -FunctionName {target.FunctionName} -Alias {target.Alias} | Wait-BlueGreenDeployment'.",
    };

    // ----- the group that releases an alias ---------------------------------------------------------------

    /// <summary>The CodeDeploy application and group that release <paramref name="target"/>: a group of compute platform
    /// Lambda whose last revision, or one of whose recent deployments, names the function and alias. Null when none does
    /// (a group that never deployed cannot be told apart: name it). Only reads.</summary>
    public async Task<(string Application, string Group)?> FindGroupAsync(LambdaAliasTarget target, string? applicationName, CancellationToken cancellationToken)
    {
        if (target is null)
        {
            throw new ArgumentNullException(nameof(target));
        }

        var key = CacheKey(target);
        if (KnownGroups.TryGetValue(key, out var known) && (applicationName is null || known.Application == applicationName))
        {
            try
            {
                var group = await _deployments.GetGroupAsync(known.Application, known.Group, cancellationToken).ConfigureAwait(false);
                if (group.ComputePlatform == ComputePlatform.Lambda)
                {
                    return known;
                }
            }
            catch (ReleaseException ex) when (ex.ErrorId == "DeploymentGroupNotFound")
            {
                // Deleted since: looked for again below.
            }

            KnownGroups.TryRemove(key, out _);
        }

        var found = await _deployments.FindGroupAsync(applicationName, null, (group, token) => ReleasesAsync(group, target, token), cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return null;
        }

        var result = (found.ApplicationName!, found.DeploymentGroupName!);
        KnownGroups[key] = result;
        return result;
    }

    /// <summary>The same, across every application.</summary>
    public Task<(string Application, string Group)?> FindGroupAsync(LambdaAliasTarget target, CancellationToken cancellationToken) =>
        FindGroupAsync(target, null, cancellationToken);

    private string CacheKey(LambdaAliasTarget target) => $"{_context.Region}|{_context.EndpointUrl}|{target.Key}";

    /// <summary>Whether a group releases the alias: its last revision says so at no cost; else its recent deployments do.</summary>
    private async Task<bool> ReleasesAsync(DeploymentGroupInfo group, LambdaAliasTarget target, CancellationToken cancellationToken)
    {
        if (group.ComputePlatform != ComputePlatform.Lambda)
        {
            return false;
        }

        var last = LambdaAppSpec.Read(CodeDeployDeployments.AppSpecOf(group.TargetRevision));
        if (last.NamesTarget)
        {
            return last.Releases(target);
        }

        var ids = (await _codeDeploy.ListDeploymentsAsync(new ListDeploymentsRequest { ApplicationName = group.ApplicationName, DeploymentGroupName = group.DeploymentGroupName }, cancellationToken).ConfigureAwait(false))
            .Deployments ?? new List<string>();
        if (ids.Count == 0)
        {
            return false;
        }

        var infos = (await _codeDeploy.BatchGetDeploymentsAsync(new BatchGetDeploymentsRequest { DeploymentIds = ids.Take(25).ToList() }, cancellationToken).ConfigureAwait(false)).DeploymentsInfo
            ?? new List<DeploymentInfo>();
        foreach (var info in infos.OrderByDescending(i => i.CreateTime ?? DateTime.MinValue))
        {
            var spec = LambdaAppSpec.Read(CodeDeployDeployments.AppSpecOf(info.Revision));
            if (spec.NamesTarget)
            {
                return spec.Releases(target);
            }
        }

        // Revisions kept elsewhere (S3): the deployments' targets are named <function>:<alias>.
        var newest = infos.OrderByDescending(i => i.CreateTime ?? DateTime.MinValue).FirstOrDefault();
        if (newest is null)
        {
            return false;
        }

        try
        {
            var targets = (await _codeDeploy.ListDeploymentTargetsAsync(new ListDeploymentTargetsRequest { DeploymentId = newest.DeploymentId }, cancellationToken).ConfigureAwait(false)).TargetIds
                ?? new List<string>();
            return targets.Any(t => t == TargetIdOf(target.FunctionName, target.Alias));
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is CodeDeployErrorCode.DeploymentNotStartedException or CodeDeployErrorCode.DeploymentDoesNotExistException)
        {
            // Its targets are not known yet: nothing says this group releases the alias.
            return false;
        }
    }

    private static string TargetIdOf(string function, string alias) => function + ":" + alias;

    private async Task<DeploymentGroupInfo> GroupForAsync(ReleaseRequest request, LambdaAliasTarget target, CancellationToken cancellationToken)
    {
        if (request.ApplicationName is not null && request.DeploymentGroupName is not null)
        {
            var named = await _deployments.GetGroupAsync(request.ApplicationName, request.DeploymentGroupName, cancellationToken).ConfigureAwait(false);
            if (named.ComputePlatform is not null && named.ComputePlatform != ComputePlatform.Lambda)
            {
                throw new ReleaseException("NotALambdaGroup", ReleaseErrorKind.InvalidArgument,
                    $"The deployment group '{request.DeploymentGroupName}' of '{request.ApplicationName}' is for {named.ComputePlatform}, not Lambda.", request.DeploymentGroupName,
                    "Name a deployment group of compute platform Lambda, or leave out -ApplicationName and -DeploymentGroupName to find the one that releases the alias.");
            }

            var last = LambdaAppSpec.Read(CodeDeployDeployments.AppSpecOf(named.TargetRevision));
            if (last.NamesTarget && !last.Releases(target))
            {
                throw new ReleaseException("GroupDoesNotOwnAlias", ReleaseErrorKind.InvalidArgument,
                    $"The deployment group '{request.DeploymentGroupName}' of '{request.ApplicationName}' releases alias '{last.Alias}' of function '{last.FunctionName}', not {target.DisplayName}.",
                    request.DeploymentGroupName, "Leave out -ApplicationName and -DeploymentGroupName to find the group that releases the alias.");
            }

            // Not remembered: a named group is known to release the alias only once it has deployed it.
            return named;
        }

        var found = await FindGroupAsync(target, request.ApplicationName, cancellationToken).ConfigureAwait(false);
        if (found is { } pair)
        {
            return await _deployments.GetGroupAsync(pair.Application, pair.Group, cancellationToken).ConfigureAwait(false);
        }

        throw NoDeploymentGroup(target);
    }

    private async Task<(string Application, string Group)> NamedGroupAsync(LambdaAliasTarget target, string application, string group, CancellationToken cancellationToken)
    {
        var named = await GroupForAsync(new ReleaseRequest(target) { ApplicationName = application, DeploymentGroupName = group }, target, cancellationToken).ConfigureAwait(false);
        return (named.ApplicationName!, named.DeploymentGroupName!);
    }

    private ReleaseException NoDeploymentGroup(LambdaAliasTarget target) => new("NoDeploymentGroup", ReleaseErrorKind.ObjectNotFound,
        $"No CodeDeploy deployment group in {_context.Region} is known to release {target.DisplayName}: none of the Lambda groups has deployed it yet.", target.Key,
        $"Name the group with -ApplicationName and -DeploymentGroupName (e.g. the ones 'sam deploy' created), or let the module shift the alias itself with -Controller Module.");

    // ----- start -----------------------------------------------------------------------------------------

    public async Task<ReleasePlan> PlanAsync(ReleaseRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        // Everything that can be judged without AWS is judged first.
        var target = AliasTarget(request.Target);
        if (LambdaAppSpec.ValidateHooks(request.Hooks) is { } hookProblem)
        {
            throw new ReleaseException("InvalidHook", ReleaseErrorKind.InvalidArgument, hookProblem, request.Hooks,
                "A Lambda deployment runs hooks at BeforeAllowTraffic and AfterAllowTraffic, e.g. @{ BeforeAllowTraffic = 'my-check-function' }.");
        }

        CheckGreen(request, target);
        var plan = new ReleasePlan(request) { Engine = Kind };
        var lambdaPlan = new LambdaReleasePlan { FunctionName = target.FunctionName, Alias = target.Alias };
        plan.EnginePlan = lambdaPlan;

        // Blue: what the alias serves now; a weighted alias is a release in flight.
        var alias = await GetAliasAsync(target, cancellationToken).ConfigureAwait(false);
        plan.Blue = alias.FunctionVersion ?? string.Empty;
        var weights = alias.RoutingConfig?.AdditionalVersionWeights;
        if (weights is { Count: > 0 })
        {
            var first = weights.First();
            var (version, weight) = (first.Key, first.Value);
            throw new ReleaseException("ReleaseInFlight", ReleaseErrorKind.InvalidOperation,
                $"The alias '{target.Alias}' of function '{target.FunctionName}' sends {(weight * 100).ToString("0.##", CultureInfo.InvariantCulture)}% of its traffic to version {version} besides version {plan.Blue}: a release is in flight.",
                target.Key, $"Follow it with 'Get-BlueGreenDeployment -FunctionName {target.FunctionName} -Alias {target.Alias} | Wait-BlueGreenDeployment', or undo it with Undo-Deployment.");
        }

        // Green: a published version, or new code to publish.
        if (request.Version is not null)
        {
            var green = await GetVersionAsync(target.FunctionName, request.Version, cancellationToken).ConfigureAwait(false);
            plan.Green = green.Version ?? request.Version;
            if (plan.Green == plan.Blue)
            {
                throw SameAsBlue(target, plan.Blue);
            }
        }
        else
        {
            var code = request.Code!;
            var function = await new LambdaPublisher(_context).ReadAsync(target.FunctionName, cancellationToken).ConfigureAwait(false);
            LambdaPublisher.CheckFits(function, code);
            lambdaPlan.FunctionRevisionId = function.RevisionId;
            plan.GreenSource = $"a new version of '{target.FunctionName}' published from {code}";
        }

        var group = await GroupForAsync(request, target, cancellationToken).ConfigureAwait(false);
        plan.ApplicationName = group.ApplicationName!;
        plan.DeploymentGroupName = group.DeploymentGroupName!;
        await _deployments.RefuseIfActiveAsync(plan.ApplicationName, plan.DeploymentGroupName, Wording(target), cancellationToken).ConfigureAwait(false);

        // The traffic shift: the one asked for, or the group's default.
        if (request.TrafficShift is { } policy)
        {
            plan.Policy = policy;
            plan.PolicyName = LambdaDeploymentConfigs.NameOf(policy);
            lambdaPlan.ConfigName = plan.PolicyName;
            plan.CreatesDeploymentConfig = !LambdaDeploymentConfigs.IsPredefined(policy) && !await _deployments.DeploymentConfigExistsAsync(plan.PolicyName, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            plan.PolicyName = group.DeploymentConfigName ?? LambdaDeploymentConfigs.NameOf(TrafficShiftPolicy.AllAtOnce);
            plan.Policy = await ReadPolicyAsync(plan.PolicyName, cancellationToken).ConfigureAwait(false);
        }

        plan.Alarms = group.AlarmConfiguration?.Alarms?.Select(a => a.Name ?? string.Empty).Where(n => n.Length > 0).ToList() ?? new List<string>();
        plan.AlarmsEnabled = group.AlarmConfiguration?.Enabled ?? false;
        plan.AutoRollbackEnabled = group.AutoRollbackConfiguration?.Enabled ?? false;
        plan.RollbackEvents = group.AutoRollbackConfiguration?.Events ?? new List<string>();
        lambdaPlan.AlarmChange = await _deployments.PlanAlarmsAsync(plan, group, cancellationToken).ConfigureAwait(false);
        plan.ReadyWaitMinutes = null;
        plan.TerminationWaitMinutes = 0;
        plan.Timeline = Timeline(plan.Policy, plan.Green ?? "the new version", plan.Blue, request.Hooks);
        plan.AppSpec = LambdaAppSpec.Build(target.FunctionName, target.Alias, plan.Blue, plan.Green ?? "<new version>", request.Hooks);
        plan.Headline = $"Start a release of alias '{target.Alias}' of function '{target.FunctionName}' through CodeDeploy application '{plan.ApplicationName}', group '{plan.DeploymentGroupName}'.";
        plan.Details.Add(new KeyValuePair<string, string>("Alias", $"{target.FunctionName}:{target.Alias}"));
        if (request.Hooks is { Count: > 0 } hooks)
        {
            plan.Details.Add(new KeyValuePair<string, string>("Hooks", string.Join(", ", LambdaAppSpec.HookEvents.Where(hooks.ContainsKey).Select(h => $"{h}={hooks[h]}"))));
        }

        if (plan.Green is null)
        {
            plan.Changes.Add(new PlannedChange("UpdateFunctionCode", $"update the code of '{target.FunctionName}' from {request.Code} (refused if the function changed since this plan), then wait until the update is done"));
            plan.Changes.Add(new PlannedChange("PublishVersion", $"publish it as a new version of '{target.FunctionName}' (with its CodeSha256 and RevisionId, so nothing else is published)"));
        }

        if (plan.CreatesDeploymentConfig)
        {
            plan.Changes.Add(new PlannedChange("CreateDeploymentConfig", $"create {plan.PolicyName} (compute platform Lambda)"));
        }

        plan.Changes.Add(new PlannedChange("CreateDeployment", $"start the deployment in {plan.ApplicationName}/{plan.DeploymentGroupName} with the AppSpec below"));
        return plan;
    }

    private static void CheckGreen(ReleaseRequest request, LambdaAliasTarget target)
    {
        if (request.Version is null == (request.Code is null))
        {
            throw new ReleaseException("VersionOrCode", ReleaseErrorKind.InvalidArgument,
                $"Say what to release to {target.DisplayName}: a published version, or new code to publish, not both or neither.", target.Key,
                "Give -Version <n>, or one of -ZipFile, -ImageUri, -S3Bucket with -S3Key.");
        }

        if (request.Version is { } version && !(version.Length > 0 && version.Length <= 10 && version.All(char.IsDigit)))
        {
            throw new ReleaseException("InvalidVersion", ReleaseErrorKind.InvalidArgument,
                $"'{version}' is not a published version of '{target.FunctionName}': CodeDeploy moves an alias between version numbers (not $LATEST or another alias).", version,
                "Give a version number, e.g. -Version 3, or new code to publish with -ZipFile.");
        }

        if (request.Code is { } code)
        {
            if (LambdaPublisher.Validate(code) is { } problem)
            {
                throw new ReleaseException("InvalidCodeSource", ReleaseErrorKind.InvalidArgument, problem, code.ToString(), "Use -ZipFile, -ImageUri, or -S3Bucket with -S3Key.");
            }
        }
    }

    private static ReleaseException SameAsBlue(LambdaAliasTarget target, string version) => new("GreenIsBlue", ReleaseErrorKind.InvalidArgument,
        $"Version {version} is what alias '{target.Alias}' of function '{target.FunctionName}' serves already: there is nothing to release.", version,
        "Release another version, or publish new code with -ZipFile.");

    private async Task<TrafficShiftPolicy> ReadPolicyAsync(string configName, CancellationToken cancellationToken) =>
        LambdaDeploymentConfigs.TryParse(configName, out var parsed) ? parsed! : await _deployments.ReadPolicyAsync(configName, cancellationToken).ConfigureAwait(false);

    private static List<TimelineStep> Timeline(TrafficShiftPolicy policy, string green, string blue, IReadOnlyDictionary<string, string>? hooks)
    {
        var steps = new List<TimelineStep>();
        if (hooks is not null && hooks.TryGetValue("BeforeAllowTraffic", out var before))
        {
            steps.Add(new TimelineStep(TimeSpan.Zero, $"BeforeAllowTraffic hook '{before}' runs; production stays on version {blue} until it reports Succeeded", 0));
        }

        var last = TimeSpan.Zero;
        foreach (var (minute, percent) in policy.Steps())
        {
            last = TimeSpan.FromMinutes(minute);
            steps.Add(new TimelineStep(last, string.Format(CultureInfo.InvariantCulture, "alias: {0}% on version {1}, {2}% on version {3}", percent, green, 100 - percent, blue), percent));
        }

        if (hooks is not null && hooks.TryGetValue("AfterAllowTraffic", out var after))
        {
            steps.Add(new TimelineStep(last, $"AfterAllowTraffic hook '{after}' runs", 100));
        }

        steps.Add(new TimelineStep(last, $"release Succeeded; version {blue} stays published (Undo-Deployment points the alias back at once)", 100));
        return steps;
    }

    public async Task<BlueGreenDeployment> StartAsync(ReleasePlan plan, CancellationToken cancellationToken)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        var lambdaPlan = plan.EnginePlan as LambdaReleasePlan ?? throw new ArgumentException("The plan was not made by the Lambda CodeDeploy engine.", nameof(plan));
        var target = AliasTarget(plan.Target);
        // The token marks the deployment as ours, and the published version too, so a lost answer finds it.
        var token = NewToken();
        if (lambdaPlan.AlarmChange is { } alarms)
        {
            await _deployments.ApplyAlarmsAsync(plan.ApplicationName, plan.DeploymentGroupName, alarms, cancellationToken).ConfigureAwait(false);
        }

        if (plan.Green is null)
        {
            var published = await new LambdaPublisher(_context).PublishAsync(target.FunctionName, plan.Request.Code!, lambdaPlan.FunctionRevisionId, $"bluegreen {token}",
                plan.Request.Description, cancellationToken).ConfigureAwait(false);
            plan.Green = published.Version;
            if (plan.Green == plan.Blue)
            {
                throw new ReleaseException("GreenIsBlue", ReleaseErrorKind.InvalidArgument,
                    $"The new code of '{target.FunctionName}' is the code of version {plan.Blue}, which alias '{target.Alias}' serves already: there is nothing to release.", plan.Blue,
                    "Build the code you mean to release, then run Start-BlueGreenDeployment again.");
            }
        }

        if (plan.CreatesDeploymentConfig)
        {
            await _deployments.CreateDeploymentConfigAsync(plan.PolicyName, plan.Policy, ComputePlatform.Lambda, cancellationToken).ConfigureAwait(false);
        }

        var appSpec = LambdaAppSpec.Build(target.FunctionName, target.Alias, plan.Blue, plan.Green, plan.Request.Hooks, token);
        plan.AppSpec = appSpec;
        var id = await _deployments.CreateDeploymentOnceAsync(new CreateDeploymentRequest
        {
            ApplicationName = plan.ApplicationName,
            DeploymentGroupName = plan.DeploymentGroupName,
            DeploymentConfigName = lambdaPlan.ConfigName,
            Description = plan.Request.Description,
            Revision = new RevisionLocation { RevisionType = "AppSpecContent", AppSpecContent = new AppSpecContent { Content = appSpec } },
            OverrideAlarmConfiguration = plan.Request.WithoutAlarms ? new AlarmConfiguration { Enabled = false } : null,
        }, token, Wording(target), cancellationToken).ConfigureAwait(false);

        BlueGreenDeployment deployment;
        try
        {
            var info = await _deployments.GetInfoAsync(id, cancellationToken).ConfigureAwait(false);
            deployment = FromInfo(info);
            await EnrichAsync(deployment, info, full: false, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (DeploymentWatcher.IsTransient(ex))
        {
            // Started: the id must not be lost because the first read failed. What is known is returned.
            deployment = new BlueGreenDeployment(id)
            {
                Engine = Kind,
                ApplicationName = plan.ApplicationName,
                DeploymentGroupName = plan.DeploymentGroupName,
                Status = DeploymentStatus.Created,
                TrafficShift = plan.PolicyName,
                Description = plan.Request.Description,
                WaitsAtReady = false,
                BlueExists = true,
                Region = _context.Region,
                EndpointUrl = _context.EndpointUrl,
                ProfileName = _context.ProfileName,
            };
        }

        deployment.FunctionName ??= target.FunctionName;
        deployment.Alias ??= target.Alias;
        deployment.TargetId ??= TargetIdOf(target.FunctionName, target.Alias);
        deployment.BlueVersion ??= plan.Blue;
        deployment.GreenVersion ??= plan.Green;
        if (deployment.Hooks.Count == 0 && plan.Request.Hooks is { Count: > 0 } hooks)
        {
            deployment.Hooks = new Dictionary<string, string>(hooks.Where(h => LambdaAppSpec.HookEvents.Contains(h.Key)).ToDictionary(h => h.Key, h => h.Value), StringComparer.Ordinal);
        }

        return deployment;
    }

    private async Task<GetAliasResponse> GetAliasAsync(LambdaAliasTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await _lambda.GetAliasAsync(new GetAliasRequest { FunctionName = target.FunctionName, Name = target.Alias }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.ResourceNotFoundException)
        {
            throw new ReleaseException("AliasNotFound", ReleaseErrorKind.ObjectNotFound, $"No alias '{target.Alias}' of a function '{target.FunctionName}' exists in {_context.Region}: {ex.Message}", target.Key,
                "Check -FunctionName and -Alias, and that -Region (and -EndpointUrl) point where the function is.", ex);
        }
    }

    private async Task<GetFunctionConfigurationResponse> GetVersionAsync(string function, string version, CancellationToken cancellationToken)
    {
        try
        {
            return await GetConfigurationAsync(function, version, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.ResourceNotFoundException)
        {
            throw new ReleaseException("VersionNotFound", ReleaseErrorKind.ObjectNotFound, $"Function '{function}' has no version {version}.", version,
                $"List its versions with 'aws lambda list-versions-by-function --function-name {function}', or publish new code with -ZipFile.", ex);
        }
    }

    private Task<GetFunctionConfigurationResponse> GetConfigurationAsync(string function, string? qualifier, CancellationToken cancellationToken) =>
        _lambda.GetFunctionConfigurationAsync(new GetFunctionConfigurationRequest { FunctionName = function, Qualifier = qualifier }, cancellationToken);

    // ----- read ------------------------------------------------------------------------------------------

    public Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken) => _deployments.ReadAsync(this, deploymentId, cancellationToken);

    /// <summary>A release in full from a deployment already read.</summary>
    internal Task<BlueGreenDeployment> GetAsync(DeploymentInfo info, CancellationToken cancellationToken) => CodeDeployDeployments.ReadAsync(this, info, cancellationToken);

    public Task<BlueGreenDeployment> RefreshAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) => _deployments.RefreshAsync(this, deployment, cancellationToken);

    BlueGreenDeployment IPlatformReader.FromInfo(DeploymentInfo info) => FromInfo(info);

    /// <summary>What the AppSpec said last time stands when it says nothing now.</summary>
    void IPlatformReader.CarryOver(BlueGreenDeployment fresh, BlueGreenDeployment previous)
    {
        fresh.TargetId ??= previous.TargetId;
        fresh.FunctionName ??= previous.FunctionName;
        fresh.Alias ??= previous.Alias;
        fresh.BlueVersion ??= previous.BlueVersion;
        fresh.GreenVersion ??= previous.GreenVersion;
        if (fresh.Hooks.Count == 0)
        {
            fresh.Hooks = previous.Hooks;
        }
    }

    Task IPlatformReader.EnrichAsync(BlueGreenDeployment deployment, DeploymentInfo info, bool full, BlueGreenDeployment? previous, CancellationToken cancellationToken) =>
        EnrichAsync(deployment, info, full, cancellationToken, previous);

    /// <summary>The deployment as the module shows a Lambda release: its alias, versions and hooks from the AppSpec.</summary>
    internal BlueGreenDeployment FromInfo(DeploymentInfo info)
    {
        var deployment = _deployments.FromInfo(info);
        var spec = LambdaAppSpec.Read(CodeDeployDeployments.AppSpecOf(info.Revision));
        deployment.Engine = Kind;
        deployment.FunctionName = spec.FunctionName;
        deployment.Alias = spec.Alias;
        deployment.BlueVersion = spec.CurrentVersion;
        deployment.GreenVersion = spec.TargetVersion;
        deployment.Hooks = spec.Hooks;
        deployment.WaitsAtReady = false;
        deployment.TerminationWaitStarted = false;

        // Lambda versions are never removed by a release: the alias can always be pointed back.
        deployment.BlueExists = true;
        deployment.TargetId = spec.NamesTarget ? TargetIdOf(spec.FunctionName!, spec.Alias!) : null;
        deployment.GreenTrafficPercent = Resting(deployment) ?? 0;
        return deployment;
    }

    /// <summary>Where traffic rests once a release is over: on green after success, on blue after a failure or rollback.</summary>
    private static double? Resting(BlueGreenDeployment deployment) => deployment.Status switch
    {
        DeploymentStatus.Succeeded => deployment.IsRollback ? 0 : 100,
        DeploymentStatus.Failed or DeploymentStatus.Stopped => 0,
        DeploymentStatus.Created => 0,
        _ => null,
    };

    /// <summary>The target's lifecycle events (with the hooks' results) and the traffic on green. A refresh takes the weight
    /// CodeDeploy reports on the target; a full read, and the first look at a release that succeeded, read the alias itself,
    /// which says where traffic really is (and whether the release was undone since). What cannot be read becomes a gap.</summary>
    private async Task EnrichAsync(BlueGreenDeployment deployment, DeploymentInfo info, bool full, CancellationToken cancellationToken, BlueGreenDeployment? previous = null)
    {
        var gaps = new List<ReadGap>();
        deployment.ReadGaps = gaps;
        if (deployment.TargetId is null)
        {
            // The AppSpec is not inline (or says nothing): the deployment's target is named <function>:<alias>.
            var (_, targets) = await CodeDeployDeployments.OptionalAsync("ListDeploymentTargets", "alias, lifecycle events and traffic", gaps,
                async () => (await _codeDeploy.ListDeploymentTargetsAsync(new ListDeploymentTargetsRequest { DeploymentId = deployment.DeploymentId }, cancellationToken).ConfigureAwait(false)).TargetIds,
                CodeDeployErrorCode.DeploymentNotStartedException).ConfigureAwait(false);
            var targetId = targets?.FirstOrDefault(t => t.IndexOf(':') > 0);
            if (targetId is null)
            {
                return;
            }

            var split = targetId.LastIndexOf(':');
            deployment.FunctionName = targetId.Substring(0, split);
            deployment.Alias = targetId.Substring(split + 1);
            deployment.TargetId = targetId;
        }

        var (targetRead, target) = await CodeDeployDeployments.OptionalAsync("GetDeploymentTarget", "lifecycle events and traffic", gaps,
            async () => (await _codeDeploy.GetDeploymentTargetAsync(new GetDeploymentTargetRequest { DeploymentId = deployment.DeploymentId, TargetId = deployment.TargetId }, cancellationToken).ConfigureAwait(false))
                .DeploymentTarget?.LambdaTarget,
            CodeDeployErrorCode.DeploymentTargetDoesNotExistException, CodeDeployErrorCode.DeploymentNotStartedException).ConfigureAwait(false);
        double? weight = null;
        if (target is not null)
        {
            (deployment.LifecycleEvents, deployment.Phase) = CodeDeployDeployments.Events(target.LifecycleEvents);
            var function = target.LambdaFunctionInfo;
            deployment.BlueVersion ??= LambdaAppSpec.VersionOf(function?.CurrentVersion);
            deployment.GreenVersion ??= LambdaAppSpec.VersionOf(function?.TargetVersion);
            weight = function?.TargetVersionWeight;
        }
        else if (!targetRead && previous is not null)
        {
            // Unread this time: what the last look saw stands (the gap says so) rather than dropping to nothing.
            deployment.LifecycleEvents = previous.LifecycleEvents;
            deployment.Phase = previous.Phase;
            deployment.GreenTrafficPercent = previous.GreenTrafficPercent;
        }

        if (Resting(deployment) is { } resting)
        {
            deployment.GreenTrafficPercent = resting;
        }
        else if (weight is { } w)
        {
            // A rollback's own share is the one on the version it puts back.
            deployment.GreenTrafficPercent = deployment.IsRollback ? 100 - Percent(w) : Percent(w);
        }

        var succeededNow = deployment.Status == DeploymentStatus.Succeeded && !deployment.IsRollback && previous?.Status != DeploymentStatus.Succeeded;
        if ((full || succeededNow) && !deployment.IsRollback && deployment.Status is not (DeploymentStatus.Failed or DeploymentStatus.Stopped or DeploymentStatus.Created)
            && deployment.FunctionName is not null && deployment.Alias is not null)
        {
            var (_, alias) = await CodeDeployDeployments.OptionalAsync("GetAlias", "traffic on the alias", gaps,
                () => _lambda.GetAliasAsync(new GetAliasRequest { FunctionName = deployment.FunctionName, Name = deployment.Alias }, cancellationToken),
                LambdaErrorCode.ResourceNotFoundException).ConfigureAwait(false);
            if (alias is not null && AliasShare(alias, deployment) is { } share)
            {
                deployment.GreenTrafficPercent = share;
            }
        }
    }

    private static double Percent(double weight) => Math.Round(Math.Max(0, Math.Min(1, weight)) * 100, 2);

    /// <summary>Green's share on the alias as it is now; null when the alias serves neither version of this release.</summary>
    private static double? AliasShare(GetAliasResponse alias, BlueGreenDeployment deployment)
    {
        var weights = alias.RoutingConfig?.AdditionalVersionWeights ?? new Dictionary<string, double>();
        if (alias.FunctionVersion == deployment.GreenVersion && weights.Count == 0)
        {
            return 100;
        }

        if (alias.FunctionVersion == deployment.BlueVersion)
        {
            return deployment.GreenVersion is not null && weights.TryGetValue(deployment.GreenVersion, out var w) ? Percent(w) : 0;
        }

        // Moved on to another version since: green serves nothing now.
        return deployment.Status == DeploymentStatus.Succeeded ? 0 : null;
    }

    public async Task<IReadOnlyList<BlueGreenDeployment>> GetForTargetAsync(ReleaseTarget target, bool all, CodeDeployGroupName? group, CancellationToken cancellationToken)
    {
        var alias = AliasTarget(target);
        var found = group?.DeploymentGroupName is { } named
            ? await NamedGroupAsync(alias, group.ApplicationName, named, cancellationToken).ConfigureAwait(false)
            : await FindGroupAsync(alias, group?.ApplicationName, cancellationToken).ConfigureAwait(false) ?? throw NoDeploymentGroup(alias);
        var history = (await _deployments.HistoryAsync(found.Application, found.Group, cancellationToken).ConfigureAwait(false))
            .Where(i => LambdaAppSpec.Read(CodeDeployDeployments.AppSpecOf(i.Revision)) is var spec && (!spec.NamesTarget || spec.Releases(alias)))
            .ToList();
        if (!all)
        {
            return history.Count == 0 ? Array.Empty<BlueGreenDeployment>() : new[] { await GetAsync(history[0], cancellationToken).ConfigureAwait(false) };
        }

        var rows = new List<BlueGreenDeployment>(history.Count);
        foreach (var i in history)
        {
            var d = FromInfo(i);
            if (!FinishedPhase.IsFinished(d.Status))
            {
                // A release still running has no phase in its record: its lifecycle events tell (at most a row or two per group).
                d = await GetAsync(i, cancellationToken).ConfigureAwait(false);
            }

            d.Phase ??= FinishedPhase.Of(d.Status, d.RolledBack);
            d.FunctionName ??= alias.FunctionName;
            d.Alias ??= alias.Alias;
            d.TargetId ??= TargetIdOf(alias.FunctionName, alias.Alias);
            rows.Add(d);
        }

        return rows;
    }

    // ----- gates -----------------------------------------------------------------------------------------

    public Task ContinueAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) => throw NoGate(deployment, "-Continue",
        "it has no Ready wait: traffic starts moving as soon as the BeforeAllowTraffic hook (if any) has succeeded");

    public Task CompleteAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) => throw NoGate(deployment, "-Complete",
        "it has no termination wait: it succeeds as soon as all traffic is on green, and the old version stays published");

    private static ReleaseException NoGate(BlueGreenDeployment deployment, string what, string why) => new("NotSupportedByEngine", ReleaseErrorKind.InvalidOperation,
        $"Set-TrafficShift {what} does not apply to release {deployment?.DeploymentId} of a Lambda alias through CodeDeploy: {why}.", deployment?.DeploymentId,
        $"Follow it with 'Wait-BlueGreenDeployment', or put traffic back with 'Undo-Deployment -Id {deployment?.DeploymentId}'.");

    // ----- group defaults ------------------------------------------------------------------------------------

    public async Task<string> PlanDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken)
    {
        var group = await CheckDefaultsAsync(applicationName, deploymentGroupName, policy, readyWait, cancellationToken).ConfigureAwait(false);
        var name = LambdaDeploymentConfigs.NameOf(policy!);
        var creates = !LambdaDeploymentConfigs.IsPredefined(policy!) && !await _deployments.DeploymentConfigExistsAsync(name, cancellationToken).ConfigureAwait(false);
        return $"Set the default traffic shift from {group.DeploymentConfigName ?? "none"} to {name}{(creates ? " (custom configuration, created first)" : string.Empty)} of deployment group '{deploymentGroupName}' (application '{applicationName}')";
    }

    public async Task SetDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken)
    {
        await CheckDefaultsAsync(applicationName, deploymentGroupName, policy, readyWait, cancellationToken).ConfigureAwait(false);
        var name = LambdaDeploymentConfigs.NameOf(policy!);
        if (!LambdaDeploymentConfigs.IsPredefined(policy!) && !await _deployments.DeploymentConfigExistsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            await _deployments.CreateDeploymentConfigAsync(name, policy!, ComputePlatform.Lambda, cancellationToken).ConfigureAwait(false);
        }

        await _codeDeploy.UpdateDeploymentGroupAsync(new UpdateDeploymentGroupRequest
        {
            ApplicationName = applicationName,
            CurrentDeploymentGroupName = deploymentGroupName,
            DeploymentConfigName = name,
        }, cancellationToken).ConfigureAwait(false);
        _deployments.ForgetGroup(applicationName, deploymentGroupName);
    }

    private async Task<DeploymentGroupInfo> CheckDefaultsAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken)
    {
        if (readyWait is not null)
        {
            throw new ReleaseException("NotSupportedByEngine", ReleaseErrorKind.InvalidArgument,
                $"The deployment group '{deploymentGroupName}' releases a Lambda alias, which has no Ready wait: traffic moves as soon as the BeforeAllowTraffic hook succeeds.", deploymentGroupName,
                "Leave out -ReadyWait; a BeforeAllowTraffic hook is how a Lambda release checks green first.");
        }

        if (policy is null)
        {
            throw new ArgumentException("Give a traffic shift.", nameof(policy));
        }

        var group = await _deployments.GetGroupAsync(applicationName, deploymentGroupName, cancellationToken).ConfigureAwait(false);
        if (group.ComputePlatform is not null && group.ComputePlatform != ComputePlatform.Lambda)
        {
            throw new ReleaseException("NotALambdaGroup", ReleaseErrorKind.InvalidArgument, $"The deployment group '{deploymentGroupName}' is for {group.ComputePlatform}, not Lambda.", deploymentGroupName);
        }

        return group;
    }

    // ----- undo ------------------------------------------------------------------------------------------

    public async Task<UndoPlan> PlanUndoAsync(BlueGreenDeployment deployment, TrafficShiftPolicy? policy, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        return await PlanUndoOfAsync(await GetAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The undo of a release just read in full.</summary>
    internal async Task<UndoPlan> PlanUndoOfAsync(BlueGreenDeployment current, CancellationToken cancellationToken)
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

        var what = current.FunctionName is null ? "the alias" : $"alias '{current.Alias}' of function '{current.FunctionName}'";
        if (!current.IsComplete)
        {
            return new UndoPlan(current, UndoKind.StopAndRollBack,
                $"Stop release {current.DeploymentId} of {what} ({current.Status}, {current.GreenTrafficPercent.ToString("0", CultureInfo.InvariantCulture)}% on version {current.GreenVersion}) and roll back: " +
                $"all traffic back to version {current.BlueVersion ?? "the one it served before"}.");
        }

        if (current.FunctionName is null || current.Alias is null || current.BlueVersion is null)
        {
            throw new ReleaseException("PreviousUnknown", ReleaseErrorKind.InvalidOperation,
                $"The alias and the version that served before {current.DeploymentId} are not known from its AppSpec.", current.DeploymentId,
                "Point the alias where you want it with 'aws lambda update-alias', or start a release of that version.");
        }

        var target = new LambdaAliasTarget(current.FunctionName, current.Alias);
        var alias = await GetAliasAsync(target, cancellationToken).ConfigureAwait(false);
        var weights = alias.RoutingConfig?.AdditionalVersionWeights;
        if (alias.FunctionVersion == current.BlueVersion && weights is not { Count: > 0 })
        {
            throw new ReleaseException("NothingToUndo", ReleaseErrorKind.InvalidOperation,
                $"Release {current.DeploymentId} ended {current.Status}, and {what} serves version {current.BlueVersion} (what it served before) already.", current.DeploymentId,
                $"Check what serves with 'Get-BlueGreenDeployment -Id {current.DeploymentId}'.");
        }

        if (current.Status == DeploymentStatus.Succeeded && (alias.FunctionVersion != current.GreenVersion || weights is { Count: > 0 }))
        {
            throw new ReleaseException("AliasMovedOn", ReleaseErrorKind.InvalidOperation,
                $"{what} no longer serves version {current.GreenVersion} of release {current.DeploymentId}: it serves version {alias.FunctionVersion}{(weights is { Count: > 0 } ? " with weights" : string.Empty)}. Pointing it back at version {current.BlueVersion} would undo a later change.",
                current.DeploymentId, "Undo the latest release of the alias instead ('Get-BlueGreenDeployment -FunctionName <f> -Alias <a> | Undo-Deployment').");
        }

        return new UndoPlan(current, UndoKind.RestorePrevious,
            $"Point {what} back at version {current.BlueVersion} (it serves version {alias.FunctionVersion} since release {current.DeploymentId} {current.Status}): all traffic moves at once, and version {alias.FunctionVersion} stays published.")
        {
            EnginePlan = new LambdaUndoPlan { FunctionName = current.FunctionName, Alias = current.Alias, BlueVersion = current.BlueVersion, AliasRevisionId = alias.RevisionId },
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
            case UndoKind.RestorePrevious:
                return await RestoreAsync(plan, cancellationToken).ConfigureAwait(false);
        }

        var id = plan.Deployment.DeploymentId;
        var stopped = await _deployments.StopWithRollbackAsync(id, cancellationToken).ConfigureAwait(false);
        if (stopped.RollbackInfo?.RollbackDeploymentId is { } rollback)
        {
            return await RolledBackAsync(plan.Deployment, rollback, cancellationToken).ConfigureAwait(false);
        }

        var ended = await GetAsync(stopped, cancellationToken).ConfigureAwait(false);
        if (stopped.Status == CodeDeployStatus.Succeeded)
        {
            // It finished first: the alias is pointed back instead.
            var again = await PlanUndoOfAsync(ended, cancellationToken).ConfigureAwait(false);
            return await UndoAsync(again, cancellationToken).ConfigureAwait(false);
        }

        return ended;
    }

    /// <summary>Points the alias back at blue, with no weights, unless the alias changed since the plan read it.</summary>
    private async Task<BlueGreenDeployment> RestoreAsync(UndoPlan plan, CancellationToken cancellationToken)
    {
        var undo = plan.EnginePlan as LambdaUndoPlan ?? throw new ArgumentException("The undo was not planned by the Lambda CodeDeploy engine.", nameof(plan));
        var request = new UpdateAliasRequest
        {
            FunctionName = undo.FunctionName,
            Name = undo.Alias,
            FunctionVersion = undo.BlueVersion,
            RoutingConfig = new AliasRoutingConfiguration { AdditionalVersionWeights = new Dictionary<string, double>() },
            RevisionId = undo.AliasRevisionId,
        };
        try
        {
            await _lambda.UpdateAliasAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.PreconditionFailedException)
        {
            throw new ReleaseException("AliasChanged", ReleaseErrorKind.InvalidOperation,
                $"Alias '{undo.Alias}' of function '{undo.FunctionName}' was changed by someone else after the undo was planned: it was left as it is.", plan.Deployment.DeploymentId,
                $"Look with 'Get-BlueGreenDeployment -Id {plan.Deployment.DeploymentId}', then run Undo-Deployment again if it still needs undoing.", ex);
        }
        catch (AwsServiceException ex) when (ex.OutcomeUnknown)
        {
            // Pointing the alias at blue twice is harmless, but only while nobody else changed it: the read says which.
            var now = await GetAliasAsync(new LambdaAliasTarget(undo.FunctionName, undo.Alias), cancellationToken).ConfigureAwait(false);
            if (!(now.FunctionVersion == undo.BlueVersion && now.RoutingConfig?.AdditionalVersionWeights is not { Count: > 0 }))
            {
                if (now.RevisionId != undo.AliasRevisionId)
                {
                    throw new ReleaseException("AliasChanged", ReleaseErrorKind.InvalidOperation,
                        $"Alias '{undo.Alias}' of function '{undo.FunctionName}' changed while it was being pointed back (the answer was lost): it serves version {now.FunctionVersion}.",
                        plan.Deployment.DeploymentId, "Run Undo-Deployment again once you know what serves.", ex);
                }

                await _lambda.UpdateAliasAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }

        var done = await GetAsync(plan.Deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        done.GreenTrafficPercent = 0;
        return done;
    }

    /// <summary>The release undone, read again, with where its rollback has put traffic: what serves after the undo.</summary>
    private async Task<BlueGreenDeployment> RolledBackAsync(BlueGreenDeployment release, string rollbackId, CancellationToken cancellationToken)
    {
        var now = await GetAsync(release.DeploymentId, cancellationToken).ConfigureAwait(false);
        var rollback = await RefreshAsync(new BlueGreenDeployment(rollbackId) { TargetId = now.TargetId, FunctionName = now.FunctionName, Alias = now.Alias, Engine = Kind }, cancellationToken).ConfigureAwait(false);
        return UndoCoordinator.AfterRollback(now, rollback);
    }
}
