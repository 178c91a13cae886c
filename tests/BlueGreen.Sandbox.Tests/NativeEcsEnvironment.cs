using System.Text.Json.Nodes;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>The seeded service <c>api</c> (deployment controller ECS) in a region of its own, driven with the AWS CLI.</summary>
public sealed class NativeEcsEnvironment
{
    private readonly SandboxFixture _sandbox;

    private NativeEcsEnvironment(SandboxFixture sandbox, Aws aws, JsonNode summary)
    {
        _sandbox = sandbox;
        Aws = aws;
        Summary = summary;
    }

    public Aws Aws { get; }

    /// <summary>The seed summary's <c>api</c> entry.</summary>
    public JsonNode Summary { get; }

    public int ProductionPort => new Uri(Summary["productionListener"]!["url"]!.GetValue<string>()).Port;

    public int TestPort => new Uri(Summary["testListener"]!["url"]!.GetValue<string>()).Port;

    public string ProductionRule => Summary["productionListener"]!["ruleArn"]!.GetValue<string>();

    public string TestRule => Summary["testListener"]!["ruleArn"]!.GetValue<string>();

    public string BlueGroup => Summary["targetGroups"]![0]!.GetValue<string>();

    public string GreenGroup => Summary["targetGroups"]![1]!.GetValue<string>();

    public static NativeEcsEnvironment Seed(SandboxFixture sandbox, string region)
    {
        var summary = sandbox.ControlAsync(HttpMethod.Post, "seed?region=" + region).GetAwaiter().GetResult();
        var env = new NativeEcsEnvironment(sandbox, new Aws(sandbox, region), summary["api"]!);

        // The first tasks of api:1 are running and its first service deployment is over.
        sandbox.WaitForState(region, r => Deployments(r).Any(d => d["status"]!.GetValue<string>() == "SUCCESSFUL"), "The seeded api service's first deployment");
        return env;
    }

    /// <summary>Registers the next revision of the api family with this image; returns "api:N".</summary>
    public string Register(string image, string family = "api")
    {
        var definition = Aws.Ok("ecs", "register-task-definition", "--family", family, "--network-mode", "awsvpc", "--requires-compatibilities", "FARGATE", "--cpu", "256", "--memory", "512",
            "--container-definitions", $$"""[{"name":"api","image":"{{image}}","portMappings":[{"containerPort":80}]}]""")["taskDefinition"]!;
        return $"{family}:{definition["revision"]!.GetValue<int>()}";
    }

    /// <summary>
    /// Updates the service to the task definition with this deployment configuration; returns the new service deployment's
    /// ARN, as the sandbox's state shows it (ListServiceDeployments is judged by the tests that list).
    /// </summary>
    public string Deploy(string taskDefinition, string? deploymentConfiguration = null)
    {
        var before = Deployments(_sandbox.WaitForState(Aws.Region, _ => true, "The state")).Count();
        var args = new List<string> { "ecs", "update-service", "--cluster", "sandbox", "--service", "api", "--task-definition", taskDefinition };
        if (deploymentConfiguration is not null)
        {
            args.AddRange(["--deployment-configuration", deploymentConfiguration]);
        }

        Assert.Equal("ECS", Aws.Ok([.. args])["service"]!["deploymentController"]!["type"]!.GetValue<string>());
        var arn = Deployments(_sandbox.WaitForState(Aws.Region, r => Deployments(r).Count() > before, "The new service deployment")).Last()["serviceDeploymentArn"]!.GetValue<string>();
        Assert.Matches(@"^arn:aws:ecs:[a-z0-9-]+:000000000000:service-deployment/sandbox/api/[A-Za-z0-9]+$", arn);
        return arn;
    }

    public JsonNode Describe(string arn) =>
        Assert.Single(Aws.Ok("ecs", "describe-service-deployments", "--service-deployment-arns", arn)["serviceDeployments"]!.AsArray())!;

    /// <summary>Waits (through the control API) until the deployment satisfies the condition; returns it as the state shows it.</summary>
    public JsonNode WaitFor(string arn, Func<JsonNode, bool> condition, string what, int seconds = 120) =>
        Deployment(_sandbox.WaitForState(Aws.Region, r => Deployment(r, arn) is { } d && condition(d), what, seconds), arn)!;

    /// <summary>Waits for the deployment to end, then reads it with the CLI.</summary>
    public JsonNode WaitForEnd(string arn, int seconds = 120)
    {
        WaitFor(arn, d => Status(d) is "SUCCESSFUL" or "STOPPED" or "ROLLBACK_SUCCESSFUL" or "ROLLBACK_FAILED", "The service deployment ending", seconds);
        return Describe(arn);
    }

    /// <summary>The forward weights of a listener rule, by target group name, as the sandbox's state holds them.</summary>
    public Dictionary<string, int> StateWeights(string ruleArn)
    {
        var rule = _sandbox.WaitForState(Aws.Region, _ => true, "The state")["elbv2"]!["listeners"]!.AsArray()
            .SelectMany(l => l!["Rules"]!.AsArray()).Single(r => r!["RuleArn"]!.GetValue<string>() == ruleArn)!;
        return ToWeights(rule);
    }

    private static Dictionary<string, int> ToWeights(JsonNode rule) =>
        rule["Actions"]![0]!["ForwardConfig"]!["TargetGroups"]!.AsArray().ToDictionary(g => g!["TargetGroupArn"]!.GetValue<string>().Split('/')[1], g => g!["Weight"]!.GetValue<int>());

    /// <summary>The services of the region's state, by name.</summary>
    public JsonNode StateService(string name) =>
        _sandbox.WaitForState(Aws.Region, _ => true, "The state")["ecs"]!["clusters"]!.AsArray().SelectMany(c => c!["services"]!.AsArray()).Single(s => s!["serviceName"]!.GetValue<string>() == name)!;

    public static JsonNode? Deployment(JsonNode region, string arn) =>
        Deployments(region).FirstOrDefault(d => d["serviceDeploymentArn"]!.GetValue<string>() == arn);

    /// <summary>The forward weights of a listener rule, by target group name, as DescribeRules reports them.</summary>
    public Dictionary<string, int> Weights(string ruleArn)
    {
        return ToWeights(Aws.Ok("elbv2", "describe-rules", "--rule-arns", ruleArn)["Rules"]![0]!);
    }

    public static IEnumerable<JsonNode> Deployments(JsonNode region) =>
        region["ecs"]!["serviceDeployments"]!.AsArray().Select(d => d!);

    public static string Stage(JsonNode deployment) => deployment["lifecycleStage"]?.GetValue<string>() ?? string.Empty;

    public static string Status(JsonNode deployment) => deployment["status"]!.GetValue<string>();

    /// <summary>The hook awaiting action in the deployment (as the state or the CLI reports it), or null.</summary>
    public static JsonNode? Awaiting(JsonNode deployment) =>
        deployment["lifecycleHookDetails"]?.AsArray().FirstOrDefault(h => h!["status"]!.GetValue<string>() == "AWAITING_ACTION");
}
