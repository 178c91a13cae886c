using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using BlueGreen.Schema.Data;
using Npgsql;
using Xunit;

namespace BlueGreen.Schema.Tests;

/// <summary>
/// Scripts crafted to make the splitter merge or hide statements, applied in expand to a real
/// PostgreSQL: each is split and classified as the server reads it, or refused, and the protected
/// table keeps its rows.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresStatementCheckTests
{
    private const string Waive = "-- bluegreen:waive ban-drop-table: nothing reads it";
    private readonly PostgresServer _server;

    public PostgresStatementCheckTests(PostgresServer server) => _server = server;

    private async Task<string> SeededDatabaseAsync()
    {
        string cs = await _server.CreateDatabaseAsync();
        await ExecAsync(cs, "CREATE TABLE users (id serial PRIMARY KEY, email text); INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com'), ('c@example.com'); CREATE TABLE t (id int); CREATE TABLE notes (body text)");
        return cs;
    }

    private static async Task ExecAsync(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task AssertUsersIntactAsync(string cs) => Assert.Equal(3L, await ScalarAsync(cs, "SELECT count(*) FROM users"));

    private static async Task<bool> TableExistsAsync(string cs, string table) => await ScalarAsync(cs, $"SELECT to_regclass('{table}') IS NOT NULL") is true;

    private static Task<ISchemaDatabase> OpenAsync(string cs) =>
        new SchemaDatabaseFactory().OpenAsync(SqlDialect.PostgreSql, cs, new SchemaConnectionOptions(), CancellationToken.None);

    private static SchemaMigratorOptions NoRetries => new() { MaxLockTimeoutRetries = 0, MigrationLockWait = TimeSpan.FromSeconds(5) };

    [Theory]
    [InlineData("ALTER TABLE t ADD COLUMN \"trigger\" int; DROP TABLE users;")]
    [InlineData("ALTER TABLE t ADD COLUMN trigger int; DROP TABLE users;")]
    [InlineData("CREATE TABLE begin(x int); DROP TABLE users;")]
    [InlineData("CREATE TABLE function (begin int, atomic int); DROP TABLE users;")]
    [InlineData("CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; DROP TABLE users;")]
    [InlineData("CREATE TABLE a (x int) -- note\r; DROP TABLE users; CREATE TABLE b (y int\n);")]
    [InlineData("CREATE TABLE a (x int); -- note\rDROP TABLE users;\n")]
    [InlineData("INSERT INTO notes (body) VALUES ('\n" + Waive + "\n');\nDROP TABLE users;")]
    [InlineData("CREATE TABLE a (x int); " + Waive + "\nDROP TABLE users;")]
    [InlineData("CREATE TABLE a (x int[] DEFAULT ARRAY[1; DROP TABLE users; ]);")]
    public async Task Crafted_scripts_cannot_drop_a_table_in_expand(string sql)
    {
        string cs = await SeededDatabaseAsync();
        using var scripts = new TempFolder();
        scripts.Write("expand/V1__crafted.sql", sql);
        var set = MigrationSet.Load(scripts.Path, SqlDialect.PostgreSql);
        using ISchemaDatabase database = await OpenAsync(cs);

        var refused = await Assert.ThrowsAsync<SchemaMigrationException>(() => new SchemaMigrator(database, NoRetries).ExpandAsync(set, "r-1"));

        Assert.Equal("ExpandRefused", refused.ErrorId);
        await AssertUsersIntactAsync(cs);
        Assert.False(await TableExistsAsync(cs, "a"));
    }

    [Fact]
    public async Task A_statement_the_server_reads_differently_after_a_setting_changes_is_refused_unrun()
    {
        // With standard_conforming_strings off, 'x\'' ends after x' and the rest is a DROP; the splitter,
        // like the server's default, reads one SELECT. A plain command would have split it and run the DROP.
        string cs = await SeededDatabaseAsync();
        using var scripts = new TempFolder();
        scripts.Write("expand/V1__ok.sql", "CREATE TABLE first_script (x int);");
        scripts.Write("expand/V2__crafted.sql", "SET standard_conforming_strings = off;\nSELECT 'x\\''; DROP TABLE users; --';\n");
        var set = MigrationSet.Load(scripts.Path, SqlDialect.PostgreSql);
        Assert.All(set.Scripts.SelectMany(s => s.Verdicts), v => Assert.True(v.SafeForExpand));
        using ISchemaDatabase database = await OpenAsync(cs);
        var migrator = new SchemaMigrator(database, NoRetries);

        var refused = await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ExpandAsync(set, "r-1"));

        Assert.Equal("StatementSplitMismatch", refused.ErrorId);
        Assert.Equal("expand/V2__crafted.sql", refused.Script);
        Assert.Equal(2, refused.Line);
        Assert.Contains("more than one statement", refused.Message, StringComparison.Ordinal);
        await AssertUsersIntactAsync(cs);
        AppliedMigration failed = (await migrator.GetHistoryAsync()).Single(h => !h.Success);
        Assert.Equal("2", failed.Version);
    }

    [Theory]
    [InlineData("CREATE TABLE x (a int); DROP TABLE users")]
    [InlineData("CREATE TABLE x (a int) -- c\r; DROP TABLE users")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; DROP TABLE users")]
    public async Task The_server_refuses_text_it_reads_as_more_than_one_statement(string merged)
    {
        // As if the splitter had got it wrong: the text is classified as one additive statement.
        string cs = await SeededDatabaseAsync();
        MigrationScript script = SqliteStatementCheckTests.HandMade(merged);
        using ISchemaDatabase database = await OpenAsync(cs);

        var checkedFirst = await Assert.ThrowsAsync<SchemaMigrationException>(() => database.CheckStatementsAsync(new[] { script }, CancellationToken.None));
        var whenRun = await Assert.ThrowsAsync<SchemaMigrationException>(() => database.ApplyScriptAsync(script, SqliteStatementCheckTests.Record(script), CancellationToken.None));

        Assert.Equal("StatementSplitMismatch", checkedFirst.ErrorId);
        Assert.Contains("Nothing of this phase ran", checkedFirst.Message, StringComparison.Ordinal);
        Assert.Equal("StatementSplitMismatch", whenRun.ErrorId);
        await AssertUsersIntactAsync(cs);
        Assert.False(await TableExistsAsync(cs, "x"));
    }

    [Fact]
    public async Task A_statement_the_server_cannot_parse_stops_the_phase_before_anything_runs()
    {
        string cs = await SeededDatabaseAsync();
        using var scripts = new TempFolder();
        scripts.Write("expand/V1__ok.sql", "CREATE TABLE first_script (x int);");
        scripts.Write("expand/V2__typo.sql", "CREATE TABLE second_script (x int,);");
        var set = MigrationSet.Load(scripts.Path, SqlDialect.PostgreSql);
        using ISchemaDatabase database = await OpenAsync(cs);
        var migrator = new SchemaMigrator(database, NoRetries);

        var refused = await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ExpandAsync(set, "r-1"));

        Assert.Equal("StatementSyntaxError", refused.ErrorId);
        Assert.Equal("expand/V2__typo.sql", refused.Script);
        Assert.False(await TableExistsAsync(cs, "first_script"));
        Assert.Empty(await migrator.GetReleasesAsync());
    }

    [Fact]
    public async Task Names_that_are_keywords_and_real_routine_bodies_apply_as_written()
    {
        string cs = await SeededDatabaseAsync();
        using var scripts = new TempFolder();
        scripts.Write("expand/V1__keywords.sql",
            "CREATE TABLE begin (\"trigger\" int, atomic int, \"end\" int[] DEFAULT ARRAY[1, 2]);\n" +
            "ALTER TABLE t ADD COLUMN \"function\" int;\n" +
            "CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE sql IMMUTABLE\n" +
            "BEGIN ATOMIC\n" +
            "  SELECT CASE WHEN x IS NULL THEN 0 ELSE x + 1 END;\n" +
            "END;\n" +
            "-- a comment that PostgreSQL ends at a carriage return\rCREATE TABLE audit (n int);\n");
        var set = MigrationSet.Load(scripts.Path, SqlDialect.PostgreSql);
        using (ISchemaDatabase database = await OpenAsync(cs))
        {
            PhaseResult result = await new SchemaMigrator(database, NoRetries).ExpandAsync(set, "r-1");
            Assert.Single(result.Applied);
        }

        Assert.Equal(6, await ScalarAsync(cs, "SELECT add_one(5)"));
        Assert.True(await TableExistsAsync(cs, "begin"));
        Assert.True(await TableExistsAsync(cs, "audit"));
        await AssertUsersIntactAsync(cs);
    }
}
