using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox;

/// <summary>
/// The sample environment (<c>--seed</c>, <c>POST /_sandbox/seed</c>), created through the same operation
/// handlers the AWS API uses, so it is exactly what a user could have created with the CLI.
/// </summary>
internal static class Seed
{
    public const string DefaultRegion = "us-east-1";
    private const string Role = "arn:aws:iam::000000000000:role/sandbox-codedeploy";

    /// <summary>A zip holding only the sandbox behaviour file.</summary>
    public static byte[] FunctionZip(string behaviourJson)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = archive.CreateEntry(Services.FunctionBehaviour.FileName);
            using var stream = entry.Open();
            stream.Write(Encoding.UTF8.GetBytes(behaviourJson));
        }

        return buffer.ToArray();
    }

    /// <summary>Creates the sample resources. Call under the state lock.</summary>
    public static JsonObject Create(Sandbox sandbox, string regionName)
    {
        var region = sandbox.Region(regionName);
        JsonNode? Call(string service, string operation, JsonObject input) => region.Call(service, operation, input, "seed");

        Call("ecs", "CreateCluster", new JsonObject { ["clusterName"] = "sandbox" });
        foreach (var version in new[] { "1", "2" })
        {
            Call("ecs", "RegisterTaskDefinition", new JsonObject
            {
                ["family"] = "web",
                ["networkMode"] = "awsvpc",
                ["requiresCompatibilities"] = new JsonArray { "FARGATE" },
                ["cpu"] = "256",
                ["memory"] = "512",
                ["containerDefinitions"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["name"] = "web",
                        ["image"] = $"public.ecr.aws/sandbox/web:{version}.0",
                        ["portMappings"] = new JsonArray { new JsonObject { ["containerPort"] = 80, ["protocol"] = "tcp" } },
                        ["environment"] = new JsonArray
                        {
                            new JsonObject { ["name"] = "SANDBOX_BODY", ["value"] = $"web version {version}\n" },
                            new JsonObject { ["name"] = "SANDBOX_LATENCY_MS", ["value"] = "5" },
                        },
                    },
                },
            });
        }

        var lb = Call("elasticloadbalancing", "CreateLoadBalancer", new JsonObject { ["Name"] = "web-alb", ["Subnets"] = new JsonArray { "subnet-a", "subnet-b" } })!["LoadBalancers"]![0]!;
        var lbArn = lb.Str("LoadBalancerArn")!;
        string TargetGroup(string name) => Call("elasticloadbalancing", "CreateTargetGroup", new JsonObject
        {
            ["Name"] = name, ["Protocol"] = "HTTP", ["Port"] = 80, ["VpcId"] = "vpc-sandbox", ["TargetType"] = "ip", ["HealthCheckPath"] = "/",
        })!["TargetGroups"]![0].Str("TargetGroupArn")!;
        var blue = TargetGroup("web-blue");
        var green = TargetGroup("web-green");
        JsonNode Listener(int port) => Call("elasticloadbalancing", "CreateListener", new JsonObject
        {
            ["LoadBalancerArn"] = lbArn, ["Protocol"] = "HTTP", ["Port"] = port,
            ["DefaultActions"] = new JsonArray { new JsonObject { ["Type"] = "forward", ["TargetGroupArn"] = blue } },
        })!["Listeners"]![0]!;
        var prod = Listener(80);
        var test = Listener(8080);

        Call("ecs", "CreateService", new JsonObject
        {
            ["cluster"] = "sandbox",
            ["serviceName"] = "web",
            ["taskDefinition"] = "web:1",
            ["desiredCount"] = 2,
            ["launchType"] = "FARGATE",
            ["deploymentController"] = new JsonObject { ["type"] = "CODE_DEPLOY" },
            ["loadBalancers"] = new JsonArray { new JsonObject { ["targetGroupArn"] = blue, ["containerName"] = "web", ["containerPort"] = 80 } },
            ["networkConfiguration"] = new JsonObject { ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray { "subnet-a", "subnet-b" }, ["assignPublicIp"] = "DISABLED" } },
        });

        var lbDimension = lbArn[lbArn.IndexOf("app/", StringComparison.Ordinal)..];
        Call("monitoring", "PutMetricAlarm", new JsonObject
        {
            ["AlarmName"] = "web-5xx",
            ["AlarmDescription"] = "Targets behind web-alb answer with 5XX.",
            ["Namespace"] = "AWS/ApplicationELB",
            ["MetricName"] = "HTTPCode_Target_5XX_Count",
            ["Dimensions"] = new JsonArray { new JsonObject { ["Name"] = "LoadBalancer", ["Value"] = lbDimension } },
            ["Statistic"] = "Sum",
            ["Period"] = 60,
            ["EvaluationPeriods"] = 1,
            ["Threshold"] = 5,
            ["ComparisonOperator"] = "GreaterThanThreshold",
            ["TreatMissingData"] = "notBreaching",
        });
        var rollback = new JsonObject { ["enabled"] = true, ["events"] = new JsonArray { "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST" } };
        Call("codedeploy", "CreateApplication", new JsonObject { ["applicationName"] = "web", ["computePlatform"] = "ECS" });
        Call("codedeploy", "CreateDeploymentGroup", new JsonObject
        {
            ["applicationName"] = "web",
            ["deploymentGroupName"] = "web-dg",
            ["serviceRoleArn"] = Role,
            ["deploymentConfigName"] = "CodeDeployDefault.ECSCanary10Percent5Minutes",
            ["deploymentStyle"] = new JsonObject { ["deploymentType"] = "BLUE_GREEN", ["deploymentOption"] = "WITH_TRAFFIC_CONTROL" },
            ["blueGreenDeploymentConfiguration"] = new JsonObject
            {
                ["terminateBlueInstancesOnDeploymentSuccess"] = new JsonObject { ["action"] = "TERMINATE", ["terminationWaitTimeInMinutes"] = 5 },
                ["deploymentReadyOption"] = new JsonObject { ["actionOnTimeout"] = "CONTINUE_DEPLOYMENT", ["waitTimeInMinutes"] = 0 },
            },
            ["loadBalancerInfo"] = new JsonObject
            {
                ["targetGroupPairInfoList"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["targetGroups"] = new JsonArray { new JsonObject { ["name"] = "web-blue" }, new JsonObject { ["name"] = "web-green" } },
                        ["prodTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray { prod.Str("ListenerArn") } },
                        ["testTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray { test.Str("ListenerArn") } },
                    },
                },
            },
            ["ecsServices"] = new JsonArray { new JsonObject { ["serviceName"] = "web", ["clusterName"] = "sandbox" } },
            ["alarmConfiguration"] = new JsonObject { ["enabled"] = true, ["alarms"] = new JsonArray { new JsonObject { ["name"] = "web-5xx" } } },
            ["autoRollbackConfiguration"] = rollback.DeepClone(),
        });

        var api = SeedApi(sandbox, Call);

        JsonObject Function(string name, string behaviour) => new()
        {
            ["FunctionName"] = name,
            ["Runtime"] = "python3.12",
            ["Role"] = "arn:aws:iam::000000000000:role/sandbox-lambda",
            ["Handler"] = "index.handler",
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(FunctionZip(behaviour)) },
        };
        // A new version: new code, its update completed at once (the seed takes no simulated time), then published.
        void Version(string function, string behaviour, string? description = null)
        {
            Call("lambda", "UpdateFunctionCode", new JsonObject { ["FunctionName"] = function, ["ZipFile"] = Convert.ToBase64String(FunctionZip(behaviour)) });
            region.Lambda.FinishUpdate(function);
            Call("lambda", "PublishVersion", new JsonObject { ["FunctionName"] = function, ["Description"] = description });
        }

        const string BadOrders = """{"error": {"errorType": "OrdersBadBuild", "errorMessage": "orders v3 is a bad build: every invocation fails"}, "latencyMs": 5}""";
        const string BadPayments = """{"error": {"errorType": "PaymentsBadBuild", "errorMessage": "payments v3 is a bad build: every invocation fails"}, "latencyMs": 5}""";
        Call("lambda", "CreateFunction", Function("orders", """{"payload": {"version": 1, "message": "orders v1"}, "latencyMs": 5}"""));
        Call("lambda", "PublishVersion", new JsonObject { ["FunctionName"] = "orders" });
        Version("orders", """{"payload": {"version": 2, "message": "orders v2"}, "latencyMs": 5}""");
        Version("orders", BadOrders, "A bad build: every invocation fails.");
        Call("lambda", "CreateAlias", new JsonObject { ["FunctionName"] = "orders", ["Name"] = "live", ["FunctionVersion"] = "1" });
        Call("lambda", "CreateFunction", Function("release-hook", """{"payload": {"hook": "ok"}, "hookStatus": "Succeeded"}"""));
        Call("monitoring", "PutMetricAlarm", new JsonObject
        {
            ["AlarmName"] = "orders-errors",
            ["AlarmDescription"] = "The orders function's live alias returns errors.",
            ["Namespace"] = "AWS/Lambda",
            ["MetricName"] = "Errors",
            ["Dimensions"] = new JsonArray { new JsonObject { ["Name"] = "FunctionName", ["Value"] = "orders" }, new JsonObject { ["Name"] = "Resource", ["Value"] = "orders:live" } },
            ["Statistic"] = "Sum",
            ["Period"] = 60,
            ["EvaluationPeriods"] = 1,
            ["Threshold"] = 0,
            ["ComparisonOperator"] = "GreaterThanThreshold",
            ["TreatMissingData"] = "notBreaching",
        });

        // Released by the module itself: no CodeDeploy application or group names it.
        Call("lambda", "CreateFunction", Function("payments", """{"payload": {"version": 1, "message": "payments v1"}, "latencyMs": 5}"""));
        Call("lambda", "PublishVersion", new JsonObject { ["FunctionName"] = "payments" });
        Version("payments", """{"payload": {"version": 2, "message": "payments v2"}, "latencyMs": 5}""");
        Version("payments", BadPayments, "A bad build: every invocation fails.");
        Call("lambda", "CreateAlias", new JsonObject { ["FunctionName"] = "payments", ["Name"] = "live", ["FunctionVersion"] = "1" });
        Call("monitoring", "PutMetricAlarm", new JsonObject
        {
            ["AlarmName"] = "payments-errors",
            ["AlarmDescription"] = "The payments function's live alias returns errors.",
            ["Namespace"] = "AWS/Lambda",
            ["MetricName"] = "Errors",
            ["Dimensions"] = new JsonArray { new JsonObject { ["Name"] = "FunctionName", ["Value"] = "payments" }, new JsonObject { ["Name"] = "Resource", ["Value"] = "payments:live" } },
            ["Statistic"] = "Sum",
            ["Period"] = 60,
            ["EvaluationPeriods"] = 1,
            ["Threshold"] = 0,
            ["ComparisonOperator"] = "GreaterThanThreshold",
            ["TreatMissingData"] = "notBreaching",
        });

        Call("codedeploy", "CreateApplication", new JsonObject { ["applicationName"] = "orders", ["computePlatform"] = "Lambda" });
        Call("codedeploy", "CreateDeploymentGroup", new JsonObject
        {
            ["applicationName"] = "orders",
            ["deploymentGroupName"] = "orders-dg",
            ["serviceRoleArn"] = Role,
            ["deploymentConfigName"] = "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            ["deploymentStyle"] = new JsonObject { ["deploymentType"] = "BLUE_GREEN", ["deploymentOption"] = "WITH_TRAFFIC_CONTROL" },
            ["alarmConfiguration"] = new JsonObject { ["enabled"] = true, ["alarms"] = new JsonArray { new JsonObject { ["name"] = "orders-errors" } } },
            ["autoRollbackConfiguration"] = rollback.DeepClone(),
        });

        var summary = new JsonObject
        {
            ["region"] = regionName,
            ["cluster"] = "sandbox",
            ["service"] = "web",
            ["loadBalancerDns"] = lb.Str("DNSName"),
            ["productionListener"] = new JsonObject { ["arn"] = prod.Str("ListenerArn"), ["url"] = $"http://{sandbox.Options.Host}:{prod.Int("Port")}/" },
            ["testListener"] = new JsonObject { ["arn"] = test.Str("ListenerArn"), ["url"] = $"http://{sandbox.Options.Host}:{test.Int("Port")}/" },
            ["targetGroups"] = new JsonArray { blue, green },
            ["codeDeploy"] = new JsonArray { "web/web-dg (ECS)", "orders/orders-dg (Lambda)" },
            ["function"] = "orders (versions 1, 2; alias live -> 1)",
            ["hookFunction"] = "release-hook",
            ["alarms"] = new JsonArray { "web-5xx", "api-5xx", "orders-errors", "payments-errors" },
            ["functions"] = new JsonArray
            {
                SeedFunction("orders", "CodeDeploy orders/orders-dg", "orders-errors"),
                SeedFunction("payments", "none: no CodeDeploy group, released by shifting the alias directly", "payments-errors"),
            },
            ["api"] = api,
        };
        return summary;
    }

    /// <summary>
    /// The service <c>api</c>, released by ECS itself (deployment controller ECS, strategy BLUE_GREEN): its own load balancer
    /// with a production and a test listener, one forward rule each that ECS moves between the blue and green target groups.
    /// </summary>
    private static JsonObject SeedApi(Sandbox sandbox, Func<string, string, JsonObject, JsonNode?> call)
    {
        call("ecs", "RegisterTaskDefinition", new JsonObject
        {
            ["family"] = "api",
            ["networkMode"] = "awsvpc",
            ["requiresCompatibilities"] = new JsonArray { "FARGATE" },
            ["cpu"] = "256",
            ["memory"] = "512",
            ["containerDefinitions"] = new JsonArray
            {
                new JsonObject
                {
                    ["name"] = "api",
                    ["image"] = "public.ecr.aws/sandbox/api:1.0",
                    ["portMappings"] = new JsonArray { new JsonObject { ["containerPort"] = 80, ["protocol"] = "tcp" } },
                    ["environment"] = new JsonArray { new JsonObject { ["name"] = "SANDBOX_LATENCY_MS", ["value"] = "5" } },
                },
            },
        });
        var lb = call("elasticloadbalancing", "CreateLoadBalancer", new JsonObject { ["Name"] = "api", ["Subnets"] = new JsonArray { "subnet-a", "subnet-b" } })!["LoadBalancers"]![0]!;
        var lbArn = lb.Str("LoadBalancerArn")!;
        string TargetGroup(string name) => call("elasticloadbalancing", "CreateTargetGroup", new JsonObject
        {
            ["Name"] = name, ["Protocol"] = "HTTP", ["Port"] = 80, ["VpcId"] = "vpc-sandbox", ["TargetType"] = "ip", ["HealthCheckPath"] = "/",
        })!["TargetGroups"]![0].Str("TargetGroupArn")!;
        var blue = TargetGroup("api-blue");
        var green = TargetGroup("api-green");
        (JsonNode Listener, string Rule) Listener(int port) => ForwardingListener(call, lbArn, port, blue, green);

        var (prod, prodRule) = Listener(81);
        var (test, testRule) = Listener(8081);
        var lbDimension = lbArn[lbArn.IndexOf("app/", StringComparison.Ordinal)..];
        call("monitoring", "PutMetricAlarm", new JsonObject
        {
            ["AlarmName"] = "api-5xx",
            ["AlarmDescription"] = "Targets of the api target groups answer with 5XX.",
            ["Namespace"] = "AWS/ApplicationELB",
            ["MetricName"] = "HTTPCode_Target_5XX_Count",
            ["Dimensions"] = new JsonArray { new JsonObject { ["Name"] = "LoadBalancer", ["Value"] = lbDimension } },
            ["Statistic"] = "Sum",
            ["Period"] = 60,
            ["EvaluationPeriods"] = 1,
            ["Threshold"] = 5,
            ["ComparisonOperator"] = "GreaterThanThreshold",
            ["TreatMissingData"] = "notBreaching",
        });
        var role = $"arn:aws:iam::{Sandbox.Account}:role/ecsInfrastructureRoleForLoadBalancers";
        call("ecs", "CreateService", new JsonObject
        {
            ["cluster"] = "sandbox",
            ["serviceName"] = "api",
            ["taskDefinition"] = "api:1",
            ["desiredCount"] = 2,
            ["launchType"] = "FARGATE",
            ["deploymentController"] = new JsonObject { ["type"] = "ECS" },
            ["deploymentConfiguration"] = new JsonObject
            {
                ["strategy"] = "BLUE_GREEN",
                ["bakeTimeInMinutes"] = 0,
                ["maximumPercent"] = 200,
                ["minimumHealthyPercent"] = 100,
                ["alarms"] = new JsonObject { ["alarmNames"] = new JsonArray { "api-5xx" }, ["enable"] = true, ["rollback"] = true },
            },
            ["loadBalancers"] = new JsonArray
            {
                new JsonObject
                {
                    ["targetGroupArn"] = blue,
                    ["containerName"] = "api",
                    ["containerPort"] = 80,
                    ["advancedConfiguration"] = new JsonObject
                    {
                        ["alternateTargetGroupArn"] = green,
                        ["productionListenerRule"] = prodRule,
                        ["testListenerRule"] = testRule,
                        ["roleArn"] = role,
                    },
                },
            },
            ["networkConfiguration"] = new JsonObject { ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray { "subnet-a", "subnet-b" }, ["assignPublicIp"] = "DISABLED" } },
        });

        return new JsonObject
        {
            ["cluster"] = "sandbox",
            ["service"] = "api",
            ["deploymentController"] = "ECS",
            ["strategy"] = "BLUE_GREEN",
            ["taskDefinition"] = "api:1",
            ["loadBalancer"] = "api",
            ["loadBalancerDns"] = lb.Str("DNSName"),
            ["productionListener"] = new JsonObject { ["arn"] = prod.Str("ListenerArn"), ["ruleArn"] = prodRule, ["url"] = $"http://{sandbox.Options.Host}:{prod.Int("Port")}/" },
            ["testListener"] = new JsonObject { ["arn"] = test.Str("ListenerArn"), ["ruleArn"] = testRule, ["url"] = $"http://{sandbox.Options.Host}:{test.Int("Port")}/" },
            ["targetGroups"] = new JsonArray { blue, green },
            ["roleArn"] = role,
            ["alarm"] = "api-5xx",
        };
    }

    private static JsonObject SeedFunction(string name, string releasedBy, string alarm) => new()
    {
        ["name"] = name,
        ["versions"] = new JsonArray { "1", "2", "3" },
        ["alias"] = "live",
        ["aliasVersion"] = "1",
        ["goodVersion"] = "2",
        ["failingVersion"] = "3",
        ["releasedBy"] = releasedBy,
        ["alarm"] = alarm,
    };

    /// <summary>
    /// A listener on <paramref name="port"/> whose one rule forwards everything to <paramref name="blue"/> (weight 100) and
    /// <paramref name="green"/> (0): what ECS's own blue/green moves between its target groups.
    /// </summary>
    internal static (JsonNode Listener, string Rule) ForwardingListener(Func<string, string, JsonObject, JsonNode?> call, string lbArn, int port, string blue, string green)
    {
        var listener = call("elasticloadbalancing", "CreateListener", new JsonObject
        {
            ["LoadBalancerArn"] = lbArn, ["Protocol"] = "HTTP", ["Port"] = port,
            ["DefaultActions"] = new JsonArray { new JsonObject { ["Type"] = "fixed-response", ["FixedResponseConfig"] = new JsonObject { ["StatusCode"] = "404", ["ContentType"] = "text/plain", ["MessageBody"] = "no rule matched\n" } } },
        })!["Listeners"]![0]!;
        var rule = call("elasticloadbalancing", "CreateRule", new JsonObject
        {
            ["ListenerArn"] = listener.Str("ListenerArn"),
            ["Priority"] = 1,
            ["Conditions"] = new JsonArray { new JsonObject { ["Field"] = "path-pattern", ["Values"] = new JsonArray { "/*" } } },
            ["Actions"] = new JsonArray
            {
                new JsonObject
                {
                    ["Type"] = "forward",
                    ["ForwardConfig"] = new JsonObject
                    {
                        ["TargetGroups"] = new JsonArray
                        {
                            new JsonObject { ["TargetGroupArn"] = blue, ["Weight"] = 100 },
                            new JsonObject { ["TargetGroupArn"] = green, ["Weight"] = 0 },
                        },
                    },
                },
            },
        })!["Rules"]![0].Str("RuleArn")!;
        return (listener, rule);
    }
}
