using System;
using System.Collections;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Management.Automation;
using BlueGreen.Core.Analysis;

namespace BlueGreen.Internal;

/// <summary>An analysis definition as a cmdlet takes it: a hashtable, the path of a .psd1 file holding one (read as data
/// only, by Import-PowerShellDataFile: nothing in it runs), or a definition object.</summary>
internal static class AnalysisArgument
{
    public static AnalysisDefinition Read(PSCmdlet cmdlet, object value, string parameter)
    {
        if (cmdlet is null)
        {
            throw new ArgumentNullException(nameof(cmdlet));
        }

        var raw = value is PSObject wrapped ? wrapped.BaseObject : value;
        switch (raw)
        {
            case AnalysisDefinition definition:
                return definition;
            case IDictionary table:
                return AnalysisDefinition.FromDictionary((IDictionary)Plain(table)!);
            case string or FileInfo:
                return AnalysisDefinition.FromDictionary((IDictionary)Plain(ReadDataFile(cmdlet, raw is FileInfo file ? file.FullName : (string)raw))!);
            default:
                throw new AnalysisDefinitionException("InvalidAnalysisDefinition", string.Empty, $"-{parameter} is a {raw?.GetType().Name ?? "null"}, not a hashtable or the path of a .psd1 file.",
                    $"Give a hashtable, e.g. -{parameter} @{{ Metrics = 'ErrorRate', 'Latency' }}, or the path of a .psd1 file that holds one.");
        }
    }

    private static IDictionary ReadDataFile(PSCmdlet cmdlet, string given)
    {
        var path = cmdlet.GetUnresolvedProviderPathFromPSPath(given);
        if (!File.Exists(path))
        {
            throw new AnalysisDefinitionException("AnalysisDefinitionNotFound", string.Empty, $"The analysis definition file '{path}' does not exist.", "Give the path of a .psd1 file, or a hashtable.");
        }

        try
        {
            var read = cmdlet.InvokeCommand.InvokeScript("param($p) Microsoft.PowerShell.Utility\\Import-PowerShellDataFile -LiteralPath $p", true, System.Management.Automation.Runspaces.PipelineResultTypes.None, null, path);
            if (read.Count == 1 && read[0]?.BaseObject is IDictionary data)
            {
                return data;
            }
        }
        catch (RuntimeException ex)
        {
            throw new AnalysisDefinitionException("InvalidAnalysisDefinitionFile", string.Empty, $"'{path}' is not a data file holding one hashtable: {ex.Message}",
                "Write the definition as one hashtable of data, @{ Metrics = ... }, and nothing else.");
        }

        throw new AnalysisDefinitionException("InvalidAnalysisDefinitionFile", string.Empty, $"'{path}' does not hold one hashtable.", "Write the definition as one hashtable, @{ Metrics = ... }, and nothing else.");
    }

    // Values as PowerShell hands them (PSObject-wrapped, object[] of wrapped) become plain .NET values for Core.
    private static object? Plain(object? value)
    {
        value = value is PSObject wrapped ? wrapped.BaseObject : value;
        switch (value)
        {
            case IDictionary table:
                var copy = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry entry in table)
                {
                    copy[entry.Key is PSObject key ? key.BaseObject : entry.Key] = Plain(entry.Value);
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
