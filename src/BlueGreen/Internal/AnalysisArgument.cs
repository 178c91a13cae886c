using System;
using System.Collections;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using BlueGreen.Core.Analysis;

namespace BlueGreen.Internal;

/// <summary>An analysis definition as a cmdlet takes it: a hashtable, the path of a .psd1 file holding one, or a
/// definition object. The file is parsed and only its data is taken (as Import-PowerShellDataFile does): nothing in it runs.</summary>
internal static class AnalysisArgument
{
    /// <summary>A definition from a hashtable, a .psd1 path or a definition object; the file is parsed and only data is taken
    /// from it (as Import-PowerShellDataFile does): no command in it runs.</summary>
    public static AnalysisDefinition Read(PSCmdlet cmdlet, object value, string parameter)
    {
        var raw = value is PSObject wrapped ? wrapped.BaseObject : value;
        switch (raw)
        {
            case AnalysisDefinition definition:
                return definition;
            case IDictionary table:
                return AnalysisDefinition.FromDictionary((IDictionary)Plain(table)!);
            case string path:
                return AnalysisDefinition.FromDictionary((IDictionary)Plain(ReadDataFile(cmdlet, path, parameter))!);
            case FileInfo file:
                return AnalysisDefinition.FromDictionary((IDictionary)Plain(ReadDataFile(cmdlet, file.FullName, parameter))!);
            default:
                throw new AnalysisDefinitionException("InvalidAnalysisDefinition", parameter, $"-{parameter} is a {raw?.GetType().Name ?? "null"}, not a hashtable or the path of a .psd1 file.",
                    $"Give a hashtable, e.g. -{parameter} @{{ Metrics = 'ErrorRate', 'Latency' }}, or the path of a .psd1 file that holds one.");
        }
    }

    /// <summary>The one hashtable a .psd1 file holds, as data (nothing in it runs); <paramref name="subject"/> names it in errors
    /// (e.g. "Train" gives TrainDefinitionNotFound, InvalidTrainDefinitionFile).</summary>
    internal static Hashtable ReadDataFile(PSCmdlet cmdlet, string path, string parameter, string subject = "Analysis")
    {
        string resolved;
        try
        {
            resolved = cmdlet.GetResolvedProviderPathFromPSPath(path, out var provider).SingleOrDefault() ?? path;
            if (provider.Name != "FileSystem")
            {
                throw new ItemNotFoundException();
            }
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or PSArgumentException or NotSupportedException)
        {
            throw new AnalysisDefinitionException($"{subject}DefinitionNotFound", parameter, $"The {subject.ToLowerInvariant()} definition file '{path}' does not exist.",
                "Give the path of a .psd1 file, or a hashtable.");
        }

        if (!File.Exists(resolved))
        {
            throw new AnalysisDefinitionException($"{subject}DefinitionNotFound", parameter, $"The {subject.ToLowerInvariant()} definition file '{path}' does not exist.",
                "Give the path of a .psd1 file, or a hashtable.");
        }

        var ast = Parser.ParseFile(resolved, out _, out var errors);
        if (errors.Length > 0)
        {
            var first = errors[0];
            throw new AnalysisDefinitionException($"Invalid{subject}DefinitionFile", parameter,
                $"'{path}' is not valid PowerShell data: line {first.Extent.StartLineNumber}: {first.Message}", "Fix the file; it must hold one hashtable, @{ ... }.");
        }

        var statements = ast.EndBlock?.Statements;
        var table = statements is { Count: 1 } && statements[0] is PipelineAst { PipelineElements.Count: 1 } pipeline &&
            pipeline.PipelineElements[0] is CommandExpressionAst { Expression: HashtableAst hashtable } ? hashtable : null;
        if (table is null || ast.BeginBlock is not null || ast.ProcessBlock is not null || ast.ParamBlock is not null)
        {
            throw new AnalysisDefinitionException($"Invalid{subject}DefinitionFile", parameter, $"'{path}' does not hold one hashtable.", "Write the definition as one hashtable, @{ Metrics = ... }, and nothing else.");
        }

        try
        {
            return (Hashtable)table.SafeGetValue();
        }
        catch (InvalidOperationException ex)
        {
            throw new AnalysisDefinitionException($"Invalid{subject}DefinitionFile", parameter, $"'{path}' holds more than data: {ex.Message}",
                "Write only constants (text, numbers, $true, $false, arrays and hashtables) in the file; no variables, commands or expressions run.");
        }
    }

    /// <summary>The value with PowerShell's wrappers taken off, hashtables kept in order, lists as arrays.</summary>
    internal static object? Plain(object? value)
    {
        value = value is PSObject wrapped ? wrapped.BaseObject : value;
        switch (value)
        {
            case IDictionary table:
                var copy = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry entry in table)
                {
                    var key = entry.Key is PSObject k ? k.BaseObject : entry.Key;
                    copy[key] = Plain(entry.Value);
                }

                return copy;
            case string text:
                return text;
            case IEnumerable list:
                return list.Cast<object?>().Select(Plain).ToArray();
            default:
                return value;
        }
    }
}
