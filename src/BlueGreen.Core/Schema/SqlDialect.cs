namespace BlueGreen.Core.Schema;

/// <summary>The SQL dialects whose migrations BlueGreen lints and applies.</summary>
public enum SqlDialect
{
    PostgreSql,
    Sqlite,
    SqlServer,
}
