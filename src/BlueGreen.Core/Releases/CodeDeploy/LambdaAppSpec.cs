using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Releases.CodeDeploy;

/// <summary>What a Lambda AppSpec says: the function and alias it moves, from which version to which, and its hooks.</summary>
public sealed class LambdaAppSpecContent
{
    /// <summary>The function's name (an ARN in the AppSpec is read as its name).</summary>
    public string? FunctionName { get; init; }

    public string? Alias { get; init; }

    /// <summary>The version the alias pointed at when the deployment was made (blue).</summary>
    public string? CurrentVersion { get; init; }

    /// <summary>The version the deployment moves the alias to (green).</summary>
    public string? TargetVersion { get; init; }

    public IReadOnlyDictionary<string, string> Hooks { get; init; } = new Dictionary<string, string>();

    /// <summary>Names a function and an alias, so the deployment's target is known.</summary>
    public bool NamesTarget => FunctionName is not null && Alias is not null;

    /// <summary>The AppSpec releases <paramref name="target"/>.</summary>
    public bool Releases(LambdaAliasTarget target) =>
        target is not null && NamesTarget && string.Equals(FunctionName, target.FunctionName, StringComparison.Ordinal) && string.Equals(Alias, target.Alias, StringComparison.Ordinal);
}

/// <summary>
/// Builds and reads the AppSpec of a Lambda release through CodeDeploy: <c>version: 0.0</c>, one resource of type
/// <c>AWS::Lambda::Function</c> with Name, Alias, CurrentVersion and TargetVersion, and the BeforeAllowTraffic and
/// AfterAllowTraffic hooks. Reads YAML and JSON alike, including the forms <c>sam deploy</c> writes.
/// </summary>
public static class LambdaAppSpec
{
    /// <summary>The lifecycle events of a Lambda deployment that can run a hook.</summary>
    public static IReadOnlyList<string> HookEvents { get; } = new[] { "BeforeAllowTraffic", "AfterAllowTraffic" };

    private static readonly Regex SafeKey = new("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant);

    /// <summary>The AppSpec content (YAML). The token naming this request rides along as a YAML comment, which CodeDeploy
    /// keeps with the revision and otherwise ignores.</summary>
    public static string Build(string functionName, string alias, string currentVersion, string targetVersion, IReadOnlyDictionary<string, string>? hooks, string? token = null)
    {
        if (string.IsNullOrEmpty(functionName) || string.IsNullOrEmpty(alias) || string.IsNullOrEmpty(currentVersion) || string.IsNullOrEmpty(targetVersion))
        {
            throw new ArgumentException("The function, alias and both versions are needed.");
        }

        var text = new StringBuilder();
        if (token is not null)
        {
            text.Append(AppSpecMarkers.TokenMarker).Append(token).Append('\n');
        }

        text.Append("version: 0.0\n");
        text.Append("Resources:\n");
        text.Append("  - ").Append(SafeKey.IsMatch(functionName) ? functionName : "LambdaFunction").Append(":\n");
        text.Append("      Type: AWS::Lambda::Function\n");
        text.Append("      Properties:\n");
        text.Append("        Name: ").Append(Quote(functionName)).Append('\n');
        text.Append("        Alias: ").Append(Quote(alias)).Append('\n');
        text.Append("        CurrentVersion: ").Append(Quote(currentVersion)).Append('\n');
        text.Append("        TargetVersion: ").Append(Quote(targetVersion)).Append('\n');
        AppSpecHooks.Append(text, HookEvents, hooks);

        return text.ToString();
    }

    /// <summary>Checks hook names; returns the first problem, or null.</summary>
    public static string? ValidateHooks(IReadOnlyDictionary<string, string>? hooks) => AppSpecHooks.Validate(hooks, HookEvents, "a Lambda deployment", " or ");

    /// <summary>Reads an AppSpec, YAML or JSON; what it does not say is null.</summary>
    public static LambdaAppSpecContent Read(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return new LambdaAppSpecContent();
        }

        // Comments (the module's markers) say nothing about the deployment.
        var body = string.Join("\n", content!.Split('\n').Where(l => !l.TrimStart().StartsWith("#", StringComparison.Ordinal)));
        var hooks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in HookEvents)
        {
            if (Value(body, name) is { } function)
            {
                hooks[name] = function;
            }
        }

        var functionName = Value(body, "Name");
        return new LambdaAppSpecContent
        {
            FunctionName = functionName is null ? null : LambdaAliasTarget.FunctionNameOf(functionName),
            Alias = Value(body, "Alias"),
            CurrentVersion = VersionOf(Value(body, "CurrentVersion")),
            TargetVersion = VersionOf(Value(body, "TargetVersion")),
            Hooks = hooks,
        };
    }

    /// <summary>A version number, also when given as a qualified ARN (<c>arn:...:function:name:7</c>).</summary>
    public static string? VersionOf(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var parts = value.Split(':');
        return parts.Length >= 8 && parts[0] == "arn" ? parts[7] : value;
    }

    // The value of a key in YAML (Key: value, Key: "value") or JSON ("Key": "value", "Key": 1), whole words only.
    private static string? Value(string body, string key)
    {
        var pattern = "(?<![A-Za-z0-9_])[\"']?" + Regex.Escape(key) + "[\"']?\\s*:\\s*(?:\"(?<q>(?:[^\"\\\\]|\\\\.)*)\"|'(?<s>[^']*)'|(?<v>[^\"'\\s,}\\]#]+))";
        var match = Regex.Match(body, pattern, RegexOptions.CultureInvariant);
        if (!match.Success)
        {
            return null;
        }

        var value = match.Groups["q"].Success ? Regex.Unescape(match.Groups["q"].Value)
            : match.Groups["s"].Success ? match.Groups["s"].Value
            : match.Groups["v"].Value;
        return value.Length == 0 ? null : value;
    }

    private static string Quote(string value) => AppSpecHooks.Quote(value);
}

/// <summary>The CodeDeploy configurations of Lambda releases, named from the same policies as ECS's: a predefined
/// <c>CodeDeployDefault.Lambda...</c> one, or for any other step and interval a <c>BlueGreen.Lambda...</c> one this module
/// creates (compute platform Lambda) once and reuses.</summary>
public static class LambdaDeploymentConfigs
{
    public const string PredefinedPrefix = "CodeDeployDefault.Lambda";

    public const string CustomPrefix = "BlueGreen.Lambda";

    private static readonly int[] CanaryMinutes = { 5, 10, 15, 30 };

    private static readonly int[] LinearMinutes = { 1, 2, 3, 10 };

    /// <summary>One of CodeDeploy's own Lambda configurations.</summary>
    public static bool IsPredefined(TrafficShiftPolicy policy) => policy is not null && policy.Kind switch
    {
        TrafficShiftKind.AllAtOnce => true,
        TrafficShiftKind.Canary => policy.Percentage == 10 && Array.IndexOf(CanaryMinutes, policy.IntervalMinutes) >= 0,
        _ => policy.Percentage == 10 && Array.IndexOf(LinearMinutes, policy.IntervalMinutes) >= 0,
    };

    /// <summary>The configuration name of <paramref name="policy"/> for a Lambda deployment.</summary>
    public static string NameOf(TrafficShiftPolicy policy)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        if (!IsPredefined(policy))
        {
            return CustomPrefix + policy.ShortName;
        }

        // CodeDeploy's own names say "Every1Minute" and "Every2Minutes".
        return PredefinedPrefix + policy.Kind switch
        {
            TrafficShiftKind.AllAtOnce => "AllAtOnce",
            TrafficShiftKind.Canary => string.Format(CultureInfo.InvariantCulture, "Canary{0}Percent{1}Minutes", policy.Percentage, policy.IntervalMinutes),
            _ => string.Format(CultureInfo.InvariantCulture, "Linear{0}PercentEvery{1}Minute{2}", policy.Percentage, policy.IntervalMinutes, policy.IntervalMinutes == 1 ? string.Empty : "s"),
        };
    }

    /// <summary>The policy a Lambda configuration name says (<c>CodeDeployDefault.Lambda...</c> or <c>BlueGreen.Lambda...</c>);
    /// false for any other name, whose routing must be read.</summary>
    public static bool TryParse(string? configName, out TrafficShiftPolicy? policy)
    {
        policy = null;
        foreach (var prefix in new[] { PredefinedPrefix, CustomPrefix })
        {
            if (configName is not null && configName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return TrafficShiftPolicy.TryParse(configName.Substring(prefix.Length), out policy, out _);
            }
        }

        return false;
    }
}
