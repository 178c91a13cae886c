using System;
using System.Linq;
using BlueGreen.Core.Schema;
using Xunit;

namespace BlueGreen.Schema.Tests;

public sealed class MigrationSetTests
{
    [Fact]
    public void Phase_comes_from_the_subfolder_or_the_header_and_versions_sort_numerically()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V10__ten.sql", "CREATE TABLE ten (id int);");
        folder.Write("expand/V9__nine.sql", "CREATE TABLE nine (id int);");
        folder.Write("V11__header.sql", "-- a comment first\n-- bluegreen:phase contract\nALTER TABLE nine DROP COLUMN id;");
        folder.Write("contract/1.2_dotted.sql", "DROP TABLE ten;");

        var set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);

        Assert.Equal("1.2 9 10 11", string.Join(" ", set.Scripts.Select(s => s.Version.Text)));
        Assert.Equal("Contract Expand Expand Contract", string.Join(" ", set.Scripts.Select(s => s.Phase)));
        Assert.Equal("expand/V10__ten.sql", set.Scripts[2].RelativePath);
        Assert.Equal("ten", set.Scripts[2].Description);
    }

    [Fact]
    public void A_script_without_a_phase_is_an_error_that_says_how_to_give_it_one()
    {
        using var folder = new TempFolder();
        folder.Write("V1__nothing.sql", "SELECT 1;");

        var error = Assert.Throws<SchemaMigrationException>(() => MigrationSet.Load(folder.Path, SqlDialect.PostgreSql));

        Assert.Equal("MigrationPhaseMissing", error.ErrorId);
        Assert.Contains("bluegreen:phase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_and_header_must_agree()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V1__x.sql", "-- bluegreen:phase contract\nSELECT 1;");

        Assert.Equal("MigrationPhaseConflict", Assert.Throws<SchemaMigrationException>(() => MigrationSet.Load(folder.Path, SqlDialect.PostgreSql)).ErrorId);
    }

    [Fact]
    public void Versions_are_unique_across_both_phases()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V001__a.sql", "SELECT 1;");
        folder.Write("contract/V1__b.sql", "SELECT 1;");

        Assert.Equal("DuplicateMigrationVersion", Assert.Throws<SchemaMigrationException>(() => MigrationSet.Load(folder.Path, SqlDialect.PostgreSql)).ErrorId);
    }

    [Fact]
    public void Badly_named_files_are_refused()
    {
        using var folder = new TempFolder();
        folder.Write("expand/add_column.sql", "SELECT 1;");

        Assert.Equal("InvalidMigrationFileName", Assert.Throws<SchemaMigrationException>(() => MigrationSet.Load(folder.Path, SqlDialect.PostgreSql)).ErrorId);
    }

    [Fact]
    public void The_checksum_ignores_line_ends_trailing_spaces_and_bom_but_not_content()
    {
        string a = MigrationScript.ComputeChecksum("SELECT 1;\nSELECT 2;\n");
        string b = MigrationScript.ComputeChecksum("\uFEFFSELECT 1;   \r\nSELECT 2;\r\n\r\n");
        string c = MigrationScript.ComputeChecksum("SELECT 1;\nSELECT 3;\n");
        string d = MigrationScript.ComputeChecksum("SELECT 1;\n-- bluegreen:waive x: y\nSELECT 2;\n");

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
        Assert.Equal(64, a.Length);
    }

    [Fact]
    public void Concurrent_index_scripts_run_outside_a_transaction_and_alone()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V1__idx.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);");
        folder.Write("expand/V2__mixed.sql", "CREATE INDEX CONCURRENTLY t_b ON t (b);\nALTER TABLE t ADD COLUMN c int;");

        var set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);

        Assert.True(set.Scripts[0].RequiresNoTransaction);
        Assert.Equal("t_a", set.Scripts[0].ConcurrentIndexNames.Single());
        Assert.True(set.Scripts[0].Verdicts.Single().SafeForExpand);
        Assert.Contains(set.Scripts[1].Verdicts[0].Rules, r => r.Id == "mixed-concurrent-script");
    }

    [Fact]
    public void Waivers_need_a_reason_and_cover_only_the_rules_they_name()
    {
        const string sql = """
            -- bluegreen:waive ban-drop-column: nothing has read this column since 2.1
            ALTER TABLE t DROP COLUMN legacy;
            -- bluegreen:waive ban-drop-column
            ALTER TABLE t DROP COLUMN other;
            /* bluegreen:waive renaming-column: wrong rule */
            ALTER TABLE t DROP COLUMN third;
            -- bluegreen:waive transaction-nesting: cannot be waived
            COMMIT;
            """;

        var verdicts = SchemaLinter.LintText(sql, SqlDialect.PostgreSql);

        Assert.True(verdicts[0].SafeForExpand);
        Assert.Equal("nothing has read this column since 2.1", verdicts[0].Waivers.Single().Reason);
        Assert.False(verdicts[1].SafeForExpand);
        Assert.Contains(verdicts[1].UnwaivedRules, r => r.Id == "waiver-missing-reason");
        Assert.False(verdicts[2].SafeForExpand);
        Assert.Empty(verdicts[2].Waivers);
        Assert.False(verdicts[3].SafeForExpand);
    }

    [Fact]
    public void Lint_reads_a_folder_in_migration_order_and_reports_file_and_line()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V2__b.sql", "\n\nALTER TABLE t RENAME COLUMN a TO b;");
        folder.Write("expand/V1__a.sql", "CREATE TABLE t (a int);");

        var verdicts = SchemaLinter.Lint(folder.Path, SqlDialect.PostgreSql);

        Assert.Equal(2, verdicts.Count);
        Assert.EndsWith("V1__a.sql", verdicts[0].File, StringComparison.Ordinal);
        Assert.Equal(3, verdicts[1].Line);
        Assert.Equal("renaming-column", verdicts[1].Rules.Single().ToString());
        Assert.Equal("SchemaPathNotFound", Assert.Throws<SchemaMigrationException>(() => SchemaLinter.Lint(folder.Path + "-missing", SqlDialect.Sqlite)).ErrorId);
    }

    [Fact]
    public void SqlServer_waivers_are_read_from_the_comments_above_the_statement()
    {
        const string sql = "-- bluegreen:waive ban-drop-column: unused since 3.0\nALTER TABLE dbo.t DROP COLUMN c;\nGO\nALTER TABLE dbo.t DROP COLUMN d;";

        var verdicts = SchemaLinter.LintText(sql, SqlDialect.SqlServer);

        Assert.Equal(2, verdicts.Count);
        Assert.True(verdicts[0].SafeForExpand);
        Assert.False(verdicts[1].SafeForExpand);
        Assert.Equal(4, verdicts[1].Line);
    }
}
