using System;

namespace BlueGreen.Core.Deployments;

/// <summary>No release with that id exists where we looked (region and endpoint).</summary>
public sealed class DeploymentNotFoundException : Exception
{
    public DeploymentNotFoundException(string deploymentId, string region, Exception? innerException = null)
        : base($"No deployment '{deploymentId}' exists in {region}.", innerException)
    {
        DeploymentId = deploymentId;
        Region = region;
    }

    public DeploymentNotFoundException()
        : this(string.Empty, string.Empty)
    {
    }

    public DeploymentNotFoundException(string message)
        : base(message)
    {
        DeploymentId = string.Empty;
        Region = string.Empty;
    }

    public DeploymentNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        DeploymentId = string.Empty;
        Region = string.Empty;
    }

    public string DeploymentId { get; }

    public string Region { get; }
}
