using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace BlueGreen.Core.Completion;

/// <summary>The profile names a prompt can complete: read from the shared files, never from AWS.</summary>
public static class AwsPlaces
{
    /// <summary>
    /// The profile names in the shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, or
    /// <paramref name="profileLocation"/> for the credentials file). Only section headers are read: no key is ever held.
    /// </summary>
    public static IReadOnlyList<string> ProfileNames(string? profileLocation, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var config = environment("AWS_CONFIG_FILE") is { Length: > 0 } c ? c : Path.Combine(home, ".aws", "config");
        var credentials = !string.IsNullOrEmpty(profileLocation) ? profileLocation!
            : environment("AWS_SHARED_CREDENTIALS_FILE") is { Length: > 0 } s ? s : Path.Combine(home, ".aws", "credentials");

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in Sections(credentials))
        {
            names.Add(name);
        }

        foreach (var section in Sections(config))
        {
            // The config file names profiles "[profile x]" (and the default "[default]"); other sections are not profiles.
            if (section == "default")
            {
                names.Add(section);
            }
            else if (section.StartsWith("profile ", StringComparison.Ordinal) && section.Substring(8).Trim() is { Length: > 0 } name)
            {
                names.Add(name);
            }
        }

        return names.ToList();
    }

    private static IEnumerable<string> Sections(string path)
    {
        string[] lines;
        try
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : Array.Empty<string>();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length > 2 && line[0] == '[' && line[line.Length - 1] == ']')
            {
                yield return line.Substring(1, line.Length - 2).Trim();
            }
        }
    }
}
