using System;
using System.Collections.Generic;

namespace BlueGreen.Core.Schema;

/// <summary>What the classifier found in one statement, before waivers are applied.</summary>
public sealed class StatementClassification
{
    private readonly List<RuleHit> _rules = new();
    private readonly List<(ChangeKind Kind, string RuleId, string? Detail)> _findings = new();
    private readonly HashSet<string> _reliesOn = new(StringComparer.Ordinal);

    internal StatementClassification()
    {
    }

    public ChangeKind Kind { get; private set; } = ChangeKind.Additive;

    public IReadOnlyList<RuleHit> Rules => _rules;

    /// <summary>True when the statement cannot run inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM).</summary>
    public bool RequiresNoTransaction { get; internal set; }

    /// <summary>The index a CREATE INDEX CONCURRENTLY builds: a failed build leaves it INVALID, to be dropped before a retry.</summary>
    public string? ConcurrentIndexName { get; internal set; }

    /// <summary>
    /// Other scripts of the migration set whose new tables or columns make this statement safe (a backfill
    /// of a column an earlier script adds). If one of them was applied by an earlier release, the old
    /// version already reads what this statement overwrites, and the plan refuses it in expand.
    /// </summary>
    public IReadOnlyCollection<string> ReliesOnScripts => _reliesOn;

    internal IReadOnlyList<(ChangeKind Kind, string RuleId, string? Detail)> Findings => _findings;

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

        _findings.Add((kind, ruleId, detail));
        _rules.Add(SchemaRules.Hit(ruleId, detail));
    }

    /// <summary>Takes over what a body this statement runs was found to do; each finding needs its own waiver.</summary>
    internal void AddFrom(StatementClassification body, string where)
    {
        foreach ((ChangeKind kind, string ruleId, string? detail) in body._findings)
        {
            Add(kind, ruleId, detail is null ? "(" + where + ")" : detail + " (" + where + ")");
        }

        foreach (string script in body._reliesOn)
        {
            _reliesOn.Add(script);
        }
    }

    internal void RelyOn(string? script)
    {
        if (script is not null)
        {
            _reliesOn.Add(script);
        }
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

/// <summary>
/// What earlier statements tell the classifier about later ones: tables and columns the release adds,
/// and what the functions it creates do when they run. Shared by the scripts of one migration set.
/// </summary>
public sealed class ClassificationContext
{
    private readonly HashSet<string> _createdTables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _dataTables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _addedColumns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StatementClassification> _functions = new(StringComparer.Ordinal);
    private readonly ClassificationContext? _parent;

    /// <param name="postgreSqlMajorVersion">The server version the script will run on; defaults (11 and later) differ for older ones.</param>
    public ClassificationContext(int postgreSqlMajorVersion = 15)
    {
        PostgreSqlMajorVersion = postgreSqlMajorVersion;
    }

    private ClassificationContext(ClassificationContext parent)
    {
        _parent = parent;
        PostgreSqlMajorVersion = parent.PostgreSqlMajorVersion;
        Script = parent.Script;
    }

    public int PostgreSqlMajorVersion { get; }

    /// <summary>The script being classified (its path below the migration folder), when the context spans a set.</summary>
    public string? Script { get; private set; }

    /// <summary>True while a body (trigger, rule, function, DO block) is read: it runs later, or runs only what it holds.</summary>
    internal bool InBody => _parent is not null;

    /// <summary>Tables created earlier in the same script: the old version knows nothing of them, so anything goes.</summary>
    public bool IsNewTable(string? name) => name is not null && (_createdTables.Contains(name) || (_parent?.IsNewTable(name) ?? false));

    /// <summary>Starts the next script of the set: DDL exemptions hold within a script, data exemptions across the set.</summary>
    public void BeginScript(string? script)
    {
        Script = script;
        _createdTables.Clear();
    }

    /// <summary>A context for a body: it sees what the script created so far, and what the body creates stays in it.</summary>
    internal ClassificationContext ForBody() => new(this);

    internal void AddNewTable(string? name)
    {
        if (name is not null)
        {
            _createdTables.Add(name);
            _dataTables[name] = Script;
        }
    }

    internal void AddNewColumn(string? table, string? column)
    {
        if (table is not null && column is not null)
        {
            _addedColumns[table + "." + column] = Script;
        }
    }

    /// <summary>True when the release adds the table (in any script of the set so far); <paramref name="script"/> says which.</summary>
    internal bool IsReleaseTable(string? table, out string? script)
    {
        script = null;
        if (table is null)
        {
            return false;
        }

        if (_dataTables.TryGetValue(table, out script))
        {
            return true;
        }

        return _parent is not null && _parent.IsReleaseTable(table, out script);
    }

    internal bool IsReleaseColumn(string? table, string? column, out string? script)
    {
        script = null;
        if (table is null || column is null)
        {
            return false;
        }

        if (_addedColumns.TryGetValue(table + "." + column, out script))
        {
            return true;
        }

        return _parent is not null && _parent.IsReleaseColumn(table, column, out script);
    }

    internal void AddFunction(string? name, StatementClassification body)
    {
        if (name is not null)
        {
            ClassificationContext root = this;
            while (root._parent is not null)
            {
                root = root._parent;
            }

            root._functions[name] = body;
        }
    }

    internal StatementClassification? FindFunction(string name) =>
        _functions.TryGetValue(name, out StatementClassification? body) ? body : _parent?.FindFunction(name);
}
