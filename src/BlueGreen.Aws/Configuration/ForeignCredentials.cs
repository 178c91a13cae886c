using System;
using System.Reflection;
using Amazon.Runtime;

namespace BlueGreen.Aws.Configuration;

/// <summary>
/// Credentials object from another copy of AWSSDK.Core (AWS.Tools loads 3.7.x), read through its public
/// <c>GetCredentials()</c> each time, so refreshing credentials (assume-role, SSO) keep refreshing.
/// </summary>
internal sealed class ForeignCredentials : AWSCredentials
{
    private readonly object _source;
    private readonly MethodInfo _getCredentials;

    private ForeignCredentials(object source, MethodInfo getCredentials)
    {
        _source = source;
        _getCredentials = getCredentials;
    }

    /// <summary>Takes an AWSCredentials of any version, or an object holding one in a <c>Credentials</c>
    /// property (AWS.Tools' stored credentials); null when the object is neither.</summary>
    public static AWSCredentials? TryAdapt(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case AWSCredentials own:
                return own;
        }

        var type = value.GetType();
        var getCredentials = type.GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, null, Type.EmptyTypes, null);
        if (getCredentials is not null && IsAwsCredentialsType(type))
        {
            return new ForeignCredentials(value, getCredentials);
        }

        var inner = type.GetProperty("Credentials", BindingFlags.Public | BindingFlags.Instance)?.GetValue(value);
        return inner is not null && !ReferenceEquals(inner, value) ? TryAdapt(inner) : null;
    }

    private static bool IsAwsCredentialsType(Type? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (type.FullName == "Amazon.Runtime.AWSCredentials")
            {
                return true;
            }
        }

        return false;
    }

    public override ImmutableCredentials GetCredentials()
    {
        object? immutable;
        try
        {
            immutable = _getCredentials.Invoke(_source, null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new AwsConfigurationException("CredentialsUnavailable",
                "The credentials object passed to -Credential could not produce credentials: " + ex.InnerException.Message,
                "Refresh or recreate the credentials (for AWS.Tools, Set-AWSCredential), or pass -ProfileName instead.", null, ex.InnerException);
        }

        if (immutable is null)
        {
            throw new AwsConfigurationException("CredentialsUnavailable", "The credentials object passed to -Credential returned no credentials.",
                "Pass credentials that resolve, or use -ProfileName.");
        }

        var type = immutable.GetType();
        string? Read(string name) => type.GetProperty(name)?.GetValue(immutable) as string;
        var accessKey = Read("AccessKey");
        var secretKey = Read("SecretKey");
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            throw new AwsConfigurationException("CredentialsUnavailable", "The credentials object passed to -Credential has no access key or secret key.",
                "Pass complete credentials, or use -ProfileName.");
        }

        return new ImmutableCredentials(accessKey, secretKey, Read("Token"));
    }
}
