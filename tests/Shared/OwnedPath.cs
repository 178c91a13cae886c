using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace BlueGreen.Testing;

/// <summary>
/// The only way tests (and benchmarks) delete files: what they made, strictly inside the temp directory,
/// or inside the repository's build and test output (out/, .tools/, bin/, obj/, TestResults/: the folders
/// .gitignore keeps out of the repository). Anything else is refused with an error before anything is deleted.
/// The path is resolved as the file system sees it ('..' after a symbolic link included), and that
/// resolved path is what is deleted. A symbolic link at the end of the path is deleted as a link, never
/// what it points to; a recursive delete removes links inside a folder without following them.
/// build/OwnedItems.psm1 (Remove-OwnedItem) is the same guard for PowerShell: change both together.
/// </summary>
internal static class OwnedPath
{
    /// <summary>The folders inside the repository that hold only what builds and tests make.</summary>
    public static readonly IReadOnlyList<string> OutputFolders = ["out", ".tools", "bin", "obj", "TestResults"];

    private const int MaxLinks = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    private static StringComparison Comparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Deletes a file, a folder with everything in it, or a link, after <see cref="Check(string)"/>; a missing path is no error.</summary>
    public static void Delete(string path) => Delete(path, OwnedRoots.OfThisMachine());

    /// <summary>The resolved path that <see cref="Delete(string)"/> would delete; throws when it would refuse.</summary>
    public static string Check(string path) => Check(path, OwnedRoots.OfThisMachine());

    internal static void Delete(string path, OwnedRoots roots)
    {
        string resolved = Check(path, roots);
        var file = new FileInfo(resolved);
        if (file.LinkTarget is not null)
        {
            // The link itself, not its target.
            if (file.Attributes.HasFlag(FileAttributes.Directory))
            {
                Directory.Delete(resolved, recursive: false);
            }
            else
            {
                File.Delete(resolved);
            }
        }
        else if (Directory.Exists(resolved))
        {
            Directory.Delete(resolved, recursive: true);
        }
        else if (file.Exists)
        {
            File.Delete(resolved);
        }
    }

    internal static string Check(string path, OwnedRoots roots)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Refusal(path, path, "the path is empty", roots);
        }

        string resolved = Resolve(path);
        if (IsFileSystemRoot(resolved))
        {
            throw Refusal(path, resolved, "it is the root of a file system", roots);
        }

        foreach (string home in roots.Homes)
        {
            if (IsSameOrInside(home, resolved))
            {
                throw Refusal(path, resolved, $"it is or holds the home directory {home}", roots);
            }
        }

        if (roots.Repository is { } repository)
        {
            if (IsSameOrInside(repository, resolved))
            {
                throw Refusal(path, resolved, "it is or holds the repository", roots);
            }

            // Inside the repository the repository's rule holds, also when the repository is in the temp directory.
            if (IsInside(resolved, repository))
            {
                string[] parts = Path.GetRelativePath(repository, resolved).Split(Separators, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Any(part => OutputFolders.Any(folder => string.Equals(part, folder, Comparison))))
                {
                    return resolved;
                }

                throw Refusal(path, resolved, "in the repository only build and test output may be deleted", roots);
            }
        }

        if (IsSameOrInside(roots.Temp, resolved))
        {
            throw Refusal(path, resolved, "it is or holds the temp directory", roots);
        }

        if (IsFileSystemRoot(roots.Temp) || roots.Homes.Any(home => string.Equals(home, roots.Temp, Comparison)))
        {
            throw Refusal(path, resolved, $"the temp directory {roots.Temp} is a file system root or a home directory, so nothing in it is taken as owned", roots);
        }

        if (IsInside(resolved, roots.Temp))
        {
            return resolved;
        }

        throw Refusal(path, resolved, "it is outside the temp directory and the repository", roots);
    }

    /// <summary>
    /// The absolute path with '.', '..' and symbolic links resolved as the file system resolves them;
    /// the last part stays unresolved when it is a name, so that a link there is the link itself.
    /// Parts that do not exist are taken as they are.
    /// </summary>
    internal static string Resolve(string path)
    {
        string absolute = Absolute(path);
        string trimmed = absolute.TrimEnd(Separators);
        string leaf = Path.GetFileName(trimmed);
        bool endsInName = trimmed.Length == absolute.Length && leaf.Length > 0 && leaf is not "." and not "..";
        return endsInName ? Path.Join(RealPath(Path.GetDirectoryName(trimmed)!), leaf) : RealPath(absolute);
    }

    internal static string RealPath(string path)
    {
        string absolute = Absolute(path);
        string current = Path.GetPathRoot(absolute)!;
        var pending = new Stack<string>(Parts(absolute[current.Length..]).Reverse());
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string next = Path.Join(current, part);
            string? target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"More than {MaxLinks} symbolic links in '{absolute}'.");
            }

            if (Path.IsPathFullyQualified(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            foreach (string targetPart in Parts(target).Reverse())
            {
                pending.Push(targetPart);
            }
        }

        return current;
    }

    // Not Path.GetFullPath: it would take '..' after a link textually, where the file system goes up from the link's target.
    private static string Absolute(string path) => Path.IsPathFullyQualified(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path);

    internal static bool IsInside(string path, string folder) =>
        path.Length > folder.Length && path.StartsWith(folder, Comparison) &&
        (Separators.Contains(path[folder.Length]) || Separators.Contains(folder[^1]));

    private static bool IsSameOrInside(string path, string folder) => string.Equals(path, folder, Comparison) || IsInside(path, folder);

    private static bool IsFileSystemRoot(string path) => string.Equals(Path.GetPathRoot(path), path, Comparison) || Path.GetDirectoryName(path) is null;

    private static IEnumerable<string> Parts(string path) => path.Split(Separators, StringSplitOptions.RemoveEmptyEntries);

    private static InvalidOperationException Refusal(string path, string resolved, string reason, OwnedRoots roots)
    {
        string shown = string.Equals(path, resolved, StringComparison.Ordinal) ? $"'{path}'" : $"'{path}' ({resolved})";
        return new InvalidOperationException(
            $"Refusing to delete {shown}: {reason}. Nothing was deleted. Builds and tests delete only what they made: strictly inside the temp directory " +
            $"({roots.Temp}), or inside the repository's {string.Join(", ", OutputFolders.Select(folder => folder + "/"))} ({roots.Repository ?? "repository not found"}).");
    }
}

/// <summary>The places <see cref="OwnedPath"/> measures against, resolved; tests of the guard make their own.</summary>
internal sealed record OwnedRoots(string Temp, string? Repository, IReadOnlyList<string> Homes)
{
    public static OwnedRoots OfThisMachine() => Create(Path.GetTempPath(), FindRepository(), [
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        Environment.GetEnvironmentVariable("HOME"),
        Environment.GetEnvironmentVariable("USERPROFILE")]);

    public static OwnedRoots Create(string temp, string? repository, IEnumerable<string?> homes) => new(
        OwnedPath.RealPath(temp),
        repository is null ? null : OwnedPath.RealPath(repository),
        homes.Where(home => !string.IsNullOrWhiteSpace(home)).Select(home => OwnedPath.RealPath(home!)).Distinct().ToList());

    /// <summary>The folder holding BlueGreen.sln, above the running tests; null when they run from elsewhere.</summary>
    private static string? FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "BlueGreen.sln")))
            {
                return folder.FullName;
            }
        }

        return null;
    }
}
