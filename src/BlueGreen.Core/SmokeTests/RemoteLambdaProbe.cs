using System;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Probes;

namespace BlueGreen.Core.SmokeTests;

/// <summary>The probe for Lambda versions: hands each invocation to the service layer's Lambda probe.</summary>
public sealed class RemoteLambdaProbe : ISmokeProbe
{
    private readonly LambdaSmokeProbe _probe;

    public RemoteLambdaProbe(AwsContext context)
    {
        _probe = new LambdaSmokeProbe(context);
    }

    /// <summary>
    /// Fits a context, resolved for this smoke test alone, to its invocations: the debug trace keeps the Invoke calls'
    /// headers but not their payloads or the functions' answers (data that is nobody's business in a log, as HTTP
    /// smoke-test bodies are never traced), and one attempt may last as long as an invocation may.
    /// </summary>
    public static void Configure(AwsContext context, TimeSpan invocationTimeout)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        context.Trace = LambdaSmokeProbe.WithoutPayloads(context.Trace);
        if (context.RetryPolicy.AttemptTimeout < invocationTimeout)
        {
            context.RetryPolicy.AttemptTimeout = invocationTimeout;
        }
    }

    /// <summary>
    /// Asks Lambda for a dry run of the invocation before any real one. Throws <see cref="SmokeTestInputException"/> when
    /// the version does not exist (<c>FunctionVersionNotFound</c>) or may not be invoked (<c>FunctionInvokeDenied</c>); any
    /// other answer lets the test go on, and the invocations judge the rest.
    /// </summary>
    public async Task CheckVersionAsync(LambdaVersionReference function, CancellationToken cancellationToken)
    {
        if (function is null)
        {
            throw new ArgumentNullException(nameof(function));
        }

        var problem = await _probe.DryRunAsync(function.Function, function.Version, cancellationToken).ConfigureAwait(false);
        if (problem?.ErrorCode == "ResourceNotFoundException")
        {
            throw new SmokeTestInputException("FunctionVersionNotFound",
                $"Version {function.Version} of function '{function.Name}' does not exist ({problem.Message.TrimEnd('.')}); nothing was invoked.", function.DisplayName,
                "Check the function and version: 'aws lambda list-versions-by-function --function-name <name>' lists the versions, and a release's GreenVersion is the one to test.");
        }

        if (problem is { StatusCode: System.Net.HttpStatusCode.Forbidden })
        {
            throw new SmokeTestInputException("FunctionInvokeDenied",
                $"Version {function.Version} of function '{function.Name}' may not be invoked with these credentials ({problem.ErrorCode}: {problem.Message.TrimEnd('.')}); nothing was invoked.",
                function.DisplayName, "Use credentials allowed lambda:InvokeFunction on the function's versions (the ARN with ':*'), or pass -ProfileName.");
        }
    }

    public async Task<SmokeProbeResponse> SendAsync(SmokeProbeRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var function = request.Function ?? throw new ArgumentException("A Lambda probe sends invocations, not HTTP requests.", nameof(request));
        var answer = await _probe.SendAsync(new LambdaProbeRequest(function.Function, function.Version)
        {
            Payload = request.Body,
            Timeout = request.Timeout,
            MaxBodyCharacters = request.MaxBodyCharacters,
        }, cancellationToken).ConfigureAwait(false);

        return new SmokeProbeResponse
        {
            StatusCode = answer.StatusCode,
            Latency = answer.Latency,
            Body = answer.Payload,
            FunctionError = answer.FunctionError,
            FunctionErrorType = answer.FunctionErrorType,
            ExecutedVersion = answer.ExecutedVersion,
            ErrorCode = answer.ErrorCode,
            Error = RemoteSmokeProbe.ErrorOf(answer.Failure),
            ErrorMessage = answer.FailureMessage,
        };
    }
}
