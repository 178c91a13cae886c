using System;

namespace BlueGreen.Core.Deployments;

/// <summary>One lifecycle event of a release (BeforeInstall, Install, ..., AllowTraffic, ...).</summary>
public sealed class DeploymentLifecycleEvent
{
    public DeploymentLifecycleEvent(string name, string? status, DateTime? startTime, DateTime? endTime, string? diagnostic)
    {
        Name = name;
        Status = status;
        StartTime = startTime;
        EndTime = endTime;
        Diagnostic = diagnostic;
    }

    public string Name { get; }

    /// <summary>Pending, InProgress, Succeeded, Failed, Skipped or Unknown.</summary>
    public string? Status { get; }

    public DateTime? StartTime { get; }

    public DateTime? EndTime { get; }

    /// <summary>What went wrong, when the event failed.</summary>
    public string? Diagnostic { get; }

    public override string ToString() => $"{Name}: {Status}";
}
