using System.Globalization;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

/// <summary>Aggregated datapoints of one metric in one bucket of virtual time.</summary>
internal sealed class Bucket
{
    public double Count { get; set; }

    public double Sum { get; set; }

    public double Min { get; set; } = double.MaxValue;

    public double Max { get; set; } = double.MinValue;

    public void Add(double value, double count = 1)
    {
        Count += count;
        Sum += value * count;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
    }
}

internal sealed class MetricAlarm
{
    public required string Name { get; init; }

    public required JsonObject Body { get; set; }

    public string State { get; set; } = "INSUFFICIENT_DATA";

    public string Reason { get; set; } = "Unchecked: Initial alarm creation";

    public string? ReasonData { get; set; }

    public DateTimeOffset StateUpdated { get; set; }

    public DateTimeOffset ConfigurationUpdated { get; set; }

    public DateTimeOffset NextEvaluation { get; set; }
}

/// <summary>
/// Amazon CloudWatch: metric alarms (set by hand or evaluated from metrics) and metrics, both those sent with
/// PutMetricData and those the sandbox produces from the traffic it simulates.
/// </summary>
internal sealed class CloudWatchApi(Region region)
{
    /// <summary>Metrics are kept at this resolution of virtual time, and for <see cref="Retention"/>.</summary>
    private const int BucketSeconds = 10;
    private static readonly TimeSpan Retention = TimeSpan.FromHours(3);
    private readonly Dictionary<string, SortedDictionary<long, Bucket>> _metrics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetricAlarm> _alarms = new(StringComparer.Ordinal);

    public JsonNode Handle(string operation, JsonObject input) => operation switch
    {
        "PutMetricAlarm" => PutMetricAlarm(input),
        "DescribeAlarms" => DescribeAlarms(input),
        "SetAlarmState" => SetAlarmState(input),
        "DeleteAlarms" => DeleteAlarms(input),
        "PutMetricData" => PutMetricData(input),
        "GetMetricData" => GetMetricData(input),
        _ => throw new AwsException("InvalidAction", $"The sandbox does not implement CloudWatch {operation}."),
    };

    private static string Key(string ns, string name, IEnumerable<KeyValuePair<string, string>> dimensions) =>
        ns + "|" + name + "|" + string.Join(",", dimensions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Key + "=" + d.Value));

    private static IEnumerable<KeyValuePair<string, string>> Dimensions(JsonNode? node) =>
        node.Arr("Dimensions").OfType<JsonObject>().Select(d => new KeyValuePair<string, string>(d.Str("Name") ?? string.Empty, d.Str("Value") ?? string.Empty));

    public void Record(string ns, string name, IEnumerable<KeyValuePair<string, string>> dimensions, double value, DateTimeOffset time, double count = 1)
    {
        var key = Key(ns, name, dimensions);
        if (!_metrics.TryGetValue(key, out var series))
        {
            series = [];
            _metrics[key] = series;
        }

        var slot = time.ToUnixTimeSeconds() / BucketSeconds;
        if (!series.TryGetValue(slot, out var bucket))
        {
            bucket = new Bucket();
            series[slot] = bucket;
            var oldest = (time - Retention).ToUnixTimeSeconds() / BucketSeconds;
            while (series.Count > 0 && series.First().Key < oldest)
            {
                series.Remove(series.First().Key);
            }
        }

        bucket.Add(value, count);
    }

    public void RecordTargetResponse(LoadBalancer lb, TargetGroup group, int status, double seconds)
    {
        var now = region.Now;
        var lbDimension = lb.Arn[(lb.Arn.IndexOf("app/", StringComparison.Ordinal))..];
        foreach (var dims in new[]
        {
            new Dictionary<string, string>(StringComparer.Ordinal) { ["LoadBalancer"] = lbDimension, ["TargetGroup"] = group.Dimension },
            new Dictionary<string, string>(StringComparer.Ordinal) { ["LoadBalancer"] = lbDimension },
        })
        {
            Record("AWS/ApplicationELB", "RequestCount", dims, 1, now);
            Record("AWS/ApplicationELB", "TargetResponseTime", dims, seconds, now);
            var statusClass = status / 100;
            if (statusClass is >= 2 and <= 5)
            {
                Record("AWS/ApplicationELB", $"HTTPCode_Target_{statusClass}XX_Count", dims, 1, now);
            }
        }
    }

    public void RecordLoadBalancerError(LoadBalancer lb)
    {
        var dims = new Dictionary<string, string>(StringComparer.Ordinal) { ["LoadBalancer"] = lb.Arn[(lb.Arn.IndexOf("app/", StringComparison.Ordinal))..] };
        Record("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", dims, 1, region.Now);
        Record("AWS/ApplicationELB", "HTTPCode_ELB_503_Count", dims, 1, region.Now);
    }

    public void RecordInvocation(string function, string resource, string version, bool failed, int durationMs)
    {
        var now = region.Now;
        foreach (var dims in new[]
        {
            new Dictionary<string, string>(StringComparer.Ordinal) { ["FunctionName"] = function },
            new Dictionary<string, string>(StringComparer.Ordinal) { ["FunctionName"] = function, ["Resource"] = resource },
            new Dictionary<string, string>(StringComparer.Ordinal) { ["FunctionName"] = function, ["Resource"] = resource, ["ExecutedVersion"] = version },
        })
        {
            Record("AWS/Lambda", "Invocations", dims, 1, now);
            Record("AWS/Lambda", "Errors", dims, failed ? 1 : 0, now);
            Record("AWS/Lambda", "Duration", dims, durationMs, now);
        }
    }

    private JsonObject PutMetricData(JsonObject input)
    {
        var ns = input.Req("Namespace", "InvalidParameterValue");
        if (ns.StartsWith("AWS/", StringComparison.Ordinal))
        {
            throw new AwsException("InvalidParameterValue", "The value AWS/ for parameter Namespace is invalid.");
        }

        foreach (var datum in input.Arr("MetricData").OfType<JsonObject>())
        {
            var name = datum.Req("MetricName", "InvalidParameterValue");
            var time = datum.Time("Timestamp") ?? region.Now;
            var dims = Dimensions(datum).ToList();
            if (datum.Num("Value") is { } value)
            {
                Record(ns, name, dims, value, time);
            }

            var values = datum.Arr("Values");
            var counts = datum.Arr("Counts");
            for (var i = 0; i < values.Count; i++)
            {
                var v = new JsonObject { ["v"] = values[i]?.DeepClone() }.Num("v") ?? 0;
                var c = i < counts.Count ? new JsonObject { ["c"] = counts[i]?.DeepClone() }.Num("c") ?? 1 : 1;
                Record(ns, name, dims, v, time, c);
            }

            if (datum["StatisticValues"] is JsonObject stats)
            {
                var count = stats.Num("SampleCount") ?? 1;
                Record(ns, name, dims, (stats.Num("Sum") ?? 0) / Math.Max(count, 1), time, count);
            }
        }

        return [];
    }

    /// <summary>One statistic over [start, end) of a series, or null when there is no datapoint.</summary>
    private double? Statistic(string key, string stat, DateTimeOffset start, DateTimeOffset end)
    {
        if (!_metrics.TryGetValue(key, out var series))
        {
            return null;
        }

        var from = start.ToUnixTimeSeconds() / BucketSeconds;
        var to = end.ToUnixTimeSeconds() / BucketSeconds;
        var total = new Bucket();
        foreach (var (slot, bucket) in series)
        {
            if (slot >= from && slot < to && bucket.Count > 0)
            {
                total.Count += bucket.Count;
                total.Sum += bucket.Sum;
                total.Min = Math.Min(total.Min, bucket.Min);
                total.Max = Math.Max(total.Max, bucket.Max);
            }
        }

        if (total.Count == 0)
        {
            return null;
        }

        return stat switch
        {
            "Sum" => total.Sum,
            "SampleCount" => total.Count,
            "Minimum" => total.Min,
            "Maximum" => total.Max,
            _ => total.Sum / total.Count,
        };
    }

    private JsonObject GetMetricData(JsonObject input)
    {
        var start = input.Time("StartTime") ?? throw new AwsException("InvalidParameterValue", "StartTime is required.");
        var end = input.Time("EndTime") ?? throw new AwsException("InvalidParameterValue", "EndTime is required.");
        var results = new JsonArray();
        foreach (var query in input.Arr("MetricDataQueries").OfType<JsonObject>())
        {
            var id = query.Req("Id", "InvalidParameterValue");
            var metricStat = query["MetricStat"] ?? throw new AwsException("InvalidParameterValue", "The sandbox answers MetricStat queries, not expressions.");
            var metric = metricStat["Metric"];
            var key = Key(metric.Req("Namespace", "InvalidParameterValue"), metric.Req("MetricName", "InvalidParameterValue"), Dimensions(metric));
            var period = metricStat.Int("Period") ?? 60;
            var stat = metricStat.Req("Stat", "InvalidParameterValue");
            var timestamps = new JsonArray();
            var values = new JsonArray();
            var alignedStart = DateTimeOffset.FromUnixTimeSeconds(start.ToUnixTimeSeconds() / period * period);
            var points = new List<(DateTimeOffset, double)>();
            for (var t = alignedStart; t < end; t = t.AddSeconds(period))
            {
                if (Statistic(key, stat, t, t.AddSeconds(period)) is { } value)
                {
                    points.Add((t, value));
                }
            }

            // CloudWatch returns the newest datapoint first unless asked otherwise.
            if (input.Str("ScanBy") != "TimestampAscending")
            {
                points.Reverse();
            }

            foreach (var (t, v) in points)
            {
                timestamps.Add(JsonValue.Create(t));
                values.Add(v);
            }

            if (query.Bool("ReturnData") ?? true)
            {
                results.Add(new JsonObject { ["Id"] = id, ["Label"] = query.Str("Label") ?? metric.Str("MetricName"), ["Timestamps"] = timestamps, ["Values"] = values, ["StatusCode"] = "Complete" });
            }
        }

        return new JsonObject { ["MetricDataResults"] = results, ["Messages"] = new JsonArray() };
    }

    private JsonObject PutMetricAlarm(JsonObject input)
    {
        var name = input.Req("AlarmName", "InvalidParameterValue");
        var comparison = input.Req("ComparisonOperator", "InvalidParameterValue");
        var period = input.Int("Period") ?? 60;
        var evaluationPeriods = input.Int("EvaluationPeriods") ?? throw new AwsException("InvalidParameterValue", "EvaluationPeriods is required.");
        if (input["Metrics"] is null && (input.Str("MetricName") is null || input.Str("Namespace") is null))
        {
            throw new AwsException("ValidationError", "MetricName and Namespace are required for a metric alarm.");
        }

        var body = new JsonObject
        {
            ["AlarmName"] = name,
            ["AlarmArn"] = region.Arn("cloudwatch", "alarm:" + name),
            ["AlarmDescription"] = input.Str("AlarmDescription"),
            ["ActionsEnabled"] = input.Bool("ActionsEnabled") ?? true,
            ["OKActions"] = input.Strings("OKActions").ToJsonArray(),
            ["AlarmActions"] = input.Strings("AlarmActions").ToJsonArray(),
            ["InsufficientDataActions"] = input.Strings("InsufficientDataActions").ToJsonArray(),
            ["MetricName"] = input.Str("MetricName"),
            ["Namespace"] = input.Str("Namespace"),
            ["Statistic"] = input.Str("Statistic") ?? (input.Str("ExtendedStatistic") is null ? "Average" : null),
            ["ExtendedStatistic"] = input.Str("ExtendedStatistic"),
            ["Dimensions"] = Dimensions(input).Select(d => (JsonNode?)new JsonObject { ["Name"] = d.Key, ["Value"] = d.Value }).ToJsonArray(),
            ["Period"] = period,
            ["Unit"] = input.Str("Unit"),
            ["EvaluationPeriods"] = evaluationPeriods,
            ["DatapointsToAlarm"] = input.Int("DatapointsToAlarm") ?? evaluationPeriods,
            ["Threshold"] = input.Num("Threshold") ?? 0,
            ["ComparisonOperator"] = comparison,
            ["TreatMissingData"] = input.Str("TreatMissingData") ?? "missing",
            ["Metrics"] = input["Metrics"]?.DeepClone(),
        };
        var now = region.Now;
        if (_alarms.TryGetValue(name, out var alarm))
        {
            alarm.Body = body;
        }
        else
        {
            alarm = new MetricAlarm { Name = name, Body = body, StateUpdated = now };
            _alarms[name] = alarm;
        }

        alarm.ConfigurationUpdated = now;
        alarm.NextEvaluation = NextBoundary(now, period);
        return [];
    }

    private static DateTimeOffset NextBoundary(DateTimeOffset now, int period)
    {
        var seconds = now.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds((seconds / period + 1) * period);
    }

    private JsonObject AlarmJson(MetricAlarm alarm)
    {
        var json = (JsonObject)alarm.Body.DeepClone();
        json["AlarmConfigurationUpdatedTimestamp"] = JsonValue.Create(alarm.ConfigurationUpdated);
        json["StateValue"] = alarm.State;
        json["StateReason"] = alarm.Reason;
        json["StateReasonData"] = alarm.ReasonData;
        json["StateUpdatedTimestamp"] = JsonValue.Create(alarm.StateUpdated);
        json["StateTransitionedTimestamp"] = JsonValue.Create(alarm.StateUpdated);
        return json;
    }

    private JsonObject DescribeAlarms(JsonObject input)
    {
        var names = input.Strings("AlarmNames").ToHashSet(StringComparer.Ordinal);
        var prefix = input.Str("AlarmNamePrefix");
        var state = input.Str("StateValue");
        var types = input.Strings("AlarmTypes").ToList();
        var alarms = _alarms.Values
            .Where(a => names.Count == 0 || names.Contains(a.Name))
            .Where(a => prefix is null || a.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Where(a => state is null || a.State == state)
            .OrderBy(a => a.Name, StringComparer.Ordinal);
        var metricAlarms = types.Count == 0 || types.Contains("MetricAlarm") ? alarms.Select(a => (JsonNode?)AlarmJson(a)).ToJsonArray() : [];
        return new JsonObject { ["MetricAlarms"] = metricAlarms, ["CompositeAlarms"] = new JsonArray() };
    }

    public string? StateOf(string alarmName) => _alarms.GetValueOrDefault(alarmName)?.State;

    private JsonObject SetAlarmState(JsonObject input)
    {
        var name = input.Req("AlarmName", "InvalidParameterValue");
        var alarm = _alarms.GetValueOrDefault(name) ?? throw new AwsException("ResourceNotFound", $"Alarm {name} not found", 404);
        var state = input.Req("StateValue", "InvalidParameterValue");
        if (state is not ("OK" or "ALARM" or "INSUFFICIENT_DATA"))
        {
            throw new AwsException("InvalidParameterValue", $"Invalid value for StateValue: {state}");
        }

        Transition(alarm, state, input.Req("StateReason", "InvalidParameterValue"), input.Str("StateReasonData"));
        return [];
    }

    private void Transition(MetricAlarm alarm, string state, string reason, string? data)
    {
        alarm.Reason = reason;
        alarm.ReasonData = data;
        if (alarm.State != state)
        {
            alarm.State = state;
            alarm.StateUpdated = region.Now;
        }
    }

    private JsonObject DeleteAlarms(JsonObject input)
    {
        var names = input.Strings("AlarmNames").ToList();
        var missing = names.Where(n => !_alarms.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new AwsException("ResourceNotFound", $"Alarms not found: {string.Join(", ", missing)}", 404);
        }

        foreach (var name in names)
        {
            _alarms.Remove(name);
        }

        return [];
    }

    /// <summary>Evaluates each alarm at the end of each of its periods, as CloudWatch does.</summary>
    public void Tick(DateTimeOffset now)
    {
        foreach (var alarm in _alarms.Values)
        {
            if (now < alarm.NextEvaluation)
            {
                continue;
            }

            var body = alarm.Body;
            var period = body.Int("Period") ?? 60;
            alarm.NextEvaluation = NextBoundary(now, period);
            if (body.Str("MetricName") is not { } metricName || body.Str("Namespace") is not { } ns)
            {
                continue;
            }

            var key = Key(ns, metricName, Dimensions(body));
            var stat = body.Str("Statistic") ?? "Average";
            var periods = body.Int("EvaluationPeriods") ?? 1;
            var needed = body.Int("DatapointsToAlarm") ?? periods;
            var threshold = body.Num("Threshold") ?? 0;
            var comparison = body.Str("ComparisonOperator") ?? "GreaterThanThreshold";
            var treatMissing = body.Str("TreatMissingData") ?? "missing";
            var end = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / period * period);
            var breaching = 0;
            var present = 0;
            double? last = null;
            for (var i = 0; i < periods; i++)
            {
                var value = Statistic(key, stat, end.AddSeconds(-period * (i + 1)), end.AddSeconds(-period * i));
                if (value is null)
                {
                    if (treatMissing == "breaching")
                    {
                        breaching++;
                        present++;
                    }
                    else if (treatMissing == "notBreaching")
                    {
                        present++;
                    }

                    continue;
                }

                present++;
                last ??= value;
                if (Breaches(value.Value, threshold, comparison))
                {
                    breaching++;
                }
            }

            var stateReason = string.Create(CultureInfo.InvariantCulture, $"Threshold Crossed: {breaching} out of the last {periods} datapoints were breaching the threshold ({threshold}). The most recent datapoint: {last?.ToString(CultureInfo.InvariantCulture) ?? "none"}.");
            if (breaching >= needed)
            {
                Transition(alarm, "ALARM", stateReason, null);
            }
            else if (present > 0)
            {
                Transition(alarm, "OK", stateReason, null);
            }
            else if (treatMissing == "missing")
            {
                Transition(alarm, "INSUFFICIENT_DATA", "Insufficient Data: no datapoints were received for the evaluation periods.", null);
            }
        }
    }

    private static bool Breaches(double value, double threshold, string comparison) => comparison switch
    {
        "GreaterThanOrEqualToThreshold" => value >= threshold,
        "GreaterThanThreshold" => value > threshold,
        "LessThanThreshold" => value < threshold,
        "LessThanOrEqualToThreshold" => value <= threshold,
        _ => false,
    };

    public JsonObject Dump() => new()
    {
        ["alarms"] = _alarms.Values.Select(a => (JsonNode?)AlarmJson(a)).ToJsonArray(),
        ["metrics"] = _metrics.Keys.ToJsonArray(),
    };
}
