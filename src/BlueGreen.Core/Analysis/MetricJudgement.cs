using System.Collections.Generic;

namespace BlueGreen.Core.Analysis;

/// <summary>The judgement of one metric: green against blue, with the figures it rests on.</summary>
public sealed class MetricJudgement
{
    public string Name { get; set; } = string.Empty;

    public MetricVerdict Verdict { get; set; }

    public bool Critical { get; set; }

    public MetricDirection Direction { get; set; }

    public double Weight { get; set; }

    /// <summary>Samples of green judged, after outlier removal.</summary>
    public int GreenSamples { get; set; }

    /// <summary>Samples of blue judged, after outlier removal.</summary>
    public int BlueSamples { get; set; }

    public int GreenOutliersRemoved { get; set; }

    public int BlueOutliersRemoved { get; set; }

    public double? GreenMean { get; set; }

    public double? BlueMean { get; set; }

    public double? GreenMedian { get; set; }

    public double? BlueMedian { get; set; }

    /// <summary>The Mann-Whitney U statistic (the smaller of the two); null when not tested.</summary>
    public double? U { get; set; }

    /// <summary>The p-value of the test in the metric's bad direction (both directions for Either).</summary>
    public double? PValue { get; set; }

    /// <summary>True when the p-value is exact, false when approximated; null when not tested.</summary>
    public bool? ExactPValue { get; set; }

    /// <summary>Green's mean divided by blue's; null when blue's mean is 0 or there are no samples.</summary>
    public double? MeanRatio { get; set; }

    /// <summary>P(green &gt; blue) + 0.5 P(green = blue) over all pairs of samples: 0.5 when neither tends to be larger.</summary>
    public double? CommonLanguageEffect { get; set; }

    public double AllowedEffect { get; set; }

    public double Confidence { get; set; }

    /// <summary>Why the verdict is what it is, in one sentence.</summary>
    public string Reason { get; set; } = string.Empty;

    public override string ToString() => Name + ": " + Verdict;
}

/// <summary>The judgement of an analysis: every metric's, the score and the overall verdict.</summary>
public sealed class CanaryJudgement
{
    public IReadOnlyList<MetricJudgement> Metrics { get; set; } = new List<MetricJudgement>();

    /// <summary>Percent of the weight of the metrics with data that passed, 0 to 100; 0 when no metric had data.</summary>
    public double Score { get; set; }

    public AnalysisVerdict Verdict { get; set; }

    public ScoreThresholds Thresholds { get; set; } = new();

    public double Confidence { get; set; }

    /// <summary>Why the verdict is what it is, in one sentence.</summary>
    public string Reason { get; set; } = string.Empty;

    public override string ToString() => Verdict + " (" + Score.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + ")";
}
