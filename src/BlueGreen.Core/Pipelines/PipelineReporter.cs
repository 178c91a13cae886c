using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Pipelines;

/// <summary>Reports releases to the pipeline a step runs in: outputs for every release a command returns, a summary
/// and an annotation once per release and outcome, and the step's failure when a release did not go through.</summary>
public sealed class PipelineReporter
{
    // Per process: a release summarised once per outcome, however many commands of the step return it.
    private static readonly ConcurrentDictionary<string, byte> Summarised = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, byte> Masked = new(StringComparer.Ordinal);
    private static int _stepFailed;

    public PipelineReporter(PipelineWriter writer)
    {
        Writer = writer ?? throw new ArgumentNullException(nameof(writer));
    }

    public PipelineWriter Writer { get; }

    public bool Active => Writer.Kind != PipelineKind.None;

    /// <summary>Outputs, and at an outcome worth saying, the summary and an annotation. Returns whether the step must fail.</summary>
    public bool Release(BlueGreenDeployment deployment, bool undone)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        var outcome = ReleaseOutcomes.Of(deployment, undone);
        if (!Active)
        {
            return ReleaseOutcomes.FailsStep(outcome);
        }

        foreach (var output in Outputs(deployment, outcome))
        {
            Writer.SetOutput(output.Key, output.Value);
        }

        if ((ReleaseOutcomes.IsFinal(outcome) || outcome == ReleaseOutcome.GateFailed)
            && Summarised.TryAdd($"{deployment.DeploymentId}|{outcome}|{deployment.Status}", 0))
        {
            Writer.AddSummary(deployment.DeploymentId + "-" + outcome, ReleaseSummary.ToMarkdown(deployment, outcome));
            var what = $"{deployment.Target?.DisplayName ?? deployment.DeploymentId}: {deployment.Blue} -> {deployment.Green}";
            switch (outcome)
            {
                case ReleaseOutcome.Succeeded:
                    Writer.Annotate(AnnotationLevel.Notice, $"Release {deployment.DeploymentId} succeeded", what);
                    break;
                case ReleaseOutcome.Undone:
                    Writer.Annotate(AnnotationLevel.Error, $"Release {deployment.DeploymentId} undone", $"{what}; production is back on blue ({deployment.Status}).");
                    break;
                case ReleaseOutcome.GateFailed:
                    Writer.Annotate(AnnotationLevel.Error, $"Release {deployment.DeploymentId} failed a gate", $"{what}; undo it or let the rollback run.");
                    break;
                default:
                    Writer.Annotate(AnnotationLevel.Error, $"Release {deployment.DeploymentId} {deployment.Status}", $"{what}; {deployment.ErrorMessage}");
                    break;
            }
        }

        if (ReleaseOutcomes.FailsStep(outcome))
        {
            FailStep($"Release {deployment.DeploymentId}: {outcome}");
            return true;
        }

        return false;
    }

    /// <summary>An error a command wrote: an annotation, and the step fails.</summary>
    public void Error(string title, string message)
    {
        if (!Active)
        {
            return;
        }

        Writer.Annotate(AnnotationLevel.Error, title, message);
        FailStep(title);
    }

    public void Warning(string title, string message)
    {
        if (Active)
        {
            Writer.Annotate(AnnotationLevel.Warning, title, message);
        }
    }

    /// <summary>Asks the pipeline to mask a secret, once per value and process.</summary>
    public void Mask(string? secret)
    {
        if (Active && !string.IsNullOrEmpty(secret) && Masked.TryAdd(secret!, 0))
        {
            Writer.Mask(secret!);
        }
    }

    private void FailStep(string message)
    {
        // One result per step (a process): the first failure says why.
        if (System.Threading.Interlocked.Exchange(ref _stepFailed, 1) == 0)
        {
            Writer.FailStep(message);
        }
    }

    /// <summary>The outputs of a release, by the names the docs give (CodeBuild: BLUEGREEN_ and upper snake case).</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Outputs(BlueGreenDeployment deployment, ReleaseOutcome outcome)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        return new List<KeyValuePair<string, string?>>
        {
            new("deploymentId", deployment.DeploymentId),
            new("status", deployment.Status.ToString()),
            new("outcome", outcome.ToString()),
            new("target", deployment.Target?.Key ?? string.Empty),
            new("blueVersion", deployment.Blue ?? string.Empty),
            new("greenVersion", deployment.Green ?? string.Empty),
            new("greenTrafficPercent", deployment.GreenTrafficPercent.ToString("0", CultureInfo.InvariantCulture)),
            new("rollbackDeploymentId", deployment.RollbackDeploymentId ?? string.Empty),
        };
    }
}
