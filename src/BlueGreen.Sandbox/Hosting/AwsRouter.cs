using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Engine;
using BlueGreen.Sandbox.Wire;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Sandbox.Hosting;

internal enum Protocol
{
    Json11,
    Json10,
    RestJson,
    Query,
}

/// <summary>A response of the REST JSON protocol (Lambda), whose status and headers vary per operation.</summary>
internal sealed class RestResponse
{
    public int Status { get; init; } = 200;

    public byte[] Body { get; init; } = [];

    public string ContentType { get; init; } = "application/json";

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Real time the simulated code runs before answering; spent outside the state lock.</summary>
    public int DelayMs { get; init; }

    /// <summary>What happens when the simulated code finishes (metrics, hook reports), run under the state lock.</summary>
    public Action? Completed { get; init; }

    public static RestResponse FromJson(JsonNode? node, int status = 200) => new() { Status = status, Body = Json.Serialize(node, epochTimestamps: false) };
}

/// <summary>One AWS call as identified from the wire.</summary>
internal sealed record AwsCall(Protocol Protocol, string Service, string Operation, JsonObject Input, string Path, string Method, IReadOnlyDictionary<string, string> QueryString, byte[] Body);

/// <summary>
/// The single AWS endpoint: identifies service and operation as AWS does (X-Amz-Target, REST path,
/// Query Action, credential scope), verifies the signature, applies injected faults, dispatches under
/// the state lock and writes the protocol's response or error shape.
/// </summary>
internal sealed class AwsRouter
{
    private const string ElbNamespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
    private const string MonitoringNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/";
    private static readonly SemaphoreSlim LargeBodies = new(1, 1);
    private readonly Sandbox _sandbox;
    private readonly SigV4Verifier _verifier;

    public AwsRouter(Sandbox sandbox)
    {
        _sandbox = sandbox;
        _verifier = new SigV4Verifier(sandbox.SecretFor, TimeProvider.System);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = Guid.NewGuid().ToString();
        AwsCall? call = null;
        var region = "unknown";
        var limit = RequestLimit.For(context.Request);
        var large = false;
        try
        {
            if (limit.MaxBytes > RequestLimit.LambdaPayload)
            {
                // Function code is the one body allowed to be tens of megabytes: one such request at a time.
                await LargeBodies.WaitAsync(context.RequestAborted);
                large = true;
            }

            // Read up to AWS's limit, check the signature over the bytes as sent, and only then inflate and parse.
            var protocol = GuessProtocol(context.Request);
            var raw = await limit.ReadAsync(context.Request, context.RequestAborted)
                ?? throw RequestLimit.TooLarge(protocol, limit.MaxBytes, limit.Operation);
            CallerScope scope;
            try
            {
                scope = _verifier.Verify(context.Request, raw);
            }
            catch (AwsException e)
            {
                throw AuthError(protocol, e);
            }

            region = scope.Region;
            var body = raw;
            if (context.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
            {
                // botocore gzips large PutMetricData bodies; the signature covers the compressed bytes.
                body = RequestLimit.Inflate(raw) ?? throw RequestLimit.TooLarge(protocol, RequestLimit.Inflated, limit.Operation, inflated: true);
            }

            call = Identify(context.Request, body);
            if (scope.Service != call.Service)
            {
                throw AuthError(call.Protocol, new AwsException("SignatureDoesNotMatch", $"Credential should be scoped to correct service: '{call.Service}'.", 403));
            }

            var fault = _sandbox.Faults.Find(call.Service, call.Operation, region);
            if (fault is not null)
            {
                var latency = fault.DrawLatencyMs();
                if (latency > 0)
                {
                    await Latency.DelayAsync(latency, context.RequestAborted);
                }

                switch (fault.DrawBefore())
                {
                    case FaultVerdict.Drop:
                        _sandbox.Log.Add(call.Service, call.Operation, region, 0, "ConnectionDropped", "http", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        context.Abort();
                        return;
                    case FaultVerdict.Throttle:
                        if (call.Service == "lambda" && call.Operation == "Invoke")
                        {
                            lock (_sandbox.Gate)
                            {
                                _sandbox.Region(region).Lambda.RecordThrottle(call.Input);
                            }
                        }

                        throw Throttled(call.Protocol);
                    case FaultVerdict.Error:
                        throw InjectedError(call.Protocol);
                }
            }

            object result;
            lock (_sandbox.Gate)
            {
                result = _sandbox.Region(region).Dispatch(call);
            }

            if (result is RestResponse { DelayMs: > 0 } delayed)
            {
                await Latency.DelayAsync(delayed.DelayMs, context.RequestAborted);
            }

            if (result is RestResponse { Completed: not null } completed)
            {
                lock (_sandbox.Gate)
                {
                    completed.Completed();
                }
            }

            if (fault is not null && fault.DrawLostAnswer())
            {
                // The operation ran and its change stays: only the answer is lost, as when a connection breaks on the way back.
                _sandbox.Log.Add(call.Service, call.Operation, region, fault.LostAnswerAs == LostAnswer.Drop ? 0 : 500, "AnswerLost", "http", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (fault.LostAnswerAs == LostAnswer.Drop)
                {
                    context.Abort();
                    return;
                }

                await WriteErrorAsync(context, call.Protocol, call.Service, InjectedError(call.Protocol), requestId);
                return;
            }

            // An answer is dated by the sandbox's clock, as AWS dates its own: a client that paces itself by the
            // service's time (a release the module drives step by step) then runs at the time scale. Errors keep the
            // real time, so an SDK that corrects clock skew from a refused signature corrects it to the real clock.
            context.Response.Headers.Date = _sandbox.Clock.Now.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            await WriteResultAsync(context, call, result, requestId);
            _sandbox.Log.Add(call.Service, call.Operation, region, context.Response.StatusCode, null, "http", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (AwsException e)
        {
            var protocol = call?.Protocol ?? GuessProtocol(context.Request);
            var service = call?.Service ?? GuessService(context.Request);
            await WriteErrorAsync(context, protocol, service, e, requestId);
            _sandbox.Log.Add(service ?? "unknown", call?.Operation ?? limit.Operation, region, e.Status, e.Code, "http", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (BadHttpRequestException e)
        {
            // A body that broke HTTP itself (malformed chunks, too slow to arrive): Kestrel's own answer, no server error.
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = e.StatusCode;
            }

            _sandbox.Log.Add(call?.Service ?? GuessService(context.Request) ?? "unknown", call?.Operation ?? limit.Operation, region, e.StatusCode, "BadRequest", "http", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e)
        {
            var protocol = call?.Protocol ?? GuessProtocol(context.Request);
            Console.Error.WriteLine($"sandbox: {call?.Service}.{call?.Operation} failed: {e.GetType().Name}: {e.Message}");
            await WriteErrorAsync(context, protocol, call?.Service, new AwsException("InternalFailure", "The sandbox failed to process the request: " + e.Message, 500, false), requestId);
            _sandbox.Log.Add(call?.Service ?? "unknown", call?.Operation ?? "Unknown", region, 500, "InternalFailure", "http", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            if (large)
            {
                LargeBodies.Release();
            }
        }
    }

    /// <summary>Names the call from a verified, inflated body.</summary>
    internal static AwsCall Identify(HttpRequest request, byte[] body)
    {
        var queryString = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var target = request.Headers["X-Amz-Target"].ToString();
        if (!string.IsNullOrEmpty(target))
        {
            var dot = target.LastIndexOf('.');
            var prefix = dot > 0 ? target[..dot] : target;
            var operation = dot > 0 ? target[(dot + 1)..] : string.Empty;
            var (service, protocol) = prefix switch
            {
                "AmazonEC2ContainerServiceV20141113" => ("ecs", Protocol.Json11),
                "CodeDeploy_20141006" => ("codedeploy", Protocol.Json11),
                "GraniteServiceVersion20100801" => ("monitoring", Protocol.Json10),
                _ => throw new AwsException("UnknownOperationException", $"Unknown target '{target}'."),
            };
            JsonObject input;
            try
            {
                input = body.Length == 0 ? [] : JsonNode.Parse(body) as JsonObject ?? throw new AwsException("SerializationException", "The request body must be a JSON object.");
            }
            catch (JsonException)
            {
                throw new AwsException("SerializationException", "The request body is not valid JSON.");
            }

            return new AwsCall(protocol, service, operation, input, request.Path.Value ?? "/", request.Method, queryString, body);
        }

        var path = request.Path.Value ?? "/";
        if (Services.LambdaApi.IsLambdaPath(path))
        {
            var (operation, input) = Services.LambdaApi.Route(request.Method, path, queryString, body);
            foreach (var header in new[] { "X-Amz-Invocation-Type", "X-Amz-Log-Type", "X-Amz-Client-Context" })
            {
                if (request.Headers.TryGetValue(header, out var value))
                {
                    input[header] = value.ToString();
                }
            }

            return new AwsCall(Protocol.RestJson, "lambda", operation, input, path, request.Method, queryString, body);
        }

        var fields = request.HasFormContentType || (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ?? false)
            ? Query.ParseForm(Encoding.UTF8.GetString(body))
            : new Dictionary<string, string>(queryString, StringComparer.Ordinal);
        if (fields.TryGetValue("Action", out var action))
        {
            var service = SigV4Verifier.ScopeService(request) ?? (fields.GetValueOrDefault("Version") == "2010-08-01" ? "monitoring" : "elasticloadbalancing");
            if (service is not ("elasticloadbalancing" or "monitoring"))
            {
                throw new AwsException("InvalidAction", $"The action {action} is not valid for this web service.");
            }

            return new AwsCall(Protocol.Query, service, action, Query.ToTree(fields), path, request.Method, queryString, body);
        }

        throw new AwsException("UnknownOperationException", "The sandbox could not tell which AWS service and operation this request is for.", 404);
    }

    /// <summary>The protocol a request speaks, from its headers and path alone: for errors answered before the body is read.</summary>
    private static Protocol GuessProtocol(HttpRequest request) =>
        request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } target ? (target.StartsWith("GraniteServiceVersion20100801.", StringComparison.Ordinal) ? Protocol.Json10 : Protocol.Json11)
        : request.Path.StartsWithSegments("/2015-03-31") || request.Path.StartsWithSegments("/2016-08-19") || request.Path.StartsWithSegments("/2017-03-31") ? Protocol.RestJson
        : Protocol.Query;

    private static string? GuessService(HttpRequest request) =>
        request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } target
            ? (target.StartsWith("GraniteServiceVersion20100801.", StringComparison.Ordinal) ? "monitoring" : target.StartsWith("CodeDeploy_", StringComparison.Ordinal) ? "codedeploy" : "ecs")
            : SigV4Verifier.ScopeService(request);

    /// <summary>Authentication failures carry each protocol's own code and status.</summary>
    private static AwsException AuthError(Protocol protocol, AwsException e)
    {
        if (protocol == Protocol.Query)
        {
            return e.Code switch
            {
                "UnrecognizedClient" => new AwsException("InvalidClientTokenId", e.Message, 403),
                "SignatureExpired" => new AwsException("SignatureDoesNotMatch", e.Message, 403),
                _ => e,
            };
        }

        var status = protocol == Protocol.RestJson ? 403 : 400;
        var code = e.Code switch
        {
            "MissingAuthenticationToken" => "MissingAuthenticationTokenException",
            "UnrecognizedClient" => "UnrecognizedClientException",
            "IncompleteSignature" => "IncompleteSignatureException",
            _ => "InvalidSignatureException",
        };
        return new AwsException(code, e.Message, e.Code == "IncompleteSignature" ? 400 : status);
    }

    private static AwsException Throttled(Protocol protocol) => protocol switch
    {
        Protocol.RestJson => new AwsException("TooManyRequestsException", "Rate exceeded", 429),
        Protocol.Query => new AwsException("Throttling", "Rate exceeded", 400),
        _ => new AwsException("ThrottlingException", "Rate exceeded", 400),
    };

    private static AwsException InjectedError(Protocol protocol) => protocol == Protocol.RestJson
        ? new AwsException("ServiceException", "The sandbox injected a service fault.", 500, false)
        : new AwsException("InternalFailure", "The sandbox injected a service fault.", 500, false);

    private static async Task WriteResultAsync(HttpContext context, AwsCall call, object result, string requestId)
    {
        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = requestId;
        switch (result)
        {
            case RestResponse rest:
                response.StatusCode = rest.Status;
                foreach (var (name, value) in rest.Headers)
                {
                    response.Headers[name] = value;
                }

                if (rest.Status != 204)
                {
                    response.ContentType = rest.ContentType;
                    await response.Body.WriteAsync(rest.Body);
                }

                break;
            case JsonNode node when call.Protocol == Protocol.Query:
                response.ContentType = "text/xml";
                await response.Body.WriteAsync(Query.Response(call.Operation, call.Service == "monitoring" ? MonitoringNamespace : ElbNamespace, node, requestId));
                break;
            case JsonNode node:
                response.ContentType = call.Protocol == Protocol.Json10 ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
                await response.Body.WriteAsync(Json.Serialize(node));
                break;
            default:
                throw new InvalidOperationException("Handler returned an unknown result type.");
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, Protocol protocol, string? service, AwsException error, string requestId)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        var response = context.Response;
        response.StatusCode = error.Status;
        response.Headers["x-amzn-RequestId"] = requestId;
        switch (protocol)
        {
            case Protocol.Query:
                response.ContentType = "text/xml";
                await response.Body.WriteAsync(Query.Error(service == "monitoring" ? MonitoringNamespace : ElbNamespace, error, requestId));
                break;
            case Protocol.RestJson:
                response.Headers["x-amzn-ErrorType"] = error.Code;
                response.ContentType = "application/json";
                await response.Body.WriteAsync(Json.Serialize(new JsonObject { ["Type"] = error.SenderFault ? "User" : "Service", ["message"] = error.Message }));
                break;
            default:
                response.Headers["x-amzn-ErrorType"] = error.Code;
                if (service == "monitoring")
                {
                    // CloudWatch speaks JSON but keeps its Query error codes (awsQueryCompatible).
                    response.Headers["x-amzn-query-error"] = $"{error.Code};{(error.SenderFault ? "Sender" : "Receiver")}";
                }

                response.ContentType = protocol == Protocol.Json10 ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
                await response.Body.WriteAsync(Json.Serialize(new JsonObject { ["__type"] = error.Code, ["message"] = error.Message }));
                break;
        }
    }
}
