using System;
using System.Linq;
using BlueGreen.Core.Schema;
using Xunit;

namespace BlueGreen.Schema.Tests;

/// <summary>A waiver binds only from a comment on a line of its own, to the statement right after it.</summary>
public sealed class WaiverBindingTests
{
    private const string Waive = "-- bluegreen:waive ban-drop-table: nothing reads it";

    [Theory]
    [InlineData(SqlDialect.PostgreSql)]
    [InlineData(SqlDialect.Sqlite)]
    public void A_waiver_on_its_own_line_above_the_statement_binds(SqlDialect dialect)
    {
        var verdicts = SchemaLinter.LintText($"CREATE TABLE a (x int);\n{Waive}\n\nDROP TABLE b;\n/* bluegreen:waive ban-drop-table: nor this */\nDROP TABLE c;", dialect);

        Assert.Equal(3, verdicts.Count);
        Assert.All(verdicts, v => Assert.True(v.SafeForExpand, string.Join(", ", v.UnwaivedRules.Select(r => r.Id))));
        Assert.Equal("ban-drop-table", verdicts[1].Waivers.Single().RuleId);
    }

    [Theory]
    [InlineData(SqlDialect.PostgreSql)]
    [InlineData(SqlDialect.Sqlite)]
    public void A_waiver_after_a_statement_on_its_line_applies_to_nothing(SqlDialect dialect)
    {
        var verdicts = SchemaLinter.LintText($"CREATE TABLE a (x int); {Waive}\nDROP TABLE users;", dialect);

        Assert.Equal(2, verdicts.Count);
        Assert.Empty(verdicts[1].Waivers);
        Assert.Equal("ban-drop-table", verdicts[1].UnwaivedRules.Single().Id);
        RuleHit stray = Assert.Single(verdicts[0].UnwaivedRules);
        Assert.Equal("waiver-applies-to-nothing", stray.Id);
        Assert.Contains("line 1", stray.Message, StringComparison.Ordinal);
        Assert.False(verdicts[0].SafeForExpand);
    }

    [Theory]
    [InlineData(SqlDialect.PostgreSql)]
    [InlineData(SqlDialect.Sqlite)]
    public void A_waiver_inside_a_string_applies_to_nothing(SqlDialect dialect)
    {
        string sql = $"INSERT INTO notes (body) VALUES ('\n{Waive}\n');\nDROP TABLE users;";

        var verdicts = SchemaLinter.LintText(sql, dialect);

        Assert.Equal(2, verdicts.Count);
        Assert.Equal("ban-drop-table", verdicts[1].UnwaivedRules.Single().Id);
        Assert.Equal("waiver-applies-to-nothing", verdicts[0].UnwaivedRules.Single().Id);
    }

    [Fact]
    public void A_waiver_inside_a_dollar_quoted_body_applies_to_nothing()
    {
        string sql = $"CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$\n{Waive}\nDELETE FROM users $$;";

        StatementVerdict verdict = Assert.Single(SchemaLinter.LintText(sql, SqlDialect.PostgreSql));

        Assert.Contains(verdict.UnwaivedRules, r => r.Id == "waiver-applies-to-nothing");
    }

    [Theory]
    [InlineData(SqlDialect.PostgreSql)]
    [InlineData(SqlDialect.Sqlite)]
    public void A_waiver_inside_a_statement_or_above_nothing_applies_to_nothing(SqlDialect dialect)
    {
        var inside = SchemaLinter.LintText($"ALTER TABLE t\n-- bluegreen:waive ban-drop-column: unused\nDROP COLUMN c;", dialect).Single();
        var aboveEmpty = SchemaLinter.LintText($"{Waive}\n;\nDROP TABLE users;", dialect).Single();
        var atEnd = SchemaLinter.LintText($"CREATE TABLE a (x int);\n{Waive}\n", dialect).Single();

        Assert.Equal(new[] { "ban-drop-column", "waiver-applies-to-nothing" }, inside.UnwaivedRules.Select(r => r.Id).OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal(new[] { "ban-drop-table", "waiver-applies-to-nothing" }, aboveEmpty.UnwaivedRules.Select(r => r.Id).OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal("waiver-applies-to-nothing", atEnd.UnwaivedRules.Single().Id);
    }

    [Fact]
    public void A_waiver_for_the_misplaced_waiver_is_not_honoured()
    {
        var verdicts = SchemaLinter.LintText($"-- bluegreen:waive waiver-applies-to-nothing: please\nSELECT 1; {Waive}\nSELECT 2;", SqlDialect.PostgreSql);

        Assert.False(verdicts[0].SafeForExpand);
        Assert.Empty(verdicts[0].Waivers);
    }

    [Fact]
    public void A_carriage_return_starts_a_new_comment_line_in_postgres_but_not_in_sqlite()
    {
        // PostgreSQL ends "-- note" at \r, so the waiver is a comment on a line of its own; SQLite reads one
        // comment from "-- note" to \n, which starts after SELECT 1 on its line.
        string sql = $"SELECT 1; -- note\r{Waive}\nDROP TABLE users;";

        var postgres = SchemaLinter.LintText(sql, SqlDialect.PostgreSql);
        var sqlite = SchemaLinter.LintText(sql, SqlDialect.Sqlite);

        Assert.True(postgres[1].SafeForExpand);
        Assert.Equal("ban-drop-table", sqlite[1].UnwaivedRules.Single().Id);
        Assert.Equal("waiver-applies-to-nothing", sqlite[0].UnwaivedRules.Single().Id);
    }

    [Fact]
    public void Expand_says_a_misplaced_waiver_cannot_be_waived()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V1__stray.sql", $"CREATE TABLE a (x int); {Waive}\n");

        var plan = MigrationPlan.Create(MigrationSet.Load(folder.Path, SqlDialect.PostgreSql), SchemaPhase.Expand, Array.Empty<AppliedMigration>());

        MigrationProblem problem = Assert.Single(plan.Problems);
        Assert.Contains("waiver-applies-to-nothing", problem.Message, StringComparison.Ordinal);
        Assert.Contains("No waiver can accept it", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tsql_waiver_binds_only_from_a_line_of_its_own()
    {
        var own = SchemaLinter.LintText($"CREATE TABLE a (x int);\n{Waive}\nDROP TABLE b;", SqlDialect.SqlServer);
        var sameLine = SchemaLinter.LintText($"CREATE TABLE a (x int); {Waive}\nDROP TABLE users;", SqlDialect.SqlServer);

        Assert.True(own[1].SafeForExpand);
        Assert.True(own[0].SafeForExpand);
        Assert.Equal("ban-drop-table", sameLine[1].UnwaivedRules.Single().Id);
        Assert.Equal("waiver-applies-to-nothing", sameLine[0].UnwaivedRules.Single().Id);
    }

    [Fact]
    public void A_tsql_waiver_in_a_string_or_inside_a_statement_applies_to_nothing()
    {
        var inString = SchemaLinter.LintText($"INSERT INTO notes (body) VALUES (N'\n{Waive}\n');\nDROP TABLE users;", SqlDialect.SqlServer);
        var inside = SchemaLinter.LintText("ALTER TABLE t\n-- bluegreen:waive ban-drop-column: unused\nDROP COLUMN c;", SqlDialect.SqlServer);

        Assert.Equal("waiver-applies-to-nothing", inString[0].UnwaivedRules.Single().Id);
        Assert.Equal("ban-drop-table", inString[1].UnwaivedRules.Single().Id);
        Assert.Equal(new[] { "ban-drop-column", "waiver-applies-to-nothing" }, inside.Single().UnwaivedRules.Select(r => r.Id).OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void A_tsql_line_comment_is_read_as_scriptdom_reads_it()
    {
        // ScriptDom, Microsoft's T-SQL parser, ends a -- comment at either line-end character.
        var verdicts = SchemaLinter.LintText("SELECT 1; -- note\rDROP TABLE users;\n", SqlDialect.SqlServer);

        Assert.Equal(2, verdicts.Count);
        Assert.Equal("ban-drop-table", verdicts[1].UnwaivedRules.Single().Id);
    }
}
