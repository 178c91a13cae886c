using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BlueGreen.Aws.CloudWatch.Model;

namespace BlueGreen.Core.Analysis;

/// <summary>
/// The one GetMetricData request of an analysis (every CloudWatch metric of the definition, for both sides, with each side's
/// traffic where a count needs it), and how its answer becomes samples per side. Identical queries are sent once.
/// </summary>
/// <remarks>
/// Each data point in the window is one sample (one period). A period without a data point is absent, not 0, with one
/// exception: a count metric (5XX, Errors, Throttles) is only published in periods where it is not 0, so in a period where the
/// side served traffic (RequestCount or Invocations has a data point above 0) its absence means 0. A period without traffic
/// gives no sample at all, so a side without traffic has no samples and the judge says NoData rather than passing it.
/// </remarks>
public sealed class MetricQueryPlan
{
    private readonly List<MetricDataQuery> _queries = new();
    private readonly Dictionary<string, string> _idByKey = new(StringComparer.Ordinal);
    private readonly List<PlannedMetric> _metrics = new();

    private MetricQueryPlan(AnalysisSides sides, DateTime start, DateTime end, int periodSeconds)
    {
        Sides = sides;
        StartTime = start;
        EndTime = end;
        PeriodSeconds = periodSeconds;
    }

    public AnalysisSides Sides { get; }

    /// <summary>The window's start, on a period boundary (UTC).</summary>
    public DateTime StartTime { get; }

    /// <summary>The window's end, on a period boundary (UTC): the period still filling up is left out.</summary>
    public DateTime EndTime { get; }

    public int PeriodSeconds { get; }

    /// <summary>The queries, each metric's once per side.</summary>
    public IReadOnlyList<MetricDataQuery> Queries => _queries;

    /// <summary>The request: one call (paged by CloudWatch only when its answer is too long).</summary>
    public GetMetricDataRequest Request() => new()
    {
        MetricDataQueries = _queries,
        StartTime = StartTime,
        EndTime = EndTime,
        ScanBy = "TimestampAscending",
    };

    /// <summary>Plans the queries of <paramref name="metrics"/> (smoke-test metrics are skipped) for a window ending at
    /// <paramref name="now"/> (the service's clock), reaching back <paramref name="lookback"/> but not before <paramref name="notBefore"/>.</summary>
    public static MetricQueryPlan Build(IEnumerable<MetricDefinition> metrics, AnalysisSides sides, DateTime now, TimeSpan lookback, TimeSpan period, DateTime? notBefore)
    {
        if (metrics is null)
        {
            throw new ArgumentNullException(nameof(metrics));
        }

        if (sides is null)
        {
            throw new ArgumentNullException(nameof(sides));
        }

        var seconds = (int)period.TotalSeconds;
        var end = Floor(now.ToUniversalTime(), seconds);
        var start = end - TimeSpan.FromSeconds(Math.Max(seconds, Math.Floor(lookback.TotalSeconds / seconds) * seconds));
        if (notBefore is { } floor && Ceiling(floor.ToUniversalTime(), seconds) is var first && first > start)
        {
            // Only periods in which green could exist compare like with like.
            start = first < end ? first : end - TimeSpan.FromSeconds(seconds);
        }

        var plan = new MetricQueryPlan(sides, start, end, seconds);
        foreach (var metric in metrics)
        {
            if (metric.Source != MetricSourceKind.SmokeTest)
            {
                plan.Add(metric);
            }
        }

        return plan;
    }

    private void Add(MetricDefinition metric)
    {
        var planned = new PlannedMetric(metric);
        foreach (var side in Sides.Both)
        {
            if (metric.Source == MetricSourceKind.Custom)
            {
                var query = metric.Query!;
                var dimensions = query.Dimensions.Select(d => new Dimension { Name = d.Key, Value = Fill(d.Value, side) }).ToList();
                planned.Value[side.Label] = Id(new Metric { Namespace = query.Namespace, MetricName = query.MetricName, Dimensions = dimensions }, query.Stat, query.Unit, metric.Name);
                planned.Shape = query.MissingIsZero ? SampleShape.Count : SampleShape.Gauge;
                continue;
            }

            var builtIn = BuiltInMetrics.Find(metric.Name) ?? throw new InvalidOperationException($"'{metric.Name}' is not a built-in metric.");
            var (source, traffic) = Sides.Kind == AnalysisTargetKind.Ecs ? (builtIn.Ecs, BuiltInMetrics.EcsTraffic) : (builtIn.Lambda, BuiltInMetrics.LambdaTraffic);
            if (source is null)
            {
                throw new AnalysisDefinitionException("MetricNotForTarget", metric.Name,
                    $"'{metric.Name}' is a metric of {(Sides.Kind == AnalysisTargetKind.Ecs ? "Lambda functions" : "ECS services behind a load balancer")}, and this release is {(Sides.Kind == AnalysisTargetKind.Ecs ? "of an ECS service" : "of a Lambda alias")}.",
                    $"Use {string.Join(", ", BuiltInMetrics.All.Where(m => (Sides.Kind == AnalysisTargetKind.Ecs ? m.Ecs : m.Lambda) is not null).Select(m => m.Name))} for this release.");
            }

            planned.Shape = source.Shape;
            planned.Value[side.Label] = Id(BuiltInMetric(source, side), metric.Statistic ?? source.DefaultStat, source.Unit, metric.Name);
            if (source.Shape != SampleShape.Gauge)
            {
                planned.Traffic[side.Label] = Id(BuiltInMetric(traffic, side), traffic.DefaultStat, null, "traffic");
            }
        }

        _metrics.Add(planned);
    }

    /// <summary>A built-in metric of one side, with the dimensions AWS publishes it by.</summary>
    private Metric BuiltInMetric(BuiltInSource source, AnalysisSide side)
    {
        var dimensions = Sides.Kind == AnalysisTargetKind.Ecs
            ? new List<Dimension>
            {
                new() { Name = "LoadBalancer", Value = side.LoadBalancer ?? throw new InvalidOperationException($"The {side.Label} side has no load balancer.") },
                new() { Name = "TargetGroup", Value = side.TargetGroup ?? throw new InvalidOperationException($"The {side.Label} side has no target group.") },
            }
            : new List<Dimension>
            {
                new() { Name = "FunctionName", Value = Sides.FunctionName ?? throw new InvalidOperationException("The release names no Lambda function.") },
                new() { Name = "Resource", Value = Sides.Resource ?? throw new InvalidOperationException("The release names no Lambda alias.") },
                new() { Name = "ExecutedVersion", Value = side.Version ?? throw new InvalidOperationException($"The release names no {side.Label} version.") },
            };
        return new Metric { Namespace = source.Namespace, MetricName = source.MetricName, Dimensions = dimensions };
    }

    /// <summary>A dimension value with the side's placeholders filled in.</summary>
    internal string Fill(string value, AnalysisSide side)
    {
        string Required(string? v, string placeholder) =>
            v ?? throw new AnalysisDefinitionException("PlaceholderNotForTarget", placeholder,
                $"The placeholder {placeholder} has no value for the {side.Label} side of this release ({(Sides.Kind == AnalysisTargetKind.Ecs ? "an ECS service" : "a Lambda alias")}).",
                Sides.Kind == AnalysisTargetKind.Ecs ? "For ECS use {Side}, {Version}, {TargetGroup} or {LoadBalancer}." : "For Lambda use {Side}, {Version}, {FunctionName} or {Alias}.");

        var filled = value.Replace("{Side}", side.Label);
        if (filled.Contains("{Version}"))
        {
            filled = filled.Replace("{Version}", Required(side.Version, "{Version}"));
        }

        if (filled.Contains("{TargetGroup}"))
        {
            filled = filled.Replace("{TargetGroup}", Required(side.TargetGroup, "{TargetGroup}"));
        }

        if (filled.Contains("{LoadBalancer}"))
        {
            filled = filled.Replace("{LoadBalancer}", Required(side.LoadBalancer, "{LoadBalancer}"));
        }

        if (filled.Contains("{FunctionName}"))
        {
            filled = filled.Replace("{FunctionName}", Required(Sides.FunctionName, "{FunctionName}"));
        }

        if (filled.Contains("{Alias}"))
        {
            filled = filled.Replace("{Alias}", Required(Sides.Alias, "{Alias}"));
        }

        return filled;
    }

    private string Id(Metric metric, string stat, string? unit, string label)
    {
        var key = string.Join("|", metric.Namespace, metric.MetricName, string.Join(",", metric.Dimensions!.Select(d => d.Name + "=" + d.Value)), stat, unit);
        if (_idByKey.TryGetValue(key, out var id))
        {
            return id;
        }

        id = "q" + _queries.Count.ToString(CultureInfo.InvariantCulture);
        _idByKey[key] = id;
        _queries.Add(new MetricDataQuery
        {
            Id = id,
            Label = label,
            ReturnData = true,
            MetricStat = new MetricStat { Metric = metric, Period = PeriodSeconds, Stat = stat, Unit = unit },
        });
        return id;
    }

    /// <summary>The samples of each metric and side from the answer's pages.</summary>
    public IReadOnlyDictionary<string, (IReadOnlyList<double> Green, IReadOnlyList<double> Blue)> Samples(IEnumerable<GetMetricDataResponse> pages)
    {
        if (pages is null)
        {
            throw new ArgumentNullException(nameof(pages));
        }

        var series = new Dictionary<string, SortedDictionary<DateTime, double>>(StringComparer.Ordinal);
        foreach (var result in pages.SelectMany(p => p.MetricDataResults ?? new List<MetricDataResult>()))
        {
            if (result.Id is null)
            {
                continue;
            }

            if (!series.TryGetValue(result.Id, out var points))
            {
                series[result.Id] = points = new SortedDictionary<DateTime, double>();
            }

            var timestamps = result.Timestamps ?? new List<DateTime>();
            var values = result.Values ?? new List<double>();
            for (var i = 0; i < Math.Min(timestamps.Count, values.Count); i++)
            {
                var at = timestamps[i].ToUniversalTime();
                if (at >= StartTime && at < EndTime)
                {
                    points[at] = values[i];
                }
            }
        }

        var samples = new Dictionary<string, (IReadOnlyList<double>, IReadOnlyList<double>)>(StringComparer.Ordinal);
        foreach (var metric in _metrics)
        {
            samples[metric.Definition.Name] = (SideSamples(metric, Sides.Green.Label, series), SideSamples(metric, Sides.Blue.Label, series));
        }

        return samples;
    }

    private List<double> SideSamples(PlannedMetric metric, string side, Dictionary<string, SortedDictionary<DateTime, double>> series)
    {
        var empty = new SortedDictionary<DateTime, double>();
        var value = series.TryGetValue(metric.Value[side], out var v) ? v : empty;
        if (metric.Shape == SampleShape.Gauge)
        {
            return value.Values.Where(x => !double.IsNaN(x) && !double.IsInfinity(x)).ToList();
        }

        if (!metric.Traffic.TryGetValue(side, out var trafficId))
        {
            // A custom count: every period of the window counts, 0 where nothing was published.
            return Periods().Select(t => value.TryGetValue(t, out var x) ? x : 0).ToList();
        }

        var traffic = series.TryGetValue(trafficId, out var t) ? t : empty;
        if (metric.Shape == SampleShape.Rate)
        {
            return traffic.Where(p => p.Value > 0).Select(p => (value.TryGetValue(p.Key, out var count) ? count : 0) / p.Value).ToList();
        }

        var periods = new SortedSet<DateTime>(traffic.Where(p => p.Value > 0).Select(p => p.Key));
        periods.UnionWith(value.Keys);
        return periods.Select(at => value.TryGetValue(at, out var count) ? count : 0).ToList();
    }

    private IEnumerable<DateTime> Periods()
    {
        for (var at = StartTime; at < EndTime; at = at.AddSeconds(PeriodSeconds))
        {
            yield return at;
        }
    }

    private static DateTime Floor(DateTime time, int seconds) =>
        new(time.Ticks - (time.Ticks % TimeSpan.FromSeconds(seconds).Ticks), DateTimeKind.Utc);

    private static DateTime Ceiling(DateTime time, int seconds)
    {
        var floor = Floor(time, seconds);
        return floor == time ? floor : floor.AddSeconds(seconds);
    }

    private sealed class PlannedMetric
    {
        public PlannedMetric(MetricDefinition definition) => Definition = definition;

        public MetricDefinition Definition { get; }

        public SampleShape Shape { get; set; }

        /// <summary>The query id of the metric's value, per side label.</summary>
        public Dictionary<string, string> Value { get; } = new(StringComparer.Ordinal);

        /// <summary>The query id of the side's traffic, for counts and rates.</summary>
        public Dictionary<string, string> Traffic { get; } = new(StringComparer.Ordinal);
    }
}
