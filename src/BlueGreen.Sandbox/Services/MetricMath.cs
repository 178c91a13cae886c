using System.Globalization;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

/// <summary>
/// The part of CloudWatch metric math users write most: <c>+ - * /</c> between query ids, numbers and parentheses
/// (<c>100*m1/m2</c>), and <c>FILL(m1, 0)</c>. Two series combine where both have a datapoint; a result that is not a
/// finite number (a division by zero) is left out, as CloudWatch leaves it out.
/// </summary>
internal sealed class MetricMath
{
    private readonly string _id;
    private readonly string _text;
    private readonly Func<string, SortedDictionary<long, double>> _resolve;
    private readonly IReadOnlyList<long> _grid;
    private int _at;

    private MetricMath(string id, string text, Func<string, SortedDictionary<long, double>> resolve, IReadOnlyList<long> grid)
    {
        _id = id;
        _text = text;
        _resolve = resolve;
        _grid = grid;
    }

    /// <summary>Evaluates <paramref name="text"/>; <paramref name="resolve"/> gives the datapoints of another query by its id, <paramref name="grid"/> every period start (for FILL).</summary>
    public static SortedDictionary<long, double> Evaluate(string id, string text, Func<string, SortedDictionary<long, double>> resolve, IReadOnlyList<long> grid)
    {
        var math = new MetricMath(id, text, resolve, grid);
        var value = math.Sum();
        math.Skip();
        if (math._at < text.Length)
        {
            throw math.Error($"Unexpected '{text[math._at]}' at position {math._at + 1}.");
        }

        return value.Series ?? new SortedDictionary<long, double>(grid.ToDictionary(t => t, _ => value.Scalar));
    }

    /// <summary>The ids an expression refers to, so they are computed first.</summary>
    public static IEnumerable<string> References(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsAsciiLetterLower(text[i]) && (i == 0 || !(char.IsAsciiLetterOrDigit(text[i - 1]) || text[i - 1] == '_')))
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                yield return text[start..i];
            }
        }
    }

    private readonly record struct Value(double Scalar, SortedDictionary<long, double>? Series);

    private AwsException Error(string what) => new("ValidationError", $"Error in expression '{_id}': {what} The sandbox's metric math takes + - * / between query ids, numbers and parentheses, and FILL(id, number).");

    private void Skip()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
        {
            _at++;
        }
    }

    private bool Take(char c)
    {
        Skip();
        if (_at < _text.Length && _text[_at] == c)
        {
            _at++;
            return true;
        }

        return false;
    }

    private Value Sum()
    {
        var left = Product();
        while (true)
        {
            if (Take('+'))
            {
                left = Combine(left, Product(), (a, b) => a + b);
            }
            else if (Take('-'))
            {
                left = Combine(left, Product(), (a, b) => a - b);
            }
            else
            {
                return left;
            }
        }
    }

    private Value Product()
    {
        var left = Unary();
        while (true)
        {
            if (Take('*'))
            {
                left = Combine(left, Unary(), (a, b) => a * b);
            }
            else if (Take('/'))
            {
                left = Combine(left, Unary(), (a, b) => a / b);
            }
            else
            {
                return left;
            }
        }
    }

    private Value Unary() => Take('-') ? Combine(new Value(0, null), Unary(), (a, b) => a - b) : Primary();

    private Value Primary()
    {
        Skip();
        if (_at >= _text.Length)
        {
            throw Error("The expression ends where a value was expected.");
        }

        if (Take('('))
        {
            var inner = Sum();
            return Take(')') ? inner : throw Error("A parenthesis is not closed.");
        }

        var c = _text[_at];
        if (char.IsAsciiDigit(c) || c == '.')
        {
            var start = _at;
            while (_at < _text.Length && (char.IsAsciiDigit(_text[_at]) || _text[_at] == '.'))
            {
                _at++;
            }

            return double.TryParse(_text[start.._at], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? new Value(number, null)
                : throw Error($"'{_text[start.._at]}' is not a number.");
        }

        if (!char.IsAsciiLetter(c))
        {
            throw Error($"Unexpected '{c}' at position {_at + 1}.");
        }

        var nameStart = _at;
        while (_at < _text.Length && (char.IsAsciiLetterOrDigit(_text[_at]) || _text[_at] == '_'))
        {
            _at++;
        }

        var name = _text[nameStart.._at];
        if (char.IsAsciiLetterLower(name[0]))
        {
            return new Value(0, _resolve(name));
        }

        if (!Take('('))
        {
            throw Error($"Unknown name '{name}'.");
        }

        if (name != "FILL")
        {
            throw Error($"The function {name} is not supported.");
        }

        var series = Sum();
        if (!Take(','))
        {
            throw Error("FILL takes a series and a number: FILL(m1, 0).");
        }

        var fill = Sum();
        if (!Take(')') || series.Series is null || fill.Series is not null)
        {
            throw Error("FILL takes a series and a number: FILL(m1, 0).");
        }

        var filled = new SortedDictionary<long, double>(series.Series);
        foreach (var t in _grid)
        {
            filled.TryAdd(t, fill.Scalar);
        }

        return new Value(0, filled);
    }

    private static Value Combine(Value left, Value right, Func<double, double, double> op)
    {
        if (left.Series is null && right.Series is null)
        {
            return new Value(op(left.Scalar, right.Scalar), null);
        }

        var result = new SortedDictionary<long, double>();
        var keys = left.Series is not null && right.Series is not null
            ? left.Series.Keys.Where(right.Series.ContainsKey)
            : (left.Series ?? right.Series)!.Keys;
        foreach (var t in keys.ToList())
        {
            var value = op(left.Series?[t] ?? left.Scalar, right.Series?[t] ?? right.Scalar);
            if (double.IsFinite(value))
            {
                result[t] = value;
            }
        }

        return new Value(0, result);
    }
}
