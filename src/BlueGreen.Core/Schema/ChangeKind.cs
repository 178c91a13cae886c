namespace BlueGreen.Core.Schema;

/// <summary>What a statement does to the previous version of the application.</summary>
public enum ChangeKind
{
    /// <summary>The old version keeps working: new tables, nullable columns, indexes, backfills.</summary>
    Additive,

    /// <summary>The old version's writes can start failing: SET NOT NULL, new CHECK, UNIQUE or foreign keys.</summary>
    Tightening,

    /// <summary>The old version's reads or writes break: dropped or renamed columns and tables, type changes.</summary>
    Destructive,

    /// <summary>Not understood well enough to promise anything: DO blocks, CALL, dynamic SQL, triggers.</summary>
    Unknown,
}

/// <summary>Which half of a release a migration belongs to.</summary>
public enum SchemaPhase
{
    /// <summary>Before the traffic switch: only changes both versions can run on.</summary>
    Expand,

    /// <summary>After the old version is gone for good: the destructive and tightening changes.</summary>
    Contract,
}
