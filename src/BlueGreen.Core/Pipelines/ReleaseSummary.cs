using System;
using System.Globalization;
using System.Linq;
using System.Text;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;

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

/// <summary>The Markdown a step summary shows for a release: the one place that renders it for every pipeline.</summary>
public static class ReleaseSummary
{
    public static string ToMarkdown(BlueGreenDeployment deployment, ReleaseOutcome outcome)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        var text = new StringBuilder();
        text.Append("### Release ").Append(deployment.DeploymentId).Append(": ").Append(outcome).Append("\n\n");
        text.Append("| | |\n|---|---|\n");
        Row(text, "Target", deployment.Target?.DisplayName);
        Row(text, "Blue", deployment.Blue);
        Row(text, "Green", deployment.Green);
        Row(text, "Policy", deployment.TrafficShift);
        Row(text, "Status", deployment.Status + (deployment.RolledBack ? $", rolled back by {deployment.RollbackDeploymentId}" : string.Empty));
        Row(text, "Production on green", deployment.GreenTrafficPercent.ToString("0", CultureInfo.InvariantCulture) + "% " + deployment.TrafficBar);
        if (!string.IsNullOrEmpty(deployment.ErrorMessage))
        {
            Row(text, "Error", deployment.ErrorMessage);
        }

        text.Append('\n');
        if (deployment.LifecycleEvents.Count > 0)
        {
            text.Append("#### Timeline\n\n| start (UTC) | end (UTC) | event | status |\n|---|---|---|---|\n");
            foreach (var e in deployment.LifecycleEvents)
            {
                text.Append("| ").Append(Time(e.StartTime)).Append(" | ").Append(Time(e.EndTime)).Append(" | ").Append(Cell(e.Name)).Append(" | ").Append(Cell(e.Status)).Append(" |\n");
            }

            text.Append('\n');
        }

        text.Append("#### Gates\n\n");
        if (deployment.Gates.Count == 0)
        {
            text.Append("None recorded.\n");
        }
        else
        {
            text.Append("| time (UTC) | gate | name | verdict | detail |\n|---|---|---|---|---|\n");
            foreach (var g in deployment.Gates)
            {
                text.Append("| ").Append(g.Time.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append(" | ").Append(g.Kind).Append(" | ").Append(Cell(g.Name))
                    .Append(" | ").Append(g.Verdict).Append(" | ").Append(Cell(g.Detail)).Append(" |\n");
            }
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, string? value) => text.Append("| ").Append(name).Append(" | ").Append(Cell(value)).Append(" |\n");

    private static string Time(DateTime? time) => time is { } t ? t.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : string.Empty;

    // A cell of a GitHub-flavoured table: one line, '|' escaped.
    private static string Cell(string? value) => (value ?? string.Empty).Replace("\r", " ").Replace("\n", " ").Replace("|", "\\|");
}
