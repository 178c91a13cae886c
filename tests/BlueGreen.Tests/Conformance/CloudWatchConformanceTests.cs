using System;
using System.Linq;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Aws.CloudWatch.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Conformance;

/// <summary>The CloudWatch client (awsJson1_0, X-Amz-Target GraniteServiceVersion20100801.*) judged by moto.</summary>
[Collection(MotoGroup.Name)]
public sealed class CloudWatchConformanceTests
{
    private readonly MotoServer _moto;

    public CloudWatchConformanceTests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task Alarm_PutDescribeAndSetState()
    {
        var client = new CloudWatchClient(_moto.Context());
        var name = MotoServer.UniqueName("alarm");
        var put = await client.PutMetricAlarmAsync(new PutMetricAlarmRequest
        {
            AlarmName = name,
            AlarmDescription = "green 5xx",
            ActionsEnabled = true,
            MetricName = "HTTPCode_Target_5XX_Count",
            Namespace = "AWS/ApplicationELB",
            Statistic = Statistic.Sum,
            Dimensions = new() { new Dimension { Name = "TargetGroup", Value = "targetgroup/green/0123456789abcdef" } },
            Period = 60,
            EvaluationPeriods = 2,
            DatapointsToAlarm = 1,
            Threshold = 5.5,
            ComparisonOperator = ComparisonOperator.GreaterThanOrEqualToThreshold,
            TreatMissingData = "notBreaching",
        });
        Assert.False(string.IsNullOrEmpty(put.RequestId));

        var alarm = (await client.DescribeAlarmsAsync(new DescribeAlarmsRequest { AlarmNames = new() { name } })).MetricAlarms!.Single();
        Assert.Equal(name, alarm.AlarmName);
        Assert.Equal("green 5xx", alarm.AlarmDescription);
        Assert.Equal("HTTPCode_Target_5XX_Count", alarm.MetricName);
        Assert.Equal(Statistic.Sum, alarm.Statistic);
        Assert.Equal(60, alarm.Period);
        Assert.Equal(2, alarm.EvaluationPeriods);
        Assert.Equal(5.5, alarm.Threshold);
        Assert.Equal(ComparisonOperator.GreaterThanOrEqualToThreshold, alarm.ComparisonOperator);
        Assert.True(alarm.ActionsEnabled);
        Assert.Equal(("TargetGroup", "targetgroup/green/0123456789abcdef"), alarm.Dimensions!.Select(d => (d.Name!, d.Value!)).Single());
        Assert.StartsWith("arn:aws:cloudwatch:us-east-1:", alarm.AlarmArn, StringComparison.Ordinal);
        Assert.NotNull(alarm.StateUpdatedTimestamp);

        await client.SetAlarmStateAsync(new SetAlarmStateRequest { AlarmName = name, StateValue = StateValue.Alarm, StateReason = "conformance" });
        var after = (await client.DescribeAlarmsAsync(new DescribeAlarmsRequest { AlarmNames = new() { name } })).MetricAlarms!.Single();
        Assert.Equal(StateValue.Alarm, after.StateValue);
        Assert.Equal("conformance", after.StateReason);

        var byState = await client.DescribeAlarmsAllPagesAsync(new DescribeAlarmsRequest { StateValue = StateValue.Alarm });
        Assert.Contains(byState.SelectMany(p => p.MetricAlarms!), a => a.AlarmName == name);
    }

    [Fact]
    public async Task Dashboard_PutGetListAndDelete()
    {
        var client = new CloudWatchClient(_moto.Context());
        var name = MotoServer.UniqueName("bluegreen-train");
        const string Body = "{\"widgets\":[{\"type\":\"text\",\"x\":0,\"y\":0,\"width\":24,\"height\":2,\"properties\":{\"markdown\":\"# train\"}}]}";
        var put = await client.PutDashboardAsync(new PutDashboardRequest { DashboardName = name, DashboardBody = Body });
        Assert.Empty(put.DashboardValidationMessages ?? new());

        var read = await client.GetDashboardAsync(new GetDashboardRequest { DashboardName = name });
        Assert.Equal(name, read.DashboardName);
        Assert.Equal(Body, read.DashboardBody);
        Assert.Contains("dashboard/" + name, read.DashboardArn, StringComparison.Ordinal);

        var listed = (await client.ListDashboardsAllPagesAsync(new ListDashboardsRequest { DashboardNamePrefix = name })).SelectMany(p => p.DashboardEntries!).ToList();
        Assert.Equal(name, Assert.Single(listed).DashboardName);

        await client.DeleteDashboardsAsync(new DeleteDashboardsRequest { DashboardNames = new() { name } });
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetDashboardAsync(new GetDashboardRequest { DashboardName = name }));
        Assert.Equal(CloudWatchErrorCode.DashboardNotFoundError, missing.ErrorCode);
    }

    [Fact]
    public async Task GetMetricData_AnswersEveryQuery()
    {
        var client = new CloudWatchClient(_moto.Context());
        var end = DateTime.UtcNow;
        var response = await client.GetMetricDataAsync(new GetMetricDataRequest
        {
            StartTime = end.AddMinutes(-10),
            EndTime = end,
            MetricDataQueries = new()
            {
                new MetricDataQuery
                {
                    Id = "errors",
                    MetricStat = new MetricStat
                    {
                        Metric = new Metric { Namespace = "AWS/ApplicationELB", MetricName = "HTTPCode_Target_5XX_Count", Dimensions = new() { new Dimension { Name = "TargetGroup", Value = "none" } } },
                        Period = 60,
                        Stat = "Sum",
                    },
                },
            },
        });

        var result = response.MetricDataResults!.Single();
        Assert.Equal("errors", result.Id);
        Assert.NotNull(result.Values);
        Assert.Empty(result.Values!);
    }

    [Fact]
    public async Task SetStateOfMissingAlarm_IsTypedJson10Error()
    {
        var client = new CloudWatchClient(_moto.Context());
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            client.SetAlarmStateAsync(new SetAlarmStateRequest { AlarmName = MotoServer.UniqueName("none"), StateValue = StateValue.Ok, StateReason = "x" }));

        Assert.Equal(CloudWatchErrorCode.ResourceNotFound, error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
    }

    [Fact]
    public async Task InvalidQuery_TakesTheQueryCompatibleCode()
    {
        // moto, like CloudWatch, names the shape in __type (ValidationException) and the Query-era code in
        // x-amzn-query-error (ValidationError); the client reports the latter, as the AWS SDKs do.
        var client = new CloudWatchClient(_moto.Context());
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetMetricDataAsync(new GetMetricDataRequest
        {
            StartTime = DateTime.UtcNow.AddMinutes(-5),
            EndTime = DateTime.UtcNow,
            MetricDataQueries = new() { new MetricDataQuery { Id = "nothing" } },
        }));

        Assert.Equal("ValidationError", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("MetricStat", error.Message, StringComparison.Ordinal);
    }
}
