using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Xml.Linq;

namespace BlueGreen.Aws.Protocols;

/// <summary>
/// awsQuery: requests as form fields (<c>Action</c>, <c>Version</c>, members flattened with <c>.member.N</c>),
/// responses as XML. Both directions go through the source-generated JSON metadata of the model types,
/// so there is one mapping for every operation.
/// </summary>
internal static class QueryProtocol
{
    public static byte[] SerializeRequest<T>(string action, string version, T request, JsonTypeInfo<T> typeInfo)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Action", action),
            new("Version", version),
        };
        var node = JsonSerializer.SerializeToNode(request, typeInfo);
        Flatten(node, typeInfo, string.Empty, fields);
        var body = string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));
        return Encoding.UTF8.GetBytes(body);
    }

    // Walks the JSON form of the request beside its type metadata: the metadata tells a map (entry.N.key /
    // entry.N.value) from a structure (Member.Name), which the JSON alone cannot.
    private static void Flatten(JsonNode? node, JsonTypeInfo typeInfo, string prefix, List<KeyValuePair<string, string>> fields)
    {
        switch (node)
        {
            case null:
                return;
            case JsonObject obj when typeInfo.Kind == JsonTypeInfoKind.Dictionary:
                var valueType = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
                var entry = 0;
                foreach (var property in obj)
                {
                    var entryPrefix = prefix + ".entry." + (++entry).ToString(CultureInfo.InvariantCulture);
                    fields.Add(new(entryPrefix + ".key", property.Key));
                    Flatten(property.Value, valueType, entryPrefix + ".value", fields);
                }

                return;
            case JsonObject obj:
                foreach (var property in obj)
                {
                    var member = typeInfo.Properties.FirstOrDefault(p => p.Name == property.Key);
                    var memberType = member is null ? typeInfo.Options.GetTypeInfo(typeof(JsonElement)) : typeInfo.Options.GetTypeInfo(member.PropertyType);
                    Flatten(property.Value, memberType, prefix.Length == 0 ? property.Key : prefix + "." + property.Key, fields);
                }

                return;
            case JsonArray array:
                if (array.Count == 0)
                {
                    // An empty list is sent as the bare member name, as the SDKs do.
                    fields.Add(new(prefix, string.Empty));
                    return;
                }

                var itemType = typeInfo.Options.GetTypeInfo(typeInfo.ElementType ?? typeof(JsonElement));
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array[i], itemType, prefix + ".member." + (i + 1).ToString(CultureInfo.InvariantCulture), fields);
                }

                return;
            case JsonValue value:
                var element = value.GetValue<JsonElement>();
                var scalarType = Nullable.GetUnderlyingType(typeInfo.Type) ?? typeInfo.Type;
                fields.Add(new(prefix, element.ValueKind switch
                {
                    // awsQuery timestamps are ISO 8601, not the epoch seconds the JSON form carries.
                    JsonValueKind.Number when scalarType == typeof(DateTime) =>
                        new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks((long)Math.Round(element.GetDouble() * TimeSpan.TicksPerSecond))
                            .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                    JsonValueKind.String => element.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => element.GetRawText(),
                }));
                return;
        }
    }

    /// <summary>Reads <c>&lt;ActionResponse&gt;&lt;ActionResult&gt;…</c> into the response type.</summary>
    public static T DeserializeResponse<T>(string action, byte[] body, JsonTypeInfo<T> typeInfo)
    {
        var document = XDocument.Parse(Encoding.UTF8.GetString(body));
        var result = document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result");
        using var buffer = new System.IO.MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (result is null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                WriteValue(writer, result, typeInfo);
            }
        }

        return JsonSerializer.Deserialize(buffer.ToArray(), typeInfo)!;
    }

    public static string? RequestId(byte[] body)
    {
        try
        {
            return XDocument.Parse(Encoding.UTF8.GetString(body)).Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, XElement element, JsonTypeInfo typeInfo)
    {
        switch (typeInfo.Kind)
        {
            case JsonTypeInfoKind.Object:
                writer.WriteStartObject();
                foreach (var property in typeInfo.Properties)
                {
                    var child = element.Elements().FirstOrDefault(e => e.Name.LocalName == property.Name);
                    if (child is null)
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name);
                    WriteValue(writer, child, typeInfo.Options.GetTypeInfo(property.PropertyType));
                }

                writer.WriteEndObject();
                return;
            case JsonTypeInfoKind.Enumerable:
                writer.WriteStartArray();
                var itemType = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
                foreach (var member in element.Elements().Where(e => e.Name.LocalName == "member"))
                {
                    WriteValue(writer, member, itemType);
                }

                writer.WriteEndArray();
                return;
            case JsonTypeInfoKind.Dictionary:
                writer.WriteStartObject();
                var valueType = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
                foreach (var entry in element.Elements().Where(e => e.Name.LocalName == "entry"))
                {
                    var key = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "key")?.Value;
                    var value = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "value");
                    if (key is not null && value is not null)
                    {
                        writer.WritePropertyName(key);
                        WriteValue(writer, value, valueType);
                    }
                }

                writer.WriteEndObject();
                return;
            default:
                WriteScalar(writer, element.Value, Nullable.GetUnderlyingType(typeInfo.Type) ?? typeInfo.Type);
                return;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, string text, Type type)
    {
        if (type == typeof(bool))
        {
            writer.WriteBooleanValue(string.Equals(text.Trim(), "true", StringComparison.OrdinalIgnoreCase));
        }
        else if (type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(float))
        {
            writer.WriteRawValue(decimal.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }
}
