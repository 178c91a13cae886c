using System;

namespace BlueGreen.Core.Deployments;

/// <summary>The production split of a release as one read saw it: what a report draws as observed traffic.</summary>
public sealed class TrafficObservation
{
    public TrafficObservation(DateTimeOffset time, DateTimeOffset localTime, double greenPercent, DeploymentStatus status, string? phase)
    {
        Time = time;
        LocalTime = localTime;
        GreenPercent = Math.Max(0, Math.Min(100, greenPercent));
        Status = status;
        Phase = phase;
    }

    /// <summary>When it was read, by the service's clock (the clock of the lifecycle events; simulated time on the sandbox).</summary>
    public DateTimeOffset Time { get; }

    /// <summary>When it was read, by this computer's clock (the clock smoke tests and analyses are dated by).</summary>
    public DateTimeOffset LocalTime { get; }

    /// <summary>The green share of production traffic, 0 to 100.</summary>
    public double GreenPercent { get; }

    public DeploymentStatus Status { get; }

    public string? Phase { get; }

    public override string ToString() => FormattableString.Invariant($"{Time:u} green {GreenPercent:0.#}% ({Status})");
}
