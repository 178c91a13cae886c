using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.ElasticLoadBalancingV2;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;
using Cw = BlueGreen.Aws.CloudWatch.Model;
using Cd = BlueGreen.Aws.CodeDeploy.Model;
using Elb = BlueGreen.Aws.ElasticLoadBalancingV2.Model;
using Fn = BlueGreen.Aws.Lambda.Model;

namespace BlueGreen.Tests.Runtime;

/// <summary>
/// Errors as AWS puts them on the wire in each protocol family (the same forms moto writes), read into
/// <see cref="AwsServiceException"/> with the code the generated *ErrorCode constants name.
/// </summary>
public sealed class ErrorWireFormatTests
{
    [Fact]
    public async Task AwsJson11_TypeInBodyAndHeader()
    {
        using var server = new ScriptedHttpServer().Respond(400,
            """{"__type":"DeploymentDoesNotExistException","message":"The deployment d-X could not be found."}""",
            new Dictionary<string, string> { ["X-Amzn-Errortype"] = "DeploymentDoesNotExistException" });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new CodeDeployClient(server.Context()).GetDeploymentAsync(new Cd.GetDeploymentRequest { DeploymentId = "d-X" }));

        Assert.Equal(CodeDeployErrorCode.DeploymentDoesNotExistException, error.ErrorCode);
        Assert.Equal("The deployment d-X could not be found.", error.Message);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("scripted-1", error.RequestId);
        Assert.Equal("CodeDeploy", error.Service);
        Assert.Equal("GetDeployment", error.Operation);
    }

    [Fact]
    public async Task AwsJson10_QueryCompatibleCodeWins()
    {
        // CloudWatch over JSON: the shape name is LimitExceededFault, its Query-era code (the model's) LimitExceeded.
        using var server = new ScriptedHttpServer().Respond(400,
            """{"__type":"GraniteServiceVersion20100801#LimitExceededFault","Message":"too many alarms"}""",
            new Dictionary<string, string>
            {
                ["Content-Type"] = "application/x-amz-json-1.0",
                ["X-Amzn-Errortype"] = "GraniteServiceVersion20100801#LimitExceededFault",
                ["x-amzn-query-error"] = "LimitExceeded;Sender",
            });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new CloudWatchClient(server.Context()).PutMetricAlarmAsync(new Cw.PutMetricAlarmRequest
            {
                AlarmName = "a", EvaluationPeriods = 1, ComparisonOperator = Cw.ComparisonOperator.GreaterThanThreshold,
            }));

        Assert.Equal(CloudWatchErrorCode.LimitExceededFault, error.ErrorCode);
        Assert.Equal("LimitExceeded", error.ErrorCode);
        Assert.Equal("too many alarms", error.Message);
    }

    [Fact]
    public async Task AwsJson10_WithoutQueryHeader_UsesTheNamespacedType()
    {
        using var server = new ScriptedHttpServer().Respond(404,
            """{"__type":"GraniteServiceVersion20100801#ResourceNotFound","Message":"alarm missing"}""",
            new Dictionary<string, string> { ["Content-Type"] = "application/x-amz-json-1.0" });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new CloudWatchClient(server.Context()).SetAlarmStateAsync(new Cw.SetAlarmStateRequest { AlarmName = "a", StateValue = "ALARM", StateReason = "r" }));

        Assert.Equal(CloudWatchErrorCode.ResourceNotFound, error.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task RestJson_HeaderWithSuffixAndCapitalMessage()
    {
        using var server = new ScriptedHttpServer().Respond(404,
            """{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"}""",
            new Dictionary<string, string>
            {
                ["Content-Type"] = "application/json",
                ["X-Amzn-Errortype"] = "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awsgirgarbage/",
            });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new LambdaClient(server.Context()).GetFunctionAsync(new Fn.GetFunctionRequest { FunctionName = "nope" }));

        Assert.Equal(LambdaErrorCode.ResourceNotFoundException, error.ErrorCode);
        Assert.StartsWith("Function not found", error.Message, System.StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Query_XmlErrorResponse()
    {
        using var server = new ScriptedHttpServer().Respond(400,
            """<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>LoadBalancerNotFound</Code><Message>One or more load balancers not found</Message></Error><RequestId>req-xml-1</RequestId></ErrorResponse>""",
            new Dictionary<string, string> { ["Content-Type"] = "text/xml" });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new ElasticLoadBalancingV2Client(server.Context()).DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest { Names = new() { "nope" } }));

        Assert.Equal(ElasticLoadBalancingV2ErrorCode.LoadBalancerNotFoundException, error.ErrorCode);
        Assert.Equal("One or more load balancers not found", error.Message);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(error.IsRetryable);
    }
}
