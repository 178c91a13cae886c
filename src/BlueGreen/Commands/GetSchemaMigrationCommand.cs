using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BlueGreen.Completion;
using BlueGreen.Core.Schema;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Reads a database's migration history, or its schema releases with their state.</summary>
[Cmdlet(VerbsCommon.Get, "SchemaMigration", DefaultParameterSetName = HistorySet, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Get-SchemaMigration.md")]
[OutputType(typeof(AppliedMigration), ParameterSetName = new[] { HistorySet })]
[OutputType(typeof(SchemaRelease), ParameterSetName = new[] { ReleaseSet })]
public sealed class GetSchemaMigrationCommand : AsyncCmdlet
{
    private const string HistorySet = "History";
    private const string ReleaseSet = "Release";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = null!;

    [Parameter(Mandatory = true)]
    public SqlDialect Dialect { get; set; }

    /// <summary>Only what belongs to this release.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ReleaseId { get; set; }

    /// <summary>Only what belongs to the release of this deployment.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentIdCompleter))]
    public string? DeploymentId { get; set; }

    /// <summary>Writes the releases (planned, expanded, switched, contracted, abandoned) instead of the history.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReleaseSet)]
    public SwitchParameter Release { get; set; }

    protected override void ProcessRecord()
    {
        if (!SchemaSupport.CanOpenDatabases)
        {
            ThrowTerminatingError(SchemaSupport.RuntimeNotSupported(MyInvocation.MyCommand.Name));
        }

        ErrorRecord? failure = null;
        RunAsync(async cancellationToken =>
        {
            try
            {
                using ISchemaDatabase database = await SchemaSupport.OpenAsync(Dialect, ConnectionString, cancellationToken).ConfigureAwait(false);
                IReadOnlyList<SchemaRelease> releases = await database.GetReleasesAsync(cancellationToken).ConfigureAwait(false);
                IEnumerable<SchemaRelease> wanted = releases.Where(r =>
                    (ReleaseId is null || r.ReleaseId == ReleaseId) && (DeploymentId is null || r.DeploymentId == DeploymentId));
                if (Release.IsPresent)
                {
                    foreach (SchemaRelease release in wanted)
                    {
                        Emit(release);
                    }

                    return;
                }

                var releaseIds = new HashSet<string>(wanted.Select(r => r.ReleaseId), StringComparer.Ordinal);
                bool filtered = ReleaseId is not null || DeploymentId is not null;
                foreach (AppliedMigration row in await database.GetHistoryAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (!filtered || (row.ReleaseId is not null && releaseIds.Contains(row.ReleaseId)) || (DeploymentId is null && row.ReleaseId == ReleaseId))
                    {
                        Emit(row);
                    }
                }
            }
            catch (SchemaMigrationException ex)
            {
                failure = SchemaSupport.FromSchema(ex, Dialect);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failure = SchemaSupport.FromUnexpected(ex, ConnectionString, Dialect);
            }
        });

        if (failure is not null)
        {
            ThrowTerminatingError(failure);
        }
    }
}
