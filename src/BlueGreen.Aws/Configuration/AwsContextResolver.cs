using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Aws.Configuration;

/// <summary>
/// Turns <see cref="AwsConnectionSettings"/> into an <see cref="AwsContext"/>, in the order AWS.Tools users
/// expect. Everything that can be wrong is reported here, before any request is sent.
/// </summary>
public sealed class AwsContextResolver
{
    private static readonly AwsServiceMetadata[] Services =
    {
        AwsServiceMetadata.CodeDeploy, AwsServiceMetadata.Ecs, AwsServiceMetadata.Lambda,
        AwsServiceMetadata.ElasticLoadBalancingV2, AwsServiceMetadata.CloudWatch,
    };

    /// <summary>
    /// Role credentials of a profile, kept for the process: each cmdlet of a pipeline reuses the session
    /// (and refreshes it when it nears its end) instead of calling STS again, or asking again for an MFA code.
    /// Keyed by everything that would change them: the profile, its files and their last change, the region,
    /// and the environment's key id (for credential_source = Environment).
    /// </summary>
    private static readonly ConcurrentDictionary<string, (AWSCredentials Credentials, MfaPrompt Mfa)> ProfileSessions = new(StringComparer.Ordinal);

    private readonly Func<string, string?> _environment;

    public AwsContextResolver()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>For tests: reads environment variables through <paramref name="environment"/>.</summary>
    public AwsContextResolver(Func<string, string?> environment)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
    }

    public AwsContext Resolve(AwsConnectionSettings settings)
    {
        if (settings is null)
        {
            throw new ArgumentNullException(nameof(settings));
        }

        var profiles = new CredentialProfileStoreChain(settings.ProfileLocation);
        var explicitProfile = FindExplicitProfile(settings, profiles);
        var ambientProfile = explicitProfile ?? FindAmbientProfile(profiles, settings.ProfileLocation);

        var region = ResolveRegion(settings, explicitProfile, ambientProfile);
        var partition = AwsPartition.ForRegion(region)
            ?? throw new AwsConfigurationException("UnknownRegion", $"'{region}' is not an AWS region.",
                "Pass a region name such as us-east-1 or eu-west-1 to -Region (Get-AWSRegion in AWS.Tools lists them).", region);

        var (credentials, source) = ResolveCredentials(settings, explicitProfile, ambientProfile, profiles, RegionEndpoint.GetBySystemName(region));
        var endpoints = ResolveEndpoints(settings, ambientProfile);
        return new AwsContext(region, partition, credentials, source, explicitProfile?.Name ?? ambientProfile?.Name,
            settings.EndpointUrl, endpoints)
        {
            RetryPolicy = AwsRetryPolicy.FromEnvironment(_environment, (explicitProfile ?? ambientProfile)?.MaxAttempts, (explicitProfile ?? ambientProfile)?.Name),
        };
    }

    private static CredentialProfile? FindExplicitProfile(AwsConnectionSettings settings, CredentialProfileStoreChain profiles)
    {
        if (string.IsNullOrEmpty(settings.ProfileName))
        {
            return null;
        }

        if (profiles.TryGetProfile(settings.ProfileName, out var profile))
        {
            return profile;
        }

        var where = settings.ProfileLocation is null ? "the shared credentials and config files" : $"'{settings.ProfileLocation}'";
        throw new AwsConfigurationException("UnknownProfile", $"There is no AWS profile named '{settings.ProfileName}' in {where}.",
            "Check the name with 'aws configure list-profiles' (or Get-AWSCredential -ListProfileDetail), create it with " +
            "'aws configure --profile <name>', or pass -ProfileLocation when it lives in another file.", settings.ProfileName);
    }

    private CredentialProfile? FindAmbientProfile(CredentialProfileStoreChain profiles, string? profileLocation)
    {
        var name = _environment("AWS_PROFILE");
        if (string.IsNullOrEmpty(name))
        {
            name = "default";
        }

        if (profiles.TryGetProfile(name, out var profile))
        {
            return profile;
        }

        if (name != "default" && profileLocation is null)
        {
            throw new AwsConfigurationException("UnknownProfile", $"AWS_PROFILE names the profile '{name}', which does not exist.",
                "Set AWS_PROFILE to an existing profile, or clear it.", name);
        }

        return null;
    }

    private string ResolveRegion(AwsConnectionSettings settings, CredentialProfile? explicitProfile, CredentialProfile? ambientProfile)
    {
        var region = FirstNonEmpty(
            settings.Region,
            explicitProfile?.Region?.SystemName,
            settings.StoredRegion,
            _environment("AWS_REGION"),
            _environment("AWS_DEFAULT_REGION"),
            ambientProfile?.Region?.SystemName);
        if (region is not null)
        {
            return region.Trim();
        }

        // Last: the instance metadata service, on EC2 and in containers.
        if (!IsTrue(_environment("AWS_EC2_METADATA_DISABLED")))
        {
            try
            {
                var fromMetadata = FallbackRegionFactory.GetRegionEndpoint(false)?.SystemName;
                if (!string.IsNullOrEmpty(fromMetadata))
                {
                    return fromMetadata!;
                }
            }
            catch (AmazonClientException)
            {
                // Not on EC2: fall through to the error below.
            }
        }

        throw new AwsConfigurationException("NoRegion", "No AWS region is set.",
            "Pass -Region (e.g. -Region us-east-1), set AWS_REGION, or set a region in your AWS profile " +
            "('aws configure set region us-east-1').");
    }

    private (AWSCredentials Credentials, string Source) ResolveCredentials(AwsConnectionSettings settings,
        CredentialProfile? explicitProfile, CredentialProfile? ambientProfile, CredentialProfileStoreChain profiles, RegionEndpoint region)
    {
        if (!string.IsNullOrEmpty(settings.AccessKey) || !string.IsNullOrEmpty(settings.SecretKey))
        {
            if (string.IsNullOrEmpty(settings.AccessKey) || string.IsNullOrEmpty(settings.SecretKey))
            {
                throw new AwsConfigurationException("IncompleteCredentials", "-AccessKey and -SecretKey must be passed together.",
                    "Pass both -AccessKey and -SecretKey (and -SessionToken for temporary credentials), or use -ProfileName.");
            }

            AWSCredentials keys = string.IsNullOrEmpty(settings.SessionToken)
                ? new BasicAWSCredentials(settings.AccessKey, settings.SecretKey)
                : new SessionAWSCredentials(settings.AccessKey, settings.SecretKey, settings.SessionToken);
            return (keys, "parameters");
        }

        if (settings.Credential is not null)
        {
            var adapted = ForeignCredentials.TryAdapt(settings.Credential)
                ?? throw new AwsConfigurationException("InvalidCredential",
                    $"-Credential takes an Amazon.Runtime.AWSCredentials object, not a {settings.Credential.GetType().FullName}.",
                    "Pass the result of Get-AWSCredential, or use -ProfileName or -AccessKey/-SecretKey.");
            return (adapted, "-Credential");
        }

        if (explicitProfile is not null)
        {
            return (ProfileCredentials(explicitProfile, profiles, settings, region), $"profile '{explicitProfile.Name}'");
        }

        if (settings.StoredCredentials is not null && ForeignCredentials.TryAdapt(settings.StoredCredentials) is { } stored)
        {
            return (stored, "AWS.Tools session credentials");
        }

        var accessKey = _environment("AWS_ACCESS_KEY_ID");
        var secretKey = _environment("AWS_SECRET_ACCESS_KEY");
        if (!string.IsNullOrEmpty(accessKey) && !string.IsNullOrEmpty(secretKey))
        {
            var token = _environment("AWS_SESSION_TOKEN");
            AWSCredentials fromEnvironment = string.IsNullOrEmpty(token)
                ? new BasicAWSCredentials(accessKey, secretKey)
                : new SessionAWSCredentials(accessKey, secretKey, token);
            return (fromEnvironment, "environment");
        }

        var profileName = _environment("AWS_PROFILE");
        if (!string.IsNullOrEmpty(profileName) && profiles.TryGetProfile(profileName, out var ambient))
        {
            return (ProfileCredentials(ambient, profiles, settings, region), $"profile '{profileName}' (AWS_PROFILE)");
        }

        // Web identity (EKS, CI OIDC) comes before the default profile, as in the SDK's chain.
        var tokenFile = _environment("AWS_WEB_IDENTITY_TOKEN_FILE");
        var roleArn = _environment("AWS_ROLE_ARN");
        if (!string.IsNullOrEmpty(tokenFile) && !string.IsNullOrEmpty(roleArn))
        {
            RequireTokenFile(tokenFile!, "AWS_WEB_IDENTITY_TOKEN_FILE");
            var webIdentity = new StsWebIdentityCredentials(tokenFile!, roleArn!, SessionName(_environment("AWS_ROLE_SESSION_NAME")), region);
            return (webIdentity, $"web identity (AWS_ROLE_ARN {roleArn})");
        }

        if (ambientProfile is not null && ambientProfile.CanCreateAWSCredentials)
        {
            return (ProfileCredentials(ambientProfile, profiles, settings, region), $"profile '{ambientProfile.Name}'");
        }

        // The SDK's own chain: container and instance credentials.
        try
        {
            var resolved = DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            return (resolved, "default credential chain");
        }
        catch (AmazonClientException ex)
        {
            throw new AwsConfigurationException("NoCredentials", "No AWS credentials were found.",
                "Pass -ProfileName, or -AccessKey and -SecretKey; or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; " +
                "in CI, configure OIDC web identity (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE).", null, ex);
        }
    }

    private AWSCredentials ProfileCredentials(CredentialProfile profile, CredentialProfileStoreChain profiles, AwsConnectionSettings settings, RegionEndpoint region)
    {
        var key = SessionKey(profile.Name, settings.ProfileLocation, region);
        if (ProfileSessions.TryGetValue(key, out var session))
        {
            // The newest caller answers the next MFA prompt, if the session has to be renewed.
            session.Mfa.Provider = settings.MfaCodeProvider;
            return session.Credentials;
        }

        AWSCredentials? credentials = null;
        Exception? failure = null;
        if (profile.CanCreateAWSCredentials)
        {
            try
            {
                credentials = AWSCredentialsFactory.GetAWSCredentials(profile, profiles);
            }
            catch (Exception ex) when (ex is AmazonClientException or InvalidOperationException or ArgumentException or IOException or InvalidDataException)
            {
                // e.g. a source_profile that does not exist, or a loop of source profiles: the SDK's message names it.
                failure = ex;
            }
        }

        if (credentials is null)
        {
            var why = failure is null ? "has no usable credentials" : $"cannot give credentials: {failure.Message}";
            throw new AwsConfigurationException("ProfileWithoutCredentials", $"The AWS profile '{profile.Name}' {why}",
                "Add aws_access_key_id and aws_secret_access_key, a role_arn with a source_profile or credential_source, " +
                "a web_identity_token_file, or SSO settings (sso_session, sso_account_id, sso_role_name) to the profile.", profile.Name, failure);
        }

        var mfa = new MfaPrompt { Provider = settings.MfaCodeProvider };
        var rebuilt = WithModuleClients(credentials, profile, profiles, mfa, settings.ProfileLocation, region);
        if (rebuilt is StsAssumeRoleCredentials or StsWebIdentityCredentials)
        {
            rebuilt = ProfileSessions.GetOrAdd(key, (rebuilt, mfa)).Credentials;
        }

        return rebuilt;
    }

    private string SessionKey(string profileName, string? profileLocation, RegionEndpoint region)
    {
        var files = ProfileFiles(profileLocation);
        var parts = new List<string> { profileName, region.SystemName, _environment("AWS_ACCESS_KEY_ID") ?? "-" };
        foreach (var (path, _) in files)
        {
            parts.Add(path);
            parts.Add(File.Exists(path) ? File.GetLastWriteTimeUtc(path).Ticks.ToString(CultureInfo.InvariantCulture) : "-");
        }

        return string.Join("\n", parts);
    }

    /// <summary>Who answers an MFA prompt: the cmdlet that runs when the role's session is first needed.</summary>
    private sealed class MfaPrompt
    {
        public volatile Func<MfaCodeRequest, string>? Provider;
    }

    /// <summary>
    /// Rebuilds the role credentials of a profile (and of the profiles it takes its source from) on this module's
    /// STS client, adding what the SDK leaves out: the profile's duration_seconds, and an MFA code from the caller.
    /// </summary>
    private AWSCredentials WithModuleClients(AWSCredentials credentials, CredentialProfile? profile, CredentialProfileStoreChain profiles,
        MfaPrompt mfa, string? profileLocation, RegionEndpoint region)
    {
        switch (credentials)
        {
            case AssumeRoleAWSCredentials assumeRole:
            {
                CredentialProfile? sourceProfile = null;
                if (profile is not null && !string.IsNullOrEmpty(profile.Options.SourceProfile) && profile.Options.SourceProfile != profile.Name)
                {
                    profiles.TryGetProfile(profile.Options.SourceProfile, out sourceProfile);
                }

                var source = WithModuleClients(assumeRole.SourceCredentials, sourceProfile, profiles, mfa, profileLocation, region);
                var options = assumeRole.Options;
                var name = profile?.Name ?? "(unnamed)";
                if (profile is not null && ProfileFileValue(profile.Name, "duration_seconds", profileLocation) is { } duration)
                {
                    options.DurationSeconds = int.TryParse(duration, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= 900 && seconds <= 43200
                        ? seconds
                        : throw new AwsConfigurationException("InvalidDurationSeconds",
                            $"duration_seconds of the AWS profile '{name}' is '{duration}', not a number of seconds from 900 to 43200.",
                            "Set duration_seconds to a whole number from 900 (15 minutes) to 43200 (12 hours, if the role allows it), or remove it.", name);
                }

                if (!string.IsNullOrEmpty(options.MfaSerialNumber) && options.MfaTokenCodeCallback is null)
                {
                    if (mfa.Provider is null)
                    {
                        throw MfaCodeRequired(name, assumeRole.RoleArn, options.MfaSerialNumber);
                    }

                    var serial = options.MfaSerialNumber;
                    var role = assumeRole.RoleArn;
                    options.MfaTokenCodeCallback = () =>
                        (mfa.Provider ?? throw MfaCodeRequired(name, role, serial))(new MfaCodeRequest(name, role, serial));
                }

                return new StsAssumeRoleCredentials(source, assumeRole.RoleArn, assumeRole.RoleSessionName, options, region);
            }

            case AssumeRoleWithWebIdentityCredentials webIdentity:
                RequireTokenFile(webIdentity.WebIdentityTokenFile, $"web_identity_token_file of the AWS profile '{profile?.Name}'");
                return new StsWebIdentityCredentials(webIdentity.WebIdentityTokenFile, webIdentity.RoleArn, webIdentity.RoleSessionName, region);

            case SSOAWSCredentials sso:
                SsoClients.Register();
                // No browser sign-in from inside a cmdlet: an expired SSO session is reported, with what to run.
                sso.Options.SupportsGettingNewToken = false;
                return sso;

            default:
                return credentials;
        }
    }

    /// <summary>The code cannot be asked for: said before anything is sent.</summary>
    public static AwsConfigurationException MfaCodeRequired(string profileName, string roleArn, string mfaSerial) =>
        new("MfaCodeRequired",
            $"The AWS profile '{profileName}' assumes the role {roleArn} with MFA (mfa_serial {mfaSerial}), and this session cannot ask for the code: it is not interactive.",
            "Run the command in an interactive PowerShell session to be asked for the MFA code; or get temporary credentials first " +
            "(e.g. 'aws sts assume-role ... --serial-number ... --token-code ...') and pass them with -AccessKey, -SecretKey and -SessionToken " +
            "or the AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN variables; in CI, use a role without MFA (OIDC web identity).",
            profileName);

    private (string Path, bool IsConfig)[] ProfileFiles(string? profileLocation)
    {
        if (profileLocation is not null)
        {
            return new[] { (profileLocation, false) };
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new[]
        {
            (FirstNonEmpty(_environment("AWS_CONFIG_FILE")) ?? Path.Combine(home, ".aws", "config"), true),
            (FirstNonEmpty(_environment("AWS_SHARED_CREDENTIALS_FILE")) ?? Path.Combine(home, ".aws", "credentials"), false),
        };
    }

    /// <summary>
    /// A setting of a profile that AWSSDK.Core does not read (duration_seconds), from the same files it reads
    /// profiles from: the config file first, as the AWS CLI does, then the shared credentials file.
    /// </summary>
    private string? ProfileFileValue(string profileName, string key, string? profileLocation)
    {
        foreach (var (path, isConfig) in ProfileFiles(profileLocation))
        {
            if (!File.Exists(path))
            {
                continue;
            }

            var section = isConfig && profileName != "default" ? "profile " + profileName : profileName;
            string? current = null;
            foreach (var raw in File.ReadLines(path))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#' || line[0] == ';')
                {
                    continue;
                }

                if (line[0] == '[' && line[line.Length - 1] == ']')
                {
                    current = string.Join(" ", line.Substring(1, line.Length - 2).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                    continue;
                }

                var equals = line.IndexOf('=');
                if (equals > 0 && (string.Equals(current, section, StringComparison.Ordinal) || (isConfig && current == profileName && profileName != "default")) &&
                    string.Equals(line.Substring(0, equals).Trim(), key, StringComparison.OrdinalIgnoreCase))
                {
                    var value = line.Substring(equals + 1).Trim();
                    if (value.Length > 0)
                    {
                        return value;
                    }
                }
            }
        }

        return null;
    }

    private static void RequireTokenFile(string path, string origin)
    {
        if (!File.Exists(path))
        {
            throw new AwsConfigurationException("WebIdentityTokenFileNotFound", $"{origin} names the web identity token file '{path}', which does not exist.",
                "Check the path: in EKS the pod's service account must be annotated with the role (eks.amazonaws.com/role-arn); " +
                "in CI, the OIDC step must run before this one and write the token there.", path);
        }
    }

    private static string SessionName(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? "bluegreen-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : configured!.Trim();

    private Dictionary<string, Uri> ResolveEndpoints(AwsConnectionSettings settings, CredentialProfile? profile)
    {
        var endpoints = new Dictionary<string, Uri>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(settings.EndpointUrl))
        {
            var endpoint = ParseEndpoint(settings.EndpointUrl!, "-EndpointUrl", settings.AllowInsecureEndpoint);
            foreach (var service in Services)
            {
                endpoints[service.ServiceId] = endpoint;
            }

            return endpoints;
        }

        if (IsTrue(_environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) || profile?.IgnoreConfiguredEndpointUrls == true)
        {
            return endpoints;
        }

        var shared = _environment("AWS_ENDPOINT_URL");
        foreach (var service in Services)
        {
            var variable = "AWS_ENDPOINT_URL_" + service.EnvironmentSuffix;
            var specific = _environment(variable);
            if (!string.IsNullOrEmpty(specific))
            {
                endpoints[service.ServiceId] = ParseEndpoint(specific!, variable, settings.AllowInsecureEndpoint);
            }
            else if (!string.IsNullOrEmpty(shared))
            {
                endpoints[service.ServiceId] = ParseEndpoint(shared!, "AWS_ENDPOINT_URL", settings.AllowInsecureEndpoint);
            }
            else if (!string.IsNullOrEmpty(profile?.EndpointUrl))
            {
                endpoints[service.ServiceId] = ParseEndpoint(profile!.EndpointUrl, $"endpoint_url of profile '{profile.Name}'", settings.AllowInsecureEndpoint);
            }
        }

        return endpoints;
    }

    /// <summary>Checks an endpoint URL: absolute, http or https, and plain HTTP only to loopback unless allowed.</summary>
    public static Uri ParseEndpoint(string value, string origin, bool allowInsecure)
    {
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(uri.Host))
        {
            throw new AwsConfigurationException("InvalidEndpointUrl", $"{origin} is not a valid endpoint URL: '{value}'.",
                "Pass an absolute http:// or https:// URL, such as https://codedeploy.us-east-1.amazonaws.com or http://127.0.0.1:4566.", value);
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !allowInsecure && !IsLoopback(uri))
        {
            throw new AwsConfigurationException("InsecureEndpointUrl",
                $"{origin} '{value}' uses plain HTTP to a host that is not this machine; credentials-signed requests would cross the network unencrypted.",
                "Use https://, or pass -AllowInsecureEndpoint if the network between you and that host is trusted.", value);
        }

        return uri;
    }

    private static bool IsLoopback(Uri uri)
    {
        if (uri.IsLoopback)
        {
            return true;
        }

        return IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address);
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static bool IsTrue(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
