using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Trains;

namespace BlueGreen.Internal;

/// <summary>What a cmdlet does with a train.</summary>
public enum TrainAction
{
    /// <summary>Run it from where it stands; a train that stops is undone at once (Start, Wait).</summary>
    Run,

    /// <summary>Put every target that moved back on blue (Undo-Deployment).</summary>
    Undo,
}

/// <summary>Trains: the same cmdlets take a train id (<c>train-...</c>) where they take a release id.</summary>
public abstract partial class ReleaseCmdlet
{
    private const int TrainActivity = 1;

    /// <summary>The store of the trains of this session's account (dashboards are the account's, not a region's).</summary>
    protected ITrainStore TrainStore => new DashboardTrainStore(AwsContext);

    /// <summary>Each target's context, resolved on the pipeline thread before anything runs: a target's own region, profile
    /// and endpoint come first, then this call's parameters.</summary>
    protected Func<TrainTarget, AwsContext> TrainContexts(TrainDefinition definition)
    {
        var contexts = new Dictionary<string, AwsContext>(StringComparer.Ordinal);
        foreach (var target in definition.Targets)
        {
            var key = $"{target.Region}|{target.ProfileName}|{target.EndpointUrl}";
            if (!contexts.ContainsKey(key))
            {
                contexts[key] = target.Region is null && target.ProfileName is null && target.EndpointUrl is null
                    ? AwsContext
                    : ResolveContext(new AwsConnectionSettings { Region = target.Region, ProfileName = target.ProfileName, EndpointUrl = target.EndpointUrl }, carriedFirst: true);
            }
        }

        return target => contexts[$"{target.Region}|{target.ProfileName}|{target.EndpointUrl}"];
    }

    /// <summary>The error for a train id the store does not hold.</summary>
    protected static ReleaseException TrainNotFound(string trainId) =>
        new("TrainNotFound", ReleaseErrorKind.ObjectNotFound, $"There is no release train {trainId} in this account (no dashboard {DashboardTrainStore.DashboardName(trainId)}).", trainId,
            "Check the id, and that the credentials (-ProfileName) are those of the account the train was started in.");

    /// <summary>Runs or undoes a train with progress (the train, and a child line per target), writes it, and an error when it did not end well.</summary>
    protected async Task DriveTrainAsync(ITrainStore store, TrainRecord record, Func<TrainTarget, AwsContext> contexts, TrainAction action, int? throttleLimit, CancellationToken cancellationToken)
    {
        var driver = new EngineTrainDriver(contexts, PollingPolicy.FromEnvironment()) { OnRetry = RetryReporter };
        using var coordinator = new TrainCoordinator(store, driver, record) { ThrottleLimit = throttleLimit };
        var ids = record.Targets.Select((t, i) => (t.Key, Id: TrainActivity + 1 + i)).ToDictionary(p => p.Key, p => p.Id, StringComparer.Ordinal);
        var shares = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        var total = record.Targets.Count();
        var activity = $"Release train {record.Id} ({record.Definition.Name})";

        void ShowTrain(TrainRecord r)
        {
            var done = r.Targets.Count(t => t.State is TrainTargetState.Succeeded or TrainTargetState.Undone);
            EmitProgress(new ProgressRecord(TrainActivity, activity,
                string.Format(CultureInfo.InvariantCulture, "{0}: wave {1}/{2}, {3}/{4} targets done", r.State, Math.Max(1, r.CurrentWave + 1), r.Waves.Count, done, total))
            {
                PercentComplete = total == 0 ? 100 : done * 100 / total,
            });
        }

        void ShowTarget(TrainTargetProgress t)
        {
            var share = shares.TryGetValue(t.Key, out var s) ? s : 0;
            EmitProgress(new ProgressRecord(ids[t.Key], t.Target.DisplayName,
                string.Format(CultureInfo.InvariantCulture, "{0} {1}: green {2:0}%", t.State, t.DeploymentId ?? string.Empty, share))
            {
                ParentActivityId = TrainActivity,
                PercentComplete = t.State is TrainTargetState.Succeeded or TrainTargetState.Undone ? 100 : (int)Math.Max(0, Math.Min(100, share)),
            });
        }

        coordinator.OnChange = (r, t) =>
        {
            ShowTrain(r);
            if (t is not null)
            {
                ShowTarget(t);
                EmitVerbose($"{r.Id}: {t.Key} {t.State}{(t.DeploymentId is null ? string.Empty : " " + t.DeploymentId)}{(t.Note is null ? string.Empty : ": " + t.Note)}");
            }
        };
        driver.OnLook = (target, d) =>
        {
            shares[target.Key] = d.GreenTrafficPercent;
            if (record.Targets.FirstOrDefault(p => p.Key == target.Key) is { } progress)
            {
                ShowTarget(progress);
            }
        };

        try
        {
            if (action == TrainAction.Run && record.State == TrainState.Running)
            {
                await coordinator.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            if (action == TrainAction.Undo || record.State is TrainState.Stopped or TrainState.Undoing)
            {
                if (action == TrainAction.Run)
                {
                    EmitWarning($"Release train {record.Id} stopped: {record.Failure}. Every target that moved goes back to blue, the last wave first.");
                }

                await coordinator.UndoAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var id in ids.Values)
            {
                EmitProgress(new ProgressRecord(id, "target", "done") { ParentActivityId = TrainActivity, RecordType = ProgressRecordType.Completed });
            }

            EmitProgress(new ProgressRecord(TrainActivity, activity, "done") { RecordType = ProgressRecordType.Completed });
        }

        var train = BlueGreenTrain.From(record);
        var wanted = action == TrainAction.Run ? TrainState.Succeeded : TrainState.Undone;
        if (record.State != wanted)
        {
            var exception = new ReleaseException("Train" + record.State, ReleaseErrorKind.OperationStopped,
                $"Release train {record.Id} is {record.State}: {record.Failure ?? "see its targets"}.", record.Id,
                record.State == TrainState.Undone
                    ? $"Every target that moved serves blue again; see each with '(Get-BlueGreenDeployment -Id {record.Id}).Targets'."
                    : $"See each target with '(Get-BlueGreenDeployment -Id {record.Id}).Targets', then run 'Undo-Deployment -Id {record.Id}' again.");
            EmitError(ErrorRecords.Create(exception, exception.ErrorId, ErrorCategory.OperationStopped, train, exception.RecommendedAction));
        }

        Emit(train);
    }
}
