using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace BlueGreen.Analyzers;

/// <summary>
/// BG1008: code in a cmdlet class (or a cmdlet base class, or a type nested in one) never writes to System.Console:
/// the host may have no console, and such output escapes redirection, -OutVariable, transcripts and remoting.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConsoleWriteAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableHashSet<string> Writers = ImmutableHashSet.Create(
        "Write", "WriteLine", "Out", "Error", "OpenStandardOutput", "OpenStandardError", "SetOut", "SetError");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rules.ConsoleWrite);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = PowerShellSymbols.From(start.Compilation);
            var console = start.Compilation.GetTypeByMetadataName("System.Console");
            if (symbols is null || console is null)
            {
                return;
            }

            start.RegisterOperationAction(c =>
            {
                var member = c.Operation switch
                {
                    IInvocationOperation invocation => (ISymbol)invocation.TargetMethod,
                    IPropertyReferenceOperation property => property.Property,
                    IMethodReferenceOperation reference => reference.Method,
                    _ => null,
                };
                if (member is not null && SymbolEqualityComparer.Default.Equals(member.ContainingType, console) && Writers.Contains(member.Name) &&
                    symbols.IsInsideCmdlet(c.ContainingSymbol.ContainingType))
                {
                    c.ReportDiagnostic(Diagnostic.Create(Rules.ConsoleWrite, c.Operation.Syntax.GetLocation(), "Console." + member.Name));
                }
            }, OperationKind.Invocation, OperationKind.PropertyReference, OperationKind.MethodReference);
        });
    }
}
