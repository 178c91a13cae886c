namespace BlueGreen.Core.Analysis;

/// <summary>Which change of green against blue is bad.</summary>
public enum MetricDirection
{
    /// <summary>Green higher than blue is bad (latency, errors).</summary>
    Increase,

    /// <summary>Green lower than blue is bad (throughput, successes).</summary>
    Decrease,

    /// <summary>Any difference is bad.</summary>
    Either,
}

/// <summary>The verdict on one metric.</summary>
public enum MetricVerdict
{
    Pass,
    Fail,

    /// <summary>Either side had fewer samples than the metric's minimum: nothing was judged.</summary>
    NoData,
}

/// <summary>The verdict on a whole analysis.</summary>
public enum AnalysisVerdict
{
    Pass,
    Marginal,
    Fail,

    /// <summary>Not enough data to judge: every metric, or a critical one, had too few samples.</summary>
    Inconclusive,
}

/// <summary>What to do with outlying samples before the test.</summary>
public enum OutlierHandling
{
    Keep,

    /// <summary>Drop the samples outside Tukey's fences (1.5 IQR beyond the quartiles), each side on its own.</summary>
    Remove,
}

/// <summary>
/// How one metric is judged.
/// </summary>
/// <param name="Name">The metric's name, as the judgement shows it.</param>
/// <param name="Direction">Which change of green against blue is bad.</param>
/// <param name="Critical">A critical metric's failure fails the whole analysis; its lack of data makes it inconclusive.</param>
/// <param name="MinimumSamples">Fewer samples than this on either side (after outlier removal) is NoData.</param>
/// <param name="AllowedEffect">
/// The tolerated ratio of means, 1 or more, in the bad direction: for Increase green's mean may be up to
/// AllowedEffect times blue's, for Decrease blue's mean may be up to AllowedEffect times green's, for
/// Either both. 1 tolerates no significant change in the bad direction.
/// </param>
/// <param name="Weight">The metric's share of the score, more than 0.</param>
/// <param name="Outliers">Whether outlying samples are kept or removed before the test.</param>
public sealed record MetricCriteria(
    string Name,
    MetricDirection Direction,
    bool Critical = false,
    int MinimumSamples = 10,
    double AllowedEffect = 1.0,
    double Weight = 1.0,
    OutlierHandling Outliers = OutlierHandling.Keep);

/// <summary>The score, in percent of the weight of the metrics with data, an analysis needs to pass or to be marginal.</summary>
public sealed record ScoreThresholds(double Pass = 95, double Marginal = 75);
