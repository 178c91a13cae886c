using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Core.Analysis;

/// <summary>What the gate does after an interval's verdict.</summary>
public enum GateAction
{
    /// <summary>Judged well: analyse again after the next interval.</summary>
    Continue,

    /// <summary>Not enough data: analyse again, up to the inconclusive limit, before acting.</summary>
    Hold,

    /// <summary>Failed (or inconclusive for too long, when the definition says so): put blue back.</summary>
    Undo,

    /// <summary>The analysis is over (its count done, or inconclusive for too long and let go on): the release goes on.</summary>
    Done,
}

/// <summary>What the gate's rules need from an analysis definition.</summary>
public sealed class AnalysisGateRules
{
    public static AnalysisGateRules From(AnalysisDefinition definition) => new()
    {
        Count = (definition ?? throw new ArgumentNullException(nameof(definition))).Count,
        InconclusiveLimit = definition.InconclusiveLimit,
        FailOnInconclusive = definition.OnInconclusive == InconclusiveAction.Fail,
    };

    /// <summary>How many intervals are analysed at most; 0 for every interval until the release ends.</summary>
    public int Count { get; set; }

    /// <summary>How many intervals in a row may be inconclusive: the one that reaches it does what <see cref="FailOnInconclusive"/> says.</summary>
    public int InconclusiveLimit { get; set; } = 3;

    /// <summary>True: still inconclusive after the limit fails the release; false: the release goes on (with a warning).</summary>
    public bool FailOnInconclusive { get; set; } = true;
}

/// <summary>The gate's decision after the verdicts so far.</summary>
public sealed class GateDecision
{
    public GateDecision(GateAction action, AnalysisVerdict verdict, string reason, string? warning = null)
    {
        Action = action;
        Verdict = verdict;
        Reason = reason;
        Warning = warning;
    }

    public GateAction Action { get; }

    /// <summary>The verdict on the release so far.</summary>
    public AnalysisVerdict Verdict { get; }

    public string Reason { get; }

    /// <summary>Said to the user as a warning (an inconclusive interval, a release let go on without a verdict).</summary>
    public string? Warning { get; }

    public override string ToString() => $"{Action} ({Verdict}): {Reason}";
}

/// <summary>
/// The analysis gate of a release: every interval while green has production traffic, an analysis of green against
/// blue; a failure undoes the release, an inconclusive one is analysed again for a bounded number of intervals.
/// <see cref="Decide"/> is the whole rule, pure; <see cref="RunAsync"/> the loop that applies it to a live release.
/// </summary>
public static class AnalysisGate
{
    /// <summary>The decision after <paramref name="verdicts"/> (one per interval, oldest first).</summary>
    public static GateDecision Decide(IReadOnlyList<AnalysisVerdict> verdicts, AnalysisGateRules rules)
    {
        if (verdicts is null || rules is null)
        {
            throw new ArgumentNullException(verdicts is null ? nameof(verdicts) : nameof(rules));
        }

        // Count 0: every interval until the release ends.
        var count = rules.Count > 0 ? rules.Count : int.MaxValue;
        if (verdicts.Count == 0)
        {
            return new GateDecision(GateAction.Continue, AnalysisVerdict.Inconclusive, "no interval analysed yet");
        }

        var n = verdicts.Count;
        var last = verdicts[n - 1];
        var at = rules.Count > 0 ? string.Format(CultureInfo.InvariantCulture, "interval {0} of {1}", n, count) : string.Format(CultureInfo.InvariantCulture, "interval {0}", n);
        if (last == AnalysisVerdict.Fail)
        {
            return new GateDecision(GateAction.Undo, AnalysisVerdict.Fail, $"{at} failed: green is worse than blue");
        }

        if (last == AnalysisVerdict.Inconclusive)
        {
            var streak = verdicts.Reverse().TakeWhile(v => v == AnalysisVerdict.Inconclusive).Count();
            var limit = Math.Max(1, rules.InconclusiveLimit);
            if (streak < limit && n < count)
            {
                return new GateDecision(GateAction.Hold, AnalysisVerdict.Inconclusive,
                    string.Format(CultureInfo.InvariantCulture, "{0} inconclusive (not enough data); analysed again ({1} of {2} in a row)", at, streak, limit),
                    $"Analysis {at} is inconclusive: not enough data to compare green with blue.");
            }

            var why = streak < limit
                ? $"{at} inconclusive, and it was the last"
                : string.Format(CultureInfo.InvariantCulture, "{0} inconclusive {1} intervals in a row (limit {2})", at, streak, limit);
            return rules.FailOnInconclusive
                ? new GateDecision(GateAction.Undo, AnalysisVerdict.Inconclusive, why + ": treated as a failure (OnInconclusive Fail)",
                    "The analysis could not judge the release (not enough data): it is treated as a failure, as the definition's OnInconclusive says.")
                : new GateDecision(GateAction.Done, AnalysisVerdict.Inconclusive, why + ": the release goes on without a verdict (OnInconclusive Continue)",
                    "The analysis could not judge the release (not enough data): the release goes on without a verdict, as the definition's OnInconclusive says.");
        }

        var judged = verdicts.Where(v => v is AnalysisVerdict.Pass or AnalysisVerdict.Marginal).ToList();
        var overall = judged.Contains(AnalysisVerdict.Marginal) ? AnalysisVerdict.Marginal : AnalysisVerdict.Pass;
        if (n >= count)
        {
            return new GateDecision(GateAction.Done, overall, $"{at}: {last}; all {n} intervals analysed, none failed",
                overall == AnalysisVerdict.Marginal ? "The analysis passed the release with marginal intervals: green was close to failing." : null);
        }

        return new GateDecision(GateAction.Continue, overall, $"{at}: {last}",
            last == AnalysisVerdict.Marginal ? $"Analysis {at} is marginal: green is close to failing." : null);
    }

    /// <summary>Follows a release with its analysis gate until it ends (or reaches <see cref="AnalysisGateRun.Until"/>), or
    /// the gate undoes it. Analyses run only while green has production traffic (canary, each linear step, bake time).</summary>
    public static async Task<AnalysisGateOutcome> RunAsync(AnalysisGateRun run, CancellationToken cancellationToken)
    {
        if (run is null)
        {
            throw new ArgumentNullException(nameof(run));
        }

        var polling = run.Polling ?? new PollingPolicy();
        var delay = run.Delay ?? ((span, token) => Task.Delay(span, token));
        var clock = run.Clock ?? (() => DateTimeOffset.UtcNow);
        var verdicts = new List<AnalysisVerdict>();
        var gates = new List<ReleaseGate>();
        var current = run.Deployment;
        DateTimeOffset? nextAnalysis = null;
        GateDecision? decision = null;
        var seen = string.Empty;
        var pause = TimeSpan.Zero;
        while (true)
        {
            var previous = current;
            current = await DeploymentWatcher.ReadAsync(token => run.Engine.RefreshAsync(previous, token), polling, run.OnRetry, null, cancellationToken).ConfigureAwait(false);
            current.Gates = ReleaseGate.Merge(previous.Gates, gates);
            var print = DeploymentWatcher.Fingerprint(current);
            pause = polling.Next(pause, print != seen);
            seen = print;
            run.OnLook?.Invoke(current, pause);
            if (current.IsComplete || DeploymentWatcher.Reached(current, run.Until))
            {
                return new AnalysisGateOutcome(current, decision ?? Decide(verdicts, run.Rules), verdicts, gates, undone: false);
            }

            var analysing = decision is null || decision.Action is GateAction.Continue or GateAction.Hold;
            if (analysing && current.GreenTrafficPercent > 0)
            {
                var now = clock();
                nextAnalysis ??= now + run.Interval;
                if (now >= nextAnalysis)
                {
                    var judged = await run.Analyze(current, cancellationToken).ConfigureAwait(false);
                    verdicts.Add(judged.Verdict);
                    var gate = new ReleaseGate(ReleaseGateKind.Analysis, string.Format(CultureInfo.InvariantCulture, "interval {0}", verdicts.Count), judged.Verdict, clock(), judged.Detail, judged.Result);
                    gates.Add(gate);
                    current.Gates = ReleaseGate.Merge(current.Gates, new[] { gate });
                    decision = Decide(verdicts, run.Rules);
                    run.OnVerdict?.Invoke(current, gate, decision);
                    if (decision.Action == GateAction.Undo)
                    {
                        if (run.Undo is null)
                        {
                            return new AnalysisGateOutcome(current, decision, verdicts, gates, undone: false);
                        }

                        var undone = await run.Undo(current, cancellationToken).ConfigureAwait(false);
                        undone.Gates = ReleaseGate.Merge(current.Gates, undone.Gates);
                        return new AnalysisGateOutcome(undone, decision, verdicts, gates, undone: true);
                    }

                    nextAnalysis = clock() + run.Interval;
                }

                var untilNext = nextAnalysis.Value - clock();
                if (untilNext < pause)
                {
                    pause = untilNext > TimeSpan.Zero ? untilNext : TimeSpan.Zero;
                }
            }

            await delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>One interval's analysis, as the gate needs it.</summary>
public sealed class IntervalVerdict
{
    public IntervalVerdict(AnalysisVerdict verdict, string detail, object? result = null)
    {
        Verdict = verdict;
        Detail = detail ?? string.Empty;
        Result = result;
    }

    public AnalysisVerdict Verdict { get; }

    public string Detail { get; }

    /// <summary>The full analysis result, kept on the gate.</summary>
    public object? Result { get; }
}

/// <summary>What <see cref="AnalysisGate.RunAsync"/> works with.</summary>
public sealed class AnalysisGateRun
{
    public AnalysisGateRun(IReleaseEngine engine, BlueGreenDeployment deployment, AnalysisGateRules rules, TimeSpan interval,
        Func<BlueGreenDeployment, CancellationToken, Task<IntervalVerdict>> analyze)
    {
        Engine = engine ?? throw new ArgumentNullException(nameof(engine));
        Deployment = deployment ?? throw new ArgumentNullException(nameof(deployment));
        Rules = rules ?? throw new ArgumentNullException(nameof(rules));
        Interval = interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval), "The interval must be positive.");
        Analyze = analyze ?? throw new ArgumentNullException(nameof(analyze));
    }

    public IReleaseEngine Engine { get; }

    public BlueGreenDeployment Deployment { get; }

    public AnalysisGateRules Rules { get; }

    /// <summary>How long after green gets production traffic the first analysis runs, and between analyses.</summary>
    public TimeSpan Interval { get; }

    public Func<BlueGreenDeployment, CancellationToken, Task<IntervalVerdict>> Analyze { get; }

    /// <summary>Puts blue back after a failure; null leaves the release to a person (the outcome says it failed).</summary>
    public Func<BlueGreenDeployment, CancellationToken, Task<BlueGreenDeployment>>? Undo { get; set; }

    /// <summary>Where the wait ends well (Succeeded by default).</summary>
    public WaitTarget Until { get; set; } = WaitTarget.Succeeded;

    public PollingPolicy? Polling { get; set; }

    public Action<BlueGreenDeployment, TimeSpan>? OnLook { get; set; }

    public Action<BlueGreenDeployment, ReleaseGate, GateDecision>? OnVerdict { get; set; }

    public Action<AwsServiceException, TimeSpan>? OnRetry { get; set; }

    /// <summary>For tests: the clock and the pause between looks.</summary>
    public Func<DateTimeOffset>? Clock { get; set; }

    public Func<TimeSpan, CancellationToken, Task>? Delay { get; set; }
}

/// <summary>How a release with an analysis gate ended.</summary>
public sealed class AnalysisGateOutcome
{
    public AnalysisGateOutcome(BlueGreenDeployment deployment, GateDecision decision, IReadOnlyList<AnalysisVerdict> verdicts, IReadOnlyList<ReleaseGate> gates, bool undone)
    {
        Deployment = deployment;
        Decision = decision;
        Verdicts = verdicts;
        Gates = gates;
        Undone = undone;
    }

    /// <summary>The release as last read; after an undo, what serves (the release rolled back, or the release of blue).</summary>
    public BlueGreenDeployment Deployment { get; }

    public GateDecision Decision { get; }

    public IReadOnlyList<AnalysisVerdict> Verdicts { get; }

    public IReadOnlyList<ReleaseGate> Gates { get; }

    /// <summary>The gate put blue back.</summary>
    public bool Undone { get; }
}
