using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Completion;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Schema;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>
/// Applies the expand or the contract phase of a release to a database. Contract runs only when the
/// contract gate (<see cref="SchemaGates.EvaluateContract"/>) approves, from the deployment facts given as
/// parameters; they bind by property name, so a deployment object can be piped in.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "SchemaMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Invoke-SchemaMigration.md")]
[OutputType(typeof(AppliedMigration))]
public sealed class InvokeSchemaMigrationCommand : AsyncCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public SchemaPhase Phase { get; set; }

    /// <summary>The migration folder (scripts under expand/ and contract/, or with a phase header).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = null!;

    [Parameter(Mandatory = true)]
    public SqlDialect Dialect { get; set; }

    /// <summary>The schema release; expand makes a new one when it is not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ReleaseId { get; set; }

    /// <summary>The deployment that carries the release: expand ties the release to it, contract finds the release by it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentIdCompleter))]
    public string? DeploymentId { get; set; }

    /// <summary>The deployment's status, for the contract gate: contract needs Succeeded.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Status")]
    public string? DeploymentStatus { get; set; }

    /// <summary>The old (blue) version is gone and cannot take traffic again.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter BlueGone { get; set; }

    /// <summary>When traffic fully moved to green; defaults to the time the release was marked switched.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? SwitchedAt { get; set; }

    /// <summary>How long after the switch a rollback stays possible: minutes (30) or a TimeSpan; once it has
    /// passed, blue counts as gone.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [DurationTransformation(DurationUnit.Minutes)]
    public TimeSpan? RollbackWindow { get; set; }

    /// <summary>Runs contract although the gate refuses; needs -Reason, which is recorded with the release.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Reason { get; set; }

    protected override void ProcessRecord()
    {
        if (!SchemaSupport.CanOpenDatabases)
        {
            ThrowTerminatingError(SchemaSupport.RuntimeNotSupported(MyInvocation.MyCommand.Name));
        }

        string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        MigrationSet set;
        try
        {
            set = MigrationSet.Load(folder, Dialect);
        }
        catch (SchemaMigrationException ex)
        {
            ThrowTerminatingError(SchemaSupport.FromSchema(ex, Path));
            return;
        }

        ISchemaDatabase? database = null;
        ErrorRecord? failure = null;
        try
        {
            Prepared? prepared = null;
            RunAsync(async cancellationToken =>
            {
                failure = await Guard(async () =>
                {
                    database = await SchemaSupport.OpenAsync(Dialect, ConnectionString, cancellationToken).ConfigureAwait(false);
                    prepared = await PrepareAsync(new SchemaMigrator(database), set, cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
            });
            Fail(failure);

            Prepared plan = prepared!;
            if (plan.Approval is { Forced: true })
            {
                WriteWarning($"{plan.Approval.Explanation} The reason is recorded with release {plan.ReleaseId}: {plan.Approval.ForceReason}");
            }

            if (!ShouldProcess(Describe(plan), $"Apply the {Name(Phase)} phase of release {plan.ReleaseId} ({plan.Plan.Pending.Count} script(s))?", "Invoke-SchemaMigration"))
            {
                return;
            }

            RunAsync(async cancellationToken =>
            {
                failure = await Guard(async () => await ApplyAsync(new SchemaMigrator(database!), set, plan, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            });
            Fail(failure);
        }
        finally
        {
            database?.Dispose();
        }
    }

    private async Task<Prepared> PrepareAsync(SchemaMigrator migrator, MigrationSet set, CancellationToken cancellationToken)
    {
        MigrationPlan plan = await migrator.PlanAsync(set, Phase, cancellationToken).ConfigureAwait(false);
        string releaseId;
        bool isNew = false;
        ContractApproval? approval = null;
        if (Phase == SchemaPhase.Expand)
        {
            SchemaRelease? existing = ReleaseId is null && DeploymentId is not null
                ? await migrator.FindReleaseAsync(DeploymentId, cancellationToken).ConfigureAwait(false)
                : null;
            releaseId = ReleaseId ?? existing?.ReleaseId ?? string.Empty;
            if (releaseId.Length == 0)
            {
                releaseId = SchemaMigrator.NewReleaseId(DateTimeOffset.UtcNow);
                isNew = true;
            }
        }
        else
        {
            string key = ReleaseId ?? DeploymentId ?? throw new SchemaMigrationException("ReleaseIdRequired",
                "Contract needs the release it finishes: pass -ReleaseId, or -DeploymentId of the deployment that carried it.");
            SchemaRelease release = await migrator.FindReleaseAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw new SchemaMigrationException("ReleaseNotFound", $"No schema release has the id {key}, or belongs to a deployment of that id: its expand phase never ran here.");
            releaseId = release.ReleaseId;
            approval = SchemaGates.EvaluateContract(new ContractGateInput
            {
                DeploymentStatus = DeploymentStatus,
                BlueGone = BlueGone.IsPresent,
                SwitchedAt = SwitchedAt ?? release.SwitchedAt,
                RollbackWindow = RollbackWindow,
                Force = Force.IsPresent,
                ForceReason = Reason,
            });
        }

        if (!plan.CanApply)
        {
            // Every problem is reported; the first one ends the command.
            foreach (MigrationProblem problem in plan.Problems.Skip(1))
            {
                EmitError(SchemaSupport.FromSchema(new SchemaMigrationException(problem.ErrorId, problem.Message) { Script = problem.Script, Line = problem.Line }, Path));
            }

            MigrationProblem first = plan.Problems[0];
            throw new SchemaMigrationException(first.ErrorId, first.Message) { Script = first.Script, Line = first.Line };
        }

        if (approval is { Allowed: false })
        {
            throw new SchemaMigrationException("ContractNotAllowed", approval.Explanation);
        }

        return new Prepared(plan, releaseId, isNew, approval);
    }

    private async Task ApplyAsync(SchemaMigrator migrator, MigrationSet set, Prepared prepared, CancellationToken cancellationToken)
    {
        PhaseResult result = Phase == SchemaPhase.Expand
            ? await migrator.ExpandAsync(set, prepared.ReleaseId, cancellationToken).ConfigureAwait(false)
            : await migrator.ContractAsync(set, prepared.ReleaseId, prepared.Approval!, cancellationToken).ConfigureAwait(false);
        SchemaRelease release = result.Release;
        if (DeploymentId is not null && release.DeploymentId != DeploymentId)
        {
            release = await migrator.AttachDeploymentAsync(prepared.ReleaseId, DeploymentId, cancellationToken).ConfigureAwait(false);
        }

        foreach (AppliedMigration applied in result.Applied)
        {
            Emit(applied);
        }

        EmitVerbose(string.Format(CultureInfo.InvariantCulture, "Schema release {0} is {1}: {2} script(s) applied in {3:0.###} s.",
            release.ReleaseId, release.State, result.Applied.Count, result.Duration.TotalSeconds));
    }

    /// <summary>What -WhatIf shows and -Confirm asks about: every statement that would run, with its classification.</summary>
    private string Describe(Prepared prepared)
    {
        MigrationPlan plan = prepared.Plan;
        var text = new StringBuilder();
        string release = prepared.IsNew ? "new schema release " + prepared.ReleaseId : "schema release " + prepared.ReleaseId;
        text.Append(FormattableString.Invariant($"Apply the {Name(Phase)} phase of {release} to {Dialect} {ConnectionStringRedactor.Redact(ConnectionString)}: "));
        if (plan.Pending.Count == 0)
        {
            string state = Phase == SchemaPhase.Expand ? "expanded" : "contracted";
            text.Append(FormattableString.Invariant($"no pending {Name(Phase)} scripts ({plan.AppliedCount} already applied); the release is recorded as {state}."));
        }
        else
        {
            text.Append(FormattableString.Invariant($"{plan.Pending.Count} script(s), {plan.Statements.Count()} statement(s)."));
        }

        if (prepared.Approval is not null)
        {
            text.AppendLine().Append("  Contract gate: ").Append(prepared.Approval.Explanation);
        }

        foreach (MigrationScript script in plan.Pending)
        {
            text.AppendLine().Append("  ").Append(script.RelativePath).Append(script.RequiresNoTransaction ? " (no transaction)" : string.Empty);
            foreach (StatementVerdict verdict in script.Verdicts)
            {
                string rules = verdict.Rules.Count == 0
                    ? string.Empty
                    : " [" + string.Join(", ", verdict.Rules.Select(r => verdict.Waivers.Any(w => w.RuleId == r.Id) ? r.Id + " (waived)" : r.Id)) + "]";
                text.AppendLine().Append(FormattableString.Invariant($"    line {verdict.Line}: {verdict.Kind.ToString().ToLowerInvariant()}{rules}: {SchemaSupport.OneLine(verdict.Statement)}"));
            }
        }

        return text.ToString();
    }

    private async Task<ErrorRecord?> Guard(Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
            return null;
        }
        catch (SchemaMigrationException ex)
        {
            return SchemaSupport.FromSchema(ex, Path);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return SchemaSupport.FromUnexpected(ex, ConnectionString, Path);
        }
    }

    private void Fail(ErrorRecord? failure)
    {
        if (failure is not null)
        {
            ThrowTerminatingError(failure);
        }
    }

    private static string Name(SchemaPhase phase) => phase.ToString().ToLowerInvariant();

    private sealed class Prepared
    {
        public Prepared(MigrationPlan plan, string releaseId, bool isNew, ContractApproval? approval)
        {
            Plan = plan;
            ReleaseId = releaseId;
            IsNew = isNew;
            Approval = approval;
        }

        /// <summary>True when the release id was made up for this run (expand without -ReleaseId).</summary>
        public bool IsNew { get; }

        public MigrationPlan Plan { get; }

        public string ReleaseId { get; }

        public ContractApproval? Approval { get; }
    }
}
