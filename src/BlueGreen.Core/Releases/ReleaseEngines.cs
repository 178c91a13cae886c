using System;
using BlueGreen.Aws.Configuration;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Releases;

/// <summary>Picks the engine for a target, so that cmdlets never choose between ECS and Lambda themselves.</summary>
public static class ReleaseEngines
{
    /// <summary>The engine of an ECS service. The CodeDeploy engine refuses services of another deployment controller
    /// with a clear error until the ECS-native engine joins.</summary>
    public static IReleaseEngine ForEcsService(AwsContext context) => new CodeDeployEcsEngine(context);

    /// <summary>The engine that runs a release already started.</summary>
    public static IReleaseEngine ForDeployment(AwsContext context, BlueGreenDeployment? deployment) => (deployment?.Engine ?? DeploymentEngine.CodeDeployEcs) switch
    {
        DeploymentEngine.CodeDeployEcs or DeploymentEngine.CodeDeployLambda => new CodeDeployEcsEngine(context),
        var other => throw new ReleaseException("EngineNotAvailable", ReleaseErrorKind.InvalidOperation, $"The {other} engine is not available in this version.", deployment?.DeploymentId),
    };
}
