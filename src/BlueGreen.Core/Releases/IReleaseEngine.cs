using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Releases;

/// <summary>
/// What runs a release: CodeDeploy for ECS here; ECS native and Lambda engines come behind the same interface.
/// Every <c>Plan*</c> method only reads; the others change things.
/// </summary>
public interface IReleaseEngine
{
    DeploymentEngine Kind { get; }

    /// <summary>Checks everything and works out what a release would do, changing nothing.</summary>
    Task<ReleasePlan> PlanAsync(ReleaseRequest request, CancellationToken cancellationToken);

    /// <summary>Starts the planned release (registers a task definition and a custom config when needed).</summary>
    Task<BlueGreenDeployment> StartAsync(ReleasePlan plan, CancellationToken cancellationToken);

    /// <summary>Reads a release in full (target, task definitions, endpoints, events, traffic).</summary>
    Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken);

    /// <summary>Reads what moves (status, events, traffic) with as few calls as possible, keeping the rest.</summary>
    Task<BlueGreenDeployment> RefreshAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken);

    /// <summary>The releases of a service, newest first (only the latest unless <paramref name="all"/>).</summary>
    Task<IReadOnlyList<BlueGreenDeployment>> GetForServiceAsync(string cluster, string service, bool all, CancellationToken cancellationToken);

    /// <summary>Lets production traffic start moving (the Ready wait ends).</summary>
    Task ContinueAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken);

    /// <summary>Ends the termination wait: blue is removed now.</summary>
    Task CompleteAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken);

    /// <summary>Checks and describes a change of a group's defaults: its traffic shift, its Ready wait (how long
    /// green waits with test traffic for the go-ahead; zero moves production traffic at once), or both.</summary>
    Task<string> PlanDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken);

    Task SetDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken);

    /// <summary>Works out how to put blue back: roll back in place, or release the previous task definition again.</summary>
    Task<UndoPlan> PlanUndoAsync(BlueGreenDeployment deployment, TrafficShiftPolicy? policy, CancellationToken cancellationToken);

    /// <summary>Does the undo; returns the deployment that puts blue back (the rollback, or the new release).</summary>
    Task<BlueGreenDeployment> UndoAsync(UndoPlan plan, CancellationToken cancellationToken);
}

/// <summary>What the caller asked for.</summary>
public sealed class ReleaseRequest
{
    public ReleaseRequest(string cluster, string service)
    {
        Cluster = cluster;
        Service = service;
    }

    public string Cluster { get; }

    public string Service { get; }

    /// <summary>An ARN or family:revision (or family for the latest).</summary>
    public string? TaskDefinition { get; set; }

    /// <summary>Container name to image; the empty name means "the only container".</summary>
    public IReadOnlyDictionary<string, string>? Images { get; set; }

    public string? ApplicationName { get; set; }

    public string? DeploymentGroupName { get; set; }

    public TrafficShiftPolicy? TrafficShift { get; set; }

    public IReadOnlyDictionary<string, string>? Hooks { get; set; }

    public string? Description { get; set; }

    /// <summary>Start without the deployment group's alarms: for an undo that releases a version known to work, which the
    /// alarm raised by the bad version would otherwise stop (CodeDeploy's overrideAlarmConfiguration).</summary>
    public bool WithoutAlarms { get; set; }
}

/// <summary>A checked release, ready to start: everything -WhatIf shows.</summary>
public sealed class ReleasePlan
{
    internal ReleasePlan(ReleaseRequest request) => Request = request;

    public ReleaseRequest Request { get; }

    public string ApplicationName { get; internal set; } = string.Empty;

    public string DeploymentGroupName { get; internal set; } = string.Empty;

    /// <summary>The task definition serving now (blue).</summary>
    public string BlueTaskDefinition { get; internal set; } = string.Empty;

    /// <summary>The task definition to release; null when a new revision is registered from <see cref="ImageChanges"/>.</summary>
    public string? GreenTaskDefinition { get; internal set; }

    /// <summary>Container to image, for the revision registered from blue's.</summary>
    public IReadOnlyDictionary<string, string> ImageChanges { get; internal set; } = new Dictionary<string, string>();

    public string ContainerName { get; internal set; } = string.Empty;

    public int ContainerPort { get; internal set; }

    public TrafficShiftPolicy Policy { get; internal set; } = TrafficShiftPolicy.AllAtOnce;

    /// <summary>The custom deployment configuration does not exist yet and is created first.</summary>
    public bool CreatesDeploymentConfig { get; internal set; }

    public string AppSpec { get; internal set; } = string.Empty;

    public IReadOnlyList<TimelineStep> Timeline { get; internal set; } = Array.Empty<TimelineStep>();

    public IReadOnlyList<string> Alarms { get; internal set; } = Array.Empty<string>();

    public bool AlarmsEnabled { get; internal set; }

    public IReadOnlyList<string> RollbackEvents { get; internal set; } = Array.Empty<string>();

    public bool AutoRollbackEnabled { get; internal set; }

    public int TerminationWaitMinutes { get; internal set; }

    /// <summary>Null when production traffic moves without a go-ahead.</summary>
    public int? ReadyWaitMinutes { get; internal set; }

    public string? TestEndpoint { get; internal set; }

    public string? ProductionEndpoint { get; internal set; }

    internal object? EngineState { get; set; }

    /// <summary>The plan as -WhatIf prints it.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        var green = GreenTaskDefinition ?? $"a new revision of {BlueTaskDefinition} with {string.Join(", ", ImageChanges.Select(p => (p.Key.Length == 0 ? ContainerName : p.Key) + "=" + p.Value))}";
        text.AppendLine($"Start a blue/green release of service '{Request.Service}' in cluster '{Request.Cluster}' through CodeDeploy application '{ApplicationName}', group '{DeploymentGroupName}'.");
        text.AppendLine($"  Blue (serving now): {BlueTaskDefinition}");
        text.AppendLine($"  Green:              {green}");
        text.AppendLine($"  Container:          {ContainerName}:{ContainerPort.ToString(CultureInfo.InvariantCulture)}");
        text.AppendLine($"  Traffic shift:      {Policy.DeploymentConfigName}{(CreatesDeploymentConfig ? " (custom configuration, created first)" : string.Empty)}");
        if (TestEndpoint is not null)
        {
            text.AppendLine($"  Test listener:      {TestEndpoint}");
        }

        text.AppendLine("  Timeline:");
        foreach (var step in Timeline)
        {
            text.AppendLine("    " + step);
        }

        text.AppendLine($"  Alarms:             {(Alarms.Count == 0 ? "none" : string.Join(", ", Alarms) + (AlarmsEnabled ? string.Empty : " (disabled)"))}");
        text.AppendLine($"  Rollback:           {(AutoRollbackEnabled && RollbackEvents.Count > 0 ? "automatic on " + string.Join(", ", RollbackEvents) : "no automatic rollback")}");
        text.AppendLine("  AppSpec:");
        foreach (var line in AppSpec.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal)))
        {
            text.AppendLine("    " + line);
        }

        return text.ToString().TrimEnd();
    }
}

public enum UndoKind
{
    /// <summary>Stop the release with rollback: traffic goes straight back to the blue tasks that still run.</summary>
    StopAndRollBack,

    /// <summary>Blue is gone: release the previous task definition again.</summary>
    RedeployPrevious,

    /// <summary>Nothing to do: the release was already rolled back.</summary>
    AlreadyRolledBack,
}

/// <summary>How an undo will put blue back.</summary>
public sealed class UndoPlan
{
    internal UndoPlan(BlueGreenDeployment deployment, UndoKind kind, string description)
    {
        Deployment = deployment;
        Kind = kind;
        Description = description;
    }

    public BlueGreenDeployment Deployment { get; }

    public UndoKind Kind { get; }

    /// <summary>What -WhatIf prints.</summary>
    public string Description { get; }

    /// <summary>For a redeploy: the release of the previous task definition.</summary>
    public ReleasePlan? Release { get; internal set; }
}
