using System.Management.Automation;
using BlueGreen.Core.Sandbox;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Stops a sandbox started by Start-BlueGreenSandbox.</summary>
[Cmdlet(VerbsLifecycle.Stop, "BlueGreenSandbox", SupportsShouldProcess = true, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Stop-BlueGreenSandbox.md")]
[OutputType(typeof(BlueGreenSandbox))]
public sealed class StopBlueGreenSandboxCommand : AsyncCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int ProcessId { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"process {ProcessId}", "Stop the BlueGreen sandbox"))
        {
            return;
        }

        if (!SandboxProcess.WasStartedHere(ProcessId))
        {
            WriteError(ErrorRecords.Create(new PSArgumentException($"Process {ProcessId} is not a sandbox started in this session.", nameof(ProcessId)),
                "NotASandbox", ErrorCategory.InvalidArgument, ProcessId, "Pass the ProcessId that Start-BlueGreenSandbox returned in this session (or pipe its output)."));
            return;
        }

        var sandbox = SandboxProcess.Find(ProcessId);
        if (!SandboxProcess.Stop(ProcessId))
        {
            WriteError(ErrorRecords.Create(new ItemNotFoundException($"No process {ProcessId} is running."), "SandboxNotRunning",
                ErrorCategory.ObjectNotFound, ProcessId, "It may have stopped already; Start-BlueGreenSandbox returns the ProcessId of a new one."));
        }
        else if (PassThru && sandbox is not null)
        {
            WriteObject(sandbox);
        }
    }
}
