using System;
using System.Collections.Generic;
using BlueGreen.Core.Deployments;

namespace BlueGreen.Core.Analysis;

/// <summary>The kind of target an analysis reads metrics of.</summary>
public enum AnalysisTargetKind
{
    /// <summary>An ECS service behind an Application Load Balancer: metrics per target group.</summary>
    Ecs,

    /// <summary>A Lambda alias: metrics per executed version.</summary>
    Lambda,
}

/// <summary>One side of a release as its metrics name it.</summary>
public sealed class AnalysisSide
{
    public AnalysisSide(string label)
    {
        Label = label ?? throw new ArgumentNullException(nameof(label));
    }

    /// <summary><c>green</c> or <c>blue</c>: what <c>{Side}</c> becomes.</summary>
    public string Label { get; }

    /// <summary>The Lambda version, or the task definition (family:revision) of an ECS side: what <c>{Version}</c> becomes.</summary>
    public string? Version { get; set; }

    /// <summary>The target group's ARN (ECS).</summary>
    public string? TargetGroupArn { get; set; }

    /// <summary>The target group's ARN suffix, <c>targetgroup/name/id</c>: the TargetGroup dimension and <c>{TargetGroup}</c>.</summary>
    public string? TargetGroup => ArnSuffix(TargetGroupArn, "targetgroup/");

    /// <summary>The load balancer's ARN (ECS).</summary>
    public string? LoadBalancerArn { get; set; }

    /// <summary>The load balancer's ARN suffix, <c>app/name/id</c>: the LoadBalancer dimension and <c>{LoadBalancer}</c>.</summary>
    public string? LoadBalancer => ArnSuffix(LoadBalancerArn, "app/") ?? ArnSuffix(LoadBalancerArn, "net/");

    public override string ToString() => Label + (Version is null ? string.Empty : " " + Version) + (TargetGroup is null ? string.Empty : $" ({TargetGroup})");

    /// <summary>The part of an ARN from <paramref name="marker"/> on (<c>targetgroup/web-green/0123</c>), or null.</summary>
    internal static string? ArnSuffix(string? arn, string marker)
    {
        if (arn is null)
        {
            return null;
        }

        var at = arn.IndexOf(":" + marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            return arn.Substring(at + 1);
        }

        at = arn.IndexOf("/" + marker, StringComparison.Ordinal);
        return at >= 0 ? arn.Substring(at + 1) : arn.StartsWith(marker, StringComparison.Ordinal) ? arn : null;
    }
}

/// <summary>Green and blue of a release, with what their metrics are named by.</summary>
public sealed class AnalysisSides
{
    public AnalysisSides(AnalysisTargetKind kind, AnalysisSide green, AnalysisSide blue)
    {
        Kind = kind;
        Green = green ?? throw new ArgumentNullException(nameof(green));
        Blue = blue ?? throw new ArgumentNullException(nameof(blue));
    }

    public AnalysisTargetKind Kind { get; }

    public AnalysisSide Green { get; }

    public AnalysisSide Blue { get; }

    /// <summary>The Lambda function (its name): the FunctionName dimension.</summary>
    public string? FunctionName { get; set; }

    /// <summary>The Lambda alias released.</summary>
    public string? Alias { get; set; }

    /// <summary>The Resource dimension of an alias's metrics: <c>function:alias</c>.</summary>
    public string? Resource => FunctionName is null || Alias is null ? null : FunctionName + ":" + Alias;

    public IEnumerable<AnalysisSide> Both
    {
        get
        {
            yield return Green;
            yield return Blue;
        }
    }

    /// <summary>The Lambda sides of a release from the release alone (the versions are on it; nothing is read).</summary>
    public static AnalysisSides ForLambda(BlueGreenDeployment deployment)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        return new AnalysisSides(AnalysisTargetKind.Lambda, new AnalysisSide("green") { Version = deployment.GreenVersion }, new AnalysisSide("blue") { Version = deployment.BlueVersion })
        {
            FunctionName = deployment.FunctionName is null ? null : LambdaAliasTarget.FunctionNameOf(deployment.FunctionName),
            Alias = deployment.Alias,
        };
    }

    /// <summary>ECS sides from the target groups (and load balancers) found for each.</summary>
    public static AnalysisSides ForEcs(BlueGreenDeployment deployment, string greenTargetGroupArn, string blueTargetGroupArn, string? greenLoadBalancerArn, string? blueLoadBalancerArn)
    {
        if (deployment is null)
        {
            throw new ArgumentNullException(nameof(deployment));
        }

        return new AnalysisSides(AnalysisTargetKind.Ecs,
            new AnalysisSide("green") { Version = Family(deployment.GreenTaskDefinition), TargetGroupArn = greenTargetGroupArn, LoadBalancerArn = greenLoadBalancerArn },
            new AnalysisSide("blue") { Version = Family(deployment.BlueTaskDefinition), TargetGroupArn = blueTargetGroupArn, LoadBalancerArn = blueLoadBalancerArn });
    }

    /// <summary><c>family:revision</c> of a task definition ARN or name.</summary>
    internal static string? Family(string? taskDefinition) => taskDefinition?.Substring(taskDefinition.LastIndexOf('/') + 1);

    public override string ToString() => $"green {Green} against blue {Blue}";
}
