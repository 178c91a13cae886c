using System;

namespace BlueGreen.Core.Schema;

/// <summary>
/// A schema migration could not be planned or applied. <see cref="ErrorId"/> is stable and PascalCase,
/// for cmdlets to use as the error record id. Messages never hold a connection string.
/// </summary>
public class SchemaMigrationException : Exception
{
    public SchemaMigrationException()
        : this("SchemaMigrationFailed", "The schema migration failed.")
    {
    }

    public SchemaMigrationException(string message)
        : this("SchemaMigrationFailed", message)
    {
    }

    public SchemaMigrationException(string message, Exception innerException)
        : this("SchemaMigrationFailed", message, innerException)
    {
    }

    public SchemaMigrationException(string errorId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; } = "SchemaMigrationFailed";

    /// <summary>The script the error is about, when there is one.</summary>
    public string? Script { get; init; }

    /// <summary>The 1-based line of the statement the error is about, when there is one.</summary>
    public int? Line { get; init; }
}

/// <summary>Another migration run holds the database's migration lock.</summary>
public sealed class SchemaLockBusyException : SchemaMigrationException
{
    public SchemaLockBusyException()
        : base("SchemaMigrationLockBusy", "Another schema migration is running against this database.")
    {
    }

    public SchemaLockBusyException(string message)
        : base("SchemaMigrationLockBusy", message)
    {
    }

    public SchemaLockBusyException(string message, Exception innerException)
        : base("SchemaMigrationLockBusy", message, innerException)
    {
    }
}

/// <summary>
/// A statement gave up waiting for a table lock (PostgreSQL lock_timeout, SQLite busy). The
/// database rolled the script back, so it is safe to try again.
/// </summary>
public sealed class SchemaLockTimeoutException : SchemaMigrationException
{
    public SchemaLockTimeoutException()
        : base("SchemaLockTimeout", "A statement timed out waiting for a lock.")
    {
    }

    public SchemaLockTimeoutException(string message)
        : base("SchemaLockTimeout", message)
    {
    }

    public SchemaLockTimeoutException(string message, Exception innerException)
        : base("SchemaLockTimeout", message, innerException)
    {
    }
}
