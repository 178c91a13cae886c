using System;
using System.Collections.Generic;
using System.Linq;
using BlueGreen.Aws.CodeDeploy.Model;

namespace BlueGreen.Core.Releases.CodeDeploy;

/// <summary>The change to a deployment group that makes it stop and roll back a release on the alarms asked for:
/// CodeDeploy watches only its group's alarms, so they are added there (and stay, as AWS keeps them).</summary>
public sealed class GroupAlarmChange
{
    internal GroupAlarmChange(AlarmConfiguration alarms, AutoRollbackConfiguration rollback, string description)
    {
        Alarms = alarms;
        Rollback = rollback;
        Description = description;
    }

    /// <summary>The group's alarm configuration after the change: enabled, with the group's alarms and the new ones.</summary>
    public AlarmConfiguration Alarms { get; }

    /// <summary>The group's automatic rollback after the change: on, with DEPLOYMENT_STOP_ON_ALARM among its events.</summary>
    public AutoRollbackConfiguration Rollback { get; }

    /// <summary>What -WhatIf says the change is.</summary>
    public string Description { get; }

    public IReadOnlyList<string> AlarmNames => Alarms.Alarms!.Select(a => a.Name!).ToList();
}

public static class CodeDeployAlarms
{
    /// <summary>CodeDeploy's limit of alarms per deployment group.</summary>
    public const int GroupLimit = 10;

    /// <summary>The change that makes the group watch <paramref name="requested"/> and roll back on them; null when it
    /// already does (alarms enabled and listed, rollback on with DEPLOYMENT_STOP_ON_ALARM).</summary>
    public static GroupAlarmChange? Plan(DeploymentGroupInfo group, IReadOnlyList<string> requested)
    {
        if (group is null)
        {
            throw new ArgumentNullException(nameof(group));
        }

        if (requested is null || requested.Count == 0)
        {
            return null;
        }

        var current = group.AlarmConfiguration;
        var names = (current?.Alarms ?? new List<Alarm>()).Select(a => a.Name).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList();
        var added = requested.Where(a => !names.Contains(a, StringComparer.Ordinal)).ToList();
        var rollback = group.AutoRollbackConfiguration;
        var events = rollback?.Enabled == true ? (rollback.Events ?? new List<string>()).ToList() : new List<string>();
        var rollbackOn = rollback?.Enabled == true && events.Contains(AutoRollbackEvent.DeploymentStopOnAlarm);
        if (added.Count == 0 && current?.Enabled == true && rollbackOn)
        {
            return null;
        }

        names.AddRange(added);
        if (names.Count > GroupLimit)
        {
            throw new ReleaseException("TooManyAlarms", ReleaseErrorKind.InvalidArgument,
                $"A CodeDeploy deployment group watches at most {GroupLimit} alarms; '{group.DeploymentGroupName}' would watch {names.Count} ({string.Join(", ", names)}).", requested,
                "Combine alarms in a composite alarm, or remove some from the group.");
        }

        if (!events.Contains(AutoRollbackEvent.DeploymentStopOnAlarm))
        {
            events.Add(AutoRollbackEvent.DeploymentStopOnAlarm);
        }

        if (rollback?.Enabled != true && !events.Contains(AutoRollbackEvent.DeploymentFailure))
        {
            // Turning rollback on for alarms also rolls back a release that fails, as the console's default does.
            events.Insert(0, AutoRollbackEvent.DeploymentFailure);
        }

        var parts = new List<string>();
        if (added.Count > 0)
        {
            parts.Add("add alarms " + string.Join(", ", added));
        }

        if (current?.Enabled != true)
        {
            parts.Add("enable the group's alarms");
        }

        if (!rollbackOn)
        {
            parts.Add("roll back automatically on " + string.Join(", ", events));
        }

        return new GroupAlarmChange(
            new AlarmConfiguration { Enabled = true, IgnorePollAlarmFailure = current?.IgnorePollAlarmFailure ?? false, Alarms = names.Select(n => new Alarm { Name = n }).ToList() },
            new AutoRollbackConfiguration { Enabled = true, Events = events },
            $"deployment group '{group.DeploymentGroupName}' (application '{group.ApplicationName}'): {string.Join("; ", parts)} (the group keeps them after the release)");
    }

    /// <summary>The plan as it will be once the change is made.</summary>
    public static void Show(ReleasePlan plan, GroupAlarmChange change)
    {
        if (plan is null || change is null)
        {
            throw new ArgumentNullException(plan is null ? nameof(plan) : nameof(change));
        }

        plan.Alarms = change.AlarmNames;
        plan.AlarmsEnabled = true;
        plan.AutoRollbackEnabled = true;
        plan.RollbackEvents = change.Rollback.Events!;
        plan.Changes.Add(new PlannedChange("UpdateDeploymentGroup", change.Description));
    }

    /// <summary>The request that makes the change.</summary>
    public static UpdateDeploymentGroupRequest Request(string applicationName, string deploymentGroupName, GroupAlarmChange change) => new()
    {
        ApplicationName = applicationName,
        CurrentDeploymentGroupName = deploymentGroupName,
        AlarmConfiguration = change?.Alarms ?? throw new ArgumentNullException(nameof(change)),
        AutoRollbackConfiguration = change.Rollback,
    };
}
