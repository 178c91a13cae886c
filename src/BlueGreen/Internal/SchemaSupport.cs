using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;

namespace BlueGreen.Internal;

/// <summary>
/// What the schema cmdlets share: opening a database through BlueGreen.Schema.Data (net8.0, loaded on
/// PowerShell 7.4+ only, into the module's isolated load context), and error records whose id is the
/// engine's <see cref="SchemaMigrationException.ErrorId"/> and whose text holds no password.
/// </summary>
internal static class SchemaSupport
{
    /// <summary>True where the database layer can load: .NET 8 or later, i.e. PowerShell 7.4+.</summary>
    public static bool CanOpenDatabases =>
        !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal) && Environment.Version.Major >= 8;

    /// <summary>The error for PowerShell versions that cannot run migrations against a database.</summary>
    public static ErrorRecord RuntimeNotSupported(string cmdletName) => ErrorRecords.Create(
        new PSNotSupportedException($"{cmdletName} needs PowerShell 7.4 or later: the database drivers (Npgsql, Microsoft.Data.Sqlite) need .NET 8, and this is {RuntimeInformation.FrameworkDescription}. Test-SchemaMigration lints scripts on every PowerShell."),
        "SchemaDatabaseNeedsPowerShell74", ErrorCategory.NotImplemented, cmdletName,
        "Run it from PowerShell 7.4 or later (pwsh), or lint only, with Test-SchemaMigration.");

    /// <summary>Opens the database; the factory comes from BlueGreen.Schema.Data in the module's dependencies folder.</summary>
    public static async Task<ISchemaDatabase> OpenAsync(SqlDialect dialect, string connectionString, CancellationToken cancellationToken)
    {
        Type? type;
        try
        {
            type = Type.GetType(SchemaDatabaseFactoryInfo.ImplementationTypeName, throwOnError: false);
        }
        catch (Exception ex) when (ex is System.IO.FileLoadException or System.IO.FileNotFoundException or BadImageFormatException)
        {
            throw new SchemaMigrationException("SchemaDataMissing", "The database layer (dependencies/BlueGreen.Schema.Data.dll) could not be loaded: " + ex.Message);
        }

        if (type is null)
        {
            throw new SchemaMigrationException("SchemaDataMissing", "The database layer (dependencies/BlueGreen.Schema.Data.dll) was not found in the module folder.");
        }

        var factory = (ISchemaDatabaseFactory)Activator.CreateInstance(type)!;
        try
        {
            return await factory.OpenAsync(dialect, connectionString, new SchemaConnectionOptions(), cancellationToken).ConfigureAwait(false);
        }
        catch (SchemaMigrationException ex) when (ex.ErrorId is "SqlError" or "SchemaMigrationFailed")
        {
            // The driver's message, already scrubbed; the connection string shown without its secrets.
            throw new SchemaMigrationException("DatabaseConnectionFailed",
                $"Could not connect to the {dialect} database ({ConnectionStringRedactor.Redact(connectionString)}): {ex.Message}");
        }
    }

    /// <summary>An error record for an engine error: its id, a category that fits it, and what to do next.</summary>
    public static ErrorRecord FromSchema(SchemaMigrationException exception, object? target)
    {
        string id = string.IsNullOrEmpty(exception.ErrorId) ? "SchemaMigrationFailed" : exception.ErrorId;
        return ErrorRecords.Create(exception, id, Category(id), exception.Script ?? target, Recommendation(id));
    }

    /// <summary>An error the engine did not anticipate, rewritten so that it cannot carry the connection string.</summary>
    public static ErrorRecord FromUnexpected(Exception exception, string? connectionString, object? target)
    {
        var scrubbed = new SchemaMigrationException("SchemaMigrationFailed",
            ConnectionStringRedactor.Scrub($"{exception.GetType().Name}: {exception.Message}", connectionString));
        return ErrorRecords.Create(scrubbed, "SchemaMigrationFailed", ErrorCategory.NotSpecified, target);
    }

    /// <summary>A statement as one short line, for -WhatIf and confirmation prompts.</summary>
    public static string OneLine(string statement, int max = 110)
    {
        var builder = new StringBuilder(Math.Min(statement.Length, max + 3));
        bool space = false;
        foreach (char c in statement)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
            if (builder.Length >= max)
            {
                return builder.Append("...").ToString();
            }
        }

        return builder.ToString();
    }

    private static ErrorCategory Category(string errorId) => errorId switch
    {
        "SchemaPathNotFound" or "MigrationFolderNotFound" or "ReleaseNotFound" or "SchemaDataMissing" => ErrorCategory.ObjectNotFound,
        "AppliedMigrationChanged" or "MigrationOutOfOrder" or "InvalidMigrationFileName" or "DuplicateMigrationVersion"
            or "MigrationPhaseConflict" or "MigrationPhaseMissing" or "InvalidPhaseHeader"
            or "StatementSplitMismatch" or "StatementSyntaxError" => ErrorCategory.InvalidData,
        "InvalidConnectionString" or "DialectMismatch" or "ReleaseIdRequired" => ErrorCategory.InvalidArgument,
        "DatabaseConnectionFailed" => ErrorCategory.ConnectionError,
        "DialectNotSupported" => ErrorCategory.NotImplemented,
        "ContractNotAllowed" or "UndoNotAllowed" => ErrorCategory.PermissionDenied,
        "SchemaMigrationLockBusy" => ErrorCategory.ResourceBusy,
        "SchemaLockTimeout" or "StatementTimeout" => ErrorCategory.OperationTimeout,
        _ => ErrorCategory.InvalidOperation,
    };

    private static string? Recommendation(string errorId) => errorId switch
    {
        "ExpandRefused" => "Move the statement to the contract phase, rewrite it the safe way the message names, or waive the rule with a reason in a comment above it.",
        "ContractNotAllowed" => "Wait until the deployment has succeeded and blue is gone (or the rollback window has passed), or pass -Force with -Reason.",
        "AppliedMigrationChanged" => "Restore the applied script as it was, and put the change in a new script with a higher version.",
        "MigrationOutOfOrder" => "Give the script a version higher than the latest applied one of its phase.",
        "ExpandPending" => "Run Invoke-SchemaMigration -Phase Expand first.",
        "ReleaseNotFound" or "ReleaseIdRequired" => "Pass the -ReleaseId (or -DeploymentId) of an expanded release; Get-SchemaMigration -Release lists them.",
        "InvalidReleaseState" => "Get-SchemaMigration -Release shows the state of each release.",
        "SchemaMigrationLockBusy" => "Another migration run is active on this database: wait for it to finish, then try again.",
        "SchemaLockTimeout" => "A long transaction holds a lock on the table: find it (pg_stat_activity) and try again when it is gone.",
        "InvalidConnectionString" => "Check the connection string's keywords for the dialect (Npgsql for PostgreSQL, Microsoft.Data.Sqlite for SQLite).",
        "DatabaseConnectionFailed" => "Check that the server runs and can be reached, and the connection string's host, port, database and credentials.",
        "DialectNotSupported" => "Apply SQL Server scripts with your usual tool; Test-SchemaMigration still lints them.",
        _ => null,
    };
}
