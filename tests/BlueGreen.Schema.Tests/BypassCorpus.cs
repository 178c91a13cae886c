using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace BlueGreen.Schema.Tests;

/// <summary>
/// One attempt of a bypass corpus (tests/BlueGreen.Schema.Tests/Bypass/*.sql): a header of
/// <c>-- attempt: id</c>, <c>-- expect: blocked|passes</c>, <c>-- tries: what it tries</c> and optional
/// <c>-- check: a query that must return true afterwards</c>, then the script. <c>-- file: expand/V0002__x.sql</c>
/// starts another script of the attempt, <c>-- earlier-release: expand/V0001__x.sql</c> one that an earlier
/// release applied first; <c>&lt;CR&gt;</c> stands for a carriage return the file cannot keep visibly.
/// </summary>
public sealed class BypassAttempt
{
    private static readonly Regex Header = new(@"^--\s*(?<key>attempt|expect|tries|check|file|earlier-release):\s*(?<value>.*?)\s*$");

    public required string Id { get; init; }

    public required bool ExpectBlocked { get; init; }

    public required string Tries { get; init; }

    public required int Line { get; init; }

    public IReadOnlyList<string> Checks { get; init; } = Array.Empty<string>();

    /// <summary>Scripts an earlier release applied before this one, by path below the migration folder.</summary>
    public IReadOnlyList<(string Path, string Text)> Earlier { get; init; } = Array.Empty<(string, string)>();

    /// <summary>The scripts of the release under test.</summary>
    public IReadOnlyList<(string Path, string Text)> Scripts { get; init; } = Array.Empty<(string, string)>();

    public override string ToString() => Id;

    public static IReadOnlyList<BypassAttempt> Load(string file)
    {
        string[] lines = File.ReadAllText(file).Replace("\r\n", "\n").Split('\n');
        var attempts = new List<BypassAttempt>();
        int i = 0;
        while (i < lines.Length && !lines[i].StartsWith("-- attempt:", StringComparison.Ordinal))
        {
            i++;
        }

        while (i < lines.Length)
        {
            int line = i + 1;
            var values = new Dictionary<string, string>();
            var checks = new List<string>();
            while (i < lines.Length && Header.Match(lines[i]) is { Success: true } header && header.Groups["key"].Value is not ("file" or "earlier-release"))
            {
                if (header.Groups["key"].Value == "check")
                {
                    checks.Add(header.Groups["value"].Value);
                }
                else
                {
                    values[header.Groups["key"].Value] = header.Groups["value"].Value;
                }

                i++;
            }

            var earlier = new List<(string, string)>();
            var scripts = new List<(string, string)>();
            string path = "expand/V0100__attempt.sql";
            bool isEarlier = false;
            var text = new List<string>();
            void Flush()
            {
                if (text.Any(t => t.Trim().Length > 0))
                {
                    (isEarlier ? earlier : scripts).Add((path, string.Join("\n", text).Replace("<CR>", "\r")));
                }

                text.Clear();
            }

            while (i < lines.Length && !lines[i].StartsWith("-- attempt:", StringComparison.Ordinal))
            {
                Match start = Header.Match(lines[i]);
                if (start.Success && start.Groups["key"].Value is "file" or "earlier-release")
                {
                    Flush();
                    path = start.Groups["value"].Value;
                    isEarlier = start.Groups["key"].Value == "earlier-release";
                }
                else if (!lines[i].StartsWith("-- ====", StringComparison.Ordinal))
                {
                    text.Add(lines[i]);
                }

                i++;
            }

            Flush();
            string expect = values.GetValueOrDefault("expect", string.Empty);
            if (expect is not ("blocked" or "passes") || !values.TryGetValue("attempt", out string? id) || !values.TryGetValue("tries", out string? tries) || scripts.Count == 0)
            {
                throw new InvalidDataException($"{Path.GetFileName(file)}:{line}: an attempt needs '-- attempt:', '-- expect: blocked|passes', '-- tries:' and a script.");
            }

            attempts.Add(new BypassAttempt
            {
                Id = id,
                ExpectBlocked = expect == "blocked",
                Tries = tries,
                Line = line,
                Checks = checks,
                Earlier = earlier,
                Scripts = scripts,
            });
        }

        return attempts;
    }

    /// <summary>Writes the attempt's scripts (the earlier release's too, when <paramref name="withEarlier"/>) below <paramref name="root"/>.</summary>
    public void WriteTo(string root, bool includeCurrent, bool withEarlier = true)
    {
        foreach ((string path, string text) in (withEarlier ? Earlier : Array.Empty<(string, string)>()).Concat(includeCurrent ? Scripts : Array.Empty<(string, string)>()))
        {
            string full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
    }
}

/// <summary>What happened to one attempt: how the gate judged it, how the run ended, and whether the data survived.</summary>
/// <remarks><paramref name="LintOnly"/>: judged by the gate alone, never run on a database (T-SQL here).</remarks>
public sealed record BypassOutcome(BypassAttempt Attempt, bool LintRefused, string LintRules, bool Applied, string? Error, string? Damage, bool LintOnly = false)
{
    public bool AsExpected => Damage is null && (Attempt.ExpectBlocked ? !Applied : Applied && Error is null);

    public override string ToString()
    {
        string verdict = AsExpected ? "ok  " : "FAIL";
        string run = LintOnly ? "not run (lint only)" : Applied ? "applied" : "not applied";
        string lint = LintRefused ? "lint refused" : "lint passed";
        string rules = LintRules.Length == 0 ? string.Empty : " [" + LintRules + "]";
        string error = Error is null ? string.Empty : " — " + Excerpt(Error);
        string damage = LintOnly ? string.Empty : Damage is null ? "; data intact" : "; DAMAGE: " + Damage;
        return $"{verdict} {Attempt.Id,-8} expect {(Attempt.ExpectBlocked ? "blocked" : "passes ")}: {lint}{rules}; {run}{error}{damage} — {Attempt.Tries}";
    }

    private static string Excerpt(string text)
    {
        string line = text.Replace("\r", " ").Replace("\n", " ");
        return line.Length <= 140 ? line : line.Substring(0, 137) + "...";
    }

    /// <summary>The figures for a dialect: attempts, blocked, controls passed, damage.</summary>
    public static string Summary(string dialect, IReadOnlyList<BypassOutcome> outcomes)
    {
        int attacks = outcomes.Count(o => o.Attempt.ExpectBlocked);
        int blocked = outcomes.Count(o => o.Attempt.ExpectBlocked && !o.Applied && o.Damage is null);
        int blockedByLint = outcomes.Count(o => o.Attempt.ExpectBlocked && o.LintRefused);
        int controls = outcomes.Count(o => !o.Attempt.ExpectBlocked);
        int controlsPassed = outcomes.Count(o => !o.Attempt.ExpectBlocked && o.AsExpected);
        int damaged = outcomes.Count(o => o.Damage is not null);
        if (outcomes.Count > 0 && outcomes.All(o => o.LintOnly))
        {
            return $"{dialect}: {outcomes.Count} attempts; {attacks} attacks, {blockedByLint} refused by lint; {controls} controls, {controlsPassed} passed lint";
        }

        return $"{dialect}: {outcomes.Count} attempts; {attacks} attacks, {blocked} blocked ({blockedByLint} by lint, {blocked - blockedByLint} by the run), " +
            $"{controls} controls, {controlsPassed} passed and applied; damaged: {damaged}";
    }
}
