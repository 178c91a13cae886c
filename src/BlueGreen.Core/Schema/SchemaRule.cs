using System;
using System.Collections.Generic;

namespace BlueGreen.Core.Schema;

/// <summary>A rule a statement broke, with the safe way to get the same result.</summary>
public sealed class RuleHit
{
    public RuleHit(string id, string message, string safeAlternative)
    {
        Id = id ?? throw new ArgumentNullException(nameof(id));
        Message = message ?? throw new ArgumentNullException(nameof(message));
        SafeAlternative = safeAlternative ?? throw new ArgumentNullException(nameof(safeAlternative));
    }

    /// <summary>The rule id; squawk's name where squawk has the rule.</summary>
    public string Id { get; }

    public string Message { get; }

    public string SafeAlternative { get; }

    public override string ToString() => Id;
}

/// <summary>
/// The rules BlueGreen knows, with what they mean and what to do instead. Ids follow squawk
/// (https://squawkhq.com/docs/rules) where squawk has the rule; the others are BlueGreen's own.
/// </summary>
public static class SchemaRules
{
    private static readonly Dictionary<string, (string Message, string Alternative)> Rules = new(StringComparer.Ordinal)
    {
        ["ban-drop-column"] = ("Dropping a column breaks the old version, which still reads and writes it.",
            "Stop using the column in the new version, then drop it in the contract phase."),
        ["ban-drop-table"] = ("Dropping a table breaks the old version, which still uses it.",
            "Stop using the table in the new version, then drop it in the contract phase."),
        ["ban-drop-database"] = ("Dropping a database removes everything both versions need.",
            "Do not drop databases from a migration."),
        ["dropping-object"] = ("Dropping an object the old version may use (index, view, function, type, sequence, trigger, schema).",
            "Drop it in the contract phase, once the old version is gone."),
        ["dropping-constraint"] = ("The old version may rely on the constraint (ON CONFLICT, error handling).",
            "Drop the constraint in the contract phase."),
        ["dropping-default"] = ("Inserts from the old version that omit the column stop getting a value and may fail.",
            "Drop the default in the contract phase."),
        ["renaming-column"] = ("Renaming a column breaks the old version, which still uses the old name.",
            "Add the new column, write both (trigger or application), backfill, switch reads; drop the old column in contract."),
        ["renaming-table"] = ("Renaming a table breaks the old version, which still uses the old name.",
            "Create the new table (or a view with the new name) in expand; drop the old name in contract."),
        ["renaming-object"] = ("Renaming an object breaks the old version, which still uses the old name.",
            "Create the object under its new name in expand and drop the old one in contract."),
        ["changing-column-type"] = ("Changing a column's type can break the old version and rewrites the table under an exclusive lock.",
            "Add a column of the new type, backfill it, switch the new version to it; drop the old column in contract."),
        ["adding-required-field"] = ("A NOT NULL column without a default makes the old version's inserts fail.",
            "Add the column nullable (or with a constant default), backfill it, and SET NOT NULL in the contract phase."),
        ["adding-not-nullable-field"] = ("SET NOT NULL makes the old version's inserts fail when they leave the column out, and scans the table under an exclusive lock.",
            "Add CHECK (col IS NOT NULL) NOT VALID (in expand only if the old version always writes the column, else in contract), then VALIDATE CONSTRAINT and SET NOT NULL in contract."),
        ["adding-field-with-default"] = ("The default is volatile (or the column is serial, identity or stored generated), so the whole table is rewritten under an exclusive lock.",
            "Add the column without a default (or with a constant one), set the default, then backfill in batches."),
        ["require-concurrent-index-creation"] = ("CREATE INDEX without CONCURRENTLY blocks writes to the table while it builds.",
            "Use CREATE INDEX CONCURRENTLY (BlueGreen runs such scripts outside a transaction)."),
        ["require-concurrent-index-deletion"] = ("DROP INDEX without CONCURRENTLY blocks reads and writes of the table.",
            "Use DROP INDEX CONCURRENTLY, in the contract phase."),
        ["require-online-index-creation"] = ("CREATE INDEX without ONLINE = ON blocks writes to the table while it builds.",
            "Use WITH (ONLINE = ON) where the edition supports it."),
        ["constraint-missing-not-valid"] = ("Adding a CHECK constraint validates every row while holding a lock that blocks writes, and old writes must satisfy it.",
            "Add it NOT VALID (WITH NOCHECK on SQL Server) and VALIDATE CONSTRAINT later; enforce it in contract unless the old version already satisfies it."),
        ["adding-foreign-key-constraint"] = ("Adding a foreign key validates every row while locking both tables, and old writes must satisfy it.",
            "Add it NOT VALID (WITH NOCHECK on SQL Server), VALIDATE CONSTRAINT later; in contract unless the old version already satisfies it."),
        ["disallowed-unique-constraint"] = ("Adding a UNIQUE or PRIMARY KEY constraint builds its index under an exclusive lock, and old writes must satisfy it.",
            "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX, in the contract phase."),
        ["tightening-constraint"] = ("The constraint is enforced for new writes at once, including the old version's.",
            "Add it in the contract phase, or waive it with the reason the old version already satisfies it."),
        ["revoking-privileges"] = ("Revoking privileges can make the old version's queries fail.",
            "Revoke in the contract phase."),
        ["ban-truncate"] = ("TRUNCATE deletes data the old version still uses.",
            "Delete data in the contract phase, if at all."),
        ["deleting-rows"] = ("Deleting rows removes data the old version may still use.",
            "Delete data in the contract phase, or waive with the reason the rows are unused."),
        ["overwriting-rows"] = ("Overwriting values in rows the old version reads (an UPDATE of its columns, an upsert's DO UPDATE, REPLACE, MERGE ... UPDATE) changes or loses data it still uses.",
            "Write the new values to a column this release adds and switch the new version to it; overwrite in the contract phase, or waive with the reason the old version copes."),
        ["transaction-nesting"] = ("Each script already runs in its own transaction; transaction control inside it breaks that.",
            "Remove BEGIN/COMMIT/ROLLBACK from the script."),
        ["creating-trigger"] = ("A trigger changes what the old version's writes do; BlueGreen cannot tell whether it is safe.",
            "Review it and waive with a reason (for example: keeps the old and new columns in sync)."),
        ["replacing-definition"] = ("Replacing a view, function or procedure changes what the old version gets from it.",
            "Create a new object under a new name in expand; drop the old one in contract."),
        ["unknown-do-block"] = ("A DO block runs arbitrary code that cannot be classified.",
            "Write the change as plain statements, or waive with a reason after review."),
        ["unknown-call"] = ("CALL or EXEC runs a procedure whose effect cannot be classified.",
            "Write the change as plain statements, or waive with a reason after review."),
        ["unknown-dynamic-sql"] = ("Dynamic SQL cannot be classified.",
            "Write the change as plain statements, or waive with a reason after review."),
        ["unknown-statement"] = ("The statement is not one BlueGreen understands well enough to call safe.",
            "Run it in the contract phase, or waive with a reason after review."),
        ["unparseable-statement"] = ("The statement could not be read (an unterminated string, comment or syntax error).",
            "Fix the script."),
        ["waiver-missing-reason"] = ("A waiver must say why the rule does not apply.",
            "Write it as: -- bluegreen:waive <rule-id>[, <rule-id>]: <reason>"),
        ["waiver-applies-to-nothing"] = ("A waiver binds only from a comment on a line of its own, right above its statement; this one is after a statement on its line, inside a statement or a string, or above nothing.",
            "Move it to a comment line of its own directly above the statement it is for, or delete it."),
        ["mixed-concurrent-script"] = ("A script with CONCURRENTLY statements runs outside a transaction, so it may hold nothing else (a failure half-way could not be rolled back).",
            "Put each concurrent index statement in a script of its own."),
    };

    public static IReadOnlyCollection<string> Ids => Rules.Keys;

    public static bool IsKnown(string id) => Rules.ContainsKey(id);

    public static RuleHit Hit(string id, string? detail = null)
    {
        if (!Rules.TryGetValue(id, out var rule))
        {
            throw new ArgumentException($"Unknown rule id '{id}'.", nameof(id));
        }

        string message = detail is null ? rule.Message : rule.Message + " " + detail;
        return new RuleHit(id, message, rule.Alternative);
    }
}
