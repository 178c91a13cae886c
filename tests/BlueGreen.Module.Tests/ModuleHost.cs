using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace BlueGreen.Module.Tests;

/// <summary>A PowerShell runspace with the built module imported from out/BlueGreen.</summary>
public sealed class ModuleHost : IDisposable
{
    private readonly Runspace _runspace;

    public ModuleHost()
    {
        ManifestPath = LocateManifest();
        var state = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
        Invoke("Import-Module -Name $args[0] -ErrorAction Stop", ManifestPath);
    }

    public string ManifestPath { get; }

    public static string LocateManifest()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("BLUEGREEN_MODULE_MANIFEST");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "out", "BlueGreen", "BlueGreen.psd1");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("The built module was not found: run 'dotnet pwsh ./build.ps1 Build' first.");
    }

    /// <summary>Runs a script; returns its output and the errors it wrote (terminating errors are thrown).</summary>
    public (Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors) Invoke(string script, params object[] arguments)
    {
        using var shell = Create(script, arguments);
        var output = shell.Invoke();
        return (output, new List<ErrorRecord>(shell.Streams.Error));
    }

    public PowerShell Create(string script, params object[] arguments)
    {
        var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        foreach (var argument in arguments)
        {
            shell.AddArgument(argument);
        }

        return shell;
    }

    public void Dispose() => _runspace.Dispose();
}
