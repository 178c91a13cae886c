using System.Linq;
using System.Management.Automation;

namespace BlueGreen.Module.Tests;

/// <summary>What the module exports and how its cmdlets are declared.</summary>
public sealed class ModuleShapeTests : System.IDisposable
{
    private readonly ModuleHost _host = new();

    [Fact]
    public void ExportsExactlyTheManifestCmdlets()
    {
        var (exported, _) = _host.Invoke("(Get-Module BlueGreen).ExportedCmdlets.Keys | Sort-Object");
        var (declared, _) = _host.Invoke("(Import-PowerShellDataFile $args[0]).CmdletsToExport | Sort-Object", _host.ManifestPath);

        Assert.Contains("Get-BlueGreenDeployment", exported.Select(o => o.ToString()));
        Assert.Equal(declared.Select(o => o.ToString()), exported.Select(o => o.ToString()));
    }

    [Fact]
    public void EveryCmdletDeclaresItsOutputType_AndTheAwsCommonParameters()
    {
        var (commands, _) = _host.Invoke("Get-Command -Module BlueGreen");
        foreach (var command in commands.Select(c => (CommandInfo)c.BaseObject))
        {
            if (((CmdletInfo)command).Verb != "Stop")
            {
                Assert.NotEmpty(command.OutputType);
            }

            // The sandbox, the schema and the session-default cmdlets do not talk to AWS.
            if (command.Name.EndsWith("Sandbox", System.StringComparison.Ordinal) || command.Name.EndsWith("SchemaMigration", System.StringComparison.Ordinal)
                || command.Name.EndsWith("BlueGreenDefault", System.StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var parameter in new[] { "Region", "ProfileName", "ProfileLocation", "AccessKey", "SecretKey", "SessionToken", "Credential", "EndpointUrl" })
            {
                Assert.True(command.Parameters.ContainsKey(parameter), $"{command.Name} lacks -{parameter}");
            }
        }
    }

    [Fact]
    public void DeploymentObjects_HaveATableView()
    {
        var (views, _) = _host.Invoke("Get-FormatData -TypeName BlueGreen.Core.Deployments.BlueGreenDeployment");
        Assert.Single(views);
    }

    public void Dispose() => _host.Dispose();
}
