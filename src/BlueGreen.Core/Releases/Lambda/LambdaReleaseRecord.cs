using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace BlueGreen.Core.Releases.Lambda;

/// <summary>Where a release the module drives stands, as its record says.</summary>
public enum LambdaReleaseState
{
    /// <summary>Traffic moves along the policy's steps; whoever watches takes the next step when it is due.</summary>
    Shifting,

    /// <summary>Green's share was set by hand (Set-TrafficShift -Percent): it stays there until -Continue or -Complete.</summary>
    Held,

    /// <summary>The alias points at green alone.</summary>
    Succeeded,

    /// <summary>An alarm fired: the alias points at blue alone again.</summary>
    RolledBack,

    /// <summary>Stopped in flight by Undo-Deployment: the alias points at blue alone again.</summary>
    Undone,

    /// <summary>Undone after it succeeded: the alias points at blue (the version before the release) again.</summary>
    Reverted,
}

/// <summary>
/// The journal of a Lambda release the module drives itself, kept on the alias's Description (at most 256 characters)
/// so that every step is one conditional <c>UpdateAlias</c>: the weights and the record that explains them change
/// together or not at all. Versioned text, one line of <c>key=value</c> words after the marker <c>bluegreen/1</c>:
/// <code>bluegreen/1 id=k3f9x2qa state=Shifting blue=1 green=2 policy=Canary10Percent5Minutes step=0 weight=10 start=1764646000 origin=1764646000 at=1764646000</code>
/// Times are Unix seconds of AWS's clock (the answers' Date), never the local one. <c>origin</c> is when the
/// policy's schedule counts from: a step is due at origin + its minute; -Continue moves it so the next step is due now.
/// Readers of version 1 ignore keys they do not know, so later writers may add some; a new meaning needs <c>bluegreen/2</c>.
/// </summary>
public sealed class LambdaReleaseRecord : IEquatable<LambdaReleaseRecord>
{
    public const string Marker = "bluegreen/";

    private static readonly char[] Space = { ' ' };

    private static readonly string[] Required = { "id", "state", "blue", "green", "policy", "step", "weight", "start", "origin", "at" };

    public const string Prefix = Marker + "1";

    /// <summary>What Lambda keeps of an alias description.</summary>
    public const int MaxLength = 256;

    public LambdaReleaseRecord(string token, LambdaReleaseState state, string blue, string green, TrafficShiftPolicy policy, int step, double weight,
        DateTimeOffset start, DateTimeOffset origin, DateTimeOffset at)
    {
        Token = token ?? throw new ArgumentNullException(nameof(token));
        State = state;
        Blue = blue ?? throw new ArgumentNullException(nameof(blue));
        Green = green ?? throw new ArgumentNullException(nameof(green));
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        Step = step;
        Weight = weight;
        Start = Seconds(start);
        Origin = Seconds(origin);
        At = Seconds(at);
    }

    /// <summary>The release's own part of its id (<c>lambda:function:alias:token</c>).</summary>
    public string Token { get; }

    public LambdaReleaseState State { get; private set; }

    /// <summary>The version the alias pointed at before the release.</summary>
    public string Blue { get; }

    /// <summary>The version released.</summary>
    public string Green { get; }

    public TrafficShiftPolicy Policy { get; }

    /// <summary>The index in <see cref="TrafficShiftPolicy.Steps"/> of the last step taken (-1 before the first).</summary>
    public int Step { get; private set; }

    /// <summary>Green's share of the alias's traffic now, 0 to 100.</summary>
    public double Weight { get; private set; }

    public DateTimeOffset Start { get; }

    /// <summary>When the policy's schedule counts from.</summary>
    public DateTimeOffset Origin { get; private set; }

    /// <summary>When the record last changed (a step, a hold, the end).</summary>
    public DateTimeOffset At { get; private set; }

    /// <summary>Why it ended otherwise than well, in a word: <c>alarm</c>, <c>undo</c>; the details are in the tags.</summary>
    public string? Why { get; private set; }

    public bool InFlight => State is LambdaReleaseState.Shifting or LambdaReleaseState.Held;

    /// <summary>A new release token: 8 lower-case letters and digits.</summary>
    public static string NewToken()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        var bytes = new byte[8];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }

        return new string(bytes.Select(b => alphabet[b % alphabet.Length]).ToArray());
    }

    /// <summary>The same release, moved on.</summary>
    public LambdaReleaseRecord With(LambdaReleaseState state, int step, double weight, DateTimeOffset at, DateTimeOffset? origin = null, string? why = null)
    {
        var copy = (LambdaReleaseRecord)MemberwiseClone();
        copy.State = state;
        copy.Step = step;
        copy.Weight = weight;
        copy.At = Seconds(at);
        copy.Origin = origin is { } o ? Seconds(o) : Origin;
        copy.Why = why ?? Why;
        return copy;
    }

    public override string ToString()
    {
        var text = new StringBuilder(Prefix);
        Add("id", Token);
        Add("state", State.ToString());
        Add("blue", Blue);
        Add("green", Green);
        Add("policy", Policy.ShortName);
        Add("step", Step.ToString(CultureInfo.InvariantCulture));
        Add("weight", Weight.ToString("0.##", CultureInfo.InvariantCulture));
        Add("start", Unix(Start));
        Add("origin", Unix(Origin));
        Add("at", Unix(At));
        if (Why is not null)
        {
            Add("why", Why);
        }

        return text.ToString();

        void Add(string key, string value) => text.Append(' ').Append(key).Append('=').Append(value);
    }

    /// <summary>Reads an alias description. False with no problem when it is not a record at all (the alias was never
    /// released by the module, or its description was replaced); false with a problem when it is one this version cannot read.</summary>
    public static bool TryParse(string? text, out LambdaReleaseRecord? record, out string? problem)
    {
        record = null;
        problem = null;
        if (text is null || !text.StartsWith(Marker, StringComparison.Ordinal))
        {
            return false;
        }

        var words = text.Split(Space, StringSplitOptions.RemoveEmptyEntries);
        if (words[0] != Prefix)
        {
            problem = $"The alias's release record is of format '{words[0]}', which this version of BlueGreen does not read (it reads {Prefix}).";
            return false;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in words.Skip(1))
        {
            var equals = word.IndexOf('=');
            if (equals <= 0)
            {
                problem = $"The alias's release record has a word without a value: '{word}'.";
                return false;
            }

            values[word.Substring(0, equals)] = word.Substring(equals + 1);
        }

        string? missing = Required.FirstOrDefault(k => !values.ContainsKey(k) || values[k].Length == 0);
        if (missing is not null)
        {
            problem = $"The alias's release record has no '{missing}'.";
            return false;
        }

        if (!Enum.TryParse<LambdaReleaseState>(values["state"], ignoreCase: false, out var state) || !Enum.IsDefined(typeof(LambdaReleaseState), state) || char.IsDigit(values["state"][0]))
        {
            problem = $"The alias's release record has an unknown state '{values["state"]}'.";
            return false;
        }

        if (!TrafficShiftPolicy.TryParse(values["policy"], out var policy, out _))
        {
            problem = $"The alias's release record has an unknown policy '{values["policy"]}'.";
            return false;
        }

        if (!int.TryParse(values["step"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var step) || step < -1 || step >= policy!.Steps().Length
            || !double.TryParse(values["weight"], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var weight) || weight < 0 || weight > 100
            || !TryUnix(values["start"], out var start) || !TryUnix(values["origin"], out var origin) || !TryUnix(values["at"], out var at))
        {
            problem = "The alias's release record has a step, weight or time out of range.";
            return false;
        }

        record = new LambdaReleaseRecord(values["id"], state, values["blue"], values["green"], policy, step, weight, start, origin, at)
        {
            Why = values.TryGetValue("why", out var why) && why.Length > 0 ? why : null,
        };
        return true;
    }

    public bool Equals(LambdaReleaseRecord? other) => other is not null && string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as LambdaReleaseRecord);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    internal static DateTimeOffset Seconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    private static string Unix(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static bool TryUnix(string text, out DateTimeOffset time)
    {
        time = default;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }
}

/// <summary>
/// What does not fit on the alias: kept in the function's tags, one set per alias, under keys
/// <c>bluegreen:&lt;alias&gt;:&lt;field&gt;</c>. Tag values allow only letters, digits, spaces and <c>_.:/=+-@</c>, at most 256
/// characters: text is escaped (<see cref="Escape"/>: any other character, and <c>+</c> and <c>@</c>, as <c>@</c> and two hex
/// digits per UTF-8 byte), lists are joined by <c>+</c>, and a value longer than a tag holds goes on in
/// <c>&lt;key&gt;.2</c>, <c>&lt;key&gt;.3</c>, ... Fields of one release start with its token and a space, so what an older
/// release left is never read as the current one's.
/// <list type="bullet">
/// <item><c>alarms</c>: the release's alarms; <c>note</c>: why it ended (the alarm that fired and its reason);
/// <c>about</c>: its -Description.</item>
/// <item><c>history</c>: earlier releases of the alias, newest first, each <c>token/state/blue/green/start/end</c>,
/// as many as fit in one tag.</item>
/// <item><c>description</c>: the alias's own description from before the module first released it.</item>
/// </list>
/// </summary>
public static class LambdaReleaseTags
{
    public const int MaxValueLength = 256;

    public const int MaxKeyLength = 128;

    public const string Alarms = "alarms";

    public const string Note = "note";

    public const string About = "about";

    public const string History = "history";

    public const string Description = "description";

    private static readonly char[] Plus = { '+' };

    /// <summary>The key of a field of an alias: long alias names are shortened to a hash so the key stays within 128.</summary>
    public static string Key(string alias, string field)
    {
        if (alias is null)
        {
            throw new ArgumentNullException(nameof(alias));
        }

        var name = alias.Length <= 64 ? alias : "h" + Hash(alias);
        return $"bluegreen:{name}:{field}";
    }

    /// <summary>Escapes text for a tag value.</summary>
    public static string Escape(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.' or ':' or '/' or '=' or '-' or ' ')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('@').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    public static string Unescape(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '@' && i + 2 < text.Length && byte.TryParse(text.Substring(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>A release's field: its token, a space, the escaped items joined by <c>+</c>; split over as many tags as it needs.</summary>
    public static IReadOnlyDictionary<string, string> Field(string alias, string field, string token, IEnumerable<string> items)
    {
        var value = token + " " + string.Join("+", items.Select(Escape));
        return Split(Key(alias, field), value);
    }

    /// <summary>A field's value split over <c>key</c>, <c>key.2</c>, ...</summary>
    public static IReadOnlyDictionary<string, string> Split(string key, string value)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var part = 1;
        for (var offset = 0; offset < value.Length || part == 1; offset += MaxValueLength, part++)
        {
            var length = Math.Min(MaxValueLength, value.Length - offset);
            tags[part == 1 ? key : key + "." + part.ToString(CultureInfo.InvariantCulture)] = value.Substring(offset, length);
        }

        return tags;
    }

    /// <summary>A field's value put together again from its parts; null when there is none.</summary>
    public static string? Join(IReadOnlyDictionary<string, string> tags, string key)
    {
        if (tags is null || !tags.TryGetValue(key, out var first))
        {
            return null;
        }

        var value = new StringBuilder(first);
        for (var part = 2; tags.TryGetValue(key + "." + part.ToString(CultureInfo.InvariantCulture), out var next); part++)
        {
            value.Append(next);
        }

        return value.ToString();
    }

    /// <summary>Every key a field may take, given the tags there are (for removing it).</summary>
    public static IEnumerable<string> KeysOf(IReadOnlyDictionary<string, string> tags, string key)
    {
        if (tags is null)
        {
            yield break;
        }

        if (tags.ContainsKey(key))
        {
            yield return key;
        }

        for (var part = 2; tags.ContainsKey(key + "." + part.ToString(CultureInfo.InvariantCulture)); part++)
        {
            yield return key + "." + part.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The items of a release's field, or null when the tags hold none for <paramref name="token"/>.</summary>
    public static IReadOnlyList<string>? Read(IReadOnlyDictionary<string, string> tags, string alias, string field, string token)
    {
        var value = Join(tags, Key(alias, field));
        if (value is null || !value.StartsWith(token + " ", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = value.Substring(token.Length + 1);
        return rest.Length == 0 ? Array.Empty<string>() : rest.Split('+').Select(Unescape).ToList();
    }

    /// <summary>One earlier release, as the history keeps it.</summary>
    public static string HistoryEntry(LambdaReleaseRecord record) =>
        record is null ? throw new ArgumentNullException(nameof(record))
            : string.Join("/", record.Token, record.State.ToString(), Escape(record.Blue), Escape(record.Green), record.Start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                record.At.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>The history with <paramref name="record"/> put first, dropping the oldest entries that no longer fit in one tag.</summary>
    public static string PushHistory(string? history, LambdaReleaseRecord record)
    {
        var entries = new List<string> { HistoryEntry(record) };
        var token = record.Token + "/";
        entries.AddRange((history ?? string.Empty).Split(Plus, StringSplitOptions.RemoveEmptyEntries).Where(e => !e.StartsWith(token, StringComparison.Ordinal)));
        while (entries.Count > 1 && string.Join("+", entries).Length > MaxValueLength)
        {
            entries.RemoveAt(entries.Count - 1);
        }

        return string.Join("+", entries);
    }

    /// <summary>The earlier releases a history holds, newest first (unreadable entries are skipped).</summary>
    public static IReadOnlyList<LambdaHistoryEntry> ReadHistory(string? history)
    {
        var result = new List<LambdaHistoryEntry>();
        foreach (var entry in (history ?? string.Empty).Split(Plus, StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('/');
            if (parts.Length == 6 && Enum.TryParse<LambdaReleaseState>(parts[1], false, out var state) && !char.IsDigit(parts[1][0])
                && long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var start) && long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var end))
            {
                result.Add(new LambdaHistoryEntry(parts[0], state, Unescape(parts[2]), Unescape(parts[3]), DateTimeOffset.FromUnixTimeSeconds(start), DateTimeOffset.FromUnixTimeSeconds(end)));
            }
        }

        return result;
    }

    private static string Hash(string text)
    {
        using var sha = SHA256.Create();
        return string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(text)).Take(8).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }
}

/// <summary>An earlier release of an alias, as the history tag keeps it.</summary>
public sealed class LambdaHistoryEntry
{
    public LambdaHistoryEntry(string token, LambdaReleaseState state, string blue, string green, DateTimeOffset start, DateTimeOffset end)
    {
        Token = token;
        State = state;
        Blue = blue;
        Green = green;
        Start = start;
        End = end;
    }

    public string Token { get; }

    public LambdaReleaseState State { get; }

    public string Blue { get; }

    public string Green { get; }

    public DateTimeOffset Start { get; }

    /// <summary>When its record last changed: its end, unless it was still in flight when a later one replaced it.</summary>
    public DateTimeOffset End { get; }
}
