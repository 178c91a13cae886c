using System;
using System.Net;
using System.Net.Sockets;

namespace BlueGreen.Aws.Runtime;

/// <summary>An AWS service answered with an error, or could not be reached at all.</summary>
public sealed class AwsServiceException : Exception
{
    public AwsServiceException(string service, string operation, string errorCode, string message, HttpStatusCode statusCode,
        string? requestId, bool isThrottling, bool isRetryable, bool outcomeUnknown = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Service = service;
        Operation = operation;
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
        IsThrottling = isThrottling;
        IsRetryable = isRetryable;
        OutcomeUnknown = outcomeUnknown;
    }

    public AwsServiceException()
        : this(string.Empty, string.Empty, "Unknown", "The AWS request failed.", 0, null, false, false)
    {
    }

    public AwsServiceException(string message)
        : this(string.Empty, string.Empty, "Unknown", message, 0, null, false, false)
    {
    }

    public AwsServiceException(string message, Exception innerException)
        : this(string.Empty, string.Empty, "Unknown", message, 0, null, false, false, false, innerException)
    {
    }

    /// <summary>How many times the request was sent before this failure was given up on (1 when it was not retried).</summary>
    public int Attempts { get; private set; } = 1;

    /// <summary>The same failure, saying that it outlasted every attempt the retry policy allows.</summary>
    internal AwsServiceException AfterAttempts(int attempts) =>
        new(Service, Operation, ErrorCode, $"{Message.TrimEnd('.')} (gave up after {attempts} attempts).", StatusCode, RequestId, IsThrottling, IsRetryable,
            OutcomeUnknown, InnerException) { Attempts = attempts };

    /// <summary>A copy with another message, keeping everything else.</summary>
    public AwsServiceException WithMessage(string message) =>
        new(Service, Operation, ErrorCode, message, StatusCode, RequestId, IsThrottling, IsRetryable, OutcomeUnknown, this) { Attempts = Attempts };

    /// <summary>The service, as its <c>serviceId</c> (<c>CodeDeploy</c>, <c>ECS</c>, ...).</summary>
    public string Service { get; }

    public string Operation { get; }

    /// <summary>The AWS error code (<c>DeploymentDoesNotExistException</c>), or <c>NetworkFailure</c>
    /// and <c>RequestTimeout</c> when no answer came.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status, or 0 when no answer came.</summary>
    public HttpStatusCode StatusCode { get; }

    public string? RequestId { get; }

    public bool IsThrottling { get; }

    /// <summary>Whether the same request may succeed if sent again.</summary>
    public bool IsRetryable { get; }

    /// <summary>No connection could be made (refused, unknown host, unreachable network): the request never left, and
    /// nothing answers at that address; unlike throttling or a dropped answer, this does not pass by waiting.</summary>
    public bool NotConnected
    {
        get
        {
            for (var inner = InnerException; StatusCode == 0 && inner is not null; inner = inner.InnerException)
            {
                if (inner is SocketException socket && socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound
                    or SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NoData)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The request may or may not have taken effect (the answer was lost or a 5xx came back
    /// for an operation that changes something): the caller must look before acting again.</summary>
    public bool OutcomeUnknown { get; }
}
