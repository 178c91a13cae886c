using System;

namespace BlueGreen.Core.Schema;

public enum SqlTokenKind
{
    /// <summary>A keyword or an unquoted identifier; the lexer does not tell them apart.</summary>
    Word,
    QuotedIdentifier,
    StringLiteral,
    /// <summary>A PostgreSQL dollar-quoted string (<c>$tag$ ... $tag$</c>), usually a function body.</summary>
    DollarString,
    Number,
    Parameter,
    Operator,
    Comma,
    OpenParen,
    CloseParen,
    Semicolon,
    LineComment,
    BlockComment,
    Whitespace,
}

/// <summary>One lexical token, with its place in the source text.</summary>
public readonly struct SqlToken : IEquatable<SqlToken>
{
    public SqlToken(SqlTokenKind kind, int start, int length, int line)
    {
        Kind = kind;
        Start = start;
        Length = length;
        Line = line;
    }

    public SqlTokenKind Kind { get; }

    public int Start { get; }

    public int Length { get; }

    /// <summary>The 1-based line the token starts on.</summary>
    public int Line { get; }

    public bool IsTrivia => Kind is SqlTokenKind.Whitespace or SqlTokenKind.LineComment or SqlTokenKind.BlockComment;

    public string Text(string source) => source.Substring(Start, Length);

    public bool Equals(SqlToken other) => Kind == other.Kind && Start == other.Start && Length == other.Length && Line == other.Line;

    public override bool Equals(object? obj) => obj is SqlToken other && Equals(other);

    public override int GetHashCode() => (Start * 397) ^ Length;

    public static bool operator ==(SqlToken left, SqlToken right) => left.Equals(right);

    public static bool operator !=(SqlToken left, SqlToken right) => !left.Equals(right);
}
