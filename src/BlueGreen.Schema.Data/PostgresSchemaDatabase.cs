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

    public override async Task CheckStatementsAsync(IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        var connection = (NpgsqlConnection)Connection;
        try
        {
            foreach (MigrationScript script in scripts)
            {
                foreach (StatementVerdict statement in script.Verdicts)
                {
                    await CheckStatementAsync(connection, script, statement, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // Statements prepared before the schema changes must not be reused after it.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await Run(() =>
                {
                    connection.UnprepareAll();
                    return Task.FromResult(0);
                }).ConfigureAwait(false);
            }
        }
    }

    protected override async Task ExecuteStatementAsync(MigrationScript script, StatementVerdict statement, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);

        // A batch command with no parameters goes to the server as it is, in the extended protocol, which
        // refuses text holding more than one statement before running any of it. (A plain NpgsqlCommand
        // would split the text on its own semicolons and run every piece.)
        using NpgsqlBatch batch = OneStatement((NpgsqlConnection)Connection, (NpgsqlTransaction?)transaction, statement.Statement);
        await Run(async () =>
        {
            try
            {
                return await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error) when (IsMultipleCommands(error))
            {
                throw SplitMismatch(script, statement, "PostgreSQL reads this text as more than one statement.", beforePhase: false);
            }
        }, statement).ConfigureAwait(false);
    }

    private async Task CheckStatementAsync(NpgsqlConnection connection, MigrationScript script, StatementVerdict statement, CancellationToken cancellationToken)
    {
        // A server-side prepare parses the text without running it, and refuses more than one statement.
        using NpgsqlBatch batch = OneStatement(connection, null, statement.Statement);
        await Run(async () =>
        {
            try
            {
                await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error) when (IsMultipleCommands(error))
            {
                throw SplitMismatch(script, statement, "PostgreSQL reads this text as more than one statement.", beforePhase: true);
            }
            catch (PostgresException error) when (IsSyntaxError(error))
            {
                throw new SchemaMigrationException("StatementSyntaxError",
                    $"{script.RelativePath}:{statement.Line}: PostgreSQL cannot parse '{Excerpt(statement.Statement)}': {error.MessageText}. Nothing of this phase ran. Fix the statement.")
                {
                    Script = script.RelativePath,
                    Line = statement.Line,
                };
            }
            catch (PostgresException)
            {
                // It needs what an earlier statement creates, or a lock: it is parsed again when it runs.
            }

            return 0;
        }, statement).ConfigureAwait(false);
    }

    private static NpgsqlBatch OneStatement(NpgsqlConnection connection, NpgsqlTransaction? transaction, string text)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(text));
        return batch;
    }

    // The server names the function that raised an error, whatever the language of its messages:
    // exec_parse_message refuses several commands in one prepared statement; the scanner raises syntax errors.
    private static bool IsMultipleCommands(PostgresException error) =>
        error.SqlState == PostgresErrorCodes.SyntaxError && error.Routine == "exec_parse_message";

    private static bool IsSyntaxError(PostgresException error) =>
        error.SqlState == PostgresErrorCodes.SyntaxError && error.Routine is "scanner_yyerror" or "base_yyerror";

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
