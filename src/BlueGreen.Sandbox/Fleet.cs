using System.Globalization;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox;

/// <summary>What <c>POST /_sandbox/fleet</c> creates: how many targets of each kind, in which regions.</summary>
internal sealed record FleetRequest(int EcsServices, int LambdaFunctions, IReadOnlyList<string> Regions, string Prefix)
{
    /// <summary>More than a rehearsal of a fleet needs, fewer than would make the sandbox slow to seed.</summary>
    public const int MaxTargets = 500;

    public static FleetRequest Parse(JsonNode? body)
    {
        if (body is not JsonObject fields)
        {
            throw Refused("A fleet is a JSON object, e.g. {\"ecsServices\": 30, \"lambdaFunctions\": 20, \"regions\": [\"us-east-1\", \"eu-west-1\"]}.");
        }

        string[] members = ["ecsServices", "lambdaFunctions", "regions", "prefix"];
        var unknown = fields.Select(f => f.Key).Where(k => !members.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw Refused($"Unknown fleet member{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(u => $"'{u}'"))}: a fleet takes {string.Join(", ", members)}.");
        }

        var ecs = Count(fields, "ecsServices");
        var lambda = Count(fields, "lambdaFunctions");
        if (ecs + lambda == 0)
        {
            throw Refused("A fleet needs at least one target: give ecsServices, lambdaFunctions or both.");
        }

        if (ecs + lambda > MaxTargets)
        {
            throw Refused($"A fleet holds at most {MaxTargets} targets; {ecs + lambda} were asked for.");
        }

        var regions = fields["regions"] switch
        {
            null => [Seed.DefaultRegion],
            JsonArray array => array.Select(r => r is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Refused("regions is a list of region names, e.g. [\"us-east-1\", \"eu-west-1\"].")).ToList(),
            _ => throw Refused("regions is a list of region names, e.g. [\"us-east-1\", \"eu-west-1\"]."),
        };
        if (regions.Count == 0 || regions.Any(r => !IsRegionName(r)) || regions.Distinct(StringComparer.Ordinal).Count() != regions.Count)
        {
            throw Refused($"regions must name one or more different regions as AWS spells them (e.g. us-east-1), not {fields["regions"]?.ToJsonString()}.");
        }

        var prefix = fields["prefix"] switch
        {
            null => "fleet",
            JsonValue v when v.TryGetValue<string>(out var s) && IsPrefix(s) => s,
            _ => throw Refused("prefix must be 1 to 16 lower-case letters, digits or hyphens, starting with a letter (names are prefix-svc-01, prefix-fn-01, ...)."),
        };
        return new FleetRequest(ecs, lambda, regions, prefix);
    }

    private static int Count(JsonObject fields, string name) => fields[name] switch
    {
        null => 0,
        JsonValue v when v.TryGetValue<double>(out var n) && n >= 0 && n <= MaxTargets && n == Math.Floor(n) => (int)n,
        _ => throw Refused($"{name} must be a whole number from 0 to {MaxTargets}."),
    };

    private static bool IsRegionName(string name) =>
        name.Length is >= 9 and <= 25 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && name.Count(c => c == '-') >= 2;

    private static bool IsPrefix(string prefix) =>
        prefix.Length is >= 1 and <= 16 && char.IsAsciiLetterLower(prefix[0]) && prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static AwsException Refused(string message) => new("InvalidFleet", message);
}

/// <summary>
/// Many release targets at once, spread over regions in turn: ECS services (every other one released by CodeDeploy, the
/// rest by ECS itself) and Lambda functions with a <c>live</c> alias (every other one with a CodeDeploy group, the rest
/// for the module to shift). Created through the same operation handlers the AWS API uses, like <see cref="Seed"/>, and
/// lean on purpose: one task per service, one load balancer per service, no alarms.
/// </summary>
internal static class Fleet
{
    private const string Role = "arn:aws:iam::000000000000:role/sandbox-codedeploy";

    /// <summary>Creates the fleet and describes each target. Call under the state lock.</summary>
    public static JsonObject Create(Sandbox sandbox, FleetRequest request)
    {
        var targets = new JsonArray();
        var clusters = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.EcsServices; i++)
        {
            var region = sandbox.Region(request.Regions[i % request.Regions.Count]);
            if (clusters.Add(region.Name))
            {
                Call(region, "ecs", "CreateCluster", new JsonObject { ["clusterName"] = request.Prefix });
            }

            var name = $"{request.Prefix}-svc-{(i + 1).ToString("D2", CultureInfo.InvariantCulture)}";
            targets.Add(Alternate(i, request) ? CodeDeployService(sandbox, region, request.Prefix, name) : NativeService(sandbox, region, request.Prefix, name));
        }

        for (var i = 0; i < request.LambdaFunctions; i++)
        {
            var region = sandbox.Region(request.Regions[i % request.Regions.Count]);
            var name = $"{request.Prefix}-fn-{(i + 1).ToString("D2", CultureInfo.InvariantCulture)}";
            targets.Add(Function(region, name, withCodeDeploy: Alternate(i, request)));
        }

        return new JsonObject { ["regions"] = request.Regions.Select(r => (JsonNode?)r).ToJsonArray(), ["targets"] = targets };
    }

    /// <summary>Targets go to the regions in turn, and each region gets both kinds of controller in turn.</summary>
    private static bool Alternate(int index, FleetRequest request) => index / request.Regions.Count % 2 == 0;

    private static JsonNode? Call(Region region, string service, string operation, JsonObject input) => region.Call(service, operation, input, "fleet");

    /// <summary>Three revisions: 1 serves now (blue), 2 is a good release, 3 answers 500 to everything.</summary>
    private static void TaskDefinitions(Region region, string family)
    {
        foreach (var (version, status) in new[] { (1, 200), (2, 200), (3, 500) })
        {
            Call(region, "ecs", "RegisterTaskDefinition", new JsonObject
            {
                ["family"] = family,
                ["networkMode"] = "awsvpc",
                ["requiresCompatibilities"] = new JsonArray { "FARGATE" },
                ["cpu"] = "256",
                ["memory"] = "512",
                ["containerDefinitions"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["name"] = family,
                        ["image"] = $"public.ecr.aws/sandbox/{family}:{version}.0",
                        ["portMappings"] = new JsonArray { new JsonObject { ["containerPort"] = 80, ["protocol"] = "tcp" } },
                        ["environment"] = new JsonArray
                        {
                            new JsonObject { ["name"] = "SANDBOX_BODY", ["value"] = $"{family} version {version}\n" },
                            new JsonObject { ["name"] = "SANDBOX_STATUS", ["value"] = status.ToString(CultureInfo.InvariantCulture) },
                        },
                    },
                },
            });
        }
    }

    private static (string LoadBalancerArn, string Blue, string Green) LoadBalancer(Region region, string name)
    {
        var lb = Call(region, "elasticloadbalancing", "CreateLoadBalancer", new JsonObject { ["Name"] = name, ["Subnets"] = new JsonArray { "subnet-a", "subnet-b" } })!["LoadBalancers"]![0]!;
        string TargetGroup(string suffix) => Call(region, "elasticloadbalancing", "CreateTargetGroup", new JsonObject
        {
            ["Name"] = $"{name}-{suffix}", ["Protocol"] = "HTTP", ["Port"] = 80, ["VpcId"] = "vpc-sandbox", ["TargetType"] = "ip", ["HealthCheckPath"] = "/",
        })!["TargetGroups"]![0].Str("TargetGroupArn")!;
        return (lb.Str("LoadBalancerArn")!, TargetGroup("blue"), TargetGroup("green"));
    }

    private static JsonObject Network() => new() { ["awsvpcConfiguration"] = new JsonObject { ["subnets"] = new JsonArray { "subnet-a", "subnet-b" }, ["assignPublicIp"] = "DISABLED" } };

    // Listener ports below 1024 are never bound as asked: the sandbox picks a free port and reports it.
    private const int ProductionPort = 80;
    private const int TestPort = 81;

    private static JsonObject CodeDeployService(Sandbox sandbox, Region region, string cluster, string name)
    {
        TaskDefinitions(region, name);
        var (lbArn, blue, green) = LoadBalancer(region, name);
        JsonNode Listener(int port) => Call(region, "elasticloadbalancing", "CreateListener", new JsonObject
        {
            ["LoadBalancerArn"] = lbArn, ["Protocol"] = "HTTP", ["Port"] = port,
            ["DefaultActions"] = new JsonArray { new JsonObject { ["Type"] = "forward", ["TargetGroupArn"] = blue } },
        })!["Listeners"]![0]!;
        var prod = Listener(ProductionPort);
        var test = Listener(TestPort);
        Call(region, "ecs", "CreateService", new JsonObject
        {
            ["cluster"] = cluster,
            ["serviceName"] = name,
            ["taskDefinition"] = $"{name}:1",
            ["desiredCount"] = 1,
            ["launchType"] = "FARGATE",
            ["deploymentController"] = new JsonObject { ["type"] = "CODE_DEPLOY" },
            ["loadBalancers"] = new JsonArray { new JsonObject { ["targetGroupArn"] = blue, ["containerName"] = name, ["containerPort"] = 80 } },
            ["networkConfiguration"] = Network(),
        });
        Call(region, "codedeploy", "CreateApplication", new JsonObject { ["applicationName"] = name, ["computePlatform"] = "ECS" });
        Call(region, "codedeploy", "CreateDeploymentGroup", new JsonObject
        {
            ["applicationName"] = name,
            ["deploymentGroupName"] = $"{name}-dg",
            ["serviceRoleArn"] = Role,
            ["deploymentConfigName"] = "CodeDeployDefault.ECSAllAtOnce",
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
                        ["targetGroups"] = new JsonArray { new JsonObject { ["name"] = $"{name}-blue" }, new JsonObject { ["name"] = $"{name}-green" } },
                        ["prodTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray { prod.Str("ListenerArn") } },
                        ["testTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray { test.Str("ListenerArn") } },
                    },
                },
            },
            ["ecsServices"] = new JsonArray { new JsonObject { ["serviceName"] = name, ["clusterName"] = cluster } },
            ["autoRollbackConfiguration"] = new JsonObject { ["enabled"] = true, ["events"] = new JsonArray { "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST" } },
        });
        var target = EcsTarget(sandbox, region, cluster, name, "CODE_DEPLOY", prod, test);
        target["application"] = name;
        target["deploymentGroup"] = $"{name}-dg";
        return target;
    }

    private static JsonObject NativeService(Sandbox sandbox, Region region, string cluster, string name)
    {
        TaskDefinitions(region, name);
        var (lbArn, blue, green) = LoadBalancer(region, name);
        (JsonNode Listener, string Rule) Listener(int port) =>
            Seed.ForwardingListener((service, operation, input) => Call(region, service, operation, input), lbArn, port, blue, green);

        var (prod, prodRule) = Listener(ProductionPort);
        var (test, testRule) = Listener(TestPort);
        Call(region, "ecs", "CreateService", new JsonObject
        {
            ["cluster"] = cluster,
            ["serviceName"] = name,
            ["taskDefinition"] = $"{name}:1",
            ["desiredCount"] = 1,
            ["launchType"] = "FARGATE",
            ["deploymentController"] = new JsonObject { ["type"] = "ECS" },
            ["deploymentConfiguration"] = new JsonObject { ["strategy"] = "BLUE_GREEN", ["bakeTimeInMinutes"] = 0, ["maximumPercent"] = 200, ["minimumHealthyPercent"] = 100 },
            ["loadBalancers"] = new JsonArray
            {
                new JsonObject
                {
                    ["targetGroupArn"] = blue,
                    ["containerName"] = name,
                    ["containerPort"] = 80,
                    ["advancedConfiguration"] = new JsonObject
                    {
                        ["alternateTargetGroupArn"] = green,
                        ["productionListenerRule"] = prodRule,
                        ["testListenerRule"] = testRule,
                        ["roleArn"] = $"arn:aws:iam::{Sandbox.Account}:role/ecsInfrastructureRoleForLoadBalancers",
                    },
                },
            },
            ["networkConfiguration"] = Network(),
        });
        return EcsTarget(sandbox, region, cluster, name, "ECS", prod, test);
    }

    private static JsonObject EcsTarget(Sandbox sandbox, Region region, string cluster, string name, string controller, JsonNode prod, JsonNode test) => new()
    {
        ["kind"] = "EcsService",
        ["region"] = region.Name,
        ["cluster"] = cluster,
        ["service"] = name,
        ["deploymentController"] = controller,
        ["blueTaskDefinition"] = $"{name}:1",
        ["greenTaskDefinition"] = $"{name}:2",
        ["failingTaskDefinition"] = $"{name}:3",
        ["blueVersion"] = $"{name}:1",
        ["productionUrl"] = $"http://{sandbox.Options.Host}:{prod.Int("Port")}/",
        ["testUrl"] = $"http://{sandbox.Options.Host}:{test.Int("Port")}/",
    };

    /// <summary>Versions: 1 serves now (blue), 2 is a good release, 3 fails every invocation.</summary>
    private static JsonObject Function(Region region, string name, bool withCodeDeploy)
    {
        static string Behaviour(string name, int version) => (version == 3
            ? new JsonObject { ["error"] = new JsonObject { ["errorType"] = "BadBuild", ["errorMessage"] = $"{name} v3 is a bad build: every invocation fails" } }
            : new JsonObject { ["payload"] = new JsonObject { ["version"] = version, ["message"] = $"{name} v{version}" } }).ToJsonString();
        Call(region, "lambda", "CreateFunction", new JsonObject
        {
            ["FunctionName"] = name,
            ["Runtime"] = "python3.12",
            ["Role"] = "arn:aws:iam::000000000000:role/sandbox-lambda",
            ["Handler"] = "index.handler",
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(Seed.FunctionZip(Behaviour(name, 1))) },
        });
        Call(region, "lambda", "PublishVersion", new JsonObject { ["FunctionName"] = name });
        foreach (var version in new[] { 2, 3 })
        {
            Call(region, "lambda", "UpdateFunctionCode", new JsonObject { ["FunctionName"] = name, ["ZipFile"] = Convert.ToBase64String(Seed.FunctionZip(Behaviour(name, version))) });
            region.Lambda.FinishUpdate(name);
            Call(region, "lambda", "PublishVersion", new JsonObject { ["FunctionName"] = name });
        }

        Call(region, "lambda", "CreateAlias", new JsonObject { ["FunctionName"] = name, ["Name"] = "live", ["FunctionVersion"] = "1" });
        var target = new JsonObject
        {
            ["kind"] = "LambdaAlias",
            ["region"] = region.Name,
            ["functionName"] = name,
            ["alias"] = "live",
            ["controller"] = withCodeDeploy ? "CodeDeploy" : "Module",
            ["blueVersion"] = "1",
            ["greenVersion"] = "2",
            ["failingVersion"] = "3",
        };
        if (withCodeDeploy)
        {
            Call(region, "codedeploy", "CreateApplication", new JsonObject { ["applicationName"] = name, ["computePlatform"] = "Lambda" });
            Call(region, "codedeploy", "CreateDeploymentGroup", new JsonObject
            {
                ["applicationName"] = name,
                ["deploymentGroupName"] = $"{name}-dg",
                ["serviceRoleArn"] = Role,
                ["deploymentConfigName"] = "CodeDeployDefault.LambdaAllAtOnce",
                ["deploymentStyle"] = new JsonObject { ["deploymentType"] = "BLUE_GREEN", ["deploymentOption"] = "WITH_TRAFFIC_CONTROL" },
                ["autoRollbackConfiguration"] = new JsonObject { ["enabled"] = true, ["events"] = new JsonArray { "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST" } },
            });
            target["application"] = name;
            target["deploymentGroup"] = $"{name}-dg";
        }

        return target;
    }
}
