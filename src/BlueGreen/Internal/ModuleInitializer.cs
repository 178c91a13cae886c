using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace BlueGreen.Internal;

/// <summary>
/// Loads the AWS layer and its dependencies from the module's <c>dependencies</c> folder, isolated
/// from other modules: an <c>AssemblyLoadContext</c> of its own on PowerShell 7, strong-named
/// side-by-side loading on Windows PowerShell 5.1.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependencyDirectory =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

    private static readonly bool IsNetFramework =
        RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    private static bool s_initialized;

    public void OnImport()
    {
        if (s_initialized)
        {
            return;
        }

        s_initialized = true;
        if (IsNetFramework)
        {
            AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;
            return;
        }

        var loadContext = Assembly.LoadFrom(Path.Combine(DependencyDirectory, "BlueGreen.LoadContext.dll"));
        loadContext.GetType("BlueGreen.LoadContext.BlueGreenLoadContext", throwOnError: true)!
            .GetMethod("Initialize", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, new object[] { DependencyDirectory });
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // The load context stays: assemblies cannot be unloaded from it, and a re-import reuses it.
        if (IsNetFramework)
        {
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveOnNetFramework;
            s_initialized = false;
        }
    }

    private static Assembly? ResolveOnNetFramework(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        var candidate = Path.Combine(DependencyDirectory, requested.Name + ".dll");
        if (!File.Exists(candidate))
        {
            return null;
        }

        // Hand out our copy only when it satisfies the request, so other modules asking for a newer
        // version of a shared dependency are not given an older one.
        var available = AssemblyName.GetAssemblyName(candidate);
        return requested.Version is null || available.Version >= requested.Version ? Assembly.LoadFrom(candidate) : null;
    }
}
