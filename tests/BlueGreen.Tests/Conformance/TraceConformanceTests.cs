using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.Lambda;
using BlueGreen.Tests.Infrastructure;
using Ecs = BlueGreen.Aws.ECS.Model;
using Fn = BlueGreen.Aws.Lambda.Model;

namespace BlueGreen.Tests.Conformance;

/// <summary>Real calls to moto with temporary credentials: the trace shows what happened and none of the secrets.</summary>
[Collection(MotoGroup.Name)]
public sealed class TraceConformanceTests
{
    private const string SecretKey = "moto-secret-key-do-not-print";
    private const string SessionToken = "moto-session-token-do-not-print";

    private readonly MotoServer _moto;

    public TraceConformanceTests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task Trace_NeverShowsKeysTokensOrEnvironmentValues()
    {
        var context = new AwsContextResolver(_ => null).Resolve(new AwsConnectionSettings
        {
            Region = "us-east-1", AccessKey = "ASIATESTING", SecretKey = SecretKey, SessionToken = SessionToken, EndpointUrl = _moto.Url,
        });
        var trace = new CapturingTrace();
        context.Trace = trace;
        var name = MotoServer.UniqueName("tr");

        var lambda = new LambdaClient(context);
        await lambda.CreateFunctionAsync(new Fn.CreateFunctionRequest
        {
            FunctionName = name, Runtime = "python3.12", Role = MotoSetup.LambdaRoleFor(_moto), Handler = "index.handler",
            Code = new Fn.FunctionCode { ZipFile = LambdaConformanceTests.Zip("def handler(e, c):\n    return 1\n") },
            Environment = new Fn.Environment { Variables = new Dictionary<string, string> { ["DB_PASSWORD"] = "lambda-env-value-do-not-print" } },
        });
        var configuration = await lambda.GetFunctionConfigurationAsync(new Fn.GetFunctionConfigurationRequest { FunctionName = name });
        Assert.Equal("lambda-env-value-do-not-print", configuration.Environment!.Variables!["DB_PASSWORD"]);

        var registered = await new EcsClient(context).RegisterTaskDefinitionAsync(new Ecs.RegisterTaskDefinitionRequest
        {
            Family = name,
            ContainerDefinitions = new()
            {
                new Ecs.ContainerDefinition
                {
                    Name = "web", Image = "nginx", Memory = 128,
                    Environment = new() { new Ecs.KeyValuePair { Name = "API_KEY", Value = "ecs-env-value-do-not-print" } },
                },
            },
        });
        Assert.Equal("ecs-env-value-do-not-print", registered.TaskDefinition!.ContainerDefinitions!.Single().Environment!.Single().Value);

        var lines = trace.Lines.ToArray();
        Assert.Equal(6, lines.Length);
        foreach (var line in lines)
        {
            foreach (var secret in new[] { SecretKey, SessionToken, "lambda-env-value-do-not-print", "ecs-env-value-do-not-print" })
            {
                Assert.DoesNotContain(secret, line, System.StringComparison.Ordinal);
            }
        }

        // Names stay readable; moto labels its Lambda answers text/html, so those bodies are only summarised.
        Assert.Contains(lines, l => l.StartsWith("Lambda.CreateFunction request:", System.StringComparison.Ordinal) && l.Contains("\"DB_PASSWORD\":\"***\"", System.StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ECS.RegisterTaskDefinition request:", System.StringComparison.Ordinal) && l.Contains("\"name\":\"API_KEY\",\"value\":\"***\"", System.StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ECS.RegisterTaskDefinition response: 200", System.StringComparison.Ordinal) && l.Contains("\"name\":\"API_KEY\",\"value\":\"***\"", System.StringComparison.Ordinal));
        Assert.All(lines.Where(l => l.Contains(" request: ", System.StringComparison.Ordinal)), l =>
        {
            Assert.Contains("Authorization: ***", l, System.StringComparison.Ordinal);
            Assert.Contains("x-amz-security-token: ***", l, System.StringComparison.OrdinalIgnoreCase);
        });
    }
}
