using System;
using System.Collections.Generic;

namespace BlueGreen.Core.Schema;

/// <summary>Classifies PostgreSQL statements by their leading keywords and, for ALTER TABLE, each sub-action.</summary>
internal static class PostgresClassifier
{
    // Functions a column default may call without forcing a table rewrite on PostgreSQL 11+: they are
    // stable or immutable, so the value is computed once. Anything else may be volatile (a user
    // function is VOLATILE unless declared otherwise), and a volatile default rewrites the table.
    private static readonly HashSet<string> NonVolatileFunctions = new(StringComparer.Ordinal)
    {
        "NOW", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME",
        "TRANSACTION_TIMESTAMP", "STATEMENT_TIMESTAMP", "LOWER", "UPPER", "COALESCE", "ARRAY",
        "JSONB_BUILD_OBJECT", "JSON_BUILD_OBJECT", "JSONB_BUILD_ARRAY", "TO_JSONB", "MAKE_INTERVAL",
        "NUMERIC", "DECIMAL", "VARCHAR", "CHAR", "CHARACTER", "BIT", "VARBIT", "TIMESTAMP", "TIME",
        "INTERVAL", "FLOAT", "CAST", "VARYING", "PRECISION", "CONCAT", "LENGTH", "ABS", "ROUND",
    };

    private static readonly HashSet<string> VolatileColumnTypes = new(StringComparer.Ordinal)
    {
        "SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL2", "SERIAL4", "SERIAL8",
    };

    private static readonly HashSet<string> CreateAdditive = new(StringComparer.Ordinal)
    {
        "SEQUENCE", "SCHEMA", "TYPE", "DOMAIN", "EXTENSION", "COLLATION", "STATISTICS", "ROLE", "USER",
        "GROUP", "CAST", "OPERATOR", "AGGREGATE", "TEXT", "CONVERSION", "PUBLICATION", "SUBSCRIPTION",
        "SERVER", "FOREIGN", "LANGUAGE", "TABLESPACE", "ACCESS", "EVENT",
    };

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
                Alter(c, context, result);
                break;
            case "DROP":
                c.Skip();
                Drop(c, result);
                break;
            case "TRUNCATE":
                result.Add(ChangeKind.Destructive, "ban-truncate");
                break;
            case "DELETE":
                result.Add(ChangeKind.Destructive, "deleting-rows");
                break;
            case "WITH":
                if (c.Contains("DELETE"))
                {
                    result.Add(ChangeKind.Destructive, "deleting-rows");
                }

                break;
            case "INSERT" or "UPDATE" or "SELECT" or "VALUES" or "TABLE" or "SET" or "RESET" or "SHOW" or "COMMENT"
                or "GRANT" or "ANALYZE" or "EXPLAIN" or "MERGE" or "NOTIFY" or "SECURITY":
                if (c.Peek() == "MERGE" && c.Contains("DELETE"))
                {
                    result.Add(ChangeKind.Destructive, "deleting-rows");
                }

                break;
            case "REFRESH":
                break;
            case "REINDEX":
                if (c.Contains("CONCURRENTLY"))
                {
                    result.RequiresNoTransaction = true;
                }
                else
                {
                    result.Add(ChangeKind.Additive, "require-concurrent-index-creation", "(REINDEX without CONCURRENTLY)");
                }

                break;
            case "REVOKE":
                result.Add(ChangeKind.Tightening, "revoking-privileges");
                break;
            case "DO":
                result.Add(ChangeKind.Unknown, "unknown-do-block");
                break;
            case "CALL":
                result.Add(ChangeKind.Unknown, "unknown-call");
                break;
            case "EXECUTE" or "PREPARE":
                result.Add(ChangeKind.Unknown, "unknown-dynamic-sql");
                break;
            case "BEGIN" or "START" or "COMMIT" or "END" or "ROLLBACK" or "ABORT" or "SAVEPOINT" or "RELEASE":
                result.Add(ChangeKind.Unknown, "transaction-nesting");
                break;
            case "VACUUM":
                result.RequiresNoTransaction = true;
                result.Add(ChangeKind.Unknown, "unknown-statement", "(VACUUM)");
                break;
            default:
                result.Add(ChangeKind.Unknown, "unknown-statement");
                break;
        }

        return result;
    }

    private static void Create(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        bool orReplace = c.Accept("OR", "REPLACE");
        bool unique = false;
        while (true)
        {
            if (c.Accept("TEMP") || c.Accept("TEMPORARY") || c.Accept("UNLOGGED") || c.Accept("GLOBAL") || c.Accept("LOCAL")
                || c.Accept("RECURSIVE") || c.Accept("TRUSTED") || c.Accept("PROCEDURAL") || c.Accept("DEFAULT") || c.Accept("CONSTRAINT"))
            {
                continue;
            }

            if (c.Accept("UNIQUE"))
            {
                unique = true;
                continue;
            }

            break;
        }

        string objectType = c.Peek();
        c.Skip();
        switch (objectType)
        {
            case "TABLE":
                c.Accept("IF", "NOT", "EXISTS");
                context.AddNewTable(c.ReadName());
                break;
            case "INDEX":
                CreateIndex(c, context, result, unique);
                break;
            case "VIEW" or "FUNCTION" or "PROCEDURE" or "RULE":
                if (orReplace)
                {
                    result.Add(ChangeKind.Unknown, "replacing-definition");
                }
                else if (objectType == "RULE")
                {
                    result.Add(ChangeKind.Unknown, "unknown-statement", "(a rule rewrites the old version's queries)");
                }

                break;
            case "MATERIALIZED":
                break;
            case "TRIGGER":
                result.Add(ChangeKind.Unknown, "creating-trigger");
                break;
            case "POLICY":
                result.Add(ChangeKind.Unknown, "unknown-statement", "(a row security policy can hide rows from the old version)");
                break;
            default:
                if (!CreateAdditive.Contains(objectType))
                {
                    result.Add(ChangeKind.Unknown, "unknown-statement");
                }

                break;
        }
    }

    private static void CreateIndex(TokenCursor c, ClassificationContext context, StatementClassification result, bool unique)
    {
        bool concurrently = c.Accept("CONCURRENTLY");
        c.Accept("IF", "NOT", "EXISTS");
        string? indexName = c.Peek() == "ON" ? null : c.ReadName();
        c.Accept("ON");
        c.Accept("ONLY");
        string? table = c.ReadName();
        if (concurrently)
        {
            result.RequiresNoTransaction = true;
            result.ConcurrentIndexName = indexName;
        }

        if (context.IsNewTable(table))
        {
            return;
        }

        if (!concurrently)
        {
            result.Add(ChangeKind.Additive, "require-concurrent-index-creation");
        }

        if (unique)
        {
            result.Add(ChangeKind.Tightening, "tightening-constraint", "(a unique index makes duplicate inserts fail)");
        }
    }

    private static void Alter(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        string objectType = c.Peek();
        c.Skip();
        switch (objectType)
        {
            case "TABLE":
                AlterTable(c, context, result);
                break;
            case "INDEX":
                c.Accept("IF", "EXISTS");
                c.ReadName();
                if (!c.Accept("RENAME"))
                {
                    result.Add(ChangeKind.Unknown, "unknown-statement");
                }

                break;
            case "TYPE":
                c.ReadName();
                if (c.Accept("ADD", "VALUE") || c.Accept("ADD", "ATTRIBUTE"))
                {
                    break;
                }

                if (c.Accept("RENAME"))
                {
                    result.Add(ChangeKind.Destructive, "renaming-object");
                }
                else if (c.Accept("DROP"))
                {
                    result.Add(ChangeKind.Destructive, "dropping-object");
                }
                else
                {
                    result.Add(ChangeKind.Unknown, "unknown-statement");
                }

                break;
            case "SEQUENCE":
                c.Accept("IF", "EXISTS");
                c.ReadName();
                if (c.Peek() == "RENAME")
                {
                    result.Add(ChangeKind.Destructive, "renaming-object");
                }
                else if (!c.Accept("OWNED", "BY"))
                {
                    result.Add(ChangeKind.Unknown, "unknown-statement");
                }

                break;
            default:
                if (c.Contains("RENAME"))
                {
                    result.Add(ChangeKind.Destructive, objectType == "VIEW" || objectType == "MATERIALIZED" ? "renaming-table" : "renaming-object");
                }
                else
                {
                    result.Add(ChangeKind.Unknown, "unknown-statement");
                }

                break;
        }
    }

    private static void AlterTable(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        c.Accept("IF", "EXISTS");
        c.Accept("ONLY");
        string? table = c.ReadName();
        if (c.PeekKind() == SqlTokenKind.Operator && c.Statement.TokenText(c.Position) == "*")
        {
            c.Skip();
        }

        bool newTable = context.IsNewTable(table);
        if (c.Accept("RENAME"))
        {
            if (c.Accept("TO"))
            {
                result.Add(ChangeKind.Destructive, "renaming-table");
            }
            else if (c.Accept("CONSTRAINT"))
            {
                result.Add(ChangeKind.Destructive, "renaming-object", "(the old version may name the constraint)");
            }
            else
            {
                result.Add(ChangeKind.Destructive, "renaming-column");
            }

            return;
        }

        if (c.Accept("SET", "SCHEMA"))
        {
            result.Add(ChangeKind.Destructive, "renaming-table", "(moving it to another schema)");
            return;
        }

        if (c.Peek() is "ATTACH" or "DETACH")
        {
            result.Add(ChangeKind.Unknown, "unknown-statement", "(partition changes)");
            return;
        }

        foreach ((int start, int end) in c.SplitOnTopLevelCommas())
        {
            var action = new TokenCursor(c.Statement, start, end);
            AlterTableAction(action, context, newTable, result);
        }
    }

    private static void AlterTableAction(TokenCursor a, ClassificationContext context, bool newTable, StatementClassification result)
    {
        if (a.Accept("ADD"))
        {
            if (a.Peek() is "CONSTRAINT" or "CHECK" or "UNIQUE" or "PRIMARY" or "FOREIGN" or "EXCLUDE")
            {
                AddConstraint(a, newTable, result);
            }
            else
            {
                a.Accept("COLUMN");
                a.Accept("IF", "NOT", "EXISTS");
                AddColumn(a, context, newTable, result);
            }

            return;
        }

        if (a.Accept("DROP"))
        {
            if (a.Accept("CONSTRAINT"))
            {
                if (!newTable)
                {
                    result.Add(ChangeKind.Destructive, "dropping-constraint");
                }
            }
            else if (!newTable)
            {
                result.Add(ChangeKind.Destructive, "ban-drop-column");
            }

            return;
        }

        if (a.Accept("ALTER"))
        {
            a.Accept("COLUMN");
            a.ReadName();
            if (a.Accept("TYPE") || a.Accept("SET", "DATA", "TYPE"))
            {
                result.Add(ChangeKind.Destructive, "changing-column-type");
            }
            else if (a.Accept("SET", "NOT", "NULL"))
            {
                if (!newTable)
                {
                    result.Add(ChangeKind.Tightening, "adding-not-nullable-field");
                }
            }
            else if (a.Accept("DROP", "DEFAULT"))
            {
                if (!newTable)
                {
                    result.Add(ChangeKind.Tightening, "dropping-default");
                }
            }
            else if (a.Accept("DROP", "NOT", "NULL") || a.Accept("SET", "DEFAULT") || a.Accept("SET", "STATISTICS")
                || a.Accept("SET", "STORAGE") || a.Accept("SET", "COMPRESSION") || a.Peek() == "SET" || a.Peek() == "RESET")
            {
                // Relaxing a column, or changing how it is stored, leaves the old version's reads and writes working.
            }
            else
            {
                result.Add(ChangeKind.Unknown, "unknown-statement", "(ALTER COLUMN " + a.Peek() + ")");
            }

            return;
        }

        if (a.Accept("VALIDATE", "CONSTRAINT") || a.Accept("OWNER", "TO") || a.Accept("SET", "STATISTICS"))
        {
            return;
        }

        result.Add(ChangeKind.Unknown, "unknown-statement", "(ALTER TABLE ... " + a.Peek() + ")");
    }

    private static void AddConstraint(TokenCursor a, bool newTable, StatementClassification result)
    {
        if (a.Accept("CONSTRAINT"))
        {
            a.ReadName();
        }

        bool notValid = a.ContainsTopLevel("VALID") && a.IndexOf("NOT") >= 0;
        bool usingIndex = a.ContainsTopLevel("USING") && a.ContainsTopLevel("INDEX");
        string type = a.Peek();
        if (newTable)
        {
            return;
        }

        switch (type)
        {
            case "CHECK":
                result.Add(ChangeKind.Tightening, notValid ? "tightening-constraint" : "constraint-missing-not-valid");
                break;
            case "FOREIGN":
                result.Add(ChangeKind.Tightening, notValid ? "tightening-constraint" : "adding-foreign-key-constraint");
                break;
            case "UNIQUE" or "PRIMARY":
                result.Add(ChangeKind.Tightening, usingIndex ? "tightening-constraint" : "disallowed-unique-constraint");
                break;
            default:
                result.Add(ChangeKind.Tightening, "tightening-constraint");
                break;
        }
    }

    private static void AddColumn(TokenCursor a, ClassificationContext context, bool newTable, StatementClassification result)
    {
        a.ReadName();
        if (newTable)
        {
            return;
        }

        string type = a.Peek();
        bool notNull = false;
        bool hasDefault = false;
        bool rewrites = VolatileColumnTypes.Contains(type);
        for (int i = a.Position; i < a.End; i++)
        {
            string word = a.Statement.Word(i);
            switch (word)
            {
                case "NOT" when a.Statement.Word(i + 1) == "NULL":
                    notNull = true;
                    break;
                case "DEFAULT":
                    hasDefault = true;
                    if (context.PostgreSqlMajorVersion < 11 || DefaultIsVolatile(a.Statement, i + 1, a.End))
                    {
                        rewrites = true;
                    }

                    break;
                case "GENERATED":
                    // Identity and stored generated columns are filled for every existing row.
                    rewrites = true;
                    hasDefault = true;
                    break;
                case "REFERENCES":
                    result.Add(ChangeKind.Additive, "adding-foreign-key-constraint");
                    break;
                case "UNIQUE":
                case "PRIMARY":
                    result.Add(ChangeKind.Additive, "disallowed-unique-constraint");
                    break;
                case "CHECK":
                    result.Add(ChangeKind.Additive, "constraint-missing-not-valid");
                    break;
            }
        }

        if (rewrites)
        {
            hasDefault = true;
            result.Add(ChangeKind.Additive, "adding-field-with-default",
                context.PostgreSqlMajorVersion < 11 ? "(before PostgreSQL 11 every default rewrites the table)" : null);
        }

        if (notNull && !hasDefault)
        {
            result.Add(ChangeKind.Tightening, "adding-required-field");
        }
    }

    private static bool DefaultIsVolatile(SqlStatement statement, int start, int end)
    {
        // The default expression runs to the next column constraint keyword at paren depth 0.
        int depth = 0;
        for (int i = start; i < end; i++)
        {
            SqlTokenKind kind = statement.Tokens[i].Kind;
            if (kind == SqlTokenKind.OpenParen)
            {
                depth++;
                continue;
            }

            if (kind == SqlTokenKind.CloseParen)
            {
                depth--;
                continue;
            }

            string word = statement.Word(i);
            if (depth == 0 && word is "NOT" or "NULL" or "CHECK" or "REFERENCES" or "UNIQUE" or "PRIMARY" or "CONSTRAINT" or "COLLATE" or "GENERATED")
            {
                if (!(word == "NULL" && i == start))
                {
                    return false;
                }
            }

            bool isCall = kind == SqlTokenKind.Word && i + 1 < end && statement.Tokens[i + 1].Kind == SqlTokenKind.OpenParen;
            if (isCall && !NonVolatileFunctions.Contains(word))
            {
                return true;
            }
        }

        return false;
    }

    private static void Drop(TokenCursor c, StatementClassification result)
    {
        string objectType = c.Peek();
        c.Skip();
        switch (objectType)
        {
            case "TABLE":
                result.Add(ChangeKind.Destructive, "ban-drop-table");
                break;
            case "DATABASE":
                result.Add(ChangeKind.Destructive, "ban-drop-database");
                break;
            case "INDEX":
                result.Add(ChangeKind.Destructive, "dropping-object");
                if (c.Accept("CONCURRENTLY"))
                {
                    result.RequiresNoTransaction = true;
                }
                else
                {
                    result.Add(ChangeKind.Destructive, "require-concurrent-index-deletion");
                }

                break;
            default:
                result.Add(ChangeKind.Destructive, "dropping-object");
                break;
        }
    }
}
