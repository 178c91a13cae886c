using System;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Protocols;

namespace BlueGreen.Aws.Runtime;

/// <summary>
/// The base of every typed service client: one implementation of each wire protocol, shared by the
/// generated operations. Clients hold no connection of their own, so they are cheap to create.
/// </summary>
public abstract class AwsServiceClient
{
    protected AwsServiceClient(AwsContext context, AwsServiceMetadata service)
    {
        Context = context ?? throw new ArgumentNullException(nameof(context));
        Service = service ?? throw new ArgumentNullException(nameof(service));
    }

    public AwsContext Context { get; }

    public AwsServiceMetadata Service { get; }

    /// <summary>awsJson1_0 (CloudWatch) and awsJson1_1 (CodeDeploy, ECS): POST / with <c>X-Amz-Target</c>.</summary>
    protected async Task<TResponse> InvokeJsonAsync<TRequest, TResponse>(AwsOperation operation, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : AwsResponse, new()
    {
        var http = new AwsHttpRequest(HttpMethod.Post, "/");
        http.AddHeader("X-Amz-Target", Service.TargetPrefix + "." + operation.Name);
        var jsonVersion = Service == AwsServiceMetadata.CloudWatch ? "1.0" : "1.1";
        http.SetBody(JsonSerializer.SerializeToUtf8Bytes(request, requestType), "application/x-amz-json-" + jsonVersion);
        if (Service == AwsServiceMetadata.CloudWatch)
        {
            // CloudWatch is Query-compatible: with this header its JSON errors also carry the Query error code (x-amzn-query-error).
            http.AddHeader("x-amzn-query-mode", "true");
        }

        var response = await AwsTransport.SendAsync(Context, Service, operation, http, AwsErrorParser.Json, cancellationToken).ConfigureAwait(false);
        return Complete(ReadJsonBody(response, responseType), response);
    }

    /// <summary>awsQuery (ELBv2): form-encoded request, XML response.</summary>
    protected async Task<TResponse> InvokeQueryAsync<TRequest, TResponse>(AwsOperation operation, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : AwsResponse, new()
    {
        var http = new AwsHttpRequest(HttpMethod.Post, "/");
        http.SetBody(QueryProtocol.SerializeRequest(operation.Name, Service.ApiVersion, request, requestType), "application/x-www-form-urlencoded; charset=utf-8");
        var response = await AwsTransport.SendAsync(Context, Service, operation, http, AwsErrorParser.Query, cancellationToken).ConfigureAwait(false);
        TResponse result;
        try
        {
            result = QueryProtocol.DeserializeResponse(operation.Name, response.Body, responseType);
        }
        catch (System.Xml.XmlException ex)
        {
            throw Unreadable(response, AwsErrorParser.NotTheProtocol(response, "XML"), ex);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException)
        {
            throw Unreadable(response, $"{response.Answered()}, but the answer does not fit the {operation.Name} model: {Reason(ex)}", ex);
        }

        result.RequestId = QueryProtocol.RequestId(response.Body);
        return Complete(result, response);
    }

    /// <summary>restJson1 (Lambda): the generated operation binds path, query, headers and body.</summary>
    protected Task<AwsHttpResponse> SendRestAsync(AwsOperation operation, AwsHttpRequest request, CancellationToken cancellationToken) =>
        AwsTransport.SendAsync(Context, Service, operation, request, AwsErrorParser.Json, cancellationToken);

    protected static TResponse ReadJsonBody<TResponse>(AwsHttpResponse response, JsonTypeInfo<TResponse> responseType)
        where TResponse : AwsResponse, new()
    {
        if (response is null)
        {
            throw new ArgumentNullException(nameof(response));
        }

        if (response.Body.Length == 0)
        {
            return new TResponse();
        }

        try
        {
            return JsonSerializer.Deserialize(response.Body, responseType) ?? new TResponse();
        }
        catch (JsonException ex)
        {
            // Not JSON at all (a proxy's HTML page), or JSON whose members are not even close to the model: the
            // scalar converters already read what botocore reads (a number for a string, "5" for an integer...).
            var message = IsJson(response.Body)
                ? $"{response.Answered()}, but the answer does not fit the {response.Operation?.Name ?? typeof(TResponse).Name} model: {Reason(ex)} (answer: \"{AwsRedaction.Excerpt(response.Body, response.GetHeader("Content-Type"))}\")"
                : AwsErrorParser.NotTheProtocol(response, "JSON");
            throw Unreadable(response, message, ex);
        }
    }

    // The request was answered with success, so whatever it asked for happened: an operation that changes
    // something must be looked up, not sent again.
    private static AwsServiceException Unreadable(AwsHttpResponse response, string message, Exception inner) =>
        new(response.Service?.ServiceId ?? string.Empty, response.Operation?.Name ?? string.Empty, "UnreadableResponse", message,
            response.StatusCode, response.RequestId, isThrottling: false, isRetryable: false,
            outcomeUnknown: response.Operation is { RetryWhenOutcomeUnknown: false }, innerException: inner);

    private static string Reason(Exception exception) =>
        exception is JsonException { Path: { Length: > 0 } path } && exception.Message.IndexOf(path, StringComparison.Ordinal) < 0
            ? $"{exception.Message.TrimEnd('.')} (at {path})."
            : exception.Message;

    private static bool IsJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    protected static TResponse Complete<TResponse>(TResponse result, AwsHttpResponse response)
        where TResponse : AwsResponse
    {
        if (result is null || response is null)
        {
            throw new ArgumentNullException(result is null ? nameof(result) : nameof(response));
        }

        result.RequestId ??= response.RequestId;
        result.HttpStatusCode = response.StatusCode;
        if (response.GetHeader("Date") is { } date && DateTimeOffset.TryParseExact(date, "r", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var serverTime))
        {
            result.ServerTime = serverTime;
            ServiceClock.Observe(serverTime);
        }

        return result;
    }

    /// <summary>A value for a path label: required, percent-encoded (a greedy label keeps its slashes).</summary>
    protected static string UriLabel(string? value, string member, bool greedy)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{member} is required.", member);
        }

        if (!greedy)
        {
            return Uri.EscapeDataString(value);
        }

        var segments = value!.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = Uri.EscapeDataString(segments[i]);
        }

        return string.Join("/", segments);
    }

    protected static string? ToWire(object? value) => value is null ? null : AwsHttpResponse.Format(value);

    protected static void RequireMember(object? value, string operation, string member)
    {
        if (value is null || (value is string text && text.Length == 0))
        {
            throw new ArgumentException($"{operation} needs {member}.", member);
        }
    }
}
