using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Internal;

/// <summary>
/// Where each release this session has seen lives (region, endpoint, profile: never a secret), so that an id
/// alone — piped as a string or in a smoke-test result — reaches the same place as the object it came from; and the
/// gates that judged it (smoke tests, analyses, alarms), which AWS does not keep, so every later read carries them.
/// </summary>
internal static class KnownDeployments
{
    private static readonly ConcurrentDictionary<string, BlueGreenDeployment> Seen = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, IReadOnlyList<ReleaseGate>> GatesOf = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, IReadOnlyList<TrafficObservation>> TrafficOf = new(StringComparer.Ordinal);

    // Enough for a day-long release looked at every few seconds; the oldest reads go first.
    private const int MostObservations = 5000;

    /// <summary>Keeps the split a fresh read of a release saw, dated by the service's clock and this computer's.</summary>
    public static void Observe(BlueGreenDeployment? deployment)
    {
        if (deployment is null || string.IsNullOrEmpty(deployment.DeploymentId))
        {
            return;
        }

        var seen = new TrafficObservation(Aws.Runtime.ServiceClock.Now, DateTimeOffset.UtcNow, deployment.GreenTrafficPercent, deployment.Status, deployment.Phase);
        var history = TrafficOf.AddOrUpdate(deployment.DeploymentId, _ => new[] { seen }, (_, known) =>
        {
            var last = known[known.Count - 1];
            // A second look within the same second that saw the same thing adds nothing.
            if (last.GreenPercent == seen.GreenPercent && last.Status == seen.Status && (seen.LocalTime - last.LocalTime) < TimeSpan.FromSeconds(1))
            {
                return known;
            }

            return known.Concat(new[] { seen }).Skip(Math.Max(0, known.Count + 1 - MostObservations)).ToList();
        });
        deployment.TrafficHistory = history;
    }

    public static void Remember(BlueGreenDeployment? deployment)
    {
        if (deployment is null || string.IsNullOrEmpty(deployment.DeploymentId))
        {
            return;
        }

        Seen[deployment.DeploymentId] = deployment;
        var known = GatesOf.TryGetValue(deployment.DeploymentId, out var gates) ? gates : Array.Empty<ReleaseGate>();
        var more = deployment.Gates.ToList();
        if (ReleaseGate.FromAlarmStop(deployment) is { } alarm && !known.Concat(more).Any(g => g.Kind == ReleaseGateKind.Alarm && g.Name == alarm.Name))
        {
            more.Add(alarm);
        }

        var merged = ReleaseGate.Merge(known, more);
        GatesOf[deployment.DeploymentId] = merged;
        deployment.Gates = merged;
        if (TrafficOf.TryGetValue(deployment.DeploymentId, out var history) && history.Count > deployment.TrafficHistory.Count)
        {
            deployment.TrafficHistory = history;
        }
    }

    /// <summary>Keeps a verdict on a release (by id, seen or not); the deployment object, when known, shows it at once.</summary>
    public static void AddGate(string? deploymentId, ReleaseGate gate)
    {
        if (string.IsNullOrEmpty(deploymentId) || gate is null)
        {
            return;
        }

        var merged = GatesOf.AddOrUpdate(deploymentId!, _ => new[] { gate }, (_, known) => ReleaseGate.Merge(known, new[] { gate }));
        if (Seen.TryGetValue(deploymentId!, out var deployment))
        {
            deployment.Gates = merged;
        }
    }

    /// <summary>The smoke tests this session ran on a release, oldest first (an analysis can judge their samples).</summary>
    public static IReadOnlyList<Core.SmokeTests.SmokeTestResult> SmokeTestsOf(string deploymentId) =>
        GatesOf.TryGetValue(deploymentId, out var gates) ? gates.Select(g => g.Result).OfType<Core.SmokeTests.SmokeTestResult>().ToList() : new List<Core.SmokeTests.SmokeTestResult>();

    /// <summary>Every release this session has seen (their ids complete at the prompt).</summary>
    public static IEnumerable<BlueGreenDeployment> All => Seen.Values;

    public static BlueGreenDeployment? Find(string? deploymentId) =>
        deploymentId is not null && Seen.TryGetValue(deploymentId, out var deployment) ? deployment : null;
}
