using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Schema;

/// <summary>
/// A folder of versioned migration scripts. A script's phase comes from the folder it is in
/// (<c>expand/</c> or <c>contract/</c>, at any depth) or from a <c>-- bluegreen:phase expand</c>
/// header; if both are present they must agree. File names are <c>V&lt;version&gt;__&lt;description&gt;.sql</c>
/// (the <c>V</c> is optional, and one <c>_</c> or <c>-</c> may replace the two underscores); versions are
/// numbers separated by dots and unique across both phases.
/// </summary>
public sealed class MigrationSet
{
    private static readonly Regex FileName = new(
        @"^[Vv]?(?<version>\d+(?:\.\d+)*)(?:__|_|-)(?<description>.+)\.sql$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase,
        TimeSpan.FromSeconds(1));

    private MigrationSet(string root, SqlDialect dialect, IReadOnlyList<MigrationScript> scripts)
    {
        Root = root;
        Dialect = dialect;
        Scripts = scripts;
    }

    public string Root { get; }

    public SqlDialect Dialect { get; }

    /// <summary>Every script, both phases, in version order.</summary>
    public IReadOnlyList<MigrationScript> Scripts { get; }

    public IEnumerable<MigrationScript> ScriptsOf(SchemaPhase phase) => Scripts.Where(s => s.Phase == phase);

    public static MigrationSet Load(string folder, SqlDialect dialect, LintOptions? options = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new SchemaMigrationException("MigrationFolderNotFound", $"The migration folder '{folder}' does not exist.");
        }

        string root = Path.GetFullPath(folder);
        var scripts = new List<MigrationScript>();
        var seen = new Dictionary<MigrationVersion, string>();
        var context = new ClassificationContext((options ?? new LintOptions()).PostgreSqlMajorVersion);
        foreach (string file in FindScripts(root))
        {
            string relative = Relative(root, file);
            Match name = FileName.Match(Path.GetFileName(file));
            if (!name.Success)
            {
                throw new SchemaMigrationException("InvalidMigrationFileName",
                    $"{relative}: a migration file is named V<version>__<description>.sql, for example V0003__add_display_name.sql.") { Script = relative };
            }

            MigrationVersion version = MigrationVersion.Parse(name.Groups["version"].Value);
            if (seen.TryGetValue(version, out string? other))
            {
                throw new SchemaMigrationException("DuplicateMigrationVersion",
                    $"{relative} and {other} have the same version {version}; versions are unique across both phases.") { Script = relative };
            }

            seen.Add(version, relative);
            string text = File.ReadAllText(file);
            SchemaPhase phase = ResolvePhase(relative, text);
            context.BeginScript(relative);
            IReadOnlyList<StatementVerdict> verdicts = SchemaLinter.LintText(text, dialect, relative, options, context);
            string description = name.Groups["description"].Value.Replace('_', ' ');
            scripts.Add(new MigrationScript(file, relative, version, description, phase, text, verdicts));
        }

        return new MigrationSet(root, dialect, scripts.OrderBy(s => s.Version).ToArray());
    }

    /// <summary>The .sql files under a folder, in version order where the names carry one.</summary>
    public static IReadOnlyList<string> FindScripts(string folder) =>
        Directory.EnumerateFiles(folder, "*.sql", SearchOption.AllDirectories)
            .Select(f => (File: f, Version: VersionOf(f)))
            .OrderBy(f => f.Version is null ? 1 : 0)
            .ThenBy(f => f.Version)
            .ThenBy(f => f.File, StringComparer.Ordinal)
            .Select(f => f.File)
            .ToArray();

    private static MigrationVersion? VersionOf(string file)
    {
        Match match = FileName.Match(Path.GetFileName(file));
        return match.Success && MigrationVersion.TryParse(match.Groups["version"].Value, out MigrationVersion? version) ? version : null;
    }

    private static SchemaPhase ResolvePhase(string relative, string text)
    {
        SchemaPhase? fromFolder = null;
        string[] segments = relative.Split('/');
        for (int i = 0; i < segments.Length - 1; i++)
        {
            fromFolder = MigrationScript.ParsePhase(segments[i]) ?? fromFolder;
        }

        SchemaPhase? fromHeader = MigrationScript.ReadPhaseHeader(text, relative);
        if (fromFolder is not null && fromHeader is not null && fromFolder != fromHeader)
        {
            throw new SchemaMigrationException("MigrationPhaseConflict",
                $"{relative} is in the {fromFolder.Value.ToString().ToLowerInvariant()} folder but its header says {fromHeader.Value.ToString().ToLowerInvariant()}.") { Script = relative };
        }

        return fromFolder ?? fromHeader ?? throw new SchemaMigrationException("MigrationPhaseMissing",
            $"{relative} belongs to no phase: put it under expand/ or contract/, or start it with '-- bluegreen:phase expand' (or contract).") { Script = relative };
    }

    private static string Relative(string root, string file)
    {
        string full = Path.GetFullPath(file);
        string relative = full.StartsWith(root, StringComparison.Ordinal) ? full.Substring(root.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : full;
        return relative.Replace('\\', '/');
    }
}
