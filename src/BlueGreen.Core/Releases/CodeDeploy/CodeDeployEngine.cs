using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Releases.CodeDeploy;

/// <summary>
/// CodeDeploy whatever the compute platform, for a release known only by its id (or a group known only by its name):
/// the deployment (or group) is read once and handed, read, to the engine of its platform, so finding the platform
/// costs no call. Every engine here shares one <see cref="CodeDeployDeployments"/> and its group cache.
/// </summary>
public sealed class CodeDeployEngine : IReleaseEngine, IGroupDefaults
{
    private readonly CodeDeployDeployments _deployments;
    private CodeDeployEcsEngine? _ecs;
    private CodeDeployLambdaEngine? _lambda;

    public CodeDeployEngine(AwsContext context) => _deployments = new CodeDeployDeployments(context ?? throw new ArgumentNullException(nameof(context)));

    public CodeDeployEcsEngine Ecs => _ecs ??= new CodeDeployEcsEngine(_deployments);

    public CodeDeployLambdaEngine Lambda => _lambda ??= new CodeDeployLambdaEngine(_deployments);

    /// <summary>ECS until a release says otherwise (the platform of a bare id is not known before it is read).</summary>
    public DeploymentEngine Kind => DeploymentEngine.CodeDeployEcs;

    public EngineCapabilities Capabilities => Ecs.Capabilities;

    private IReleaseEngine For(BlueGreenDeployment deployment) =>
        deployment?.Engine == DeploymentEngine.CodeDeployLambda ? Lambda : Ecs;

    public Task<ReleasePlan> PlanAsync(ReleaseRequest request, CancellationToken cancellationToken) =>
        request?.Target is LambdaAliasTarget ? Lambda.PlanAsync(request, cancellationToken) : Ecs.PlanAsync(request!, cancellationToken);

    public Task<BlueGreenDeployment> StartAsync(ReleasePlan plan, CancellationToken cancellationToken) =>
        plan?.Engine == DeploymentEngine.CodeDeployLambda ? Lambda.StartAsync(plan, cancellationToken) : Ecs.StartAsync(plan!, cancellationToken);

    public async Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var info = await _deployments.GetInfoAsync(deploymentId, cancellationToken).ConfigureAwait(false);
        return IsLambda(info)
            ? await Lambda.GetAsync(info, cancellationToken).ConfigureAwait(false)
            : await Ecs.GetAsync(info, cancellationToken).ConfigureAwait(false);
    }

    public Task<BlueGreenDeployment> RefreshAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        // Not read in full yet: its platform is learned from the read.
        return deployment.TargetId is null ? GetAsync(deployment.DeploymentId, cancellationToken) : For(deployment).RefreshAsync(deployment, cancellationToken);
    }

    public Task<IReadOnlyList<BlueGreenDeployment>> GetForTargetAsync(ReleaseTarget target, bool all, CodeDeployGroupName? group, CancellationToken cancellationToken) =>
        target is LambdaAliasTarget ? Lambda.GetForTargetAsync(target, all, group, cancellationToken) : Ecs.GetForTargetAsync(target, all, group, cancellationToken);

    public Task ContinueAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) => For(deployment).ContinueAsync(deployment, cancellationToken);

    public Task CompleteAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken) => For(deployment).CompleteAsync(deployment, cancellationToken);

    public async Task<UndoPlan> PlanUndoAsync(BlueGreenDeployment deployment, TrafficShiftPolicy? policy, CancellationToken cancellationToken)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        // Both engines read the release in full first: that read is made once, here, and tells the platform.
        var info = await _deployments.GetInfoAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        return IsLambda(info)
            ? await Lambda.PlanUndoOfAsync(await Lambda.GetAsync(info, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            : await Ecs.PlanUndoOfAsync(await Ecs.GetAsync(info, cancellationToken).ConfigureAwait(false), policy, cancellationToken).ConfigureAwait(false);
    }

    public Task<BlueGreenDeployment> UndoAsync(UndoPlan plan, CancellationToken cancellationToken) =>
        plan?.Deployment.Engine == DeploymentEngine.CodeDeployLambda ? Lambda.UndoAsync(plan, cancellationToken) : Ecs.UndoAsync(plan!, cancellationToken);

    public async Task<string> PlanDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken) =>
        await (await DefaultsForAsync(applicationName, deploymentGroupName, cancellationToken).ConfigureAwait(false))
            .PlanDefaultTrafficShiftAsync(applicationName, deploymentGroupName, policy, readyWait, cancellationToken).ConfigureAwait(false);

    public async Task SetDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken) =>
        await (await DefaultsForAsync(applicationName, deploymentGroupName, cancellationToken).ConfigureAwait(false))
            .SetDefaultTrafficShiftAsync(applicationName, deploymentGroupName, policy, readyWait, cancellationToken).ConfigureAwait(false);

    // The group is read (and cached for the engine that then reads it again) to learn its platform.
    private async Task<IGroupDefaults> DefaultsForAsync(string applicationName, string deploymentGroupName, CancellationToken cancellationToken)
    {
        var group = await _deployments.GetGroupAsync(applicationName, deploymentGroupName, cancellationToken).ConfigureAwait(false);
        return group.ComputePlatform == ComputePlatform.Lambda ? Lambda : Ecs;
    }

    private static bool IsLambda(DeploymentInfo info) => info.ComputePlatform == ComputePlatform.Lambda;
}
