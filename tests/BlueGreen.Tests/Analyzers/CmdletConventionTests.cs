using System.Linq;
using System.Threading.Tasks;
using static BlueGreen.Tests.Analyzers.AnalyzerHarness;

namespace BlueGreen.Tests.Analyzers;

/// <summary>Each of the module's cmdlet rules (docs/analyzers.md), on code that must and code that must not trigger it.</summary>
public sealed class CmdletConventionTests
{
    private const string Remove = """
        [Cmdlet(VerbsCommon.Remove, "Thing", SupportsShouldProcess = true)]
        [OutputType(typeof(void))]
        public sealed class RemoveThingCommand : PSCmdlet
        {
            [Parameter(Mandatory = true)]
            public string Name { get; set; } = "";

            protected override void ProcessRecord()
            {
                if (ShouldProcess(Name, "Remove the thing")) { WriteVerbose("removed"); }
            }
        }
        """;

    [Fact]
    public async Task A_cmdlet_that_keeps_every_convention_has_no_diagnostic()
    {
        var diagnostics = await AnalyzeAsync(Remove, ("Remove-Thing", HelpPage("Remove-Thing", "Name")));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task BG1001_an_unsealed_cmdlet_class()
    {
        var diagnostics = await AnalyzeAsync(Remove.Replace("public sealed class", "public class"), ("Remove-Thing", HelpPage("Remove-Thing", "Name")));

        Assert.Equal(new[] { "BG1001" }, Ids(diagnostics));
        Assert.Contains("RemoveThingCommand", diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task BG1001_not_for_an_abstract_base_without_a_Cmdlet_attribute()
    {
        var diagnostics = await AnalyzeAsync("""
            public abstract class ThingCmdlet : PSCmdlet { }

            [Cmdlet(VerbsCommon.Get, "Thing")]
            [OutputType(typeof(string))]
            public sealed class GetThingCommand : ThingCmdlet { }
            """, ("Get-Thing", HelpPage("Get-Thing")));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task BG1002_a_class_name_that_does_not_match_the_attribute()
    {
        var diagnostics = await AnalyzeAsync("""
            [Cmdlet(VerbsCommon.Get, "Thing")]
            [OutputType(typeof(string))]
            public sealed class GetThingsCommand : Cmdlet { }

            [Cmdlet(VerbsCommon.Get, "Other")]
            [OutputType(typeof(string))]
            public sealed class OtherGetter : Cmdlet { }
            """, ("Get-Thing", HelpPage("Get-Thing")), ("Get-Other", HelpPage("Get-Other")));

        Assert.Equal(new[] { "BG1002", "BG1002" }, Ids(diagnostics));
        Assert.Contains(diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("name the class 'GetThingCommand'", System.StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("name the class 'GetOtherCommand'", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task BG1003_a_verb_Get_Verb_does_not_list()
    {
        var diagnostics = await AnalyzeAsync("""
            [Cmdlet("Fetch", "Thing")]
            [OutputType(typeof(string))]
            public sealed class FetchThingCommand : Cmdlet { }

            [Cmdlet("Get", "Thing")]
            [OutputType(typeof(string))]
            public sealed class GetThingCommand : Cmdlet { }
            """, ("Fetch-Thing", HelpPage("Fetch-Thing")), ("Get-Thing", HelpPage("Get-Thing")));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("BG1003", diagnostic.Id);
        Assert.StartsWith("'Fetch' is not an approved PowerShell verb", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void BG1003_the_approved_list_is_PowerShells_verb_constants()
    {
        var compilation = EmptyCompilation();
        var constants = new[] { "VerbsCommon", "VerbsCommunications", "VerbsData", "VerbsDiagnostic", "VerbsLifecycle", "VerbsOther", "VerbsSecurity" }
            .SelectMany(type => compilation.GetTypeByMetadataName("System.Management.Automation." + type)!.GetMembers().OfType<Microsoft.CodeAnalysis.IFieldSymbol>())
            .Where(field => field.IsConst)
            .Select(field => (string)field.ConstantValue!)
            .ToHashSet(System.StringComparer.Ordinal);

        // PowerShell Standard 5.1 predates the verbs PowerShell 6 and 7 added; Get-Verb in 7.6 lists them.
        var newer = new[] { "Build", "Deploy" };
        Assert.Equal(constants.Concat(newer).Order(System.StringComparer.Ordinal), BlueGreen.Analyzers.Verbs.Approved.Order(System.StringComparer.Ordinal));
    }

    [Fact]
    public async Task BG1004_no_OutputType()
    {
        var diagnostics = await AnalyzeAsync("""
            [Cmdlet(VerbsCommon.Get, "Thing")]
            public sealed class GetThingCommand : Cmdlet { }
            """, ("Get-Thing", HelpPage("Get-Thing")));

        Assert.Equal(new[] { "BG1004" }, Ids(diagnostics));
    }

    [Fact]
    public async Task BG1005_a_state_changing_verb_without_SupportsShouldProcess()
    {
        var diagnostics = await AnalyzeAsync(Remove.Replace(", SupportsShouldProcess = true", string.Empty), ("Remove-Thing", HelpPage("Remove-Thing", "Name")));

        // Without SupportsShouldProcess, its ShouldProcess call is also one nobody can answer.
        Assert.Equal(new[] { "BG1005", "BG1007" }, Ids(diagnostics));
    }

    [Fact]
    public async Task BG1005_not_for_verbs_that_only_read_or_wait_or_Invoke()
    {
        var diagnostics = await AnalyzeAsync("""
            [Cmdlet(VerbsCommon.Get, "Thing")][OutputType(typeof(string))] public sealed class GetThingCommand : Cmdlet { }
            [Cmdlet(VerbsLifecycle.Wait, "Thing")][OutputType(typeof(string))] public sealed class WaitThingCommand : Cmdlet { }
            [Cmdlet(VerbsLifecycle.Invoke, "Thing")][OutputType(typeof(string))] public sealed class InvokeThingCommand : Cmdlet { }
            [Cmdlet(VerbsDiagnostic.Test, "Thing")][OutputType(typeof(bool))] public sealed class TestThingCommand : Cmdlet { }
            """, ("Get-Thing", HelpPage("Get-Thing")), ("Wait-Thing", HelpPage("Wait-Thing")), ("Invoke-Thing", HelpPage("Invoke-Thing")), ("Test-Thing", HelpPage("Test-Thing")));

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("Set")]
    [InlineData("Start")]
    [InlineData("Stop")]
    [InlineData("Undo")]
    [InlineData("Clear")]
    [InlineData("New")]
    [InlineData("Export")]
    public async Task BG1005_for_each_verb_that_changes_state(string verb)
    {
        var diagnostics = await AnalyzeAsync($$"""
            [Cmdlet("{{verb}}", "Thing")][OutputType(typeof(void))] public sealed class {{verb}}ThingCommand : Cmdlet { }
            """, ($"{verb}-Thing", HelpPage($"{verb}-Thing")));

        Assert.Equal(new[] { "BG1005" }, Ids(diagnostics));
    }

    [Fact]
    public async Task BG1006_SupportsShouldProcess_without_a_call()
    {
        var diagnostics = await AnalyzeAsync("""
            [Cmdlet(VerbsCommon.Set, "Thing", SupportsShouldProcess = true)]
            [OutputType(typeof(void))]
            public sealed class SetThingCommand : PSCmdlet
            {
                protected override void ProcessRecord() => WriteVerbose("changed without asking");
            }
            """, ("Set-Thing", HelpPage("Set-Thing")));

        Assert.Equal(new[] { "BG1006" }, Ids(diagnostics));
    }

    [Fact]
    public async Task BG1006_not_when_a_base_class_helper_or_a_lambda_or_the_command_runtime_calls_it()
    {
        var diagnostics = await AnalyzeAsync("""
            public abstract class ChangeCmdlet : PSCmdlet
            {
                protected bool Confirm(string target) => ShouldProcess(target, "Change it");
            }

            [Cmdlet(VerbsCommon.Set, "Thing", SupportsShouldProcess = true)]
            [OutputType(typeof(void))]
            public sealed class SetThingCommand : ChangeCmdlet
            {
                protected override void ProcessRecord() { if (Confirm("thing")) { WriteVerbose("changed"); } }
            }

            [Cmdlet(VerbsCommon.Clear, "Thing", SupportsShouldProcess = true)]
            [OutputType(typeof(void))]
            public sealed class ClearThingCommand : PSCmdlet
            {
                protected override void ProcessRecord()
                {
                    Func<string, bool> ask = target => ShouldProcess(target);
                    if (ask("thing")) { WriteVerbose("cleared"); }
                }
            }

            [Cmdlet(VerbsLifecycle.Stop, "Thing", SupportsShouldProcess = true)]
            [OutputType(typeof(void))]
            public sealed class StopThingCommand : Cmdlet
            {
                protected override void ProcessRecord() { if (CommandRuntime.ShouldProcess("thing")) { WriteVerbose("stopped"); } }
            }
            """, ("Set-Thing", HelpPage("Set-Thing")), ("Clear-Thing", HelpPage("Clear-Thing")), ("Stop-Thing", HelpPage("Stop-Thing")));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task BG1006_a_call_in_an_unrelated_class_does_not_count()
    {
        var diagnostics = await AnalyzeAsync("""
            public static class Asker
            {
                public static bool Ask(Cmdlet cmdlet) => cmdlet.ShouldProcess("thing");
            }

            [Cmdlet(VerbsCommon.Set, "Thing", SupportsShouldProcess = true)]
            [OutputType(typeof(void))]
            public sealed class SetThingCommand : PSCmdlet { }
            """, ("Set-Thing", HelpPage("Set-Thing")));

        Assert.Equal(new[] { "BG1006" }, Ids(diagnostics));
    }

    [Fact]
    public async Task BG1007_a_ShouldProcess_call_without_SupportsShouldProcess()
    {
        var diagnostics = await AnalyzeAsync("""
            [Cmdlet(VerbsLifecycle.Invoke, "Thing")]
            [OutputType(typeof(void))]
            public sealed class InvokeThingCommand : PSCmdlet
            {
                protected override void ProcessRecord() { if (ShouldProcess("thing")) { WriteVerbose("invoked"); } }
            }

            [Cmdlet(VerbsLifecycle.Invoke, "Other", SupportsShouldProcess = true)]
            [OutputType(typeof(void))]
            public sealed class InvokeOtherCommand : PSCmdlet
            {
                protected override void ProcessRecord() { if (ShouldProcess("other")) { WriteVerbose("invoked"); } }
            }
            """, ("Invoke-Thing", HelpPage("Invoke-Thing")), ("Invoke-Other", HelpPage("Invoke-Other")));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("BG1007", diagnostic.Id);
        Assert.StartsWith("Invoke-Thing calls ShouldProcess", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task BG1008_console_writes_in_a_cmdlet_and_in_a_cmdlet_base_class()
    {
        var diagnostics = await AnalyzeAsync("""
            public abstract class NoisyCmdlet : PSCmdlet
            {
                protected void Say(string text) => Console.Error.WriteLine(text);
            }

            [Cmdlet(VerbsCommon.Get, "Thing")]
            [OutputType(typeof(void))]
            public sealed class GetThingCommand : NoisyCmdlet
            {
                protected override void ProcessRecord()
                {
                    Console.WriteLine("one");
                    Console.Out.Write("two");
                    Action<string> write = Console.Write;
                    write("three");
                    Say("four");
                }

                private sealed class Nested
                {
                    public static void Print() => Console.WriteLine("five");
                }
            }
            """, ("Get-Thing", HelpPage("Get-Thing")));

        Assert.Equal(new[] { "BG1008", "BG1008", "BG1008", "BG1008", "BG1008" }, Ids(diagnostics));
        Assert.Equal(
            new[] { "Console.Error", "Console.Out", "Console.Write", "Console.WriteLine", "Console.WriteLine" },
            diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Split('\'')[1]).OrderBy(m => m, System.StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task BG1008_not_outside_cmdlets_nor_for_reading_the_console()
    {
        var diagnostics = await AnalyzeAsync("""
            public static class Tool
            {
                public static void Print() => Console.WriteLine("a program may print");
            }

            [Cmdlet(VerbsCommon.Get, "Thing")]
            [OutputType(typeof(bool))]
            public sealed class GetThingCommand : PSCmdlet
            {
                protected override void ProcessRecord() => WriteObject(Console.IsOutputRedirected);
            }
            """, ("Get-Thing", HelpPage("Get-Thing")));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task BG1009_a_public_cmdlet_without_a_help_page()
    {
        var diagnostics = await AnalyzeAsync("""
            [Cmdlet(VerbsCommon.Get, "Thing")][OutputType(typeof(string))] public sealed class GetThingCommand : Cmdlet { }
            [Cmdlet(VerbsCommon.Get, "Hidden")][OutputType(typeof(string))] internal sealed class GetHiddenCommand : Cmdlet { }
            """, ("Get-Other", HelpPage("Get-Other")));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("BG1009", diagnostic.Id);
        Assert.StartsWith("Get-Thing has no help page: add docs/cmdlets/Get-Thing.md", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task BG1010_each_undocumented_parameter_its_base_classes_included()
    {
        var diagnostics = await AnalyzeAsync("""
            public abstract class RegionCmdlet : PSCmdlet
            {
                [Parameter]
                public string? Region { get; set; }

                // Not a parameter: no [Parameter] attribute.
                public string? Helper { get; set; }
            }

            [Cmdlet(VerbsCommon.Get, "Thing")]
            [OutputType(typeof(string))]
            public sealed class GetThingCommand : RegionCmdlet
            {
                [Parameter(Position = 0)]
                public string? Name { get; set; }

                [Parameter]
                public SwitchParameter Force { get; set; }

                [Parameter]
                public int Count;
            }
            """, ("Get-Thing", """
            # Get-Thing

            ## SYNTAX

            ### -Force

            Under SYNTAX, not a parameter's part.

            ## PARAMETERS

            ### -name

            Headings match whatever their case, as PowerShell's parameter names do.

            ```
            ### -Count
            ```

            ### CommonParameters
            """));

        Assert.Equal(new[] { "BG1010", "BG1010", "BG1010" }, Ids(diagnostics));
        Assert.Equal(
            new[] { "-Count of Get-Thing", "-Force of Get-Thing", "-Region of Get-Thing" },
            diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)[..d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).IndexOf(" is not", System.StringComparison.Ordinal)]).OrderBy(m => m, System.StringComparer.Ordinal).ToArray());
        Assert.Contains(diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("add a '### -Force' part under '## PARAMETERS' in docs/cmdlets/Get-Thing.md", System.StringComparison.Ordinal));
    }
}
