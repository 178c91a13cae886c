using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

/// <summary>
/// CloudWatch dashboards. AWS keeps them per account, not per region ("All dashboards in your account are global"),
/// so the sandbox keeps one set for every region; each answer's ARN names no region, as AWS's does.
/// </summary>
internal sealed partial class Dashboards
{
    // What the sandbox accepts as one dashboard's body; AWS refuses far larger bodies with InvalidParameterInput too.
    public const int MaxBodyBytes = 1024 * 1024;
    private const int ListPage = 1000;

    private readonly SortedDictionary<string, (string Body, DateTimeOffset Modified)> _dashboards = new(StringComparer.Ordinal);

    public void Clear() => _dashboards.Clear();

    public static string Arn(string name) => $"arn:aws:cloudwatch::{Sandbox.Account}:dashboard/{name}";

    public JsonObject Put(JsonObject input, DateTimeOffset now)
    {
        var name = RequireName(input.Str("DashboardName"), "DashboardName");
        var body = input.Str("DashboardBody") ?? throw Invalid("The parameter DashboardBody is required.", "$");
        if (Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
        {
            throw Invalid($"The dashboard body is larger than {MaxBodyBytes} bytes.", "$");
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw Invalid($"The dashboard body is not valid JSON: {e.Message}", "$");
        }

        if (parsed is not JsonObject root || root["widgets"] is not JsonArray widgets)
        {
            throw Invalid("Should have required property 'widgets'.", "$");
        }

        for (var i = 0; i < widgets.Count; i++)
        {
            if (widgets[i] is not JsonObject widget || widget.Str("type") is not { } type)
            {
                throw Invalid("Should have required property 'type'.", $"$.widgets[{i}]");
            }

            if (type is not ("metric" or "text" or "alarm" or "log" or "explorer" or "custom"))
            {
                throw Invalid("Should be equal to one of the allowed values.", $"$.widgets[{i}].type");
            }

            if (widget["properties"] is not JsonObject properties)
            {
                throw Invalid("Should have required property 'properties'.", $"$.widgets[{i}]");
            }

            if (type == "text" && properties.Str("markdown") is null)
            {
                throw Invalid("Should have required property 'markdown'.", $"$.widgets[{i}].properties");
            }
        }

        _dashboards[name] = (body, now);
        return new JsonObject { ["DashboardValidationMessages"] = new JsonArray() };
    }

    public JsonObject Get(JsonObject input)
    {
        var name = input.Str("DashboardName");
        if (string.IsNullOrEmpty(name))
        {
            throw new AwsException("InvalidParameterValue", "The parameter DashboardName is required.");
        }

        if (!_dashboards.TryGetValue(name, out var dashboard))
        {
            throw new AwsException("ResourceNotFound", "Dashboard does not exist", 404);
        }

        return new JsonObject { ["DashboardArn"] = Arn(name), ["DashboardBody"] = dashboard.Body, ["DashboardName"] = name };
    }

    public JsonObject List(JsonObject input)
    {
        var prefix = input.Str("DashboardNamePrefix") ?? string.Empty;
        if (prefix.Length > 0 && !NamePattern().IsMatch(prefix))
        {
            throw new AwsException("InvalidParameterValue", "DashboardNamePrefix may contain only A-Z, a-z, 0-9, '.', '-' and '_', up to 255 characters.");
        }

        var after = input.Str("NextToken");
        var names = _dashboards.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(n, after) > 0)).ToList();
        var page = names.Take(ListPage).ToList();
        var result = new JsonObject
        {
            ["DashboardEntries"] = page.Select(n => (JsonNode?)new JsonObject
            {
                ["DashboardName"] = n,
                ["DashboardArn"] = Arn(n),
                ["LastModified"] = JsonValue.Create(_dashboards[n].Modified),
                ["Size"] = Encoding.UTF8.GetByteCount(_dashboards[n].Body),
            }).ToJsonArray(),
        };
        if (names.Count > page.Count)
        {
            result["NextToken"] = page[^1];
        }

        return result;
    }

    public JsonObject Delete(JsonObject input)
    {
        var names = input.Strings("DashboardNames").ToList();
        if (names.Count == 0)
        {
            throw new AwsException("InvalidParameterValue", "The parameter DashboardNames is required.");
        }

        // AWS deletes none when one is missing.
        var missing = names.Where(n => !_dashboards.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new AwsException("ResourceNotFound", $"Dashboards {string.Join(", ", missing)} do not exist", 404);
        }

        foreach (var name in names)
        {
            _dashboards.Remove(name);
        }

        return [];
    }

    public JsonArray Dump() => _dashboards.Keys.Select(n => (JsonNode?)n).ToJsonArray();

    private static string RequireName(string? name, string member)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Invalid($"The parameter {member} is required.", "$");
        }

        if (!NamePattern().IsMatch(name) || name.Contains('.', StringComparison.Ordinal))
        {
            throw Invalid("The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).", "$");
        }

        return name;
    }

    private static AwsException Invalid(string message, string path) =>
        new("InvalidParameterInput", $"The input for PutDashboard is not valid: {message} (at {path})");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,255}$")]
    private static partial Regex NamePattern();
}
