using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BlueGreen.Core.Analysis;

/// <summary>
/// Judges green against blue: each metric by a Mann-Whitney U test in its bad direction together with
/// an effect size against the allowed one, then the analysis by a weighted score and its critical
/// metrics. Never passes a metric on too little data.
/// </summary>
public static class CanaryJudge
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private const string NotJudged = "Not judged: ";

    public static MetricJudgement JudgeMetric(MetricCriteria criteria, IReadOnlyList<double> green, IReadOnlyList<double> blue, double confidence = 0.95)
    {
        Validate(criteria);
        ValidateConfidence(confidence);
        if (green is null) throw new ArgumentNullException(nameof(green));
        if (blue is null) throw new ArgumentNullException(nameof(blue));

        var greenKept = Prepare(green, criteria.Outliers, nameof(green));
        var blueKept = Prepare(blue, criteria.Outliers, nameof(blue));
        var judgement = new MetricJudgement
        {
            Name = criteria.Name,
            Critical = criteria.Critical,
            Direction = criteria.Direction,
            Weight = criteria.Weight,
            AllowedEffect = criteria.AllowedEffect,
            Confidence = confidence,
            GreenSamples = greenKept.Length,
            BlueSamples = blueKept.Length,
            GreenOutliersRemoved = green.Count - greenKept.Length,
            BlueOutliersRemoved = blue.Count - blueKept.Length,
            GreenMean = greenKept.Length > 0 ? greenKept.Average() : null,
            BlueMean = blueKept.Length > 0 ? blueKept.Average() : null,
            GreenMedian = Median(greenKept),
            BlueMedian = Median(blueKept),
        };
        if (judgement.GreenMean is double gm && judgement.BlueMean is double bm && bm != 0)
        {
            judgement.MeanRatio = gm / bm;
        }

        if (greenKept.Length < criteria.MinimumSamples || blueKept.Length < criteria.MinimumSamples)
        {
            judgement.Verdict = MetricVerdict.NoData;
            judgement.Reason = NoDataReason(criteria, judgement);
            return judgement;
        }

        // Rounded so that 1 - 0.95 is 0.05, not 0.05000000000000004: p = 0.05 is not below it.
        double alpha = Math.Round(1 - confidence, 12);
        var alternative = Alternative(criteria.Direction);
        double smallestP = MannWhitney.SmallestPValue(greenKept.Length, blueKept.Length, alternative);
        if (smallestP >= alpha)
        {
            // Such samples could never fail the metric, so a pass would say nothing.
            judgement.Verdict = MetricVerdict.NoData;
            judgement.Reason = $"{NotJudged}with {greenKept.Length} samples of green and {blueKept.Length} of blue no difference can be significant ({PValueText(smallestP, alpha)} at best).";
            return judgement;
        }

        var test = MannWhitney.Test(greenKept, blueKept, alternative);
        judgement.U = test.U;
        judgement.PValue = test.PValue;
        judgement.ExactPValue = test.Exact;
        judgement.CommonLanguageEffect = test.UGreen / ((double)test.N1 * test.N2);

        bool significant = test.PValue < alpha;
        double greenMean = judgement.GreenMean!.Value, blueMean = judgement.BlueMean!.Value;
        double? factor = WorseFactor(criteria.Direction, greenMean, blueMean);
        // Ratios of negative means say nothing: then the test alone decides.
        bool beyondAllowed = factor is not double f || f > criteria.AllowedEffect;

        judgement.Verdict = significant && beyondAllowed ? MetricVerdict.Fail : MetricVerdict.Pass;
        judgement.Reason = Reason(criteria, test, alpha, significant, beyondAllowed, factor, greenMean, blueMean, greenKept, blueKept);
        return judgement;
    }

    public static CanaryJudgement Judge(
        IEnumerable<(MetricCriteria Criteria, IReadOnlyList<double> Green, IReadOnlyList<double> Blue)> metrics,
        ScoreThresholds thresholds,
        double confidence = 0.95)
    {
        if (metrics is null) throw new ArgumentNullException(nameof(metrics));
        Validate(thresholds);
        ValidateConfidence(confidence);

        var judged = metrics.Select(m => JudgeMetric(m.Criteria, m.Green, m.Blue, confidence)).ToList();
        var withData = judged.Where(m => m.Verdict != MetricVerdict.NoData).ToList();
        double weight = withData.Sum(m => m.Weight);
        double passed = withData.Where(m => m.Verdict == MetricVerdict.Pass).Sum(m => m.Weight);
        double score = weight > 0 ? 100 * passed / weight : 0;

        var result = new CanaryJudgement { Metrics = judged, Score = score, Thresholds = thresholds, Confidence = confidence };
        string failedNames = string.Join(", ", withData.Where(m => m.Verdict == MetricVerdict.Fail).Select(m => m.Name));
        var criticalFailure = judged.FirstOrDefault(m => m.Critical && m.Verdict == MetricVerdict.Fail);
        var criticalNoData = judged.FirstOrDefault(m => m.Critical && m.Verdict == MetricVerdict.NoData);
        if (criticalFailure is not null)
        {
            result.Verdict = AnalysisVerdict.Fail;
            result.Reason = $"Critical metric {criticalFailure.Name} failed: {LowerFirst(criticalFailure.Reason)}";
        }
        else if (withData.Count == 0)
        {
            result.Verdict = AnalysisVerdict.Inconclusive;
            result.Reason = judged.Count == 0 ? "There were no metrics to judge." : "No metric had enough samples on both sides to judge.";
        }
        else if (criticalNoData is not null)
        {
            result.Verdict = AnalysisVerdict.Inconclusive;
            result.Reason = $"Critical metric {criticalNoData.Name} was not judged: {criticalNoData.Reason.Substring(NotJudged.Length)}";
        }
        else if (score >= thresholds.Pass)
        {
            result.Verdict = AnalysisVerdict.Pass;
            result.Reason = $"Score {Number(score)} reaches the pass threshold {Number(thresholds.Pass)}{Failed(failedNames)}.";
        }
        else if (score >= thresholds.Marginal)
        {
            result.Verdict = AnalysisVerdict.Marginal;
            result.Reason = $"Score {Number(score)} is below the pass threshold {Number(thresholds.Pass)} but reaches the marginal threshold {Number(thresholds.Marginal)}{Failed(failedNames)}.";
        }
        else
        {
            result.Verdict = AnalysisVerdict.Fail;
            result.Reason = $"Score {Number(score)} is below the marginal threshold {Number(thresholds.Marginal)}{Failed(failedNames)}.";
        }

        return result;
    }

    private static string LowerFirst(string sentence) =>
        sentence.Length == 0 ? sentence : char.ToLowerInvariant(sentence[0]) + sentence.Substring(1);

    private static string Failed(string names) => names.Length == 0 ? string.Empty : "; failed: " + names;

    private static MannWhitneyAlternative Alternative(MetricDirection direction) => direction switch
    {
        MetricDirection.Increase => MannWhitneyAlternative.Greater,
        MetricDirection.Decrease => MannWhitneyAlternative.Less,
        _ => MannWhitneyAlternative.TwoSided,
    };

    /// <summary>
    /// How many times worse green's mean is than blue's in the bad direction (below 1 when it is better);
    /// infinite when the better mean is 0 and the worse is not; null when a mean is negative.
    /// </summary>
    internal static double? WorseFactor(MetricDirection direction, double greenMean, double blueMean)
    {
        if (greenMean < 0 || blueMean < 0)
        {
            return null;
        }

        double up = Ratio(greenMean, blueMean), down = Ratio(blueMean, greenMean);
        return direction switch
        {
            MetricDirection.Increase => up,
            MetricDirection.Decrease => down,
            _ => Math.Max(up, down),
        };

        static double Ratio(double a, double b) => b != 0 ? a / b : a == 0 ? 1 : double.PositiveInfinity;
    }

    private static double[] Prepare(IReadOnlyList<double> samples, OutlierHandling outliers, string parameter)
    {
        var values = new double[samples.Count];
        for (int i = 0; i < values.Length; i++)
        {
            double value = samples[i];
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                throw new ArgumentException("Samples must be finite numbers.", parameter);
            }

            values[i] = value;
        }

        return outliers == OutlierHandling.Remove ? WithinTukeyFences(values) : values;
    }

    /// <summary>The values within 1.5 interquartile ranges of the quartiles (linear interpolation, as numpy and R's default).</summary>
    internal static double[] WithinTukeyFences(double[] values)
    {
        if (values.Length < 4)
        {
            return values;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        double q1 = Quantile(sorted, 0.25), q3 = Quantile(sorted, 0.75);
        double reach = 1.5 * (q3 - q1);
        double low = q1 - reach, high = q3 + reach;
        return values.Where(v => v >= low && v <= high).ToArray();
    }

    internal static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lower = (int)Math.Floor(h);
        return lower + 1 < sorted.Length ? sorted[lower] + (h - lower) * (sorted[lower + 1] - sorted[lower]) : sorted[lower];
    }

    private static double? Median(double[] values) =>
        values.Length == 0 ? null : Quantile(values.OrderBy(v => v).ToArray(), 0.5);

    private static string NoDataReason(MetricCriteria criteria, MetricJudgement judgement)
    {
        int removed = judgement.GreenOutliersRemoved + judgement.BlueOutliersRemoved;
        string afterRemoval = removed > 0 ? $" after removing {removed} outlier{(removed == 1 ? string.Empty : "s")}" : string.Empty;
        return $"{NotJudged}green has {judgement.GreenSamples} samples and blue {judgement.BlueSamples}{afterRemoval}, fewer than the {criteria.MinimumSamples} each side needs.";
    }

    private static string Reason(
        MetricCriteria criteria, MannWhitneyResult test, double alpha, bool significant, bool beyondAllowed,
        double? factor, double greenMean, double blueMean, double[] green, double[] blue)
    {
        string p = PValueText(test.PValue, alpha);
        if (!significant && green.Concat(blue).Distinct().Count() == 1)
        {
            return $"Green and blue are all {Number(green[0])}: no difference.";
        }

        string movement = criteria.Direction switch
        {
            MetricDirection.Increase => "higher",
            MetricDirection.Decrease => "lower",
            _ => test.UGreen > test.N1 * (double)test.N2 / 2 ? "higher" : test.UGreen < test.N1 * (double)test.N2 / 2 ? "lower" : "different",
        };
        string means = $"mean {Number(greenMean)} against {Number(blueMean)}";
        string effect = factor switch
        {
            null => $"{means}, negative, so the test alone decides",
            double f when double.IsPositiveInfinity(f) => $"{means}, where any change from 0 is more than allowed",
            double f => $"{means}, a factor of {Number(f)} where {Number(criteria.AllowedEffect)} is allowed",
        };

        if (significant && beyondAllowed)
        {
            return $"Green is significantly {movement} than blue ({p}) and worse than allowed: {effect}.";
        }

        if (significant)
        {
            return $"Green is significantly {movement} than blue ({p}) but within the allowed effect: {effect}.";
        }

        if (beyondAllowed && factor is double)
        {
            return $"Green looks worse than allowed ({effect}) but not significantly ({p}); more samples may show a difference.";
        }

        return criteria.Direction == MetricDirection.Either
            ? $"Green is not significantly different from blue ({p})."
            : $"Green is not significantly {movement} than blue ({p}).";
    }

    private static string PValueText(double p, double alpha)
    {
        string value = p < 0.0001 ? "p < 0.0001" : "p = " + p.ToString("0.####", Invariant);
        return p < alpha ? $"{value}, below {Number(alpha)}" : $"{value}, not below {Number(alpha)}";
    }

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "infinity" : value.ToString("0.###", Invariant);

    private static void Validate(MetricCriteria criteria)
    {
        if (criteria is null) throw new ArgumentNullException(nameof(criteria));
        if (string.IsNullOrWhiteSpace(criteria.Name))
        {
            throw new ArgumentException("A metric needs a name.", nameof(criteria));
        }

        if (criteria.MinimumSamples < 1)
        {
            throw new ArgumentException($"Metric {criteria.Name}: MinimumSamples must be 1 or more, not {criteria.MinimumSamples}.", nameof(criteria));
        }

        if (double.IsNaN(criteria.AllowedEffect) || criteria.AllowedEffect < 1)
        {
            throw new ArgumentException($"Metric {criteria.Name}: AllowedEffect is a ratio of means and must be 1 or more (1.1 tolerates 10% worse), not {criteria.AllowedEffect.ToString(Invariant)}.", nameof(criteria));
        }

        if (double.IsNaN(criteria.Weight) || double.IsInfinity(criteria.Weight) || criteria.Weight <= 0)
        {
            throw new ArgumentException($"Metric {criteria.Name}: Weight must be more than 0, not {criteria.Weight.ToString(Invariant)}.", nameof(criteria));
        }
    }

    private static void Validate(ScoreThresholds thresholds)
    {
        if (thresholds is null) throw new ArgumentNullException(nameof(thresholds));
        if (!(thresholds.Marginal >= 0 && thresholds.Marginal <= thresholds.Pass && thresholds.Pass <= 100))
        {
            throw new ArgumentException($"Score thresholds must satisfy 0 <= Marginal <= Pass <= 100, not Pass {thresholds.Pass.ToString(Invariant)} and Marginal {thresholds.Marginal.ToString(Invariant)}.", nameof(thresholds));
        }
    }

    private static void ValidateConfidence(double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Confidence must be between 0 and 1 (0.95 for 95%).");
        }
    }
}
