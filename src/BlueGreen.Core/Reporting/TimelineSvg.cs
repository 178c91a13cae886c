using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Reporting;

/// <summary>
/// A release's time line as an SVG picture: green's share of production traffic (from the bottom) and blue's (above it)
/// as stacked steps over time, planned stretches hatched; lifecycle events as ticks below; gates as marks above, coloured
/// by verdict; the rollback as a red line. Every shape carries its numbers as data-* attributes and a title, so that a
/// reader, a screen reader or a test can tell what it shows without measuring it.
/// </summary>
internal static class TimelineSvg
{
    public const int Width = 960;
    public const int Left = 56;
    public const int Right = 24;
    public const int GateTop = 24;
    public const int PlotTop = 56;
    public const int PlotHeight = 200;
    public const int EventTop = PlotTop + PlotHeight + 34;

    public static string Render(BlueGreenDeployment deployment, TrafficTimeline timeline, string id)
    {
        var events = timeline.Marks.Where(m => m.Kind == TimelineMarkKind.LifecycleEvent).ToList();
        var height = EventTop + 20 + (Math.Min(events.Count, 8) * 0) + 60;
        var plotWidth = Width - Left - Right;
        var seconds = Math.Max(1, (timeline.End - timeline.Start).TotalSeconds);
        double X(DateTimeOffset t) => Left + (Math.Max(0, Math.Min(seconds, (t - timeline.Start).TotalSeconds)) / seconds * plotWidth);
        double Y(double percent) => PlotTop + PlotHeight - (percent / 100 * PlotHeight);

        var svg = new StringBuilder();
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" role=\"img\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(height)
            .Append("\" width=\"").Append(Width).Append("\" height=\"").Append(height).Append("\" aria-labelledby=\"").Append(id).Append("-title ").Append(id).Append("-desc\"")
            .Append(" data-start=\"").Append(Iso(timeline.Start)).Append("\" data-end=\"").Append(Iso(timeline.End)).Append("\" data-plot-left=\"").Append(Left)
            .Append("\" data-plot-width=\"").Append(plotWidth).Append("\" data-plot-top=\"").Append(PlotTop).Append("\" data-plot-height=\"").Append(PlotHeight).Append("\">");
        svg.Append("<title id=\"").Append(id).Append("-title\">").Append(Text($"Traffic of release {deployment.DeploymentId} over time")).Append("</title>");
        svg.Append("<desc id=\"").Append(id).Append("-desc\">").Append(Text(Describe(deployment, timeline))).Append("</desc>");
        svg.Append("<defs><pattern id=\"").Append(id).Append("-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">")
            .Append("<rect width=\"6\" height=\"6\" fill=\"#ffffff\" fill-opacity=\"0.35\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" stroke-width=\"2\"/></pattern></defs>");

        // Axis frame and percent grid.
        svg.Append("<g class=\"grid\">");
        foreach (var p in new[] { 0, 25, 50, 75, 100 })
        {
            svg.Append("<line x1=\"").Append(Left).Append("\" x2=\"").Append(Left + plotWidth).Append("\" y1=\"").Append(N(Y(p))).Append("\" y2=\"").Append(N(Y(p)))
                .Append("\" stroke=\"#d0d7de\" stroke-width=\"1\"/>");
            svg.Append("<text x=\"").Append(Left - 6).Append("\" y=\"").Append(N(Y(p) + 4)).Append("\" text-anchor=\"end\" class=\"tick\">").Append(p).Append("%</text>");
        }

        svg.Append("</g>");

        // The shares: green from the bottom, blue stacked above it.
        svg.Append("<g class=\"shares\">");
        foreach (var s in timeline.Segments)
        {
            var x = X(s.From);
            var w = Math.Max(0.5, X(s.To) - x);
            var source = s.Source == TrafficSource.Observed ? "observed" : "planned";
            var title = string.Format(CultureInfo.InvariantCulture, "{0} to {1} UTC: blue {2}, green {3} ({4})", ReleaseReport.Clock(s.From), ReleaseReport.Clock(s.To),
                ReleaseReport.Percent(s.BluePercent), ReleaseReport.Percent(s.GreenPercent), source);
            svg.Append("<g class=\"segment ").Append(source).Append("\" data-from=\"").Append(Iso(s.From)).Append("\" data-to=\"").Append(Iso(s.To))
                .Append("\" data-green=\"").Append(N(s.GreenPercent)).Append("\" data-blue=\"").Append(N(s.BluePercent)).Append("\" data-source=\"").Append(source).Append("\">");
            svg.Append("<title>").Append(Text(title)).Append("</title>");
            Rect(svg, "share blue", x, PlotTop, w, Y(s.GreenPercent) - PlotTop, "#1f6feb", id, s.Source);
            Rect(svg, "share green", x, Y(s.GreenPercent), w, PlotTop + PlotHeight - Y(s.GreenPercent), "#2da44e", id, s.Source);
            svg.Append("</g>");
        }

        svg.Append("</g>");

        // Time axis: start, end and ticks between, as clock time and time since the start.
        svg.Append("<g class=\"axis\">");
        var ticks = 6;
        for (var i = 0; i <= ticks; i++)
        {
            var t = timeline.Start + TimeSpan.FromSeconds(seconds * i / ticks);
            var x = X(t);
            svg.Append("<line x1=\"").Append(N(x)).Append("\" x2=\"").Append(N(x)).Append("\" y1=\"").Append(PlotTop + PlotHeight).Append("\" y2=\"").Append(PlotTop + PlotHeight + 5)
                .Append("\" stroke=\"#57606a\"/>");
            svg.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(PlotTop + PlotHeight + 18).Append("\" text-anchor=\"").Append(i == 0 ? "start" : i == ticks ? "end" : "middle")
                .Append("\" class=\"tick\">").Append(Text(ReleaseReport.Clock(t) + " (" + ReleaseReport.Offset(t - timeline.Start) + ")")).Append("</text>");
        }

        svg.Append("</g>");

        // Lifecycle events: a tick and the event's name on alternating rows.
        svg.Append("<g class=\"events\">");
        var row = 0;
        foreach (var e in events)
        {
            var x = X(e.Time);
            var failed = e.Verdict == "Failed";
            var y = EventTop + (row++ % 3 * 14);
            svg.Append("<g class=\"event\" data-time=\"").Append(Iso(e.Time)).Append("\" data-name=\"").Append(Attr(e.Label)).Append("\" data-status=\"").Append(Attr(e.Verdict ?? string.Empty)).Append("\">");
            svg.Append("<title>").Append(Text(e.Detail)).Append("</title>");
            svg.Append("<line x1=\"").Append(N(x)).Append("\" x2=\"").Append(N(x)).Append("\" y1=\"").Append(PlotTop).Append("\" y2=\"").Append(y - 10)
                .Append("\" stroke=\"").Append(failed ? "#cf222e" : "#57606a").Append("\" stroke-dasharray=\"2 3\" stroke-width=\"1\"/>");
            svg.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(y).Append("\" class=\"event-label\" fill=\"").Append(failed ? "#cf222e" : "#24292f").Append("\">")
                .Append(Text(e.Label)).Append("</text></g>");
        }

        svg.Append("</g>");

        // Gates above the plot: a circle for a pass, a cross for a fail, a diamond for anything else.
        svg.Append("<g class=\"gates\">");
        foreach (var g in timeline.Marks.Where(m => m.Kind == TimelineMarkKind.Gate))
        {
            var x = X(g.Time);
            var colour = g.Verdict switch { "Pass" => "#2da44e", "Fail" => "#cf222e", _ => "#bf8700" };
            svg.Append("<g class=\"gate\" data-time=\"").Append(Iso(g.Time)).Append("\" data-verdict=\"").Append(Attr(g.Verdict ?? string.Empty)).Append("\" data-name=\"").Append(Attr(g.Label)).Append("\">");
            svg.Append("<title>").Append(Text($"{g.Label}: {g.Verdict} at {ReleaseReport.Clock(g.Time)} UTC. {g.Detail}")).Append("</title>");
            svg.Append("<line x1=\"").Append(N(x)).Append("\" x2=\"").Append(N(x)).Append("\" y1=\"").Append(GateTop + 8).Append("\" y2=\"").Append(PlotTop + PlotHeight)
                .Append("\" stroke=\"").Append(colour).Append("\" stroke-width=\"1.5\"/>");
            switch (g.Verdict)
            {
                case "Pass":
                    svg.Append("<circle cx=\"").Append(N(x)).Append("\" cy=\"").Append(GateTop).Append("\" r=\"7\" fill=\"").Append(colour).Append("\"/>");
                    break;
                case "Fail":
                    svg.Append("<path d=\"M").Append(N(x - 6)).Append(' ').Append(GateTop - 6).Append('L').Append(N(x + 6)).Append(' ').Append(GateTop + 6).Append('M').Append(N(x + 6)).Append(' ')
                        .Append(GateTop - 6).Append('L').Append(N(x - 6)).Append(' ').Append(GateTop + 6).Append("\" stroke=\"").Append(colour).Append("\" stroke-width=\"3\"/>");
                    break;
                default:
                    svg.Append("<path d=\"M").Append(N(x)).Append(' ').Append(GateTop - 7).Append('L').Append(N(x + 7)).Append(' ').Append(GateTop).Append('L').Append(N(x)).Append(' ')
                        .Append(GateTop + 7).Append('L').Append(N(x - 7)).Append(' ').Append(GateTop).Append("Z\" fill=\"").Append(colour).Append("\"/>");
                    break;
            }

            svg.Append("<text x=\"").Append(N(x + 10)).Append("\" y=\"").Append(GateTop + 4).Append("\" class=\"gate-label\">").Append(Text($"{g.Label}: {g.Verdict}")).Append("</text></g>");
        }

        svg.Append("</g>");

        // The rollback and the end.
        foreach (var m in timeline.Marks.Where(m => m.Kind is TimelineMarkKind.Rollback or TimelineMarkKind.End))
        {
            var x = X(m.Time);
            var rollback = m.Kind == TimelineMarkKind.Rollback;
            svg.Append("<g class=\"").Append(rollback ? "rollback" : "end").Append("\" data-time=\"").Append(Iso(m.Time)).Append("\" data-name=\"").Append(Attr(m.Label)).Append("\">");
            svg.Append("<title>").Append(Text(m.Detail)).Append("</title>");
            svg.Append("<line x1=\"").Append(N(x)).Append("\" x2=\"").Append(N(x)).Append("\" y1=\"").Append(PlotTop - 8).Append("\" y2=\"").Append(PlotTop + PlotHeight)
                .Append("\" stroke=\"").Append(rollback ? "#cf222e" : "#24292f").Append("\" stroke-width=\"").Append(rollback ? "3" : "1.5").Append('"')
                .Append(rollback ? " stroke-dasharray=\"6 3\"" : string.Empty).Append("/>");
            svg.Append("<text x=\"").Append(N(x - 4)).Append("\" y=\"").Append(PlotTop - 12 + (rollback ? 0 : 0)).Append("\" text-anchor=\"end\" class=\"").Append(rollback ? "rollback-label" : "end-label").Append("\">")
                .Append(Text(rollback ? "rolled back: " + m.Label : m.Label)).Append("</text></g>");
        }

        // Legend.
        var ly = height - 14;
        svg.Append("<g class=\"legend\">");
        Legend(svg, Left, ly, "#1f6feb", null, "blue");
        Legend(svg, Left + 80, ly, "#2da44e", null, "green");
        Legend(svg, Left + 170, ly, "#2da44e", id, "planned (policy)");
        svg.Append("<text x=\"").Append(Left + 320).Append("\" y=\"").Append(ly).Append("\" class=\"tick\">")
            .Append(Text("gates: \u25CF pass  \u2716 fail  \u25C6 other    red dashed line: rollback")).Append("</text>");
        svg.Append("</g></svg>");
        return svg.ToString();
    }

    /// <summary>The picture in words: what a screen reader says and what shows when the picture cannot.</summary>
    internal static string Describe(BlueGreenDeployment d, TrafficTimeline t)
    {
        var parts = t.Segments.Select(s => string.Format(CultureInfo.InvariantCulture, "from {0} green {1} ({2})", ReleaseReport.Clock(s.From), ReleaseReport.Percent(s.GreenPercent),
            s.Source == TrafficSource.Observed ? "observed" : "planned"));
        var gates = t.Marks.Where(m => m.Kind == TimelineMarkKind.Gate).Select(m => $"{m.Label} {m.Verdict} at {ReleaseReport.Clock(m.Time)}");
        var text = $"Production traffic of {ReleaseReport.TargetText(d)} from {ReleaseReport.Time(t.Start)} to {ReleaseReport.Time(t.End)}: " + string.Join("; ", parts) + ".";
        var gateText = string.Join("; ", gates);
        if (gateText.Length > 0)
        {
            text += " Gates: " + gateText + ".";
        }

        if (d.RolledBack)
        {
            text += $" Rolled back by {d.RollbackDeploymentId} at {ReleaseReport.Clock(t.End)}.";
        }

        return text;
    }

    private static void Rect(StringBuilder svg, string cls, double x, double y, double w, double h, string colour, string id, TrafficSource source)
    {
        svg.Append("<rect class=\"").Append(cls).Append("\" x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\" width=\"").Append(N(w)).Append("\" height=\"").Append(N(Math.Max(0, h)))
            .Append("\" fill=\"").Append(colour).Append("\"/>");
        if (source == TrafficSource.Planned && h > 0)
        {
            svg.Append("<rect class=\"hatch\" x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\" width=\"").Append(N(w)).Append("\" height=\"").Append(N(h))
                .Append("\" fill=\"url(#").Append(id).Append("-hatch)\"/>");
        }
    }

    private static void Legend(StringBuilder svg, int x, int y, string colour, string? hatch, string label)
    {
        svg.Append("<rect x=\"").Append(x).Append("\" y=\"").Append(y - 10).Append("\" width=\"14\" height=\"12\" fill=\"").Append(colour).Append("\"/>");
        if (hatch is not null)
        {
            svg.Append("<rect x=\"").Append(x).Append("\" y=\"").Append(y - 10).Append("\" width=\"14\" height=\"12\" fill=\"url(#").Append(hatch).Append("-hatch)\"/>");
        }

        svg.Append("<text x=\"").Append(x + 18).Append("\" y=\"").Append(y).Append("\" class=\"tick\">").Append(Text(label)).Append("</text>");
    }

    internal static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Text content, escaped for XML and HTML alike.</summary>
    internal static string Text(string? value) => WebUtility.HtmlEncode(Clean(value));

    /// <summary>An attribute value (always double-quoted), escaped.</summary>
    internal static string Attr(string? value) => WebUtility.HtmlEncode(Clean(value));

    // Characters XML does not allow, even escaped.
    private static string Clean(string? value) =>
        new((value ?? string.Empty).Select(c => char.IsControl(c) && c is not '\t' ? ' ' : c).ToArray());
}
