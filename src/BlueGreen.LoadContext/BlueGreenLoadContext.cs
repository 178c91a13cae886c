using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
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

    /// <summary>
    /// The names that the default context hands to this context instead of loading itself: the AWS
    /// layer, the database layer of schema migrations (net8.0, with Npgsql and Microsoft.Data.Sqlite),
    /// YamlDotNet, which Core reads SAM templates with and other modules (powershell-yaml) carry in
    /// other versions, and MathNet.Numerics, which the canary judge takes its normal distribution from.
    /// </summary>
    private static readonly string[] IsolatedEntryAssemblies = { "BlueGreen.Aws", "BlueGreen.Schema.Data", "YamlDotNet", "MathNet.Numerics" };

    /// <summary>
    /// The module's own assemblies that live in the default context beside the manifest. Their types are
    /// shared with the isolated assemblies (BlueGreen.Schema.Data implements a BlueGreen.Core interface),
    /// so this context never loads a second copy of them, whatever the dependency folder holds.
    /// </summary>
    private static readonly string[] SharedAssemblies = { "BlueGreen", "BlueGreen.Core", "Microsoft.SqlServer.TransactSql.ScriptDom" };

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
        if (assemblyName.Name is null || Array.IndexOf(SharedAssemblies, assemblyName.Name) >= 0)
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

    /// <summary>
    /// Native libraries of the isolated assemblies (SQLite's e_sqlite3) come from
    /// <c>runtimes/&lt;rid&gt;/native</c> in the dependency folder, as NuGet lays them out.
    /// </summary>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (string directory in NativeDirectories())
        {
            foreach (string file in NativeFileNames(unmanagedDllName))
            {
                string candidate = Path.Combine(directory, file);
                if (File.Exists(candidate))
                {
                    return LoadUnmanagedDllFromPath(candidate);
                }
            }
        }

        return IntPtr.Zero;
    }

    private IEnumerable<string> NativeDirectories()
    {
        string runtimes = Path.Combine(_dependencyDirectory, "runtimes");
        string architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        yield return Path.Combine(runtimes, RuntimeInformation.RuntimeIdentifier, "native");
        if (os == "linux" && IsMusl())
        {
            yield return Path.Combine(runtimes, "linux-musl-" + architecture, "native");
        }

        yield return Path.Combine(runtimes, os + "-" + architecture, "native");
        yield return _dependencyDirectory;
    }

    private static IEnumerable<string> NativeFileNames(string name)
    {
        yield return name;
        if (OperatingSystem.IsWindows())
        {
            yield return name + ".dll";
        }
        else
        {
            string suffix = OperatingSystem.IsMacOS() ? ".dylib" : ".so";
            yield return name + suffix;
            yield return "lib" + name + suffix;
        }
    }

    private static bool IsMusl() =>
        RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase) ||
        File.Exists("/etc/alpine-release");

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
