using System;
using System.Data.Common;
using System.IO;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;

namespace BlueGreen.Schema.Tests;

/// <summary>The worked examples under docs/examples/schema, which the tests run so the documentation stays true.</summary>
public static class Examples
{
    public static string Folder(string dialect)
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "BlueGreen.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return Path.Combine(directory ?? throw new InvalidOperationException("BlueGreen.sln not found above the test output."), "docs", "examples", "schema", dialect);
    }

    /// <summary>Runs every statement of an example script (an application's queries, or a baseline) and throws at the first failure.</summary>
    public static async Task RunScriptAsync(DbConnection connection, string file, SqlDialect dialect)
    {
        foreach (SqlStatement statement in SqlSplitter.Split(await File.ReadAllTextAsync(file), dialect))
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = statement.Text;
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }
        }
    }
}
