using System.Linq;

namespace BlueGreen.Core.Schema;

/// <summary>Classifies SQLite statements. SQLite's ALTER TABLE does one thing per statement.</summary>
internal static class SqliteClassifier
{
    public static StatementClassification Classify(SqlStatement statement, ClassificationContext context)
    {
        var result = new StatementClassification();
        if (statement.LexError is not null)
        {
            result.Add(ChangeKind.Unknown, "unparseable-statement", "(" + statement.LexError + ")");
            return result;
        }

        var c = new TokenCursor(statement);
        switch (c.Peek())
        {
            case "CREATE":
                c.Skip();
                Create(c, context, result);
                break;
            case "ALTER":
                c.Skip();
                if (c.Accept("TABLE"))
                {
                    AlterTable(c, context, result);
                }
                else
                {
                    result.Add(ChangeKind.Unknown, "unknown-statement");
                }

                break;
            case "DROP":
                c.Skip();
                result.Add(ChangeKind.Destructive, c.Peek() == "TABLE" ? "ban-drop-table" : "dropping-object");
                break;
            case "DELETE" or "WITH" or "INSERT" or "REPLACE" or "UPDATE":
                DataChanges.Classify(statement, 0, statement.Tokens.Count, SqlDialect.Sqlite, context, result);
                break;
            case "SELECT" or "VALUES" or "ANALYZE" or "REINDEX" or "EXPLAIN":
                break;
            case "BEGIN" or "COMMIT" or "END" or "ROLLBACK" or "SAVEPOINT" or "RELEASE":
                result.Add(ChangeKind.Unknown, "transaction-nesting");
                break;
            case "VACUUM":
                result.RequiresNoTransaction = true;
                result.Add(ChangeKind.Unknown, "unknown-statement", "(VACUUM)");
                break;
            case "PRAGMA":
                result.Add(ChangeKind.Unknown, "unknown-statement", "(PRAGMA)");
                break;
            default:
                result.Add(ChangeKind.Unknown, "unknown-statement");
                break;
        }

        // SQLite has no functions of its own making; the one built-in that reaches beyond the database is load_extension().
        DataChanges.Calls(statement, 0, statement.Tokens.Count, context, result, strict: false);
        return result;
    }

    private static void Create(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        _ = c.Accept("TEMP") || c.Accept("TEMPORARY");
        bool unique = c.Accept("UNIQUE");
        string objectType = c.Peek();
        c.Skip();
        switch (objectType)
        {
            case "TABLE":
                c.Accept("IF", "NOT", "EXISTS");
                context.AddNewTable(c.ReadName());
                break;
            case "VIRTUAL":
                c.Accept("TABLE");
                c.Accept("IF", "NOT", "EXISTS");
                context.AddNewTable(c.ReadName());
                break;
            case "INDEX":
                c.Accept("IF", "NOT", "EXISTS");
                c.ReadName();
                c.Accept("ON");
                if (unique && !context.IsNewTable(c.ReadName()))
                {
                    result.Add(ChangeKind.Tightening, "tightening-constraint", "(a unique index makes duplicate inserts fail)");
                }

                break;
            case "VIEW":
                break;
            case "TRIGGER":
                result.Add(ChangeKind.Unknown, "creating-trigger");
                TriggerBody(c, context, result);
                break;
            default:
                result.Add(ChangeKind.Unknown, "unknown-statement");
                break;
        }
    }

    /// <summary>The statements between BEGIN and END run with the old version's writes: each counts on its own.</summary>
    private static void TriggerBody(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        SqlStatement s = c.Statement;
        int on = DataChanges.FindTopLevel(s, c.Position, c.End, "ON");
        int begin = on < 0 ? -1 : DataChanges.FindTopLevel(s, on + 2, c.End, "BEGIN");
        if (begin < 0)
        {
            return;
        }

        int end = s.Word(c.End - 1) == "END" ? c.End - 1 : c.End;
        if (end > begin + 1)
        {
            result.AddFrom(DataChanges.Body(s.Source, s.Tokens.Skip(begin + 1).Take(end - begin - 1).ToArray(), SqlDialect.Sqlite, context),
                "in the trigger body, which runs with the old version's writes");
        }
    }

    private static void AlterTable(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        string? table = c.ReadName();
        bool newTable = context.IsNewTable(table);
        if (c.Accept("RENAME"))
        {
            result.Add(ChangeKind.Destructive, c.Accept("TO") ? "renaming-table" : "renaming-column");
            return;
        }

        if (c.Accept("DROP"))
        {
            if (!newTable)
            {
                result.Add(ChangeKind.Destructive, "ban-drop-column");
            }

            return;
        }

        if (!c.Accept("ADD"))
        {
            result.Add(ChangeKind.Unknown, "unknown-statement");
            return;
        }

        c.Accept("COLUMN");
        context.AddNewColumn(DataChanges.Normalise(table, SqlDialect.Sqlite), DataChanges.Normalise(c.ReadName(), SqlDialect.Sqlite));
        bool notNull = false;
        bool hasDefault = false;
        for (int i = c.Position; i < c.End; i++)
        {
            string word = c.Statement.Word(i);
            switch (word)
            {
                case "NOT" when c.Statement.Word(i + 1) == "NULL":
                    notNull = true;
                    break;
                case "DEFAULT":
                    // SQLite refuses a non-constant default on ADD COLUMN; a parenthesised expression or a
                    // CURRENT_* value is how one is written.
                    string next = c.Statement.Word(i + 1);
                    bool expression = i + 1 < c.End && c.Statement.Tokens[i + 1].Kind == SqlTokenKind.OpenParen;
                    if (next is "CURRENT_TIMESTAMP" or "CURRENT_TIME" or "CURRENT_DATE" || expression)
                    {
                        result.Add(ChangeKind.Additive, "adding-field-with-default", "(SQLite refuses a non-constant default on ADD COLUMN)");
                    }

                    hasDefault = next != "NULL";
                    break;
                case "UNIQUE" or "PRIMARY":
                    result.Add(ChangeKind.Additive, "disallowed-unique-constraint", "(SQLite cannot add a UNIQUE or PRIMARY KEY column)");
                    break;
                case "GENERATED" or "AS" when c.Statement.Word(i + 1) == "STORED" || c.Contains("STORED"):
                    result.Add(ChangeKind.Additive, "adding-field-with-default", "(SQLite cannot add a STORED generated column)");
                    break;
            }
        }

        // Unlike PostgreSQL, SQLite refuses this even on a new, empty table, so there is no exemption.
        if (notNull && !hasDefault)
        {
            result.Add(ChangeKind.Tightening, "adding-required-field");
        }
    }
}
