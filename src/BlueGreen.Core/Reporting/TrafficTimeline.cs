using System;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Core.Reporting;

/// <summary>
/// A release on one time axis, the service's clock: the green share of production traffic over time (what this session
/// saw where it looked, what the policy planned elsewhere), the lifecycle events, the gates' verdicts and the rollback.
/// Gates are dated by this computer's clock; they are placed on the service's clock through the reads that saw both
/// (on AWS the two agree; on a sandbox that runs time faster they do not).
/// </summary>
public sealed class TrafficTimeline
{
    private static readonly string[] TrafficEvents = { "AllowTraffic", "PRODUCTION_TRAFFIC_SHIFT" };

    private TrafficTimeline(DateTimeOffset start, DateTimeOffset end, IReadOnlyList<TrafficSegment> segments, IReadOnlyList<TimelineMark> marks, TrafficShiftPolicy? policy)
    {
        Start = start;
        End = end;
        Segments = segments;
        Marks = marks;
        Policy = policy;
    }

    /// <summary>Where the picture starts: the release's creation, or the earliest thing known of it.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Where it ends: the release's end, or the latest thing known of a release still going.</summary>
    public DateTimeOffset End { get; }

    /// <summary>The production split from <see cref="Start"/> to <see cref="End"/>, without gaps, in time order.</summary>
    public IReadOnlyList<TrafficSegment> Segments { get; }

    /// <summary>Lifecycle events, gates, the rollback and the end, in time order.</summary>
    public IReadOnlyList<TimelineMark> Marks { get; }

    /// <summary>The traffic-shift policy the planned shares come from, when the release names one.</summary>
    public TrafficShiftPolicy? Policy { get; }

    /// <summary>True when some share was read from AWS rather than planned.</summary>
    public bool HasObserved => Segments.Any(s => s.Source == TrafficSource.Observed);

    /// <summary>The split at <paramref name="time"/>; null outside the picture.</summary>
    public TrafficSegment? At(DateTimeOffset time) =>
        Segments.FirstOrDefault(s => s.From <= time && time < s.To) ?? (time == End && Segments.Count > 0 ? Segments[Segments.Count - 1] : null);

    /// <summary>The time line of <paramref name="deployment"/>; <paramref name="now"/> ends a release still going that says nothing later.</summary>
    public static TrafficTimeline Build(BlueGreenDeployment deployment, DateTimeOffset now)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        var observations = deployment.TrafficHistory.Where(o => o is not null).OrderBy(o => o.Time).ToList();
        var clock = new ClockMap(observations);
        var events = deployment.LifecycleEvents.Where(e => e is not null).ToList();
        var gates = deployment.Gates.Where(g => g is not null).Select(g => (Gate: g, Time: clock.ToService(g.Time))).ToList();

        var known = new List<DateTimeOffset>();
        known.AddRange(events.SelectMany(e => new[] { e.StartTime, e.EndTime }).Where(t => t is not null).Select(t => Utc(t!.Value)));
        known.AddRange(observations.Select(o => o.Time));
        known.AddRange(gates.Select(g => g.Time));
        var start = deployment.CreateTime is { } created ? Utc(created) : deployment.StartTime is { } started ? Utc(started) : known.Count > 0 ? known.Min() : now;
        var end = deployment.IsComplete && deployment.CompleteTime is { } completed ? Utc(completed)
            : known.Count > 0 ? Later(known.Max(), deployment.IsComplete ? known.Max() : Earlier(now, known.Max() + TimeSpan.FromHours(1))) : now;
        if (known.Count > 0 && known.Min() < start)
        {
            start = known.Min();
        }

        if (end <= start)
        {
            end = start + TimeSpan.FromMinutes(1);
        }

        var policy = TrafficShiftPolicy.TryParse(deployment.TrafficShift, out var parsed, out _) ? parsed : null;
        var planned = Planned(deployment, events, policy, start, end);
        var observed = Observed(deployment, observations, end);
        var segments = Merge(Combine(planned, observed, start, end));
        var marks = MarksOf(deployment, events, gates, end);
        return new TrafficTimeline(start, end, segments, marks, policy);
    }

    // ----- planned ----------------------------------------------------------------------------------------

    /// <summary>0% green until production traffic starts to move, then the policy's steps, 100% once the move is done;
    /// 0% again from a failed release's end (blue serves again).</summary>
    private static List<TrafficSegment> Planned(BlueGreenDeployment deployment, List<DeploymentLifecycleEvent> events, TrafficShiftPolicy? policy, DateTimeOffset start, DateTimeOffset end)
    {
        var steps = new List<(DateTimeOffset At, double Green)> { (start, 0) };
        var traffic = events.FirstOrDefault(e => Array.IndexOf(TrafficEvents, e.Name) >= 0 && e.StartTime is not null);
        var moved = deployment.SwitchedAt ?? (traffic?.Status == "Succeeded" && traffic.EndTime is { } done ? Utc(done) : null);
        if (traffic is not null)
        {
            var anchor = Utc(traffic.StartTime!.Value);
            foreach (var (minute, percent) in (policy ?? TrafficShiftPolicy.AllAtOnce).Steps())
            {
                var at = anchor + TimeSpan.FromMinutes(minute);
                if (moved is { } m && at >= m)
                {
                    break;
                }

                steps.Add((at, percent));
            }
        }

        if (moved is { } switched)
        {
            steps.Add((switched, 100));
        }
        else if (traffic is null && deployment.Status is DeploymentStatus.Succeeded or DeploymentStatus.Baking)
        {
            // Moved, but no event says when: all of it by the end is all that is known.
            steps.Add((end, 100));
        }

        var failed = deployment.Status is DeploymentStatus.Failed or DeploymentStatus.Stopped;
        if (failed && deployment.CompleteTime is { } over)
        {
            steps.Add((Utc(over), 0));
        }

        var ordered = steps.Where(s => s.At >= start && s.At <= end).OrderBy(s => s.At).ToList();
        var segments = new List<TrafficSegment>();
        for (var i = 0; i < ordered.Count; i++)
        {
            var to = i + 1 < ordered.Count ? ordered[i + 1].At : end;
            if (to > ordered[i].At)
            {
                segments.Add(new TrafficSegment(ordered[i].At, to, ordered[i].Green, TrafficSource.Planned));
            }
        }

        return segments;
    }

    // ----- observed ---------------------------------------------------------------------------------------

    /// <summary>Each read's split holds until the next read; the last one until the end when it saw the release over.</summary>
    private static List<TrafficSegment> Observed(BlueGreenDeployment deployment, List<TrafficObservation> observations, DateTimeOffset end)
    {
        var segments = new List<TrafficSegment>();
        for (var i = 0; i < observations.Count; i++)
        {
            var o = observations[i];
            var over = o.Status is DeploymentStatus.Succeeded or DeploymentStatus.Failed or DeploymentStatus.Stopped;
            var to = i + 1 < observations.Count ? observations[i + 1].Time : over || deployment.IsComplete ? Later(end, o.Time) : o.Time;
            if (to > o.Time)
            {
                segments.Add(new TrafficSegment(o.Time, to, o.GreenPercent, TrafficSource.Observed));
            }
        }

        return segments;
    }

    /// <summary>Observed shares where this session looked, planned ones before and after.</summary>
    private static IEnumerable<TrafficSegment> Combine(List<TrafficSegment> planned, List<TrafficSegment> observed, DateTimeOffset start, DateTimeOffset end)
    {
        if (observed.Count == 0)
        {
            return planned.Count > 0 ? planned : new List<TrafficSegment> { new(start, end, 0, TrafficSource.Planned) };
        }

        var from = observed[0].From;
        var to = observed[observed.Count - 1].To;
        var all = new List<TrafficSegment>();
        foreach (var p in planned)
        {
            if (p.From < from)
            {
                all.Add(new TrafficSegment(p.From, Earlier(p.To, from), p.GreenPercent, p.Source));
            }

            if (p.To > to)
            {
                all.Add(new TrafficSegment(Later(p.From, to), p.To, p.GreenPercent, p.Source));
            }
        }

        all.AddRange(observed.Where(o => o.From >= start && o.From < end).Select(o => o.To > end ? new TrafficSegment(o.From, end, o.GreenPercent, o.Source) : o));
        return all.Where(s => s.To > s.From).OrderBy(s => s.From);
    }

    private static List<TrafficSegment> Merge(IEnumerable<TrafficSegment> segments)
    {
        var merged = new List<TrafficSegment>();
        foreach (var s in segments)
        {
            var last = merged.Count > 0 ? merged[merged.Count - 1] : null;
            if (last is not null && last.Source == s.Source && Math.Abs(last.GreenPercent - s.GreenPercent) < 0.01 && last.To >= s.From)
            {
                merged[merged.Count - 1] = new TrafficSegment(last.From, Later(last.To, s.To), last.GreenPercent, last.Source);
            }
            else
            {
                merged.Add(s);
            }
        }

        return merged;
    }

    // ----- marks ------------------------------------------------------------------------------------------

    private static List<TimelineMark> MarksOf(BlueGreenDeployment deployment, List<DeploymentLifecycleEvent> events, List<(ReleaseGate Gate, DateTimeOffset Time)> gates, DateTimeOffset end)
    {
        var marks = new List<TimelineMark>();
        foreach (var e in events.Where(e => e.StartTime is not null))
        {
            var detail = e.EndTime is { } stop
                ? $"{e.Name} {e.Status}, {Utc(e.StartTime!.Value):HH:mm:ss} to {Utc(stop):HH:mm:ss} UTC"
                : $"{e.Name} {e.Status}, from {Utc(e.StartTime!.Value):HH:mm:ss} UTC";
            marks.Add(new TimelineMark(TimelineMarkKind.LifecycleEvent, Utc(e.StartTime!.Value), e.Name, e.Status,
                e.Diagnostic is null ? detail : detail + ": " + e.Diagnostic));
        }

        foreach (var (gate, time) in gates)
        {
            marks.Add(new TimelineMark(TimelineMarkKind.Gate, time, GateLabel(gate), gate.Verdict.ToString(), gate.Detail));
        }

        if (deployment.IsComplete)
        {
            marks.Add(new TimelineMark(TimelineMarkKind.End, end, deployment.Status.ToString(), deployment.Status.ToString(),
                deployment.ErrorCode is null ? $"Release {deployment.Status}" : $"Release {deployment.Status}: {deployment.ErrorCode}: {deployment.ErrorMessage}"));
        }

        if (deployment.RolledBack)
        {
            marks.Add(new TimelineMark(TimelineMarkKind.Rollback, end, deployment.RollbackDeploymentId!, null,
                $"Rolled back by {deployment.RollbackDeploymentId}: blue serves again" + (deployment.RollbackMessage is { Length: > 0 } m ? $" ({m})" : string.Empty)));
        }

        return marks.OrderBy(m => m.Time).ThenBy(m => (int)m.Kind).ToList();
    }

    internal static string GateLabel(ReleaseGate gate) => gate.Kind switch
    {
        ReleaseGateKind.SmokeTest => "smoke test",
        ReleaseGateKind.Analysis => "analysis " + gate.Name,
        _ => "alarm " + gate.Name,
    };

    internal static DateTimeOffset Utc(DateTime time) =>
        new(time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>This computer's clock to the service's, through the reads that saw both: linear between them, at the
    /// rate the first and last read give beyond them; the same clock when no read says otherwise.</summary>
    private sealed class ClockMap
    {
        private readonly List<TrafficObservation> _pairs;
        private readonly double _rate;

        public ClockMap(IEnumerable<TrafficObservation> observations)
        {
            _pairs = observations.OrderBy(o => o.LocalTime).ToList();
            _rate = 1;
            if (_pairs.Count >= 2)
            {
                var local = (_pairs[_pairs.Count - 1].LocalTime - _pairs[0].LocalTime).TotalSeconds;
                var service = (_pairs[_pairs.Count - 1].Time - _pairs[0].Time).TotalSeconds;
                if (local >= 1 && service > 0)
                {
                    _rate = service / local;
                }
            }
        }

        public DateTimeOffset ToService(DateTimeOffset local)
        {
            if (_pairs.Count == 0)
            {
                return local;
            }

            var first = _pairs[0];
            var last = _pairs[_pairs.Count - 1];
            if (local <= first.LocalTime)
            {
                return first.Time - TimeSpan.FromSeconds((first.LocalTime - local).TotalSeconds * _rate);
            }

            if (local >= last.LocalTime)
            {
                return last.Time + TimeSpan.FromSeconds((local - last.LocalTime).TotalSeconds * _rate);
            }

            for (var i = 1; i < _pairs.Count; i++)
            {
                var (a, b) = (_pairs[i - 1], _pairs[i]);
                if (local <= b.LocalTime)
                {
                    var span = (b.LocalTime - a.LocalTime).TotalSeconds;
                    var part = span <= 0 ? 0 : (local - a.LocalTime).TotalSeconds / span;
                    return a.Time + TimeSpan.FromSeconds((b.Time - a.Time).TotalSeconds * part);
                }
            }

            return last.Time;
        }
    }
}
