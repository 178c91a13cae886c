using System.Globalization;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

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

    /// <summary>Seconds between evaluations: the alarm's Period, or that of the query an alarm on metric math watches.</summary>
    public int Period { get; set; } = 60;
}

/// <summary>
/// Amazon CloudWatch: metric alarms (set by hand or evaluated from metrics) and metrics, both those sent with
/// PutMetricData and those the sandbox produces from the traffic it simulates.
/// </summary>
internal sealed partial class CloudWatchApi(Region region)
{
    private const string Elb = "AWS/ApplicationELB";
    private const string Lambda = "AWS/Lambda";
    private const int DefaultMaxDatapoints = 100_800;
    private const int ListMetricsPage = 500;
    private static readonly HashSet<int> ShortPeriods = [1, 5, 10, 20, 30];
    private readonly Dictionary<string, MetricAlarm> _alarms = new(StringComparer.Ordinal);

    public MetricStore Metrics { get; } = new();

    public JsonNode Handle(string operation, JsonObject input) => operation switch
    {
        "PutMetricAlarm" => PutMetricAlarm(input),
        "DescribeAlarms" => DescribeAlarms(input),
        "SetAlarmState" => SetAlarmState(input),
        "DeleteAlarms" => DeleteAlarms(input),
        "PutMetricData" => PutMetricData(input),
        "GetMetricData" => GetMetricData(input),
        "GetMetricStatistics" => GetMetricStatistics(input),
        "ListMetrics" => ListMetrics(input),
        "PutDashboard" => region.Sandbox.Dashboards.Put(input, region.Now),
        "GetDashboard" => region.Sandbox.Dashboards.Get(input),
        "ListDashboards" => region.Sandbox.Dashboards.List(input),
        "DeleteDashboards" => region.Sandbox.Dashboards.Delete(input),
        _ => throw new AwsException("InvalidAction", $"The sandbox does not implement CloudWatch {operation}."),
    };

    private static IEnumerable<KeyValuePair<string, string>> Dimensions(JsonNode? node) =>
        node.Arr("Dimensions").OfType<JsonObject>().Select(d => new KeyValuePair<string, string>(d.Str("Name") ?? string.Empty, d.Str("Value") ?? string.Empty));

    private static Dictionary<string, string> Dims(params (string Name, string Value)[] dimensions) =>
        dimensions.ToDictionary(d => d.Name, d => d.Value, StringComparer.Ordinal);

    private static string LoadBalancerDimension(LoadBalancer lb) => lb.Arn[lb.Arn.IndexOf("app/", StringComparison.Ordinal)..];

    /// <summary>One request a target answered, dated when it arrived: per target group and per load balancer, as an ALB publishes them.</summary>
    public void RecordTargetResponse(LoadBalancer lb, TargetGroup group, int status, double seconds, DateTimeOffset received)
    {
        var now = received;
        var lbDimension = LoadBalancerDimension(lb);
        foreach (var dims in new[] { Dims(("LoadBalancer", lbDimension), ("TargetGroup", group.Dimension)), Dims(("LoadBalancer", lbDimension)) })
        {
            Metrics.Add(Elb, "RequestCount", dims, 1, now, "Count");
            Metrics.Add(Elb, "TargetResponseTime", dims, seconds, now, "Seconds");
            var statusClass = status / 100;
            if (statusClass is >= 2 and <= 5)
            {
                Metrics.Add(Elb, $"HTTPCode_Target_{statusClass}XX_Count", dims, 1, now, "Count");
            }
        }
    }

    /// <summary>A request the load balancer answered itself: no target could take it (503), or a fixed response.</summary>
    public void RecordLoadBalancerResponse(LoadBalancer lb, int status)
    {
        var now = region.Now;
        var dims = Dims(("LoadBalancer", LoadBalancerDimension(lb)));
        Metrics.Add(Elb, "RequestCount", dims, 1, now, "Count");
        var statusClass = status / 100;
        if (statusClass is >= 2 and <= 5)
        {
            Metrics.Add(Elb, $"HTTPCode_ELB_{statusClass}XX_Count", dims, 1, now, "Count");
        }

        if (status is 500 or 502 or 503 or 504)
        {
            Metrics.Add(Elb, $"HTTPCode_ELB_{status}_Count", dims, 1, now, "Count");
        }
    }

    /// <summary>
    /// Dimension sets of one invocation as Lambda publishes them: none (every function of the region); the function;
    /// the version or alias invoked (<c>Resource</c>, only when a qualifier was given); and, through an alias, the
    /// version that ran.
    /// </summary>
    private static List<Dictionary<string, string>> InvocationDimensions(string function, string? qualifier, string? aliasVersion)
    {
        var sets = new List<Dictionary<string, string>> { Dims(), Dims(("FunctionName", function)) };
        if (qualifier is not null)
        {
            sets.Add(Dims(("FunctionName", function), ("Resource", $"{function}:{qualifier}")));
            if (aliasVersion is not null)
            {
                sets.Add(Dims(("FunctionName", function), ("Resource", $"{function}:{qualifier}"), ("ExecutedVersion", aliasVersion)));
            }
        }

        return sets;
    }

    /// <summary>One finished invocation, dated when it was invoked, as Lambda dates it.</summary>
    public void RecordInvocation(string function, string? qualifier, string? aliasVersion, bool failed, double durationMs, DateTimeOffset invoked)
    {
        var now = invoked;
        foreach (var dims in InvocationDimensions(function, qualifier, aliasVersion))
        {
            Metrics.Add(Lambda, "Invocations", dims, 1, now, "Count");
            Metrics.Add(Lambda, "Errors", dims, failed ? 1 : 0, now, "Count");
            Metrics.Add(Lambda, "Throttles", dims, 0, now, "Count");
            Metrics.Add(Lambda, "Duration", dims, durationMs, now, "Milliseconds");
        }
    }

    /// <summary>An invocation refused with throttling: no version ran, so it counts for the function and what was invoked.</summary>
    public void RecordThrottle(string function, string? qualifier)
    {
        foreach (var dims in InvocationDimensions(function, qualifier, null))
        {
            Metrics.Add(Lambda, "Throttles", dims, 1, region.Now, "Count");
        }
    }

    private JsonObject PutMetricData(JsonObject input)
    {
        var ns = input.Str("Namespace") ?? throw new AwsException("MissingParameter", "The parameter Namespace is required.");
        if (ns.StartsWith("AWS/", StringComparison.Ordinal))
        {
            throw new AwsException("InvalidParameterValue", "The value AWS/ for parameter Namespace is invalid.");
        }

        var data = input.Arr("MetricData").OfType<JsonObject>().ToList();
        if (data.Count == 0)
        {
            throw new AwsException("MissingParameter", "The parameter MetricData is required.");
        }

        // Everything is checked before anything is stored, as CloudWatch takes a request whole or not at all.
        var checkedData = new List<(string Name, List<KeyValuePair<string, string>> Dims, DateTimeOffset Time, string Unit, int Resolution, Action<MetricBucket> Add)>();
        for (var n = 1; n <= data.Count; n++)
        {
            var datum = data[n - 1];
            var member = $"MetricData.member.{n}";
            var name = datum.Str("MetricName") ?? throw new AwsException("MissingParameter", $"The parameter {member}.MetricName is required.");
            var resolution = datum.Int("StorageResolution") ?? 60;
            if (resolution is not (1 or 60))
            {
                throw new AwsException("InvalidParameterValue", $"The value {resolution} for parameter {member}.StorageResolution is invalid: it is 1 or 60.");
            }

            var value = datum.Num("Value");
            var values = datum.Arr("Values").Select((v, i) => new JsonObject { ["v"] = v?.DeepClone() }.Num("v") ?? throw new AwsException("InvalidParameterValue", $"The parameter {member}.Values.member.{i + 1} is not a number.")).ToList();
            var counts = datum.Arr("Counts").Select((c, i) => new JsonObject { ["c"] = c?.DeepClone() }.Num("c") ?? throw new AwsException("InvalidParameterValue", $"The parameter {member}.Counts.member.{i + 1} is not a number.")).ToList();
            var stats = datum["StatisticValues"] as JsonObject;
            var given = (value is null ? 0 : 1) + (values.Count == 0 ? 0 : 1) + (stats is null ? 0 : 1);
            if (given > 1)
            {
                throw new AwsException("InvalidParameterCombination", $"The parameters {member}.Value, {member}.Values and {member}.StatisticValues are mutually exclusive and you have specified more than one.");
            }

            if (given == 0)
            {
                throw new AwsException("MissingParameter", $"The parameter {member}.Value, {member}.Values or {member}.StatisticValues is required.");
            }

            if (counts.Count > 0 && counts.Count != values.Count)
            {
                throw new AwsException("InvalidParameterValue", $"The parameters {member}.Values and {member}.Counts must be of the same size.");
            }

            Action<MetricBucket> add;
            if (value is { } single)
            {
                add = b => b.Add(single, 1);
            }
            else if (stats is not null)
            {
                var sampleCount = stats.Num("SampleCount") ?? throw new AwsException("MissingParameter", $"The parameter {member}.StatisticValues.SampleCount is required.");
                var sum = stats.Num("Sum") ?? throw new AwsException("MissingParameter", $"The parameter {member}.StatisticValues.Sum is required.");
                var min = stats.Num("Minimum") ?? throw new AwsException("MissingParameter", $"The parameter {member}.StatisticValues.Minimum is required.");
                var max = stats.Num("Maximum") ?? throw new AwsException("MissingParameter", $"The parameter {member}.StatisticValues.Maximum is required.");
                if (sampleCount <= 0 || min > max)
                {
                    throw new AwsException("InvalidParameterValue", $"The parameter {member}.StatisticValues is inconsistent: SampleCount must be above 0 and Minimum at most Maximum.");
                }

                add = b => b.AddAggregate(sampleCount, sum, min, max);
            }
            else
            {
                add = b =>
                {
                    for (var i = 0; i < values.Count; i++)
                    {
                        b.Add(values[i], counts.Count > 0 ? counts[i] : 1);
                    }
                };
            }

            checkedData.Add((name, MetricStore.Sorted(Dimensions(datum)), datum.Time("Timestamp") ?? region.Now, datum.Str("Unit") ?? "None", resolution, add));
        }

        foreach (var (name, dims, time, unit, resolution, add) in checkedData)
        {
            Metrics.Add(ns, name, dims, time, unit, add, resolution);
        }

        return [];
    }

    /// <summary>A period CloudWatch accepts: 1, 5, 10, 20, 30 or a multiple of 60 seconds.</summary>
    private static bool ValidPeriod(int period) => period > 0 && (ShortPeriods.Contains(period) || period % 60 == 0);

    /// <summary>Where periods start: StartTime rounded down to the minute (to a whole period under a minute), as CloudWatch rounds it.</summary>
    private static long AlignedStart(DateTimeOffset start, int period)
    {
        var seconds = start.ToUnixTimeSeconds();
        var unit = period >= 60 ? 60 : period;
        return seconds - (((seconds % unit) + unit) % unit);
    }

    /// <summary>The datapoints of one MetricStat: period start, value. Periods with no data are absent.</summary>
    private SortedDictionary<long, double> Datapoints(JsonNode metric, string stat, string? unit, long start, long end, int period)
    {
        var result = new SortedDictionary<long, double>();
        var series = Metrics.Find(metric.Str("Namespace") ?? string.Empty, metric.Str("MetricName") ?? string.Empty, Dimensions(metric));
        // A unit asked for that the data was not sent with gives no data: CloudWatch converts no units.
        if (series is null || (unit is not null && unit != series.Unit))
        {
            return result;
        }

        foreach (var (at, aggregate) in MetricStore.Periods(series, start, end, period))
        {
            if (MetricStore.Statistic(aggregate, stat) is { } value)
            {
                result[at] = value;
            }
        }

        return result;
    }

    private JsonObject GetMetricData(JsonObject input)
    {
        var start = input.Time("StartTime") ?? throw new AwsException("MissingParameter", "The parameter StartTime is required.");
        var end = input.Time("EndTime") ?? throw new AwsException("MissingParameter", "The parameter EndTime is required.");
        if (start >= end)
        {
            throw new AwsException("ValidationError", "The parameter StartTime must be less than the parameter EndTime.");
        }

        var scanBy = input.Str("ScanBy") ?? "TimestampDescending";
        if (scanBy is not ("TimestampDescending" or "TimestampAscending"))
        {
            throw new AwsException("ValidationError", $"The value {scanBy} for parameter ScanBy is not valid: it is TimestampDescending or TimestampAscending.");
        }

        var maxDatapoints = input.Int("MaxDatapoints") ?? DefaultMaxDatapoints;
        if (maxDatapoints < 1)
        {
            throw new AwsException("ValidationError", $"The value {maxDatapoints} for parameter MaxDatapoints must be at least 1.");
        }

        var offset = 0;
        if (input.Str("NextToken") is { } token && !TryReadToken(token, out offset))
        {
            throw new AwsException("InvalidNextToken", "The service couldn't process your request because the NextToken is not valid. Use the NextToken from the previous response, unchanged.");
        }

        var queries = input.Arr("MetricDataQueries").OfType<JsonObject>().ToList();
        if (queries.Count == 0)
        {
            throw new AwsException("MissingParameter", "The parameter MetricDataQueries is required.");
        }

        var computed = Evaluate(CheckQueries(queries, "MetricDataQueries"), start, end);
        var results = new List<(JsonObject Query, List<KeyValuePair<long, double>> Points)>();
        foreach (var query in queries)
        {
            var id = query.Str("Id")!;
            var points = computed[id].Points.ToList();
            if (scanBy == "TimestampDescending")
            {
                points.Reverse();
            }

            if (query.Bool("ReturnData") ?? true)
            {
                results.Add((query, points));
            }
        }

        // One page holds MaxDatapoints datapoints, taken query by query; NextToken says how many were already given.
        var page = new JsonArray();
        var position = 0;
        var taken = 0;
        var more = false;
        foreach (var (query, points) in results)
        {
            var first = Math.Clamp(offset - position, 0, points.Count);
            var count = Math.Min(points.Count - first, maxDatapoints - taken);
            position += points.Count;
            if (offset > 0 && count == 0)
            {
                continue; // given whole on an earlier page
            }

            var partial = first + count < points.Count;
            more |= partial;
            taken += count;
            var slice = points.Skip(first).Take(count).ToList();
            page.Add(new JsonObject
            {
                ["Id"] = query.Str("Id"),
                ["Label"] = query.Str("Label") ?? (query["MetricStat"] is JsonObject ms ? ms["Metric"].Str("MetricName") : query.Str("Id")),
                ["Timestamps"] = slice.Select(p => (JsonNode?)JsonValue.Create(DateTimeOffset.FromUnixTimeSeconds(p.Key))).ToJsonArray(),
                ["Values"] = slice.Select(p => (JsonNode?)JsonValue.Create(p.Value)).ToJsonArray(),
                ["StatusCode"] = partial ? "PartialData" : "Complete",
                ["Messages"] = new JsonArray(),
            });
        }

        var output = new JsonObject { ["MetricDataResults"] = page, ["Messages"] = new JsonArray() };
        if (more)
        {
            output["NextToken"] = WriteToken(offset + taken);
        }

        return output;
    }

    /// <summary>Checks metric queries (of GetMetricData, or of an alarm's Metrics) as CloudWatch does, every mistake at once; returns them by id.</summary>
    private static Dictionary<string, JsonObject> CheckQueries(List<JsonObject> queries, string list)
    {
        if (queries.Count > 500)
        {
            throw new AwsException("ValidationError", $"The collection {list} must not have a size greater than 500.");
        }

        var errors = new List<string>();
        var byId = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        for (var n = 1; n <= queries.Count; n++)
        {
            var query = queries[n - 1];
            var member = $"{list}.member.{n}";
            var id = query.Str("Id") ?? string.Empty;
            if (!IdPattern().IsMatch(id))
            {
                errors.Add($"The value {id} for parameter {member}.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.");
            }

            byId[id] = query;
            var metricStat = query["MetricStat"] as JsonObject;
            var expression = query.Str("Expression");
            if ((metricStat is null) == (expression is null))
            {
                errors.Add($"Exactly one of {member}.MetricStat and {member}.Expression must be given.");
                continue;
            }

            if (metricStat is not null)
            {
                var stat = metricStat.Str("Stat") ?? string.Empty;
                if (!MetricStore.IsStatistic(stat))
                {
                    errors.Add($"The value {stat} for parameter {member}.MetricStat.Stat is not a valid statistic. The sandbox computes SampleCount, Sum, Average, Minimum, Maximum, pNN, tmNN and IQM.");
                }

                var period = metricStat.Int("Period");
                if (period is not { } p || !ValidPeriod(p))
                {
                    errors.Add($"The value {period?.ToString(CultureInfo.InvariantCulture) ?? "null"} for parameter {member}.MetricStat.Period is not valid: a period is 1, 5, 10, 20, 30 or a multiple of 60 seconds.");
                }

                var metric = metricStat["Metric"];
                if (string.IsNullOrEmpty(metric.Str("Namespace")) || string.IsNullOrEmpty(metric.Str("MetricName")))
                {
                    errors.Add($"The parameters {member}.MetricStat.Metric.Namespace and {member}.MetricStat.Metric.MetricName are required.");
                }
            }
            else if (query.Int("Period") is { } period && !ValidPeriod(period))
            {
                errors.Add($"The value {period} for parameter {member}.Period is not valid: a period is 1, 5, 10, 20, 30 or a multiple of 60 seconds.");
            }
        }

        if (byId.Count < queries.Count && errors.Count == 0)
        {
            errors.Add($"The values for parameter id in {list} are not unique.");
        }

        if (errors.Count > 0)
        {
            throw new AwsException("ValidationError", string.Join("\n", errors));
        }

        return byId;
    }

    /// <summary>The datapoints of every query over [start, end), and its period; each computed once, expressions after the queries they name.</summary>
    private Dictionary<string, (SortedDictionary<long, double> Points, int Period)> Evaluate(Dictionary<string, JsonObject> byId, DateTimeOffset start, DateTimeOffset end)
    {
        var computed = new Dictionary<string, (SortedDictionary<long, double> Points, int Period)>(StringComparer.Ordinal);
        var computing = new HashSet<string>(StringComparer.Ordinal);
        (SortedDictionary<long, double> Points, int Period) Compute(string id)
        {
            if (computed.TryGetValue(id, out var done))
            {
                return done;
            }

            var query = byId[id];
            if (query["MetricStat"] is JsonObject metricStat)
            {
                var period = metricStat.Int("Period")!.Value;
                var aligned = AlignedStart(start, period);
                done = (Datapoints(metricStat["Metric"]!, metricStat.Str("Stat")!, metricStat.Str("Unit"), aligned, end.ToUnixTimeSeconds(), period), period);
            }
            else
            {
                if (!computing.Add(id))
                {
                    throw new AwsException("ValidationError", $"Error in expression '{id}': it refers to itself through the queries it names.");
                }

                var text = query.Str("Expression")!;
                var references = MetricMath.References(text).Where(byId.ContainsKey).ToList();
                var period = query.Int("Period") ?? (references.Count > 0 ? Compute(references[0]).Period : 60);
                var aligned = AlignedStart(start, period);
                if ((end.ToUnixTimeSeconds() - aligned) / period > DefaultMaxDatapoints)
                {
                    // The grid is built whole, under the state lock: keep it to what one call may return.
                    throw new AwsException("ValidationError", $"Error in expression '{id}': the time range holds more than {DefaultMaxDatapoints} periods of {period} seconds; use a longer Period or a shorter range.");
                }

                var grid = new List<long>();
                for (var t = aligned; t < end.ToUnixTimeSeconds(); t += period)
                {
                    grid.Add(t);
                }

                var points = MetricMath.Evaluate(id, text, name => byId.ContainsKey(name)
                    ? Compute(name).Points
                    : throw new AwsException("ValidationError", $"Error in expression '{id}': '{name}' is not the id of a query in this request."), grid);
                done = (points, period);
                computing.Remove(id);
            }

            computed[id] = done;
            return done;
        }

        foreach (var id in byId.Keys)
        {
            Compute(id);
        }

        return computed;
    }

    private static string WriteToken(int offset) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("datapoints:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadToken(string token, out int offset)
    {
        offset = 0;
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("datapoints:", StringComparison.Ordinal) && int.TryParse(text["datapoints:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-zA-Z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();

    private JsonObject GetMetricStatistics(JsonObject input)
    {
        var ns = input.Str("Namespace") ?? throw new AwsException("MissingParameter", "The parameter Namespace is required.");
        var name = input.Str("MetricName") ?? throw new AwsException("MissingParameter", "The parameter MetricName is required.");
        var start = input.Time("StartTime") ?? throw new AwsException("MissingParameter", "The parameter StartTime is required.");
        var end = input.Time("EndTime") ?? throw new AwsException("MissingParameter", "The parameter EndTime is required.");
        var period = input.Int("Period") ?? throw new AwsException("MissingParameter", "The parameter Period is required.");
        if (!ValidPeriod(period))
        {
            throw new AwsException("InvalidParameterValue", $"The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60, not {period}.");
        }

        if (start >= end)
        {
            throw new AwsException("InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.");
        }

        var requested = (long)Math.Ceiling((end - start).TotalSeconds / period);
        if (requested > 1440)
        {
            throw new AwsException("InvalidParameterCombination", $"You have requested up to {requested} datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.");
        }

        var statistics = input.Strings("Statistics").ToList();
        var extended = input.Strings("ExtendedStatistics").ToList();
        if (statistics.Count == 0 && extended.Count == 0)
        {
            throw new AwsException("MissingParameter", "Must specify either Statistics or ExtendedStatistics.");
        }

        if (statistics.Count > 0 && extended.Count > 0)
        {
            throw new AwsException("InvalidParameterCombination", "The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.");
        }

        foreach (var stat in statistics.Where(s => s is not ("SampleCount" or "Average" or "Sum" or "Minimum" or "Maximum")))
        {
            throw new AwsException("InvalidParameterValue", $"The parameter Statistics.member contains an invalid value: {stat}.");
        }

        foreach (var stat in extended.Where(s => !MetricStore.IsStatistic(s) || s is "SampleCount" or "Average" or "Sum" or "Minimum" or "Maximum"))
        {
            throw new AwsException("InvalidParameterValue", $"The parameter ExtendedStatistics.member contains an invalid value: {stat}.");
        }

        var unit = input.Str("Unit");
        var series = Metrics.Find(ns, name, Dimensions(input));
        var datapoints = new JsonArray();
        if (series is not null && (unit is null || unit == series.Unit))
        {
            foreach (var (at, aggregate) in MetricStore.Periods(series, AlignedStart(start, period), end.ToUnixTimeSeconds(), period))
            {
                var point = new JsonObject { ["Timestamp"] = JsonValue.Create(DateTimeOffset.FromUnixTimeSeconds(at)) };
                foreach (var stat in statistics)
                {
                    point[stat] = MetricStore.Statistic(aggregate, stat);
                }

                if (extended.Count > 0)
                {
                    var values = new JsonObject();
                    foreach (var stat in extended)
                    {
                        values[stat] = MetricStore.Statistic(aggregate, stat);
                    }

                    point["ExtendedStatistics"] = values;
                }

                point["Unit"] = series.Unit;
                datapoints.Add(point);
            }
        }

        return new JsonObject { ["Label"] = name, ["Datapoints"] = datapoints };
    }

    private JsonObject ListMetrics(JsonObject input)
    {
        var ns = input.Str("Namespace");
        var name = input.Str("MetricName");
        var filters = input.Arr("Dimensions").OfType<JsonObject>().Select(d => (Name: d.Str("Name") ?? string.Empty, Value: d.Str("Value"))).ToList();
        var recently = input.Str("RecentlyActive");
        if (recently is not null && recently != "PT3H")
        {
            throw new AwsException("InvalidParameterValue", $"The value {recently} for parameter RecentlyActive is invalid: PT3H is the only value.");
        }

        var offset = 0;
        if (input.Str("NextToken") is { } token && !TryReadToken(token, out offset))
        {
            throw new AwsException("InvalidParameterValue", "The parameter NextToken is not valid. Use the NextToken from the previous response, unchanged.");
        }

        var since = region.Now - TimeSpan.FromHours(3);
        var matching = Metrics.All
            .Where(s => ns is null || s.Namespace == ns)
            .Where(s => name is null || s.Name == name)
            .Where(s => filters.All(f => s.Dimensions.Any(d => d.Key == f.Name && (f.Value is null || d.Value == f.Value))))
            .Where(s => recently is null || s.LastWrite >= since)
            .OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)
            .ThenBy(s => string.Join("\n", s.Dimensions.Select(d => d.Key + "=" + d.Value)), StringComparer.Ordinal)
            .ToList();
        var page = matching.Skip(offset).Take(ListMetricsPage).Select(s => (JsonNode?)new JsonObject
        {
            ["Namespace"] = s.Namespace,
            ["MetricName"] = s.Name,
            ["Dimensions"] = s.Dimensions.Select(d => (JsonNode?)new JsonObject { ["Name"] = d.Key, ["Value"] = d.Value }).ToJsonArray(),
        }).ToJsonArray();
        var output = new JsonObject { ["Metrics"] = page };
        if (offset + ListMetricsPage < matching.Count)
        {
            output["NextToken"] = WriteToken(offset + ListMetricsPage);
        }

        return output;
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

        if (input["Metrics"] is JsonArray metrics)
        {
            // An alarm on metric math watches the one query that returns data, at that query's period.
            var queries = metrics.OfType<JsonObject>().ToList();
            CheckQueries(queries, "Metrics");
            var returned = queries.Where(q => q.Bool("ReturnData") ?? true).ToList();
            if (returned.Count != 1)
            {
                throw new AwsException("ValidationError", "Exactly one element of the metrics list should return data.");
            }

            period = returned[0]["MetricStat"].Int("Period") ?? returned[0].Int("Period")
                ?? queries.Select(q => q["MetricStat"].Int("Period")).FirstOrDefault(p => p is not null) ?? 60;
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
            ["Period"] = input["Metrics"] is null ? period : null,
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

        alarm.Period = period;
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
            var period = alarm.Period;
            alarm.NextEvaluation = NextBoundary(now, period);
            var periods = body.Int("EvaluationPeriods") ?? 1;
            var end = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / period * period);
            Func<long, double?> valueAt;
            if (body["Metrics"] is JsonArray metrics)
            {
                var queries = metrics.OfType<JsonObject>().ToList();
                var returned = queries.First(q => q.Bool("ReturnData") ?? true).Str("Id")!;
                var points = Evaluate(CheckQueries(queries, "Metrics"), end.AddSeconds(-period * periods), end)[returned].Points;
                valueAt = at => points.TryGetValue(at, out var v) ? v : null;
            }
            else if (body.Str("MetricName") is not null && body.Str("Namespace") is not null)
            {
                var stat = body.Str("Statistic") ?? body.Str("ExtendedStatistic") ?? "Average";
                valueAt = at => Datapoints(body, stat, body.Str("Unit"), at, at + period, period).Values.Cast<double?>().FirstOrDefault();
            }
            else
            {
                continue;
            }

            var needed = body.Int("DatapointsToAlarm") ?? periods;
            var threshold = body.Num("Threshold") ?? 0;
            var comparison = body.Str("ComparisonOperator") ?? "GreaterThanThreshold";
            var treatMissing = body.Str("TreatMissingData") ?? "missing";
            var breaching = 0;
            var present = 0;
            double? last = null;
            for (var i = 0; i < periods; i++)
            {
                var value = valueAt(end.ToUnixTimeSeconds() - (period * (i + 1)));
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
        ["metrics"] = Metrics.All.Select(m => $"{m.Namespace}|{m.Name}|{string.Join(",", m.Dimensions.Select(d => d.Key + "=" + d.Value))}").ToJsonArray(),
    };
}
