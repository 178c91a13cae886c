using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace BlueGreen.Core.Releases;

/// <summary>The parts of a CodeDeploy AppSpec that every compute platform writes alike: quoted values and the Hooks list.</summary>
internal static class AppSpecHooks
{
    /// <summary>A YAML double-quoted scalar.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>Appends the Hooks section, in the platform's lifecycle order; nothing without hooks.</summary>
    public static void Append(StringBuilder text, IReadOnlyList<string> events, IReadOnlyDictionary<string, string>? hooks)
    {
        if (hooks is not { Count: > 0 })
        {
            return;
        }

        text.Append("Hooks:\n");
        foreach (var name in events.Where(hooks.ContainsKey))
        {
            text.Append("  - ").Append(name).Append(": ").Append(Quote(hooks[name])).Append('\n');
        }
    }

    /// <summary>The first problem with hook names and functions for a platform (e.g. "an ECS deployment"), or null.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string>? hooks, IReadOnlyList<string> events, string deploymentKind, string eventSeparator)
    {
        foreach (var pair in hooks ?? new Dictionary<string, string>())
        {
            if (!events.Contains(pair.Key, StringComparer.Ordinal))
            {
                return $"'{pair.Key}' is not a lifecycle event of {deploymentKind} that takes a hook. Use {string.Join(eventSeparator, events)}.";
            }

            if (string.IsNullOrWhiteSpace(pair.Value))
            {
                return $"The {pair.Key} hook names no Lambda function.";
            }
        }

        return null;
    }
}
