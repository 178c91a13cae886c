using Microsoft.CodeAnalysis;

namespace BlueGreen.Analyzers;

/// <summary>The module's cmdlet conventions; docs/analyzers.md explains each one and how to satisfy it.</summary>
public static class Rules
{
    private const string Category = "BlueGreen.Cmdlets";
    private const string Docs = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/analyzers.md#";

    public static readonly DiagnosticDescriptor Sealed = Rule("BG1001", "Cmdlet classes are sealed",
        "Cmdlet class '{0}' is not sealed: make it sealed (put shared code in an abstract base class without [Cmdlet])");

    public static readonly DiagnosticDescriptor Name = Rule("BG1002", "Cmdlet classes are named <Verb><Noun>Command",
        "Cmdlet class '{0}' declares {1}-{2}: name the class '{1}{2}Command'");

    public static readonly DiagnosticDescriptor ApprovedVerb = Rule("BG1003", "Cmdlets use an approved verb",
        "'{0}' is not an approved PowerShell verb (Get-Verb lists them): use the constant from VerbsCommon, VerbsLifecycle, VerbsData, ... that says what {1} does");

    public static readonly DiagnosticDescriptor OutputType = Rule("BG1004", "Cmdlets declare [OutputType]",
        "Cmdlet class '{0}' has no [OutputType]: declare what it writes to the pipeline ([OutputType(typeof(void))] when nothing)");

    public static readonly DiagnosticDescriptor SupportsShouldProcess = Rule("BG1005", "Cmdlets that change state support ShouldProcess",
        "{0}-{1} changes state (verb '{0}') but its [Cmdlet] does not set SupportsShouldProcess = true: set it, so that -WhatIf and -Confirm work");

    public static readonly DiagnosticDescriptor ShouldProcessCall = Rule("BG1006", "Cmdlets that support ShouldProcess call it",
        "{0}-{1} sets SupportsShouldProcess but never calls ShouldProcess: call it before each change, or -WhatIf changes things anyway", compilationEnd: true);

    public static readonly DiagnosticDescriptor UndeclaredShouldProcess = Rule("BG1007", "Cmdlets that call ShouldProcess declare it",
        "{0}-{1} calls ShouldProcess but its [Cmdlet] does not set SupportsShouldProcess = true: without it the call always answers yes and -WhatIf does not exist", compilationEnd: true);

    public static readonly DiagnosticDescriptor ConsoleWrite = Rule("BG1008", "Cmdlets do not write to the console",
        "'{0}' in a cmdlet bypasses the PowerShell streams: use WriteObject, WriteVerbose, WriteWarning, WriteInformation or WriteError");

    public static readonly DiagnosticDescriptor HelpPage = Rule("BG1009", "Cmdlets have a help page",
        "{0} has no help page: add docs/cmdlets/{0}.md (docs/contributing-help.md describes the page)");

    public static readonly DiagnosticDescriptor ParameterHelp = Rule("BG1010", "Every public parameter is documented",
        "-{0} of {1} is not documented: add a '### -{0}' part under '## PARAMETERS' in docs/cmdlets/{1}.md");

    private static DiagnosticDescriptor Rule(string id, string title, string message, bool compilationEnd = false) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: Docs + id.ToLowerInvariant(),
            customTags: compilationEnd ? new[] { WellKnownDiagnosticTags.CompilationEnd } : System.Array.Empty<string>());
}
