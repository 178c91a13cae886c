using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Releases.Lambda;
using BlueGreen.Testing;

namespace BlueGreen.Tests.Releases;

public sealed class SamTemplateTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Releases", "Sam");

    private static SamDeploymentPolicy Parse(string yaml, string? function = null, Dictionary<string, string>? parameters = null) =>
        SamTemplate.Parse(yaml, function, parameters, "template.yaml");

    private static SamTemplateException Refused(string yaml, string errorId, string? function = null, Dictionary<string, string>? parameters = null)
    {
        var error = Assert.Throws<SamTemplateException>(() => Parse(yaml, function, parameters));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal("template.yaml", error.TemplateSource);
        return error;
    }

    /// <summary>The 1-based line of the first occurrence of text.</summary>
    private static int LineOf(string template, string text)
    {
        int at = template.IndexOf(text, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{text}' is not in the template");
        return template.Substring(0, at).Count(c => c == '\n') + 1;
    }

    private static string Function(string deploymentPreference, string extra = "") => $"""
        Transform: AWS::Serverless-2016-10-31
        {extra}
        Resources:
          Api:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              AutoPublishAlias: live
              DeploymentPreference:
        {deploymentPreference}
        """;

    // ----- real SAM-shaped templates -----

    [Fact]
    public void SafeDeployments_Yaml_ResolvesShortTagsParametersAndGlobals()
    {
        var path = Path.Combine(Fixtures, "safe-deployments.yaml");
        var text = File.ReadAllText(path);
        var policy = SamTemplate.Read(path, "OrdersFunction");

        Assert.Equal("OrdersFunction", policy.LogicalId);
        Assert.Equal(path, policy.Source);
        Assert.Equal("prod-orders", policy.FunctionName);
        Assert.Equal("live", policy.Alias);
        Assert.Equal("Canary10Percent5Minutes", policy.Type);
        Assert.Equal("CodeDeployDefault.LambdaCanary10Percent5Minutes", policy.DeploymentConfigName);
        Assert.True(policy.Enabled);
        // Globals' list first, then the function's, as SAM concatenates them; the alarm without AlarmName is left out.
        Assert.Equal(new[] { "orders-throttles", "prod-orders-alias-errors", "orders-latency-p99" }, policy.Alarms);
        Assert.Equal(new Dictionary<string, string> { ["BeforeAllowTraffic"] = "CodeDeployHook_preTrafficHook" }, policy.Hooks);

        Assert.Equal(new[] { "DeploymentPreference.Alarms", "DeploymentPreference.Hooks.PostTraffic" }, policy.UnresolvedProperties);
        Assert.Equal(2, policy.Unresolved.Count);
        Assert.Equal(
            $"DeploymentPreference.Alarms[1] (line {LineOf(text, "- !Ref LatestVersionErrorMetricGreaterThanZeroAlarm")} of {path}) refers to alarm 'LatestVersionErrorMetricGreaterThanZeroAlarm', " +
            "which has no AlarmName, so CloudFormation generates its name; pass the alarm name with -Alarm or give the value as a plain string.",
            policy.Unresolved[0]);
        Assert.Equal(
            $"DeploymentPreference.Hooks.PostTraffic (line {LineOf(text, "PostTraffic: !Ref")} of {path}) refers to function 'PostTrafficLambdaFunction', " +
            "which has no FunctionName, so CloudFormation generates its name; give the hook function a plain FunctionName (CodeDeploy calls it by name), " +
            "or pass the hook with -Hook @{ AfterAllowTraffic = '<function name>' }.",
            policy.Unresolved[1]);
    }

    [Fact]
    public void SafeDeployments_Yaml_ParametersOverrideDefaults()
    {
        var policy = SamTemplate.Read(Path.Combine(Fixtures, "safe-deployments.yaml"), "OrdersFunction",
            new Dictionary<string, string> { ["Stage"] = "dev", ["DeployType"] = "Linear10PercentEvery1Minute" });

        Assert.Equal("dev-orders", policy.FunctionName);
        Assert.Equal("Linear10PercentEvery1Minute", policy.Type);
        Assert.Equal("CodeDeployDefault.LambdaLinear10PercentEvery1Minute", policy.DeploymentConfigName);
        Assert.Equal(new[] { "orders-throttles", "dev-orders-alias-errors", "orders-latency-p99" }, policy.Alarms);
    }

    [Theory]
    [InlineData(null, "OrdersFunction")] // the hook functions have their preference disabled
    [InlineData("OrdersFunction", "OrdersFunction")]
    [InlineData("prod-orders", "OrdersFunction")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:prod-orders", "OrdersFunction")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:prod-orders:live", "OrdersFunction")]
    [InlineData("CodeDeployHook_preTrafficHook", "PreTrafficLambdaFunction")]
    [InlineData("PostTrafficLambdaFunction", "PostTrafficLambdaFunction")]
    [InlineData("orders-stack-PostTrafficLambdaFunction-1A2B3C4D5E6F", "PostTrafficLambdaFunction")] // the name CloudFormation generated
    public void SafeDeployments_Yaml_ChoosesTheFunction(string? name, string logicalId)
    {
        var policy = SamTemplate.Read(Path.Combine(Fixtures, "safe-deployments.yaml"), name);
        Assert.Equal(logicalId, policy.LogicalId);
    }

    [Fact]
    public void SafeDeployments_Yaml_AHookFunctionIsDisabled()
    {
        var policy = SamTemplate.Read(Path.Combine(Fixtures, "safe-deployments.yaml"), "CodeDeployHook_preTrafficHook");

        Assert.False(policy.Enabled);
        Assert.Equal("CodeDeployHook_preTrafficHook", policy.FunctionName);
        Assert.Null(policy.Alias);
        Assert.Null(policy.Type);
        Assert.Null(policy.DeploymentConfigName);
        Assert.Empty(policy.Alarms);
        Assert.Empty(policy.Hooks);
        Assert.Empty(policy.Unresolved);
    }

    [Fact]
    public void SafeDeployments_Yaml_AnUnknownNameListsTheFunctions()
    {
        var error = Assert.Throws<SamTemplateException>(() => SamTemplate.Read(Path.Combine(Fixtures, "safe-deployments.yaml"), "payments"));

        Assert.Equal("SamFunctionNotFound", error.ErrorId);
        Assert.Equal(ReleaseErrorKind.ObjectNotFound, error.Kind);
        Assert.Equal(
            new[] { "OrdersFunction (FunctionName 'prod-orders')", "PreTrafficLambdaFunction (FunctionName 'CodeDeployHook_preTrafficHook')", "PostTrafficLambdaFunction (named by CloudFormation)" },
            error.Candidates);
        Assert.Contains("'payments'", error.Message, StringComparison.Ordinal);
        Assert.Contains("OrdersFunction (FunctionName 'prod-orders')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SafeDeployments_Json_LongFormIntrinsicsAndTabs()
    {
        var path = Path.Combine(Fixtures, "safe-deployments.json");
        Assert.Contains('\t', File.ReadAllText(path));
        var policy = SamTemplate.Read(path, null);

        Assert.Equal("OrdersFunction", policy.LogicalId);
        Assert.Equal("prod-orders", policy.FunctionName);
        Assert.Equal("live", policy.Alias); // from Globals.Function
        Assert.Equal("Linear10PercentEvery1Minute", policy.Type);
        Assert.Equal(new[] { "orders-errors", "prod-orders-throttles" }, policy.Alarms);
        Assert.Equal("CodeDeployHook_prod_orders", policy.Hooks["BeforeAllowTraffic"]);
        Assert.Single(policy.Hooks);
        var sentence = Assert.Single(policy.Unresolved);
        Assert.StartsWith($"DeploymentPreference.Alarms[1] (line {LineOf(File.ReadAllText(path), "Fn::GetAtt")} of {path}) uses Fn::GetAtt, which only CloudFormation can resolve; pass the alarm name with -Alarm",
            sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresolved_ThrowsUnlessAnswered()
    {
        var policy = SamTemplate.Read(Path.Combine(Fixtures, "safe-deployments.yaml"), "OrdersFunction");

        var error = Assert.Throws<SamTemplateException>(() => policy.ThrowIfUnresolved());
        Assert.Equal("SamValueUnresolved", error.ErrorId);
        Assert.Contains("2 value(s) of OrdersFunction", error.Message, StringComparison.Ordinal);
        Assert.Contains(policy.Unresolved[0], error.Message, StringComparison.Ordinal);
        Assert.Contains(policy.Unresolved[1], error.Message, StringComparison.Ordinal);

        error = Assert.Throws<SamTemplateException>(() => policy.ThrowIfUnresolved(new[] { "DeploymentPreference.Alarms" }));
        Assert.DoesNotContain("Alarms[1]", error.Message, StringComparison.Ordinal);
        Assert.Contains(policy.Unresolved[1], error.Message, StringComparison.Ordinal);

        policy.ThrowIfUnresolved(new[] { "DeploymentPreference.Alarms", "DeploymentPreference.Hooks.PostTraffic" });

        var release = error.ToReleaseException();
        Assert.Equal("SamValueUnresolved", release.ErrorId);
        Assert.Equal(ReleaseErrorKind.InvalidArgument, release.Kind);
        Assert.Equal(error.Message, release.Message);
        Assert.Same(error, release.InnerException);
        Assert.NotNull(release.RecommendedAction);
    }

    // ----- SAM's own cases -----

    [Fact]
    public void AllParameters_AsInSamsTranslatorTests()
    {
        var policy = Parse("""
            Resources:
              MinimalFunction:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: s3://sam-demo-bucket/hello.zip
                  Handler: hello.handler
                  Runtime: python3.12
                  AutoPublishAlias: live
                  DeploymentPreference:
                    Enabled: true
                    Type: Linear10PercentEvery1Minute
                    Hooks:
                      PreTraffic: !Ref MySanityTestFunction
                      PostTraffic: !Ref MyValidationTestFunction
                    Alarms:
                    - !Ref MyCloudWatchAlarm
                    TriggerConfigurations:
                    - TriggerEvents: [DeploymentSuccess, DeploymentFailure]
                      TriggerName: TestTrigger
                      TriggerTargetArn: !Ref MySNSTopic
              MySanityTestFunction:
                Type: AWS::Serverless::Function
                Properties:
                  FunctionName: CodeDeployHook_sanity
                  Handler: hello.handler
                  DeploymentPreference:
                    Enabled: false
              MyValidationTestFunction:
                Type: AWS::Lambda::Function
                Properties:
                  FunctionName: CodeDeployHook_validation
              MyCloudWatchAlarm:
                Type: AWS::CloudWatch::Alarm
                Properties:
                  AlarmName: minimal-errors
                  MetricName: MyMetric
              MySNSTopic:
                Type: AWS::SNS::Topic
            """);

        Assert.Equal("MinimalFunction", policy.LogicalId);
        Assert.Null(policy.FunctionName);
        Assert.True(policy.Enabled);
        Assert.Equal("Linear10PercentEvery1Minute", policy.Type);
        Assert.Equal(new[] { "minimal-errors" }, policy.Alarms);
        Assert.Equal("CodeDeployHook_sanity", policy.Hooks["BeforeAllowTraffic"]);
        Assert.Equal("CodeDeployHook_validation", policy.Hooks["AfterAllowTraffic"]);
        Assert.Empty(policy.Unresolved);
    }

    [Theory]
    [InlineData("MinimalFunction", true)]
    [InlineData("MySanityTestFunction", false)]
    [InlineData("MyValidationTestFunction", false)]
    public void Enabled_FromParameters_AsInSamsTranslatorTests(string function, bool enabled)
    {
        var policy = Parse("""
            Parameters:
              MyTrueParameter:
                Default: 'True'
                Type: String
              MyLowerFalseParameter:
                Default: 'false'
                Type: String
              MyUpperFalseParameter:
                Default: 'False'
                Type: String
            Resources:
              MinimalFunction:
                Type: AWS::Serverless::Function
                Properties:
                  AutoPublishAlias: live
                  DeploymentPreference:
                    Enabled: !Ref MyTrueParameter
                    Type: Linear10PercentEvery1Minute
              MySanityTestFunction:
                Type: AWS::Serverless::Function
                Properties:
                  DeploymentPreference:
                    Enabled: !Ref MyLowerFalseParameter
              MyValidationTestFunction:
                Type: AWS::Serverless::Function
                Properties:
                  DeploymentPreference:
                    Enabled: !Ref MyUpperFalseParameter
            """, function);

        Assert.Equal(enabled, policy.Enabled);
        Assert.Empty(policy.Unresolved);
    }

    [Fact]
    public void Alarms_IfBetweenTwoLists_IsUnresolved()
    {
        var text = """
            Conditions:
              MyCondition:
                Fn::Equals:
                - !Ref AWS::AccountId
                - myAccountId
            Resources:
              MinimalFunction:
                Type: AWS::Serverless::Function
                Properties:
                  AutoPublishAlias: live
                  DeploymentPreference:
                    Type: Linear10PercentEvery3Minutes
                    Alarms:
                      Fn::If:
                      - MyCondition
                      - - Alarm1
                        - Alarm2
                      - - Alarm1
            """;
        var policy = Parse(text);

        Assert.Empty(policy.Alarms);
        Assert.Equal(new[] { "DeploymentPreference.Alarms" }, policy.UnresolvedProperties);
        Assert.Equal($"DeploymentPreference.Alarms (line {LineOf(text, "Fn::If")} of template.yaml) uses Fn::If, whose condition only CloudFormation evaluates; " +
            "pass the alarm names with -Alarm or give Alarms as a list of plain strings.", policy.Unresolved.Single());
    }

    [Fact]
    public void Alarms_NotAList_IsRefusedAsSamRefusesIt()
    {
        var error = Refused(Function("""
                    Type: Linear10PercentEvery3Minutes
                    Alarms: MyAlarm
            """), "SamTemplateInvalid");
        Assert.Contains("DeploymentPreference.Alarms of Api is not a list", error.Message, StringComparison.Ordinal);
        Assert.Equal(12, error.Line);
    }

    // ----- resolution -----

    [Fact]
    public void GetAtt_SaysWhichPropertyAndWhatToDo()
    {
        var text = Function("""
                    Type: Canary10Percent5Minutes
                    Alarms:
                      - errors
                      - !GetAtt LatencyAlarm.Arn
            """);
        var policy = Parse(text);

        Assert.Equal(new[] { "errors" }, policy.Alarms);
        Assert.Equal($"DeploymentPreference.Alarms[1] (line {LineOf(text, "!GetAtt")} of template.yaml) uses !GetAtt, which only CloudFormation can resolve; " +
            "pass the alarm name with -Alarm or give the value as a plain string.", policy.Unresolved.Single());
    }

    [Theory]
    [InlineData("!If [IsProd, Canary10Percent5Minutes, AllAtOnce]", "uses !If, whose condition only CloudFormation evaluates")]
    [InlineData("{ 'Fn::If': [IsProd, Canary10Percent5Minutes, AllAtOnce] }", "uses Fn::If, whose condition only CloudFormation evaluates")]
    [InlineData("!FindInMap [Stages, !Ref AWS::Region, Type]", "uses !FindInMap, which only CloudFormation can resolve")]
    [InlineData("!ImportValue shared-release-type", "uses !ImportValue, another stack's export, which only CloudFormation can resolve")]
    [InlineData("!Select [0, [Canary10Percent5Minutes]]", "uses !Select, which this reader does not resolve (it resolves !Ref, !Sub and !Join of plain values)")]
    [InlineData("!Ref Missing", "refers to 'Missing', which is neither a parameter nor a resource of the template")]
    [InlineData("!Ref NoDefault", "refers to parameter 'NoDefault', which has no Default and was given no value")]
    [InlineData("!Ref Topic", "refers to 'Topic' (AWS::SNS::Topic), whose value only CloudFormation knows")]
    [InlineData("!Ref AWS::Region", "refers to AWS::Region, which only CloudFormation knows unless it is given as a parameter")]
    [InlineData("!Sub '${AWS::StackName}-type'", "uses !Sub, where ${AWS::StackName} refers to AWS::StackName, which only CloudFormation knows unless it is given as a parameter")]
    [InlineData("!Sub '${Topic.TopicName}'", "uses !Sub with ${Topic.TopicName}, an attribute only CloudFormation can resolve")]
    [InlineData("!Join ['', [Canary, !GetAtt Topic.TopicName]]", "uses !Join, where item 1 uses !GetAtt, which only CloudFormation can resolve")]
    [InlineData("[Canary10Percent5Minutes]", "is a list where a single value is expected")]
    [InlineData("{ Name: Canary10Percent5Minutes, Other: x }", "is a mapping where a single value is expected")]
    [InlineData("!Ref Types", "refers to parameter 'Types', a list where a single value is expected")]
    public void Type_Unresolved_SaysWhy(string type, string reason)
    {
        var text = Function($"""
                    Type: {type}
            """, """
            Parameters:
              NoDefault:
                Type: String
              Types:
                Type: CommaDelimitedList
                Default: AllAtOnce,Canary10Percent5Minutes
            Conditions:
              IsProd: !Equals [!Ref AWS::AccountId, '123456789012']
            Mappings:
              Stages:
                eu-west-1: { Type: AllAtOnce }
            """) + """

              Topic:
                Type: AWS::SNS::Topic
            """;
        var policy = Parse(text);

        Assert.Null(policy.Type);
        Assert.Equal("live", policy.Alias);
        Assert.Equal(new[] { "DeploymentPreference.Type" }, policy.UnresolvedProperties);
        Assert.Equal($"DeploymentPreference.Type (line {LineOf(text, "Type: " + type)} of template.yaml) {reason}; pass the policy with -TrafficShift or give Type as a plain string.",
            policy.Unresolved.Single());
    }

    [Theory]
    [InlineData("Canary10Percent5Minutes", "Canary10Percent5Minutes")]
    [InlineData("'AllAtOnce'", "AllAtOnce")]
    [InlineData("\"Linear10PercentEvery10Minutes\"", "Linear10PercentEvery10Minutes")]
    [InlineData("!Ref ReleaseType", "Canary10Percent30Minutes")]
    [InlineData("{ Ref: ReleaseType }", "Canary10Percent30Minutes")]
    [InlineData("!Sub '${Kind}10Percent${Minutes}Minutes'", "Canary10Percent15Minutes")]
    [InlineData("{ 'Fn::Sub': '${Kind}10Percent${Minutes}Minutes' }", "Canary10Percent15Minutes")]
    [InlineData("!Sub ['${Kind}10Percent${Wait}Minutes', { Wait: '10' }]", "Canary10Percent10Minutes")]
    [InlineData("!Sub ['${Kind}10Percent${Wait}Minutes', { Wait: !Ref Minutes }]", "Canary10Percent15Minutes")]
    [InlineData("!Join ['', [!Ref Kind, 10Percent, !Ref Minutes, Minutes]]", "Canary10Percent15Minutes")]
    [InlineData("{ 'Fn::Join': ['', [{ Ref: Kind }, 10Percent5Minutes]] }", "Canary10Percent5Minutes")]
    [InlineData("!Join ['', !Ref Parts]", "Linear10PercentEvery2Minutes")]
    [InlineData("!Ref TeamConfig", "team-canary-25-percent")]
    [InlineData("Canary25Percent2Minutes", "Canary25Percent2Minutes")]
    public void Type_Resolves(string type, string expected)
    {
        var policy = Parse(Function($"""
                    Type: {type}
            """, """
            Parameters:
              ReleaseType:
                Type: String
                Default: Canary10Percent30Minutes
              Kind: { Type: String, Default: Canary }
              Minutes: { Type: Number, Default: 15 }
              Parts: { Type: CommaDelimitedList, Default: 'Linear10Percent,Every2Minutes' }
            """) + """

              TeamConfig:
                Type: AWS::CodeDeploy::DeploymentConfig
                Properties:
                  DeploymentConfigName: team-canary-25-percent
                  ComputePlatform: Lambda
            """);

        Assert.Equal(expected, policy.Type);
        Assert.Empty(policy.Unresolved);
        // SAM prefixes only the types CodeDeploy predefines for Lambda; any other is a configuration's own name.
        var predefined = expected is "Canary10Percent5Minutes" or "Canary10Percent10Minutes" or "Canary10Percent15Minutes" or "Canary10Percent30Minutes"
            or "Linear10PercentEvery1Minute" or "Linear10PercentEvery2Minutes" or "Linear10PercentEvery3Minutes" or "Linear10PercentEvery10Minutes" or "AllAtOnce";
        Assert.Equal(predefined ? "CodeDeployDefault.Lambda" + expected : expected, policy.DeploymentConfigName);
    }

    [Fact]
    public void Sub_LiteralDollarAndPseudoParametersWhenGiven()
    {
        var template = Function("""
                    Type: AllAtOnce
                    Hooks:
                      PreTraffic: !Sub 'CodeDeployHook_${AWS::StackName}_${AWS::Region}_${AWS::AccountId}_${!Literal}'
            """);

        var unresolved = Parse(template);
        Assert.Empty(unresolved.Hooks);
        Assert.Contains("${AWS::StackName} refers to AWS::StackName, which only CloudFormation knows unless it is given as a parameter", unresolved.Unresolved.Single(), StringComparison.Ordinal);

        var policy = Parse(template, null, new Dictionary<string, string>
        {
            ["AWS::StackName"] = "orders",
            ["AWS::Region"] = "eu-west-1",
            ["AWS::AccountId"] = "123456789012",
        });
        Assert.Equal("CodeDeployHook_orders_eu-west-1_123456789012_${Literal}", policy.Hooks["BeforeAllowTraffic"]);
        Assert.Empty(policy.Unresolved);
    }

    [Fact]
    public void Parameter_WithoutDefault_ResolvesWhenGiven()
    {
        var template = Function("""
                    Type: Canary10Percent5Minutes
                    Alarms: [!Sub '${Stage}-errors']
            """, """
            Parameters:
              Stage:
                Type: String
            """);

        var missing = Parse(template);
        Assert.Empty(missing.Alarms);
        Assert.Contains("refers to parameter 'Stage', which has no Default and was given no value", missing.Unresolved.Single(), StringComparison.Ordinal);

        Assert.Equal(new[] { "beta-errors" }, Parse(template, null, new Dictionary<string, string> { ["Stage"] = "beta" }).Alarms);
        // Values given for names the template does not declare change nothing.
        Assert.Single(Parse(template, null, new Dictionary<string, string> { ["stage"] = "beta" }).Unresolved);
    }

    [Fact]
    public void Hooks_ResolveThroughFunctionsAndSayWhenTheNameIsGenerated()
    {
        var text = Function("""
                    Type: Canary10Percent5Minutes
                    Hooks:
                      PreTraffic: !Ref PreHook
                      PostTraffic: !Ref PostHook
            """, """
            Parameters:
              Prefix: { Type: String, Default: CodeDeployHook_ }
            """) + """

              PreHook:
                Type: AWS::Serverless::Function
                Properties:
                  FunctionName: !Sub '${Prefix}pre'
                  DeploymentPreference: { Enabled: false }
              PostHook:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: post.handler
            """;
        var policy = Parse(text, "Api");

        Assert.Equal(new Dictionary<string, string> { ["BeforeAllowTraffic"] = "CodeDeployHook_pre" }, policy.Hooks);
        Assert.Equal(new[] { "DeploymentPreference.Hooks.PostTraffic" }, policy.UnresolvedProperties);
        Assert.Equal($"DeploymentPreference.Hooks.PostTraffic (line {LineOf(text, "PostTraffic: !Ref")} of template.yaml) refers to function 'PostHook', which has no FunctionName, " +
            "so CloudFormation generates its name; give the hook function a plain FunctionName (CodeDeploy calls it by name), or pass the hook with -Hook @{ AfterAllowTraffic = '<function name>' }.",
            policy.Unresolved.Single());
    }

    [Fact]
    public void Hooks_ANameThatNeedsCloudFormationSaysWhyThroughTheFunction()
    {
        var policy = Parse(Function("""
                    Type: Canary10Percent5Minutes
                    Hooks:
                      PreTraffic: !Ref PreHook
            """) + """

              PreHook:
                Type: AWS::Serverless::Function
                Properties:
                  FunctionName: !Sub 'CodeDeployHook_${AWS::StackName}_pre'
            """, "Api");

        Assert.Empty(policy.Hooks);
        Assert.Contains("PreTraffic (line 13 of template.yaml) refers to function 'PreHook', whose FunctionName uses !Sub, where ${AWS::StackName} refers to AWS::StackName",
            policy.Unresolved.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Ref_ThatLoopsBackIsUnresolved()
    {
        var policy = Parse(Function("""
                    Type: Canary10Percent5Minutes
                    Hooks:
                      PreTraffic: !Ref Hook
            """) + """

              Hook:
                Type: AWS::Lambda::Function
                Properties:
                  FunctionName: !Ref Hook
            """, "Api");

        Assert.Contains("refers to function 'Hook', whose FunctionName refers to function 'Hook', whose FunctionName refers back to itself", policy.Unresolved.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Alarms_NoValueIsLeftOutAndDuplicatesOnce()
    {
        var policy = Parse(Function("""
                    Type: Canary10Percent5Minutes
                    Alarms:
                      - errors
                      - !Ref AWS::NoValue
                      - errors
                      - { Ref: Throttles }
            """) + """

              Throttles:
                Type: AWS::CloudWatch::CompositeAlarm
                Properties:
                  AlarmName: api-throttles
            """);

        Assert.Equal(new[] { "errors", "api-throttles" }, policy.Alarms);
        Assert.Empty(policy.Unresolved);
    }

    [Fact]
    public void FunctionName_Unresolved_IsReported()
    {
        var text = """
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  FunctionName: !Sub '${AWS::StackName}-api'
                  AutoPublishAlias: live
                  DeploymentPreference:
                    Type: AllAtOnce
            """;
        var policy = Parse(text, "Api");

        Assert.Null(policy.FunctionName);
        Assert.Equal("AllAtOnce", policy.Type);
        Assert.Equal(new[] { "FunctionName" }, policy.UnresolvedProperties);
        Assert.StartsWith("FunctionName (line 5 of template.yaml) uses !Sub, where ${AWS::StackName}", policy.Unresolved.Single(), StringComparison.Ordinal);
        Assert.EndsWith("; pass the function's name with -FunctionName or give FunctionName as a plain string.", policy.Unresolved.Single(), StringComparison.Ordinal);

        // The same name, once the stack name is given, chooses the function.
        var named = Parse(text, "orders-api", new Dictionary<string, string> { ["AWS::StackName"] = "orders" });
        Assert.Equal("orders-api", named.FunctionName);
        Assert.Empty(named.Unresolved);
    }

    [Fact]
    public void Alias_Unresolved_IsReported()
    {
        var policy = Parse("""
            Conditions:
              IsProd: !Equals [!Ref AWS::AccountId, '123456789012']
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  AutoPublishAlias: !If [IsProd, live, dev]
                  DeploymentPreference:
                    Type: AllAtOnce
            """);

        Assert.Null(policy.Alias);
        Assert.Equal("AllAtOnce", policy.Type);
        Assert.Equal("AutoPublishAlias (line 7 of template.yaml) uses !If, whose condition only CloudFormation evaluates; pass the alias with -Alias or give AutoPublishAlias as a plain string.",
            policy.Unresolved.Single());
    }

    // ----- Enabled -----

    [Theory]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("'false'", false)]
    [InlineData("\"False\"", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    [InlineData("true", true)]
    [InlineData("'True'", true)]
    [InlineData("yes", true)]
    [InlineData("!Ref AWS::NoValue", true)]
    public void Enabled_ReadsTrueAndFalse(string value, bool expected)
    {
        var policy = Parse(Function($"""
                    Enabled: {value}
                    Type: AllAtOnce
            """));

        Assert.Equal(expected, policy.Enabled);
        Assert.Equal(expected ? "AllAtOnce" : null, policy.Type);
        Assert.Empty(policy.Unresolved);
    }

    [Theory]
    [InlineData("'no'", "is 'no', which is neither true nor false")]
    [InlineData("maybe", "is 'maybe', which is neither true nor false")]
    [InlineData("!If [IsProd, true, false]", "uses !If, whose condition only CloudFormation evaluates")]
    public void Enabled_Unresolved_IsTakenAsTrueAndSaid(string value, string reason)
    {
        var policy = Parse(Function($"""
                    Enabled: {value}
                    Type: AllAtOnce
            """));

        Assert.True(policy.Enabled);
        Assert.Equal("AllAtOnce", policy.Type);
        Assert.Equal($"DeploymentPreference.Enabled (line 11 of template.yaml) {reason}; it is taken as true, SAM's default; give Enabled as true or false.", policy.Unresolved.Single());
    }

    [Fact]
    public void Enabled_False_IgnoresTheRestAsSamDoes()
    {
        var policy = Parse(Function("""
                    Enabled: false
                    Type: !If [IsProd, Canary10Percent5Minutes, AllAtOnce]
                    Alarms: [!GetAtt Alarm.Arn]
                    Hooks: { PreTraffic: !Ref Nowhere }
            """));

        Assert.False(policy.Enabled);
        Assert.Equal("live", policy.Alias);
        Assert.Null(policy.Type);
        Assert.Empty(policy.Alarms);
        Assert.Empty(policy.Hooks);
        Assert.Empty(policy.Unresolved);
        policy.ThrowIfUnresolved();
    }

    // ----- Globals -----

    [Fact]
    public void Globals_MergeAsSamMergesThem()
    {
        var policy = Parse("""
            Globals:
              Function:
                Runtime: python3.12
                AutoPublishAlias: live
                DeploymentPreference:
                  Type: Canary10Percent5Minutes
                  Alarms: [global-errors]
                  Hooks:
                    PreTraffic: CodeDeployHook_global_pre
                    PostTraffic: CodeDeployHook_global_post
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  DeploymentPreference:
                    Type: Linear10PercentEvery2Minutes
                    Alarms: [api-errors, global-errors]
                    Hooks:
                      PostTraffic: CodeDeployHook_api_post
            """);

        Assert.Equal("live", policy.Alias);
        Assert.Equal("Linear10PercentEvery2Minutes", policy.Type);
        Assert.Equal(new[] { "global-errors", "api-errors" }, policy.Alarms);
        Assert.Equal("CodeDeployHook_global_pre", policy.Hooks["BeforeAllowTraffic"]);
        Assert.Equal("CodeDeployHook_api_post", policy.Hooks["AfterAllowTraffic"]);
    }

    [Fact]
    public void Globals_PreferenceOnlyInGlobals_AndTheFunctionsAliasWins()
    {
        var text = """
            Globals:
              Function:
                AutoPublishAlias: live
                DeploymentPreference:
                  Type: AllAtOnce
                  Alarms: [!GetAtt Alarm.Arn]
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  AutoPublishAlias: canary
            """;
        var policy = Parse(text);

        Assert.Equal("canary", policy.Alias);
        Assert.Equal("AllAtOnce", policy.Type);
        Assert.StartsWith("Globals.Function.DeploymentPreference.Alarms[0] (line 6 of template.yaml) uses !GetAtt", policy.Unresolved.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Globals_DisabledThere_TurnsTheFunctionsPreferenceOff()
    {
        // SAM's own example: an Enabled the function does not set is taken from Globals.
        var policy = Parse("""
            Globals:
              Function:
                DeploymentPreference:
                  Enabled: false
                  Type: Canary10Percent5Minutes
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  AutoPublishAlias: live
                  DeploymentPreference:
                    Type: Linear10PercentEvery1Minute
            """);

        Assert.False(policy.Enabled);
    }

    [Fact]
    public void Globals_AnIntrinsicIsReplacedByTheFunctionsMapping()
    {
        var policy = Parse("""
            Globals:
              Function:
                AutoPublishAlias: live
                DeploymentPreference: !If [IsProd, { Type: Canary10Percent5Minutes }, !Ref AWS::NoValue]
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  DeploymentPreference:
                    Type: AllAtOnce
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: worker.handler
            """, "Api");

        Assert.Equal("AllAtOnce", policy.Type);
        Assert.Empty(policy.Unresolved);

        var worker = Parse("""
            Globals:
              Function:
                AutoPublishAlias: live
                DeploymentPreference: !If [IsProd, { Type: Canary10Percent5Minutes }, !Ref AWS::NoValue]
            Resources:
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: worker.handler
            """);
        Assert.Null(worker.Type);
        Assert.Equal(new[] { "DeploymentPreference" }, worker.UnresolvedProperties);
        Assert.StartsWith("Globals.Function.DeploymentPreference (line 4 of template.yaml) uses !If", worker.Unresolved.Single(), StringComparison.Ordinal);
    }

    // ----- choosing the function -----

    private const string TwoFunctions = """
        Resources:
          Orders:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: orders
              AutoPublishAlias: live
              DeploymentPreference: { Type: Canary10Percent5Minutes }
          Payments:
            Type: AWS::Serverless::Function
            Properties:
              AutoPublishAlias: live
              DeploymentPreference: { Type: AllAtOnce }
          Legacy:
            Type: AWS::Lambda::Function
            Properties:
              FunctionName: legacy
        """;

    [Fact]
    public void SeveralFunctions_NoneNamed_IsAmbiguous()
    {
        var error = Refused(TwoFunctions, "SamFunctionAmbiguous");

        Assert.Equal(ReleaseErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(new[] { "Orders (FunctionName 'orders')", "Payments (named by CloudFormation)" }, error.Candidates);
        Assert.Contains("2 AWS::Serverless::Function resources", error.Message, StringComparison.Ordinal);
        Assert.Contains("Orders", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Orders", "Orders", "Canary10Percent5Minutes")]
    [InlineData("orders", "Orders", "Canary10Percent5Minutes")]
    [InlineData("Payments", "Payments", "AllAtOnce")]
    [InlineData("stack-Payments-XYZ", "Payments", "AllAtOnce")]
    public void SeveralFunctions_Named(string name, string logicalId, string type)
    {
        var policy = Parse(TwoFunctions, name);
        Assert.Equal(logicalId, policy.LogicalId);
        Assert.Equal(type, policy.Type);
    }

    [Theory]
    [InlineData("legacy")] // an AWS::Lambda::Function has no deployment preference
    [InlineData("Legacy")]
    [InlineData("ORDERS")]
    [InlineData("stack-Orders-XYZ")] // Orders has a FunctionName, so CloudFormation did not make one up
    public void SeveralFunctions_NotFound(string name) =>
        Assert.Equal(new[] { "Orders (FunctionName 'orders')", "Payments (named by CloudFormation)" }, Refused(TwoFunctions, "SamFunctionNotFound", name).Candidates);

    [Fact]
    public void TwoFunctionsWithTheSameName_AreAmbiguous()
    {
        var error = Refused("""
            Parameters:
              Name: { Type: String, Default: api }
            Resources:
              A:
                Type: AWS::Serverless::Function
                Properties: { FunctionName: api, AutoPublishAlias: live, DeploymentPreference: { Type: AllAtOnce } }
              B:
                Type: AWS::Serverless::Function
                Properties: { FunctionName: !Ref Name, AutoPublishAlias: live, DeploymentPreference: { Type: AllAtOnce } }
            """, "SamFunctionAmbiguous", "api");
        Assert.Equal(new[] { "A (FunctionName 'api')", "B (FunctionName 'api')" }, error.Candidates);
    }

    [Fact]
    public void NoServerlessFunction_IsNotFound()
    {
        var error = Refused("""
            Resources:
              Legacy:
                Type: AWS::Lambda::Function
                Properties: { FunctionName: legacy }
            """, "SamFunctionNotFound");
        Assert.Contains("has no AWS::Serverless::Function", error.Message, StringComparison.Ordinal);
    }

    // ----- what SAM itself refuses -----

    [Fact]
    public void MissingDeploymentPreference_IsRefused()
    {
        var error = Refused("""
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  AutoPublishAlias: live
            """, "SamNoDeploymentPreference");
        Assert.Contains("Api has no DeploymentPreference", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
        Assert.Contains("-TrafficShift", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void PreferenceWithoutAlias_IsRefused() =>
        Assert.Contains("no AutoPublishAlias", Refused("""
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  DeploymentPreference: { Type: AllAtOnce }
            """, "SamTemplateInvalid").Message, StringComparison.Ordinal);

    [Fact]
    public void PreferenceWithoutType_IsRefused() =>
        Assert.Contains("has no Type", Refused(Function("""
                    Alarms: [errors]
            """), "SamTemplateInvalid").Message, StringComparison.Ordinal);

    [Fact]
    public void UnknownHook_IsRefused()
    {
        var error = Refused(Function("""
                    Type: AllAtOnce
                    Hooks:
                      PreTrafic: CodeDeployHook_pre
            """), "SamTemplateInvalid");
        Assert.Contains("'PreTrafic'; SAM's hooks are PreTraffic and PostTraffic", error.Message, StringComparison.Ordinal);
        Assert.Equal(13, error.Line);
    }

    [Fact]
    public void HooksNotAMapping_IsRefused() =>
        Assert.Contains("Hooks of Api is not a mapping", Refused(Function("""
                    Type: AllAtOnce
                    Hooks: CodeDeployHook_pre
            """), "SamTemplateInvalid").Message, StringComparison.Ordinal);

    // ----- malformed and hostile input -----

    [Fact]
    public void MalformedYaml_SaysWhere()
    {
        var error = Refused("""
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  AutoPublishAlias: live
                 DeploymentPreference:
                    Type: AllAtOnce
            """, "SamTemplateInvalid");

        Assert.Equal(6, error.Line);
        Assert.StartsWith("template.yaml, line 6, column 6: this is not valid YAML or JSON: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML or JSON", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedJson_SaysWhere()
    {
        var error = Refused("{\n  \"Resources\": {\n    \"Api\": {\n      \"Type\": \"AWS::Serverless::Function\",\n      \"Properties\": {\"AutoPublishAlias\": \"live\"\n    }\n  }\n", "SamTemplateInvalid");
        Assert.NotNull(error.Line);
        Assert.Contains($"line {error.Line}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Resources:\n  Api:\n\tType: AWS::Serverless::Function\n", 3, "tab")]
    [InlineData("Resources:\n  Api: { Type: AWS::Serverless::Function\n", 3, "")]
    [InlineData("Resources:\n  Api: [a, b\n", 3, "")]
    [InlineData("Resources: [Api\nOther: d\n", 2, "ends before every [ and { is closed")]
    [InlineData("Resources:\n  Api: 'unterminated\n", 2, "quoted scalar")]
    [InlineData("Resources:\n  Api: b: c\n", 2, "")]
    [InlineData("Resources:\n  Api: *nowhere\n", 2, "the alias *nowhere has no anchor &nowhere before it")]
    public void MalformedYaml_Variants_SayWhichLine(string text, int line, string detail)
    {
        var error = Refused(text, "SamTemplateInvalid");
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"template.yaml, line {line}", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML or JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the template is empty")]
    [InlineData("# only a comment\n", "the template is empty")]
    [InlineData("just a string", "not a mapping of sections")]
    [InlineData("- a\n- b", "not a mapping of sections")]
    [InlineData("Transform: AWS::Serverless-2016-10-31\n", "no Resources section")]
    [InlineData("Resources: !Ref Elsewhere\n", "no Resources section")]
    [InlineData("Resources: {}\n---\nResources: {}\n", "more than one YAML document")]
    [InlineData("Resources:\n  Api: {}\n  Api: {}\n", "the key 'Api' appears twice")]
    [InlineData("Resources:\n  ? [a, b]\n  : {}\n", "a mapping key is a list")]
    public void NotATemplate_IsRefused(string text, string problem) =>
        Assert.Contains(problem, Refused(text, "SamTemplateInvalid").Message, StringComparison.Ordinal);

    [Fact]
    public void AliasBomb_IsRefusedQuickly()
    {
        // Nine levels of ten aliases each: 10^9 strings if expanded.
        var text = new StringBuilder("Bomb:\n  l0: &l0 !Join ['', [ab, ab, ab, ab, ab, ab, ab, ab, ab, ab]]\n");
        for (int level = 1; level < 9; level++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  l{level}: &l{level} !Join ['', [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10))}]]\n");
        }

        text.Append(Function("""
                    Type: *l8
            """));
        var watch = Stopwatch.StartNew();
        var error = Refused(text.ToString(), "SamTemplateTooComplex");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Contains("aliases may be multiplying", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasBomb_OfEmptyStrings_RunsOutOfSteps()
    {
        var text = new StringBuilder("Bomb:\n  l0: &l0 !Join ['', ['', '', '', '', '', '', '', '', '', '']]\n");
        for (int level = 1; level < 9; level++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  l{level}: &l{level} !Join ['', [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10))}]]\n");
        }

        text.Append(Function("""
                    Type: *l8
            """));
        var error = Refused(text.ToString(), "SamTemplateTooComplex");
        Assert.Contains("100,000 steps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasBomb_OfMappings_RunsOutOfSteps()
    {
        var text = new StringBuilder("Bomb:\n  l0: &l0 { a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x, i: x, j: x }\n");
        for (int level = 1; level < 9; level++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  l{level}: &l{level} {{ a: *l{level - 1}, b: *l{level - 1}, c: *l{level - 1}, d: *l{level - 1}, e: *l{level - 1}, f: *l{level - 1}, g: *l{level - 1}, h: *l{level - 1}, i: *l{level - 1}, j: *l{level - 1} }}\n");
        }

        text.Append("""
            Globals:
              Function:
                DeploymentPreference: *l8
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  AutoPublishAlias: live
                  DeploymentPreference: *l8
            """);
        Assert.Contains("100,000 steps", Refused(text.ToString(), "SamTemplateTooComplex").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongChainsOfNames_StopWithoutExhaustingTheStack()
    {
        var text = new StringBuilder(Function("""
                    Type: AllAtOnce
                    Hooks: { PreTraffic: !Ref Hook0 }
            """));
        for (int i = 0; i < 5000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  Hook{i}:\n    Type: AWS::Lambda::Function\n    Properties: {{ FunctionName: !Ref Hook{i + 1} }}");
        }

        var policy = Parse(text.ToString(), "Api");
        Assert.Empty(policy.Hooks);
        Assert.Contains("through more than 16 resources", policy.Unresolved.Single(), StringComparison.Ordinal);

        // A short chain resolves.
        Assert.Equal("CodeDeployHook_end", Parse(Function("""
                    Type: AllAtOnce
                    Hooks: { PreTraffic: !Ref Hook0 }
            """) + """

              Hook0: { Type: AWS::Lambda::Function, Properties: { FunctionName: !Ref Hook1 } }
              Hook1: { Type: AWS::Lambda::Function, Properties: { FunctionName: !Ref Hook2 } }
              Hook2: { Type: AWS::Lambda::Function, Properties: { FunctionName: CodeDeployHook_end } }
            """, "Api").Hooks["BeforeAllowTraffic"]);
    }

    [Fact]
    public void TooManyAliases_AreRefused()
    {
        var text = "Anchors:\n  a: &a x\n  list: [" + string.Join(", ", Enumerable.Repeat("*a", 101)) + "]\n" + Function("        Type: AllAtOnce");
        var error = Refused(text, "SamTemplateTooComplex");
        Assert.Contains("more than 100 YAML aliases", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);

        // A few are fine.
        Assert.Equal("x", Parse("Anchors:\n  a: &a x\n" + Function("        Type: AllAtOnce\n        Alarms: [*a, *a]")).Alarms.Single());
    }

    [Fact]
    public void DeepNesting_IsRefusedWithoutRecursion()
    {
        var text = "Resources:\n  Deep: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        var error = Refused(text, "SamTemplateTooComplex");
        Assert.Contains("nests more than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeText_IsRefused()
    {
        var text = Function("        Type: AllAtOnce") + "\n# " + new string('x', SamTemplate.MaxTemplateBytes) + "\n";
        var error = Refused(text, "SamTemplateTooLarge");
        Assert.Contains("1,048,576 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeFile_IsRefusedBeforeItIsRead()
    {
        var directory = Path.Combine(Path.GetTempPath(), "bluegreen-sam-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "template.yaml");
            File.WriteAllText(path, Function("        Type: AllAtOnce"));
            Assert.Equal("AllAtOnce", SamTemplate.Read(path, null).Type);

            using (var stream = new FileStream(path, FileMode.Append))
            {
                stream.SetLength(SamTemplate.MaxTemplateBytes + 1L);
            }

            var error = Assert.Throws<SamTemplateException>(() => SamTemplate.Read(path, null));
            Assert.Equal("SamTemplateTooLarge", error.ErrorId);
            Assert.Equal(path, error.TemplateSource);
        }
        finally
        {
            OwnedPath.Delete(directory);
        }
    }

    [Fact]
    public void Read_MissingFile_IsNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), "bluegreen-sam-" + Guid.NewGuid().ToString("N"), "template.yaml");
        var error = Assert.Throws<SamTemplateException>(() => SamTemplate.Read(path, null));
        Assert.Equal("SamTemplateNotFound", error.ErrorId);
        Assert.Equal(ReleaseErrorKind.ObjectNotFound, error.Kind);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);

        var release = error.ToReleaseException();
        Assert.Equal("SamTemplateNotFound", release.ErrorId);
        Assert.Equal(path, release.Target);
    }

    [Fact]
    public void Read_Utf8WithByteOrderMark()
    {
        var directory = Path.Combine(Path.GetTempPath(), "bluegreen-sam-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "template.json");
            File.WriteAllText(path, """{"Resources": {"Api": {"Type": "AWS::Serverless::Function", "Properties": {"AutoPublishAlias": "live", "DeploymentPreference": {"Type": "AllAtOnce"}}}}}""",
                new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            Assert.Equal("live", SamTemplate.Read(path, "Api").Alias);
        }
        finally
        {
            OwnedPath.Delete(directory);
        }
    }
}
