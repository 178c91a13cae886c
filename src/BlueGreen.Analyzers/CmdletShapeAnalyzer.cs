using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BlueGreen.Analyzers;

/// <summary>BG1001-BG1004: a cmdlet class is sealed, named after its verb and noun, uses an approved verb and declares its output.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CmdletShapeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Rules.Sealed, Rules.Name, Rules.ApprovedVerb, Rules.OutputType);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = PowerShellSymbols.From(start.Compilation);
            if (symbols is not null)
            {
                start.RegisterSymbolAction(c => Analyze(c, symbols), SymbolKind.NamedType);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, PowerShellSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var cmdlet = symbols.Declaration(type);
        if (cmdlet is null)
        {
            return;
        }

        if (!type.IsSealed)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.Sealed, cmdlet.ClassLocation, type.Name));
        }

        if (type.Name != cmdlet.Verb + cmdlet.Noun + "Command")
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.Name, cmdlet.ClassLocation, type.Name, cmdlet.Verb, cmdlet.Noun));
        }

        if (!Verbs.Approved.Contains(cmdlet.Verb))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.ApprovedVerb, cmdlet.AttributeLocation, cmdlet.Verb, cmdlet.Name));
        }

        if (!type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.OutputTypeAttribute)))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.OutputType, cmdlet.ClassLocation, type.Name));
        }
    }
}
