using System;
using System.Management.Automation;
using BlueGreen.Completion;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Gets a release by id, refreshes a piped one, or finds the latest (or every) release of a service.</summary>
[Cmdlet(VerbsCommon.Get, "BlueGreenDeployment", DefaultParameterSetName = ByObjectSet, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Get-BlueGreenDeployment.md")]
[OutputType(typeof(BlueGreenDeployment))]
[OutputType(typeof(BlueGreen.Core.Trains.BlueGreenTrain), ParameterSetName = new[] { ByIdSet })]
public sealed class GetBlueGreenDeploymentCommand : ReleaseCmdlet
{
    // Reading is not releasing: a look at past releases says nothing about this step.
    protected override bool ReportsToPipeline => false;

    private const string ByIdSet = "ById";
    private const string ByObjectSet = "ByObject";
    private const string ByServiceSet = "ByService";
    private const string ByAliasSet = "ByAlias";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DeploymentId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentIdCompleter))]
    public string[] Id { get; set; } = null!;

    /// <summary>A deployment to read again, where it lives (its region, endpoint and profile).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BlueGreenDeployment[] InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByServiceSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    public string Cluster { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByServiceSet)]
    [Alias("ServiceName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    public string Service { get; set; } = null!;

    /// <summary>The Lambda function whose alias's releases are read.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByAliasSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FunctionNameCompleter))]
    public string FunctionName { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByAliasSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(AliasCompleter))]
    public string Alias { get; set; } = null!;

    /// <summary>Who releases the alias: Module reads the releases this module drives itself.</summary>
    [Parameter(ParameterSetName = ByAliasSet)]
    public ReleaseController Controller { get; set; } = ReleaseController.Auto;

    /// <summary>The CodeDeploy application that releases the service or alias: only its groups are read, instead of every group in the region.</summary>
    [Parameter(ParameterSetName = ByServiceSet)]
    [Parameter(ParameterSetName = ByAliasSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApplicationNameCompleter))]
    public string? ApplicationName { get; set; }

    /// <summary>The deployment group that releases it (with -ApplicationName): read straight away, no group is looked for.</summary>
    [Parameter(ParameterSetName = ByServiceSet)]
    [Parameter(ParameterSetName = ByAliasSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentGroupNameCompleter))]
    public string? DeploymentGroupName { get; set; }

    /// <summary>Every release of the service, newest first, instead of the latest.</summary>
    [Parameter(ParameterSetName = ByServiceSet)]
    [Parameter(ParameterSetName = ByAliasSet)]
    public SwitchParameter All { get; set; }

    /// <summary>Only releases in one of these states; reads the history, as -All does.</summary>
    [Parameter(ParameterSetName = ByServiceSet)]
    [Parameter(ParameterSetName = ByAliasSet)]
    [ValidateNotNullOrEmpty]
    public DeploymentStatus[] Status { get; set; } = null!;

    /// <summary>Only releases created at or after this time; reads the history, as -All does.</summary>
    [Parameter(ParameterSetName = ByServiceSet)]
    [Parameter(ParameterSetName = ByAliasSet)]
    public DateTime Since { get; set; }

    /// <summary>At most this many releases, newest first, of those the other filters keep.</summary>
    [Parameter(ParameterSetName = ByServiceSet)]
    [Parameter(ParameterSetName = ByAliasSet)]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; }

    /// <summary>The group the caller named, checked before anything is read.</summary>
    private CodeDeployGroupName? NamedGroup()
    {
        var controller = ParameterSetName == ByAliasSet ? Controller : ReleaseController.Auto;
        if (ApplicationName is null && DeploymentGroupName is not null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-DeploymentGroupName needs -ApplicationName.", nameof(DeploymentGroupName)),
                "GroupWithoutApplication", ErrorCategory.InvalidArgument, DeploymentGroupName, "Give both, or neither to find the group that owns the target."));
        }

        if (ApplicationName is not null && controller is not (ReleaseController.Auto or ReleaseController.CodeDeploy))
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"-ApplicationName names a CodeDeploy group, but -Controller {controller} releases without one.", nameof(ApplicationName)),
                "GroupWithoutCodeDeploy", ErrorCategory.InvalidArgument, ApplicationName, "Leave out -ApplicationName and -DeploymentGroupName, or -Controller."));
        }

        return CodeDeployGroupName.Of(ApplicationName, DeploymentGroupName);
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case ByServiceSet or ByAliasSet:
                ReleaseTarget target = ParameterSetName == ByAliasSet ? new LambdaAliasTarget(FunctionName, Alias) : new EcsServiceTarget(Cluster, Service);
                var controller = ParameterSetName == ByAliasSet ? Controller : ReleaseController.Auto;
                var group = NamedGroup();
                if (group is not null)
                {
                    // A named group is CodeDeploy's: no need to read the target to learn who releases it.
                    controller = ReleaseController.CodeDeploy;
                }

                var context = AwsContext;
                var filter = new HistoryFilter(
                    Status,
                    MyInvocation.BoundParameters.ContainsKey(nameof(Since)) ? Since : null,
                    MyInvocation.BoundParameters.ContainsKey(nameof(First)) ? First : null);
                // A filter looks through the history: the latest release alone might not be the one asked for.
                var history = All || !filter.IsEmpty;
                RunAsync(cancellationToken => GuardAsync(target.Key, async () =>
                {
                    // Choosing the engine reads the target (an ECS service's controller): it rides out throttling as the read does.
                    var serviceEngine = await ReadAsync(token => ReleaseEngines.ForTargetAsync(context, target, controller, group?.ApplicationName, token), cancellationToken).ConfigureAwait(false);
                    foreach (var deployment in filter.Apply(await ReadAsync(token => serviceEngine.GetForTargetAsync(target, history, group, token), cancellationToken).ConfigureAwait(false)))
                    {
                        Emit(deployment);
                    }
                }));
                break;
            case ByObjectSet:
                foreach (var item in InputObject)
                {
                    var engine = ReleaseEngines.ForDeployment(ContextFor(item), item);
                    RunAsync(cancellationToken => GuardAsync(item.DeploymentId, async () => Emit(await ReadAsync(token => engine.GetAsync(item.DeploymentId, token), cancellationToken).ConfigureAwait(false))));
                }

                break;
            default:
                foreach (var id in Id)
                {
                    if (BlueGreen.Core.Trains.TrainRecord.IsTrainId(id))
                    {
                        var store = TrainStore;
                        RunAsync(cancellationToken => GuardAsync(id, async () =>
                        {
                            var record = await ReadAsync(token => store.LoadAsync(id, token), cancellationToken).ConfigureAwait(false) ?? throw TrainNotFound(id);
                            Emit(BlueGreen.Core.Trains.BlueGreenTrain.From(record));
                        }));
                        continue;
                    }

                    if (!CheckId(id))
                    {
                        continue;
                    }

                    var byId = ReleaseEngines.ForDeployment(ContextFor(null, id), null, id);
                    RunAsync(cancellationToken => GuardAsync(id, async () => Emit(await ReadAsync(token => byId.GetAsync(id, token), cancellationToken).ConfigureAwait(false))));
                }

                break;
        }
    }
}
