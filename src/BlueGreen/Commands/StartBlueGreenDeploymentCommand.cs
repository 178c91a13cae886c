using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Starts a blue/green release of an ECS service: green goes up beside blue, gets test traffic, then production traffic as the policy says.</summary>
[Cmdlet(VerbsLifecycle.Start, "BlueGreenDeployment", DefaultParameterSetName = ByImageSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BlueGreenDeployment))]
public sealed class StartBlueGreenDeploymentCommand : ReleaseCmdlet
{
    private const string ByImageSet = "ByImage";
    private const string ByTaskDefinitionSet = "ByTaskDefinition";
    private static readonly char[] WhiteSpace = { ' ', '\t', '\n', '\r' };

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = null!;

    [Parameter(Mandatory = true)]
    [Alias("ServiceName")]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = null!;

    /// <summary>The task definition to release: an ARN, family:revision, or family (latest revision).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByTaskDefinitionSet)]
    [ValidateNotNullOrEmpty]
    public string TaskDefinition { get; set; } = null!;

    /// <summary>'container=image', a hashtable of them, or a plain image for a one-container task.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByImageSet)]
    [ValidateNotNull]
    public object Image { get; set; } = null!;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApplicationName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DeploymentGroupName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TrafficShiftCompleter))]
    public string? TrafficShift { get; set; }

    /// <summary>Lambda hooks by lifecycle event, e.g. @{ BeforeAllowTraffic = 'check' }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Hook { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Description { get; set; }

    /// <summary>Waits until the release has succeeded, with progress.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessRecord()
    {
        var request = BuildRequest();
        if (request is null)
        {
            return;
        }

        var context = AwsContext;
        var engine = ReleaseEngines.ForEcsService(context);
        ReleasePlan? plan = null;
        RunAsync(cancellationToken => GuardAsync(Service, async () => plan = await engine.PlanAsync(request, cancellationToken).ConfigureAwait(false)));
        if (plan is null)
        {
            return;
        }

        var caption = $"Start a blue/green release of service '{Service}' in cluster '{Cluster}'";
        if (!ShouldProcess(plan.Describe(), caption + "?", "Start-BlueGreenDeployment"))
        {
            return;
        }

        string? started = null;
        try
        {
            RunAsync(cancellationToken => GuardAsync(Service, async () =>
            {
                var deployment = await engine.StartAsync(plan, cancellationToken).ConfigureAwait(false);
                started = deployment.DeploymentId;
                EmitVerbose($"Started release {deployment.DeploymentId} of {Service}: {plan.GreenTaskDefinition} with {plan.Policy.DeploymentConfigName}.");
                if (Wait)
                {
                    deployment = await WatchAsync(engine, deployment, WaitTarget.Succeeded, null, cancellationToken).ConfigureAwait(false);
                    if (deployment.Status != DeploymentStatus.Succeeded)
                    {
                        EmitError(EndedBadly(deployment, "Succeeded"));
                    }
                }

                Emit(deployment);
            }));
        }
        catch (PipelineStoppedException)
        {
            SayStillRunning(started);
            throw;
        }
    }

    private ReleaseRequest? BuildRequest()
    {
        var request = new ReleaseRequest(Cluster, Service)
        {
            ApplicationName = ApplicationName,
            DeploymentGroupName = DeploymentGroupName,
            Description = Description,
        };
        if (ApplicationName is null && DeploymentGroupName is not null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-DeploymentGroupName needs -ApplicationName.", nameof(DeploymentGroupName)),
                "GroupWithoutApplication", ErrorCategory.InvalidArgument, DeploymentGroupName, "Give both, or neither to find the group that owns the service."));
        }

        if (TrafficShift is not null)
        {
            if (!TrafficShiftPolicy.TryParse(TrafficShift, out var policy, out var problem))
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException(problem, nameof(TrafficShift)), "InvalidTrafficShift", ErrorCategory.InvalidArgument, TrafficShift,
                    "Examples: AllAtOnce, Canary10Percent5Minutes, Linear20PercentEvery3Minutes."));
            }

            request.TrafficShift = policy;
        }

        if (Hook is not null)
        {
            var hooks = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in Hook)
            {
                hooks[entry.Key?.ToString() ?? string.Empty] = (entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value)?.ToString() ?? string.Empty;
            }

            var problem = EcsAppSpec.ValidateHooks(hooks);
            if (problem is not null)
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException(problem, nameof(Hook)), "InvalidHook", ErrorCategory.InvalidArgument, Hook,
                    "Name hooks after ECS lifecycle events, e.g. @{ BeforeAllowTraffic = 'my-check-function' }."));
            }

            request.Hooks = hooks;
        }

        if (ParameterSetName == ByTaskDefinitionSet)
        {
            request.TaskDefinition = TaskDefinition;
            return request;
        }

        var images = ParseImages(Image);
        if (images is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-Image takes 'container=image', a hashtable @{ container = 'image' }, or a plain image for a task with one container.", nameof(Image)),
                "InvalidImage", ErrorCategory.InvalidArgument, Image, "Example: -Image 'web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2.4.1'."));
        }

        request.Images = images;
        return request;
    }

    /// <summary>Container name to image ("" for the only container); null when the value is not one of the accepted shapes.</summary>
    internal static Dictionary<string, string>? ParseImages(object? value)
    {
        value = value is PSObject wrapped ? wrapped.BaseObject : value;
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (value)
        {
            case string text:
                text = text.Trim();
                if (text.Length == 0 || text.IndexOfAny(WhiteSpace) >= 0)
                {
                    return null;
                }

                var equals = text.IndexOf('=');
                if (equals < 0)
                {
                    images[string.Empty] = text;
                }
                else if (equals == 0 || equals == text.Length - 1)
                {
                    return null;
                }
                else
                {
                    images[text.Substring(0, equals)] = text.Substring(equals + 1);
                }

                return images;
            case IDictionary table:
                foreach (DictionaryEntry entry in table)
                {
                    var name = entry.Key?.ToString();
                    var image = (entry.Value is PSObject inner ? inner.BaseObject : entry.Value)?.ToString();
                    if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(image))
                    {
                        return null;
                    }

                    images[name!] = image!.Trim();
                }

                return images.Count == 0 ? null : images;
            case object[] many:
                foreach (var item in many)
                {
                    var one = ParseImages(item);
                    if (one is null || one.ContainsKey(string.Empty))
                    {
                        return null;
                    }

                    foreach (var pair in one)
                    {
                        images[pair.Key] = pair.Value;
                    }
                }

                return images.Count == 0 ? null : images;
            default:
                return null;
        }
    }
}

/// <summary>Completes -TrafficShift with the predefined names.</summary>
public sealed class TrafficShiftCompleter : IArgumentCompleter
{
    private static readonly string[] Names =
    {
        "AllAtOnce", "Canary10Percent5Minutes", "Canary10Percent15Minutes", "Linear10PercentEvery1Minutes", "Linear10PercentEvery3Minutes",
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        foreach (var name in Names)
        {
            if (name.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(name);
            }
        }
    }
}
