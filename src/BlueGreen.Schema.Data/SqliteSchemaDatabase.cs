using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using Microsoft.Data.Sqlite;

namespace BlueGreen.Schema.Data;

/// <summary>
/// SQLite: the migration lock is an exclusively opened file beside the database (the operating
/// system releases it if the process dies); the lock timeout is SQLite's busy timeout. SQLite has
/// no statement timeout and no concurrent index builds.
/// </summary>
public sealed class SqliteSchemaDatabase : AdoSchemaDatabase
{
    private readonly string? _lockPath;

    private SqliteSchemaDatabase(SqliteConnection connection, string connectionString, SchemaConnectionOptions options, string? lockPath)
        : base(connection, connectionString, options)
    {
        _lockPath = lockPath;
    }

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    protected override string CreateTablesSql => $"""
        CREATE TABLE IF NOT EXISTS {HistoryTable} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            version TEXT NOT NULL,
            description TEXT NOT NULL,
            phase TEXT NOT NULL CHECK (phase IN ('expand', 'contract')),
            script TEXT NOT NULL,
            checksum TEXT NOT NULL,
            classification TEXT NOT NULL,
            waivers TEXT NOT NULL,
            release_id TEXT,
            applied_at TEXT NOT NULL,
            applied_by TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            success INTEGER NOT NULL,
            error TEXT);
        CREATE TABLE IF NOT EXISTS {ReleaseTable} (
            release_id TEXT PRIMARY KEY,
            deployment_id TEXT,
            state TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            expanded_at TEXT,
            switched_at TEXT,
            contracted_at TEXT,
            force_reason TEXT)
        """;

    protected override string TablesExistSql => $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('{HistoryTable}', '{ReleaseTable}')";

    public static async Task<SqliteSchemaDatabase> OpenAsync(string connectionString, SchemaConnectionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException error)
        {
            throw new SchemaMigrationException("InvalidConnectionString", "The SQLite connection string is not valid: " + ConnectionStringRedactor.Scrub(error.Message, connectionString));
        }

        // BEGIN IMMEDIATE waits for other writers as long as the connection's default timeout says.
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.LockTimeout.TotalSeconds));
        bool inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        string? lockPath = inMemory ? null : Path.GetFullPath(builder.DataSource) + ".migration-lock";
        var connection = new SqliteConnection(builder.ConnectionString);
        var database = new SqliteSchemaDatabase(connection, connectionString, options, lockPath);
        try
        {
            await database.Run(async () =>
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }).ConfigureAwait(false);
            int busyMilliseconds = (int)Math.Min(int.MaxValue, options.LockTimeout.TotalMilliseconds);
            await database.ExecuteAsync($"PRAGMA busy_timeout = {busyMilliseconds}; PRAGMA foreign_keys = ON", null, cancellationToken).ConfigureAwait(false);
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    public override async Task<IDisposable> AcquireMigrationLockAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (_lockPath is null)
        {
            // An in-memory database lives in this connection only: nobody else can migrate it.
            return new FileLock(null);
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var stream = new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                return new FileLock(stream);
            }
            catch (IOException) when (clock.Elapsed < wait)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                throw new SchemaLockBusyException($"Another schema migration holds the lock file {Path.GetFileName(_lockPath)}; gave up after {wait.TotalSeconds:0.#} s.");
            }
        }
    }

    public override Task<IReadOnlyList<string>> DropInvalidIndexesAsync(IReadOnlyList<string> indexNames, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Array.Empty<string>());

    // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout, so the busy timeout is also the command's.
    protected override void ConfigureCommand(DbCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(Options.LockTimeout.TotalSeconds));
    }

    // SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection holds the database or the table.
    protected override bool IsLockTimeout(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 };

    protected override bool IsStatementTimeout(Exception exception) => false;

    private sealed class FileLock : IDisposable
    {
        private FileStream? _stream;

        public FileLock(FileStream? stream) => _stream = stream;

        public void Dispose() => Interlocked.Exchange(ref _stream, null)?.Dispose();
    }
}
