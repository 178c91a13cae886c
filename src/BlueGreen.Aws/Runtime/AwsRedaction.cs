using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BlueGreen.Aws.Runtime;

/// <summary>Describes requests and responses for tracing with every secret replaced by <c>***</c>.</summary>
public static class AwsRedaction
{
    public const string Mask = "***";
    private const int MaxBodyCharacters = 4096;

    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "X-Amz-Security-Token", "X-Amz-Client-Context", "Cookie", "Set-Cookie",
    };

    // Member names whose values are secrets wherever they appear (request and response bodies alike).
    private static readonly Regex SecretMember = new(
        "(secret|password|passwd|sessiontoken|securitytoken|authorization|credential|privatekey|accesskey)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // Containers whose every value may be a secret: Lambda environment variables, ECS container environment.
    private static readonly HashSet<string> SecretContainers = new(StringComparer.OrdinalIgnoreCase) { "Variables", "environment", "secrets" };

    public static string DescribeRequest(AwsServiceMetadata service, AwsOperation operation, HttpRequestMessage message, byte[]? body, string? contentType)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        var text = new StringBuilder();
        text.Append(service.ServiceId).Append('.').Append(operation.Name).Append(" request: ")
            .Append(message.Method).Append(' ').Append(message.RequestUri).AppendLine();
        foreach (var header in message.Headers)
        {
            text.Append("  ").Append(header.Key).Append(": ").AppendLine(RedactHeader(header.Key, string.Join(",", header.Value)));
        }

        if (body is { Length: > 0 })
        {
            text.Append("  ").AppendLine(RedactBody(body, contentType));
        }

        return text.ToString().TrimEnd();
    }

    public static string DescribeResponse(AwsServiceMetadata service, AwsOperation operation, AwsHttpResponse response)
    {
        if (response is null)
        {
            throw new ArgumentNullException(nameof(response));
        }

        var text = new StringBuilder();
        text.Append(service.ServiceId).Append('.').Append(operation.Name).Append(" response: ")
            .Append((int)response.StatusCode).Append(' ').Append(response.StatusCode).AppendLine();
        foreach (var header in response.Headers)
        {
            text.Append("  ").Append(header.Key).Append(": ").AppendLine(RedactHeader(header.Key, header.Value));
        }

        if (response.Body.Length > 0)
        {
            response.Headers.TryGetValue("Content-Type", out var contentType);
            text.Append("  ").AppendLine(RedactBody(response.Body, contentType));
        }

        return text.ToString().TrimEnd();
    }

    public static string RedactHeader(string name, string value) => SecretHeaders.Contains(name) ? Mask : value;

    /// <summary>A body as text with secret members masked; binary and unparseable bodies are summarised, not shown.</summary>
    public static string RedactBody(byte[] body, string? contentType)
    {
        if (body is null)
        {
            throw new ArgumentNullException(nameof(body));
        }

        string result;
        var kind = contentType ?? string.Empty;
        if (kind.IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            result = RedactJson(Encoding.UTF8.GetString(body)) ?? $"<{body.Length} bytes of JSON that could not be parsed>";
        }
        else if (kind.IndexOf("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            result = RedactForm(Encoding.UTF8.GetString(body));
        }
        else if (kind.IndexOf("xml", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            result = RedactXml(Encoding.UTF8.GetString(body));
        }
        else
        {
            result = $"<{body.Length} bytes of {(kind.Length == 0 ? "content" : kind)}>";
        }

        return result.Length > MaxBodyCharacters ? result.Substring(0, MaxBodyCharacters) + $"... ({result.Length} characters)" : result;
    }

    /// <summary>
    /// A short, single-line excerpt of an answer that could not be read, for an error message: JSON with its secret
    /// members masked, markup without its tags, scripts and styles, entities decoded, whitespace collapsed, anything
    /// that looks like a key, token or signature masked, and at most <paramref name="maxCharacters"/> long.
    /// </summary>
    public static string Excerpt(byte[] body, string? contentType, int maxCharacters = 200)
    {
        if (body is null)
        {
            throw new ArgumentNullException(nameof(body));
        }

        // Only the start is shown: reading more than a few pages of a large answer would only cost time.
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 64 * 1024));
        var json = (contentType ?? string.Empty).IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0 || text.TrimStart().StartsWith("{", StringComparison.Ordinal)
            ? RedactJson(text)
            : null;
        if (json is not null)
        {
            text = json;
        }
        else if (text.IndexOf('<') >= 0)
        {
            text = MarkupNoise.Replace(text, " ");
            text = Tag.Replace(text, " ");
            text = System.Net.WebUtility.HtmlDecode(text);
        }

        text = SecretAssignment.Replace(text, m =>
            m.Groups["name"].Value + m.Groups["separator"].Value + m.Groups["quote"].Value + Mask + m.Groups["quote"].Value);
        text = AccessKeyId.Replace(text, Mask);
        text = LongToken.Replace(text, Mask);
        text = Whitespace.Replace(text, " ").Trim();
        if (text.Length <= maxCharacters)
        {
            return text;
        }

        // Cut at a word where there is one, so the excerpt ends on something readable.
        var cut = text.LastIndexOf(' ', maxCharacters);
        return text.Substring(0, cut > maxCharacters / 2 ? cut : maxCharacters).TrimEnd() + "...";
    }

    private static readonly Regex MarkupNoise = new(@"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|<!\[CDATA\[|\]\]>",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant);

    private static readonly Regex Tag = new(@"<[^>]*>", RegexOptions.CultureInvariant);

    // "Authorization: AWS4-HMAC-SHA256 ...", "X-Amz-Security-Token=...", "password = hunter2", "aws_secret_access_key=...".
    private static readonly Regex SecretAssignment = new(
        @"(?<name>\b[\w-]*(authorization|signature|credential|secret|password|passwd|token|accesskey|access_key|access-key)[\w-]*)(?<separator>[""']?\s*[:=]\s*)" +
        @"(?:(?<quote>[""'])[^""']*\k<quote>|(\w+-\w+-\w+\s+)?[^\s,;&<""']+)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex AccessKeyId = new(@"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b", RegexOptions.CultureInvariant);

    // Secret keys (40 characters) and session tokens: long runs of base64.
    private static readonly Regex LongToken = new(@"[A-Za-z0-9+/=_-]{40,}", RegexOptions.CultureInvariant);

    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.CultureInvariant);

    public static string? RedactJson(string json)
    {
        try
        {
            var node = JsonNode.Parse(json);
            if (node is null)
            {
                return json;
            }

            Redact(node, insideSecretContainer: false);
            return node.ToJsonString();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Redact(JsonNode node, bool insideSecretContainer, bool isArrayItem = false)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var property in obj.ToList())
                {
                    var secretName = SecretMember.IsMatch(property.Key);
                    // In a list of name/value pairs (ECS environment) the names stay visible; in a map
                    // (Lambda Variables) every value is masked, whatever its key.
                    var maskValue = secretName || insideSecretContainer && !(isArrayItem && IsNameMember(property.Key));
                    if (property.Value is JsonValue value && maskValue)
                    {
                        obj[property.Key] = Mask;
                    }
                    else if (property.Value is JsonValue text && text.TryGetValue<string>(out var url) && IsPresignedUrl(url))
                    {
                        obj[property.Key] = url.Substring(0, url.IndexOf('?')) + "?" + Mask;
                    }
                    else if (property.Value is not null)
                    {
                        Redact(property.Value, insideSecretContainer || SecretContainers.Contains(property.Key));
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Redact(item, insideSecretContainer, isArrayItem: true);
                    }
                }

                break;
        }
    }

    private static bool IsNameMember(string key) => key.Equals("name", StringComparison.OrdinalIgnoreCase);

    // A presigned URL (Lambda's Code.Location) carries a session token and is a working download link.
    private static bool IsPresignedUrl(string value) =>
        value.IndexOf('?') > 0 &&
        (value.IndexOf("X-Amz-Signature=", StringComparison.OrdinalIgnoreCase) >= 0 ||
         value.IndexOf("X-Amz-Security-Token=", StringComparison.OrdinalIgnoreCase) >= 0 ||
         value.IndexOf("Signature=", StringComparison.Ordinal) >= 0);

    private static string RedactForm(string form)
    {
        var pairs = form.Split('&').Select(pair =>
        {
            var separator = pair.IndexOf('=');
            if (separator < 0)
            {
                return pair;
            }

            var key = Uri.UnescapeDataString(pair.Substring(0, separator));
            return SecretMember.IsMatch(key) ? pair.Substring(0, separator + 1) + Mask : pair;
        });
        return string.Join("&", pairs);
    }

    private static string RedactXml(string xml) =>
        Regex.Replace(xml, @"<(?<name>[A-Za-z]*(Secret|Password|SessionToken|SecurityToken|Credential|AccessKey)[A-Za-z]*)>[^<]*</\k<name>>",
            m => $"<{m.Groups["name"].Value}>{Mask}</{m.Groups["name"].Value}>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
