using System;
using System.Linq;
using BlueGreen.Core.Schema;
using Xunit;

namespace BlueGreen.Schema.Tests;

/// <summary>Where statements end: the rules each server reads text by, and nothing else.</summary>
public sealed class SplitterTests
{
    private static string[] Texts(string sql, SqlDialect dialect) => SqlSplitter.Split(sql, dialect).Select(s => s.Text).ToArray();

    [Theory]
    [InlineData("ALTER TABLE t ADD COLUMN \"trigger\" int; DROP TABLE users;")]
    [InlineData("ALTER TABLE t ADD COLUMN trigger int; DROP TABLE users;")]
    [InlineData("CREATE TABLE begin(x int); DROP TABLE users;")]
    [InlineData("CREATE TABLE function (begin int, atomic int); DROP TABLE users;")]
    [InlineData("CREATE TABLE \"function\" (\"begin\" int, \"atomic\" int, \"end\" int, \"case\" int); DROP TABLE users;")]
    [InlineData("CREATE INDEX atomic ON begin (x); DROP TABLE users;")]
    [InlineData("CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; DROP TABLE users;")]
    [InlineData("CREATE FUNCTION f(begin int, atomic int) RETURNS int LANGUAGE sql RETURN begin; DROP TABLE users;")]
    [InlineData("CREATE FUNCTION f() RETURNS TABLE (begin int, atomic int) LANGUAGE sql AS 'SELECT 1, 2'; DROP TABLE users;")]
    [InlineData("CREATE VIEW v AS SELECT t.begin, t.atomic, t.end FROM t; DROP TABLE users;")]
    public void Postgres_names_that_are_routine_keywords_never_swallow_the_next_statement(string sql)
    {
        string[] statements = Texts(sql, SqlDialect.PostgreSql);

        Assert.Equal(2, statements.Length);
        Assert.Equal("DROP TABLE users", statements[1]);
    }

    [Theory]
    [InlineData("ALTER TABLE t ADD COLUMN \"trigger\" int; DROP TABLE users;")]
    [InlineData("ALTER TABLE t ADD COLUMN [trigger] int; DROP TABLE users;")]
    [InlineData("ALTER TABLE t ADD COLUMN `begin` int; DROP TABLE users;")]
    [InlineData("CREATE TABLE begin(x int); DROP TABLE users;")]
    [InlineData("CREATE TABLE trigger(begin int); DROP TABLE users;")]
    [InlineData("CREATE TABLE trigger(x int, begin int, \"end\" int); DROP TABLE users;")]
    [InlineData("CREATE VIEW trigger AS SELECT 1 AS begin; DROP TABLE users;")]
    [InlineData("CREATE INDEX begin ON trigger(x); DROP TABLE users;")]
    public void Sqlite_names_that_are_trigger_keywords_never_swallow_the_next_statement(string sql)
    {
        string[] statements = Texts(sql, SqlDialect.Sqlite);

        Assert.Equal(2, statements.Length);
        Assert.Equal("DROP TABLE users", statements[1]);
    }

    [Fact]
    public void A_sqlite_trigger_and_table_called_begin_still_end_at_the_body_end()
    {
        const string sql = "CREATE TRIGGER begin AFTER INSERT ON begin BEGIN SELECT 1; END; DROP TABLE users;";

        string[] statements = Texts(sql, SqlDialect.Sqlite);

        Assert.Equal(new[] { "CREATE TRIGGER begin AFTER INSERT ON begin BEGIN SELECT 1; END", "DROP TABLE users" }, statements);
    }

    [Fact]
    public void A_sqlite_trigger_body_holds_its_semicolons_and_case_ends()
    {
        const string sql = """
            CREATE TEMP TRIGGER tr AFTER UPDATE OF begin ON t WHEN new.end > 0 BEGIN
              UPDATE t SET x = CASE WHEN new.y THEN 1 ELSE 2 END WHERE id = new.id;
              DELETE FROM log WHERE "end" < 0;
            END;
            DROP TABLE users;
            """;

        string[] statements = Texts(sql, SqlDialect.Sqlite);

        Assert.Equal(2, statements.Length);
        Assert.EndsWith("END", statements[0], StringComparison.Ordinal);
        Assert.Contains("DELETE FROM log", statements[0], StringComparison.Ordinal);
        Assert.Equal("DROP TABLE users", statements[1]);
    }

    [Fact]
    public void A_postgres_begin_atomic_body_holds_its_semicolons_and_case_ends()
    {
        const string sql = """
            CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END;
              SELECT (CASE x WHEN 1 THEN 1 END);
            END;
            CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC END;
            DROP TABLE users;
            """;

        string[] statements = Texts(sql, SqlDialect.PostgreSql);

        Assert.Equal(3, statements.Length);
        Assert.Contains("SELECT (CASE x WHEN 1 THEN 1 END);\nEND", statements[0].Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC END", statements[1]);
        Assert.Equal("DROP TABLE users", statements[2]);
        Assert.All(SqlSplitter.Split(sql, SqlDialect.PostgreSql), s => Assert.Null(s.LexError));
    }

    [Fact]
    public void A_postgres_rule_keeps_its_parenthesised_actions_together()
    {
        const string sql = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); DROP TABLE users;";

        var statements = SqlSplitter.Split(sql, SqlDialect.PostgreSql);

        Assert.Equal(2, statements.Count);
        Assert.Null(statements[0].LexError);
        Assert.Equal("DROP TABLE users", statements[1].Text);
    }

    [Fact]
    public void A_postgres_line_comment_ends_at_a_carriage_return_and_a_sqlite_one_does_not()
    {
        const string sql = "SELECT 1; -- note\rDROP TABLE users;\nSELECT 2;";

        Assert.Equal(new[] { "SELECT 1", "DROP TABLE users", "SELECT 2" }, Texts(sql, SqlDialect.PostgreSql));
        Assert.Equal(new[] { "SELECT 1", "SELECT 2" }, Texts(sql, SqlDialect.Sqlite));
    }

    [Fact]
    public void A_statement_hidden_behind_a_carriage_return_is_classified_on_its_own()
    {
        // Read with a comment running to \n, this was one additive CREATE TABLE; PostgreSQL runs three statements.
        const string sql = "CREATE TABLE a (x int) -- note\r; DROP TABLE users; CREATE TABLE b (y int\n);";

        var verdicts = SchemaLinter.LintText(sql, SqlDialect.PostgreSql);

        Assert.Equal(3, verdicts.Count);
        Assert.Equal("DROP TABLE users", verdicts[1].Statement);
        Assert.Equal("ban-drop-table", verdicts[1].Rules.Single().Id);
        Assert.False(verdicts[1].SafeForExpand);

        // SQLite reads the comment to \n, and then the text is one broken statement: never safe.
        var sqlite = Assert.Single(SchemaLinter.LintText(sql, SqlDialect.Sqlite));
        Assert.Contains(sqlite.Rules, r => r.Id == "unparseable-statement");
        Assert.False(sqlite.SafeForExpand);
    }

    [Fact]
    public void A_no_break_space_is_part_of_a_name_not_a_separator()
    {
        var statement = Assert.Single(SqlSplitter.Split("SELECT\u00A0x FROM t", SqlDialect.PostgreSql));

        Assert.Equal("SELECT\u00A0x", statement.TokenText(0));
    }

    [Theory]
    [InlineData("CREATE TABLE x (a int", "parentheses")]
    [InlineData("SELECT 1)", "parentheses")]
    [InlineData("SELECT a[1 FROM t", "brackets")]
    [InlineData("SELECT a] FROM t", "brackets")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;", "body")]
    [InlineData("SELECT 'open", "unterminated string")]
    [InlineData("SELECT $x$ open", "unterminated dollar-quoted string")]
    [InlineData("SELECT \"open", "unterminated quoted identifier")]
    [InlineData("SELECT 1 /* open", "unterminated /* comment")]
    [InlineData("SELECT 1\0", "NUL")]
    public void Postgres_statements_that_cannot_be_read_are_errors(string sql, string why)
    {
        var statements = SqlSplitter.Split(sql, SqlDialect.PostgreSql);
        var statement = statements[statements.Count - 1];

        Assert.NotNull(statement.LexError);
        Assert.Contains(why, statement.LexError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CREATE TABLE x (a int", "parentheses")]
    [InlineData("CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM u;", "body")]
    [InlineData("SELECT [open", "unterminated quoted identifier")]
    [InlineData("SELECT 'a\0'", "NUL")]
    public void Sqlite_statements_that_cannot_be_read_are_errors(string sql, string why)
    {
        var statements = SqlSplitter.Split(sql, SqlDialect.Sqlite);
        var statement = statements[statements.Count - 1];

        Assert.NotNull(statement.LexError);
        Assert.Contains(why, statement.LexError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SqlDialect.PostgreSql)]
    [InlineData(SqlDialect.Sqlite)]
    public void A_nul_in_a_comment_between_statements_is_reported_on_its_own(SqlDialect dialect)
    {
        var statements = SqlSplitter.Split("SELECT 1;\n-- a\0b\n;\nSELECT 2;", dialect);

        Assert.Equal(3, statements.Count);
        Assert.Null(statements[0].LexError);
        Assert.Equal("a NUL character", statements[1].LexError);
        Assert.Equal(2, statements[1].Line);
        Assert.DoesNotContain("SELECT 2", statements[1].Text, StringComparison.Ordinal);
        Assert.Equal("SELECT 2", statements[2].Text);
        Assert.Null(statements[2].LexError);
    }

    [Fact]
    public void A_semicolon_inside_parentheses_ends_the_statement_and_both_halves_are_broken()
    {
        var verdicts = SchemaLinter.LintText("CREATE TABLE x (a int; DROP TABLE users; );", SqlDialect.Sqlite);

        Assert.Equal(3, verdicts.Count);
        Assert.Contains(verdicts[0].Rules, r => r.Id == "unparseable-statement");
        Assert.Equal("ban-drop-table", verdicts[1].Rules.Single().Id);
        Assert.Contains(verdicts[2].Rules, r => r.Id == "unparseable-statement");
    }

    [Theory]
    [InlineData("CREATE TABLE x (a int; DROP TABLE users; );")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT (1; DROP TABLE users); END;")]
    [InlineData("ALTER TABLE t ADD COLUMN a int DEFAULT (1;\nDROP TABLE users;")]
    public void Broken_statements_fail_both_phase_gates(string sql)
    {
        using var folder = new TempFolder();
        folder.Write("expand/V1__broken.sql", sql);
        folder.Write("contract/V2__broken.sql", sql);
        var set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);

        var expand = MigrationPlan.Create(set, SchemaPhase.Expand, Array.Empty<AppliedMigration>());
        var contract = MigrationPlan.Create(set, SchemaPhase.Contract, new[]
        {
            new AppliedMigration { Version = "1", Phase = SchemaPhase.Expand, Script = "expand/V1__broken.sql", Checksum = set.Scripts[0].Checksum, Success = true },
        });

        Assert.Contains(expand.Problems, p => p.Message.Contains("unparseable-statement", StringComparison.Ordinal));
        Assert.Contains(contract.Problems, p => p.ErrorId == "ScriptRefused" && p.Message.Contains("unparseable-statement", StringComparison.Ordinal));
        Assert.DoesNotContain(expand.Problems, p => p.Message.Contains("unparseable-statement", StringComparison.Ordinal) && p.Message.Contains("bluegreen:waive", StringComparison.Ordinal));
    }

    [Fact]
    public void Commas_inside_array_brackets_do_not_split_alter_table_sub_actions()
    {
        const string safe = "ALTER TABLE t ADD COLUMN tags text[] DEFAULT ARRAY['a', 'b'], ADD COLUMN n int";
        const string drop = "ALTER TABLE t ADD COLUMN m int[] DEFAULT ARRAY[1, 2], DROP COLUMN q";

        var additive = Assert.Single(SchemaLinter.LintText(safe, SqlDialect.PostgreSql));
        var destructive = Assert.Single(SchemaLinter.LintText(drop, SqlDialect.PostgreSql));

        Assert.Equal(ChangeKind.Additive, additive.Kind);
        Assert.True(additive.SafeForExpand, string.Join(", ", additive.Rules.Select(r => r.Id)));
        Assert.Equal("ban-drop-column", destructive.Rules.Single().Id);
    }

    [Fact]
    public void Standard_and_escape_strings_are_read_as_postgres_reads_them()
    {
        Assert.Equal(new[] { @"SELECT 'a\'", "DROP TABLE users" }, Texts(@"SELECT 'a\'; DROP TABLE users;", SqlDialect.PostgreSql));
        Assert.Equal(new[] { @"SELECT e'a\'; DROP TABLE users; '" }, Texts(@"SELECT e'a\'; DROP TABLE users; ';", SqlDialect.PostgreSql));
    }
}
