namespace BlueGreen.Core.Deployments;

/// <summary>The phase a finished release shows when only its record is read (a history row, which has no lifecycle
/// events): where it ended, in the words of its status and rollback.</summary>
public static class FinishedPhase
{
    public const string Complete = "Complete";

    public const string RolledBack = "RolledBack";

    public const string Stopped = "Stopped";

    public const string Failed = "Failed";

    /// <summary>The phase of a finished release, or null while it is still running (its lifecycle events tell then).</summary>
    public static string? Of(DeploymentStatus status, bool rolledBack) => status switch
    {
        DeploymentStatus.Succeeded => Complete,
        DeploymentStatus.Failed or DeploymentStatus.Stopped when rolledBack => RolledBack,
        DeploymentStatus.Stopped => Stopped,
        DeploymentStatus.Failed => Failed,
        _ => null,
    };

    /// <summary>True once the release has ended, whichever way.</summary>
    public static bool IsFinished(DeploymentStatus status) => Of(status, false) is not null;
}
