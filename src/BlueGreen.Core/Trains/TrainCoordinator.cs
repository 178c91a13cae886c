using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Core.Trains;

/// <summary>What a train does to one target, through the release engines (or a fake in unit tests).</summary>
public interface ITrainDriver
{
    /// <summary>Plans and starts the target's release; its description names the train.</summary>
    Task<BlueGreenDeployment> StartAsync(TrainTarget target, string trainId, CancellationToken cancellationToken);

    /// <summary>The release of this target a train may already have started (the intent was written, then the shell died):
    /// the target's latest release when it releases the same green or names the train; null when there is none.</summary>
    Task<BlueGreenDeployment?> FindStartedAsync(TrainTarget target, string trainId, CancellationToken cancellationToken);

    /// <summary>Follows a release until it has succeeded or ended otherwise; returns the last state.</summary>
    Task<BlueGreenDeployment> WaitAsync(TrainTarget target, string deploymentId, CancellationToken cancellationToken);

    /// <summary>Puts blue back (the existing undo path) and follows it until blue serves all traffic.</summary>
    Task<BlueGreenDeployment> UndoAsync(TrainTarget target, string deploymentId, CancellationToken cancellationToken);

    /// <summary>The verdicts of a wave's alarms, in every region of its targets.</summary>
    Task<IReadOnlyList<ReleaseGate>> CheckAlarmsAsync(TrainWave wave, CancellationToken cancellationToken);
}

/// <summary>
/// Runs a train: wave after wave, each wave's targets concurrently up to its limit; the next wave starts when every target
/// of this one succeeded and its gate passed. The record is written before each target starts (intent) and after each change,
/// so a train resumed anywhere never starts a target twice. The undo puts every target that moved back on blue, the last
/// wave first, concurrently within a wave.
/// </summary>
public sealed class TrainCoordinator : IDisposable
{
    private readonly ITrainStore _store;
    private readonly ITrainDriver _driver;
    private readonly SemaphoreSlim _saving = new(1, 1);
    private readonly object _gate = new();

    // Changes made to the record, and how many of them the last finished write holds (both under _gate); nothing is
    // written yet, so the first save writes whatever the record holds.
    private long _changes;
    private long _written = -1;

    public TrainCoordinator(ITrainStore store, ITrainDriver driver, TrainRecord record)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _driver = driver ?? throw new ArgumentNullException(nameof(driver));
        Record = record ?? throw new ArgumentNullException(nameof(record));
    }

    public TrainRecord Record { get; }

    public void Dispose() => _saving.Dispose();

    /// <summary>-ThrottleLimit: caps every wave's own limit.</summary>
    public int? ThrottleLimit { get; set; }

    /// <summary>The clock of the record's times.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Hears of every change of the train or a target (a target null for the train's own), on any thread.</summary>
    public Action<TrainRecord, TrainTargetProgress?>? OnChange { get; set; }

    /// <summary>Runs the train from where its record says, to Succeeded or Stopped.</summary>
    public async Task<TrainRecord> RunAsync(CancellationToken cancellationToken)
    {
        if (Record.State is not TrainState.Running)
        {
            return Record;
        }

        var plan = TrainPlan.Create(Record.Definition, ThrottleLimit);
        for (var w = 0; w < Record.Waves.Count; w++)
        {
            var targets = Record.Waves[w];
            if (targets.All(t => t.State == TrainTargetState.Succeeded) && Record.CurrentWave > w)
            {
                continue;
            }

            Update(() => Record.CurrentWave = w, null);
            await SaveAsync(cancellationToken).ConfigureAwait(false);
            using (var limit = new SemaphoreSlim(plan.Waves[w].ThrottleLimit))
            {
                await Task.WhenAll(targets.Select(t => RunTargetAsync(t, limit, cancellationToken))).ConfigureAwait(false);
            }

            var failed = targets.FirstOrDefault(t => t.State != TrainTargetState.Succeeded);
            if (failed is not null)
            {
                await StopAsync($"{failed.Target.DisplayName} in wave {w + 1} did not succeed: {failed.Note ?? failed.State.ToString()}", cancellationToken).ConfigureAwait(false);
                return Record;
            }

            var wave = Record.Definition.Waves[w];
            if (wave.Alarms.Count > 0)
            {
                var gates = await _driver.CheckAlarmsAsync(wave, cancellationToken).ConfigureAwait(false);
                var firing = gates.FirstOrDefault(g => g.Verdict == Analysis.AnalysisVerdict.Fail);
                if (firing is not null)
                {
                    await StopAsync($"the gate of wave {w + 1} failed: {firing.Detail}", cancellationToken).ConfigureAwait(false);
                    return Record;
                }
            }
        }

        Update(() => Record.State = TrainState.Succeeded, null);
        await SaveAsync(cancellationToken).ConfigureAwait(false);
        return Record;
    }

    private async Task RunTargetAsync(TrainTargetProgress progress, SemaphoreSlim limit, CancellationToken cancellationToken)
    {
        if (progress.State is TrainTargetState.Succeeded or TrainTargetState.Failed)
        {
            return;
        }

        await limit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (progress.State == TrainTargetState.Starting)
            {
                // The intent was written but not the release: look in AWS before starting anything.
                var found = await _driver.FindStartedAsync(progress.Target, Record.Id, cancellationToken).ConfigureAwait(false);
                if (found is not null)
                {
                    Update(() => Started(progress, found, "found in AWS on resume"), progress);
                    await SaveAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            if (progress.State is TrainTargetState.Pending or TrainTargetState.Starting)
            {
                Update(() => progress.State = TrainTargetState.Starting, progress);
                await SaveAsync(cancellationToken).ConfigureAwait(false);
                var started = await _driver.StartAsync(progress.Target, Record.Id, cancellationToken).ConfigureAwait(false);
                Update(() => Started(progress, started, null), progress);
                await SaveAsync(cancellationToken).ConfigureAwait(false);
            }

            var ended = await _driver.WaitAsync(progress.Target, progress.DeploymentId!, cancellationToken).ConfigureAwait(false);
            Update(() =>
            {
                progress.State = ended.Status == DeploymentStatus.Succeeded ? TrainTargetState.Succeeded : TrainTargetState.Failed;
                progress.Note = ended.Status == DeploymentStatus.Succeeded ? progress.Note : $"{ended.DeploymentId} ended {ended.Status}{(ended.ErrorMessage is null ? string.Empty : ": " + ended.ErrorMessage)}";
            }, progress);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Update(() =>
            {
                progress.State = TrainTargetState.Failed;
                progress.Note = ex.Message;
            }, progress);
        }
        finally
        {
            limit.Release();
        }

        await SaveAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Started(TrainTargetProgress progress, BlueGreenDeployment deployment, string? note)
    {
        progress.State = TrainTargetState.Started;
        progress.DeploymentId = deployment.DeploymentId;
        progress.Engine = deployment.Engine;
        progress.Note = note;
    }

    private async Task StopAsync(string why, CancellationToken cancellationToken)
    {
        Update(() =>
        {
            Record.State = TrainState.Stopped;
            Record.Failure = why;
        }, null);
        await SaveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts every target that moved back on blue, the last wave first, concurrently within a wave; ends Undone or UndoFailed.</summary>
    public async Task<TrainRecord> UndoAsync(CancellationToken cancellationToken)
    {
        if (Record.State is TrainState.Undone)
        {
            return Record;
        }

        Update(() => Record.State = TrainState.Undoing, null);
        await SaveAsync(cancellationToken).ConfigureAwait(false);
        var plan = TrainPlan.Create(Record.Definition, ThrottleLimit);
        for (var w = Record.Waves.Count - 1; w >= 0; w--)
        {
            var moved = Record.Waves[w].Where(t => t.Moved && t.State != TrainTargetState.Undone).ToList();
            if (moved.Count == 0)
            {
                continue;
            }

            using var limit = new SemaphoreSlim(plan.Waves[w].ThrottleLimit);
            await Task.WhenAll(moved.Select(t => UndoTargetAsync(t, limit, cancellationToken))).ConfigureAwait(false);
        }

        var failed = Record.Targets.Where(t => t.State == TrainTargetState.UndoFailed).ToList();
        Update(() =>
        {
            Record.State = failed.Count == 0 ? TrainState.Undone : TrainState.UndoFailed;
            if (failed.Count > 0)
            {
                Record.Failure = (Record.Failure is null ? string.Empty : Record.Failure + "; ") + $"the undo of {string.Join(", ", failed.Select(f => f.Target.DisplayName))} failed";
            }
        }, null);
        await SaveAsync(cancellationToken).ConfigureAwait(false);
        return Record;
    }

    private async Task UndoTargetAsync(TrainTargetProgress progress, SemaphoreSlim limit, CancellationToken cancellationToken)
    {
        await limit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (progress.DeploymentId is null)
            {
                // Only the intent was written: undo what AWS shows was started, if anything.
                var found = await _driver.FindStartedAsync(progress.Target, Record.Id, cancellationToken).ConfigureAwait(false);
                if (found is null)
                {
                    Update(() =>
                    {
                        progress.State = TrainTargetState.Undone;
                        progress.Note = "never started";
                    }, progress);
                    return;
                }

                Update(() => Started(progress, found, "found in AWS on undo"), progress);
            }

            var back = await _driver.UndoAsync(progress.Target, progress.DeploymentId!, cancellationToken).ConfigureAwait(false);
            Update(() =>
            {
                progress.State = TrainTargetState.Undone;
                progress.UndoDeploymentId = back.RollbackDeploymentId ?? (back.DeploymentId != progress.DeploymentId ? back.DeploymentId : null);
                progress.Note = $"blue ({back.Blue ?? "the previous version"}) serves again";
            }, progress);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Update(() =>
            {
                progress.State = TrainTargetState.UndoFailed;
                progress.Note = ex.Message;
            }, progress);
        }
        finally
        {
            limit.Release();
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Update(Action change, TrainTargetProgress? target)
    {
        lock (_gate)
        {
            change();
            Record.Updated = TrainRecord.Seconds(Clock());
            _changes++;
        }

        OnChange?.Invoke(Record, target);
    }

    // One write at a time, each of the whole record as it is then: the last write holds every change before it. Returns
    // once a write that holds the caller's changes has finished. Callers that queue up behind a write share the next one
    // (a group commit), so fifty targets changing at once cost a few writes, not fifty in a row.
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        long mine;
        lock (_gate)
        {
            mine = _changes;
        }

        await _saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A store encodes the record before its first await: under the lock, no target changes half-way through.
            Task save;
            long holds;
            lock (_gate)
            {
                if (_written >= mine)
                {
                    return;
                }

                holds = _changes;
                save = _store.SaveAsync(Record, cancellationToken);
            }

            await save.ConfigureAwait(false);
            lock (_gate)
            {
                _written = holds;
            }
        }
        finally
        {
            _saving.Release();
        }
    }
}
