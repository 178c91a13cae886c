using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BlueGreen.Core.Analysis;

/// <summary>
/// One analysis of a release: green judged against blue, metric by metric, with the score and the verdict. Carries the
/// <see cref="DeploymentId"/> (and the deployment) so that it pipes into Set-TrafficShift -Continue like a smoke-test result.
/// </summary>
public sealed class CanaryAnalysisResult
{
    public CanaryAnalysisResult(string deploymentId)
    {
        DeploymentId = deploymentId ?? throw new ArgumentNullException(nameof(deploymentId));
    }

    public string DeploymentId { get; }

    /// <summary>The release analysed, as read for the analysis.</summary>
    public Deployments.BlueGreenDeployment? Deployment { get; set; }

    public AnalysisVerdict Verdict { get; set; }

    /// <summary>Percent of the weight of the metrics with data that passed, 0 to 100.</summary>
    public double Score { get; set; }

    /// <summary>True only for <see cref="AnalysisVerdict.Pass"/>: Marginal, Fail and Inconclusive stop Set-TrafficShift -Continue.</summary>
    public bool Passed => Verdict == AnalysisVerdict.Pass;

    /// <summary>Every metric's judgement, in the definition's order.</summary>
    public IReadOnlyList<MetricJudgement> Metrics { get; set; } = Array.Empty<MetricJudgement>();

    /// <summary>The start of the window read (UTC, the service's clock).</summary>
    public DateTime WindowStart { get; set; }

    /// <summary>The end of the window read (UTC, the service's clock).</summary>
    public DateTime WindowEnd { get; set; }

    /// <summary>GetMetricData calls this analysis made: 1 when it read CloudWatch (more only when CloudWatch paged the answer), 0 otherwise.</summary>
    public int CloudWatchCalls { get; set; }

    /// <summary>Why the verdict is what it is, in one sentence.</summary>
    public string Reason { get; set; } = string.Empty;

    /// <summary>The definition judged by.</summary>
    public AnalysisDefinition? Definition { get; set; }

    /// <summary>What the analysis compared, e.g. <c>green web:8 (targetgroup/web-green/...) against blue web:7</c>.</summary>
    public string Compared { get; set; } = string.Empty;

    /// <summary>What the analysis noticed beyond the verdict (a side without traffic, a smoke test of blue it ran itself, ...).</summary>
    public IReadOnlyList<string> Notes { get; set; } = Array.Empty<string>();

    /// <summary>When the analysis ran (local clock, UTC).</summary>
    public DateTime Time { get; set; } = DateTime.UtcNow;

    /// <summary>The metrics that failed, by name, comma-separated; empty when none did.</summary>
    public string FailedMetrics => string.Join(", ", Metrics.Where(m => m.Verdict == MetricVerdict.Fail).Select(m => m.Name));

    /// <summary>The verdict in one line, e.g. <c>Canary analysis of d-ABC: Fail, score 50 (failed: Latency)</c>.</summary>
    public string Summary =>
        string.Format(CultureInfo.InvariantCulture, "Canary analysis of {0}: {1}, score {2:0.#}{3}. {4}", DeploymentId, Verdict, Score,
            FailedMetrics.Length == 0 ? string.Empty : $" (failed: {FailedMetrics})", Reason);

    public override string ToString() => Summary;
}
