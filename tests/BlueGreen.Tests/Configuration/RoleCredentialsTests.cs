using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using Amazon.Runtime;
using BlueGreen.Aws.Configuration;
using BlueGreen.Testing;

namespace BlueGreen.Tests.Configuration;

/// <summary>
/// How profiles with roles become credentials: on the module's own STS client, with duration_seconds and an MFA
/// prompt the SDK leaves out, and refused before anything is sent when they cannot work. What they send is
/// proved against moto's STS in tests/pester/Credentials.Tests.ps1.
/// </summary>
public sealed class RoleCredentialsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "bg-roles-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _environment = new(StringComparer.Ordinal);

    public RoleCredentialsTests()
    {
        Directory.CreateDirectory(_directory);
        _environment["AWS_EC2_METADATA_DISABLED"] = "true";
        _environment["AWS_REGION"] = "eu-west-1";
    }

    private AwsContext Resolve(AwsConnectionSettings settings) =>
        new AwsContextResolver(name => _environment.TryGetValue(name, out var value) ? value : null).Resolve(settings);

    private string Profiles(string text)
    {
        var path = Path.Combine(_directory, "credentials");
        File.WriteAllText(path, text);
        return path;
    }

    private const string Base = "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n";

    [Fact]
    public void AssumeRoleProfile_UsesTheModulesStsClient_WithItsSourceExternalIdAndDuration()
    {
        var file = Profiles(Base + "[deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\nexternal_id = ext-1\nduration_seconds = 1800\n");

        var context = Resolve(new AwsConnectionSettings { ProfileName = "deploy", ProfileLocation = file });

        var role = Assert.IsType<StsAssumeRoleCredentials>(context.Credentials);
        Assert.Equal("arn:aws:iam::123456789012:role/deployer", role.RoleArn);
        Assert.Equal("ext-1", role.Options.ExternalId);
        Assert.Equal(1800, role.Options.DurationSeconds);
        Assert.Equal("AKIABASE", role.SourceCredentials.GetCredentials().AccessKey);
        Assert.Equal("profile 'deploy'", context.CredentialSource);
    }

    [Fact]
    public void ProfileChain_IsRebuiltAtEveryLevel()
    {
        var file = Profiles(Base +
            "[b]\nrole_arn = arn:aws:iam::210987654321:role/role-b\nsource_profile = base\nduration_seconds = 900\n" +
            "[a]\nrole_arn = arn:aws:iam::123456789012:role/role-a\nsource_profile = b\n");

        var context = Resolve(new AwsConnectionSettings { ProfileName = "a", ProfileLocation = file });

        var a = Assert.IsType<StsAssumeRoleCredentials>(context.Credentials);
        var b = Assert.IsType<StsAssumeRoleCredentials>(a.SourceCredentials);
        Assert.Equal("arn:aws:iam::210987654321:role/role-b", b.RoleArn);
        Assert.Equal(900, b.Options.DurationSeconds);
        Assert.Null(a.Options.DurationSeconds);
    }

    [Fact]
    public void ProfileSessions_AreReusedByTheNextCmdlet()
    {
        var file = Profiles(Base + "[deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\n");

        var first = Resolve(new AwsConnectionSettings { ProfileName = "deploy", ProfileLocation = file });
        var second = Resolve(new AwsConnectionSettings { ProfileName = "deploy", ProfileLocation = file });

        Assert.Same(first.Credentials, second.Credentials);
    }

    [Theory]
    [InlineData("60")]
    [InlineData("50000")]
    [InlineData("an hour")]
    public void DurationSeconds_OutsideWhatStsTakes_IsRefused(string duration)
    {
        var file = Profiles(Base + $"[deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\nduration_seconds = {duration}\n");

        var error = Assert.Throws<AwsConfigurationException>(() => Resolve(new AwsConnectionSettings { ProfileName = "deploy", ProfileLocation = file }));

        Assert.Equal("InvalidDurationSeconds", error.ErrorId);
        Assert.Contains(duration, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MfaProfile_WithNobodyToAsk_IsRefusedBeforeAnythingIsSent()
    {
        var file = Profiles(Base + "[admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/jane\n");

        var error = Assert.Throws<AwsConfigurationException>(() => Resolve(new AwsConnectionSettings { ProfileName = "admin", ProfileLocation = file }));

        Assert.Equal("MfaCodeRequired", error.ErrorId);
        Assert.Contains("arn:aws:iam::123456789012:mfa/jane", error.Message, StringComparison.Ordinal);
        Assert.Contains("interactive", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void MfaProfile_AsksTheCallerForTheCode_NamingProfileRoleAndDevice()
    {
        var file = Profiles(Base + "[admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/jane\n");
        var asked = new List<MfaCodeRequest>();

        var context = Resolve(new AwsConnectionSettings
        {
            ProfileName = "admin",
            ProfileLocation = file,
            MfaCodeProvider = request =>
            {
                asked.Add(request);
                return "654321";
            },
        });

        var role = Assert.IsType<StsAssumeRoleCredentials>(context.Credentials);
        Assert.Empty(asked); // asked only when STS is called
        Assert.Equal("654321", role.Options.MfaTokenCode);
        var request = Assert.Single(asked);
        Assert.Equal("admin", request.ProfileName);
        Assert.Equal("arn:aws:iam::123456789012:role/admin", request.RoleArn);
        Assert.Equal("arn:aws:iam::123456789012:mfa/jane", request.MfaSerial);
    }

    [Fact]
    public void WebIdentityFromEnvironment_UsesTheTokenFileRoleAndSessionName()
    {
        var token = Path.Combine(_directory, "token");
        File.WriteAllText(token, "eyJ.eyJ.sig");
        _environment["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/oidc";
        _environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = token;
        _environment["AWS_ROLE_SESSION_NAME"] = "ci-run-7";

        var context = Resolve(new AwsConnectionSettings { ProfileLocation = Profiles(string.Empty) });

        var web = Assert.IsType<StsWebIdentityCredentials>(context.Credentials);
        Assert.Equal("arn:aws:iam::123456789012:role/oidc", web.RoleArn);
        Assert.Equal("ci-run-7", web.RoleSessionName);
        Assert.Equal(token, web.WebIdentityTokenFile);
        Assert.StartsWith("web identity", context.CredentialSource, StringComparison.Ordinal);
    }

    [Fact]
    public void WebIdentity_WithAMissingTokenFile_IsAConfigurationError()
    {
        _environment["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/oidc";
        _environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = Path.Combine(_directory, "no-such-token");

        var error = Assert.Throws<AwsConfigurationException>(() => Resolve(new AwsConnectionSettings { ProfileLocation = Profiles(string.Empty) }));

        Assert.Equal("WebIdentityTokenFileNotFound", error.ErrorId);
        Assert.Contains("no-such-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSourceProfile_SaysWhichProfileCannotWork()
    {
        var file = Profiles("[orphan]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = nowhere\n");

        var error = Assert.Throws<AwsConfigurationException>(() => Resolve(new AwsConnectionSettings { ProfileName = "orphan", ProfileLocation = file }));

        Assert.Equal("ProfileWithoutCredentials", error.ErrorId);
        Assert.Contains("'orphan'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StsRefusal_BecomesCredentialsUnavailable_WithWhatAwsSaid()
    {
        var refusal = new AmazonServiceException("User is not authorized to perform: sts:AssumeRole", ErrorType.Sender, "AccessDenied", "req-1", HttpStatusCode.Forbidden);

        var error = CredentialFailure.Describe("profile 'deploy'", "deploy", new AmazonClientException("Error calling AssumeRole for role arn:aws:iam::1:role/r", refusal));

        Assert.Equal("CredentialsUnavailable", error.ErrorId);
        Assert.Contains("profile 'deploy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", error.Message, StringComparison.Ordinal);
        Assert.Contains("trust policy", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void SsoFailure_SaysToSignInAgainWithTheProfile()
    {
        var error = CredentialFailure.Describe("profile 'corp'", "corp", new AmazonClientException("SSO Token has expired and can not be refreshed"));

        Assert.Contains("aws sso login --profile corp", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnErrorsFromInsideTheSdk_AreKeptAsTheyAre()
    {
        var own = AwsContextResolver.MfaCodeRequired("admin", "arn:aws:iam::1:role/r", "arn:aws:iam::1:mfa/jane");

        Assert.Same(own, CredentialFailure.Describe("profile 'admin'", "admin", new AmazonClientException("wrapped", own)));
    }

    public void Dispose() => OwnedPath.Delete(_directory);
}
