using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.CodeDeploy;
using BlueGreen.Aws.CodeDeploy.Model;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Lambda.Model;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Core.Completion;

/// <summary>The kinds of AWS names a prompt can complete.</summary>
public enum AwsNameKind
{
    Cluster,
    Service,
    TaskDefinitionFamily,
    TaskDefinitionRevision,
    Function,
    Alias,
    Application,
    DeploymentGroup,
    DeploymentId,
}

/// <summary>
/// AWS names for tab completion: read once per kind, scope and place (region, endpoint, credentials), kept for
/// <see cref="Lifetime"/>, and never waited for longer than <see cref="Wait"/>. A lookup that fails, or is not
/// there in time, gives no names (an answer that arrives late fills the cache for the next Tab).
/// </summary>
public sealed class AwsNames
{
    /// <summary>Most names AWS lists in one page; completion reads a few pages at most.</summary>
    private const int MaxPages = 5;

    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly Func<DateTimeOffset> _clock;

    public AwsNames(TimeSpan lifetime, TimeSpan wait, Func<DateTimeOffset>? clock = null)
    {
        Lifetime = lifetime;
        Wait = wait;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>The lookups of the process: 45 s of life, 1.5 s of waiting at most.</summary>
    public static AwsNames Shared { get; } = new(TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(1.5));

    public TimeSpan Lifetime { get; }

    public TimeSpan Wait { get; }

    /// <summary>
    /// The names of <paramref name="kind"/> (within <paramref name="scope"/>: the cluster of services, the function of
    /// aliases, the application of groups, the family of revisions) in the place <paramref name="place"/> names.
    /// <paramref name="resolve"/> makes the context, off the caller's thread (resolving credentials may itself call out).
    /// Never throws; returns within about <see cref="Wait"/>.
    /// </summary>
    public IReadOnlyList<string> Find(string place, AwsNameKind kind, string? scope, Func<AwsContext> resolve)
    {
        if (resolve is null)
        {
            return Array.Empty<string>();
        }

        var key = $"{kind}|{scope}|{place}";
        var now = _clock();
        var entry = _cache.AddOrUpdate(key,
            _ => Start(kind, scope, resolve, now),
            (_, known) => known.Expires > now ? known : Start(kind, scope, resolve, now));

        try
        {
            return entry.Names.Wait(Wait) && entry.Names.Status == TaskStatus.RanToCompletion ? entry.Names.Result : Array.Empty<string>();
        }
        catch (AggregateException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>Forgets every name read (tests; a user who just created something can also wait out the lifetime).</summary>
    public void Clear() => _cache.Clear();

    private Entry Start(AwsNameKind kind, string? scope, Func<AwsContext> resolve, DateTimeOffset now)
    {
        // The whole lookup, retries included, is bounded: a completion is worth one quick try.
        var limit = TimeSpan.FromTicks(Wait.Ticks * 2);
        var task = Task.Run(async () =>
        {
            using var cancel = new CancellationTokenSource(limit);
            var context = resolve();
            context.RetryPolicy = new AwsRetryPolicy { MaxAttempts = 1, AttemptTimeout = limit };
            var names = await ReadAsync(context, kind, scope, cancel.Token).ConfigureAwait(false);
            return (IReadOnlyList<string>)names.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).ToList();
        });

        // Observe a failure so that it is never rethrown on the finalizer thread.
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return new Entry(task, now + Lifetime);
    }

    private static async Task<IEnumerable<string>> ReadAsync(AwsContext context, AwsNameKind kind, string? scope, CancellationToken token)
    {
        switch (kind)
        {
            case AwsNameKind.Cluster:
            {
                var pages = await Pages(next => new EcsClient(context).ListClustersAsync(new ListClustersRequest { NextToken = next }, token), p => p.NextToken, token).ConfigureAwait(false);
                return pages.SelectMany(p => p.ClusterArns ?? new List<string>()).Select(LastName);
            }

            case AwsNameKind.Service:
            {
                var pages = await Pages(next => new EcsClient(context).ListServicesAsync(new ListServicesRequest { Cluster = scope, NextToken = next }, token), p => p.NextToken, token).ConfigureAwait(false);
                return pages.SelectMany(p => p.ServiceArns ?? new List<string>()).Select(LastName);
            }

            case AwsNameKind.TaskDefinitionFamily:
            {
                var pages = await Pages(next => new EcsClient(context).ListTaskDefinitionFamiliesAsync(new ListTaskDefinitionFamiliesRequest { Status = "ACTIVE", NextToken = next }, token), p => p.NextToken, token).ConfigureAwait(false);
                return pages.SelectMany(p => p.Families ?? new List<string>());
            }

            case AwsNameKind.TaskDefinitionRevision:
            {
                // Newest first: the revision a release usually wants is the one just registered.
                var pages = await Pages(next => new EcsClient(context).ListTaskDefinitionsAsync(new ListTaskDefinitionsRequest { FamilyPrefix = scope, Sort = "DESC", NextToken = next }, token), p => p.NextToken, token).ConfigureAwait(false);
                return pages.SelectMany(p => p.TaskDefinitionArns ?? new List<string>()).Select(LastName);
            }

            case AwsNameKind.Function:
            {
                var pages = await Pages(next => new LambdaClient(context).ListFunctionsAsync(new ListFunctionsRequest { Marker = next }, token), p => p.NextMarker, token).ConfigureAwait(false);
                return pages.SelectMany(p => p.Functions ?? new List<FunctionConfiguration>()).Select(f => f.FunctionName ?? string.Empty);
            }

            case AwsNameKind.Alias:
            {
                var pages = await Pages(next => new LambdaClient(context).ListAliasesAsync(new ListAliasesRequest { FunctionName = scope, Marker = next }, token), p => p.NextMarker, token).ConfigureAwait(false);
                return pages.SelectMany(p => p.Aliases ?? new List<AliasConfiguration>()).Select(a => a.Name ?? string.Empty);
            }

            case AwsNameKind.Application:
            {
                var pages = await Pages(next => new CodeDeployClient(context).ListApplicationsAsync(new ListApplicationsRequest { NextToken = next }, token), p => p.NextToken, token).ConfigureAwait(false);
                return pages.SelectMany(p => p.Applications ?? new List<string>());
            }

            case AwsNameKind.DeploymentGroup:
            {
                var pages = await Pages(next => new CodeDeployClient(context).ListDeploymentGroupsAsync(new ListDeploymentGroupsRequest { ApplicationName = scope, NextToken = next }, token), p => p.NextToken, token).ConfigureAwait(false);
                return pages.SelectMany(p => p.DeploymentGroups ?? new List<string>());
            }

            case AwsNameKind.DeploymentId:
            {
                // Scope "application/group" narrows to one group; the first page is the recent releases.
                var slash = scope?.IndexOf('/') ?? -1;
                var request = slash > 0
                    ? new ListDeploymentsRequest { ApplicationName = scope!.Substring(0, slash), DeploymentGroupName = scope.Substring(slash + 1) }
                    : new ListDeploymentsRequest();
                var page = await new CodeDeployClient(context).ListDeploymentsAsync(request, token).ConfigureAwait(false);
                return page.Deployments ?? new List<string>();
            }

            default:
                return Array.Empty<string>();
        }
    }

    private static async Task<List<T>> Pages<T>(Func<string?, Task<T>> read, Func<T, string?> nextOf, CancellationToken token)
    {
        var pages = new List<T>();
        string? next = null;
        do
        {
            token.ThrowIfCancellationRequested();
            var page = await read(next).ConfigureAwait(false);
            pages.Add(page);
            next = nextOf(page);
        }
        while (!string.IsNullOrEmpty(next) && pages.Count < MaxPages);

        return pages;
    }

    /// <summary>The name at the end of an ARN (cluster/name, service/cluster/name, task-definition/family:revision).</summary>
    private static string LastName(string arn)
    {
        var slash = arn.LastIndexOf('/');
        return slash >= 0 ? arn.Substring(slash + 1) : arn;
    }

    private sealed class Entry
    {
        public Entry(Task<IReadOnlyList<string>> names, DateTimeOffset expires)
        {
            Names = names;
            Expires = expires;
        }

        public Task<IReadOnlyList<string>> Names { get; }

        public DateTimeOffset Expires { get; }
    }
}
