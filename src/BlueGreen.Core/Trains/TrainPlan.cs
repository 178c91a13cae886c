using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BlueGreen.Core.Releases;

namespace BlueGreen.Core.Trains;

/// <summary>One wave in a train's timeline: when it starts and how long its traffic shifts take at the least.</summary>
public sealed class PlannedWave
{
    public PlannedWave(int index, TrainWave wave, int throttleLimit, int startMinute, int minutes)
    {
        Index = index;
        Wave = wave;
        ThrottleLimit = throttleLimit;
        StartMinute = startMinute;
        Minutes = minutes;
    }

    public int Index { get; }

    public TrainWave Wave { get; }

    public int ThrottleLimit { get; }

    /// <summary>Minutes after the train starts, at the earliest.</summary>
    public int StartMinute { get; }

    /// <summary>The traffic shifts' minutes, batch after batch when the wave has more targets than its limit.</summary>
    public int Minutes { get; }

    /// <summary>How many rounds the wave's targets run in.</summary>
    public int Batches => (Wave.Targets.Count + ThrottleLimit - 1) / ThrottleLimit;
}

/// <summary>A train's plan, worked out without AWS: its waves in order, each one's limit and timeline, and the
/// engines' own plans of each target once they are read (what -WhatIf prints is what Start does).</summary>
public sealed class TrainPlan
{
    private readonly Dictionary<string, string> _targetPlans = new(StringComparer.Ordinal);

    private TrainPlan(TrainDefinition definition, IReadOnlyList<PlannedWave> waves)
    {
        Definition = definition;
        Waves = waves;
    }

    public TrainDefinition Definition { get; }

    public IReadOnlyList<PlannedWave> Waves { get; }

    /// <summary>Minutes of traffic shifting, wave after wave, at the least (hooks, installs and gates add to it).</summary>
    public int Minutes => Waves.Count == 0 ? 0 : Waves[Waves.Count - 1].StartMinute + Waves[Waves.Count - 1].Minutes;

    /// <summary>Plans the train; <paramref name="throttleLimit"/> (-ThrottleLimit) caps every wave's own limit.</summary>
    public static TrainPlan Create(TrainDefinition definition, int? throttleLimit = null)
    {
        if (definition is null)
        {
            throw new ArgumentNullException(nameof(definition));
        }

        var waves = new List<PlannedWave>();
        var start = 0;
        for (var i = 0; i < definition.Waves.Count; i++)
        {
            var wave = definition.Waves[i];
            var limit = Math.Max(1, Math.Min(wave.ThrottleLimit ?? definition.ThrottleLimit, throttleLimit ?? int.MaxValue));
            var minutes = 0;
            var targets = wave.Targets.ToList();
            for (var b = 0; b < targets.Count; b += limit)
            {
                minutes += targets.Skip(b).Take(limit).Select(ShiftMinutes).DefaultIfEmpty(0).Max();
            }

            waves.Add(new PlannedWave(i, wave, limit, start, minutes));
            start += minutes;
        }

        return new TrainPlan(definition, waves);
    }

    /// <summary>How long a target's traffic shift takes: the last step's minute of its policy (0 when the target's own default decides).</summary>
    public static int ShiftMinutes(TrainTarget target)
    {
        if (target?.TrafficShift is null || !TrafficShiftPolicy.TryParse(target.TrafficShift, out var policy, out _))
        {
            return 0;
        }

        var steps = policy!.Steps();
        return steps.Length == 0 ? 0 : steps[steps.Length - 1].Minute;
    }

    /// <summary>Keeps an engine's plan of a target, shown under it.</summary>
    public void SetTargetPlan(TrainTarget target, string description)
    {
        if (target is null)
        {
            throw new ArgumentNullException(nameof(target));
        }

        _targetPlans[target.Key] = description ?? string.Empty;
    }

    /// <summary>The plan as -WhatIf prints it.</summary>
    public string Describe(string? trainId = null)
    {
        var text = new StringBuilder();
        var count = Definition.Targets.Count();
        text.AppendLine($"Release train '{Definition.Name}'{(trainId is null ? string.Empty : " (" + trainId + ")")}: {count} target{(count == 1 ? string.Empty : "s")} in {Waves.Count} wave{(Waves.Count == 1 ? string.Empty : "s")}, " +
            $"at least {Minutes} minute{(Minutes == 1 ? string.Empty : "s")} of traffic shifting.");
        foreach (var wave in Waves)
        {
            text.AppendLine(string.Format(CultureInfo.InvariantCulture, "Wave {0} '{1}': {2} target{3}, {4} at once; starts at minute {5} when the wave before passed, shifts for {6} minute{7}.",
                wave.Index + 1, wave.Wave.Name, wave.Wave.Targets.Count, wave.Wave.Targets.Count == 1 ? string.Empty : "s", wave.ThrottleLimit, wave.StartMinute, wave.Minutes, wave.Minutes == 1 ? string.Empty : "s"));
            foreach (var target in wave.Wave.Targets)
            {
                var green = target.Version ?? string.Join(", ", (target.Images ?? new Dictionary<string, string>()).Select(i => i.Key.Length == 0 ? i.Value : $"{i.Key}={i.Value}"));
                text.AppendLine($"  - {target.DisplayName}: green {green}, {target.TrafficShift ?? "the target's own traffic shift"}" +
                    (target.Alarms.Count == 0 ? string.Empty : $", alarms {string.Join(", ", target.Alarms)}"));
                if (_targetPlans.TryGetValue(target.Key, out var plan))
                {
                    foreach (var line in plan.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
                    {
                        text.AppendLine("      " + line);
                    }
                }
            }

            text.AppendLine(wave.Wave.Alarms.Count == 0
                ? "  Gate: every target succeeded."
                : $"  Gate: every target succeeded, and alarms {string.Join(", ", wave.Wave.Alarms)} are not in ALARM.");
        }

        text.AppendLine("A failed target or gate stops the train: every target that moved is put back on blue, the last wave first.");
        return text.ToString().TrimEnd();
    }
}
