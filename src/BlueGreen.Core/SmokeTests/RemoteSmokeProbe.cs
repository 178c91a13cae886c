using System;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Probes;

namespace BlueGreen.Core.SmokeTests;

/// <summary>The probe for real services: hands each request to the service layer's HTTP probe.</summary>
public sealed class RemoteSmokeProbe : ISmokeProbe, IDisposable
{
    private readonly HttpSmokeProbe _probe;

    /// <param name="maxConnections">How many connections may be open at once: the smoke test's concurrency.</param>
    public RemoteSmokeProbe(int maxConnections)
    {
        _probe = new HttpSmokeProbe(maxConnections);
    }

    public async Task<SmokeProbeResponse> SendAsync(SmokeProbeRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var uri = request.Uri ?? throw new ArgumentException("An HTTP probe sends HTTP requests, not Lambda invocations.", nameof(request));
        var answer = await _probe.SendAsync(new HttpProbeRequest(uri, request.Method)
        {
            Headers = request.Headers,
            Body = request.Body,
            Timeout = request.Timeout,
            MaxBodyCharacters = request.MaxBodyCharacters,
        }, cancellationToken).ConfigureAwait(false);

        return new SmokeProbeResponse
        {
            StatusCode = answer.StatusCode,
            Latency = answer.Latency,
            Headers = answer.Headers,
            Body = answer.Body,
            Error = ErrorOf(answer.Failure),
            ErrorMessage = answer.FailureMessage,
        };
    }

    /// <summary>How a probe that got no answer (HTTP or Lambda, both over HTTP) failed, in the smoke test's terms.</summary>
    internal static SmokeProbeError ErrorOf(HttpProbeFailure failure) => failure switch
    {
        HttpProbeFailure.None => SmokeProbeError.None,
        HttpProbeFailure.Timeout => SmokeProbeError.Timeout,
        HttpProbeFailure.ConnectionFailed => SmokeProbeError.ConnectionFailed,
        _ => SmokeProbeError.ConnectionDropped,
    };

    public void Dispose() => _probe.Dispose();
}
