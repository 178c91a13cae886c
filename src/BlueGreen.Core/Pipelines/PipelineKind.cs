using System;

namespace BlueGreen.Core.Pipelines;

/// <summary>The CI/CD system a command runs in, which decides how releases are reported.</summary>
public enum PipelineKind
{
    /// <summary>An interactive session, a runbook or any other host: nothing beyond the usual streams.</summary>
    None,

    /// <summary>A GitHub Actions step (<c>GITHUB_ACTIONS=true</c>).</summary>
    GitHubActions,

    /// <summary>An Azure Pipelines task (<c>TF_BUILD=True</c>).</summary>
    AzureDevOps,

    /// <summary>An AWS CodeBuild build (<c>CODEBUILD_BUILD_ID</c> set), as CodePipeline runs it.</summary>
    CodeBuild,
}

/// <summary>Which pipeline a process runs in: <c>BLUEGREEN_PIPELINE</c> when set, else what the platform itself sets.</summary>
public static class PipelineDetector
{
    /// <summary>The variable that overrides detection: GitHubActions, AzureDevOps, CodeBuild or None.</summary>
    public const string OverrideVariable = "BLUEGREEN_PIPELINE";

    public static PipelineKind Detect(Func<string, string?> environment)
    {
        if (environment is null)
        {
            throw new ArgumentNullException(nameof(environment));
        }

        var forced = environment(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(forced))
        {
            return TryParse(forced!, out var kind) ? kind
                : throw new ArgumentException($"{OverrideVariable} is '{forced}': it must be GitHubActions, AzureDevOps, CodeBuild or None.", nameof(environment));
        }

        // The variables each platform documents as its own marker.
        if (string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return PipelineKind.GitHubActions;
        }

        if (string.Equals(environment("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase))
        {
            return PipelineKind.AzureDevOps;
        }

        return string.IsNullOrEmpty(environment("CODEBUILD_BUILD_ID")) ? PipelineKind.None : PipelineKind.CodeBuild;
    }

    public static bool TryParse(string text, out PipelineKind kind)
    {
        kind = PipelineKind.None;
        var name = (text ?? string.Empty).Trim();
        foreach (PipelineKind candidate in Enum.GetValues(typeof(PipelineKind)))
        {
            if (string.Equals(candidate.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        return false;
    }
}
