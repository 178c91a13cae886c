using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace BlueGreen.Sandbox.Tests;

/// <summary>An ECS blue/green environment built from nothing with signed AWS requests, one per region.</summary>
public sealed class EcsEnvironment
{
    public required Aws Aws { get; init; }

    public required string LoadBalancerArn { get; init; }

    public required string BlueGroupArn { get; init; }

    public required string GreenGroupArn { get; init; }

    public required string ProductionListenerArn { get; init; }

    public required int ProductionPort { get; init; }

    public required int TestPort { get; init; }

    public static EcsEnvironment Create(Aws aws, string deploymentConfig, int terminationWaitMinutes = 1, string? alarm = null, string readyAction = "CONTINUE_DEPLOYMENT")
    {
        // Set up with signed requests, not a CLI process a call: the tests read what they assert with the CLI.
        const string ecs = "AmazonEC2ContainerServiceV20141113.";
        aws.Json("ecs", ecs + "CreateCluster", new JsonObject { ["clusterName"] = "demo" });
        foreach (var version in new[] { "1", "2" })
        {
            aws.Json("ecs", ecs + "RegisterTaskDefinition", new JsonObject
            {
                ["family"] = "web",
                ["networkMode"] = "awsvpc",
                ["requiresCompatibilities"] = new JsonArray { "FARGATE" },
                ["cpu"] = "256",
                ["memory"] = "512",
                ["containerDefinitions"] = JsonNode.Parse($$"""[{"name":"web","image":"web:{{version}}","portMappings":[{"containerPort":80}],"environment":[{"name":"SANDBOX_BODY","value":"v{{version}}"}]}]"""),
            });
        }

        static string Text(XElement answer, string name) => answer.Descendants().First(e => e.Name.LocalName == name).Value;
        XElement Elb(string action, params (string, string)[] parameters) => aws.Query("elasticloadbalancing", action, "2015-12-01", parameters);
        var lbArn = Text(Elb("CreateLoadBalancer", ("Name", "demo-alb"), ("Subnets.member.1", "subnet-1"), ("Subnets.member.2", "subnet-2")), "LoadBalancerArn");
        string Group(string name) => Text(Elb("CreateTargetGroup", ("Name", name), ("Protocol", "HTTP"), ("Port", "80"), ("VpcId", "vpc-1"), ("TargetType", "ip")), "TargetGroupArn");
        var blue = Group("demo-blue");
        var green = Group("demo-green");
        (string Arn, int Port) Listener(string port)
        {
            var listener = Elb("CreateListener", ("LoadBalancerArn", lbArn), ("Protocol", "HTTP"), ("Port", port),
                ("DefaultActions.member.1.Type", "forward"), ("DefaultActions.member.1.TargetGroupArn", blue))
                .Descendants().First(e => e.Name.LocalName == "Listeners").Elements().First();
            return (listener.Elements().First(e => e.Name.LocalName == "ListenerArn").Value, int.Parse(listener.Elements().First(e => e.Name.LocalName == "Port").Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        var prod = Listener("80");
        var test = Listener("8080");
        aws.Json("ecs", ecs + "CreateService", new JsonObject
        {
            ["cluster"] = "demo",
            ["serviceName"] = "web",
            ["taskDefinition"] = "web:1",
            ["desiredCount"] = 2,
            ["deploymentController"] = new JsonObject { ["type"] = "CODE_DEPLOY" },
            ["launchType"] = "FARGATE",
            ["loadBalancers"] = new JsonArray { new JsonObject { ["targetGroupArn"] = blue, ["containerName"] = "web", ["containerPort"] = 80 } },
            ["networkConfiguration"] = new JsonObject { ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray { "subnet-1" }, ["assignPublicIp"] = "DISABLED" } },
        });
        aws.Json("codedeploy", "CodeDeploy_20141006.CreateApplication", new JsonObject { ["applicationName"] = "demo", ["computePlatform"] = "ECS" });
        var group = new JsonObject
        {
            ["applicationName"] = "demo",
            ["deploymentGroupName"] = "demo-dg",
            ["serviceRoleArn"] = "arn:aws:iam::000000000000:role/codedeploy",
            ["deploymentConfigName"] = deploymentConfig,
            ["deploymentStyle"] = new JsonObject { ["deploymentType"] = "BLUE_GREEN", ["deploymentOption"] = "WITH_TRAFFIC_CONTROL" },
            ["blueGreenDeploymentConfiguration"] = new JsonObject
            {
                ["terminateBlueInstancesOnDeploymentSuccess"] = new JsonObject { ["action"] = "TERMINATE", ["terminationWaitTimeInMinutes"] = terminationWaitMinutes },
                ["deploymentReadyOption"] = new JsonObject { ["actionOnTimeout"] = readyAction, ["waitTimeInMinutes"] = readyAction == "STOP_DEPLOYMENT" ? 60 : 0 },
            },
            ["loadBalancerInfo"] = new JsonObject
            {
                ["targetGroupPairInfoList"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["targetGroups"] = new JsonArray { new JsonObject { ["name"] = "demo-blue" }, new JsonObject { ["name"] = "demo-green" } },
                        ["prodTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray { prod.Arn } },
                        ["testTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray { test.Arn } },
                    },
                },
            },
            ["ecsServices"] = new JsonArray { new JsonObject { ["serviceName"] = "web", ["clusterName"] = "demo" } },
            ["autoRollbackConfiguration"] = new JsonObject { ["enabled"] = true, ["events"] = new JsonArray { "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST" } },
        };
        if (alarm is not null)
        {
            group["alarmConfiguration"] = new JsonObject { ["enabled"] = true, ["alarms"] = new JsonArray { new JsonObject { ["name"] = alarm } } };
        }

        aws.Json("codedeploy", "CodeDeploy_20141006.CreateDeploymentGroup", group);
        return new EcsEnvironment
        {
            Aws = aws,
            LoadBalancerArn = lbArn,
            BlueGroupArn = blue,
            GreenGroupArn = green,
            ProductionListenerArn = prod.Arn,
            ProductionPort = prod.Port,
            TestPort = test.Port,
        };
    }

    public static string Revision(string taskDefinition) => new JsonObject
    {
        ["revisionType"] = "AppSpecContent",
        ["appSpecContent"] = new JsonObject
        {
            ["content"] = $"""
                version: 0.0
                Resources:
                  - TargetService:
                      Type: AWS::ECS::Service
                      Properties:
                        TaskDefinition: "{taskDefinition}"
                        LoadBalancerInfo:
                          ContainerName: "web"
                          ContainerPort: 80
                """,
        },
    }.ToJsonString();

    public string Deploy(string taskDefinition) =>
        Aws.Ok("deploy", "create-deployment", "--application-name", "demo", "--deployment-group-name", "demo-dg", "--revision", Revision(taskDefinition))["deploymentId"]!.GetValue<string>();

    /// <summary>Green's share of production traffic as the deployment target reports it.</summary>
    public double GreenWeight(string deploymentId)
    {
        var target = Aws.Ok("deploy", "get-deployment-target", "--deployment-id", deploymentId, "--target-id", "demo:web")["deploymentTarget"]!["ecsTarget"]!;
        return target["taskSetsInfo"]!.AsArray().Where(t => t!["taskSetLabel"]!.GetValue<string>() == "Green").Select(t => t!["trafficWeight"]!.GetValue<double>()).FirstOrDefault();
    }

    /// <summary>Blue's and green's weights on the production listener, as describe-listeners reports them.</summary>
    public int[] ProductionWeights() =>
        Weights(Aws.Ok("elbv2", "describe-listeners", "--listener-arns", ProductionListenerArn)["Listeners"]![0]!);

    /// <summary>Waits, through the sandbox's control API rather than the CLI, until green's production weight satisfies the condition.</summary>
    public void WaitForGreenWeight(SandboxFixture sandbox, Func<int, bool> condition, string what) =>
        sandbox.WaitForState(
            Aws.Region,
            r => r["elbv2"]!["listeners"]!.AsArray().FirstOrDefault(l => l!["ListenerArn"]!.GetValue<string>() == ProductionListenerArn) is { } listener && condition(Weights(listener)[1]),
            what);

    private int[] Weights(JsonNode listener)
    {
        var groups = listener["DefaultActions"]![0]!["ForwardConfig"]?["TargetGroups"]?.AsArray() ?? [];
        int Weight(string arn) => groups.Where(g => g!["TargetGroupArn"]!.GetValue<string>() == arn).Select(g => g!["Weight"]!.GetValue<int>()).FirstOrDefault();
        return [Weight(BlueGroupArn), Weight(GreenGroupArn)];
    }
}
