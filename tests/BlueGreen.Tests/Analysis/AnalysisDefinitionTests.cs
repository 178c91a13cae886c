using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Core.Analysis;

namespace BlueGreen.Tests.Analysis;

/// <summary>Reading an analysis definition: every key, its defaults, and every refusal naming the key and what it takes.</summary>
public sealed class AnalysisDefinitionTests
{
    private static Hashtable Table(params (string Key, object? Value)[] entries)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries)
        {
            table[key] = value;
        }

        return table;
    }

    private static AnalysisDefinitionException Refused(Hashtable table) => Assert.Throws<AnalysisDefinitionException>(() => AnalysisDefinition.FromDictionary(table));

    [Fact]
    public void An_empty_definition_judges_the_error_rate_critically_and_the_latency_with_the_defaults()
    {
        var definition = AnalysisDefinition.FromDictionary(new Hashtable());

        Assert.Equal(new[] { "ErrorRate", "Latency" }, definition.Metrics.Select(m => m.Name));
        Assert.True(definition.Metrics[0].Criteria.Critical);
        Assert.False(definition.Metrics[1].Criteria.Critical);
        Assert.All(definition.Metrics, m => Assert.Equal(MetricSourceKind.CloudWatch, m.Source));
        Assert.All(definition.Metrics, m => Assert.Equal(MetricDirection.Increase, m.Criteria.Direction));
        Assert.All(definition.Metrics, m => Assert.Equal(5, m.Criteria.MinimumSamples));
        Assert.All(definition.Metrics, m => Assert.Equal(1.1, m.Criteria.AllowedEffect));
        Assert.Equal(new ScoreThresholds(95, 75), definition.Thresholds);
        Assert.Equal(0.95, definition.Confidence);
        Assert.Equal(TimeSpan.FromMinutes(1), definition.Interval);
        Assert.Equal(0, definition.Count);
        Assert.Equal(TimeSpan.FromMinutes(10), definition.Lookback);
        Assert.Equal(TimeSpan.FromSeconds(60), definition.Period);
        Assert.Equal(3, definition.InconclusiveLimit);
        Assert.Equal(InconclusiveAction.Fail, definition.OnInconclusive);
        Assert.True(definition.ReadsCloudWatch);
        Assert.False(definition.ReadsSmokeTests);
    }

    [Fact]
    public void Every_key_is_read_in_any_case()
    {
        var definition = AnalysisDefinition.FromDictionary(Table(
            ("metrics", new object[]
            {
                "errorrate",
                Table(("name", "Latency"), ("source", "cloudwatch"), ("direction", "either"), ("critical", true), ("minimumsamples", 7), ("allowedeffect", 1.5),
                    ("weight", 2), ("outliers", "remove"), ("statistic", "p99")),
                Table(("Name", "smoketest.latency"), ("MinimumSamples", "20")),
            }),
            ("passscore", 90), ("marginalscore", 60.5), ("confidence", 0.99), ("interval", "00:00:30"), ("count", 12), ("lookback", 900), ("period", "60"),
            ("inconclusivelimit", 4), ("oninconclusive", "continue")));

        Assert.Equal(new[] { "ErrorRate", "Latency", "SmokeTest.Latency" }, definition.Metrics.Select(m => m.Name));
        var latency = definition.Metrics[1];
        Assert.Equal(MetricSourceKind.CloudWatch, latency.Source);
        Assert.Equal(new MetricCriteria("Latency", MetricDirection.Either, true, 7, 1.5, 2, OutlierHandling.Remove), latency.Criteria);
        Assert.Equal("p99", latency.Statistic);
        Assert.Null(latency.MetricName);
        var smoke = definition.Metrics[2];
        Assert.Equal(MetricSourceKind.SmokeTest, smoke.Source);
        Assert.Equal(20, smoke.Criteria.MinimumSamples);
        Assert.Equal(new ScoreThresholds(90, 60.5), definition.Thresholds);
        Assert.Equal(0.99, definition.Confidence);
        Assert.Equal(TimeSpan.FromSeconds(30), definition.Interval);
        Assert.Equal(12, definition.Count);
        Assert.Equal(TimeSpan.FromMinutes(15), definition.Lookback);
        Assert.Equal(TimeSpan.FromSeconds(60), definition.Period);
        Assert.Equal(4, definition.InconclusiveLimit);
        Assert.Equal(InconclusiveAction.Continue, definition.OnInconclusive);
        Assert.True(definition.ReadsSmokeTests);
    }

    [Fact]
    public void Durations_take_a_TimeSpan_text_or_seconds()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), AnalysisDefinition.FromDictionary(Table(("Lookback", TimeSpan.FromMinutes(5)))).Lookback);
        Assert.Equal(TimeSpan.FromMinutes(5), AnalysisDefinition.FromDictionary(Table(("Lookback", "00:05:00"))).Lookback);
        Assert.Equal(TimeSpan.FromMinutes(5), AnalysisDefinition.FromDictionary(Table(("Lookback", 300))).Lookback);
        Assert.Equal(TimeSpan.FromMinutes(5), AnalysisDefinition.FromDictionary(Table(("Lookback", 300L))).Lookback);
        Assert.Equal(TimeSpan.FromSeconds(90.5), AnalysisDefinition.FromDictionary(Table(("Interval", 90.5))).Interval);
        Assert.Equal(TimeSpan.FromSeconds(10), AnalysisDefinition.FromDictionary(Table(("Period", 10), ("Lookback", "00:01:00"))).Period);
    }

    [Fact]
    public void A_custom_query_keeps_its_dimensions_and_placeholders()
    {
        var definition = AnalysisDefinition.FromDictionary(Table(("Metrics", Table(("Name", "Checkout.Failures"), ("Direction", "Increase"),
            ("Query", Table(("Namespace", "Shop"), ("MetricName", "CheckoutFailures"), ("Stat", "Sum"), ("Unit", "Count"), ("Missing", "Zero"),
                ("Dimensions", Table(("Color", "{Side}"), ("Build", "v{Version}")))))))));

        var metric = Assert.Single(definition.Metrics);
        Assert.Equal(MetricSourceKind.Custom, metric.Source);
        Assert.Equal("CheckoutFailures", metric.MetricName);
        var query = metric.Query!;
        Assert.Equal(("Shop", "CheckoutFailures", "Sum", "Count", true), (query.Namespace, query.MetricName, query.Stat, query.Unit, query.MissingIsZero));
        Assert.Equal("{Side}", query.Dimensions["Color"]);
        Assert.Equal("v{Version}", query.Dimensions["Build"]);
    }

    public static IEnumerable<object[]> Refusals() => new List<object[]>
    {
        new object[] { Table(("Lookbak", 60)), "UnknownAnalysisKey", "Lookbak", "'Lookbak' is not a key of an analysis definition." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Critcal", true)))), "UnknownAnalysisKey", "Metrics[0].Critcal", "'Metrics[0].Critcal' is not a key of Metrics[0]." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Query", Table(("Namespace", "Shop"), ("MetricName", "X"), ("Dimensions", Table(("C", "{Side}"))), ("Stats", "Sum")))))),
            "UnknownAnalysisKey", "Metrics[0].Query.Stats", "'Metrics[0].Query.Stats' is not a key of Metrics[0].Query." },
        new object[] { Table(("Metrics", Array.Empty<object>())), "InvalidAnalysisValue", "Metrics", "Metrics is empty." },
        new object[] { Table(("Metrics", 5)), "InvalidAnalysisValue", "Metrics", "Metrics is a Int32, not a list of metrics." },
        new object[] { Table(("Metrics", new object[] { 5 })), "InvalidAnalysisValue", "Metrics[0]", "Metrics[0] is a Int32, not a metric." },
        new object[] { Table(("Metrics", Table(("Direction", "Increase")))), "MissingAnalysisKey", "Metrics[0].Name", "Metrics[0] has no Name." },
        new object[] { Table(("Metrics", "Latancy")), "UnknownMetric", "Metrics[0].Name", "Metrics[0]: 'Latancy' is not a built-in metric." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Source", "SmokeTest")))), "UnknownMetric", "Metrics[0].Name", "Metrics[0]: 'Latency' is not a smoke-test metric." },
        new object[] { Table(("Metrics", new object[] { "Latency", "latency" })), "DuplicateMetric", "Metrics[1].Name", "Metrics[1].Name: the metric 'Latency' is named twice." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Source", "Cloud")))), "InvalidAnalysisValue", "Metrics[0].Source", "Metrics[0].Source 'Cloud' is not one of CloudWatch, Custom, SmokeTest." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Direction", "Up")))), "InvalidAnalysisValue", "Metrics[0].Direction", "Metrics[0].Direction 'Up' is not one of Increase, Decrease, Either." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Critical", "yes")))), "InvalidAnalysisValue", "Metrics[0].Critical", "Metrics[0].Critical 'yes' is not $true or $false." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("MinimumSamples", 0)))), "InvalidAnalysisValue", "Metrics[0].MinimumSamples", "Metrics[0].MinimumSamples '0' is not a number from 1 to 100000." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("MinimumSamples", 2.5)))), "InvalidAnalysisValue", "Metrics[0].MinimumSamples", "Metrics[0].MinimumSamples '2.5' is not a whole number." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("AllowedEffect", 0.9)))), "InvalidAnalysisValue", "Metrics[0].AllowedEffect", "Metrics[0].AllowedEffect '0.9' is not a number from 1 to 1000." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Weight", 0)))), "InvalidAnalysisValue", "Metrics[0].Weight", "Metrics[0].Weight '0' is not a number above 0 and at most 1000." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Outliers", "Drop")))), "InvalidAnalysisValue", "Metrics[0].Outliers", "Metrics[0].Outliers 'Drop' is not one of Keep, Remove." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Statistic", "Median")))), "InvalidAnalysisValue", "Metrics[0].Statistic", "Metrics[0].Statistic 'Median' is not a statistic 'Latency' takes." },
        new object[] { Table(("Metrics", Table(("Name", "ErrorRate"), ("Statistic", "Average")))), "InvalidAnalysisValue", "Metrics[0].Statistic", "Metrics[0].Statistic: 'ErrorRate' is counted per period (Sum) and takes no other statistic." },
        new object[] { Table(("Metrics", Table(("Name", "SmokeTest.Errors"), ("Statistic", "p99")))), "InvalidAnalysisValue", "Metrics[0].Statistic", "Metrics[0].Statistic: smoke-test metrics are judged per request and take no Statistic." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Source", "Custom")))), "MissingAnalysisKey", "Metrics[0].Query", "Metrics[0] ('Shop') is a Custom metric without a Query." },
        new object[] { Table(("Metrics", Table(("Name", "Latency"), ("Query", Table(("Namespace", "X")))))), "InvalidAnalysisValue", "Metrics[0].Name", "Metrics[0]: 'Latency' is a built-in name; a custom metric needs a name of its own." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Query", "Shop/Checkout")))), "InvalidAnalysisValue", "Metrics[0].Query", "Metrics[0].Query is a String, not a hashtable." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Query", Table(("MetricName", "X"), ("Dimensions", Table(("C", "{Side}")))))))), "MissingAnalysisKey", "Metrics[0].Query.Namespace", "Metrics[0].Query has no Namespace." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Query", Table(("Namespace", "Shop"), ("MetricName", "X")))))), "MissingAnalysisKey", "Metrics[0].Query.Dimensions", "Metrics[0].Query has no Dimensions, so it cannot tell green from blue." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Query", Table(("Namespace", "Shop"), ("MetricName", "X"), ("Dimensions", Table(("C", "all")))))))), "InvalidAnalysisValue", "Metrics[0].Query.Dimensions",
            "Metrics[0].Query.Dimensions hold no {Side}, {Version} or {TargetGroup}: green and blue would read the same data." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Query", Table(("Namespace", "Shop"), ("MetricName", "X"), ("Dimensions", Table(("C", "{Color}")))))))), "InvalidAnalysisValue", "Metrics[0].Query.Dimensions.C",
            "Metrics[0].Query.Dimensions.C: '{Color}' is not a placeholder." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Query", Table(("Namespace", "Shop"), ("MetricName", "X"), ("Stat", "Mean"), ("Dimensions", Table(("C", "{Side}")))))))), "InvalidAnalysisValue", "Metrics[0].Query.Stat",
            "Metrics[0].Query.Stat 'Mean' is not a CloudWatch statistic." },
        new object[] { Table(("Metrics", Table(("Name", "Shop"), ("Query", Table(("Namespace", "Shop"), ("MetricName", "X"), ("Missing", "Nothing"), ("Dimensions", Table(("C", "{Side}")))))))), "InvalidAnalysisValue", "Metrics[0].Query.Missing",
            "Metrics[0].Query.Missing 'Nothing' is not Absent or Zero." },
        new object[] { Table(("PassScore", 120)), "InvalidAnalysisValue", "PassScore", "PassScore '120' is not a number from 0 to 100." },
        new object[] { Table(("PassScore", 70), ("MarginalScore", 80)), "InvalidAnalysisValue", "MarginalScore", "MarginalScore (80) is above PassScore (70)." },
        new object[] { Table(("Confidence", 95)), "InvalidAnalysisValue", "Confidence", "Confidence '95' is not a number between 0 and 1." },
        new object[] { Table(("Confidence", 1)), "InvalidAnalysisValue", "Confidence", "Confidence '1' is not a number between 0 and 1." },
        new object[] { Table(("Interval", "5 minutes")), "InvalidAnalysisValue", "Interval", "Interval '5 minutes' is not a positive duration." },
        new object[] { Table(("Interval", -5)), "InvalidAnalysisValue", "Interval", "Interval '-5' is not a positive duration." },
        new object[] { Table(("Count", -1)), "InvalidAnalysisValue", "Count", "Count '-1' is not a number from 0 to 10000." },
        new object[] { Table(("Period", 45)), "InvalidAnalysisValue", "Period", "Period 00:00:45 is not a CloudWatch period." },
        new object[] { Table(("Lookback", 30)), "InvalidAnalysisValue", "Lookback", "Lookback 00:00:30 is shorter than one Period (00:01:00): it would hold no data point." },
        new object[] { Table(("Lookback", "2.00:00:00")), "InvalidAnalysisValue", "Lookback", "Lookback 2.00:00:00 is longer than a day." },
        new object[] { Table(("InconclusiveLimit", 0)), "InvalidAnalysisValue", "InconclusiveLimit", "InconclusiveLimit '0' is not a number from 1 to 10000." },
        new object[] { Table(("OnInconclusive", "Pass")), "InvalidAnalysisValue", "OnInconclusive", "OnInconclusive 'Pass' is not one of Fail, Continue." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_bad_definition_is_refused_naming_the_key(Hashtable table, string errorId, string key, string message)
    {
        var refused = Refused(table);

        Assert.Equal(errorId, refused.ErrorId);
        Assert.Equal(key, refused.Key);
        Assert.Equal(message, refused.Message);
        Assert.False(string.IsNullOrWhiteSpace(refused.RecommendedAction));
    }

    [Fact]
    public void An_unknown_key_lists_the_keys_allowed()
    {
        var refused = Refused(Table(("Lookbak", 60)));

        Assert.Equal("Use Metrics, PassScore, MarginalScore, Confidence, Interval, Count, Lookback, Period, InconclusiveLimit, OnInconclusive.", refused.RecommendedAction);
    }
}
