using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CloudWatch;
using BlueGreen.Aws.CloudWatch.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Aws.ElasticLoadBalancingV2.Model;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Lambda.Model;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Releases.Ecs;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Core.Analysis;

/// <summary>
/// One analysis of one release, now: green's metrics against blue's over the definition's lookback, judged by
/// <see cref="CanaryJudge"/>. Reads only: one read of the target for the service's clock (and, for ECS, where green and blue
/// serve), then one GetMetricData call for every CloudWatch metric of both sides. Smoke-test samples come from the results given;
/// when only green's are given, the same test is sent to blue where that reaches blue alone.
/// </summary>
public sealed class CanaryAnalyzer
{
    private readonly AwsContext _context;
    private readonly CloudWatchClient _cloudWatch;
    private readonly Dictionary<string, (string Green, string Blue)> _taskSetGroups = new(StringComparer.Ordinal);

    public CanaryAnalyzer(AwsContext context)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _cloudWatch = new CloudWatchClient(context);
    }

    /// <summary>Sends a smoke test to blue when only green's result is given; tests replace it.</summary>
    internal Func<SmokeTestPolicy, SmokeProbeTarget, CancellationToken, Task<SmokeTestResult>>? BlueProbe { get; set; }

    public async Task<CanaryAnalysisResult> AnalyzeAsync(BlueGreenDeployment deployment, AnalysisDefinition definition, IReadOnlyList<SmokeTestResult>? smokeTests, CancellationToken ct)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        if (definition is null)
        {
            throw new ArgumentNullException(nameof(definition));
        }

        var notes = new List<string>();
        var result = new CanaryAnalysisResult(deployment.DeploymentId) { Deployment = deployment, Definition = definition };
        var samples = new Dictionary<string, (IReadOnlyList<double> Green, IReadOnlyList<double> Blue)>(StringComparer.Ordinal);
        string compared;

        if (definition.ReadsCloudWatch)
        {
            var (sides, now) = await SidesAsync(deployment, ct).ConfigureAwait(false);
            compared = sides.ToString();
            var plan = MetricQueryPlan.Build(definition.Metrics, sides, now, definition.Lookback, definition.Period, deployment.CreateTime ?? deployment.StartTime);
            result.WindowStart = plan.StartTime;
            result.WindowEnd = plan.EndTime;
            var pages = await _cloudWatch.GetMetricDataAllPagesAsync(plan.Request(), ct).ConfigureAwait(false);
            result.CloudWatchCalls = pages.Count;
            foreach (var message in pages.SelectMany(p => (p.Messages ?? new List<MessageData>()).Concat((p.MetricDataResults ?? new List<MetricDataResult>()).SelectMany(r => r.Messages ?? new List<MessageData>()))))
            {
                notes.Add($"CloudWatch: {message.Code}: {message.Value}");
            }

            foreach (var pair in plan.Samples(pages))
            {
                samples[pair.Key] = pair.Value;
            }

            NoteQuietSides(definition, plan, samples, notes);
        }
        else
        {
            compared = $"green {deployment.Green} against blue {deployment.Blue}";
        }

        if (definition.ReadsSmokeTests)
        {
            var (green, blue) = await SmokeSamplesAsync(deployment, smokeTests ?? Array.Empty<SmokeTestResult>(), notes, ct).ConfigureAwait(false);
            foreach (var metric in definition.Metrics.Where(m => m.Source == MetricSourceKind.SmokeTest))
            {
                samples[metric.Name] = metric.Name == BuiltInMetrics.SmokeLatency
                    ? (Latencies(green), Latencies(blue))
                    : (Errors(green), Errors(blue));
            }

            if (!definition.ReadsCloudWatch)
            {
                var times = (smokeTests ?? Array.Empty<SmokeTestResult>()).Where(s => s.StartTime != default).ToList();
                result.WindowStart = times.Count == 0 ? DateTime.UtcNow : times.Min(s => s.StartTime);
                result.WindowEnd = times.Count == 0 ? result.WindowStart : times.Max(s => s.StartTime + s.Duration);
            }
        }

        var judgement = CanaryJudge.Judge(
            definition.Metrics.Select(m => (m.Criteria, samples.TryGetValue(m.Name, out var s) ? s.Green : Array.Empty<double>(), samples.TryGetValue(m.Name, out var b) ? b.Blue : Array.Empty<double>())),
            definition.Thresholds, definition.Confidence);
        result.Metrics = judgement.Metrics;
        result.Score = judgement.Score;
        result.Verdict = judgement.Verdict;
        result.Reason = judgement.Reason;
        result.Compared = compared;
        result.Notes = notes;
        return result;
    }

    private static List<double> Latencies(IEnumerable<SmokeTestSample> samples) => samples.Where(s => s.Answered).Select(s => s.LatencyMilliseconds).ToList();

    private static List<double> Errors(IEnumerable<SmokeTestSample> samples) => samples.Select(s => s.Succeeded ? 0.0 : 1.0).ToList();

    /// <summary>Says which side had no traffic in the window: the reason its metrics have no samples.</summary>
    private static void NoteQuietSides(AnalysisDefinition definition, MetricQueryPlan plan, Dictionary<string, (IReadOnlyList<double> Green, IReadOnlyList<double> Blue)> samples, List<string> notes)
    {
        foreach (var metric in definition.Metrics.Where(m => m.Source != MetricSourceKind.SmokeTest))
        {
            if (samples.TryGetValue(metric.Name, out var s) && (s.Green.Count == 0 || s.Blue.Count == 0))
            {
                var quiet = s.Green.Count == 0 && s.Blue.Count == 0 ? "green and blue" : s.Green.Count == 0 ? "green" : "blue";
                notes.Add(string.Format(CultureInfo.InvariantCulture, "{0}: no data point for {1} from {2:HH:mm:ss} to {3:HH:mm:ss} (no traffic, or not published yet).",
                    metric.Name, quiet, plan.StartTime, plan.EndTime));
            }
        }
    }

    // ----- sides and the service's clock -----------------------------------------------------------------

    /// <summary>Green and blue as the target's metrics name them, and the service's time now (the window ends there, which on
    /// the sandbox is its simulated time).</summary>
    internal async Task<(AnalysisSides Sides, DateTime Now)> SidesAsync(BlueGreenDeployment deployment, CancellationToken ct)
    {
        if (deployment.FunctionName is not null && deployment.Alias is not null)
        {
            var sides = AnalysisSides.ForLambda(deployment);
            if (sides.Green.Version is null || sides.Blue.Version is null)
            {
                throw new ReleaseException("VersionsUnknown", ReleaseErrorKind.InvalidOperation,
                    $"Release {deployment.DeploymentId} does not name both its blue and green versions, so their metrics cannot be told apart.", deployment.DeploymentId,
                    $"Read the release again with 'Get-BlueGreenDeployment -Id {deployment.DeploymentId}' and pipe that.");
            }

            var alias = await new LambdaClient(_context).GetAliasAsync(new GetAliasRequest { FunctionName = sides.FunctionName, Name = sides.Alias }, ct).ConfigureAwait(false);
            return (sides, (alias.ServerTime ?? DateTimeOffset.UtcNow).UtcDateTime);
        }

        if (deployment.Cluster is not null && deployment.Service is not null)
        {
            var services = new EcsServices(_context);
            if (!_taskSetGroups.TryGetValue(deployment.DeploymentId, out var groups))
            {
                groups = await EcsTargetGroupsAsync(services, deployment, ct).ConfigureAwait(false);
            }

            var described = await services.Elb.DescribeTargetGroupsAsync(new DescribeTargetGroupsRequest { TargetGroupArns = new List<string> { groups.Green, groups.Blue } }, ct).ConfigureAwait(false);
            string? LoadBalancerOf(string arn) => described.TargetGroups?.FirstOrDefault(g => g.TargetGroupArn == arn)?.LoadBalancerArns?.FirstOrDefault();
            deployment.GreenTargetGroup = groups.Green;
            deployment.BlueTargetGroup = groups.Blue;
            var sides = AnalysisSides.ForEcs(deployment, groups.Green, groups.Blue, LoadBalancerOf(groups.Green), LoadBalancerOf(groups.Blue));
            foreach (var side in sides.Both.Where(s => s.LoadBalancer is null))
            {
                throw new ReleaseException("NoLoadBalancer", ReleaseErrorKind.InvalidOperation,
                    $"The {side.Label} target group {side.TargetGroupArn} of release {deployment.DeploymentId} is not behind an Application Load Balancer, so it has no ALB metrics.",
                    deployment.DeploymentId, "Attach the target group to the service's load balancer, or judge custom metrics or smoke-test samples instead.");
            }

            return (sides, (described.ServerTime ?? DateTimeOffset.UtcNow).UtcDateTime);
        }

        throw new ReleaseException("NothingToAnalyse", ReleaseErrorKind.InvalidArgument,
            $"Release {deployment.DeploymentId} names neither an ECS service nor a Lambda alias, so it has no metrics to read.", deployment.DeploymentId,
            $"Pipe the release as Get-BlueGreenDeployment -Id {deployment.DeploymentId} returns it.");
    }

    /// <summary>
    /// The target groups green and blue serve in. With task sets (CodeDeploy) each set names its group: green's set runs the
    /// green task definition. A service that ECS releases itself has no task sets: green is in whichever of its two groups
    /// (targetGroupArn, alternateTargetGroupArn) the production rule sends green's share to, or, while that share does not tell
    /// them apart (0, 50 or 100%), the one its test rule sends everything to.
    /// </summary>
    private async Task<(string Green, string Blue)> EcsTargetGroupsAsync(EcsServices services, BlueGreenDeployment deployment, CancellationToken ct)
    {
        var service = await services.DescribeServiceAsync(deployment.Cluster!, deployment.Service!, ct).ConfigureAwait(false);
        var sets = service.TaskSets ?? new List<TaskSet>();
        if (sets.Count > 0)
        {
            var greenSet = sets.FirstOrDefault(s => SameTaskDefinition(s.TaskDefinition, deployment.GreenTaskDefinition))
                ?? sets.FirstOrDefault(s => s.Status == "ACTIVE");
            var blueSet = sets.FirstOrDefault(s => s != greenSet && SameTaskDefinition(s.TaskDefinition, deployment.BlueTaskDefinition))
                ?? sets.FirstOrDefault(s => s != greenSet && s.Status == "PRIMARY");
            var green = greenSet?.LoadBalancers?.FirstOrDefault()?.TargetGroupArn;
            var blue = blueSet?.LoadBalancers?.FirstOrDefault()?.TargetGroupArn;
            if (green is not null && blue is not null && green != blue)
            {
                _taskSetGroups[deployment.DeploymentId] = (green, blue);
                return (green, blue);
            }

            throw SidesUnknown(deployment, blueSet is null ? "it has no blue task set any more (the release is over, or blue was removed)" : "its task sets do not name two target groups");
        }

        var loadBalancer = service.LoadBalancers?.FirstOrDefault(lb => lb.AdvancedConfiguration is not null);
        var primary = loadBalancer?.TargetGroupArn;
        var alternate = loadBalancer?.AdvancedConfiguration?.AlternateTargetGroupArn;
        if (primary is null || alternate is null)
        {
            throw SidesUnknown(deployment, "its load balancer names no alternate target group");
        }

        var ruleArns = new[] { loadBalancer!.AdvancedConfiguration!.ProductionListenerRule, loadBalancer.AdvancedConfiguration.TestListenerRule }.Where(a => a is not null).Select(a => a!).ToList();
        var rules = ruleArns.Count == 0 ? new List<Rule>()
            : (await services.Elb.DescribeRulesAsync(new DescribeRulesRequest { RuleArns = ruleArns }, ct).ConfigureAwait(false)).Rules ?? new List<Rule>();
        var production = Weights(rules.FirstOrDefault(r => r.RuleArn == loadBalancer.AdvancedConfiguration.ProductionListenerRule));
        var test = Weights(rules.FirstOrDefault(r => r.RuleArn == loadBalancer.AdvancedConfiguration.TestListenerRule));

        var greenShare = deployment.GreenTrafficPercent;
        if (greenShare > 0 && greenShare < 100 && Math.Abs(greenShare - 50) > 0.5 && production.Count > 0)
        {
            var total = production.Values.Sum();
            var byShare = new[] { primary, alternate }.OrderBy(g => Math.Abs((total > 0 && production.TryGetValue(g, out var w) ? 100.0 * w / total : 0) - greenShare)).First();
            return (byShare, byShare == primary ? alternate : primary);
        }

        var tested = test.Where(p => p.Value > 0).Select(p => p.Key).ToList();
        if (tested.Count == 1 && (tested[0] == primary || tested[0] == alternate))
        {
            return (tested[0], tested[0] == primary ? alternate : primary);
        }

        throw SidesUnknown(deployment, "neither its production rule's split nor its test rule tells which target group green serves in yet");
    }

    private static Dictionary<string, int> Weights(Rule? rule)
    {
        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var action in rule?.Actions?.Where(a => a.Type == "forward") ?? Enumerable.Empty<BlueGreen.Aws.ElasticLoadBalancingV2.Model.Action>())
        {
            if (action.ForwardConfig?.TargetGroups is { Count: > 0 } groups)
            {
                foreach (var group in groups.Where(g => g.TargetGroupArn is not null))
                {
                    weights[group.TargetGroupArn!] = group.Weight ?? 1;
                }
            }
            else if (action.TargetGroupArn is not null)
            {
                weights[action.TargetGroupArn] = 1;
            }
        }

        return weights;
    }

    private static bool SameTaskDefinition(string? a, string? b) =>
        a is not null && b is not null && string.Equals(AnalysisSides.Family(a), AnalysisSides.Family(b), StringComparison.Ordinal);

    private static ReleaseException SidesUnknown(BlueGreenDeployment deployment, string why) =>
        new("TargetGroupsUnknown", ReleaseErrorKind.InvalidOperation,
            $"The target groups of green and blue of release {deployment.DeploymentId} cannot be told apart: {why}.", deployment.DeploymentId,
            "Analyse while both sides serve (after test traffic reaches green and before blue is removed), or judge smoke-test samples.");

    // ----- smoke tests -----------------------------------------------------------------------------------

    /// <summary>The samples of green and of blue from the results given, by what each result tested; blue tested here when
    /// only green's result is given and blue can be reached alone.</summary>
    private async Task<(List<SmokeTestSample> Green, List<SmokeTestSample> Blue)> SmokeSamplesAsync(BlueGreenDeployment deployment, IReadOnlyList<SmokeTestResult> results,
        List<string> notes, CancellationToken ct)
    {
        var green = new List<SmokeTestSample>();
        var blue = new List<SmokeTestSample>();
        SmokeTestResult? greenResult = null;
        foreach (var result in results)
        {
            switch (SmokeSides.SideOf(result, deployment))
            {
                case "green":
                    green.AddRange(result.Samples);
                    greenResult ??= result;
                    break;
                case "blue":
                    blue.AddRange(result.Samples);
                    break;
                default:
                    notes.Add($"The smoke test of {result.Target} is of neither green nor blue of release {deployment.DeploymentId}; it was left out.");
                    break;
            }
        }

        if (greenResult is null)
        {
            notes.Add("No smoke test of green was given: the smoke-test metrics have no samples (pipe Invoke-SmokeTest's result, or give -SmokeTest).");
        }
        else if (blue.Count == 0)
        {
            var probed = await ProbeBlueAsync(deployment, greenResult, notes, ct).ConfigureAwait(false);
            if (probed is not null)
            {
                blue.AddRange(probed.Samples);
            }
        }

        return (green, blue);
    }

    private async Task<SmokeTestResult?> ProbeBlueAsync(BlueGreenDeployment deployment, SmokeTestResult green, List<string> notes, CancellationToken ct)
    {
        var target = SmokeSides.BlueTarget(deployment, green, out var why);
        if (target is null)
        {
            notes.Add($"Blue was not smoke-tested: {why}");
            return null;
        }

        var policy = green.Policy!;
        var probe = BlueProbe ?? SendAsync;
        var result = await probe(policy, target, ct).ConfigureAwait(false);
        notes.Add($"Blue's baseline: the same smoke test sent to {target}: {result.Requests} requests, {result.Failed} failed.");
        return result;
    }

    private async Task<SmokeTestResult> SendAsync(SmokeTestPolicy policy, SmokeProbeTarget target, CancellationToken ct)
    {
        if (target.Function is not null)
        {
            RemoteLambdaProbe.Configure(_context, policy.Timeout);
            return await new SmokeTestRunner(new RemoteLambdaProbe(_context), policy).RunAsync(target.Function, null, null, ct).ConfigureAwait(false);
        }

        using var probe = new RemoteSmokeProbe(policy.Concurrency);
        return await new SmokeTestRunner(probe, policy).RunAsync(target.Uri!, null, null, ct).ConfigureAwait(false);
    }
}
