using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Aws.CloudWatch.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Core.Trains;

/// <summary>Where trains are kept between sessions.</summary>
public interface ITrainStore
{
    Task SaveAsync(TrainRecord record, CancellationToken cancellationToken);

    /// <summary>The train, or null when there is none of that id.</summary>
    Task<TrainRecord?> LoadAsync(string trainId, CancellationToken cancellationToken);

    /// <summary>The ids of every train kept, newest first.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A train kept as a CloudWatch dashboard named <c>bluegreen-&lt;train id&gt;</c>: a real dashboard of the train's targets
/// (a metric widget each) under a text widget that shows the progress and carries the record (see docs/trains.md).
/// Dashboards belong to the account, not to a region, so any session with the same credentials finds the train.
/// </summary>
public sealed class DashboardTrainStore : ITrainStore
{
    public const string NamePrefix = "bluegreen-";

    private readonly CloudWatchClient _cloudWatch;
    private readonly string _homeRegion;

    public DashboardTrainStore(AwsContext context)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        _cloudWatch = new CloudWatchClient(context);
        _homeRegion = context.Region;
    }

    public static string DashboardName(string trainId) => NamePrefix + trainId;

    public async Task SaveAsync(TrainRecord record, CancellationToken cancellationToken)
    {
        if (record is null)
        {
            throw new ArgumentNullException(nameof(record));
        }

        var body = TrainDashboard.Build(record, _homeRegion);
        await _cloudWatch.PutDashboardAsync(new PutDashboardRequest { DashboardName = DashboardName(record.Id), DashboardBody = body }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TrainRecord?> LoadAsync(string trainId, CancellationToken cancellationToken)
    {
        GetDashboardResponse dashboard;
        try
        {
            dashboard = await _cloudWatch.GetDashboardAsync(new GetDashboardRequest { DashboardName = DashboardName(trainId) }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == CloudWatchErrorCode.DashboardNotFoundError)
        {
            return null;
        }

        return TrainDashboard.Read(dashboard.DashboardBody, trainId);
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var pages = await _cloudWatch.ListDashboardsAllPagesAsync(new ListDashboardsRequest { DashboardNamePrefix = NamePrefix + TrainRecord.IdPrefix }, cancellationToken).ConfigureAwait(false);
        return pages.SelectMany(p => p.DashboardEntries ?? new List<DashboardEntry>())
            .Select(e => e.DashboardName!.Substring(NamePrefix.Length))
            .Where(TrainRecord.IsTrainId)
            .OrderByDescending(id => id, StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>The dashboard body of a train, and the record read back from one.</summary>
public static class TrainDashboard
{
    /// <summary>The most the module writes into one dashboard body (AWS's own limit is larger).</summary>
    public const int MaxBodyLength = 256 * 1024;

    private const string Fence = "```";

    public static string Build(TrainRecord record, string homeRegion)
    {
        if (record is null)
        {
            throw new ArgumentNullException(nameof(record));
        }

        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(TrainRecordCodec.Encode(record)));
        var text = new StringBuilder();
        text.Append("# Release train ").Append(record.Id).Append(" (").Append(record.Definition.Name).Append("): ").Append(record.State).Append("\n\n");
        if (record.Failure is not null)
        {
            text.Append("**Stopped:** ").Append(Plain(record.Failure)).Append("\n\n");
        }

        text.Append("| Wave | Target | State | Release |\n|---|---|---|---|\n");
        for (var w = 0; w < record.Waves.Count; w++)
        {
            foreach (var target in record.Waves[w])
            {
                text.Append("| ").Append(w + 1).Append(' ').Append(Plain(record.Definition.Waves[w].Name)).Append(" | ").Append(Plain(target.Target.DisplayName))
                    .Append(" | ").Append(target.State).Append(" | ").Append(Plain(target.DeploymentId ?? "-")).Append(" |\n");
            }
        }

        text.Append("\nWritten by BlueGreen: edit nothing here. The train's record (").Append(TrainRecord.Format).Append(", base64):\n\n").Append(Fence).Append('\n');
        for (var i = 0; i < encoded.Length; i += 76)
        {
            text.Append(encoded, i, Math.Min(76, encoded.Length - i)).Append('\n');
        }

        text.Append(Fence);

        var widgets = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "text",
                ["x"] = 0,
                ["y"] = 0,
                ["width"] = 24,
                ["height"] = 8,
                ["properties"] = new JsonObject { ["markdown"] = text.ToString() },
            },
        };
        var index = 0;
        foreach (var target in record.Targets)
        {
            widgets.Add(new JsonObject
            {
                ["type"] = "metric",
                ["x"] = index % 3 * 8,
                ["y"] = 8 + index / 3 * 6,
                ["width"] = 8,
                ["height"] = 6,
                ["properties"] = MetricWidget(target.Target, homeRegion),
            });
            index++;
        }

        var body = new JsonObject { ["widgets"] = widgets }.ToJsonString();
        if (body.Length > MaxBodyLength)
        {
            throw new ReleaseException("TrainTooLarge", ReleaseErrorKind.InvalidArgument,
                $"The train's record is {body.Length} characters: more than the {MaxBodyLength} a train keeps in its dashboard.", record.Id,
                "Split the train into smaller trains.");
        }

        return body;
    }

    // A graph of what shows a target's health: a Lambda alias's invocations and errors, an ECS service's CPU.
    private static JsonObject MetricWidget(TrainTarget target, string homeRegion)
    {
        var metrics = target.Target switch
        {
            LambdaAliasTarget lambda => new JsonArray
            {
                new JsonArray { "AWS/Lambda", "Invocations", "FunctionName", lambda.FunctionName, "Resource", $"{lambda.FunctionName}:{lambda.Alias}" },
                new JsonArray { "AWS/Lambda", "Errors", "FunctionName", lambda.FunctionName, "Resource", $"{lambda.FunctionName}:{lambda.Alias}" },
            },
            EcsServiceTarget ecs => new JsonArray
            {
                new JsonArray { "AWS/ECS", "CPUUtilization", "ClusterName", ecs.Cluster, "ServiceName", ecs.Service },
                new JsonArray { "AWS/ECS", "MemoryUtilization", "ClusterName", ecs.Cluster, "ServiceName", ecs.Service },
            },
            _ => new JsonArray(),
        };
        return new JsonObject
        {
            ["title"] = target.DisplayName,
            ["region"] = target.Region ?? homeRegion,
            ["view"] = "timeSeries",
            ["stat"] = target.Target is LambdaAliasTarget ? "Sum" : "Average",
            ["period"] = 60,
            ["metrics"] = metrics,
        };
    }

    /// <summary>The record a dashboard body carries.</summary>
    public static TrainRecord Read(string? body, string trainId)
    {
        string? encoded = null;
        try
        {
            var root = JsonNode.Parse(body ?? string.Empty) as JsonObject;
            var markdown = (root?["widgets"] as JsonArray)?.OfType<JsonObject>()
                .Select(w => (w["properties"] as JsonObject)?["markdown"]?.GetValue<string>())
                .FirstOrDefault(m => m is not null && m.Contains(TrainRecord.FormatMarker));
            if (markdown is not null)
            {
                var start = markdown.LastIndexOf(Fence + "\n", markdown.Length - Fence.Length - 1, StringComparison.Ordinal);
                var end = markdown.LastIndexOf(Fence, StringComparison.Ordinal);
                if (start >= 0 && end > start)
                {
                    encoded = markdown.Substring(start + Fence.Length + 1, end - start - Fence.Length - 1).Replace("\n", string.Empty).Trim();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            encoded = null;
        }

        string? json = null;
        if (encoded is not null)
        {
            try
            {
                json = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                json = null;
            }
        }

        if (TrainRecordCodec.TryDecode(json, out var record, out var problem) && record!.Id == trainId)
        {
            return record;
        }

        throw new ReleaseException("TrainRecordUnreadable", ReleaseErrorKind.InvalidOperation,
            problem ?? $"The dashboard {DashboardTrainStore.DashboardName(trainId)} holds no readable record of train {trainId}: it was changed by hand.", trainId,
            "Leave the train's dashboard as BlueGreen writes it; see each target with Get-BlueGreenDeployment -Cluster/-FunctionName.");
    }

    private static string Plain(string text) => text.Replace("|", "/").Replace("\n", " ").Replace("`", "'");
}
