using System;

namespace BlueGreen.Aws.Configuration;

/// <summary>What the caller asked for cannot work (unknown region or profile, no credentials, a bad
/// endpoint). Raised before any request is sent.</summary>
public sealed class AwsConfigurationException : Exception
{
    public AwsConfigurationException(string errorId, string message, string recommendedAction, string? target = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        RecommendedAction = recommendedAction;
        Target = target;
    }

    public AwsConfigurationException()
        : this("AwsConfigurationInvalid", "The AWS configuration is not valid.", "Check the AWS parameters.")
    {
    }

    public AwsConfigurationException(string message)
        : this("AwsConfigurationInvalid", message, "Check the AWS parameters.")
    {
    }

    public AwsConfigurationException(string message, Exception innerException)
        : this("AwsConfigurationInvalid", message, "Check the AWS parameters.", null, innerException)
    {
    }

    /// <summary>A stable PascalCase identifier, such as <c>UnknownRegion</c>.</summary>
    public string ErrorId { get; }

    /// <summary>What the user should do about it.</summary>
    public string RecommendedAction { get; }

    /// <summary>The value at fault (a region, a profile name, a URL), never a secret.</summary>
    public string? Target { get; }
}
