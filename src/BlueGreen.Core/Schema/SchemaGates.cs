using System;

namespace BlueGreen.Core.Schema;

/// <summary>The deployment facts the contract gate decides on, as plain values the cmdlet reads from the deployment.</summary>
public sealed class ContractGateInput
{
    /// <summary>The deployment's status as the engine reports it ("Succeeded", "InProgress", "Stopped", ...).</summary>
    public string? DeploymentStatus { get; init; }

    /// <summary>True once the old (blue) tasks or version are gone and cannot take traffic again.</summary>
    public bool BlueGone { get; init; }

    /// <summary>When traffic fully moved to green.</summary>
    public DateTimeOffset? SwitchedAt { get; init; }

    /// <summary>How long after the switch a rollback stays possible; once it has passed, blue counts as gone.</summary>
    public TimeSpan? RollbackWindow { get; init; }

    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    public bool Force { get; init; }

    public string? ForceReason { get; init; }
}

/// <summary>The contract gate's answer. Only <see cref="SchemaGates"/> makes one, so contract cannot run without asking.</summary>
public sealed class ContractApproval
{
    internal ContractApproval(bool allowed, bool forced, string explanation, string? forceReason)
    {
        Allowed = allowed;
        Forced = forced;
        Explanation = explanation;
        ForceReason = forceReason;
    }

    public bool Allowed { get; }

    public bool Forced { get; }

    /// <summary>Why the gate opened or stayed shut, in words for the user.</summary>
    public string Explanation { get; }

    public string? ForceReason { get; }
}

/// <summary>The undo gate's answer.</summary>
public sealed class UndoDecision
{
    internal UndoDecision(bool allowed, bool forced, string explanation)
    {
        Allowed = allowed;
        Forced = forced;
        Explanation = explanation;
    }

    public bool Allowed { get; }

    public bool Forced { get; }

    public string Explanation { get; }
}

/// <summary>The release gates: contract only when the old version cannot come back; no undo onto a contracted schema.</summary>
public static class SchemaGates
{
    public static ContractApproval EvaluateContract(ContractGateInput input)
    {
        if (input is null)
        {
            throw new ArgumentNullException(nameof(input));
        }

        string? refusal = null;
        if (!string.Equals(input.DeploymentStatus, "Succeeded", StringComparison.OrdinalIgnoreCase))
        {
            refusal = $"the deployment is {input.DeploymentStatus ?? "unknown"}, not Succeeded";
        }
        else if (!input.BlueGone)
        {
            if (input.RollbackWindow is null)
            {
                refusal = "the old (blue) version is not gone yet and no rollback window was given";
            }
            else if (input.SwitchedAt is null)
            {
                refusal = "the time of the traffic switch is not known, so the rollback window cannot be counted";
            }
            else if (input.SwitchedAt.Value + input.RollbackWindow.Value > input.Now)
            {
                DateTimeOffset ends = input.SwitchedAt.Value + input.RollbackWindow.Value;
                refusal = $"the rollback window is open until {ends:u}: blue could still come back";
            }
        }

        if (refusal is null)
        {
            string why = input.BlueGone ? "the deployment succeeded and blue is gone" : "the deployment succeeded and the rollback window has passed";
            return new ContractApproval(true, false, why, null);
        }

        if (input.Force)
        {
            if (string.IsNullOrWhiteSpace(input.ForceReason))
            {
                return new ContractApproval(false, false, $"Contract refused: {refusal}. -Force needs -Reason, which is recorded with the release.", null);
            }

            return new ContractApproval(true, true, $"Contract forced although {refusal}.", input.ForceReason!.Trim());
        }

        return new ContractApproval(false, false, $"Contract refused: {refusal}. The old version must not run on a contracted schema; wait, or use -Force with -Reason.", null);
    }

    /// <summary>Decides whether a deployment whose schema release is <paramref name="release"/> may be rolled back.</summary>
    public static UndoDecision EvaluateUndo(SchemaRelease? release, bool force, string? reason)
    {
        if (release is null || release.State != SchemaReleaseState.Contracted)
        {
            return new UndoDecision(true, false, release is null
                ? "no schema release is tied to this deployment"
                : $"schema release {release.ReleaseId} is {release.State}: the old version still runs on the schema");
        }

        string refusal = $"the contract phase of schema release {release.ReleaseId} ran at {release.ContractedAt:u}: blue cannot run on the contracted schema (dropped or tightened columns and tables)";
        if (force && !string.IsNullOrWhiteSpace(reason))
        {
            return new UndoDecision(true, true, $"Undo forced although {refusal}.");
        }

        return new UndoDecision(false, false, force
            ? $"Undo refused: {refusal}. -Force needs -Reason."
            : $"Undo refused: {refusal}. Roll forward instead, or use -Force with -Reason if blue is known to cope.");
    }
}
