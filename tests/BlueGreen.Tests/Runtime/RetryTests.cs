using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Runtime;

/// <summary>The transport's retries over real HTTP, against a local server that fails on purpose.
/// GetDeployment stands for reads (sent again when an answer is lost); CreateDeployment for operations that
/// create something (sent again only when the service surely did nothing).</summary>
public sealed class RetryTests
{
    private const string Deployment = "{\"deploymentInfo\":{\"deploymentId\":\"d-RETRIED\",\"status\":\"Created\"}}";

    private static Task<GetDeploymentResponse> Read(CodeDeployClient client, CancellationToken cancellationToken = default) =>
        client.GetDeploymentAsync(new GetDeploymentRequest { DeploymentId = "d-RETRIED" }, cancellationToken);

    private static Task<CreateDeploymentResponse> Create(CodeDeployClient client) =>
        client.CreateDeploymentAsync(new CreateDeploymentRequest { ApplicationName = "app", DeploymentGroupName = "group" });

    [Fact]
    public async Task Read_ServiceUnavailable_IsRetriedAndEveryAttemptIsSigned()
    {
        using var server = new ScriptedHttpServer().RespondError(503, "ServiceUnavailableException").RespondError(500, "InternalFailure").Respond(200, Deployment);
        var result = await Read(new CodeDeployClient(server.Context(maxAttempts: 3)));

        Assert.Equal("d-RETRIED", result.DeploymentInfo!.DeploymentId);
        Assert.Equal("scripted-3", result.RequestId);
        var requests = server.Requests.ToArray();
        Assert.Equal(3, requests.Length);
        Assert.All(requests, r =>
        {
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", r.Headers["Authorization"], StringComparison.Ordinal);
            Assert.Matches("^[0-9]{8}T[0-9]{6}Z$", r.Headers["X-Amz-Date"]);
            Assert.Equal("CodeDeploy_20141006.GetDeployment", r.Headers["X-Amz-Target"]);
            Assert.Equal("{\"deploymentId\":\"d-RETRIED\"}", r.Body);
        });
    }

    [Fact]
    public async Task Read_GivesUpAfterMaxAttempts_WithTheLastError()
    {
        using var server = new ScriptedHttpServer()
            .RespondError(503, "ServiceUnavailableException").RespondError(503, "ServiceUnavailableException").RespondError(503, "ServiceUnavailableException")
            .Respond(200, Deployment);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Read(new CodeDeployClient(server.Context(maxAttempts: 3))));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal("ServiceUnavailableException", error.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("scripted-3", error.RequestId);
        Assert.True(error.IsRetryable);
        Assert.False(error.IsThrottling);
        Assert.False(error.OutcomeUnknown);
    }

    [Fact]
    public async Task Read_LostAnswer_IsResentAndSignedAfresh()
    {
        // The first attempt gets no answer within the attempt timeout; the second is signed at a later second.
        using var server = new ScriptedHttpServer().Hang().Respond(200, Deployment);
        var context = server.Context(maxAttempts: 2);
        context.RetryPolicy.AttemptTimeout = TimeSpan.FromMilliseconds(1500);
        var result = await Read(new CodeDeployClient(context));

        Assert.Equal("d-RETRIED", result.DeploymentInfo!.DeploymentId);
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        var first = DateTime.ParseExact(requests[0].Headers["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var second = DateTime.ParseExact(requests[1].Headers["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        Assert.True(second > first, $"the retry was signed at {second:O}, not after the first attempt's {first:O}");
        Assert.NotEqual(requests[0].Headers["Authorization"], requests[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task Read_DroppedConnection_IsResent()
    {
        using var server = new ScriptedHttpServer().Drop().Respond(200, Deployment);
        var result = await Read(new CodeDeployClient(server.Context(maxAttempts: 3)));

        Assert.Equal("d-RETRIED", result.DeploymentInfo!.DeploymentId);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Read_Throttling_ExhaustsAsThrottling()
    {
        using var server = new ScriptedHttpServer().RespondError(400, "ThrottlingException").RespondError(429, "TooManyRequestsException");
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Read(new CodeDeployClient(server.Context(maxAttempts: 2))));

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("TooManyRequestsException", error.ErrorCode);
        Assert.True(error.IsThrottling);
        Assert.True(error.IsRetryable);
        Assert.False(error.OutcomeUnknown);
    }

    [Fact]
    public async Task Create_ServerError_IsNotResent_AndOutcomeIsUnknown()
    {
        using var server = new ScriptedHttpServer().RespondError(500, "InternalFailure").Respond(200, "{\"deploymentId\":\"d-TWICE\"}");
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Create(new CodeDeployClient(server.Context(maxAttempts: 3))));

        Assert.Single(server.Requests);
        Assert.Equal("InternalFailure", error.ErrorCode);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.True(error.OutcomeUnknown);
        Assert.Equal("CreateDeployment", error.Operation);
    }

    [Fact]
    public async Task Create_DroppedAnswer_IsNotResent_AndOutcomeIsUnknown()
    {
        using var server = new ScriptedHttpServer().Drop().Respond(200, "{\"deploymentId\":\"d-TWICE\"}");
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Create(new CodeDeployClient(server.Context(maxAttempts: 3))));

        Assert.Single(server.Requests);
        Assert.Equal("NetworkFailure", error.ErrorCode);
        Assert.Equal((HttpStatusCode)0, error.StatusCode);
        Assert.True(error.OutcomeUnknown);
    }

    [Fact]
    public async Task Create_DroppedAnswerOnAWarmConnection_IsNotResent()
    {
        // A read first leaves a kept-alive connection in the pool; the create then goes out on it and its
        // answer is lost. Nothing may send the create a second time, not even the HTTP stack underneath.
        using var server = new ScriptedHttpServer().Respond(200, Deployment).Drop().Respond(200, "{\"deploymentId\":\"d-TWICE\"}");
        var client = new CodeDeployClient(server.Context(maxAttempts: 3));
        await Read(client);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Create(client));

        var creates = server.Requests.Count(r => r.Headers["X-Amz-Target"].EndsWith(".CreateDeployment", StringComparison.Ordinal));
        Assert.Equal(1, creates);
        Assert.True(error.OutcomeUnknown);
    }

    [Fact]
    public async Task Create_LostAnswer_IsNotResent_AndOutcomeIsUnknown()
    {
        using var server = new ScriptedHttpServer().Hang().Respond(200, "{\"deploymentId\":\"d-TWICE\"}");
        var context = server.Context(maxAttempts: 3);
        context.RetryPolicy.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Create(new CodeDeployClient(context)));

        Assert.Single(server.Requests);
        Assert.Equal("RequestTimeout", error.ErrorCode);
        Assert.True(error.OutcomeUnknown);
    }

    [Fact]
    public async Task Create_Throttled_IsResent()
    {
        using var server = new ScriptedHttpServer().RespondError(400, "ThrottlingException").Respond(200, "{\"deploymentId\":\"d-AFTERTHROTTLE\"}");
        var result = await Create(new CodeDeployClient(server.Context(maxAttempts: 3)));

        Assert.Equal("d-AFTERTHROTTLE", result.DeploymentId);
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.All(requests, r => Assert.Contains("Signature=", r.Headers["Authorization"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_ConnectionRefused_IsResentThreeTimesAtMost_WhateverTheAttempts()
    {
        string url;
        using (var server = new ScriptedHttpServer())
        {
            url = server.Url;
        }

        // Nobody listens there any more: every attempt is refused before anything was sent.
        var trace = new CapturingTrace();
        var context = new BlueGreen.Aws.Configuration.AwsContextResolver(_ => null).Resolve(new BlueGreen.Aws.Configuration.AwsConnectionSettings
        {
            Region = "us-east-1", AccessKey = "AKIDEXAMPLE", SecretKey = "scripted-secret", EndpointUrl = url,
        });
        context.RetryPolicy.MaxAttempts = 10;
        context.RetryPolicy.BaseDelay = TimeSpan.FromMilliseconds(10);
        context.Trace = trace;
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Create(new CodeDeployClient(context)));

        Assert.Equal("NetworkFailure", error.ErrorCode);
        Assert.False(error.OutcomeUnknown);
        Assert.True(error.IsRetryable);
        Assert.Equal(3, trace.Lines.Count(l => l.StartsWith("CodeDeploy.CreateDeployment request:", StringComparison.Ordinal)));
        Assert.Contains(trace.Lines, l => l.Contains("attempt 3 of 3", StringComparison.Ordinal));
        Assert.IsType<SocketException>(Innermost(error));
    }

    [Fact]
    public async Task Cancellation_DuringBackoff_EndsTheCallPromptly()
    {
        using var server = new ScriptedHttpServer().RespondError(503, "ServiceUnavailableException").Respond(200, Deployment);
        var context = server.Context(maxAttempts: 5);
        context.RetryPolicy.BaseDelay = TimeSpan.FromHours(1);
        context.RetryPolicy.MaxDelay = TimeSpan.FromHours(1);
        context.RetryPolicy.TransientMaxDelay = TimeSpan.FromHours(1);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Read(new CodeDeployClient(context), cancel.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Single(server.Requests);
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
