using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Aws.CloudWatch.Model;
using BlueGreen.Aws.Configuration;

namespace BlueGreen.Core.Releases;

/// <summary>The CloudWatch alarms a release is started with (<c>-Alarm</c>): checked by name, then by existence
/// (DescribeAlarms), before any change; every engine applies them where its controller keeps them.</summary>
public static class ReleaseAlarms
{
    /// <summary>The requested names without duplicates, in order; an empty list when none were asked for.</summary>
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string>? alarms, int limit = 100)
    {
        var names = (alarms ?? Array.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
        var bad = names.FirstOrDefault(a => string.IsNullOrWhiteSpace(a) || a.Length > 255);
        if (bad is not null)
        {
            throw new ReleaseException("InvalidAlarm", ReleaseErrorKind.InvalidArgument, $"'{bad}' is not a CloudWatch alarm name (1 to 255 characters).", bad, "Name the alarms as CloudWatch does.");
        }

        if (names.Count > limit)
        {
            throw new ReleaseException("InvalidAlarm", ReleaseErrorKind.InvalidArgument, $"A release watches at most {limit} alarms here; {names.Count} were given.", names, "Give fewer alarms, or combine them in a composite alarm.");
        }

        return names;
    }

    /// <summary>The state of each named alarm that exists (metric and composite alarms), by name.</summary>
    public static async Task<Dictionary<string, MetricAlarm>> DescribeAsync(CloudWatchClient cloudWatch, IReadOnlyList<string> alarms, CancellationToken cancellationToken)
    {
        if (cloudWatch is null)
        {
            throw new ArgumentNullException(nameof(cloudWatch));
        }

        var found = new Dictionary<string, MetricAlarm>(StringComparer.Ordinal);
        if (alarms is null || alarms.Count == 0)
        {
            return found;
        }

        var pages = await cloudWatch.DescribeAlarmsAllPagesAsync(
            new DescribeAlarmsRequest { AlarmNames = alarms.ToList(), AlarmTypes = new List<string> { "MetricAlarm", "CompositeAlarm" }, MaxRecords = 100 }, cancellationToken).ConfigureAwait(false);
        foreach (var alarm in pages.SelectMany(p => p.MetricAlarms ?? new List<MetricAlarm>()))
        {
            if (alarm.AlarmName is not null)
            {
                found[alarm.AlarmName] = alarm;
            }
        }

        foreach (var composite in pages.SelectMany(p => p.CompositeAlarms ?? new List<CompositeAlarm>()))
        {
            if (composite.AlarmName is not null)
            {
                found[composite.AlarmName] = new MetricAlarm { AlarmName = composite.AlarmName, StateValue = composite.StateValue, StateReason = composite.StateReason };
            }
        }

        return found;
    }

    /// <summary>Refuses alarms that do not exist: a release gated on a name nobody evaluates would never stop.</summary>
    public static async Task RequireExistAsync(AwsContext context, IReadOnlyList<string> alarms, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        if (alarms is null || alarms.Count == 0)
        {
            return;
        }

        var states = await DescribeAsync(new CloudWatchClient(context), alarms, cancellationToken).ConfigureAwait(false);
        RequireFound(alarms, states.Keys, context.Region);
    }

    /// <summary>The check of <see cref="RequireExistAsync"/> on names already read.</summary>
    public static void RequireFound(IReadOnlyList<string> alarms, IEnumerable<string> found, string? region)
    {
        var known = new HashSet<string>(found ?? Array.Empty<string>(), StringComparer.Ordinal);
        var missing = (alarms ?? Array.Empty<string>()).Where(a => !known.Contains(a)).ToList();
        if (missing.Count > 0)
        {
            throw new ReleaseException("AlarmNotFound", ReleaseErrorKind.ObjectNotFound,
                $"No CloudWatch alarm {string.Join(", ", missing.Select(m => "'" + m + "'"))} exists in {region}: a release gated on it would never be stopped by it.", missing[0],
                "Create the alarm first (aws cloudwatch put-metric-alarm), or check its name and -Region.");
        }
    }
}
