using System;
using System.Management.Automation;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Waits until a release gets to a point (green installed, test traffic, Ready, production traffic shifted, succeeded), with progress, and returns it refreshed.</summary>
[Cmdlet(VerbsLifecycle.Wait, "BlueGreenDeployment", DefaultParameterSetName = ByObjectSet)]
[OutputType(typeof(BlueGreenDeployment))]
public sealed class WaitBlueGreenDeploymentCommand : ReleaseCmdlet
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

    /// <summary>The point to wait for: Installed (green's tasks up), TestTraffic (the test listener routes to green), Ready (waiting for
    /// Set-TrafficShift -Continue), TrafficShifted (all production traffic on green, blue kept), Succeeded (blue removed).</summary>
    [Parameter]
    public WaitTarget Until { get; set; } = WaitTarget.Succeeded;

    /// <summary>Seconds to wait at most; the release goes on after.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Timeout { get; set; }

    /// <summary>A release that fails or stops is returned without an error.</summary>
    [Parameter]
    public SwitchParameter AllowFailure { get; set; }

    protected override void ProcessRecord()
    {
        var start = ParameterSetName == ByObjectSet ? InputObject : null;
        var id = start?.DeploymentId ?? Id;
        if (start is null && !CheckId(id))
        {
            return;
        }

        var engine = ReleaseEngines.ForDeployment(ContextFor(start, id), start, id);
        TimeSpan? timeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? TimeSpan.FromSeconds(Timeout) : null;
        try
        {
            RunAsync(cancellationToken => GuardAsync(id, async () =>
            {
                // By id, the first look reads it in full: it rides out throttling as every later look does.
                var deployment = await WatchAsync(engine, start ?? new BlueGreenDeployment(id), Until, timeout, cancellationToken).ConfigureAwait(false);
                if (!DeploymentWatcher.Reached(deployment, Until) && !AllowFailure)
                {
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
    }
}
