using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Releases;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Releases;

/// <summary>CreateDeployment's answer is lost after CodeDeploy made the deployment: the engine adopts it, never makes a second.</summary>
public sealed class LostAnswerTests
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    private static ReleasePlan Plan() => new(new ReleaseRequest("sandbox", "web") { TaskDefinition = "web:2" })
    {
        ApplicationName = "web",
        DeploymentGroupName = "web-dg",
        BlueTaskDefinition = "web:1",
        GreenTaskDefinition = "web:2",
        EnginePlan = new EcsReleasePlan { ContainerName = "web", ContainerPort = 80 },
    };

    private static string Info(string id, string token) =>
        "{\"deploymentId\":\"" + id + "\",\"status\":\"InProgress\",\"revision\":{\"revisionType\":\"AppSpecContent\",\"appSpecContent\":{\"content\":\"# bluegreen-release-token: " + token + "\\nversion: 0.0\\n\"}}}";

    private static string Listed(string id, string token) => "{\"deploymentsInfo\":[" + Info(id, token) + "]}";

    [Fact]
    public async Task DroppedAnswer_AdoptsTheDeploymentCarryingItsToken()
    {
        using var server = new ScriptedHttpServer()
            .Drop()                                                              // CreateDeployment: made, answer lost
            .Respond(200, "{\"deployments\":[\"d-ADOPTED01\"]}")                 // ListDeployments (active)
            .Respond(200, Listed("d-ADOPTED01", Token))                         // BatchGetDeployments
            .Respond(200, "{\"deploymentInfo\":{\"deploymentId\":\"d-ADOPTED01\",\"status\":\"InProgress\",\"computePlatform\":\"ECS\",\"applicationName\":\"web\",\"deploymentGroupName\":\"web-dg\"}}")
            .RespondError(400, "DeploymentGroupDoesNotExistException");          // GetDeploymentGroup while enriching
        var engine = new CodeDeployEcsEngine(server.Context()) { NewToken = () => Token };

        var deployment = await engine.StartAsync(Plan(), CancellationToken.None);

        Assert.Equal("d-ADOPTED01", deployment.DeploymentId);
        var targets = server.Requests.Select(r => r.Headers.FirstOrDefault(h => h.Key.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase)).Value).ToList();
        Assert.Equal(1, targets.Count(t => t?.EndsWith(".CreateDeployment", StringComparison.Ordinal) == true));
        Assert.Contains(targets, t => t?.EndsWith(".ListDeployments", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task DroppedAnswer_NotYetListed_TheRefusedSecondCallNamesOurDeployment_WhichIsAdopted()
    {
        using var server = new ScriptedHttpServer()
            .Drop()                                                              // CreateDeployment: made, answer lost
            .Respond(200, "{\"deployments\":[]}")                               // ListDeployments: not listed yet
            .Respond(400, "{\"__type\":\"DeploymentLimitExceededException\",\"message\":\"The Deployment Group 'web-dg' already has an active Deployment 'd-MINE00001'\"}")
            .Respond(200, "{\"deploymentInfo\":" + Info("d-MINE00001", Token) + "}") // GetDeployment: it carries our token
            .Respond(200, "{\"deploymentInfo\":{\"deploymentId\":\"d-MINE00001\",\"status\":\"InProgress\",\"computePlatform\":\"ECS\",\"applicationName\":\"web\",\"deploymentGroupName\":\"web-dg\"}}")
            .RespondError(400, "DeploymentGroupDoesNotExistException");          // GetDeploymentGroup while enriching
        var engine = new CodeDeployEcsEngine(server.Context()) { NewToken = () => Token };

        var deployment = await engine.StartAsync(Plan(), CancellationToken.None);

        Assert.Equal("d-MINE00001", deployment.DeploymentId);
        var targets = server.Requests.Select(r => r.Headers.FirstOrDefault(h => h.Key.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase)).Value).ToList();
        Assert.Equal(2, targets.Count(t => t?.EndsWith(".CreateDeployment", StringComparison.Ordinal) == true));
        var list = server.Requests.Single(r => r.Headers.Any(h => h.Key.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase) && h.Value.EndsWith(".ListDeployments", StringComparison.Ordinal)));
        Assert.Contains("createTimeRange", list.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("includeOnlyStatuses", list.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DroppedAnswer_AnotherReleaseActive_IsRefusedNotDuplicated()
    {
        using var server = new ScriptedHttpServer()
            .Drop()                                                              // CreateDeployment: lost
            .Respond(200, "{\"deployments\":[\"d-SOMEONE01\"]}")
            .Respond(200, Listed("d-SOMEONE01", "another-token"))
            .RespondError(400, "DeploymentLimitExceededException")               // CreateDeployment again: the group is busy
            .Respond(200, "{\"deployments\":[\"d-SOMEONE01\"]}")
            .Respond(200, Listed("d-SOMEONE01", "another-token"));
        var engine = new CodeDeployEcsEngine(server.Context()) { NewToken = () => Token };

        var error = await Assert.ThrowsAsync<ReleaseException>(() => engine.StartAsync(Plan(), CancellationToken.None));

        Assert.Equal("DeploymentAlreadyActive", error.ErrorId);
        Assert.Contains("Get-BlueGreenDeployment -Id", error.RecommendedAction, StringComparison.Ordinal);
    }
}
