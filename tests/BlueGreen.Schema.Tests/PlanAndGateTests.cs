using System;
using System.Linq;
using BlueGreen.Core.Schema;
using Xunit;

namespace BlueGreen.Schema.Tests;

public sealed class PlanAndGateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static AppliedMigration Applied(MigrationScript script, string? checksum = null) => new()
    {
        Version = script.Version.Text,
        Phase = script.Phase,
        Script = script.RelativePath,
        Checksum = checksum ?? script.Checksum,
        AppliedAt = Now,
        Success = true,
    };

    [Fact]
    public void Expand_refuses_destructive_statements_naming_the_rule_and_the_alternative()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V1__bad.sql", "ALTER TABLE users ALTER COLUMN name SET NOT NULL;");

        var plan = MigrationPlan.Create(MigrationSet.Load(folder.Path, SqlDialect.PostgreSql), SchemaPhase.Expand, Array.Empty<AppliedMigration>());

        MigrationProblem problem = Assert.Single(plan.Problems);
        Assert.False(plan.CanApply);
        Assert.Equal("ExpandRefused", problem.ErrorId);
        Assert.Contains("adding-not-nullable-field", problem.Message, StringComparison.Ordinal);
        Assert.Contains("NOT VALID", problem.Message, StringComparison.Ordinal);
        Assert.Contains("bluegreen:waive", problem.Message, StringComparison.Ordinal);
        Assert.Equal(1, problem.Line);
    }

    [Fact]
    public void Contract_accepts_destructive_statements()
    {
        using var folder = new TempFolder();
        folder.Write("contract/V1__drop.sql", "ALTER TABLE users DROP COLUMN email;");

        var plan = MigrationPlan.Create(MigrationSet.Load(folder.Path, SqlDialect.PostgreSql), SchemaPhase.Contract, Array.Empty<AppliedMigration>());

        Assert.True(plan.CanApply);
        Assert.Equal(ChangeKind.Destructive, plan.Statements.Single().Kind);
    }

    [Fact]
    public void A_changed_applied_script_is_an_error_not_a_rerun()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V1__a.sql", "CREATE TABLE a (id int);");
        var set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);

        var plan = MigrationPlan.Create(set, SchemaPhase.Expand, new[] { Applied(set.Scripts[0], checksum: new string('0', 64)) });

        Assert.Equal("AppliedMigrationChanged", plan.Problems.Single().ErrorId);
        Assert.Empty(plan.Pending);
    }

    [Fact]
    public void Scripts_older_than_the_latest_applied_one_of_their_phase_are_out_of_order()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V1__a.sql", "CREATE TABLE a (id int);");
        folder.Write("expand/V2__b.sql", "CREATE TABLE b (id int);");
        var set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);

        var plan = MigrationPlan.Create(set, SchemaPhase.Expand, new[] { Applied(set.Scripts[1]) });

        Assert.Equal("MigrationOutOfOrder", plan.Problems.Single().ErrorId);
    }

    [Fact]
    public void Contract_waits_for_earlier_expand_scripts()
    {
        using var folder = new TempFolder();
        folder.Write("expand/V1__a.sql", "ALTER TABLE t ADD COLUMN b int;");
        folder.Write("contract/V2__b.sql", "ALTER TABLE t DROP COLUMN a;");
        var set = MigrationSet.Load(folder.Path, SqlDialect.PostgreSql);

        var before = MigrationPlan.Create(set, SchemaPhase.Contract, Array.Empty<AppliedMigration>());
        var after = MigrationPlan.Create(set, SchemaPhase.Contract, new[] { Applied(set.Scripts[0]) });

        Assert.Equal("ExpandPending", before.Problems.Single().ErrorId);
        Assert.True(after.CanApply);
        Assert.Equal(1, after.AppliedCount);
    }

    [Fact]
    public void Contract_gate_opens_when_the_deployment_succeeded_and_blue_is_gone()
    {
        var approval = SchemaGates.EvaluateContract(new ContractGateInput { DeploymentStatus = "Succeeded", BlueGone = true, Now = Now });

        Assert.True(approval.Allowed);
        Assert.False(approval.Forced);
    }

    [Theory]
    [InlineData("InProgress", false, null, null, "not Succeeded")]
    [InlineData("Succeeded", false, null, null, "no rollback window")]
    [InlineData("Succeeded", false, 30, 60, "rollback window is open")]
    [InlineData("Stopped", true, null, null, "Stopped")]
    public void Contract_gate_stays_shut_while_blue_could_come_back(string status, bool blueGone, int? switchedMinutesAgo, int? windowMinutes, string because)
    {
        var approval = SchemaGates.EvaluateContract(new ContractGateInput
        {
            DeploymentStatus = status,
            BlueGone = blueGone,
            SwitchedAt = switchedMinutesAgo is null ? null : Now.AddMinutes(-switchedMinutesAgo.Value),
            RollbackWindow = windowMinutes is null ? null : TimeSpan.FromMinutes(windowMinutes.Value),
            Now = Now,
        });

        Assert.False(approval.Allowed);
        Assert.Contains(because, approval.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Contract_gate_opens_once_the_rollback_window_has_passed()
    {
        var approval = SchemaGates.EvaluateContract(new ContractGateInput
        {
            DeploymentStatus = "Succeeded",
            SwitchedAt = Now.AddHours(-2),
            RollbackWindow = TimeSpan.FromHours(1),
            Now = Now,
        });

        Assert.True(approval.Allowed);
        Assert.Contains("rollback window has passed", approval.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Forcing_the_contract_gate_needs_a_reason_which_is_kept()
    {
        var withoutReason = SchemaGates.EvaluateContract(new ContractGateInput { DeploymentStatus = "InProgress", Force = true, Now = Now });
        var withReason = SchemaGates.EvaluateContract(new ContractGateInput { DeploymentStatus = "InProgress", Force = true, ForceReason = " blue was deleted by hand ", Now = Now });

        Assert.False(withoutReason.Allowed);
        Assert.Contains("-Reason", withoutReason.Explanation, StringComparison.Ordinal);
        Assert.True(withReason.Allowed);
        Assert.True(withReason.Forced);
        Assert.Equal("blue was deleted by hand", withReason.ForceReason);
    }

    [Fact]
    public void Undo_is_refused_after_contract_unless_forced_with_a_reason()
    {
        var contracted = new SchemaRelease { ReleaseId = "r-1", State = SchemaReleaseState.Contracted, ContractedAt = Now };
        var switched = new SchemaRelease { ReleaseId = "r-2", State = SchemaReleaseState.Switched };

        var refused = SchemaGates.EvaluateUndo(contracted, force: false, reason: null);
        var forcedWithoutReason = SchemaGates.EvaluateUndo(contracted, force: true, reason: " ");
        var forced = SchemaGates.EvaluateUndo(contracted, force: true, reason: "restoring a backup");

        Assert.False(refused.Allowed);
        Assert.Contains("blue cannot run on the contracted schema", refused.Explanation, StringComparison.Ordinal);
        Assert.False(forcedWithoutReason.Allowed);
        Assert.True(forced.Allowed && forced.Forced);
        Assert.True(SchemaGates.EvaluateUndo(switched, false, null).Allowed);
        Assert.True(SchemaGates.EvaluateUndo(null, false, null).Allowed);
    }

    [Theory]
    [InlineData("Host=db;Username=app;Password=s3cr3t;Database=x", "s3cr3t")]
    [InlineData("Server=db;User Id=sa;Pwd='p;ss';", "p;ss")]
    [InlineData("postgresql://app:hunter2@db:5432/x", "hunter2")]
    [InlineData("Data Source=x.db;Password=abc123", "abc123")]
    [InlineData("Server=db;password = \"quoted secret\";", "quoted secret")]
    public void Connection_strings_lose_their_passwords(string connectionString, string password)
    {
        string redacted = ConnectionStringRedactor.Redact(connectionString);
        string scrubbed = ConnectionStringRedactor.Scrub($"failed to connect with '{connectionString}' (password {password})", connectionString);

        Assert.DoesNotContain(password, redacted, StringComparison.Ordinal);
        Assert.Contains(ConnectionStringRedactor.Mask, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(password, scrubbed, StringComparison.Ordinal);
        Assert.Contains("failed to connect", scrubbed, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_strings_without_secrets_are_left_alone()
    {
        Assert.Equal("Data Source=app.db", ConnectionStringRedactor.Redact("Data Source=app.db"));
        Assert.Equal("message", ConnectionStringRedactor.Scrub("message", "Data Source=app.db"));
    }
}
