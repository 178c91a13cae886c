using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using BlueGreen.Core.Deployments;
using static BlueGreen.Core.Reporting.TimelineSvg;

namespace BlueGreen.Core.Reporting;

/// <summary>
/// A report as one HTML page that needs nothing else: the style inline (allowed by its hash in the page's Content
/// Security Policy, which allows nothing else: no script, no fetch, no frame), the pictures inline SVG, each with its
/// text alternative as a table. Every value from AWS or a user is escaped.
/// </summary>
internal static class HtmlReport
{
    private const string Style =
        "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1000px;color:#24292f;background:#fff;padding:0 1rem}" +
        "h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2.5rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}h3{font-size:1.05rem}" +
        "table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top;font-size:.9rem}" +
        "th{background:#f6f8fa}td.num{text-align:right}.Pass,.Succeeded{color:#1a7f37;font-weight:600}.Fail,.Failed,.Stopped{color:#cf222e;font-weight:600}" +
        ".Marginal,.Inconclusive{color:#9a6700;font-weight:600}figure{margin:1rem 0}figcaption{font-size:.85rem;color:#57606a}" +
        "svg.timeline{max-width:100%;height:auto;font-family:inherit}svg .tick{font-size:11px;fill:#57606a}svg .event-label{font-size:10px}" +
        "svg .gate-label{font-size:11px;fill:#24292f}svg .rollback-label{font-size:12px;fill:#cf222e;font-weight:600}svg .end-label{font-size:11px;fill:#24292f}" +
        "details{margin:.5rem 0}summary{cursor:pointer}code{font-family:ui-monospace,monospace}";

    public static string Render(ReleaseReport report)
    {
        var hash = Convert.ToBase64String(Sha256(Encoding.UTF8.GetBytes(Style)));
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-").Append(hash).Append("'; img-src data:; base-uri 'none'; form-action 'none'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n")
            .Append("<title>").Append(Text(Title(report))).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n");
        html.Append("<h1>Release report</h1>\n<p>").Append(Text(string.Format(CultureInfo.InvariantCulture, "{0} release{1}, made {2}.",
            report.Releases.Count, report.Releases.Count == 1 ? string.Empty : "s", ReleaseReport.Time(report.GeneratedAt)))).Append("</p>\n");
        for (var i = 0; i < report.Releases.Count; i++)
        {
            Release(html, report.Releases[i], report.Timelines[i], "r" + i.ToString(CultureInfo.InvariantCulture));
        }

        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Title(ReleaseReport report) =>
        report.Releases.Count == 1 ? $"Release {report.Releases[0].DeploymentId}: {report.Releases[0].Status}" : $"Release report: {report.Releases.Count} releases";

    private static void Release(StringBuilder html, BlueGreenDeployment d, TrafficTimeline t, string id)
    {
        html.Append("<section class=\"release\" aria-labelledby=\"").Append(id).Append("-h\" data-deployment-id=\"").Append(Attr(d.DeploymentId)).Append("\">\n");
        html.Append("<h2 id=\"").Append(id).Append("-h\">Release ").Append(Text(d.DeploymentId)).Append(": <span class=\"").Append(d.Status).Append("\">").Append(d.Status)
            .Append("</span>").Append(d.RolledBack ? ", rolled back" : string.Empty).Append("</h2>\n");
        html.Append("<table class=\"facts\">\n");
        foreach (var (label, value) in ReleaseReport.Facts(d, t))
        {
            html.Append("<tr><th scope=\"row\">").Append(Text(label)).Append("</th><td>").Append(Text(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n<h3>Traffic over time</h3>\n<figure>\n").Append(TimelineSvg.Render(d, t, id)).Append("\n<figcaption>")
            .Append(Text("Green's share of production traffic from the bottom, blue's above it, by the service's clock. " +
                (t.HasObserved ? "Solid stretches were read from AWS while the release ran; hatched ones are planned from the policy and the lifecycle events' times."
                    : "No share was read while the release ran: every stretch is planned from the policy and the lifecycle events' times (hatched).")))
            .Append("</figcaption>\n</figure>\n");

        html.Append("<details><summary>The time line as a table</summary>\n<table class=\"timeline-table\">\n<tr><th scope=\"col\">Time (UTC)</th><th scope=\"col\">Since start</th>")
            .Append("<th scope=\"col\">Blue</th><th scope=\"col\">Green</th><th scope=\"col\">Source</th><th scope=\"col\">Event</th></tr>\n");
        foreach (var row in ReleaseReport.Rows(t))
        {
            html.Append("<tr><td>").Append(ReleaseReport.Clock(row.Time)).Append("</td><td>").Append(ReleaseReport.Offset(row.Time - t.Start)).Append("</td>");
            if (row.Segment is { } s)
            {
                html.Append("<td class=\"num\">").Append(ReleaseReport.Percent(s.BluePercent)).Append("</td><td class=\"num\">").Append(ReleaseReport.Percent(s.GreenPercent))
                    .Append("</td><td>").Append(s.Source == TrafficSource.Observed ? "observed" : "planned").Append("</td><td></td></tr>\n");
            }
            else
            {
                html.Append("<td></td><td></td><td></td><td>").Append(Text(MarkdownReport.MarkText(row.Mark!))).Append("</td></tr>\n");
            }
        }

        html.Append("</table>\n</details>\n");

        var gates = t.Marks.Where(m => m.Kind == TimelineMarkKind.Gate).ToList();
        if (gates.Count > 0)
        {
            html.Append("<h3>Gates</h3>\n<table class=\"gates\">\n<tr><th scope=\"col\">Time (UTC)</th><th scope=\"col\">Gate</th><th scope=\"col\">Verdict</th><th scope=\"col\">Why</th></tr>\n");
            foreach (var g in gates)
            {
                html.Append("<tr><td>").Append(ReleaseReport.Clock(g.Time)).Append("</td><td>").Append(Text(g.Label)).Append("</td><td class=\"").Append(Attr(g.Verdict)).Append("\">")
                    .Append(Text(g.Verdict)).Append("</td><td>").Append(Text(g.Detail)).Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        var smokeTests = ReleaseReport.SmokeTests(d).ToList();
        if (smokeTests.Count > 0)
        {
            html.Append("<h3>Smoke tests</h3>\n<table class=\"smoke-tests\">\n<tr><th scope=\"col\">Target</th><th scope=\"col\">Verdict</th><th scope=\"col\">Requests</th>")
                .Append("<th scope=\"col\">Failed</th><th scope=\"col\">Error rate</th><th scope=\"col\">p50</th><th scope=\"col\">p99</th><th scope=\"col\">Served by</th></tr>\n");
            foreach (var s in smokeTests)
            {
                html.Append("<tr><td>").Append(Text(s.Target)).Append("</td><td class=\"").Append(s.Passed ? "Pass\">Pass" : "Fail\">Fail").Append("</td><td class=\"num\">")
                    .Append(s.Requests.ToString(CultureInfo.InvariantCulture)).Append("</td><td class=\"num\">").Append(s.Failed.ToString(CultureInfo.InvariantCulture))
                    .Append("</td><td class=\"num\">").Append(ReleaseReport.Percent(s.ErrorRate * 100)).Append("</td><td class=\"num\">").Append(Ms(s.P50)).Append("</td><td class=\"num\">")
                    .Append(Ms(s.P99)).Append("</td><td>").Append(Text(s.ServedBy)).Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        var analyses = ReleaseReport.Analyses(d).ToList();
        if (analyses.Count > 0)
        {
            html.Append("<h3>Analysis</h3>\n");
            foreach (var (gate, result) in analyses)
            {
                html.Append("<p><strong>").Append(Text(gate.Name.Length == 0 ? "Analysis" : "Interval " + gate.Name)).Append(": <span class=\"").Append(result.Verdict).Append("\">")
                    .Append(result.Verdict).Append("</span></strong>, score ").Append(result.Score.ToString("0.#", CultureInfo.InvariantCulture)).Append(". ").Append(Text(result.Reason)).Append("</p>\n");
                if (result.Metrics.Count > 0)
                {
                    html.Append("<table class=\"metrics\">\n<tr><th scope=\"col\">Metric</th><th scope=\"col\">Verdict</th><th scope=\"col\">Green median</th><th scope=\"col\">Blue median</th>")
                        .Append("<th scope=\"col\">p-value</th><th scope=\"col\">Why</th></tr>\n");
                    foreach (var m in result.Metrics)
                    {
                        html.Append("<tr><td>").Append(Text(m.Name + (m.Critical ? " (critical)" : string.Empty))).Append("</td><td class=\"").Append(m.Verdict).Append("\">").Append(m.Verdict)
                            .Append("</td><td class=\"num\">").Append(Number(m.GreenMedian)).Append("</td><td class=\"num\">").Append(Number(m.BlueMedian)).Append("</td><td class=\"num\">")
                            .Append(Number(m.PValue)).Append("</td><td>").Append(Text(m.Reason)).Append("</td></tr>\n");
                    }

                    html.Append("</table>\n");
                }
            }
        }

        html.Append("<h3>Rollback</h3>\n<p class=\"rollback\">").Append(Text(d.RolledBack
            ? $"Rolled back by {d.RollbackDeploymentId}: blue serves again." + (d.RollbackMessage is { Length: > 0 } why ? " " + why : string.Empty)
            : d.IsRollback ? $"This deployment is itself a rollback of {d.RollbackTriggeringDeploymentId}." : "None.")).Append("</p>\n</section>\n");
    }

    private static string Ms(TimeSpan? value) => value is { } v ? v.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : "-";

    private static string Number(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    private static byte[] Sha256(byte[] data)
    {
        using var sha = SHA256.Create();
        return sha.ComputeHash(data);
    }
}
