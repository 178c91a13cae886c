using System;
using System.IO;
using System.Linq;
using YamlDotNet.RepresentationModel;
using Xunit;

namespace BlueGreen.Tests.Pipelines;

/// <summary>The sample pipelines in docs/pipelines parse as YAML and have the fields their platform needs.</summary>
public sealed class PipelineFileTests
{
    private static YamlMappingNode Load(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "BlueGreen.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(directory!.FullName, "docs", "pipelines", name));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var map = Assert.IsType<YamlMappingNode>(node);
            Assert.True(map.Children.ContainsKey(new YamlScalarNode(key)), $"missing '{key}'");
            node = map.Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static string Scalar(YamlNode node, params string[] path) => Assert.IsType<YamlScalarNode>(At(node, path)).Value!;

    [Fact]
    public void GitHubWorkflowUsesOidcAndRunsTheReleaseSteps()
    {
        var workflow = Load("github-actions.yml");
        At(workflow, "on");
        Assert.Equal("write", Scalar(workflow, "permissions", "id-token"));
        var steps = ((YamlSequenceNode)At(workflow, "jobs", "release", "steps")).Children.Cast<YamlMappingNode>().ToList();
        var credentials = steps.Single(s => s.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && ((YamlScalarNode)uses).Value!.StartsWith("aws-actions/configure-aws-credentials@", StringComparison.Ordinal));
        Assert.NotEmpty(Scalar(credentials, "with", "role-to-assume"));
        var release = steps.Single(s => s.Children.ContainsKey(new YamlScalarNode("id")) && Scalar(s, "id") == "release");
        Assert.Equal("pwsh", Scalar(release, "shell"));
        Assert.Contains("Invoke-PipelineRelease.ps1", Scalar(release, "run"), StringComparison.Ordinal);
        Assert.Contains("-Analysis", Scalar(release, "run"), StringComparison.Ordinal);
        var undo = steps.Single(s => s.Children.ContainsKey(new YamlScalarNode("if")));
        Assert.StartsWith("failure()", Scalar(undo, "if"), StringComparison.Ordinal);
        Assert.Contains("Undo-PipelineRelease.ps1", Scalar(undo, "run"), StringComparison.Ordinal);
    }

    [Fact]
    public void AzurePipelineHasTriggerPoolAndReleaseTask()
    {
        var pipeline = Load("azure-pipelines.yml");
        At(pipeline, "trigger");
        At(pipeline, "pool");
        var steps = ((YamlSequenceNode)At(pipeline, "steps")).Children.Cast<YamlMappingNode>().ToList();
        var release = steps.Single(s => s.Children.ContainsKey(new YamlScalarNode("name")) && Scalar(s, "name") == "release");
        Assert.Equal("AWSPowerShellModuleScript@1", Scalar(release, "task"));
        Assert.EndsWith("Invoke-PipelineRelease.ps1", Scalar(release, "inputs", "filePath"), StringComparison.Ordinal);
        Assert.NotEmpty(Scalar(release, "inputs", "awsCredentials"));
        Assert.Contains(steps, s => s.Children.ContainsKey(new YamlScalarNode("condition")) && Scalar(s, "condition").StartsWith("and(failed()", StringComparison.Ordinal));
    }

    [Fact]
    public void BuildspecExportsTheReleaseVariables()
    {
        var buildspec = Load("buildspec.yml");
        Assert.Equal("0.2", Scalar(buildspec, "version"));
        var exported = ((YamlSequenceNode)At(buildspec, "env", "exported-variables")).Children.Select(n => ((YamlScalarNode)n).Value).ToList();
        Assert.Contains("BLUEGREEN_DEPLOYMENT_ID", exported);
        Assert.Contains("BLUEGREEN_OUTCOME", exported);
        var commands = ((YamlSequenceNode)At(buildspec, "phases", "build", "commands")).Children.Select(n => ((YamlScalarNode)n).Value!).ToList();
        Assert.Contains(commands, c => c.Contains("Invoke-PipelineRelease.ps1", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains(". \"$BLUEGREEN_ENV_FILE\"", StringComparison.Ordinal));
    }

    [Fact]
    public void CodePipelineStageRunsTheBuildInANamespace()
    {
        var stage = Load("codepipeline-stage.yml");
        Assert.NotEmpty(Scalar(stage, "Name"));
        var action = (YamlMappingNode)((YamlSequenceNode)At(stage, "Actions")).Children.Single();
        Assert.Equal("CodeBuild", Scalar(action, "ActionTypeId", "Provider"));
        Assert.Equal("Build", Scalar(action, "ActionTypeId", "Category"));
        Assert.NotEmpty(Scalar(action, "Namespace"));
        At(action, "Configuration", "ProjectName");
    }
}
