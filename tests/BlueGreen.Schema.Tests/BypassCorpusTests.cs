using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Schema;
using BlueGreen.Schema.Data;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace BlueGreen.Schema.Tests;

/// <summary>
/// The bypass corpora: every attempt is linted, then applied in the expand phase through the migrator to a
/// real database seeded with the tables and rows the old version reads; afterwards the old version's
/// workload runs on it and on an untouched copy, and both must end up the same. An attack must not be
/// applied and must leave the data as it was; a control must be applied and leave the data as it was.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class BypassCorpusTests
{
    private readonly PostgresServer _server;
    private readonly ITestOutputHelper _output;

    public BypassCorpusTests(PostgresServer server, ITestOutputHelper output)
    {
        _server = server;
        _output = output;
    }

    private static string Corpus(string file) => Path.Combine(AppContext.BaseDirectory, "Bypass", file);

    [Fact]
    public async Task Sqlite_attacks_are_refused_and_controls_apply_on_a_real_database()
    {
        IReadOnlyList<BypassAttempt> attempts = BypassAttempt.Load(Corpus("sqlite.sql"));
        var outcomes = new List<BypassOutcome>();
        foreach (BypassAttempt attempt in attempts)
        {
            outcomes.Add(await RunSqliteAsync(attempt));
        }

        Report("SQLite", attempts, outcomes, minimum: 40);
    }

    [Fact]
    public async Task Postgres_attacks_are_refused_and_controls_apply_on_a_real_database()
    {
        IReadOnlyList<BypassAttempt> attempts = BypassAttempt.Load(Corpus("postgres.sql"));

        // The attempts share nothing but the server, so a few run at once, each in a database of its own: the
        // migrator's advisory lock is per database, and an attempt spends most of its time waiting on the server.
        const int Workers = 3;
        var databases = new List<string>();
        for (int w = 0; w < Workers; w++)
        {
            databases.Add(new NpgsqlConnectionStringBuilder(await _server.CreateDatabaseAsync()) { Pooling = false }.ConnectionString);
        }

        var outcomes = new BypassOutcome[attempts.Count];
        int next = -1;
        await Task.WhenAll(databases.Select(database => Task.Run(async () =>
        {
            for (int i = Interlocked.Increment(ref next); i < attempts.Count; i = Interlocked.Increment(ref next))
            {
                outcomes[i] = await RunPostgresAsync(attempts[i], database, i);
            }
        })));

        Report("PostgreSQL", attempts, outcomes, minimum: 40);
    }

    [Fact]
    public void SqlServer_attacks_fail_lint_and_controls_pass()
    {
        // SQL Server cannot be applied here: the T-SQL corpus is judged by the gate alone.
        IReadOnlyList<BypassAttempt> attempts = BypassAttempt.Load(Corpus("sqlserver.sql"));
        var outcomes = new List<BypassOutcome>();
        foreach (BypassAttempt attempt in attempts)
        {
            using var folder = new TempFolder();
            attempt.WriteTo(folder.Path, includeCurrent: true);
            (bool refused, string rules, string? error) = Lint(folder.Path, SqlDialect.SqlServer, Array.Empty<AppliedMigration>());
            bool passes = !refused && error is null;
            outcomes.Add(new BypassOutcome(attempt, !passes, rules, passes, error, null, LintOnly: true));
        }

        Report("SQL Server (lint only)", attempts, outcomes, minimum: 20);
    }

    private void Report(string dialect, IReadOnlyList<BypassAttempt> attempts, IReadOnlyList<BypassOutcome> outcomes, int minimum)
    {
        foreach (BypassOutcome outcome in outcomes)
        {
            _output.WriteLine(outcome.ToString());
        }

        string summary = BypassOutcome.Summary(dialect, outcomes);
        _output.WriteLine(summary);
        string key = new string(dialect.TakeWhile(c => c != '(').Where(char.IsLetter).ToArray()).ToLowerInvariant();
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "bypass-" + key + ".txt"),
            outcomes.Select(o => o.ToString()).Append(summary));

        Assert.True(attempts.Count >= minimum, $"{dialect}: {attempts.Count} attempts; the corpus needs at least {minimum}.");
        Assert.Equal(attempts.Count, attempts.Select(a => a.Id).Distinct().Count());
        Assert.Contains(attempts, a => !a.ExpectBlocked);
        Assert.Contains(attempts, a => a.ExpectBlocked);
        var failures = outcomes.Where(o => !o.AsExpected).Select(o => o.ToString()).ToList();
        Assert.True(failures.Count == 0, summary + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    /// <summary>Lints the migration folder as the migrator plans it: refused, the rules no waiver covers, or the error that stopped the load.</summary>
    private static (bool Refused, string Rules, string? Error) Lint(string root, SqlDialect dialect, IReadOnlyList<AppliedMigration> history)
    {
        try
        {
            MigrationSet set = MigrationSet.Load(root, dialect);
            MigrationPlan plan = MigrationPlan.Create(set, SchemaPhase.Expand, history, "r-attempt");
            string rules = string.Join(" ", plan.Pending.SelectMany(s => s.Verdicts).SelectMany(v => v.UnwaivedRules).Select(r => r.Id)
                .Concat(plan.Problems.Where(p => p.ErrorId != "ExpandRefused").Select(p => p.ErrorId))
                .Concat(plan.Problems.Where(p => p.ErrorId == "ExpandRefused" && p.Message.Contains("an earlier release applied it", StringComparison.Ordinal)).Select(_ => "overwriting-rows"))
                .Distinct());
            return (!plan.CanApply, rules, null);
        }
        catch (SchemaMigrationException error)
        {
            return (true, error.ErrorId, error.Message);
        }
    }

    private static async Task<BypassOutcome> RunSqliteAsync(BypassAttempt attempt)
    {
        using var folder = new TempFolder();
        string database = Path.Combine(folder.Path, "app.db");
        string Connection(string file) => new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString;
        await using (var seed = new SqliteConnection(Connection(database)))
        {
            await seed.OpenAsync();
            await RunFileAsync(seed, Corpus("sqlite-seed.sql"), SqlDialect.Sqlite);
        }

        string root = Path.Combine(folder.Path, "migrations");
        using (ISchemaDatabase db = await new SchemaDatabaseFactory().OpenAsync(SqlDialect.Sqlite, Connection(database), new SchemaConnectionOptions(), CancellationToken.None))
        {
            await ApplyEarlierAsync(attempt, root, SqlDialect.Sqlite, db);
        }

        string copy = Path.Combine(folder.Path, "untouched.db");
        File.Copy(database, copy);
        await using var app = new SqliteConnection(Connection(database));
        await using var untouched = new SqliteConnection(Connection(copy));
        await app.OpenAsync();
        await untouched.OpenAsync();
        return await AttemptAsync(attempt, root, SqlDialect.Sqlite, app, untouched,
            () => new SchemaDatabaseFactory().OpenAsync(SqlDialect.Sqlite, Connection(database), new SchemaConnectionOptions(), CancellationToken.None),
            Corpus("sqlite-blue.sql"));
    }

    private static async Task<BypassOutcome> RunPostgresAsync(BypassAttempt attempt, string database, int index)
    {
        // Each attempt gets two schemas of one database (search_path), which is much quicker than two databases:
        // a_N for the attempt, u_N for the untouched copy. The migrator's tables go into a_N too.
        using var folder = new TempFolder();
        string schema = "a_" + index.ToString(CultureInfo.InvariantCulture);
        string copySchema = "u_" + index.ToString(CultureInfo.InvariantCulture);
        string connection = new NpgsqlConnectionStringBuilder(database) { SearchPath = schema, Pooling = false }.ConnectionString;
        string copy = new NpgsqlConnectionStringBuilder(database) { SearchPath = copySchema, Pooling = false }.ConnectionString;
        await ExecAsync(database, $"CREATE SCHEMA {schema}; CREATE SCHEMA {copySchema}");
        try
        {
            await using var app = new NpgsqlConnection(connection);
            await using var untouched = new NpgsqlConnection(copy);
            await app.OpenAsync();
            await untouched.OpenAsync();
            await RunFileAsync(app, Corpus("postgres-seed.sql"), SqlDialect.PostgreSql);
            await RunFileAsync(untouched, Corpus("postgres-seed.sql"), SqlDialect.PostgreSql);
            string root = Path.Combine(folder.Path, "migrations");
            using (ISchemaDatabase db = await new SchemaDatabaseFactory().OpenAsync(SqlDialect.PostgreSql, connection, new SchemaConnectionOptions(), CancellationToken.None))
            {
                await ApplyEarlierAsync(attempt, root, SqlDialect.PostgreSql, db);
            }

            foreach ((string _, string text) in attempt.Earlier)
            {
                await RunTextAsync(untouched, text, SqlDialect.PostgreSql);
            }

            return await AttemptAsync(attempt, root, SqlDialect.PostgreSql, app, untouched,
                () => new SchemaDatabaseFactory().OpenAsync(SqlDialect.PostgreSql, connection, new SchemaConnectionOptions { LockTimeout = TimeSpan.FromSeconds(2) }, CancellationToken.None),
                Corpus("postgres-blue.sql"));
        }
        finally
        {
            await ExecAsync(database, $"DROP SCHEMA {schema} CASCADE; DROP SCHEMA {copySchema} CASCADE");
        }
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ApplyEarlierAsync(BypassAttempt attempt, string root, SqlDialect dialect, ISchemaDatabase db)
    {
        Directory.CreateDirectory(root);
        if (attempt.Earlier.Count == 0)
        {
            return;
        }

        attempt.WriteTo(root, includeCurrent: false);
        await new SchemaMigrator(db).ExpandAsync(MigrationSet.Load(root, dialect), "r-earlier");
    }

    private static async Task<BypassOutcome> AttemptAsync(BypassAttempt attempt, string root, SqlDialect dialect, DbConnection app, DbConnection untouched,
        Func<Task<ISchemaDatabase>> open, string blue)
    {
        Dictionary<string, string[]> columns = await ColumnsAsync(app, dialect);
        Dictionary<string, List<string>> before = await FingerprintAsync(app, columns);
        attempt.WriteTo(root, includeCurrent: true, withEarlier: false);

        bool applied = false;
        string? error = null;
        (bool refused, string rules, string? lintError) lint;
        using (ISchemaDatabase db = await open())
        {
            var migrator = new SchemaMigrator(db, new SchemaMigratorOptions { MaxLockTimeoutRetries = 0, MigrationLockWait = TimeSpan.FromSeconds(5) });
            lint = Lint(root, dialect, await migrator.GetHistoryAsync());
            try
            {
                await migrator.ExpandAsync(MigrationSet.Load(root, dialect), "r-attempt");
                applied = true;
            }
            catch (SchemaMigrationException refused)
            {
                error = refused.ErrorId + ": " + refused.Message;
            }
            catch (Exception failed) when (failed is DbException or InvalidOperationException)
            {
                error = failed.GetType().Name + ": " + failed.Message;
            }
        }

        if (applied)
        {
            foreach (string check in attempt.Checks)
            {
                await using DbCommand command = app.CreateCommand();
                command.CommandText = check;
                object? value = await command.ExecuteScalarAsync();
                if (!(value is true || (value is long or int && Convert.ToInt64(value, CultureInfo.InvariantCulture) == 1)))
                {
                    error = "check failed: " + check;
                    applied = false;
                }
            }
        }

        string? damage = await DamageAsync(app, columns, before, "after expand");
        if (damage is null)
        {
            // The old version's own statements: they must work, and do to the data what they do to an untouched copy.
            try
            {
                await RunFileAsync(app, blue, dialect);
            }
            catch (DbException failure)
            {
                damage = "the old version's workload fails: " + failure.Message;
            }

            await RunFileAsync(untouched, blue, dialect);
            damage ??= await DamageAsync(app, columns, await FingerprintAsync(untouched, columns), "after the old version's workload");
        }

        return new BypassOutcome(attempt, lint.refused, lint.rules, applied, error, damage);
    }

    private static async Task<string?> DamageAsync(DbConnection app, Dictionary<string, string[]> columns, Dictionary<string, List<string>> expected, string when)
    {
        Dictionary<string, List<string>> actual;
        try
        {
            actual = await FingerprintAsync(app, columns);
        }
        catch (DbException failure)
        {
            return $"{when}: a table or column the old version reads is gone ({failure.Message})";
        }

        // New rows are additive; every row that was there must still be there, unchanged.
        foreach ((string table, List<string> rows) in expected)
        {
            var now = new HashSet<string>(actual[table], StringComparer.Ordinal);
            string[] gone = rows.Where(r => !now.Contains(r)).ToArray();
            if (gone.Length > 0)
            {
                string added = string.Join("; ", actual[table].Except(rows).Take(2));
                return $"{when}: {table} lost or changed {gone.Length} of {rows.Count} rows (e.g. {string.Join("; ", gone.Take(2))}; now: {added})";
            }
        }

        return null;
    }

    /// <summary>The tables and columns the old version reads: every table but BlueGreen's own, as they are before the attempt.</summary>
    private static async Task<Dictionary<string, string[]>> ColumnsAsync(DbConnection connection, SqlDialect dialect)
    {
        string sql = dialect == SqlDialect.PostgreSql
            ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE 'bluegreen%' ORDER BY table_name, ordinal_position"
            : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'bluegreen%' AND m.name NOT LIKE 'sqlite%' ORDER BY m.name, p.cid";
        var columns = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            string table = reader.GetString(0);
            if (!columns.TryGetValue(table, out List<string>? list))
            {
                columns[table] = list = new List<string>();
            }

            list.Add(reader.GetString(1));
        }

        return columns.ToDictionary(c => c.Key, c => c.Value.ToArray());
    }

    private static async Task<Dictionary<string, List<string>>> FingerprintAsync(DbConnection connection, Dictionary<string, string[]> columns)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach ((string table, string[] names) in columns)
        {
            string list = string.Join(", ", names.Select(n => "\"" + n.Replace("\"", "\"\"") + "\""));
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = $"SELECT {list} FROM \"{table}\" ORDER BY 1";
            var rows = new List<string>();
            await using (DbDataReader reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    var values = new string[reader.FieldCount];
                    for (int i = 0; i < reader.FieldCount; i++)
                    {
                        values[i] = reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? string.Empty;
                    }

                    rows.Add(string.Join("|", values));
                }
            }

            result[table] = rows;
        }

        return result;
    }

    private static async Task RunFileAsync(DbConnection connection, string file, SqlDialect dialect) =>
        await RunTextAsync(connection, await File.ReadAllTextAsync(file), dialect);

    private static async Task RunTextAsync(DbConnection connection, string text, SqlDialect dialect)
    {
        foreach (SqlStatement statement in SqlSplitter.Split(text, dialect))
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
