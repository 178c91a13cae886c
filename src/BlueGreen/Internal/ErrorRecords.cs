using System;
using System.Management.Automation;
using System.Net;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Internal;

/// <summary>Builds the module's error records: a specific exception, a stable id, the right category,
/// the item at fault as target, and a message that says what to do next.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction = null)
    {
        // PowerShell 7 shows RecommendedAction under the message as "Recommendation:".
        return new ErrorRecord(exception, errorId, category, target)
        {
            ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommendedAction },
        };
    }

    public static ErrorRecord FromConfiguration(AwsConfigurationException exception)
    {
        var category = exception.ErrorId switch
        {
            "UnknownProfile" => ErrorCategory.ObjectNotFound,
            "NoCredentials" or "CredentialsUnavailable" or "ProfileWithoutCredentials" => ErrorCategory.AuthenticationError,
            "NoRegion" => ErrorCategory.NotSpecified,
            "InsecureEndpointUrl" => ErrorCategory.SecurityError,
            _ => ErrorCategory.InvalidArgument,
        };
        return Create(exception, exception.ErrorId, category, exception.Target, exception.RecommendedAction);
    }

    /// <summary>An AWS error: the id is the AWS error code, so scripts can match on it.</summary>
    public static ErrorRecord FromAws(AwsServiceException exception, object? target, string? command = null)
    {
        var category = exception switch
        {
            { IsThrottling: true } => ErrorCategory.LimitsExceeded,
            { StatusCode: 0 } => ErrorCategory.ConnectionError,
            { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } => ErrorCategory.PermissionDenied,
            { StatusCode: HttpStatusCode.NotFound } => ErrorCategory.ObjectNotFound,
            { ErrorCode: var code } when code.EndsWith("DoesNotExistException", StringComparison.Ordinal) || code.EndsWith("NotFoundException", StringComparison.Ordinal) => ErrorCategory.ObjectNotFound,
            { StatusCode: >= HttpStatusCode.InternalServerError } => ErrorCategory.ResourceUnavailable,
            _ => ErrorCategory.InvalidOperation,
        };
        var action = exception switch
        {
            // In the user's terms: they ran a cmdlet, not the AWS operation it made.
            { OutcomeUnknown: true } => $"The request may have taken effect (AWS's answer was lost): check the current state, e.g. with Get-BlueGreenDeployment, before running {command ?? "the command"} again.",
            { IsThrottling: true } => $"AWS kept throttling the call{(exception.Attempts > 1 ? $" for all {exception.Attempts} attempts" : string.Empty)}: wait a little and run {command ?? "the command"} again, or lower the call rate (AWS_MAX_ATTEMPTS or the profile's max_attempts allow more attempts).",
            { IsRetryable: true, Attempts: > 1 } => $"AWS kept failing the call for all {exception.Attempts} attempts: run {command ?? "the command"} again when the service or the network has recovered (AWS_MAX_ATTEMPTS or the profile's max_attempts allow more attempts).",
            { StatusCode: 0 } => "Check the network and the endpoint (-EndpointUrl, AWS_ENDPOINT_URL), then try again.",
            { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } => $"Check that the credentials are valid and allowed to call {exception.Service}:{exception.Operation}.",
            _ => null,
        };
        var requestId = exception.RequestId is null ? string.Empty : $", request id {exception.RequestId}";
        // A message about an unreadable or missing answer already names the service and operation ("ECS answered ...",
        // "ECS DescribeServices could not be completed ...", "ECS did not answer DescribeServices ...").
        var named = exception.Message.StartsWith(exception.Service + " ", StringComparison.Ordinal) && exception.Operation.Length > 0
            && exception.Message.IndexOf(exception.Operation, StringComparison.Ordinal) > 0;
        var message = named
            ? $"{exception.Message} ({exception.ErrorCode}{requestId})"
            : $"{exception.Service} {exception.Operation} failed: {exception.Message} ({exception.ErrorCode}{requestId})";
        var wrapped = exception.WithMessage(message);
        return Create(wrapped, exception.ErrorCode, category, target, action);
    }
}
