using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using CodeDeployStatus = BlueGreen.Aws.CodeDeploy.Model.DeploymentStatus;
using DeploymentStatus = BlueGreen.Core.Deployments.DeploymentStatus;

namespace BlueGreen.Core.Releases.CodeDeploy;

/// <summary>How a compute platform names what it releases in the messages the shared CodeDeploy code writes.</summary>
public sealed class ReleaseWording
{
    /// <summary>What is released, as quoted in messages ("The release of 'web' ..."), and the target of their errors.</summary>
    public string Subject { get; init; } = string.Empty;

    /// <summary>The rule broken by a second release, e.g. "Only one release of a service runs at a time."</summary>
    public string OneAtATime { get; init; } = string.Empty;

    /// <summary>What to do when CodeDeploy's answer was lost every time and the group shows nothing from it.</summary>
    public string RetryAction { get; init; } = string.Empty;

    /// <summary>What to do when the group could not even be read to see whether the release started.</summary>
    public string LookAction { get; init; } = string.Empty;

    /// <summary>How to attach to a release already active whose id is not known.</summary>
    public string AttachAction { get; init; } = string.Empty;
}

/// <summary>What one compute platform makes of a CodeDeploy deployment; <see cref="CodeDeployDeployments"/> reads and refreshes
/// a release the same way for every platform and asks the platform only for these.</summary>
internal interface IPlatformReader
{
    /// <summary>The deployment in the platform's terms, from what the deployment itself says (no call).</summary>
    BlueGreenDeployment FromInfo(DeploymentInfo info);

    /// <summary>What a refresh keeps from the previous look that the deployment itself does not say.</summary>
    void CarryOver(BlueGreenDeployment fresh, BlueGreenDeployment previous);

    /// <summary>What the platform reads beyond the deployment (targets, traffic); a full read looks at everything,
    /// a refresh (given the previous look) only at what moves.</summary>
    Task EnrichAsync(BlueGreenDeployment deployment, DeploymentInfo info, bool full, BlueGreenDeployment? previous, CancellationToken cancellationToken);
}

/// <summary>
/// The CodeDeploy parts every compute platform shares: deployment groups (cached per engine), deployment configurations,
/// creating a deployment exactly once (a token in the AppSpec adopts a deployment whose answer was lost), reading,
/// stopping with rollback, and the history of a group. Platform engines (ECS, Lambda) add what their targets need.
/// </summary>
public sealed class CodeDeployDeployments
{
    /// <summary>The statuses of a deployment that is still going.</summary>
    public static IReadOnlyList<string> ActiveStatuses { get; } = new[] { CodeDeployStatus.Created, CodeDeployStatus.Queued, CodeDeployStatus.InProgress, CodeDeployStatus.Ready, CodeDeployStatus.Baking };

    private readonly AwsContext _context;
    private readonly ConcurrentDictionary<string, DeploymentGroupInfo> _groups = new(StringComparer.Ordinal);

    public CodeDeployDeployments(AwsContext context)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        Client = new CodeDeployClient(context);
    }

    public CodeDeployClient Client { get; }

    public AwsContext Context => _context;

    /// <summary>How many times a call whose answer was lost is made again after looking: as many as the retry policy's attempts.</summary>
    public int LostAnswerAttempts => Math.Max(1, _context.RetryPolicy.MaxAttempts);

    // ----- groups ----------------------------------------------------------------------------------------

    public async Task<DeploymentGroupInfo> GetGroupAsync(string application, string group, CancellationToken cancellationToken)
    {
        var key = application + "\n" + group;
        if (_groups.TryGetValue(key, out var cached))
        {
            return cached;
        }

        try
        {
            var info = (await Client.GetDeploymentGroupAsync(new GetDeploymentGroupRequest { ApplicationName = application, DeploymentGroupName = group }, cancellationToken).ConfigureAwait(false)).DeploymentGroupInfo
                ?? throw new ReleaseException("DeploymentGroupNotFound", ReleaseErrorKind.ObjectNotFound, $"No deployment group '{group}' in '{application}'.", group);
            _groups[key] = info;
            return info;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is CodeDeployErrorCode.DeploymentGroupDoesNotExistException or CodeDeployErrorCode.ApplicationDoesNotExistException)
        {
            throw new ReleaseException("DeploymentGroupNotFound", ReleaseErrorKind.ObjectNotFound, $"No deployment group '{group}' in CodeDeploy application '{application}' ({_context.Region}).", group,
                "Check -ApplicationName and -DeploymentGroupName.", ex);
        }
    }

    /// <summary>Forgets a group read before (after it was changed).</summary>
    public void ForgetGroup(string application, string group) => _groups.TryRemove(application + "\n" + group, out _);

    /// <summary>Plans the alarms a release asks for (<see cref="ReleaseRequest.Alarms"/>): checked, found in CloudWatch,
    /// and, when the group does not watch them yet, the group change shown in the plan; null when there is nothing to change.</summary>
    public async Task<GroupAlarmChange?> PlanAlarmsAsync(ReleasePlan plan, DeploymentGroupInfo group, CancellationToken cancellationToken)
    {
        if (plan is null || group is null)
        {
            throw new ArgumentNullException(plan is null ? nameof(plan) : nameof(group));
        }

        var alarms = ReleaseAlarms.Normalize(plan.Request.Alarms, CodeDeployAlarms.GroupLimit);
        if (alarms.Count == 0 || plan.Request.WithoutAlarms)
        {
            return null;
        }

        await ReleaseAlarms.RequireExistAsync(_context, alarms, cancellationToken).ConfigureAwait(false);
        var change = CodeDeployAlarms.Plan(group, alarms);
        if (change is not null)
        {
            CodeDeployAlarms.Show(plan, change);
        }

        return change;
    }

    /// <summary>Makes the group watch the release's alarms (before the deployment is created, so it is watched from its start).</summary>
    public async Task ApplyAlarmsAsync(string applicationName, string deploymentGroupName, GroupAlarmChange change, CancellationToken cancellationToken)
    {
        await Client.UpdateDeploymentGroupAsync(CodeDeployAlarms.Request(applicationName, deploymentGroupName, change), cancellationToken).ConfigureAwait(false);
        ForgetGroup(applicationName, deploymentGroupName);
    }

    /// <summary>The first group that <paramref name="owns"/> the target, looking through one application (or all) and one
    /// group name (or all); null when none does.</summary>
    public async Task<DeploymentGroupInfo?> FindGroupAsync(string? applicationName, string? groupName, Func<DeploymentGroupInfo, CancellationToken, Task<bool>> owns, CancellationToken cancellationToken)
    {
        if (owns is null)
        {
            throw new ArgumentNullException(nameof(owns));
        }

        var applications = applicationName is not null
            ? new List<string> { applicationName }
            : (await Client.ListApplicationsAllPagesAsync(new ListApplicationsRequest(), cancellationToken).ConfigureAwait(false)).SelectMany(p => p.Applications ?? new List<string>()).ToList();
        foreach (var application in applications)
        {
            List<string> groups;
            try
            {
                groups = (await Client.ListDeploymentGroupsAllPagesAsync(new ListDeploymentGroupsRequest { ApplicationName = application }, cancellationToken).ConfigureAwait(false))
                    .SelectMany(p => p.DeploymentGroups ?? new List<string>()).ToList();
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == CodeDeployErrorCode.ApplicationDoesNotExistException)
            {
                throw new ReleaseException("ApplicationNotFound", ReleaseErrorKind.ObjectNotFound, $"No CodeDeploy application '{application}' exists in {_context.Region}.", application, null, ex);
            }

            foreach (var name in groups.Where(g => groupName is null || g == groupName))
            {
                var group = await GetGroupAsync(application, name, cancellationToken).ConfigureAwait(false);
                if (await owns(group, cancellationToken).ConfigureAwait(false))
                {
                    return group;
                }
            }
        }

        return null;
    }

    // ----- deployment configurations --------------------------------------------------------------------

    public async Task<bool> DeploymentConfigExistsAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Client.GetDeploymentConfigAsync(new GetDeploymentConfigRequest { DeploymentConfigName = name }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == CodeDeployErrorCode.DeploymentConfigDoesNotExistException)
        {
            return false;
        }
    }

    /// <summary>A configuration as a policy: by its name when the name says it, else as CodeDeploy describes it.</summary>
    public async Task<TrafficShiftPolicy> ReadPolicyAsync(string configName, CancellationToken cancellationToken)
    {
        if (TrafficShiftPolicy.TryParse(configName, out var parsed, out _))
        {
            return parsed!;
        }

        var info = (await Client.GetDeploymentConfigAsync(new GetDeploymentConfigRequest { DeploymentConfigName = configName }, cancellationToken).ConfigureAwait(false)).DeploymentConfigInfo;
        var routing = info?.TrafficRoutingConfig;
        return TrafficShiftPolicy.FromRouting(routing?.Type,
            routing?.TimeBasedCanary?.CanaryPercentage ?? routing?.TimeBasedLinear?.LinearPercentage,
            routing?.TimeBasedCanary?.CanaryInterval ?? routing?.TimeBasedLinear?.LinearInterval);
    }

    /// <summary>Creates the custom configuration <paramref name="name"/> for <paramref name="policy"/> on a compute platform;
    /// one made before (the name says what it does) is reused.</summary>
    public async Task CreateDeploymentConfigAsync(string name, TrafficShiftPolicy policy, string computePlatform, CancellationToken cancellationToken)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        var routing = policy.Kind switch
        {
            TrafficShiftKind.Canary => new TrafficRoutingConfig { Type = "TimeBasedCanary", TimeBasedCanary = new TimeBasedCanary { CanaryPercentage = policy.Percentage, CanaryInterval = policy.IntervalMinutes } },
            TrafficShiftKind.Linear => new TrafficRoutingConfig { Type = "TimeBasedLinear", TimeBasedLinear = new TimeBasedLinear { LinearPercentage = policy.Percentage, LinearInterval = policy.IntervalMinutes } },
            _ => new TrafficRoutingConfig { Type = "AllAtOnce" },
        };
        try
        {
            await Client.CreateDeploymentConfigAsync(new CreateDeploymentConfigRequest
            {
                DeploymentConfigName = name,
                ComputePlatform = computePlatform,
                TrafficRoutingConfig = routing,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == CodeDeployErrorCode.DeploymentConfigAlreadyExistsException)
        {
            // Made before: the name says what it does, so it is reused.
        }
        catch (AwsServiceException ex) when (ex.OutcomeUnknown)
        {
            if (!await DeploymentConfigExistsAsync(name, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    // ----- start -----------------------------------------------------------------------------------------

    /// <summary>Refuses a release while the group has one going: CodeDeploy runs one deployment per group.</summary>
    public async Task RefuseIfActiveAsync(string application, string group, ReleaseWording wording, CancellationToken cancellationToken)
    {
        if (wording is null)
        {
            throw new ArgumentNullException(nameof(wording));
        }

        var active = (await Client.ListDeploymentsAsync(new ListDeploymentsRequest
        {
            ApplicationName = application,
            DeploymentGroupName = group,
            IncludeOnlyStatuses = ActiveStatuses.ToList(),
        }, cancellationToken).ConfigureAwait(false)).Deployments;
        if (active is { Count: > 0 })
        {
            throw AlreadyActive(active[0], wording);
        }
    }

    /// <summary>CreateDeployment that never makes two: when the answer is lost, the group's deployment carrying this
    /// request's token is adopted; only when the group has none is the call made again. When CodeDeploy refuses the call
    /// because the group has an active deployment, that deployment is ours if it carries the token (an earlier attempt
    /// whose answer was lost), and is adopted.</summary>
    public async Task<string> CreateDeploymentOnceAsync(CreateDeploymentRequest request, string token, ReleaseWording wording, CancellationToken cancellationToken)
    {
        if (request is null || wording is null)
        {
            throw new ArgumentNullException(request is null ? nameof(request) : nameof(wording));
        }

        var application = request.ApplicationName ?? string.Empty;
        var group = request.DeploymentGroupName ?? string.Empty;

        // Clocks differ by at most minutes (a signature further off is refused), so this window holds the deployment if it exists.
        var since = DateTime.UtcNow - TimeSpan.FromMinutes(15);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await Client.CreateDeploymentAsync(request, cancellationToken).ConfigureAwait(false);
                return response.DeploymentId ?? throw new ReleaseException("NoDeploymentId", ReleaseErrorKind.InvalidOperation, "CodeDeploy accepted the deployment but returned no id.");
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == CodeDeployErrorCode.DeploymentLimitExceededException)
            {
                // "The Deployment Group 'g' already has an active Deployment 'd-…'": ours when it carries this request's token.
                var named = DeploymentIdIn(ex.Message);
                if (named is not null && await CarriesTokenAsync(named, token, cancellationToken).ConfigureAwait(false))
                {
                    return named;
                }

                var (mine, other) = await FindByTokenAsync(application, group, token, since, wording, cancellationToken).ConfigureAwait(false);
                if (mine is not null)
                {
                    return mine;
                }

                throw AlreadyActive(named ?? other ?? ex.Message, wording, ex);
            }
            catch (AwsServiceException ex) when (ex.OutcomeUnknown)
            {
                var (mine, _) = await FindByTokenAsync(application, group, token, since, wording, cancellationToken).ConfigureAwait(false);
                if (mine is not null)
                {
                    return mine;
                }

                if (attempt >= LostAnswerAttempts)
                {
                    throw new ReleaseException("DeploymentOutcomeUnknown", ReleaseErrorKind.InvalidOperation,
                        $"The release of '{wording.Subject}' could not be started: CodeDeploy's answer was lost {attempt} times in a row ({ex.ErrorCode}), and the deployment group {group} shows no deployment from it.",
                        wording.Subject, wording.RetryAction, ex);
                }

                await Task.Delay(_context.RetryPolicy.DelayBefore(attempt, throttled: false), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The AppSpec text of a revision (AppSpecContent or String), if it carries one.</summary>
    public static string? AppSpecOf(RevisionLocation? revision) => revision?.AppSpecContent?.Content ?? revision?.String?.Content;

    private static string? DeploymentIdIn(string message)
    {
        var match = Regex.Match(message ?? string.Empty, @"\bd-[A-Z0-9]{9}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b");
        return match.Success ? match.Value : null;
    }

    private async Task<bool> CarriesTokenAsync(string deploymentId, string token, CancellationToken cancellationToken)
    {
        try
        {
            var info = (await Client.GetDeploymentAsync(new GetDeploymentRequest { DeploymentId = deploymentId }, cancellationToken).ConfigureAwait(false)).DeploymentInfo;
            return AppSpecMarkers.ReadToken(AppSpecOf(info?.Revision)) == token;
        }
        catch (AwsServiceException ex) when (DeploymentWatcher.IsTransient(ex) || ex.ErrorCode == CodeDeployErrorCode.DeploymentDoesNotExistException)
        {
            return false;
        }
    }

    /// <summary>The group's deployment carrying <paramref name="token"/>, among those created since <paramref name="since"/>
    /// whatever their status (at a high time scale, or with a long lost answer, it may have ended already); and the newest
    /// other one.</summary>
    private async Task<(string? Mine, string? Other)> FindByTokenAsync(string application, string group, string token, DateTime since, ReleaseWording wording,
        CancellationToken cancellationToken)
    {
        for (var look = 0; look < 3; look++)
        {
            try
            {
                var ids = (await Client.ListDeploymentsAsync(new ListDeploymentsRequest
                {
                    ApplicationName = application,
                    DeploymentGroupName = group,
                    CreateTimeRange = new TimeRange { Start = since },
                }, cancellationToken).ConfigureAwait(false)).Deployments ?? new List<string>();
                if (ids.Count == 0)
                {
                    return (null, null);
                }

                var infos = (await Client.BatchGetDeploymentsAsync(new BatchGetDeploymentsRequest { DeploymentIds = ids.Take(25).ToList() }, cancellationToken).ConfigureAwait(false)).DeploymentsInfo
                    ?? new List<DeploymentInfo>();
                var mine = infos.FirstOrDefault(i => AppSpecMarkers.ReadToken(AppSpecOf(i.Revision)) == token)?.DeploymentId;
                return (mine, infos.FirstOrDefault(i => i.DeploymentId != mine && i.Status is not null && ActiveStatuses.Contains(i.Status))?.DeploymentId);
            }
            catch (AwsServiceException ex) when (ex.IsRetryable || ex.OutcomeUnknown)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (look + 1)), cancellationToken).ConfigureAwait(false);
            }
        }

        throw new ReleaseException("DeploymentOutcomeUnknown", ReleaseErrorKind.InvalidOperation,
            $"The release of '{wording.Subject}' may or may not have started: CodeDeploy's answer was lost, and the deployment group {group} could not be read to see.",
            wording.Subject, wording.LookAction);
    }

    public static ReleaseException AlreadyActive(string detail, ReleaseWording wording, Exception? inner = null)
    {
        if (wording is null)
        {
            throw new ArgumentNullException(nameof(wording));
        }

        var id = Regex.Match(detail ?? string.Empty, @"d-[A-Z0-9]{9}|[0-9a-f-]{36}").Value;
        return new ReleaseException("DeploymentAlreadyActive", ReleaseErrorKind.ResourceExists,
            $"A release of '{wording.Subject}' is already active{(id.Length > 0 ? ": " + id : string.Empty)}. {wording.OneAtATime}",
            id.Length > 0 ? id : wording.Subject,
            id.Length > 0
                ? $"Attach to it with 'Get-BlueGreenDeployment -Id {id} | Wait-BlueGreenDeployment', or undo it with 'Get-BlueGreenDeployment -Id {id} | Undo-Deployment'."
                : wording.AttachAction,
            inner);
    }

    // ----- read ------------------------------------------------------------------------------------------

    public async Task<DeploymentInfo> GetInfoAsync(string deploymentId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Client.GetDeploymentAsync(new GetDeploymentRequest { DeploymentId = deploymentId }, cancellationToken).ConfigureAwait(false);
            return response.DeploymentInfo ?? throw new DeploymentNotFoundException(deploymentId, _context.Region);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is CodeDeployErrorCode.DeploymentDoesNotExistException or CodeDeployErrorCode.InvalidDeploymentIdException)
        {
            throw new DeploymentNotFoundException(deploymentId, _context.Region, ex);
        }
    }

    /// <summary>A release in full, read by its id.</summary>
    internal async Task<BlueGreenDeployment> ReadAsync(IPlatformReader platform, string deploymentId, CancellationToken cancellationToken) =>
        await ReadAsync(platform, await GetInfoAsync(deploymentId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>A release in full from a deployment already read (by a dispatcher that read it to learn its platform).</summary>
    internal static async Task<BlueGreenDeployment> ReadAsync(IPlatformReader platform, DeploymentInfo info, CancellationToken cancellationToken)
    {
        var deployment = platform.FromInfo(info);
        await platform.EnrichAsync(deployment, info, full: true, previous: null, cancellationToken).ConfigureAwait(false);
        return deployment;
    }

    /// <summary>A new look at a release: the deployment and what moves; a release not read in full yet is read in full.</summary>
    internal async Task<BlueGreenDeployment> RefreshAsync(IPlatformReader platform, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        if (deployment.TargetId is null)
        {
            return await ReadAsync(platform, deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        }

        var info = await GetInfoAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        var fresh = platform.FromInfo(info);
        platform.CarryOver(fresh, deployment);
        await platform.EnrichAsync(fresh, info, full: false, previous: deployment, cancellationToken).ConfigureAwait(false);
        return fresh;
    }

    /// <summary>What every platform reads from a deployment itself: status, times, configuration, rollback, where it lives.</summary>
    public BlueGreenDeployment FromInfo(DeploymentInfo info)
    {
        if (info is null)
        {
            throw new ArgumentNullException(nameof(info));
        }

        return new BlueGreenDeployment(info.DeploymentId ?? string.Empty)
        {
            Engine = info.ComputePlatform == ComputePlatform.Lambda ? DeploymentEngine.CodeDeployLambda : DeploymentEngine.CodeDeployEcs,
            ApplicationName = info.ApplicationName,
            DeploymentGroupName = info.DeploymentGroupName,
            Status = MapStatus(info.Status, info.InstanceTerminationWaitTimeStarted),
            EngineStatus = info.Status,
            CreateTime = info.CreateTime,
            StartTime = info.StartTime,
            CompleteTime = info.CompleteTime,
            Creator = info.Creator,
            Description = info.Description,
            ErrorCode = info.ErrorInformation?.Code,
            ErrorMessage = info.ErrorInformation?.Message,
            TrafficShift = info.DeploymentConfigName,
            TerminationWaitStarted = info.InstanceTerminationWaitTimeStarted ?? false,
            WaitsAtReady = info.BlueGreenDeploymentConfiguration?.DeploymentReadyOption is { } ready ? ready.ActionOnTimeout == DeploymentReadyAction.StopDeployment : null,
            RollbackDeploymentId = info.RollbackInfo?.RollbackDeploymentId,
            RollbackTriggeringDeploymentId = info.RollbackInfo?.RollbackTriggeringDeploymentId,
            RollbackMessage = info.RollbackInfo?.RollbackMessage,
            Region = _context.Region,
            EndpointUrl = _context.EndpointUrl,
            ProfileName = _context.ProfileName,
        };
    }

    /// <summary>CodeDeploy's status in the module's terms: the termination wait after all traffic moved is Baking.</summary>
    public static DeploymentStatus MapStatus(string? status, bool? terminationWaitStarted = null) => status switch
    {
        CodeDeployStatus.Created or CodeDeployStatus.Queued or null => DeploymentStatus.Created,
        CodeDeployStatus.InProgress when terminationWaitStarted == true => DeploymentStatus.Baking,
        CodeDeployStatus.InProgress => DeploymentStatus.InProgress,
        CodeDeployStatus.Ready => DeploymentStatus.Ready,
        CodeDeployStatus.Baking => DeploymentStatus.Baking,
        CodeDeployStatus.Succeeded => DeploymentStatus.Succeeded,
        CodeDeployStatus.Failed => DeploymentStatus.Failed,
        CodeDeployStatus.Stopped => DeploymentStatus.Stopped,
        _ => DeploymentStatus.InProgress,
    };

    /// <summary>The lifecycle events of a deployment target in the module's terms, and the phase they show.</summary>
    public static (IReadOnlyList<DeploymentLifecycleEvent> Events, string? Phase) Events(IReadOnlyList<LifecycleEvent>? events)
    {
        var list = events ?? Array.Empty<LifecycleEvent>();
        return (list.Select(e => new DeploymentLifecycleEvent(e.LifecycleEventName ?? string.Empty, e.Status, e.StartTime, e.EndTime, e.Diagnostics?.Message)).ToList(),
            list.FirstOrDefault(e => e.Status == "InProgress")?.LifecycleEventName ?? list.LastOrDefault(e => e.Status is "Succeeded" or "Failed")?.LifecycleEventName);
    }

    /// <summary>Every deployment of a group, newest first (ListDeployments, then BatchGetDeployments 25 at a time).</summary>
    public async Task<IReadOnlyList<DeploymentInfo>> HistoryAsync(string application, string group, CancellationToken cancellationToken)
    {
        var ids = (await Client.ListDeploymentsAllPagesAsync(new ListDeploymentsRequest { ApplicationName = application, DeploymentGroupName = group }, cancellationToken).ConfigureAwait(false))
            .SelectMany(p => p.Deployments ?? new List<string>()).ToList();
        var infos = new List<DeploymentInfo>();
        foreach (var chunk in ids.Select((id, i) => (id, i)).GroupBy(x => x.i / 25, x => x.id))
        {
            infos.AddRange((await Client.BatchGetDeploymentsAsync(new BatchGetDeploymentsRequest { DeploymentIds = chunk.ToList() }, cancellationToken).ConfigureAwait(false)).DeploymentsInfo ?? new List<DeploymentInfo>());
        }

        return infos.OrderByDescending(i => i.CreateTime ?? DateTime.MinValue).ToList();
    }

    /// <summary>An optional read. An error whose code says the thing does not exist reads as nothing (true, default);
    /// any other failure of the call (throttling or 5xx past the AWS layer's retries, an operation the endpoint lacks,
    /// no permission) becomes a gap and gives (false, default).</summary>
    public static async Task<(bool Read, T? Value)> OptionalAsync<T>(string operation, string missing, List<ReadGap> gaps, Func<Task<T>> read, params string[] absentCodes)
    {
        if (gaps is null || read is null)
        {
            throw new ArgumentNullException(gaps is null ? nameof(gaps) : nameof(read));
        }

        try
        {
            return (true, await read().ConfigureAwait(false));
        }
        catch (AwsServiceException ex) when (Array.IndexOf(absentCodes, ex.ErrorCode) >= 0)
        {
            return (true, default);
        }
        catch (AwsServiceException ex)
        {
            gaps.Add(new ReadGap(string.IsNullOrEmpty(ex.Operation) ? operation : ex.Operation, ShortReason(ex), missing));
            return (false, default);
        }
    }

    /// <summary>Why a call failed, in a line: its error code, HTTP status and the start of its message.</summary>
    public static string ShortReason(AwsServiceException exception)
    {
        if (exception is null)
        {
            throw new ArgumentNullException(nameof(exception));
        }

        var code = string.IsNullOrEmpty(exception.ErrorCode) ? "Unknown" : exception.ErrorCode;
        var reason = exception.StatusCode == 0 ? code : string.Format(CultureInfo.InvariantCulture, "{0}, HTTP {1}", code, (int)exception.StatusCode);
        var message = string.Join(" ", (exception.Message ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (message.Length == 0 || message.Trim('(', ')', ' ') == code)
        {
            return reason;
        }

        return reason + ": " + (message.Length > 160 ? message.Substring(0, 157) + "..." : message);
    }

    // ----- gates and undo --------------------------------------------------------------------------------

    /// <summary>Ends a wait of the deployment (the Ready wait, or the termination wait) with ContinueDeployment.</summary>
    public async Task ContinueAsync(BlueGreenDeployment deployment, string waitType, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        try
        {
            await Client.ContinueDeploymentAsync(new ContinueDeploymentRequest { DeploymentId = deployment.DeploymentId, DeploymentWaitType = waitType }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is CodeDeployErrorCode.DeploymentIsNotInReadyStateException or CodeDeployErrorCode.DeploymentAlreadyCompletedException)
        {
            var what = waitType == DeploymentWaitType.ReadyWait ? "waiting for the go-ahead (Ready)" : "in its termination wait (Baking)";
            throw new ReleaseException(ex.ErrorCode == CodeDeployErrorCode.DeploymentAlreadyCompletedException ? "DeploymentAlreadyCompleted" : "DeploymentNotWaiting",
                ReleaseErrorKind.InvalidOperation, $"The release {deployment.DeploymentId} is not {what}: {ex.Message}", deployment.DeploymentId,
                waitType == DeploymentWaitType.ReadyWait
                    ? $"Wait for it with 'Wait-BlueGreenDeployment -Id {deployment.DeploymentId} -Until Ready' first; a group without a Ready wait moves traffic by itself."
                    : $"Wait for it with 'Get-BlueGreenDeployment -Id {deployment.DeploymentId}' until its status is Baking.", ex);
        }
        catch (AwsServiceException ex) when (ex.OutcomeUnknown)
        {
            // The go-ahead may have been taken: it is harmless to give it again once the state says it is still needed.
            var now = await GetInfoAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
            var stillWaiting = waitType == DeploymentWaitType.ReadyWait ? now.Status == CodeDeployStatus.Ready : now.Status is CodeDeployStatus.InProgress or CodeDeployStatus.Baking && now.InstanceTerminationWaitTimeStarted == true;
            if (stillWaiting)
            {
                await Client.ContinueDeploymentAsync(new ContinueDeploymentRequest { DeploymentId = deployment.DeploymentId, DeploymentWaitType = waitType }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>StopDeployment with rollback, then reads the deployment until the stop has taken: it names its rollback,
    /// or it ended (Succeeded first, or Stopped/Failed without a rollback). Returns that read.</summary>
    public async Task<DeploymentInfo> StopWithRollbackAsync(string deploymentId, CancellationToken cancellationToken)
    {
        try
        {
            await Client.StopDeploymentAsync(new StopDeploymentRequest { DeploymentId = deploymentId, AutoRollbackEnabled = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.OutcomeUnknown || ex.ErrorCode == CodeDeployErrorCode.DeploymentAlreadyCompletedException)
        {
            // Lost answer or a race with the end: what happened is read below.
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var stopped = await GetInfoAsync(deploymentId, cancellationToken).ConfigureAwait(false);
            if (stopped.RollbackInfo?.RollbackDeploymentId is not null || stopped.Status is CodeDeployStatus.Succeeded or CodeDeployStatus.Stopped or CodeDeployStatus.Failed)
            {
                return stopped;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }

        throw new ReleaseException("StopNotTaken", ReleaseErrorKind.OperationTimeout, $"Release {deploymentId} did not stop after StopDeployment.", deploymentId,
            $"Look with 'Get-BlueGreenDeployment -Id {deploymentId}' and try Undo-Deployment again.");
    }
}

/// <summary>What the module writes into an AppSpec as YAML comments, which CodeDeploy keeps with the revision and otherwise
/// ignores: the token naming one start request, so that a deployment whose answer was lost is found and adopted.</summary>
public static class AppSpecMarkers
{
    public const string TokenMarker = "# bluegreen-release-token: ";

    public static string? ReadToken(string? content) => ReadComment(content, TokenMarker);

    public static string? ReadComment(string? content, string marker)
    {
        if (content is null || marker is null)
        {
            return null;
        }

        foreach (var line in content.Split('\n'))
        {
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                var value = line.Substring(marker.Length).Trim();
                return value.Length == 0 ? null : value;
            }
        }

        return null;
    }
}
