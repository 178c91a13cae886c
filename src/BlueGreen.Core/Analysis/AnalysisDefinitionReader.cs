using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BlueGreen.Core.Analysis;

/// <summary>Reads an analysis definition from a dictionary, refusing unknown keys and bad values with what to write instead.</summary>
internal static class AnalysisDefinitionReader
{
    private static readonly string[] TopKeys =
        { "Metrics", "PassScore", "MarginalScore", "Confidence", "Interval", "Count", "Lookback", "Period", "InconclusiveLimit", "OnInconclusive" };

    private static readonly string[] MetricKeys =
        { "Name", "Source", "Direction", "Critical", "MinimumSamples", "AllowedEffect", "Weight", "Outliers", "Statistic", "Query" };

    private static readonly string[] QueryKeys = { "Namespace", "MetricName", "Dimensions", "Stat", "Unit", "Missing" };

    private static readonly int[] HighResolutionPeriods = { 1, 5, 10, 30 };

    /// <summary>The longest window one analysis reads: a day of data points is what one GetMetricData call can answer for every metric.</summary>
    public static readonly TimeSpan MaxLookback = TimeSpan.FromDays(1);

    /// <summary>The most metrics one definition may name (with both sides and their traffic, one GetMetricData call takes 500 queries).</summary>
    public const int MaxMetrics = 50;

    public static AnalysisDefinition Read(IDictionary d)
    {
        var values = Keys(d, TopKeys, string.Empty);
        var definition = new AnalysisDefinition();
        definition.Metrics = values.TryGetValue("Metrics", out var metrics) ? ReadMetrics(metrics) : DefaultMetrics();

        var pass = values.TryGetValue("PassScore", out var p) ? Number(p, "PassScore", 0, 100, "a score from 0 to 100, e.g. PassScore = 95") : 95;
        var marginal = values.TryGetValue("MarginalScore", out var m) ? Number(m, "MarginalScore", 0, 100, "a score from 0 to 100, e.g. MarginalScore = 75") : Math.Min(75, pass);
        if (marginal > pass)
        {
            throw Invalid("MarginalScore", $"MarginalScore ({Text(marginal)}) is above PassScore ({Text(pass)}).", "Give a MarginalScore at most the PassScore, e.g. PassScore = 95; MarginalScore = 75.");
        }

        definition.Thresholds = new ScoreThresholds(pass, marginal);
        if (values.TryGetValue("Confidence", out var c))
        {
            definition.Confidence = Number(c, "Confidence", 0, 1, "a level between 0 and 1, e.g. Confidence = 0.95 for 95%", exclusive: true, maxExclusive: true);
        }

        if (values.TryGetValue("Interval", out var interval))
        {
            definition.Interval = Duration(interval, "Interval");
        }

        if (values.TryGetValue("Count", out var count))
        {
            definition.Count = Integer(count, "Count", 0, 10000, "how many intervals to analyse, e.g. Count = 10 (0 for every interval until the release ends)");
        }

        if (values.TryGetValue("Period", out var period))
        {
            definition.Period = Duration(period, "Period");
            var seconds = definition.Period.TotalSeconds;
            if (seconds != Math.Floor(seconds) || !(HighResolutionPeriods.Contains((int)seconds) || seconds % 60 == 0))
            {
                throw Invalid("Period", $"Period {definition.Period} is not a CloudWatch period.", "Give 60 seconds or a multiple of it (Period = 60), or 1, 5, 10 or 30 for high-resolution metrics.");
            }
        }

        if (values.TryGetValue("Lookback", out var lookback))
        {
            definition.Lookback = Duration(lookback, "Lookback");
        }
        else if (definition.Lookback < definition.Period)
        {
            definition.Lookback = definition.Period;
        }

        if (definition.Lookback < definition.Period)
        {
            throw Invalid("Lookback", $"Lookback {definition.Lookback} is shorter than one Period ({definition.Period}): it would hold no data point.",
                "Give a Lookback of several periods, e.g. Lookback = '00:10:00' with Period = 60.");
        }

        if (definition.Lookback > MaxLookback)
        {
            throw Invalid("Lookback", $"Lookback {definition.Lookback} is longer than a day.", "Give a Lookback of at most '1.00:00:00'; an analysis compares the recent past of green and blue.");
        }

        if (values.TryGetValue("InconclusiveLimit", out var limit))
        {
            definition.InconclusiveLimit = Integer(limit, "InconclusiveLimit", 1, 10000, "how many intervals in a row may be Inconclusive, e.g. InconclusiveLimit = 3");
        }

        if (values.TryGetValue("OnInconclusive", out var action))
        {
            definition.OnInconclusive = Enum<InconclusiveAction>(action, "OnInconclusive");
        }

        return definition;
    }

    /// <summary>What a definition without Metrics judges: the error rate (critical) and the latency.</summary>
    private static MetricDefinition[] DefaultMetrics() => new[]
    {
        BuiltIn("ErrorRate", new Dictionary<string, object?> { ["Critical"] = true }, "Metrics[0]"),
        BuiltIn("Latency", new Dictionary<string, object?>(), "Metrics[1]"),
    };

    private static List<MetricDefinition> ReadMetrics(object? value)
    {
        var items = value switch
        {
            null => throw Invalid("Metrics", "Metrics is empty.", "Name at least one metric, e.g. Metrics = 'ErrorRate', 'Latency'."),
            string or IDictionary => new List<object?> { value },
            IEnumerable list => list.Cast<object?>().ToList(),
            _ => throw Invalid("Metrics", $"Metrics is a {TypeName(value)}, not a list of metrics.",
                "Give names or hashtables, e.g. Metrics = 'ErrorRate', @{ Name = 'Latency'; Statistic = 'p99' }."),
        };

        if (items.Count == 0)
        {
            throw Invalid("Metrics", "Metrics is empty.", "Name at least one metric, e.g. Metrics = 'ErrorRate', 'Latency'.");
        }

        if (items.Count > MaxMetrics)
        {
            throw Invalid("Metrics", $"Metrics names {items.Count} metrics; one analysis judges at most {MaxMetrics}.", "Split the metrics into several definitions.");
        }

        var metrics = new List<MetricDefinition>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"Metrics[{i}]";
            var metric = items[i] switch
            {
                string name => ReadMetric(new Dictionary<string, object?> { ["Name"] = name }, path),
                IDictionary entry => ReadMetric(Keys(entry, MetricKeys, path + "."), path),
                var other => throw Invalid(path, $"{path} is a {TypeName(other)}, not a metric.",
                    "Give a metric's name ('ErrorRate') or a hashtable (@{ Name = 'Latency'; Direction = 'Increase' })."),
            };

            if (metrics.Any(m => string.Equals(m.Name, metric.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new AnalysisDefinitionException("DuplicateMetric", path + ".Name", $"{path}.Name: the metric '{metric.Name}' is named twice.",
                    "Name each metric once; give custom metrics names of their own.");
            }

            metrics.Add(metric);
        }

        return metrics;
    }

    private static MetricDefinition ReadMetric(Dictionary<string, object?> values, string path)
    {
        if (!values.TryGetValue("Name", out var nameValue) || nameValue is not string name || string.IsNullOrWhiteSpace(name))
        {
            throw new AnalysisDefinitionException("MissingAnalysisKey", path + ".Name", $"{path} has no Name.",
                $"Give each metric a Name: one of {BuiltInMetrics.Names}, or a name of your own with a Query.");
        }

        return BuiltIn(name.Trim(), values, path);
    }

    private static MetricDefinition BuiltIn(string name, Dictionary<string, object?> values, string path)
    {
        values.TryGetValue("Query", out var queryValue);
        MetricSourceKind inferred = queryValue is not null ? MetricSourceKind.Custom
            : BuiltInMetrics.IsSmokeTest(name) ? MetricSourceKind.SmokeTest : MetricSourceKind.CloudWatch;
        var source = values.TryGetValue("Source", out var sourceValue) ? Enum<MetricSourceKind>(sourceValue, path + ".Source") : inferred;

        var builtIn = BuiltInMetrics.Find(name);
        switch (source)
        {
            case MetricSourceKind.Custom when queryValue is null:
                throw new AnalysisDefinitionException("MissingAnalysisKey", path + ".Query", $"{path} ('{name}') is a Custom metric without a Query.",
                    "Give a Query, e.g. Query = @{ Namespace = 'Shop'; MetricName = 'Checkout'; Dimensions = @{ Color = '{Side}' }; Stat = 'Sum' }.");
            case not MetricSourceKind.Custom when queryValue is not null:
                throw Invalid(path + ".Source", $"{path} ('{name}') has a Query, but its Source is {source}.", "Leave out Source (a Query makes it Custom), or say Source = 'Custom'.");
            case MetricSourceKind.CloudWatch when builtIn is null:
                throw new AnalysisDefinitionException("UnknownMetric", path + ".Name", $"{path}: '{name}' is not a built-in metric.",
                    $"Use one of {BuiltInMetrics.Names}, or give a Query for a metric of your own.");
            case MetricSourceKind.SmokeTest when !BuiltInMetrics.IsSmokeTest(name):
                throw new AnalysisDefinitionException("UnknownMetric", path + ".Name", $"{path}: '{name}' is not a smoke-test metric.",
                    $"Use {BuiltInMetrics.SmokeLatency} (milliseconds per request) or {BuiltInMetrics.SmokeErrors} (1 for a failed request, 0 for a good one).");
            case MetricSourceKind.Custom when builtIn is not null || BuiltInMetrics.IsSmokeTest(name):
                throw Invalid(path + ".Name", $"{path}: '{name}' is a built-in name; a custom metric needs a name of its own.", "Name the custom metric differently, e.g. 'Checkout.Errors'.");
        }

        if (builtIn is not null)
        {
            name = builtIn.Name;
        }
        else if (source == MetricSourceKind.SmokeTest)
        {
            name = string.Equals(name, BuiltInMetrics.SmokeLatency, StringComparison.OrdinalIgnoreCase) ? BuiltInMetrics.SmokeLatency : BuiltInMetrics.SmokeErrors;
        }

        var direction = values.TryGetValue("Direction", out var d) ? Enum<MetricDirection>(d, path + ".Direction")
            : builtIn?.Direction ?? MetricDirection.Increase;
        var critical = values.TryGetValue("Critical", out var c) && Boolean(c, path + ".Critical");
        var minimum = values.TryGetValue("MinimumSamples", out var n)
            ? Integer(n, path + ".MinimumSamples", 1, 100000, "the fewest samples each side needs, e.g. MinimumSamples = 5")
            : source == MetricSourceKind.SmokeTest ? 10 : 5;
        var allowed = values.TryGetValue("AllowedEffect", out var e)
            ? Number(e, path + ".AllowedEffect", 1, 1000, "a ratio of means of 1 or more, e.g. AllowedEffect = 1.2 tolerates green 20% worse than blue")
            : 1.1;
        var weight = values.TryGetValue("Weight", out var w) ? Number(w, path + ".Weight", 0, 1000, "a share of the score above 0, e.g. Weight = 2", exclusive: true) : 1;
        var outliers = values.TryGetValue("Outliers", out var o) ? Enum<OutlierHandling>(o, path + ".Outliers") : OutlierHandling.Keep;

        var metric = new MetricDefinition(name, source, new MetricCriteria(name, direction, critical, minimum, allowed, weight, outliers));
        if (values.TryGetValue("Statistic", out var s))
        {
            metric.Statistic = Statistic(s, path, name, builtIn, source);
        }

        if (source == MetricSourceKind.Custom)
        {
            metric.Query = Query(queryValue!, path + ".Query", metric.Statistic);
            metric.MetricName = metric.Query.MetricName;
        }

        return metric;
    }

    private static string Statistic(object? value, string path, string name, BuiltInMetric? builtIn, MetricSourceKind source)
    {
        var key = path + ".Statistic";
        var statistic = value as string;
        if (source == MetricSourceKind.SmokeTest)
        {
            throw Invalid(key, $"{key}: smoke-test metrics are judged per request and take no Statistic.", "Leave out Statistic for smoke-test metrics.");
        }

        if (builtIn is not null && !builtIn.StatisticChoosable)
        {
            throw Invalid(key, $"{key}: '{name}' is counted per period (Sum) and takes no other statistic.", "Leave out Statistic; for latency give Average, Maximum or a percentile such as p99.");
        }

        if (statistic is null || !(builtIn is null ? BuiltInMetrics.IsStatistic(statistic) : BuiltInMetrics.IsGaugeStatistic(statistic)))
        {
            throw Invalid(key, $"{key} '{value}' is not a statistic '{name}' takes.",
                builtIn is null ? "Give a CloudWatch statistic: Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99."
                : "Give Average, Minimum, Maximum or a percentile such as p90, p99 or p99.9.");
        }

        return statistic;
    }

    private static CustomMetricQuery Query(object value, string path, string? statistic)
    {
        if (value is not IDictionary raw)
        {
            throw Invalid(path, $"{path} is a {TypeName(value)}, not a hashtable.",
                "Give Query = @{ Namespace = 'Shop'; MetricName = 'Checkout'; Dimensions = @{ Color = '{Side}' }; Stat = 'Sum' }.");
        }

        var values = Keys(raw, QueryKeys, path + ".");
        string Required(string key, string example)
        {
            if (!values.TryGetValue(key, out var v) || v is not string text || string.IsNullOrWhiteSpace(text))
            {
                throw new AnalysisDefinitionException("MissingAnalysisKey", $"{path}.{key}", $"{path} has no {key}.", $"Give {key}, e.g. {key} = {example}.");
            }

            return text.Trim();
        }

        var ns = Required("Namespace", "'Shop'");
        var metricName = Required("MetricName", "'Checkout'");
        var stat = values.ContainsKey("Stat") ? Required("Stat", "'Sum'") : statistic ?? "Average";
        if (!BuiltInMetrics.IsStatistic(stat))
        {
            throw Invalid(path + ".Stat", $"{path}.Stat '{stat}' is not a CloudWatch statistic.", "Give Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99.");
        }

        var dimensions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!values.TryGetValue("Dimensions", out var dimensionValue) || dimensionValue is not IDictionary dimensionTable || dimensionTable.Count == 0)
        {
            throw new AnalysisDefinitionException("MissingAnalysisKey", path + ".Dimensions", $"{path} has no Dimensions, so it cannot tell green from blue.",
                "Give Dimensions with a placeholder for the side, e.g. Dimensions = @{ Color = '{Side}' } or @{ TargetGroup = '{TargetGroup}'; LoadBalancer = '{LoadBalancer}' }.");
        }

        if (dimensionTable.Count > 30)
        {
            throw Invalid(path + ".Dimensions", $"{path}.Dimensions has {dimensionTable.Count} dimensions; CloudWatch takes at most 30.", "Name fewer dimensions.");
        }

        var sided = false;
        foreach (DictionaryEntry entry in dimensionTable)
        {
            var name = entry.Key?.ToString();
            if (string.IsNullOrWhiteSpace(name) || entry.Value is not string dimension || dimension.Length == 0)
            {
                throw Invalid($"{path}.Dimensions", $"{path}.Dimensions.{name} must be a name with a text value.", "Give Dimensions = @{ Name = 'value' }; a value may hold {Side}, {Version}, {TargetGroup}, ....");
            }

            foreach (var placeholder in PlaceholdersIn(dimension))
            {
                if (!CustomMetricQuery.Placeholders.Contains(placeholder, StringComparer.Ordinal))
                {
                    throw Invalid($"{path}.Dimensions.{name}", $"{path}.Dimensions.{name}: '{placeholder}' is not a placeholder.",
                        $"Use {string.Join(", ", CustomMetricQuery.Placeholders)} (case as written).");
                }

                sided |= placeholder is "{Side}" or "{Version}" or "{TargetGroup}";
            }

            dimensions[name!] = dimension;
        }

        if (!sided)
        {
            throw Invalid(path + ".Dimensions", $"{path}.Dimensions hold no {{Side}}, {{Version}} or {{TargetGroup}}: green and blue would read the same data.",
                "Put a placeholder for the side in a dimension's value, e.g. Dimensions = @{ Color = '{Side}' }.");
        }

        var query = new CustomMetricQuery(ns, metricName, dimensions, stat);
        if (values.TryGetValue("Unit", out var unit))
        {
            query.Unit = unit as string ?? throw Invalid(path + ".Unit", $"{path}.Unit must be a CloudWatch unit name.", "Give e.g. Unit = 'Milliseconds', or leave it out.");
        }

        if (values.TryGetValue("Missing", out var missing))
        {
            query.MissingIsZero = (missing as string)?.Trim().ToUpperInvariant() switch
            {
                "ZERO" => true,
                "ABSENT" => false,
                _ => throw Invalid(path + ".Missing", $"{path}.Missing '{missing}' is not Absent or Zero.",
                    "Give Missing = 'Zero' for a count only published when not 0 (a period without a data point counts 0), or 'Absent' (the default)."),
            };
        }

        return query;
    }

    private static IEnumerable<string> PlaceholdersIn(string value)
    {
        var start = value.IndexOf('{');
        while (start >= 0)
        {
            var end = value.IndexOf('}', start);
            if (end < 0)
            {
                yield return value.Substring(start);
                yield break;
            }

            yield return value.Substring(start, end - start + 1);
            start = value.IndexOf('{', end);
        }
    }

    /// <summary>The values of a dictionary by known key (any case); an unknown key is refused with the keys allowed.</summary>
    private static Dictionary<string, object?> Keys(IDictionary d, string[] allowed, string prefix)
    {
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in d)
        {
            var key = entry.Key?.ToString() ?? string.Empty;
            var known = allowed.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                throw new AnalysisDefinitionException("UnknownAnalysisKey", prefix + key, $"'{prefix}{key}' is not a key of {(prefix.Length == 0 ? "an analysis definition" : prefix.TrimEnd('.'))}.",
                    $"Use {string.Join(", ", allowed)}.");
            }

            values[known] = entry.Value;
        }

        return values;
    }

    /// <summary>A duration: a TimeSpan, text such as '00:05:00', or seconds as a number (or numeric text).</summary>
    internal static TimeSpan Duration(object? value, string key)
    {
        TimeSpan? parsed = value switch
        {
            TimeSpan span => span,
            int or long or short or byte or double or float or decimal => Seconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string text when double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => Seconds(seconds),
            string text when text.Contains(':') && TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var span) => span,
            _ => null,
        };

        if (parsed is not { } result || result <= TimeSpan.Zero)
        {
            throw Invalid(key, $"{key} '{value}' is not a positive duration.", $"Give a TimeSpan, text such as '00:05:00', or seconds as a number, e.g. {key} = 300.");
        }

        return result;

        static TimeSpan? Seconds(double s) => double.IsNaN(s) || double.IsInfinity(s) || s > TimeSpan.MaxValue.TotalSeconds ? null : TimeSpan.FromSeconds(s);
    }

    private static double Number(object? value, string key, double min, double max, string what, bool exclusive = false, bool maxExclusive = false)
    {
        double? number = value switch
        {
            int or long or short or byte or double or float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            string text when double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };

        var inRange = number is { } x && !double.IsNaN(x) && x >= min && x <= max && !(exclusive && x == min) && !(maxExclusive && x == max);
        if (!inRange)
        {
            var range = exclusive && maxExclusive ? $"between {Text(min)} and {Text(max)}" : exclusive ? $"above {Text(min)} and at most {Text(max)}" : $"from {Text(min)} to {Text(max)}";
            throw Invalid(key, $"{key} '{value}' is not a number {range}.", $"Give {what}.");
        }

        return number!.Value;
    }

    private static int Integer(object? value, string key, int min, int max, string what)
    {
        var number = Number(value, key, min, max, what);
        if (number != Math.Floor(number))
        {
            throw Invalid(key, $"{key} '{value}' is not a whole number.", $"Give {what}.");
        }

        return (int)number;
    }

    private static bool Boolean(object? value, string key) => value switch
    {
        bool b => b,
        string text when bool.TryParse(text.Trim(), out var b) => b,
        _ => throw Invalid(key, $"{key} '{value}' is not $true or $false.", $"Give {key} = $true or {key} = $false."),
    };

    private static T Enum<T>(object? value, string key)
        where T : struct
    {
        var names = System.Enum.GetNames(typeof(T));
        var text = value switch
        {
            string s => s.Trim(),
            T e => e.ToString(),
            _ => null,
        };

        var name = text is null ? null : names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            throw Invalid(key, $"{key} '{value}' is not one of {string.Join(", ", names)}.", $"Give {key} = '{names[0]}' (or {string.Join(", ", names.Skip(1))}).");
        }

        return (T)System.Enum.Parse(typeof(T), name);
    }

    private static AnalysisDefinitionException Invalid(string key, string message, string action) => new("InvalidAnalysisValue", key, message, action);

    private static string Text(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string TypeName(object? value) => value?.GetType().Name ?? "null";
}
