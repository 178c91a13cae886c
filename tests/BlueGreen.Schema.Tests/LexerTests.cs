using System.Linq;
using BlueGreen.Core.Schema;
using Xunit;

namespace BlueGreen.Schema.Tests;

public sealed class LexerTests
{
    [Fact]
    public void Semicolons_inside_strings_comments_and_dollar_quotes_do_not_split()
    {
        const string sql = """
            SELECT 'a;b', E'c\';d', $$e;f$$, $tag$ g; $$ still inside; $tag$, "h;i" -- j;k
            /* l; /* nested; */ m; */ ;
            SELECT 2
            """;

        var statements = SqlSplitter.Split(sql, SqlDialect.PostgreSql);

        Assert.Equal(2, statements.Count);
        Assert.Equal(1, statements[0].Line);
        Assert.Equal(3, statements[1].Line);
        Assert.Equal("SELECT 2", statements[1].Text);
        Assert.Contains(statements[0].Tokens, t => t.Kind == SqlTokenKind.DollarString && t.Text(sql).StartsWith("$tag$", System.StringComparison.Ordinal));
    }

    [Fact]
    public void A_backslash_escapes_a_quote_only_in_E_strings()
    {
        // In a standard string a backslash is literal, so 'a\' ends the string and ; splits.
        var standard = SqlSplitter.Split(@"SELECT 'a\'; SELECT 1", SqlDialect.PostgreSql);
        var escaped = SqlSplitter.Split(@"SELECT E'a\'; SELECT 1'", SqlDialect.PostgreSql);

        Assert.Equal(2, standard.Count);
        Assert.Single(escaped);
    }

    [Fact]
    public void A_dollar_followed_by_a_digit_is_a_parameter_not_a_quote()
    {
        var statements = SqlSplitter.Split("SELECT $1; SELECT $2", SqlDialect.PostgreSql);

        Assert.Equal(2, statements.Count);
        Assert.Equal(SqlTokenKind.Parameter, statements[0].Tokens[1].Kind);
    }

    [Fact]
    public void Dollar_inside_an_identifier_does_not_open_a_quote()
    {
        var statements = SqlSplitter.Split("SELECT a$b$ FROM t; SELECT 1", SqlDialect.PostgreSql);

        Assert.Equal(2, statements.Count);
    }

    [Fact]
    public void Sqlite_block_comments_do_not_nest_but_postgres_ones_do()
    {
        const string sql = "/* a /* b */ SELECT 1; */ SELECT 2;";

        Assert.Equal(2, SqlSplitter.Split(sql, SqlDialect.Sqlite).Count);
        Assert.Single(SqlSplitter.Split(sql, SqlDialect.PostgreSql));
    }

    [Fact]
    public void Unterminated_text_is_reported_on_the_statement_it_swallows()
    {
        var statements = SqlSplitter.Split("SELECT 1;\nSELECT 'open;\nDROP TABLE x;", SqlDialect.PostgreSql);

        Assert.Equal(2, statements.Count);
        Assert.Null(statements[0].LexError);
        Assert.Equal("unterminated string", statements[1].LexError);
    }

    [Fact]
    public void An_unterminated_postgres_comment_alone_is_still_reported()
    {
        var verdicts = SchemaLinter.LintText("SELECT 1;\n/* never closed", SqlDialect.PostgreSql);

        Assert.Equal(2, verdicts.Count);
        Assert.Equal("unparseable-statement", verdicts[1].Rules.Single().Id);
    }

    [Fact]
    public void Line_numbers_count_newlines_inside_strings_and_comments()
    {
        const string sql = "SELECT 'a\nb';\n/* c\nd */\nALTER TABLE t DROP COLUMN x;";

        var verdicts = SchemaLinter.LintText(sql, SqlDialect.PostgreSql, "f.sql");

        Assert.Equal(5, verdicts[1].Line);
        Assert.Equal("f.sql", verdicts[1].File);
        Assert.Equal("ALTER TABLE t DROP COLUMN x", verdicts[1].Statement);
    }

    [Fact]
    public void Alter_table_sub_actions_split_on_top_level_commas_only()
    {
        var verdict = SchemaLinter.LintText("ALTER TABLE t ADD COLUMN p numeric(10,2) DEFAULT round(1.5, 0), DROP COLUMN q", SqlDialect.PostgreSql).Single();

        Assert.Equal(ChangeKind.Destructive, verdict.Kind);
        Assert.Equal("ban-drop-column", verdict.Rules.Single().Id);
    }

    [Fact]
    public void Defaults_rewrite_the_table_before_postgres_11_only()
    {
        const string sql = "ALTER TABLE t ADD COLUMN s text NOT NULL DEFAULT 'x'";

        var modern = SchemaLinter.LintText(sql, SqlDialect.PostgreSql).Single();
        var old = SchemaLinter.LintText(sql, SqlDialect.PostgreSql, options: new LintOptions { PostgreSqlMajorVersion = 10 }).Single();

        Assert.True(modern.SafeForExpand);
        Assert.Equal("adding-field-with-default", old.Rules.Single().Id);
    }
}
