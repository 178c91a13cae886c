using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Runtime;

/// <summary>The generated *AllPagesAsync methods over real HTTP, for a JSON token (moto pages only ELBv2's
/// DescribeLoadBalancers, which the conformance tests walk).</summary>
public sealed class PaginatorTests
{
    [Fact]
    public async Task ListDeployments_FollowsNextTokenToTheLastPage_AndLeavesTheRequestAsItWas()
    {
        using var server = new ScriptedHttpServer()
            .Respond(200, """{"deployments":["d-1","d-2"],"nextToken":"t-2"}""")
            .Respond(200, """{"deployments":["d-3"],"nextToken":"t-3"}""")
            .Respond(200, """{"deployments":["d-4"]}""");
        var request = new ListDeploymentsRequest { ApplicationName = "app", DeploymentGroupName = "group" };
        var pages = await new CodeDeployClient(server.Context()).ListDeploymentsAllPagesAsync(request);

        Assert.Equal(new[] { "d-1", "d-2", "d-3", "d-4" }, pages.SelectMany(p => p.Deployments!));
        Assert.Null(request.NextToken);
        var tokens = server.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Select(b => b.TryGetProperty("nextToken", out var t) ? t.GetString() : null).ToArray();
        Assert.Equal(new[] { null, "t-2", "t-3" }, tokens);
    }

    [Fact]
    public async Task ATokenThatDoesNotMove_EndsTheWalk()
    {
        // A service (moto's ListDeploymentGroups does this) that hands back the token it was given must not loop forever.
        using var server = new ScriptedHttpServer()
            .Respond(200, """{"deploymentGroups":["g1"],"nextToken":"same"}""")
            .Respond(200, """{"deploymentGroups":["g2"],"nextToken":"same"}""")
            .Respond(200, """{"deploymentGroups":["never"]}""");
        var pages = await new CodeDeployClient(server.Context()).ListDeploymentGroupsAllPagesAsync(new ListDeploymentGroupsRequest { ApplicationName = "app" });

        Assert.Equal(new[] { "g1", "g2" }, pages.SelectMany(p => p.DeploymentGroups!));
        Assert.Equal(2, server.Requests.Count);
    }
}
