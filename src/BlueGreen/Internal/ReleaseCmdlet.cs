using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Pipelines;
using BlueGreen.Core.Releases;

namespace BlueGreen.Internal;

/// <summary>The base of the release cmdlets: a context per piped object (its region, endpoint and profile fill
/// what was not given), errors in the module's shape, and waiting with progress.</summary>
public abstract partial class ReleaseCmdlet : AwsCmdlet
{
    private readonly Dictionary<string, AwsContext> _contexts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warnedGaps = new(StringComparer.Ordinal);

    // The last state a wait saw: what an interrupted wait reports.
    private BlueGreenDeployment? _lastSeen;

    private static readonly string[] ConnectionParameters = { "Region", "EndpointUrl", "ProfileName", "ProfileLocation", "AccessKey", "Credential" };

    /// <summary>The context for a release given by id: where this session last saw it, unless AWS parameters say otherwise.</summary>
    protected AwsContext ContextFor(BlueGreenDeployment? carried, string id)
    {
        if (carried is null && Array.TrueForAll(ConnectionParameters, name => !MyInvocation.BoundParameters.ContainsKey(name)))
        {
            carried = KnownDeployments.Find(id);
        }

        return ContextFor(carried);
    }

    protected override void OnEmitting(object? value)
    {
        var deployment = value as BlueGreenDeployment;
        KnownDeployments.Observe(deployment);
        KnownDeployments.Remember(deployment);

        // What a read could not get is said once per release, in the warning stream, next to what it did get.
        if (deployment is { ReadGaps.Count: > 0 } && _warnedGaps.Add(deployment.DeploymentId))
        {
            EmitWarning(ReadGap.Describe(deployment.DeploymentId, deployment.ReadGaps));
        }

        if (deployment is not null)
        {
            ReportRelease(deployment);
        }
    }

    /// <summary>Whether the releases this command returns are reported to the pipeline (outputs, summary, the step's result).</summary>
    protected virtual bool ReportsToPipeline => true;

    /// <summary>What this command returns is the result of an undo.</summary>
    protected virtual bool ReturnsUndo => false;

    /// <summary>The last release this command saw not go through (undone, failed, or failed by a gate), for -FailOnRollback.</summary>
    protected BlueGreenDeployment? NotThrough { get; set; }

    /// <summary>Reports a release to the pipeline the command runs in, and remembers one that did not go through.</summary>
    protected void ReportRelease(BlueGreenDeployment deployment)
    {
        if (deployment is null || !ReportsToPipeline)
        {
            return;
        }

        if (ReleaseOutcomes.FailsStep(ReleaseOutcomes.Of(deployment, ReturnsUndo)))
        {
            NotThrough = deployment;
        }

        if (Pipeline.Release(deployment, ReturnsUndo))
        {
            FailPipelineStep();
        }
    }

    /// <summary>-FailOnRollback: ends the command with an error when a release it returned did not go through, so the script
    /// (and the pipeline step running it) fails.</summary>
    protected void FailIfNotThrough(bool failOnRollback)
    {
        if (!failOnRollback || NotThrough is not { } deployment)
        {
            return;
        }

        var outcome = ReleaseOutcomes.Of(deployment, ReturnsUndo);
        var errorId = outcome == ReleaseOutcome.Undone ? "ReleaseUndone" : "ReleaseFailed";
        var message = outcome switch
        {
            ReleaseOutcome.Undone => $"Release {deployment.DeploymentId} was undone: production is back on {deployment.Blue ?? "blue"}.",
            ReleaseOutcome.GateFailed => $"Release {deployment.DeploymentId} failed a gate ({string.Join(", ", System.Linq.Enumerable.Select(System.Linq.Enumerable.Where(deployment.Gates, g => g.Verdict == Core.Analysis.AnalysisVerdict.Fail), g => $"{g.Kind} {g.Name}"))}).",
            _ => $"Release {deployment.DeploymentId} ended {deployment.Status}{(string.IsNullOrEmpty(deployment.ErrorMessage) ? string.Empty : ": " + deployment.ErrorMessage)}.",
        };
        ThrowTerminatingError(ErrorRecords.Create(new ReleaseException(errorId, ReleaseErrorKind.OperationStopped, message, deployment.DeploymentId, null), errorId,
            ErrorCategory.OperationStopped, deployment, $"See what judged it with '(Get-BlueGreenDeployment -Id {deployment.DeploymentId}).Gates'; leave out -FailOnRollback to go on after it."));
    }

    /// <summary>Reads a release as every cmdlet does: transient failures ridden out for a bounded time
    /// (<see cref="DeploymentWatcher.ReadAsync"/>), each one said in the verbose stream.</summary>
    protected Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
        DeploymentWatcher.ReadAsync(read, PollingPolicy.FromEnvironment(), SayRetrying, null, cancellationToken);

    private void SayRetrying(AwsServiceException failure, TimeSpan pause) =>
        EmitVerbose($"{failure.Service}.{failure.Operation}: {failure.ErrorCode}; reading again in {pause.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");

    /// <summary>The context for a piped deployment (or the parameters alone when null).</summary>
    protected AwsContext ContextFor(BlueGreenDeployment? carried)
    {
        if (carried is null)
        {
            return AwsContext;
        }

        KnownDeployments.Remember(carried);

        var key = $"{carried.Region}|{carried.EndpointUrl}|{carried.ProfileName}";
        if (!_contexts.TryGetValue(key, out var context))
        {
            context = ResolveContext(new AwsConnectionSettings
            {
                Region = string.IsNullOrEmpty(carried.Region) ? null : carried.Region,
                EndpointUrl = carried.EndpointUrl,
                ProfileName = carried.ProfileName,
            });
            _contexts[key] = context;
        }

        return context;
    }

    /// <summary>Checks an id before anything is sent; writes the error and returns false when it is bad.</summary>
    protected bool CheckId(string id)
    {
        var problem = DeploymentIds.Validate(id);
        if (problem is null)
        {
            return true;
        }

        WriteError(ErrorRecords.Create(new PSArgumentException(problem, nameof(id)), "InvalidDeploymentId", ErrorCategory.InvalidArgument, id,
            "Pass the id that Start-BlueGreenDeployment returned, e.g. d-ABCDEF123."));
        return false;
    }

    /// <summary>The error record for what Core or AWS threw; null when it is not one of ours.</summary>
    protected static ErrorRecord? ToErrorRecord(Exception exception, object? target, string? command = null) => exception switch
    {
        ReleaseException release => ErrorRecords.Create(release, release.ErrorId, release.Kind switch
        {
            ReleaseErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            ReleaseErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
            ReleaseErrorKind.ResourceExists => ErrorCategory.ResourceExists,
            ReleaseErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
            ReleaseErrorKind.OperationStopped => ErrorCategory.OperationStopped,
            _ => ErrorCategory.InvalidOperation,
        }, release.Target ?? target, release.RecommendedAction),
        DeploymentNotFoundException notFound => ErrorRecords.Create(notFound, "DeploymentNotFound", ErrorCategory.ObjectNotFound, target,
            "Check the id, and that -Region (and -EndpointUrl) point where the release was started."),
        AwsServiceException aws => ErrorRecords.FromAws(aws, target, command),
        // Credentials that could not be fetched mid-request (an expired SSO session, a failing credential_process).
        AwsConfigurationException configuration => ErrorRecords.FromConfiguration(configuration),
        _ => null,
    };

    /// <summary>Runs work for one item; its known failures become non-terminating errors for that item.</summary>
    protected async Task GuardAsync(object? target, Func<Task> work)
    {
        if (work is null)
        {
            throw new ArgumentNullException(nameof(work));
        }

        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (ToErrorRecord(ex, target, MyInvocation.MyCommand.Name) is { } record)
        {
            EmitError(record);
        }
    }

    /// <summary>Follows a release with progress (phase and the blue/green split as a bar).</summary>
    protected Task<BlueGreenDeployment> WatchAsync(IReleaseEngine engine, BlueGreenDeployment deployment, WaitTarget until, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var activity = ActivityOf(deployment);
        var polling = PollingPolicy.FromEnvironment();
        return WatchCoreAsync();

        async Task<BlueGreenDeployment> WatchCoreAsync()
        {
            // A long wait is folded in the step's log.
            Pipeline.Writer.BeginGroup($"{activity}: waiting for {until}");
            try
            {
                return await DeploymentWatcher.WaitAsync(engine, deployment, until, timeout, polling, (d, next) => ShowLook(activity, d, until, next, null),
                    SayRetrying, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Pipeline.Writer.EndGroup();
                EmitProgress(new ProgressRecord(1, activity, "done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }

    /// <summary>The progress activity of a release.</summary>
    protected static string ActivityOf(BlueGreenDeployment deployment) =>
        $"Release {deployment.DeploymentId}" + (deployment.Service is null ? string.Empty : $" of {deployment.Service}");

    /// <summary>Says what a look found: progress (phase and the blue/green split as a bar, and <paramref name="note"/>) and a verbose line.</summary>
    protected void ShowLook(string activity, BlueGreenDeployment d, WaitTarget until, TimeSpan next, string? note)
    {
        _lastSeen = d;
        KnownDeployments.Observe(d);
        var record = new ProgressRecord(1, activity,
            string.Format(CultureInfo.InvariantCulture, "{0} {1}: blue {2:0}% {3} green {4:0}%{5}", d.Status, d.Phase ?? "starting", 100 - d.GreenTrafficPercent, d.TrafficBar, d.GreenTrafficPercent,
                note is null ? string.Empty : "; " + note))
        {
            PercentComplete = (int)Math.Round(Math.Max(0, Math.Min(100, d.GreenTrafficPercent))),
            CurrentOperation = $"waiting for {until}; next look in {next.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
        };
        EmitProgress(record);
        EmitVerbose($"{d.DeploymentId}: {d.Status} {d.Phase} green {d.GreenTrafficPercent.ToString("0", CultureInfo.InvariantCulture)}% (next look in {next.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms)");
    }

    /// <summary>Transient read failures ridden out, said in the verbose stream.</summary>
    protected Action<AwsServiceException, TimeSpan> RetryReporter => SayRetrying;

    /// <summary>The error for a release that ended otherwise than waited for.</summary>
    protected static ErrorRecord EndedBadly(BlueGreenDeployment deployment, WaitTarget waitedFor)
    {
        var exception = new ReleaseException("Deployment" + deployment.Status, ReleaseErrorKind.OperationStopped,
            ReleasePoints.Unreachable(deployment, waitedFor) ?? $"Release {deployment.DeploymentId} is {deployment.Status} and did not get to {waitedFor}.", deployment.DeploymentId,
            deployment.RolledBack ? $"Blue serves again. See the rollback with 'Get-BlueGreenDeployment -Id {deployment.RollbackDeploymentId}'." : "See the lifecycle events with 'Get-BlueGreenDeployment -Id " + deployment.DeploymentId + " | Format-List *'.");
        return ErrorRecords.Create(exception, exception.ErrorId, ErrorCategory.OperationStopped, deployment);
    }

    /// <summary>Says, when Ctrl+C stops a wait, where the release is: going on in AWS (and how to get back to it), or over.</summary>
    protected void SayStillRunning(string? deploymentId)
    {
        // A pipeline that stopped at what was written (Select-Object -First) interrupted nothing.
        if (deploymentId is null || !Interrupted)
        {
            return;
        }

        var seen = _lastSeen?.DeploymentId == deploymentId ? _lastSeen : null;
        var message = seen is { IsComplete: true }
            ? $"Stopped. Release {deploymentId} had already ended {seen.Status}{(seen.RolledBack ? $" and was rolled back by {seen.RollbackDeploymentId}" : string.Empty)}; see it with 'Get-BlueGreenDeployment -Id {deploymentId}'."
            : $"Stopped waiting. Release {deploymentId} goes on in AWS{(seen is null ? string.Empty : $" ({seen.Status}, {seen.GreenTrafficPercent.ToString("0", CultureInfo.InvariantCulture)}% of production traffic on green)")}; " +
              $"reattach with 'Get-BlueGreenDeployment -Id {deploymentId} | Wait-BlueGreenDeployment', or undo it with Undo-Deployment.";
        try
        {
            Host?.UI?.WriteWarningLine(message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotImplementedException or PipelineStoppedException)
        {
            // A host without a UI: nothing more to say.
        }
    }
}
