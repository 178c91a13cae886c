using System.Management.Automation;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Gets a release by its deployment id.</summary>
[Cmdlet(VerbsCommon.Get, "BlueGreenDeployment", DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(BlueGreenDeployment))]
public sealed class GetBlueGreenDeploymentCommand : AwsCmdlet
{
    private const string ByIdSet = "ById";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DeploymentId")]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = null!;

    protected override void ProcessRecord()
    {
        var context = AwsContext;
        var catalog = new DeploymentCatalog(context);
        RunAsync(async cancellationToken =>
        {
            foreach (var id in Id)
            {
                var problem = DeploymentCatalog.ValidateDeploymentId(id);
                if (problem is not null)
                {
                    EmitError(ErrorRecords.Create(new PSArgumentException(problem, nameof(Id)), "InvalidDeploymentId", ErrorCategory.InvalidArgument, id,
                        "Pass the id that Start-BlueGreenDeployment returned, e.g. d-ABCDEF123."));
                    continue;
                }

                await GetOneAsync(catalog, id, cancellationToken).ConfigureAwait(false);
            }
        });
    }

    private async Task GetOneAsync(DeploymentCatalog catalog, string id, System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            Emit(await catalog.GetAsync(id, cancellationToken).ConfigureAwait(false));
        }
        catch (DeploymentNotFoundException ex)
        {
            EmitError(ErrorRecords.Create(ex, "DeploymentNotFound", ErrorCategory.ObjectNotFound, id,
                "Check the id, and that -Region (and -EndpointUrl) point where the release was started."));
        }
        catch (AwsServiceException ex)
        {
            EmitError(ErrorRecords.FromAws(ex, id));
        }
        catch (AwsConfigurationException ex)
        {
            // The credentials could not be fetched: every other id would fail the same way.
            OnPipelineThread(() => ThrowTerminatingError(ErrorRecords.FromConfiguration(ex)));
        }
    }
}
