using System;
using Amazon.Runtime;

namespace BlueGreen.Aws.Configuration;

/// <summary>
/// Turns a failure of the credential chain (STS refused the role, an SSO session expired, a token file went
/// missing) into the module's configuration error: what was tried, what AWS said, and what to do. AWS's and
/// the SDK's messages name roles, profiles and files, never a key or a token.
/// </summary>
internal static class CredentialFailure
{
    public static AwsConfigurationException Describe(string source, string? profileName, Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            // Raised by our own callbacks (the MFA prompt) from inside the SDK: already says what to do.
            if (inner is AwsConfigurationException own)
            {
                return own;
            }
        }

        var service = Find<AmazonServiceException>(exception);
        var sso = source.IndexOf("sso", StringComparison.OrdinalIgnoreCase) >= 0 || Mentions(exception, "SSO");
        string detail;
        if (service is not null)
        {
            var code = string.IsNullOrEmpty(service.ErrorCode) ? ((int)service.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : service.ErrorCode;
            detail = $"AWS refused: {service.Message} ({code})";
        }
        else
        {
            detail = Innermost(exception).Message;
        }

        string action;
        if (sso)
        {
            action = $"Sign in again with 'aws sso login --profile {profileName ?? "<name>"}' (it refreshes the cached SSO token), or choose other credentials with -ProfileName or -AccessKey/-SecretKey, then try again.";
        }
        else if (service is not null)
        {
            action = "Check that the source credentials are valid and allowed to assume the role (its trust policy, external_id, mfa_serial, and a duration_seconds within the role's maximum), then try again.";
        }
        else
        {
            action = "Check the profile's role_arn, source_profile or credential_source, and web_identity_token_file, or choose other credentials with -ProfileName or -AccessKey/-SecretKey, then try again.";
        }

        return new AwsConfigurationException("CredentialsUnavailable", $"Could not get AWS credentials from {source}: {detail}", action, profileName, exception);
    }

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool Mentions(Exception exception, string word)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner.Message.IndexOf(word, StringComparison.Ordinal) >= 0)
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
