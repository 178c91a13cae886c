using System;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases.CodeDeploy;
using BlueGreen.Core.Releases.Ecs;

namespace BlueGreen.Core.Releases;

/// <summary>Picks the engine for a target or a release, so that cmdlets never choose between targets or controllers themselves.</summary>
public static class ReleaseEngines
{
    /// <summary>The engine that releases <paramref name="target"/> under <paramref name="controller"/>. Only reads: an ECS
    /// service's controller when it is left to choose (the service read is handed to the engine, which does not read it again),
    /// whether a CodeDeploy group releases a Lambda alias.</summary>
    public static async Task<IReleaseEngine> ForTargetAsync(AwsContext context, ReleaseTarget target, ReleaseController controller, string? applicationName, CancellationToken cancellationToken)
    {
        if (target is null)
        {
            throw new ArgumentNullException(nameof(target));
        }

        switch (target)
        {
            case EcsServiceTarget when controller is ReleaseController.CodeDeploy:
                return new CodeDeployEcsEngine(context);
            case EcsServiceTarget service when controller is ReleaseController.Auto or ReleaseController.Service:
                return await ForServiceAsync(context, service, controller, cancellationToken).ConfigureAwait(false);
            case LambdaAliasTarget when controller is ReleaseController.CodeDeploy:
                return new CodeDeployLambdaEngine(context);
            case LambdaAliasTarget alias when controller is ReleaseController.Auto:
                // CodeDeploy when a group is named or found to release the alias; the module itself otherwise.
                var codeDeploy = new CodeDeployLambdaEngine(context);
                return applicationName is not null || await codeDeploy.FindGroupAsync(alias, cancellationToken).ConfigureAwait(false) is not null
                    ? codeDeploy
                    : LambdaDirect(context);
            case LambdaAliasTarget when controller is ReleaseController.Module:
                return LambdaDirect(context);
            default:
                throw NotAvailable(controller, target);
        }
    }

    /// <summary>CODE_DEPLOY services go to CodeDeploy, ECS services with a blue/green load balancer to ECS's own deployments;
    /// any other service is refused before anything changes, saying what it needs.</summary>
    private static async Task<IReleaseEngine> ForServiceAsync(AwsContext context, EcsServiceTarget target, ReleaseController controller, CancellationToken cancellationToken)
    {
        var services = new EcsServices(context);
        var service = await services.DescribeServiceAsync(target.Cluster, target.Service, cancellationToken).ConfigureAwait(false);
        var type = service.DeploymentController?.Type ?? "ECS";
        if (type == "CODE_DEPLOY" && controller == ReleaseController.Auto)
        {
            return new CodeDeployEcsEngine(context).WithService(service);
        }

        if (type == "CODE_DEPLOY")
        {
            throw new ReleaseException("NotSupportedByEngine", ReleaseErrorKind.InvalidArgument,
                $"The {target.DisplayName} is deployed by CodeDeploy (controller CODE_DEPLOY), not by ECS itself.", target.Key,
                "Leave out -Controller, or give -Controller CodeDeploy.");
        }

        if (EcsNativeEngine.Unfit(service) is { } why)
        {
            throw EcsNativeEngine.NotBlueGreen(target, why);
        }

        return new EcsNativeEngine(context).WithService(service);
    }

    /// <summary>The engine that keeps a CodeDeploy group's defaults, whatever its compute platform.</summary>
    public static IGroupDefaults ForGroupDefaults(AwsContext context) => new CodeDeployEngine(context);

    /// <summary>The engine that runs a release already started, from the release (its engine) or else the form of its id.
    /// A bare CodeDeploy id goes to an engine that learns the platform from its first read.</summary>
    public static IReleaseEngine ForDeployment(AwsContext context, BlueGreenDeployment? deployment, string? deploymentId = null)
    {
        var engine = deployment?.Engine ?? ReleaseIds.EngineOf(deploymentId);
        return engine switch
        {
            DeploymentEngine.CodeDeployEcs when deployment is null => new CodeDeployEngine(context),
            DeploymentEngine.CodeDeployEcs => new CodeDeployEcsEngine(context),
            DeploymentEngine.CodeDeployLambda => new CodeDeployLambdaEngine(context),
            DeploymentEngine.LambdaDirect => LambdaDirect(context),
            DeploymentEngine.EcsNative => new EcsNativeEngine(context),
            var other => throw new ReleaseException("EngineNotAvailable", ReleaseErrorKind.InvalidOperation, $"The {other} engine is not available in this version.", deployment?.DeploymentId ?? deploymentId),
        };
    }

    /// <summary>The module-driven engine for Lambda aliases that no CodeDeploy group releases.</summary>
    private static Lambda.LambdaDirectEngine LambdaDirect(AwsContext context) => new(context);

    private static ReleaseException NotAvailable(ReleaseController controller, ReleaseTarget target) =>
        new("NotSupportedByEngine", ReleaseErrorKind.InvalidArgument,
            $"No engine releases {target.DisplayName} with controller {controller}.", target.Key,
            "Leave out -Controller to let the module choose, or see 'Get-Help Start-BlueGreenDeployment -Parameter Controller'.");
}

/// <summary>The forms of release ids: CodeDeploy's <c>d-XXXXXXXXX</c> (or an emulator's UUID), an ECS service deployment's
/// ARN (<c>arn:aws:ecs:region:account:service-deployment/cluster/service/id</c>), and
/// <c>lambda:&lt;function&gt;:&lt;alias&gt;:&lt;token&gt;</c> for releases the module drives itself.</summary>
public static class ReleaseIds
{
    public const string LambdaPrefix = "lambda:";

    /// <summary>The engine an id belongs to, by its form alone.</summary>
    public static DeploymentEngine EngineOf(string? deploymentId) =>
        deploymentId is not null && deploymentId.StartsWith(LambdaPrefix, StringComparison.Ordinal) ? DeploymentEngine.LambdaDirect
        : IsServiceDeployment(deploymentId) ? DeploymentEngine.EcsNative
        : DeploymentEngine.CodeDeployEcs;

    /// <summary>Whether an id is an ECS service deployment's ARN (or the view of its rollback, the ARN with <c>#rollback</c>).</summary>
    public static bool IsServiceDeployment(string? deploymentId) => EcsNativeMapping.IsServiceDeploymentArn(deploymentId);

    /// <summary>The id of a module-driven Lambda release.</summary>
    public static string ForLambda(string functionName, string alias, string token) => $"{LambdaPrefix}{functionName}:{alias}:{token}";

    /// <summary>Splits a module-driven Lambda release id; false when it is not one.</summary>
    public static bool TryParseLambda(string? deploymentId, out string functionName, out string alias, out string token)
    {
        functionName = alias = token = string.Empty;
        if (deploymentId is null || !deploymentId.StartsWith(LambdaPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = deploymentId.Substring(LambdaPrefix.Length).Split(':');
        if (parts.Length != 3 || Array.Exists(parts, p => p.Length == 0))
        {
            return false;
        }

        (functionName, alias, token) = (parts[0], parts[1], parts[2]);
        return true;
    }
}
