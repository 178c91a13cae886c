using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BlueGreen.Sandbox.Wire;

/// <summary>
/// Helpers over <see cref="JsonNode"/> trees, which carry requests and responses of every protocol.
/// Query requests arrive as strings, so every reader accepts a number or a boolean written as text.
/// Timestamps are stored as <see cref="DateTimeOffset"/> values and rendered per protocol on the way out.
/// </summary>
internal static class Json
{
    public static string? Str(this JsonNode? node, string name)
    {
        var value = node?[name];
        return value is null ? null : AsString(value);
    }

    public static string Req(this JsonNode? node, string name, string? exceptionCode = null)
    {
        var value = node.Str(name);
        if (string.IsNullOrEmpty(value))
        {
            throw new AwsException(exceptionCode ?? "InvalidParameterException", $"{name} is required.");
        }

        return value;
    }

    public static string AsString(JsonNode value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<DateTimeOffset>(out var d) => d.ToString("O", CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };

    public static double? Num(this JsonNode? node, string name)
    {
        var value = node?[name];
        if (value is not JsonValue v)
        {
            return null;
        }

        if (v.TryGetValue<double>(out var d))
        {
            return d;
        }

        if (v.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (v.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (v.TryGetValue<decimal>(out var m))
        {
            return (double)m;
        }

        if (v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number)
        {
            return e.GetDouble();
        }

        if (v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        throw new AwsException("ValidationException", $"{name} must be a number.");
    }

    public static int? Int(this JsonNode? node, string name)
    {
        var value = node.Num(name);
        return value is null ? null : (int)value.Value;
    }

    public static bool? Bool(this JsonNode? node, string name)
    {
        var value = node?[name];
        if (value is not JsonValue v)
        {
            return null;
        }

        if (v.TryGetValue<bool>(out var b))
        {
            return b;
        }

        if (v.TryGetValue<JsonElement>(out var e) && (e.ValueKind is JsonValueKind.True or JsonValueKind.False))
        {
            return e.GetBoolean();
        }

        return v.TryGetValue<string>(out var s) ? string.Equals(s, "true", StringComparison.OrdinalIgnoreCase) : null;
    }

    /// <summary>A timestamp sent as epoch seconds (JSON) or ISO 8601 (Query).</summary>
    public static DateTimeOffset? Time(this JsonNode? node, string name)
    {
        var value = node?[name];
        if (value is null)
        {
            return null;
        }

        if (value is JsonValue v && v.TryGetValue<DateTimeOffset>(out var direct))
        {
            return direct;
        }

        var text = AsString(value);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var epoch))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(epoch * 1000));
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : throw new AwsException("ValidationException", $"{name} is not a timestamp.");
    }

    public static JsonArray Arr(this JsonNode? node, string name) => node?[name] as JsonArray ?? [];

    public static IEnumerable<string> Strings(this JsonNode? node, string name) =>
        node.Arr(name).Where(n => n is not null).Select(n => AsString(n!));

    public static JsonNode? Clone(this JsonNode? node) => node?.DeepClone();

    public static JsonArray ToJsonArray(this IEnumerable<JsonNode?> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item);
        }

        return array;
    }

    public static JsonArray ToJsonArray(this IEnumerable<string> items) => items.Select(i => (JsonNode?)JsonValue.Create(i)).ToJsonArray();

    /// <summary>Writes a tree as AWS JSON: timestamps as epoch seconds, or as ISO 8601 text for REST JSON.</summary>
    public static byte[] Serialize(JsonNode? node, bool epochTimestamps = true)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, node ?? new JsonObject(), epochTimestamps);
        }

        return stream.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node, bool epoch)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject o:
                writer.WriteStartObject();
                foreach (var (key, value) in o)
                {
                    if (value is null)
                    {
                        continue; // AWS omits absent members rather than sending null.
                    }

                    writer.WritePropertyName(key);
                    Write(writer, value, epoch);
                }

                writer.WriteEndObject();
                break;
            case JsonArray a:
                writer.WriteStartArray();
                foreach (var item in a)
                {
                    Write(writer, item, epoch);
                }

                writer.WriteEndArray();
                break;
            case JsonValue v when v.TryGetValue<DateTimeOffset>(out var time):
                if (epoch)
                {
                    writer.WriteNumberValue(Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3));
                }
                else
                {
                    writer.WriteStringValue(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff+0000", CultureInfo.InvariantCulture));
                }

                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
