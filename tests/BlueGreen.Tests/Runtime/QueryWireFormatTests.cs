using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using BlueGreen.Aws.ElasticLoadBalancingV2;
using BlueGreen.Tests.Infrastructure;
using Elb = BlueGreen.Aws.ElasticLoadBalancingV2.Model;

namespace BlueGreen.Tests.Runtime;

/// <summary>awsQuery over real HTTP: the form fields ELBv2 receives and the XML it answers, as AWS documents them.</summary>
public sealed class QueryWireFormatTests
{
    private const string Xml = "text/xml";

    [Fact]
    public async Task CreateListener_SendsNestedListsNumbersBooleansAndMapsAsQueryFields()
    {
        using var server = new ScriptedHttpServer().Respond(200,
            "<CreateListenerResponse><CreateListenerResult><Listeners/></CreateListenerResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></CreateListenerResponse>",
            new Dictionary<string, string> { ["Content-Type"] = Xml });
        var response = await new ElasticLoadBalancingV2Client(server.Context()).CreateListenerAsync(new Elb.CreateListenerRequest
        {
            LoadBalancerArn = "arn:lb",
            Protocol = "HTTP",
            Port = 80,
            DefaultActions = new()
            {
                new Elb.Action
                {
                    Type = "authenticate-oidc",
                    Order = 1,
                    AuthenticateOidcConfig = new Elb.AuthenticateOidcActionConfig
                    {
                        Issuer = "https://idp", ClientId = "client", ClientSecret = "oidc-secret",
                        AuthenticationRequestExtraParams = new Dictionary<string, string> { ["prompt"] = "login", ["display"] = "page" },
                    },
                },
                new Elb.Action
                {
                    Type = "forward",
                    Order = 2,
                    ForwardConfig = new Elb.ForwardActionConfig
                    {
                        TargetGroups = new() { new Elb.TargetGroupTuple { TargetGroupArn = "arn:blue", Weight = 90 }, new Elb.TargetGroupTuple { TargetGroupArn = "arn:green", Weight = 10 } },
                        TargetGroupStickinessConfig = new Elb.TargetGroupStickinessConfig { Enabled = false },
                    },
                },
            },
        });

        Assert.Equal("r-1", response.RequestId);
        Assert.Empty(response.Listeners!);
        var fields = Fields(server.Requests.Single().Body);
        Assert.Equal("CreateListener", fields["Action"]);
        Assert.Equal("2015-12-01", fields["Version"]);
        Assert.Equal("80", fields["Port"]);
        Assert.Equal("authenticate-oidc", fields["DefaultActions.member.1.Type"]);
        Assert.Equal("1", fields["DefaultActions.member.1.Order"]);
        Assert.Equal("prompt", fields["DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key"]);
        Assert.Equal("login", fields["DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.value"]);
        Assert.Equal("display", fields["DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.2.key"]);
        Assert.Equal("page", fields["DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.2.value"]);
        Assert.Equal("forward", fields["DefaultActions.member.2.Type"]);
        Assert.Equal("arn:blue", fields["DefaultActions.member.2.ForwardConfig.TargetGroups.member.1.TargetGroupArn"]);
        Assert.Equal("90", fields["DefaultActions.member.2.ForwardConfig.TargetGroups.member.1.Weight"]);
        Assert.Equal("arn:green", fields["DefaultActions.member.2.ForwardConfig.TargetGroups.member.2.TargetGroupArn"]);
        Assert.Equal("10", fields["DefaultActions.member.2.ForwardConfig.TargetGroups.member.2.Weight"]);
        Assert.Equal("false", fields["DefaultActions.member.2.ForwardConfig.TargetGroupStickinessConfig.Enabled"]);
        Assert.DoesNotContain(fields.Keys, k => k.Contains("prompt", StringComparison.Ordinal) && !k.EndsWith(".key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribeListeners_ReadsNestedXml()
    {
        const string body = """
            <DescribeListenersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <DescribeListenersResult>
                <Listeners>
                  <member>
                    <LoadBalancerArn>arn:lb</LoadBalancerArn>
                    <Protocol>HTTP</Protocol>
                    <Port>80</Port>
                    <ListenerArn>arn:listener</ListenerArn>
                    <DefaultActions>
                      <member>
                        <Type>forward</Type>
                        <Order>1</Order>
                        <ForwardConfig>
                          <TargetGroups>
                            <member><TargetGroupArn>arn:blue</TargetGroupArn><Weight>75</Weight></member>
                            <member><TargetGroupArn>arn:green</TargetGroupArn><Weight>25</Weight></member>
                          </TargetGroups>
                          <TargetGroupStickinessConfig><Enabled>true</Enabled><DurationSeconds>3600</DurationSeconds></TargetGroupStickinessConfig>
                        </ForwardConfig>
                      </member>
                    </DefaultActions>
                    <AlpnPolicy/>
                  </member>
                </Listeners>
                <NextMarker>next-page</NextMarker>
              </DescribeListenersResult>
              <ResponseMetadata><RequestId>req-listeners</RequestId></ResponseMetadata>
            </DescribeListenersResponse>
            """;
        using var server = new ScriptedHttpServer().Respond(200, body, new Dictionary<string, string> { ["Content-Type"] = Xml });
        var response = await new ElasticLoadBalancingV2Client(server.Context()).DescribeListenersAsync(new Elb.DescribeListenersRequest { LoadBalancerArn = "arn:lb" });

        Assert.Equal("req-listeners", response.RequestId);
        Assert.Equal("next-page", response.NextMarker);
        var listener = Assert.Single(response.Listeners!);
        Assert.Equal(80, listener.Port);
        Assert.Equal("HTTP", listener.Protocol);
        Assert.Empty(listener.AlpnPolicy!);
        var action = Assert.Single(listener.DefaultActions!);
        Assert.Equal(1, action.Order);
        Assert.Equal(new[] { ("arn:blue", 75), ("arn:green", 25) }, action.ForwardConfig!.TargetGroups!.Select(t => (t.TargetGroupArn!, t.Weight!.Value)));
        Assert.True(action.ForwardConfig.TargetGroupStickinessConfig!.Enabled);
        Assert.Equal(3600, action.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds);
        Assert.Equal("arn:lb", Fields(server.Requests.Single().Body)["LoadBalancerArn"]);
    }

    [Fact]
    public async Task DescribeLoadBalancers_ReadsTimestampsAndStructures()
    {
        const string body = """
            <DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers><member>
              <LoadBalancerArn>arn:lb</LoadBalancerArn><LoadBalancerName>web</LoadBalancerName>
              <CreatedTime>2016-03-25T21:26:12.920Z</CreatedTime><State><Code>active</Code></State>
              <AvailabilityZones><member><ZoneName>us-east-1a</ZoneName><SubnetId>subnet-1</SubnetId></member></AvailabilityZones>
              <SecurityGroups><member>sg-1</member><member>sg-2</member></SecurityGroups>
            </member></LoadBalancers></DescribeLoadBalancersResult></DescribeLoadBalancersResponse>
            """;
        using var server = new ScriptedHttpServer().Respond(200, body, new Dictionary<string, string> { ["Content-Type"] = Xml });
        var response = await new ElasticLoadBalancingV2Client(server.Context()).DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest { Names = new() { "web" }, PageSize = 5 });

        var lb = Assert.Single(response.LoadBalancers!);
        Assert.Equal(new DateTime(2016, 3, 25, 21, 26, 12, 920, DateTimeKind.Utc), lb.CreatedTime!.Value.ToUniversalTime());
        Assert.Equal("active", lb.State!.Code);
        Assert.Equal("subnet-1", Assert.Single(lb.AvailabilityZones!).SubnetId);
        Assert.Equal(new[] { "sg-1", "sg-2" }, lb.SecurityGroups);
        var fields = Fields(server.Requests.Single().Body);
        Assert.Equal("web", fields["Names.member.1"]);
        Assert.Equal("5", fields["PageSize"]);
    }

    [Fact]
    public void Timestamps_AreSentAsIso8601()
    {
        var request = new BlueGreen.Aws.CloudWatch.Model.GetMetricDataRequest
        {
            StartTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            EndTime = new DateTime(2026, 1, 2, 4, 4, 5, 250, DateTimeKind.Utc),
        };
        var form = System.Text.Encoding.UTF8.GetString(BlueGreen.Aws.Protocols.QueryProtocol.SerializeRequest("GetMetricData", "2010-08-01", request,
            BlueGreen.Aws.CloudWatch.CloudWatchJsonContext.Default.GetMetricDataRequest));

        var fields = Fields(form);
        Assert.Equal("2026-01-02T03:04:05.000Z", fields["StartTime"]);
        Assert.Equal("2026-01-02T04:04:05.250Z", fields["EndTime"]);
    }

    private static Dictionary<string, string> Fields(string form) =>
        form.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));
}
