using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Releases;

/// <summary>How production traffic moves from blue to green: all at once, a canary step then the rest,
/// or equal linear steps. Parsed from the names CodeDeploy uses, with or without the
/// <c>CodeDeployDefault.ECS</c> prefix.</summary>
public sealed class TrafficShiftPolicy : IEquatable<TrafficShiftPolicy>
{
    /// <summary>The prefix of the configurations this module creates for names that are not predefined.</summary>
    public const string CustomPrefix = "BlueGreen.ECS";

    private const string PredefinedPrefix = "CodeDeployDefault.ECS";

    private static readonly Regex Pattern = new(
        @"^(?:CodeDeployDefault\.ECS|BlueGreen\.ECS|ECS)?(?:(?<all>AllAtOnce)|Canary(?<cp>\d{1,3})Percent(?<cm>\d{1,4})Minutes?|Linear(?<lp>\d{1,3})PercentEvery(?<lm>\d{1,4})Minutes?)$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private static readonly string[] Predefined =
    {
        "AllAtOnce", "Canary10Percent5Minutes", "Canary10Percent15Minutes", "Linear10PercentEvery1Minutes", "Linear10PercentEvery3Minutes",
    };

    private TrafficShiftPolicy(TrafficShiftKind kind, int percentage, int intervalMinutes)
    {
        Kind = kind;
        Percentage = percentage;
        IntervalMinutes = intervalMinutes;
        ShortName = kind switch
        {
            TrafficShiftKind.AllAtOnce => "AllAtOnce",
            TrafficShiftKind.Canary => string.Format(CultureInfo.InvariantCulture, "Canary{0}Percent{1}Minutes", percentage, intervalMinutes),
            _ => string.Format(CultureInfo.InvariantCulture, "Linear{0}PercentEvery{1}Minutes", percentage, intervalMinutes),
        };
        IsPredefined = Array.IndexOf(Predefined, ShortName) >= 0;
        DeploymentConfigName = (IsPredefined ? PredefinedPrefix : CustomPrefix) + ShortName;
    }

    public static TrafficShiftPolicy AllAtOnce { get; } = new(TrafficShiftKind.AllAtOnce, 100, 0);

    public TrafficShiftKind Kind { get; }

    /// <summary>The canary share, or the share of each linear step; 100 for all at once.</summary>
    public int Percentage { get; }

    /// <summary>Minutes between steps (0 for all at once).</summary>
    public int IntervalMinutes { get; }

    /// <summary>The name without prefix, e.g. <c>Canary10Percent5Minutes</c>.</summary>
    public string ShortName { get; }

    /// <summary>One of CodeDeploy's own ECS configurations.</summary>
    public bool IsPredefined { get; }

    /// <summary>The CodeDeploy deployment configuration: <c>CodeDeployDefault.ECS...</c>, or for any other
    /// step and interval the deterministic <c>BlueGreen.ECS...</c> one this module creates once and reuses.</summary>
    public string DeploymentConfigName { get; }

    /// <summary>Parses a policy name; the message says what is accepted when it cannot.</summary>
    public static bool TryParse(string? text, out TrafficShiftPolicy? policy, out string? problem)
    {
        policy = null;
        problem = null;
        var match = Pattern.Match((text ?? string.Empty).Trim());
        if (!match.Success)
        {
            problem = $"'{text}' is not a traffic-shift policy. Use AllAtOnce, Canary<N>Percent<M>Minutes (e.g. Canary10Percent5Minutes) or Linear<N>PercentEvery<M>Minutes (e.g. Linear10PercentEvery1Minutes), with or without the CodeDeployDefault.ECS prefix.";
            return false;
        }

        if (match.Groups["all"].Success)
        {
            policy = AllAtOnce;
            return true;
        }

        var canary = match.Groups["cp"].Success;
        var percent = int.Parse(canary ? match.Groups["cp"].Value : match.Groups["lp"].Value, CultureInfo.InvariantCulture);
        var minutes = int.Parse(canary ? match.Groups["cm"].Value : match.Groups["lm"].Value, CultureInfo.InvariantCulture);
        if (percent < 1 || percent > 99)
        {
            problem = $"'{text}': the percentage must be between 1 and 99, not {percent}.";
            return false;
        }

        if (minutes < 1 || minutes > 2880)
        {
            problem = $"'{text}': the interval must be between 1 and 2880 minutes, not {minutes}.";
            return false;
        }

        policy = new TrafficShiftPolicy(canary ? TrafficShiftKind.Canary : TrafficShiftKind.Linear, percent, minutes);
        return true;
    }

    public static TrafficShiftPolicy Parse(string text) =>
        TryParse(text, out var policy, out var problem) ? policy! : throw new FormatException(problem);

    /// <summary>A CodeDeploy traffic routing config (type, percentage, interval), as GetDeploymentConfig reports it.</summary>
    public static TrafficShiftPolicy FromRouting(string? type, int? percentage, int? interval) => type switch
    {
        "TimeBasedCanary" => new TrafficShiftPolicy(TrafficShiftKind.Canary, percentage ?? 10, interval ?? 1),
        "TimeBasedLinear" => new TrafficShiftPolicy(TrafficShiftKind.Linear, percentage ?? 10, interval ?? 1),
        _ => AllAtOnce,
    };

    /// <summary>The production steps: minutes after traffic starts to move, and the green share then.</summary>
    public (int Minute, int GreenPercent)[] Steps()
    {
        switch (Kind)
        {
            case TrafficShiftKind.Canary:
                return new[] { (0, Percentage), (IntervalMinutes, 100) };
            case TrafficShiftKind.Linear:
                var count = (100 + Percentage - 1) / Percentage;
                var steps = new (int, int)[count];
                for (var i = 0; i < count; i++)
                {
                    steps[i] = (i * IntervalMinutes, Math.Min(100, (i + 1) * Percentage));
                }

                return steps;
            default:
                return new[] { (0, 100) };
        }
    }

    public bool Equals(TrafficShiftPolicy? other) => other is not null && other.Kind == Kind && other.Percentage == Percentage && other.IntervalMinutes == IntervalMinutes;

    public override bool Equals(object? obj) => Equals(obj as TrafficShiftPolicy);

    public override int GetHashCode() => ((int)Kind * 397) ^ (Percentage * 31) ^ IntervalMinutes;

    public override string ToString() => DeploymentConfigName;
}

public enum TrafficShiftKind
{
    AllAtOnce,
    Canary,
    Linear,
}
