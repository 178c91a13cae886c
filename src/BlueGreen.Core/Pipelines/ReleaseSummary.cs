using System;
using System.Linq;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Reporting;

namespace BlueGreen.Core.Pipelines;

/// <summary>How a release ended, as a pipeline step reports it.</summary>
public enum ReleaseOutcome
{
    InProgress,
    Ready,
    Succeeded,

    /// <summary>A smoke test or an analysis failed it; it has not ended yet.</summary>
    GateFailed,

    /// <summary>Rolled back, or put back on blue by Undo-Deployment.</summary>
    Undone,

    /// <summary>Failed or stopped without a rollback.</summary>
    Failed,
}

public static class ReleaseOutcomes
{
    /// <summary>The outcome of <paramref name="deployment"/>; <paramref name="undone"/> when it is what an undo returned (it may be a release of the previous version).</summary>
    public static ReleaseOutcome Of(BlueGreenDeployment deployment, bool undone)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        if (undone || deployment.RolledBack || deployment.IsRollback)
        {
            return ReleaseOutcome.Undone;
        }

        return deployment.Status switch
        {
            DeploymentStatus.Failed or DeploymentStatus.Stopped => ReleaseOutcome.Failed,
            DeploymentStatus.Succeeded => ReleaseOutcome.Succeeded,
            _ when deployment.Gates.Any(g => g.Verdict == AnalysisVerdict.Fail) => ReleaseOutcome.GateFailed,
            DeploymentStatus.Ready => ReleaseOutcome.Ready,
            _ => ReleaseOutcome.InProgress,
        };
    }

    /// <summary>The step must fail: the release did not go through.</summary>
    public static bool FailsStep(ReleaseOutcome outcome) => outcome is ReleaseOutcome.GateFailed or ReleaseOutcome.Undone or ReleaseOutcome.Failed;

    public static bool IsFinal(ReleaseOutcome outcome) => outcome is ReleaseOutcome.Succeeded or ReleaseOutcome.Undone or ReleaseOutcome.Failed;
}

/// <summary>The Markdown a step summary shows for a release: the outcome the step reports, then the release report
/// (target, versions, policy, traffic over time, gates and verdicts, rollback).</summary>
public static class ReleaseSummary
{
    public static string ToMarkdown(BlueGreenDeployment deployment, ReleaseOutcome outcome)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        return $"### BlueGreen release {deployment.DeploymentId}: {outcome}\n\n" + ReleaseReport.From(deployment).ToMarkdown();
    }
}
