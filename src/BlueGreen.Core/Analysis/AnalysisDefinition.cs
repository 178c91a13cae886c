using System;
using System.Collections;
using System.Collections.Generic;

namespace BlueGreen.Core.Analysis;

/// <summary>Where a metric's samples come from.</summary>
public enum MetricSourceKind
{
    /// <summary>A metric AWS publishes for the target (ALB target groups, Lambda versions), named by a built-in name.</summary>
    CloudWatch,

    /// <summary>A CloudWatch metric the definition names itself in a <c>Query</c>, with placeholders for the side.</summary>
    Custom,

    /// <summary>Per-request samples of smoke tests of green and of blue.</summary>
    SmokeTest,
}

/// <summary>What an analysis does once it has been Inconclusive for <see cref="AnalysisDefinition.InconclusiveLimit"/> intervals.</summary>
public enum InconclusiveAction
{
    /// <summary>Too little data is a failure: the release is not let on.</summary>
    Fail,

    /// <summary>Too little data lets the release go on.</summary>
    Continue,
}

/// <summary>
/// A canary analysis as a user writes it (a hashtable or a .psd1 file): which metrics compare green with blue, how each is
/// judged, the score thresholds, and how often and over what window the analysis runs. Built by <see cref="FromDictionary"/>,
/// which refuses anything it does not know before any AWS call.
/// </summary>
public sealed class AnalysisDefinition
{
    /// <summary>The metrics judged; never empty.</summary>
    public IReadOnlyList<MetricDefinition> Metrics { get; set; } = Array.Empty<MetricDefinition>();

    /// <summary>The scores (percent of the weight of metrics with data) to pass and to be marginal.</summary>
    public ScoreThresholds Thresholds { get; set; } = new();

    /// <summary>The confidence level of each metric's test, between 0 and 1.</summary>
    public double Confidence { get; set; } = 0.95;

    /// <summary>How often an analysis runs while a release is watched.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many intervals an analysis over a release runs; 0 for every interval until the release ends.</summary>
    public int Count { get; set; }

    /// <summary>The window one analysis reads: the data points of the last <see cref="Lookback"/>, and no older than the release.</summary>
    public TimeSpan Lookback { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The CloudWatch period of one data point (one sample): 60 s, or 1, 5, 10 or 30 s for high-resolution metrics.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many intervals in a row an analysis over a release may stay Inconclusive before <see cref="OnInconclusive"/>.</summary>
    public int InconclusiveLimit { get; set; } = 3;

    /// <summary>What happens once <see cref="InconclusiveLimit"/> is reached.</summary>
    public InconclusiveAction OnInconclusive { get; set; } = InconclusiveAction.Fail;

    /// <summary>Whether a metric reads CloudWatch (and so the analysis makes its one GetMetricData call).</summary>
    public bool ReadsCloudWatch
    {
        get
        {
            foreach (var metric in Metrics)
            {
                if (metric.Source != MetricSourceKind.SmokeTest)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Whether a metric judges smoke-test samples.</summary>
    public bool ReadsSmokeTests
    {
        get
        {
            foreach (var metric in Metrics)
            {
                if (metric.Source == MetricSourceKind.SmokeTest)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Reads a definition written as a hashtable (or the data of a .psd1 file). Keys are case-insensitive; an unknown
    /// key or a bad value throws <see cref="AnalysisDefinitionException"/> naming the key and what it takes.</summary>
    public static AnalysisDefinition FromDictionary(IDictionary d) => AnalysisDefinitionReader.Read(d ?? throw new ArgumentNullException(nameof(d)));

    public override string ToString() =>
        $"{Metrics.Count} metric{(Metrics.Count == 1 ? string.Empty : "s")}, pass {Thresholds.Pass}, marginal {Thresholds.Marginal}, every {Interval}, over {Lookback}";
}

/// <summary>One metric of a definition: where its samples come from and how it is judged.</summary>
public sealed class MetricDefinition
{
    public MetricDefinition(string name, MetricSourceKind source, MetricCriteria criteria)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Source = source;
        Criteria = criteria ?? throw new ArgumentNullException(nameof(criteria));
    }

    /// <summary>The name the judgement shows: a built-in name (<c>ErrorRate</c>, <c>Latency</c>, <c>TargetResponseTime</c>,
    /// <c>Duration</c>, ..., <c>SmokeTest.Latency</c>), or any name for a custom query.</summary>
    public string Name { get; }

    public MetricSourceKind Source { get; }

    /// <summary>The CloudWatch metric name: the query's for a custom metric; null for a built-in name (it depends on the
    /// target: <c>Latency</c> is TargetResponseTime for ECS, Duration for Lambda) and for smoke-test samples.</summary>
    public string? MetricName { get; set; }

    public MetricCriteria Criteria { get; }

    /// <summary>The CloudWatch statistic asked for (<c>Average</c>, <c>p99</c>, <c>Sum</c>, ...); null for the metric's own.</summary>
    public string? Statistic { get; set; }

    /// <summary>The query of a custom metric; null otherwise.</summary>
    public CustomMetricQuery? Query { get; set; }

    public override string ToString() => $"{Name} ({Source})";
}

/// <summary>A CloudWatch metric a definition names itself. Dimension values may hold placeholders for the side judged:
/// <c>{Side}</c> (<c>blue</c> or <c>green</c>), <c>{Version}</c> (the side's Lambda version or task definition),
/// <c>{TargetGroup}</c> and <c>{LoadBalancer}</c> (ARN suffixes, ECS), <c>{FunctionName}</c>, <c>{Alias}</c> (Lambda).</summary>
public sealed class CustomMetricQuery
{
    public CustomMetricQuery(string @namespace, string metricName, IReadOnlyDictionary<string, string> dimensions, string stat)
    {
        Namespace = @namespace ?? throw new ArgumentNullException(nameof(@namespace));
        MetricName = metricName ?? throw new ArgumentNullException(nameof(metricName));
        Dimensions = dimensions ?? throw new ArgumentNullException(nameof(dimensions));
        Stat = stat ?? throw new ArgumentNullException(nameof(stat));
    }

    /// <summary>The placeholders a dimension value may hold.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = new[] { "{Side}", "{Version}", "{TargetGroup}", "{LoadBalancer}", "{FunctionName}", "{Alias}" };

    public string Namespace { get; }

    public string MetricName { get; }

    /// <summary>Dimension name to value, in the order written.</summary>
    public IReadOnlyDictionary<string, string> Dimensions { get; }

    public string Stat { get; }

    /// <summary>The CloudWatch unit asked for, or null for any.</summary>
    public string? Unit { get; set; }

    /// <summary>True when a period without a data point counts as 0 (a count metric that is only published when non-zero).</summary>
    public bool MissingIsZero { get; set; }
}

/// <summary>A definition is not valid; nothing was read or sent. <see cref="Key"/> names the key to fix.</summary>
public sealed class AnalysisDefinitionException : ArgumentException
{
    public AnalysisDefinitionException(string errorId, string key, string message, string recommendedAction)
        : base(message)
    {
        ErrorId = errorId;
        Key = key;
        RecommendedAction = recommendedAction;
    }

    public AnalysisDefinitionException()
        : this("InvalidAnalysisDefinition", string.Empty, "The analysis definition is not valid.", string.Empty)
    {
    }

    public AnalysisDefinitionException(string message)
        : this("InvalidAnalysisDefinition", string.Empty, message, string.Empty)
    {
    }

    public AnalysisDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorId = "InvalidAnalysisDefinition";
        Key = string.Empty;
        RecommendedAction = string.Empty;
    }

    /// <summary>A stable PascalCase id: <c>UnknownAnalysisKey</c>, <c>InvalidAnalysisValue</c>, <c>MissingAnalysisKey</c>, <c>UnknownMetric</c>, ...</summary>
    public string ErrorId { get; }

    /// <summary>The key at fault, as a path: <c>Lookback</c>, <c>Metrics[1].Direction</c>.</summary>
    public string Key { get; }

    public string RecommendedAction { get; }
}
