using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Core.Reporting;

/// <summary>
/// A report of one or more releases: what was released where, how traffic moved over time, what judged it and how it
/// ended. <see cref="ToHtml"/> is a page that needs nothing else to be viewed (no script, no network); <see cref="ToMarkdown"/>
/// is the same content for a pipeline's step summary, with the time line as a table.
/// </summary>
public sealed class ReleaseReport
{
    private ReleaseReport(IReadOnlyList<BlueGreenDeployment> releases, DateTimeOffset generatedAt)
    {
        Releases = releases;
        GeneratedAt = generatedAt;
        Timelines = releases.Select(r => TrafficTimeline.Build(r, generatedAt)).ToList();
    }

    /// <summary>The releases reported, in the order given.</summary>
    public IReadOnlyList<BlueGreenDeployment> Releases { get; }

    /// <summary>Each release's time line, in the order of <see cref="Releases"/>.</summary>
    public IReadOnlyList<TrafficTimeline> Timelines { get; }

    /// <summary>When the report was made (UTC).</summary>
    public DateTimeOffset GeneratedAt { get; }

    public static ReleaseReport From(BlueGreenDeployment deployment) =>
        From(new[] { deployment ?? throw new ArgumentNullException(nameof(deployment)) });

    public static ReleaseReport From(IEnumerable<BlueGreenDeployment> deployments) => From(deployments, DateTimeOffset.UtcNow);

    /// <summary>A report made as at <paramref name="generatedAt"/> (which ends the picture of a release still going).</summary>
    public static ReleaseReport From(IEnumerable<BlueGreenDeployment> deployments, DateTimeOffset generatedAt)
    {
        var list = (deployments ?? throw new ArgumentNullException(nameof(deployments))).Where(d => d is not null).ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A report needs at least one release.", nameof(deployments));
        }

        return new ReleaseReport(list, generatedAt.ToUniversalTime());
    }

    /// <summary>The report as GitHub-flavoured Markdown (a step summary): facts, the time line as a table, gates, rollback.</summary>
    public string ToMarkdown() => MarkdownReport.Render(this);

    /// <summary>The report as one self-contained HTML page: inline style and SVG, no script, nothing fetched.</summary>
    public string ToHtml() => HtmlReport.Render(this);

    /// <summary>The time line picture of release <paramref name="index"/> as an SVG element.</summary>
    public string ToSvg(int index = 0) => TimelineSvg.Render(Releases[index], Timelines[index], "r" + index.ToString(CultureInfo.InvariantCulture));

    // ----- shared wording ---------------------------------------------------------------------------------

    internal static string Outcome(BlueGreenDeployment d)
    {
        var text = d.Status switch
        {
            DeploymentStatus.Succeeded => "Succeeded: green serves all production traffic",
            DeploymentStatus.Failed => "Failed",
            DeploymentStatus.Stopped => "Stopped",
            DeploymentStatus.Baking => "Traffic moved; blue is kept until the termination wait ends",
            DeploymentStatus.Ready => "Ready: waiting for the go-ahead to move production traffic",
            _ => d.Status.ToString(),
        };
        if (d.ErrorCode is not null)
        {
            text += $" ({d.ErrorCode}: {d.ErrorMessage})";
        }

        if (d.RolledBack)
        {
            text += $"; rolled back by {d.RollbackDeploymentId}, blue serves again";
        }

        return text;
    }

    internal static string TargetText(BlueGreenDeployment d) => d.Target?.DisplayName ?? d.TargetId ?? "(not known)";

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    internal static string Clock(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    internal static string Offset(TimeSpan span)
    {
        var sign = span < TimeSpan.Zero ? "-" : "+";
        span = span.Duration();
        return span.TotalHours >= 1
            ? string.Format(CultureInfo.InvariantCulture, "T{0}{1}h{2:00}m{3:00}s", sign, (int)span.TotalHours, span.Minutes, span.Seconds)
            : string.Format(CultureInfo.InvariantCulture, "T{0}{1}m{2:00}s", sign, (int)span.TotalMinutes, span.Seconds);
    }

    internal static string Percent(double value) => value.ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>The facts of a release as label/value pairs, in the order shown.</summary>
    internal static IEnumerable<(string Label, string Value)> Facts(BlueGreenDeployment d, TrafficTimeline t)
    {
        yield return ("Release", d.DeploymentId);
        yield return ("Target", TargetText(d));
        yield return ("Engine", d.Engine.ToString());
        if (d.ApplicationName is not null)
        {
            yield return ("Application / group", $"{d.ApplicationName} / {d.DeploymentGroupName}");
        }

        yield return ("Blue (serving before)", d.Blue ?? "(not known)");
        yield return ("Green (released)", d.Green ?? "(not known)");
        yield return ("Policy", t.Policy?.ShortName ?? d.TrafficShift ?? "(not known)");
        yield return ("Region", d.Region.Length == 0 ? "(not known)" : d.Region);
        if (d.CreateTime is { } created)
        {
            yield return ("Started", Time(TrafficTimeline.Utc(created)));
        }

        if (d.CompleteTime is { } completed)
        {
            yield return ("Ended", Time(TrafficTimeline.Utc(completed)));
        }

        yield return ("Outcome", Outcome(d));
        yield return ("Production split now", $"blue {Percent(100 - d.GreenTrafficPercent)}, green {Percent(d.GreenTrafficPercent)}");
        if (d.IsRollback)
        {
            yield return ("Rolls back", d.RollbackTriggeringDeploymentId ?? "(a release)");
        }
    }

    /// <summary>The rows of a time line table: each change of split and each mark, in time order.</summary>
    internal static IEnumerable<TimelineRow> Rows(TrafficTimeline t)
    {
        var rows = t.Segments.Select(s => new TimelineRow(s.From, s, null))
            .Concat(t.Marks.Select(m => new TimelineRow(m.Time, null, m)));
        return rows.OrderBy(r => r.Time).ThenBy(r => r.Segment is null ? 1 : 0);
    }

    internal static IEnumerable<SmokeTestResult> SmokeTests(BlueGreenDeployment d) =>
        d.Gates.Where(g => g.Kind == ReleaseGateKind.SmokeTest).Select(g => g.Result).OfType<SmokeTestResult>();

    internal static IEnumerable<(ReleaseGate Gate, CanaryAnalysisResult Result)> Analyses(BlueGreenDeployment d) =>
        d.Gates.Where(g => g.Kind == ReleaseGateKind.Analysis && g.Result is CanaryAnalysisResult).Select(g => (g, (CanaryAnalysisResult)g.Result!));

    internal sealed class TimelineRow
    {
        public TimelineRow(DateTimeOffset time, TrafficSegment? segment, TimelineMark? mark)
        {
            Time = time;
            Segment = segment;
            Mark = mark;
        }

        public DateTimeOffset Time { get; }

        public TrafficSegment? Segment { get; }

        public TimelineMark? Mark { get; }
    }
}
