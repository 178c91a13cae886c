using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BlueGreen.Core.Releases.Lambda;

/// <summary>When the steps of a module-driven release are due, from its record and AWS's time: pure, so it is tested alone.</summary>
public static class LambdaShiftSchedule
{
    /// <summary>The shift used when none is asked for: AWS SAM's usual one (its templates' common <c>Canary10Percent5Minutes</c>).</summary>
    public static TrafficShiftPolicy DefaultPolicy { get; } = TrafficShiftPolicy.Parse("Canary10Percent5Minutes");

    /// <summary>The step to take at <paramref name="now"/>: the furthest one already due past the last taken, or null when
    /// none is (the release is not shifting, or the next step's time has not come). A watcher that was away takes the
    /// latest due step at once rather than each missed one.</summary>
    public static int? DueStep(LambdaReleaseRecord record, DateTimeOffset now)
    {
        if (record is null)
        {
            throw new ArgumentNullException(nameof(record));
        }

        if (record.State != LambdaReleaseState.Shifting)
        {
            return null;
        }

        var steps = record.Policy.Steps();
        int? due = null;
        for (var i = record.Step + 1; i < steps.Length; i++)
        {
            if (record.Origin + TimeSpan.FromMinutes(steps[i].Minute) <= now)
            {
                due = i;
            }
        }

        return due;
    }

    /// <summary>When the next step is due; null when the release is not shifting or has no step left.</summary>
    public static DateTimeOffset? NextStepAt(LambdaReleaseRecord record)
    {
        if (record is null)
        {
            throw new ArgumentNullException(nameof(record));
        }

        var steps = record.Policy.Steps();
        return record.State == LambdaReleaseState.Shifting && record.Step + 1 < steps.Length
            ? record.Origin + TimeSpan.FromMinutes(steps[record.Step + 1].Minute)
            : null;
    }

    /// <summary>Green's share after step <paramref name="step"/> (0 before the first).</summary>
    public static double WeightAt(TrafficShiftPolicy policy, int step) =>
        policy is null ? throw new ArgumentNullException(nameof(policy)) : step < 0 ? 0 : policy.Steps()[Math.Min(step, policy.Steps().Length - 1)].GreenPercent;

    /// <summary>Whether step <paramref name="step"/> puts all traffic on green (and so ends the release).</summary>
    public static bool IsLast(TrafficShiftPolicy policy, int step) =>
        policy is null ? throw new ArgumentNullException(nameof(policy)) : step >= policy.Steps().Length - 1;

    /// <summary>The first step that gives green more than <paramref name="weight"/>: where -Continue goes next.</summary>
    public static int NextAbove(TrafficShiftPolicy policy, double weight)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        var steps = policy.Steps();
        for (var i = 0; i < steps.Length; i++)
        {
            if (steps[i].GreenPercent > weight)
            {
                return i;
            }
        }

        return steps.Length - 1;
    }

    /// <summary>The schedule's origin that makes step <paramref name="step"/> due exactly at <paramref name="now"/>: the
    /// later steps keep their intervals from it.</summary>
    public static DateTimeOffset OriginFor(TrafficShiftPolicy policy, int step, DateTimeOffset now) =>
        policy is null ? throw new ArgumentNullException(nameof(policy)) : now - TimeSpan.FromMinutes(policy.Steps()[step].Minute);

    /// <summary>What -WhatIf shows: each step from the start, and the end.</summary>
    public static IReadOnlyList<TimelineStep> Timeline(TrafficShiftPolicy policy)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        var steps = policy.Steps();
        var timeline = new List<TimelineStep>();
        for (var i = 0; i < steps.Length; i++)
        {
            var (minute, percent) = steps[i];
            timeline.Add(new TimelineStep(TimeSpan.FromMinutes(minute), i == steps.Length - 1
                ? "alias points at green alone (weights cleared); release Succeeded"
                : string.Format(CultureInfo.InvariantCulture, "alias routes {0}% to green, {1}% to blue", percent, 100 - percent), percent));
        }

        return timeline;
    }
}
