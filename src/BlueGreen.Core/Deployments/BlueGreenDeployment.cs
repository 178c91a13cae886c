using System;
using System.Collections.Generic;
using System.Linq;

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

    private ReleaseTarget? _target;

    /// <summary>What the release changes (an ECS service, a Lambda alias), when known.</summary>
    public ReleaseTarget? Target
    {
        get => _target ?? (Cluster is not null && Service is not null ? new EcsServiceTarget(Cluster, Service)
            : FunctionName is not null && Alias is not null ? new LambdaAliasTarget(FunctionName, Alias) : null);
        set => _target = value;
    }

    /// <summary>The Lambda function released (for a Lambda alias release).</summary>
    public string? FunctionName { get; set; }

    /// <summary>The Lambda alias released: what callers invoke.</summary>
    public string? Alias { get; set; }

    /// <summary>The Lambda version that served before this release (blue).</summary>
    public string? BlueVersion { get; set; }

    /// <summary>The Lambda version this release puts up (green).</summary>
    public string? GreenVersion { get; set; }

    /// <summary>What serves before the release, whatever the target: a task definition or a Lambda version.</summary>
    public string? Blue => BlueTaskDefinition ?? BlueVersion;

    /// <summary>What the release puts up, whatever the target.</summary>
    public string? Green => GreenTaskDefinition ?? GreenVersion;

    /// <summary>The lifecycle hooks asked for, by lifecycle event (e.g. BeforeAllowTraffic) to the Lambda function that runs it.</summary>
    public System.Collections.Generic.IReadOnlyDictionary<string, string> Hooks { get; set; } = new System.Collections.Generic.Dictionary<string, string>();

    /// <summary>The ECS cluster of the service released.</summary>
    public string? Cluster { get; set; }

    /// <summary>The ECS service released.</summary>
    public string? Service { get; set; }

    /// <summary>How production traffic moves (the CodeDeploy deployment configuration).</summary>
    public string? TrafficShift { get; set; }

    /// <summary>The task definition that served before this release (blue).</summary>
    public string? BlueTaskDefinition { get; set; }

    /// <summary>The task definition this release puts up (green).</summary>
    public string? GreenTaskDefinition { get; set; }

    /// <summary>The ARN of the target group blue's tasks serve in (ECS), once an analysis has looked it up.</summary>
    public string? BlueTargetGroup { get; set; }

    /// <summary>The ARN of the target group green's tasks serve in (ECS), once an analysis has looked it up.</summary>
    public string? GreenTargetGroup { get; set; }

    /// <summary>The green share of production traffic, 0 to 100.</summary>
    public double GreenTrafficPercent { get; set; }

    /// <summary>Whether blue's tasks still exist (an undo can then put traffic straight back).</summary>
    public bool BlueExists { get; set; }

    /// <summary>The release succeeded and blue is gone: the old version cannot take traffic again, so the
    /// schema's contract phase may run (Invoke-SchemaMigration reads this by property name).</summary>
    public bool BlueGone => Status == DeploymentStatus.Succeeded && !BlueExists;

    /// <summary>When production traffic finished moving to green (the end of AllowTraffic), if it has.</summary>
    public DateTimeOffset? SwitchedAt
    {
        get
        {
            foreach (var lifecycleEvent in LifecycleEvents)
            {
                if (lifecycleEvent.Name == "AllowTraffic" && lifecycleEvent.Status == "Succeeded" && lifecycleEvent.EndTime is { } end)
                {
                    return new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc));
                }
            }

            return null;
        }
    }

    /// <summary>The URL of the test listener, which reaches green once test traffic is allowed.</summary>
    public string? TestEndpoint { get; set; }

    /// <summary>The URL of the production listener.</summary>
    public string? ProductionEndpoint { get; set; }

    /// <summary>The lifecycle event now running (or the last one reached).</summary>
    public string? Phase { get; set; }

    /// <summary>The lifecycle events with their status and times (simulated times on the sandbox).</summary>
    public IReadOnlyList<DeploymentLifecycleEvent> LifecycleEvents { get; set; } = Array.Empty<DeploymentLifecycleEvent>();

    public DateTime? StartTime { get; set; }

    /// <summary>Whether the release stops at Ready until Set-TrafficShift -Continue (its group's Ready wait); null when not known.</summary>
    public bool? WaitsAtReady { get; set; }

    /// <summary>Blue is kept while the termination wait runs.</summary>
    public bool TerminationWaitStarted { get; set; }

    /// <summary>The deployment that rolled this one back, if any.</summary>
    public string? RollbackDeploymentId { get; set; }

    /// <summary>For a rollback deployment: the release it rolls back.</summary>
    public string? RollbackTriggeringDeploymentId { get; set; }

    public string? RollbackMessage { get; set; }

    /// <summary>This release was rolled back (see <see cref="RollbackDeploymentId"/>).</summary>
    public bool RolledBack => RollbackDeploymentId is not null;

    /// <summary>This deployment is itself a rollback of another.</summary>
    public bool IsRollback => RollbackTriggeringDeploymentId is not null || string.Equals(Creator, "codeDeployRollback", StringComparison.Ordinal);

    /// <summary>The engine's target id (e.g. <c>cluster:service</c>), used to read traffic and events.</summary>
    public string? TargetId { get; set; }

    /// <summary>What the last read could not get (an optional call that failed), with why; empty when it read everything.</summary>
    public IReadOnlyList<ReadGap> ReadGaps { get; set; } = Array.Empty<ReadGap>();

    /// <summary>What judged the release, in time order: smoke tests, analysis intervals, alarms (kept by the session that saw them).</summary>
    public IReadOnlyList<ReleaseGate> Gates { get; set; } = Array.Empty<ReleaseGate>();

    /// <summary>The production split each read of this session saw, in time order (what a report draws as observed traffic).</summary>
    public IReadOnlyList<TrafficObservation> TrafficHistory { get; set; } = Array.Empty<TrafficObservation>();

    /// <summary>A text bar of the production split: blue as '-', green as '#'.</summary>
    public string TrafficBar
    {
        get
        {
            var green = (int)Math.Round(Math.Max(0, Math.Min(100, GreenTrafficPercent)) / 5);
            return "[" + new string('-', 20 - green) + new string('#', green) + "]";
        }
    }

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
