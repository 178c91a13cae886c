using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using BlueGreen.Aws.Configuration;

namespace BlueGreen.Aws.Runtime;

/// <summary>
/// Sends one AWS request: signs it with SigV4 (AWSSDK.Core's public signer), retries what may be retried,
/// traces it redacted, and turns failures into <see cref="AwsServiceException"/>.
/// </summary>
internal static class AwsTransport
{
    // One connection pool for the process: later calls reuse warm connections.
    private static readonly HttpClient Http = new(new HttpClientHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static readonly string UserAgent = "BlueGreen/" + typeof(AwsTransport).Assembly.GetName().Version;

    public static async Task<AwsHttpResponse> SendAsync(AwsContext context, AwsServiceMetadata service, AwsOperation operation,
        AwsHttpRequest request, Func<AwsHttpResponse, (string Code, string Message)> parseError, CancellationToken cancellationToken)
    {
        // Joined, not resolved: an endpoint with a path (a proxy at https://host/aws/) keeps it, as the SDKs do.
        var endpoint = context.GetEndpoint(service);
        var uri = new Uri(endpoint.GetLeftPart(UriPartial.Authority) + endpoint.AbsolutePath.TrimEnd('/') + request.PathAndQuery());
        var policy = context.RetryPolicy;
        // Every attempt, retries included, draws on the budget every release in the process shares for this service and region.
        var budget = AwsRateBudget.Counts(service.SigningName, operation.Name)
            ? AwsRateBudget.For(endpoint, service.SigningName, context.Region, context.HasCustomEndpoint(service))
            : null;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AwsServiceException failure;
            try
            {
                if (budget is not null)
                {
                    await budget.AcquireAsync(cancellationToken).ConfigureAwait(false);
                }

                var response = await SendOnceAsync(context, service, operation, request, uri, policy.AttemptTimeout, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccess)
                {
                    return response;
                }

                var (code, message) = parseError(response);
                var throttled = AwsRetryPolicy.IsThrottling(code, response.StatusCode);
                if (throttled)
                {
                    budget?.OnThrottled();
                }

                var transient = !throttled && AwsRetryPolicy.IsTransient(code, response.StatusCode);
                // A throttled request was turned away before it did anything; a 5xx may have done its work.
                var outcomeUnknown = transient && !operation.RetryWhenOutcomeUnknown;
                failure = new AwsServiceException(service.ServiceId, operation.Name, code, message, response.StatusCode,
                    response.RequestId, throttled, throttled || transient, outcomeUnknown);
                if (!(throttled || transient) || outcomeUnknown)
                {
                    throw failure;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex)
            {
                failure = NoAnswer(service, operation, "RequestTimeout",
                    $"{service.ServiceId} did not answer {operation.Name} within {policy.AttemptTimeout.TotalSeconds:0} seconds.", sent: true, ex);
                if (!operation.RetryWhenOutcomeUnknown)
                {
                    throw failure;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                var sent = !NeverReachedServer(ex);
                failure = NoAnswer(service, operation, "NetworkFailure",
                    $"{service.ServiceId} {operation.Name} could not be completed: {Innermost(ex).Message} ({uri.GetLeftPart(UriPartial.Authority)}).", sent, ex);
                if (sent && !operation.RetryWhenOutcomeUnknown)
                {
                    throw failure;
                }
            }

            // Nothing listening at the address rarely passes by waiting: a few attempts, not the whole budget.
            var limit = failure.NotConnected ? Math.Min(policy.MaxAttempts, AwsRetryPolicy.NotConnectedMaxAttempts) : policy.MaxAttempts;
            if (attempt >= limit)
            {
                throw attempt > 1 ? failure.AfterAttempts(attempt) : failure;
            }

            var delay = policy.DelayBefore(attempt, failure.IsThrottling);
            context.Trace?.Write($"{service.ServiceId}.{operation.Name}: {failure.ErrorCode}; attempt {attempt + 1} of {limit} in {delay.TotalMilliseconds:0} ms");
            await AwsRetryPolicy.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<AwsHttpResponse> SendOnceAsync(AwsContext context, AwsServiceMetadata service, AwsOperation operation,
        AwsHttpRequest request, Uri uri, TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase);
        if (request.ContentType is not null)
        {
            headers["Content-Type"] = request.ContentType;
        }

        // Signed afresh on every attempt: the signature carries the time.
        AWSSigningResult signed;
        try
        {
            signed = await SignAsync(context.Credentials, context.Region, service.SigningName, request.Method, uri, headers,
                request.Body, signedAt: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not AwsConfigurationException)
        {
            // Credentials are fetched here (SSO, assume-role, credential_process, web identity): a refused or expired
            // session is the user's to refresh, not an error of the service called.
            throw CredentialFailure.Describe(context.CredentialSource, context.ProfileName, ex);
        }

        using var message = new HttpRequestMessage(request.Method, uri);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType ?? "application/octet-stream");
        }

        foreach (var header in headers)
        {
            if (!header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        foreach (var header in signed.Headers)
        {
            if (!header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase) && !header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.Remove(header.Key);
                message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        var trace = context.Trace;
        trace?.Write(AwsRedaction.DescribeRequest(service, operation, message, request.Body, request.ContentType));

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(attemptTimeout);
        using var httpResponse = await Http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attempt.Token).ConfigureAwait(false);
        var body = await httpResponse.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var responseHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in httpResponse.Headers)
        {
            responseHeaders[header.Key] = string.Join(",", header.Value);
        }

        foreach (var header in httpResponse.Content.Headers)
        {
            responseHeaders[header.Key] = string.Join(",", header.Value);
        }

        var response = new AwsHttpResponse(httpResponse.StatusCode, responseHeaders, body) { Service = service, Operation = operation };
        trace?.Write(AwsRedaction.DescribeResponse(service, operation, response));
        return response;
    }

    /// <summary>The one SigV4 signing call of the transport; <paramref name="signedAt"/> is fixed only by tests.</summary>
    internal static Task<AWSSigningResult> SignAsync(AWSCredentials credentials, string region, string signingName, HttpMethod method,
        Uri uri, IReadOnlyDictionary<string, string> headers, byte[]? body, DateTime? signedAt, CancellationToken cancellationToken)
    {
        var signingRequest = new AWSSigningRequest
        {
            HttpMethod = method,
            RequestUri = uri,
            Content = body ?? Array.Empty<byte>(),
        };
        foreach (var header in headers)
        {
            signingRequest.Headers[header.Key] = header.Value;
        }

        var parameters = new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = RegionEndpoint.GetBySystemName(region),
            Service = signingName,
            SignedAt = signedAt,
        };
        return AWSSigV4Signer.SignAsync(signingRequest, parameters, cancellationToken);
    }

    private static AwsServiceException NoAnswer(AwsServiceMetadata service, AwsOperation operation, string code, string message, bool sent, Exception inner) =>
        new(service.ServiceId, operation.Name, code, message, 0, null, isThrottling: false, isRetryable: true,
            outcomeUnknown: sent && !operation.RetryWhenOutcomeUnknown, innerException: inner);

    /// <summary>Connection refused or no such host: the request never left, so sending it again is safe.</summary>
    private static bool NeverReachedServer(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket &&
                socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable or SocketError.HostUnreachable)
            {
                return true;
            }
        }

        return false;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
