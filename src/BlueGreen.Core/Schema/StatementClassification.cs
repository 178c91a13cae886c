using System;
using System.Collections.Generic;

namespace BlueGreen.Core.Schema;

/// <summary>What the classifier found in one statement, before waivers are applied.</summary>
public sealed class StatementClassification
{
    private readonly List<RuleHit> _rules = new();

    internal StatementClassification()
    {
    }

    public ChangeKind Kind { get; private set; } = ChangeKind.Additive;

    public IReadOnlyList<RuleHit> Rules => _rules;

    /// <summary>True when the statement cannot run inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM).</summary>
    public bool RequiresNoTransaction { get; internal set; }

    /// <summary>The index a CREATE INDEX CONCURRENTLY builds: a failed build leaves it INVALID, to be dropped before a retry.</summary>
    public string? ConcurrentIndexName { get; internal set; }

    /// <summary>Marks the statement at least as severe as <paramref name="kind"/> and records why.</summary>
    internal void Add(ChangeKind kind, string ruleId, string? detail = null)
    {
        Raise(kind);
        foreach (RuleHit existing in _rules)
        {
            if (existing.Id == ruleId)
            {
                return;
            }
        }

        _rules.Add(SchemaRules.Hit(ruleId, detail));
    }

    internal void Raise(ChangeKind kind)
    {
        if (Severity(kind) > Severity(Kind))
        {
            Kind = kind;
        }
    }

    // Known harm outranks ignorance: a statement with a destructive part is destructive even if another part is unknown.
    private static int Severity(ChangeKind kind) => kind switch
    {
        ChangeKind.Additive => 0,
        ChangeKind.Unknown => 1,
        ChangeKind.Tightening => 2,
        ChangeKind.Destructive => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>What earlier statements of the same script tell the classifier about later ones.</summary>
public sealed class ClassificationContext
{
    private readonly HashSet<string> _createdTables = new(StringComparer.Ordinal);

    /// <param name="postgreSqlMajorVersion">The server version the script will run on; defaults (11 and later) differ for older ones.</param>
    public ClassificationContext(int postgreSqlMajorVersion = 15)
    {
        PostgreSqlMajorVersion = postgreSqlMajorVersion;
    }

    public int PostgreSqlMajorVersion { get; }

    /// <summary>Tables created earlier in the same script: the old version knows nothing of them, so anything goes.</summary>
    public bool IsNewTable(string? name) => name is not null && _createdTables.Contains(name);

    internal void AddNewTable(string? name)
    {
        if (name is not null)
        {
            _createdTables.Add(name);
        }
    }
}
