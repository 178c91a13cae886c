using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Analysis;

/// <summary>How a metric's data points become samples.</summary>
internal enum SampleShape
{
    /// <summary>A value per period (latency): a period without a data point has no sample.</summary>
    Gauge,

    /// <summary>A count per period only published when not 0 (5XX, errors): a period in which the side served traffic but has
    /// no data point counts 0; a period without traffic has no sample.</summary>
    Count,

    /// <summary>A count divided by the side's traffic in the same period (error rate): a sample for each period with traffic.</summary>
    Rate,
}

/// <summary>What a target kind's built-in metric reads.</summary>
internal sealed record BuiltInSource(string Namespace, string MetricName, string DefaultStat, SampleShape Shape, string? Unit = null);

/// <summary>A built-in metric name and what it reads for each target kind.</summary>
internal sealed record BuiltInMetric(string Name, MetricDirection Direction, BuiltInSource? Ecs, BuiltInSource? Lambda, string Description)
{
    /// <summary>Whether a statistic other than the default may be asked for (latencies: Average, pNN, Maximum...).</summary>
    public bool StatisticChoosable => (Ecs ?? Lambda)!.Shape == SampleShape.Gauge;
}

/// <summary>The metric names a short definition may use, resolved per target kind.</summary>
internal static class BuiltInMetrics
{
    public const string ElbNamespace = "AWS/ApplicationELB";
    public const string LambdaNamespace = "AWS/Lambda";
    public const string SmokeLatency = "SmokeTest.Latency";
    public const string SmokeErrors = "SmokeTest.Errors";

    /// <summary>The traffic of a side per period: what a count's missing data point is read against.</summary>
    public static readonly BuiltInSource EcsTraffic = new(ElbNamespace, "RequestCount", "Sum", SampleShape.Count);
    public static readonly BuiltInSource LambdaTraffic = new(LambdaNamespace, "Invocations", "Sum", SampleShape.Count);

    private static readonly BuiltInSource Ecs5xx = new(ElbNamespace, "HTTPCode_Target_5XX_Count", "Sum", SampleShape.Count);
    private static readonly BuiltInSource EcsLatency = new(ElbNamespace, "TargetResponseTime", "Average", SampleShape.Gauge);
    private static readonly BuiltInSource LambdaErrors = new(LambdaNamespace, "Errors", "Sum", SampleShape.Count);
    private static readonly BuiltInSource LambdaDuration = new(LambdaNamespace, "Duration", "Average", SampleShape.Gauge);
    private static readonly BuiltInSource LambdaThrottles = new(LambdaNamespace, "Throttles", "Sum", SampleShape.Count);

    public static readonly IReadOnlyList<BuiltInMetric> All = new[]
    {
        new BuiltInMetric("ErrorRate", MetricDirection.Increase, Ecs5xx with { Shape = SampleShape.Rate }, LambdaErrors with { Shape = SampleShape.Rate },
            "errors per request in each period: HTTPCode_Target_5XX_Count / RequestCount (ECS), Errors / Invocations (Lambda)"),
        new BuiltInMetric("Latency", MetricDirection.Increase, EcsLatency, LambdaDuration, "TargetResponseTime in seconds (ECS), Duration in milliseconds (Lambda)"),
        new BuiltInMetric("HTTPCode_Target_5XX_Count", MetricDirection.Increase, Ecs5xx, null, "5XX answers of the side's targets per period (ECS)"),
        new BuiltInMetric("TargetResponseTime", MetricDirection.Increase, EcsLatency, null, "seconds from the load balancer to the target's answer (ECS)"),
        new BuiltInMetric("RequestCount", MetricDirection.Decrease, EcsTraffic, null, "requests the side's target group served per period (ECS)"),
        new BuiltInMetric("Errors", MetricDirection.Increase, null, LambdaErrors, "invocations of the side's version that failed, per period (Lambda)"),
        new BuiltInMetric("Duration", MetricDirection.Increase, null, LambdaDuration, "milliseconds an invocation of the side's version ran (Lambda)"),
        new BuiltInMetric("Throttles", MetricDirection.Increase, null, LambdaThrottles, "throttled invocations of the side's version per period (Lambda)"),
        new BuiltInMetric("Invocations", MetricDirection.Decrease, null, LambdaTraffic, "invocations of the side's version per period (Lambda)"),
    };

    private static readonly Regex GaugeStatistic = new(@"^(Average|Minimum|Maximum|p(100|\d{1,2}(\.\d{1,3})?))$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex AnyStatistic = new(@"^(Average|Minimum|Maximum|Sum|SampleCount|IQM|(p|tm|wm|tc|ts|pr)[0-9.:%()A-Za-z]+)$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static BuiltInMetric? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    public static bool IsSmokeTest(string name) =>
        string.Equals(name, SmokeLatency, StringComparison.OrdinalIgnoreCase) || string.Equals(name, SmokeErrors, StringComparison.OrdinalIgnoreCase);

    public static bool IsGaugeStatistic(string statistic) => GaugeStatistic.IsMatch(statistic);

    public static bool IsStatistic(string statistic) => AnyStatistic.IsMatch(statistic);

    /// <summary>Every name a definition may use without a query, for messages.</summary>
    public static string Names => string.Join(", ", All.Select(m => m.Name).Concat(new[] { SmokeLatency, SmokeErrors }));
}
