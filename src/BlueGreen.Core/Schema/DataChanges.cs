using System;
using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Schema;

/// <summary>
/// What PostgreSQL and SQLite statements do to the rows the old version reads, and what the bodies
/// they run (CTEs, trigger and rule actions, DO blocks, functions) do: a body's findings count as the
/// statement's own, so a waiver for the wrapper (creating-trigger, unknown-do-block) never covers them.
/// </summary>
internal static class DataChanges
{
    private static readonly HashSet<string> DataWords = new(StringComparer.Ordinal)
    {
        "UPDATE", "DELETE", "INSERT", "REPLACE", "MERGE", "WITH",
    };

    // Words that may stand in a WHERE without naming anything of the row.
    private static readonly HashSet<string> ConstantWords = new(StringComparer.Ordinal)
    {
        "TRUE", "FALSE", "NULL", "NOT", "AND", "OR", "IS", "ISNULL", "NOTNULL", "IN", "BETWEEN", "SYMMETRIC",
        "LIKE", "ILIKE", "GLOB", "CAST", "AS", "UNKNOWN", "DISTINCT", "FROM", "CASE", "WHEN", "THEN", "ELSE", "END",
        "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_USER", "SESSION_USER", "USER",
    };

    // Built-in PostgreSQL functions a migration's queries commonly call, which change nothing but their result.
    private static readonly HashSet<string> KnownFunctions = new(StringComparer.Ordinal)
    {
        "COUNT", "SUM", "AVG", "MIN", "MAX", "ARRAY_AGG", "STRING_AGG", "JSON_AGG", "JSONB_AGG", "JSON_OBJECT_AGG", "JSONB_OBJECT_AGG",
        "BOOL_AND", "BOOL_OR", "EVERY", "BIT_AND", "BIT_OR", "COALESCE", "NULLIF", "GREATEST", "LEAST", "LOWER", "UPPER",
        "INITCAP", "LENGTH", "CHAR_LENGTH", "CHARACTER_LENGTH", "OCTET_LENGTH", "SUBSTR", "SUBSTRING", "TRIM", "BTRIM", "LTRIM",
        "RTRIM", "LPAD", "RPAD", "REPLACE", "TRANSLATE", "REGEXP_REPLACE", "REGEXP_MATCH", "REGEXP_MATCHES", "REGEXP_SPLIT_TO_ARRAY",
        "REGEXP_SPLIT_TO_TABLE", "SPLIT_PART", "POSITION", "STRPOS", "LEFT", "RIGHT", "REVERSE", "REPEAT", "CONCAT", "CONCAT_WS",
        "FORMAT", "MD5", "SHA224", "SHA256", "SHA384", "SHA512", "ENCODE", "DECODE", "TO_CHAR", "TO_DATE", "TO_TIMESTAMP",
        "TO_NUMBER", "NOW", "CLOCK_TIMESTAMP", "STATEMENT_TIMESTAMP", "TRANSACTION_TIMESTAMP", "TIMEOFDAY", "DATE_TRUNC",
        "DATE_PART", "DATE_BIN", "EXTRACT", "AGE", "MAKE_DATE", "MAKE_TIME", "MAKE_TIMESTAMP", "MAKE_TIMESTAMPTZ", "MAKE_INTERVAL",
        "JUSTIFY_DAYS", "JUSTIFY_HOURS", "JUSTIFY_INTERVAL", "ABS", "CEIL", "CEILING", "FLOOR", "ROUND", "TRUNC", "MOD", "POWER",
        "SQRT", "EXP", "LN", "LOG", "SIGN", "RANDOM", "GEN_RANDOM_UUID", "UUID_GENERATE_V4", "NEXTVAL", "CURRVAL", "SETVAL",
        "LASTVAL", "PG_SLEEP", "CURRENT_SETTING", "JSONB_BUILD_OBJECT", "JSON_BUILD_OBJECT", "JSONB_BUILD_ARRAY", "JSON_BUILD_ARRAY",
        "TO_JSONB", "TO_JSON", "ROW_TO_JSON", "JSONB_SET", "JSONB_INSERT", "JSONB_STRIP_NULLS", "JSONB_ARRAY_ELEMENTS",
        "JSONB_ARRAY_ELEMENTS_TEXT", "JSON_ARRAY_ELEMENTS", "JSONB_EACH", "JSONB_EACH_TEXT", "JSONB_OBJECT_KEYS", "JSONB_TYPEOF",
        "JSON_TYPEOF", "JSONB_EXTRACT_PATH", "JSONB_EXTRACT_PATH_TEXT", "JSONB_ARRAY_LENGTH", "JSONB_PRETTY", "ROW_NUMBER", "RANK",
        "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "LAG", "LEAD", "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE", "NTILE",
        "GENERATE_SERIES", "UNNEST", "ARRAY_LENGTH", "ARRAY_POSITION", "ARRAY_REMOVE", "ARRAY_APPEND", "ARRAY_PREPEND", "ARRAY_CAT",
        "ARRAY_TO_STRING", "STRING_TO_ARRAY", "CARDINALITY", "QUOTE_IDENT", "QUOTE_LITERAL", "QUOTE_NULLABLE", "TO_TSVECTOR",
        "TO_TSQUERY", "PLAINTO_TSQUERY", "TS_RANK", "HASHTEXT", "PG_ADVISORY_LOCK", "PG_ADVISORY_UNLOCK", "PG_TRY_ADVISORY_LOCK",
        "PG_ADVISORY_XACT_LOCK", "SET_CONFIG", "CURRENT_SCHEMA", "VERSION", "DATE", "INT4", "INT8", "TEXT", "NUMERIC", "FLOAT8", "BOOL",
        "OBJ_DESCRIPTION", "COL_DESCRIPTION", "PG_TABLE_SIZE", "PG_RELATION_SIZE", "PG_TOTAL_RELATION_SIZE", "SIMILARITY",
    };

    // Words that are followed by a parenthesis without being a call.
    private static readonly HashSet<string> NotCalls = new(StringComparer.Ordinal)
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "EXISTS", "ANY", "ALL", "SOME", "ARRAY", "ROW", "VALUES", "ON",
        "USING", "AS", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "CONFLICT", "LATERAL", "ROLLUP", "CUBE", "GROUPING", "SETS",
        "OVER", "FILTER", "WITHIN", "DISTINCT", "BY", "SET", "INTO", "TABLE", "RETURNING", "UNION", "INTERSECT", "EXCEPT", "JOIN",
        "LIKE", "ILIKE", "SIMILAR", "BETWEEN", "OVERLAPS", "OVERLAY", "INTERVAL", "TIMESTAMP", "TIME", "NUMERIC", "DECIMAL",
        "VARCHAR", "CHAR", "CHARACTER", "VARYING", "BIT", "FLOAT", "PRECISION", "DEFAULT", "LIMIT", "OFFSET", "HAVING", "WINDOW",
        "PARTITION", "ORDER", "GROUP", "DO", "NOTHING", "UPDATE", "DELETE", "INSERT", "MERGE", "MATCHED", "WITH", "RECURSIVE",
        "MATERIALIZED", "TABLESAMPLE", "ONLY", "NULLS", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "CURRENT_TIME", "LOCALTIME",
        "NORMALIZE", "COLLATE", "XMLELEMENT", "XMLFOREST", "XMLATTRIBUTES", "XMLPARSE", "XMLSERIALIZE", "XMLPI", "XMLROOT",
        "XMLCONCAT", "XMLEXISTS", "JSON_TABLE", "TREAT", "RETURN", "PERFORM", "QUERY", "EXECUTE", "IF", "ELSIF", "WHILE", "LOOP",
        "RAISE", "CHECK", "UNIQUE", "KEY", "PRIMARY", "REFERENCES", "FOREIGN", "INCLUDE", "FOR", "OF",
    };

    // Words after which a name followed by a parenthesis is a call.
    private static readonly HashSet<string> BeforeCalls = new(StringComparer.Ordinal)
    {
        "SELECT", "WHERE", "AND", "OR", "NOT", "THEN", "ELSE", "WHEN", "RETURNING", "FROM", "JOIN", "LATERAL", "BY", "HAVING",
        "DISTINCT", "ALL", "IS", "LIKE", "ILIKE", "BETWEEN", "IN", "DEFAULT", "PERFORM", "RETURN", "CASE", "ON", "IF", "ELSIF",
        "WHILE", "ASSERT", "EXISTS", "VALUES", "CALL", "QUERY",
    };

    // Built-ins whose effect reaches beyond the statement: other sessions, other databases, large objects.
    private static readonly HashSet<string> ReachingFunctions = new(StringComparer.Ordinal)
    {
        "DBLINK", "DBLINK_EXEC", "DBLINK_SEND_QUERY", "DBLINK_OPEN", "LO_UNLINK", "LO_TRUNCATE", "LO_PUT", "PG_TERMINATE_BACKEND",
        "PG_CANCEL_BACKEND", "PG_RELOAD_CONF", "PG_DROP_REPLICATION_SLOT", "PG_FILE_WRITE", "PG_FILE_UNLINK", "PG_FILE_RENAME",
        "PG_PROMOTE", "PG_REPLICATION_ORIGIN_DROP", "LOAD_EXTENSION",
    };

    private static readonly HashSet<string> Timeouts = new(StringComparer.Ordinal)
    {
        "LOCK_TIMEOUT", "STATEMENT_TIMEOUT", "IDLE_IN_TRANSACTION_SESSION_TIMEOUT",
    };

    /// <summary>True for the words that start a statement that changes rows.</summary>
    public static bool StartsDataChange(string word) => DataWords.Contains(word);

    /// <summary>Classifies the data change in tokens [start, end): UPDATE, DELETE, INSERT/REPLACE, MERGE or a WITH ending in one.</summary>
    public static void Classify(SqlStatement s, int start, int end, SqlDialect dialect, ClassificationContext context, StatementClassification result)
    {
        switch (s.Word(start))
        {
            case "WITH":
                With(s, start, end, dialect, context, result);
                break;
            case "UPDATE":
                Update(s, start, end, dialect, context, result);
                break;
            case "DELETE":
                Delete(s, start, end, dialect, context, result);
                break;
            case "INSERT" or "REPLACE":
                Insert(s, start, end, dialect, context, result);
                break;
            case "MERGE":
                Merge(s, start, end, dialect, context, result);
                break;
        }
    }

    private static void With(SqlStatement s, int start, int end, SqlDialect dialect, ClassificationContext context, StatementClassification result)
    {
        // Every CTE body and the main statement: PostgreSQL runs a data-modifying CTE whether or not it is read.
        int i = start + 1;
        while (i < end)
        {
            SqlTokenKind kind = s.Tokens[i].Kind;
            if (kind == SqlTokenKind.OpenParen)
            {
                int close = MatchingParen(s, i, end);
                if (s.Word(i - 1) is "AS" or "MATERIALIZED")
                {
                    Classify(s, i + 1, close, dialect, context, result);
                }

                i = close + 1;
                continue;
            }

            string word = s.Word(i);
            if (word is "SELECT" or "VALUES" or "TABLE" or "UPDATE" or "DELETE" or "INSERT" or "REPLACE" or "MERGE")
            {
                Classify(s, i, end, dialect, context, result);
                return;
            }

            i++;
        }
    }

    private static void Update(SqlStatement s, int start, int end, SqlDialect dialect, ClassificationContext context, StatementClassification result)
    {
        var c = new TokenCursor(s, start + 1, end);
        bool orReplace = false;
        if (c.Accept("OR"))
        {
            orReplace = c.Peek() == "REPLACE";
            c.Skip();
        }

        c.Accept("ONLY");
        string? table = Normalise(c.ReadName(), dialect);
        int set = FindTopLevel(s, c.Position, end, "SET");
        if (set < 0)
        {
            return;
        }

        int listEnd = FindTopLevel(s, set + 1, end, "FROM", "WHERE", "RETURNING", "ORDER", "LIMIT");
        IReadOnlyList<string> columns = SetColumns(s, set + 1, listEnd < 0 ? end : listEnd, dialect);
        int where = FindTopLevel(s, set + 1, end, "WHERE");
        Reach reach = WhereReach(s, where, end);
        if (orReplace && !IsReleaseTable(table, context, result))
        {
            result.Add(ChangeKind.Destructive, "overwriting-rows", "(UPDATE OR REPLACE deletes every row a changed key collides with)");
        }

        Overwrites(table, columns, context, result, reach switch
        {
            Reach.EveryRow => $"(UPDATE without a WHERE sets {List(columns)} in every row)",
            Reach.AlwaysTrue => $"(the WHERE of this UPDATE is always true, so it sets {List(columns)} in every row)",
            _ => $"(UPDATE of {List(columns)}, which the old version reads)",
        });
    }

    private static void Delete(SqlStatement s, int start, int end, SqlDialect dialect, ClassificationContext context, StatementClassification result)
    {
        var c = new TokenCursor(s, start + 1, end);
        c.Accept("FROM");
        c.Accept("ONLY");
        string? table = Normalise(c.ReadName(), dialect);
        if (IsReleaseTable(table, context, result))
        {
            return;
        }

        Reach reach = WhereReach(s, FindTopLevel(s, c.Position, end, "WHERE"), end);
        result.Add(ChangeKind.Destructive, "deleting-rows", reach switch
        {
            Reach.EveryRow => "(DELETE without a WHERE: every row)",
            Reach.AlwaysTrue => "(its WHERE is always true: every row)",
            _ => null,
        });
    }

    private static void Insert(SqlStatement s, int start, int end, SqlDialect dialect, ClassificationContext context, StatementClassification result)
    {
        var c = new TokenCursor(s, start + 1, end);
        bool replace = s.Word(start) == "REPLACE";
        if (c.Accept("OR"))
        {
            replace |= c.Peek() == "REPLACE";
            c.Skip();
        }

        c.Accept("INTO");
        string? table = Normalise(c.ReadName(), dialect);
        if (replace && !IsReleaseTable(table, context, result))
        {
            result.Add(ChangeKind.Destructive, "overwriting-rows", "(REPLACE deletes the row a new one collides with, and what cascades from it, before it inserts)");
        }

        // ON CONFLICT ... DO UPDATE SET (SQLite may chain several).
        for (int i = c.Position; i < end; i++)
        {
            if (s.Tokens[i].Kind == SqlTokenKind.OpenParen)
            {
                i = MatchingParen(s, i, end);
                continue;
            }

            if (s.Word(i) == "DO" && s.Word(i + 1) == "UPDATE" && s.Word(i + 2) == "SET")
            {
                int listEnd = FindTopLevel(s, i + 3, end, "WHERE", "ON", "RETURNING");
                IReadOnlyList<string> columns = SetColumns(s, i + 3, listEnd < 0 ? end : listEnd, dialect);
                Overwrites(table, columns, context, result, $"(ON CONFLICT DO UPDATE overwrites {List(columns)} in the row the insert collides with)");
            }
        }
    }

    private static void Merge(SqlStatement s, int start, int end, SqlDialect dialect, ClassificationContext context, StatementClassification result)
    {
        var c = new TokenCursor(s, start + 1, end);
        c.Accept("INTO");
        c.Accept("ONLY");
        string? table = Normalise(c.ReadName(), dialect);
        for (int i = c.Position; i < end; i++)
        {
            if (s.Tokens[i].Kind == SqlTokenKind.OpenParen)
            {
                i = MatchingParen(s, i, end);
                continue;
            }

            if (s.Word(i) != "THEN")
            {
                continue;
            }

            if (s.Word(i + 1) == "DELETE" && !IsReleaseTable(table, context, result))
            {
                result.Add(ChangeKind.Destructive, "deleting-rows", "(MERGE ... THEN DELETE)");
            }
            else if (s.Word(i + 1) == "UPDATE" && s.Word(i + 2) == "SET")
            {
                int listEnd = FindTopLevel(s, i + 3, end, "WHEN");
                IReadOnlyList<string> columns = SetColumns(s, i + 3, listEnd < 0 ? end : listEnd, dialect);
                Overwrites(table, columns, context, result, $"(MERGE ... THEN UPDATE overwrites {List(columns)})");
            }
        }
    }

    private static void Overwrites(string? table, IReadOnlyList<string> columns, ClassificationContext context, StatementClassification result, string detail)
    {
        // A backfill of columns this release adds (to an old table, or as part of a table it creates):
        // the old version never reads them. Each column relies on the script that added it.
        bool newTable = context.IsReleaseTable(table, out string? tableScript);
        bool allNew = columns.Count > 0 || newTable;
        var origins = new List<string?>();
        foreach (string column in columns)
        {
            if (context.IsReleaseColumn(table, column, out string? script))
            {
                origins.Add(script);
            }
            else if (newTable)
            {
                origins.Add(tableScript);
            }
            else
            {
                allNew = false;
            }
        }

        if (!allNew)
        {
            result.Add(ChangeKind.Destructive, "overwriting-rows", detail);
            return;
        }

        if (columns.Count == 0)
        {
            origins.Add(tableScript);
        }

        foreach (string? script in origins)
        {
            Rely(script, context, result);
        }
    }

    private static bool IsReleaseTable(string? table, ClassificationContext context, StatementClassification result)
    {
        if (!context.IsReleaseTable(table, out string? script))
        {
            return false;
        }

        Rely(script, context, result);
        return true;
    }

    private static void Rely(string? script, ClassificationContext context, StatementClassification result)
    {
        if (script is not null && script != context.Script)
        {
            result.RelyOn(script);
        }
    }

    private static string List(IReadOnlyList<string> columns) => columns.Count == 0 ? "columns" : string.Join(", ", columns);

    private enum Reach
    {
        Keyed,
        EveryRow,
        AlwaysTrue,
    }

    private static Reach WhereReach(SqlStatement s, int where, int end)
    {
        if (where < 0)
        {
            return Reach.EveryRow;
        }

        int whereEnd = FindTopLevel(s, where + 1, end, "RETURNING", "ORDER", "LIMIT");
        return IsTautology(s, where + 1, whereEnd < 0 ? end : whereEnd) ? Reach.AlwaysTrue : Reach.Keyed;
    }

    /// <summary>
    /// True when the condition does not depend on the row (<c>true</c>, <c>1=1</c>, <c>'a'='a'</c>, <c>NOT false</c>),
    /// compares something with itself (<c>id = id</c>), or has such an arm at its top level joined by OR.
    /// </summary>
    internal static bool IsTautology(SqlStatement s, int start, int end)
    {
        while (start < end && s.Tokens[start].Kind == SqlTokenKind.OpenParen && MatchingParen(s, start, end) == end - 1)
        {
            start++;
            end--;
        }

        if (start >= end)
        {
            return false;
        }

        int arm = start;
        int depth = 0;
        for (int i = start; i <= end; i++)
        {
            if (i < end)
            {
                SqlTokenKind kind = s.Tokens[i].Kind;
                depth += kind == SqlTokenKind.OpenParen ? 1 : kind == SqlTokenKind.CloseParen ? -1 : 0;
                if (depth != 0 || s.Word(i) != "OR")
                {
                    continue;
                }
            }

            if (arm < i && (IsConstant(s, arm, i) || IsSelfComparison(s, arm, i) || (arm != start || i != end) && IsTautology(s, arm, i)))
            {
                return true;
            }

            arm = i + 1;
        }

        return false;
    }

    private static bool IsConstant(SqlStatement s, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            SqlToken token = s.Tokens[i];
            bool call = i + 1 < end && s.Tokens[i + 1].Kind == SqlTokenKind.OpenParen;
            bool typeName = i > start && IsOperator(s, i - 1, "::");
            switch (token.Kind)
            {
                case SqlTokenKind.Word when ConstantWords.Contains(s.Word(i)) || call || typeName:
                    continue;
                case SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier:
                    return false;
            }
        }

        return true;
    }

    private static bool IsSelfComparison(SqlStatement s, int start, int end)
    {
        int equals = -1;
        int depth = 0;
        for (int i = start; i < end; i++)
        {
            SqlTokenKind kind = s.Tokens[i].Kind;
            depth += kind == SqlTokenKind.OpenParen ? 1 : kind == SqlTokenKind.CloseParen ? -1 : 0;
            if (depth == 0 && IsOperator(s, i, "=") && !IsOperator(s, i - 1, "<") && !IsOperator(s, i - 1, ">") && !IsOperator(s, i - 1, "!")
                && !IsOperator(s, i + 1, "="))
            {
                if (equals >= 0)
                {
                    return false;
                }

                equals = i;
            }
        }

        if (equals <= start || equals >= end - 1 || equals - start != end - equals - 1)
        {
            return false;
        }

        for (int i = 0; i < equals - start; i++)
        {
            if (!string.Equals(s.TokenText(start + i), s.TokenText(equals + 1 + i), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The columns an assignment list sets: <c>a = 1, (b, c) = (2, 3), d[1] = 4</c>.</summary>
    private static List<string> SetColumns(SqlStatement s, int start, int end, SqlDialect dialect)
    {
        var columns = new List<string>();
        var c = new TokenCursor(s, start, end);
        foreach ((int partStart, int partEnd) in c.SplitOnTopLevelCommas())
        {
            if (partStart >= partEnd)
            {
                continue;
            }

            if (s.Tokens[partStart].Kind == SqlTokenKind.OpenParen)
            {
                int close = MatchingParen(s, partStart, partEnd);
                for (int i = partStart + 1; i < close; i++)
                {
                    AddName(s, i, dialect, columns);
                }
            }
            else
            {
                // SET t.col (SQL Server style) names the column last; PostgreSQL's col.field names it first.
                AddName(s, partStart, dialect, columns);
            }
        }

        return columns;
    }

    private static void AddName(SqlStatement s, int i, SqlDialect dialect, List<string> names)
    {
        SqlToken token = s.Tokens[i];
        string? name = token.Kind switch
        {
            SqlTokenKind.Word => s.TokenText(i).ToLowerInvariant(),
            SqlTokenKind.QuotedIdentifier => TokenCursor.Unquote(s.TokenText(i)),
            _ => null,
        };
        if (Normalise(name, dialect) is { } normalised)
        {
            names.Add(normalised);
        }
    }

    /// <summary>SQLite compares names without regard to case, quoted or not.</summary>
    internal static string? Normalise(string? name, SqlDialect dialect) =>
        name is not null && dialect == SqlDialect.Sqlite ? name.ToLowerInvariant() : name;

    /// <summary>
    /// The calls a statement makes: a function this release created brings its body's findings; a built-in that
    /// reaches other sessions or databases is unknown; with <paramref name="strict"/>, so is any function not known
    /// to be a plain built-in (a query in a migration runs it for its effect).
    /// </summary>
    public static void Calls(SqlStatement s, int start, int end, ClassificationContext context, StatementClassification result, bool strict)
    {
        for (int i = start; i < end - 1; i++)
        {
            SqlToken token = s.Tokens[i];
            if (token.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier) || s.Tokens[i + 1].Kind != SqlTokenKind.OpenParen)
            {
                continue;
            }

            string name = token.Kind == SqlTokenKind.Word ? s.TokenText(i).ToLowerInvariant() : TokenCursor.Unquote(s.TokenText(i));
            string upper = name.ToUpperInvariant();
            bool qualified = i > start && IsOperator(s, i - 1, ".");
            string before = s.Word(qualified ? i - 3 : i - 1);

            // DROP/COMMENT/GRANT ... FUNCTION f(int) name a function without running it; EXECUTE FUNCTION f() runs it.
            if (before is "FUNCTION" or "PROCEDURE" or "ROUTINE" && s.Word(qualified ? i - 4 : i - 2) != "EXECUTE")
            {
                continue;
            }

            StatementClassification? body = context.FindFunction(name);
            if (body is not null)
            {
                result.AddFrom(body, "in " + name + "(), which runs here");
                continue;
            }

            if (ReachingFunctions.Contains(upper))
            {
                result.Add(ChangeKind.Unknown, "unknown-call", "(" + name + "() reaches beyond the migration)");
                continue;
            }

            if (upper == "SET_CONFIG" && i + 2 < end && s.Tokens[i + 2].Kind == SqlTokenKind.StringLiteral
                && Timeouts.Contains(TokenCursor.Unquote(s.TokenText(i + 2)).ToUpperInvariant()))
            {
                result.Add(ChangeKind.Unknown, "unknown-statement", "(set_config of a timeout the migration relies on)");
                continue;
            }

            int first = qualified ? i - 2 : i;
            bool typeName = IsOperator(s, first - 1, "::");
            bool callPosition = first <= start || s.Tokens[first - 1].Kind is SqlTokenKind.Operator or SqlTokenKind.Comma or SqlTokenKind.OpenParen
                || BeforeCalls.Contains(s.Word(first - 1));
            if (strict && callPosition && !typeName && !NotCalls.Contains(upper) && (qualified || token.Kind == SqlTokenKind.QuotedIdentifier || !KnownFunctions.Contains(upper)))
            {
                result.Add(ChangeKind.Unknown, "unknown-call", "(" + name + "() is not a built-in BlueGreen knows; its effect cannot be classified)");
            }
        }
    }

    /// <summary>
    /// <c>SET lock_timeout = 0</c>, <c>RESET ALL</c>, <c>SET statement_timeout TO DEFAULT</c>: the migration's timeouts
    /// keep a DDL statement from queueing behind the old version's queries and blocking them. A positive value is fine.
    /// </summary>
    public static void SetTimeout(SqlStatement s, ClassificationContext context, StatementClassification result)
    {
        var c = new TokenCursor(s);
        if (c.Accept("RESET"))
        {
            if (c.Peek() == "ALL" || Timeouts.Contains(c.Peek()))
            {
                result.Add(ChangeKind.Unknown, "unknown-statement", "(resets a timeout the migration relies on)");
            }

            return;
        }

        c.Accept("SET");
        _ = c.Accept("SESSION") || c.Accept("LOCAL");
        if (!Timeouts.Contains(c.Peek()))
        {
            return;
        }

        c.Skip();
        if (!c.Accept("TO") && c.PeekKind() == SqlTokenKind.Operator && s.TokenText(c.Position) == "=")
        {
            c.Skip();
        }

        string value = c.AtEnd ? string.Empty : s.TokenText(c.Position);
        if (c.PeekKind() is SqlTokenKind.StringLiteral or SqlTokenKind.QuotedIdentifier)
        {
            value = TokenCursor.Unquote(value);
        }

        int digits = 0;
        while (digits < value.Length && (char.IsDigit(value[digits]) || value[digits] == '.'))
        {
            digits++;
        }

        bool positive = digits > 0 && double.TryParse(value.Substring(0, digits), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double number) && number > 0;
        if (!positive)
        {
            result.Add(ChangeKind.Unknown, "unknown-statement", "(turns off a timeout the migration relies on: " + (value.Length == 0 ? "no value" : value) + ")");
        }
    }

    /// <summary>Reads a utility option's boolean as PostgreSQL does: no value, true/false/on/off (any case, quoted or not), 1/0.</summary>
    public static bool? OptionBoolean(SqlStatement s, int start, int end)
    {
        if (start >= end)
        {
            return true;
        }

        if (end - start != 1)
        {
            return null;
        }

        SqlToken token = s.Tokens[start];
        string text = token.Kind is SqlTokenKind.StringLiteral or SqlTokenKind.QuotedIdentifier ? TokenCursor.Unquote(s.TokenText(start)) : s.TokenText(start);
        if (token.Kind == SqlTokenKind.Number)
        {
            return text == "1" ? true : text == "0" ? false : null;
        }

        return text.ToUpperInvariant() switch
        {
            "TRUE" or "ON" => true,
            "FALSE" or "OFF" => false,
            _ => null,
        };
    }

    /// <summary>
    /// Classifies the statements of a body: a trigger's BEGIN ... END, a rule's actions, a function's or DO block's code.
    /// PL/pgSQL control flow is stepped over; what is left are SQL statements, classified as if they stood alone.
    /// </summary>
    public static StatementClassification Body(string source, IReadOnlyList<SqlToken> tokens, SqlDialect dialect, ClassificationContext context)
    {
        var result = new StatementClassification();
        ClassificationContext body = context.InBody ? context : context.ForBody();
        bool declaring = false;
        foreach (IReadOnlyList<SqlToken> piece in Pieces(tokens))
        {
            SqlStatement statement = Statement(source, piece);
            int i = 0;
            int n = piece.Count;
            bool done = false;
            while (!done && i < n)
            {
                if (IsOperator(statement, i, "<") && IsOperator(statement, i + 1, "<"))
                {
                    // <<label>>
                    i += 2;
                    while (i < n && !IsOperator(statement, i, ">"))
                    {
                        i++;
                    }

                    i += 2;
                    continue;
                }

                string word = statement.Word(i);
                if (declaring && word != "BEGIN")
                {
                    // A declaration's default runs when the block starts.
                    Calls(statement, i, n, body, result, strict: true);
                    break;
                }

                switch (word)
                {
                    case "DECLARE":
                        declaring = true;
                        i++;
                        break;
                    case "BEGIN" when dialect == SqlDialect.PostgreSql || i == 0:
                        declaring = false;
                        i++;
                        break;
                    case "END":
                        done = true;
                        break;
                    case "ELSE" or "LOOP" or "EXCEPTION":
                        i++;
                        break;
                    case "IF" or "ELSIF" or "ELSEIF" or "WHEN":
                        int then = FindTopLevel(statement, i + 1, n, "THEN");
                        Calls(statement, i + 1, then < 0 ? n : then, body, result, strict: true);
                        i = then < 0 ? n : then + 1;
                        break;
                    case "CASE":
                        int when = FindTopLevel(statement, i + 1, n, "WHEN");
                        i = when < 0 ? n : when;
                        break;
                    case "WHILE":
                        int loop = FindTopLevel(statement, i + 1, n, "LOOP");
                        Calls(statement, i + 1, loop < 0 ? n : loop, body, result, strict: true);
                        i = loop < 0 ? n : loop + 1;
                        break;
                    case "FOR" or "FOREACH":
                        int @in = FindTopLevel(statement, i + 1, n, "IN");
                        int forLoop = FindTopLevel(statement, i + 1, n, "LOOP");
                        if (@in >= 0 && forLoop > @in)
                        {
                            Query(statement, @in + 1, forLoop, dialect, body, result);
                        }

                        i = forLoop < 0 ? n : forLoop + 1;
                        break;
                    case "RETURN":
                        if (statement.Word(i + 1) == "QUERY")
                        {
                            Query(statement, i + 2, n, dialect, body, result);
                        }
                        else
                        {
                            Calls(statement, i + 1, n, body, result, strict: true);
                        }

                        done = true;
                        break;
                    case "OPEN":
                        int @for = FindTopLevel(statement, i + 1, n, "FOR");
                        if (@for >= 0)
                        {
                            Query(statement, @for + 1, n, dialect, body, result);
                        }

                        done = true;
                        break;
                    case "PERFORM":
                        Calls(statement, i + 1, n, body, result, strict: true);
                        done = true;
                        break;
                    case "EXECUTE" when dialect == SqlDialect.PostgreSql:
                        Execute(statement, i + 1, n, body, result);
                        done = true;
                        break;
                    case "RAISE" or "NULL" or "EXIT" or "CONTINUE" or "GET" or "FETCH" or "MOVE" or "CLOSE" or "ASSERT":
                        Calls(statement, i + 1, n, body, result, strict: true);
                        done = true;
                        break;
                    default:
                        if (dialect == SqlDialect.PostgreSql && IsAssignment(statement, i, n))
                        {
                            Calls(statement, i, n, body, result, strict: true);
                        }
                        else
                        {
                            Query(statement, i, n, dialect, body, result, whole: true);
                        }

                        done = true;
                        break;
                }
            }
        }

        return result;
    }

    /// <summary>Classifies the text of a PL/pgSQL (or SQL) body, as a DO block or a function holds it.</summary>
    public static StatementClassification BodyText(string text, string language, ClassificationContext context)
    {
        if (language is not ("plpgsql" or "sql"))
        {
            var unreadable = new StatementClassification();
            unreadable.Add(ChangeKind.Unknown, "unknown-dynamic-sql", "(a LANGUAGE " + language + " body cannot be read)");
            return unreadable;
        }

        SqlLexResult lexed = SqlLexer.Tokenize(text, SqlDialect.PostgreSql);
        if (lexed.Error is not null)
        {
            var broken = new StatementClassification();
            broken.Add(ChangeKind.Unknown, "unparseable-statement", "(in a body: " + lexed.Error + ")");
            return broken;
        }

        return Body(text, lexed.Tokens.Where(t => !t.IsTrivia).ToArray(), SqlDialect.PostgreSql, context);
    }

    /// <summary>The text inside a string or dollar-quoted token, or null when it cannot be known (E'' escapes).</summary>
    public static string? StringContent(SqlStatement s, int index)
    {
        SqlToken token = s.Tokens[index];
        string text = s.TokenText(index);
        if (token.Kind == SqlTokenKind.DollarString)
        {
            int tag = text.IndexOf('$', 1) + 1;
            return text.Substring(tag, text.Length - (2 * tag));
        }

        if (token.Kind == SqlTokenKind.StringLiteral && text.Length >= 2 && text[0] == '\'')
        {
            return text.Substring(1, text.Length - 2).Replace("''", "'");
        }

        return null;
    }

    private static void Execute(SqlStatement s, int start, int end, ClassificationContext context, StatementClassification result)
    {
        // EXECUTE of one literal is classified like the statements it holds; anything computed cannot be.
        int stop = FindTopLevel(s, start, end, "INTO", "USING");
        stop = stop < 0 ? end : stop;
        string? text = stop - start == 1 ? StringContent(s, start) : null;
        if (text is null)
        {
            result.Add(ChangeKind.Unknown, "unknown-dynamic-sql", "(EXECUTE of a computed string)");
            return;
        }

        foreach (SqlStatement inner in SqlSplitter.Split(text, SqlDialect.PostgreSql))
        {
            result.AddFrom(PostgresClassifier.Classify(inner, context), "in EXECUTE");
        }
    }

    private static void Query(SqlStatement s, int start, int end, SqlDialect dialect, ClassificationContext context, StatementClassification result, bool whole = false)
    {
        if (start >= end)
        {
            return;
        }

        if (s.Word(start) == "EXECUTE" && dialect == SqlDialect.PostgreSql)
        {
            Execute(s, start + 1, end, context, result);
            return;
        }

        if (!whole && s.Word(start) is not ("SELECT" or "WITH" or "INSERT" or "UPDATE" or "DELETE" or "MERGE" or "VALUES" or "TABLE"))
        {
            Calls(s, start, end, context, result, strict: true);
            return;
        }

        SqlStatement statement = Statement(s.Source, s.Tokens.Skip(start).Take(end - start).ToArray());
        StatementClassification inner = dialect == SqlDialect.PostgreSql
            ? PostgresClassifier.Classify(statement, context)
            : SqliteClassifier.Classify(statement, context);
        foreach ((ChangeKind kind, string ruleId, string? detail) in inner.Findings)
        {
            result.Add(kind, ruleId, detail);
        }

        foreach (string script in inner.ReliesOnScripts)
        {
            result.RelyOn(script);
        }
    }

    private static bool IsAssignment(SqlStatement s, int i, int n)
    {
        // name[.field][[subscript]] := value (or = value)
        int j = i;
        while (j < n && (s.Tokens[j].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier || IsOperator(s, j, ".")))
        {
            j++;
        }

        if (j < n && IsOperator(s, j, "["))
        {
            while (j < n && !IsOperator(s, j, "]"))
            {
                j++;
            }

            j++;
        }

        return j > i && (IsOperator(s, j, ":") && IsOperator(s, j + 1, "=") || IsOperator(s, j, "=") && j == i + 1);
    }

    private static IEnumerable<IReadOnlyList<SqlToken>> Pieces(IReadOnlyList<SqlToken> tokens)
    {
        var piece = new List<SqlToken>();
        int depth = 0;
        foreach (SqlToken token in tokens)
        {
            if (token.IsTrivia)
            {
                continue;
            }

            if (token.Kind == SqlTokenKind.Semicolon && depth <= 0)
            {
                if (piece.Count > 0)
                {
                    yield return piece.ToArray();
                    piece.Clear();
                }

                continue;
            }

            depth += token.Kind == SqlTokenKind.OpenParen ? 1 : token.Kind == SqlTokenKind.CloseParen ? -1 : 0;
            piece.Add(token);
        }

        if (piece.Count > 0)
        {
            yield return piece.ToArray();
        }
    }

    /// <summary>A statement made of some of the tokens of a text, for classifying a part of a larger statement.</summary>
    internal static SqlStatement Statement(string source, IReadOnlyList<SqlToken> tokens)
    {
        SqlToken first = tokens[0];
        SqlToken last = tokens[tokens.Count - 1];
        return new SqlStatement(source, first.Line, first.Start, last.Start + last.Length, tokens, Array.Empty<string>(), null);
    }

    internal static bool IsOperator(SqlStatement s, int i, string op) =>
        i >= 0 && i < s.Tokens.Count && s.Tokens[i].Kind == SqlTokenKind.Operator && s.TokenText(i) == op;

    internal static int MatchingParen(SqlStatement s, int open, int end)
    {
        int depth = 0;
        for (int i = open; i < end; i++)
        {
            SqlTokenKind kind = s.Tokens[i].Kind;
            if (kind == SqlTokenKind.OpenParen)
            {
                depth++;
            }
            else if (kind == SqlTokenKind.CloseParen && --depth == 0)
            {
                return i;
            }
        }

        return end - 1;
    }

    /// <summary>The first of <paramref name="words"/> outside parentheses in [start, end), or -1.</summary>
    internal static int FindTopLevel(SqlStatement s, int start, int end, params string[] words)
    {
        int depth = 0;
        for (int i = start; i < end; i++)
        {
            SqlTokenKind kind = s.Tokens[i].Kind;
            if (kind == SqlTokenKind.OpenParen)
            {
                depth++;
            }
            else if (kind == SqlTokenKind.CloseParen)
            {
                depth--;
            }
            else if (depth == 0 && kind == SqlTokenKind.Word && Array.IndexOf(words, s.Word(i)) >= 0)
            {
                return i;
            }
        }

        return -1;
    }
}
