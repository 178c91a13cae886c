using System;
using System.Management.Automation;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Puts blue back: stops a release in flight with rollback, or once blue is gone releases the previous task definition again.</summary>
[Cmdlet(VerbsCommon.Undo, "Deployment", DefaultParameterSetName = ByObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BlueGreenDeployment))]
public sealed class UndoDeploymentCommand : ReleaseCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByObjectSet = "ByObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DeploymentId")]
    [ValidateNotNullOrEmpty]
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

    protected override void ProcessRecord()
    {
        TrafficShiftPolicy? policy = null;
        if (TrafficShift is not null && !TrafficShiftPolicy.TryParse(TrafficShift, out policy, out var problem))
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException(problem, nameof(TrafficShift)), "InvalidTrafficShift", ErrorCategory.InvalidArgument, TrafficShift,
                "Examples: AllAtOnce, Canary10Percent5Minutes, Linear20PercentEvery3Minutes."));
        }

        var carried = ParameterSetName == ByObjectSet ? InputObject : null;
        var id = carried?.DeploymentId ?? Id;
        if (carried is null && !CheckId(id))
        {
            return;
        }

        var engine = ReleaseEngines.ForDeployment(ContextFor(carried, id), carried);
        UndoPlan? plan = null;
        RunAsync(cancellationToken => GuardAsync(id, async () => plan = await engine.PlanUndoAsync(carried ?? new BlueGreenDeployment(id), policy, cancellationToken).ConfigureAwait(false)));
        if (plan is null || !ShouldProcess(plan.Description, plan.Description + "?", "Undo-Deployment"))
        {
            return;
        }

        string? following = null;
        try
        {
            RunAsync(cancellationToken => GuardAsync(id, async () =>
            {
                var undo = await engine.UndoAsync(plan, cancellationToken).ConfigureAwait(false);
                following = undo.DeploymentId;
                EmitVerbose(plan.Kind == UndoKind.RedeployPrevious
                    ? $"Release {undo.DeploymentId} puts {plan.Release?.GreenTaskDefinition} back."
                    : $"Rollback {undo.DeploymentId} puts traffic back on blue.");
                if (!NoWait && undo.DeploymentId != id)
                {
                    // Blue serves all traffic once the rollback ends, or once the new release has moved all production traffic.
                    var until = plan.Kind == UndoKind.RedeployPrevious ? WaitTarget.Ready : WaitTarget.Succeeded;
                    undo = await WatchAsync(engine, undo, until, null, cancellationToken).ConfigureAwait(false);
                    while (plan.Kind == UndoKind.RedeployPrevious && !undo.IsComplete && undo.GreenTrafficPercent < 100 && undo.Status != DeploymentStatus.Baking)
                    {
                        await System.Threading.Tasks.Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
                        undo = await engine.RefreshAsync(undo, cancellationToken).ConfigureAwait(false);
                    }

                    if (undo.Status is DeploymentStatus.Failed or DeploymentStatus.Stopped)
                    {
                        EmitError(EndedBadly(undo, "serving all traffic"));
                    }
                }

                Emit(undo);
            }));
        }
        catch (PipelineStoppedException)
        {
            SayStillRunning(following ?? id);
            throw;
        }
    }
}
