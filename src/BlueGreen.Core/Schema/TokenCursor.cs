using System.Collections.Generic;

namespace BlueGreen.Core.Schema;

/// <summary>Walks the significant tokens of a statement (or of one part of it) word by word.</summary>
internal sealed class TokenCursor
{
    private readonly SqlStatement _statement;
    private readonly int _end;

    public TokenCursor(SqlStatement statement, int start = 0, int? end = null)
    {
        _statement = statement;
        Position = start;
        _end = end ?? statement.Tokens.Count;
    }

    public int Position { get; private set; }

    public int End => _end;

    public bool AtEnd => Position >= _end;

    public SqlStatement Statement => _statement;

    public string Peek(int offset = 0) => Position + offset < _end ? _statement.Word(Position + offset) : string.Empty;

    public SqlTokenKind? PeekKind(int offset = 0) => Position + offset < _end ? _statement.Tokens[Position + offset].Kind : null;

    public void Skip(int count = 1) => Position += count;

    public bool Accept(string word)
    {
        if (Peek() == word)
        {
            Position++;
            return true;
        }

        return false;
    }

    public bool Accept(string first, string second)
    {
        if (Peek() == first && Peek(1) == second)
        {
            Position += 2;
            return true;
        }

        return false;
    }

    public bool Accept(string first, string second, string third)
    {
        if (Peek() == first && Peek(1) == second && Peek(2) == third)
        {
            Position += 3;
            return true;
        }

        return false;
    }

    /// <summary>Reads a possibly qualified name and returns its last part, unquoted; quoted names keep their case.</summary>
    public string? ReadName()
    {
        string? last = null;
        while (!AtEnd)
        {
            SqlToken token = _statement.Tokens[Position];
            if (token.Kind == SqlTokenKind.Word)
            {
                last = token.Text(_statement.Source).ToLowerInvariant();
            }
            else if (token.Kind == SqlTokenKind.QuotedIdentifier)
            {
                last = Unquote(token.Text(_statement.Source));
            }
            else
            {
                break;
            }

            Position++;
            if (PeekKind() == SqlTokenKind.Operator && _statement.TokenText(Position) == ".")
            {
                Position++;
                continue;
            }

            break;
        }

        return last;
    }

    /// <summary>True when <paramref name="word"/> appears as a word anywhere from here to the end.</summary>
    public bool Contains(string word) => IndexOf(word) >= 0;

    public int IndexOf(string word, int from = -1)
    {
        for (int i = from < 0 ? Position : from; i < _end; i++)
        {
            if (_statement.Word(i) == word)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>True when the word appears outside any parentheses or brackets from here to the end.</summary>
    public bool ContainsTopLevel(string word)
    {
        int depth = 0;
        for (int i = Position; i < _end; i++)
        {
            depth += Nesting(i);
            if (depth == 0 && _statement.Word(i) == word)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The ranges between top-level commas from here to the end (the sub-actions of an ALTER TABLE):
    /// commas inside parentheses (<c>numeric(10,2)</c>) or brackets (<c>ARRAY[1,2]</c>, <c>a[1:2]</c>) do not split.
    /// </summary>
    public IReadOnlyList<(int Start, int End)> SplitOnTopLevelCommas()
    {
        var parts = new List<(int, int)>();
        int depth = 0;
        int start = Position;
        for (int i = Position; i < _end; i++)
        {
            depth += Nesting(i);
            if (_statement.Tokens[i].Kind == SqlTokenKind.Comma && depth == 0)
            {
                parts.Add((start, i));
                start = i + 1;
            }
        }

        if (start < _end)
        {
            parts.Add((start, _end));
        }

        return parts;
    }

    // +1 for an opening parenthesis or bracket, -1 for a closing one. Brackets are operator tokens:
    // PostgreSQL's array literals and subscripts (in SQLite "[...]" is a quoted name, a token of its own).
    private int Nesting(int index)
    {
        SqlToken token = _statement.Tokens[index];
        switch (token.Kind)
        {
            case SqlTokenKind.OpenParen:
                return 1;
            case SqlTokenKind.CloseParen:
                return -1;
            case SqlTokenKind.Operator when token.Length == 1:
                char c = _statement.Source[token.Start];
                return c == '[' ? 1 : c == ']' ? -1 : 0;
            default:
                return 0;
        }
    }

    internal static string Unquote(string quoted)
    {
        if (quoted.Length >= 2)
        {
            char open = quoted[0];
            if (open == 'U' || open == 'u')
            {
                return Unquote(quoted.Substring(2));
            }

            char close = open == '[' ? ']' : open;
            string inner = quoted.Substring(1, quoted.Length - 2);
            return open == '[' ? inner : inner.Replace(new string(close, 2), new string(close, 1));
        }

        return quoted;
    }
}
