using System;
using System.Globalization;
using System.Linq;
using System.Text;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Reporting;

/// <summary>A report as GitHub-flavoured Markdown. Step summaries do not show inline SVG reliably, so the time line is a
/// table with a text bar; every value from AWS or a user is escaped, so a name cannot add markup or links.</summary>
internal static class MarkdownReport
{
    public static string Render(ReleaseReport report)
    {
        var md = new StringBuilder();
        md.Append("# Release report\n\n");
        md.Append(Escape(string.Format(CultureInfo.InvariantCulture, "{0} release{1}, made {2}.",
            report.Releases.Count, report.Releases.Count == 1 ? string.Empty : "s", ReleaseReport.Time(report.GeneratedAt)))).Append("\n\n");
        for (var i = 0; i < report.Releases.Count; i++)
        {
            Release(md, report.Releases[i], report.Timelines[i]);
        }

        return md.ToString();
    }

    private static void Release(StringBuilder md, BlueGreenDeployment d, TrafficTimeline t)
    {
        md.Append("## Release ").Append(Escape(d.DeploymentId)).Append(": ").Append(Escape(d.Status.ToString()))
            .Append(d.RolledBack ? ", rolled back" : string.Empty).Append("\n\n");
        md.Append("| | |\n|---|---|\n");
        foreach (var (label, value) in ReleaseReport.Facts(d, t))
        {
            md.Append("| ").Append(Escape(label)).Append(" | ").Append(Escape(value)).Append(" |\n");
        }

        md.Append("\n### Traffic over time\n\n");
        md.Append("| Time (UTC) | Since start | Blue | Green | Split | Source | Event |\n|---|---|---:|---:|---|---|---|\n");
        foreach (var row in ReleaseReport.Rows(t))
        {
            md.Append("| ").Append(ReleaseReport.Clock(row.Time)).Append(" | ").Append(ReleaseReport.Offset(row.Time - t.Start)).Append(" | ");
            if (row.Segment is { } s)
            {
                md.Append(ReleaseReport.Percent(s.BluePercent)).Append(" | ").Append(ReleaseReport.Percent(s.GreenPercent)).Append(" | `")
                    .Append(Bar(s.GreenPercent)).Append("` | ").Append(s.Source == TrafficSource.Observed ? "observed" : "*planned*").Append(" | |\n");
            }
            else
            {
                var m = row.Mark!;
                md.Append("| | | | ").Append(Escape(MarkText(m))).Append(" |\n");
            }
        }

        md.Append('\n').Append(Escape(t.HasObserved
            ? "Observed shares are what this session read from AWS; planned ones come from the policy and the lifecycle events' times."
            : "No share was read while the release ran: every share is planned, from the policy and the lifecycle events' times.")).Append("\n\n");

        if (d.Gates.Count > 0)
        {
            md.Append("### Gates\n\n| Time (UTC) | Gate | Verdict | Why |\n|---|---|---|---|\n");
            foreach (var mark in t.Marks.Where(m => m.Kind == TimelineMarkKind.Gate))
            {
                md.Append("| ").Append(ReleaseReport.Clock(mark.Time)).Append(" | ").Append(Escape(mark.Label)).Append(" | **").Append(Escape(mark.Verdict ?? string.Empty))
                    .Append("** | ").Append(Escape(mark.Detail)).Append(" |\n");
            }

            md.Append('\n');
        }

        var smokeTests = ReleaseReport.SmokeTests(d).ToList();
        if (smokeTests.Count > 0)
        {
            md.Append("### Smoke tests\n\n| Target | Verdict | Requests | Failed | Error rate | p50 | p99 | Served by |\n|---|---|---:|---:|---:|---:|---:|---|\n");
            foreach (var s in smokeTests)
            {
                md.Append("| ").Append(Escape(s.Target)).Append(" | **").Append(s.Passed ? "Pass" : "Fail").Append("** | ")
                    .Append(s.Requests.ToString(CultureInfo.InvariantCulture)).Append(" | ").Append(s.Failed.ToString(CultureInfo.InvariantCulture)).Append(" | ")
                    .Append(ReleaseReport.Percent(s.ErrorRate * 100)).Append(" | ").Append(Ms(s.P50)).Append(" | ").Append(Ms(s.P99)).Append(" | ")
                    .Append(Escape(s.ServedBy)).Append(" |\n");
            }

            md.Append('\n');
        }

        var analyses = ReleaseReport.Analyses(d).ToList();
        if (analyses.Count > 0)
        {
            md.Append("### Analysis\n\n");
            foreach (var (gate, result) in analyses)
            {
                md.Append("**").Append(Escape(gate.Name.Length == 0 ? "analysis" : "Interval " + gate.Name)).Append(": ").Append(result.Verdict.ToString()).Append("**, score ")
                    .Append(result.Score.ToString("0.#", CultureInfo.InvariantCulture)).Append(". ").Append(Escape(result.Reason)).Append("\n\n");
                if (result.Metrics.Count > 0)
                {
                    md.Append("| Metric | Verdict | Green | Blue | p-value | Why |\n|---|---|---:|---:|---:|---|\n");
                    foreach (var m in result.Metrics)
                    {
                        md.Append("| ").Append(Escape(m.Name)).Append(m.Critical ? " (critical)" : string.Empty).Append(" | ").Append(m.Verdict.ToString()).Append(" | ")
                            .Append(Number(m.GreenMedian)).Append(" | ").Append(Number(m.BlueMedian)).Append(" | ").Append(Number(m.PValue)).Append(" | ")
                            .Append(Escape(m.Reason)).Append(" |\n");
                    }

                    md.Append('\n');
                }
            }
        }

        md.Append("### Rollback\n\n");
        md.Append(Escape(d.RolledBack
            ? $"Rolled back by {d.RollbackDeploymentId}: blue serves again." + (d.RollbackMessage is { Length: > 0 } why ? " " + why : string.Empty)
            : d.IsRollback ? $"This deployment is itself a rollback of {d.RollbackTriggeringDeploymentId}." : "None.")).Append("\n\n");
    }

    internal static string MarkText(TimelineMark m) => m.Kind switch
    {
        TimelineMarkKind.LifecycleEvent => $"{m.Label} {m.Verdict}".TrimEnd(),
        TimelineMarkKind.Gate => $"{m.Label}: {m.Verdict}",
        TimelineMarkKind.Rollback => $"rolled back by {m.Label}",
        _ => $"release {m.Label}",
    };

    /// <summary>A 20-character bar: blue as '-', green as '#', as the deployment's own TrafficBar.</summary>
    internal static string Bar(double green)
    {
        var g = (int)Math.Round(Math.Max(0, Math.Min(100, green)) / 5);
        return new string('-', 20 - g) + new string('#', g);
    }

    private static string Ms(TimeSpan? value) => value is { } v ? v.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : "-";

    private static string Number(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    /// <summary>Text safe in a GitHub Markdown table cell or paragraph: no HTML, no emphasis, links or code, no line breaks.</summary>
    internal static string Escape(string? text)
    {
        var sb = new StringBuilder();
        foreach (var c in text ?? string.Empty)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\r': break;
                case '\n': sb.Append(' '); break;
                case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#': case '!': case '~':
                    sb.Append('\\').Append(c);
                    break;
                default:
                    sb.Append(char.IsControl(c) ? ' ' : c);
                    break;
            }
        }

        return sb.ToString();
    }
}
