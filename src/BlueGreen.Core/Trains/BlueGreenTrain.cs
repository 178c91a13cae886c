using System;
using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Trains;

/// <summary>A release train as the cmdlets show it: its state and every target's.</summary>
public sealed class BlueGreenTrain
{
    private BlueGreenTrain(TrainRecord record)
    {
        Id = record.Id;
        Name = record.Definition.Name;
        State = record.State;
        Failure = record.Failure;
        Created = record.Created;
        Updated = record.Updated;
        WaveCount = record.Waves.Count;
        CurrentWave = record.CurrentWave + 1;
        Targets = record.Waves.SelectMany((wave, w) => wave.Select(t => new BlueGreenTrainTarget(w + 1, record.Definition.Waves[w].Name, t))).ToList();
    }

    /// <summary>The train's id (<c>train-...</c>): Get-, Wait-BlueGreenDeployment and Undo-Deployment take it.</summary>
    public string Id { get; }

    /// <summary>The same id, for cmdlets that bind -DeploymentId by property name.</summary>
    public string DeploymentId => Id;

    public string Name { get; }

    public TrainState State { get; }

    /// <summary>Why the train stopped.</summary>
    public string? Failure { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset Updated { get; }

    public int WaveCount { get; }

    /// <summary>The wave running or last run, from 1; 0 before the first.</summary>
    public int CurrentWave { get; }

    public IReadOnlyList<BlueGreenTrainTarget> Targets { get; }

    /// <summary>e.g. "7/12 succeeded".</summary>
    public string Progress => $"{Targets.Count(t => t.State == TrainTargetState.Succeeded)}/{Targets.Count} succeeded" +
        (Targets.Any(t => t.State == TrainTargetState.Undone) ? $", {Targets.Count(t => t.State == TrainTargetState.Undone)} undone" : string.Empty);

    public static BlueGreenTrain From(TrainRecord record) => new(record ?? throw new ArgumentNullException(nameof(record)));

    public override string ToString() => $"{Id} ({State})";
}

/// <summary>One target of a train as shown.</summary>
public sealed class BlueGreenTrainTarget
{
    internal BlueGreenTrainTarget(int wave, string waveName, TrainTargetProgress progress)
    {
        Wave = wave;
        WaveName = waveName;
        Key = progress.Key;
        Target = progress.Target.Target.DisplayName;
        Kind = progress.Target.Target.Kind;
        Region = progress.Target.Region;
        Green = progress.Target.Version ?? string.Join(",", (progress.Target.Images ?? new Dictionary<string, string>()).Values);
        State = progress.State;
        DeploymentId = progress.DeploymentId;
        UndoDeploymentId = progress.UndoDeploymentId;
        Note = progress.Note;
    }

    public int Wave { get; }

    public string WaveName { get; }

    public string Key { get; }

    public string Target { get; }

    public string Kind { get; }

    public string? Region { get; }

    public string Green { get; }

    public TrainTargetState State { get; }

    public string? DeploymentId { get; }

    public string? UndoDeploymentId { get; }

    public string? Note { get; }

    public override string ToString() => $"{Key}: {State}";
}
