using System.Linq;
using System.Threading.Tasks;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;
using EcsKeyValuePair = BlueGreen.Aws.ECS.Model.KeyValuePair;
using EcsLoadBalancer = BlueGreen.Aws.ECS.Model.LoadBalancer;

namespace BlueGreen.Tests.Conformance;

/// <summary>The ECS client (awsJson1_1) judged by moto: clusters, task definitions, services and task sets.</summary>
[Collection(MotoGroup.Name)]
public sealed class EcsConformanceTests
{
    private readonly MotoServer _moto;

    public EcsConformanceTests(MotoServer moto) => _moto = moto;

    private NetworkConfiguration Network()
    {
        var network = MotoSetup.NetworkFor(_moto);
        return new NetworkConfiguration
        {
            AwsvpcConfiguration = new AwsVpcConfiguration { Subnets = network.SubnetIds.ToList(), SecurityGroups = new() { network.SecurityGroupId }, AssignPublicIp = "DISABLED" },
        };
    }

    // moto cannot run tasks of an awsvpc task definition (its task ENI lacks private_dns_name), so the tests
    // that start tasks (RunTask, or a task set with a scale) use bridge mode.
    private static async Task<(string Cluster, string TaskDefinitionArn)> ClusterAndTaskDefinition(EcsClient client, bool awsvpc = true)
    {
        var cluster = (await client.CreateClusterAsync(new CreateClusterRequest { ClusterName = MotoServer.UniqueName("cl") })).Cluster!.ClusterName!;
        var registered = await client.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = MotoServer.UniqueName("web"),
            NetworkMode = awsvpc ? "awsvpc" : "bridge",
            RequiresCompatibilities = awsvpc ? new() { "FARGATE" } : null,
            Cpu = "256",
            Memory = "512",
            ContainerDefinitions = new()
            {
                new ContainerDefinition
                {
                    Name = "web",
                    Image = "public.ecr.aws/nginx/nginx:1.25",
                    Essential = true,
                    Memory = 512,
                    PortMappings = new() { new PortMapping { ContainerPort = 8080, HostPort = 8080, Protocol = "tcp" } },
                    Environment = new() { new EcsKeyValuePair { Name = "COLOR", Value = "blue" } },
                },
            },
        });
        return (cluster, registered.TaskDefinition!.TaskDefinitionArn!);
    }

    [Fact]
    public async Task ClusterAndTaskDefinition_RoundTrip()
    {
        var client = new EcsClient(_moto.Context());
        var (cluster, taskDefinitionArn) = await ClusterAndTaskDefinition(client);

        var described = (await client.DescribeClustersAsync(new DescribeClustersRequest { Clusters = new() { cluster } })).Clusters!.Single();
        Assert.Equal(cluster, described.ClusterName);
        Assert.Equal("ACTIVE", described.Status);
        Assert.EndsWith(":cluster/" + cluster, described.ClusterArn, System.StringComparison.Ordinal);

        var definition = (await client.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = taskDefinitionArn })).TaskDefinition!;
        Assert.Equal(taskDefinitionArn, definition.TaskDefinitionArn);
        Assert.Equal(1, definition.Revision);
        Assert.Equal("awsvpc", definition.NetworkMode);
        var container = definition.ContainerDefinitions!.Single();
        Assert.Equal("web", container.Name);
        Assert.Equal("public.ecr.aws/nginx/nginx:1.25", container.Image);
        Assert.True(container.Essential);
        Assert.Equal(512, container.Memory);
        var port = container.PortMappings!.Single();
        Assert.Equal((8080, 8080, "tcp"), (port.ContainerPort!.Value, port.HostPort!.Value, port.Protocol!));
        Assert.Equal(("COLOR", "blue"), container.Environment!.Select(e => (e.Name!, e.Value!)).Single());
    }

    [Fact]
    public async Task CodeDeployControlledService_WithLoadBalancer_CreateDescribeUpdate()
    {
        var client = new EcsClient(_moto.Context());
        var (cluster, taskDefinitionArn) = await ClusterAndTaskDefinition(client);
        var (_, blue, _) = await ElasticLoadBalancingV2ConformanceTests.CreateBlueGreen(_moto, "svc");
        var name = MotoServer.UniqueName("svc");

        var created = (await client.CreateServiceAsync(new CreateServiceRequest
        {
            Cluster = cluster,
            ServiceName = name,
            TaskDefinition = taskDefinitionArn,
            DesiredCount = 2,
            LaunchType = "FARGATE",
            DeploymentController = new DeploymentController { Type = "CODE_DEPLOY" },
            LoadBalancers = new() { new EcsLoadBalancer { TargetGroupArn = blue, ContainerName = "web", ContainerPort = 8080 } },
            NetworkConfiguration = Network(),
        })).Service!;
        Assert.Equal(name, created.ServiceName);
        Assert.Equal("CODE_DEPLOY", created.DeploymentController!.Type);

        await client.UpdateServiceAsync(new UpdateServiceRequest { Cluster = cluster, Service = name, DesiredCount = 3 });

        var service = (await client.DescribeServicesAsync(new DescribeServicesRequest { Cluster = cluster, Services = new() { name } })).Services!.Single();
        Assert.Equal(3, service.DesiredCount);
        Assert.Equal(taskDefinitionArn, service.TaskDefinition);
        Assert.Equal("CODE_DEPLOY", service.DeploymentController!.Type);
        var lb = service.LoadBalancers!.Single();
        Assert.Equal((blue, "web", 8080), (lb.TargetGroupArn!, lb.ContainerName!, lb.ContainerPort!.Value));
        Assert.Equal("ACTIVE", service.Status);
    }

    [Fact]
    public async Task ExternalService_TaskSetsShiftAndSwap()
    {
        var client = new EcsClient(_moto.Context());
        var (cluster, taskDefinitionArn) = await ClusterAndTaskDefinition(client, awsvpc: false);
        var (_, blueTg, greenTg) = await ElasticLoadBalancingV2ConformanceTests.CreateBlueGreen(_moto, "ts");
        var service = MotoServer.UniqueName("ext");
        await client.CreateServiceAsync(new CreateServiceRequest
        {
            Cluster = cluster, ServiceName = service, DesiredCount = 2,
            DeploymentController = new DeploymentController { Type = "EXTERNAL" },
        });

        async Task<TaskSet> CreateTaskSet(string externalId, string targetGroup, double percent) =>
            (await client.CreateTaskSetAsync(new CreateTaskSetRequest
            {
                Cluster = cluster, Service = service, TaskDefinition = taskDefinitionArn, ExternalId = externalId, LaunchType = "FARGATE",
                NetworkConfiguration = Network(),
                LoadBalancers = new() { new EcsLoadBalancer { TargetGroupArn = targetGroup, ContainerName = "web", ContainerPort = 8080 } },
                Scale = new Scale { Value = percent, Unit = "PERCENT" },
            })).TaskSet!;

        var blue = await CreateTaskSet("blue", blueTg, 100);
        Assert.Equal("blue", blue.ExternalId);
        Assert.Equal(taskDefinitionArn, blue.TaskDefinition);
        Assert.Equal(100, blue.Scale!.Value);
        Assert.Equal("PERCENT", blue.Scale.Unit);
        Assert.Equal(blueTg, blue.LoadBalancers!.Single().TargetGroupArn);
        var green = await CreateTaskSet("green", greenTg, 0);

        var both = (await client.DescribeTaskSetsAsync(new DescribeTaskSetsRequest { Cluster = cluster, Service = service })).TaskSets!;
        Assert.Equal(new[] { blue.TaskSetArn, green.TaskSetArn }.OrderBy(a => a), both.Select(t => t.TaskSetArn).OrderBy(a => a));

        var scaled = (await client.UpdateTaskSetAsync(new UpdateTaskSetRequest
        {
            Cluster = cluster, Service = service, TaskSet = green.TaskSetArn, Scale = new Scale { Value = 50, Unit = "PERCENT" },
        })).TaskSet!;
        Assert.Equal(50, scaled.Scale!.Value);

        var primary = (await client.UpdateServicePrimaryTaskSetAsync(new UpdateServicePrimaryTaskSetRequest
        {
            Cluster = cluster, Service = service, PrimaryTaskSet = green.TaskSetArn,
        })).TaskSet!;
        Assert.Equal(green.TaskSetArn, primary.TaskSetArn);
        Assert.Equal("PRIMARY", primary.Status);

        var greenNow = (await client.DescribeTaskSetsAsync(new DescribeTaskSetsRequest { Cluster = cluster, Service = service, TaskSets = new() { green.TaskSetArn! } })).TaskSets!.Single();
        Assert.Equal("PRIMARY", greenNow.Status);
        Assert.Equal(50, greenNow.Scale!.Value);

        var deleted = (await client.DeleteTaskSetAsync(new DeleteTaskSetRequest { Cluster = cluster, Service = service, TaskSet = blue.TaskSetArn, Force = true })).TaskSet!;
        Assert.Equal(blue.TaskSetArn, deleted.TaskSetArn);
        var remaining = (await client.DescribeServicesAsync(new DescribeServicesRequest { Cluster = cluster, Services = new() { service } })).Services!.Single();
        Assert.Equal("EXTERNAL", remaining.DeploymentController!.Type);
        Assert.DoesNotContain(remaining.TaskSets!, t => t.TaskSetArn == blue.TaskSetArn && t.Status != "DRAINING");
    }

    [Fact]
    public async Task Tasks_ListAndDescribe()
    {
        var client = new EcsClient(_moto.Context());
        var (cluster, taskDefinitionArn) = await ClusterAndTaskDefinition(client, awsvpc: false);
        var startedBy = MotoServer.UniqueName("by");
        var taskArn = MotoSetup.RunFargateTask(_moto, cluster, taskDefinitionArn, startedBy);

        var listed = await client.ListTasksAsync(new ListTasksRequest { Cluster = cluster });
        Assert.Contains(taskArn, listed.TaskArns!);
        var pages = await client.ListTasksAllPagesAsync(new ListTasksRequest { Cluster = cluster });
        Assert.Contains(taskArn, pages.SelectMany(p => p.TaskArns!));

        var task = (await client.DescribeTasksAsync(new DescribeTasksRequest { Cluster = cluster, Tasks = new() { taskArn } })).Tasks!.Single();
        Assert.Equal(taskArn, task.TaskArn);
        Assert.Equal(taskDefinitionArn, task.TaskDefinitionArn);
        Assert.Equal(startedBy, task.StartedBy);
        Assert.False(string.IsNullOrEmpty(task.LastStatus));
    }

    [Fact]
    public async Task MissingService_IsReportedAsFailure_AndMissingTaskDefinitionAsTypedError()
    {
        var client = new EcsClient(_moto.Context());
        var (cluster, _) = await ClusterAndTaskDefinition(client);

        var described = await client.DescribeServicesAsync(new DescribeServicesRequest { Cluster = cluster, Services = new() { "nope" } });
        Assert.Empty(described.Services!);
        Assert.Equal("MISSING", described.Failures!.Single().Reason);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            client.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = MotoServer.UniqueName("none") + ":1" }));
        Assert.Equal(ECSErrorCode.ClientException, error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
    }
    /// <summary>What ECS's own blue/green adds to a service, round-tripped through moto: the load balancer's advancedConfiguration,
    /// the strategy, canary and linear settings, lifecycle hooks with their timeouts, and alarms (moto keeps a deployment
    /// configuration sent by UpdateService; it does not run service deployments).</summary>
    [Fact]
    public async Task EcsControlledService_AdvancedConfigurationAndStrategy_RoundTrip()
    {
        var client = new EcsClient(_moto.Context());
        var (cluster, taskDefinitionArn) = await ClusterAndTaskDefinition(client);
        var (_, blue, green) = await ElasticLoadBalancingV2ConformanceTests.CreateBlueGreen(_moto, "nat");
        var name = MotoServer.UniqueName("nat");
        var advanced = new AdvancedConfiguration
        {
            AlternateTargetGroupArn = green,
            ProductionListenerRule = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/nat/1/2/3",
            TestListenerRule = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/nat/1/4/5",
            RoleArn = "arn:aws:iam::123456789012:role/ecs-blue-green",
        };
        await client.CreateServiceAsync(new CreateServiceRequest
        {
            Cluster = cluster,
            ServiceName = name,
            TaskDefinition = taskDefinitionArn,
            DesiredCount = 1,
            LaunchType = "FARGATE",
            DeploymentController = new DeploymentController { Type = "ECS" },
            LoadBalancers = new() { new EcsLoadBalancer { TargetGroupArn = blue, ContainerName = "web", ContainerPort = 8080, AdvancedConfiguration = advanced } },
            NetworkConfiguration = Network(),
        });
        var configuration = BlueGreen.Core.Releases.Ecs.EcsNativeMapping.Apply(
            new DeploymentConfiguration { MaximumPercent = 200, MinimumHealthyPercent = 100, Strategy = "BLUE_GREEN", BakeTimeInMinutes = 5 },
            BlueGreen.Core.Releases.TrafficShiftPolicy.Parse("Linear20PercentEvery2Minutes"), 7, waitAtReady: true, new[] { "nat-5xx" }, null);

        await client.UpdateServiceAsync(new UpdateServiceRequest { Cluster = cluster, Service = name, TaskDefinition = taskDefinitionArn, DeploymentConfiguration = configuration });

        var service = (await client.DescribeServicesAsync(new DescribeServicesRequest { Cluster = cluster, Services = new() { name } })).Services!.Single();
        Assert.Equal("ECS", service.DeploymentController!.Type);
        var lb = service.LoadBalancers!.Single().AdvancedConfiguration!;
        Assert.Equal((advanced.AlternateTargetGroupArn, advanced.ProductionListenerRule, advanced.TestListenerRule, advanced.RoleArn), (lb.AlternateTargetGroupArn, lb.ProductionListenerRule, lb.TestListenerRule, lb.RoleArn));
        var read = service.DeploymentConfiguration!;
        Assert.Equal(("LINEAR", 20.0, 2, 0), (read.Strategy, read.LinearConfiguration!.StepPercent!.Value, read.LinearConfiguration.StepBakeTimeInMinutes!.Value, read.BakeTimeInMinutes!.Value));
        Assert.Equal((200, 100), (read.MaximumPercent, read.MinimumHealthyPercent));
        Assert.Equal(new[] { "nat-5xx" }, read.Alarms!.AlarmNames);
        Assert.True(read.Alarms.Rollback);
        Assert.Equal(new[] { ("POST_TEST_TRAFFIC_SHIFT", 1440, "ROLLBACK"), ("POST_PRODUCTION_TRAFFIC_SHIFT", 7, "CONTINUE") },
            read.LifecycleHooks!.Select(h => (h.LifecycleStages!.Single(), h.TimeoutConfiguration!.TimeoutInMinutes!.Value, h.TimeoutConfiguration.Action!)));
        Assert.All(read.LifecycleHooks!, h => Assert.Equal("PAUSE", h.TargetType));
        Assert.True(BlueGreen.Core.Releases.Ecs.EcsNativeMapping.WaitsAtReady(read));
        Assert.Equal(7, BlueGreen.Core.Releases.Ecs.EcsNativeMapping.BakeMinutes(read));
    }
}
