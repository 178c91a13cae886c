using System.Text.Json.Nodes;

namespace BlueGreen.Sandbox.Tests;

/// <summary>An ECS blue/green environment built from nothing with AWS CLI commands, one per region.</summary>
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
        aws.Ok("ecs", "create-cluster", "--cluster-name", "demo");
        foreach (var version in new[] { "1", "2" })
        {
            aws.Ok("ecs", "register-task-definition", "--family", "web", "--network-mode", "awsvpc", "--requires-compatibilities", "FARGATE", "--cpu", "256", "--memory", "512",
                "--container-definitions", $$"""[{"name":"web","image":"web:{{version}}","portMappings":[{"containerPort":80}],"environment":[{"name":"SANDBOX_BODY","value":"v{{version}}"}]}]""");
        }

        var lbArn = aws.Ok("elbv2", "create-load-balancer", "--name", "demo-alb", "--subnets", "subnet-1", "subnet-2")["LoadBalancers"]![0]!["LoadBalancerArn"]!.GetValue<string>();
        string Group(string name) => aws.Ok("elbv2", "create-target-group", "--name", name, "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1", "--target-type", "ip")["TargetGroups"]![0]!["TargetGroupArn"]!.GetValue<string>();
        var blue = Group("demo-blue");
        var green = Group("demo-green");
        JsonNode Listener(string port) => aws.Ok("elbv2", "create-listener", "--load-balancer-arn", lbArn, "--protocol", "HTTP", "--port", port,
            "--default-actions", $"Type=forward,TargetGroupArn={blue}")["Listeners"]![0]!;
        var prod = Listener("80");
        var test = Listener("8080");
        aws.Ok("ecs", "create-service", "--cluster", "demo", "--service-name", "web", "--task-definition", "web:1", "--desired-count", "2",
            "--deployment-controller", "type=CODE_DEPLOY", "--launch-type", "FARGATE",
            "--load-balancers", $"targetGroupArn={blue},containerName=web,containerPort=80",
            "--network-configuration", "awsvpcConfiguration={subnets=[subnet-1],assignPublicIp=DISABLED}");
        aws.Ok("deploy", "create-application", "--application-name", "demo", "--compute-platform", "ECS");
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
                        ["prodTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray { prod["ListenerArn"]!.GetValue<string>() } },
                        ["testTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray { test["ListenerArn"]!.GetValue<string>() } },
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

        aws.Ok("deploy", "create-deployment-group", "--cli-input-json", group.ToJsonString());
        return new EcsEnvironment
        {
            Aws = aws,
            LoadBalancerArn = lbArn,
            BlueGroupArn = blue,
            GreenGroupArn = green,
            ProductionListenerArn = prod["ListenerArn"]!.GetValue<string>(),
            ProductionPort = prod["Port"]!.GetValue<int>(),
            TestPort = test["Port"]!.GetValue<int>(),
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
