using System;
using System.Collections.Generic;
using System.Text;

namespace BlueGreen.Core.Pipelines;

/// <summary>GitHub Actions workflow commands: <c>::name key=value,key=value::message</c>.</summary>
public static class GitHubCommands
{
    private static readonly char[] NotInNames = { '=', '\r', '\n', '<' };

    // As actions/toolkit's packages/core/src/command.ts escapeData: the runner unescapes %25, %0D, %0A in the message.
    public static string EscapeData(string? value) =>
        (value ?? string.Empty).Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    // As command.ts escapeProperty: a property also ends at ':' (the message) and ',' (the next property).
    public static string EscapeProperty(string? value) =>
        EscapeData(value).Replace(":", "%3A").Replace(",", "%2C");

    public static string Format(string command, IEnumerable<KeyValuePair<string, string?>>? properties, string? message)
    {
        var text = new StringBuilder("::").Append(command);
        var first = true;
        foreach (var property in properties ?? Array.Empty<KeyValuePair<string, string?>>())
        {
            if (string.IsNullOrEmpty(property.Value))
            {
                continue;
            }

            text.Append(first ? " " : ",").Append(property.Key).Append('=').Append(EscapeProperty(property.Value));
            first = false;
        }

        return text.Append("::").Append(EscapeData(message)).ToString();
    }

    /// <summary>A GITHUB_OUTPUT / GITHUB_ENV entry: <c>name=value</c>, or the heredoc form for a value of several lines
    /// (a delimiter that the value cannot contain, as the toolkit's file-command.ts makes one).</summary>
    public static string FileEntry(string name, string? value, string? delimiter = null)
    {
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(NotInNames) >= 0)
        {
            throw new ArgumentException($"'{name}' cannot be a GitHub Actions output name.", nameof(name));
        }

        value ??= string.Empty;
        if (value.IndexOf('\n') < 0 && value.IndexOf('\r') < 0)
        {
            return name + "=" + value + "\n";
        }

        delimiter ??= "ghadelimiter_" + Guid.NewGuid().ToString("N");
        if (value.Contains(delimiter))
        {
            throw new ArgumentException("The value contains its own delimiter.", nameof(value));
        }

        return name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
    }
}

/// <summary>Azure Pipelines logging commands: <c>##vso[area.action key=value;key=value]message</c>.</summary>
public static class AzureDevOpsCommands
{
    // As azure-pipelines-task-lib's taskcommand.ts escapedata: '%' first, as %AZP25, so the agent's unescaping cannot
    // turn a literal "%0A" in the text into a line break.
    public static string EscapeData(string? value) =>
        (value ?? string.Empty).Replace("%", "%AZP25").Replace("\r", "%0D").Replace("\n", "%0A");

    // As taskcommand.ts escape: a property also ends at ';' (the next property) and ']' (the message).
    public static string EscapeProperty(string? value) =>
        EscapeData(value).Replace("]", "%5D").Replace(";", "%3B");

    public static string Format(string command, IEnumerable<KeyValuePair<string, string?>>? properties, string? message)
    {
        var text = new StringBuilder("##vso[").Append(command);
        var first = true;
        foreach (var property in properties ?? Array.Empty<KeyValuePair<string, string?>>())
        {
            if (property.Value is null)
            {
                continue;
            }

            text.Append(first ? " " : string.Empty).Append(property.Key).Append('=').Append(EscapeProperty(property.Value)).Append(';');
            first = false;
        }

        return text.Append(']').Append(EscapeData(message)).ToString();
    }
}

/// <summary>A CodeBuild env file: <c>NAME='value'</c> lines a buildspec sources in POSIX sh, so that its
/// <c>exported-variables</c> see them.</summary>
public static class CodeBuildEnvFile
{
    public static string Entry(string name, string? value)
    {
        if (string.IsNullOrEmpty(name) || name[0] is >= '0' and <= '9')
        {
            throw new ArgumentException($"'{name}' cannot be a shell variable name.", nameof(name));
        }

        foreach (var c in name)
        {
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '_'))
            {
                throw new ArgumentException($"'{name}' cannot be a shell variable name.", nameof(name));
            }
        }

        // Single quotes keep every character as it is; a quote in the value closes, escapes and reopens.
        return name + "='" + (value ?? string.Empty).Replace("'", "'\\''") + "'\n";
    }

    /// <summary>outputName -> OUTPUT_NAME, prefixed with BLUEGREEN_.</summary>
    public static string VariableName(string outputName)
    {
        var text = new StringBuilder("BLUEGREEN_");
        for (var i = 0; i < outputName.Length; i++)
        {
            var c = outputName[i];
            if (char.IsUpper(c) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToUpperInvariant(c));
        }

        return text.ToString();
    }
}
