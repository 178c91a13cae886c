using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using Npgsql;

namespace BlueGreen.Schema.Data;

/// <summary>
/// PostgreSQL: one session holds a session-level advisory lock for the whole run; lock_timeout and
/// statement_timeout are set on that session; concurrent index builds run outside a transaction.
/// </summary>
public sealed class PostgresSchemaDatabase : AdoSchemaDatabase
{
    /// <summary>The advisory lock key every BlueGreen migration run takes ("BlueGrn" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x426C7565_47726EL;

    private PostgresSchemaDatabase(NpgsqlConnection connection, string connectionString, SchemaConnectionOptions options)
        : base(connection, connectionString, options)
    {
    }

    public override SqlDialect Dialect => SqlDialect.PostgreSql;

    protected override string CreateTablesSql => $"""
        CREATE TABLE IF NOT EXISTS {HistoryTable} (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            version text NOT NULL,
            description text NOT NULL,
            phase text NOT NULL CHECK (phase IN ('expand', 'contract')),
            script text NOT NULL,
            checksum text NOT NULL,
            classification text NOT NULL,
            waivers text NOT NULL,
            release_id text,
            applied_at timestamptz NOT NULL,
            applied_by text NOT NULL,
            duration_ms bigint NOT NULL,
            success boolean NOT NULL,
            error text);
        CREATE TABLE IF NOT EXISTS {ReleaseTable} (
            release_id text PRIMARY KEY,
            deployment_id text,
            state text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            expanded_at timestamptz,
            switched_at timestamptz,
            contracted_at timestamptz,
            force_reason text)
        """;

    protected override string TablesExistSql => $"SELECT count(*) FROM pg_catalog.pg_class WHERE oid = to_regclass('{ReleaseTable}') OR oid = to_regclass('{HistoryTable}')";

    public static async Task<PostgresSchemaDatabase> OpenAsync(string connectionString, SchemaConnectionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        NpgsqlConnection connection;
        try
        {
            connection = new NpgsqlConnection(connectionString);
        }
        catch (ArgumentException error)
        {
            throw new SchemaMigrationException("InvalidConnectionString", "The PostgreSQL connection string is not valid: " + ConnectionStringRedactor.Scrub(error.Message, connectionString));
        }

        var database = new PostgresSchemaDatabase(connection, connectionString, options);
        try
        {
            await database.Run(async () =>
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }).ConfigureAwait(false);
            await database.ExecuteAsync(
                $"SET lock_timeout = {Milliseconds(options.LockTimeout)}; SET statement_timeout = {Milliseconds(options.StatementTimeout)}; SET application_name = 'BlueGreen schema migration'",
                null,
                cancellationToken).ConfigureAwait(false);
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
        var clock = Stopwatch.StartNew();
        while (true)
        {
            object? taken = await ScalarAsync("SELECT pg_try_advisory_lock(@p0)", new object?[] { AdvisoryLockKey }, cancellationToken).ConfigureAwait(false);
            if (taken is true)
            {
                return new AdvisoryLock(this);
            }

            if (clock.Elapsed >= wait)
            {
                throw new SchemaLockBusyException($"Another schema migration holds the PostgreSQL advisory lock {AdvisoryLockKey}; gave up after {wait.TotalSeconds:0.#} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<IReadOnlyList<string>> DropInvalidIndexesAsync(IReadOnlyList<string> indexNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexNames);
        var dropped = new List<string>();
        foreach (string name in indexNames)
        {
            object? invalid = await ScalarAsync(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_catalog.pg_index i " +
                "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
                "WHERE NOT i.indisvalid AND c.relname = @p0 AND pg_catalog.pg_table_is_visible(c.oid)",
                new object?[] { name },
                cancellationToken).ConfigureAwait(false);
            if (invalid is string qualified)
            {
                await ExecuteAsync($"DROP INDEX CONCURRENTLY IF EXISTS {qualified}", null, cancellationToken).ConfigureAwait(false);
                dropped.Add(name);
            }
        }

        return dropped;
    }

    // 55P03 lock_not_available is what lock_timeout raises; 57014 query_canceled is statement_timeout.
    protected override bool IsLockTimeout(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable };

    protected override bool IsStatementTimeout(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled };

    private static string Milliseconds(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private sealed class AdvisoryLock : IDisposable
    {
        private PostgresSchemaDatabase? _owner;

        public AdvisoryLock(PostgresSchemaDatabase owner) => _owner = owner;

        public void Dispose()
        {
            PostgresSchemaDatabase? owner = Interlocked.Exchange(ref _owner, null);
            if (owner is null || owner.Connection.State != System.Data.ConnectionState.Open)
            {
                return;
            }

            // The lock is the session's; closing the connection would release it too, so a failure here is not fatal.
            try
            {
                using DbCommand command = owner.NewCommand("SELECT pg_advisory_unlock(@p0)", new object?[] { AdvisoryLockKey });
                command.ExecuteScalar();
            }
            catch (DbException)
            {
            }
        }
    }
}
