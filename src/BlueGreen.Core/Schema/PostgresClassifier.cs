using System;
using System.Collections.Generic;
using System.Linq;

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
        string first = c.Peek();
        switch (first)
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
                Truncate(c, context, result);
                break;
            case "DELETE" or "UPDATE" or "INSERT" or "MERGE" or "WITH":
                DataChanges.Classify(statement, 0, statement.Tokens.Count, SqlDialect.PostgreSql, context, result);
                break;
            case "SET" or "RESET":
                DataChanges.SetTimeout(statement, context, result);
                break;
            case "SELECT" or "VALUES" or "TABLE" or "SHOW" or "COMMENT" or "GRANT" or "ANALYZE" or "EXPLAIN" or "NOTIFY" or "SECURITY":
                break;
            case "REFRESH":
                break;
            case "REINDEX":
                c.Skip();
                Reindex(c, result);
                break;
            case "REVOKE":
                result.Add(ChangeKind.Tightening, "revoking-privileges");
                break;
            case "DO":
                c.Skip();
                DoBlock(c, context, result);
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

        // What the statement calls runs with it: a function this release created brings its body's findings,
        // and a query (or a table or view filled from one) may call nothing whose effect is unknown.
        bool names = first is "DROP" or "COMMENT" or "GRANT" or "REVOKE" or "DO"
            || (first == "CREATE" && (statement.Word(1) is "FUNCTION" or "PROCEDURE" || statement.Word(3) is "FUNCTION" or "PROCEDURE"));
        if (!names)
        {
            bool query = first is "SELECT" or "VALUES" or "TABLE" or "INSERT" or "UPDATE" or "DELETE" or "MERGE" or "WITH" or "CALL"
                || (first == "CREATE" && DataChanges.FindTopLevel(statement, 1, statement.Tokens.Count, "AS") >= 0
                    && statement.Word(1) is "TABLE" or "MATERIALIZED" or "TEMP" or "TEMPORARY" or "UNLOGGED");
            DataChanges.Calls(statement, 0, statement.Tokens.Count, context, result, strict: query && first != "CALL");
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

                if (objectType == "RULE")
                {
                    RuleActions(c, context, result);
                }
                else if (objectType != "VIEW")
                {
                    Routine(c, context, result, orReplace);
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

    /// <summary>
    /// A function's body runs when it is called (by a statement or a trigger): its findings are kept for those.
    /// Replacing an existing function changes what its current callers and triggers do, so then they count at once.
    /// </summary>
    private static void Routine(TokenCursor c, ClassificationContext context, StatementClassification result, bool orReplace)
    {
        string? name = c.ReadName();
        SqlStatement s = c.Statement;
        int end = c.End;
        string language = "sql";
        int lang = DataChanges.FindTopLevel(s, c.Position, end, "LANGUAGE");
        if (lang >= 0 && lang + 1 < end)
        {
            language = s.Tokens[lang + 1].Kind is SqlTokenKind.StringLiteral or SqlTokenKind.QuotedIdentifier
                ? TokenCursor.Unquote(s.TokenText(lang + 1)).ToLowerInvariant()
                : s.TokenText(lang + 1).ToLowerInvariant();
        }

        StatementClassification? body = null;
        int @as = DataChanges.FindTopLevel(s, c.Position, end, "AS");
        int atomic = -1;
        for (int i = c.Position; i < end - 1; i++)
        {
            if (s.Word(i) == "BEGIN" && s.Word(i + 1) == "ATOMIC")
            {
                atomic = i + 1;
                break;
            }
        }

        if (atomic >= 0)
        {
            int last = s.Word(end - 1) == "END" ? end - 1 : end;
            body = DataChanges.Body(s.Source, s.Tokens.Skip(atomic + 1).Take(last - atomic - 1).ToArray(), SqlDialect.PostgreSql, context);
        }
        else if (@as >= 0 && @as + 1 < end && s.Tokens[@as + 1].Kind is SqlTokenKind.StringLiteral or SqlTokenKind.DollarString)
        {
            bool twoStrings = @as + 3 < end && s.Tokens[@as + 2].Kind == SqlTokenKind.Comma;
            string? text = twoStrings ? null : DataChanges.StringContent(s, @as + 1);
            body = text is null
                ? DataChanges.BodyText(string.Empty, language == "sql" || language == "plpgsql" ? "c" : language, context)
                : DataChanges.BodyText(text, language, context);
        }
        else
        {
            int @return = DataChanges.FindTopLevel(s, c.Position, end, "RETURN");
            if (@return >= 0)
            {
                body = new StatementClassification();
                DataChanges.Calls(s, @return + 1, end, context, body, strict: true);
            }
        }

        if (body is null)
        {
            return;
        }

        context.AddFunction(name, body);
        if (orReplace)
        {
            result.AddFrom(body, "in the new body of " + name + "(), which its existing callers and triggers run");
        }
    }

    /// <summary>CREATE RULE ... DO [ALSO | INSTEAD] { NOTHING | command | ( command; ... ) }: the actions run with the old version's statements.</summary>
    private static void RuleActions(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        SqlStatement s = c.Statement;
        int @do = DataChanges.FindTopLevel(s, c.Position, c.End, "DO");
        if (@do < 0)
        {
            return;
        }

        int start = @do + 1;
        if (s.Word(start) is "ALSO" or "INSTEAD")
        {
            start++;
        }

        int end = c.End;
        if (start < end && s.Tokens[start].Kind == SqlTokenKind.OpenParen)
        {
            end = DataChanges.MatchingParen(s, start, end);
            start++;
        }

        if (start < end && s.Word(start) != "NOTHING")
        {
            result.AddFrom(DataChanges.Body(s.Source, s.Tokens.Skip(start).Take(end - start).ToArray(), SqlDialect.PostgreSql, context),
                "in the rule's action, which runs with the old version's statements");
        }
    }

    /// <summary>DO [LANGUAGE l] 'body' [LANGUAGE l] runs at once: what it holds is classified like the script around it.</summary>
    private static void DoBlock(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        result.Add(ChangeKind.Unknown, "unknown-do-block");
        SqlStatement s = c.Statement;
        string language = "plpgsql";
        string? text = null;
        bool readable = false;
        for (int i = c.Position; i < c.End; i++)
        {
            if (s.Word(i) == "LANGUAGE" && i + 1 < c.End)
            {
                language = (s.Tokens[i + 1].Kind is SqlTokenKind.StringLiteral or SqlTokenKind.QuotedIdentifier
                    ? TokenCursor.Unquote(s.TokenText(i + 1))
                    : s.TokenText(i + 1)).ToLowerInvariant();
                i++;
            }
            else if (s.Tokens[i].Kind is SqlTokenKind.StringLiteral or SqlTokenKind.DollarString && !readable)
            {
                text = DataChanges.StringContent(s, i);
                readable = true;
            }
        }

        StatementClassification body = text is null
            ? DataChanges.BodyText(string.Empty, "(unreadable)", context)
            : DataChanges.BodyText(text, language, context);
        result.AddFrom(body, "in the DO block");
    }

    /// <summary>REINDEX [(options)] kind [CONCURRENTLY] name: the option list is read as the server reads it, the last word wins.</summary>
    private static void Reindex(TokenCursor c, StatementClassification result)
    {
        SqlStatement s = c.Statement;
        bool concurrently = false;
        if (c.PeekKind() == SqlTokenKind.OpenParen)
        {
            int close = DataChanges.MatchingParen(s, c.Position, c.End);
            var options = new TokenCursor(s, c.Position + 1, close);
            foreach ((int start, int end) in options.SplitOnTopLevelCommas())
            {
                if (s.Word(start) == "CONCURRENTLY")
                {
                    // An unreadable value is an error on the server; reading it as blocking is the safe side.
                    concurrently = DataChanges.OptionBoolean(s, start + 1, end) ?? false;
                }
            }

            c.Skip(close - c.Position + 1);
        }

        c.Skip();
        if (c.Accept("CONCURRENTLY"))
        {
            concurrently = true;
        }

        if (concurrently)
        {
            result.RequiresNoTransaction = true;
        }
        else
        {
            result.Add(ChangeKind.Additive, "require-concurrent-index-creation", "(REINDEX without CONCURRENTLY)");
        }
    }

    private static void Truncate(TokenCursor c, ClassificationContext context, StatementClassification result)
    {
        c.Skip();
        c.Accept("TABLE");
        foreach ((int start, int end) in c.SplitOnTopLevelCommas())
        {
            var part = new TokenCursor(c.Statement, start, end);
            part.Accept("ONLY");
            if (!context.IsReleaseTable(part.ReadName(), out string? script) || part.Peek() == "CASCADE")
            {
                result.Add(ChangeKind.Destructive, "ban-truncate");
                return;
            }

            if (script is not null && script != context.Script)
            {
                result.RelyOn(script);
            }
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
            AlterTableAction(action, context, table, newTable, result);
        }
    }

    private static void AlterTableAction(TokenCursor a, ClassificationContext context, string? table, bool newTable, StatementClassification result)
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
                // IF NOT EXISTS may find the column already there, holding the old version's data: not new then.
                bool ifNotExists = a.Accept("IF", "NOT", "EXISTS");
                AddColumn(a, context, ifNotExists ? null : table, newTable, result);
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
            else if (a.Accept("DROP", "DEFAULT") || (a.Peek() == "SET" && a.Peek(1) == "DEFAULT" && IsNull(new TokenCursor(a.Statement, a.Position + 2, a.End))))
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

        bool notValid = false;
        for (int i = a.Position; i < a.End - 1; i++)
        {
            notValid |= a.Statement.Word(i) == "NOT" && a.Statement.Word(i + 1) == "VALID" && Depth(a.Statement, a.Position, i) == 0;
        }

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

    private static void AddColumn(TokenCursor a, ClassificationContext context, string? table, bool newTable, StatementClassification result)
    {
        context.AddNewColumn(table, a.ReadName());
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

    // The built-ins above are only themselves unqualified (or in pg_catalog), with the arguments they take:
    // now(123) or app.now() is some other function, which may be volatile.
    private static bool IsBuiltIn(SqlStatement s, int i, int end)
    {
        string name = s.Tokens[i].Kind == SqlTokenKind.QuotedIdentifier ? TokenCursor.Unquote(s.TokenText(i)) : s.TokenText(i).ToLowerInvariant();
        if (!string.Equals(name, name.ToLowerInvariant(), StringComparison.Ordinal) || !NonVolatileFunctions.Contains(name.ToUpperInvariant()))
        {
            return false;
        }

        if (DataChanges.IsOperator(s, i - 1, ".") && s.Word(i - 2) != "PG_CATALOG")
        {
            return false;
        }

        bool noArguments = i + 2 < end && s.Tokens[i + 2].Kind == SqlTokenKind.CloseParen;
        return name.ToUpperInvariant() switch
        {
            "NOW" or "TRANSACTION_TIMESTAMP" or "STATEMENT_TIMESTAMP" => noArguments,
            "CURRENT_TIMESTAMP" or "CURRENT_TIME" or "LOCALTIMESTAMP" or "LOCALTIME" => !noArguments && i + 3 < end
                && s.Tokens[i + 2].Kind == SqlTokenKind.Number && s.Tokens[i + 3].Kind == SqlTokenKind.CloseParen,
            _ => true,
        };
    }

    // DEFAULT NULL, (NULL), NULL::text, CAST(NULL AS text): no default at all.
    private static bool IsNull(TokenCursor a)
    {
        SqlStatement s = a.Statement;
        int i = a.Position;
        while (i < a.End && s.Tokens[i].Kind == SqlTokenKind.OpenParen)
        {
            i++;
        }

        if (s.Word(i) == "CAST" && i + 1 < a.End && s.Tokens[i + 1].Kind == SqlTokenKind.OpenParen)
        {
            return s.Word(i + 2) == "NULL" && s.Word(i + 3) == "AS";
        }

        if (s.Word(i) != "NULL")
        {
            return false;
        }

        // What follows a cast is a type name: NULL::varchar(10)[] is still NULL.
        int next = i + 1;
        return next >= a.End || s.Tokens[next].Kind == SqlTokenKind.CloseParen || DataChanges.IsOperator(s, next, "::");
    }

    private static int Depth(SqlStatement s, int start, int index)
    {
        int depth = 0;
        for (int i = start; i < index; i++)
        {
            SqlTokenKind kind = s.Tokens[i].Kind;
            depth += kind == SqlTokenKind.OpenParen ? 1 : kind == SqlTokenKind.CloseParen ? -1 : 0;
        }

        return depth;
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

            bool isCall = kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier && i + 1 < end && statement.Tokens[i + 1].Kind == SqlTokenKind.OpenParen;
            if (isCall && !IsBuiltIn(statement, i, end))
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
