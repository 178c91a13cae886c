using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Completion;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Schema;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Puts blue back: stops a release in flight with rollback, or once blue is gone releases the previous task definition again.</summary>
[Cmdlet(VerbsCommon.Undo, "Deployment", DefaultParameterSetName = ByObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Undo-Deployment.md")]
[OutputType(typeof(BlueGreenDeployment))]
[OutputType(typeof(BlueGreen.Core.Trains.BlueGreenTrain), ParameterSetName = new[] { ByIdSet })]
public sealed class UndoDeploymentCommand : ReleaseCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByObjectSet = "ByObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DeploymentId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentIdCompleter))]
    public string Id { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BlueGreenDeployment InputObject { get; set; } = null!;

    /// <summary>For a release of the previous task definition (blue gone): how traffic moves; all at once by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TrafficShiftCompleter))]
    public string? TrafficShift { get; set; }

    /// <summary>Returns once the undo is started, without following it until blue serves all traffic.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>For a release of the previous task definition on a group that waits at Ready: leave it waiting there for
    /// Set-TrafficShift -Continue instead of giving the go-ahead.</summary>
    [Parameter]
    public SwitchParameter StopAtReady { get; set; }

    /// <summary>The database of the release's schema migrations: the undo is refused once their contract phase has run.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    [Parameter]
    public SqlDialect Dialect { get; set; } = SqlDialect.PostgreSql;

    /// <summary>Undo even though the schema was contracted (blue may fail on it); needs -Reason, which is recorded.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Reason { get; set; }

    /// <summary>Ends with a terminating error (ReleaseUndone or ReleaseFailed) once the release is undone, so that the script, and the pipeline step that runs it, fails.</summary>
    [Parameter]
    public SwitchParameter FailOnRollback { get; set; }

    protected override bool ReturnsUndo => true;

    protected override void ProcessRecord()
    {
        TrafficShiftPolicy? policy = null;
        if (TrafficShift is not null && !TrafficShiftPolicy.TryParse(TrafficShift, out policy, out var problem))
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException(problem, nameof(TrafficShift)), "InvalidTrafficShift", ErrorCategory.InvalidArgument, TrafficShift,
                "Examples: AllAtOnce, Canary10Percent5Minutes, Linear20PercentEvery3Minutes."));
        }

        if (NoWait && StopAtReady)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-NoWait and -StopAtReady do not go together.", nameof(StopAtReady)), "NoWaitOrStopAtReady", ErrorCategory.InvalidArgument, null,
                "-NoWait returns as soon as the undo is started; -StopAtReady follows it to Ready and leaves it there. Give one."));
        }

        NotThrough = null;
        var follow = NoWait ? UndoFollow.NoWait : StopAtReady ? UndoFollow.StopAtReady : UndoFollow.AllTraffic;
        var carried = ParameterSetName == ByObjectSet ? InputObject : null;
        var id = carried?.DeploymentId ?? Id;
        if (carried is null && BlueGreen.Core.Trains.TrainRecord.IsTrainId(id))
        {
            UndoTrain(id);
            return;
        }

        if (carried is null && !CheckId(id))
        {
            return;
        }

        var engine = ReleaseEngines.ForDeployment(ContextFor(carried, id), carried, id);
        UndoPlan? plan = null;
        RunAsync(cancellationToken => GuardAsync(id, async () => plan = await engine.PlanUndoAsync(carried ?? new BlueGreenDeployment(id), policy, cancellationToken).ConfigureAwait(false)));
        if (plan is null)
        {
            return;
        }

        SchemaGate? gate = null;
        if (ConnectionString is not null)
        {
            RunAsync(async cancellationToken => gate = await CheckSchemaAsync(id, cancellationToken).ConfigureAwait(false));
            if (gate is null)
            {
                return;
            }
        }

        using var schemaGate = gate;
        var description = UndoCoordinator.Describe(plan, follow);
        if (!ShouldProcess(description, description + "?", "Undo-Deployment"))
        {
            return;
        }

        BlueGreenDeployment? started = null;
        BlueGreenDeployment? lastSeen = null;
        try
        {
            RunAsync(cancellationToken => GuardAsync(id, async () =>
            {
                started = await engine.UndoAsync(plan, cancellationToken).ConfigureAwait(false);
                if (schemaGate?.Release is { } release)
                {
                    await schemaGate.Migrator.AbandonAsync(release.ReleaseId, schemaGate.Decision, cancellationToken).ConfigureAwait(false);
                    EmitVerbose($"Schema release {release.ReleaseId} is marked abandoned: {schemaGate.Decision.Explanation}.");
                }

                EmitVerbose(plan.Kind switch
                {
                    UndoKind.RedeployPrevious => $"Release {started.DeploymentId} puts {plan.Release?.GreenTaskDefinition} back.",
                    UndoKind.RestorePrevious => $"{started.Target?.DisplayName} points at {started.Blue} again: all traffic is back on it.",
                    _ => $"Release {started.DeploymentId} is stopped; rollback {started.RollbackDeploymentId} puts traffic back on blue.",
                });
                var undone = await UndoCoordinator.FollowAsync(engine, plan, started, follow, async (d, until, token) =>
                {
                    lastSeen = d;
                    return lastSeen = await WatchAsync(engine, d, until, null, token).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                if (plan.Kind == UndoKind.RedeployPrevious && (follow == UndoFollow.StopAtReady && undone.Status == DeploymentStatus.Ready || follow == UndoFollow.NoWait && ReleasePoints.WaitsAtReady(undone) == true))
                {
                    // Left at (or bound for) the Ready gate: production serves the undone version until the go-ahead.
                    EmitWarning(UndoCoordinator.State(plan, started, undone));
                }

                Emit(undone);
            }));
        }
        catch (PipelineStoppedException) when (Interrupted)
        {
            SayUndoInterrupted(UndoCoordinator.Interrupted(plan, started, lastSeen));
            throw;
        }

        FailIfNotThrough(FailOnRollback);
    }

    /// <summary>Puts every target of a train that moved back on blue, the last wave first.</summary>
    private void UndoTrain(string trainId)
    {
        foreach (var single in new[] { nameof(TrafficShift), nameof(NoWait), nameof(StopAtReady), nameof(ConnectionString), nameof(Force), nameof(Reason) })
        {
            if (MyInvocation.BoundParameters.ContainsKey(single))
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"-{single} is for the undo of one release, not of a train.", single), "ParameterNotForTrain",
                    ErrorCategory.InvalidArgument, trainId, $"Leave out -{single}, or undo a target's release by its own id."));
            }
        }

        var store = TrainStore;
        BlueGreen.Core.Trains.TrainRecord? record = null;
        RunAsync(cancellationToken => GuardAsync(trainId, async () =>
            record = await ReadAsync(token => store.LoadAsync(trainId, token), cancellationToken).ConfigureAwait(false) ?? throw TrainNotFound(trainId)));
        if (record is null)
        {
            return;
        }

        var moved = record.Targets.Where(t => t.Moved && t.State != BlueGreen.Core.Trains.TrainTargetState.Undone).ToList();
        var description = $"Undo release train {trainId} ({record.State}): put {moved.Count} target{(moved.Count == 1 ? string.Empty : "s")} back on blue, the last wave first: " +
            string.Join(", ", moved.Select(t => t.Key));
        if (!ShouldProcess(description, description + "?", "Undo-Deployment"))
        {
            return;
        }

        var contexts = TrainContexts(record.Definition);
        RunAsync(cancellationToken => GuardAsync(trainId, () => DriveTrainAsync(store, record, contexts, TrainAction.Undo, null, cancellationToken)));
    }

    private void SayUndoInterrupted(string message)
    {
        try
        {
            Host?.UI?.WriteWarningLine(message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotImplementedException or PipelineStoppedException)
        {
            // A host without a UI: nothing more to say.
        }
    }

    /// <summary>The schema gate: null (with the error written) when the undo must not happen.</summary>
    private async Task<SchemaGate?> CheckSchemaAsync(string deploymentId, CancellationToken cancellationToken)
    {
        if (!SchemaSupport.CanOpenDatabases)
        {
            EmitError(SchemaSupport.RuntimeNotSupported(MyInvocation.MyCommand.Name));
            return null;
        }

        ISchemaDatabase? database = null;
        try
        {
            database = await SchemaSupport.OpenAsync(Dialect, ConnectionString!, cancellationToken).ConfigureAwait(false);
            var migrator = new SchemaMigrator(database);
            var release = await migrator.FindReleaseAsync(deploymentId, cancellationToken).ConfigureAwait(false);
            var decision = SchemaGates.EvaluateUndo(release, Force, Reason);
            if (!decision.Allowed)
            {
                database.Dispose();
                EmitError(ErrorRecords.Create(new PSInvalidOperationException("Undo refused: " + decision.Explanation + "."), "UndoNotAllowed", ErrorCategory.InvalidOperation, deploymentId,
                    "Roll forward instead (a new release that works on the contracted schema), or pass -Force with -Reason if blue is known to cope."));
                return null;
            }

            return new SchemaGate(database, migrator, release, decision);
        }
        catch (SchemaMigrationException ex)
        {
            database?.Dispose();
            EmitError(SchemaSupport.FromSchema(ex, deploymentId));
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            database?.Dispose();
            EmitError(SchemaSupport.FromUnexpected(ex, ConnectionString, deploymentId));
            return null;
        }
    }

    private sealed class SchemaGate : IDisposable
    {
        public SchemaGate(ISchemaDatabase database, SchemaMigrator migrator, SchemaRelease? release, UndoDecision decision)
        {
            Database = database;
            Migrator = migrator;
            Release = release;
            Decision = decision;
        }

        public ISchemaDatabase Database { get; }

        public SchemaMigrator Migrator { get; }

        public SchemaRelease? Release { get; }

        public UndoDecision Decision { get; }

        public void Dispose() => Database.Dispose();
    }
}
