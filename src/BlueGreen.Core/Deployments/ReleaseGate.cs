using System;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Core.Analysis;

namespace BlueGreen.Core.Deployments;

/// <summary>What judged a release.</summary>
public enum ReleaseGateKind
{
    /// <summary>Invoke-SmokeTest's checks of green.</summary>
    SmokeTest,

    /// <summary>A canary analysis of green against blue.</summary>
    Analysis,

    /// <summary>A CloudWatch alarm the release watched.</summary>
    Alarm,
}

/// <summary>One verdict on a release: a smoke test, an analysis interval or an alarm, with when it was given and why.</summary>
public sealed class ReleaseGate
{
    public ReleaseGate(ReleaseGateKind kind, string name, AnalysisVerdict verdict, DateTimeOffset time, string detail, object? result = null)
    {
        Kind = kind;
        Name = name ?? string.Empty;
        Verdict = verdict;
        Time = time;
        Detail = detail ?? string.Empty;
        Result = result;
    }

    public ReleaseGateKind Kind { get; }

    /// <summary>The smoke test's target, the analysis's interval, or the alarm's name.</summary>
    public string Name { get; }

    public AnalysisVerdict Verdict { get; }

    public DateTimeOffset Time { get; }

    /// <summary>One line saying why.</summary>
    public string Detail { get; }

    /// <summary>The full result (a smoke-test result, a canary analysis result), when there is one.</summary>
    public object? Result { get; }

    public override string ToString() => $"{Kind} {Name}: {Verdict}";

    /// <summary>The gates of <paramref name="known"/> and <paramref name="more"/> together, each once, in time order.</summary>
    public static IReadOnlyList<ReleaseGate> Merge(IEnumerable<ReleaseGate>? known, IEnumerable<ReleaseGate>? more)
    {
        var all = new List<ReleaseGate>();
        foreach (var gate in (known ?? Enumerable.Empty<ReleaseGate>()).Concat(more ?? Enumerable.Empty<ReleaseGate>()))
        {
            if (!all.Any(g => ReferenceEquals(g, gate) || (g.Kind == gate.Kind && g.Name == gate.Name && g.Time == gate.Time && g.Verdict == gate.Verdict)))
            {
                all.Add(gate);
            }
        }

        return all.OrderBy(g => g.Time).ToList();
    }

    /// <summary>The alarm gate a release stopped by an alarm carries (AWS's ALARM_ACTIVE); null for any other end.</summary>
    public static ReleaseGate? FromAlarmStop(BlueGreenDeployment deployment)
    {
        if (deployment is null || !string.Equals(deployment.ErrorCode, "ALARM_ACTIVE", StringComparison.Ordinal))
        {
            return null;
        }

        var message = deployment.ErrorMessage ?? string.Empty;
        var time = deployment.CompleteTime is { } end ? new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)) : DateTimeOffset.UtcNow;
        return new ReleaseGate(ReleaseGateKind.Alarm, AlarmName(message) ?? "alarm", AnalysisVerdict.Fail, time, message);
    }

    // The alarm named in the engines' words: CodeDeploy's "Activated alarms: <name>", ECS's "Alarms fired: a, b", the module's "Alarm 'name'".
    private static string? AlarmName(string message)
    {
        foreach (var (start, end) in new[] { ("Activated alarms: <", ">"), ("Alarms fired: ", "."), ("Alarm '", "'"), ("CloudWatch alarm ", " is in ALARM") })
        {
            var at = message.IndexOf(start, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            at += start.Length;
            var stop = message.IndexOf(end, at, StringComparison.Ordinal);
            return (stop < 0 ? message.Substring(at) : message.Substring(at, stop - at)).Trim();
        }

        return null;
    }
}
