using System;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;

namespace BlueGreen.Schema.Data;

/// <summary>Opens the database of a dialect; the module creates it by <see cref="SchemaDatabaseFactoryInfo.ImplementationTypeName"/>.</summary>
public sealed class SchemaDatabaseFactory : ISchemaDatabaseFactory
{
    public async Task<ISchemaDatabase> OpenAsync(SqlDialect dialect, string connectionString, SchemaConnectionOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException("A connection string is required.", nameof(connectionString));
        }

        return dialect switch
        {
            SqlDialect.PostgreSql => await PostgresSchemaDatabase.OpenAsync(connectionString, options, cancellationToken).ConfigureAwait(false),
            SqlDialect.Sqlite => await SqliteSchemaDatabase.OpenAsync(connectionString, options, cancellationToken).ConfigureAwait(false),
            _ => throw new SchemaMigrationException("DialectNotSupported",
                $"Applying migrations to {dialect} is not supported yet; Test-SchemaMigration lints {dialect} scripts."),
        };
    }
}
