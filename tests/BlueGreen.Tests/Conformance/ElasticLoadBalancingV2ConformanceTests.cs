using System.Linq;
using System.Threading.Tasks;
using BlueGreen.Aws.ElasticLoadBalancingV2;
using BlueGreen.Aws.ElasticLoadBalancingV2.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Conformance;

/// <summary>The ELBv2 client (awsQuery: form-encoded requests, XML answers) judged by moto.</summary>
[Collection(MotoGroup.Name)]
public sealed class ElasticLoadBalancingV2ConformanceTests
{
    private readonly MotoServer _moto;

    public ElasticLoadBalancingV2ConformanceTests(MotoServer moto) => _moto = moto;

    /// <summary>A load balancer with a blue and a green target group, as the blue/green releases use them.</summary>
    internal static async Task<(string LoadBalancerArn, string Blue, string Green)> CreateBlueGreen(MotoServer moto, string prefix)
    {
        var network = MotoSetup.NetworkFor(moto);
        var client = new ElasticLoadBalancingV2Client(moto.Context());
        var lb = await client.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
        {
            Name = MotoServer.UniqueName(prefix),
            Subnets = network.SubnetIds.ToList(),
            SecurityGroups = new() { network.SecurityGroupId },
            Scheme = LoadBalancerSchemeEnum.InternetFacing,
            Type = LoadBalancerTypeEnum.Application,
        });
        var blue = await CreateTargetGroup(client, network.VpcId, prefix + "b");
        var green = await CreateTargetGroup(client, network.VpcId, prefix + "g");
        return (lb.LoadBalancers!.Single().LoadBalancerArn!, blue, green);
    }

    private static async Task<string> CreateTargetGroup(ElasticLoadBalancingV2Client client, string vpcId, string prefix)
    {
        var created = await client.CreateTargetGroupAsync(new CreateTargetGroupRequest
        {
            Name = MotoServer.UniqueName(prefix),
            Protocol = ProtocolEnum.Http,
            Port = 8080,
            VpcId = vpcId,
            TargetType = TargetTypeEnum.Ip,
            HealthCheckPath = "/health",
            HealthCheckIntervalSeconds = 15,
            HealthyThresholdCount = 3,
        });
        return created.TargetGroups!.Single().TargetGroupArn!;
    }

    [Fact]
    public async Task LoadBalancerAndTargetGroups_RoundTrip()
    {
        var client = new ElasticLoadBalancingV2Client(_moto.Context());
        var network = MotoSetup.NetworkFor(_moto);
        var name = MotoServer.UniqueName("lb");
        var created = await client.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
        {
            Name = name,
            Subnets = network.SubnetIds.ToList(),
            SecurityGroups = new() { network.SecurityGroupId },
            Tags = new() { new Tag { Key = "release", Value = "blue-green" } },
        });
        var lb = created.LoadBalancers!.Single();
        Assert.Equal(name, lb.LoadBalancerName);
        Assert.StartsWith("arn:aws:elasticloadbalancing:us-east-1:", lb.LoadBalancerArn, System.StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(created.RequestId));

        var described = (await client.DescribeLoadBalancersAsync(new DescribeLoadBalancersRequest { Names = new() { name } })).LoadBalancers!.Single();
        Assert.Equal(lb.LoadBalancerArn, described.LoadBalancerArn);
        Assert.Equal(network.VpcId, described.VpcId);
        Assert.False(string.IsNullOrEmpty(described.DNSName));
        Assert.NotNull(described.CreatedTime);
        Assert.Equal(network.SubnetIds.OrderBy(s => s), described.AvailabilityZones!.Select(z => z.SubnetId).OrderBy(s => s));
        Assert.Contains(network.SecurityGroupId, described.SecurityGroups!);
        Assert.NotNull(described.State?.Code);

        var tgName = MotoServer.UniqueName("tg");
        var tg = (await client.CreateTargetGroupAsync(new CreateTargetGroupRequest
        {
            Name = tgName, Protocol = ProtocolEnum.Http, Port = 8080, VpcId = network.VpcId, TargetType = TargetTypeEnum.Ip,
            HealthCheckPath = "/health", HealthCheckIntervalSeconds = 15, HealthyThresholdCount = 3, HealthCheckEnabled = true,
        })).TargetGroups!.Single();

        var fetched = (await client.DescribeTargetGroupsAsync(new DescribeTargetGroupsRequest { TargetGroupArns = new() { tg.TargetGroupArn! } })).TargetGroups!.Single();
        Assert.Equal(tgName, fetched.TargetGroupName);
        Assert.Equal(8080, fetched.Port);
        Assert.Equal(ProtocolEnum.Http, fetched.Protocol);
        Assert.Equal("/health", fetched.HealthCheckPath);
        Assert.Equal(15, fetched.HealthCheckIntervalSeconds);
        Assert.Equal(3, fetched.HealthyThresholdCount);
        Assert.True(fetched.HealthCheckEnabled);
        Assert.Equal(TargetTypeEnum.Ip, fetched.TargetType);

        var health = await client.DescribeTargetHealthAsync(new DescribeTargetHealthRequest { TargetGroupArn = tg.TargetGroupArn });
        Assert.NotNull(health.TargetHealthDescriptions);
        Assert.Empty(health.TargetHealthDescriptions!);
    }

    [Fact]
    public async Task WeightedListenerAndRules_MoveTraffic()
    {
        var client = new ElasticLoadBalancingV2Client(_moto.Context());
        var (lbArn, blue, green) = await CreateBlueGreen(_moto, "wl");

        var listener = (await client.CreateListenerAsync(new CreateListenerRequest
        {
            LoadBalancerArn = lbArn,
            Protocol = ProtocolEnum.Http,
            Port = 80,
            DefaultActions = new() { Forward(blue, 100, green, 0) },
        })).Listeners!.Single();
        Assert.Equal(80, listener.Port);

        var described = (await client.DescribeListenersAsync(new DescribeListenersRequest { LoadBalancerArn = lbArn })).Listeners!.Single();
        Assert.Equal(listener.ListenerArn, described.ListenerArn);
        Assert.Equal(new[] { (blue, 100), (green, 0) }, Weights(described.DefaultActions!.Single()));

        await client.ModifyListenerAsync(new ModifyListenerRequest { ListenerArn = listener.ListenerArn, DefaultActions = new() { Forward(blue, 90, green, 10) } });
        var moved = (await client.DescribeListenersAsync(new DescribeListenersRequest { ListenerArns = new() { listener.ListenerArn! } })).Listeners!.Single();
        Assert.Equal(new[] { (blue, 90), (green, 10) }, Weights(moved.DefaultActions!.Single()));

        var rule = (await client.CreateRuleAsync(new CreateRuleRequest
        {
            ListenerArn = listener.ListenerArn,
            Priority = 10,
            Conditions = new() { new RuleCondition { Field = "path-pattern", Values = new() { "/api/*" } } },
            Actions = new() { Forward(blue, 50, green, 50) },
        })).Rules!.Single();
        Assert.Equal("10", rule.Priority);
        Assert.False(rule.IsDefault);

        var rules = (await client.DescribeRulesAsync(new DescribeRulesRequest { ListenerArn = listener.ListenerArn })).Rules!;
        Assert.Contains(rules, r => r.IsDefault == true);
        var mine = rules.Single(r => r.RuleArn == rule.RuleArn);
        Assert.Equal("/api/*", mine.Conditions!.Single().Values!.Single());
        Assert.Equal(new[] { (blue, 50), (green, 50) }, Weights(mine.Actions!.Single()));

        await client.ModifyRuleAsync(new ModifyRuleRequest { RuleArn = rule.RuleArn, Actions = new() { Forward(blue, 0, green, 100) } });
        var modified = (await client.DescribeRulesAsync(new DescribeRulesRequest { RuleArns = new() { rule.RuleArn! } })).Rules!.Single();
        Assert.Equal(new[] { (blue, 0), (green, 100) }, Weights(modified.Actions!.Single()));
    }

    [Fact]
    public async Task DescribeLoadBalancers_AllPages_WalksEveryPage()
    {
        var client = new ElasticLoadBalancingV2Client(_moto.Context());
        var network = MotoSetup.NetworkFor(_moto);
        var names = new System.Collections.Generic.List<string>();
        for (var i = 0; i < 3; i++)
        {
            var name = MotoServer.UniqueName("pg");
            names.Add(name);
            await client.CreateLoadBalancerAsync(new CreateLoadBalancerRequest { Name = name, Subnets = network.SubnetIds.ToList(), SecurityGroups = new() { network.SecurityGroupId } });
        }

        var request = new DescribeLoadBalancersRequest { Names = names, PageSize = 1 };
        var pages = await client.DescribeLoadBalancersAllPagesAsync(request);

        Assert.Equal(3, pages.Count);
        Assert.All(pages, p => Assert.Single(p.LoadBalancers!));
        Assert.Equal(names.OrderBy(n => n), pages.SelectMany(p => p.LoadBalancers!).Select(l => l.LoadBalancerName).OrderBy(n => n));
        Assert.Null(pages[^1].NextMarker);
        Assert.Null(request.Marker);
    }

    [Fact]
    public async Task MissingLoadBalancer_IsTypedQueryError()
    {
        var client = new ElasticLoadBalancingV2Client(_moto.Context());
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            client.DescribeLoadBalancersAsync(new DescribeLoadBalancersRequest { Names = new() { MotoServer.UniqueName("none") } }));

        Assert.Equal(ElasticLoadBalancingV2ErrorCode.LoadBalancerNotFoundException, error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.False(error.IsRetryable);
    }

    private static Action Forward(string blue, int blueWeight, string green, int greenWeight) => new()
    {
        Type = ActionTypeEnum.Forward,
        ForwardConfig = new ForwardActionConfig
        {
            TargetGroups = new()
            {
                new TargetGroupTuple { TargetGroupArn = blue, Weight = blueWeight },
                new TargetGroupTuple { TargetGroupArn = green, Weight = greenWeight },
            },
        },
    };

    private static (string, int)[] Weights(Action action) =>
        action.ForwardConfig!.TargetGroups!.Select(t => (t.TargetGroupArn!, t.Weight!.Value)).ToArray();
}
