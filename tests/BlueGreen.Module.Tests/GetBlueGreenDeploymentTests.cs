using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace BlueGreen.Module.Tests;

/// <summary>Get-BlueGreenDeployment in a hosted runspace against moto, with state made by the AWS CLI.</summary>
public sealed class GetBlueGreenDeploymentTests : IDisposable
{
    private const string Keys = "-Region us-east-1 -AccessKey testing -SecretKey testing";
    private readonly ModuleHost _host = new();

    [Fact]
    public void ReturnsTypedDeployment_CreatedByTheCli()
    {
        var application = Moto.UniqueName("web");
        var id = AwsCli.CreateDeployment(Moto.Url, application, "release 2.4.1");

        var (output, errors) = _host.Invoke($"Get-BlueGreenDeployment -Id $args[0] -EndpointUrl $args[1] {Keys}", id, Moto.Url);

        Assert.Empty(errors);
        var deployment = Assert.Single(output);
        Assert.Equal("BlueGreen.Core.Deployments.BlueGreenDeployment", deployment.BaseObject.GetType().FullName);
        Assert.Equal(id, deployment.Properties["DeploymentId"].Value);
        Assert.Equal(application, deployment.Properties["ApplicationName"].Value);
        Assert.Equal("web", deployment.Properties["DeploymentGroupName"].Value);
        Assert.Equal("release 2.4.1", deployment.Properties["Description"].Value);
        Assert.Equal("Created", deployment.Properties["Status"].Value.ToString());
        Assert.Equal("us-east-1", deployment.Properties["Region"].Value);
        Assert.Equal(Moto.Url, deployment.Properties["EndpointUrl"].Value);
    }

    [Fact]
    public void TakesIdsFromThePipeline_ByValueAndByPropertyName()
    {
        var first = AwsCli.CreateDeployment(Moto.Url, Moto.UniqueName("pipe"));
        var second = AwsCli.CreateDeployment(Moto.Url, Moto.UniqueName("pipe"));

        var (byValue, errors1) = _host.Invoke($"$args[0], $args[1] | Get-BlueGreenDeployment -EndpointUrl $args[2] {Keys}", first, second, Moto.Url);
        var (byProperty, errors2) = _host.Invoke(
            $"[pscustomobject]@{{ DeploymentId = $args[0] }} | Get-BlueGreenDeployment -EndpointUrl $args[1] {Keys}", second, Moto.Url);

        Assert.Empty(errors1);
        Assert.Empty(errors2);
        Assert.Equal(new[] { first, second }, byValue.Select(d => (string)d.Properties["DeploymentId"].Value));
        Assert.Equal(second, Assert.Single(byProperty).Properties["DeploymentId"].Value);
    }

    [Fact]
    public void UnknownId_IsNonTerminatingNotFound_AndOthersStillReturn()
    {
        var id = AwsCli.CreateDeployment(Moto.Url, Moto.UniqueName("miss"));

        var (output, errors) = _host.Invoke($"Get-BlueGreenDeployment -Id 'd-NOTTHERE1', $args[0] -EndpointUrl $args[1] {Keys}", id, Moto.Url);

        Assert.Equal(id, Assert.Single(output).Properties["DeploymentId"].Value);
        var error = Assert.Single(errors);
        Assert.StartsWith("DeploymentNotFound,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("d-NOTTHERE1", error.TargetObject);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
    }

    [Theory]
    [InlineData("-Region moon-base-1 -AccessKey a -SecretKey b", "UnknownRegion", ErrorCategory.InvalidArgument)]
    [InlineData("-Region us-east-1 -ProfileName no-such-profile -ProfileLocation /nonexistent/credentials", "UnknownProfile", ErrorCategory.ObjectNotFound)]
    [InlineData("-Region us-east-1 -AccessKey a", "IncompleteCredentials", ErrorCategory.InvalidArgument)]
    public void BadInput_FailsBeforeAnyRequest(string parameters, string errorId, ErrorCategory category)
    {
        using var listener = new SilentListener();

        var (output, errors) = _host.Invoke($"Get-BlueGreenDeployment -Id d-ABCDEF123 -EndpointUrl $args[0] {parameters}", listener.Url);

        Assert.Empty(output);
        var error = Assert.Single(errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
        Thread.Sleep(100);
        Assert.Equal(0, listener.Connections);
    }

    [Theory]
    [InlineData("not a url", "InvalidEndpointUrl")]
    [InlineData("ftp://127.0.0.1/", "InvalidEndpointUrl")]
    [InlineData("http://198.51.100.7:4566", "InsecureEndpointUrl")]
    public void BadEndpoint_FailsBeforeAnyRequest(string endpoint, string errorId)
    {
        var (output, errors) = _host.Invoke($"Get-BlueGreenDeployment -Id d-ABCDEF123 -EndpointUrl $args[0] {Keys}", endpoint);

        Assert.Empty(output);
        var error = Assert.Single(errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(endpoint, error.TargetObject);
    }

    [Fact]
    public void StopProcessing_CancelsTheRequestInFlight()
    {
        using var listener = new SilentListener();
        using var shell = _host.Create($"Get-BlueGreenDeployment -Id d-ABCDEF123 -EndpointUrl $args[0] {Keys}", listener.Url);

        var running = shell.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (listener.Connections == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.Equal(1, listener.Connections);
        var clock = Stopwatch.StartNew();
        shell.Stop();
        Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        // The attempt timeout is 90 s: stopping within a few seconds means cancellation reached the socket.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Debug_ShowsTheExchange_WithoutSecrets()
    {
        var id = AwsCli.CreateDeployment(Moto.Url, Moto.UniqueName("debug"));

        var (output, _) = _host.Invoke(
            "$DebugPreference = 'Continue'; Get-BlueGreenDeployment -Id $args[0] -EndpointUrl $args[1] -Region us-east-1 " +
            "-AccessKey AKIDTESTONLY -SecretKey 'do-not-print-this-secret' -SessionToken 'do-not-print-this-token' 5>&1",
            id, Moto.Url);

        var debug = output.Select(o => o.BaseObject).OfType<DebugRecord>().Select(d => d.Message).ToList();
        Assert.Contains(debug, line => line.Contains("CodeDeploy.GetDeployment request", StringComparison.Ordinal));
        Assert.Contains(debug, line => line.Contains("Authorization: ***", StringComparison.Ordinal));
        Assert.DoesNotContain(debug, line => line.Contains("do-not-print-this", StringComparison.Ordinal));
    }

    public void Dispose() => _host.Dispose();
}
