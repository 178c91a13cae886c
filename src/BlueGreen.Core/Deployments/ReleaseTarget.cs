using System;

namespace BlueGreen.Core.Deployments;

/// <summary>What a release changes: an ECS service, a Lambda function's alias, ... Engines take the kind they serve.</summary>
public abstract record ReleaseTarget
{
    /// <summary>The kind of target, for messages and views: <c>EcsService</c>, <c>LambdaAlias</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>How a person names it, e.g. <c>service 'web' in cluster 'prod'</c>.</summary>
    public abstract string DisplayName { get; }

    /// <summary>A stable key, e.g. <c>ecs:prod/web</c> or <c>lambda:orders:live</c>.</summary>
    public abstract string Key { get; }

    public sealed override string ToString() => DisplayName;
}

/// <summary>An ECS service in a cluster (names, not ARNs).</summary>
public sealed record EcsServiceTarget : ReleaseTarget
{
    public EcsServiceTarget(string cluster, string service)
    {
        Cluster = LastPart(cluster ?? throw new ArgumentNullException(nameof(cluster)));
        Service = LastPart(service ?? throw new ArgumentNullException(nameof(service)));
    }

    public string Cluster { get; }

    public string Service { get; }

    public override string Kind => "EcsService";

    public override string DisplayName => $"service '{Service}' in cluster '{Cluster}'";

    public override string Key => $"ecs:{Cluster}/{Service}";

    private static string LastPart(string nameOrArn) => nameOrArn.Substring(nameOrArn.LastIndexOf('/') + 1);
}

/// <summary>An alias of a Lambda function: the alias is what callers invoke, so it is what a release moves.</summary>
public sealed record LambdaAliasTarget : ReleaseTarget
{
    public LambdaAliasTarget(string functionName, string alias)
    {
        FunctionName = FunctionNameOf(functionName ?? throw new ArgumentNullException(nameof(functionName)));
        Alias = alias ?? throw new ArgumentNullException(nameof(alias));
    }

    /// <summary>The function's name, also when an ARN was given.</summary>
    public string FunctionName { get; }

    public string Alias { get; }

    public override string Kind => "LambdaAlias";

    public override string DisplayName => $"alias '{Alias}' of function '{FunctionName}'";

    public override string Key => $"lambda:{FunctionName}:{Alias}";

    /// <summary>The name in <c>arn:aws:lambda:region:account:function:name[:qualifier]</c>, or the name itself.</summary>
    public static string FunctionNameOf(string nameOrArn)
    {
        var parts = nameOrArn.Split(':');
        if (parts.Length >= 7 && parts[0] == "arn" && parts[5] == "function")
        {
            return parts[6];
        }

        return parts.Length == 3 && parts[1] == "function" ? parts[2] : nameOrArn;
    }
}
