using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace BlueGreen.LoadContext;

/// <summary>
/// Keeps the AWS layer and its third-party dependencies (AWSSDK.Core and friends) apart from
/// whatever other modules loaded into the default context, so that an older AWSSDK.Core loaded
/// by AWS.Tools cannot break this module, nor this module break AWS.Tools.
/// </summary>
public sealed class BlueGreenLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyDirectory;

    private BlueGreenLoadContext(string dependencyDirectory)
        : base("BlueGreen", isCollectible: false)
    {
        _dependencyDirectory = dependencyDirectory;
    }

    /// <summary>The names that the default context hands to this context instead of loading itself.</summary>
    private static readonly string[] IsolatedEntryAssemblies = { "BlueGreen.Aws" };

    private static BlueGreenLoadContext? s_instance;

    /// <summary>
    /// Called once by the module initializer. From then on, when the default context cannot find
    /// one of the isolated entry assemblies, it is loaded into this context from the dependency folder.
    /// </summary>
    public static void Initialize(string dependencyDirectory)
    {
        if (s_instance is not null)
        {
            return;
        }

        s_instance = new BlueGreenLoadContext(dependencyDirectory);
        Default.Resolving += ResolveEntryAssembly;
    }

    private static Assembly? ResolveEntryAssembly(AssemblyLoadContext context, AssemblyName name)
    {
        var instance = s_instance;
        if (instance is null || name.Name is null || Array.IndexOf(IsolatedEntryAssemblies, name.Name) < 0)
        {
            return null;
        }

        return instance.LoadFromAssemblyName(name);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null)
        {
            return null;
        }

        var candidate = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        if (!File.Exists(candidate))
        {
            // Not ours to provide: the framework (or the default context) has it.
            return null;
        }

        // The framework's own copy wins when it is at least as new (System.Text.Json on .NET 8+).
        if (IsPlatformAssembly(assemblyName))
        {
            return null;
        }

        return LoadFromAssemblyPath(candidate);
    }

    private static bool IsPlatformAssembly(AssemblyName assemblyName)
    {
        var platform = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string;
        if (platform is null)
        {
            return false;
        }

        foreach (var path in platform.Split(Path.PathSeparator))
        {
            if (!string.Equals(Path.GetFileNameWithoutExtension(path), assemblyName.Name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var platformVersion = AssemblyName.GetAssemblyName(path).Version;
            return assemblyName.Version is null || (platformVersion is not null && platformVersion >= assemblyName.Version);
        }

        return false;
    }
}
