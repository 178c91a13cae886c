using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Schema;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Starts a blue/green release of an ECS service: green goes up beside blue, gets test traffic, then production traffic as the policy says.</summary>
[Cmdlet(VerbsLifecycle.Start, "BlueGreenDeployment", DefaultParameterSetName = ByImageSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BlueGreenDeployment))]
public sealed class StartBlueGreenDeploymentCommand : ReleaseCmdlet
{
    private const string ByImageSet = "ByImage";
    private const string ByTaskDefinitionSet = "ByTaskDefinition";
    private const string ByLambdaVersionSet = "ByLambdaVersion";
    private const string ByLambdaZipSet = "ByLambdaZip";

    [Parameter(Mandatory = true, ParameterSetName = ByImageSet)]
    [Parameter(Mandatory = true, ParameterSetName = ByTaskDefinitionSet)]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByImageSet)]
    [Parameter(Mandatory = true, ParameterSetName = ByTaskDefinitionSet)]
    [Alias("ServiceName")]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = null!;

    /// <summary>The Lambda function whose alias is released (a name or an ARN).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByLambdaVersionSet)]
    [Parameter(Mandatory = true, ParameterSetName = ByLambdaZipSet)]
    [ValidateNotNullOrEmpty]
    public string FunctionName { get; set; } = null!;

    /// <summary>The alias callers invoke: what the release moves.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByLambdaVersionSet)]
    [Parameter(Mandatory = true, ParameterSetName = ByLambdaZipSet)]
    [ValidateNotNullOrEmpty]
    public string Alias { get; set; } = null!;

    /// <summary>The published version to release.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByLambdaVersionSet)]
    [ValidateNotNullOrEmpty]
    public string Version { get; set; } = null!;

    /// <summary>A zip of new code, published as a version and released.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByLambdaZipSet)]
    [ValidateNotNullOrEmpty]
    public string ZipFile { get; set; } = null!;

    /// <summary>Who moves the traffic: Auto (CodeDeploy when a group releases the target), CodeDeploy, or Module (this module, step by step).</summary>
    [Parameter(ParameterSetName = ByLambdaVersionSet)]
    [Parameter(ParameterSetName = ByLambdaZipSet)]
    public ReleaseController Controller { get; set; } = ReleaseController.Auto;

    /// <summary>CloudWatch alarms that roll the release back when one is in ALARM (for releases the module drives).</summary>
    [Parameter(ParameterSetName = ByLambdaVersionSet)]
    [Parameter(ParameterSetName = ByLambdaZipSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Alarm { get; set; }

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

    protected override void ProcessRecord()
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
        var targetName = request.Target.DisplayName;
        RunAsync(cancellationToken => GuardAsync(request.Target.Key, async () =>
        {
            engine = await ReleaseEngines.ForTargetAsync(context, request.Target, request.Controller, request.ApplicationName, cancellationToken).ConfigureAwait(false);
            plan = await engine.PlanAsync(request, cancellationToken).ConfigureAwait(false);
        }));
        if (plan is null || engine is null)
        {
            return;
        }

        var caption = $"Start a blue/green release of {targetName}";
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
            RunAsync(cancellationToken => GuardAsync(request.Target.Key, async () =>
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

                EmitVerbose($"Started release {deployment.DeploymentId} of {targetName}: {plan.Green} with {(plan.PolicyName.Length > 0 ? plan.PolicyName : plan.Policy.DeploymentConfigName)}.");
                if (Wait)
                {
                    deployment = await WatchAsync(engine, deployment, WaitTarget.Succeeded, null, cancellationToken).ConfigureAwait(false);
                    if (deployment.Status != DeploymentStatus.Succeeded)
                    {
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

    private ReleaseRequest? BuildRequest()
    {
        var lambda = ParameterSetName is ByLambdaVersionSet or ByLambdaZipSet;
        var request = new ReleaseRequest(lambda ? new LambdaAliasTarget(FunctionName, Alias) : new EcsServiceTarget(Cluster, Service))
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

            var problem = lambda ? null : EcsAppSpec.ValidateHooks(hooks);
            if (problem is not null)
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException(problem, nameof(Hook)), "InvalidHook", ErrorCategory.InvalidArgument, Hook,
                    "Name hooks after ECS lifecycle events, e.g. @{ BeforeAllowTraffic = 'my-check-function' }."));
            }

            request.Hooks = hooks;
        }

        if (lambda)
        {
            request.Controller = Controller;
            request.Alarms = Alarm;
            if (ParameterSetName == ByLambdaVersionSet)
            {
                request.Version = Version;
                return request;
            }

            var path = GetUnresolvedProviderPathFromPSPath(ZipFile);
            if (!System.IO.File.Exists(path))
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"No zip file '{path}' exists.", nameof(ZipFile)), "ZipFileNotFound", ErrorCategory.ObjectNotFound, ZipFile,
                    "Give the path of a zip of the function's code."));
            }

            request.Code = new LambdaCodeSource { ZipFile = System.IO.File.ReadAllBytes(path), ZipPath = path };
            return request;
        }

        if (ParameterSetName == ByTaskDefinitionSet)
        {
            request.TaskDefinition = TaskDefinition;
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
