namespace BlueGreen.Core.Deployments;

/// <summary>What is known of a release id before anything is sent.</summary>
public static class DeploymentIds
{
    /// <summary>Checks the shape of an id before anything is sent. Both AWS's <c>d-XXXXXXXXX</c> and the
    /// UUIDs of emulators are accepted.</summary>
    public static string? Validate(string? deploymentId)
    {
        if (string.IsNullOrWhiteSpace(deploymentId))
        {
            return "The deployment id is empty.";
        }

        foreach (var c in deploymentId!)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return $"The deployment id '{deploymentId.Trim()}' contains white space.";
            }
        }

        // A CodeDeploy id is short; an ECS service deployment's ARN carries the cluster and service names.
        var longest = deploymentId.StartsWith("arn:", System.StringComparison.Ordinal) ? 1600 : 128;
        return deploymentId.Length > longest ? "The deployment id is longer than any AWS deployment id." : null;
    }
}
