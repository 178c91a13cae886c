using System;

namespace BlueGreen.Core.Schema;

/// <summary>One row of the history table: an attempt to apply a script, successful or not.</summary>
public sealed class AppliedMigration
{
    public string Version { get; set; } = string.Empty;

    public string Description { get; set; } = string.Empty;

    public SchemaPhase Phase { get; set; }

    public string Script { get; set; } = string.Empty;

    public string Checksum { get; set; } = string.Empty;

    /// <summary>The worst kind of change and the rules broken, e.g. "destructive: ban-drop-column".</summary>
    public string Classification { get; set; } = string.Empty;

    /// <summary>The waivers used, one "rule: reason" per line; empty when none.</summary>
    public string Waivers { get; set; } = string.Empty;

    public string? ReleaseId { get; set; }

    public DateTimeOffset AppliedAt { get; set; }

    public string AppliedBy { get; set; } = string.Empty;

    public TimeSpan Duration { get; set; }

    public bool Success { get; set; }

    public string? Error { get; set; }

    public override string ToString() => $"{Version} {Phase} {(Success ? "applied" : "failed")} {AppliedAt:u}";
}

/// <summary>Where a release is in its schema life.</summary>
public enum SchemaReleaseState
{
    /// <summary>Expand started and has not finished.</summary>
    Planned,

    /// <summary>Expand finished: both versions can run on the schema.</summary>
    Expanded,

    /// <summary>Traffic moved to the new version; the old one may still come back.</summary>
    Switched,

    /// <summary>Contract ran: the old version can no longer run on the schema.</summary>
    Contracted,

    /// <summary>Rolled back before contract; its contract scripts must not run for it.</summary>
    Abandoned,
}

/// <summary>One row of the release table.</summary>
public sealed class SchemaRelease
{
    public string ReleaseId { get; set; } = string.Empty;

    public string? DeploymentId { get; set; }

    public SchemaReleaseState State { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? ExpandedAt { get; set; }

    public DateTimeOffset? SwitchedAt { get; set; }

    public DateTimeOffset? ContractedAt { get; set; }

    /// <summary>Why a gate was forced (contract before blue was gone, undo after contract), as the user said it.</summary>
    public string? ForceReason { get; set; }

    public override string ToString() => $"{ReleaseId} {State}";
}

/// <summary>How a database connection behaves during a migration.</summary>
public sealed class SchemaConnectionOptions
{
    /// <summary>How long a statement waits for a table lock before giving up (PostgreSQL lock_timeout, SQLite busy timeout).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one statement may run (PostgreSQL statement_timeout); zero means no limit.</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromMinutes(15);
}
