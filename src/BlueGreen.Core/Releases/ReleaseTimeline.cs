using System;
using System.Collections.Generic;
using System.Globalization;

namespace BlueGreen.Core.Releases;

/// <summary>One expected moment of a release, counted from when it starts.</summary>
public sealed class TimelineStep
{
    public TimelineStep(TimeSpan at, string what, int greenPercent)
    {
        At = at;
        What = what;
        GreenPercent = greenPercent;
    }

    /// <summary>Time after the green tasks run (test traffic on green); a Ready wait ahead of it adds to the later steps.</summary>
    public TimeSpan At { get; }

    public string What { get; }

    /// <summary>The green share of production traffic from then on.</summary>
    public int GreenPercent { get; }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "T+{0,-7} {1}", Format(At), What);

    internal static string Format(TimeSpan span) =>
        span.TotalMinutes < 1 && span.TotalSeconds > 0 ? span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + "s"
        : span.TotalHours >= 1 ? string.Format(CultureInfo.InvariantCulture, "{0}h{1:00}m", (int)span.TotalHours, span.Minutes)
        : ((int)span.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m";
}

/// <summary>When test traffic starts, each production step, and when blue is removed.</summary>
public static class ReleaseTimeline
{
    /// <param name="policy">How production traffic moves.</param>
    /// <param name="readyWaitMinutes">Null when production traffic moves without waiting for the go-ahead; otherwise the longest wait before the release stops.</param>
    /// <param name="terminationWaitMinutes">Minutes blue is kept after all traffic moved.</param>
    public static IReadOnlyList<TimelineStep> Compute(TrafficShiftPolicy policy, int? readyWaitMinutes, int terminationWaitMinutes)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        var steps = new List<TimelineStep>
        {
            new(TimeSpan.Zero, "green tasks running; test listener on green (0% of production)", 0),
        };
        var start = TimeSpan.Zero;
        if (readyWaitMinutes is { } wait)
        {
            steps.Add(new TimelineStep(TimeSpan.Zero, string.Format(CultureInfo.InvariantCulture,
                "Ready: waits for Set-TrafficShift -Continue (stops after {0} min); the times below count from the go-ahead", wait), 0));
        }

        var last = start;
        foreach (var (minute, percent) in policy.Steps())
        {
            last = start + TimeSpan.FromMinutes(minute);
            steps.Add(new TimelineStep(last, string.Format(CultureInfo.InvariantCulture, "production {0}% green, {1}% blue", percent, 100 - percent), percent));
        }

        var removal = last + TimeSpan.FromMinutes(Math.Max(0, terminationWaitMinutes));
        steps.Add(new TimelineStep(removal, string.Format(CultureInfo.InvariantCulture,
            "blue removed (termination wait {0} min; Set-TrafficShift -Complete ends it early); release Succeeded", terminationWaitMinutes), 100));
        return steps;
    }
}
