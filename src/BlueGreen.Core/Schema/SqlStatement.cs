using System;
using System.Collections.Generic;

namespace BlueGreen.Core.Schema;

/// <summary>One statement of a script, as the splitter found it.</summary>
public sealed class SqlStatement
{
    internal SqlStatement(string source, int line, int start, int end, IReadOnlyList<SqlToken> tokens, IReadOnlyList<string> leadingComments, string? lexError)
    {
        Source = source;
        Line = line;
        Start = start;
        End = end;
        Tokens = tokens;
        LeadingComments = leadingComments;
        LexError = lexError;
        Text = source.Substring(start, end - start);
    }

    /// <summary>The statement's text, without the terminating semicolon.</summary>
    public string Text { get; }

    /// <summary>The 1-based line of the statement's first token in its script.</summary>
    public int Line { get; }

    public int Start { get; }

    public int End { get; }

    /// <summary>The significant tokens: comments and whitespace are left out.</summary>
    public IReadOnlyList<SqlToken> Tokens { get; }

    /// <summary>The comments between the previous statement and this one, where waivers are written.</summary>
    public IReadOnlyList<string> LeadingComments { get; }

    /// <summary>Set when the text could not be tokenised (an unterminated string, for example).</summary>
    public string? LexError { get; }

    internal string Source { get; }

    public string TokenText(int index) => Tokens[index].Text(Source);

    /// <summary>The upper-cased text of the token at <paramref name="index"/> if it is a word, else an empty string.</summary>
    public string Word(int index) =>
        index >= 0 && index < Tokens.Count && Tokens[index].Kind == SqlTokenKind.Word
            ? Tokens[index].Text(Source).ToUpperInvariant()
            : string.Empty;

    public override string ToString() => Text;
}

/// <summary>Splits PostgreSQL and SQLite scripts into statements at top-level semicolons.</summary>
public static class SqlSplitter
{
    public static IReadOnlyList<SqlStatement> Split(string text, SqlDialect dialect)
    {
        SqlLexResult lexed = SqlLexer.Tokenize(text, dialect);
        var statements = new List<SqlStatement>();
        var significant = new List<SqlToken>();
        var comments = new List<string>();
        int parenDepth = 0;
        int blockDepth = 0;
        RoutineKind routine = RoutineKind.None;

        foreach (SqlToken token in lexed.Tokens)
        {
            if (token.IsTrivia)
            {
                if (token.Kind != SqlTokenKind.Whitespace && significant.Count == 0)
                {
                    comments.Add(token.Text(text));
                }

                continue;
            }

            if (token.Kind == SqlTokenKind.Semicolon && parenDepth <= 0 && blockDepth <= 0)
            {
                Flush(final: false);
                continue;
            }

            significant.Add(token);
            switch (token.Kind)
            {
                case SqlTokenKind.OpenParen:
                    parenDepth++;
                    break;
                case SqlTokenKind.CloseParen:
                    parenDepth--;
                    break;
                case SqlTokenKind.Word:
                    if (significant.Count <= 6 && routine == RoutineKind.None)
                    {
                        routine = DetectRoutine(significant, text, dialect);
                    }

                    if (routine != RoutineKind.None)
                    {
                        blockDepth = TrackBlock(significant, text, routine, blockDepth);
                    }

                    break;
            }
        }

        Flush(final: true);
        return statements;

        void Flush(bool final)
        {
            if (significant.Count > 0)
            {
                SqlToken first = significant[0];
                SqlToken last = significant[significant.Count - 1];
                int end = last.Start + last.Length;
                // An unterminated string or comment runs to the end of the text, so it is always the last statement's.
                string? error = final ? lexed.Error : null;
                statements.Add(new SqlStatement(text, first.Line, first.Start, end, significant.ToArray(), comments.ToArray(), error));
            }
            else if (final && lexed.Error is not null && lexed.Tokens.Count > 0)
            {
                // Only an unterminated comment is left: it still has to be reported, so it becomes a statement of its own.
                SqlToken last = lexed.Tokens[lexed.Tokens.Count - 1];
                statements.Add(new SqlStatement(text, lexed.ErrorLine, last.Start, text.Length, Array.Empty<SqlToken>(), Array.Empty<string>(), lexed.Error));
            }

            significant.Clear();
            comments.Clear();
            parenDepth = 0;
            blockDepth = 0;
            routine = RoutineKind.None;
        }
    }

    private enum RoutineKind
    {
        None,
        SqlStandardBody,
        Trigger,
    }

    private static RoutineKind DetectRoutine(List<SqlToken> tokens, string text, SqlDialect dialect)
    {
        if (!IsWord(tokens[0], text, "CREATE"))
        {
            return RoutineKind.None;
        }

        foreach (SqlToken token in tokens)
        {
            if (token.Kind != SqlTokenKind.Word)
            {
                continue;
            }

            string word = token.Text(text).ToUpperInvariant();
            if (dialect == SqlDialect.PostgreSql && (word == "FUNCTION" || word == "PROCEDURE"))
            {
                return RoutineKind.SqlStandardBody;
            }

            if (dialect == SqlDialect.Sqlite && word == "TRIGGER")
            {
                return RoutineKind.Trigger;
            }
        }

        return RoutineKind.None;
    }

    private static int TrackBlock(List<SqlToken> tokens, string text, RoutineKind routine, int depth)
    {
        // Bodies that hold semicolons without quoting them: PostgreSQL's BEGIN ATOMIC ... END and
        // SQLite's trigger BEGIN ... END. CASE ... END nests inside both.
        SqlToken token = tokens[tokens.Count - 1];
        string word = token.Text(text).ToUpperInvariant();
        switch (word)
        {
            case "ATOMIC" when routine == RoutineKind.SqlStandardBody && tokens.Count >= 2 && IsWord(tokens[tokens.Count - 2], text, "BEGIN"):
                return depth + 1;
            case "BEGIN" when routine == RoutineKind.Trigger && depth == 0:
                return 1;
            case "CASE" when depth > 0:
                return depth + 1;
            case "END" when depth > 0:
                return depth - 1;
            default:
                return depth;
        }
    }

    private static bool IsWord(SqlToken token, string text, string word) =>
        token.Kind == SqlTokenKind.Word && string.Equals(token.Text(text), word, StringComparison.OrdinalIgnoreCase);
}
