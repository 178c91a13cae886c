using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Releases;

/// <summary>Builds and reads the AppSpec of an ECS blue/green release (YAML, as CodeDeploy takes it).</summary>
public static class EcsAppSpec
{
    /// <summary>The lifecycle events of an ECS deployment that can run a Lambda hook.</summary>
    public static IReadOnlyList<string> HookEvents { get; } = new[] { "BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic" };

    private const string PreviousMarker = "# bluegreen-previous-task-definition: ";
    private const string TokenMarker = CodeDeploy.AppSpecMarkers.TokenMarker;

    private static readonly Regex TaskDefinitionPattern = new("[\"']?TaskDefinition[\"']?\\s*:\\s*[\"']?(?<v>[^\"'\\s,}]+)", RegexOptions.CultureInvariant);

    /// <summary>The AppSpec content. The previous task definition and a token naming this request ride along as
    /// YAML comments, which CodeDeploy keeps with the revision and otherwise ignores.</summary>
    public static string Build(string taskDefinition, string containerName, int containerPort, IReadOnlyDictionary<string, string>? hooks,
        string? previousTaskDefinition = null, string? token = null)
    {
        if (string.IsNullOrEmpty(taskDefinition))
        {
            throw new ArgumentException("The task definition is empty.", nameof(taskDefinition));
        }

        var text = new StringBuilder();
        if (previousTaskDefinition is not null)
        {
            text.Append(PreviousMarker).Append(previousTaskDefinition).Append('\n');
        }

        if (token is not null)
        {
            text.Append(TokenMarker).Append(token).Append('\n');
        }

        text.Append("version: 0.0\n");
        text.Append("Resources:\n");
        text.Append("  - TargetService:\n");
        text.Append("      Type: AWS::ECS::Service\n");
        text.Append("      Properties:\n");
        text.Append("        TaskDefinition: ").Append(Quote(taskDefinition)).Append('\n');
        text.Append("        LoadBalancerInfo:\n");
        text.Append("          ContainerName: ").Append(Quote(containerName)).Append('\n');
        text.Append("          ContainerPort: ").Append(containerPort.ToString(CultureInfo.InvariantCulture)).Append('\n');
        AppSpecHooks.Append(text, HookEvents, hooks);

        return text.ToString();
    }

    /// <summary>Checks hook names; returns the first problem, or null.</summary>
    public static string? ValidateHooks(IReadOnlyDictionary<string, string>? hooks) => AppSpecHooks.Validate(hooks, HookEvents, "an ECS deployment", ", ");

    /// <summary>The task definition an AppSpec (YAML or JSON) deploys.</summary>
    public static string? ReadTaskDefinition(string? content)
    {
        if (content is null)
        {
            return null;
        }

        var match = TaskDefinitionPattern.Match(content);
        return match.Success ? match.Groups["v"].Value : null;
    }

    /// <summary>The task definition that served before, when this module wrote the AppSpec.</summary>
    public static string? ReadPreviousTaskDefinition(string? content) => ReadComment(content, PreviousMarker);

    public static string? ReadToken(string? content) => CodeDeploy.AppSpecMarkers.ReadToken(content);

    private static string? ReadComment(string? content, string marker)
    {
        if (content is null)
        {
            return null;
        }

        foreach (var line in content.Split('\n'))
        {
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                var value = line.Substring(marker.Length).Trim();
                return value.Length == 0 ? null : value;
            }
        }

        return null;
    }

    private static string Quote(string value) => AppSpecHooks.Quote(value);
}
