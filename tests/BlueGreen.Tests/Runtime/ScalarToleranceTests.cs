using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.ElasticLoadBalancingV2;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;
using Cw = BlueGreen.Aws.CloudWatch.Model;
using Ecs = BlueGreen.Aws.ECS.Model;
using Elb = BlueGreen.Aws.ElasticLoadBalancingV2.Model;
using Fn = BlueGreen.Aws.Lambda.Model;

namespace BlueGreen.Tests.Runtime;

/// <summary>
/// Answers whose scalars are not in the JSON type the model names, read as botocore reads them (its parsers do
/// not type-check scalars): a number or boolean where a string is modelled is its text, a numeric string where a
/// number is modelled is the number, "true"/"false" are booleans, timestamps come as epoch seconds (number or
/// string), ISO 8601 or RFC 822, an explicit null is an absent member, unknown members and enum values are
/// harmless. What is not a scalar where a scalar is modelled stays an error that names the operation.
/// </summary>
public sealed class ScalarToleranceTests
{
    private static readonly DateTime Noon = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    private static async Task<Ecs.DescribeTasksResponse> DescribeTasks(string body)
    {
        using var server = new ScriptedHttpServer().Respond(200, body);
        return await new EcsClient(server.Context(maxAttempts: 1)).DescribeTasksAsync(new Ecs.DescribeTasksRequest { Tasks = new() { "t" } });
    }

    [Fact]
    public async Task AwsJson11_NumberOrBooleanWhereStringIsModelled_IsReadAsItsText()
    {
        // moto 5.2.1 answers DescribeTasks with containers[].cpu as a number; the model says string.
        var task = (await DescribeTasks("""{"tasks":[{"cpu":256,"memory":512.5,"group":true,"containers":[{"name":"web","cpu":0,"memory":-1,"reason":false}]}],"failures":[]}""")).Tasks!.Single();

        Assert.Equal("256", task.Cpu);
        Assert.Equal("512.5", task.Memory);
        Assert.Equal("true", task.Group);
        var container = task.Containers!.Single();
        Assert.Equal(("web", "0", "-1", "false"), (container.Name, container.Cpu, container.Memory, container.Reason));
    }

    [Fact]
    public async Task AwsJson11_NumericStringWhereANumberIsModelled_IsReadAsTheNumber()
    {
        var task = (await DescribeTasks("""{"tasks":[{"version":"7","containers":[{"exitCode":" 137 "},{"exitCode":"2.0"},{"exitCode":3.0}]}]}""")).Tasks!.Single();

        Assert.Equal(7L, task.Version);
        Assert.Equal(new int?[] { 137, 2, 3 }, task.Containers!.Select(c => c.ExitCode));
    }

    [Fact]
    public async Task AwsJson11_BooleanAsString_IsReadAsTheBoolean()
    {
        var tasks = (await DescribeTasks("""{"tasks":[{"enableExecuteCommand":"true"},{"enableExecuteCommand":"False"},{"enableExecuteCommand":true}]}""")).Tasks!;

        Assert.Equal(new bool?[] { true, false, true }, tasks.Select(t => t.EnableExecuteCommand));
    }

    [Fact]
    public async Task AwsJson11_TimestampsInEveryFormBotocoreReads()
    {
        var tasks = (await DescribeTasks("""
            {"tasks":[
              {"createdAt":1796126400},
              {"createdAt":1796126400.25},
              {"createdAt":"1796126400"},
              {"createdAt":"2026-12-01T12:00:00Z"},
              {"createdAt":"2026-12-01T13:00:00+01:00"},
              {"createdAt":"Tue, 01 Dec 2026 12:00:00 GMT"}
            ]}
            """)).Tasks!;

        Assert.All(tasks.Select(t => t.CreatedAt!.Value), at => Assert.Equal(DateTimeKind.Utc, at.Kind));
        Assert.Equal(
            new[] { Noon, Noon.AddMilliseconds(250), Noon, Noon, Noon, Noon },
            tasks.Select(t => t.CreatedAt!.Value));
    }

    [Fact]
    public async Task AwsJson11_ExplicitNullIsAbsent_UnknownMembersAndEnumValuesAreKeptOrIgnored()
    {
        var response = await DescribeTasks("""
            {"tasks":[{"taskArn":"arn:t","cpu":null,"containers":null,"createdAt":null,"version":null,"enableExecuteCommand":null,
                       "launchType":"QUANTUM","aMemberFromTheFuture":{"nested":[1,2,{"x":null}]},"anotherOne":12}],
             "failures":null,"nextThing":"x"}
            """);

        var task = response.Tasks!.Single();
        Assert.Equal("arn:t", task.TaskArn);
        Assert.Null(task.Cpu);
        Assert.Null(task.Containers);
        Assert.Null(task.CreatedAt);
        Assert.Null(task.Version);
        Assert.Null(task.EnableExecuteCommand);
        Assert.Null(response.Failures);
        Assert.Equal("QUANTUM", task.LaunchType);
    }

    [Fact]
    public async Task AwsJson11_WhatIsNotAScalar_StaysAnErrorThatNamesTheOperation()
    {
        foreach (var body in new[]
        {
            """{"tasks":[{"cpu":{"units":256}}]}""",
            """{"tasks":[{"version":1.5}]}""",
            """{"tasks":[{"enableExecuteCommand":"yes"}]}""",
            """{"tasks":[{"createdAt":"the day after tomorrow"}]}""",
            """{"tasks":[{"containers":[{"exitCode":"ninety"}]}]}""",
            """{"tasks":"all of them"}""",
        })
        {
            var error = await Assert.ThrowsAsync<AwsServiceException>(() => DescribeTasks(body));
            Assert.Equal("UnreadableResponse", error.ErrorCode);
            Assert.Equal("ECS", error.Service);
            Assert.Equal("DescribeTasks", error.Operation);
            Assert.Equal(HttpStatusCode.OK, error.StatusCode);
            Assert.Contains("ECS answered DescribeTasks with HTTP 200", error.Message, StringComparison.Ordinal);
            Assert.Contains("$.tasks", error.Message, StringComparison.Ordinal);
            Assert.False(error.IsRetryable);
            Assert.False(error.OutcomeUnknown, "DescribeTasks only reads");
        }
    }

    [Fact]
    public async Task AwsJson11_RequestsStillCarryTheModelledTypes()
    {
        using var server = new ScriptedHttpServer().Respond(200, "{}");
        await new EcsClient(server.Context(maxAttempts: 1)).RegisterTaskDefinitionAsync(new Ecs.RegisterTaskDefinitionRequest
        {
            Family = "web",
            Cpu = "256",
            ContainerDefinitions = new() { new Ecs.ContainerDefinition { Name = "web", Memory = 512, Essential = false } },
        });

        var body = server.Requests.Single().Body;
        Assert.Contains("\"cpu\":\"256\"", body, StringComparison.Ordinal);
        Assert.Contains("\"memory\":512", body, StringComparison.Ordinal);
        Assert.Contains("\"essential\":false", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsJson10_CloudWatch_ReadsTheSameDeviations()
    {
        using var server = new ScriptedHttpServer().Respond(200, """
            {"MetricAlarms":[{"AlarmName":5,"Threshold":"2.5","EvaluationPeriods":"3","Period":60.0,"ActionsEnabled":"false",
                              "StateUpdatedTimestamp":"2026-12-01T12:00:00.000Z","StateValue":"SOMETHING_NEW","Unit":null,"Extra":[]},
                             {"AlarmName":"nan","Threshold":"NaN"}]}
            """, new Dictionary<string, string> { ["Content-Type"] = "application/x-amz-json-1.0" });
        var alarms = (await new CloudWatchClient(server.Context(maxAttempts: 1)).DescribeAlarmsAsync(new Cw.DescribeAlarmsRequest())).MetricAlarms!;

        var alarm = alarms[0];
        Assert.Equal("5", alarm.AlarmName);
        Assert.Equal(2.5, alarm.Threshold);
        Assert.Equal(3, alarm.EvaluationPeriods);
        Assert.Equal(60, alarm.Period);
        Assert.False(alarm.ActionsEnabled);
        Assert.Equal(Noon, alarm.StateUpdatedTimestamp);
        Assert.Equal("SOMETHING_NEW", alarm.StateValue);
        Assert.Null(alarm.Unit);
        Assert.True(double.IsNaN(alarms[1].Threshold!.Value));
    }

    [Fact]
    public async Task RestJson_Lambda_ReadsTheSameDeviations()
    {
        using var server = new ScriptedHttpServer().Respond(200, """
            {"Name":"live","FunctionVersion":3,"RevisionId":null,"RoutingConfig":{"AdditionalVersionWeights":{"4":"0.1","5":0.2}},"Unknown":{"a":1}}
            """, new Dictionary<string, string> { ["Content-Type"] = "application/json" });
        var alias = await new LambdaClient(server.Context(maxAttempts: 1)).GetAliasAsync(new Fn.GetAliasRequest { FunctionName = "f", Name = "live" });

        Assert.Equal("live", alias.Name);
        Assert.Equal("3", alias.FunctionVersion);
        Assert.Null(alias.RevisionId);
        Assert.Equal(new Dictionary<string, double> { ["4"] = 0.1, ["5"] = 0.2 }, alias.RoutingConfig!.AdditionalVersionWeights);
    }

    [Fact]
    public async Task RestJson_Lambda_NumbersAsStringsAndNull()
    {
        using var server = new ScriptedHttpServer().Respond(200, """
            {"FunctionName":"f","MemorySize":"512","Timeout":30,"CodeSize":"1048576","Version":1,"LastModified":"2026-12-01T12:00:00.000+0000","Layers":null}
            """, new Dictionary<string, string> { ["Content-Type"] = "application/json" });
        var function = await new LambdaClient(server.Context(maxAttempts: 1)).GetFunctionConfigurationAsync(new Fn.GetFunctionConfigurationRequest { FunctionName = "f" });

        Assert.Equal((512, 30, 1048576L, "1"), (function.MemorySize, function.Timeout, function.CodeSize, function.Version));
        Assert.Equal("2026-12-01T12:00:00.000+0000", function.LastModified);
        Assert.Null(function.Layers);
    }

    [Fact]
    public async Task AwsQueryXml_ScalarsAreText_UnknownElementsIgnored_TimestampsInEitherForm()
    {
        using var server = new ScriptedHttpServer().Respond(200, """
            <DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <DescribeLoadBalancersResult>
                <LoadBalancers>
                  <member><LoadBalancerName>a</LoadBalancerName><CreatedTime>2026-12-01T12:00:00.000Z</CreatedTime><Type>quantum</Type><FromTheFuture><x>1</x></FromTheFuture></member>
                  <member><LoadBalancerName>b</LoadBalancerName><CreatedTime>1796126400</CreatedTime></member>
                </LoadBalancers>
              </DescribeLoadBalancersResult>
              <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
            </DescribeLoadBalancersResponse>
            """, new Dictionary<string, string> { ["Content-Type"] = "text/xml" });
        var balancers = (await new ElasticLoadBalancingV2Client(server.Context(maxAttempts: 1)).DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest())).LoadBalancers!;

        Assert.Equal(new[] { "a", "b" }, balancers.Select(b => b.LoadBalancerName));
        Assert.Equal(new DateTime?[] { Noon, Noon }, balancers.Select(b => b.CreatedTime));
        Assert.Equal("quantum", balancers[0].Type);
    }

    [Fact]
    public async Task AwsQueryXml_NumbersAndBooleans_WithWhitespace_AndAnEmptyStringElement()
    {
        using var server = new ScriptedHttpServer().Respond(200, """
            <DescribeTargetGroupsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <DescribeTargetGroupsResult><TargetGroups><member>
                <TargetGroupName>tg</TargetGroupName><Port> 8080 </Port><HealthCheckEnabled>true</HealthCheckEnabled><HealthCheckPath></HealthCheckPath>
              </member></TargetGroups></DescribeTargetGroupsResult>
            </DescribeTargetGroupsResponse>
            """, new Dictionary<string, string> { ["Content-Type"] = "text/xml" });
        var group = (await new ElasticLoadBalancingV2Client(server.Context(maxAttempts: 1)).DescribeTargetGroupsAsync(new Elb.DescribeTargetGroupsRequest())).TargetGroups!.Single();

        Assert.Equal(("tg", 8080, true, ""), (group.TargetGroupName, group.Port, group.HealthCheckEnabled, group.HealthCheckPath));
    }

    [Fact]
    public async Task AwsQueryXml_ANumberThatIsNotOne_IsAnErrorThatNamesTheOperation()
    {
        using var server = new ScriptedHttpServer().Respond(200, """
            <DescribeTargetGroupsResponse><DescribeTargetGroupsResult><TargetGroups><member><Port>eighty</Port></member></TargetGroups></DescribeTargetGroupsResult></DescribeTargetGroupsResponse>
            """, new Dictionary<string, string> { ["Content-Type"] = "text/xml" });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new ElasticLoadBalancingV2Client(server.Context(maxAttempts: 1)).DescribeTargetGroupsAsync(new Elb.DescribeTargetGroupsRequest()));

        Assert.Equal("UnreadableResponse", error.ErrorCode);
        Assert.Contains("DescribeTargetGroups with HTTP 200", error.Message, StringComparison.Ordinal);
    }
}
