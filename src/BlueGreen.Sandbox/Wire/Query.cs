using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace BlueGreen.Sandbox.Wire;

/// <summary>The awsQuery protocol: flattened form fields in, XML out.</summary>
internal static class Query
{
    public static Dictionary<string, string> ParseForm(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var parsed = HttpUtility.ParseQueryString(text);
        foreach (var key in parsed.AllKeys)
        {
            if (key is not null)
            {
                fields[key] = parsed[key] ?? string.Empty;
            }
        }

        return fields;
    }

    /// <summary>
    /// Turns <c>A.member.1.B=x</c> fields into the same tree a JSON request would give,
    /// so one handler serves both protocols.
    /// </summary>
    public static JsonObject ToTree(IReadOnlyDictionary<string, string> fields)
    {
        var root = new JsonObject();
        foreach (var (key, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (key is "Action" or "Version")
            {
                continue;
            }

            var parts = key.Split('.');
            JsonNode current = root;
            for (var i = 0; i < parts.Length; i++)
            {
                var part = parts[i];
                var last = i == parts.Length - 1;
                if (part is "member" or "entry" && i + 1 < parts.Length && int.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    // Lists are handled where their name is met; skip the marker and the index here.
                    i++;
                    var array = (JsonArray)current;
                    while (array.Count < index)
                    {
                        array.Add(null);
                    }

                    var isLeaf = i == parts.Length - 1;
                    if (isLeaf)
                    {
                        array[index - 1] = JsonValue.Create(value);
                        break;
                    }

                    array[index - 1] ??= NextContainer(parts, i + 1);
                    current = array[index - 1]!;
                    continue;
                }

                var obj = (JsonObject)current;
                if (last)
                {
                    obj[part] = JsonValue.Create(value);
                    break;
                }

                if (obj[part] is null)
                {
                    obj[part] = NextContainer(parts, i + 1);
                }

                current = obj[part]!;
            }
        }

        return root;
    }

    private static JsonNode NextContainer(string[] parts, int next) =>
        next < parts.Length && parts[next] is "member" or "entry" ? new JsonArray() : new JsonObject();

    public static byte[] Response(string action, string xmlns, JsonNode? result, string requestId)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<{action}Response xmlns=\"{xmlns}\">");
        if (result is JsonObject obj && obj.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<{action}Result>");
            WriteMembers(sb, obj);
            sb.Append(CultureInfo.InvariantCulture, $"</{action}Result>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata></{action}Response>");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Error(string xmlns, AwsException error, string requestId)
    {
        var type = error.SenderFault ? "Sender" : "Receiver";
        var xml = $"<ErrorResponse xmlns=\"{xmlns}\"><Error><Type>{type}</Type><Code>{Escape(error.Code)}</Code><Message>{Escape(error.Message)}</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>";
        return Encoding.UTF8.GetBytes(xml);
    }

    /// <summary>Members that are maps in the answers the sandbox gives (GetMetricStatistics' percentiles): written as entries.</summary>
    private static readonly HashSet<string> MapMembers = new(StringComparer.Ordinal) { "ExtendedStatistics" };

    private static void WriteMembers(StringBuilder sb, JsonObject obj)
    {
        foreach (var (key, value) in obj)
        {
            if (value is null)
            {
                continue;
            }

            sb.Append('<').Append(key).Append('>');
            if (value is JsonObject map && MapMembers.Contains(key))
            {
                foreach (var (entryKey, entryValue) in map)
                {
                    if (entryValue is not null)
                    {
                        sb.Append("<entry><key>").Append(Escape(entryKey)).Append("</key><value>");
                        WriteValue(sb, entryValue);
                        sb.Append("</value></entry>");
                    }
                }
            }
            else
            {
                WriteValue(sb, value);
            }

            sb.Append("</").Append(key).Append('>');
        }
    }

    private static void WriteValue(StringBuilder sb, JsonNode value)
    {
        switch (value)
        {
            case JsonObject o:
                WriteMembers(sb, o);
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    if (item is null)
                    {
                        continue;
                    }

                    sb.Append("<member>");
                    WriteValue(sb, item);
                    sb.Append("</member>");
                }

                break;
            case JsonValue v when v.TryGetValue<DateTimeOffset>(out var time):
                sb.Append(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                break;
            case JsonValue v when v.TryGetValue<bool>(out var b):
                sb.Append(b ? "true" : "false");
                break;
            case JsonValue v when v.TryGetValue<double>(out var d):
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            default:
                sb.Append(Escape(Json.AsString(value).Trim('"')));
                break;
        }
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
