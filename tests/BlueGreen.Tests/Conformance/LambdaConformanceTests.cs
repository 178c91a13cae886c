using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Lambda.Model;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Conformance;

/// <summary>The Lambda client (restJson1: path, query and body bindings) judged by moto.</summary>
[Collection(MotoGroup.Name)]
public sealed class LambdaConformanceTests
{
    private readonly MotoServer _moto;

    public LambdaConformanceTests(MotoServer moto) => _moto = moto;

    internal static byte[] Zip(string handlerSource)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(archive.CreateEntry("index.py").Open(), Encoding.UTF8);
            writer.Write(handlerSource);
        }

        return buffer.ToArray();
    }

    [Fact]
    public async Task FunctionVersionsAndWeightedAlias_RoundTrip()
    {
        var client = new LambdaClient(_moto.Context());
        var role = MotoSetup.LambdaRoleFor(_moto);
        var name = MotoServer.UniqueName("fn");

        var created = await client.CreateFunctionAsync(new CreateFunctionRequest
        {
            FunctionName = name,
            Runtime = "python3.12",
            Role = role,
            Handler = "index.handler",
            Code = new FunctionCode { ZipFile = Zip("def handler(event, context):\n    return 'blue'\n") },
            Description = "conformance",
            Timeout = 15,
            MemorySize = 256,
            Environment = new Environment { Variables = new Dictionary<string, string> { ["COLOR"] = "blue" } },
        });
        Assert.Equal(name, created.FunctionName);
        Assert.Equal(role, created.Role);
        Assert.Equal("$LATEST", created.Version);
        Assert.EndsWith(":function:" + name, created.FunctionArn, System.StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Created, created.HttpStatusCode);
        Assert.False(string.IsNullOrEmpty(created.CodeSha256));

        var function = await client.GetFunctionAsync(new GetFunctionRequest { FunctionName = name });
        Assert.Equal(name, function.Configuration!.FunctionName);
        Assert.Equal("index.handler", function.Configuration.Handler);
        Assert.Equal(15, function.Configuration.Timeout);
        Assert.Equal(256, function.Configuration.MemorySize);
        Assert.NotNull(function.Code);

        var configuration = await client.GetFunctionConfigurationAsync(new GetFunctionConfigurationRequest { FunctionName = name });
        Assert.Equal("conformance", configuration.Description);
        Assert.Equal("blue", configuration.Environment!.Variables!["COLOR"]);

        var v1 = await client.PublishVersionAsync(new PublishVersionRequest { FunctionName = name, Description = "v1" });
        Assert.Equal("1", v1.Version);

        var updated = await client.UpdateFunctionCodeAsync(new UpdateFunctionCodeRequest
        {
            FunctionName = name,
            ZipFile = Zip("def handler(event, context):\n    return 'green'\n"),
        });
        Assert.NotEqual(created.CodeSha256, updated.CodeSha256);
        var v2 = await client.PublishVersionAsync(new PublishVersionRequest { FunctionName = name, Description = "v2" });
        Assert.Equal("2", v2.Version);

        var one = await client.GetFunctionConfigurationAsync(new GetFunctionConfigurationRequest { FunctionName = name, Qualifier = "1" });
        Assert.Equal("1", one.Version);
        Assert.Equal(created.CodeSha256, one.CodeSha256);

        var versions = await client.ListVersionsByFunctionAsync(new ListVersionsByFunctionRequest { FunctionName = name });
        Assert.Equal(new[] { "$LATEST", "1", "2" }, versions.Versions!.Select(v => v.Version).OrderBy(v => v, System.StringComparer.Ordinal));
        var allVersions = await client.ListVersionsByFunctionAllPagesAsync(new ListVersionsByFunctionRequest { FunctionName = name });
        Assert.Equal(3, allVersions.SelectMany(p => p.Versions!).Count());

        var alias = await client.CreateAliasAsync(new CreateAliasRequest
        {
            FunctionName = name,
            Name = "live",
            FunctionVersion = "1",
            Description = "canary",
            RoutingConfig = new AliasRoutingConfiguration { AdditionalVersionWeights = new Dictionary<string, double> { ["2"] = 0.1 } },
        });
        Assert.EndsWith(":" + name + ":live", alias.AliasArn, System.StringComparison.Ordinal);
        Assert.Equal(0.1, alias.RoutingConfig!.AdditionalVersionWeights!["2"]);

        var fetched = await client.GetAliasAsync(new GetAliasRequest { FunctionName = name, Name = "live" });
        Assert.Equal("1", fetched.FunctionVersion);
        Assert.Equal("canary", fetched.Description);
        Assert.Equal(0.1, fetched.RoutingConfig!.AdditionalVersionWeights!["2"]);

        var shifted = await client.UpdateAliasAsync(new UpdateAliasRequest
        {
            FunctionName = name,
            Name = "live",
            RoutingConfig = new AliasRoutingConfiguration { AdditionalVersionWeights = new Dictionary<string, double> { ["2"] = 0.5 } },
        });
        Assert.Equal(0.5, shifted.RoutingConfig!.AdditionalVersionWeights!["2"]);
        var refetched = await client.GetAliasAsync(new GetAliasRequest { FunctionName = name, Name = "live" });
        Assert.Equal(0.5, refetched.RoutingConfig!.AdditionalVersionWeights!["2"]);

        var aliases = await client.ListAliasesAsync(new ListAliasesRequest { FunctionName = name });
        Assert.Equal("live", aliases.Aliases!.Single().Name);

        var deleted = await client.DeleteAliasAsync(new DeleteAliasRequest { FunctionName = name, Name = "live" });
        // AWS answers 204; moto answers 201. Either way a success, and the alias is gone afterwards.
        Assert.InRange((int)deleted.HttpStatusCode, 200, 299);
        var gone = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetAliasAsync(new GetAliasRequest { FunctionName = name, Name = "live" }));
        Assert.Equal(LambdaErrorCode.ResourceNotFoundException, gone.ErrorCode);
    }

    [Fact]
    public async Task Invoke_SendsThePayloadAndReadsTheAnswer()
    {
        // moto runs functions in Docker unless told not to; set-up switches it to its in-process stand-in,
        // which answers with the event it was given. What is judged is the binding: raw body, headers, status.
        using (var http = new System.Net.Http.HttpClient())
        {
            using var config = new System.Net.Http.StringContent("{\"lambda\":{\"use_docker\":false}}");
            (await http.PostAsync(_moto.Url + "/moto-api/config", config)).EnsureSuccessStatusCode();
        }

        var client = new LambdaClient(_moto.Context());
        var name = MotoServer.UniqueName("inv");
        await client.CreateFunctionAsync(new CreateFunctionRequest
        {
            FunctionName = name, Runtime = "python3.12", Role = MotoSetup.LambdaRoleFor(_moto), Handler = "index.handler",
            Code = new FunctionCode { ZipFile = Zip("def handler(event, context):\n    return event\n") },
        });

        var payload = Encoding.UTF8.GetBytes("{\"deployment\":\"d-123\",\"hook\":\"BeforeAllowTraffic\"}");
        var response = await client.InvokeAsync(new InvokeRequest { FunctionName = name, Payload = payload });

        Assert.Equal(200, response.StatusCode);
        Assert.Null(response.FunctionError);
        Assert.Equal(Encoding.UTF8.GetString(payload), Encoding.UTF8.GetString(response.Payload!));
    }

    [Fact]
    public async Task MissingFunction_IsTypedRestError()
    {
        var client = new LambdaClient(_moto.Context());
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            client.GetFunctionAsync(new GetFunctionRequest { FunctionName = MotoServer.UniqueName("none") }));

        Assert.Equal(LambdaErrorCode.ResourceNotFoundException, error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Equal("Lambda", error.Service);
    }
}
