using System;

namespace BlueGreen.Core.Deployments;

/// <summary>
/// One release, whatever engine runs it: what the cmdlets write and take from the pipeline.
/// Carries where it lives (region, endpoint, profile name) so that piping it on needs no AWS parameters
/// again; never a secret.
/// </summary>
public sealed class BlueGreenDeployment
{
    public BlueGreenDeployment(string deploymentId)
    {
        DeploymentId = deploymentId ?? throw new ArgumentNullException(nameof(deploymentId));
    }

    public string DeploymentId { get; }

    public DeploymentEngine Engine { get; set; }

    public string? ApplicationName { get; set; }

    public string? DeploymentGroupName { get; set; }

    /// <summary>The release's state in BlueGreen's terms.</summary>
    public DeploymentStatus Status { get; set; }

    /// <summary>The state exactly as the engine reports it (e.g. CodeDeploy's <c>Queued</c>).</summary>
    public string? EngineStatus { get; set; }

    public DateTime? CreateTime { get; set; }

    public DateTime? CompleteTime { get; set; }

    /// <summary>Who started it: <c>user</c>, <c>autoscaling</c>, <c>codeDeployRollback</c>, ...</summary>
    public string? Creator { get; set; }

    public string? Description { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public string Region { get; set; } = string.Empty;

    /// <summary>The endpoint it was reached through, when not the AWS default.</summary>
    public string? EndpointUrl { get; set; }

    /// <summary>The AWS profile it was reached with, if any.</summary>
    public string? ProfileName { get; set; }

    public bool IsComplete => Status is DeploymentStatus.Succeeded or DeploymentStatus.Failed or DeploymentStatus.Stopped;

    public override string ToString() => $"{DeploymentId} ({Status})";
}

/// <summary>The engine that moves a release's traffic.</summary>
public enum DeploymentEngine
{
    CodeDeployEcs,
    EcsNative,
    CodeDeployLambda,
    LambdaDirect,
}

/// <summary>A release's state, the same for every engine.</summary>
public enum DeploymentStatus
{
    /// <summary>Accepted, not started (CodeDeploy <c>Created</c> or <c>Queued</c>).</summary>
    Created,

    InProgress,

    /// <summary>Green is up with test traffic, waiting for the go-ahead to take production traffic.</summary>
    Ready,

    /// <summary>Traffic is shifted; blue is kept until the bake/termination wait ends.</summary>
    Baking,

    Succeeded,

    Failed,

    Stopped,
}
