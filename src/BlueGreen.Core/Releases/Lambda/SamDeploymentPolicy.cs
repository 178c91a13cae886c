using System;
using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Releases.Lambda;

/// <summary>The release policy that a SAM template gives one function: its alias, how traffic moves, the alarms
/// that stop a release and the hooks that test it, with Globals.Function merged in as SAM merges it.
/// Values that only CloudFormation could work out are left out and spoken of in <see cref="Unresolved"/>;
/// a caller that cannot replace them from elsewhere must refuse, not release without them.</summary>
public sealed class SamDeploymentPolicy
{
    /// <summary>The hook stages, named as CodeDeploy's Lambda AppSpec names them.</summary>
    public const string BeforeAllowTraffic = "BeforeAllowTraffic";

    public const string AfterAllowTraffic = "AfterAllowTraffic";

    /// <summary>The types CodeDeploy predefines for Lambda; SAM prefixes these with <c>CodeDeployDefault.Lambda</c>
    /// and passes any other type through as the name of a deployment configuration.</summary>
    internal static readonly string[] PredefinedTypes =
    {
        "Canary10Percent5Minutes", "Canary10Percent10Minutes", "Canary10Percent15Minutes", "Canary10Percent30Minutes",
        "Linear10PercentEvery1Minute", "Linear10PercentEvery2Minutes", "Linear10PercentEvery3Minutes", "Linear10PercentEvery10Minutes",
        "AllAtOnce",
    };

    internal SamDeploymentPolicy(string source, string logicalId, string? functionName, string? alias, string? type, IReadOnlyList<string> alarms,
        IReadOnlyDictionary<string, string> hooks, bool enabled, IReadOnlyList<KeyValuePair<string, string>> unresolved)
    {
        Source = source;
        LogicalId = logicalId;
        FunctionName = functionName;
        Alias = alias;
        Type = type;
        Alarms = alarms;
        Hooks = hooks;
        Enabled = enabled;
        _unresolved = unresolved;
        Unresolved = unresolved.Select(u => u.Value).ToList();
        UnresolvedProperties = unresolved.Select(u => u.Key).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Property and sentence, in the order found.</summary>
    private readonly IReadOnlyList<KeyValuePair<string, string>> _unresolved;

    /// <summary>The template's path, or the name given to <see cref="SamTemplate.Parse"/>.</summary>
    public string Source { get; }

    /// <summary>The logical id of the <c>AWS::Serverless::Function</c> resource.</summary>
    public string LogicalId { get; }

    /// <summary><c>Properties.FunctionName</c> when it resolves to a plain string; null when CloudFormation
    /// generates the name or the value could not be resolved.</summary>
    public string? FunctionName { get; }

    /// <summary><c>AutoPublishAlias</c>.</summary>
    public string? Alias { get; }

    /// <summary><c>DeploymentPreference.Type</c> as written, e.g. <c>Canary10Percent5Minutes</c>; null when disabled or unresolved.</summary>
    public string? Type { get; }

    /// <summary>The CodeDeploy deployment configuration SAM gives the group for <see cref="Type"/>:
    /// <c>CodeDeployDefault.Lambda</c> + the type for the predefined ones, else the type itself.</summary>
    public string? DeploymentConfigName =>
        Type is null ? null : Array.IndexOf(PredefinedTypes, Type) >= 0 ? "CodeDeployDefault.Lambda" + Type : Type;

    /// <summary>CloudWatch alarm names from <c>DeploymentPreference.Alarms</c> (Globals first, as SAM concatenates them), without duplicates.</summary>
    public IReadOnlyList<string> Alarms { get; }

    /// <summary>Hook function names keyed <c>BeforeAllowTraffic</c> (SAM's <c>PreTraffic</c>) and <c>AfterAllowTraffic</c> (<c>PostTraffic</c>).</summary>
    public IReadOnlyDictionary<string, string> Hooks { get; }

    /// <summary><c>DeploymentPreference.Enabled</c>; true when absent, as in SAM. When false, SAM ignores the rest of the
    /// preference, and so does this policy (no type, alarms or hooks).</summary>
    public bool Enabled { get; }

    /// <summary>One sentence per value that could not be resolved: which property, where, why, and what to do.</summary>
    public IReadOnlyList<string> Unresolved { get; }

    /// <summary>The properties <see cref="Unresolved"/> speaks of, each once, named without Globals prefix or index:
    /// <c>FunctionName</c>, <c>AutoPublishAlias</c>, <c>DeploymentPreference</c>, <c>DeploymentPreference.Enabled</c>,
    /// <c>DeploymentPreference.Type</c>, <c>DeploymentPreference.Alarms</c>, <c>DeploymentPreference.Hooks</c>,
    /// <c>DeploymentPreference.Hooks.PreTraffic</c>, <c>DeploymentPreference.Hooks.PostTraffic</c>. A caller that has
    /// the value from elsewhere (an explicit parameter) can tell which sentences it has answered.</summary>
    public IReadOnlyList<string> UnresolvedProperties { get; }

    /// <summary>Throws <c>SamValueUnresolved</c> when a value could not be resolved, except those of the given properties
    /// (names as in <see cref="UnresolvedProperties"/>), which the caller has from elsewhere.</summary>
    public void ThrowIfUnresolved(IEnumerable<string>? answeredProperties = null)
    {
        var answered = new HashSet<string>(answeredProperties ?? Enumerable.Empty<string>(), StringComparer.Ordinal);
        var sentences = _unresolved.Where(u => !answered.Contains(u.Key)).Select(u => u.Value).ToList();
        if (sentences.Count == 0)
        {
            return;
        }

        throw new SamTemplateException("SamValueUnresolved", ReleaseErrorKind.InvalidArgument,
            $"{Source}: {sentences.Count} value(s) of {LogicalId} cannot be resolved without CloudFormation. " + string.Join(" ", sentences),
            Source, null, null, "Give the values as plain strings or template parameters, or pass them as parameters of the command.");
    }
}
