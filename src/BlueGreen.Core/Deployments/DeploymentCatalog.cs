using System;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;
using CodeDeployStatus = BlueGreen.Aws.CodeDeploy.Model.DeploymentStatus;

namespace BlueGreen.Core.Deployments;

/// <summary>Finds releases by id and reads their state.</summary>
public sealed class DeploymentCatalog
{
    private readonly AwsContext _context;
    private readonly CodeDeployClient _codeDeploy;

    public DeploymentCatalog(AwsContext context)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _codeDeploy = new CodeDeployClient(context);
    }

    /// <summary>Checks the shape of an id before anything is sent. Both AWS's <c>d-XXXXXXXXX</c> and the
    /// UUIDs of emulators are accepted.</summary>
    public static string? ValidateDeploymentId(string? deploymentId)
    {
        if (string.IsNullOrWhiteSpace(deploymentId))
        {
            return "The deployment id is empty.";
        }

        foreach (var c in deploymentId!)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return $"The deployment id '{deploymentId.Trim()}' contains white space.";
            }
        }

        return deploymentId.Length > 128 ? "The deployment id is longer than any AWS deployment id." : null;
    }

    public async Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken)
    {
        GetDeploymentResponse response;
        try
        {
            response = await _codeDeploy.GetDeploymentAsync(new GetDeploymentRequest { DeploymentId = deploymentId }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is CodeDeployErrorCode.DeploymentDoesNotExistException or CodeDeployErrorCode.InvalidDeploymentIdException)
        {
            throw new DeploymentNotFoundException(deploymentId, _context.Region, ex);
        }

        var info = response.DeploymentInfo ?? throw new DeploymentNotFoundException(deploymentId, _context.Region);
        return FromCodeDeploy(info);
    }

    private BlueGreenDeployment FromCodeDeploy(DeploymentInfo info) => new(info.DeploymentId ?? string.Empty)
    {
        Engine = info.ComputePlatform == ComputePlatform.Lambda ? DeploymentEngine.CodeDeployLambda : DeploymentEngine.CodeDeployEcs,
        ApplicationName = info.ApplicationName,
        DeploymentGroupName = info.DeploymentGroupName,
        Status = MapStatus(info.Status),
        EngineStatus = info.Status,
        CreateTime = info.CreateTime,
        CompleteTime = info.CompleteTime,
        Creator = info.Creator,
        Description = info.Description,
        ErrorCode = info.ErrorInformation?.Code,
        ErrorMessage = info.ErrorInformation?.Message,
        Region = _context.Region,
        EndpointUrl = _context.EndpointUrl,
        ProfileName = _context.ProfileName,
    };

    internal static DeploymentStatus MapStatus(string? status) => status switch
    {
        CodeDeployStatus.Created or CodeDeployStatus.Queued or null => DeploymentStatus.Created,
        CodeDeployStatus.InProgress => DeploymentStatus.InProgress,
        CodeDeployStatus.Ready => DeploymentStatus.Ready,
        CodeDeployStatus.Baking => DeploymentStatus.Baking,
        CodeDeployStatus.Succeeded => DeploymentStatus.Succeeded,
        CodeDeployStatus.Failed => DeploymentStatus.Failed,
        CodeDeployStatus.Stopped => DeploymentStatus.Stopped,
        _ => DeploymentStatus.InProgress,
    };
}
