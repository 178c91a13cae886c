using System;
using System.Globalization;

namespace BlueGreen.Core.Reporting;

/// <summary>Where a share in a report comes from.</summary>
public enum TrafficSource
{
    /// <summary>Read from AWS by this session (a wait, a shift, a read).</summary>
    Observed,

    /// <summary>Worked out from the traffic-shift policy and the lifecycle events' times: what should have happened.</summary>
    Planned,
}

/// <summary>A stretch of time with one production split: green's share from <see cref="From"/> until <see cref="To"/>.</summary>
public sealed class TrafficSegment
{
    public TrafficSegment(DateTimeOffset from, DateTimeOffset to, double greenPercent, TrafficSource source)
    {
        From = from;
        To = to;
        GreenPercent = Math.Max(0, Math.Min(100, greenPercent));
        Source = source;
    }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    public double GreenPercent { get; }

    public double BluePercent => 100 - GreenPercent;

    public TrafficSource Source { get; }

    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "{0:HH:mm:ss}-{1:HH:mm:ss} green {2:0.#}% ({3})", From, To, GreenPercent, Source);
}

/// <summary>Something that happened in a release, placed on its time line.</summary>
public enum TimelineMarkKind
{
    /// <summary>A lifecycle event started (its status and end are in the mark).</summary>
    LifecycleEvent,

    /// <summary>A smoke test, analysis interval or alarm gave its verdict.</summary>
    Gate,

    /// <summary>The release was rolled back: blue serves again.</summary>
    Rollback,

    /// <summary>The release ended (succeeded, failed or stopped).</summary>
    End,
}

/// <summary>One mark on a release's time line.</summary>
public sealed class TimelineMark
{
    public TimelineMark(TimelineMarkKind kind, DateTimeOffset time, string label, string? verdict, string detail)
    {
        Kind = kind;
        Time = time;
        Label = label ?? string.Empty;
        Verdict = verdict;
        Detail = detail ?? string.Empty;
    }

    public TimelineMarkKind Kind { get; }

    public DateTimeOffset Time { get; }

    /// <summary>A short name: the event, the gate, the rollback's id.</summary>
    public string Label { get; }

    /// <summary>The gate's verdict or the event's status, when there is one.</summary>
    public string? Verdict { get; }

    /// <summary>One line saying more.</summary>
    public string Detail { get; }

    public override string ToString() => $"{Time:HH:mm:ss} {Kind} {Label} {Verdict}".TrimEnd();
}
