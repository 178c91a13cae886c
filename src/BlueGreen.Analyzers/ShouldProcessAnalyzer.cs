using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace BlueGreen.Analyzers;

/// <summary>
/// BG1005-BG1007: a cmdlet whose verb changes state supports ShouldProcess, one that supports it calls it, and one that
/// calls it supports it. "Calls it" means a call to Cmdlet.ShouldProcess or ICommandRuntime.ShouldProcess somewhere in
/// the class (nested types and lambdas included) or in a base class compiled with it: the analyzer does not follow
/// each path to each change (docs/analyzers.md says what that leaves to review and tests).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ShouldProcessAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Rules.SupportsShouldProcess, Rules.ShouldProcessCall, Rules.UndeclaredShouldProcess);

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

            var callers = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);
            var cmdlets = new ConcurrentBag<CmdletDeclaration>();

            start.RegisterSymbolAction(c =>
            {
                var cmdlet = symbols.Declaration((INamedTypeSymbol)c.Symbol);
                if (cmdlet is null)
                {
                    return;
                }

                cmdlets.Add(cmdlet);
                if (Verbs.StateChanging.Contains(cmdlet.Verb) && !cmdlet.SupportsShouldProcess)
                {
                    c.ReportDiagnostic(Diagnostic.Create(Rules.SupportsShouldProcess, cmdlet.AttributeLocation, cmdlet.Verb, cmdlet.Noun));
                }
            }, SymbolKind.NamedType);

            start.RegisterOperationAction(c =>
            {
                var method = ((IInvocationOperation)c.Operation).TargetMethod;
                if (method.Name == "ShouldProcess" && (IsType(method.ContainingType, symbols.Cmdlet) || IsType(method.ContainingType, symbols.CommandRuntime)))
                {
                    // The call counts for the type it is written in and every type that one is nested in.
                    for (var type = c.ContainingSymbol.ContainingType; type is not null; type = type.ContainingType)
                    {
                        callers[type] = true;
                    }
                }
            }, OperationKind.Invocation);

            start.RegisterCompilationEndAction(c =>
            {
                foreach (var cmdlet in cmdlets)
                {
                    var callsItself = callers.ContainsKey(cmdlet.Type);
                    if (cmdlet.SupportsShouldProcess && !callsItself && !BaseCalls(cmdlet.Type, callers))
                    {
                        c.ReportDiagnostic(Diagnostic.Create(Rules.ShouldProcessCall, cmdlet.AttributeLocation, cmdlet.Verb, cmdlet.Noun));
                    }

                    if (!cmdlet.SupportsShouldProcess && callsItself)
                    {
                        c.ReportDiagnostic(Diagnostic.Create(Rules.UndeclaredShouldProcess, cmdlet.AttributeLocation, cmdlet.Verb, cmdlet.Noun));
                    }
                }
            });
        });
    }

    private static bool BaseCalls(INamedTypeSymbol type, ConcurrentDictionary<INamedTypeSymbol, bool> callers)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (callers.ContainsKey(current.OriginalDefinition) || callers.ContainsKey(current))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsType(INamedTypeSymbol? type, INamedTypeSymbol? expected) =>
        expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);
}
