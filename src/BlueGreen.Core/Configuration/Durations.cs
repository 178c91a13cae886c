using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Configuration;

/// <summary>The unit a plain number stands for in a duration parameter.</summary>
public enum DurationUnit
{
    Milliseconds,
    Seconds,
    Minutes,
}

/// <summary>Reads a duration as users write it: a plain number in the parameter's own unit (10), a number with a
/// unit ('90s', '10m', '1.5h', '500ms'), a TimeSpan, or a TimeSpan string ('00:10:00'). The unit of a plain number
/// follows what users expect of the parameter: milliseconds for latencies, seconds for timeouts (as Wait-Job and
/// Invoke-WebRequest), minutes for waits, bakes and windows (as CodeDeploy and ECS configure them).</summary>
public static class Durations
{
    private static readonly Regex WithUnit = new(@"^\s*(?<n>\d+(\.\d+)?)\s*(?<u>ms|s|m|h|d)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The duration <paramref name="value"/> stands for; null stays null (an optional parameter).</summary>
    /// <exception cref="FormatException">The value is no duration; the message says what to pass.</exception>
    public static TimeSpan? Read(object? value, DurationUnit unit)
    {
        switch (value)
        {
            case null:
                return null;
            case TimeSpan span:
                return span;
            case int or long or short or byte or uint or ulong or ushort or sbyte or double or float or decimal:
                return From(Convert.ToDouble(value, CultureInfo.InvariantCulture), unit, value);
            case string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return From(number, unit, value);
            case string text when WithUnit.Match(text) is { Success: true } match:
                var amount = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
                return match.Groups["u"].Value.ToLowerInvariant() switch
                {
                    "ms" => TimeSpan.FromMilliseconds(amount),
                    "s" => TimeSpan.FromSeconds(amount),
                    "m" => TimeSpan.FromMinutes(amount),
                    "h" => TimeSpan.FromHours(amount),
                    _ => TimeSpan.FromDays(amount),
                };
            case string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            default:
                throw new FormatException($"'{value}' is not a duration: pass {Describe(unit)}, a number with its unit ('90s', '10m', '1h'), or a TimeSpan ('{Example(unit)}').");
        }
    }

    /// <summary>Milliseconds in one <paramref name="unit"/>.</summary>
    public static double Factor(DurationUnit unit) => unit switch
    {
        DurationUnit.Milliseconds => 1,
        DurationUnit.Seconds => 1000,
        _ => 60000,
    };

    private static TimeSpan From(double number, DurationUnit unit, object value)
    {
        if (double.IsNaN(number) || double.IsInfinity(number) || Math.Abs(number) * Factor(unit) >= TimeSpan.MaxValue.TotalMilliseconds)
        {
            throw new FormatException($"'{value}' is not a duration: {Describe(unit)} must be a finite number no larger than a TimeSpan holds.");
        }

        return TimeSpan.FromMilliseconds(number * Factor(unit));
    }

    private static string Describe(DurationUnit unit) => unit switch
    {
        DurationUnit.Milliseconds => "milliseconds (500)",
        DurationUnit.Seconds => "seconds (30)",
        _ => "minutes (10)",
    };

    private static string Example(DurationUnit unit) => unit switch
    {
        DurationUnit.Milliseconds => "00:00:00.5",
        DurationUnit.Seconds => "00:00:30",
        _ => "00:10:00",
    };
}
