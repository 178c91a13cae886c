using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace BlueGreen.Analyzers;

/// <summary>The System.Management.Automation types the rules look for, resolved once per compilation.</summary>
internal sealed class PowerShellSymbols
{
    private PowerShellSymbols(Compilation compilation, INamedTypeSymbol cmdlet, INamedTypeSymbol cmdletAttribute)
    {
        Cmdlet = cmdlet;
        CmdletAttribute = cmdletAttribute;
        OutputTypeAttribute = compilation.GetTypeByMetadataName("System.Management.Automation.OutputTypeAttribute");
        ParameterAttribute = compilation.GetTypeByMetadataName("System.Management.Automation.ParameterAttribute");
        CommandRuntime = compilation.GetTypeByMetadataName("System.Management.Automation.ICommandRuntime");
    }

    public INamedTypeSymbol Cmdlet { get; }

    public INamedTypeSymbol CmdletAttribute { get; }

    public INamedTypeSymbol? OutputTypeAttribute { get; }

    public INamedTypeSymbol? ParameterAttribute { get; }

    public INamedTypeSymbol? CommandRuntime { get; }

    /// <summary>Null when the compilation does not reference PowerShell: then no rule applies.</summary>
    public static PowerShellSymbols? From(Compilation compilation)
    {
        var cmdlet = compilation.GetTypeByMetadataName("System.Management.Automation.Cmdlet");
        var attribute = compilation.GetTypeByMetadataName("System.Management.Automation.CmdletAttribute");
        return cmdlet is null || attribute is null ? null : new PowerShellSymbols(compilation, cmdlet, attribute);
    }

    public bool DerivesFromCmdlet(INamedTypeSymbol? type)
    {
        for (var current = type?.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, Cmdlet))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the type, or a type it is nested in, is a cmdlet or a cmdlet base class.</summary>
    public bool IsInsideCmdlet(INamedTypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (DerivesFromCmdlet(current))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A class deriving from Cmdlet with a [Cmdlet] attribute, or null for any other type.</summary>
    public CmdletDeclaration? Declaration(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class || !DerivesFromCmdlet(type))
        {
            return null;
        }

        var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, CmdletAttribute));
        if (attribute is null || attribute.ConstructorArguments.Length < 2 ||
            attribute.ConstructorArguments[0].Value is not string verb || attribute.ConstructorArguments[1].Value is not string noun)
        {
            return null;
        }

        var supportsShouldProcess = attribute.NamedArguments.Any(a => a.Key == "SupportsShouldProcess" && a.Value.Value is true);
        var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? type.Locations.FirstOrDefault() ?? Location.None;
        return new CmdletDeclaration(type, verb, noun, supportsShouldProcess, location);
    }

    /// <summary>The [Parameter] properties and fields a cmdlet binds, its base classes' included, by name.</summary>
    public IEnumerable<ISymbol> Parameters(INamedTypeSymbol type)
    {
        var seen = new HashSet<string>();
        for (var current = type; current is not null && !SymbolEqualityComparer.Default.Equals(current, Cmdlet); current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is not (IPropertySymbol or IFieldSymbol) || member.DeclaredAccessibility != Accessibility.Public || member.IsStatic)
                {
                    continue;
                }

                if (member.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, ParameterAttribute)) && seen.Add(member.Name))
                {
                    yield return member;
                }
            }
        }
    }
}

/// <summary>What a cmdlet class says about itself in its [Cmdlet] attribute.</summary>
internal sealed class CmdletDeclaration
{
    public CmdletDeclaration(INamedTypeSymbol type, string verb, string noun, bool supportsShouldProcess, Location attributeLocation)
    {
        Type = type;
        Verb = verb;
        Noun = noun;
        SupportsShouldProcess = supportsShouldProcess;
        AttributeLocation = attributeLocation;
    }

    public INamedTypeSymbol Type { get; }

    public string Verb { get; }

    public string Noun { get; }

    public bool SupportsShouldProcess { get; }

    public Location AttributeLocation { get; }

    public Location ClassLocation => Type.Locations.FirstOrDefault() ?? Location.None;

    public string Name => Verb + "-" + Noun;
}
