using System;
using System.Collections.Generic;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Tests.SmokeTests;

/// <summary>Bad settings and bad URLs are refused before anything is sent.</summary>
public sealed class SmokeTestPolicyTests
{
    [Theory]
    [InlineData(0, 1, 0.0, "InvalidRequestCount")]
    [InlineData(5, 0, 0.0, "InvalidConcurrency")]
    [InlineData(5, 6, 0.0, "InvalidConcurrency")]
    [InlineData(5, 1, -0.1, "InvalidMaxErrorRate")]
    [InlineData(5, 1, 1.5, "InvalidMaxErrorRate")]
    [InlineData(5, 1, double.NaN, "InvalidMaxErrorRate")]
    public void Bad_counts_and_rates_are_refused(int requests, int concurrency, double maxErrorRate, string errorId)
    {
        var policy = new SmokeTestPolicy { Requests = requests, Concurrency = concurrency, MaxErrorRate = maxErrorRate };

        var error = Assert.Throws<SmokeTestInputException>(policy.Validate);
        Assert.Equal(errorId, error.ErrorId);
        Assert.False(string.IsNullOrEmpty(error.RecommendedAction));
    }

    [Fact]
    public void Other_bad_settings_are_refused()
    {
        Assert.Equal("InvalidExpectStatus", Assert.Throws<SmokeTestInputException>(new SmokeTestPolicy { ExpectStatus = new[] { 200, 999 } }.Validate).ErrorId);
        Assert.Equal("InvalidExpectBodyMatch", Assert.Throws<SmokeTestInputException>(new SmokeTestPolicy { ExpectBodyMatch = "([" }.Validate).ErrorId);
        Assert.Equal("InvalidMaxLatency", Assert.Throws<SmokeTestInputException>(new SmokeTestPolicy { MaxLatency = TimeSpan.Zero }.Validate).ErrorId);
        Assert.Equal("InvalidTimeout", Assert.Throws<SmokeTestInputException>(new SmokeTestPolicy { Timeout = TimeSpan.Zero }.Validate).ErrorId);
        Assert.Equal("InvalidMethod", Assert.Throws<SmokeTestInputException>(new SmokeTestPolicy { Method = "GET /" }.Validate).ErrorId);
        Assert.Equal("InvalidHeader", Assert.Throws<SmokeTestInputException>(new SmokeTestPolicy { Headers = new Dictionary<string, string> { ["Bad Name"] = "x" } }.Validate).ErrorId);
    }

    [Fact]
    public void Good_settings_pass()
    {
        new SmokeTestPolicy { Requests = 5, Concurrency = 5, MaxErrorRate = 1, ExpectStatus = new[] { 200, 301 }, ExpectBodyMatch = "ok", MaxLatency = TimeSpan.FromMilliseconds(1) }.Validate();
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", null, null, "http://127.0.0.1:8080/")]
    [InlineData(null, "http://127.0.0.1:8080", "/health", "http://127.0.0.1:8080/health")]
    [InlineData("https://green.example.com/app/", "http://127.0.0.1:1", "health?deep=1", "https://green.example.com/app/health?deep=1")]
    [InlineData("https://green.example.com/app/", null, "/health", "https://green.example.com/health")]
    [InlineData("http://web-alb-1.us-east-1.elb.localhost:8080", null, null, "http://web-alb-1.us-east-1.elb.localhost:8080/")]
    [InlineData("http://test.example.com:8080", null, null, "http://test.example.com:8080/")]
    public void The_target_is_the_uri_or_the_test_endpoint_with_the_path(string? uri, string? testEndpoint, string? path, string expected)
    {
        Assert.Equal(new Uri(expected), new SmokeTestPolicy().ResolveTarget(uri, testEndpoint, path, allowInsecure: false));
    }

    [Theory]
    [InlineData(null, null, null, "NoSmokeTestEndpoint")]
    [InlineData(null, " ", null, "NoSmokeTestEndpoint")]
    [InlineData("ftp://127.0.0.1/", null, null, "InvalidSmokeTestUri")]
    [InlineData("/health", null, null, "InvalidSmokeTestUri")]
    [InlineData("127.0.0.1:8080", null, null, "InvalidSmokeTestUri")]
    [InlineData("http://user:secret@127.0.0.1/", null, null, "InvalidSmokeTestUri")]
    [InlineData("http://127.0.0.1/", null, "http://elsewhere/", "InvalidSmokeTestPath")]
    [InlineData("http://127.0.0.1/", null, "//elsewhere/x", "InvalidSmokeTestPath")]
    public void Bad_targets_are_refused(string? uri, string? testEndpoint, string? path, string errorId)
    {
        var error = Assert.Throws<SmokeTestInputException>(() => new SmokeTestPolicy().ResolveTarget(uri, testEndpoint, path, allowInsecure: false));

        Assert.Equal(errorId, error.ErrorId);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_do_not_go_over_plain_http_to_another_machine_unless_allowed()
    {
        var policy = new SmokeTestPolicy { Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["authorization"] = "Bearer x" } };

        Assert.Equal("InsecureSmokeTestUri", Assert.Throws<SmokeTestInputException>(() => policy.ResolveTarget("http://test.example.com:8080", null, null, false)).ErrorId);
        Assert.Equal(new Uri("http://test.example.com:8080/"), policy.ResolveTarget("http://test.example.com:8080", null, null, allowInsecure: true));
        Assert.Equal(new Uri("https://test.example.com/"), policy.ResolveTarget("https://test.example.com", null, null, false));
        Assert.Equal(new Uri("http://127.0.0.1:8080/"), policy.ResolveTarget("http://127.0.0.1:8080", null, null, false));
        Assert.Equal(new Uri("http://[::1]:8080/"), policy.ResolveTarget("http://[::1]:8080", null, null, false));
        Assert.Equal(new Uri("http://localhost:8080/"), policy.ResolveTarget("http://localhost:8080", null, null, false));
    }
}
