using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BlueGreen.Sandbox.Wire;

/// <summary>
/// Names, lengths and image references checked as AWS checks them, before an operation changes anything:
/// the constraints of the service models (length, pattern) and the rules each service documents, answered
/// with the error code that service uses for them.
/// </summary>
internal static partial class Names
{
    private const string LambdaFunctionPattern = @"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?";
    private const string LambdaNamespacedFunctionPattern = @"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:|(((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?))(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";
    private const string LambdaAliasPattern = @"(?!^[0-9]+$)([a-zA-Z0-9-_]+)";
    private const string LambdaVersionPattern = @"(\$LATEST(\.PUBLISHED)?|[0-9]+)";

    /// <summary>Refuses the call when a name in it breaks a rule of its service.</summary>
    public static void Check(string service, string operation, JsonObject input)
    {
        switch (service)
        {
            case "ecs":
                Ecs(operation, input);
                break;
            case "codedeploy":
                CodeDeploy(operation, input);
                break;
            case "lambda":
                Lambda(operation, input);
                break;
            case "elasticloadbalancing":
                Elb(operation, input);
                break;
        }
    }

    private static void Ecs(string operation, JsonObject input)
    {
        switch (operation)
        {
            case "CreateCluster" when input.Str("clusterName") is { } cluster && !EcsName().IsMatch(cluster):
                throw new AwsException("InvalidParameterException", "Cluster name may contain only letters, numbers, hyphens and underscores, up to 255 characters.");
            case "CreateService":
                var name = input.Str("serviceName");
                if (name is not null && !EcsName().IsMatch(name))
                {
                    throw new AwsException("InvalidParameterException", "Service name may contain only letters, numbers, hyphens and underscores, up to 255 characters.");
                }

                break;
            case "RegisterTaskDefinition":
                // ECS's own words for these (ClientException, 400).
                var size = System.Text.Encoding.UTF8.GetByteCount(input.ToJsonString());
                if (size > 65536)
                {
                    throw new AwsException("ClientException", $"Actual length: '{size}'. Max allowed length is '65536' bytes.");
                }

                var family = input.Str("family");
                if (family is not null && !EcsName().IsMatch(family))
                {
                    throw new AwsException("ClientException", "Family contains invalid characters.");
                }

                foreach (var container in input.Arr("containerDefinitions").OfType<JsonObject>())
                {
                    var containerName = container.Str("name");
                    if (string.IsNullOrEmpty(containerName))
                    {
                        throw new AwsException("ClientException", "Container.name should not be null or empty.");
                    }

                    if (!EcsName().IsMatch(containerName))
                    {
                        throw new AwsException("ClientException", "Container.name contains invalid characters.");
                    }

                    CheckImage(container.Str("image"));
                }

                break;
        }
    }

    /// <summary>
    /// An image reference as ECS takes it: <c>[registry/]repository[:tag][@digest]</c>, letters, numbers, hyphens,
    /// underscores, colons, periods, forward slashes and number signs (and <c>@</c> before a digest); the repository
    /// up to 255 characters, the tag up to 128.
    /// </summary>
    internal static void CheckImage(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            throw new AwsException("ClientException", "Container.image should not be null or empty.");
        }

        var match = ImageReference().Match(image);
        if (!match.Success)
        {
            throw new AwsException("ClientException", "Container.image contains invalid characters.");
        }

        if (match.Groups["repository"].Value.Length > 255)
        {
            throw new AwsException("ClientException", "Container.image repository should be 255 characters or less.");
        }

        if (match.Groups["tag"].Value.Length > 128)
        {
            throw new AwsException("ClientException", "Container.image tag should be 128 characters or less.");
        }
    }

    /// <summary>Whether a text is an image reference of the form <see cref="CheckImage"/> takes.</summary>
    internal static bool IsImageReference(string image)
    {
        var match = ImageReference().Match(image);
        return match.Success && match.Groups["repository"].Value.Length <= 255 && match.Groups["tag"].Value.Length <= 128;
    }

    private static void CodeDeploy(string operation, JsonObject input)
    {
        // The model's 1 to 100 characters, for every operation that names an application, group or configuration.
        Length(input, "applicationName", "InvalidApplicationNameException", "application name");
        Length(input, "deploymentGroupName", "InvalidDeploymentGroupNameException", "deployment group name");
        Length(input, "newDeploymentGroupName", "InvalidDeploymentGroupNameException", "deployment group name");
        Length(input, "currentDeploymentGroupName", "InvalidDeploymentGroupNameException", "deployment group name");
        Length(input, "deploymentConfigName", "InvalidDeploymentConfigNameException", "deployment configuration name");
        if (operation == "BatchGetApplications")
        {
            foreach (var name in input.Arr("applicationNames").Select(n => n is null ? null : Json.AsString(n)))
            {
                if (name is null or { Length: 0 or > 100 })
                {
                    throw new AwsException("InvalidApplicationNameException", $"The application name {name} is invalid: it must be 1 to 100 characters long.");
                }
            }
        }

        static void Length(JsonObject input, string member, string code, string what)
        {
            if (input.ContainsKey(member) && input.Str(member) is { } value && value.Length is 0 or > 100)
            {
                throw new AwsException(code, $"The {what} {value} is invalid: it must be 1 to 100 characters long.");
            }
        }
    }

    private static void Lambda(string operation, JsonObject input)
    {
        // The model's constraints, answered as Lambda's front end answers them (ValidationException, 400).
        var function = input.Str("FunctionName");
        if (function is not null)
        {
            var namespaced = operation is "Invoke" or "GetFunction" or "GetFunctionConfiguration" or "DeleteFunction" or "ListVersionsByFunction";
            Constrain(function, "functionName", 1, namespaced ? 256 : 140, namespaced ? LambdaNamespacedFunctionPattern : LambdaFunctionPattern);
        }

        if (operation is "CreateAlias" or "GetAlias" or "UpdateAlias" or "DeleteAlias" && input.Str("Name") is { } alias)
        {
            Constrain(alias, "name", 1, 128, LambdaAliasPattern);
        }

        if (operation is "CreateAlias" or "UpdateAlias" && input.Str("FunctionVersion") is { } version)
        {
            Constrain(version, "functionVersion", 1, 1024, LambdaVersionPattern);
        }

        if (operation is "CreateFunction" or "PublishVersion" or "CreateAlias" or "UpdateAlias" && input.Str("Description") is { } description)
        {
            Constrain(description, "description", 0, 256, "[\\s\\S]*");
        }

        static void Constrain(string value, string member, int min, int max, string pattern)
        {
            if (value.Length < min || value.Length > max)
            {
                throw new AwsException("ValidationException",
                    $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length {(value.Length < min ? $"greater than or equal to {min}" : $"less than or equal to {max}")}");
            }

            if (!Regex.IsMatch(value, $"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                throw new AwsException("ValidationException",
                    $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}");
            }
        }
    }

    private static void Elb(string operation, JsonObject input)
    {
        var (what, name) = operation switch
        {
            "CreateLoadBalancer" => ("Load balancer", input.Str("Name")),
            "CreateTargetGroup" => ("Target group", input.Str("Name")),
            _ => (null, null),
        };
        if (what is null || name is null)
        {
            return;
        }

        // ELBv2's words (ValidationError, 400).
        if (name.Length > 32)
        {
            throw new AwsException("ValidationError", $"{what} name '{name}' cannot be longer than '32' characters");
        }

        if (!ElbName().IsMatch(name))
        {
            throw new AwsException("ValidationError", $"{what} name '{name}' can only contain characters that are alphanumeric characters or hyphens(-)");
        }

        if (name.StartsWith('-') || name.EndsWith('-'))
        {
            throw new AwsException("ValidationError", $"{what} name '{name}' cannot begin or end with '-'");
        }

        if (operation == "CreateLoadBalancer" && name.StartsWith("internal-", StringComparison.OrdinalIgnoreCase))
        {
            throw new AwsException("ValidationError", $"Load balancer name '{name}' cannot begin with 'internal-'");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex EcsName();

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex ElbName();

    // registry (host[:port]/) and path components, an optional tag, an optional digest.
    [GeneratedRegex(@"^(?<repository>[A-Za-z0-9._/#-]+(?::[0-9]+/[A-Za-z0-9._/#-]+)?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9._-]*))?(?:@(?<digest>[A-Za-z0-9_+.-]+:[A-Fa-f0-9]+))?$")]
    private static partial Regex ImageReference();
}
