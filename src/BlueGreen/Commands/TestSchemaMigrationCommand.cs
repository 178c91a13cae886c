using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using BlueGreen.Core.Schema;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Lints migration scripts without a database: one verdict per statement.</summary>
[Cmdlet(VerbsDiagnostic.Test, "SchemaMigration", HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Test-SchemaMigration.md")]
[OutputType(typeof(StatementVerdict))]
public sealed class TestSchemaMigrationCommand : AsyncCmdlet
{
    /// <summary>A .sql file, or a folder whose .sql files (at any depth) are linted in migration order.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1)]
    public SqlDialect Dialect { get; set; }

    /// <summary>The PostgreSQL major version the scripts will run on (before 11 every column default rewrites the table).</summary>
    [Parameter]
    [ValidateRange(9, 99)]
    public int PostgresVersion { get; set; } = 15;

    protected override void ProcessRecord()
    {
        var options = new LintOptions { PostgreSqlMajorVersion = PostgresVersion };
        foreach (string path in Path)
        {
            string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            IReadOnlyList<StatementVerdict> verdicts;
            try
            {
                verdicts = SchemaLinter.Lint(resolved, Dialect, options);
            }
            catch (SchemaMigrationException ex)
            {
                WriteError(SchemaSupport.FromSchema(ex, path));
                continue;
            }
            catch (IOException ex)
            {
                WriteError(ErrorRecords.Create(ex, "SchemaPathUnreadable", ErrorCategory.ReadError, path));
                continue;
            }
            catch (System.UnauthorizedAccessException ex)
            {
                WriteError(ErrorRecords.Create(ex, "SchemaPathUnreadable", ErrorCategory.PermissionDenied, path));
                continue;
            }

            foreach (StatementVerdict verdict in verdicts)
            {
                WriteObject(verdict);
            }
        }
    }
}
