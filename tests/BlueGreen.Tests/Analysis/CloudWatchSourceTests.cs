using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Core.Analysis;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Analysis;

/// <summary>The CloudWatch source judged by moto: the analysis's one GetMetricData request is accepted as sent, and the data
/// points moto answers become each side's samples.</summary>
[Collection(MotoGroup.Name)]
public sealed class CloudWatchSourceTests
{
    private readonly MotoServer _moto;

    public CloudWatchSourceTests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task One_GetMetricData_call_gives_each_side_its_samples()
    {
        // Data points of the last whole minutes, as the AWS CLI publishes them: green's latency is higher, blue had no 5XX.
        var end = DateTime.UtcNow.AddTicks(-(DateTime.UtcNow.Ticks % TimeSpan.TicksPerMinute));
        var ns = MotoServer.UniqueName("Shop");
        var points = new System.Collections.Generic.List<object>();
        for (var minute = 1; minute <= 6; minute++)
        {
            var at = end.AddMinutes(-minute).AddSeconds(10).ToString("o", CultureInfo.InvariantCulture);
            points.Add(Point("Latency", "green", at, 120 + minute, "Milliseconds"));
            points.Add(Point("Latency", "blue", at, 100 + minute, "Milliseconds"));
            points.Add(Point("Requests", "green", at, 10, "Count"));
            points.Add(Point("Requests", "blue", at, 90, "Count"));
            if (minute % 2 == 0)
            {
                points.Add(Point("Failures", "green", at, 3, "Count"));
            }
        }

        MotoSetup.PutMetricData(_moto, ns, JsonSerializer.Serialize(points));

        var definition = AnalysisDefinition.FromDictionary(new Hashtable
        {
            ["Metrics"] = new object[]
            {
                Custom("Checkout.Latency", ns, "Latency", "Average", missing: "Absent"),
                Custom("Checkout.Failures", ns, "Failures", "Sum", missing: "Zero"),
                Custom("Checkout.Requests", ns, "Requests", "Sum", missing: "Absent"),
            },
            ["Lookback"] = "00:10:00",
        });
        var plan = MetricQueryPlan.Build(definition.Metrics, MetricQueryPlanTests.EcsSides(), end.AddSeconds(20), definition.Lookback, definition.Period, end.AddMinutes(-6));
        var pages = await new CloudWatchClient(_moto.Context()).GetMetricDataAllPagesAsync(plan.Request());
        var samples = plan.Samples(pages);

        Assert.Single(pages);
        Assert.Equal(6, plan.Queries.Count);
        Assert.Equal(new double[] { 126, 125, 124, 123, 122, 121 }, samples["Checkout.Latency"].Green);
        Assert.Equal(new double[] { 106, 105, 104, 103, 102, 101 }, samples["Checkout.Latency"].Blue);
        Assert.Equal(new double[] { 3, 0, 3, 0, 3, 0 }, samples["Checkout.Failures"].Green);
        Assert.Equal(new double[] { 0, 0, 0, 0, 0, 0 }, samples["Checkout.Failures"].Blue);
        Assert.Equal(Enumerable.Repeat(10.0, 6), samples["Checkout.Requests"].Green);
        Assert.Equal(Enumerable.Repeat(90.0, 6), samples["Checkout.Requests"].Blue);

        var judged = CanaryJudge.Judge(definition.Metrics.Select(m => (m.Criteria, samples[m.Name].Green, samples[m.Name].Blue)), definition.Thresholds, definition.Confidence);
        Assert.Equal(MetricVerdict.Fail, judged.Metrics[0].Verdict);
    }

    private static object Point(string metric, string side, string at, double value, string unit) => new
    {
        MetricName = metric,
        Dimensions = new[] { new { Name = "Color", Value = side } },
        Timestamp = at,
        Value = value,
        Unit = unit,
    };

    private static Hashtable Custom(string name, string ns, string metric, string stat, string missing) => new()
    {
        ["Name"] = name,
        ["MinimumSamples"] = 3,
        ["Query"] = new Hashtable { ["Namespace"] = ns, ["MetricName"] = metric, ["Stat"] = stat, ["Missing"] = missing, ["Dimensions"] = new Hashtable { ["Color"] = "{Side}" } },
    };
}
