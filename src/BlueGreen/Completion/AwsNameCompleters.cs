using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using BlueGreen.Aws.Configuration;
using BlueGreen.Core.Completion;
using BlueGreen.Internal;

namespace BlueGreen.Completion;

/// <summary>
/// The base of the completers that read names from AWS: the place (region, endpoint, credentials) comes from the
/// command line as typed, then the session default, as the cmdlet would resolve it. Quick and silent: a lookup that
/// fails or is slow completes nothing.
/// </summary>
public abstract class AwsNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = Unquote(wordToComplete);
        IEnumerable<string> names;
        try
        {
            names = Names(new Bound(fakeBoundParameters), word);
        }
#pragma warning disable CA1031 // A completer must never fail the prompt.
        catch (Exception)
#pragma warning restore CA1031
        {
            names = Array.Empty<string>();
        }

        return names.Where(n => n.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n))
            .ToList();
    }

    /// <summary>The candidate names (the base filters them by what was typed).</summary>
    private protected abstract IEnumerable<string> Names(Bound bound, string word);

    /// <summary>Names of one kind in the place the command line points at.</summary>
    private protected static IReadOnlyList<string> Lookup(Bound bound, AwsNameKind kind, string? scope)
    {
        var settings = SettingsOf(bound);
        var place = string.Join("|", settings.Region, settings.EndpointUrl, settings.ProfileName, settings.ProfileLocation, settings.AccessKey,
            Environment.GetEnvironmentVariable("AWS_PROFILE"), Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION"));
        return AwsNames.Shared.Find(place, kind, scope, () => new AwsContextResolver().Resolve(settings));
    }

    /// <summary>What the cmdlet would connect with, from the parameters typed so far and the session default.</summary>
    private static AwsConnectionSettings SettingsOf(Bound bound)
    {
        var fallback = SessionDefaults.Current;
        var settings = new AwsConnectionSettings
        {
            Region = bound["Region"] ?? fallback?.Region ?? StoredRegion(),
            EndpointUrl = bound["EndpointUrl"] ?? fallback?.EndpointUrl,
            AllowInsecureEndpoint = bound.Has("AllowInsecureEndpoint") || fallback?.AllowInsecureEndpoint == true,
            ProfileLocation = bound["ProfileLocation"] ?? fallback?.ProfileLocation,
        };

        if (bound["ProfileName"] is { } profile)
        {
            settings.ProfileName = profile;
        }
        else if (fallback?.HasCredentials == true)
        {
            settings.ProfileName = fallback.ProfileName;
            settings.AccessKey = fallback.AccessKey;
            settings.SecretKey = fallback.SecretKey;
            settings.SessionToken = fallback.SessionToken;
            settings.Credential = fallback.Credential;
        }

        return settings;
    }

    /// <summary>AWS.Tools' Set-DefaultAWSRegion, read by a nested pipeline (the session's proxy is busy while completing).</summary>
    private static string? StoredRegion()
    {
        try
        {
            using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
            var value = shell.AddScript("$global:StoredAWSRegion").Invoke().FirstOrDefault()?.BaseObject?.ToString();
            return string.IsNullOrEmpty(value) ? null : value;
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or RuntimeException)
        {
            return null;
        }
    }

    private static string Unquote(string? word)
    {
        var text = word ?? string.Empty;
        return text.Length > 0 && (text[0] == '\'' || text[0] == '"') ? text.Substring(1).TrimEnd(text[0]) : text;
    }

    private static string Quote(string name) =>
        name.Any(c => char.IsWhiteSpace(c) || "'\"$`;,(){}@#&|<>".IndexOf(c) >= 0) ? "'" + name.Replace("'", "''") + "'" : name;

    /// <summary>The parameters typed so far, as text.</summary>
    private protected sealed class Bound
    {
        private readonly IDictionary? _values;

        public Bound(IDictionary? values) => _values = values;

        public string? this[string name]
        {
            get
            {
                var value = _values is not null && _values.Contains(name) ? _values[name] : null;
                value = value is PSObject wrapped ? wrapped.BaseObject : value;
                return value switch
                {
                    null => null,
                    string text => text.Length == 0 ? null : text,
                    IEnumerable many => many.Cast<object?>().Select(v => v?.ToString()).FirstOrDefault(v => !string.IsNullOrEmpty(v)),
                    _ => value.ToString(),
                };
            }
        }

        public bool Has(string name) => _values is not null && _values.Contains(name);
    }
}

/// <summary>Completes ECS cluster names.</summary>
public sealed class ClusterCompleter : AwsNameCompleter
{
    private protected override IEnumerable<string> Names(Bound bound, string word) => Lookup(bound, AwsNameKind.Cluster, null);
}

/// <summary>Completes ECS service names, of the -Cluster typed (the default cluster otherwise).</summary>
public sealed class ServiceCompleter : AwsNameCompleter
{
    private protected override IEnumerable<string> Names(Bound bound, string word) => Lookup(bound, AwsNameKind.Service, bound["Cluster"]);
}

/// <summary>Completes task definition families, and after "family:" that family's revisions, newest first.</summary>
public sealed class TaskDefinitionCompleter : AwsNameCompleter
{
    private protected override IEnumerable<string> Names(Bound bound, string word)
    {
        var colon = word.IndexOf(':');
        return colon > 0 && !word.StartsWith("arn:", StringComparison.OrdinalIgnoreCase)
            ? Lookup(bound, AwsNameKind.TaskDefinitionRevision, word.Substring(0, colon))
            : Lookup(bound, AwsNameKind.TaskDefinitionFamily, null);
    }
}

/// <summary>Completes Lambda function names.</summary>
public sealed class FunctionNameCompleter : AwsNameCompleter
{
    private protected override IEnumerable<string> Names(Bound bound, string word) => Lookup(bound, AwsNameKind.Function, null);
}

/// <summary>Completes the aliases of the -FunctionName typed (nothing before it is).</summary>
public sealed class AliasCompleter : AwsNameCompleter
{
    private protected override IEnumerable<string> Names(Bound bound, string word) =>
        bound["FunctionName"] is { } function ? Lookup(bound, AwsNameKind.Alias, function) : Array.Empty<string>();
}

/// <summary>Completes CodeDeploy application names.</summary>
public sealed class ApplicationNameCompleter : AwsNameCompleter
{
    private protected override IEnumerable<string> Names(Bound bound, string word) => Lookup(bound, AwsNameKind.Application, null);
}

/// <summary>Completes the deployment groups of the -ApplicationName typed (nothing before it is).</summary>
public sealed class DeploymentGroupNameCompleter : AwsNameCompleter
{
    private protected override IEnumerable<string> Names(Bound bound, string word) =>
        bound["ApplicationName"] is { } application ? Lookup(bound, AwsNameKind.DeploymentGroup, application) : Array.Empty<string>();
}

/// <summary>Completes deployment ids: the releases this session has seen, newest first, then CodeDeploy's recent ones
/// (of the -ApplicationName and -DeploymentGroupName typed, when both are).</summary>
public sealed class DeploymentIdCompleter : AwsNameCompleter
{
    private protected override IEnumerable<string> Names(Bound bound, string word)
    {
        var known = KnownDeployments.All.OrderByDescending(d => d.CreateTime ?? DateTime.MinValue).Select(d => d.DeploymentId);
        var scope = bound["ApplicationName"] is { } application && bound["DeploymentGroupName"] is { } group ? application + "/" + group : null;
        return known.Concat(Lookup(bound, AwsNameKind.DeploymentId, scope)).Distinct(StringComparer.Ordinal);
    }
}

/// <summary>Completes AWS region names (the SDK's list; no call to AWS).</summary>
public sealed class RegionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return AwsRegions.All().Where(r => r.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(r => new CompletionResult(r, r, CompletionResultType.ParameterValue, r)).ToList();
    }
}

/// <summary>Completes profile names from the shared config and credentials files (names only; nothing else is read out).</summary>
public sealed class ProfileNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var location = fakeBoundParameters?["ProfileLocation"] is { } given ? (given is PSObject p ? p.BaseObject : given).ToString() : SessionDefaults.Current?.ProfileLocation;
        try
        {
            return AwsPlaces.ProfileNames(location).Where(n => n.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n.Any(char.IsWhiteSpace) ? "'" + n.Replace("'", "''") + "'" : n, n, CompletionResultType.ParameterValue, n)).ToList();
        }
#pragma warning disable CA1031 // A completer must never fail the prompt.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Array.Empty<CompletionResult>();
        }
    }
}
