using System.Globalization;
using System.Text.RegularExpressions;

namespace BlueGreen.Sandbox.Services;

/// <summary>
/// The datapoints of one metric in one bucket of virtual time: exact count, sum, minimum and maximum, and up to
/// <see cref="SampleCap"/> of the values themselves for percentiles (a uniform sample once there are more).
/// </summary>
internal sealed class MetricBucket
{
    public const int SampleCap = 256;
    private long _seen;

    public double Count { get; private set; }

    public double Sum { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    public List<double> Samples { get; } = [];

    public void Add(double value, double count)
    {
        AddAggregate(count, value * count, value, value);
        // A value sent with a count of thousands still takes at most the whole sample.
        var copies = (int)Math.Min(Math.Max(Math.Round(count), 1), SampleCap);
        for (var i = 0; i < copies; i++)
        {
            _seen++;
            if (Samples.Count < SampleCap)
            {
                Samples.Add(value);
            }
            else if (Random.Shared.NextInt64(_seen) is var slot && slot < SampleCap)
            {
                Samples[(int)slot] = value;
            }
        }
    }

    /// <summary>A statistic set (PutMetricData StatisticValues): no values, so no percentiles from it.</summary>
    public void AddAggregate(double count, double sum, double min, double max)
    {
        Count += count;
        Sum += sum;
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
    }
}

/// <summary>One metric: a namespace, a name and one exact set of dimensions, as CloudWatch identifies it.</summary>
internal sealed class MetricSeries(string ns, string name, IReadOnlyList<KeyValuePair<string, string>> dimensions, string unit, int resolution)
{
    public string Namespace { get; } = ns;

    public string Name { get; } = name;

    /// <summary>Sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Dimensions { get; } = dimensions;

    public string Unit { get; set; } = unit;

    /// <summary>Seconds per bucket: 60 (standard resolution, as every AWS service publishes) or 1 (high resolution).</summary>
    public int Resolution { get; } = resolution;

    /// <summary>Buckets by the unix second they start at.</summary>
    public SortedDictionary<long, MetricBucket> Buckets { get; } = [];

    public DateTimeOffset LastWrite { get; set; }
}

/// <summary>What one period of a series adds up to.</summary>
internal sealed class PeriodAggregate
{
    public double Count { get; set; }

    public double Sum { get; set; }

    public double Min { get; set; } = double.PositiveInfinity;

    public double Max { get; set; } = double.NegativeInfinity;

    public List<double> Samples { get; } = [];

    public void Add(MetricBucket bucket)
    {
        Count += bucket.Count;
        Sum += bucket.Sum;
        Min = Math.Min(Min, bucket.Min);
        Max = Math.Max(Max, bucket.Max);
        Samples.AddRange(bucket.Samples);
    }
}

/// <summary>
/// The metrics of one region. Memory is bounded: each series keeps its newest <see cref="MaxBuckets"/> buckets
/// (and none older than CloudWatch's 15 days), each bucket at most <see cref="MetricBucket.SampleCap"/> values, and
/// the region at most <see cref="MaxSeries"/> series (the one written longest ago goes first).
/// </summary>
internal sealed partial class MetricStore
{
    public const int MaxBuckets = 2880;
    public const int MaxSeries = 5000;
    private static readonly TimeSpan Retention = TimeSpan.FromDays(15);
    private readonly Dictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);

    public IEnumerable<MetricSeries> All => _series.Values;

    public static List<KeyValuePair<string, string>> Sorted(IEnumerable<KeyValuePair<string, string>> dimensions) =>
        [.. dimensions.OrderBy(d => d.Key, StringComparer.Ordinal)];

    private static string Key(string ns, string name, IEnumerable<KeyValuePair<string, string>> sortedDimensions) =>
        ns + "\n" + name + "\n" + string.Join("\n", sortedDimensions.Select(d => d.Key + "=" + d.Value));

    public MetricSeries? Find(string ns, string name, IEnumerable<KeyValuePair<string, string>> dimensions) =>
        _series.GetValueOrDefault(Key(ns, name, Sorted(dimensions)));

    public void Add(string ns, string name, IEnumerable<KeyValuePair<string, string>> dimensions, DateTimeOffset time, string unit, Action<MetricBucket> add, int resolution = 60)
    {
        var sorted = Sorted(dimensions);
        var key = Key(ns, name, sorted);
        if (!_series.TryGetValue(key, out var series))
        {
            if (_series.Count >= MaxSeries)
            {
                var stalest = _series.MinBy(s => s.Value.LastWrite).Key;
                _series.Remove(stalest);
            }

            series = new MetricSeries(ns, name, sorted, unit, resolution);
            _series[key] = series;
        }

        series.LastWrite = time > series.LastWrite ? time : series.LastWrite;
        if (unit != "None")
        {
            series.Unit = unit;
        }

        var seconds = time.ToUnixTimeSeconds();
        var start = seconds - (((seconds % series.Resolution) + series.Resolution) % series.Resolution);
        if (!series.Buckets.TryGetValue(start, out var bucket))
        {
            bucket = new MetricBucket();
            series.Buckets[start] = bucket;
            var oldest = (series.LastWrite - Retention).ToUnixTimeSeconds();
            while (series.Buckets.Count > 0 && (series.Buckets.Count > MaxBuckets || series.Buckets.First().Key < oldest))
            {
                series.Buckets.Remove(series.Buckets.First().Key);
            }
        }

        if (series.Buckets.ContainsKey(start))
        {
            add(bucket);
        }
    }

    public void Add(string ns, string name, IEnumerable<KeyValuePair<string, string>> dimensions, double value, DateTimeOffset time, string unit = "None") =>
        Add(ns, name, dimensions, time, unit, b => b.Add(value, 1));

    /// <summary>
    /// The series' datapoints over [start, end) in periods of <paramref name="period"/> seconds counted from
    /// <paramref name="start"/>: the start of each period that has data, and what it adds up to.
    /// </summary>
    public static SortedDictionary<long, PeriodAggregate> Periods(MetricSeries series, long start, long end, int period)
    {
        var periods = new SortedDictionary<long, PeriodAggregate>();
        foreach (var (at, bucket) in series.Buckets)
        {
            if (at < start)
            {
                continue;
            }

            if (at >= end)
            {
                break;
            }

            var slot = start + ((at - start) / period * period);
            if (!periods.TryGetValue(slot, out var aggregate))
            {
                aggregate = new PeriodAggregate();
                periods[slot] = aggregate;
            }

            aggregate.Add(bucket);
        }

        return periods;
    }

    [GeneratedRegex(@"^p(100(\.0+)?|\d{1,2}(\.\d+)?)$")]
    private static partial Regex PercentileStat();

    [GeneratedRegex(@"^tm(100(\.0+)?|\d{1,2}(\.\d+)?)$")]
    private static partial Regex TrimmedMeanStat();

    /// <summary>Whether the sandbox computes this statistic: the five basic ones, pNN, tmNN and IQM.</summary>
    public static bool IsStatistic(string stat) =>
        stat is "SampleCount" or "Sum" or "Average" or "Minimum" or "Maximum" or "IQM" || PercentileStat().IsMatch(stat) || TrimmedMeanStat().IsMatch(stat);

    /// <summary>One statistic of one period, or null when it has none (a percentile of data sent only as statistic sets).</summary>
    public static double? Statistic(PeriodAggregate period, string stat)
    {
        if (period.Count <= 0)
        {
            return null;
        }

        switch (stat)
        {
            case "SampleCount": return period.Count;
            case "Sum": return period.Sum;
            case "Average": return period.Sum / period.Count;
            case "Minimum": return period.Min;
            case "Maximum": return period.Max;
        }

        if (period.Samples.Count == 0)
        {
            return null;
        }

        var sorted = period.Samples.Order().ToList();
        if (stat == "IQM")
        {
            return TrimmedMean(sorted, 25, 75);
        }

        var share = double.Parse(stat[(stat[0] == 'p' ? 1 : 2)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        return stat[0] == 'p' ? Percentile(sorted, share) : TrimmedMean(sorted, 0, share);
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="share"/> percent of values at or below it.</summary>
    private static double Percentile(List<double> sorted, double share)
    {
        var rank = (int)Math.Ceiling(share / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static double? TrimmedMean(List<double> sorted, double low, double high)
    {
        var lowValue = Percentile(sorted, low);
        var highValue = Percentile(sorted, high);
        var kept = sorted.Where(v => v >= lowValue && v <= highValue).ToList();
        return kept.Count == 0 ? null : kept.Average();
    }
}
