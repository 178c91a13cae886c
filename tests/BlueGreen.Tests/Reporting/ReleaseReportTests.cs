using System;
using System.Linq;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Reporting;
using static BlueGreen.Tests.Reporting.SampleReleases;

namespace BlueGreen.Tests.Reporting;

public class TrafficTimelineTests
{
    [Fact]
    public void A_release_nobody_watched_is_drawn_from_its_policy_and_lifecycle_times()
    {
        var t = TrafficTimeline.Build(Succeeded(), AtOffset(30));

        Assert.Equal(AtOffset(0), t.Start);
        Assert.Equal(AtOffset(8), t.End);
        Assert.All(t.Segments, s => Assert.Equal(TrafficSource.Planned, s.Source));
        Assert.Equal(0, t.At(AtOffset(2, 9))!.GreenPercent);
        Assert.Equal(10, t.At(AtOffset(2, 10))!.GreenPercent);
        Assert.Equal(10, t.At(AtOffset(7, 9))!.GreenPercent);
        Assert.Equal(100, t.At(AtOffset(7, 10))!.GreenPercent);
        Assert.Equal(100, t.At(AtOffset(8))!.GreenPercent);
        Assert.Null(t.At(AtOffset(9)));
    }

    [Fact]
    public void Reads_win_where_the_session_looked_and_gates_move_to_the_services_clock()
    {
        var t = TrafficTimeline.Build(RolledBack(), AtOffset(30));

        var planned = t.At(AtOffset(2, 12))!;
        Assert.Equal((10.0, TrafficSource.Planned), (planned.GreenPercent, planned.Source));
        Assert.Equal(0, t.At(AtOffset(2, 9))!.GreenPercent);
        var first = t.At(AtOffset(2, 30))!;
        Assert.Equal((10.0, TrafficSource.Observed), (first.GreenPercent, first.Source));
        var second = t.At(AtOffset(3, 59))!;
        Assert.Equal((20.0, TrafficSource.Observed), (second.GreenPercent, second.Source));

        var gate = Assert.Single(t.Marks, m => m.Kind == TimelineMarkKind.Gate);
        Assert.Equal(AtOffset(3, 30), gate.Time);
        Assert.Equal("Fail", gate.Verdict);
        var rollback = Assert.Single(t.Marks, m => m.Kind == TimelineMarkKind.Rollback);
        Assert.Equal(("d-ROLLBACK3", AtOffset(4)), (rollback.Label, rollback.Time));
    }

    [Fact]
    public void The_segments_cover_the_picture_without_gaps()
    {
        foreach (var d in new[] { Succeeded(), RolledBack(), new BlueGreenDeployment("d-EMPTY0001") })
        {
            var t = TrafficTimeline.Build(d, AtOffset(30));
            Assert.Equal(t.Start, t.Segments[0].From);
            Assert.Equal(t.End, t.Segments[t.Segments.Count - 1].To);
            for (var i = 1; i < t.Segments.Count; i++)
            {
                Assert.Equal(t.Segments[i - 1].To, t.Segments[i].From);
            }
        }
    }
}

public class ReleaseReportMarkdownTests
{
    [Fact]
    public void The_markdown_has_the_facts_and_a_row_per_change_of_split()
    {
        var md = ReleaseReport.From(new[] { Succeeded() }, AtOffset(30)).ToMarkdown();

        Assert.Contains("## Release d-CANARY001: Succeeded", md, StringComparison.Ordinal);
        Assert.Contains("| Blue (serving before) | web:7 |", md, StringComparison.Ordinal);
        Assert.Contains("| Green (released) | web:8 |", md, StringComparison.Ordinal);
        Assert.Contains("| Policy | Canary10Percent5Minutes |", md, StringComparison.Ordinal);
        Assert.Contains("| 12:02:10 | T+2m10s | 90% | 10% | `------------------##` | *planned* | |", md, StringComparison.Ordinal);
        Assert.Contains("| 12:07:10 | T+7m10s | 0% | 100% | `####################` | *planned* | |", md, StringComparison.Ordinal);
        Assert.Contains("| 12:01:50 | smoke test | **Pass** |", md, StringComparison.Ordinal);
        Assert.Contains("### Smoke tests", md, StringComparison.Ordinal);
        Assert.Contains("None.", md, StringComparison.Ordinal);
    }

    [Fact]
    public void The_markdown_of_a_rolled_back_release_says_so_and_shows_the_analysis()
    {
        var md = ReleaseReport.From(new[] { RolledBack() }, AtOffset(30)).ToMarkdown();

        Assert.Contains("## Release d-LINEAR002: Failed, rolled back", md, StringComparison.Ordinal);
        Assert.Contains("| 12:02:15 | T+2m15s | 90% | 10% | `------------------##` | observed | |", md, StringComparison.Ordinal);
        Assert.Contains("| 12:03:30 | T+3m30s | | | | | analysis 1: Fail |", md, StringComparison.Ordinal);
        Assert.Contains("rolled back by d-ROLLBACK3", md, StringComparison.Ordinal);
        Assert.Contains("| Latency (critical) | Fail | 180 | 40 | 0.001 | green slower |", md, StringComparison.Ordinal);
        Assert.Contains("Rolled back by d-ROLLBACK3: blue serves again.", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_cannot_add_markup_links_or_rows()
    {
        var d = Succeeded();
        d.Cluster = "prod";
        d.Service = "<img src=x onerror=alert(1)>|[link](javascript:x)\n# heading";

        var md = ReleaseReport.From(d).ToMarkdown();

        Assert.DoesNotContain("<img", md, StringComparison.Ordinal);
        Assert.DoesNotContain("[link](", md, StringComparison.Ordinal);
        Assert.DoesNotContain("\n# heading", md, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;\\|\\[link\\](javascript:x) \\# heading", md, StringComparison.Ordinal);
        Assert.All(md.Split('\n').Where(l => l.StartsWith("| Target | service", StringComparison.Ordinal)), l => Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(l, @"(?<!\\)\|")));
    }

    [Fact]
    public void A_report_needs_a_release()
    {
        Assert.Throws<ArgumentException>(() => ReleaseReport.From(Array.Empty<BlueGreenDeployment>()));
    }
}
