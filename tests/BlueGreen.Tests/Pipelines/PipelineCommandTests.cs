using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Pipelines;
using BlueGreen.Testing;
using Xunit;

namespace BlueGreen.Tests.Pipelines;

/// <summary>Each platform's escaping, with the examples its own documentation and libraries give, and what a writer puts
/// where the platform reads it.</summary>
public sealed class PipelineCommandTests
{
    [Theory]
    // GitHub's workflow command docs: "%" -> %25, "\r" -> %0D, "\n" -> %0A in messages; properties also ":" -> %3A, "," -> %2C.
    [InlineData("100% done", "100%25 done", "100%25 done")]
    [InlineData("line one\nline two\r\n", "line one%0Aline two%0D%0A", "line one%0Aline two%0D%0A")]
    [InlineData("web:2, web:3", "web:2, web:3", "web%3A2%2C web%3A3")]
    [InlineData("%0A", "%250A", "%250A")]
    public void GitHubEscapesAsTheToolkit(string value, string data, string property)
    {
        Assert.Equal(data, GitHubCommands.EscapeData(value));
        Assert.Equal(property, GitHubCommands.EscapeProperty(value));
    }

    [Fact]
    public void GitHubFormatsAnnotationsWithTitles()
    {
        var line = GitHubCommands.Format("error", new[] { new KeyValuePair<string, string?>("title", "Release d-1: undone, at 50%") }, "blue: web:1\nback");
        Assert.Equal("::error title=Release d-1%3A undone%2C at 50%25::blue: web:1%0Aback", line);
        Assert.Equal("::endgroup::", GitHubCommands.Format("endgroup", null, null));
    }

    [Fact]
    public void GitHubOutputEntriesUseTheHeredocFormForSeveralLines()
    {
        Assert.Equal("status=Succeeded\n", GitHubCommands.FileEntry("status", "Succeeded"));
        Assert.Equal("notes<<ghadelimiter_x\na\nb\nghadelimiter_x\n", GitHubCommands.FileEntry("notes", "a\nb", "ghadelimiter_x"));
        Assert.StartsWith("notes<<ghadelimiter_", GitHubCommands.FileEntry("notes", "a\nb"), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GitHubCommands.FileEntry("notes", "a\nEOF\nb", "EOF"));
        Assert.Throws<ArgumentException>(() => GitHubCommands.FileEntry("a=b", "x"));
    }

    [Theory]
    // azure-pipelines-task-lib: data % -> %AZP25, \r -> %0D, \n -> %0A; properties also ] -> %5D and ; -> %3B.
    [InlineData("100% done", "100%AZP25 done", "100%AZP25 done")]
    [InlineData("a\r\nb", "a%0D%0Ab", "a%0D%0Ab")]
    [InlineData("x;y]z", "x;y]z", "x%3By%5Dz")]
    public void AzureEscapesAsTheTaskLibrary(string value, string data, string property)
    {
        Assert.Equal(data, AzureDevOpsCommands.EscapeData(value));
        Assert.Equal(property, AzureDevOpsCommands.EscapeProperty(value));
    }

    [Fact]
    public void AzureFormatsLoggingCommands()
    {
        Assert.Equal("##vso[task.setvariable variable=deploymentId;isOutput=true;]d-1",
            AzureDevOpsCommands.Format("task.setvariable", new[] { new KeyValuePair<string, string?>("variable", "deploymentId"), new KeyValuePair<string, string?>("isOutput", "true") }, "d-1"));
        Assert.Equal("##vso[task.complete result=Failed;]done", AzureDevOpsCommands.Format("task.complete", new[] { new KeyValuePair<string, string?>("result", "Failed") }, "done"));
        Assert.Equal("##vso[task.uploadsummary]/tmp/a.md", AzureDevOpsCommands.Format("task.uploadsummary", null, "/tmp/a.md"));
    }

    [Fact]
    public void CodeBuildEntriesAreShellSafe()
    {
        Assert.Equal("BLUEGREEN_GREEN_VERSION='web:3'\n", CodeBuildEnvFile.Entry(CodeBuildEnvFile.VariableName("greenVersion"), "web:3"));
        Assert.Equal("X='it'\\''s $HOME'\n", CodeBuildEnvFile.Entry("X", "it's $HOME"));
        Assert.Throws<ArgumentException>(() => CodeBuildEnvFile.Entry("A-B", "x"));
    }

    [Theory]
    [InlineData("GITHUB_ACTIONS=true", PipelineKind.GitHubActions)]
    [InlineData("TF_BUILD=True", PipelineKind.AzureDevOps)]
    [InlineData("CODEBUILD_BUILD_ID=release:1", PipelineKind.CodeBuild)]
    [InlineData("", PipelineKind.None)]
    [InlineData("GITHUB_ACTIONS=true;BLUEGREEN_PIPELINE=None", PipelineKind.None)]
    [InlineData("BLUEGREEN_PIPELINE=codebuild", PipelineKind.CodeBuild)]
    public void DetectsThePipelineAndHonoursTheOverride(string variables, PipelineKind expected)
    {
        var environment = variables.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(expected, PipelineDetector.Detect(name => environment.TryGetValue(name, out var value) ? value : null));
    }

    [Fact]
    public void RefusesAnUnknownOverride() =>
        Assert.Throws<ArgumentException>(() => PipelineDetector.Detect(name => name == PipelineDetector.OverrideVariable ? "Jenkins" : null));

    [Fact]
    public void GitHubWriterAppendsUtf8WithoutBom()
    {
        var directory = Path.Combine(Path.GetTempPath(), "bluegreen-pipeline-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var output = Path.Combine(directory, "output");
            var summary = Path.Combine(directory, "summary.md");
            File.WriteAllText(output, "before=1\n", new UTF8Encoding(false));
            var lines = new List<string>();
            var env = new Dictionary<string, string> { ["GITHUB_OUTPUT"] = output, ["GITHUB_STEP_SUMMARY"] = summary };
            var reporter = new PipelineReporter(PipelineWriter.For(PipelineKind.GitHubActions, lines.Add, name => env.TryGetValue(name, out var v) ? v : null));
            var deployment = new BlueGreenDeployment("d-PIPETEST1") { Status = DeploymentStatus.Stopped, Cluster = "prod", Service = "web", BlueTaskDefinition = "web:1", GreenTaskDefinition = "web:2", RollbackDeploymentId = "d-PIPETEST2" };
            deployment.Gates = new[] { new ReleaseGate(ReleaseGateKind.SmokeTest, "http://x/", AnalysisVerdict.Fail, DateTimeOffset.UtcNow, "500 | 500 — ünïcode") };

            Assert.True(reporter.Release(deployment, undone: false));

            var text = File.ReadAllText(output);
            Assert.StartsWith("before=1\ndeploymentId=d-PIPETEST1\n", text, StringComparison.Ordinal);
            Assert.Contains("outcome=Undone\n", text, StringComparison.Ordinal);
            var bytes = File.ReadAllBytes(summary);
            Assert.NotEqual(0xEF, bytes[0]);
            Assert.Contains("500 \\| 500 — ünïcode", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
            Assert.Contains(lines, l => l.StartsWith("::error title=Release d-PIPETEST1 undone::", StringComparison.Ordinal));
        }
        finally
        {
            OwnedPath.Delete(directory);
        }
    }
}
