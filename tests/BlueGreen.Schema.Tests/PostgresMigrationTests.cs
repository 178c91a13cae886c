using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using BlueGreen.Schema.Data;
using Npgsql;
using Xunit;

namespace BlueGreen.Schema.Tests;

[Collection(PostgresTests.Name)]
public sealed class PostgresMigrationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly PostgresServer _server;

    public PostgresMigrationTests(PostgresServer server) => _server = server;

    private static SchemaMigratorOptions FastRetries => new() { RetryDelay = TimeSpan.FromMilliseconds(50), MigrationLockWait = TimeSpan.FromMilliseconds(500) };

    private static Task<ISchemaDatabase> OpenAsync(string connectionString, SchemaConnectionOptions? options = null) =>
        new SchemaDatabaseFactory().OpenAsync(SqlDialect.PostgreSql, connectionString, options ?? new SchemaConnectionOptions(), CancellationToken.None);

    private static async Task<NpgsqlConnection> ConnectAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Old_app_keeps_working_after_expand_and_rollback_and_fails_only_after_contract()
    {
        string cs = await _server.CreateDatabaseAsync();
        string example = Examples.Folder("postgres");
        await using NpgsqlConnection app = await ConnectAsync(cs);
        await Examples.RunScriptAsync(app, Path.Combine(example, "baseline.sql"), SqlDialect.PostgreSql);
        Task OldApp() => Examples.RunScriptAsync(app, Path.Combine(example, "old-app.sql"), SqlDialect.PostgreSql);
        Task NewApp() => Examples.RunScriptAsync(app, Path.Combine(example, "new-app.sql"), SqlDialect.PostgreSql);
        await OldApp();
        await Assert.ThrowsAsync<PostgresException>(NewApp);

        var set = MigrationSet.Load(Path.Combine(example, "migrations"), SqlDialect.PostgreSql);
        using ISchemaDatabase database = await OpenAsync(cs);
        var migrator = new SchemaMigrator(database, FastRetries);

        // Release 1: expand, then a rollback to blue.
        PhaseResult expanded = await migrator.ExpandAsync(set, "r-1");
        Assert.Equal(3, expanded.Applied.Count);
        await OldApp();
        await NewApp();
        await migrator.AbandonAsync("r-1", SchemaGates.EvaluateUndo(expanded.Release, force: false, reason: null));
        await OldApp();
        var allowed = SchemaGates.EvaluateContract(new ContractGateInput { DeploymentStatus = "Succeeded", BlueGone = true });
        Assert.Equal("InvalidReleaseState", (await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ContractAsync(set, "r-1", allowed))).ErrorId);

        // Release 2: expand has nothing left to do; contract waits for its gate.
        Assert.Empty((await migrator.ExpandAsync(set, "r-2")).Applied);
        await migrator.AttachDeploymentAsync("r-2", "d-ABCDEF123");
        await migrator.MarkSwitchedAsync("r-2");
        var shut = SchemaGates.EvaluateContract(new ContractGateInput { DeploymentStatus = "InProgress" });
        Assert.Equal("ContractNotAllowed", (await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ContractAsync(set, "r-2", shut))).ErrorId);
        await OldApp();

        PhaseResult contracted = await migrator.ContractAsync(set, "r-2", allowed);
        Assert.Single(contracted.Applied);
        await NewApp();
        await Assert.ThrowsAsync<PostgresException>(OldApp);

        SchemaRelease? release = await migrator.FindReleaseAsync("d-ABCDEF123");
        Assert.Equal(SchemaReleaseState.Contracted, release!.State);
        Assert.False(SchemaGates.EvaluateUndo(release, force: false, reason: null).Allowed);

        var history = await migrator.GetHistoryAsync();
        Assert.Equal("2 3 4 5", string.Join(" ", history.Where(h => h.Success).Select(h => h.Version)));
        AppliedMigration trigger = history.Single(h => h.Version == "4");
        Assert.Contains("creating-trigger: only fills display_name", trigger.Waivers, StringComparison.Ordinal);
        Assert.Equal(set.Scripts.Single(s => s.Version.Text == "4").Checksum, trigger.Checksum);
        Assert.Equal("r-1", trigger.ReleaseId);
        AppliedMigration drop = history.Single(h => h.Version == "5");
        Assert.Equal(SchemaPhase.Contract, drop.Phase);
        Assert.StartsWith("destructive: ", drop.Classification, StringComparison.Ordinal);
        Assert.Contains("ban-drop-column", drop.Classification, StringComparison.Ordinal);
        Assert.Equal("r-2", drop.ReleaseId);
        Assert.All(history, h => Assert.False(string.IsNullOrEmpty(h.AppliedBy)));
    }

    [Fact]
    public async Task Expand_refuses_a_destructive_script_and_applies_nothing()
    {
        string cs = await _server.CreateDatabaseAsync();
        using var folder = new TempFolder();
        folder.Write("expand/V1__ok.sql", "CREATE TABLE t (a int, b int);");
        folder.Write("expand/V2__bad.sql", "ALTER TABLE t DROP COLUMN b;");
        using ISchemaDatabase database = await OpenAsync(cs);
        var migrator = new SchemaMigrator(database, FastRetries);

        var error = await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ExpandAsync(MigrationSet.Load(folder.Path, SqlDialect.PostgreSql), "r-1"));

        Assert.Equal("ExpandRefused", error.ErrorId);
        Assert.Contains("ban-drop-column", error.Message, StringComparison.Ordinal);
        Assert.Empty(await migrator.GetHistoryAsync());
        await using NpgsqlConnection check = await ConnectAsync(cs);
        await using var command = new NpgsqlCommand("SELECT to_regclass('t') IS NULL", check);
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Planning_for_WhatIf_changes_nothing()
    {
        string cs = await _server.CreateDatabaseAsync();
        using ISchemaDatabase database = await OpenAsync(cs);
        var migrator = new SchemaMigrator(database);
        var set = MigrationSet.Load(Path.Combine(Examples.Folder("postgres"), "migrations"), SqlDialect.PostgreSql);

        MigrationPlan plan = await migrator.PlanAsync(set, SchemaPhase.Expand);

        Assert.Equal(3, plan.Pending.Count);
        Assert.True(plan.CanApply);
        Assert.Contains(plan.Statements, s => s.Waivers.Count == 1);
        Assert.Empty(await database.GetReleasesAsync(CancellationToken.None));
        await using NpgsqlConnection check = await ConnectAsync(cs);
        await using var command = new NpgsqlCommand("SELECT to_regclass('bluegreen_schema_history') IS NULL", check);
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_changed_applied_script_stops_the_run()
    {
        string cs = await _server.CreateDatabaseAsync();
        using var folder = new TempFolder();
        string file = folder.Write("expand/V1__t.sql", "CREATE TABLE t (a int);");
        using ISchemaDatabase database = await OpenAsync(cs);
        var migrator = new SchemaMigrator(database);
        await migrator.ExpandAsync(MigrationSet.Load(folder.Path, SqlDialect.PostgreSql), "r-1");
        File.WriteAllText(file, "CREATE TABLE t (a bigint);");

        var error = await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ExpandAsync(MigrationSet.Load(folder.Path, SqlDialect.PostgreSql), "r-2"));

        Assert.Equal("AppliedMigrationChanged", error.ErrorId);
        Assert.Single(await migrator.GetHistoryAsync());
    }

    [Fact]
    public async Task Only_one_run_at_a_time_holds_the_advisory_lock()
    {
        string cs = await _server.CreateDatabaseAsync();
        using ISchemaDatabase first = await OpenAsync(cs);
        using ISchemaDatabase second = await OpenAsync(cs);

        using (await first.AcquireMigrationLockAsync(TimeSpan.Zero, CancellationToken.None))
        {
            var busy = await Assert.ThrowsAsync<SchemaLockBusyException>(() => second.AcquireMigrationLockAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None));
            Assert.Equal("SchemaMigrationLockBusy", busy.ErrorId);
        }

        using IDisposable taken = await second.AcquireMigrationLockAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task Lock_timeouts_are_retried_a_bounded_number_of_times_and_recorded()
    {
        string cs = await _server.CreateDatabaseAsync();
        await using NpgsqlConnection holder = await ConnectAsync(cs);
        await ExecAsync(holder, "CREATE TABLE busy (a int)");
        using var folder = new TempFolder();
        folder.Write("expand/V1__col.sql", "ALTER TABLE busy ADD COLUMN b int;");
        var set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);
        var options = new SchemaConnectionOptions { LockTimeout = TimeSpan.FromMilliseconds(100) };

        // Held for good: every attempt times out, and the run gives up after 1 + 2 attempts.
        await using (NpgsqlTransaction hold = await holder.BeginTransactionAsync())
        {
            await ExecAsync(holder, "LOCK TABLE busy IN ACCESS SHARE MODE");
            using ISchemaDatabase database = await OpenAsync(cs, options);
            var migrator = new SchemaMigrator(database, new SchemaMigratorOptions { MaxLockTimeoutRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) });
            var error = await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ExpandAsync(set, "r-1"));
            Assert.Equal("SchemaLockTimeout", error.ErrorId);
            Assert.Contains("after 3 attempts", error.Message, StringComparison.Ordinal);
            Assert.Equal(3, (await migrator.GetHistoryAsync()).Count(h => !h.Success));
            await hold.RollbackAsync();
        }

        // Released during the retries: the run succeeds.
        await using (NpgsqlTransaction hold = await holder.BeginTransactionAsync())
        {
            await ExecAsync(holder, "LOCK TABLE busy IN ACCESS SHARE MODE");
            using ISchemaDatabase database = await OpenAsync(cs, options);
            int delays = 0;
            var migrator = new SchemaMigrator(database, new SchemaMigratorOptions
            {
                MaxLockTimeoutRetries = 5,
                Delay = async (_, ct) =>
                {
                    if (++delays == 2)
                    {
                        await hold.RollbackAsync(ct);
                    }
                },
            });
            PhaseResult result = await migrator.ExpandAsync(set, "r-2");
            Assert.Single(result.Applied);
            Assert.Equal(2, delays);
        }
    }

    [Fact]
    public async Task Statement_timeout_stops_a_long_statement()
    {
        string cs = await _server.CreateDatabaseAsync();
        using var folder = new TempFolder();
        folder.Write("contract/V1__slow.sql", "SELECT pg_sleep(5);");
        using ISchemaDatabase database = await OpenAsync(cs, new SchemaConnectionOptions { StatementTimeout = TimeSpan.FromMilliseconds(200) });
        var migrator = new SchemaMigrator(database);
        await database.EnsureTablesAsync(CancellationToken.None);
        await database.SaveReleaseAsync(new SchemaRelease { ReleaseId = "r-1", State = SchemaReleaseState.Switched, CreatedAt = Now, UpdatedAt = Now }, CancellationToken.None);
        var approval = SchemaGates.EvaluateContract(new ContractGateInput { DeploymentStatus = "InProgress", Force = true, ForceReason = "test" });

        var error = await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ContractAsync(MigrationSet.Load(folder.Path, SqlDialect.PostgreSql), "r-1", approval));

        Assert.Equal("StatementTimeout", error.ErrorId);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_index_left_by_a_failed_concurrent_build_is_dropped_before_the_retry()
    {
        string cs = await _server.CreateDatabaseAsync();
        await using NpgsqlConnection app = await ConnectAsync(cs);
        await ExecAsync(app, "CREATE TABLE emails (address text); INSERT INTO emails VALUES ('a'), ('a')");
        using var folder = new TempFolder();
        // IF NOT EXISTS would otherwise keep the broken index and report success.
        folder.Write("contract/V1__unique.sql", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS emails_address_key ON emails (address);");
        var set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);
        using ISchemaDatabase database = await OpenAsync(cs);
        var migrator = new SchemaMigrator(database);
        await database.EnsureTablesAsync(CancellationToken.None);
        await database.SaveReleaseAsync(new SchemaRelease { ReleaseId = "r-1", State = SchemaReleaseState.Switched, CreatedAt = Now, UpdatedAt = Now }, CancellationToken.None);
        var approval = SchemaGates.EvaluateContract(new ContractGateInput { DeploymentStatus = "Succeeded", BlueGone = true });

        await Assert.ThrowsAsync<SchemaMigrationException>(() => migrator.ContractAsync(set, "r-1", approval));
        Assert.Equal(false, await ScalarAsync(app, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'emails_address_key'::regclass"));

        await ExecAsync(app, "DELETE FROM emails WHERE ctid = (SELECT max(ctid) FROM emails)");
        await migrator.ContractAsync(set, "r-1", approval);

        Assert.Equal(true, await ScalarAsync(app, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'emails_address_key'::regclass"));
        var history = await migrator.GetHistoryAsync();
        Assert.Equal(1, history.Count(h => !h.Success));
        Assert.Equal(1, history.Count(h => h.Success));
    }

    [Fact]
    public async Task Connection_errors_never_show_the_password()
    {
        const string password = "Sup3r-Secret-Pa55";
        string cs = new NpgsqlConnectionStringBuilder(_server.AdminConnectionString) { Port = 1, Password = password, Timeout = 2 }.ConnectionString;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(cs));

        Assert.DoesNotContain(password, error.ToString(), StringComparison.Ordinal);
        Assert.IsType<SchemaMigrationException>(error);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
