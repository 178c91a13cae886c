using System;
using System.Threading;

namespace BlueGreen.Module.Tests;

/// <summary>When the pipeline stops early, the cmdlet's background work stops with it: no more AWS calls.</summary>
public sealed class PipelineStopTests : IDisposable
{
    private const string Keys = "-Region us-east-1 -AccessKey testing -SecretKey testing";
    private readonly ModuleHost _host = new();

    [Fact]
    public void SelectFirst_StopsTheRemainingRequests()
    {
        using var server = new CountingCodeDeploy(TimeSpan.FromMilliseconds(150));

        var (output, _) = _host.Invoke(
            $"Get-BlueGreenDeployment -Id d-A0000000A, d-B0000000B, d-C0000000C, d-D0000000D, d-E0000000E -EndpointUrl $args[0] {Keys} | Select-Object -First 1", server.Url);

        Assert.Single(output);
        var afterReturn = server.Requests;
        Thread.Sleep(1000);
        Assert.Equal(1, afterReturn);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public void ErrorActionStop_StopsTheRemainingRequests_AndTheRunspaceStaysUsable()
    {
        using var server = new CountingCodeDeploy(TimeSpan.FromMilliseconds(150));

        var (output, _) = _host.Invoke(
            $"try {{ Get-BlueGreenDeployment -Id d-A0000000A, 'not valid', d-C0000000C, d-D0000000D -EndpointUrl $args[0] {Keys} -ErrorAction Stop }} catch {{ 'caught ' + $_.FullyQualifiedErrorId }}; 'after'",
            server.Url);

        Thread.Sleep(1000);
        Assert.Equal(1, server.Requests);
        Assert.Contains(output, o => o.ToString().StartsWith("caught InvalidDeploymentId", StringComparison.Ordinal));
        Assert.Equal("after", output[^1].ToString());
    }

    public void Dispose() => _host.Dispose();
}
