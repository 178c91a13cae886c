using System.Linq;
using BlueGreen.Core.Schema;
using Xunit;

namespace BlueGreen.Schema.Tests;

/// <summary>Data changes, the bodies statements run, and options read as the server reads them.</summary>
public sealed class DataChangeTests
{
    private static string[] Rules(string sql, SqlDialect dialect = SqlDialect.PostgreSql)
    {
        var verdicts = SchemaLinter.LintText(sql, dialect);
        return verdicts[verdicts.Count - 1].Rules.Select(r => r.Id).OrderBy(r => r).ToArray();
    }

    [Theory]
    [InlineData("UPDATE users SET email = NULL")]
    [InlineData("UPDATE users SET email = NULL WHERE true")]
    [InlineData("UPDATE users SET email = NULL WHERE NOT false")]
    [InlineData("UPDATE users SET email = NULL WHERE ((1 = 1))")]
    [InlineData("UPDATE users SET email = NULL WHERE 'a' = 'a'")]
    [InlineData("UPDATE users SET email = NULL WHERE id = id")]
    [InlineData("UPDATE users SET email = NULL WHERE id = 7 OR 1 = 1")]
    [InlineData("UPDATE users SET email = NULL WHERE now() > '2000-01-01'")]
    [InlineData("UPDATE users SET email = NULL WHERE id = 7")]
    [InlineData("UPDATE users u SET (email, name) = ('a', 'b') FROM teams t WHERE t.id = u.team_id")]
    [InlineData("WITH x AS (SELECT 1) UPDATE users SET email = NULL")]
    [InlineData("WITH u AS (UPDATE users SET email = NULL RETURNING id) SELECT count(*) FROM u")]
    [InlineData("INSERT INTO users (id, email) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET email = excluded.email")]
    [InlineData("MERGE INTO users u USING staging s ON u.id = s.id WHEN MATCHED THEN UPDATE SET email = s.email")]
    public void Overwriting_what_the_old_version_reads_is_destructive(string sql)
    {
        StatementVerdict verdict = SchemaLinter.LintText(sql, SqlDialect.PostgreSql).Single();

        Assert.Equal(ChangeKind.Destructive, verdict.Kind);
        Assert.Contains("overwriting-rows", verdict.Rules.Select(r => r.Id));
        Assert.False(verdict.SafeForExpand);
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite, "REPLACE INTO settings (k, v) VALUES ('a', 'b')")]
    [InlineData(SqlDialect.Sqlite, "INSERT OR REPLACE INTO settings (k, v) VALUES ('a', 'b')")]
    [InlineData(SqlDialect.Sqlite, "UPDATE OR REPLACE users SET id = 1 WHERE id = 2")]
    [InlineData(SqlDialect.Sqlite, "INSERT INTO settings (k, v) VALUES ('a', 'b') ON CONFLICT (k) DO NOTHING ON CONFLICT DO UPDATE SET v = 'c'")]
    [InlineData(SqlDialect.SqlServer, "UPDATE dbo.users SET email = NULL WHERE 1 = 1")]
    [InlineData(SqlDialect.SqlServer, "UPDATE u SET u.email = NULL FROM dbo.users AS u")]
    public void Replace_upserts_and_unbounded_updates_are_destructive_in_every_dialect(SqlDialect dialect, string sql)
    {
        Assert.Contains("overwriting-rows", Rules(sql, dialect));
    }

    [Theory]
    [InlineData(SqlDialect.PostgreSql, "ALTER TABLE users ADD COLUMN nick text; UPDATE users SET nick = name WHERE nick IS NULL")]
    [InlineData(SqlDialect.PostgreSql, "ALTER TABLE users ADD COLUMN nick text; UPDATE users SET nick = upper(name)")]
    [InlineData(SqlDialect.PostgreSql, "CREATE TABLE t (id int, v text); UPDATE t SET v = 'x'; DELETE FROM t; TRUNCATE t")]
    [InlineData(SqlDialect.PostgreSql, "INSERT INTO settings (k, v) VALUES ('a', 'b') ON CONFLICT (k) DO NOTHING")]
    [InlineData(SqlDialect.Sqlite, "ALTER TABLE users ADD COLUMN Nick TEXT; UPDATE users SET \"NICK\" = name")]
    [InlineData(SqlDialect.SqlServer, "ALTER TABLE dbo.users ADD nick nvarchar(10) NULL; UPDATE TOP (100) dbo.users SET nick = name WHERE nick IS NULL")]
    public void A_backfill_of_what_this_release_adds_stays_safe(SqlDialect dialect, string sql)
    {
        Assert.All(SchemaLinter.LintText(sql, dialect), v => Assert.True(v.SafeForExpand, v.ToString()));
    }

    [Theory]
    [InlineData("UPDATE teams SET nick = name", "r-2", true)]
    [InlineData("UPDATE teams SET name = 'x' WHERE id = 1", "r-2", false)]
    [InlineData("UPDATE teams SET note = 'x'", "r-2", false)]
    [InlineData("UPDATE teams SET note = 'x'", "r-1", true)]
    public void A_backfill_relies_on_the_scripts_that_added_its_columns_being_of_this_release(string backfill, string release, bool safe)
    {
        // V0001 created teams (with note) in release r-1; V0002 adds nick in this release.
        using var folder = new TempFolder();
        folder.Write("expand/V0001__teams.sql", "CREATE TABLE teams (id int PRIMARY KEY, name text, note text);");
        folder.Write("expand/V0002__nick.sql", "ALTER TABLE teams ADD COLUMN nick text;\n" + backfill + ";");
        MigrationSet set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);
        var history = new[]
        {
            new AppliedMigration { Version = "1", Script = "expand/V0001__teams.sql", Checksum = set.Scripts[0].Checksum, Phase = SchemaPhase.Expand, ReleaseId = "r-1", Success = true },
        };

        MigrationPlan plan = MigrationPlan.Create(set, SchemaPhase.Expand, history, release);

        Assert.True(safe == plan.CanApply, string.Join(" | ", plan.Problems.Select(p => p.Message)));
        Assert.All(plan.Problems, p => Assert.Contains("overwriting-rows", p.Message));
    }

    [Fact]
    public void Add_column_if_not_exists_does_not_make_an_existing_column_new()
    {
        Assert.Contains("overwriting-rows", Rules("ALTER TABLE users ADD COLUMN IF NOT EXISTS email text; UPDATE users SET email = NULL"));
    }

    [Theory]
    [InlineData("DELETE FROM users", "(DELETE without a WHERE: every row)")]
    [InlineData("DELETE FROM users WHERE 1 = 1", "(its WHERE is always true: every row)")]
    public void Deletes_say_when_they_take_every_row(string sql, string detail)
    {
        RuleHit rule = SchemaLinter.LintText(sql, SqlDialect.PostgreSql).Single().Rules.Single();

        Assert.Equal("deleting-rows", rule.Id);
        Assert.EndsWith(detail, rule.Message);
    }

    [Fact]
    public void A_trigger_waiver_does_not_cover_what_its_function_does()
    {
        const string sql = """
            CREATE FUNCTION purge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders WHERE user_id = NEW.id; RETURN NEW; END $$;
            -- bluegreen:waive creating-trigger: keeps an audit trail
            CREATE TRIGGER t AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION purge();
            """;
        StatementVerdict[] verdicts = SchemaLinter.LintText(sql, SqlDialect.PostgreSql).ToArray();

        Assert.True(verdicts[0].SafeForExpand, "creating a function runs nothing");
        Assert.Equal(ChangeKind.Destructive, verdicts[1].Kind);
        Assert.Equal("creating-trigger", Assert.Single(verdicts[1].Waivers).RuleId);
        Assert.Equal("deleting-rows", Assert.Single(verdicts[1].UnwaivedRules).Id);
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite, "CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; DELETE FROM orders; END", "deleting-rows")]
    [InlineData(SqlDialect.PostgreSql, "CREATE RULE r AS ON INSERT TO users DO ALSO (SELECT 1; DELETE FROM orders)", "deleting-rows")]
    [InlineData(SqlDialect.PostgreSql, "DO $$ DECLARE n int; BEGIN IF n IS NULL THEN UPDATE users SET email = NULL; END IF; END $$", "overwriting-rows")]
    [InlineData(SqlDialect.PostgreSql, "DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$", "ban-drop-table")]
    [InlineData(SqlDialect.PostgreSql, "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'users'; END $$", "unknown-dynamic-sql")]
    [InlineData(SqlDialect.PostgreSql, "DO LANGUAGE plpython3u $$ plpy.execute('DROP TABLE users') $$", "unknown-dynamic-sql")]
    [InlineData(SqlDialect.PostgreSql, "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'DELETE FROM orders; SELECT 1'; SELECT f()", "deleting-rows")]
    [InlineData(SqlDialect.PostgreSql, "SELECT archive_old_rows(30)", "unknown-call")]
    [InlineData(SqlDialect.PostgreSql, "SELECT dblink_exec('dbname=x', 'DROP TABLE users')", "unknown-call")]
    [InlineData(SqlDialect.SqlServer, "IF 1 = 1 BEGIN DROP TABLE dbo.users END", "ban-drop-table")]
    [InlineData(SqlDialect.SqlServer, "EXEC ('DELETE FROM dbo.orders')", "deleting-rows")]
    public void Bodies_are_classified_and_their_findings_stand_on_their_own(SqlDialect dialect, string sql, string rule)
    {
        Assert.Contains(rule, Rules(sql, dialect));
    }

    [Theory]
    [InlineData("ALTER TABLE users ALTER COLUMN status SET DEFAULT NULL", true)]
    [InlineData("ALTER TABLE users ALTER COLUMN status SET DEFAULT (NULL)", true)]
    [InlineData("ALTER TABLE users ALTER COLUMN status SET DEFAULT NULL::varchar(10)", true)]
    [InlineData("ALTER TABLE users ALTER COLUMN status SET DEFAULT CAST(NULL AS text)", true)]
    [InlineData("ALTER TABLE users ALTER COLUMN status SET DEFAULT 'new'", false)]
    [InlineData("ALTER TABLE users ALTER COLUMN status SET DEFAULT coalesce(NULL, 'x')", false)]
    public void Set_default_null_is_drop_default(string sql, bool drops)
    {
        Assert.Equal(drops, Rules(sql).Contains("dropping-default"));
    }

    [Theory]
    [InlineData("REINDEX INDEX i", false)]
    [InlineData("REINDEX INDEX CONCURRENTLY i", true)]
    [InlineData("REINDEX (CONCURRENTLY) INDEX i", true)]
    [InlineData("REINDEX (CONCURRENTLY true) INDEX i", true)]
    [InlineData("REINDEX (CONCURRENTLY on) INDEX i", true)]
    [InlineData("REINDEX (concurrently 1) INDEX i", true)]
    [InlineData("REINDEX (CONCURRENTLY 'TRUE') INDEX i", true)]
    [InlineData("REINDEX (CONCURRENTLY false) INDEX i", false)]
    [InlineData("REINDEX (VERBOSE, CONCURRENTLY false) TABLE t", false)]
    [InlineData("REINDEX (CONCURRENTLY 0) INDEX i", false)]
    [InlineData("REINDEX (CONCURRENTLY maybe) INDEX i", false)]
    [InlineData("REINDEX (CONCURRENTLY false) INDEX CONCURRENTLY i", true)]
    public void Reindex_options_read_as_the_server_reads_them(string sql, bool concurrent)
    {
        StatementVerdict verdict = SchemaLinter.LintText(sql, SqlDialect.PostgreSql).Single();

        Assert.Equal(concurrent, verdict.RequiresNoTransaction);
        Assert.Equal(!concurrent, verdict.Rules.Any(r => r.Id == "require-concurrent-index-creation"));
    }

    [Theory]
    [InlineData("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT now()", false)]
    [InlineData("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT pg_catalog.now()", false)]
    [InlineData("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT \"now\"()", false)]
    [InlineData("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT current_timestamp(3)", false)]
    [InlineData("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT now(123)", true)]
    [InlineData("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT app.now()", true)]
    [InlineData("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT \"NOW\"()", true)]
    [InlineData("ALTER TABLE users ADD COLUMN c text DEFAULT app.lower('x')", true)]
    public void Only_the_built_in_now_is_the_built_in_now(string sql, bool volatileDefault)
    {
        Assert.Equal(volatileDefault, Rules(sql).Contains("adding-field-with-default"));
    }

    [Theory]
    [InlineData("ALTER TABLE orders ADD CONSTRAINT c FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID", "tightening-constraint")]
    [InlineData("ALTER TABLE orders ADD CONSTRAINT c FOREIGN KEY (user_id) REFERENCES valid (id) NOT DEFERRABLE", "adding-foreign-key-constraint")]
    [InlineData("ALTER TABLE orders ADD CONSTRAINT c CHECK (note IS NOT NULL OR valid)", "constraint-missing-not-valid")]
    public void Not_valid_counts_only_as_the_two_words_together(string sql, string rule)
    {
        Assert.Equal(new[] { rule }, Rules(sql));
    }

    [Theory]
    [InlineData("SET lock_timeout = 0", true)]
    [InlineData("SET lock_timeout TO '0'", true)]
    [InlineData("SET SESSION statement_timeout TO DEFAULT", true)]
    [InlineData("RESET lock_timeout", true)]
    [InlineData("RESET ALL", true)]
    [InlineData("SELECT set_config('lock_timeout', '0', false)", true)]
    [InlineData("SET lock_timeout = '3s'", false)]
    [InlineData("SET LOCAL lock_timeout = 500", false)]
    [InlineData("SET search_path TO public", false)]
    public void Turning_off_the_migration_timeouts_is_not_safe(string sql, bool unsafeForExpand)
    {
        Assert.Equal(unsafeForExpand, !SchemaLinter.LintText(sql, SqlDialect.PostgreSql).Single().SafeForExpand);
    }
}
