using System;
using System.Management.Automation;
using BlueGreen.Core.Pipelines;

namespace BlueGreen.Internal;

/// <summary>The pipeline a command runs in (BLUEGREEN_PIPELINE, else the platform's own variables), and how its lines
/// reach the step's log: as Write-Host does, so they land on stdout where the runner reads them.</summary>
internal static class PipelineSupport
{
    public static PipelineReporter ReporterFor(Cmdlet cmdlet, Action<Action> onPipelineThread)
    {
        PipelineKind kind;
        try
        {
            kind = PipelineDetector.Detect(Environment.GetEnvironmentVariable);
        }
        catch (ArgumentException ex)
        {
            onPipelineThread(() => cmdlet.WriteWarning(ex.Message + " It is ignored: no pipeline commands are written."));
            kind = PipelineKind.None;
        }

        return new PipelineReporter(PipelineWriter.For(kind,
            line => onPipelineThread(() => cmdlet.WriteInformation(new HostInformationMessage { Message = line }, HostTags)),
            Environment.GetEnvironmentVariable));
    }

    private static readonly string[] HostTags = { "PSHOST" };

    /// <summary>Sets $LASTEXITCODE to 1 (on the pipeline thread), so a step that ends by 'exit $LASTEXITCODE', and the
    /// runners' own PowerShell wrappers, fail.</summary>
    public static void SetFailedExitCode(PSCmdlet cmdlet) => cmdlet.SessionState.PSVariable.Set("global:LASTEXITCODE", 1);

    /// <summary>An error written with -ErrorAction (or $ErrorActionPreference) SilentlyContinue or Ignore is the caller's to handle.</summary>
    public static bool Silenced(PSCmdlet cmdlet)
    {
        if (cmdlet.MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var bound) && bound is ActionPreference action)
        {
            return action is ActionPreference.SilentlyContinue or ActionPreference.Ignore;
        }

        return cmdlet.SessionState.PSVariable.GetValue("ErrorActionPreference") is ActionPreference preference
            && preference is ActionPreference.SilentlyContinue or ActionPreference.Ignore;
    }

    public static string Title(PSCmdlet cmdlet, ErrorRecord record) =>
        $"{cmdlet.MyInvocation.MyCommand.Name}: {record.FullyQualifiedErrorId.Split(',')[0]}";

    public static string Message(ErrorRecord record)
    {
        var message = record.ErrorDetails?.Message ?? record.Exception.Message;
        return record.ErrorDetails?.RecommendedAction is { Length: > 0 } action ? message + " " + action : message;
    }
}
