using System;
using System.Collections.Generic;
using BlueGreen.Core.Releases;

namespace BlueGreen.Tests.Releases;

public sealed class EcsAppSpecTests
{
    [Fact]
    public void Build_WritesTheEcsResourceAndHooksInLifecycleOrder()
    {
        var hooks = new Dictionary<string, string> { ["AfterAllowTraffic"] = "after", ["BeforeInstall"] = "before" };
        var spec = EcsAppSpec.Build("arn:aws:ecs:us-east-1:1:task-definition/web:7", "web", 8080, hooks, "web:6", "tok123");
        Assert.Contains("version: 0.0\n", spec, StringComparison.Ordinal);
        Assert.Contains("      Type: AWS::ECS::Service\n", spec, StringComparison.Ordinal);
        Assert.Contains("        TaskDefinition: \"arn:aws:ecs:us-east-1:1:task-definition/web:7\"\n", spec, StringComparison.Ordinal);
        Assert.Contains("          ContainerName: \"web\"\n          ContainerPort: 8080\n", spec, StringComparison.Ordinal);
        Assert.True(spec.IndexOf("BeforeInstall", StringComparison.Ordinal) < spec.IndexOf("AfterAllowTraffic", StringComparison.Ordinal));
        Assert.Contains("Hooks:\n  - BeforeInstall: \"before\"\n  - AfterAllowTraffic: \"after\"\n", spec, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithoutHooksHasNoHooksSection()
    {
        Assert.DoesNotContain("Hooks", EcsAppSpec.Build("web:2", "web", 80, null), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_QuotesValues()
    {
        var spec = EcsAppSpec.Build("web:2", "we\"b", 80, null);
        Assert.Contains("ContainerName: \"we\\\"b\"", spec, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GivesBackWhatBuildWrote()
    {
        var spec = EcsAppSpec.Build("web:7", "web", 80, null, "arn:aws:ecs:us-east-1:1:task-definition/web:6", "tok123");
        Assert.Equal("web:7", EcsAppSpec.ReadTaskDefinition(spec));
        Assert.Equal("arn:aws:ecs:us-east-1:1:task-definition/web:6", EcsAppSpec.ReadPreviousTaskDefinition(spec));
        Assert.Equal("tok123", EcsAppSpec.ReadToken(spec));
    }

    [Theory]
    [InlineData("{\"version\":0.0,\"Resources\":[{\"T\":{\"Type\":\"AWS::ECS::Service\",\"Properties\":{\"TaskDefinition\":\"arn:x:web:3\",\"LoadBalancerInfo\":{}}}}]}", "arn:x:web:3")]
    [InlineData("Resources:\n  - T:\n      Properties:\n        TaskDefinition: web:4\n", "web:4")]
    [InlineData("Resources:\n  - T:\n      Properties:\n        TaskDefinition: 'web:5'\n", "web:5")]
    [InlineData("{}", null)]
    [InlineData(null, null)]
    public void ReadTaskDefinition_YamlOrJson(string? content, string? expected)
    {
        Assert.Equal(expected, EcsAppSpec.ReadTaskDefinition(content));
        Assert.Null(EcsAppSpec.ReadPreviousTaskDefinition(content));
    }

    [Theory]
    [InlineData("BeforeAllowTraffic", "fn", null)]
    [InlineData("AllowTraffic", "fn", "not a lifecycle event")]
    [InlineData("beforeallowtraffic", "fn", "not a lifecycle event")]
    [InlineData("AfterInstall", " ", "names no Lambda function")]
    public void ValidateHooks(string name, string function, string? problem)
    {
        var result = EcsAppSpec.ValidateHooks(new Dictionary<string, string> { [name] = function });
        if (problem is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(problem, result!, StringComparison.Ordinal);
        }
    }
}
