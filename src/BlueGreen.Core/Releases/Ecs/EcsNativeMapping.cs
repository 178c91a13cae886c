using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Core.Deployments;
using DeploymentStatus = BlueGreen.Core.Deployments.DeploymentStatus;

namespace BlueGreen.Core.Releases.Ecs;

/// <summary>
/// The module's terms and ECS's for native blue/green, linear and canary deployments: a traffic shift as a deployment
/// strategy, the Ready wait and the bake as PAUSE hooks, a service deployment's status and stage as the module's status,
/// lifecycle events and points. Pure: no AWS calls.
/// </summary>
public static class EcsNativeMapping
{
    public const string Pause = "PAUSE";
    public const string Lambda = "AWS_LAMBDA";
    public const string Continue = "CONTINUE";
    public const string Rollback = "ROLLBACK";

    /// <summary>ECS's limits: a linear step is 3% or more, a bake at most 24 hours.</summary>
    public const double MinimumLinearStep = 3.0;
    public const int MaximumBakeMinutes = 1440;

    /// <summary>How long the module's Ready hook waits for the go-ahead before ECS rolls back (ECS's default for a hook).</summary>
    public const int ReadyWaitMinutes = 1440;

    /// <summary>A service deployment's stages, in ECS's order.</summary>
    public static readonly IReadOnlyList<string> Stages = new[]
    {
        "RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
        "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP",
    };

    /// <summary>The module's hook names (CodeDeploy's ECS lifecycle events) and the ECS stage a hook runs at instead.</summary>
    public static readonly IReadOnlyDictionary<string, string> HookStages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["BeforeInstall"] = "PRE_SCALE_UP",
        ["AfterInstall"] = "POST_SCALE_UP",
        ["AfterAllowTestTraffic"] = "POST_TEST_TRAFFIC_SHIFT",
        ["BeforeAllowTraffic"] = "PRE_PRODUCTION_TRAFFIC_SHIFT",
        ["AfterAllowTraffic"] = "POST_PRODUCTION_TRAFFIC_SHIFT",
    };

    private static readonly System.Text.RegularExpressions.Regex ByHand = new(
        @"StopServiceDeployment|ContinueServiceDeployment|stop request|requested|by (the )?user|manual",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The suffix of the id of the view of a release's rollback (ECS rolls back within the same service deployment).</summary>
    public const string RollbackSuffix = "#rollback";

    // ----- strategy -------------------------------------------------------------------------------------

    /// <summary>The strategy for a traffic shift: AllAtOnce is BLUE_GREEN, Canary is CANARY, Linear is LINEAR. Throws
    /// <see cref="ReleaseException"/> for what ECS cannot do (a linear step under 3%, a wait over 24 hours).</summary>
    public static (string Strategy, LinearConfiguration? Linear, CanaryConfiguration? Canary) Strategy(TrafficShiftPolicy policy)
    {
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        if (policy.Kind != TrafficShiftKind.AllAtOnce && policy.IntervalMinutes > MaximumBakeMinutes)
        {
            throw new ReleaseException("TrafficShiftNotSupported", ReleaseErrorKind.InvalidArgument,
                $"ECS waits at most {MaximumBakeMinutes} minutes between traffic steps, not {policy.IntervalMinutes} ({policy.ShortName}).", policy.ShortName,
                "Give an interval of 1440 minutes or less, e.g. Canary10Percent60Minutes.");
        }

        switch (policy.Kind)
        {
            case TrafficShiftKind.Canary:
                return ("CANARY", null, new CanaryConfiguration { CanaryPercent = policy.Percentage, CanaryBakeTimeInMinutes = policy.IntervalMinutes });
            case TrafficShiftKind.Linear:
                if (policy.Percentage < MinimumLinearStep)
                {
                    throw new ReleaseException("TrafficShiftNotSupported", ReleaseErrorKind.InvalidArgument,
                        $"ECS moves linear traffic in steps of {MinimumLinearStep.ToString(CultureInfo.InvariantCulture)}% or more, not {policy.Percentage}% ({policy.ShortName}).", policy.ShortName,
                        "Give a step of 3 percent or more, e.g. Linear10PercentEvery1Minutes, or a canary (Canary1Percent5Minutes).");
                }

                return ("LINEAR", new LinearConfiguration { StepPercent = policy.Percentage, StepBakeTimeInMinutes = policy.IntervalMinutes }, null);
            default:
                return ("BLUE_GREEN", null, null);
        }
    }

    /// <summary>How a deployment configuration moves production traffic, as steps (minutes after the first, green's share),
    /// and its name; null steps when the strategy is not blue/green at all (ROLLING).</summary>
    public static (string Name, IReadOnlyList<(int Minute, double GreenPercent)>? Steps) Shift(DeploymentConfiguration? configuration)
    {
        switch (configuration?.Strategy)
        {
            case "BLUE_GREEN":
                return ("AllAtOnce (BLUE_GREEN)", new[] { (0, 100.0) });
            case "CANARY":
                var canary = configuration.CanaryConfiguration;
                var percent = canary?.CanaryPercent ?? 5.0;
                var wait = canary?.CanaryBakeTimeInMinutes ?? 10;
                return (string.Format(CultureInfo.InvariantCulture, "Canary{0}Percent{1}Minutes (CANARY)", percent, wait), new[] { (0, percent), (wait, 100.0) });
            case "LINEAR":
                var linear = configuration.LinearConfiguration;
                var step = linear?.StepPercent ?? 10.0;
                var every = linear?.StepBakeTimeInMinutes ?? 6;
                var steps = new List<(int, double)>();
                for (var i = 0; ; i++)
                {
                    var share = Math.Min(100.0, Math.Round((i + 1) * step, 1));
                    steps.Add((i * every, share));
                    if (share >= 100.0)
                    {
                        break;
                    }
                }

                return (string.Format(CultureInfo.InvariantCulture, "Linear{0}PercentEvery{1}Minutes (LINEAR)", step, every), steps);
            default:
                return (configuration?.Strategy ?? "ROLLING", null);
        }
    }

    /// <summary>Whether a hook is a PAUSE at exactly this one stage.</summary>
    public static bool IsPauseAt(DeploymentLifecycleHook hook, string stage) =>
        hook is not null && hook.TargetType == Pause && hook.LifecycleStages is { Count: 1 } stages && stages[0] == stage;

    /// <summary>A hand-completable bake: a PAUSE hook after production traffic moved that continues by itself after the bake.</summary>
    public static bool IsBakeHook(DeploymentLifecycleHook hook) =>
        IsPauseAt(hook, "POST_PRODUCTION_TRAFFIC_SHIFT") && hook.TimeoutConfiguration?.Action == Continue;

    /// <summary>The bake a deployment configuration has: its bake hook's timeout, else its bakeTimeInMinutes.</summary>
    public static int BakeMinutes(DeploymentConfiguration? configuration) =>
        configuration?.LifecycleHooks?.FirstOrDefault(IsBakeHook)?.TimeoutConfiguration?.TimeoutInMinutes ?? configuration?.BakeTimeInMinutes ?? 0;

    /// <summary>Whether a deployment configuration waits at Ready (a PAUSE hook once test traffic is on green).</summary>
    public static bool WaitsAtReady(DeploymentConfiguration? configuration) =>
        configuration?.LifecycleHooks?.Any(h => h.TargetType == Pause && h.LifecycleStages?.Contains("POST_TEST_TRAFFIC_SHIFT") == true) == true;

    /// <summary>The bake in whole minutes from -BakeTime, checked against ECS's limits.</summary>
    public static int BakeMinutes(TimeSpan bake)
    {
        if (bake < TimeSpan.Zero || bake.TotalMinutes > MaximumBakeMinutes)
        {
            throw new ReleaseException("InvalidBakeTime", ReleaseErrorKind.InvalidArgument,
                $"The bake time must be between 0 and {MaximumBakeMinutes} minutes, not {bake}.", bake, "Give minutes (e.g. -BakeTime 10) or a TimeSpan (e.g. -BakeTime 00:10:00).");
        }

        return (int)Math.Ceiling(bake.TotalMinutes - 1e-9);
    }

    /// <summary>
    /// The deployment configuration a release sends: the service's own, as it is, with the strategy of <paramref name="policy"/>
    /// (or the service's when null), the bake (a PAUSE hook after production traffic that continues by itself after
    /// <paramref name="bakeMinutes"/>, so that Set-TrafficShift -Complete can end it; bakeTimeInMinutes is then 0), the Ready
    /// wait (a PAUSE hook after test traffic, kept when the service has one), alarms that roll back, and the hooks asked for.
    /// </summary>
    public static DeploymentConfiguration Apply(DeploymentConfiguration? current, TrafficShiftPolicy? policy, int bakeMinutes, bool waitAtReady,
        IReadOnlyList<string>? alarms, IReadOnlyList<DeploymentLifecycleHook>? hooks)
    {
        var next = current is null ? new DeploymentConfiguration() : Copy(current);
        if (policy is not null)
        {
            (next.Strategy, next.LinearConfiguration, next.CanaryConfiguration) = Strategy(policy);
        }
        else if (next.Strategy is null or "ROLLING")
        {
            next.Strategy = "BLUE_GREEN";
        }

        var kept = (next.LifecycleHooks ?? new List<DeploymentLifecycleHook>()).Where(h => !IsBakeHook(h) && !(IsPauseAt(h, "POST_TEST_TRAFFIC_SHIFT") && !waitAtReady)).ToList();
        if (waitAtReady && !WaitsAtReady(next))
        {
            kept.Add(new DeploymentLifecycleHook
            {
                TargetType = Pause,
                LifecycleStages = new List<string> { "POST_TEST_TRAFFIC_SHIFT" },
                TimeoutConfiguration = new DeploymentLifecycleHookTimeoutConfiguration { TimeoutInMinutes = ReadyWaitMinutes, Action = Rollback },
            });
        }

        foreach (var hook in hooks ?? Array.Empty<DeploymentLifecycleHook>())
        {
            if (!kept.Any(h => h.TargetType == hook.TargetType && h.HookTargetArn == hook.HookTargetArn && h.LifecycleStages is not null && hook.LifecycleStages!.All(h.LifecycleStages.Contains)))
            {
                kept.Add(hook);
            }
        }

        if (bakeMinutes > 0)
        {
            kept.Add(new DeploymentLifecycleHook
            {
                TargetType = Pause,
                LifecycleStages = new List<string> { "POST_PRODUCTION_TRAFFIC_SHIFT" },
                TimeoutConfiguration = new DeploymentLifecycleHookTimeoutConfiguration { TimeoutInMinutes = bakeMinutes, Action = Continue },
            });
        }

        next.BakeTimeInMinutes = 0;
        next.LifecycleHooks = kept;
        if (alarms is { Count: > 0 })
        {
            var names = (next.Alarms?.AlarmNames ?? new List<string>()).Concat(alarms).Distinct(StringComparer.Ordinal).ToList();
            next.Alarms = new DeploymentAlarms { AlarmNames = names, Enable = true, Rollback = true };
        }

        return next;
    }

    private static DeploymentConfiguration Copy(DeploymentConfiguration c) => new()
    {
        DeploymentCircuitBreaker = c.DeploymentCircuitBreaker,
        MaximumPercent = c.MaximumPercent,
        MinimumHealthyPercent = c.MinimumHealthyPercent,
        Alarms = c.Alarms,
        Strategy = c.Strategy,
        BakeTimeInMinutes = c.BakeTimeInMinutes,
        LifecycleHooks = c.LifecycleHooks?.ToList(),
        LinearConfiguration = c.LinearConfiguration,
        CanaryConfiguration = c.CanaryConfiguration,
    };

    /// <summary>The stages a release goes through with <paramref name="configuration"/>, with the shift steps and the bake: what -WhatIf shows.</summary>
    public static IReadOnlyList<TimelineStep> Timeline(DeploymentConfiguration configuration)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        var (_, shift) = Shift(configuration);
        var hooks = configuration.LifecycleHooks ?? new List<DeploymentLifecycleHook>();
        string HooksAt(string stage) => string.Concat(hooks.Where(h => h.LifecycleStages?.Contains(stage) == true && !IsBakeHook(h) && !(h.TargetType == Pause && stage == "POST_TEST_TRAFFIC_SHIFT"))
            .Select(h => h.TargetType == Pause ? "; PAUSE hook (waits for ContinueServiceDeployment)" : $"; hook {EcsServices.Last(h.HookTargetArn?.Replace(':', '/') ?? "?")}"));
        var steps = new List<TimelineStep>
        {
            new(TimeSpan.Zero, "RECONCILE_SERVICE, PRE_SCALE_UP" + HooksAt("RECONCILE_SERVICE") + HooksAt("PRE_SCALE_UP"), 0),
            new(TimeSpan.Zero, "SCALE_UP: green tasks start beside blue (blue serves 100% of production)", 0),
            new(TimeSpan.Zero, "POST_SCALE_UP" + HooksAt("POST_SCALE_UP"), 0),
            new(TimeSpan.Zero, "TEST_TRAFFIC_SHIFT: the test listener rule routes to green" + HooksAt("TEST_TRAFFIC_SHIFT"), 0),
        };
        var ready = hooks.FirstOrDefault(h => h.TargetType == Pause && h.LifecycleStages?.Contains("POST_TEST_TRAFFIC_SHIFT") == true);
        steps.Add(new TimelineStep(TimeSpan.Zero, "POST_TEST_TRAFFIC_SHIFT" + HooksAt("POST_TEST_TRAFFIC_SHIFT") + (ready is null ? string.Empty : string.Format(CultureInfo.InvariantCulture,
            ": Ready, waits for Set-TrafficShift -Continue ({0} after {1} min); the times below count from the go-ahead",
            ready.TimeoutConfiguration?.Action == Continue ? "continues" : "rolls back", ready.TimeoutConfiguration?.TimeoutInMinutes ?? ReadyWaitMinutes)), 0));
        var last = TimeSpan.Zero;
        var pre = HooksAt("PRE_PRODUCTION_TRAFFIC_SHIFT") + HooksAt("PRODUCTION_TRAFFIC_SHIFT");
        foreach (var (minute, percent) in shift ?? new[] { (0, 100.0) })
        {
            last = TimeSpan.FromMinutes(minute);
            steps.Add(new TimelineStep(last, string.Format(CultureInfo.InvariantCulture, "PRODUCTION_TRAFFIC_SHIFT: production {0}% green, {1}% blue{2}", percent, Math.Round(100 - percent, 1), pre), (int)Math.Round(percent)));
        }

        steps.Add(new TimelineStep(last, "POST_PRODUCTION_TRAFFIC_SHIFT" + HooksAt("POST_PRODUCTION_TRAFFIC_SHIFT"), 100));
        var bake = BakeMinutes(configuration);
        var completable = hooks.Any(IsBakeHook);
        steps.Add(new TimelineStep(last, string.Format(CultureInfo.InvariantCulture, "BAKE_TIME {0} min: blue kept{1}", bake,
            completable ? " (a PAUSE hook that continues by itself; Set-TrafficShift -Complete ends it early)" : bake > 0 ? " (ECS's bakeTimeInMinutes; it cannot be ended early)" : string.Empty), 100));
        steps.Add(new TimelineStep(last + TimeSpan.FromMinutes(bake), "CLEAN_UP: blue removed; release Succeeded", 100));
        return steps;
    }

    // ----- reading --------------------------------------------------------------------------------------

    /// <summary>A service deployment in the module's terms: status, events (one per stage), green's share and the Ready wait.
    /// <paramref name="asRollback"/> reads it as the view of its rollback.</summary>
    public static BlueGreenDeployment Read(ServiceDeployment sd, bool asRollback = false)
    {
        if (sd is null)
        {
            throw new ArgumentNullException(nameof(sd));
        }

        var arn = sd.ServiceDeploymentArn ?? string.Empty;
        var rolledBack = sd.Status is "ROLLBACK_REQUESTED" or "ROLLBACK_IN_PROGRESS" or "ROLLBACK_SUCCESSFUL" or "ROLLBACK_FAILED" || sd.Rollback is not null;
        var deployment = new BlueGreenDeployment(asRollback ? arn + RollbackSuffix : arn)
        {
            Engine = DeploymentEngine.EcsNative,
            EngineStatus = sd.Status,
            CreateTime = sd.CreatedAt,
            StartTime = sd.StartedAt,
            CompleteTime = sd.FinishedAt ?? sd.StoppedAt,
            Creator = asRollback ? "ecsRollback" : "user",
            WaitsAtReady = !asRollback && !rolledBack && WaitsAtReady(sd.DeploymentConfiguration),
            TrafficShift = Shift(sd.DeploymentConfiguration).Name,
        };
        var (cluster, service) = ServiceOf(sd.ServiceArn, sd.ClusterArn);
        deployment.Cluster = cluster;
        deployment.Service = service;
        deployment.TargetId = cluster is null || service is null ? null : cluster + ":" + service;
        var target = sd.TargetServiceRevision;
        var green = target?.RequestedProductionTrafficWeight;
        var awaiting = sd.LifecycleHookDetails?.FirstOrDefault(h => h.Status == "AWAITING_ACTION");
        if (asRollback)
        {
            deployment.RollbackTriggeringDeploymentId = arn;
            deployment.Status = sd.Status switch
            {
                "ROLLBACK_SUCCESSFUL" => DeploymentStatus.Succeeded,
                "ROLLBACK_FAILED" => DeploymentStatus.Failed,
                "ROLLBACK_REQUESTED" => DeploymentStatus.Created,
                _ => DeploymentStatus.InProgress,
            };

            // A rollback's own share is the one it puts back: blue's.
            deployment.GreenTrafficPercent = sd.Status == "ROLLBACK_SUCCESSFUL" ? 100 : 100 - (green ?? 100);
            deployment.Phase = sd.LifecycleStage ?? FinishedPhase.Of(deployment.Status, false);
            deployment.ErrorMessage = sd.Rollback?.Reason;
            return deployment;
        }

        var failedHook = sd.LifecycleHookDetails?.FirstOrDefault(h => h.Status is "FAILED" or "TIMED_OUT");
        var reason = sd.Rollback?.Reason ?? sd.StatusReason ?? string.Empty;

        // A rollback someone asked for (StopServiceDeployment, or ROLLBACK at a pause hook) is Stopped; any other
        // (an alarm, the circuit breaker, a hook that failed or timed out) is Failed.
        var byHand = failedHook is null && sd.Alarms?.Status != "TRIGGERED" && sd.DeploymentCircuitBreaker?.Status != "TRIGGERED"
            && ByHand.IsMatch(reason);
        var failed = !byHand;
        deployment.Status = sd.Status switch
        {
            "PENDING" => DeploymentStatus.Created,
            "SUCCESSFUL" => DeploymentStatus.Succeeded,
            "STOPPED" => DeploymentStatus.Stopped,
            "IN_PROGRESS" or "STOP_REQUESTED" when awaiting?.TargetType == Pause && sd.LifecycleStage == "POST_TEST_TRAFFIC_SHIFT" => DeploymentStatus.Ready,
            "IN_PROGRESS" or "STOP_REQUESTED" when sd.LifecycleStage == "BAKE_TIME" || (sd.LifecycleStage == "POST_PRODUCTION_TRAFFIC_SHIFT" && awaiting?.TargetType == Pause) => DeploymentStatus.Baking,
            "IN_PROGRESS" or "STOP_REQUESTED" => DeploymentStatus.InProgress,
            _ when rolledBack => failed ? DeploymentStatus.Failed : DeploymentStatus.Stopped,
            _ => DeploymentStatus.InProgress,
        };
        if (rolledBack)
        {
            deployment.RollbackDeploymentId = arn + RollbackSuffix;
            deployment.RollbackMessage = sd.Rollback?.Reason;
            deployment.ErrorCode = byHand ? "STOPPED"
                : sd.Alarms?.Status == "TRIGGERED" || reason.Contains("alarm", StringComparison.OrdinalIgnoreCase) ? "ALARM_ACTIVE"
                : sd.DeploymentCircuitBreaker?.Status == "TRIGGERED" || reason.Contains("circuit", StringComparison.OrdinalIgnoreCase) ? "CIRCUIT_BREAKER"
                : failedHook is not null || reason.Contains("hook", StringComparison.OrdinalIgnoreCase) ? "HOOK_FAILED"
                : "ROLLED_BACK";
            deployment.ErrorMessage = sd.Alarms?.TriggeredAlarmNames is { Count: > 0 } names ? "Alarms fired: " + string.Join(", ", names) + ". " + (sd.Rollback?.Reason ?? sd.StatusReason)
                : sd.Rollback?.Reason ?? sd.StatusReason;
        }
        else if (deployment.Status is DeploymentStatus.Stopped or DeploymentStatus.Failed)
        {
            deployment.ErrorMessage = sd.StatusReason;
        }

        deployment.GreenTrafficPercent = deployment.Status == DeploymentStatus.Succeeded ? 100 : green ?? 0;
        deployment.BlueExists = deployment.Status != DeploymentStatus.Succeeded;
        deployment.TerminationWaitStarted = deployment.Status == DeploymentStatus.Baking || (sd.Status == "IN_PROGRESS" && sd.LifecycleStage == "CLEAN_UP");
        deployment.Phase = sd.LifecycleStage ?? (deployment.Status == DeploymentStatus.Created ? "PENDING" : FinishedPhase.Of(deployment.Status, rolledBack));
        deployment.LifecycleEvents = Events(sd.LifecycleStage, sd.Status, deployment.Status, failedHook is null ? null : $"{failedHook.TargetType} hook {failedHook.Status}");
        return deployment;
    }

    /// <summary>One event per stage, named by ECS's stages: those before the current one Succeeded, the current one
    /// InProgress (Failed when the release ended there), those after Pending; all Succeeded once it succeeded.</summary>
    public static IReadOnlyList<DeploymentLifecycleEvent> Events(string? stage, string? ecsStatus, DeploymentStatus status, string? diagnostic = null)
    {
        var at = stage is null ? -1 : IndexOf(stage);
        var events = new List<DeploymentLifecycleEvent>();
        for (var i = 0; i < Stages.Count; i++)
        {
            string state;
            if (status == DeploymentStatus.Succeeded)
            {
                state = "Succeeded";
            }
            else if (at < 0 || ecsStatus == "PENDING")
            {
                state = "Pending";
            }
            else if (i < at)
            {
                state = "Succeeded";
            }
            else if (i == at)
            {
                state = status is DeploymentStatus.Failed or DeploymentStatus.Stopped ? "Failed" : "InProgress";
            }
            else
            {
                state = "Pending";
            }

            events.Add(new DeploymentLifecycleEvent(Stages[i], state, null, null, i == at && state == "Failed" ? diagnostic : null));
        }

        return events;
    }

    private static int IndexOf(string stage)
    {
        for (var i = 0; i < Stages.Count; i++)
        {
            if (Stages[i] == stage)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Cluster and service names from <c>arn:aws:ecs:region:account:service/cluster/service</c> (or the old form without the cluster).</summary>
    public static (string? Cluster, string? Service) ServiceOf(string? serviceArn, string? clusterArn)
    {
        if (serviceArn is null)
        {
            return (clusterArn is null ? null : EcsServices.Last(clusterArn), null);
        }

        var resource = serviceArn.Substring(serviceArn.LastIndexOf(':') + 1);
        var parts = resource.Split('/');
        var service = parts[parts.Length - 1];
        var cluster = parts.Length >= 3 ? parts[1] : clusterArn is null ? null : EcsServices.Last(clusterArn);
        return (cluster, service);
    }

    /// <summary>Whether an id is an ECS service deployment ARN (or the view of its rollback).</summary>
    public static bool IsServiceDeploymentArn(string? id) =>
        id is not null && id.StartsWith("arn:", StringComparison.Ordinal) && id.Contains(":ecs:") && id.Contains(":service-deployment/");

    /// <summary>The ARN of an id, and whether it names the view of the rollback.</summary>
    public static (string Arn, bool Rollback) ParseId(string id) =>
        id.EndsWith(RollbackSuffix, StringComparison.Ordinal) ? (id.Substring(0, id.Length - RollbackSuffix.Length), true) : (id, false);
}
