using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.ElasticLoadBalancingV2;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;
using Cd = BlueGreen.Aws.CodeDeploy.Model;
using Elb = BlueGreen.Aws.ElasticLoadBalancingV2.Model;
using Fn = BlueGreen.Aws.Lambda.Model;

namespace BlueGreen.Tests.Runtime;

/// <summary>
/// Answers that are not the service's protocol (an HTML error page, plain text, an empty body): the error names
/// the service, the operation, the HTTP status and a short, sanitised excerpt of what came, never an empty message.
/// </summary>
public sealed class NonProtocolAnswerTests
{
    // What moto 5.2.1 (Flask/Werkzeug) answers for an operation it does not implement.
    private const string WerkzeugPage = """
        <!doctype html>
        <html lang=en>
        <title>500 Internal Server Error</title>
        <h1>Internal Server Error</h1>
        <p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>
        """;

    private static readonly Dictionary<string, string> Html = new() { ["Content-Type"] = "text/html; charset=utf-8" };

    private static Task<Cd.GetDeploymentTargetResponse> GetDeploymentTarget(ScriptedHttpServer server) =>
        new CodeDeployClient(server.Context(maxAttempts: 1)).GetDeploymentTargetAsync(new Cd.GetDeploymentTargetRequest { DeploymentId = "d-1", TargetId = "c:web" });

    private static void AssertOneShortLine(string message)
    {
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain('<', message);
        Assert.DoesNotContain('\n', message);
        Assert.InRange(message.Length, 40, 400);
    }

    [Fact]
    public async Task AnHtml500_NamesTheOperationTheStatusAndAnExcerpt()
    {
        using var server = new ScriptedHttpServer().Respond(500, WerkzeugPage, Html);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => GetDeploymentTarget(server));

        Assert.Equal("InternalFailure", error.ErrorCode);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(("CodeDeploy", "GetDeploymentTarget"), (error.Service, error.Operation));
        Assert.StartsWith("CodeDeploy answered GetDeploymentTarget with HTTP 500 and a body that is not a JSON error (text/html): \"500 Internal Server Error Internal Server Error The server encountered an internal error",
            error.Message, StringComparison.Ordinal);
        AssertOneShortLine(error.Message);
        Assert.EndsWith("...\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHtml500_IsStillRetriedAsAServerError()
    {
        using var server = new ScriptedHttpServer().Respond(500, WerkzeugPage, Html).Respond(200, """{"deploymentTarget":{"deploymentTargetType":"ECSTarget"}}""");
        var target = await new CodeDeployClient(server.Context(maxAttempts: 2)).GetDeploymentTargetAsync(new Cd.GetDeploymentTargetRequest { DeploymentId = "d-1", TargetId = "c:web" });

        Assert.Equal("ECSTarget", target.DeploymentTarget!.DeploymentTargetType);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task AnEmptyBody_SaysSo()
    {
        using var server = new ScriptedHttpServer().Respond(502, string.Empty);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => GetDeploymentTarget(server));

        Assert.Equal("InternalFailure", error.ErrorCode);
        Assert.Equal("CodeDeploy answered GetDeploymentTarget with HTTP 502 and an empty body.", error.Message);
    }

    [Fact]
    public async Task PlainText_IsQuoted()
    {
        using var server = new ScriptedHttpServer().Respond(503, "upstream connect error or disconnect/reset before headers.\r\n  reset reason: overflow\r\n",
            new Dictionary<string, string> { ["Content-Type"] = "text/plain" });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => GetDeploymentTarget(server));

        Assert.Equal("CodeDeploy answered GetDeploymentTarget with HTTP 503 and a body that is not a JSON error (text/plain): \"upstream connect error or disconnect/reset before headers. reset reason: overflow\"",
            error.Message);
    }

    [Fact]
    public async Task AJsonObjectWithNeitherCodeNorMessage_IsQuotedToo()
    {
        using var server = new ScriptedHttpServer().Respond(400, """{"status":"bad","detail":{"why":"unknown"}}""");
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => GetDeploymentTarget(server));

        Assert.Equal("HttpStatus400", error.ErrorCode);
        Assert.Equal("""CodeDeploy answered GetDeploymentTarget with HTTP 400 and a body that is not a JSON error (application/x-amz-json-1.1): "{"status":"bad","detail":{"why":"unknown"}}" """.TrimEnd(), error.Message);
    }

    [Fact]
    public async Task ACodeWithoutAMessage_NamesTheOperationAndTheCode()
    {
        using var server = new ScriptedHttpServer().Respond(400, """{"__type":"com.amazon#InvalidTargetIdException"}""");
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => GetDeploymentTarget(server));

        Assert.Equal("InvalidTargetIdException", error.ErrorCode);
        Assert.Equal("CodeDeploy answered GetDeploymentTarget with HTTP 400 and InvalidTargetIdException, without a message.", error.Message);
    }

    [Fact]
    public async Task TheExcerpt_StripsScriptsAndStyles_MasksSecrets_AndIsBounded()
    {
        var page = "<html><head><style>body { color: red }</style><script>var apiKey = 'x';</script></head><body><!-- debug -->" +
                   "<h1>Bad Gateway</h1><p>Request headers: Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/codedeploy/aws4_request, " +
                   "SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; " +
                   "X-Amz-Security-Token: IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD; secret key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY &amp; more</p>" +
                   string.Concat(Enumerable.Repeat("<p>filler text that goes on</p>", 400)) + "</body></html>";
        using var server = new ScriptedHttpServer().Respond(502, page, Html);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new CodeDeployClient(server.Context(maxAttempts: 1, sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD"))
                .GetDeploymentTargetAsync(new Cd.GetDeploymentTargetRequest { DeploymentId = "d-1", TargetId = "c:web" }));

        AssertOneShortLine(error.Message);
        Assert.Contains("Bad Gateway Request headers: Authorization: ***", error.Message, StringComparison.Ordinal);
        foreach (var secret in new[] { "AKIAIOSFODNN7EXAMPLE", "0123456789abcdef", "IQoJb3JpZ2lu", "wJalrXUtnFEMI", "apiKey", "color", "debug" })
        {
            Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ASuccessThatIsNotJson_IsAnErrorThatNamesTheOperation_AndAChangeMayHaveHappened()
    {
        using var server = new ScriptedHttpServer().Respond(200, "<html><body>Welcome to our captive portal</body></html>", Html);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new CodeDeployClient(server.Context(maxAttempts: 1)).CreateDeploymentAsync(new Cd.CreateDeploymentRequest { ApplicationName = "a", DeploymentGroupName = "g" }));

        Assert.Equal("UnreadableResponse", error.ErrorCode);
        Assert.Equal(("CodeDeploy", "CreateDeployment", HttpStatusCode.OK), (error.Service, error.Operation, error.StatusCode));
        Assert.Equal("CodeDeploy answered CreateDeployment with HTTP 200 and a body that is not JSON (text/html): \"Welcome to our captive portal\"", error.Message);
        Assert.True(error.OutcomeUnknown, "the request was accepted, so a deployment may exist");
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task RestJson_AnHtml500_NamesTheOperation()
    {
        using var server = new ScriptedHttpServer().Respond(500, WerkzeugPage, Html);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new LambdaClient(server.Context(maxAttempts: 1)).GetAliasAsync(new Fn.GetAliasRequest { FunctionName = "f", Name = "live" }));

        Assert.Equal(("Lambda", "GetAlias", "InternalFailure"), (error.Service, error.Operation, error.ErrorCode));
        Assert.StartsWith("Lambda answered GetAlias with HTTP 500 and a body that is not a JSON error (text/html): \"500 Internal Server Error", error.Message, StringComparison.Ordinal);
        AssertOneShortLine(error.Message);
    }

    [Fact]
    public async Task Query_AnHtml403FromAProxy_NamesTheOperation()
    {
        using var server = new ScriptedHttpServer().Respond(403, "<html><body><h1>403 Forbidden</h1>Request blocked by the corporate proxy.</body></html>", Html);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new ElasticLoadBalancingV2Client(server.Context(maxAttempts: 1)).DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest()));

        Assert.Equal(("HttpStatus403", HttpStatusCode.Forbidden), (error.ErrorCode, error.StatusCode));
        Assert.Equal("Elastic Load Balancing v2 answered DescribeLoadBalancers with HTTP 403 and a body that is not an XML error (text/html): \"403 Forbidden Request blocked by the corporate proxy.\"",
            error.Message);
    }

    [Fact]
    public async Task Query_ASuccessThatIsNotXml_NamesTheOperation()
    {
        using var server = new ScriptedHttpServer().Respond(200, "OK", new Dictionary<string, string> { ["Content-Type"] = "text/plain" });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            new ElasticLoadBalancingV2Client(server.Context(maxAttempts: 1)).DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest()));

        Assert.Equal("UnreadableResponse", error.ErrorCode);
        Assert.Equal("Elastic Load Balancing v2 answered DescribeLoadBalancers with HTTP 200 and a body that is not XML (text/plain): \"OK\"", error.Message);
        Assert.False(error.OutcomeUnknown);
    }
}
