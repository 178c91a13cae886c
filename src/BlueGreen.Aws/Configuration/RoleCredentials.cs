using System;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.SharedInterfaces;
using Amazon.RuntimeDependencies;
using Amazon.SecurityToken;
using Amazon.SSO;
using Amazon.SSOOIDC;

namespace BlueGreen.Aws.Configuration;

/// <summary>
/// Role credentials that call STS through the AWSSDK.SecurityToken this module ships, referenced at compile
/// time. AWSSDK.Core's own assume-role and web identity credentials find STS by assembly name among every
/// assembly of the process, and so may pick the copy another module (AWS.Tools) loaded beside its own
/// AWSSDK.Core, whose types this module's AWSSDK.Core cannot use.
/// </summary>
internal sealed class StsAssumeRoleCredentials : AssumeRoleAWSCredentials
{
    private readonly RegionEndpoint _region;

    public StsAssumeRoleCredentials(AWSCredentials source, string roleArn, string roleSessionName, AssumeRoleAWSCredentialsOptions options, RegionEndpoint region)
        : base(source, roleArn, roleSessionName, options)
    {
        _region = region;
    }

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = _region };
        if (Options.ProxySettings is not null)
        {
            config.SetWebProxy(Options.ProxySettings);
        }

        using var client = new AmazonSecurityTokenServiceClient(SourceCredentials, config);
        var credentials = await ((ICoreAmazonSTS)client).CredentialsFromAssumeRoleAuthenticationAsync(RoleArn, RoleSessionName, Options).ConfigureAwait(false);
        return new CredentialsRefreshState(credentials, credentials.Expiration);
    }
}

/// <summary>Web identity (EKS, CI OIDC) through this module's STS client; the call is unsigned, as STS requires.</summary>
internal sealed class StsWebIdentityCredentials : AssumeRoleWithWebIdentityCredentials
{
    private readonly RegionEndpoint _region;

    public StsWebIdentityCredentials(string tokenFile, string roleArn, string? roleSessionName, RegionEndpoint region)
        : base(tokenFile, roleArn, roleSessionName)
    {
        _region = region;
    }

    protected override ICoreAmazonSTS CreateClient() =>
        new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), new AmazonSecurityTokenServiceConfig { RegionEndpoint = _region });
}

/// <summary>
/// Hands AWSSDK.Core the SSO clients of this module's own AWSSDK.SSO and AWSSDK.SSOOIDC, for SSO profiles,
/// instead of letting it look them up by assembly name (see <see cref="StsAssumeRoleCredentials"/>).
/// </summary>
internal static class SsoClients
{
    private static readonly object Gate = new();
    private static bool s_registered;

    public static void Register()
    {
        lock (Gate)
        {
            if (s_registered)
            {
                return;
            }

            // On .NET Framework the module shares AWSSDK.Core (and so this registry) with any other module
            // that loaded the same version; there, the SDK's own lookup finds a copy that fits.
            if (System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            {
                s_registered = true;
                return;
            }

            GlobalRuntimeDependencyRegistry.Instance.RegisterSSOClient(context =>
            {
                var config = new AmazonSSOConfig { RegionEndpoint = context.SSOClientContextData?.Region ?? RegionEndpoint.USEast1 };
                if (context.SSOClientContextData?.ProxySettings is { } proxy)
                {
                    config.SetWebProxy(proxy);
                }

                return new AmazonSSOClient(new AnonymousAWSCredentials(), config);
            });
            GlobalRuntimeDependencyRegistry.Instance.RegisterSSOOIDCClient(context =>
            {
                var config = new AmazonSSOOIDCConfig { RegionEndpoint = context.SSOOIDCClientContextData?.Region ?? RegionEndpoint.USEast1 };
                if (context.SSOOIDCClientContextData?.ProxySettings is { } proxy)
                {
                    config.SetWebProxy(proxy);
                }

                return new AmazonSSOOIDCClient(new AnonymousAWSCredentials(), config);
            });
            s_registered = true;
        }
    }
}
