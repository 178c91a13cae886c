using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using BlueGreen.Schema.Data;
using BlueGreen.Testing;
using Npgsql;

// Usage:
//   dotnet run -c Release --project bench/SchemaBench -- lint [statements]
//   dotnet run -c Release --project bench/SchemaBench -- apply "<Npgsql connection string of a server>" [scripts]
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: SchemaBench lint [statements] | apply <connection string> [scripts]");
    return 2;
}

return args[0] switch
{
    "lint" => Lint(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000),
    "apply" => await ApplyAsync(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50),
    _ => 2,
};

static int Lint(int statements)
{
    foreach (SqlDialect dialect in new[] { SqlDialect.PostgreSql, SqlDialect.Sqlite, SqlDialect.SqlServer })
    {
        int count = dialect == SqlDialect.SqlServer ? statements / 4 : statements;
        string text = Generate(dialect, count);
        SchemaLinter.LintText(Generate(dialect, 1000), dialect);
        var clock = Stopwatch.StartNew();
        var verdicts = SchemaLinter.LintText(text, dialect);
        clock.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lint {dialect,-10} {verdicts.Count,8} statements {text.Length / 1024.0 / 1024.0,6:0.0} MiB {clock.Elapsed.TotalSeconds,7:0.000} s {verdicts.Count / clock.Elapsed.TotalSeconds,10:0} statements/s"));
    }

    return 0;
}

static string Generate(SqlDialect dialect, int count)
{
    var builder = new StringBuilder(count * 80);
    for (int i = 0; i < count; i++)
    {
        builder.Append("-- statement ").Append(i).Append('\n');
        string statement = (i % 8, dialect) switch
        {
            (0, _) => $"CREATE TABLE t{i} (id int PRIMARY KEY, name varchar(100) NOT NULL, note varchar(200))",
            (1, SqlDialect.PostgreSql) => $"ALTER TABLE t{i - 1} ADD COLUMN c{i} text DEFAULT 'x;y', DROP COLUMN note",
            (1, _) => $"ALTER TABLE t{i - 1} ADD c{i} varchar(10) DEFAULT 'x;y'",
            (2, _) => $"INSERT INTO t{i - 2} (id, name) VALUES ({i}, 'it''s /* not */ a comment; really')",
            (3, SqlDialect.PostgreSql) => $"CREATE INDEX CONCURRENTLY ix{i} ON big (c{i})",
            (3, _) => $"CREATE INDEX ix{i} ON big (c{i})",
            (4, _) => $"UPDATE big SET a = a + 1 WHERE id BETWEEN {i} AND {i + 100}",
            (5, SqlDialect.PostgreSql) => $"CREATE FUNCTION f{i}() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN {i}; END; $$",
            (5, _) => $"SELECT {i} /* block; comment */ AS x",
            (6, _) => $"ALTER TABLE big DROP COLUMN c{i}",
            _ => $"DELETE FROM big WHERE id = {i}",
        };
        builder.Append(statement).Append(";\n");
    }

    return builder.ToString();
}

static async Task<int> ApplyAsync(string serverConnectionString, int scripts)
{
    string database = "bench_" + Guid.NewGuid().ToString("N")[..8];
    await using (var admin = new NpgsqlConnection(serverConnectionString))
    {
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
        await create.ExecuteNonQueryAsync();
    }

    string folder = Path.Combine(Path.GetTempPath(), database);
    Directory.CreateDirectory(Path.Combine(folder, "expand"));
    File.WriteAllText(Path.Combine(folder, "expand", "V0001__base.sql"), "CREATE TABLE big (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int);\nINSERT INTO big (a) SELECT g FROM generate_series(1, 10000) g;");
    for (int i = 2; i <= scripts; i++)
    {
        string body = (i % 5) switch
        {
            0 => $"CREATE INDEX CONCURRENTLY IF NOT EXISTS big_c{i - 1} ON big (c{i - 1});",
            1 => $"CREATE TABLE side_{i} (id bigint PRIMARY KEY, big_id bigint, note text);\nCREATE INDEX side_{i}_big ON side_{i} (big_id);",
            2 => $"UPDATE big SET a = a + 1 WHERE id <= 1000;",
            _ => $"ALTER TABLE big ADD COLUMN c{i} text;\nCOMMENT ON COLUMN big.c{i} IS 'added by script {i}';",
        };
        File.WriteAllText(Path.Combine(folder, "expand", $"V{i:0000}__step_{i}.sql"), body);
    }

    string connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database }.ConnectionString;
    var set = MigrationSet.Load(folder, SqlDialect.PostgreSql);
    var clock = Stopwatch.StartNew();
    using ISchemaDatabase db = await new SchemaDatabaseFactory().OpenAsync(SqlDialect.PostgreSql, connectionString, new SchemaConnectionOptions(), CancellationToken.None);
    PhaseResult result = await new SchemaMigrator(db).ExpandAsync(set, "bench");
    clock.Stop();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"apply PostgreSql expand: {result.Applied.Count} scripts in {clock.Elapsed.TotalSeconds:0.000} s ({clock.Elapsed.TotalMilliseconds / result.Applied.Count:0.0} ms/script, including connect, lock and history)"));
    OwnedPath.Delete(folder);
    return 0;
}
