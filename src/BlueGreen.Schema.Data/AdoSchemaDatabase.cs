using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.Threading;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;

namespace BlueGreen.Schema.Data;

/// <summary>
/// The history and release tables and the script runner, written once in ADO.NET; the dialects
/// supply their DDL, their lock and how their drivers report a lock timeout.
/// </summary>
public abstract class AdoSchemaDatabase : ISchemaDatabase
{
    protected const string HistoryTable = "bluegreen_schema_history";
    protected const string ReleaseTable = "bluegreen_schema_release";

    private readonly string _connectionString;

    protected AdoSchemaDatabase(DbConnection connection, string connectionString, SchemaConnectionOptions options)
    {
        Connection = connection;
        _connectionString = connectionString;
        Options = options;
    }

    public abstract SqlDialect Dialect { get; }

    protected DbConnection Connection { get; }

    protected SchemaConnectionOptions Options { get; }

    public abstract Task<IDisposable> AcquireMigrationLockAsync(TimeSpan wait, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<string>> DropInvalidIndexesAsync(IReadOnlyList<string> indexNames, CancellationToken cancellationToken);

    public abstract Task CheckStatementsAsync(IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken);

    protected abstract string CreateTablesSql { get; }

    protected abstract string TablesExistSql { get; }

    /// <summary>True when the driver's exception means "gave up waiting for a lock": the attempt was rolled back and may be retried.</summary>
    protected abstract bool IsLockTimeout(Exception exception);

    /// <summary>True when the driver's exception means the statement ran past its time limit.</summary>
    protected abstract bool IsStatementTimeout(Exception exception);

    public async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync(CreateTablesSql, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AppliedMigration>> GetHistoryAsync(CancellationToken cancellationToken)
    {
        var rows = new List<AppliedMigration>();
        if (!await TablesExistAsync(cancellationToken).ConfigureAwait(false))
        {
            return rows;
        }

        using DbCommand command = NewCommand(
            $"SELECT version, description, phase, script, checksum, classification, waivers, release_id, applied_at, applied_by, duration_ms, success, error FROM {HistoryTable} ORDER BY id",
            null);
        using DbDataReader reader = await Run(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new AppliedMigration
            {
                Version = reader.GetString(0),
                Description = reader.GetString(1),
                Phase = ParsePhase(reader.GetString(2)),
                Script = reader.GetString(3),
                Checksum = reader.GetString(4),
                Classification = reader.GetString(5),
                Waivers = reader.GetString(6),
                ReleaseId = reader.IsDBNull(7) ? null : reader.GetString(7),
                AppliedAt = reader.GetFieldValue<DateTimeOffset>(8),
                AppliedBy = reader.GetString(9),
                Duration = TimeSpan.FromMilliseconds(reader.GetInt64(10)),
                Success = reader.GetBoolean(11),
                Error = reader.IsDBNull(12) ? null : reader.GetString(12),
            });
        }

        return rows;
    }

    public async Task<IReadOnlyList<SchemaRelease>> GetReleasesAsync(CancellationToken cancellationToken)
    {
        var rows = new List<SchemaRelease>();
        if (!await TablesExistAsync(cancellationToken).ConfigureAwait(false))
        {
            return rows;
        }

        using DbCommand command = NewCommand(
            $"SELECT release_id, deployment_id, state, created_at, updated_at, expanded_at, switched_at, contracted_at, force_reason FROM {ReleaseTable} ORDER BY created_at, release_id",
            null);
        using DbDataReader reader = await Run(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new SchemaRelease
            {
                ReleaseId = reader.GetString(0),
                DeploymentId = reader.IsDBNull(1) ? null : reader.GetString(1),
                State = Enum.Parse<SchemaReleaseState>(reader.GetString(2), ignoreCase: true),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(3),
                UpdatedAt = reader.GetFieldValue<DateTimeOffset>(4),
                ExpandedAt = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                SwitchedAt = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                ContractedAt = reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                ForceReason = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        }

        return rows;
    }

    public async Task SaveReleaseAsync(SchemaRelease release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        const string columns = "release_id, deployment_id, state, created_at, updated_at, expanded_at, switched_at, contracted_at, force_reason";
        string sql = $"INSERT INTO {ReleaseTable} ({columns}) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8) " +
            "ON CONFLICT (release_id) DO UPDATE SET deployment_id = excluded.deployment_id, state = excluded.state, updated_at = excluded.updated_at, " +
            "expanded_at = excluded.expanded_at, switched_at = excluded.switched_at, contracted_at = excluded.contracted_at, force_reason = excluded.force_reason";
        await ExecuteAsync(sql, new object?[]
        {
            release.ReleaseId, release.DeploymentId, release.State.ToString(), Utc(release.CreatedAt), Utc(release.UpdatedAt),
            Utc(release.ExpandedAt), Utc(release.SwitchedAt), Utc(release.ContractedAt), release.ForceReason,
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task ApplyScriptAsync(MigrationScript script, AppliedMigration record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(record);
        var clock = Stopwatch.StartNew();
        if (script.RequiresNoTransaction)
        {
            foreach (StatementVerdict statement in script.Verdicts)
            {
                await ExecuteStatementAsync(script, statement, null, cancellationToken).ConfigureAwait(false);
            }

            Complete(record, clock);
            await InsertHistoryAsync(record, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        DbTransaction transaction = await Run(() => Connection.BeginTransactionAsync(cancellationToken).AsTask()).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable disposeTransaction = transaction.ConfigureAwait(false);
        try
        {
            foreach (StatementVerdict statement in script.Verdicts)
            {
                await ExecuteStatementAsync(script, statement, transaction, cancellationToken).ConfigureAwait(false);
            }

            Complete(record, clock);
            await InsertHistoryAsync(record, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public Task RecordFailureAsync(AppliedMigration record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return InsertHistoryAsync(record, null, cancellationToken);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Connection.Dispose();
        }
    }

    protected DbCommand NewCommand(string sql, object?[]? parameters, DbTransaction? transaction = null)
    {
        DbCommand command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        ConfigureCommand(command);
        for (int i = 0; parameters is not null && i < parameters.Length; i++)
        {
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameter.Value = parameters[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Per-command settings, for drivers that take the timeouts on the command rather than the session.</summary>
    protected virtual void ConfigureCommand(DbCommand command)
    {
    }

    protected async Task ExecuteAsync(string sql, object?[]? parameters, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        using DbCommand command = NewCommand(sql, parameters, transaction);
        await Run(() => command.ExecuteNonQueryAsync(cancellationToken)).ConfigureAwait(false);
    }

    protected async Task<object?> ScalarAsync(string sql, object?[]? parameters, CancellationToken cancellationToken)
    {
        using DbCommand command = NewCommand(sql, parameters);
        return await Run(() => command.ExecuteScalarAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Runs a driver call and turns its exceptions into ones whose messages hold no secret.</summary>
    protected async Task<T> Run<T>(Func<Task<T>> action, StatementVerdict? statement = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (DbException error)
        {
            string where = statement is null ? string.Empty : $"line {statement.Line}: ";
            string message = ConnectionStringRedactor.Scrub(where + error.Message, _connectionString);
            if (IsLockTimeout(error))
            {
                throw new SchemaLockTimeoutException(message, new SchemaMigrationException(error.GetType().Name)) { Line = statement?.Line };
            }

            string id = IsStatementTimeout(error) ? "StatementTimeout" : "SqlError";

            // The driver's exception is not kept as the inner one: its properties may quote the connection.
            throw new SchemaMigrationException(id, message) { Line = statement?.Line };
        }
    }

    /// <summary>
    /// Runs one classified statement, exactly its text, in one round trip. Dialects override it to make
    /// the database refuse the text, without running any of it, if it reads more than one statement there.
    /// </summary>
    protected virtual async Task ExecuteStatementAsync(MigrationScript script, StatementVerdict statement, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);
        using DbCommand command = NewCommand(statement.Statement, null, transaction);
        await Run(() => command.ExecuteNonQueryAsync(cancellationToken), statement).ConfigureAwait(false);
    }

    /// <summary>The error for a statement the database reads differently from the splitter: it is refused, not run.</summary>
    protected static SchemaMigrationException SplitMismatch(MigrationScript script, StatementVerdict statement, string how, bool beforePhase)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(statement);
        string ran = beforePhase ? "Nothing of this phase ran." : "It did not run.";
        return new SchemaMigrationException("StatementSplitMismatch",
            $"{script.RelativePath}:{statement.Line}: {how} BlueGreen classified '{Excerpt(statement.Statement)}' as one statement, so it is refused. {ran} " +
            "End every statement with ';', put each one on its own, and quote names that are keywords (\"trigger\", \"begin\", \"end\").")
        {
            Script = script.RelativePath,
            Line = statement.Line,
        };
    }

    protected static string Excerpt(string statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        string flat = statement.Replace('\r', ' ').Replace('\n', ' ');
        return flat.Length <= 80 ? flat : flat[..77] + "...";
    }

    private async Task<bool> TablesExistAsync(CancellationToken cancellationToken)
    {
        object? result = await ScalarAsync(TablesExistSql, null, cancellationToken).ConfigureAwait(false);
        return result is not null && result is not DBNull && Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private Task InsertHistoryAsync(AppliedMigration record, DbTransaction? transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(
            $"INSERT INTO {HistoryTable} (version, description, phase, script, checksum, classification, waivers, release_id, applied_at, applied_by, duration_ms, success, error) " +
            "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12)",
            new object?[]
            {
                record.Version, record.Description, record.Phase.ToString().ToLowerInvariant(), record.Script, record.Checksum,
                record.Classification, record.Waivers, record.ReleaseId, Utc(record.AppliedAt), record.AppliedBy,
                (long)record.Duration.TotalMilliseconds, record.Success, record.Error,
            },
            cancellationToken,
            transaction);

    private static void Complete(AppliedMigration record, Stopwatch clock)
    {
        record.Success = true;
        record.Error = null;
        record.Duration = clock.Elapsed;
    }

    private static SchemaPhase ParsePhase(string value) =>
        string.Equals(value, "contract", StringComparison.OrdinalIgnoreCase) ? SchemaPhase.Contract : SchemaPhase.Expand;

    // Npgsql writes timestamptz only from UTC values; SQLite stores whatever it is given as text.
    private static DateTimeOffset? Utc(DateTimeOffset? value) => value?.ToUniversalTime();

    private static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();
}
