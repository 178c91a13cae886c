using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BlueGreen.Core.SmokeTests;

/// <summary>
/// One check of a JSON answer: the value at a path (<c>status</c>, <c>items[0].id</c>, <c>$.a['b.c']</c>) must equal
/// a scalar: a string, a number, a boolean or null, compared as JSON types (the string '1' is not the number 1).
/// </summary>
public sealed class JsonExpectation
{
    private readonly IReadOnlyList<object> _steps;

    private JsonExpectation(string path, IReadOnlyList<object> steps, object? expected)
    {
        Path = path;
        _steps = steps;
        Expected = expected;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>The value expected: a string, a number (decimal or double), a boolean, or null.</summary>
    public object? Expected { get; }

    /// <summary>Reads a path and the value it must have; throws <see cref="SmokeTestInputException"/> when either is not usable.</summary>
    public static JsonExpectation Create(string? path, object? expected)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Invalid("A path in -ExpectJson is empty.", path);
        }

        var steps = ParsePath(path!.Trim());
        object? value = expected switch
        {
            null => null,
            string or bool => expected,
            byte or sbyte or short or ushort or int or uint or long or ulong or decimal => Convert.ToDecimal(expected, CultureInfo.InvariantCulture),
            float or double when double.IsNaN(Convert.ToDouble(expected, CultureInfo.InvariantCulture)) || double.IsInfinity(Convert.ToDouble(expected, CultureInfo.InvariantCulture)) =>
                throw Invalid($"-ExpectJson '{path}' expects {expected}, which JSON has no number for.", path),
            float or double => Convert.ToDouble(expected, CultureInfo.InvariantCulture),
            _ => throw Invalid($"-ExpectJson '{path}' expects a {expected.GetType().Name}; only a string, a number, $true/$false or $null can be compared.", path),
        };
        return new JsonExpectation(path, steps, value);
    }

    /// <summary>Why <paramref name="root"/> fails this check, or null when the value at the path is the one expected.
    /// Values from the answer appear only as short snippets, as body mismatches do.</summary>
    public string? Check(JsonElement root)
    {
        var current = root;
        foreach (var step in _steps)
        {
            if (step is int index)
            {
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return $"the JSON has no {Path}";
                }

                current = current[index];
            }
            else if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty((string)step, out current))
            {
                return $"the JSON has no {Path}";
            }
        }

        return Matches(current) ? null : $"{Path} is {Describe(current)}, expected {Describe(Expected)}";
    }

    private bool Matches(JsonElement actual) => Expected switch
    {
        null => actual.ValueKind == JsonValueKind.Null,
        string text => actual.ValueKind == JsonValueKind.String && string.Equals(actual.GetString(), text, StringComparison.Ordinal),
        bool flag => actual.ValueKind == (flag ? JsonValueKind.True : JsonValueKind.False),
        decimal number => actual.ValueKind == JsonValueKind.Number &&
            (actual.TryGetDecimal(out var d) ? d == number : actual.TryGetDouble(out var x) && x == (double)number),
        double number => actual.ValueKind == JsonValueKind.Number && actual.TryGetDouble(out var y) && y == number,
        _ => false,
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"{SmokeTestEvaluator.Snippet(value.GetString())} (a string)",
        JsonValueKind.Number => $"{SmokeTestEvaluator.Snippet(value.GetRawText()).Trim('\'')} (a number)",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => $"'{text}' (a string)",
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture) + " (a number)",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary><c>a.b[0]</c>, <c>$.a.b</c>, <c>[0].id</c>, <c>a['key.with.dots']</c>: names and array indexes.</summary>
    private static List<object> ParsePath(string path)
    {
        var steps = new List<object>();
        var i = 0;
        if (path.StartsWith("$", StringComparison.Ordinal))
        {
            i = 1;
            if (i < path.Length && path[i] == '.')
            {
                i++;
            }
        }

        var expectName = true;
        while (i < path.Length)
        {
            var c = path[i];
            if (c == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0)
                {
                    throw Invalid($"-ExpectJson path '{path}' has a '[' without ']'.", path);
                }

                var inside = path.Substring(i + 1, close - i - 1).Trim();
                if (inside.Length >= 2 && (inside[0] == '\'' || inside[0] == '"') && inside[inside.Length - 1] == inside[0])
                {
                    steps.Add(inside.Substring(1, inside.Length - 2));
                }
                else if (int.TryParse(inside, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(index);
                }
                else
                {
                    throw Invalid($"-ExpectJson path '{path}' has '[{inside}]': an index is a number, a name is quoted (['name']).", path);
                }

                i = close + 1;
                expectName = false;
            }
            else if (c == '.')
            {
                if (expectName)
                {
                    throw Invalid($"-ExpectJson path '{path}' has an empty name.", path);
                }

                i++;
                expectName = true;
                if (i == path.Length)
                {
                    throw Invalid($"-ExpectJson path '{path}' ends with '.'.", path);
                }
            }
            else
            {
                if (!expectName)
                {
                    throw Invalid($"-ExpectJson path '{path}' needs a '.' before '{c}'.", path);
                }

                var name = new StringBuilder();
                while (i < path.Length && path[i] != '.' && path[i] != '[')
                {
                    name.Append(path[i++]);
                }

                steps.Add(name.ToString());
                expectName = false;
            }
        }

        return steps;
    }

    private static SmokeTestInputException Invalid(string message, string? path) =>
        new("InvalidExpectJson", message, path,
            "Name values by path and give each a string, number, $true/$false or $null, e.g. -ExpectJson @{ 'status' = 'ok'; 'items[0].id' = 1 }.");
}
