using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Schema;

/// <summary>One versioned migration file, read and classified.</summary>
public sealed class MigrationScript
{
    private static readonly Regex PhaseHeader = new(
        @"^\s*--\s*bluegreen:phase\s+(?<phase>\w+)\s*$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase,
        TimeSpan.FromSeconds(1));

    internal MigrationScript(string path, string relativePath, MigrationVersion version, string description, SchemaPhase phase, string text, IReadOnlyList<StatementVerdict> verdicts)
    {
        Path = path;
        RelativePath = relativePath;
        Version = version;
        Description = description;
        Phase = phase;
        Text = text;
        Verdicts = verdicts;
        Checksum = ComputeChecksum(text);
    }

    public string Path { get; }

    /// <summary>The path below the migration folder, with forward slashes: what the history table records.</summary>
    public string RelativePath { get; }

    public MigrationVersion Version { get; }

    public string Description { get; }

    public SchemaPhase Phase { get; }

    public string Text { get; }

    /// <summary>SHA-256 (hex) of the normalised text: see <see cref="Normalise"/>.</summary>
    public string Checksum { get; }

    public IReadOnlyList<StatementVerdict> Verdicts { get; }

    /// <summary>True for a script of CREATE/DROP INDEX CONCURRENTLY: it runs outside a transaction.</summary>
    public bool RequiresNoTransaction => Verdicts.Any(v => v.RequiresNoTransaction);

    /// <summary>The indexes the script builds concurrently: an INVALID one left by a failed build is dropped before a retry.</summary>
    public IReadOnlyList<string> ConcurrentIndexNames => Verdicts.Where(v => v.ConcurrentIndexName is not null).Select(v => v.ConcurrentIndexName!).ToArray();

    /// <summary>The worst kind of change in the script.</summary>
    public ChangeKind Kind => Verdicts.Count == 0 ? ChangeKind.Additive : Verdicts.Select(v => v.Kind).OrderByDescending(Severity).First();

    /// <summary>What the history table records as the classification: the kind and the rule ids, e.g. "destructive: ban-drop-column".</summary>
    public string ClassificationSummary
    {
        get
        {
            string[] rules = Verdicts.SelectMany(v => v.Rules).Select(r => r.Id).Distinct().ToArray();
            string kind = Kind.ToString().ToLowerInvariant();
            return rules.Length == 0 ? kind : kind + ": " + string.Join(", ", rules);
        }
    }

    /// <summary>The waivers the script uses, as "rule: reason" lines, for the history table.</summary>
    public string WaiverSummary => string.Join("\n", Verdicts.SelectMany(v => v.Waivers).Select(w => w.ToString()).Distinct());

    public override string ToString() => $"{Version} {Description} ({Phase})";

    /// <summary>
    /// Normalisation keeps a checksum stable across editors and checkouts: a byte-order mark,
    /// CRLF or CR line ends, trailing spaces and trailing blank lines do not count; anything
    /// else, comments included (they carry waivers), does.
    /// </summary>
    public static string Normalise(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        string s = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n');
        string[] lines = s.Split('\n');
        var builder = new StringBuilder(s.Length);
        foreach (string line in lines)
        {
            builder.Append(line.TrimEnd(' ', '\t')).Append('\n');
        }

        return builder.ToString().TrimEnd('\n');
    }

    public static string ComputeChecksum(string text)
    {
        using var sha = SHA256.Create();
        byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(Normalise(text)));
        var hex = new StringBuilder(hash.Length * 2);
        foreach (byte b in hash)
        {
            hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }

    /// <summary>Reads the <c>-- bluegreen:phase expand|contract</c> header from the comment lines at the top.</summary>
    internal static SchemaPhase? ReadPhaseHeader(string text, string file)
    {
        foreach (string raw in text.TrimStart('\uFEFF').Split('\n', '\r'))
        {
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!line.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }

            Match match = PhaseHeader.Match(line);
            if (match.Success)
            {
                return ParsePhase(match.Groups["phase"].Value)
                    ?? throw new SchemaMigrationException("InvalidPhaseHeader", $"{file}: the phase header says '{match.Groups["phase"].Value}'; it must be 'expand' or 'contract'.");
            }
        }

        return null;
    }

    internal static SchemaPhase? ParsePhase(string value) => value.ToUpperInvariant() switch
    {
        "EXPAND" => SchemaPhase.Expand,
        "CONTRACT" => SchemaPhase.Contract,
        _ => null,
    };

    private static int Severity(ChangeKind kind) => kind switch
    {
        ChangeKind.Destructive => 3,
        ChangeKind.Tightening => 2,
        ChangeKind.Unknown => 1,
        _ => 0,
    };
}

/// <summary>A migration version: dot-separated numbers, compared number by number (1.10 comes after 1.9).</summary>
public sealed class MigrationVersion : IComparable<MigrationVersion>, IEquatable<MigrationVersion>
{
    private readonly long[] _parts;

    private MigrationVersion(string text, long[] parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    public static MigrationVersion Parse(string text)
    {
        if (!TryParse(text, out MigrationVersion? version))
        {
            throw new FormatException($"'{text}' is not a migration version (numbers separated by dots).");
        }

        return version!;
    }

    public static bool TryParse(string? text, out MigrationVersion? version)
    {
        version = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        string[] pieces = text!.Split('.');
        var parts = new long[pieces.Length];
        for (int i = 0; i < pieces.Length; i++)
        {
            if (!long.TryParse(pieces[i], NumberStyles.None, CultureInfo.InvariantCulture, out parts[i]))
            {
                return false;
            }
        }

        // Leading zeros are for sorting file names; 0001 and 1 are the same version.
        version = new MigrationVersion(string.Join(".", parts.Select(p => p.ToString(CultureInfo.InvariantCulture))), parts);
        return true;
    }

    public int CompareTo(MigrationVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        for (int i = 0; i < Math.Max(_parts.Length, other._parts.Length); i++)
        {
            long a = i < _parts.Length ? _parts[i] : 0;
            long b = i < other._parts.Length ? other._parts[i] : 0;
            if (a != b)
            {
                return a.CompareTo(b);
            }
        }

        return 0;
    }

    public bool Equals(MigrationVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is MigrationVersion other && Equals(other);

    public override int GetHashCode() => Enumerable.Reverse(_parts).SkipWhile(p => p == 0).Aggregate(17, (h, p) => (h * 31) + p.GetHashCode());

    public override string ToString() => Text;

    public static bool operator ==(MigrationVersion? left, MigrationVersion? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(MigrationVersion? left, MigrationVersion? right) => !(left == right);

    public static bool operator <(MigrationVersion left, MigrationVersion right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator >(MigrationVersion left, MigrationVersion right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator <=(MigrationVersion left, MigrationVersion right) => !(left > right);

    public static bool operator >=(MigrationVersion left, MigrationVersion right) => !(left < right);
}
