using System.Linq;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Conformance;

/// <summary>The CodeDeploy client over real HTTP and SigV4, judged by moto.</summary>
[Collection(MotoGroup.Name)]
public sealed class CodeDeployConformanceTests
{
    private readonly MotoServer _moto;

    public CodeDeployConformanceTests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task ApplicationGroupAndDeployment_RoundTrip()
    {
        var client = new CodeDeployClient(_moto.Context());
        var app = MotoServer.UniqueName("app");

        var created = await client.CreateApplicationAsync(new CreateApplicationRequest { ApplicationName = app, ComputePlatform = ComputePlatform.Ecs });
        Assert.False(string.IsNullOrEmpty(created.ApplicationId));

        var fetched = await client.GetApplicationAsync(new GetApplicationRequest { ApplicationName = app });
        Assert.Equal(app, fetched.Application!.ApplicationName);
        Assert.Equal(ComputePlatform.Ecs, fetched.Application.ComputePlatform);

        await client.CreateDeploymentGroupAsync(new CreateDeploymentGroupRequest
        {
            ApplicationName = app,
            DeploymentGroupName = "blue-green",
            ServiceRoleArn = "arn:aws:iam::123456789012:role/codedeploy",
            DeploymentConfigName = "CodeDeployDefault.ECSCanary10Percent5Minutes",
        });
        var groups = await client.ListDeploymentGroupsAsync(new ListDeploymentGroupsRequest { ApplicationName = app });
        Assert.Equal(new[] { "blue-green" }, groups.DeploymentGroups);

        var group = await client.GetDeploymentGroupAsync(new GetDeploymentGroupRequest { ApplicationName = app, DeploymentGroupName = "blue-green" });
        Assert.Equal("CodeDeployDefault.ECSCanary10Percent5Minutes", group.DeploymentGroupInfo!.DeploymentConfigName);

        var deployment = await client.CreateDeploymentAsync(new CreateDeploymentRequest
        {
            ApplicationName = app,
            DeploymentGroupName = "blue-green",
            Revision = new RevisionLocation { RevisionType = RevisionLocationType.AppSpecContent, AppSpecContent = new AppSpecContent { Content = "{}" } },
            Description = "conformance",
        });
        Assert.False(string.IsNullOrEmpty(deployment.DeploymentId));

        var info = (await client.GetDeploymentAsync(new GetDeploymentRequest { DeploymentId = deployment.DeploymentId })).DeploymentInfo!;
        Assert.Equal(app, info.ApplicationName);
        Assert.Equal("blue-green", info.DeploymentGroupName);
        Assert.Equal("conformance", info.Description);
        Assert.NotNull(info.CreateTime);
        Assert.InRange(info.CreateTime!.Value, System.DateTime.UtcNow.AddMinutes(-10), System.DateTime.UtcNow.AddMinutes(10));

        var listed = await client.ListDeploymentsAsync(new ListDeploymentsRequest { ApplicationName = app, DeploymentGroupName = "blue-green" });
        Assert.Contains(deployment.DeploymentId, listed.Deployments!);

        var batch = await client.BatchGetDeploymentsAsync(new BatchGetDeploymentsRequest { DeploymentIds = new() { deployment.DeploymentId! } });
        Assert.Equal(deployment.DeploymentId, batch.DeploymentsInfo!.Single().DeploymentId);
    }

    [Fact]
    public async Task GetDeploymentTarget_OfADeploymentTheCliMade_AnswersOrFailsWithAMessageThatSaysWhat()
    {
        var (application, _, id) = MotoSetup.CodeDeployDeployment(_moto);
        var context = _moto.Context();
        context.RetryPolicy.MaxAttempts = 1;
        var client = new CodeDeployClient(context);
        Assert.Equal(application, (await client.GetDeploymentAsync(new GetDeploymentRequest { DeploymentId = id })).DeploymentInfo!.ApplicationName);

        // moto 5.2.1 has no GetDeploymentTarget and answers with Werkzeug's HTML 500 page; a moto that has it must answer the target.
        GetDeploymentTargetResponse target;
        try
        {
            target = await client.GetDeploymentTargetAsync(new GetDeploymentTargetRequest { DeploymentId = id, TargetId = "cli-cluster:web" });
        }
        catch (AwsServiceException error) when (error.StatusCode == System.Net.HttpStatusCode.InternalServerError)
        {
            Assert.Equal(("CodeDeploy", "GetDeploymentTarget", "InternalFailure"), (error.Service, error.Operation, error.ErrorCode));
            Assert.StartsWith("CodeDeploy answered GetDeploymentTarget with HTTP 500 and a body that is not a JSON error (text/html): \"", error.Message, System.StringComparison.Ordinal);
            Assert.Contains("Internal Server Error", error.Message, System.StringComparison.Ordinal);
            Assert.DoesNotContain('<', error.Message);
            Assert.DoesNotContain('\n', error.Message);
            Assert.InRange(error.Message.Length, 100, 400);
            return;
        }

        Assert.Equal("ECSTarget", target.DeploymentTarget!.DeploymentTargetType);
        Assert.Equal(id, target.DeploymentTarget.EcsTarget!.DeploymentId);
    }

    [Fact]
    public async Task ListApplications_AndPaginators()
    {
        var client = new CodeDeployClient(_moto.Context());
        var first = MotoServer.UniqueName("lsa");
        var second = MotoServer.UniqueName("lsa");
        await client.CreateApplicationAsync(new CreateApplicationRequest { ApplicationName = first, ComputePlatform = ComputePlatform.Ecs });
        await client.CreateApplicationAsync(new CreateApplicationRequest { ApplicationName = second, ComputePlatform = ComputePlatform.Lambda });

        var listed = await client.ListApplicationsAsync(new ListApplicationsRequest());
        Assert.Contains(first, listed.Applications!);
        Assert.Contains(second, listed.Applications!);
        var allApplications = await client.ListApplicationsAllPagesAsync(new ListApplicationsRequest());
        Assert.Contains(second, allApplications.SelectMany(p => p.Applications!));

        foreach (var group in new[] { "g1", "g2" })
        {
            await client.CreateDeploymentGroupAsync(new CreateDeploymentGroupRequest
            {
                ApplicationName = first, DeploymentGroupName = group, ServiceRoleArn = "arn:aws:iam::123456789012:role/codedeploy",
            });
        }

        var groups = await client.ListDeploymentGroupsAllPagesAsync(new ListDeploymentGroupsRequest { ApplicationName = first });
        Assert.Equal(new[] { "g1", "g2" }, groups.SelectMany(p => p.DeploymentGroups!).OrderBy(g => g, System.StringComparer.Ordinal));

        var ids = new System.Collections.Generic.List<string>();
        for (var i = 0; i < 2; i++)
        {
            ids.Add((await client.CreateDeploymentAsync(new CreateDeploymentRequest { ApplicationName = first, DeploymentGroupName = "g1" })).DeploymentId!);
        }

        var deployments = await client.ListDeploymentsAllPagesAsync(new ListDeploymentsRequest { ApplicationName = first, DeploymentGroupName = "g1" });
        Assert.Equal(ids.OrderBy(d => d, System.StringComparer.Ordinal), deployments.SelectMany(p => p.Deployments!).OrderBy(d => d, System.StringComparer.Ordinal));
    }

    [Fact]
    public async Task MissingDeployment_IsTypedError()
    {
        var client = new CodeDeployClient(_moto.Context());
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            client.GetDeploymentAsync(new GetDeploymentRequest { DeploymentId = "d-DOESNOTEX" }));
        Assert.Equal(CodeDeployErrorCode.DeploymentDoesNotExistException, error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(error.IsRetryable);
        Assert.False(error.IsThrottling);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Equal("GetDeployment", error.Operation);
    }
}
