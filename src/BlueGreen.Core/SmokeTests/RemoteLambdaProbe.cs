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
            Error = answer.Failure switch
            {
                HttpProbeFailure.None => SmokeProbeError.None,
                HttpProbeFailure.Timeout => SmokeProbeError.Timeout,
                HttpProbeFailure.ConnectionFailed => SmokeProbeError.ConnectionFailed,
                _ => SmokeProbeError.ConnectionDropped,
            },
            ErrorMessage = answer.FailureMessage,
        };
    }
}
