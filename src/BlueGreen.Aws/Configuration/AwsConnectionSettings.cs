using System;

namespace BlueGreen.Aws.Configuration;

/// <summary>
/// What the caller said about where and as whom to talk to AWS: the AWS.Tools common parameters,
/// plus the AWS.Tools session defaults when they are present. Everything may be null; the
/// resolver fills the gaps from the environment, profiles, and container or instance metadata.
/// </summary>
public sealed class AwsConnectionSettings
{
    public string? Region { get; set; }

    public string? ProfileName { get; set; }

    /// <summary>A credentials file to read profiles from, instead of the default locations.</summary>
    public string? ProfileLocation { get; set; }

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    public string? SessionToken { get; set; }

    /// <summary>An <c>Amazon.Runtime.AWSCredentials</c> from any AWSSDK.Core version (AWS.Tools' included).</summary>
    public object? Credential { get; set; }

    public string? EndpointUrl { get; set; }

    /// <summary>Allows a plain-HTTP endpoint that is not on the loopback interface.</summary>
    public bool AllowInsecureEndpoint { get; set; }

    /// <summary>AWS.Tools' <c>$StoredAWSCredentials</c>, when the session has one.</summary>
    public object? StoredCredentials { get; set; }

    /// <summary>AWS.Tools' <c>$StoredAWSRegion</c>, when the session has one.</summary>
    public string? StoredRegion { get; set; }

    /// <summary>
    /// Asks the user for the MFA code of a role that requires one (a profile with <c>mfa_serial</c>); called when
    /// the role's credentials are first needed, on any thread. Null when nobody can be asked: such a profile is
    /// then refused before anything is sent.
    /// </summary>
    public Func<MfaCodeRequest, string>? MfaCodeProvider { get; set; }
}

/// <summary>What an MFA prompt shows: the profile, the role, and the MFA device (never a secret).</summary>
public sealed class MfaCodeRequest
{
    public MfaCodeRequest(string profileName, string roleArn, string mfaSerial)
    {
        ProfileName = profileName;
        RoleArn = roleArn;
        MfaSerial = mfaSerial;
    }

    public string ProfileName { get; }

    public string RoleArn { get; }

    public string MfaSerial { get; }
}
