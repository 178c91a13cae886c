using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases.CodeDeploy;
using BlueGreen.Core.Releases.Ecs;
using Xunit;
using EcsModel = BlueGreen.Aws.ECS.Model;

namespace BlueGreen.Tests.Releases;

/// <summary>History rows carry no lifecycle events: a finished release's phase comes from its record alone.</summary>
public sealed class FinishedPhaseTests
{
    [Theory]
    [InlineData("Succeeded", null, "Complete")]
    [InlineData("Succeeded", "d-ROLLBACK1", "Complete")]
    [InlineData("Failed", "d-ROLLBACK1", "RolledBack")]
    [InlineData("Stopped", "d-ROLLBACK1", "RolledBack")]
    [InlineData("Stopped", null, "Stopped")]
    [InlineData("Failed", null, "Failed")]
    [InlineData("InProgress", null, null)]
    [InlineData("Ready", null, null)]
    [InlineData("Queued", null, null)]
    public void CodeDeployRecord_StatusAndRollback_GiveThePhase(string codeDeployStatus, string? rollbackDeploymentId, string? expected)
    {
        var deployment = new BlueGreenDeployment("d-ABCDEFGHI") { Status = CodeDeployDeployments.MapStatus(codeDeployStatus), RollbackDeploymentId = rollbackDeploymentId };

        Assert.Equal(expected, FinishedPhase.Of(deployment.Status, deployment.RolledBack));
        Assert.Equal(expected is not null, FinishedPhase.IsFinished(deployment.Status));
    }

    [Theory]
    [InlineData("SUCCESSFUL", null, false, "Complete")]
    [InlineData("SUCCESSFUL", "CLEAN_UP", false, "CLEAN_UP")]
    [InlineData("STOPPED", null, false, "Stopped")]
    [InlineData("ROLLBACK_SUCCESSFUL", null, false, "RolledBack")]
    [InlineData("ROLLBACK_SUCCESSFUL", null, true, "Complete")]
    [InlineData("ROLLBACK_FAILED", null, true, "Failed")]
    public void EcsServiceDeployment_WithoutAStage_StillHasAPhase(string status, string? stage, bool asRollback, string expected)
    {
        var sd = new EcsModel.ServiceDeployment
        {
            ServiceDeploymentArn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/sandbox/api/Kx2v9WmQnR4aT7bYcZ1dE",
            ServiceArn = "arn:aws:ecs:us-east-1:123456789012:service/sandbox/api",
            Status = status,
            LifecycleStage = stage,
        };

        Assert.Equal(expected, EcsNativeMapping.Read(sd, asRollback).Phase);
    }
}
