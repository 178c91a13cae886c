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
        if (response.Body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(response.Body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
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
                message = Truncate(Encoding.UTF8.GetString(response.Body));
            }
        }

        return (SanitizeCode(code, response), message ?? DefaultMessage(response));
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
            message = Truncate(Encoding.UTF8.GetString(response.Body));
        }

        return (SanitizeCode(code, response), message ?? DefaultMessage(response));
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

    private static string DefaultMessage(AwsHttpResponse response) => $"The service answered HTTP {(int)response.StatusCode} ({response.StatusCode}) without a message.";

    private static string Truncate(string text) => text.Length > 500 ? text.Substring(0, 500) + "..." : text;
}
