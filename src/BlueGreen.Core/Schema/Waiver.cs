using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace BlueGreen.Core.Schema;

/// <summary>
/// An explicit, reasoned exception to a rule, written in a comment just above the statement:
/// <c>-- bluegreen:waive ban-drop-column: the old version never reads this column</c>.
/// Only a comment that starts on a line of its own binds to the statement after it; a waiver
/// after a statement on its line, inside a statement, in a string, or above nothing applies to
/// nothing and is reported (<c>waiver-applies-to-nothing</c>).
/// Waivers are recorded with the migration in the history table.
/// </summary>
public sealed class Waiver
{
    private static readonly Regex Pattern = new(
        @"bluegreen:waive\s+(?<rules>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)\s*(?::(?<reason>.*))?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Multiline,
        TimeSpan.FromSeconds(1));

    private static readonly Regex Marker = new(@"bluegreen:waive", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));

    public Waiver(string ruleId, string reason)
    {
        RuleId = ruleId;
        Reason = reason;
    }

    public string RuleId { get; }

    public string Reason { get; }

    public override string ToString() => RuleId + ": " + Reason;

    /// <summary>
    /// True when nothing but whitespace and comments comes before the T-SQL comment token at
    /// <paramref name="index"/> on its line: only such a comment can hold a waiver for the next statement.
    /// </summary>
    internal static bool StartsOwnLine(IList<TSqlParserToken> tokens, int index)
    {
        for (int i = index - 1; i >= 0; i--)
        {
            TSqlParserToken token = tokens[i];
            if (token.TokenType is TSqlTokenType.WhiteSpace or TSqlTokenType.SingleLineComment or TSqlTokenType.MultilineComment)
            {
                if (token.Text.IndexOf('\n') >= 0 || token.Text.IndexOf('\r') >= 0)
                {
                    return true;
                }

                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>True when the text holds something written as a waiver, well-formed or not.</summary>
    public static bool Mentions(string text) => text is not null && Marker.IsMatch(text);

    /// <summary>Reads the waivers in a statement's leading comments; those without a reason are reported, not honoured.</summary>
    public static IReadOnlyList<Waiver> Parse(IEnumerable<string> comments, out IReadOnlyList<string> missingReason)
    {
        var waivers = new List<Waiver>();
        var incomplete = new List<string>();
        foreach (string comment in comments)
        {
            foreach (Match match in Pattern.Matches(comment))
            {
                string reason = match.Groups["reason"].Value.Trim();
                if (reason.EndsWith("*/", StringComparison.Ordinal))
                {
                    reason = reason.Substring(0, reason.Length - 2).Trim();
                }

                foreach (string rule in match.Groups["rules"].Value.Split(','))
                {
                    string id = rule.Trim().ToLowerInvariant();
                    if (reason.Length == 0)
                    {
                        incomplete.Add(id);
                    }
                    else
                    {
                        waivers.Add(new Waiver(id, reason));
                    }
                }
            }
        }

        missingReason = incomplete;
        return waivers;
    }
}
