using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using BlueGreen.Completion;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Waits until a release gets to a point (green installed, test traffic, Ready, production traffic shifted, succeeded), with progress, and returns it refreshed.
/// With -Analysis, green is compared with blue every interval while it has production traffic, and -RollbackOnFailure undoes a release that fails.</summary>
[Cmdlet(VerbsLifecycle.Wait, "BlueGreenDeployment", DefaultParameterSetName = ByObjectSet, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Wait-BlueGreenDeployment.md")]
[OutputType(typeof(BlueGreenDeployment))]
[OutputType(typeof(BlueGreen.Core.Trains.BlueGreenTrain), ParameterSetName = new[] { ByIdSet })]
public sealed class WaitBlueGreenDeploymentCommand : ReleaseCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByObjectSet = "ByObject";

    private AnalysisDefinition? _analysis;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DeploymentId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentIdCompleter))]
    public string Id { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BlueGreenDeployment InputObject { get; set; } = null!;

    /// <summary>The point to wait for: Installed (green's tasks up), TestTraffic (the test listener routes to green), Ready (waiting for
    /// Set-TrafficShift -Continue), TrafficShifted (all production traffic on green, blue kept), Succeeded (blue removed).</summary>
    [Parameter]
    public WaitTarget Until { get; set; } = WaitTarget.Succeeded;

    /// <summary>How long to wait at most: seconds (600) or a TimeSpan; the release goes on after.</summary>
    [Parameter]
    [DurationTransformation(DurationUnit.Seconds)]
    [ValidateDuration(DurationUnit.Seconds, 1, 2147483647)]
    public TimeSpan Timeout { get; set; }

    /// <summary>A release that fails or stops is returned without an error.</summary>
    [Parameter]
    public SwitchParameter AllowFailure { get; set; }

    /// <summary>A canary analysis (a hashtable, the path of a .psd1 file holding one, or a definition) run every Interval while green
    /// has production traffic, until the release ends or Count analyses are done; every verdict is kept in the deployment's Gates.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Analysis { get; set; }

    /// <summary>With -Analysis: a release the analysis fails (or that stays inconclusive when the definition says to fail) is undone
    /// at once, as Undo-Deployment does, without asking.</summary>
    [Parameter]
    public SwitchParameter RollbackOnFailure { get; set; }

    /// <summary>Ends with a terminating error (ReleaseUndone or ReleaseFailed) after writing a release that was undone, rolled back,
    /// failed or failed by a gate, so that the script, and the pipeline step that runs it, fails.</summary>
    [Parameter]
    public SwitchParameter FailOnRollback { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (RollbackOnFailure && Analysis is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-RollbackOnFailure undoes a release its analysis fails: it needs -Analysis.", nameof(RollbackOnFailure)),
                "RollbackOnFailureWithoutAnalysis", ErrorCategory.InvalidArgument, null, "Give the analysis with -Analysis @{ Metrics = 'ErrorRate', 'Latency' } (or a .psd1 path), or leave out -RollbackOnFailure."));
        }

        if (Analysis is not null)
        {
            try
            {
                _analysis = AnalysisArgument.Read(this, Analysis, nameof(Analysis));
            }
            catch (AnalysisDefinitionException ex)
            {
                var category = ex.ErrorId == "AnalysisDefinitionNotFound" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument;
                ThrowTerminatingError(ErrorRecords.Create(ex, ex.ErrorId, category, ex.Key.Length == 0 ? Analysis : ex.Key, ex.RecommendedAction));
            }
        }
    }

    protected override void ProcessRecord()
    {
        NotThrough = null;
        var start = ParameterSetName == ByObjectSet ? InputObject : null;
        var id = start?.DeploymentId ?? Id;
        if (start is null && BlueGreen.Core.Trains.TrainRecord.IsTrainId(id))
        {
            ResumeTrain(id);
            return;
        }

        if (start is null && !CheckId(id))
        {
            return;
        }

        var context = ContextFor(start, id);
        var engine = ReleaseEngines.ForDeployment(context, start, id);
        TimeSpan? timeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : null;
        try
        {
            RunAsync(cancellationToken => GuardAsync(id, async () =>
            {
                BlueGreenDeployment deployment;
                if (_analysis is { } definition)
                {
                    var outcome = await AnalyseAsync(engine, new CanaryAnalyzer(context), definition, start ?? new BlueGreenDeployment(id), timeout, cancellationToken).ConfigureAwait(false);
                    deployment = outcome.Deployment;
                    if (outcome.Decision.Action == GateAction.Undo)
                    {
                        EmitError(AnalysisFailed(outcome, id));
                        Emit(deployment);
                        return;
                    }
                }
                else
                {
                    // By id, the first look reads it in full: it rides out throttling as every later look does.
                    deployment = await WatchAsync(engine, start ?? new BlueGreenDeployment(id), Until, timeout, cancellationToken).ConfigureAwait(false);
                }

                if (!DeploymentWatcher.Reached(deployment, Until) && !AllowFailure)
                {
                    ReportRelease(deployment);
                    EmitError(EndedBadly(deployment, Until));
                    return;
                }

                if (Until == WaitTarget.Ready && ReleasePoints.ReadyNote(deployment) is { } note)
                {
                    EmitWarning(note);
                }

                Emit(deployment);
            }));
        }
        catch (PipelineStoppedException)
        {
            SayStillRunning(id);
            throw;
        }

        FailIfNotThrough(FailOnRollback);
    }

    /// <summary>Takes a train on from where its record says, as the Start that was interrupted would have: runs the waves left, and
    /// undoes a train that stopped.</summary>
    private void ResumeTrain(string trainId)
    {
        if (_analysis is not null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-Analysis judges one release; a train's gates are in its definition."),
                "ParameterNotForTrain", ErrorCategory.InvalidArgument, trainId, "Leave out -Analysis when waiting for a train."));
        }

        var store = TrainStore;
        BlueGreen.Core.Trains.TrainRecord? record = null;
        RunAsync(cancellationToken => GuardAsync(trainId, async () =>
            record = await ReadAsync(token => store.LoadAsync(trainId, token), cancellationToken).ConfigureAwait(false) ?? throw TrainNotFound(trainId)));
        if (record is null)
        {
            return;
        }

        var contexts = TrainContexts(record.Definition);
        try
        {
            RunAsync(cancellationToken => GuardAsync(trainId, () => DriveTrainAsync(store, record, contexts, TrainAction.Run, null, cancellationToken)));
        }
        catch (PipelineStoppedException) when (Interrupted)
        {
            Host?.UI?.WriteWarningLine($"Stopped waiting. Release train {trainId} is kept in AWS; resume it with 'Wait-BlueGreenDeployment -Id {trainId}'.");
            throw;
        }
    }

    /// <summary>Follows the release with its analysis gate (Core's loop), showing each interval's verdict.</summary>
    private async System.Threading.Tasks.Task<AnalysisGateOutcome> AnalyseAsync(IReleaseEngine engine, CanaryAnalyzer analyzer, AnalysisDefinition definition, BlueGreenDeployment deployment,
        TimeSpan? timeout, System.Threading.CancellationToken cancellationToken)
    {
        var activity = ActivityOf(deployment);
        string? lastVerdict = null;
        using var deadline = timeout is { } t ? new System.Threading.CancellationTokenSource(t) : null;
        using var linked = deadline is null ? null : System.Threading.CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked?.Token ?? cancellationToken;
        Pipeline.Writer.BeginGroup($"{activity}: judged by canary analysis until {Until}");
        var run = new AnalysisGateRun(engine, deployment, AnalysisGateRules.From(definition), definition.Interval, async (d, ct) =>
        {
            var result = await analyzer.AnalyzeAsync(d, definition, KnownDeployments.SmokeTestsOf(d.DeploymentId), ct).ConfigureAwait(false);
            return new IntervalVerdict(result.Verdict, result.Summary, result);
        })
        {
            Until = Until,
            Polling = PollingPolicy.FromEnvironment(),
            OnRetry = RetryReporter,
            OnLook = (d, next) => ShowLook(activity, d, Until, next, lastVerdict),
            OnVerdict = (d, gate, decision) =>
            {
                KnownDeployments.AddGate(d.DeploymentId, gate);
                lastVerdict = $"analysis {gate.Name}: {gate.Verdict}";
                EmitVerbose($"{d.DeploymentId}: analysis {gate.Name}: {gate.Verdict} ({gate.Detail}); {decision.Action}: {decision.Reason}");
                if (decision.Warning is { } warning)
                {
                    EmitWarning(warning);
                }
            },
        };
        if (RollbackOnFailure)
        {
            run.Undo = async (d, ct) =>
            {
                EmitVerbose($"{d.DeploymentId}: the analysis failed the release: undoing it (as Undo-Deployment does).");
                return await UndoCoordinator.UndoNowAsync(engine, d, (x, until, t2) => WatchAsync(engine, x, until, null, t2), ct).ConfigureAwait(false);
            };
        }

        try
        {
            return await AnalysisGate.RunAsync(run, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            throw new ReleaseException("WaitTimedOut", ReleaseErrorKind.OperationTimeout,
                $"Release {deployment.DeploymentId} did not get to {Until} in {Timeout.TotalSeconds} s; it goes on in AWS (analysis: {lastVerdict ?? "none yet"}).", deployment.DeploymentId,
                $"Wait again with 'Get-BlueGreenDeployment -Id {deployment.DeploymentId} | Wait-BlueGreenDeployment -Analysis ...', or undo it with Undo-Deployment.");
        }
        finally
        {
            Pipeline.Writer.EndGroup();
            EmitProgress(new ProgressRecord(1, activity, "done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>The error for a release its analysis failed: undone (blue serves) or left for a person.</summary>
    private static ErrorRecord AnalysisFailed(AnalysisGateOutcome outcome, string id)
    {
        var decision = outcome.Decision;
        var last = outcome.Gates.Count == 0 ? null : outcome.Gates[outcome.Gates.Count - 1];
        var why = last?.Result is CanaryAnalysisResult result ? result.Summary : decision.Reason;
        var inconclusive = decision.Verdict == AnalysisVerdict.Inconclusive;
        var errorId = inconclusive ? "AnalysisInconclusive" : "AnalysisFailed";
        string message;
        string action;
        if (outcome.Undone)
        {
            var back = outcome.Deployment;
            message = $"The analysis {(inconclusive ? "could not judge" : "failed")} release {id} ({decision.Reason}): {why} It was undone: " +
                (back.RolledBack ? $"rollback {back.RollbackDeploymentId} put production back on blue." : $"{back.DeploymentId} serves the previous version ({back.Status}).");
            action = $"See each interval's verdict with '(Get-BlueGreenDeployment -Id {id}).Gates' and the failed metrics in their Result.";
        }
        else
        {
            message = $"The analysis {(inconclusive ? "could not judge" : "failed")} release {id} ({decision.Reason}): {why} The release goes on in AWS: nothing was undone.";
            action = $"Undo it with 'Undo-Deployment -Id {id}', or add -RollbackOnFailure to undo a failed release without asking.";
        }

        var exception = new ReleaseException(errorId, ReleaseErrorKind.OperationStopped, message, id, action);
        return ErrorRecords.Create(exception, errorId, inconclusive ? ErrorCategory.InvalidResult : ErrorCategory.OperationStopped, outcome.Deployment, action);
    }
}
