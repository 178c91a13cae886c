using System;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Aws.Protocols;

/// <summary>Reads the error code and message out of a failed response, per protocol family.</summary>
internal static class AwsErrorParser
{
    /// <summary>awsJson1_0, awsJson1_1 and restJson1: <c>x-amzn-ErrorType</c>, or <c>__type</c>/<c>code</c> in the body.</summary>
    public static (string Code, string Message) Json(AwsHttpResponse response)
    {
        // A service that moved from Query to JSON (awsQueryCompatible: CloudWatch) names its Query-era code,
        // the one its model's error shapes carry, in x-amzn-query-error ("LimitExceeded;Sender"); the body's
        // __type holds the shape name instead ("LimitExceededFault"). The SDKs prefer the header.
        string? code = QueryCompatibleCode(response) ?? response.GetHeader("x-amzn-ErrorType");
        string? message = null;
        var isJsonObject = false;
        if (response.Body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(response.Body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    isJsonObject = true;
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            continue;
                        }

                        if (property.NameEquals("__type") || (code is null && property.Name.Equals("code", StringComparison.OrdinalIgnoreCase)))
                        {
                            code ??= property.Value.GetString();
                        }
                        else if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase) || property.NameEquals("errorMessage"))
                        {
                            message ??= property.Value.GetString();
                        }
                    }
                }
            }
            catch (JsonException)
            {
            }
        }

        // Not a JSON error: a proxy's page, a crashed handler's HTML, plain text or nothing at all.
        if (!isJsonObject || (code is null && message is null))
        {
            return (SanitizeCode(code, response), NotTheProtocol(response, "a JSON error"));
        }

        return (SanitizeCode(code, response), string.IsNullOrWhiteSpace(message) ? WithoutMessage(response, SanitizeCode(code, response)) : message!);
    }

    private static string? QueryCompatibleCode(AwsHttpResponse response)
    {
        var header = response.GetHeader("x-amzn-query-error");
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var separator = header!.IndexOf(';');
        var code = (separator >= 0 ? header.Substring(0, separator) : header).Trim();
        return code.Length == 0 ? null : code;
    }

    /// <summary>awsQuery: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;</c>.</summary>
    public static (string Code, string Message) Query(AwsHttpResponse response)
    {
        string? code = null;
        string? message = null;
        try
        {
            var document = XDocument.Parse(Encoding.UTF8.GetString(response.Body));
            foreach (var element in document.Descendants())
            {
                if (element.Name.LocalName == "Code" && code is null)
                {
                    code = element.Value;
                }
                else if (element.Name.LocalName == "Message" && message is null)
                {
                    message = element.Value;
                }
            }
        }
        catch (XmlException)
        {
        }

        if (string.IsNullOrWhiteSpace(code))
        {
            return (SanitizeCode(null, response), NotTheProtocol(response, "an XML error"));
        }

        return (SanitizeCode(code, response), string.IsNullOrWhiteSpace(message) ? WithoutMessage(response, SanitizeCode(code, response)) : message!);
    }

    // "aws.protocoltests#FooError", "FooError:http://internal.amazon.com/..." and "FooError" all mean FooError.
    private static string SanitizeCode(string? code, AwsHttpResponse response)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return (int)response.StatusCode >= 500 ? "InternalFailure" : "HttpStatus" + (int)response.StatusCode;
        }

        var value = code!;
        var colon = value.IndexOf(':');
        if (colon >= 0)
        {
            value = value.Substring(0, colon);
        }

        var hash = value.LastIndexOf('#');
        if (hash >= 0)
        {
            value = value.Substring(hash + 1);
        }

        return value.Trim();
    }

    private static string WithoutMessage(AwsHttpResponse response, string code) => $"{response.Answered()} and {code}, without a message.";

    /// <summary>An answer that is not the protocol's: the operation, the status and a short, sanitised excerpt of what came.</summary>
    internal static string NotTheProtocol(AwsHttpResponse response, string expected)
    {
        if (response.Body.Length == 0)
        {
            return $"{response.Answered()} and an empty body.";
        }

        var type = response.GetHeader("Content-Type");
        var kind = string.IsNullOrWhiteSpace(type) ? "no content type" : type!.Split(';')[0].Trim();
        var excerpt = AwsRedaction.Excerpt(response.Body, type);
        return excerpt.Length == 0
            ? $"{response.Answered()} and a body that is not {expected} ({kind}, {response.Body.Length} bytes)."
            : $"{response.Answered()} and a body that is not {expected} ({kind}): \"{excerpt}\"";
    }
}
