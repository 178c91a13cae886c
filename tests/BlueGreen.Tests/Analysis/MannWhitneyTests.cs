using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using BlueGreen.Core.Analysis;

namespace BlueGreen.Tests.Analysis;

/// <summary>
/// The Mann-Whitney U test against values scipy gives for the same samples (recorded beside these tests
/// by Reference/make_mannwhitney_reference.py), published tables of critical U, and textbook examples.
/// </summary>
public sealed class MannWhitneyTests
{
    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Analysis", "Reference", "mannwhitney-scipy.json"))));

    public static IEnumerable<object[]> ReferenceCases() =>
        Reference.Value.RootElement.GetProperty("cases").EnumerateArray()
            .SelectMany(c => c.GetProperty("results").EnumerateArray().Select(r => new object[] { c.GetProperty("name").GetString()!, r.GetProperty("alternative").GetString()! }));

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Matches_scipy(string name, string alternative)
    {
        var @case = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var expected = @case.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("alternative").GetString() == alternative);
        double[] x = @case.GetProperty("x").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double[] y = @case.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        var result = MannWhitney.Test(x, y, Parse(alternative));

        Assert.Equal(expected.GetProperty("u1").GetDouble(), result.UGreen);
        Assert.Equal((double)x.Length * y.Length - result.UGreen, result.UBlue);
        Assert.Equal(Math.Min(result.UGreen, result.UBlue), result.U);
        Assert.Equal(@case.GetProperty("method").GetString() == "exact", result.Exact);
        AssertClose(expected.GetProperty("p").GetDouble(), result.PValue);
        Assert.Equal((x.Length, y.Length), (result.N1, result.N2));
    }

    [Fact]
    public void The_reference_covers_both_methods_with_and_without_ties()
    {
        var cases = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Contains(cases, c => c.GetProperty("method").GetString() == "exact");
        Assert.Contains(cases, c => c.GetProperty("method").GetString() == "asymptotic" && HasTies(c));
        Assert.Contains(cases, c => c.GetProperty("method").GetString() == "asymptotic" && !HasTies(c));

        static bool HasTies(JsonElement c)
        {
            var values = c.GetProperty("x").EnumerateArray().Concat(c.GetProperty("y").EnumerateArray()).Select(v => v.GetDouble()).ToList();
            return values.Distinct().Count() < values.Count;
        }
    }

    /// <summary>
    /// Critical values of U (the largest U significant at the level) from the published tables, e.g.
    /// Siegel and Castellan, Nonparametric Statistics, table J: n1 = n2 = 10, two-sided 0.05 gives 23.
    /// </summary>
    [Theory]
    [InlineData(5, 5, 0.05, true, 2)]
    [InlineData(8, 8, 0.05, true, 13)]
    [InlineData(10, 10, 0.05, true, 23)]
    [InlineData(12, 12, 0.05, true, 37)]
    [InlineData(15, 15, 0.05, true, 64)]
    [InlineData(20, 20, 0.05, true, 127)]
    [InlineData(5, 10, 0.05, true, 8)]
    [InlineData(10, 10, 0.01, true, 16)]
    [InlineData(5, 5, 0.05, false, 4)]
    [InlineData(10, 10, 0.05, false, 27)]
    [InlineData(20, 20, 0.05, false, 138)]
    public void Agrees_with_the_table_of_critical_values(int n1, int n2, double alpha, bool twoSided, int critical)
    {
        var alternative = twoSided ? MannWhitneyAlternative.TwoSided : MannWhitneyAlternative.Less;

        var atCritical = MannWhitney.Test(SampleWithU(critical, n1, n2), Enumerable.Range(0, n2).Select(j => (double)j).ToArray(), alternative);
        var pastCritical = MannWhitney.Test(SampleWithU(critical + 1, n1, n2), Enumerable.Range(0, n2).Select(j => (double)j).ToArray(), alternative);

        Assert.True(atCritical.Exact);
        Assert.Equal(critical, atCritical.U);
        Assert.True(atCritical.PValue <= alpha, $"U = {critical}: p = {atCritical.PValue}");
        Assert.True(pastCritical.PValue > alpha, $"U = {critical + 1}: p = {pastCritical.PValue}");
    }

    /// <summary>Conover, Practical Nonparametric Statistics: ages at diagnosis; U = 17, exact two-sided p = 1/9.</summary>
    [Fact]
    public void Reproduces_the_textbook_example_of_conover()
    {
        var result = MannWhitney.Test(new double[] { 19, 22, 16, 29, 24 }, new double[] { 20, 11, 17, 12 }, MannWhitneyAlternative.TwoSided);

        Assert.Equal(17, result.UGreen);
        Assert.Equal(3, result.U);
        Assert.True(result.Exact);
        AssertClose(1.0 / 9, result.PValue);
    }

    /// <summary>Hollander and Wolfe's permeability example, as R's wilcox.test documents it: W = 35, p = 0.1272 (greater).</summary>
    [Fact]
    public void Reproduces_the_example_of_hollander_and_wolfe()
    {
        double[] x = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
        double[] y = { 1.15, 0.88, 0.90, 0.74, 1.21 };

        var greater = MannWhitney.Test(x, y, MannWhitneyAlternative.Greater);

        Assert.Equal(35, greater.UGreen);
        Assert.Equal(0.1272, Math.Round(greater.PValue, 4));
        Assert.Equal(0.2544, Math.Round(MannWhitney.Test(x, y, MannWhitneyAlternative.TwoSided).PValue, 4));
    }

    [Fact]
    public void Ties_take_mid_ranks()
    {
        // Pooled 1 1 2 2 2 3: ranks 1.5 1.5 4 4 4 6. x = {1, 2, 3} has rank sum 11.5, so U = 11.5 - 6 = 5.5.
        var result = MannWhitney.Test(new double[] { 1, 2, 3 }, new double[] { 1, 2, 2 }, MannWhitneyAlternative.TwoSided);

        Assert.Equal(5.5, result.UGreen);
        Assert.Equal(3.5, result.UBlue);
        Assert.False(result.Exact);
    }

    [Fact]
    public void Swapping_the_samples_swaps_the_one_sided_alternatives()
    {
        double[] a = { 3.1, 4.7, 5.2, 6.8, 7.3, 9.9 }, b = { 1.2, 2.5, 4.1, 4.4, 5.0 };

        var greater = MannWhitney.Test(a, b, MannWhitneyAlternative.Greater);
        var less = MannWhitney.Test(b, a, MannWhitneyAlternative.Less);

        Assert.Equal(greater.PValue, less.PValue, 12);
        Assert.Equal(greater.UGreen, less.UBlue);
        Assert.True(greater.Z > 0);
        Assert.Equal(-greater.Z, less.Z, 12);
    }

    [Fact]
    public void Exact_distribution_is_used_up_to_its_limit_and_the_approximation_beyond()
    {
        double[] fifty = Enumerable.Range(0, 50).Select(i => i * 2.0).ToArray();
        double[] fiftyOther = Enumerable.Range(0, 50).Select(i => i * 2.0 + 1).ToArray();
        double[] fiftyOne = Enumerable.Range(0, 51).Select(i => i * 2.0 + 1).ToArray();

        Assert.True(MannWhitney.Test(fifty, fiftyOther, MannWhitneyAlternative.TwoSided).Exact);
        Assert.False(MannWhitney.Test(fifty, fiftyOne, MannWhitneyAlternative.TwoSided).Exact);
        Assert.Equal(MannWhitney.ExactLimit, 50 * 50);
    }

    [Theory]
    [InlineData(3, 3, MannWhitneyAlternative.Greater, 1.0 / 20)]
    [InlineData(3, 3, MannWhitneyAlternative.TwoSided, 2.0 / 20)]
    [InlineData(1, 1, MannWhitneyAlternative.TwoSided, 1.0)]
    [InlineData(4, 6, MannWhitneyAlternative.Less, 1.0 / 210)]
    [InlineData(6, 4, MannWhitneyAlternative.Less, 1.0 / 210)]
    public void The_smallest_p_value_is_that_of_complete_separation(int n1, int n2, MannWhitneyAlternative alternative, double expected)
    {
        double[] Sample(int n, double from) => Enumerable.Range(0, n).Select(i => from + i).ToArray();
        var separated = alternative == MannWhitneyAlternative.Greater
            ? MannWhitney.Test(Sample(n1, 1000), Sample(n2, 0), alternative)
            : MannWhitney.Test(Sample(n1, 0), Sample(n2, 1000), alternative);

        Assert.Equal(expected, MannWhitney.SmallestPValue(n1, n2, alternative), 12);
        Assert.Equal(expected, separated.PValue, 12);
        Assert.True(MannWhitney.SmallestPValue(60, 60, alternative) < 1e-15);
    }

    [Fact]
    public void All_values_equal_give_no_evidence()
    {
        double[] zeros = new double[12];

        var result = MannWhitney.Test(zeros, zeros, MannWhitneyAlternative.Greater);

        Assert.Equal(1, result.PValue);
        Assert.Equal(0, result.Z);
        Assert.Equal(72, result.UGreen);
    }

    [Fact]
    public void Rejects_empty_and_non_finite_samples()
    {
        Assert.Throws<ArgumentException>(() => MannWhitney.Test(Array.Empty<double>(), new double[] { 1 }, MannWhitneyAlternative.TwoSided));
        Assert.Throws<ArgumentException>(() => MannWhitney.Test(new double[] { 1 }, new[] { double.NaN }, MannWhitneyAlternative.TwoSided));
        Assert.Throws<ArgumentException>(() => MannWhitney.Test(new[] { double.PositiveInfinity }, new double[] { 1 }, MannWhitneyAlternative.TwoSided));
    }

    /// <summary>n1 values, none tied with y = 0 .. n2 - 1, that beat exactly u of the pairs.</summary>
    private static double[] SampleWithU(int u, int n1, int n2)
    {
        var x = new double[n1];
        int remaining = u;
        for (int i = n1 - 1; i >= 0; i--)
        {
            int beaten = Math.Min(n2, remaining);
            remaining -= beaten;
            x[i] = beaten - 0.5 + i * 1e-3;
        }

        return x;
    }

    private static MannWhitneyAlternative Parse(string alternative) => alternative switch
    {
        "two-sided" => MannWhitneyAlternative.TwoSided,
        "greater" => MannWhitneyAlternative.Greater,
        "less" => MannWhitneyAlternative.Less,
        _ => throw new ArgumentOutOfRangeException(nameof(alternative), alternative, null),
    };

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Abs(expected) + 1e-15, $"expected p = {expected:R}, got {actual:R}");
}
