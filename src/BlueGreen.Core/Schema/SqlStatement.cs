using System;
using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Schema;

/// <summary>One statement of a script, as the splitter found it.</summary>
public sealed class SqlStatement
{
    internal SqlStatement(string source, int line, int start, int end, IReadOnlyList<SqlToken> tokens, IReadOnlyList<string> leadingComments, string? lexError)
        : this(source, line, start, end, tokens, leadingComments, lexError, Array.Empty<UnboundText>())
    {
    }

    internal SqlStatement(string source, int line, int start, int end, IReadOnlyList<SqlToken> tokens, IReadOnlyList<string> leadingComments, string? lexError, IReadOnlyList<UnboundText> unbound)
    {
        Source = source;
        Line = line;
        Start = start;
        End = end;
        Tokens = tokens;
        LeadingComments = leadingComments;
        LexError = lexError;
        Unbound = unbound;
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

    /// <summary>
    /// The comments between the previous statement and this one that start on a line of their own:
    /// where waivers are written. A comment on the same line as the previous statement's end is not one of them.
    /// </summary>
    public IReadOnlyList<string> LeadingComments { get; }

    /// <summary>
    /// Set when the statement cannot be read: an unterminated string, comment or body, unbalanced
    /// parentheses or brackets, a <c>;</c> inside parentheses, a NUL character.
    /// </summary>
    public string? LexError { get; }

    /// <summary>
    /// Comments, strings and names in or next to this statement that bind to no statement: a comment
    /// after a statement on its line, inside a statement, before an empty statement or at the end of
    /// the script, and any string or quoted name. A waiver written there applies to nothing.
    /// </summary>
    internal IReadOnlyList<UnboundText> Unbound { get; }

    internal string Source { get; }

    public string TokenText(int index) => Tokens[index].Text(Source);

    /// <summary>The upper-cased text of the token at <paramref name="index"/> if it is a word, else an empty string.</summary>
    public string Word(int index) =>
        index >= 0 && index < Tokens.Count && Tokens[index].Kind == SqlTokenKind.Word
            ? Tokens[index].Text(Source).ToUpperInvariant()
            : string.Empty;

    public override string ToString() => Text;
}

/// <summary>Text that could look like a waiver but binds to no statement, with the line it starts on.</summary>
internal readonly struct UnboundText
{
    public UnboundText(int line, string text)
    {
        Line = line;
        Text = text;
    }

    public int Line { get; }

    public string Text { get; }
}

/// <summary>
/// Splits PostgreSQL and SQLite scripts into statements at top-level semicolons. A semicolon does
/// not end a statement inside a routine body that the server itself reads as one statement:
/// PostgreSQL's <c>CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END</c>, SQLite's
/// <c>CREATE [TEMP] TRIGGER ... BEGIN ... END</c>, and the parenthesised actions of PostgreSQL's
/// <c>CREATE RULE ... DO ( ...; ... )</c>. These are recognised only by keywords in keyword position:
/// a table, column or function called <c>trigger</c>, <c>function</c>, <c>begin</c>, <c>atomic</c>,
/// <c>case</c> or <c>end</c> never changes where a statement ends. What the migrator runs is each
/// statement's <see cref="SqlStatement.Text"/>, one per round trip, and the database is asked to agree
/// that it is one statement.
/// </summary>
public static class SqlSplitter
{
    public static IReadOnlyList<SqlStatement> Split(string text, SqlDialect dialect)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        return new Splitter(text, dialect, SqlLexer.Tokenize(text, dialect)).Run();
    }

    private enum Header
    {
        None,

        /// <summary>PostgreSQL CREATE [OR REPLACE] FUNCTION or PROCEDURE: may have a BEGIN ATOMIC ... END body.</summary>
        Routine,

        /// <summary>PostgreSQL CREATE [OR REPLACE] RULE: DO ( a; b ) holds semicolons inside parentheses.</summary>
        Rule,

        /// <summary>SQLite CREATE [TEMP] TRIGGER: has a BEGIN ... END body.</summary>
        Trigger,
    }

    // The statements a SQLite trigger body may start with: BEGIN followed by one of them opens the body,
    // so a table or trigger called "begin" (SQLite allows it) does not.
    private static readonly HashSet<string> TriggerBodyStarts = new(StringComparer.Ordinal)
    {
        "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "VALUES", "WITH",
    };

    private sealed class Pending
    {
        public readonly List<SqlToken> Significant = new();
        public readonly List<UnboundText> Leading = new();
        public readonly List<UnboundText> Unbound = new();
        public int SegmentStart;
        public int ParenDepth;
        public int BracketDepth;
        public int BodyDepth;
        public Header Header;
        public string? StructureError;
    }

    private sealed class Built
    {
        public Built(Pending pending, string? error, int line, int start, int end)
        {
            Pending = pending;
            Error = error;
            Line = line;
            Start = start;
            End = end;
        }

        public Pending Pending { get; }

        public string? Error { get; }

        public int Line { get; }

        public int Start { get; }

        public int End { get; }
    }

    private sealed class Splitter
    {
        private readonly string _text;
        private readonly SqlDialect _dialect;
        private readonly SqlLexResult _lexed;
        private readonly List<Built> _built = new();
        private readonly List<UnboundText> _orphans = new();
        private Pending _current = new();

        // True when no significant token has been seen on the current line: a comment that starts here
        // is on a line of its own.
        private bool _lineClean = true;

        public Splitter(string text, SqlDialect dialect, SqlLexResult lexed)
        {
            _text = text;
            _dialect = dialect;
            _lexed = lexed;
        }

        private bool IsPostgres => _dialect == SqlDialect.PostgreSql;

        public List<SqlStatement> Run()
        {
            IReadOnlyList<SqlToken> tokens = _lexed.Tokens;
            for (int i = 0; i < tokens.Count; i++)
            {
                SqlToken token = tokens[i];
                if (token.IsTrivia)
                {
                    Trivia(token);
                    continue;
                }

                _lineClean = false;
                if (token.Kind == SqlTokenKind.Semicolon && EndsStatement())
                {
                    Flush(token.Start + token.Length, final: false);
                    continue;
                }

                Significant(tokens, i);
            }

            Flush(_text.Length, final: true);
            return Materialise();
        }

        private void Trivia(SqlToken token)
        {
            string value = token.Text(_text);
            if (token.Kind != SqlTokenKind.Whitespace)
            {
                bool between = _current.Significant.Count == 0;
                if (between && _lineClean)
                {
                    _current.Leading.Add(new UnboundText(token.Line, value));
                }
                else if (between && _built.Count > 0)
                {
                    // After the previous statement, on its line: it belongs to that statement, not the next one.
                    _built[_built.Count - 1].Pending.Unbound.Add(new UnboundText(token.Line, value));
                }
                else
                {
                    _current.Unbound.Add(new UnboundText(token.Line, value));
                }
            }

            if (value.IndexOf('\n') >= 0 || value.IndexOf('\r') >= 0)
            {
                _lineClean = true;
            }
        }

        private bool EndsStatement()
        {
            if (_current.BodyDepth > 0)
            {
                if (_current.ParenDepth > 0)
                {
                    _current.StructureError ??= "a ';' inside parentheses";
                }

                return false;
            }

            if (_current.ParenDepth > 0 && _current.Header == Header.Rule)
            {
                return false;
            }

            return true;
        }

        private void Significant(IReadOnlyList<SqlToken> tokens, int index)
        {
            SqlToken token = tokens[index];
            Pending p = _current;
            p.Significant.Add(token);
            switch (token.Kind)
            {
                case SqlTokenKind.OpenParen:
                    p.ParenDepth++;
                    break;
                case SqlTokenKind.CloseParen:
                    if (--p.ParenDepth < 0)
                    {
                        p.StructureError ??= "unbalanced parentheses (a ')' without its '(')";
                        p.ParenDepth = 0;
                    }

                    break;
                case SqlTokenKind.Operator when IsPostgres && _text[token.Start] == '[':
                    p.BracketDepth++;
                    break;
                case SqlTokenKind.Operator when IsPostgres && _text[token.Start] == ']':
                    if (--p.BracketDepth < 0)
                    {
                        p.StructureError ??= "unbalanced brackets (a ']' without its '[')";
                        p.BracketDepth = 0;
                    }

                    break;
                case SqlTokenKind.StringLiteral or SqlTokenKind.DollarString or SqlTokenKind.QuotedIdentifier:
                    string value = token.Text(_text);
                    if (Waiver.Mentions(value))
                    {
                        p.Unbound.Add(new UnboundText(token.Line, value));
                    }

                    break;
                case SqlTokenKind.Word:
                    Word(tokens, index);
                    break;
            }
        }

        private void Word(IReadOnlyList<SqlToken> tokens, int index)
        {
            Pending p = _current;
            List<SqlToken> s = p.Significant;
            if (s.Count <= 4 && p.Header == Header.None)
            {
                p.Header = DetectHeader(s);
            }

            if (p.ParenDepth > 0)
            {
                return;
            }

            string word = Upper(s.Count - 1);
            string previous = Upper(s.Count - 2);
            bool qualified = s.Count >= 3 && IsDot(s[s.Count - 3]);
            switch (word)
            {
                // PostgreSQL: BEGIN ATOMIC opens a body (a body may hold another routine, so bodies nest).
                case "ATOMIC" when IsPostgres && previous == "BEGIN" && !qualified && (p.Header == Header.Routine || p.BodyDepth > 0):
                    p.BodyDepth++;
                    break;

                // SQLite: the trigger's BEGIN is followed by the first statement of its body.
                case "BEGIN" when !IsPostgres && p.Header == Header.Trigger && p.BodyDepth == 0 && !IsDot(At(s, s.Count - 2))
                                  && TriggerBodyStarts.Contains(NextWord(tokens, index)):
                    p.BodyDepth = 1;
                    break;

                // Both grammars end a body with END right after a statement's ';' (or, in PostgreSQL, an empty
                // BEGIN ATOMIC END); a CASE ... END or a column called "end" is never there.
                case "END" when p.BodyDepth > 0 && (s.Count >= 2 && s[s.Count - 2].Kind == SqlTokenKind.Semicolon
                                                    || (IsPostgres && previous == "ATOMIC" && Upper(s.Count - 3) == "BEGIN")):
                    p.BodyDepth--;
                    break;
            }
        }

        private Header DetectHeader(List<SqlToken> s)
        {
            if (Upper(0) != "CREATE" || s.Count < 2)
            {
                return Header.None;
            }

            int at = Upper(1) == "OR" && Upper(2) == "REPLACE" ? 3 : 1;
            if (IsPostgres)
            {
                return Upper(at) switch
                {
                    "FUNCTION" or "PROCEDURE" => Header.Routine,
                    "RULE" => Header.Rule,
                    _ => Header.None,
                };
            }

            if (Upper(1) is "TEMP" or "TEMPORARY")
            {
                at = 2;
            }

            return Upper(at) == "TRIGGER" ? Header.Trigger : Header.None;
        }

        private void Flush(int segmentEnd, bool final)
        {
            Pending p = _current;
            SqlLexError? firstError = null;
            foreach (SqlLexError error in _lexed.Errors)
            {
                if (error.Position >= p.SegmentStart && error.Position < segmentEnd)
                {
                    firstError = error;
                    break;
                }
            }

            string? lexError = firstError?.Message;

            if (p.Significant.Count > 0)
            {
                SqlToken first = p.Significant[0];
                SqlToken last = p.Significant[p.Significant.Count - 1];
                string? error = lexError ?? p.StructureError ?? Unclosed(p);
                p.Unbound.InsertRange(0, _orphans);
                _orphans.Clear();
                _built.Add(new Built(p, error, first.Line, first.Start, last.Start + last.Length));
            }
            else if (firstError is not null)
            {
                // Only an unreadable comment is left (unterminated, or holding a NUL): it still has to be
                // reported, so it becomes a statement of its own.
                _built.Add(new Built(new Pending(), firstError.Message, firstError.Line, firstError.Position, final ? _text.Length : segmentEnd - 1));
            }
            else
            {
                // A waiver above an empty statement, or at the end of the script, applies to nothing.
                _orphans.AddRange(p.Leading);
                _orphans.AddRange(p.Unbound);
            }

            _current = new Pending { SegmentStart = segmentEnd };
            if (final && _orphans.Count > 0 && _built.Count > 0)
            {
                _built[_built.Count - 1].Pending.Unbound.AddRange(_orphans);
                _orphans.Clear();
            }
        }

        private static string? Unclosed(Pending p) =>
            p.ParenDepth > 0 ? "unbalanced parentheses (a '(' is never closed)"
            : p.BracketDepth > 0 ? "unbalanced brackets (a '[' is never closed)"
            : p.BodyDepth > 0 ? "a BEGIN ... END body is never closed"
            : null;

        private List<SqlStatement> Materialise()
        {
            var statements = new List<SqlStatement>(_built.Count);
            foreach (Built b in _built)
            {
                statements.Add(new SqlStatement(_text, b.Line, b.Start, b.End, b.Pending.Significant.ToArray(), b.Pending.Leading.Select(c => c.Text).ToArray(), b.Error, b.Pending.Unbound.ToArray()));
            }

            return statements;
        }

        private string Upper(int index)
        {
            List<SqlToken> s = _current.Significant;
            return index >= 0 && index < s.Count && s[index].Kind == SqlTokenKind.Word ? s[index].Text(_text).ToUpperInvariant() : string.Empty;
        }

        private string NextWord(IReadOnlyList<SqlToken> tokens, int index)
        {
            for (int i = index + 1; i < tokens.Count; i++)
            {
                if (!tokens[i].IsTrivia)
                {
                    return tokens[i].Kind == SqlTokenKind.Word ? tokens[i].Text(_text).ToUpperInvariant() : string.Empty;
                }
            }

            return string.Empty;
        }

        private static SqlToken? At(List<SqlToken> tokens, int index) => index >= 0 && index < tokens.Count ? tokens[index] : null;

        private bool IsDot(SqlToken? token) => token is { Kind: SqlTokenKind.Operator } t && _text[t.Start] == '.';
    }
}
