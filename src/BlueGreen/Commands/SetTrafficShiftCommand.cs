using System;
using System.Management.Automation;
using BlueGreen.Completion;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Gates a release: -Continue lets production traffic move (after the Ready wait), -Complete removes blue now;
/// or sets a deployment group's default traffic shift.</summary>
[Cmdlet(VerbsCommon.Set, "TrafficShift", DefaultParameterSetName = ByObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Set-TrafficShift.md")]
[OutputType(typeof(BlueGreenDeployment))]
public sealed class SetTrafficShiftCommand : ReleaseCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByObjectSet = "ByObject";
    private const string GroupSet = "GroupDefault";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DeploymentId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentIdCompleter))]
    public string Id { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BlueGreenDeployment InputObject { get; set; } = null!;

    /// <summary>Production traffic starts moving (ContinueDeployment READY_WAIT).</summary>
    [Parameter(ParameterSetName = ByIdSet)]
    [Parameter(ParameterSetName = ByObjectSet)]
    public SwitchParameter Continue { get; set; }

    /// <summary>Blue is removed now (ContinueDeployment TERMINATION_WAIT).</summary>
    [Parameter(ParameterSetName = ByIdSet)]
    [Parameter(ParameterSetName = ByObjectSet)]
    public SwitchParameter Complete { get; set; }

    /// <summary>Sets green's share of production traffic by hand, 0 to 100, and holds it there (engines with manual weights:
    /// a Lambda alias released by the module); -Continue then goes on from the next step, -Complete shifts the rest.</summary>
    [Parameter(ParameterSetName = ByIdSet)]
    [Parameter(ParameterSetName = ByObjectSet)]
    [ValidateRange(0.0, 100.0)]
    public double Percent { get; set; }

    /// <summary>The result of a smoke test piped in (its Passed property); a failed one stops -Continue unless -Force.</summary>
    [Parameter(ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Passed")]
    public bool? SmokeTestPassed { get; set; }

    /// <summary>The verdict of a canary analysis piped in (Invoke-CanaryAnalysis); anything but Pass stops -Continue unless -Force.</summary>
    [Parameter(ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Verdict")]
    public AnalysisVerdict? AnalysisVerdict { get; set; }

    /// <summary>Continues even though the piped smoke test or canary analysis did not pass.</summary>
    [Parameter(ParameterSetName = ByIdSet)]
    [Parameter(ParameterSetName = ByObjectSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = GroupSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApplicationNameCompleter))]
    public string ApplicationName { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = GroupSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentGroupNameCompleter))]
    public string DeploymentGroupName { get; set; } = null!;

    [Parameter(ParameterSetName = GroupSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TrafficShiftCompleter))]
    public string? TrafficShift { get; set; }

    /// <summary>How long green waits at Ready, with test traffic only, for Set-TrafficShift -Continue (then the
    /// release stops): minutes (60) or a TimeSpan; 0 lets production traffic move as soon as green is up.</summary>
    [Parameter(ParameterSetName = GroupSet)]
    [DurationTransformation(DurationUnit.Minutes)]
    [ValidateDuration(DurationUnit.Minutes, 0, 2880)]
    public TimeSpan ReadyWait { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == GroupSet)
        {
            SetGroupDefault();
            return;
        }

        var byHand = MyInvocation.BoundParameters.ContainsKey(nameof(Percent));
        if (byHand && (Continue || Complete))
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-Percent sets a share by hand; -Continue and -Complete move the release on. Give one of them."),
                "PercentWithContinueOrComplete", ErrorCategory.InvalidArgument, null, "Example: $d | Set-TrafficShift -Percent 25"));
        }

        if (byHand)
        {
            SetWeight();
            return;
        }

        if (Continue.IsPresent == Complete.IsPresent)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("Say -Continue (production traffic starts moving) or -Complete (blue is removed now), not both or neither."),
                "ContinueOrComplete", ErrorCategory.InvalidArgument, null, "Example: $d | Set-TrafficShift -Continue"));
        }

        var carried = ParameterSetName == ByObjectSet ? InputObject : null;
        var id = carried?.DeploymentId ?? Id;
        if (carried is null && !CheckId(id))
        {
            return;
        }

        if (Continue && AnalysisVerdict is { } verdict && verdict != Core.Analysis.AnalysisVerdict.Pass && !Force)
        {
            var (errorId, what) = verdict switch
            {
                Core.Analysis.AnalysisVerdict.Fail => ("CanaryAnalysisFailed", "failed: green is worse than blue"),
                Core.Analysis.AnalysisVerdict.Marginal => ("CanaryAnalysisMarginal", "is only marginal: its score is below the pass score"),
                _ => ("CanaryAnalysisInconclusive", "is inconclusive: there was too little data to judge green"),
            };
            WriteError(ErrorRecords.Create(new PSInvalidOperationException($"The canary analysis of release {id} {what}; production traffic stays on blue."),
                errorId, ErrorCategory.InvalidOperation, id,
                verdict == Core.Analysis.AnalysisVerdict.Fail
                    ? $"Undo the release with 'Undo-Deployment -Id {id}', or continue anyway with -Force."
                    : $"Analyse again once there is more traffic (Invoke-CanaryAnalysis), undo the release with 'Undo-Deployment -Id {id}', or continue anyway with -Force."));
            return;
        }

        if (Continue && SmokeTestPassed == false && !Force && AnalysisVerdict is null)
        {
            WriteError(ErrorRecords.Create(new PSInvalidOperationException($"The smoke test of release {id} failed: production traffic stays on blue."),
                "SmokeTestFailed", ErrorCategory.InvalidOperation, id,
                $"Undo the release with 'Undo-Deployment -Id {id}', or continue anyway with -Force."));
            return;
        }

        var kind = ReleaseIds.EngineOf(id);
        var direct = kind == DeploymentEngine.LambdaDirect;
        var native = kind == DeploymentEngine.EcsNative;
        var action = Continue
            ? direct ? $"Take the next traffic step of release {id} now"
            : native ? $"Let production traffic move to green (ContinueServiceDeployment CONTINUE at the Ready hook) for release {id}"
            : $"Let production traffic move to green (ContinueDeployment READY_WAIT) for release {id}"
            : direct ? $"Shift all traffic of release {id} to green now"
            : native ? $"Remove blue now, ending the bake (ContinueServiceDeployment CONTINUE at the bake hook) of release {id}"
            : $"Remove blue now, ending the termination wait (ContinueDeployment TERMINATION_WAIT) of release {id}";
        if (!ShouldProcess(action, action + "?", "Set-TrafficShift") || (Complete && !ConfirmFinal(action, id)))
        {
            return;
        }

        var engine = ReleaseEngines.ForDeployment(ContextFor(carried, id), carried, id);
        RunAsync(cancellationToken => GuardAsync(id, async () =>
        {
            var deployment = carried ?? new BlueGreenDeployment(id);
            if (Continue)
            {
                await engine.ContinueAsync(deployment, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await engine.CompleteAsync(deployment, cancellationToken).ConfigureAwait(false);
            }

            Emit(await ReadAsync(token => engine.GetAsync(id, token), cancellationToken).ConfigureAwait(false));
        }));
    }

    /// <summary>
    /// -Complete cannot be undone (blue is gone), so it asks as a High-impact change would, although the cmdlet's
    /// ConfirmImpact is Medium for the rest: ConfirmImpact is per cmdlet, so the check compares $ConfirmPreference itself.
    /// -Confirm (or a preference of Medium or lower) has asked already through ShouldProcess; -Confirm:$false, a preference
    /// of None and -Force do not ask.
    /// </summary>
    private bool ConfirmFinal(string action, string id)
    {
        if (Force || MyInvocation.BoundParameters.ContainsKey("Confirm"))
        {
            return true;
        }

        var value = SessionState.PSVariable.GetValue("ConfirmPreference");
        var preference = value is null ? ConfirmImpact.High : LanguagePrimitives.ConvertTo<ConfirmImpact>(value);
        if (preference == ConfirmImpact.None || preference <= ConfirmImpact.Medium)
        {
            return true;
        }

        return ShouldContinue(
            $"{action}? Blue is removed: release {id} can no longer be rolled back to it. (In a script: -Confirm:$false or -Force.)",
            "Complete the release");
    }

    private void SetWeight()
    {
        var carried = ParameterSetName == ByObjectSet ? InputObject : null;
        var id = carried?.DeploymentId ?? Id;
        if (carried is null && !CheckId(id))
        {
            return;
        }

        var engine = ReleaseEngines.ForDeployment(ContextFor(carried, id), carried, id);
        if (engine is not ITrafficWeights weights)
        {
            WriteError(ErrorRecords.Create(new PSNotSupportedException($"Release {id} is run by {engine.Kind}, which moves traffic by its own policy: its share cannot be set by hand."),
                "NotSupportedByEngine", ErrorCategory.NotImplemented, id, "Use -Continue or -Complete, or Undo-Deployment."));
            return;
        }

        var deployment = carried ?? new BlueGreenDeployment(id);
        string? description = null;
        RunAsync(cancellationToken => GuardAsync(id, async () => description = await weights.PlanWeightAsync(deployment, Percent, cancellationToken).ConfigureAwait(false)));
        if (description is null || !ShouldProcess(description, description + "?", "Set-TrafficShift"))
        {
            return;
        }

        RunAsync(cancellationToken => GuardAsync(id, async () => Emit(await weights.SetWeightAsync(deployment, Percent, cancellationToken).ConfigureAwait(false))));
    }

    private void SetGroupDefault()
    {
        TimeSpan? readyWait = MyInvocation.BoundParameters.ContainsKey(nameof(ReadyWait)) ? ReadyWait : null;
        if (TrafficShift is null && readyWait is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("Give -TrafficShift, -ReadyWait, or both.", nameof(TrafficShift)), "NothingToSet",
                ErrorCategory.InvalidArgument, DeploymentGroupName, "Example: -TrafficShift Canary10Percent5Minutes -ReadyWait 60."));
        }

        TrafficShiftPolicy? policy = null;
        if (TrafficShift is not null && !TrafficShiftPolicy.TryParse(TrafficShift, out policy, out var problem))
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException(problem, nameof(TrafficShift)), "InvalidTrafficShift", ErrorCategory.InvalidArgument, TrafficShift,
                "Examples: AllAtOnce, Canary10Percent5Minutes, Linear20PercentEvery3Minutes."));
        }

        var engine = ReleaseEngines.ForGroupDefaults(AwsContext);
        string? description = null;
        RunAsync(cancellationToken => GuardAsync(DeploymentGroupName, async () =>
            description = await engine.PlanDefaultTrafficShiftAsync(ApplicationName, DeploymentGroupName, policy, readyWait, cancellationToken).ConfigureAwait(false)));
        if (description is null || !ShouldProcess(description, description + "?", "Set-TrafficShift"))
        {
            return;
        }

        RunAsync(cancellationToken => GuardAsync(DeploymentGroupName, () => engine.SetDefaultTrafficShiftAsync(ApplicationName, DeploymentGroupName, policy, readyWait, cancellationToken)));
    }
}
