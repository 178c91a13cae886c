using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace BlueGreen.Sandbox.Wire;

/// <summary>Reads a CodeDeploy AppSpec (YAML or JSON) into a JSON tree.</summary>
internal static class AppSpec
{
    public static JsonObject Parse(string content)
    {
        var text = content.Trim();
        try
        {
            if (text.StartsWith('{'))
            {
                return JsonNode.Parse(text) as JsonObject ?? throw Invalid("The AppSpec content must be an object.");
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(content));
            if (stream.Documents.Count == 0 || Convert(stream.Documents[0].RootNode) is not JsonObject root)
            {
                throw Invalid("The AppSpec content must be a mapping.");
            }

            return root;
        }
        catch (JsonException e)
        {
            throw Invalid("The AppSpec content is not valid JSON: " + e.Message);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw Invalid("The AppSpec content is not valid YAML: " + e.Message);
        }
    }

    /// <summary>The properties of the first resource, and the hooks (lifecycle event name to function).</summary>
    public static (JsonObject Properties, Dictionary<string, string> Hooks) Read(JsonObject spec)
    {
        var resources = spec["Resources"] as JsonArray ?? throw Invalid("The AppSpec file must list Resources.");
        var resource = (resources.FirstOrDefault() as JsonObject)?.FirstOrDefault().Value as JsonObject ?? throw Invalid("The AppSpec file must name one resource.");
        var properties = resource["Properties"] as JsonObject ?? throw Invalid("The AppSpec resource must have Properties.");
        var hooks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var hook in spec["Hooks"] as JsonArray ?? [])
        {
            if (hook is JsonObject entry)
            {
                foreach (var (name, value) in entry)
                {
                    if (value is not null)
                    {
                        hooks[name] = Json.AsString(value);
                    }
                }
            }
        }

        return (properties, hooks);
    }

    private static AwsException Invalid(string message) => new("InvalidRevisionException", message);

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => new KeyValuePair<string, JsonNode?>(((YamlScalarNode)c.Key).Value ?? string.Empty, Convert(c.Value)))),
        YamlSequenceNode seq => seq.Children.Select(Convert).ToJsonArray(),
        YamlScalarNode scalar when scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && long.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? string.Empty),
        _ => null,
    };
}
