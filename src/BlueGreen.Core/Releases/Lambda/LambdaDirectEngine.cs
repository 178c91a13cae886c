using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Aws.CloudWatch.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Lambda.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Releases.Lambda;

/// <summary>What planning a direct Lambda release keeps for the start.</summary>
public sealed class LambdaDirectPlan : EnginePlan
{
    /// <summary>The alias's revision when it was planned: the start's write is made only if nothing changed since.</summary>
    public string? AliasRevisionId { get; set; }

    public string AliasDescription { get; set; } = string.Empty;

    public string FunctionArn { get; set; } = string.Empty;

    /// <summary>The function's revision when new code is published: the upload is made only if nothing changed since.</summary>
    public string? FunctionRevisionId { get; set; }

    public LambdaReleaseRecord? Previous { get; set; }
}

/// <summary>What undoing a direct Lambda release keeps.</summary>
public sealed class LambdaUndoPlan : EnginePlan
{
    public LambdaUndoPlan(LambdaReleaseRecord record) => Record = record;

    public LambdaReleaseRecord Record { get; }
}

/// <summary>
/// Lambda aliases released by the module itself, without CodeDeploy: the alias's <c>RoutingConfig</c> weights move
/// along the policy's steps, each step one conditional <c>UpdateAlias</c> that writes the weights and the release's
/// record (<see cref="LambdaReleaseRecord"/>) on the alias's Description together, guarded by the alias's RevisionId,
/// so a change by anyone in between is reported, never overwritten. Whoever reads the release (Wait-BlueGreenDeployment,
/// Start -Wait, from any session) takes the step that is due by AWS's clock and rolls back at once when one of the
/// release's alarms is in ALARM. Nothing runs in AWS between looks: without a watcher the release holds where it is.
/// </summary>
public sealed class LambdaDirectEngine : IReleaseEngine, ITrafficWeights
{
    /// <summary>What a release's tags say beyond its record, by release id: alarms never change once started.</summary>
    private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> AlarmsOf = new(StringComparer.Ordinal);

    private readonly AwsContext _context;
    private readonly LambdaClient _lambda;
    private readonly CloudWatchClient _cloudWatch;

    public LambdaDirectEngine(AwsContext context)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _lambda = new LambdaClient(context);
        _cloudWatch = new CloudWatchClient(context);
    }

    public DeploymentEngine Kind => DeploymentEngine.LambdaDirect;

    public EngineCapabilities Capabilities => EngineCapabilities.CustomShifts | EngineCapabilities.ManualWeights;

    /// <summary>Makes release tokens (fixed in tests).</summary>
    internal Func<string> NewToken { get; set; } = LambdaReleaseRecord.NewToken;

    // ----- start -----------------------------------------------------------------------------------------

    public async Task<ReleasePlan> PlanAsync(ReleaseRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var target = request.Target as LambdaAliasTarget
            ?? throw new ReleaseException("WrongTargetKind", ReleaseErrorKind.InvalidArgument, $"The module releases Lambda aliases directly, not {request.Target.DisplayName}.", request.Target.Key);
        if (request.Hooks is { Count: > 0 })
        {
            throw new ReleaseException("HooksNotSupported", ReleaseErrorKind.InvalidArgument,
                $"A release the module drives itself runs no lifecycle hooks ({string.Join(", ", request.Hooks.Keys)}): hooks are CodeDeploy's.", request.Hooks,
                "Release through CodeDeploy (-Controller CodeDeploy, with a deployment group for the function) to run hooks, or gate the release with -Alarm and Invoke-SmokeTest.");
        }

        if ((request.Version is null) == (request.Code is null))
        {
            throw new ReleaseException("VersionOrCode", ReleaseErrorKind.InvalidArgument, "Give either the version to release or new code to publish as one, not both or neither.", target.Key,
                "Use -Version <n>, or -ZipFile / -ImageUri / -S3Bucket with -S3Key.");
        }

        if (request.Version is { } wanted && !IsVersionNumber(wanted))
        {
            throw new ReleaseException("InvalidVersion", ReleaseErrorKind.InvalidArgument,
                $"'{wanted}' is not a published version number: an alias release moves traffic between published versions (1, 2, ...), not $LATEST or another alias.", wanted,
                "Publish the code first (or give it with -ZipFile), then pass its version number.");
        }

        if (request.Code is { } code && LambdaPublisher.Validate(code) is { } codeProblem)
        {
            throw new ReleaseException("InvalidCode", ReleaseErrorKind.InvalidArgument, codeProblem, code.ToString(), "Use one of -ZipFile, -ImageUri, or -S3Bucket with -S3Key.");
        }

        var alarms = ReleaseAlarms.Normalize(request.Alarms);

        var policy = request.TrafficShift ?? LambdaShiftSchedule.DefaultPolicy;
        var alias = await ReadAliasAsync(target, cancellationToken).ConfigureAwait(false);
        var blue = alias.FunctionVersion ?? string.Empty;
        var direct = new LambdaDirectPlan { AliasRevisionId = alias.RevisionId, AliasDescription = alias.Description ?? string.Empty, FunctionArn = FunctionArnOf(alias.AliasArn, target) };
        var previous = CurrentRecord(alias);
        direct.Previous = previous;
        if (previous is { InFlight: true })
        {
            var id = ReleaseIds.ForLambda(target.FunctionName, target.Alias, previous.Token);
            throw new ReleaseException("ReleaseInFlight", ReleaseErrorKind.ResourceExists,
                $"A release of {target.DisplayName} is in flight: {id} ({previous.Weight.ToString("0.##", CultureInfo.InvariantCulture)}% on version {previous.Green}). Only one release of an alias runs at a time.", id,
                $"Follow it with 'Wait-BlueGreenDeployment -Id {id}', or undo it with 'Undo-Deployment -Id {id}'.");
        }

        var foreign = Weights(alias).Where(w => w.Value > 0).ToList();
        if (foreign.Count > 0)
        {
            throw new ReleaseException("ReleaseInFlight", ReleaseErrorKind.ResourceExists,
                $"The alias already routes {(foreign[0].Value * 100).ToString("0.##", CultureInfo.InvariantCulture)}% of {target.DisplayName} to version {foreign[0].Key}, and not for a release of this module (CodeDeploy's, or a change by hand).",
                target.Key, "Let that release end (or clear the alias's routing config), then start again.");
        }

        var plan = new ReleasePlan(request)
        {
            Engine = Kind,
            Blue = blue,
            Policy = policy,
            PolicyName = policy.ShortName,
            EnginePlan = direct,
            Alarms = alarms,
            AlarmsEnabled = alarms.Count > 0,
            AutoRollbackEnabled = alarms.Count > 0,
            Timeline = LambdaShiftSchedule.Timeline(policy),
            RollbackDescription = alarms.Count == 0
                ? "no alarms: Undo-Deployment puts all traffic back on blue at once"
                : "all traffic back on blue at once when an alarm is in ALARM, seen at the next look (Wait-BlueGreenDeployment, Start -Wait, Get-BlueGreenDeployment -FunctionName -Alias | Wait-BlueGreenDeployment)",
        };
        if (request.Version is { } version)
        {
            await CheckVersionAsync(target, version, cancellationToken).ConfigureAwait(false);
            if (version == blue)
            {
                throw new ReleaseException("AlreadyServing", ReleaseErrorKind.InvalidArgument, $"The alias already points at version {version} of '{target.FunctionName}': there is nothing to release.", version,
                    "Pass another version, or new code with -ZipFile.");
            }

            plan.Green = version;
        }
        else
        {
            var function = await new LambdaPublisher(_context).ReadAsync(target.FunctionName, cancellationToken).ConfigureAwait(false);
            LambdaPublisher.CheckFits(function, request.Code!);
            direct.FunctionRevisionId = function.RevisionId;
            plan.GreenSource = $"a new version of '{target.FunctionName}' from {request.Code}";
            plan.Changes.Add(new PlannedChange("UpdateFunctionCode", $"upload {request.Code} to '{target.FunctionName}' (only if the function is still at revision {function.RevisionId}), wait until it is Successful"));
            plan.Changes.Add(new PlannedChange("PublishVersion", "publish it as a new version (guarded by its RevisionId and CodeSha256)"));
        }

        if (alarms.Count > 0)
        {
            var states = await DescribeAlarmsAsync(alarms, cancellationToken).ConfigureAwait(false);
            ReleaseAlarms.RequireFound(alarms, states.Keys, _context.Region);
        }

        plan.Headline = $"Start a release of {target.DisplayName}, driven by the module (no CodeDeploy): its weights move step by step, each step one conditional UpdateAlias.";
        plan.Details.Add(new KeyValuePair<string, string>("Alias", $"{target.Alias} ({direct.FunctionArn}:{target.Alias})"));
        plan.Details.Add(new KeyValuePair<string, string>("Driven", "by whoever watches (Wait-BlueGreenDeployment, Start -Wait), from any session; it holds where it is while nobody does"));
        plan.Changes.Add(new PlannedChange("TagResource", $"keep the release's alarms{(previous is not null ? " and the previous release" : string.Empty)} in the function's tags"));
        plan.Changes.Add(new PlannedChange("UpdateAlias", policy.Kind == TrafficShiftKind.AllAtOnce
            ? $"point '{target.Alias}' at green alone, with the release record in its description (only if the alias is still at revision {alias.RevisionId})"
            : $"route {policy.Steps()[0].GreenPercent}% of '{target.Alias}' to green, with the release record in its description (only if the alias is still at revision {alias.RevisionId})"));
        return plan;
    }

    public async Task<BlueGreenDeployment> StartAsync(ReleasePlan plan, CancellationToken cancellationToken)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        var target = (LambdaAliasTarget)plan.Target;
        var direct = (LambdaDirectPlan)plan.EnginePlan!;
        var token = NewToken();
        if (plan.Green is null)
        {
            var published = await new LambdaPublisher(_context).PublishAsync(target.FunctionName, plan.Request.Code!, direct.FunctionRevisionId, $"bluegreen {token}", plan.Request.Description, cancellationToken)
                .ConfigureAwait(false);
            plan.Green = published.Version;
            if (plan.Green == plan.Blue)
            {
                throw new ReleaseException("AlreadyServing", ReleaseErrorKind.InvalidArgument,
                    $"The code given is version {plan.Green} of '{target.FunctionName}', which the alias already points at: there is nothing to release.", plan.Green, "Give other code.");
            }
        }

        // The tags go first: an alias record never names a release whose alarms cannot be found.
        var tagsRead = await _lambda.ListTagsAsync(new ListTagsRequest { Resource = direct.FunctionArn }, cancellationToken).ConfigureAwait(false);
        var now = tagsRead.ServerTime ?? DateTimeOffset.UtcNow;
        var tags = tagsRead.Tags ?? new Dictionary<string, string>();
        var write = new Dictionary<string, string>(StringComparer.Ordinal);
        if (plan.Alarms.Count > 0)
        {
            Add(LambdaReleaseTags.Field(target.Alias, LambdaReleaseTags.Alarms, token, plan.Alarms));
        }

        if (!string.IsNullOrEmpty(plan.Request.Description))
        {
            Add(LambdaReleaseTags.Field(target.Alias, LambdaReleaseTags.About, token, new[] { plan.Request.Description! }));
        }

        if (direct.Previous is { } previous)
        {
            Add(LambdaReleaseTags.Split(LambdaReleaseTags.Key(target.Alias, LambdaReleaseTags.History),
                LambdaReleaseTags.PushHistory(LambdaReleaseTags.Join(tags, LambdaReleaseTags.Key(target.Alias, LambdaReleaseTags.History)), previous)));
        }
        else if (direct.AliasDescription.Length > 0 && !tags.ContainsKey(LambdaReleaseTags.Key(target.Alias, LambdaReleaseTags.Description)))
        {
            Add(LambdaReleaseTags.Split(LambdaReleaseTags.Key(target.Alias, LambdaReleaseTags.Description), LambdaReleaseTags.Escape(direct.AliasDescription)));
        }

        await TagAsync(direct.FunctionArn, tags, write, cancellationToken).ConfigureAwait(false);

        var steps = plan.Policy.Steps();
        var record = new LambdaReleaseRecord(token, LambdaReleaseState.Shifting, plan.Blue, plan.Green!, plan.Policy, -1, 0, now, now, now);
        record = LambdaShiftSchedule.IsLast(plan.Policy, 0)
            ? record.With(LambdaReleaseState.Succeeded, 0, 100, now)
            : record.With(LambdaReleaseState.Shifting, 0, steps[0].GreenPercent, now);
        var id = ReleaseIds.ForLambda(target.FunctionName, target.Alias, token);
        AlarmsOf[id] = plan.Alarms.ToList();
        record = await WriteAsync(target, direct.AliasRevisionId, null, record, cancellationToken).ConfigureAwait(false);
        var deployment = ToDeployment(target, record, plan.Alarms, plan.Request.Description, null);
        return deployment;

        void Add(IReadOnlyDictionary<string, string> more)
        {
            foreach (var pair in more)
            {
                write[pair.Key] = pair.Value;
            }
        }
    }

    // ----- read and drive ----------------------------------------------------------------------------------

    public async Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var (target, token) = ParseId(deploymentId);
        var alias = await ReadAliasAsync(target, cancellationToken, deploymentId).ConfigureAwait(false);
        var tags = await ReadTagsAsync(alias, target, cancellationToken).ConfigureAwait(false);
        var record = CurrentRecord(alias);
        if (record is not null && record.Token == token)
        {
            var alarms = LambdaReleaseTags.Read(tags, target.Alias, LambdaReleaseTags.Alarms, token) ?? Array.Empty<string>();
            AlarmsOf[deploymentId] = alarms;
            return ToDeployment(target, record, alarms, About(tags, target, token), Note(tags, target, token));
        }

        var earlier = LambdaReleaseTags.ReadHistory(LambdaReleaseTags.Join(tags, LambdaReleaseTags.Key(target.Alias, LambdaReleaseTags.History))).FirstOrDefault(h => h.Token == token);
        return earlier is not null
            ? FromHistory(target, earlier, record, tags)
            : throw new DeploymentNotFoundException(deploymentId, _context.Region);
    }

    public async Task<BlueGreenDeployment> RefreshAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        var (target, token) = ParseId(deployment.DeploymentId);
        if (!AlarmsOf.TryGetValue(deployment.DeploymentId, out var alarms) || deployment.FunctionName is null)
        {
            // A first look (by id, from another session): the tags are read once, then kept.
            return await DriveAsync(await GetAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        var alias = await ReadAliasAsync(target, cancellationToken, deployment.DeploymentId).ConfigureAwait(false);
        var record = CurrentRecord(alias);
        if (record is null || record.Token != token)
        {
            // Replaced by a later release: what is known of this one is in the history.
            return await GetAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        }

        if (record.InFlight)
        {
            return await DriveAsync(target, record, alias, alarms, deployment.Description, cancellationToken).ConfigureAwait(false);
        }

        return ToDeployment(target, record, alarms, deployment.Description, deployment.ErrorMessage);
    }

    private async Task<BlueGreenDeployment> DriveAsync(BlueGreenDeployment read, CancellationToken cancellationToken)
    {
        if (read.IsComplete || read.EngineStatus is null || !AlarmsOf.TryGetValue(read.DeploymentId, out var alarms))
        {
            return read;
        }

        var (target, token) = ParseId(read.DeploymentId);
        var alias = await ReadAliasAsync(target, cancellationToken, read.DeploymentId).ConfigureAwait(false);
        var record = CurrentRecord(alias);
        return record is { InFlight: true } && record.Token == token
            ? await DriveAsync(target, record, alias, alarms, read.Description, cancellationToken).ConfigureAwait(false)
            : await GetAsync(read.DeploymentId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One look of a release in flight: an alarm in ALARM rolls it back now; otherwise the step due by AWS's clock
    /// is taken. The alias must still be as the record left it: anything else is someone else's change, reported.</summary>
    private async Task<BlueGreenDeployment> DriveAsync(LambdaAliasTarget target, LambdaReleaseRecord record, GetAliasResponse alias, IReadOnlyList<string> alarms, string? about,
        CancellationToken cancellationToken)
    {
        RequireAsRecorded(target, record, alias);
        var now = alias.ServerTime ?? DateTimeOffset.UtcNow;
        if (alarms.Count > 0)
        {
            var states = await DescribeAlarmsAsync(alarms, cancellationToken).ConfigureAwait(false);
            var firing = alarms.FirstOrDefault(a => states.TryGetValue(a, out var s) && s.StateValue == "ALARM");
            if (firing is not null)
            {
                var reason = $"Alarm '{firing}' is in ALARM: {states[firing].StateReason}".TrimEnd(' ', ':');
                var rolledBack = await WriteAsync(target, alias.RevisionId, record, record.With(LambdaReleaseState.RolledBack, record.Step, 0, now, why: "alarm"), cancellationToken).ConfigureAwait(false);
                if (rolledBack.State == LambdaReleaseState.RolledBack && rolledBack.Token == record.Token)
                {
                    await NoteAsync(alias, target, record.Token, reason, cancellationToken).ConfigureAwait(false);
                }

                return ToDeployment(target, rolledBack, alarms, about, reason);
            }
        }

        var due = LambdaShiftSchedule.DueStep(record, now);
        if (due is not { } step)
        {
            return ToDeployment(target, record, alarms, about, null);
        }

        var next = LambdaShiftSchedule.IsLast(record.Policy, step)
            ? record.With(LambdaReleaseState.Succeeded, step, 100, now)
            : record.With(LambdaReleaseState.Shifting, step, LambdaShiftSchedule.WeightAt(record.Policy, step), now);
        var written = await WriteAsync(target, alias.RevisionId, record, next, cancellationToken).ConfigureAwait(false);
        return ToDeployment(target, written, alarms, about, null);
    }

    public async Task<IReadOnlyList<BlueGreenDeployment>> GetForTargetAsync(ReleaseTarget target, bool all, CodeDeployGroupName? group, CancellationToken cancellationToken)
    {
        var lambda = target as LambdaAliasTarget
            ?? throw new ReleaseException("WrongTargetKind", ReleaseErrorKind.InvalidArgument, $"The module releases Lambda aliases directly, not {target?.DisplayName}.", target?.Key);
        var alias = await ReadAliasAsync(lambda, cancellationToken).ConfigureAwait(false);
        var tags = await ReadTagsAsync(alias, lambda, cancellationToken).ConfigureAwait(false);
        var record = CurrentRecord(alias);
        var releases = new List<BlueGreenDeployment>();
        if (record is not null)
        {
            var id = ReleaseIds.ForLambda(lambda.FunctionName, lambda.Alias, record.Token);
            var alarms = LambdaReleaseTags.Read(tags, lambda.Alias, LambdaReleaseTags.Alarms, record.Token) ?? Array.Empty<string>();
            AlarmsOf[id] = alarms;
            releases.Add(ToDeployment(lambda, record, alarms, About(tags, lambda, record.Token), Note(tags, lambda, record.Token)));
        }

        if (all)
        {
            releases.AddRange(LambdaReleaseTags.ReadHistory(LambdaReleaseTags.Join(tags, LambdaReleaseTags.Key(lambda.Alias, LambdaReleaseTags.History)))
                .Where(h => h.Token != record?.Token)
                .Select(h => FromHistory(lambda, h, record, tags)));
        }

        if (releases.Count == 0)
        {
            throw new DeploymentNotFoundException(
                $"No release of {lambda.DisplayName} by the module exists in {_context.Region}: its description holds no release record. Start one with Start-BlueGreenDeployment -FunctionName {lambda.FunctionName} -Alias {lambda.Alias} -Controller Module.");
        }

        return releases;
    }

    // ----- gates and manual weights --------------------------------------------------------------------

    /// <summary>Takes the next step now (from a hold: the first step above the weight set by hand); the schedule counts on from here.</summary>
    public async Task ContinueAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        var (target, record, alias) = await InFlightAsync(deployment, "continue", cancellationToken).ConfigureAwait(false);
        var now = alias.ServerTime ?? DateTimeOffset.UtcNow;
        var step = Math.Max(LambdaShiftSchedule.NextAbove(record.Policy, record.Weight), record.State == LambdaReleaseState.Shifting ? record.Step + 1 : 0);
        step = Math.Min(step, record.Policy.Steps().Length - 1);
        var next = LambdaShiftSchedule.IsLast(record.Policy, step)
            ? record.With(LambdaReleaseState.Succeeded, step, 100, now)
            : record.With(LambdaReleaseState.Shifting, step, LambdaShiftSchedule.WeightAt(record.Policy, step), now, LambdaShiftSchedule.OriginFor(record.Policy, step, now));
        await WriteAsync(target, alias.RevisionId, record, next, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Shifts all traffic to green now: the alias points at green alone and the release has succeeded.</summary>
    public async Task CompleteAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        var (target, record, alias) = await InFlightAsync(deployment, "complete", cancellationToken).ConfigureAwait(false);
        var now = alias.ServerTime ?? DateTimeOffset.UtcNow;
        await WriteAsync(target, alias.RevisionId, record, record.With(LambdaReleaseState.Succeeded, record.Policy.Steps().Length - 1, 100, now), cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> PlanWeightAsync(BlueGreenDeployment deployment, double percent, CancellationToken cancellationToken)
    {
        CheckPercent(percent, deployment?.DeploymentId);
        var (target, record, _) = await InFlightAsync(deployment!, "set the weight of", cancellationToken).ConfigureAwait(false);
        return $"Set green's share of {target.DisplayName} (version {record.Green}) from {record.Weight.ToString("0.##", CultureInfo.InvariantCulture)}% to {percent.ToString("0.##", CultureInfo.InvariantCulture)}% " +
            "and hold it there: the release does not move on by itself until Set-TrafficShift -Continue (next step) or -Complete (all traffic); an alarm still rolls it back";
    }

    public async Task<BlueGreenDeployment> SetWeightAsync(BlueGreenDeployment deployment, double percent, CancellationToken cancellationToken)
    {
        CheckPercent(percent, deployment?.DeploymentId);
        var (target, record, alias) = await InFlightAsync(deployment!, "set the weight of", cancellationToken).ConfigureAwait(false);
        var now = alias.ServerTime ?? DateTimeOffset.UtcNow;
        var steps = record.Policy.Steps();
        var step = -1;
        for (var i = 0; i < steps.Length - 1; i++)
        {
            if (steps[i].GreenPercent <= percent)
            {
                step = i;
            }
        }

        var written = await WriteAsync(target, alias.RevisionId, record, record.With(LambdaReleaseState.Held, step, Math.Round(percent, 2), now), cancellationToken).ConfigureAwait(false);
        var alarms = AlarmsOf.TryGetValue(deployment!.DeploymentId, out var known) ? known : Array.Empty<string>();
        return ToDeployment(target, written, alarms, deployment.Description, null);
    }

    private static void CheckPercent(double percent, string? id)
    {
        if (double.IsNaN(percent) || percent < 0 || percent > 100)
        {
            throw new ReleaseException("InvalidPercent", ReleaseErrorKind.InvalidArgument, $"Green's share must be between 0 and 100, not {percent.ToString(CultureInfo.InvariantCulture)}.", id, "Example: Set-TrafficShift -Percent 25.");
        }
    }

    /// <summary>The release as it is now, which must be the alias's current release and in flight, with the alias as its record left it.</summary>
    private async Task<(LambdaAliasTarget Target, LambdaReleaseRecord Record, GetAliasResponse Alias)> InFlightAsync(BlueGreenDeployment deployment, string what, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        var (target, token) = ParseId(deployment.DeploymentId);
        var alias = await ReadAliasAsync(target, cancellationToken, deployment.DeploymentId).ConfigureAwait(false);
        var record = CurrentRecord(alias);
        if (record is null || record.Token != token)
        {
            throw new ReleaseException("DeploymentAlreadyCompleted", ReleaseErrorKind.InvalidOperation,
                $"Release {deployment.DeploymentId} is over: a later release of {target.DisplayName} replaced it, so there is nothing to {what}.", deployment.DeploymentId,
                $"See the latest with 'Get-BlueGreenDeployment -FunctionName {target.FunctionName} -Alias {target.Alias}'.");
        }

        if (!record.InFlight)
        {
            throw new ReleaseException("DeploymentAlreadyCompleted", ReleaseErrorKind.InvalidOperation,
                $"Release {deployment.DeploymentId} has ended ({record.State}): there is nothing to {what}.", deployment.DeploymentId,
                $"See it with 'Get-BlueGreenDeployment -Id {deployment.DeploymentId}'.");
        }

        RequireAsRecorded(target, record, alias);
        return (target, record, alias);
    }

    // ----- undo ------------------------------------------------------------------------------------------

    public async Task<UndoPlan> PlanUndoAsync(BlueGreenDeployment deployment, TrafficShiftPolicy? policy, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        var current = await GetAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        var (target, token) = ParseId(deployment.DeploymentId);
        var alias = await ReadAliasAsync(target, cancellationToken, deployment.DeploymentId).ConfigureAwait(false);
        var record = CurrentRecord(alias);
        if (record is null || record.Token != token)
        {
            if (current.Status is DeploymentStatus.Failed or DeploymentStatus.Stopped)
            {
                return new UndoPlan(current, UndoKind.AlreadyRolledBack, $"Nothing to undo: release {current.DeploymentId} already ended {current.EngineStatus}, with the alias back on version {current.BlueVersion}.");
            }

            throw new ReleaseException("NotLatestRelease", ReleaseErrorKind.InvalidOperation,
                $"Release {current.DeploymentId} is not the latest of {target.DisplayName}: a later release replaced it, and undoing this one would undo that one too.", current.DeploymentId,
                $"Undo the latest instead: 'Get-BlueGreenDeployment -FunctionName {target.FunctionName} -Alias {target.Alias} | Undo-Deployment'.");
        }

        switch (record.State)
        {
            case LambdaReleaseState.Shifting or LambdaReleaseState.Held:
                return new UndoPlan(current, UndoKind.StopAndRollBack,
                    $"Stop release {current.DeploymentId} of {target.DisplayName} ({record.Weight.ToString("0.##", CultureInfo.InvariantCulture)}% on version {record.Green}) and put all traffic back on version {record.Blue} at once " +
                    $"(one UpdateAlias: FunctionVersion {record.Blue}, weights cleared, only if the alias is still as the release left it).")
                { EnginePlan = new LambdaUndoPlan(record) };
            case LambdaReleaseState.Succeeded:
                return new UndoPlan(current, UndoKind.RestorePrevious,
                    $"Point {target.DisplayName} back at version {record.Blue} (from {record.Green}) at once: one UpdateAlias, only if the alias still points at {record.Green} alone.")
                { EnginePlan = new LambdaUndoPlan(record) };
            default:
                return new UndoPlan(current, UndoKind.AlreadyRolledBack,
                    $"Nothing to undo: release {current.DeploymentId} already ended {record.State}, with the alias back on version {record.Blue}.");
        }
    }

    public async Task<BlueGreenDeployment> UndoAsync(UndoPlan plan, CancellationToken cancellationToken)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        if (plan.Kind == UndoKind.AlreadyRolledBack)
        {
            return plan.Deployment;
        }

        var (target, token) = ParseId(plan.Deployment.DeploymentId);
        var alias = await ReadAliasAsync(target, cancellationToken, plan.Deployment.DeploymentId).ConfigureAwait(false);
        var record = CurrentRecord(alias);
        if (record is null || record.Token != token)
        {
            throw new ReleaseException("NotLatestRelease", ReleaseErrorKind.InvalidOperation,
                $"Release {plan.Deployment.DeploymentId} was replaced by a later release of {target.DisplayName} since the undo was planned: nothing was changed.", plan.Deployment.DeploymentId,
                $"Look with 'Get-BlueGreenDeployment -FunctionName {target.FunctionName} -Alias {target.Alias}' and undo that one if it is what you mean.");
        }

        var alarms = AlarmsOf.TryGetValue(plan.Deployment.DeploymentId, out var known) ? known : Array.Empty<string>();
        if (!record.InFlight && record.State != LambdaReleaseState.Succeeded)
        {
            // It ended meanwhile (an alarm rolled it back): blue serves already.
            return ToDeployment(target, record, alarms, plan.Deployment.Description, plan.Deployment.ErrorMessage);
        }

        RequireAsRecorded(target, record, alias);
        var now = alias.ServerTime ?? DateTimeOffset.UtcNow;
        var state = record.InFlight ? LambdaReleaseState.Undone : LambdaReleaseState.Reverted;
        var undone = await WriteAsync(target, alias.RevisionId, record, record.With(state, record.Step, 0, now, why: "undo"), cancellationToken).ConfigureAwait(false);
        return ToDeployment(target, undone, alarms, plan.Deployment.Description, null);
    }

    // ----- the alias ---------------------------------------------------------------------------------------

    /// <summary>Writes <paramref name="next"/> with the weights it says, only if the alias is still at <paramref name="revisionId"/>.
    /// When the alias moved on: if another watcher took this release further (its record, as recorded), that is returned;
    /// anything else is reported as <c>AliasChangedConcurrently</c>. A lost answer is settled by reading the alias again.</summary>
    private async Task<LambdaReleaseRecord> WriteAsync(LambdaAliasTarget target, string? revisionId, LambdaReleaseRecord? current, LambdaReleaseRecord next, CancellationToken cancellationToken)
    {
        var text = next.ToString();
        if (text.Length > LambdaReleaseRecord.MaxLength)
        {
            throw new ReleaseException("RecordTooLong", ReleaseErrorKind.InvalidArgument,
                $"The release record of {target.DisplayName} would be {text.Length} characters, more than an alias description holds ({LambdaReleaseRecord.MaxLength}).", target.Key,
                "Use shorter version numbers; nothing was changed.");
        }

        var request = new UpdateAliasRequest
        {
            FunctionName = target.FunctionName,
            Name = target.Alias,
            RevisionId = revisionId,
            Description = text,
        };
        if (next.InFlight)
        {
            request.FunctionVersion = next.Blue;
            request.RoutingConfig = new AliasRoutingConfiguration
            {
                AdditionalVersionWeights = next.Weight > 0 ? new Dictionary<string, double> { [next.Green] = Math.Round(next.Weight / 100, 4) } : new Dictionary<string, double>(),
            };
        }
        else
        {
            request.FunctionVersion = next.State == LambdaReleaseState.Succeeded ? next.Green : next.Blue;
            request.RoutingConfig = new AliasRoutingConfiguration { AdditionalVersionWeights = new Dictionary<string, double>() };
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _lambda.UpdateAliasAsync(request, cancellationToken).ConfigureAwait(false);
                return next;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.PreconditionFailedException || ex.OutcomeUnknown)
            {
                var now = await ReadAliasAsync(target, cancellationToken).ConfigureAwait(false);
                if (now.Description == text)
                {
                    // Ours went through (its answer was lost), or another watcher wrote the very same step.
                    return next;
                }

                var theirs = CurrentRecord(now);
                if (current is not null && theirs is not null && theirs.Token == current.Token && !theirs.Equals(current) && AsRecorded(theirs, now))
                {
                    // Another watcher of this release took it on meanwhile: its step stands.
                    return theirs;
                }

                if (ex.OutcomeUnknown && now.RevisionId == revisionId && attempt < Math.Max(1, _context.RetryPolicy.MaxAttempts))
                {
                    await Task.Delay(_context.RetryPolicy.DelayBefore(attempt, throttled: false), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw ChangedConcurrently(target, current, now, ex);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode is LambdaErrorCode.InvalidParameterValueException or "ValidationException" or LambdaErrorCode.ResourceNotFoundException)
            {
                throw new ReleaseException("AliasUpdateRefused", ReleaseErrorKind.InvalidOperation, $"Lambda refused to change {target.DisplayName}: {ex.Message}", target.Key,
                    $"See what the alias holds with 'aws lambda get-alias --function-name {target.FunctionName} --name {target.Alias}'.", ex);
            }
        }
    }

    /// <summary>The alias must be as the record left it; otherwise someone else changed it, and the release does not overwrite that.</summary>
    private static void RequireAsRecorded(LambdaAliasTarget target, LambdaReleaseRecord record, GetAliasResponse alias)
    {
        if (!AsRecorded(record, alias))
        {
            throw ChangedConcurrently(target, record, alias, null);
        }
    }

    private static bool AsRecorded(LambdaReleaseRecord record, GetAliasResponse alias)
    {
        var weights = Weights(alias).Where(w => w.Value > 0).ToList();
        if (record.InFlight)
        {
            var expected = record.Weight / 100;
            return alias.FunctionVersion == record.Blue
                && (expected <= 0 ? weights.Count == 0 : weights.Count == 1 && weights[0].Key == record.Green && Math.Abs(weights[0].Value - expected) < 0.0005);
        }

        return weights.Count == 0 && alias.FunctionVersion == (record.State == LambdaReleaseState.Succeeded ? record.Green : record.Blue);
    }

    private static ReleaseException ChangedConcurrently(LambdaAliasTarget target, LambdaReleaseRecord? record, GetAliasResponse alias, Exception? inner)
    {
        var weights = Weights(alias).Where(w => w.Value > 0).Select(w => $"{(w.Value * 100).ToString("0.##", CultureInfo.InvariantCulture)}% on version {w.Key}").ToList();
        var now = $"version {alias.FunctionVersion}{(weights.Count > 0 ? " with " + string.Join(", ", weights) : " alone")}";
        var id = record is null ? target.Key : ReleaseIds.ForLambda(target.FunctionName, target.Alias, record.Token);
        return new ReleaseException("AliasChangedConcurrently", ReleaseErrorKind.InvalidOperation,
            $"{char.ToUpperInvariant(target.DisplayName[0])}{target.DisplayName.Substring(1)} was changed by someone else: it now routes to {now}" +
            (record is null ? "." : $", not as release {record.Token} left it ({record.Weight.ToString("0.##", CultureInfo.InvariantCulture)}% on version {record.Green}).") +
            " The release did not overwrite that change.", id,
            $"Look at the alias ('aws lambda get-alias --function-name {target.FunctionName} --name {target.Alias}'), put it back as you want it, and undo or start the release again.", inner);
    }

    private async Task<GetAliasResponse> ReadAliasAsync(LambdaAliasTarget target, CancellationToken cancellationToken, string? deploymentId = null)
    {
        try
        {
            return await _lambda.GetAliasAsync(new GetAliasRequest { FunctionName = target.FunctionName, Name = target.Alias }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.ResourceNotFoundException)
        {
            if (deploymentId is not null)
            {
                throw new DeploymentNotFoundException(deploymentId, _context.Region, ex);
            }

            var function = (ex.Message ?? string.Empty).IndexOf("Function not found", StringComparison.OrdinalIgnoreCase) >= 0;
            throw new ReleaseException(function ? "FunctionNotFound" : "AliasNotFound", ReleaseErrorKind.ObjectNotFound,
                function ? $"No Lambda function '{target.FunctionName}' exists in {_context.Region}." : $"The function '{target.FunctionName}' has no alias '{target.Alias}' in {_context.Region}.",
                target.Key, function ? "Check -FunctionName, and that -Region (and -EndpointUrl) point where the function is."
                    : $"Create the alias first ('aws lambda create-alias --function-name {target.FunctionName} --name {target.Alias} --function-version <n>'), or check -Alias.", ex);
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> ReadTagsAsync(GetAliasResponse alias, LambdaAliasTarget target, CancellationToken cancellationToken) =>
        (await _lambda.ListTagsAsync(new ListTagsRequest { Resource = FunctionArnOf(alias.AliasArn, target) }, cancellationToken).ConfigureAwait(false)).Tags
        ?? new Dictionary<string, string>();

    private async Task TagAsync(string functionArn, IReadOnlyDictionary<string, string> existing, Dictionary<string, string> write, CancellationToken cancellationToken)
    {
        if (write.Count == 0)
        {
            return;
        }

        // Parts a field no longer needs would be read as the end of its new value: they go.
        var surplus = write.Keys.Where(k => !k.Contains('.')).SelectMany(k => LambdaReleaseTags.KeysOf(existing, k)).Where(k => !write.ContainsKey(k)).ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (surplus.Count > 0)
                {
                    await _lambda.UntagResourceAsync(new UntagResourceRequest { Resource = functionArn, TagKeys = surplus }, cancellationToken).ConfigureAwait(false);
                }

                await _lambda.TagResourceAsync(new TagResourceRequest { Resource = functionArn, Tags = write }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (AwsServiceException ex) when (ex.OutcomeUnknown && attempt < Math.Max(1, _context.RetryPolicy.MaxAttempts))
            {
                // Setting the same tags again changes nothing: safe to repeat.
                await Task.Delay(_context.RetryPolicy.DelayBefore(attempt, throttled: false), cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode is LambdaErrorCode.InvalidParameterValueException or "ValidationException")
            {
                throw new ReleaseException("TagsRefused", ReleaseErrorKind.InvalidOperation,
                    $"Lambda refused the release's tags on '{functionArn}': {ex.Message}. Nothing else was changed.", functionArn,
                    "A function holds at most 50 tags: remove some it no longer needs, then start again.", ex);
            }
        }
    }

    /// <summary>Says why the release ended in its tags; the alias already says that it did, so a failure here only loses the detail.</summary>
    private async Task NoteAsync(GetAliasResponse alias, LambdaAliasTarget target, string token, string note, CancellationToken cancellationToken)
    {
        try
        {
            var arn = FunctionArnOf(alias.AliasArn, target);
            var field = LambdaReleaseTags.Field(target.Alias, LambdaReleaseTags.Note, token, new[] { note.Length > 600 ? note.Substring(0, 600) : note });
            await _lambda.TagResourceAsync(new TagResourceRequest { Resource = arn, Tags = field.ToDictionary(p => p.Key, p => p.Value) }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex)
        {
            _context.Trace?.Write($"The note of release {token} could not be tagged: {ex.ErrorCode}");
        }
    }

    private Task<Dictionary<string, MetricAlarm>> DescribeAlarmsAsync(IReadOnlyList<string> alarms, CancellationToken cancellationToken) =>
        ReleaseAlarms.DescribeAsync(_cloudWatch, alarms, cancellationToken);

    private async Task CheckVersionAsync(LambdaAliasTarget target, string version, CancellationToken cancellationToken)
    {
        try
        {
            await _lambda.GetFunctionConfigurationAsync(new GetFunctionConfigurationRequest { FunctionName = target.FunctionName, Qualifier = version }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.ResourceNotFoundException)
        {
            throw new ReleaseException("VersionNotFound", ReleaseErrorKind.ObjectNotFound, $"The function '{target.FunctionName}' has no version {version}.", version,
                $"List its versions with 'aws lambda list-versions-by-function --function-name {target.FunctionName}', or give new code with -ZipFile.", ex);
        }
    }

    // ----- the deployment object -----------------------------------------------------------------------------

    private BlueGreenDeployment ToDeployment(LambdaAliasTarget target, LambdaReleaseRecord record, IReadOnlyList<string> alarms, string? about, string? note)
    {
        var id = ReleaseIds.ForLambda(target.FunctionName, target.Alias, record.Token);
        var start = record.Start.UtcDateTime;
        var at = record.At.UtcDateTime;
        var ended = !record.InFlight;
        var shifted = record.State is LambdaReleaseState.Succeeded or LambdaReleaseState.Reverted;
        var events = new List<DeploymentLifecycleEvent>
        {
            new("BeforeAllowTraffic", "Skipped", start, start, null),
            new("AllowTraffic", shifted ? "Succeeded" : ended ? "Failed" : "InProgress", start, ended ? at : null,
                record.State switch
                {
                    LambdaReleaseState.RolledBack => note ?? "An alarm fired: all traffic is back on blue.",
                    LambdaReleaseState.Undone => "Stopped by Undo-Deployment: all traffic is back on blue.",
                    LambdaReleaseState.Held => $"Held at {record.Weight.ToString("0.##", CultureInfo.InvariantCulture)}% by Set-TrafficShift -Percent until -Continue or -Complete.",
                    _ => null,
                }),
            new("AfterAllowTraffic", shifted ? "Skipped" : ended ? "Skipped" : "Pending", shifted ? at : null, shifted ? at : null, null),
        };
        AlarmsOf[id] = alarms;
        return new BlueGreenDeployment(id)
        {
            Engine = DeploymentEngine.LambdaDirect,
            Status = record.State switch
            {
                LambdaReleaseState.Succeeded => DeploymentStatus.Succeeded,
                LambdaReleaseState.RolledBack => DeploymentStatus.Failed,
                LambdaReleaseState.Undone or LambdaReleaseState.Reverted => DeploymentStatus.Stopped,
                _ => DeploymentStatus.InProgress,
            },
            EngineStatus = record.State.ToString(),
            FunctionName = target.FunctionName,
            Alias = target.Alias,
            Target = target,
            TargetId = target.Key,
            BlueVersion = record.Blue,
            GreenVersion = record.Green,
            TrafficShift = record.Policy.ShortName,
            GreenTrafficPercent = record.InFlight ? record.Weight : record.State == LambdaReleaseState.Succeeded ? 100 : 0,
            BlueExists = record.State != LambdaReleaseState.Succeeded,
            CreateTime = start,
            StartTime = start,
            CompleteTime = ended ? at : null,
            Creator = "user",
            Description = about,
            ErrorCode = record.State == LambdaReleaseState.RolledBack ? "ALARM_ACTIVE" : null,
            ErrorMessage = record.State == LambdaReleaseState.RolledBack ? note ?? "An alarm of the release was in ALARM." : null,
            RollbackMessage = record.State switch
            {
                LambdaReleaseState.RolledBack => $"Rolled back by the module: the alias points at version {record.Blue} alone again.",
                LambdaReleaseState.Undone => $"Undone in flight: the alias points at version {record.Blue} alone again.",
                LambdaReleaseState.Reverted => $"Undone after it succeeded: the alias points at version {record.Blue} again.",
                _ => null,
            },
            WaitsAtReady = false,
            Phase = record.InFlight ? "AllowTraffic" : shifted ? "AfterAllowTraffic" : "AllowTraffic",
            LifecycleEvents = events,
            Region = _context.Region,
            EndpointUrl = _context.EndpointUrl,
            ProfileName = _context.ProfileName,
        };
    }

    private BlueGreenDeployment FromHistory(LambdaAliasTarget target, LambdaHistoryEntry entry, LambdaReleaseRecord? later, IReadOnlyDictionary<string, string> tags)
    {
        // A release still in flight when a later one replaced it could only be one whose alias was taken over by hand.
        var state = entry.State is LambdaReleaseState.Shifting or LambdaReleaseState.Held ? LambdaReleaseState.Undone : entry.State;
        var record = new LambdaReleaseRecord(entry.Token, state, entry.Blue, entry.Green, LambdaShiftSchedule.DefaultPolicy, 0, state == LambdaReleaseState.Succeeded ? 100 : 0,
            entry.Start, entry.Start, entry.End);
        var deployment = ToDeployment(target, record, LambdaReleaseTags.Read(tags, target.Alias, LambdaReleaseTags.Alarms, entry.Token) ?? Array.Empty<string>(), null, Note(tags, target, entry.Token));
        deployment.TrafficShift = null;
        deployment.BlueExists = true;
        deployment.GreenTrafficPercent = later is not null && later.Blue == entry.Green && state == LambdaReleaseState.Succeeded ? 100 : 0;
        return deployment;
    }

    private static string? About(IReadOnlyDictionary<string, string> tags, LambdaAliasTarget target, string token) =>
        LambdaReleaseTags.Read(tags, target.Alias, LambdaReleaseTags.About, token)is { Count: > 0 } about ? about[0] : null;

    private static string? Note(IReadOnlyDictionary<string, string> tags, LambdaAliasTarget target, string token) =>
        LambdaReleaseTags.Read(tags, target.Alias, LambdaReleaseTags.Note, token) is { Count: > 0 } note ? note[0] : null;

    private static LambdaReleaseRecord? CurrentRecord(GetAliasResponse alias)
    {
        if (LambdaReleaseRecord.TryParse(alias.Description, out var record, out var problem))
        {
            return record;
        }

        return problem is null ? null : throw new ReleaseException("UnreadableReleaseRecord", ReleaseErrorKind.InvalidOperation, problem, alias.AliasArn,
            "Use the BlueGreen version that started the release, or clear the alias's description to start afresh.");
    }

    private static Dictionary<string, double> Weights(GetAliasResponse alias) =>
        alias.RoutingConfig?.AdditionalVersionWeights ?? new Dictionary<string, double>();

    private (LambdaAliasTarget Target, string Token) ParseId(string deploymentId)
    {
        if (!ReleaseIds.TryParseLambda(deploymentId, out var function, out var alias, out var token))
        {
            throw new DeploymentNotFoundException(deploymentId, _context.Region);
        }

        return (new LambdaAliasTarget(function, alias), token);
    }

    private static bool IsVersionNumber(string version) => version.Length is > 0 and <= 10 && version.All(c => c is >= '0' and <= '9');

    /// <summary>The unqualified function ARN (what tags take) from the alias's ARN.</summary>
    private static string FunctionArnOf(string? aliasArn, LambdaAliasTarget target)
    {
        if (aliasArn is not null)
        {
            var cut = aliasArn.LastIndexOf(':');
            if (cut > 0 && aliasArn.Substring(cut + 1) == target.Alias)
            {
                return aliasArn.Substring(0, cut);
            }
        }

        throw new ReleaseException("NoAliasArn", ReleaseErrorKind.InvalidOperation, $"Lambda answered GetAlias for {target.DisplayName} without its ARN.", target.Key);
    }
}
