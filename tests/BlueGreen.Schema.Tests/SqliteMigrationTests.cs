using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using BlueGreen.Schema.Data;
using Microsoft.Data.Sqlite;
using Xunit;

namespace BlueGreen.Schema.Tests;

public sealed class SqliteMigrationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public SqliteMigrationTests()
    {
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder.Path, "app.db"), Pooling = false }.ConnectionString;
    }

    private string ConnectionString { get; }

    public void Dispose() => _folder.Dispose();

    private Task<ISchemaDatabase> OpenAsync(SchemaConnectionOptions? options = null) =>
        new SchemaDatabaseFactory().OpenAsync(SqlDialect.Sqlite, ConnectionString, options ?? new SchemaConnectionOptions(), CancellationToken.None);

    private async Task<SqliteConnection> ConnectAsync()
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task Old_app_keeps_working_after_expand_and_rollback_and_fails_only_after_contract()
    {
        string example = Examples.Folder("sqlite");
        await using SqliteConnection app = await ConnectAsync();
        await Examples.RunScriptAsync(app, Path.Combine(example, "baseline.sql"), SqlDialect.Sqlite);
        Task OldApp() => Examples.RunScriptAsync(app, Path.Combine(example, "old-app.sql"), SqlDialect.Sqlite);
        Task NewApp() => Examples.RunScriptAsync(app, Path.Combine(example, "new-app.sql"), SqlDialect.Sqlite);
        await OldApp();

        var set = MigrationSet.Load(Path.Combine(example, "migrations"), SqlDialect.Sqlite);
        using ISchemaDatabase database = await OpenAsync();
        var migrator = new SchemaMigrator(database);

        PhaseResult expanded = await migrator.ExpandAsync(set, "r-1");
        Assert.Single(expanded.Applied);
        await OldApp();
        await NewApp();
        await using (var command = new SqliteCommand("SELECT count(*) FROM users WHERE full_name IS NULL", app))
        {
            Assert.Equal(0L, await command.ExecuteScalarAsync());
        }

        await migrator.AbandonAsync("r-1", SchemaGates.EvaluateUndo(expanded.Release, false, null));
        await OldApp();

        await migrator.ExpandAsync(set, "r-2");
        await migrator.MarkSwitchedAsync("r-2");
        await OldApp();
        var approval = SchemaGates.EvaluateContract(new ContractGateInput
        {
            DeploymentStatus = "Succeeded",
            SwitchedAt = DateTimeOffset.UtcNow.AddHours(-2),
            RollbackWindow = TimeSpan.FromHours(1),
        });
        await migrator.ContractAsync(set, "r-2", approval);

        await Assert.ThrowsAsync<SqliteException>(OldApp);
        await using (var command = new SqliteCommand("SELECT full_name FROM users WHERE email = 'new@example.com'", app))
        {
            Assert.Equal("New User", await command.ExecuteScalarAsync());
        }

        var releases = await migrator.GetReleasesAsync();
        Assert.Equal("Abandoned Contracted", string.Join(" ", releases.Select(r => r.State)));
        var history = await migrator.GetHistoryAsync();
        Assert.Equal(2, history.Count(h => h.Success));
        Assert.Contains("creating-trigger", history[0].Waivers, StringComparison.Ordinal);
        Assert.True(history[1].Duration >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Forced_contract_records_the_reason()
    {
        using var scripts = new TempFolder();
        scripts.Write("expand/V1__t.sql", "CREATE TABLE t (a INTEGER, b INTEGER);");
        scripts.Write("contract/V2__drop.sql", "ALTER TABLE t DROP COLUMN b;");
        var set = MigrationSet.Load(scripts.Path, SqlDialect.Sqlite);
        using ISchemaDatabase database = await OpenAsync();
        var migrator = new SchemaMigrator(database);
        await migrator.ExpandAsync(set, "r-1");

        var approval = SchemaGates.EvaluateContract(new ContractGateInput { DeploymentStatus = "InProgress", Force = true, ForceReason = "blue was deleted by hand" });
        PhaseResult result = await migrator.ContractAsync(set, "r-1", approval);

        Assert.Contains("blue was deleted by hand", result.Release.ForceReason, StringComparison.Ordinal);
        SchemaRelease stored = (await migrator.GetReleasesAsync()).Single();
        Assert.Equal(SchemaReleaseState.Contracted, stored.State);
        Assert.Contains("blue was deleted by hand", stored.ForceReason, StringComparison.Ordinal);
        var undo = SchemaGates.EvaluateUndo(stored, false, null);
        Assert.Equal("UndoNotAllowed", (await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.AbandonAsync("r-1", undo))).ErrorId);
    }

    [Fact]
    public async Task The_lock_file_keeps_a_second_run_out()
    {
        using ISchemaDatabase first = await OpenAsync();
        using ISchemaDatabase second = await OpenAsync();

        using (await first.AcquireMigrationLockAsync(TimeSpan.Zero, CancellationToken.None))
        {
            await Assert.ThrowsAsync<SchemaLockBusyException>(() => second.AcquireMigrationLockAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None));
        }

        using IDisposable taken = await second.AcquireMigrationLockAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task A_busy_database_surfaces_as_a_retryable_lock_timeout_and_applies_nothing()
    {
        using var scripts = new TempFolder();
        scripts.Write("expand/V1__t.sql", "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);");
        MigrationScript script = MigrationSet.Load(scripts.Path, SqlDialect.Sqlite).Scripts.Single();
        using ISchemaDatabase database = await OpenAsync(new SchemaConnectionOptions { LockTimeout = TimeSpan.FromMilliseconds(100) });
        await database.EnsureTablesAsync(CancellationToken.None);
        await using SqliteConnection holder = await ConnectAsync();
        await using var hold = (SqliteTransaction)await holder.BeginTransactionAsync();
        await using (var write = new SqliteCommand("CREATE TABLE other (x INTEGER)", holder, hold))
        {
            await write.ExecuteNonQueryAsync();
        }

        var record = new AppliedMigration { Version = "1", Script = script.RelativePath, Checksum = script.Checksum, AppliedAt = DateTimeOffset.UtcNow, AppliedBy = "test" };
        var timeout = await Assert.ThrowsAsync<SchemaLockTimeoutException>(() => database.ApplyScriptAsync(script, record, CancellationToken.None));
        Assert.Equal("SchemaLockTimeout", timeout.ErrorId);
        await hold.RollbackAsync();

        Assert.Empty(await database.GetHistoryAsync(CancellationToken.None));
        await database.ApplyScriptAsync(script, record, CancellationToken.None);
        Assert.True((await database.GetHistoryAsync(CancellationToken.None)).Single().Success);
    }
}
