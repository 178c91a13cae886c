using System;
using System.Collections.Generic;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Tests.Reporting;

/// <summary>Releases with known times, the way the engines and the session fill them.</summary>
internal static class SampleReleases
{
    public static readonly DateTime Noon = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public static DateTime At(int minutes, int seconds = 0) => Noon.AddMinutes(minutes).AddSeconds(seconds);

    public static DateTimeOffset AtOffset(int minutes, int seconds = 0) => new(At(minutes, seconds));

    /// <summary>A canary release of an ECS service that succeeded: 10% at 12:02:10, all at 12:07:10, ended 12:08:00; no read while it ran.</summary>
    public static BlueGreenDeployment Succeeded()
    {
        var smoke = new SmokeTestResult
        {
            DeploymentId = "d-CANARY001", Target = "http://127.0.0.1:8081/health", Passed = true, Requests = 20, Succeeded = 20,
            P50 = TimeSpan.FromMilliseconds(4), P99 = TimeSpan.FromMilliseconds(9), StartTime = At(1, 50),
        };
        return new BlueGreenDeployment("d-CANARY001")
        {
            Engine = DeploymentEngine.CodeDeployEcs, ApplicationName = "web-app", DeploymentGroupName = "web-dg", Status = DeploymentStatus.Succeeded,
            Cluster = "prod", Service = "web", BlueTaskDefinition = "web:7", GreenTaskDefinition = "web:8", TrafficShift = "CodeDeployDefault.ECSCanary10Percent5Minutes",
            Region = "eu-west-1", CreateTime = Noon, CompleteTime = At(8), GreenTrafficPercent = 100,
            LifecycleEvents = new[]
            {
                new DeploymentLifecycleEvent("BeforeInstall", "Succeeded", Noon, At(0, 30), null),
                new DeploymentLifecycleEvent("Install", "Succeeded", At(0, 30), At(1, 30), null),
                new DeploymentLifecycleEvent("AllowTestTraffic", "Succeeded", At(1, 30), At(1, 40), null),
                new DeploymentLifecycleEvent("BeforeAllowTraffic", "Succeeded", At(2), At(2, 10), null),
                new DeploymentLifecycleEvent("AllowTraffic", "Succeeded", At(2, 10), At(7, 10), null),
                new DeploymentLifecycleEvent("AfterAllowTraffic", "Succeeded", At(7, 10), At(7, 20), null),
            },
            Gates = new[] { new ReleaseGate(ReleaseGateKind.SmokeTest, smoke.Target, AnalysisVerdict.Pass, AtOffset(1, 50), smoke.Summary, smoke) },
        };
    }

    /// <summary>A linear release of a Lambda alias an analysis failed at 12:03:30 and that was rolled back at 12:04:00;
    /// the session read 10% at 12:02:15 and 20% at 12:03:15 (its clock 30 s behind the service's).</summary>
    public static BlueGreenDeployment RolledBack()
    {
        var analysis = new CanaryAnalysisResult("d-LINEAR002")
        {
            Verdict = AnalysisVerdict.Fail, Score = 50, Reason = "Latency of green is higher than blue's.",
            Metrics = new List<MetricJudgement>
            {
                new() { Name = "Latency", Verdict = MetricVerdict.Fail, Critical = true, GreenMedian = 180, BlueMedian = 40, PValue = 0.001, Reason = "green slower" },
                new() { Name = "Errors", Verdict = MetricVerdict.Pass, GreenMedian = 0, BlueMedian = 0, Reason = "no difference" },
            },
        };
        var local = TimeSpan.FromSeconds(-30);
        return new BlueGreenDeployment("d-LINEAR002")
        {
            Engine = DeploymentEngine.CodeDeployLambda, ApplicationName = "orders-app", DeploymentGroupName = "orders-dg", Status = DeploymentStatus.Failed,
            FunctionName = "orders", Alias = "live", BlueVersion = "3", GreenVersion = "4", TrafficShift = "Linear10PercentEvery1Minutes",
            Region = "eu-west-1", CreateTime = Noon, CompleteTime = At(4), GreenTrafficPercent = 0, ErrorCode = "HEALTH_CONSTRAINTS",
            ErrorMessage = "Stopped by the analysis", RollbackDeploymentId = "d-ROLLBACK3", RollbackMessage = "Rolled back by Undo-Deployment",
            LifecycleEvents = new[]
            {
                new DeploymentLifecycleEvent("BeforeAllowTraffic", "Succeeded", At(2), At(2, 10), null),
                new DeploymentLifecycleEvent("AllowTraffic", "Failed", At(2, 10), At(4), "stopped"),
            },
            TrafficHistory = new[]
            {
                new TrafficObservation(AtOffset(2, 15), AtOffset(2, 15) + local, 10, DeploymentStatus.InProgress, "AllowTraffic"),
                new TrafficObservation(AtOffset(3, 15), AtOffset(3, 15) + local, 20, DeploymentStatus.InProgress, "AllowTraffic"),
            },
            Gates = new[] { new ReleaseGate(ReleaseGateKind.Analysis, "1", AnalysisVerdict.Fail, AtOffset(3, 30) + local, analysis.Summary, analysis) },
        };
    }
}
