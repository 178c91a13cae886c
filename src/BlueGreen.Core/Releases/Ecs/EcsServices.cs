using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.ECS.Model;
using BlueGreen.Aws.ElasticLoadBalancingV2;
using BlueGreen.Aws.ElasticLoadBalancingV2.Model;
using BlueGreen.Aws.Runtime;
using EcsService = BlueGreen.Aws.ECS.Model.Service;
using ElbLoadBalancer = BlueGreen.Aws.ElasticLoadBalancingV2.Model.LoadBalancer;

namespace BlueGreen.Core.Releases.Ecs;

/// <summary>
/// What every ECS engine reads and makes the same way, whoever controls the service's deployments: the service, task
/// definitions, a new revision with new images, and the listener URLs a release is reached on.
/// </summary>
public sealed class EcsServices
{
    private readonly AwsContext _context;
    private readonly Func<int> _lostAnswerAttempts;
    private EcsService? _known;

    public EcsServices(AwsContext context, Func<int>? lostAnswerAttempts = null)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _lostAnswerAttempts = lostAnswerAttempts ?? (() => Math.Max(1, context.RetryPolicy.MaxAttempts));
        Ecs = new EcsClient(context);
        Elb = new ElasticLoadBalancingV2Client(context);
    }

    public AwsContext Context => _context;

    public EcsClient Ecs { get; }

    public ElasticLoadBalancingV2Client Elb { get; }

    /// <summary>Hands over a service just read (to choose the engine), so that the next read of it is not sent again.</summary>
    public void Know(EcsService service) => _known = service;

    /// <summary>The service (not INACTIVE), read once: the one handed over by <see cref="Know"/> is used once instead of a read.</summary>
    public async Task<EcsService> DescribeServiceAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        if (_known is { } known && SameName(known.ServiceName ?? known.ServiceArn, service) && (known.ClusterArn is null || SameName(known.ClusterArn, cluster)))
        {
            _known = null;
            return known;
        }

        DescribeServicesResponse response;
        try
        {
            response = await Ecs.DescribeServicesAsync(new DescribeServicesRequest { Cluster = cluster, Services = new List<string> { service } }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == ECSErrorCode.ClusterNotFoundException)
        {
            throw new ReleaseException("ClusterNotFound", ReleaseErrorKind.ObjectNotFound, $"No ECS cluster '{cluster}' exists in {_context.Region}.", cluster,
                "Check -Cluster, and that -Region (and -EndpointUrl) point where the cluster is.", ex);
        }

        return response.Services?.FirstOrDefault(s => s.Status != "INACTIVE")
            ?? throw new ReleaseException("ServiceNotFound", ReleaseErrorKind.ObjectNotFound, $"No ECS service '{service}' exists in cluster '{cluster}' ({_context.Region}).", service,
                "Check -Service and -Cluster.");
    }

    public async Task<TaskDefinition> DescribeTaskDefinitionAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = name }, cancellationToken).ConfigureAwait(false);
            return response.TaskDefinition ?? throw new ReleaseException("TaskDefinitionNotFound", ReleaseErrorKind.ObjectNotFound, $"No task definition '{name}'.", name);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == ECSErrorCode.ClientException)
        {
            throw new ReleaseException("TaskDefinitionNotFound", ReleaseErrorKind.ObjectNotFound, $"No task definition '{name}' exists in {_context.Region}: {ex.Message}", name,
                "Pass an ARN or family:revision of a registered task definition.", ex);
        }
    }

    /// <summary>Checks every -Image value before anything is read.</summary>
    public static void CheckImages(IReadOnlyDictionary<string, string>? images)
    {
        foreach (var image in images ?? new Dictionary<string, string>())
        {
            if (ImageArguments.Problem(image.Value) is { } problem)
            {
                throw new ReleaseException("InvalidImage", ReleaseErrorKind.InvalidArgument, $"The image for container '{image.Key}' ('{image.Value}') is not a valid image reference: {problem}.",
                    image.Value, "Give the image as [registry[:port]/]repository[:tag][@sha256:digest].");
            }
        }
    }

    public static void RequireContainer(TaskDefinition definition, string container, string where)
    {
        if (definition.ContainerDefinitions?.Any(c => c.Name == container) != true)
        {
            throw new ReleaseException("UnknownContainer", ReleaseErrorKind.InvalidArgument,
                $"The task definition {where} has no container '{container}' (it has {string.Join(", ", definition.ContainerDefinitions?.Select(c => c.Name) ?? Array.Empty<string>())}).",
                container, "Name a container of the task definition; the service's load balancer sends traffic to the container it names.");
        }
    }

    /// <summary>The containers of blue that get new images (the empty name is the only container), checked.</summary>
    public static Dictionary<string, string> ImageChanges(TaskDefinition blue, string blueName, IReadOnlyDictionary<string, string> images)
    {
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        var containers = blue.ContainerDefinitions ?? new List<ContainerDefinition>();
        foreach (var pair in images)
        {
            var name = pair.Key;
            if (name.Length == 0)
            {
                if (containers.Count != 1)
                {
                    throw new ReleaseException("AmbiguousContainer", ReleaseErrorKind.InvalidArgument,
                        $"The task definition {blueName} has {containers.Count} containers ({string.Join(", ", containers.Select(c => c.Name))}): say which one gets the image.",
                        pair.Value, "Use -Image 'container=image' or a hashtable @{ container = 'image' }.");
                }

                name = containers[0].Name!;
            }

            RequireContainer(blue, name, blueName);
            changes[name] = pair.Value;
        }

        return changes;
    }

    /// <summary>How a derived green is described: "a new revision of X with c=image".</summary>
    public static string RevisionSource(string blue, IReadOnlyDictionary<string, string> changes) =>
        $"a new revision of {blue} with {string.Join(", ", changes.Select(p => p.Key + "=" + p.Value))}";

    /// <summary>Registers a revision of <paramref name="blue"/> with new images. A lost answer is registered again: nothing
    /// refers to a revision whose answer was lost, so that costs at most an unused revision.</summary>
    public async Task<TaskDefinition> RegisterRevisionAsync(TaskDefinition blue, IReadOnlyDictionary<string, string> images, CancellationToken cancellationToken)
    {
        var containers = blue.ContainerDefinitions!.Select(c =>
        {
            if (images.TryGetValue(c.Name!, out var image))
            {
                c.Image = image;
            }

            return c;
        }).ToList();
        RegisterTaskDefinitionResponse response;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                response = await RegisterAsync().ConfigureAwait(false);
                break;
            }
            catch (AwsServiceException ex) when (ex.OutcomeUnknown && attempt < _lostAnswerAttempts())
            {
                await Task.Delay(_context.RetryPolicy.DelayBefore(attempt, throttled: false), cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException ex) when (ex.OutcomeUnknown)
            {
                throw new ReleaseException("RegisterOutcomeUnknown", ReleaseErrorKind.InvalidOperation,
                    $"The new revision of task definition family '{blue.Family}' (with the new image) could not be registered: AWS's answer was lost {attempt} times in a row ({ex.ErrorCode}). No release was started.",
                    blue.Family, "Run Start-BlueGreenDeployment again: it registers a fresh revision; the unused revisions it may have left are never deployed.", ex);
            }
        }

        return response.TaskDefinition ?? throw new ReleaseException("RegisterFailed", ReleaseErrorKind.InvalidOperation, "ECS registered the task definition but returned none.");

        Task<RegisterTaskDefinitionResponse> RegisterAsync() => Ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = blue.Family,
            TaskRoleArn = blue.TaskRoleArn,
            ExecutionRoleArn = blue.ExecutionRoleArn,
            NetworkMode = blue.NetworkMode,
            ContainerDefinitions = containers,
            Volumes = blue.Volumes,
            PlacementConstraints = blue.PlacementConstraints,
            RequiresCompatibilities = blue.RequiresCompatibilities,
            Cpu = blue.Cpu,
            Memory = blue.Memory,
            PidMode = blue.PidMode,
            IpcMode = blue.IpcMode,
            ProxyConfiguration = blue.ProxyConfiguration,
            InferenceAccelerators = blue.InferenceAccelerators,
            RuntimePlatform = blue.RuntimePlatform,
            EphemeralStorage = blue.EphemeralStorage,
            EnableFaultInjection = blue.EnableFaultInjection,
        }, cancellationToken);
    }

    /// <summary>The URLs of two listeners (production, test), read with one DescribeListeners and one DescribeLoadBalancers.
    /// On a loopback endpoint (the sandbox), however it was named, the load balancer's <c>.localhost</c> name is replaced by the endpoint's own address.</summary>
    public async Task<(string? Production, string? Test)> ListenerUrlsAsync(string? productionListenerArn, string? testListenerArn, CancellationToken cancellationToken)
    {
        var arns = new[] { productionListenerArn, testListenerArn }.Where(a => a is not null).Select(a => a!).Distinct().ToList();
        if (arns.Count == 0)
        {
            return (null, null);
        }

        var listeners = (await Elb.DescribeListenersAsync(new DescribeListenersRequest { ListenerArns = arns }, cancellationToken).ConfigureAwait(false)).Listeners ?? new List<Listener>();
        var balancerArns = listeners.Select(l => l.LoadBalancerArn).Where(a => a is not null).Select(a => a!).Distinct().ToList();
        var balancers = balancerArns.Count == 0 ? new List<ElbLoadBalancer>()
            : (await Elb.DescribeLoadBalancersAsync(new DescribeLoadBalancersRequest { LoadBalancerArns = balancerArns }, cancellationToken).ConfigureAwait(false)).LoadBalancers ?? new List<ElbLoadBalancer>();
        string? Url(string? arn)
        {
            var listener = listeners.FirstOrDefault(l => l.ListenerArn == arn);
            if (listener is null)
            {
                return null;
            }

            var host = balancers.FirstOrDefault(b => b.LoadBalancerArn == listener.LoadBalancerArn)?.DNSName ?? "localhost";
            // The endpoint the load balancer API was reached at, however it was named (-EndpointUrl, AWS_ENDPOINT_URL, a profile).
            var uri = _context.GetEndpoint(Elb.Service);
            if (uri.IsLoopback && host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            {
                host = uri.Host;
            }

            var scheme = listener.Protocol == "HTTPS" ? "https" : "http";
            return string.Format(CultureInfo.InvariantCulture, "{0}://{1}:{2}/", scheme, host, listener.Port ?? (scheme == "https" ? 443 : 80));
        }

        return (Url(productionListenerArn), Url(testListenerArn));
    }

    /// <summary>The listener a rule belongs to, from the rule's ARN (<c>...:listener-rule/app/lb/id/listener-id/rule-id</c>);
    /// an NLB's "rule" is the listener itself.</summary>
    public static string? ListenerOfRule(string? ruleArn)
    {
        if (ruleArn is null)
        {
            return null;
        }

        const string marker = ":listener-rule/";
        var at = ruleArn.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return ruleArn;
        }

        var path = ruleArn.Substring(at + marker.Length);
        var cut = path.LastIndexOf('/');
        return cut < 0 ? null : ruleArn.Substring(0, at) + ":listener/" + path.Substring(0, cut);
    }

    /// <summary>The last part of a name or ARN.</summary>
    public static string Last(string nameOrArn) => nameOrArn.Substring(nameOrArn.LastIndexOf('/') + 1);

    private static bool SameName(string? a, string? b) => a is not null && b is not null && string.Equals(Last(a), Last(b), StringComparison.Ordinal);
}
