using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Completion;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Schema;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Starts a blue/green release of an ECS service or a Lambda alias: green goes up beside blue (with test traffic where the
/// target has it), then takes production traffic as the policy says.</summary>
[Cmdlet(VerbsLifecycle.Start, "BlueGreenDeployment", DefaultParameterSetName = ByImageSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Start-BlueGreenDeployment.md")]
[OutputType(typeof(BlueGreenDeployment))]
[OutputType(typeof(BlueGreen.Core.Trains.BlueGreenTrain), ParameterSetName = new[] { TrainSet, TargetsSet })]
public sealed class StartBlueGreenDeploymentCommand : ReleaseCmdlet
{
    private const string TrainSet = "Train";
    private const string TargetsSet = "Targets";

    // Parameters of a single release that a train takes per target instead.
    private static readonly string[] SingleReleaseOnly = { "Controller", "Alarm", "ApplicationName", "DeploymentGroupName", "TrafficShift", "Hook", "Description", "Wait", "Migration", "ConnectionString", "Dialect" };

    private readonly List<System.Collections.IDictionary> _pipedTargets = new();
    private const string ByImageSet = "ByImage";
    private const string ByTaskDefinitionSet = "ByTaskDefinition";
    private const string LambdaVersionSet = "LambdaVersion";
    private const string LambdaZipSet = "LambdaZip";
    private const string LambdaImageSet = "LambdaImage";
    private const string LambdaS3Set = "LambdaS3";

    private static readonly string[] HookProperties = { "DeploymentPreference.Hooks", "DeploymentPreference.Hooks.PreTraffic", "DeploymentPreference.Hooks.PostTraffic" };

    // Lambda's limit for a zip uploaded in the request; larger code goes through S3.
    private const long MaxZipBytes = 50L * 1024 * 1024;

    [Parameter(Mandatory = true, ParameterSetName = ByImageSet)]
    [Parameter(Mandatory = true, ParameterSetName = ByTaskDefinitionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    public string Cluster { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByImageSet)]
    [Parameter(Mandatory = true, ParameterSetName = ByTaskDefinitionSet)]
    [Alias("ServiceName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    public string Service { get; set; } = null!;

    /// <summary>The Lambda function released (name or ARN).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LambdaVersionSet)]
    [Parameter(Mandatory = true, ParameterSetName = LambdaZipSet)]
    [Parameter(Mandatory = true, ParameterSetName = LambdaImageSet)]
    [Parameter(Mandatory = true, ParameterSetName = LambdaS3Set)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FunctionNameCompleter))]
    public string FunctionName { get; set; } = null!;

    /// <summary>The alias callers invoke; taken from the SAM template's AutoPublishAlias when not given.</summary>
    [Parameter(ParameterSetName = LambdaVersionSet)]
    [Parameter(ParameterSetName = LambdaZipSet)]
    [Parameter(ParameterSetName = LambdaImageSet)]
    [Parameter(ParameterSetName = LambdaS3Set)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(AliasCompleter))]
    public string? Alias { get; set; }

    /// <summary>A published version of the function to release.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LambdaVersionSet)]
    [ValidateNotNullOrEmpty]
    public string Version { get; set; } = null!;

    /// <summary>A zip of new code: uploaded, published as a version, then released.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LambdaZipSet)]
    [ValidateNotNullOrEmpty]
    public string ZipFile { get; set; } = null!;

    /// <summary>A container image for a function packaged as an image.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LambdaImageSet)]
    [ValidateNotNullOrEmpty]
    public string ImageUri { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = LambdaS3Set)]
    [ValidateNotNullOrEmpty]
    public string S3Bucket { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = LambdaS3Set)]
    [ValidateNotNullOrEmpty]
    public string S3Key { get; set; } = null!;

    [Parameter(ParameterSetName = LambdaS3Set)]
    [ValidateNotNullOrEmpty]
    public string? S3ObjectVersion { get; set; }

    /// <summary>An AWS SAM template whose function's AutoPublishAlias and DeploymentPreference (Type, Alarms, Hooks,
    /// Enabled) fill what the command line does not give.</summary>
    [Parameter(ParameterSetName = LambdaVersionSet)]
    [Parameter(ParameterSetName = LambdaZipSet)]
    [Parameter(ParameterSetName = LambdaImageSet)]
    [Parameter(ParameterSetName = LambdaS3Set)]
    [ValidateNotNullOrEmpty]
    public string? SamTemplate { get; set; }

    /// <summary>Values of the SAM template's parameters (and AWS::Region, AWS::AccountId, AWS::StackName), as sam deploy's --parameter-overrides.</summary>
    [Parameter(ParameterSetName = LambdaVersionSet)]
    [Parameter(ParameterSetName = LambdaZipSet)]
    [Parameter(ParameterSetName = LambdaImageSet)]
    [Parameter(ParameterSetName = LambdaS3Set)]
    [ValidateNotNull]
    public Hashtable? SamParameter { get; set; }

    /// <summary>Who moves the traffic: Auto (an ECS service's own controller: CodeDeploy or ECS; CodeDeploy when a group releases
    /// a Lambda alias, else the module), CodeDeploy, Service (ECS's own blue/green deployments), or Module (the module shifts a
    /// Lambda alias's weights itself, keeping its progress on the alias).</summary>
    [Parameter]
    public ReleaseController Controller { get; set; } = ReleaseController.Auto;

    /// <summary>CloudWatch alarms that roll the release back when they fire (ECS's own deployments and module-driven releases; a CodeDeploy group has its own).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Alarm { get; set; }

    /// <summary>The task definition to release: an ARN, family:revision, or family (latest revision).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByTaskDefinitionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskDefinitionCompleter))]
    public string TaskDefinition { get; set; } = null!;

    /// <summary>'container=image', a hashtable of them, or a plain image for a one-container task.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByImageSet)]
    [ValidateNotNull]
    public object Image { get; set; } = null!;

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApplicationNameCompleter))]
    public string? ApplicationName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentGroupNameCompleter))]
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

    /// <summary>How long blue is kept after all production traffic moved (ECS's own deployments): minutes (10) or a TimeSpan
    /// ('00:10:00'); Set-TrafficShift -Complete ends it early. Without it the service's own bake is kept.</summary>
    [Parameter(ParameterSetName = ByImageSet)]
    [Parameter(ParameterSetName = ByTaskDefinitionSet)]
    [DurationTransformation(DurationUnit.Minutes)]
    public TimeSpan BakeTime { get; set; }

    /// <summary>Waits until the release has succeeded, with progress.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>A migrations folder whose expand phase runs before the deployment is created (see docs/schema.md).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Migration { get; set; }

    /// <summary>The database the migrations apply to; its password never appears in output.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    [Parameter]
    public SqlDialect Dialect { get; set; } = SqlDialect.PostgreSql;

    /// <summary>A release train: a hashtable, or the path of a .psd1 file holding one (read as data: nothing in it runs), with
    /// waves of targets (see docs/trains.md).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TrainSet)]
    [ValidateNotNull]
    public object Train { get; set; } = null!;

    /// <summary>Targets piped in, released as one wave of a train: hashtables or objects with a target's keys
    /// (Cluster and Service, or FunctionName and Alias; TaskDefinition, Image or Version; Region, TrafficShift, ...).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TargetsSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>How many targets of a wave are released at once, at most (each wave's own ThrottleLimit, if lower, holds).</summary>
    [Parameter(ParameterSetName = TrainSet)]
    [Parameter(ParameterSetName = TargetsSet)]
    [ValidateRange(1, 100)]
    public int ThrottleLimit { get; set; }

    /// <summary>The name of a train of piped targets.</summary>
    [Parameter(ParameterSetName = TargetsSet)]
    [ValidatePattern("^[A-Za-z0-9_-]{1,64}$")]
    public string? Name { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (ParameterSetName is TrainSet or TargetsSet && SingleReleaseOnly.FirstOrDefault(MyInvocation.BoundParameters.ContainsKey) is { } single)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"-{single} is for a single release; a train takes it per target.", single),
                "ParameterNotForTrain", ErrorCategory.InvalidArgument, single, $"Give {single} in each target of the train (see docs/trains.md), or leave it out."));
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == TargetsSet && _pipedTargets.Count > 0)
        {
            var definition = ReadTrain(() => BlueGreen.Core.Trains.TrainDefinition.FromDictionary(new System.Collections.Hashtable
            {
                ["Name"] = Name ?? "targets",
                ["Waves"] = new object[] { new System.Collections.Hashtable { ["Name"] = "targets", ["Targets"] = _pipedTargets.Cast<object>().ToArray() } },
            }));
            StartTrain(definition);
        }

        base.EndProcessing();
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == TargetsSet)
        {
            _pipedTargets.Add(AsTable(InputObject));
            return;
        }

        if (ParameterSetName == TrainSet)
        {
            var raw = Train is PSObject wrapped ? wrapped.BaseObject : Train;
            var definition = ReadTrain(() => BlueGreen.Core.Trains.TrainDefinition.FromDictionary(raw switch
            {
                System.Collections.IDictionary table => (System.Collections.IDictionary)AnalysisArgument.Plain(table)!,
                string path => (System.Collections.IDictionary)AnalysisArgument.Plain(AnalysisArgument.ReadDataFile(this, path, nameof(Train), "Train"))!,
                System.IO.FileInfo file => (System.Collections.IDictionary)AnalysisArgument.Plain(AnalysisArgument.ReadDataFile(this, file.FullName, nameof(Train), "Train"))!,
                _ => throw new BlueGreen.Core.Trains.TrainDefinitionException("InvalidTrainDefinition", nameof(Train), $"-Train is a {raw?.GetType().Name ?? "null"}, not a hashtable or the path of a .psd1 file.",
                    "Give a hashtable, -Train @{ Name = 'spring'; Waves = @( @{ Targets = @( ... ) } ) }, or the path of a .psd1 file that holds one."),
            }));
            StartTrain(definition);
            return;
        }

        StartOne();
    }

    /// <summary>A piped target as a table of its keys: a hashtable as it is, an object by its properties.</summary>
    private static System.Collections.IDictionary AsTable(PSObject item)
    {
        if (item.BaseObject is System.Collections.IDictionary table)
        {
            return (System.Collections.IDictionary)AnalysisArgument.Plain(table)!;
        }

        var copy = new System.Collections.Specialized.OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var property in item.Properties.Where(p => p.IsGettable && p.Value is not null))
        {
            copy[property.Name] = AnalysisArgument.Plain(property.Value);
        }

        return copy;
    }

    private BlueGreen.Core.Trains.TrainDefinition ReadTrain(Func<BlueGreen.Core.Trains.TrainDefinition> read)
    {
        try
        {
            return read();
        }
        catch (BlueGreen.Core.Trains.TrainDefinitionException ex)
        {
            ThrowTerminatingError(ErrorRecords.Create(ex, ex.ErrorId, ErrorCategory.InvalidArgument, ex.Key.Length == 0 ? Train : ex.Key, ex.RecommendedAction));
            throw;
        }
        catch (BlueGreen.Core.Analysis.AnalysisDefinitionException ex)
        {
            var category = ex.ErrorId.EndsWith("NotFound", StringComparison.Ordinal) ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument;
            ThrowTerminatingError(ErrorRecords.Create(ex, ex.ErrorId, category, Train, ex.RecommendedAction));
            throw;
        }
    }

    /// <summary>Plans every target (reading only; any refusal stops the train before anything changes), asks, then runs the train.</summary>
    private void StartTrain(BlueGreen.Core.Trains.TrainDefinition definition)
    {
        var contexts = TrainContexts(definition);
        var store = TrainStore;
        int? limit = MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : null;
        var plan = BlueGreen.Core.Trains.TrainPlan.Create(definition, limit);
        var trainId = BlueGreen.Core.Trains.TrainRecord.NewId(DateTimeOffset.UtcNow);
        var driver = new BlueGreen.Core.Trains.EngineTrainDriver(contexts, PollingPolicy.FromEnvironment()) { OnRetry = RetryReporter };
        var refused = 0;
        RunAsync(async cancellationToken =>
        {
            using var gate = new SemaphoreSlim(limit ?? definition.ThrottleLimit);
            await Task.WhenAll(definition.Targets.Select(async target =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await GuardAsync(target.Key, async () =>
                    {
                        try
                        {
                            var targetPlan = await driver.PlanAsync(target, trainId, cancellationToken).ConfigureAwait(false);
                            plan.SetTargetPlan(target, targetPlan.Describe());
                        }
                        catch
                        {
                            Interlocked.Increment(ref refused);
                            throw;
                        }
                    }).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        });
        if (refused > 0)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSInvalidOperationException($"{refused} target{(refused == 1 ? " was" : "s were")} refused: the train was not started, and nothing changed."),
                "TrainRefused", ErrorCategory.InvalidOperation, definition.Name, "Fix the targets the errors above name, then start the train again."));
        }

        if (!ShouldProcess(plan.Describe(trainId), $"Start release train '{definition.Name}' of {definition.Targets.Count()} targets?", "Start-BlueGreenDeployment"))
        {
            return;
        }

        var record = new BlueGreen.Core.Trains.TrainRecord(trainId, definition, DateTimeOffset.UtcNow);
        try
        {
            RunAsync(cancellationToken => GuardAsync(trainId, async () =>
            {
                await store.SaveAsync(record, cancellationToken).ConfigureAwait(false);
                EmitVerbose($"Release train {trainId}: its plan and progress are kept in the CloudWatch dashboard {BlueGreen.Core.Trains.DashboardTrainStore.DashboardName(trainId)}.");
                await DriveTrainAsync(store, record, contexts, TrainAction.Run, limit, cancellationToken).ConfigureAwait(false);
            }));
        }
        catch (PipelineStoppedException) when (Interrupted)
        {
            Host?.UI?.WriteWarningLine($"Stopped. Release train {trainId} is kept in AWS; resume it with 'Wait-BlueGreenDeployment -Id {trainId}', or undo it with 'Undo-Deployment -Id {trainId}'.");
            throw;
        }
    }

    private void StartOne()
    {
        var request = BuildRequest();
        if (request is null)
        {
            return;
        }

        var migrations = LoadMigrations();
        var context = AwsContext;
        IReleaseEngine? engine = null;
        ReleasePlan? plan = null;
        var targetName = request.Target.Key;
        RunAsync(cancellationToken => GuardAsync(targetName, async () =>
        {
            engine = await ReleaseEngines.ForTargetAsync(context, request.Target, request.Controller, request.ApplicationName, cancellationToken).ConfigureAwait(false);
            plan = await engine.PlanAsync(request, cancellationToken).ConfigureAwait(false);
        }));
        if (plan is null || engine is null)
        {
            return;
        }

        var caption = $"Start a blue/green release of {request.Target.DisplayName}";
        var description = migrations is null
            ? plan.Describe()
            : plan.Describe() + $"{Environment.NewLine}Before it: the expand phase of {Migration} on {Dialect} {ConnectionStringRedactor.Redact(ConnectionString!)}.";
        if (!ShouldProcess(description, caption + "?", "Start-BlueGreenDeployment"))
        {
            return;
        }

        string? started = null;
        try
        {
            RunAsync(cancellationToken => GuardAsync(targetName, async () =>
            {
                using var schema = migrations is null ? null : await ExpandAsync(migrations, cancellationToken).ConfigureAwait(false);
                if (migrations is not null && schema is null)
                {
                    return;
                }

                var deployment = await engine.StartAsync(plan, cancellationToken).ConfigureAwait(false);
                started = deployment.DeploymentId;
                if (schema is not null)
                {
                    await schema.Migrator.AttachDeploymentAsync(schema.ReleaseId, deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
                    EmitVerbose($"Schema release {schema.ReleaseId} is tied to release {deployment.DeploymentId}.");
                }

                EmitVerbose($"Started release {deployment.DeploymentId} of {request.Target.DisplayName}: {plan.Green} with {(plan.PolicyName.Length > 0 ? plan.PolicyName : plan.Policy.DeploymentConfigName)}.");
                if (Wait)
                {
                    deployment = await WatchAsync(engine, deployment, WaitTarget.Succeeded, null, cancellationToken).ConfigureAwait(false);
                    if (deployment.Status != DeploymentStatus.Succeeded)
                    {
                        ReportRelease(deployment);
                        EmitError(EndedBadly(deployment, WaitTarget.Succeeded));
                    }
                    else if (schema is not null)
                    {
                        await schema.Migrator.MarkSwitchedAsync(schema.ReleaseId, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Checks the schema parameters and loads the migrations before anything is sent; null without -Migration.</summary>
    private MigrationSet? LoadMigrations()
    {
        if (Migration is null && ConnectionString is null)
        {
            return null;
        }

        if (Migration is null || ConnectionString is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-Migration and -ConnectionString go together.", Migration is null ? nameof(Migration) : nameof(ConnectionString)),
                "MigrationIncomplete", ErrorCategory.InvalidArgument, Migration, "Give the migrations folder, the connection string and -Dialect, or none of them."));
        }

        if (!SchemaSupport.CanOpenDatabases)
        {
            ThrowTerminatingError(SchemaSupport.RuntimeNotSupported(MyInvocation.MyCommand.Name));
        }

        try
        {
            return MigrationSet.Load(GetUnresolvedProviderPathFromPSPath(Migration), Dialect);
        }
        catch (SchemaMigrationException ex)
        {
            ThrowTerminatingError(SchemaSupport.FromSchema(ex, Migration));
            throw;
        }
    }

    /// <summary>Runs the expand phase; null (with the error written) when it fails, and then no deployment is created.</summary>
    private async Task<SchemaSession?> ExpandAsync(MigrationSet migrations, CancellationToken cancellationToken)
    {
        ISchemaDatabase? database = null;
        try
        {
            database = await SchemaSupport.OpenAsync(Dialect, ConnectionString!, cancellationToken).ConfigureAwait(false);
            var migrator = new SchemaMigrator(database);
            var releaseId = SchemaMigrator.NewReleaseId(DateTimeOffset.UtcNow);
            var result = await migrator.ExpandAsync(migrations, releaseId, cancellationToken).ConfigureAwait(false);
            EmitVerbose($"Expand phase of schema release {releaseId}: {result.Applied.Count} scripts applied in {result.Duration.TotalSeconds:0.0} s.");
            return new SchemaSession(database, migrator, releaseId);
        }
        catch (SchemaMigrationException ex)
        {
            database?.Dispose();
            EmitError(SchemaSupport.FromSchema(ex, Migration));
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            database?.Dispose();
            EmitError(SchemaSupport.FromUnexpected(ex, ConnectionString, Migration));
            return null;
        }
    }

    private sealed class SchemaSession : IDisposable
    {
        public SchemaSession(ISchemaDatabase database, SchemaMigrator migrator, string releaseId)
        {
            Database = database;
            Migrator = migrator;
            ReleaseId = releaseId;
        }

        public ISchemaDatabase Database { get; }

        public SchemaMigrator Migrator { get; }

        public string ReleaseId { get; }

        public void Dispose() => Database.Dispose();
    }

    private bool IsLambda => ParameterSetName is LambdaVersionSet or LambdaZipSet or LambdaImageSet or LambdaS3Set;

    private ReleaseRequest? BuildRequest()
    {
        ReleaseTarget target;
        var sam = IsLambda ? ReadSamTemplate() : null;
        if (IsLambda)
        {
            if (Alias is not null && sam?.Alias is { } samAlias && !string.Equals(Alias, samAlias, StringComparison.Ordinal))
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"-Alias '{Alias}' is not the template's AutoPublishAlias '{samAlias}' of {sam.LogicalId}.", nameof(Alias)),
                    "SamAliasMismatch", ErrorCategory.InvalidArgument, Alias, "Leave out -Alias to release the template's alias, or correct one of them."));
            }

            Alias ??= sam?.Alias;
            if (Alias is null)
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("Say which alias to release with -Alias.", nameof(Alias)),
                    "AliasRequired", ErrorCategory.InvalidArgument, FunctionName, "Callers invoke an alias (e.g. 'live'); the release moves it from its version to the new one."));
            }

            target = new LambdaAliasTarget(FunctionName, Alias!);
        }
        else
        {
            target = new EcsServiceTarget(Cluster, Service);
        }

        var request = new ReleaseRequest(target)
        {
            ApplicationName = ApplicationName,
            DeploymentGroupName = DeploymentGroupName,
            Description = Description,
            Controller = Controller,
            Alarms = Alarm,
            BakeTime = MyInvocation.BoundParameters.ContainsKey(nameof(BakeTime)) ? BakeTime : null,
        };
        if (sam is not null)
        {
            ApplySamTemplate(request, sam);
        }

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

            // A Lambda alias takes fewer lifecycle events; its engine checks them while planning, before any change.
            var problem = IsLambda ? null : EcsAppSpec.ValidateHooks(hooks);
            if (problem is not null)
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException(problem, nameof(Hook)), "InvalidHook", ErrorCategory.InvalidArgument, Hook,
                    "Name hooks after ECS lifecycle events, e.g. @{ BeforeAllowTraffic = 'my-check-function' }."));
            }

            request.Hooks = hooks;
        }

        switch (ParameterSetName)
        {
            case ByTaskDefinitionSet:
                request.TaskDefinition = TaskDefinition;
                return request;
            case LambdaVersionSet:
                request.Version = Version;
                return request;
            case LambdaZipSet:
                request.Code = ReadZip();
                return request;
            case LambdaImageSet:
                request.Code = new LambdaCodeSource { ImageUri = ImageUri };
                return request;
            case LambdaS3Set:
                request.Code = new LambdaCodeSource { S3Bucket = S3Bucket, S3Key = S3Key, S3ObjectVersion = S3ObjectVersion };
                return request;
        }

        try
        {
            request.Images = ImageArguments.Parse(Image, value => value is PSObject wrapped ? wrapped.BaseObject : value);
        }
        catch (ReleaseException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex, Image)!);
        }

        return request;
    }

    /// <summary>Reads -SamTemplate (null without it); what cannot be resolved and is not given on the command line is an error.</summary>
    private Core.Releases.Lambda.SamDeploymentPolicy? ReadSamTemplate()
    {
        if (SamTemplate is null)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in SamParameter ?? new Hashtable())
        {
            parameters[entry.Key?.ToString() ?? string.Empty] = (entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value)?.ToString() ?? string.Empty;
        }

        // What the command line gives need not resolve in the template.
        var answered = new List<string> { "FunctionName" };
        if (Alias is not null)
        {
            answered.Add("AutoPublishAlias");
        }

        if (TrafficShift is not null)
        {
            answered.Add("DeploymentPreference.Type");
        }

        if (Alarm is not null)
        {
            answered.Add("DeploymentPreference.Alarms");
        }

        if (Hook is not null)
        {
            answered.AddRange(HookProperties);
        }

        try
        {
            var policy = Core.Releases.Lambda.SamTemplate.Read(GetUnresolvedProviderPathFromPSPath(SamTemplate), FunctionName, parameters);
            policy.ThrowIfUnresolved(answered);
            return policy;
        }
        catch (Core.Releases.Lambda.SamTemplateException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex.ToReleaseException(), SamTemplate)!);
            throw;
        }
    }

    /// <summary>The template's deployment preference, for what the command line left open.</summary>
    private void ApplySamTemplate(ReleaseRequest request, Core.Releases.Lambda.SamDeploymentPolicy sam)
    {
        if (!sam.Enabled)
        {
            // SAM moves the alias at once, without CodeDeploy, when the preference is disabled: so does this release.
            request.TrafficShift ??= TrafficShiftPolicy.AllAtOnce;
            if (request.Controller == ReleaseController.Auto)
            {
                request.Controller = ReleaseController.Module;
            }

            EmitVerbose($"{sam.Source}: the DeploymentPreference of {sam.LogicalId} is disabled: the alias moves all at once, by the module.");
            return;
        }

        if (request.TrafficShift is null && sam.Type is not null)
        {
            if (!TrafficShiftPolicy.TryParse(sam.Type, out var policy, out var problem))
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"{sam.Source}: DeploymentPreference.Type '{sam.Type}' of {sam.LogicalId}: {problem}"),
                    "SamTypeUnsupported", ErrorCategory.InvalidArgument, sam.Type, "Give the traffic shift with -TrafficShift, e.g. Canary10Percent5Minutes."));
            }

            request.TrafficShift = policy;
        }

        if (request.Hooks is null && sam.Hooks.Count > 0)
        {
            request.Hooks = sam.Hooks;
        }

        if (request.Alarms is null && sam.Alarms.Count > 0)
        {
            request.Alarms = sam.Alarms;
        }

        EmitVerbose($"{sam.Source}: {sam.LogicalId} releases alias '{sam.Alias}' with {sam.Type ?? "the group's traffic shift"}; alarms {(sam.Alarms.Count == 0 ? "none" : string.Join(", ", sam.Alarms))}; hooks {(sam.Hooks.Count == 0 ? "none" : string.Join(", ", sam.Hooks.Select(h => h.Key + "=" + h.Value)))}.");
    }

    /// <summary>Reads -ZipFile before anything is sent: it must exist, be a zip, and fit in a request.</summary>
    private LambdaCodeSource ReadZip()
    {
        var path = GetUnresolvedProviderPathFromPSPath(ZipFile);
        if (!System.IO.File.Exists(path))
        {
            ThrowTerminatingError(ErrorRecords.Create(new System.IO.FileNotFoundException($"No zip file '{path}'.", path), "ZipFileNotFound", ErrorCategory.ObjectNotFound, ZipFile,
                "Give the path of the zip with the function's code."));
        }

        var length = new System.IO.FileInfo(path).Length;
        if (length > MaxZipBytes)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"The zip '{path}' is {length / (1024 * 1024)} MiB: Lambda takes at most 50 MiB in a request.", nameof(ZipFile)),
                "ZipFileTooLarge", ErrorCategory.InvalidArgument, ZipFile, "Upload it to S3 and use -S3Bucket and -S3Key."));
        }

        var bytes = System.IO.File.ReadAllBytes(path);
        if (bytes.Length < 4 || bytes[0] != (byte)'P' || bytes[1] != (byte)'K')
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"'{path}' is not a zip file.", nameof(ZipFile)), "ZipFileInvalid", ErrorCategory.InvalidData, ZipFile,
                "Make it with Compress-Archive (or zip) from the function's folder."));
        }

        return new LambdaCodeSource { ZipFile = bytes, ZipPath = path };
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
