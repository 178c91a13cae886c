using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Aws.CloudWatch.Model;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Tests.Analysis;

/// <summary>The one GetMetricData request per target kind (ids, dimensions, periods, window) and how answers become samples.</summary>
public sealed class MetricQueryPlanTests
{
    internal const string GreenGroup = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/0123456789abcdef";
    internal const string BlueGroup = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/fedcba9876543210";
    internal const string LoadBalancer = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";

    private static readonly DateTime Now = new(2026, 12, 2, 12, 10, 42, DateTimeKind.Utc);

    internal static AnalysisSides EcsSides() => AnalysisSides.ForEcs(
        new BlueGreenDeployment("d-ECS000001") { GreenTaskDefinition = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:8", BlueTaskDefinition = "web:7" },
        GreenGroup, BlueGroup, LoadBalancer, LoadBalancer);

    internal static AnalysisSides LambdaSides() => AnalysisSides.ForLambda(
        new BlueGreenDeployment("lambda:orders:live:abc") { FunctionName = "arn:aws:lambda:us-east-1:123456789012:function:orders", Alias = "live", BlueVersion = "6", GreenVersion = "7" });

    private static IReadOnlyList<MetricDefinition> Metrics(params object[] metrics) =>
        AnalysisDefinition.FromDictionary(new Hashtable { ["Metrics"] = metrics }).Metrics;

    private static (string Namespace, string Name, string Stat, int Period, string Dimensions) Shape(MetricDataQuery q) =>
        (q.MetricStat!.Metric!.Namespace!, q.MetricStat.Metric.MetricName!, q.MetricStat.Stat!, q.MetricStat.Period!.Value,
            string.Join(",", q.MetricStat.Metric.Dimensions!.Select(d => $"{d.Name}={d.Value}")));

    [Fact]
    public void Ecs_metrics_are_read_per_target_group_behind_the_load_balancer_once_each()
    {
        var plan = MetricQueryPlan.Build(Metrics("ErrorRate", new Hashtable { ["Name"] = "Latency", ["Statistic"] = "p99" }, "HTTPCode_Target_5XX_Count", "RequestCount"),
            EcsSides(), Now, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60), null);

        var green = "LoadBalancer=app/web/50dc6c495c0c9188,TargetGroup=targetgroup/web-green/0123456789abcdef";
        var blue = "LoadBalancer=app/web/50dc6c495c0c9188,TargetGroup=targetgroup/web-blue/fedcba9876543210";
        Assert.Equal(new[]
        {
            ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", 60, green),
            ("AWS/ApplicationELB", "RequestCount", "Sum", 60, green),
            ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", 60, blue),
            ("AWS/ApplicationELB", "RequestCount", "Sum", 60, blue),
            ("AWS/ApplicationELB", "TargetResponseTime", "p99", 60, green),
            ("AWS/ApplicationELB", "TargetResponseTime", "p99", 60, blue),
        }, plan.Queries.Select(Shape));
        Assert.Equal(new[] { "q0", "q1", "q2", "q3", "q4", "q5" }, plan.Queries.Select(q => q.Id));
        Assert.All(plan.Queries, q => Assert.True(q.ReturnData));

        var request = plan.Request();
        Assert.Equal(new DateTime(2026, 12, 2, 12, 10, 0, DateTimeKind.Utc), request.EndTime);
        Assert.Equal(new DateTime(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc), request.StartTime);
        Assert.Equal("TimestampAscending", request.ScanBy);
    }

    [Fact]
    public void Lambda_metrics_are_read_per_executed_version_of_the_alias()
    {
        var plan = MetricQueryPlan.Build(Metrics("ErrorRate", "Latency", "Throttles"), LambdaSides(), Now, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(60), null);

        string Dims(string version) => $"FunctionName=orders,Resource=orders:live,ExecutedVersion={version}";
        Assert.Equal(new[]
        {
            ("AWS/Lambda", "Errors", "Sum", 60, Dims("7")),
            ("AWS/Lambda", "Invocations", "Sum", 60, Dims("7")),
            ("AWS/Lambda", "Errors", "Sum", 60, Dims("6")),
            ("AWS/Lambda", "Invocations", "Sum", 60, Dims("6")),
            ("AWS/Lambda", "Duration", "Average", 60, Dims("7")),
            ("AWS/Lambda", "Duration", "Average", 60, Dims("6")),
            ("AWS/Lambda", "Throttles", "Sum", 60, Dims("7")),
            ("AWS/Lambda", "Throttles", "Sum", 60, Dims("6")),
        }, plan.Queries.Select(Shape));
    }

    [Fact]
    public void Custom_placeholders_take_each_sides_values()
    {
        var custom = new Hashtable
        {
            ["Name"] = "Checkout",
            ["Query"] = new Hashtable
            {
                ["Namespace"] = "Shop", ["MetricName"] = "CheckoutLatency", ["Stat"] = "p90", ["Unit"] = "Milliseconds",
                ["Dimensions"] = new System.Collections.Specialized.OrderedDictionary { ["Color"] = "{Side}", ["Build"] = "web-{Version}", ["Group"] = "{TargetGroup}", ["Balancer"] = "{LoadBalancer}" },
            },
        };

        var plan = MetricQueryPlan.Build(Metrics(custom), EcsSides(), Now, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60), null);

        Assert.Equal(new[]
        {
            ("Shop", "CheckoutLatency", "p90", 60, "Color=green,Build=web-web:8,Group=targetgroup/web-green/0123456789abcdef,Balancer=app/web/50dc6c495c0c9188"),
            ("Shop", "CheckoutLatency", "p90", 60, "Color=blue,Build=web-web:7,Group=targetgroup/web-blue/fedcba9876543210,Balancer=app/web/50dc6c495c0c9188"),
        }, plan.Queries.Select(Shape));
        Assert.All(plan.Queries, q => Assert.Equal("Milliseconds", q.MetricStat!.Unit));
    }

    [Fact]
    public void A_placeholder_the_target_has_no_value_for_is_refused_before_any_call()
    {
        var custom = new Hashtable
        {
            ["Name"] = "Checkout",
            ["Query"] = new Hashtable { ["Namespace"] = "Shop", ["MetricName"] = "X", ["Dimensions"] = new Hashtable { ["Group"] = "{TargetGroup}" } },
        };

        var refused = Assert.Throws<AnalysisDefinitionException>(() => MetricQueryPlan.Build(Metrics(custom), LambdaSides(), Now, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60), null));

        Assert.Equal("PlaceholderNotForTarget", refused.ErrorId);
        Assert.Equal("The placeholder {TargetGroup} has no value for the green side of this release (a Lambda alias).", refused.Message);
    }

    [Fact]
    public void A_metric_of_the_other_target_kind_is_refused()
    {
        var refused = Assert.Throws<AnalysisDefinitionException>(() => MetricQueryPlan.Build(Metrics("TargetResponseTime"), LambdaSides(), Now, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60), null));

        Assert.Equal("MetricNotForTarget", refused.ErrorId);
        Assert.Equal("Use ErrorRate, Latency, Errors, Duration, Throttles, Invocations for this release.", refused.RecommendedAction);
    }

    [Fact]
    public void The_window_starts_no_earlier_than_the_release_and_ends_at_the_last_whole_period()
    {
        var started = new DateTime(2026, 12, 2, 12, 6, 30, DateTimeKind.Utc);

        var plan = MetricQueryPlan.Build(Metrics("Latency"), LambdaSides(), Now, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60), started);

        Assert.Equal(new DateTime(2026, 12, 2, 12, 7, 0, DateTimeKind.Utc), plan.StartTime);
        Assert.Equal(new DateTime(2026, 12, 2, 12, 10, 0, DateTimeKind.Utc), plan.EndTime);
    }

    [Fact]
    public void Counts_are_zero_where_the_side_had_traffic_and_absent_where_it_had_none()
    {
        var plan = MetricQueryPlan.Build(Metrics("ErrorRate", "Errors", "Latency"), LambdaSides(), Now, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60), null);
        DateTime At(int minute) => plan.StartTime.AddMinutes(minute);
        MetricDataResult Series(string id, params (int Minute, double Value)[] points) => new()
        {
            Id = id,
            Timestamps = points.Select(p => At(p.Minute)).ToList(),
            Values = points.Select(p => p.Value).ToList(),
        };

        // q0/q2 Errors, q1/q3 Invocations, q4/q5 Duration of green and blue; minute 11 is outside the window.
        var samples = plan.Samples(new[]
        {
            new GetMetricDataResponse { MetricDataResults = new() { Series("q0", (1, 2)), Series("q1", (0, 10), (1, 20), (2, 0), (11, 5)) } },
            new GetMetricDataResponse { MetricDataResults = new() { Series("q2"), Series("q3", (0, 100), (3, 50)), Series("q4", (0, 12.5), (5, 14)), Series("q5") } },
        });

        Assert.Equal(new[] { 0, 0.1 }, samples["ErrorRate"].Green);
        Assert.Equal(new[] { 0.0, 0.0 }, samples["ErrorRate"].Blue);
        Assert.Equal(new[] { 0.0, 2 }, samples["Errors"].Green);
        Assert.Equal(new[] { 0.0, 0 }, samples["Errors"].Blue);
        Assert.Equal(new[] { 12.5, 14 }, samples["Latency"].Green);
        Assert.Empty(samples["Latency"].Blue);
    }
}
