using System;
using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Schema;

/// <summary>A problem that stops a phase from being applied.</summary>
public sealed class MigrationProblem
{
    internal MigrationProblem(string errorId, string message, string? script = null, int? line = null)
    {
        ErrorId = errorId;
        Message = message;
        Script = script;
        Line = line;
    }

    /// <summary>Stable PascalCase id: AppliedMigrationChanged, MigrationOutOfOrder, ExpandPending, ExpandRefused, ScriptRefused.</summary>
    public string ErrorId { get; }

    public string Message { get; }

    public string? Script { get; }

    public int? Line { get; }

    public override string ToString() => Message;
}

/// <summary>What applying a phase would do: the pending scripts with every statement's verdict, and what stops it.</summary>
public sealed class MigrationPlan
{
    internal MigrationPlan(SchemaPhase phase, IReadOnlyList<MigrationScript> pending, IReadOnlyList<MigrationProblem> problems, int appliedCount)
    {
        Phase = phase;
        Pending = pending;
        Problems = problems;
        AppliedCount = appliedCount;
    }

    public SchemaPhase Phase { get; }

    /// <summary>The scripts of this phase not applied yet, in version order.</summary>
    public IReadOnlyList<MigrationScript> Pending { get; }

    public IReadOnlyList<MigrationProblem> Problems { get; }

    /// <summary>How many scripts of the folder the history already has.</summary>
    public int AppliedCount { get; }

    public bool CanApply => Problems.Count == 0;

    /// <summary>Every statement that would run, in order, with its verdict: what -WhatIf shows.</summary>
    public IEnumerable<StatementVerdict> Statements => Pending.SelectMany(s => s.Verdicts);

    /// <summary>Builds the plan from the folder and the history alone; no database is touched.</summary>
    public static MigrationPlan Create(MigrationSet set, SchemaPhase phase, IReadOnlyList<AppliedMigration> history) => Create(set, phase, history, null);

    /// <summary>Builds the plan for a run of <paramref name="releaseId"/>: scripts an earlier attempt of the same release applied count as this release's.</summary>
    public static MigrationPlan Create(MigrationSet set, SchemaPhase phase, IReadOnlyList<AppliedMigration> history, string? releaseId)
    {
        if (set is null)
        {
            throw new ArgumentNullException(nameof(set));
        }

        if (history is null)
        {
            throw new ArgumentNullException(nameof(history));
        }

        var problems = new List<MigrationProblem>();
        var applied = new Dictionary<MigrationVersion, AppliedMigration>();
        foreach (AppliedMigration row in history.Where(h => h.Success))
        {
            if (MigrationVersion.TryParse(row.Version, out MigrationVersion? version))
            {
                applied[version!] = row;
            }
        }

        int appliedCount = 0;
        foreach (MigrationScript script in set.Scripts)
        {
            if (!applied.TryGetValue(script.Version, out AppliedMigration? row))
            {
                continue;
            }

            appliedCount++;
            if (!string.Equals(row.Checksum, script.Checksum, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new MigrationProblem("AppliedMigrationChanged",
                    $"{script.RelativePath} was applied on {row.AppliedAt:u} and has changed since (checksum {Short(row.Checksum)} then, {Short(script.Checksum)} now). An applied script is never re-run: restore it and put the change in a new script.",
                    script.RelativePath));
            }
        }

        var pending = set.ScriptsOf(phase).Where(s => !applied.ContainsKey(s.Version)).ToList();
        MigrationVersion? latestOfPhase = applied.Values.Where(a => a.Phase == phase)
            .Select(a => MigrationVersion.Parse(a.Version)).OrderByDescending(v => v).FirstOrDefault();
        foreach (MigrationScript script in pending)
        {
            if (latestOfPhase is not null && script.Version < latestOfPhase)
            {
                problems.Add(new MigrationProblem("MigrationOutOfOrder",
                    $"{script.RelativePath} (version {script.Version}) is older than {latestOfPhase}, already applied in the {Name(phase)} phase. Give it a higher version.",
                    script.RelativePath));
            }

            if (phase == SchemaPhase.Contract)
            {
                foreach (MigrationScript expand in set.ScriptsOf(SchemaPhase.Expand).Where(e => e.Version < script.Version && !applied.ContainsKey(e.Version)))
                {
                    problems.Add(new MigrationProblem("ExpandPending",
                        $"{script.RelativePath} comes after {expand.RelativePath}, which is not applied yet: run the expand phase first.",
                        script.RelativePath));
                }
            }

            foreach (StatementVerdict verdict in script.Verdicts)
            {
                // A backfill is safe because an earlier script adds its column; if a past release applied that
                // script, the old version reads the column now, and the backfill overwrites what it reads.
                string? earlier = phase == SchemaPhase.Expand
                    ? verdict.ReliesOnScripts.FirstOrDefault(r => history.Any(h => h.Success && h.Script == r && (releaseId is null || h.ReleaseId != releaseId)))
                    : null;
                if (earlier is not null)
                {
                    RuleHit rule = SchemaRules.Hit("overwriting-rows", $"({earlier} added what it writes, and an earlier release applied it: the old version reads it now)");
                    problems.Add(new MigrationProblem("ExpandRefused",
                        $"{script.RelativePath}:{verdict.Line}: {verdict.Kind.ToString().ToLowerInvariant()} statement refused in expand ({rule.Id}): {rule.Message} Instead: {rule.SafeAlternative}",
                        script.RelativePath, verdict.Line));
                }

                if (phase == SchemaPhase.Expand && !verdict.SafeForExpand)
                {
                    foreach (RuleHit rule in verdict.UnwaivedRules)
                    {
                        string waive = StatementVerdict.IsUnwaivable(rule.Id)
                            ? "No waiver can accept it."
                            : $"To accept it anyway, write on the line above it: -- bluegreen:waive {rule.Id}: <reason>";
                        problems.Add(new MigrationProblem("ExpandRefused",
                            $"{script.RelativePath}:{verdict.Line}: {verdict.Kind.ToString().ToLowerInvariant()} statement refused in expand ({rule.Id}): {rule.Message} Instead: {rule.SafeAlternative} {waive}",
                            script.RelativePath, verdict.Line));
                    }
                }
                else if (phase == SchemaPhase.Contract)
                {
                    foreach (RuleHit rule in verdict.UnwaivedRules.Where(r => r.Id is "unparseable-statement" or "waiver-missing-reason" or "mixed-concurrent-script" or "transaction-nesting"))
                    {
                        problems.Add(new MigrationProblem("ScriptRefused", $"{script.RelativePath}:{verdict.Line}: {rule.Id}: {rule.Message} {rule.SafeAlternative}", script.RelativePath, verdict.Line));
                    }
                }
            }
        }

        return new MigrationPlan(phase, pending, problems, appliedCount);
    }

    internal static string Name(SchemaPhase phase) => phase.ToString().ToLowerInvariant();

    private static string Short(string checksum) => checksum.Length > 12 ? checksum.Substring(0, 12) : checksum;
}

/// <summary>What applying a phase did.</summary>
public sealed class PhaseResult
{
    internal PhaseResult(SchemaPhase phase, SchemaRelease release, IReadOnlyList<AppliedMigration> applied, TimeSpan duration)
    {
        Phase = phase;
        Release = release;
        Applied = applied;
        Duration = duration;
    }

    public SchemaPhase Phase { get; }

    public SchemaRelease Release { get; }

    public IReadOnlyList<AppliedMigration> Applied { get; }

    public TimeSpan Duration { get; }
}
