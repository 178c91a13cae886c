using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using BlueGreen.Schema.Data;
using Microsoft.Data.Sqlite;
using Xunit;

namespace BlueGreen.Schema.Tests;

/// <summary>
/// Scripts crafted to make the splitter merge or hide statements, applied in expand to a real SQLite
/// file: each is split and classified as SQLite reads it, or refused, and the protected table keeps its rows.
/// </summary>
public sealed class SqliteStatementCheckTests : IDisposable
{
    private const string Waive = "-- bluegreen:waive ban-drop-table: nothing reads it";
    private readonly TempFolder _folder = new();

    public SqliteStatementCheckTests()
    {
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder.Path, "app.db"), Pooling = false }.ConnectionString;
    }

    private string ConnectionString { get; }

    public void Dispose() => _folder.Dispose();

    private async Task SeedAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com'), ('c@example.com');" +
            "CREATE TABLE t (id INTEGER); CREATE TABLE notes (body TEXT);",
            connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<bool> TableExistsAsync(string table)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name", connection);
        command.Parameters.AddWithValue("$name", table);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    private Task<ISchemaDatabase> OpenAsync() =>
        new SchemaDatabaseFactory().OpenAsync(SqlDialect.Sqlite, ConnectionString, new SchemaConnectionOptions(), CancellationToken.None);

    [Theory]
    [InlineData("ALTER TABLE t ADD COLUMN \"trigger\" int; DROP TABLE users;")]
    [InlineData("ALTER TABLE t ADD COLUMN [begin] int; DROP TABLE users;")]
    [InlineData("CREATE TABLE begin(x int); DROP TABLE users;")]
    [InlineData("CREATE TABLE trigger(begin int); DROP TABLE users; CREATE TABLE z(\"end\" int);")]
    [InlineData("CREATE TRIGGER begin AFTER INSERT ON t BEGIN SELECT 1; END; DROP TABLE users;")]
    [InlineData("CREATE TABLE a (x int) -- note\r; DROP TABLE users; CREATE TABLE b (y int\n);")]
    [InlineData("INSERT INTO notes (body) VALUES ('\n" + Waive + "\n');\nDROP TABLE users;")]
    [InlineData("CREATE TABLE a (x int); " + Waive + "\nDROP TABLE users;")]
    [InlineData("CREATE TABLE a (x int; DROP TABLE users; );")]
    [InlineData("CREATE TABLE a (x int);\0 DROP TABLE users;")]
    public async Task Crafted_scripts_cannot_drop_a_table_in_expand(string sql)
    {
        await SeedAsync();
        using var scripts = new TempFolder();
        scripts.Write("expand/V1__crafted.sql", sql);
        var set = MigrationSet.Load(scripts.Path, SqlDialect.Sqlite);
        using ISchemaDatabase database = await OpenAsync();

        var refused = await Assert.ThrowsAsync<SchemaMigrationException>(() => new SchemaMigrator(database).ExpandAsync(set, "r-1"));

        Assert.Equal("ExpandRefused", refused.ErrorId);
        Assert.Equal(3, await CountAsync("users"));
        Assert.False(await TableExistsAsync("a"));
    }

    [Fact]
    public async Task Names_that_are_keywords_and_real_trigger_bodies_apply_as_written()
    {
        await SeedAsync();
        using var scripts = new TempFolder();
        scripts.Write("expand/V1__keywords.sql", """
            CREATE TABLE begin (x int, "end" int);
            CREATE TABLE "trigger" (atomic int);
            ALTER TABLE t ADD COLUMN [case] int;
            -- bluegreen:waive creating-trigger: copies new rows of a new table into another new table
            CREATE TRIGGER copy_begin AFTER INSERT ON begin BEGIN
              INSERT INTO "trigger" (atomic) VALUES (CASE WHEN new.x > 0 THEN new.x ELSE 0 END);
              INSERT INTO "trigger" (atomic) VALUES (new."end");
            END;
            """);
        var set = MigrationSet.Load(scripts.Path, SqlDialect.Sqlite);
        using (ISchemaDatabase database = await OpenAsync())
        {
            PhaseResult result = await new SchemaMigrator(database).ExpandAsync(set, "r-1");
            Assert.Single(result.Applied);
        }

        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var insert = new SqliteCommand("INSERT INTO begin (x, \"end\") VALUES (5, 7)", connection))
        {
            await insert.ExecuteNonQueryAsync();
        }

        Assert.Equal(2, await CountAsync("\"trigger\""));
        Assert.Equal(3, await CountAsync("users"));
    }

    [Theory]
    [InlineData("CREATE TABLE x (a int); DROP TABLE users", "more than one")]
    [InlineData("CREATE TABLE x (a int);DROP TABLE users", "more than one")]
    [InlineData("CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM users", "past the end")]
    public async Task The_database_refuses_text_it_reads_as_other_than_one_statement(string merged, string why)
    {
        // As if the splitter had got it wrong: the text is classified as one additive statement.
        await SeedAsync();
        MigrationScript script = HandMade(merged);
        using ISchemaDatabase database = await OpenAsync();

        var checkedFirst = await Assert.ThrowsAsync<SchemaMigrationException>(() => database.CheckStatementsAsync(new[] { script }, CancellationToken.None));
        var whenRun = await Assert.ThrowsAsync<SchemaMigrationException>(() => database.ApplyScriptAsync(script, Record(script), CancellationToken.None));

        Assert.Equal("StatementSplitMismatch", checkedFirst.ErrorId);
        Assert.Contains(why, checkedFirst.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing of this phase ran", checkedFirst.Message, StringComparison.Ordinal);
        Assert.Equal("expand/V1__merged.sql", checkedFirst.Script);
        Assert.Equal("StatementSplitMismatch", whenRun.ErrorId);
        Assert.Equal(3, await CountAsync("users"));
        Assert.False(await TableExistsAsync("x"));
    }

    [Theory]
    [InlineData("SELECT 1")]
    [InlineData("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 'a;b'; END")]
    [InlineData("CREATE TABLE x (a int) -- trailing words; DROP TABLE users")]
    [InlineData("INSERT INTO notes VALUES ('a; DROP TABLE users; --')")]
    public void One_statement_passes_sqlites_own_completeness_test(string text)
    {
        // Opening a connection loads the SQLite library, as it is loaded whenever a migration runs.
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();

        using (var setup = new SqliteCommand("CREATE TABLE t (id int); CREATE TABLE notes (body text)", connection))
        {
            setup.ExecuteNonQuery();
        }

        Assert.Null(SqliteSchemaDatabase.CompletenessProblem(text));
        Assert.Null(SqliteSchemaDatabase.PrepareProblem(connection.Handle!, text));
    }

    [Theory]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("SELECT 1; -- a comment\nDELETE FROM t")]
    [InlineData("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; DELETE FROM t")]
    public void Sqlite_prepare_finds_a_second_statement_in_the_tail(string text)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var setup = new SqliteCommand("CREATE TABLE t (id int)", connection))
        {
            setup.ExecuteNonQuery();
        }

        Assert.Contains("more than one statement", SqliteSchemaDatabase.PrepareProblem(connection.Handle!, text), StringComparison.Ordinal);
        Assert.Null(SqliteSchemaDatabase.PrepareProblem(connection.Handle!, "SELECT 1; -- only a comment after it\n"));
    }

    internal static MigrationScript HandMade(string statement)
    {
        var verdict = new StatementVerdict("expand/V1__merged.sql", 1, statement, new StatementClassification(), Array.Empty<Waiver>(), Array.Empty<RuleHit>());
        return new MigrationScript("V1__merged.sql", "expand/V1__merged.sql", MigrationVersion.Parse("1"), "merged", SchemaPhase.Expand, statement, new[] { verdict });
    }

    internal static AppliedMigration Record(MigrationScript script) => new()
    {
        Version = script.Version.Text,
        Description = script.Description,
        Phase = script.Phase,
        Script = script.RelativePath,
        Checksum = script.Checksum,
        Classification = script.ClassificationSummary,
        Waivers = string.Empty,
        AppliedAt = DateTimeOffset.UtcNow,
        AppliedBy = "test",
    };
}
