using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Core.Trains;

/// <summary>Drives a train's targets through the release engines, each target in its own context (region, profile).</summary>
public sealed class EngineTrainDriver : ITrainDriver
{
    private readonly Func<TrainTarget, AwsContext> _contextFor;
    private readonly PollingPolicy _polling;

    public EngineTrainDriver(Func<TrainTarget, AwsContext> contextFor, PollingPolicy polling)
    {
        _contextFor = contextFor ?? throw new ArgumentNullException(nameof(contextFor));
        _polling = polling ?? throw new ArgumentNullException(nameof(polling));
    }

    /// <summary>Hears of every look at a target's release (for progress), on any thread.</summary>
    public Action<TrainTarget, BlueGreenDeployment>? OnLook { get; set; }

    /// <summary>Hears of transient failures ridden out.</summary>
    public Action<AwsServiceException, TimeSpan>? OnRetry { get; set; }

    /// <summary>Plans the target's release, changing nothing: the engine's own checks and plan.</summary>
    public async Task<ReleasePlan> PlanAsync(TrainTarget target, string trainId, CancellationToken cancellationToken)
    {
        var engine = await EngineAsync(target, cancellationToken).ConfigureAwait(false);
        return await engine.PlanAsync(target.ToRequest(trainId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<BlueGreenDeployment> StartAsync(TrainTarget target, string trainId, CancellationToken cancellationToken)
    {
        var engine = await EngineAsync(target, cancellationToken).ConfigureAwait(false);
        var plan = await engine.PlanAsync(target.ToRequest(trainId), cancellationToken).ConfigureAwait(false);
        return await engine.StartAsync(plan, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BlueGreenDeployment?> FindStartedAsync(TrainTarget target, string trainId, CancellationToken cancellationToken)
    {
        var engine = await EngineAsync(target, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<BlueGreenDeployment> latest;
        try
        {
            latest = await Read(token => engine.GetForTargetAsync(target.Target, false, CodeDeployGroupName.Of(target.ApplicationName, target.DeploymentGroupName), token), cancellationToken).ConfigureAwait(false);
        }
        catch (DeploymentNotFoundException)
        {
            return null;
        }

        return latest.FirstOrDefault(d => IsTrainRelease(d, target, trainId));
    }

    /// <summary>Whether a release is the one the train started on the target: it names the train, or releases the same green.</summary>
    public static bool IsTrainRelease(BlueGreenDeployment deployment, TrainTarget target, string trainId)
    {
        if (deployment is null || target is null)
        {
            return false;
        }

        if (deployment.Description is { } description && description.Contains(TrainTarget.TrainDescription(trainId, target.Key)))
        {
            return true;
        }

        var green = deployment.Green;
        var version = target.Version;
        if (green is null || version is null || deployment.IsRollback)
        {
            return false;
        }

        return string.Equals(green, version, StringComparison.Ordinal) || green.EndsWith("/" + version, StringComparison.Ordinal) ||
            (target.Target is EcsServiceTarget && !version.Contains(":") && green.Contains("/" + version + ":"));
    }

    public async Task<BlueGreenDeployment> WaitAsync(TrainTarget target, string deploymentId, CancellationToken cancellationToken)
    {
        var context = _contextFor(target);
        var engine = ReleaseEngines.ForDeployment(context, null, deploymentId);
        return await DeploymentWatcher.WaitAsync(engine, new BlueGreenDeployment(deploymentId), WaitTarget.Succeeded, null, _polling,
            (d, _) => OnLook?.Invoke(target, d), OnRetry, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BlueGreenDeployment> UndoAsync(TrainTarget target, string deploymentId, CancellationToken cancellationToken)
    {
        var context = _contextFor(target);
        var byId = ReleaseEngines.ForDeployment(context, null, deploymentId);
        var deployment = await Read(token => byId.GetAsync(deploymentId, token), cancellationToken).ConfigureAwait(false);
        var engine = ReleaseEngines.ForDeployment(context, deployment);
        return await UndoCoordinator.UndoNowAsync(engine, deployment,
            (d, until, token) => DeploymentWatcher.WaitAsync(engine, d, until, null, _polling, (x, _) => OnLook?.Invoke(target, x), OnRetry, token), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReleaseGate>> CheckAlarmsAsync(TrainWave wave, CancellationToken cancellationToken)
    {
        if (wave is null)
        {
            throw new ArgumentNullException(nameof(wave));
        }

        var gates = new List<ReleaseGate>();
        foreach (var target in wave.Targets.GroupBy(t => (t.Region, t.ProfileName, t.EndpointUrl)).Select(g => g.First()))
        {
            var context = _contextFor(target);
            var states = await Read(token => ReleaseAlarms.DescribeAsync(new CloudWatchClient(context), wave.Alarms, token), cancellationToken).ConfigureAwait(false);
            ReleaseAlarms.RequireFound(wave.Alarms, states.Keys, context.Region);
            foreach (var alarm in wave.Alarms)
            {
                var state = states[alarm];
                var verdict = state.StateValue == "ALARM" ? AnalysisVerdict.Fail : AnalysisVerdict.Pass;
                gates.Add(new ReleaseGate(ReleaseGateKind.Alarm, alarm, verdict, DateTimeOffset.UtcNow,
                    $"alarm '{alarm}' in {context.Region} is {state.StateValue}{(verdict == AnalysisVerdict.Fail ? ": " + state.StateReason : string.Empty)}"));
            }
        }

        return gates;
    }

    private async Task<IReleaseEngine> EngineAsync(TrainTarget target, CancellationToken cancellationToken)
    {
        var context = _contextFor(target);
        return await Read(token => ReleaseEngines.ForTargetAsync(context, target.Target, target.Controller, target.ApplicationName, token), cancellationToken).ConfigureAwait(false);
    }

    private Task<T> Read<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
        DeploymentWatcher.ReadAsync(read, _polling, OnRetry, null, cancellationToken);
}
