using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace BlueGreen.Aws.Runtime;

/// <summary>An HTTP request before signing: what a protocol builds and the transport sends.</summary>
public sealed class AwsHttpRequest
{
    public AwsHttpRequest(HttpMethod method, string path)
    {
        Method = method;
        Path = path;
    }

    public HttpMethod Method { get; }

    /// <summary>The path, already percent-encoded where needed.</summary>
    public string Path { get; }

    public List<KeyValuePair<string, string>> Query { get; } = new();

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public byte[]? Body { get; private set; }

    public string? ContentType { get; private set; }

    public void AddQuery(string name, string? value)
    {
        if (value is not null)
        {
            Query.Add(new KeyValuePair<string, string>(name, value));
        }
    }

    public void AddHeader(string name, string? value)
    {
        if (value is not null)
        {
            Headers[name] = value;
        }
    }

    public void SetBody(byte[] body, string contentType)
    {
        Body = body;
        ContentType = contentType;
    }

    public void SetRawBody(byte[]? body)
    {
        if (body is not null)
        {
            SetBody(body, "application/octet-stream");
        }
    }

    public void SetJsonBody<T>(T value, JsonTypeInfo<T> typeInfo) => SetBody(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), "application/json");

    /// <summary>The path and query string, with the query in a stable order.</summary>
    public string PathAndQuery()
    {
        if (Query.Count == 0)
        {
            return Path;
        }

        var parts = new List<string>(Query.Count);
        foreach (var pair in Query)
        {
            parts.Add(Uri.EscapeDataString(pair.Key) + "=" + Uri.EscapeDataString(pair.Value));
        }

        return Path + "?" + string.Join("&", parts);
    }
}

/// <summary>An HTTP response, read whole.</summary>
public sealed class AwsHttpResponse
{
    public AwsHttpResponse(HttpStatusCode statusCode, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
    }

    public HttpStatusCode StatusCode { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public byte[] Body { get; }

    public string? RequestId => GetHeader("x-amzn-RequestId") ?? GetHeader("x-amz-request-id");

    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    public string? GetHeader(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The service and operation that were answered, so what reads the answer can name them in its errors.</summary>
    internal AwsServiceMetadata? Service { get; set; }

    internal AwsOperation? Operation { get; set; }

    /// <summary>"CodeDeploy answered GetDeploymentTarget with HTTP 500": the start of every message about an answer.</summary>
    internal string Answered() =>
        $"{Service?.ServiceId ?? "The service"} answered {Operation?.Name ?? "the request"} with HTTP {(int)StatusCode}";

    internal static string Format(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
