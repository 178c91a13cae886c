using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Core.Schema;

/// <summary>
/// What <see cref="SchemaMigrator"/> needs from a database. Implemented for PostgreSQL and SQLite in
/// BlueGreen.Schema.Data (net8.0, PowerShell 7.4+), so that Core stays netstandard2.0. Implementations
/// set <see cref="SchemaConnectionOptions.LockTimeout"/> and <see cref="SchemaConnectionOptions.StatementTimeout"/>
/// on every connection and never put the connection string in an exception message.
/// </summary>
public interface ISchemaDatabase : IDisposable
{
    SqlDialect Dialect { get; }

    /// <summary>
    /// Takes the database's migration lock (PostgreSQL advisory lock, SQLite lock file), waiting at most
    /// <paramref name="wait"/>; throws <see cref="SchemaLockBusyException"/> when another run keeps it.
    /// Disposing the handle releases it.
    /// </summary>
    Task<IDisposable> AcquireMigrationLockAsync(TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Creates the history and release tables when they are missing.</summary>
    Task EnsureTablesAsync(CancellationToken cancellationToken);

    /// <summary>The history, oldest first; empty when the tables do not exist yet (so planning changes nothing).</summary>
    Task<IReadOnlyList<AppliedMigration>> GetHistoryAsync(CancellationToken cancellationToken);

    /// <summary>The releases, oldest first; empty when the tables do not exist yet.</summary>
    Task<IReadOnlyList<SchemaRelease>> GetReleasesAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or updates a release by its id.</summary>
    Task SaveReleaseAsync(SchemaRelease release, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the database, without running anything, whether it reads every statement of the scripts as
    /// exactly one statement that ends where BlueGreen's splitter ends it (SQLite: its own completeness
    /// test and prepare; PostgreSQL: a server-side prepare, which refuses text holding more than one
    /// statement). Throws <see cref="SchemaMigrationException"/> <c>StatementSplitMismatch</c> (or, for
    /// text PostgreSQL cannot parse at all, <c>StatementSyntaxError</c>) for the first it disagrees on.
    /// A statement that cannot be checked yet (it uses a table an earlier statement creates) is
    /// checked again when it runs.
    /// </summary>
    Task CheckStatementsAsync(IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the script's statements and records <paramref name="record"/> (with its Duration filled in).
    /// Each classified statement is one round trip, sent so that the database refuses it, without
    /// running any of it, if it reads the text as more than one statement (<c>StatementSplitMismatch</c>).
    /// A script that does not require otherwise runs in one transaction together with its record; a
    /// <see cref="MigrationScript.RequiresNoTransaction"/> script runs statement by statement and is
    /// recorded after. A lock timeout surfaces as <see cref="SchemaLockTimeoutException"/>.
    /// </summary>
    Task ApplyScriptAsync(MigrationScript script, AppliedMigration record, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt, outside any transaction of the script.</summary>
    Task RecordFailureAsync(AppliedMigration record, CancellationToken cancellationToken);

    /// <summary>Drops the named indexes if a failed concurrent build left them INVALID.</summary>
    Task<IReadOnlyList<string>> DropInvalidIndexesAsync(IReadOnlyList<string> indexNames, CancellationToken cancellationToken);
}

/// <summary>Opens an <see cref="ISchemaDatabase"/>; the cmdlets find the implementation by <see cref="SchemaDatabaseFactoryInfo.ImplementationTypeName"/>.</summary>
public interface ISchemaDatabaseFactory
{
    Task<ISchemaDatabase> OpenAsync(SqlDialect dialect, string connectionString, SchemaConnectionOptions options, CancellationToken cancellationToken);
}

public static class SchemaDatabaseFactoryInfo
{
    /// <summary>The assembly-qualified name of the net8.0 implementation, loaded on PowerShell 7.4+.</summary>
    public const string ImplementationTypeName = "BlueGreen.Schema.Data.SchemaDatabaseFactory, BlueGreen.Schema.Data";
}
