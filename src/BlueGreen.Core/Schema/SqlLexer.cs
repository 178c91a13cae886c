using System;
using System.Collections.Generic;

namespace BlueGreen.Core.Schema;

/// <summary>
/// Splits PostgreSQL or SQLite text into tokens. It knows every way text can hide a semicolon
/// (strings, quoted identifiers, comments, dollar quotes), which is all a statement splitter and a
/// keyword-based classifier need; it does not parse. Where the two servers read text differently
/// (a <c>--</c> comment ends at <c>\r</c> or <c>\n</c> in PostgreSQL, at <c>\n</c> only in SQLite;
/// block comments nest only in PostgreSQL), it follows the server of its dialect.
/// </summary>
public static class SqlLexer
{
    public static SqlLexResult Tokenize(string text, SqlDialect dialect)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        if (dialect == SqlDialect.SqlServer)
        {
            throw new ArgumentException("SQL Server text is tokenised by ScriptDom, not by this lexer.", nameof(dialect));
        }

        return new Scanner(text, dialect).Run();
    }

    private sealed class Scanner
    {
        private readonly string _s;
        private readonly SqlDialect _dialect;
        private readonly List<SqlToken> _tokens = new();
        private readonly List<SqlLexError> _errors = new();
        private int _pos;
        private int _line = 1;

        public Scanner(string text, SqlDialect dialect)
        {
            _s = text;
            _dialect = dialect;
        }

        private bool IsPostgres => _dialect == SqlDialect.PostgreSql;

        public SqlLexResult Run()
        {
            while (_pos < _s.Length)
            {
                int start = _pos;
                int line = _line;
                SqlTokenKind kind = Next();
                _tokens.Add(new SqlToken(kind, start, _pos - start, line));
            }

            return new SqlLexResult(_tokens, _errors);
        }

        private char Peek(int offset = 0) => _pos + offset < _s.Length ? _s[_pos + offset] : '\0';

        private void Advance()
        {
            // A lone CR ends a line too (old Mac files; what the checksum's normalisation assumes).
            if (_s[_pos] == '\n' || (_s[_pos] == '\r' && Peek(1) != '\n'))
            {
                _line++;
            }
            else if (_s[_pos] == '\0')
            {
                // SQLite stops reading at a NUL, even inside a string, and PostgreSQL cuts the text there:
                // either way the server would not see what was classified.
                Fail("a NUL character", _line, _pos);
            }

            _pos++;
        }

        private void Fail(string message, int line, int position) => _errors.Add(new SqlLexError(message, line, position));

        private SqlTokenKind Next()
        {
            char c = Peek();
            int line = _line;
            int start = _pos;
            if (IsSpace(c))
            {
                while (_pos < _s.Length && IsSpace(Peek()))
                {
                    Advance();
                }

                return SqlTokenKind.Whitespace;
            }

            if (c == '-' && Peek(1) == '-')
            {
                // PostgreSQL's scanner ends the comment at either line-end character; SQLite's only at \n,
                // so in SQLite "-- a\rDROP TABLE t" is all comment, and in PostgreSQL it is a DROP.
                while (_pos < _s.Length && Peek() != '\n' && !(IsPostgres && Peek() == '\r'))
                {
                    Advance();
                }

                return SqlTokenKind.LineComment;
            }

            if (c == '/' && Peek(1) == '*')
            {
                BlockComment(line, start);
                return SqlTokenKind.BlockComment;
            }


            switch (c)
            {
                case '\'':
                    QuotedRun('\'', '\'', backslashEscapes: false, line, "string");
                    return SqlTokenKind.StringLiteral;
                case '"':
                    QuotedRun('"', '"', backslashEscapes: false, line, "quoted identifier");
                    return SqlTokenKind.QuotedIdentifier;
                case '`' when !IsPostgres:
                    QuotedRun('`', '`', backslashEscapes: false, line, "quoted identifier");
                    return SqlTokenKind.QuotedIdentifier;
                case '[' when !IsPostgres:
                    // SQLite's [name] cannot contain ']' and has no escape.
                    QuotedRun('[', ']', backslashEscapes: false, line, "quoted identifier", doubling: false);
                    return SqlTokenKind.QuotedIdentifier;
                case ';':
                    Advance();
                    return SqlTokenKind.Semicolon;
                case ',':
                    Advance();
                    return SqlTokenKind.Comma;
                case '(':
                    Advance();
                    return SqlTokenKind.OpenParen;
                case ')':
                    Advance();
                    return SqlTokenKind.CloseParen;
            }

            if (IsPostgres && c == '$')
            {
                return Dollar(line);
            }

            if (!IsPostgres && (c == '?' || c == ':' || c == '@' || c == '$') && IsWordChar(Peek(1)))
            {
                Advance();
                while (IsWordChar(Peek()))
                {
                    Advance();
                }

                return SqlTokenKind.Parameter;
            }

            if (char.IsDigit(c) || (c == '.' && char.IsDigit(Peek(1))))
            {
                Number();
                return SqlTokenKind.Number;
            }

            if (IsWordStart(c))
            {
                return WordOrPrefixedString(line);
            }

            if (IsPostgres && c == ':' && Peek(1) == ':')
            {
                Advance();
                Advance();
                return SqlTokenKind.Operator;
            }

            Advance();
            return SqlTokenKind.Operator;
        }

        private void BlockComment(int line, int start)
        {
            // PostgreSQL block comments nest; SQLite's end at the first "*/".
            int depth = 0;
            while (_pos < _s.Length)
            {
                if (Peek() == '/' && Peek(1) == '*' && (IsPostgres || depth == 0))
                {
                    Advance();
                    Advance();
                    depth++;
                }
                else if (Peek() == '*' && Peek(1) == '/')
                {
                    Advance();
                    Advance();
                    depth--;
                    if (depth == 0)
                    {
                        return;
                    }
                }
                else
                {
                    Advance();
                }
            }

            // SQLite accepts a comment left open at the end of the input; PostgreSQL does not.
            if (IsPostgres)
            {
                Fail("unterminated /* comment", line, start);
            }
        }

        private void QuotedRun(char open, char close, bool backslashEscapes, int line, string what, bool doubling = true)
        {
            int start = _pos;
            Advance();
            _ = open;
            while (_pos < _s.Length)
            {
                char c = Peek();
                if (backslashEscapes && c == '\\' && _pos + 1 < _s.Length)
                {
                    Advance();
                    Advance();
                    continue;
                }

                if (c == close)
                {
                    if (doubling && Peek(1) == close)
                    {
                        Advance();
                        Advance();
                        continue;
                    }

                    Advance();
                    return;
                }

                Advance();
            }

            Fail($"unterminated {what}", line, start);
        }

        private SqlTokenKind Dollar(int line)
        {
            // $1 is a parameter; $tag$ or $$ opens a dollar-quoted string that ends at the same tag.
            if (char.IsDigit(Peek(1)))
            {
                Advance();
                while (char.IsDigit(Peek()))
                {
                    Advance();
                }

                return SqlTokenKind.Parameter;
            }

            int tagEnd = _pos + 1;
            if (tagEnd < _s.Length && IsWordStart(_s[tagEnd]))
            {
                while (tagEnd < _s.Length && IsWordChar(_s[tagEnd]) && _s[tagEnd] != '$')
                {
                    tagEnd++;
                }
            }

            if (tagEnd >= _s.Length || _s[tagEnd] != '$')
            {
                Advance();
                return SqlTokenKind.Operator;
            }

            int start = _pos;
            string tag = _s.Substring(_pos, tagEnd - _pos + 1);
            while (_pos <= tagEnd)
            {
                Advance();
            }

            int close = _s.IndexOf(tag, _pos, StringComparison.Ordinal);
            int end = close < 0 ? _s.Length : close + tag.Length;
            while (_pos < end)
            {
                Advance();
            }

            if (close < 0)
            {
                Fail($"unterminated dollar-quoted string {tag}", line, start);
            }

            return SqlTokenKind.DollarString;
        }

        private void Number()
        {
            while (char.IsDigit(Peek()) || Peek() == '.' || Peek() == '_')
            {
                Advance();
            }

            if ((Peek() == 'e' || Peek() == 'E') && (char.IsDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && char.IsDigit(Peek(2)))))
            {
                Advance();
                Advance();
                while (char.IsDigit(Peek()))
                {
                    Advance();
                }
            }
        }

        private SqlTokenKind WordOrPrefixedString(int line)
        {
            char c = Peek();
            char upper = char.ToUpperInvariant(c);
            if (IsPostgres && upper == 'E' && Peek(1) == '\'')
            {
                Advance();
                QuotedRun('\'', '\'', backslashEscapes: true, line, "string");
                return SqlTokenKind.StringLiteral;
            }

            if (upper == 'X' && Peek(1) == '\'' || (IsPostgres && (upper == 'B' || upper == 'N') && Peek(1) == '\''))
            {
                Advance();
                QuotedRun('\'', '\'', backslashEscapes: false, line, "string");
                return SqlTokenKind.StringLiteral;
            }

            if (IsPostgres && upper == 'U' && Peek(1) == '&' && (Peek(2) == '\'' || Peek(2) == '"'))
            {
                Advance();
                Advance();
                char quote = Peek();
                QuotedRun(quote, quote, backslashEscapes: false, line, quote == '"' ? "quoted identifier" : "string");
                return quote == '"' ? SqlTokenKind.QuotedIdentifier : SqlTokenKind.StringLiteral;
            }

            while (IsWordChar(Peek()))
            {
                Advance();
            }

            return SqlTokenKind.Word;
        }

        // Both servers' whitespace is ASCII only (\v is not space to SQLite or PostgreSQL 15); anything
        // above 127 is part of a name to them, so a no-break space does not separate words.
        private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';

        private static bool IsWordStart(char c) => char.IsLetter(c) || c == '_' || c > 127;

        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }
}

/// <summary>The tokens of a text, and the lexical errors in it.</summary>
public sealed class SqlLexResult
{
    internal SqlLexResult(IReadOnlyList<SqlToken> tokens, IReadOnlyList<SqlLexError> errors)
    {
        Tokens = tokens;
        Errors = errors;
    }

    public IReadOnlyList<SqlToken> Tokens { get; }

    /// <summary>Every place the text cannot be read (an unterminated string or comment, a NUL), in order.</summary>
    public IReadOnlyList<SqlLexError> Errors { get; }

    /// <summary>Why the text cannot be read, or null: the first error; later ones are usually its echo.</summary>
    public string? Error => Errors.Count > 0 ? Errors[0].Message : null;

    public int ErrorLine => Errors.Count > 0 ? Errors[0].Line : 0;
}

/// <summary>A place where the text cannot be read.</summary>
public sealed class SqlLexError
{
    internal SqlLexError(string message, int line, int position)
    {
        Message = message;
        Line = line;
        Position = position;
    }

    public string Message { get; }

    public int Line { get; }

    /// <summary>The offset in the text where the unreadable part starts.</summary>
    public int Position { get; }

    public override string ToString() => $"line {Line}: {Message}";
}
