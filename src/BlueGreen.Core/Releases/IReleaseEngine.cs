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
/// What runs a release of one kind of target under one controller: CodeDeploy for ECS services and Lambda aliases,
/// the module itself for Lambda aliases no CodeDeploy group releases. Cmdlets speak only this interface, check
/// <see cref="Capabilities"/> before asking for something an engine may lack, and never branch on the target kind.
/// Every <c>Plan*</c> method only reads; the others change things.
/// </summary>
public interface IReleaseEngine
{
    DeploymentEngine Kind { get; }

    /// <summary>What this engine can do beyond start, read and undo.</summary>
    EngineCapabilities Capabilities { get; }

    /// <summary>Checks everything and works out what a release would do, changing nothing.</summary>
    Task<ReleasePlan> PlanAsync(ReleaseRequest request, CancellationToken cancellationToken);

    /// <summary>Starts the planned release (registers or publishes green, creates a custom config, when the plan says so).</summary>
    Task<BlueGreenDeployment> StartAsync(ReleasePlan plan, CancellationToken cancellationToken);

    /// <summary>Reads a release in full (target, versions, endpoints, events, traffic).</summary>
    Task<BlueGreenDeployment> GetAsync(string deploymentId, CancellationToken cancellationToken);

    /// <summary>Reads what moves (status, events, traffic) with as few calls as possible, keeping the rest. An engine whose
    /// controller is the module itself also takes the release's next due step here, so whoever watches drives it.</summary>
    Task<BlueGreenDeployment> RefreshAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken);

    /// <summary>The releases of a target, newest first (only the latest unless <paramref name="all"/>). A CodeDeploy engine reads
    /// the <paramref name="group"/> it is given instead of looking through the region's groups for the one that owns the target;
    /// engines without deployment groups take null.</summary>
    Task<IReadOnlyList<BlueGreenDeployment>> GetForTargetAsync(ReleaseTarget target, bool all, CodeDeployGroupName? group, CancellationToken cancellationToken);

    /// <summary>Lets production traffic start moving (the Ready wait ends).</summary>
    Task ContinueAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken);

    /// <summary>Ends the wait after traffic moved: blue is removed (or the release is marked done) now.</summary>
    Task CompleteAsync(BlueGreenDeployment deployment, CancellationToken cancellationToken);

    /// <summary>Works out how to put blue back: roll back in place, or release the previous version again.</summary>
    Task<UndoPlan> PlanUndoAsync(BlueGreenDeployment deployment, TrafficShiftPolicy? policy, CancellationToken cancellationToken);

    /// <summary>Does the undo; returns the deployment that puts blue back (the rollback, or the new release).</summary>
    Task<BlueGreenDeployment> UndoAsync(UndoPlan plan, CancellationToken cancellationToken);
}

/// <summary>The CodeDeploy application, and maybe its deployment group, that release a target, as the caller names them.</summary>
public sealed record CodeDeployGroupName(string ApplicationName, string? DeploymentGroupName)
{
    /// <summary>Null when no application is named: then the group is looked for.</summary>
    public static CodeDeployGroupName? Of(string? applicationName, string? deploymentGroupName) =>
        applicationName is null ? null : new CodeDeployGroupName(applicationName, deploymentGroupName);
}

/// <summary>What an engine can do; cmdlets check these and raise one <c>NotSupportedByEngine</c> error otherwise.</summary>
[Flags]
public enum EngineCapabilities
{
    None = 0,

    /// <summary>Green gets test traffic (a test listener) before production traffic.</summary>
    TestTraffic = 1,

    /// <summary>A release can wait at Ready for <see cref="IReleaseEngine.ContinueAsync"/>.</summary>
    ReadyGate = 2,

    /// <summary>Blue is kept after the switch until <see cref="IReleaseEngine.CompleteAsync"/> or a wait ends.</summary>
    TerminationWait = 4,

    /// <summary>The controller rolls back by itself (on alarms, failures) without anyone watching.</summary>
    ServerSideRollback = 8,

    /// <summary>Any percent and interval, not only predefined shifts.</summary>
    CustomShifts = 16,

    /// <summary>Lifecycle hooks (Lambda functions run at BeforeAllowTraffic, AfterAllowTraffic, ...).</summary>
    Hooks = 32,

    /// <summary>The green share can be set by hand (<see cref="ITrafficWeights"/>).</summary>
    ManualWeights = 64,

    /// <summary>The target's defaults (traffic shift, Ready wait) can be changed (<see cref="IGroupDefaults"/>).</summary>
    GroupDefaults = 128,
}

/// <summary>Engines whose controller keeps per-target defaults (a CodeDeploy deployment group).</summary>
public interface IGroupDefaults
{
    /// <summary>Checks and describes a change of a group's defaults: its traffic shift, its Ready wait (how long
    /// green waits with test traffic for the go-ahead; zero moves production traffic at once), or both.</summary>
    Task<string> PlanDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken);

    Task SetDefaultTrafficShiftAsync(string applicationName, string deploymentGroupName, TrafficShiftPolicy? policy, TimeSpan? readyWait, CancellationToken cancellationToken);
}

/// <summary>Engines that let a person set green's share of production traffic by hand.</summary>
public interface ITrafficWeights
{
    /// <summary>Describes setting green's share to <paramref name="percent"/>, changing nothing.</summary>
    Task<string> PlanWeightAsync(BlueGreenDeployment deployment, double percent, CancellationToken cancellationToken);

    /// <summary>Sets green's share to <paramref name="percent"/> (0 to 100) and returns the release read again.</summary>
    Task<BlueGreenDeployment> SetWeightAsync(BlueGreenDeployment deployment, double percent, CancellationToken cancellationToken);
}

/// <summary>Who moves a release's traffic.</summary>
public enum ReleaseController
{
    /// <summary>CodeDeploy when a deployment group releases the target, else what the target's own service offers.</summary>
    Auto,

    /// <summary>AWS CodeDeploy.</summary>
    CodeDeploy,

    /// <summary>The service itself (ECS native deployments).</summary>
    Service,

    /// <summary>This module, step by step, with its progress kept in AWS.</summary>
    Module,
}

/// <summary>New Lambda code to publish as the green version: one of a zip, an image or an S3 object.</summary>
public sealed class LambdaCodeSource
{
    /// <summary>The zip's bytes (read from -ZipFile).</summary>
    public byte[]? ZipFile { get; set; }

    /// <summary>Where the zip came from, for messages.</summary>
    public string? ZipPath { get; set; }

    public string? ImageUri { get; set; }

    public string? S3Bucket { get; set; }

    public string? S3Key { get; set; }

    public string? S3ObjectVersion { get; set; }

    public override string ToString() => ImageUri ?? (S3Bucket is not null ? $"s3://{S3Bucket}/{S3Key}" : ZipPath ?? "a zip");
}

/// <summary>What the caller asked for.</summary>
public sealed class ReleaseRequest
{
    public ReleaseRequest(ReleaseTarget target) => Target = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>An ECS service release.</summary>
    public ReleaseRequest(string cluster, string service)
        : this(new EcsServiceTarget(cluster, service))
    {
    }

    public ReleaseTarget Target { get; }

    /// <summary>Green as the target names a version: an ECS task definition (ARN, family:revision, or family for the
    /// latest), a Lambda version number. Null when green is derived from blue (<see cref="Images"/>, <see cref="Code"/>).</summary>
    public string? Version { get; set; }

    /// <summary>The ECS name of <see cref="Version"/>.</summary>
    public string? TaskDefinition
    {
        get => Version;
        set => Version = value;
    }

    /// <summary>ECS: container name to image; the empty name means "the only container".</summary>
    public IReadOnlyDictionary<string, string>? Images { get; set; }

    /// <summary>Lambda: new code, published as a version.</summary>
    public LambdaCodeSource? Code { get; set; }

    public ReleaseController Controller { get; set; }

    /// <summary>The CodeDeploy binding, when named rather than found.</summary>
    public string? ApplicationName { get; set; }

    public string? DeploymentGroupName { get; set; }

    public TrafficShiftPolicy? TrafficShift { get; set; }

    /// <summary>Lifecycle hooks by lifecycle event name (BeforeAllowTraffic, AfterAllowTraffic, ...) to a Lambda function.
    /// Each engine checks the events it supports.</summary>
    public IReadOnlyDictionary<string, string>? Hooks { get; set; }

    /// <summary>CloudWatch alarms that stop the release and roll it back when they fire (for controllers that take them
    /// per release; a CodeDeploy group keeps its own).</summary>
    public IReadOnlyList<string>? Alarms { get; set; }

    public string? Description { get; set; }

    /// <summary>Start without the deployment group's alarms: for an undo that releases a version known to work, which the
    /// alarm raised by the bad version would otherwise stop (CodeDeploy's overrideAlarmConfiguration).</summary>
    public bool WithoutAlarms { get; set; }

    /// <summary>How long blue is kept after all production traffic moved (ECS's bake), for controllers that take it per
    /// release; null keeps the target's own.</summary>
    public TimeSpan? BakeTime { get; set; }

    /// <summary>Start without waiting at Ready: for an undo, which must not stop half-way on a gate.</summary>
    public bool WithoutReadyWait { get; set; }
}

/// <summary>One change a started release makes, in order: what -WhatIf lists is what Start performs.</summary>
public sealed class PlannedChange
{
    public PlannedChange(string action, string description)
    {
        Action = action;
        Description = description;
    }

    /// <summary>The AWS operation or step, e.g. <c>PublishVersion</c>, <c>CreateDeployment</c>.</summary>
    public string Action { get; }

    public string Description { get; }

    public override string ToString() => $"{Action}: {Description}";
}

/// <summary>What an engine keeps between planning and starting (typed per engine).</summary>
public abstract class EnginePlan
{
}

/// <summary>A checked release, ready to start: everything -WhatIf shows.</summary>
public sealed class ReleasePlan
{
    public ReleasePlan(ReleaseRequest request) => Request = request ?? throw new ArgumentNullException(nameof(request));

    public ReleaseRequest Request { get; }

    public ReleaseTarget Target => Request.Target;

    public DeploymentEngine Engine { get; set; }

    /// <summary>The first line of the description, e.g. "Start a blue/green release of service 'web' ... through CodeDeploy ...".</summary>
    public string Headline { get; set; } = string.Empty;

    public string ApplicationName { get; set; } = string.Empty;

    public string DeploymentGroupName { get; set; } = string.Empty;

    /// <summary>What serves now (blue): a task definition ARN, a Lambda version.</summary>
    public string Blue { get; set; } = string.Empty;

    /// <summary>What to release; null until a new revision or version is made from <see cref="GreenSource"/>.</summary>
    public string? Green { get; set; }

    /// <summary>How green is made when <see cref="Green"/> is null, e.g. "a new revision of web:3 with web=nginx:2".</summary>
    public string? GreenSource { get; set; }

    /// <summary>The ECS names of <see cref="Blue"/> and <see cref="Green"/>.</summary>
    public string BlueTaskDefinition
    {
        get => Blue;
        set => Blue = value;
    }

    public string? GreenTaskDefinition
    {
        get => Green;
        set => Green = value;
    }

    /// <summary>Target-specific lines shown after Green (label, value), e.g. ("Container", "web:80").</summary>
    public IList<KeyValuePair<string, string>> Details { get; } = new List<KeyValuePair<string, string>>();

    public TrafficShiftPolicy Policy { get; set; } = TrafficShiftPolicy.AllAtOnce;

    /// <summary>The name the policy has for this engine (a CodeDeploy configuration name, or the policy's short name).</summary>
    public string PolicyName { get; set; } = string.Empty;

    /// <summary>The custom deployment configuration does not exist yet and is created first.</summary>
    public bool CreatesDeploymentConfig { get; set; }

    /// <summary>The document handed to the controller (a CodeDeploy AppSpec), shown as it will be sent.</summary>
    public string AppSpec { get; set; } = string.Empty;

    public IReadOnlyList<TimelineStep> Timeline { get; set; } = Array.Empty<TimelineStep>();

    public IReadOnlyList<string> Alarms { get; set; } = Array.Empty<string>();

    public bool AlarmsEnabled { get; set; }

    public IReadOnlyList<string> RollbackEvents { get; set; } = Array.Empty<string>();

    public bool AutoRollbackEnabled { get; set; }

    /// <summary>A one-line description of the rollback when the engine has its own words for it.</summary>
    public string? RollbackDescription { get; set; }

    public int TerminationWaitMinutes { get; set; }

    /// <summary>Null when production traffic moves without a go-ahead.</summary>
    public int? ReadyWaitMinutes { get; set; }

    public string? TestEndpoint { get; set; }

    public string? ProductionEndpoint { get; set; }

    /// <summary>The changes Start makes, in order.</summary>
    public IList<PlannedChange> Changes { get; } = new List<PlannedChange>();

    /// <summary>What the engine keeps for <see cref="IReleaseEngine.StartAsync"/>.</summary>
    public EnginePlan? EnginePlan { get; set; }

    /// <summary>The plan as -WhatIf prints it.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(Headline);
        text.AppendLine($"  Blue (serving now): {Blue}");
        text.AppendLine($"  Green:              {Green ?? GreenSource}");
        foreach (var detail in Details)
        {
            text.AppendLine($"  {(detail.Key + ":").PadRight(19)} {detail.Value}");
        }

        text.AppendLine($"  Traffic shift:      {(PolicyName.Length > 0 ? PolicyName : Policy.DeploymentConfigName)}{(CreatesDeploymentConfig ? " (custom configuration, created first)" : string.Empty)}");
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
        text.AppendLine($"  Rollback:           {RollbackDescription ?? (AutoRollbackEnabled && RollbackEvents.Count > 0 ? "automatic on " + string.Join(", ", RollbackEvents) : "no automatic rollback")}");
        if (Changes.Count > 0)
        {
            text.AppendLine("  Changes:");
            foreach (var change in Changes)
            {
                text.AppendLine("    " + change);
            }
        }

        if (AppSpec.Length > 0)
        {
            text.AppendLine("  AppSpec:");
            foreach (var line in AppSpec.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal)))
            {
                text.AppendLine("    " + line);
            }
        }

        return text.ToString().TrimEnd();
    }
}

public enum UndoKind
{
    /// <summary>Stop the release with rollback: traffic goes straight back to the blue tasks that still run.</summary>
    StopAndRollBack,

    /// <summary>Blue is gone: release the previous version again.</summary>
    RedeployPrevious,

    /// <summary>Nothing to do: the release was already rolled back.</summary>
    AlreadyRolledBack,

    /// <summary>Blue still exists beside green: point the target straight back at it (a Lambda alias at its previous
    /// version), at once, without a release.</summary>
    RestorePrevious,
}

/// <summary>How an undo will put blue back.</summary>
public sealed class UndoPlan
{
    public UndoPlan(BlueGreenDeployment deployment, UndoKind kind, string description)
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
    public ReleasePlan? Release { get; set; }

    /// <summary>What the engine keeps for <see cref="IReleaseEngine.UndoAsync"/>.</summary>
    public EnginePlan? EnginePlan { get; set; }
}
