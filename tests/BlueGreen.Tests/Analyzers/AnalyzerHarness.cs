using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace BlueGreen.Tests.Analyzers;

/// <summary>Compiles cmdlet source against PowerShell's reference assembly and runs the module's analyzers on it.</summary>
internal static class AnalyzerHarness
{
    public const string Usings = "using System;\nusing System.Management.Automation;\n";

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        var powerShell = Path.Combine(AppContext.BaseDirectory, "AnalyzerReferences", "System.Management.Automation.dll");
        return platform.Append(MetadataReference.CreateFromFile(powerShell)).ToImmutableArray();
    });

    /// <summary>The analyzers' diagnostics for the source (which must compile), with the given help pages as AdditionalFiles.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, params (string Name, string Markdown)[] pages)
    {
        var tree = CSharpSyntaxTree.ParseText(Usings + source, new CSharpParseOptions(LanguageVersion.Latest), path: "Cmdlets.cs");
        var compilation = CSharpCompilation.Create("Cmdlets", new[] { tree }, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The test source does not compile: " + string.Join("; ", errors));

        var files = pages.Select(page => (AdditionalText)new Page($"/repo/docs/cmdlets/{page.Name}.md", page.Markdown)).ToImmutableArray();
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new CmdletShapeAnalyzer(), new ShouldProcessAnalyzer(), new ConsoleWriteAnalyzer(), new CmdletHelpAnalyzer());
        return await compilation.WithAnalyzers(analyzers, new AnalyzerOptions(files)).GetAnalyzerDiagnosticsAsync();
    }

    /// <summary>A compilation with no source and the references the analyzer tests compile against.</summary>
    public static CSharpCompilation EmptyCompilation() => CSharpCompilation.Create("Empty", references: References.Value);

    /// <summary>A help page documenting the given parameters the way docs/cmdlets pages do.</summary>
    public static string HelpPage(string name, params string[] parameters)
    {
        var page = new StringBuilder().Append("# ").Append(name).Append("\n\n## SYNOPSIS\n\nDoes it.\n\n## PARAMETERS\n\n");
        foreach (var parameter in parameters)
        {
            page.Append("### -").Append(parameter).Append("\n\nWhat it is.\n\n```yaml\nType: String\n```\n\n");
        }

        return page.Append("### CommonParameters\n\nThe usual ones.\n\n## OUTPUTS\n").ToString();
    }

    /// <summary>The ids of the diagnostics, sorted, for exact assertions.</summary>
    public static string[] Ids(ImmutableArray<Diagnostic> diagnostics) => diagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray();

    private sealed class Page(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
