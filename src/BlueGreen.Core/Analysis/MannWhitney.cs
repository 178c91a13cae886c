using System;
using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Analysis;

/// <summary>The alternative hypothesis of a Mann-Whitney U test, of the first sample against the second.</summary>
public enum MannWhitneyAlternative
{
    /// <summary>The samples differ in either direction.</summary>
    TwoSided,

    /// <summary>The first sample tends to be larger than the second.</summary>
    Greater,

    /// <summary>The first sample tends to be smaller than the second.</summary>
    Less,
}

/// <summary>The outcome of a Mann-Whitney U test.</summary>
public sealed class MannWhitneyResult
{
    /// <summary>The smaller of the two U statistics, the one tables of critical values list.</summary>
    public double U { get; set; }

    /// <summary>U of the first sample (green): pairs in which it is larger, ties counted half (scipy's statistic).</summary>
    public double UGreen { get; set; }

    /// <summary>U of the second sample (blue); <see cref="UGreen"/> + <see cref="UBlue"/> = N1 * N2.</summary>
    public double UBlue { get; set; }

    /// <summary>The standardized statistic of the first sample, tie- and continuity-corrected: above 0 when it tends to be larger.</summary>
    public double Z { get; set; }

    public double PValue { get; set; }

    /// <summary>True when the p-value comes from the exact distribution of U, false for the normal approximation.</summary>
    public bool Exact { get; set; }

    public MannWhitneyAlternative Alternative { get; set; }

    public int N1 { get; set; }

    public int N2 { get; set; }
}

/// <summary>
/// The two-sample Mann-Whitney U (Wilcoxon rank-sum) test. Ties take mid-ranks. Without ties and with
/// N1 * N2 up to <see cref="ExactLimit"/> the p-value is exact; otherwise it is the normal approximation
/// with tie correction and continuity correction, as scipy.stats.mannwhitneyu(method='asymptotic').
/// </summary>
public static class MannWhitney
{
    /// <summary>The largest N1 * N2 for which the exact distribution of U is computed.</summary>
    public const int ExactLimit = 2500;

    public static MannWhitneyResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y, MannWhitneyAlternative alternative)
    {
        if (x is null) throw new ArgumentNullException(nameof(x));
        if (y is null) throw new ArgumentNullException(nameof(y));
        if (x.Count == 0 || y.Count == 0)
        {
            throw new ArgumentException("Both samples need at least one value.", x.Count == 0 ? nameof(x) : nameof(y));
        }

        int n1 = x.Count, n2 = y.Count;
        var (rankSumX, tieTerm) = Rank(x, y);
        double u1 = rankSumX - n1 * (n1 + 1) / 2.0;
        double u2 = (double)n1 * n2 - u1;
        double mean = (double)n1 * n2 / 2;
        int n = n1 + n2;
        double variance = n1 * (double)n2 / 12.0 * ((n + 1) - tieTerm / ((double)n * (n - 1)));
        double sd = variance > 0 ? Math.Sqrt(variance) : 0;

        var result = new MannWhitneyResult
        {
            U = Math.Min(u1, u2),
            UGreen = u1,
            UBlue = u2,
            Alternative = alternative,
            N1 = n1,
            N2 = n2,
            Z = sd > 0 ? (u1 - mean - 0.5 * Math.Sign(u1 - mean)) / sd : 0,
        };

        if (tieTerm == 0 && (long)n1 * n2 <= ExactLimit)
        {
            result.Exact = true;
            result.PValue = ExactPValue(u1, n1, n2, alternative);
        }
        else
        {
            result.PValue = AsymptoticPValue(u1, u2, mean, sd, alternative);
        }

        return result;
    }

    /// <summary>The sum of the mid-ranks of x in the pooled sample, and the tie term sum(t^3 - t).</summary>
    private static (double RankSumX, double TieTerm) Rank(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n1 = x.Count, n = x.Count + y.Count;
        var pooled = new (double Value, bool FromX)[n];
        for (int i = 0; i < n1; i++) pooled[i] = (Check(x[i], nameof(x)), true);
        for (int i = 0; i < y.Count; i++) pooled[n1 + i] = (Check(y[i], nameof(y)), false);
        Array.Sort(pooled, (a, b) => a.Value.CompareTo(b.Value));

        double rankSumX = 0, tieTerm = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && pooled[end + 1].Value == pooled[start].Value) end++;
            int t = end - start + 1;
            double midRank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++)
            {
                if (pooled[i].FromX) rankSumX += midRank;
            }

            tieTerm += (double)t * t * t - t;
            start = end + 1;
        }

        return (rankSumX, tieTerm);
    }

    private static double Check(double value, string parameter) =>
        double.IsNaN(value) || double.IsInfinity(value)
            ? throw new ArgumentException("Samples must be finite numbers.", parameter)
            : value;

    private static double AsymptoticPValue(double u1, double u2, double mean, double sd, MannWhitneyAlternative alternative)
    {
        if (sd == 0)
        {
            // Every value is the same: nothing tells the samples apart.
            return 1;
        }

        double u = alternative switch
        {
            MannWhitneyAlternative.Greater => u1,
            MannWhitneyAlternative.Less => u2,
            _ => Math.Max(u1, u2),
        };
        double z = (u - mean - 0.5) / sd;
        double p = UpperTail(z);
        if (alternative == MannWhitneyAlternative.TwoSided) p *= 2;
        return Clamp(p);
    }

    /// <summary>
    /// The smallest p-value samples of these sizes can give, when one sample lies wholly above the other
    /// (1 / C(n1 + n2, n1) one-sided, twice that two-sided): at or above the significance level, no data
    /// of these sizes can show a difference.
    /// </summary>
    public static double SmallestPValue(int n1, int n2, MannWhitneyAlternative alternative)
    {
        if (n1 < 1 || n2 < 1)
        {
            throw new ArgumentOutOfRangeException(n1 < 1 ? nameof(n1) : nameof(n2), "Both samples need at least one value.");
        }

        // C(n1 + n2, n1) as a running product; past 1e15 the smallest p is far below any level in use.
        double arrangements = 1;
        for (int k = 1; k <= Math.Min(n1, n2) && arrangements < 1e15; k++)
        {
            arrangements = arrangements * (Math.Max(n1, n2) + k) / k;
        }

        double p = 1 / arrangements;
        return alternative == MannWhitneyAlternative.TwoSided ? Math.Min(1, 2 * p) : p;
    }

    /// <summary>P(Z &gt;= z) for a standard normal Z, accurate far into the tail.</summary>
    internal static double UpperTail(double z) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(z / Math.Sqrt(2));

    private static double ExactPValue(double u1, int n1, int n2, MannWhitneyAlternative alternative)
    {
        // Without ties U is a whole number; both tails include it, as scipy's exact method does.
        // The distribution is the same with the sizes swapped; the smaller inner size keeps the tables small.
        double[] distribution = ExactDistribution(Math.Max(n1, n2), Math.Min(n1, n2));
        int u = (int)Math.Round(u1);
        double atMost = distribution.Take(u + 1).Sum();
        double atLeast = distribution.Skip(u).Sum();
        double p = alternative switch
        {
            MannWhitneyAlternative.Greater => atLeast,
            MannWhitneyAlternative.Less => atMost,
            _ => 2 * Math.Min(atLeast, atMost),
        };
        return Clamp(p);
    }

    /// <summary>
    /// P(U = u) for u = 0 .. n1*n2 under the null hypothesis without ties, by the recurrence on the
    /// largest value: it belongs to x with probability n1/(n1+n2) and then beats all n2 values of y.
    /// All terms are positive, so the probabilities stay accurate in doubles.
    /// </summary>
    internal static double[] ExactDistribution(int n1, int n2)
    {
        // previous[j] holds the distribution for sizes (i - 1, j); current[j] for (i, j).
        var previous = new double[n2 + 1][];
        for (int j = 0; j <= n2; j++) previous[j] = new[] { 1.0 };
        for (int i = 1; i <= n1; i++)
        {
            var current = new double[n2 + 1][];
            current[0] = new[] { 1.0 };
            for (int j = 1; j <= n2; j++)
            {
                var p = new double[i * j + 1];
                double fromX = (double)i / (i + j), fromY = (double)j / (i + j);
                double[] withoutX = previous[j], withoutY = current[j - 1];
                for (int u = 0; u < p.Length; u++)
                {
                    double value = 0;
                    if (u - j >= 0 && u - j < withoutX.Length) value += fromX * withoutX[u - j];
                    if (u < withoutY.Length) value += fromY * withoutY[u];
                    p[u] = value;
                }

                current[j] = p;
            }

            previous = current;
        }

        return previous[n2];
    }

    private static double Clamp(double p) => p < 0 ? 0 : p > 1 ? 1 : p;
}
