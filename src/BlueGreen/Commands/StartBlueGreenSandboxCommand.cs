using System;
using System.IO;
using System.Management.Automation;
using BlueGreen.Core.Sandbox;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Starts the local AWS-compatible sandbox and returns once it listens.</summary>
[Cmdlet(VerbsLifecycle.Start, "BlueGreenSandbox", SupportsShouldProcess = true, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Start-BlueGreenSandbox.md")]
[OutputType(typeof(BlueGreenSandbox))]
public sealed class StartBlueGreenSandboxCommand : AsyncCmdlet
{
    /// <summary>The loopback port; 0 (the default) takes a free one.</summary>
    [Parameter(Position = 0)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>Simulated seconds per real second: 60 makes a five-minute canary take five seconds.</summary>
    [Parameter]
    [ValidateRange(0.001, 100000)]
    public double TimeScale { get; set; } = 1;

    /// <summary>Creates the sample environment (ECS service behind an ALB, Lambda alias, CodeDeploy groups, alarms).</summary>
    [Parameter]
    public SwitchParameter Seed { get; set; }

    /// <summary>Makes the sandbox the session default (Set-BlueGreenDefault): every BlueGreen cmdlet then talks to it.</summary>
    [Parameter]
    public SwitchParameter SetDefault { get; set; }

    protected override void EndProcessing()
    {
        var program = Path.Combine(Path.GetDirectoryName(typeof(StartBlueGreenSandboxCommand).Assembly.Location)!, "sandbox", "BlueGreen.Sandbox.dll");
        var where = Port == 0 ? "a free loopback port" : $"127.0.0.1:{Port}";
        if (!ShouldProcess(where, $"Start the BlueGreen sandbox (time scale {TimeScale}{(Seed ? ", seeded" : string.Empty)})"))
        {
            return;
        }

        BlueGreenSandbox? sandbox = null;
        RunAsync(async cancellationToken =>
        {
            try
            {
                sandbox = await SandboxProcess.StartAsync(program, Port, TimeScale, Seed, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxPortInUseException ex)
            {
                EmitError(ErrorRecords.Create(ex, "SandboxPortInUse", ErrorCategory.ResourceBusy, Port, "Pass another -Port, or leave -Port out to take a free one."));
            }
            catch (FileNotFoundException ex)
            {
                EmitError(ErrorRecords.Create(ex, "SandboxMissing", ErrorCategory.ObjectNotFound, program, "Reinstall the module: the sandbox folder ships inside it."));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                EmitError(ErrorRecords.Create(ex, "SandboxStartFailed", ErrorCategory.ResourceUnavailable, where,
                    "Check that the .NET 10 runtime with ASP.NET Core is installed ('dotnet --list-runtimes') and that the port is free."));
            }
        });

        if (sandbox is null)
        {
            return;
        }

        if (SetDefault)
        {
            SessionDefaults.Set(SetBlueGreenDefaultCommand.ForSandbox(sandbox));
            WriteVerbose($"Every BlueGreen cmdlet of this session now talks to the sandbox at {sandbox.Endpoint} (Get-BlueGreenDefault shows it, Clear-BlueGreenDefault forgets it).");
        }

        WriteObject(sandbox);
    }
}
