using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace BlueGreen.Core.Schema;

/// <summary>How a migration run waits and retries.</summary>
public sealed class SchemaMigratorOptions
{
    /// <summary>How long to wait for another run to release the database's migration lock.</summary>
    public TimeSpan MigrationLockWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a script is tried again after a lock timeout (each attempt is rolled back first).</summary>
    public int MaxLockTimeoutRetries { get; init; } = 3;

    /// <summary>The wait before the first retry; it doubles for each one after.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Who applies the scripts, for the history table.</summary>
    public string AppliedBy { get; init; } = Environment.UserName;

    public Func<DateTimeOffset> Clock { get; init; } = () => DateTimeOffset.UtcNow;

    /// <summary>Called before each retry; tests replace it to observe retries without waiting.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;
}

/// <summary>
/// Applies the expand and contract phases of a release to one database: one run at a time,
/// expand refusing anything that is not additive, contract only with the gate's approval,
/// every attempt recorded. The cmdlets call it; it does not know PowerShell.
/// </summary>
public sealed class SchemaMigrator
{
    private readonly ISchemaDatabase _database;
    private readonly SchemaMigratorOptions _options;

    public SchemaMigrator(ISchemaDatabase database, SchemaMigratorOptions? options = null)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _options = options ?? new SchemaMigratorOptions();
    }

    /// <summary>A new release id, for a release that does not have one yet (expand runs before the deployment exists).</summary>
    public static string NewReleaseId(DateTimeOffset now) =>
        "r-" + now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 6);

    /// <summary>What applying <paramref name="phase"/> would do; reads the history, changes nothing (for -WhatIf).</summary>
    public async Task<MigrationPlan> PlanAsync(MigrationSet set, SchemaPhase phase, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<AppliedMigration> history = await _database.GetHistoryAsync(cancellationToken).ConfigureAwait(false);
        return MigrationPlan.Create(set, phase, history);
    }

    /// <summary>Runs the pending expand scripts for a release, creating the release record when it is new.</summary>
    public async Task<PhaseResult> ExpandAsync(MigrationSet set, string releaseId, CancellationToken cancellationToken = default)
    {
        RequireReleaseId(releaseId);
        return await RunPhaseAsync(set, SchemaPhase.Expand, releaseId, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the pending contract scripts for a release the contract gate approved.</summary>
    public async Task<PhaseResult> ContractAsync(MigrationSet set, string releaseId, ContractApproval approval, CancellationToken cancellationToken = default)
    {
        RequireReleaseId(releaseId);
        if (approval is null)
        {
            throw new ArgumentNullException(nameof(approval));
        }

        if (!approval.Allowed)
        {
            throw new SchemaMigrationException("ContractNotAllowed", approval.Explanation);
        }

        return await RunPhaseAsync(set, SchemaPhase.Contract, releaseId, approval, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ties a release to the deployment that carries it, once the deployment exists.</summary>
    public Task<SchemaRelease> AttachDeploymentAsync(string releaseId, string deploymentId, CancellationToken cancellationToken = default) =>
        UpdateReleaseAsync(releaseId, r => r.DeploymentId = deploymentId, cancellationToken);

    /// <summary>Records that traffic moved to the new version.</summary>
    public Task<SchemaRelease> MarkSwitchedAsync(string releaseId, CancellationToken cancellationToken = default) =>
        UpdateReleaseAsync(releaseId, r =>
        {
            if (r.State is not (SchemaReleaseState.Expanded or SchemaReleaseState.Switched))
            {
                throw new SchemaMigrationException("InvalidReleaseState", $"Schema release {r.ReleaseId} is {r.State}; only an expanded release can be switched.");
            }

            r.State = SchemaReleaseState.Switched;
            r.SwitchedAt ??= _options.Clock();
        }, cancellationToken);

    /// <summary>
    /// Records a rollback to blue before contract: the expand changes stay (both versions run on them),
    /// and the release's contract will not run. Refused for a contracted release unless the undo gate was forced.
    /// </summary>
    public Task<SchemaRelease> AbandonAsync(string releaseId, UndoDecision decision, CancellationToken cancellationToken = default)
    {
        if (decision is null)
        {
            throw new ArgumentNullException(nameof(decision));
        }

        return UpdateReleaseAsync(releaseId, r =>
        {
            if (!decision.Allowed)
            {
                throw new SchemaMigrationException("UndoNotAllowed", decision.Explanation);
            }

            if (decision.Forced)
            {
                r.ForceReason = Append(r.ForceReason, "undo: " + decision.Explanation);
            }

            r.State = SchemaReleaseState.Abandoned;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AppliedMigration>> GetHistoryAsync(CancellationToken cancellationToken = default) => _database.GetHistoryAsync(cancellationToken);

    public Task<IReadOnlyList<SchemaRelease>> GetReleasesAsync(CancellationToken cancellationToken = default) => _database.GetReleasesAsync(cancellationToken);

    public async Task<SchemaRelease?> FindReleaseAsync(string releaseOrDeploymentId, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<SchemaRelease> releases = await _database.GetReleasesAsync(cancellationToken).ConfigureAwait(false);
        return releases.LastOrDefault(r => r.ReleaseId == releaseOrDeploymentId || r.DeploymentId == releaseOrDeploymentId);
    }

    private async Task<PhaseResult> RunPhaseAsync(MigrationSet set, SchemaPhase phase, string releaseId, ContractApproval? approval, CancellationToken cancellationToken)
    {
        if (set.Dialect != _database.Dialect)
        {
            throw new SchemaMigrationException("DialectMismatch", $"The scripts were read as {set.Dialect} but the database is {_database.Dialect}.");
        }

        var clock = Stopwatch.StartNew();
        using IDisposable runLock = await _database.AcquireMigrationLockAsync(_options.MigrationLockWait, cancellationToken).ConfigureAwait(false);
        await _database.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);

        // Plan again under the lock: the history may have moved since any earlier plan.
        MigrationPlan plan = MigrationPlan.Create(set, phase, await _database.GetHistoryAsync(cancellationToken).ConfigureAwait(false), releaseId);
        if (!plan.CanApply)
        {
            MigrationProblem first = plan.Problems[0];
            string more = plan.Problems.Count > 1 ? $" ({plan.Problems.Count - 1} more problem(s): see the plan)" : string.Empty;
            throw new SchemaMigrationException(first.ErrorId, first.Message + more) { Script = first.Script, Line = first.Line };
        }

        // The database must read each statement as the one that was classified, before any of the phase runs.
        await _database.CheckStatementsAsync(plan.Pending, cancellationToken).ConfigureAwait(false);
        SchemaRelease release = await StartReleaseAsync(releaseId, phase, cancellationToken).ConfigureAwait(false);
        var applied = new List<AppliedMigration>();
        foreach (MigrationScript script in plan.Pending)
        {
            applied.Add(await ApplyWithRetriesAsync(script, releaseId, cancellationToken).ConfigureAwait(false));
        }

        DateTimeOffset now = _options.Clock();
        release.UpdatedAt = now;
        if (phase == SchemaPhase.Expand)
        {
            release.State = SchemaReleaseState.Expanded;
            release.ExpandedAt = now;
        }
        else
        {
            release.State = SchemaReleaseState.Contracted;
            release.ContractedAt = now;
            if (approval!.Forced)
            {
                release.ForceReason = Append(release.ForceReason, "contract: " + approval.ForceReason + " (" + approval.Explanation + ")");
            }
        }

        await _database.SaveReleaseAsync(release, cancellationToken).ConfigureAwait(false);
        return new PhaseResult(phase, release, applied, clock.Elapsed);
    }

    private async Task<SchemaRelease> StartReleaseAsync(string releaseId, SchemaPhase phase, CancellationToken cancellationToken)
    {
        IReadOnlyList<SchemaRelease> releases = await _database.GetReleasesAsync(cancellationToken).ConfigureAwait(false);
        SchemaRelease? release = releases.LastOrDefault(r => r.ReleaseId == releaseId);
        DateTimeOffset now = _options.Clock();
        if (phase == SchemaPhase.Expand)
        {
            if (release is null)
            {
                release = new SchemaRelease { ReleaseId = releaseId, State = SchemaReleaseState.Planned, CreatedAt = now, UpdatedAt = now };
                await _database.SaveReleaseAsync(release, cancellationToken).ConfigureAwait(false);
            }
            else if (release.State is SchemaReleaseState.Contracted or SchemaReleaseState.Abandoned)
            {
                throw new SchemaMigrationException("InvalidReleaseState", $"Schema release {releaseId} is {release.State}; start a new release to expand again.");
            }

            return release;
        }

        if (release is null)
        {
            throw new SchemaMigrationException("ReleaseNotFound", $"Schema release {releaseId} has no record: its expand phase never ran, so there is nothing to contract.");
        }

        if (release.State is SchemaReleaseState.Planned or SchemaReleaseState.Abandoned)
        {
            string why = release.State == SchemaReleaseState.Abandoned
                ? "it was rolled back, and its old version may still be running"
                : "its expand phase did not finish";
            throw new SchemaMigrationException("InvalidReleaseState", $"Schema release {releaseId} is {release.State}: contract refused because {why}.");
        }

        return release;
    }

    private async Task<AppliedMigration> ApplyWithRetriesAsync(MigrationScript script, string releaseId, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AppliedMigration record = NewRecord(script, releaseId);
            try
            {
                if (script.RequiresNoTransaction && script.ConcurrentIndexNames.Count > 0)
                {
                    // A concurrent build that failed (now or in an earlier run) leaves an INVALID index that
                    // would make the retry fail or, with IF NOT EXISTS, silently keep a useless index.
                    await _database.DropInvalidIndexesAsync(script.ConcurrentIndexNames, cancellationToken).ConfigureAwait(false);
                }

                await _database.ApplyScriptAsync(script, record, cancellationToken).ConfigureAwait(false);
                return record;
            }
            catch (SchemaLockTimeoutException timeout) when (attempt < _options.MaxLockTimeoutRetries)
            {
                await RecordFailureAsync(record, $"attempt {attempt + 1}: {timeout.Message}", cancellationToken).ConfigureAwait(false);
                TimeSpan delay = TimeSpan.FromTicks(_options.RetryDelay.Ticks * (1L << Math.Min(attempt, 10)));
                await _options.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                string attempts = attempt > 0 ? $" after {attempt + 1} attempts" : string.Empty;
                await RecordFailureAsync(record, error.Message, cancellationToken).ConfigureAwait(false);
                throw new SchemaMigrationException(error is SchemaMigrationException known ? known.ErrorId : "MigrationScriptFailed",
                    $"{script.RelativePath} failed{attempts}: {error.Message}", error)
                {
                    Script = script.RelativePath,
                    Line = (error as SchemaMigrationException)?.Line,
                };
            }
        }
    }

    private AppliedMigration NewRecord(MigrationScript script, string releaseId) => new()
    {
        Version = script.Version.Text,
        Description = script.Description,
        Phase = script.Phase,
        Script = script.RelativePath,
        Checksum = script.Checksum,
        Classification = script.ClassificationSummary,
        Waivers = script.WaiverSummary,
        ReleaseId = releaseId,
        AppliedAt = _options.Clock(),
        AppliedBy = _options.AppliedBy,
    };

    private async Task RecordFailureAsync(AppliedMigration record, string error, CancellationToken cancellationToken)
    {
        record.Success = false;
        record.Error = error;
        await _database.RecordFailureAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SchemaRelease> UpdateReleaseAsync(string releaseId, Action<SchemaRelease> change, CancellationToken cancellationToken)
    {
        RequireReleaseId(releaseId);
        using IDisposable runLock = await _database.AcquireMigrationLockAsync(_options.MigrationLockWait, cancellationToken).ConfigureAwait(false);
        await _database.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        SchemaRelease release = await FindReleaseAsync(releaseId, cancellationToken).ConfigureAwait(false)
            ?? throw new SchemaMigrationException("ReleaseNotFound", $"No schema release has the id {releaseId}.");
        change(release);
        release.UpdatedAt = _options.Clock();
        await _database.SaveReleaseAsync(release, cancellationToken).ConfigureAwait(false);
        return release;
    }

    private static void RequireReleaseId(string releaseId)
    {
        if (string.IsNullOrWhiteSpace(releaseId))
        {
            throw new ArgumentException("A release id is required.", nameof(releaseId));
        }
    }

    private static string Append(string? existing, string entry) => string.IsNullOrEmpty(existing) ? entry : existing + "\n" + entry;
}
