using System;
using System.Collections.Concurrent;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Internal;

/// <summary>
/// Where each release this session has seen lives (region, endpoint, profile: never a secret), so that an id
/// alone — piped as a string or in a smoke-test result — reaches the same place as the object it came from.
/// </summary>
internal static class KnownDeployments
{
    private static readonly ConcurrentDictionary<string, BlueGreenDeployment> Seen = new(StringComparer.Ordinal);

    public static void Remember(BlueGreenDeployment? deployment)
    {
        if (deployment is not null && !string.IsNullOrEmpty(deployment.DeploymentId))
        {
            Seen[deployment.DeploymentId] = deployment;
        }
    }

    public static BlueGreenDeployment? Find(string? deploymentId) =>
        deploymentId is not null && Seen.TryGetValue(deploymentId, out var deployment) ? deployment : null;
}
