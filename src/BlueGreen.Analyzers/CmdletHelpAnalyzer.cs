using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BlueGreen.Analyzers;

/// <summary>
/// BG1009-BG1010: every public cmdlet has a help page, docs/cmdlets/Verb-Noun.md, given to the compiler as an
/// AdditionalFiles item, and the page has a '### -Name' part under '## PARAMETERS' for each public [Parameter] of the
/// cmdlet and its base classes (the same reading as the Help tests and build/ConvertTo-MamlHelp.ps1).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CmdletHelpAnalyzer : DiagnosticAnalyzer
{
    private static readonly Regex Section = new(@"^##\s+(.+?)\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex ParameterHeading = new(@"^###\s+-([A-Za-z][A-Za-z0-9_]*)\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex Fence = new(@"^\s*(```|~~~)", RegexOptions.CultureInvariant);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rules.HelpPage, Rules.ParameterHelp);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = PowerShellSymbols.From(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            var pages = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var file in start.Options.AdditionalFiles)
            {
                if (file.Path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && file.GetText(start.CancellationToken) is { } text)
                {
                    pages[Path.GetFileNameWithoutExtension(file.Path)] = new HashSet<string>(DocumentedParameters(text.ToString()), StringComparer.OrdinalIgnoreCase);
                }
            }

            start.RegisterSymbolAction(c => Analyze(c, symbols, pages), SymbolKind.NamedType);
        });
    }

    /// <summary>The parameter names of a page's '### -Name' headings under '## PARAMETERS', outside code fences.</summary>
    public static IEnumerable<string> DocumentedParameters(string markdown)
    {
        var inParameters = false;
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (Fence.IsMatch(trimmed))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            var section = Section.Match(trimmed);
            if (section.Success)
            {
                inParameters = section.Groups[1].Value == "PARAMETERS";
                continue;
            }

            var heading = ParameterHeading.Match(trimmed);
            if (inParameters && heading.Success)
            {
                yield return heading.Groups[1].Value;
            }
        }
    }

    private static void Analyze(SymbolAnalysisContext context, PowerShellSymbols symbols, Dictionary<string, HashSet<string>> pages)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.DeclaredAccessibility != Accessibility.Public || type.IsAbstract || symbols.Declaration(type) is not { } cmdlet)
        {
            return;
        }

        if (!pages.TryGetValue(cmdlet.Name, out var documented))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.HelpPage, cmdlet.ClassLocation, cmdlet.Name));
            return;
        }

        foreach (var parameter in symbols.Parameters(type).Where(p => !documented.Contains(p.Name)))
        {
            var declaredHere = SymbolEqualityComparer.Default.Equals(parameter.ContainingType, type);
            var location = declaredHere ? parameter.Locations.FirstOrDefault() ?? cmdlet.ClassLocation : cmdlet.ClassLocation;
            context.ReportDiagnostic(Diagnostic.Create(Rules.ParameterHelp, location, parameter.Name, cmdlet.Name));
        }
    }
}
