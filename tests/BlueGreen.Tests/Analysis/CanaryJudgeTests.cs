using System;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Core.Analysis;

namespace BlueGreen.Tests.Analysis;

/// <summary>How the judge decides a metric (direction, significance, allowed effect, data, outliers) and an analysis (score and verdict rules).</summary>
public sealed class CanaryJudgeTests
{
    /// <summary>from, from + step, ... (count values).</summary>
    private static double[] Series(double from, int count, double step = 1) => Enumerable.Range(0, count).Select(i => from + i * step).ToArray();

    private static double[] Repeat(double value, int count) => Enumerable.Repeat(value, count).ToArray();

    private static MetricJudgement Judge(MetricCriteria criteria, double[] green, double[] blue, double confidence = 0.95) =>
        CanaryJudge.JudgeMetric(criteria, green, blue, confidence);

    [Fact]
    public void A_significant_increase_beyond_the_allowed_effect_fails()
    {
        var judgement = Judge(new MetricCriteria("Latency", MetricDirection.Increase), Series(106, 20), Series(100.5, 20));

        Assert.Equal(MetricVerdict.Fail, judgement.Verdict);
        Assert.True(judgement.PValue < 0.05);
        Assert.Equal(115.5 / 110, judgement.MeanRatio!.Value, 12);
        Assert.Equal("Green is significantly higher than blue (p = 0.0047, below 0.05) and worse than allowed: mean 115.5 against 110, a factor of 1.05 where 1 is allowed.", judgement.Reason);
    }

    [Fact]
    public void A_significant_increase_within_the_allowed_effect_passes_and_says_so()
    {
        var judgement = Judge(new MetricCriteria("Latency", MetricDirection.Increase, AllowedEffect: 1.1), Series(106, 20), Series(100.5, 20));

        Assert.Equal(MetricVerdict.Pass, judgement.Verdict);
        Assert.True(judgement.PValue < 0.05);
        Assert.Equal(1.1, judgement.AllowedEffect);
        Assert.Equal("Green is significantly higher than blue (p = 0.0047, below 0.05) but within the allowed effect: mean 115.5 against 110, a factor of 1.05 where 1.1 is allowed.", judgement.Reason);
    }

    [Fact]
    public void A_large_effect_without_significance_passes_and_says_so()
    {
        var judgement = Judge(new MetricCriteria("Latency", MetricDirection.Increase, MinimumSamples: 4), new[] { 1.5, 2.5, 4.5, 90 }, new double[] { 1, 2, 3, 4 });

        Assert.Equal(MetricVerdict.Pass, judgement.Verdict);
        Assert.Equal(0.24285714285714285, judgement.PValue!.Value, 12);
        Assert.True(judgement.ExactPValue);
        Assert.Equal("Green looks worse than allowed (mean 24.625 against 2.5, a factor of 9.85 where 1 is allowed) but not significantly (p = 0.2429, not below 0.05); more samples may show a difference.", judgement.Reason);
    }

    [Fact]
    public void Samples_too_small_to_ever_be_significant_are_no_data()
    {
        // 3 against 3 can give p = 1/20 at best: never below 0.05, so green could not fail however bad.
        var criteria = new MetricCriteria("Latency", MetricDirection.Increase, MinimumSamples: 3);

        var tiny = Judge(criteria, new double[] { 100, 101, 102 }, new double[] { 1, 2, 3 });
        var twoSided = Judge(criteria with { Direction = MetricDirection.Either }, new double[] { 100, 101, 102, 103 }, new double[] { 1, 2, 3, 4 }, confidence: 0.99);
        var enough = Judge(criteria, new double[] { 100, 101, 102, 103 }, new double[] { 1, 2, 3, 4 });

        Assert.Equal(MetricVerdict.NoData, tiny.Verdict);
        Assert.Null(tiny.PValue);
        Assert.Equal("Not judged: with 3 samples of green and 3 of blue no difference can be significant (p = 0.05, not below 0.05 at best).", tiny.Reason);
        Assert.Equal(MetricVerdict.NoData, twoSided.Verdict);
        Assert.Contains("p = 0.0286, not below 0.01", twoSided.Reason);
        Assert.Equal(MetricVerdict.Fail, enough.Verdict);
        Assert.Equal(1.0 / 70, enough.PValue!.Value, 12);
    }

    [Fact]
    public void An_improvement_is_not_a_failure_of_an_increase_metric()
    {
        var judgement = Judge(new MetricCriteria("Latency", MetricDirection.Increase), Series(50, 20), Series(100.5, 20));

        Assert.Equal(MetricVerdict.Pass, judgement.Verdict);
        Assert.True(judgement.PValue > 0.99);
        Assert.Equal(0, judgement.CommonLanguageEffect);
        Assert.StartsWith("Green is not significantly higher than blue (p = 1, not below 0.05)", judgement.Reason);
    }

    [Fact]
    public void A_decrease_metric_fails_when_green_is_lower_and_passes_when_higher()
    {
        var criteria = new MetricCriteria("Requests", MetricDirection.Decrease, AllowedEffect: 1.2);

        var lower = Judge(criteria, Series(50, 20), Series(80.5, 20));
        var higher = Judge(criteria, Series(80.5, 20), Series(50, 20));

        Assert.Equal(MetricVerdict.Fail, lower.Verdict);
        Assert.Equal("Green is significantly lower than blue (p < 0.0001, below 0.05) and worse than allowed: mean 59.5 against 90, a factor of 1.513 where 1.2 is allowed.", lower.Reason);
        Assert.Equal(MetricVerdict.Pass, higher.Verdict);
        Assert.StartsWith("Green is not significantly lower than blue", higher.Reason);
    }

    [Fact]
    public void A_decrease_within_the_allowed_ratio_passes()
    {
        // Blue's mean is 1.05 times green's: within 1.1.
        var judgement = Judge(new MetricCriteria("Requests", MetricDirection.Decrease, AllowedEffect: 1.1), Series(100.5, 20), Series(106, 20));

        Assert.Equal(MetricVerdict.Pass, judgement.Verdict);
        Assert.Contains("significantly lower than blue", judgement.Reason);
        Assert.Contains("within the allowed effect", judgement.Reason);
    }

    [Fact]
    public void An_either_metric_fails_on_a_change_both_ways_with_a_two_sided_test()
    {
        var criteria = new MetricCriteria("Size", MetricDirection.Either, AllowedEffect: 1.2);

        var higher = Judge(criteria, Series(80.5, 20), Series(50, 20));
        var lower = Judge(criteria, Series(50, 20), Series(80.5, 20));
        var same = Judge(criteria, Series(50, 20), Series(50.5, 20));
        double greater = MannWhitney.Test(Series(50, 20), Series(50.5, 20), MannWhitneyAlternative.Greater).PValue;
        double less = MannWhitney.Test(Series(50, 20), Series(50.5, 20), MannWhitneyAlternative.Less).PValue;

        Assert.Equal(MetricVerdict.Fail, higher.Verdict);
        Assert.StartsWith("Green is significantly higher than blue", higher.Reason);
        Assert.Equal(MetricVerdict.Fail, lower.Verdict);
        Assert.StartsWith("Green is significantly lower than blue", lower.Reason);
        Assert.Equal(MetricVerdict.Pass, same.Verdict);
        Assert.StartsWith("Green is not significantly different from blue", same.Reason);
        Assert.Equal(Math.Min(1, 2 * Math.Min(greater, less)), same.PValue!.Value, 12);
    }

    [Fact]
    public void The_confidence_sets_the_significance_needed()
    {
        // Green beats 79 of 100 pairs: one-sided exact p between 0.01 and 0.05.
        var criteria = new MetricCriteria("Latency", MetricDirection.Increase);

        var at95 = Judge(criteria, Series(4.5, 10), Series(1, 10));
        var at99 = Judge(criteria, Series(4.5, 10), Series(1, 10), confidence: 0.99);

        Assert.InRange(at95.PValue!.Value, 0.01, 0.05);
        Assert.Equal(MetricVerdict.Fail, at95.Verdict);
        Assert.Equal(MetricVerdict.Pass, at99.Verdict);
        Assert.Equal(0.99, at99.Confidence);
        Assert.Contains("not below 0.01", at99.Reason);
        Assert.Contains("more samples may show a difference", at99.Reason);
    }

    [Fact]
    public void Too_few_samples_on_either_side_is_no_data_never_a_pass()
    {
        var criteria = new MetricCriteria("Errors", MetricDirection.Increase);

        var fewGreen = Judge(criteria, Repeat(0, 5), Repeat(0, 20));
        var fewBlue = Judge(criteria, Series(1000, 30), Series(1, 9));
        var noGreen = Judge(criteria, Array.Empty<double>(), Series(1, 10));

        Assert.Equal(MetricVerdict.NoData, fewGreen.Verdict);
        Assert.Equal("Not judged: green has 5 samples and blue 20, fewer than the 10 each side needs.", fewGreen.Reason);
        Assert.Null(fewGreen.PValue);
        Assert.Null(fewGreen.U);
        Assert.Equal(0, fewGreen.GreenMean);
        Assert.Equal(MetricVerdict.NoData, fewBlue.Verdict);
        Assert.Equal((30, 9), (fewBlue.GreenSamples, fewBlue.BlueSamples));
        Assert.Equal(MetricVerdict.NoData, noGreen.Verdict);
        Assert.Null(noGreen.GreenMean);
        Assert.Null(noGreen.GreenMedian);
        Assert.Null(noGreen.MeanRatio);
    }

    [Fact]
    public void Removing_outliers_can_turn_a_failure_into_a_pass()
    {
        // Green is about 5% slower throughout, and two requests took far longer.
        double[] green = Series(106, 18).Concat(new double[] { 400, 500 }).ToArray();
        double[] blue = Series(100.5, 20);
        var criteria = new MetricCriteria("Latency", MetricDirection.Increase, AllowedEffect: 1.2);

        var kept = Judge(criteria, green, blue);
        var removed = Judge(criteria with { Outliers = OutlierHandling.Remove }, green, blue);

        Assert.Equal(MetricVerdict.Fail, kept.Verdict);
        Assert.Equal(0, kept.GreenOutliersRemoved);
        Assert.True(kept.MeanRatio > 1.2);
        Assert.Equal(MetricVerdict.Pass, removed.Verdict);
        Assert.Equal((2, 0), (removed.GreenOutliersRemoved, removed.BlueOutliersRemoved));
        Assert.Equal(18, removed.GreenSamples);
        Assert.Equal(114.5, removed.GreenMean);
        Assert.Contains("within the allowed effect", removed.Reason);
    }

    [Fact]
    public void Removing_outliers_can_leave_too_few_samples()
    {
        double[] green = Series(10, 9).Concat(new double[] { 900 }).ToArray();

        var judgement = Judge(new MetricCriteria("Latency", MetricDirection.Increase, Outliers: OutlierHandling.Remove), green, Series(10, 12));

        Assert.Equal(MetricVerdict.NoData, judgement.Verdict);
        Assert.Equal("Not judged: green has 9 samples and blue 12 after removing 1 outlier, fewer than the 10 each side needs.", judgement.Reason);
    }

    [Fact]
    public void Tukey_fences_use_interpolated_quartiles()
    {
        // As numpy.percentile: quartiles 2.75 and 9.5, fences at -7.375 and 19.625.
        double[] values = { 1, 2, 3, 4, 5, 6, 7, 8, -20, 30, 14, 15 };

        var kept = CanaryJudge.WithinTukeyFences(values);

        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 14, 15 }, kept);
        Assert.Equal(2.75, CanaryJudge.Quantile(values.OrderBy(v => v).ToArray(), 0.25));
    }

    [Fact]
    public void Equal_constant_samples_pass()
    {
        var judgement = Judge(new MetricCriteria("Errors", MetricDirection.Increase), Repeat(0, 10), Repeat(0, 15));

        Assert.Equal(MetricVerdict.Pass, judgement.Verdict);
        Assert.Equal(1, judgement.PValue);
        Assert.Equal(0.5, judgement.CommonLanguageEffect);
        Assert.Null(judgement.MeanRatio);
        Assert.Equal("Green and blue are all 0: no difference.", judgement.Reason);
    }

    [Fact]
    public void A_constant_green_above_a_constant_blue_fails()
    {
        var judgement = Judge(new MetricCriteria("Errors", MetricDirection.Increase, AllowedEffect: 2), Repeat(3, 10), Repeat(1, 10));

        Assert.Equal(MetricVerdict.Fail, judgement.Verdict);
        Assert.Equal(1, judgement.CommonLanguageEffect);
        Assert.False(judgement.ExactPValue);
        Assert.Equal(3, judgement.MeanRatio);
        Assert.Contains("a factor of 3 where 2 is allowed", judgement.Reason);
    }

    [Fact]
    public void Errors_where_blue_had_none_fail_when_significant()
    {
        double[] green = Repeat(0, 7).Concat(new double[] { 1, 2, 1 }).ToArray();

        var judgement = Judge(new MetricCriteria("Errors", MetricDirection.Increase, AllowedEffect: 5), green, Repeat(0, 10));
        var fewer = Judge(new MetricCriteria("Errors", MetricDirection.Increase, AllowedEffect: 5), Repeat(0, 9).Concat(new double[] { 1 }).ToArray(), Repeat(0, 10));

        Assert.Equal(MetricVerdict.Fail, judgement.Verdict);
        Assert.Null(judgement.MeanRatio);
        Assert.Equal(0.65, judgement.CommonLanguageEffect!.Value, 12);
        Assert.Equal("Green is significantly higher than blue (p = 0.0388, below 0.05) and worse than allowed: mean 0.4 against 0, where any change from 0 is more than allowed.", judgement.Reason);
        Assert.Equal(MetricVerdict.Pass, fewer.Verdict);
        Assert.StartsWith("Green looks worse than allowed (mean 0.1 against 0, where any change from 0 is more than allowed) but not significantly", fewer.Reason);
    }

    [Fact]
    public void Negative_means_leave_the_decision_to_the_test()
    {
        var judgement = Judge(new MetricCriteria("Drift", MetricDirection.Increase, AllowedEffect: 100), Series(-19, 20), Series(-30.5, 20));

        Assert.Equal(MetricVerdict.Fail, judgement.Verdict);
        Assert.Contains("mean -9.5 against -21, negative, so the test alone decides", judgement.Reason);
    }

    [Theory]
    [InlineData(0.99, 10, 1.0, 1.0)]
    [InlineData(0.95, 0, 1.0, 1.0)]
    [InlineData(0.95, 10, 0.9, 1.0)]
    [InlineData(0.95, 10, double.NaN, 1.0)]
    [InlineData(0.95, 10, 1.0, 0.0)]
    [InlineData(1.0, 10, 1.0, 1.0)]
    [InlineData(0.0, 10, 1.0, 1.0)]
    public void Rejects_criteria_that_cannot_be_judged(double confidence, int minimumSamples, double allowedEffect, double weight)
    {
        var criteria = new MetricCriteria("Latency", MetricDirection.Increase, MinimumSamples: minimumSamples, AllowedEffect: allowedEffect, Weight: weight);
        if (confidence == 0.99)
        {
            criteria = criteria with { Name = " " };
        }

        Assert.ThrowsAny<ArgumentException>(() => CanaryJudge.JudgeMetric(criteria, Series(1, 10), Series(1, 10), confidence));
    }

    [Fact]
    public void Rejects_non_finite_samples_and_thresholds_out_of_order()
    {
        var criteria = new MetricCriteria("Latency", MetricDirection.Increase);

        var nan = Assert.Throws<ArgumentException>(() => CanaryJudge.JudgeMetric(criteria, new[] { double.NaN }, Series(1, 10)));
        var thresholds = Assert.Throws<ArgumentException>(() => CanaryJudge.Judge(Array.Empty<(MetricCriteria, IReadOnlyList<double>, IReadOnlyList<double>)>(), new ScoreThresholds(70, 80)));

        Assert.Equal("green", nan.ParamName);
        Assert.Contains("0 <= Marginal <= Pass <= 100", thresholds.Message);
    }

    // Analyses: metrics that pass, fail or have no data, by construction.
    private static (MetricCriteria, IReadOnlyList<double>, IReadOnlyList<double>) Passing(string name, double weight = 1, bool critical = false) =>
        (new MetricCriteria(name, MetricDirection.Increase, critical, Weight: weight), Series(10, 20), Series(10, 20));

    private static (MetricCriteria, IReadOnlyList<double>, IReadOnlyList<double>) Failing(string name, double weight = 1, bool critical = false) =>
        (new MetricCriteria(name, MetricDirection.Increase, critical, Weight: weight), Series(101, 20), Series(1, 20));

    private static (MetricCriteria, IReadOnlyList<double>, IReadOnlyList<double>) Sparse(string name, double weight = 1, bool critical = false) =>
        (new MetricCriteria(name, MetricDirection.Increase, critical, Weight: weight), Series(101, 3), Series(1, 3));

    private static CanaryJudgement Analyse(ScoreThresholds? thresholds = null, params (MetricCriteria, IReadOnlyList<double>, IReadOnlyList<double>)[] metrics) =>
        CanaryJudge.Judge(metrics, thresholds ?? new ScoreThresholds());

    [Fact]
    public void Every_metric_passing_passes()
    {
        var judgement = Analyse(null, Passing("Latency"), Passing("Errors", critical: true));

        Assert.Equal(AnalysisVerdict.Pass, judgement.Verdict);
        Assert.Equal(100, judgement.Score);
        Assert.Equal(2, judgement.Metrics.Count);
        Assert.Equal("Score 100 reaches the pass threshold 95.", judgement.Reason);
    }

    [Fact]
    public void The_score_is_the_passing_share_of_the_weight_of_metrics_with_data()
    {
        var judgement = Analyse(null, Passing("Latency", weight: 3), Failing("Throttles"), Sparse("Errors", weight: 10));

        Assert.Equal(75, judgement.Score);
        Assert.Equal(AnalysisVerdict.Marginal, judgement.Verdict);
        Assert.Equal("Score 75 is below the pass threshold 95 but reaches the marginal threshold 75; failed: Throttles.", judgement.Reason);
        Assert.Equal(new[] { MetricVerdict.Pass, MetricVerdict.Fail, MetricVerdict.NoData }, judgement.Metrics.Select(m => m.Verdict));
    }

    [Fact]
    public void A_score_below_the_marginal_threshold_fails()
    {
        var judgement = Analyse(null, Passing("Latency"), Failing("Throttles"), Failing("Duration"));

        Assert.Equal(100.0 / 3, judgement.Score, 12);
        Assert.Equal(AnalysisVerdict.Fail, judgement.Verdict);
        Assert.Equal("Score 33.333 is below the marginal threshold 75; failed: Throttles, Duration.", judgement.Reason);
    }

    [Fact]
    public void The_thresholds_are_the_analysis_own()
    {
        var judgement = Analyse(new ScoreThresholds(Pass: 60, Marginal: 40), Passing("Latency", weight: 2), Failing("Throttles"));

        Assert.Equal(AnalysisVerdict.Pass, judgement.Verdict);
        Assert.Equal("Score 66.667 reaches the pass threshold 60; failed: Throttles.", judgement.Reason);
        Assert.Equal(60, judgement.Thresholds.Pass);
    }

    [Fact]
    public void A_non_critical_metric_without_data_does_not_count()
    {
        var judgement = Analyse(null, Passing("Latency"), Sparse("Errors"));

        Assert.Equal(AnalysisVerdict.Pass, judgement.Verdict);
        Assert.Equal(100, judgement.Score);
    }

    [Fact]
    public void A_critical_failure_fails_whatever_the_score()
    {
        var metrics = Enumerable.Range(0, 19).Select(i => Passing("M" + i)).Append(Failing("Errors", critical: true)).ToArray();

        var judgement = Analyse(null, metrics);

        Assert.Equal(95, judgement.Score);
        Assert.Equal(AnalysisVerdict.Fail, judgement.Verdict);
        Assert.StartsWith("Critical metric Errors failed: green is significantly higher than blue", judgement.Reason);
    }

    [Fact]
    public void A_critical_metric_without_data_is_inconclusive()
    {
        var judgement = Analyse(null, Passing("Latency"), Sparse("Errors", critical: true));

        Assert.Equal(AnalysisVerdict.Inconclusive, judgement.Verdict);
        Assert.Equal(100, judgement.Score);
        Assert.Equal("Critical metric Errors was not judged: green has 3 samples and blue 3, fewer than the 10 each side needs.", judgement.Reason);
    }

    [Fact]
    public void A_critical_failure_outweighs_a_critical_metric_without_data()
    {
        var judgement = Analyse(null, Sparse("Errors", critical: true), Failing("Latency", critical: true));

        Assert.Equal(AnalysisVerdict.Fail, judgement.Verdict);
        Assert.StartsWith("Critical metric Latency failed", judgement.Reason);
    }

    [Fact]
    public void No_data_anywhere_is_inconclusive_not_a_pass()
    {
        var judgement = Analyse(null, Sparse("Latency"), Sparse("Errors"));
        var empty = Analyse(null);

        Assert.Equal(AnalysisVerdict.Inconclusive, judgement.Verdict);
        Assert.Equal(0, judgement.Score);
        Assert.Equal("No metric had enough samples on both sides to judge.", judgement.Reason);
        Assert.Equal(AnalysisVerdict.Inconclusive, empty.Verdict);
        Assert.Equal("There were no metrics to judge.", empty.Reason);
    }

    [Fact]
    public void The_confidence_reaches_every_metric()
    {
        var judgement = CanaryJudge.Judge(new[] { Passing("Latency"), Failing("Errors") }, new ScoreThresholds(), confidence: 0.9);

        Assert.All(judgement.Metrics, m => Assert.Equal(0.9, m.Confidence));
        Assert.Equal(0.9, judgement.Confidence);
    }
}
