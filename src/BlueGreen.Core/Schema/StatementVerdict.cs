using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Schema;

/// <summary>One statement of a script with its classification, the rules it breaks and the waivers it carries.</summary>
public sealed class StatementVerdict
{
    internal StatementVerdict(string? file, int line, string statement, StatementClassification classification, IReadOnlyList<Waiver> waivers, IReadOnlyList<RuleHit> extraRules)
    {
        File = file;
        Line = line;
        Statement = statement;
        Kind = classification.Kind;
        Rules = classification.Rules.Concat(extraRules).ToArray();
        RequiresNoTransaction = classification.RequiresNoTransaction;
        ConcurrentIndexName = classification.ConcurrentIndexName;
        ReliesOnScripts = classification.ReliesOnScripts.ToArray();

        var used = new List<Waiver>();
        var open = new List<RuleHit>();
        foreach (RuleHit rule in Rules)
        {
            Waiver? waiver = waivers.FirstOrDefault(w => w.RuleId == rule.Id);
            if (waiver is null || IsUnwaivable(rule.Id))
            {
                open.Add(rule);
            }
            else
            {
                used.Add(waiver);
            }
        }

        Waivers = used;
        UnwaivedRules = open;
    }

    public string? File { get; }

    public int Line { get; }

    public string Statement { get; }

    public ChangeKind Kind { get; }

    /// <summary>Every rule the statement breaks, waived or not. Shown by id.</summary>
    public IReadOnlyList<RuleHit> Rules { get; }

    /// <summary>The waivers that cover some of <see cref="Rules"/>, with their reasons.</summary>
    public IReadOnlyList<Waiver> Waivers { get; }

    /// <summary>The rules no waiver covers.</summary>
    public IReadOnlyList<RuleHit> UnwaivedRules { get; }

    /// <summary>
    /// True when the statement may run before the traffic switch: additive with no lock hazard,
    /// or every rule it breaks is waived with a reason. Every non-additive statement breaks at least one rule.
    /// </summary>
    public bool SafeForExpand => UnwaivedRules.Count == 0;

    public bool RequiresNoTransaction { get; }

    public string? ConcurrentIndexName { get; }

    /// <summary>Earlier scripts of the set whose new tables or columns make this statement safe (see <see cref="StatementClassification.ReliesOnScripts"/>).</summary>
    public IReadOnlyList<string> ReliesOnScripts { get; }

    public override string ToString() => $"{File}:{Line} {Kind} {string.Join(",", Rules.Select(r => r.Id))}";

    // A script that cannot be read, or that nests transactions, cannot be made safe by saying so.
    internal static bool IsUnwaivable(string ruleId) =>
        ruleId is "unparseable-statement" or "waiver-missing-reason" or "waiver-applies-to-nothing" or "mixed-concurrent-script" or "transaction-nesting";
}
