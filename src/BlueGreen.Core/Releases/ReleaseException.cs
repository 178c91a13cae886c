using System;

namespace BlueGreen.Core.Releases;

/// <summary>What a release refused or could not do: a stable id, the kind of problem, what to do next.</summary>
public sealed class ReleaseException : Exception
{
    public ReleaseException(string errorId, ReleaseErrorKind kind, string message, object? target = null, string? recommendedAction = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    public ReleaseException()
        : this("ReleaseFailed", ReleaseErrorKind.InvalidOperation, "The release failed.")
    {
    }

    public ReleaseException(string message)
        : this("ReleaseFailed", ReleaseErrorKind.InvalidOperation, message)
    {
    }

    public ReleaseException(string message, Exception innerException)
        : this("ReleaseFailed", ReleaseErrorKind.InvalidOperation, message, null, null, innerException)
    {
    }

    /// <summary>A stable PascalCase id, e.g. <c>NotCodeDeployControlled</c>.</summary>
    public string ErrorId { get; }

    public ReleaseErrorKind Kind { get; }

    /// <summary>The thing at fault (service, deployment id, container name, ...).</summary>
    public object? Target { get; }

    public string? RecommendedAction { get; }
}

public enum ReleaseErrorKind
{
    InvalidArgument,
    ObjectNotFound,
    InvalidOperation,
    ResourceExists,
    OperationTimeout,
    OperationStopped,
}
