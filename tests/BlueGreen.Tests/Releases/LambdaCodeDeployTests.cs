using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Releases.CodeDeploy;
using BlueGreen.Core.Releases.Lambda;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Releases;

/// <summary>The Lambda AppSpec (as the module writes it and as <c>sam deploy</c> does), the configuration names of Lambda
/// policies, and the engine's answers to lost replies and its calls per look, against a scripted endpoint.</summary>
public sealed class LambdaCodeDeployTests
{
    [Fact]
    public void Build_WritesTheLambdaResourceHooksAndToken()
    {
        var hooks = new Dictionary<string, string> { ["AfterAllowTraffic"] = "after", ["BeforeAllowTraffic"] = "before" };
        var spec = LambdaAppSpec.Build("orders", "live", "1", "3", hooks, "tok123");
        Assert.StartsWith("# bluegreen-release-token: tok123\nversion: 0.0\nResources:\n  - orders:\n      Type: AWS::Lambda::Function\n", spec, StringComparison.Ordinal);
        Assert.Contains("        Name: \"orders\"\n        Alias: \"live\"\n        CurrentVersion: \"1\"\n        TargetVersion: \"3\"\n", spec, StringComparison.Ordinal);
        Assert.EndsWith("Hooks:\n  - BeforeAllowTraffic: \"before\"\n  - AfterAllowTraffic: \"after\"\n", spec, StringComparison.Ordinal);
        Assert.Equal("tok123", AppSpecMarkers.ReadToken(spec));
        Assert.Equal("tok123", EcsAppSpec.ReadToken(spec));
        Assert.DoesNotContain("Hooks", LambdaAppSpec.Build("orders", "live", "1", "3", null), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GivesBackWhatBuildWrote()
    {
        var read = LambdaAppSpec.Read(LambdaAppSpec.Build("my.fn", "live", "7", "12", new Dictionary<string, string> { ["BeforeAllowTraffic"] = "arn:aws:lambda:us-east-1:1:function:check" }, "t"));
        Assert.Equal("my.fn", read.FunctionName);
        Assert.Equal("live", read.Alias);
        Assert.Equal("7", read.CurrentVersion);
        Assert.Equal("12", read.TargetVersion);
        Assert.Equal("arn:aws:lambda:us-east-1:1:function:check", read.Hooks["BeforeAllowTraffic"]);
        Assert.False(read.Hooks.ContainsKey("AfterAllowTraffic"));
        Assert.True(read.Releases(new LambdaAliasTarget("my.fn", "live")));
        Assert.False(read.Releases(new LambdaAliasTarget("my.fn", "beta")));
    }

    // The forms CloudFormation writes for a SAM function's DeploymentPreference: JSON with a numeric version, and YAML
    // with plain values; names may be ARNs.
    [Theory]
    [InlineData("{\"version\":0.0,\"Resources\":[{\"OrdersFunction\":{\"Type\":\"AWS::Lambda::Function\",\"Properties\":{\"Name\":\"orders\",\"Alias\":\"live\",\"CurrentVersion\":\"1\",\"TargetVersion\":\"2\"}}}],\"Hooks\":[{\"BeforeAllowTraffic\":\"CodeDeployHook_pre\"},{\"AfterAllowTraffic\":\"CodeDeployHook_post\"}]}")]
    [InlineData("{ \"version\": 0.0, \"Resources\": [ { \"OrdersFunction\": { \"Type\": \"AWS::Lambda::Function\", \"Properties\": { \"Name\": \"arn:aws:lambda:us-east-1:123456789012:function:orders\", \"Alias\": \"live\", \"CurrentVersion\": 1, \"TargetVersion\": 2 } } } ], \"Hooks\": [ { \"BeforeAllowTraffic\": \"CodeDeployHook_pre\" }, { \"AfterAllowTraffic\": \"CodeDeployHook_post\" } ] }")]
    [InlineData("version: 0.0\nResources:\n  - OrdersFunction:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: orders\n        Alias: live\n        CurrentVersion: 1\n        TargetVersion: 2\nHooks:\n  - BeforeAllowTraffic: CodeDeployHook_pre\n  - AfterAllowTraffic: 'CodeDeployHook_post'\n")]
    [InlineData("version: 0.0\r\nResources:\r\n- OrdersFunction:\r\n    Type: AWS::Lambda::Function\r\n    Properties:\r\n      Name: \"orders\"\r\n      Alias: \"live\"\r\n      CurrentVersion: \"arn:aws:lambda:us-east-1:123456789012:function:orders:1\"\r\n      TargetVersion: \"arn:aws:lambda:us-east-1:123456789012:function:orders:2\"\r\nHooks:\r\n- BeforeAllowTraffic: \"CodeDeployHook_pre\"\r\n- AfterAllowTraffic: \"CodeDeployHook_post\"\r\n")]
    public void Read_TakesTheFormsSamWrites(string content)
    {
        var read = LambdaAppSpec.Read(content);
        Assert.Equal("orders", read.FunctionName);
        Assert.Equal("live", read.Alias);
        Assert.Equal("1", read.CurrentVersion);
        Assert.Equal("2", read.TargetVersion);
        Assert.Equal("CodeDeployHook_pre", read.Hooks["BeforeAllowTraffic"]);
        Assert.Equal("CodeDeployHook_post", read.Hooks["AfterAllowTraffic"]);
        Assert.Null(AppSpecMarkers.ReadToken(content));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: \"web:2\"\n")]
    public void Read_OfAnythingElse_NamesNoTarget(string? content)
    {
        var read = LambdaAppSpec.Read(content);
        Assert.False(read.NamesTarget);
        Assert.Null(read.TargetVersion);
        Assert.Empty(read.Hooks);
    }

    [Theory]
    [InlineData("BeforeAllowTraffic", "check", null)]
    [InlineData("AfterAllowTraffic", "check", null)]
    [InlineData("BeforeInstall", "check", "'BeforeInstall' is not a lifecycle event of a Lambda deployment")]
    [InlineData("AfterAllowTestTraffic", "check", "'AfterAllowTestTraffic' is not a lifecycle event of a Lambda deployment")]
    [InlineData("BeforeAllowTraffic", " ", "names no Lambda function")]
    public void ValidateHooks_TakesOnlyTheLambdaEvents(string name, string function, string? problem)
    {
        var result = LambdaAppSpec.ValidateHooks(new Dictionary<string, string> { [name] = function });
        if (problem is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(problem, result, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("AllAtOnce", "CodeDeployDefault.LambdaAllAtOnce", true)]
    [InlineData("Canary10Percent5Minutes", "CodeDeployDefault.LambdaCanary10Percent5Minutes", true)]
    [InlineData("Canary10Percent30Minutes", "CodeDeployDefault.LambdaCanary10Percent30Minutes", true)]
    [InlineData("Linear10PercentEvery1Minutes", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", true)]
    [InlineData("Linear10PercentEvery1Minute", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", true)]
    [InlineData("Linear10PercentEvery10Minutes", "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes", true)]
    [InlineData("Canary15Percent10Minutes", "BlueGreen.LambdaCanary15Percent10Minutes", false)]
    [InlineData("Canary10Percent7Minutes", "BlueGreen.LambdaCanary10Percent7Minutes", false)]
    [InlineData("Linear20PercentEvery2Minutes", "BlueGreen.LambdaLinear20PercentEvery2Minutes", false)]
    public void ConfigNames_ArePolicyNamesForLambda(string policy, string expected, bool predefined)
    {
        var parsed = TrafficShiftPolicy.Parse(policy);
        Assert.Equal(expected, LambdaDeploymentConfigs.NameOf(parsed));
        Assert.Equal(predefined, LambdaDeploymentConfigs.IsPredefined(parsed));
        Assert.True(LambdaDeploymentConfigs.TryParse(expected, out var back));
        Assert.Equal(parsed, back);
        Assert.NotEqual(parsed.DeploymentConfigName, expected);
    }

    [Theory]
    [InlineData("CodeDeployDefault.ECSAllAtOnce")]
    [InlineData("MyTeamsOwnConfig")]
    [InlineData(null)]
    public void ConfigNames_OtherNamesAreReadFromCodeDeploy(string? name)
    {
        Assert.False(LambdaDeploymentConfigs.TryParse(name, out _));
    }

    // ----- against a scripted endpoint ------------------------------------------------------------------------

    private const string Id = "d-LAMBDA001";

    private static string Info(string status, string content, string? rollback = null) =>
        "{\"deploymentInfo\":{\"deploymentId\":\"" + Id + "\",\"status\":\"" + status + "\",\"computePlatform\":\"Lambda\",\"applicationName\":\"orders\",\"deploymentGroupName\":\"orders-dg\"," +
        "\"revision\":{\"revisionType\":\"AppSpecContent\",\"appSpecContent\":{\"content\":" + System.Text.Json.JsonSerializer.Serialize(content) + "}}" +
        (rollback is null ? string.Empty : ",\"rollbackInfo\":{\"rollbackDeploymentId\":\"" + rollback + "\"}") + "}}";

    private static string Target(double weight, string allowTraffic = "InProgress") =>
        "{\"deploymentTarget\":{\"deploymentTargetType\":\"LambdaTarget\",\"lambdaTarget\":{\"deploymentId\":\"" + Id + "\",\"targetId\":\"orders:live\"," +
        "\"lifecycleEvents\":[{\"lifecycleEventName\":\"BeforeAllowTraffic\",\"status\":\"Succeeded\"},{\"lifecycleEventName\":\"AllowTraffic\",\"status\":\"" + allowTraffic + "\"},{\"lifecycleEventName\":\"AfterAllowTraffic\",\"status\":\"Pending\"}]," +
        "\"lambdaFunctionInfo\":{\"functionName\":\"orders\",\"functionAlias\":\"live\",\"currentVersion\":\"1\",\"targetVersion\":\"3\",\"targetVersionWeight\":" + weight.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}}";

    private static readonly string Spec = "version: 0.0\nResources:\n  - OrdersFunction:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: orders\n        Alias: live\n        CurrentVersion: 1\n        TargetVersion: 3\nHooks:\n  - BeforeAllowTraffic: CodeDeployHook_pre\n";

    private static List<string> Operations(ScriptedHttpServer server) => server.Requests
        .Select(r => r.Headers.TryGetValue("X-Amz-Target", out var target) ? target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..] : r.Method + " " + r.Target.Split('?')[0])
        .ToList();

    [Fact]
    public async Task Get_ReadsTheAliasVersionsHooksAndEvents_AndARefreshTakesTwoCalls()
    {
        using var server = new ScriptedHttpServer()
            .Respond(200, Info("InProgress", Spec))
            .Respond(200, Target(0.1))
            .Respond(200, "{\"Name\":\"live\",\"FunctionVersion\":\"1\",\"RoutingConfig\":{\"AdditionalVersionWeights\":{\"3\":0.1}},\"RevisionId\":\"r1\"}", new Dictionary<string, string> { ["Content-Type"] = "application/json" })
            .Respond(200, Info("InProgress", Spec))
            .Respond(200, Target(0.4));
        var engine = new CodeDeployEngine(server.Context(maxAttempts: 1));

        var deployment = await engine.GetAsync(Id, CancellationToken.None);

        Assert.Equal(DeploymentEngine.CodeDeployLambda, deployment.Engine);
        Assert.Equal(("orders", "live", "1", "3"), (deployment.FunctionName, deployment.Alias, deployment.BlueVersion, deployment.GreenVersion));
        Assert.Equal(new LambdaAliasTarget("orders", "live"), deployment.Target);
        Assert.Equal("CodeDeployHook_pre", deployment.Hooks["BeforeAllowTraffic"]);
        Assert.Equal("Succeeded", deployment.LifecycleEvents.Single(e => e.Name == "BeforeAllowTraffic").Status);
        Assert.Equal("AllowTraffic", deployment.Phase);
        Assert.Equal(10, deployment.GreenTrafficPercent);
        Assert.True(deployment.BlueExists);
        Assert.False(deployment.WaitsAtReady);
        Assert.Empty(deployment.ReadGaps);
        Assert.Equal(new[] { "GetDeployment", "GetDeploymentTarget", "GET /2015-03-31/functions/orders/aliases/live" }, Operations(server));

        var refreshed = await engine.RefreshAsync(deployment, CancellationToken.None);
        Assert.Equal(40, refreshed.GreenTrafficPercent);
        Assert.Equal(5, server.Requests.Count);
    }

    [Fact]
    public async Task Refresh_AppSpecSayingNothing_KeepsTheAliasVersionsAndHooksOfTheLastLook()
    {
        using var server = new ScriptedHttpServer().Respond(200, Info("InProgress", string.Empty)).Respond(200, Target(0.4));
        var engine = new CodeDeployEngine(server.Context(maxAttempts: 1));
        var previous = new BlueGreenDeployment(Id)
        {
            Engine = DeploymentEngine.CodeDeployLambda,
            TargetId = "orders:live",
            FunctionName = "orders",
            Alias = "live",
            BlueVersion = "1",
            GreenVersion = "3",
            Hooks = new Dictionary<string, string> { ["BeforeAllowTraffic"] = "CodeDeployHook_pre" },
        };

        var refreshed = await engine.RefreshAsync(previous, CancellationToken.None);

        Assert.Equal(DeploymentEngine.CodeDeployLambda, refreshed.Engine);
        Assert.Equal(("orders:live", "orders", "live", "1", "3"), (refreshed.TargetId, refreshed.FunctionName, refreshed.Alias, refreshed.BlueVersion, refreshed.GreenVersion));
        Assert.Equal("CodeDeployHook_pre", refreshed.Hooks["BeforeAllowTraffic"]);
        Assert.Equal(40, refreshed.GreenTrafficPercent);
        Assert.Equal(new[] { "GetDeployment", "GetDeploymentTarget" }, Operations(server));
    }

    [Fact]
    public async Task Start_LostPublishAnswer_AdoptsThePublishedVersionInsteadOfPublishingAgain()
    {
        var zip = new byte[] { (byte)'P', (byte)'K', 3, 4, 1, 2, 3 };
        var sha = LambdaPublisher.CodeSha256Of(new LambdaCodeSource { ZipFile = zip });
        var json = new Dictionary<string, string> { ["Content-Type"] = "application/json" };
        using var server = new ScriptedHttpServer()
            .Respond(200, "{\"FunctionName\":\"orders\",\"CodeSha256\":\"" + sha + "\",\"RevisionId\":\"rev-2\",\"LastUpdateStatus\":\"InProgress\"}", json) // UpdateFunctionCode
            .Respond(200, "{\"FunctionName\":\"orders\",\"CodeSha256\":\"" + sha + "\",\"RevisionId\":\"rev-2\",\"LastUpdateStatus\":\"Successful\"}", json) // GetFunctionConfiguration
            .Drop()                                                                                                                                  // PublishVersion: made, answer lost
            .Respond(200, "{\"Versions\":[{\"Version\":\"$LATEST\",\"CodeSha256\":\"" + sha + "\"},{\"Version\":\"1\",\"CodeSha256\":\"old\"},{\"Version\":\"2\",\"CodeSha256\":\"" + sha + "\",\"Description\":\"bluegreen other\"}," +
                "{\"Version\":\"3\",\"CodeSha256\":\"" + sha + "\",\"Description\":\"bluegreen tok\"}]}", json)
            .Respond(200, "{\"deploymentId\":\"" + Id + "\"}")                                                                                       // CreateDeployment
            .Respond(200, Info("Created", Spec))                                                                                                     // GetDeployment
            .RespondError(400, "DeploymentNotStartedException");                                                                                    // GetDeploymentTarget
        var engine = new CodeDeployLambdaEngine(server.Context(maxAttempts: 1)) { NewToken = () => "tok" };
        var plan = new ReleasePlan(new ReleaseRequest(new LambdaAliasTarget("orders", "live")) { Code = new LambdaCodeSource { ZipFile = zip } })
        {
            Engine = DeploymentEngine.CodeDeployLambda,
            ApplicationName = "orders",
            DeploymentGroupName = "orders-dg",
            Blue = "1",
            EnginePlan = new LambdaReleasePlan { FunctionName = "orders", Alias = "live", FunctionRevisionId = "rev-1" },
        };

        var deployment = await engine.StartAsync(plan, CancellationToken.None);

        Assert.Equal(Id, deployment.DeploymentId);
        Assert.Equal("3", plan.Green);
        var operations = Operations(server);
        Assert.Equal(1, operations.Count(o => o == "POST /2015-03-31/functions/orders/versions"));
        Assert.Contains("CreateDeployment", operations);
        var update = server.Requests.First();
        Assert.Contains("\"RevisionId\":\"rev-1\"", update.Body, StringComparison.Ordinal);
        var publish = server.Requests.ElementAt(2);
        Assert.Contains("\"CodeSha256\":\"" + sha + "\"", publish.Body, StringComparison.Ordinal);
        Assert.Contains("\"RevisionId\":\"rev-2\"", publish.Body, StringComparison.Ordinal);
        Assert.Contains("\"Description\":\"bluegreen tok\"", publish.Body, StringComparison.Ordinal);
        using var create = System.Text.Json.JsonDocument.Parse(server.Requests.ElementAt(4).Body);
        var spec = LambdaAppSpec.Read(create.RootElement.GetProperty("revision").GetProperty("appSpecContent").GetProperty("content").GetString());
        Assert.Equal(("orders", "live", "1", "3"), (spec.FunctionName, spec.Alias, spec.CurrentVersion, spec.TargetVersion));
        Assert.Equal("tok", AppSpecMarkers.ReadToken(create.RootElement.GetProperty("revision").GetProperty("appSpecContent").GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Start_FunctionChangedSincePlanned_IsRefusedBeforeAnythingIsPublished()
    {
        using var server = new ScriptedHttpServer()
            .Respond(412, "{\"Type\":\"User\",\"message\":\"The Revision Id provided does not match the latest Revision Id.\"}", new Dictionary<string, string> { ["Content-Type"] = "application/json", ["x-amzn-ErrorType"] = "PreconditionFailedException" });
        var engine = new CodeDeployLambdaEngine(server.Context(maxAttempts: 1));
        var plan = new ReleasePlan(new ReleaseRequest(new LambdaAliasTarget("orders", "live")) { Code = new LambdaCodeSource { ZipFile = new byte[] { 1 } } })
        {
            Engine = DeploymentEngine.CodeDeployLambda,
            Blue = "1",
            EnginePlan = new LambdaReleasePlan { FunctionName = "orders", Alias = "live", FunctionRevisionId = "stale" },
        };

        var error = await Assert.ThrowsAsync<ReleaseException>(() => engine.StartAsync(plan, CancellationToken.None));

        Assert.Equal("FunctionChanged", error.ErrorId);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("BeforeInstall", "InvalidHook")]
    [InlineData(null, "VersionOrCode")]
    public async Task Plan_RefusesBadInputBeforeAnyCall(string? hook, string errorId)
    {
        using var server = new ScriptedHttpServer();
        var engine = new CodeDeployLambdaEngine(server.Context(maxAttempts: 1));
        var request = new ReleaseRequest(new LambdaAliasTarget("orders", "live"));
        if (hook is not null)
        {
            request.Version = "2";
            request.Hooks = new Dictionary<string, string> { [hook] = "check" };
        }

        var error = await Assert.ThrowsAsync<ReleaseException>(() => engine.PlanAsync(request, CancellationToken.None));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ContinueAndComplete_AreNotSupported()
    {
        using var server = new ScriptedHttpServer();
        var engine = new CodeDeployLambdaEngine(server.Context(maxAttempts: 1));
        var deployment = new BlueGreenDeployment(Id) { Engine = DeploymentEngine.CodeDeployLambda };

        Assert.Equal("NotSupportedByEngine", (await Assert.ThrowsAsync<ReleaseException>(() => engine.ContinueAsync(deployment, CancellationToken.None))).ErrorId);
        Assert.Equal("NotSupportedByEngine", (await Assert.ThrowsAsync<ReleaseException>(() => engine.CompleteAsync(deployment, CancellationToken.None))).ErrorId);
        Assert.Empty(server.Requests);
        Assert.False(engine.Capabilities.HasFlag(EngineCapabilities.ReadyGate));
        Assert.True(engine.Capabilities.HasFlag(EngineCapabilities.ServerSideRollback));
    }
}
