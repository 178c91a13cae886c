using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>Names, lengths and image references, refused as AWS refuses them, judged by what the AWS CLI prints.</summary>
[Collection(SandboxCollection.Name)]
public sealed class NameTests(SandboxFixture sandbox)
{
    private const string Region = "me-central-1";
    private readonly Aws _aws = new(sandbox, Region);

    private CliResult RegisterTaskDefinition(string family, string container, string image) =>
        _aws.Run("ecs", "register-task-definition", "--family", family,
            "--container-definitions", $$"""[{"name":"{{container}}","image":"{{image}}","memory":128}]""");

    [Fact]
    public void Task_definition_names_and_images_are_checked_as_ECS_checks_them()
    {
        var family = RegisterTaskDefinition("bad family!", "web", "web:1");
        family.AssertServiceError("ClientException");
        Assert.Contains("Family contains invalid characters", family.Stderr, StringComparison.Ordinal);

        var container = RegisterTaskDefinition("names", "web server", "web:1");
        container.AssertServiceError("ClientException");
        Assert.Contains("Container.name contains invalid characters", container.Stderr, StringComparison.Ordinal);

        var spaced = RegisterTaskDefinition("names", "web", "web app:1");
        spaced.AssertServiceError("ClientException");
        Assert.Contains("Container.image contains invalid characters", spaced.Stderr, StringComparison.Ordinal);

        var longRepository = RegisterTaskDefinition("names", "web", "registry.example/" + new string('r', 240) + ":1");
        longRepository.AssertServiceError("ClientException");
        Assert.Contains("repository should be 255 characters or less", longRepository.Stderr, StringComparison.Ordinal);

        // Nothing was registered; the references AWS takes are taken.
        Assert.Empty(_aws.Ok("ecs", "list-task-definitions", "--family-prefix", "names")["taskDefinitionArns"]!.AsArray());
        foreach (var image in new[] { "public.ecr.aws/sandbox/web:3.0-broken", "localhost:5000/team/web@sha256:" + new string('a', 64), "123456789012.dkr.ecr.me-central-1.amazonaws.com/web_app" })
        {
            Assert.True(RegisterTaskDefinition("names", "web", image).ExitCode == 0, image);
        }

        Assert.Equal(3, _aws.Ok("ecs", "list-task-definitions", "--family-prefix", "names")["taskDefinitionArns"]!.AsArray().Count);

        var service = _aws.Run("ecs", "create-service", "--cluster", "default", "--service-name", "web/service", "--task-definition", "names:1");
        service.AssertServiceError("InvalidParameterException");
    }

    [Fact]
    public void CodeDeploy_names_are_1_to_100_characters()
    {
        var tooLong = new string('a', 101);
        _aws.Run("deploy", "create-application", "--application-name", tooLong, "--compute-platform", "ECS").AssertServiceError("InvalidApplicationNameException");
        _aws.Run("deploy", "get-application", "--application-name", tooLong).AssertServiceError("InvalidApplicationNameException");

        var longest = new string('b', 100);
        _aws.Ok("deploy", "create-application", "--application-name", longest, "--compute-platform", "ECS");
        Assert.Equal(longest, _aws.Ok("deploy", "get-application", "--application-name", longest)["application"]!["applicationName"]!.GetValue<string>());
        _aws.Run("deploy", "create-deployment-group", "--application-name", longest, "--deployment-group-name", new string('g', 101),
            "--service-role-arn", "arn:aws:iam::000000000000:role/codedeploy").AssertServiceError("InvalidDeploymentGroupNameException");
        _aws.Run("deploy", "create-deployment-config", "--deployment-config-name", new string('c', 101), "--compute-platform", "ECS",
            "--traffic-routing-config", "type=AllAtOnce").AssertServiceError("InvalidDeploymentConfigNameException");
    }

    [Fact]
    public void Lambda_function_and_alias_names_follow_the_model_patterns()
    {
        var function = _aws.Run("lambda", "get-alias", "--function-name", "bad name", "--name", "live");
        function.AssertServiceError("ValidationException");
        Assert.Contains("at 'functionName' failed to satisfy constraint", function.Stderr, StringComparison.Ordinal);

        var alias = _aws.Run("lambda", "get-alias", "--function-name", "orders", "--name", "123");
        alias.AssertServiceError("ValidationException");
        Assert.Contains("at 'name' failed to satisfy constraint", alias.Stderr, StringComparison.Ordinal);

        var tooLong = _aws.Run("lambda", "get-alias", "--function-name", new string('f', 141), "--name", "live");
        tooLong.AssertServiceError("ValidationException");
        Assert.Contains("Member must have length less than or equal to 140", tooLong.Stderr, StringComparison.Ordinal);

        // A well-formed name that does not exist is a different answer.
        _aws.Run("lambda", "get-alias", "--function-name", "no-such-function", "--name", "live").AssertServiceError("ResourceNotFoundException");
    }

    [Fact]
    public void Load_balancer_and_target_group_names_are_checked_as_ELBv2_checks_them()
    {
        var tooLong = _aws.Run("elbv2", "create-target-group", "--name", new string('t', 33), "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1");
        tooLong.AssertServiceError("ValidationError");
        Assert.Contains("cannot be longer than '32' characters", tooLong.Stderr, StringComparison.Ordinal);

        _aws.Run("elbv2", "create-target-group", "--name", "blue_tg", "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1").AssertServiceError("ValidationError");
        _aws.Run("elbv2", "create-target-group", "--name=-blue", "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1").AssertServiceError("ValidationError");
        _aws.Run("elbv2", "create-load-balancer", "--name", "internal-web", "--subnets", "subnet-1", "subnet-2").AssertServiceError("ValidationError");

        Assert.Empty(_aws.Ok("elbv2", "describe-target-groups")["TargetGroups"]!.AsArray());
        _aws.Ok("elbv2", "create-target-group", "--name", new string('t', 32), "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1");
    }
}
