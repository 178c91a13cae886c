using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using Microsoft.Data.Sqlite;
using SQLitePCL;

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

    public override Task CheckStatementsAsync(IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        sqlite3 handle = ((SqliteConnection)Connection).Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        foreach (MigrationScript script in scripts)
        {
            foreach (StatementVerdict statement in script.Verdicts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string? problem = CompletenessProblem(statement.Statement) ?? PrepareProblem(handle, statement.Statement);
                if (problem is not null)
                {
                    throw SplitMismatch(script, statement, problem, beforePhase: true);
                }
            }
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteStatementAsync(MigrationScript script, StatementVerdict statement, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);

        // Microsoft.Data.Sqlite runs every statement it finds in a command's text, one after another; so
        // SQLite prepares the text first, and it runs only if SQLite finds nothing after the first statement.
        sqlite3 handle = ((SqliteConnection)Connection).Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        string? problem = CompletenessProblem(statement.Statement) ?? PrepareProblem(handle, statement.Statement);
        if (problem is not null)
        {
            throw SplitMismatch(script, statement, problem, beforePhase: false);
        }

        await base.ExecuteStatementAsync(script, statement, transaction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// SQLite's own test of where a statement ends (sqlite3_complete, what its shell uses): the text
    /// followed by ';' must be complete, and no ';' inside it may already complete it. It needs no
    /// schema, so it also judges statements that use tables an earlier statement creates.
    /// </summary>
    internal static string? CompletenessProblem(string text)
    {
        // On a line of its own, so that a comment at the end of the text cannot swallow it.
        if (raw.sqlite3_complete(text + "\n;") == 0)
        {
            return "SQLite reads on past the end of this statement (an unclosed quote, comment or trigger body).";
        }

        for (int at = text.IndexOf(';', StringComparison.Ordinal); at >= 0; at = text.IndexOf(';', at + 1))
        {
            if (raw.sqlite3_complete(text[..(at + 1)]) != 0)
            {
                return $"SQLite ends a statement at the ';' on line {LineOf(text, at)} of this one, so it reads more than one statement here.";
            }
        }

        return null;
    }

    /// <summary>
    /// Prepares the text without running it: if SQLite finds anything but whitespace and comments after
    /// its first statement, the text holds more than one. A text that does not prepare (it uses a table an
    /// earlier statement creates, or is wrong) is not judged here; running it fails before anything runs.
    /// </summary>
    internal static string? PrepareProblem(sqlite3 handle, string text)
    {
        int rc = raw.sqlite3_prepare_v2(handle, text, out sqlite3_stmt first, out string tail);
        using (first)
        {
            if (rc != raw.SQLITE_OK || string.IsNullOrWhiteSpace(tail))
            {
                return null;
            }
        }

        rc = raw.sqlite3_prepare_v2(handle, tail, out sqlite3_stmt second, out _);
        using (second)
        {
            if (rc == raw.SQLITE_OK && second.IsInvalid)
            {
                return null;
            }
        }

        return $"SQLite reads more than one statement here: its first ends before '{Excerpt(tail.Trim())}'.";
    }

    private static int LineOf(string text, int index)
    {
        int line = 1;
        for (int i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

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
