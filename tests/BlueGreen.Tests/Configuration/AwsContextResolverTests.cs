using System;
using System.Collections.Generic;
using System.IO;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;
using BlueGreen.Testing;

namespace BlueGreen.Tests.Configuration;

/// <summary>Region, credential and endpoint resolution, with the environment and profile files under the test's control.</summary>
public sealed class AwsContextResolverTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "bg-resolver-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _environment = new(StringComparer.Ordinal);

    public AwsContextResolverTests()
    {
        Directory.CreateDirectory(_directory);
        _environment["AWS_EC2_METADATA_DISABLED"] = "true";
    }

    private AwsContext Resolve(AwsConnectionSettings settings) =>
        new AwsContextResolver(name => _environment.TryGetValue(name, out var value) ? value : null).Resolve(settings);

    private string CredentialsFile(string text)
    {
        var path = Path.Combine(_directory, "credentials");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ExplicitKeys_WinOverEnvironment_AndRegionFromParameter()
    {
        _environment["AWS_ACCESS_KEY_ID"] = "env-key";
        _environment["AWS_SECRET_ACCESS_KEY"] = "env-secret";
        _environment["AWS_REGION"] = "eu-west-1";

        var context = Resolve(new AwsConnectionSettings { AccessKey = "param-key", SecretKey = "param-secret", Region = "eu-central-1" });

        Assert.Equal("parameters", context.CredentialSource);
        Assert.Equal("param-key", context.Credentials.GetCredentials().AccessKey);
        Assert.Equal("eu-central-1", context.Region);
    }

    [Fact]
    public void Environment_GivesKeysAndRegion_AwsRegionBeforeDefaultRegion()
    {
        _environment["AWS_ACCESS_KEY_ID"] = "env-key";
        _environment["AWS_SECRET_ACCESS_KEY"] = "env-secret";
        _environment["AWS_SESSION_TOKEN"] = "env-token";
        _environment["AWS_REGION"] = "ap-southeast-2";
        _environment["AWS_DEFAULT_REGION"] = "us-west-2";

        var context = Resolve(new AwsConnectionSettings());

        Assert.Equal("environment", context.CredentialSource);
        var credentials = context.Credentials.GetCredentials();
        Assert.Equal("env-token", credentials.Token);
        Assert.Equal("ap-southeast-2", context.Region);
    }

    [Fact]
    public void StoredRegion_ComesAfterParameterAndBeforeEnvironment()
    {
        _environment["AWS_REGION"] = "us-west-2";
        var context = Resolve(new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", StoredRegion = "eu-north-1" });
        Assert.Equal("eu-north-1", context.Region);
    }

    [Fact]
    public void NamedProfile_GivesCredentialsAndItsRegion()
    {
        var file = CredentialsFile("[ci]\naws_access_key_id = profile-key\naws_secret_access_key = profile-secret\nregion = ca-central-1\n");

        var context = Resolve(new AwsConnectionSettings { ProfileName = "ci", ProfileLocation = file });

        Assert.Equal("profile 'ci'", context.CredentialSource);
        Assert.Equal("ci", context.ProfileName);
        Assert.Equal("profile-key", context.Credentials.GetCredentials().AccessKey);
        Assert.Equal("ca-central-1", context.Region);
    }

    [Fact]
    public void UnknownProfile_NamesTheFile()
    {
        var file = CredentialsFile("[other]\naws_access_key_id = a\naws_secret_access_key = b\n");
        var error = Assert.Throws<AwsConfigurationException>(() =>
            Resolve(new AwsConnectionSettings { ProfileName = "missing", ProfileLocation = file, Region = "us-east-1" }));
        Assert.Equal("UnknownProfile", error.ErrorId);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Equal("missing", error.Target);
    }

    [Theory]
    [InlineData("us-east-1", "aws", "https://codedeploy.us-east-1.amazonaws.com/")]
    [InlineData("cn-north-1", "aws-cn", "https://codedeploy.cn-north-1.amazonaws.com.cn/")]
    [InlineData("us-gov-west-1", "aws-us-gov", "https://codedeploy.us-gov-west-1.amazonaws.com/")]
    public void DefaultEndpoints_FollowThePartition(string region, string partition, string endpoint)
    {
        var context = Resolve(new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", Region = region });
        Assert.Equal(partition, context.Partition.Id);
        Assert.Equal(endpoint, context.GetEndpoint(AwsServiceMetadata.CodeDeploy).ToString());
    }

    [Fact]
    public void EndpointPrecedence_ParameterThenServiceVariableThenSharedVariable()
    {
        _environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4000";
        _environment["AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"] = "http://127.0.0.1:5000";
        var keys = new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", Region = "us-east-1" };

        var fromEnvironment = Resolve(keys);
        Assert.Equal("http://127.0.0.1:5000/", fromEnvironment.GetEndpoint(AwsServiceMetadata.ElasticLoadBalancingV2).ToString());
        Assert.Equal("http://127.0.0.1:4000/", fromEnvironment.GetEndpoint(AwsServiceMetadata.Lambda).ToString());

        keys.EndpointUrl = "http://127.0.0.1:6000";
        var fromParameter = Resolve(keys);
        Assert.Equal("http://127.0.0.1:6000/", fromParameter.GetEndpoint(AwsServiceMetadata.ElasticLoadBalancingV2).ToString());
    }

    [Fact]
    public void IgnoreConfiguredEndpoints_KeepsThePartitionDefault_ButNotTheParameter()
    {
        _environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4000";
        _environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";

        var context = Resolve(new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", Region = "us-east-1" });
        Assert.Equal("https://ecs.us-east-1.amazonaws.com/", context.GetEndpoint(AwsServiceMetadata.Ecs).ToString());

        var explicitOne = Resolve(new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", Region = "us-east-1", EndpointUrl = "http://127.0.0.1:7000" });
        Assert.Equal("http://127.0.0.1:7000/", explicitOne.GetEndpoint(AwsServiceMetadata.Ecs).ToString());
    }

    [Fact]
    public void ProfileEndpointUrl_IsUsedLast()
    {
        var file = CredentialsFile("[default]\naws_access_key_id = a\naws_secret_access_key = b\nregion = us-east-1\nendpoint_url = http://127.0.0.1:8000\n");
        var context = Resolve(new AwsConnectionSettings { ProfileLocation = file });
        Assert.Equal("http://127.0.0.1:8000/", context.GetEndpoint(AwsServiceMetadata.CloudWatch).ToString());

        _environment["AWS_ENDPOINT_URL_CLOUDWATCH"] = "http://127.0.0.1:9000";
        Assert.Equal("http://127.0.0.1:9000/", Resolve(new AwsConnectionSettings { ProfileLocation = file }).GetEndpoint(AwsServiceMetadata.CloudWatch).ToString());
    }

    [Theory]
    [InlineData("http://localhost:4566", false, null)]
    [InlineData("http://[::1]:4566", false, null)]
    [InlineData("http://127.0.0.2:4566", false, null)]
    [InlineData("http://192.0.2.10:4566", false, "InsecureEndpointUrl")]
    [InlineData("http://192.0.2.10:4566", true, null)]
    [InlineData("https://192.0.2.10", false, null)]
    [InlineData("codedeploy.us-east-1.amazonaws.com", false, "InvalidEndpointUrl")]
    [InlineData("file:///etc/passwd", false, "InvalidEndpointUrl")]
    public void EndpointUrls_AreChecked(string url, bool allowInsecure, string? errorId)
    {
        var settings = new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", Region = "us-east-1", EndpointUrl = url, AllowInsecureEndpoint = allowInsecure };
        if (errorId is null)
        {
            Assert.NotNull(Resolve(settings));
        }
        else
        {
            Assert.Equal(errorId, Assert.Throws<AwsConfigurationException>(() => Resolve(settings)).ErrorId);
        }
    }

    [Fact]
    public void NoRegionAnywhere_SaysHowToSetOne()
    {
        var error = Assert.Throws<AwsConfigurationException>(() =>
            Resolve(new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", ProfileLocation = CredentialsFile("") }));
        Assert.Equal("NoRegion", error.ErrorId);
        Assert.Contains("-Region", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void ContextText_NeverHoldsTheSecret()
    {
        var context = Resolve(new AwsConnectionSettings { AccessKey = "AKIDVISIBLE", SecretKey = "very-secret-value", SessionToken = "token-value", Region = "us-east-1" });
        Assert.DoesNotContain("very-secret-value", context.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("token-value", context.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MaxAttempts_ComesFromTheEnvironment()
    {
        _environment["AWS_MAX_ATTEMPTS"] = "7";
        Assert.Equal(7, Resolve(new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", Region = "us-east-1" }).RetryPolicy.MaxAttempts);
    }

    [Fact]
    public void MaxAttempts_DefaultsToTen_MoreThanTheSdksThree()
    {
        Assert.Equal(AwsRetryPolicy.DefaultMaxAttempts, Resolve(new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", Region = "us-east-1" }).RetryPolicy.MaxAttempts);
        Assert.Equal(10, AwsRetryPolicy.DefaultMaxAttempts);
    }

    [Fact]
    public void MaxAttempts_ComesFromTheProfile_AndTheEnvironmentWins()
    {
        var file = CredentialsFile("[ci]\naws_access_key_id = profile-key\naws_secret_access_key = profile-secret\nregion = ca-central-1\nmax_attempts = 4\n");
        var settings = new AwsConnectionSettings { ProfileName = "ci", ProfileLocation = file };
        Assert.Equal(4, Resolve(settings).RetryPolicy.MaxAttempts);
        _environment["AWS_MAX_ATTEMPTS"] = "6";
        Assert.Equal(6, Resolve(settings).RetryPolicy.MaxAttempts);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("three")]
    [InlineData("2.5")]
    public void MaxAttempts_ThatIsNotAWholeNumberOfAttempts_IsRefusedBeforeAnythingIsSent(string value)
    {
        _environment["AWS_MAX_ATTEMPTS"] = value;
        var error = Assert.Throws<AwsConfigurationException>(() => Resolve(new AwsConnectionSettings { AccessKey = "a", SecretKey = "b", Region = "us-east-1" }));
        Assert.Equal("InvalidMaxAttempts", error.ErrorId);
        Assert.Contains("AWS_MAX_ATTEMPTS", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => OwnedPath.Delete(_directory);
}
