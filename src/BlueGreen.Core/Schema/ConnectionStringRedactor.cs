using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Schema;

/// <summary>Keeps passwords in connection strings out of output, logs and error messages.</summary>
public static class ConnectionStringRedactor
{
    public const string Mask = "***";

    private static readonly string[] SecretKeys = { "password", "pwd", "passwd", "user password", "passfile", "sslpassword", "sslkey", "access token", "accesstoken" };

    private static readonly Regex UriPassword = new(@"(?<scheme>[a-z][a-z0-9+.-]*://)(?<user>[^:/@\s]*):(?<password>[^@\s]*)@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex KeyValuePassword = new(@"(?<key>(?:^|;)\s*(?:password|pwd|passwd|user password|sslpassword)\s*=\s*)(?<value>'[^']*'|""[^""]*""|[^;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The connection string with every secret value replaced by <see cref="Mask"/>.</summary>
    public static string Redact(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return string.Empty;
        }

        if (UriPassword.IsMatch(connectionString))
        {
            return UriPassword.Replace(connectionString, m => m.Groups["scheme"].Value + m.Groups["user"].Value + ":" + Mask + "@");
        }

        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            bool changed = false;
            foreach (string key in new List<string>(ToKeys(builder)))
            {
                if (Array.IndexOf(SecretKeys, key.ToLowerInvariant()) >= 0)
                {
                    builder[key] = Mask;
                    changed = true;
                }
            }

            return changed ? builder.ConnectionString ?? string.Empty : connectionString!;
        }
        catch (ArgumentException)
        {
            // Not a well-formed key=value string: fall back to a pattern that still finds "password=...".
            return KeyValuePassword.Replace(connectionString, m => m.Groups["key"].Value + Mask);
        }
    }

    /// <summary>
    /// Removes from <paramref name="message"/> the whole connection string and every secret value in it,
    /// for messages that come from drivers and may quote what they were given.
    /// </summary>
    public static string Scrub(string? message, string? connectionString)
    {
        if (string.IsNullOrEmpty(message) || string.IsNullOrEmpty(connectionString))
        {
            return message ?? string.Empty;
        }

        string result = message!.Replace(connectionString!, Redact(connectionString));
        foreach (string secret in SecretValues(connectionString!))
        {
            if (secret.Length > 0)
            {
                result = result.Replace(secret, Mask);
            }
        }

        return result;
    }

    private static IEnumerable<string> SecretValues(string connectionString)
    {
        Match uri = UriPassword.Match(connectionString);
        if (uri.Success)
        {
            yield return uri.Groups["password"].Value;
            yield return Uri.UnescapeDataString(uri.Groups["password"].Value);
            yield break;
        }

        foreach (Match match in KeyValuePassword.Matches(connectionString))
        {
            string value = match.Groups["value"].Value.Trim();
            yield return value;
            if (value.Length >= 2 && (value[0] == '\'' || value[0] == '"'))
            {
                yield return value.Substring(1, value.Length - 2);
            }
        }
    }

    private static IEnumerable<string> ToKeys(DbConnectionStringBuilder builder)
    {
        foreach (object? key in builder.Keys)
        {
            if (key is string name)
            {
                yield return name;
            }
        }
    }
}
