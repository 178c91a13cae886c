using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using BlueGreen.Aws.Configuration;
using BlueGreen.Completion;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.SmokeTests;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Sends HTTP requests to a release's test endpoint (or any URL), or invokes a Lambda version, and judges
/// whether green is fit for traffic.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "SmokeTest", DefaultParameterSetName = ByUriSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Invoke-SmokeTest.md")]
[OutputType(typeof(SmokeTestResult))]
public sealed class InvokeSmokeTestCommand : AwsCmdlet
{
    private const string ByUriSet = "ByUri";
    private const string ByFunctionSet = "ByFunction";
    private const string UndoCommandName = "Undo-Deployment";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);
    private SmokeTestPolicy _policy = null!;

    /// <summary>The deployment (or any object with DeploymentId and TestEndpoint, or FunctionName and GreenVersion) from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentIdCompleter))]
    public string? DeploymentId { get; set; }

    [Parameter(ParameterSetName = ByUriSet, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? TestEndpoint { get; set; }

    [Parameter(Position = 0, ParameterSetName = ByUriSet)]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(ParameterSetName = ByUriSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter(ParameterSetName = ByUriSet)]
    [ValidateSet("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")]
    public string Method { get; set; } = "GET";

    [Parameter(ParameterSetName = ByUriSet)]
    [ValidateNotNull]
    public Hashtable? Header { get; set; }

    [Parameter(ParameterSetName = ByUriSet)]
    [ValidateNotNull]
    public string? Body { get; set; }

    /// <summary>The Lambda function to invoke: a name, an ARN or a partial ARN (a qualifier on it must be a version).</summary>
    [Parameter(ParameterSetName = ByFunctionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FunctionNameCompleter))]
    public string? FunctionName { get; set; }

    /// <summary>The version to invoke: a number or $LATEST, never an alias. A piped release's GreenVersion when omitted.</summary>
    [Parameter(ParameterSetName = ByFunctionSet)]
    [ValidateNotNullOrEmpty]
    public string? Version { get; set; }

    /// <summary>The payload: JSON text, or an object converted to JSON; several are sent in turn, one per request.</summary>
    [Parameter(ParameterSetName = ByFunctionSet)]
    [ValidateNotNullOrEmpty]
    public object[]? Payload { get; set; }

    /// <summary>Files holding payloads (wildcards allowed); several are sent in turn, one per request.</summary>
    [Parameter(ParameterSetName = ByFunctionSet)]
    [ValidateNotNullOrEmpty]
    public string[]? PayloadFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(100, 599)]
    public int[] ExpectStatus { get; set; } = { 200 };

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ExpectBodyMatch { get; set; }

    /// <summary>Values the answer, read as JSON, must have: path to value, e.g. @{ 'status' = 'ok'; 'items[0].id' = 1 }.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? ExpectJson { get; set; }

    [Parameter]
    [DurationTransformation(DurationUnit.Milliseconds)]
    public TimeSpan MaxLatency { get; set; }

    [Parameter]
    [ValidateRange(1, 1000000)]
    public int Requests { get; set; } = 20;

    [Parameter]
    [ValidateRange(1, 1024)]
    public int Concurrency { get; set; } = 4;

    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double MaxErrorRate { get; set; }

    /// <summary>How long one request may take: seconds (10) or a TimeSpan; -TimeoutSec is its other name.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [DurationTransformation(DurationUnit.Seconds)]
    [ValidateDuration(DurationUnit.Seconds, 1, 3600)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    [Parameter]
    public SwitchParameter RollbackOnFailure { get; set; }

    protected override void BeginProcessing()
    {
        var concurrencyGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Concurrency));
        _policy = new SmokeTestPolicy
        {
            Method = Method.ToUpperInvariant(),
            Headers = ToHeaders(Header),
            Body = Body,
            ExpectStatus = ExpectStatus,
            ExpectBodyMatch = ExpectBodyMatch,
            MaxLatency = MyInvocation.BoundParameters.ContainsKey(nameof(MaxLatency)) ? MaxLatency : null,
            Requests = Requests,
            // The default adapts to a small -Requests; a -Concurrency given explicitly is checked as given.
            Concurrency = concurrencyGiven ? Concurrency : Math.Min(Concurrency, Requests),
            MaxErrorRate = MaxErrorRate,
            Timeout = Timeout,
        };

        try
        {
            _policy.ExpectJson = ToJsonExpectations(ExpectJson);
            _policy.Payloads = ReadPayloads();
            _policy.Validate();
        }
        catch (SmokeTestInputException ex)
        {
            ThrowTerminatingError(ErrorRecords.Create(ex, ex.ErrorId, ErrorCategory.InvalidArgument, ex.Target, ex.RecommendedAction));
        }
    }

    protected override void ProcessRecord()
    {
        var deploymentId = DeploymentId ?? Property(InputObject, "DeploymentId");
        var testEndpoint = TestEndpoint ?? Property(InputObject, "TestEndpoint");
        if (IsLambdaTest(testEndpoint))
        {
            ProcessFunction(deploymentId);
            return;
        }

        Uri target;
        try
        {
            target = _policy.ResolveTarget(Uri, testEndpoint, Path, AllowInsecureEndpoint.IsPresent);
        }
        catch (SmokeTestInputException ex)
        {
            var category = ex.ErrorId == "InsecureSmokeTestUri" ? ErrorCategory.SecurityError : ErrorCategory.InvalidArgument;
            // Per pipeline item: the other deployments piped in are still tested.
            WriteError(ErrorRecords.Create(ex, ex.ErrorId, category, (object?)InputObject ?? ex.Target, ex.RecommendedAction));
            return;
        }

        if (RollbackOnFailure && deploymentId is null)
        {
            WriteError(ErrorRecords.Create(new PSArgumentException("-RollbackOnFailure needs a deployment to roll back, and none was given.", nameof(RollbackOnFailure)),
                "NoDeploymentToRollBack", ErrorCategory.InvalidArgument, target,
                "Pipe the deployment (or pass -DeploymentId) along with -Uri, or leave out -RollbackOnFailure."));
            return;
        }

        WriteVerbose($"Smoke test: {_policy.Requests} x {_policy.Method} {target} ({_policy.Concurrency} at a time, timeout {Timeout.TotalSeconds} s)");
        Run($"Smoke test {target}", deploymentId, async (report, cancellationToken) =>
        {
            using var probe = new RemoteSmokeProbe(_policy.Concurrency);
            return await new SmokeTestRunner(probe, _policy).RunAsync(target, deploymentId, report, cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>Lambda when asked for by parameter (-FunctionName, -Version, -Payload...), or when nothing says HTTP
    /// and the piped object names a function.</summary>
    private bool IsLambdaTest(string? testEndpoint) =>
        ParameterSetName == ByFunctionSet ||
        (Uri is null && testEndpoint is null && Property(InputObject, "FunctionName") is not null);

    private void ProcessFunction(string? deploymentId)
    {
        LambdaVersionReference function;
        try
        {
            var http = new[] { nameof(Path), nameof(Method), nameof(Header), nameof(Body) }.Where(MyInvocation.BoundParameters.ContainsKey).ToList();
            if (http.Count > 0)
            {
                throw new SmokeTestInputException("HttpParameterForLambda",
                    $"-{string.Join(", -", http)} {(http.Count == 1 ? "is" : "are")} for HTTP tests, but the piped release has no TestEndpoint and names Lambda function '{Property(InputObject, "FunctionName")}'.",
                    null, "To test the Lambda version, pass -Payload or -PayloadFile instead; to test a URL, pass -Uri.");
            }

            var name = FunctionName ?? Property(InputObject, "FunctionName");
            if (name is null)
            {
                throw new SmokeTestInputException("NoSmokeTestFunction",
                    InputObject is null
                        ? "There is no Lambda function to test: -FunctionName was not given."
                        : "There is no Lambda function to test: the piped object has no FunctionName (-Payload, -PayloadFile and -Version are for Lambda versions).",
                    null, "Pass -FunctionName and -Version, or pipe a Lambda release (its FunctionName and GreenVersion are used); for HTTP use -Uri and -Body.");
            }

            // An explicit -Version wins; a qualifier on -FunctionName comes next; the piped release's green version last.
            var version = Version ?? (FunctionName is null ? Property(InputObject, "GreenVersion") : null);
            function = LambdaVersionReference.Parse(name, version);
        }
        catch (SmokeTestInputException ex)
        {
            WriteError(ErrorRecords.Create(ex, ex.ErrorId, ErrorCategory.InvalidArgument, (object?)InputObject ?? ex.Target, ex.RecommendedAction));
            return;
        }

        if (RollbackOnFailure && deploymentId is null)
        {
            WriteError(ErrorRecords.Create(new PSArgumentException("-RollbackOnFailure needs a deployment to roll back, and none was given."),
                "NoDeploymentToRollBack", ErrorCategory.InvalidArgument, function.DisplayName,
                "Pipe the release (or pass -DeploymentId) along with -FunctionName, or leave out -RollbackOnFailure."));
            return;
        }

        var context = ResolveContext(CarriedConnection());
        RemoteLambdaProbe.Configure(context, _policy.Timeout);

        var payloads = _policy.Payloads.Count switch
        {
            0 => "no payload",
            1 => "one payload",
            var n => $"{n} payloads in turn",
        };
        WriteVerbose($"Smoke test: {_policy.Requests} x Invoke {function.Function} version {function.Version} with {payloads} ({_policy.Concurrency} at a time, timeout {Timeout.TotalSeconds} s)");
        var probe = new RemoteLambdaProbe(context);
        try
        {
            RunAsync(cancellationToken => probe.CheckVersionAsync(function, cancellationToken));
        }
        catch (SmokeTestInputException ex)
        {
            var category = ex.ErrorId == "FunctionInvokeDenied" ? ErrorCategory.PermissionDenied : ErrorCategory.ObjectNotFound;
            WriteError(ErrorRecords.Create(ex, ex.ErrorId, category, (object?)InputObject ?? ex.Target, ex.RecommendedAction));
            return;
        }
        catch (AwsConfigurationException ex)
        {
            // Credentials that cannot be had (an expired SSO session, say) fail every invocation alike: said once, up front.
            ThrowTerminatingError(ErrorRecords.FromConfiguration(ex));
        }

        Run($"Smoke test of Lambda version {function.DisplayName}", deploymentId, (report, cancellationToken) =>
            new SmokeTestRunner(probe, _policy).RunAsync(function, deploymentId, report, cancellationToken));
    }

    /// <summary>Where the piped object says its release lives, filling what the parameters do not say.</summary>
    private AwsConnectionSettings? CarriedConnection()
    {
        if (InputObject?.BaseObject is BlueGreenDeployment deployment)
        {
            return new AwsConnectionSettings
            {
                Region = string.IsNullOrEmpty(deployment.Region) ? null : deployment.Region,
                EndpointUrl = deployment.EndpointUrl,
                ProfileName = deployment.ProfileName,
            };
        }

        return InputObject is null
            ? null
            : new AwsConnectionSettings
            {
                Region = Property(InputObject, "Region"),
                EndpointUrl = Property(InputObject, "EndpointUrl"),
                ProfileName = Property(InputObject, "ProfileName"),
            };
    }

    /// <summary>Runs the test with progress, then writes the result, the failure and the rollback as every kind of test does.</summary>
    private void Run(string activity, string? deploymentId, Func<Action<SmokeTestProgress>, CancellationToken, System.Threading.Tasks.Task<SmokeTestResult>> test)
    {
        SmokeTestResult? result = null;
        RunAsync(async cancellationToken =>
        {
            var lastReport = DateTime.MinValue;
            var gate = new object();
            result = await test(progress =>
            {
                lock (gate)
                {
                    var now = DateTime.UtcNow;
                    if (progress.Completed < progress.Total && now - lastReport < ProgressInterval)
                    {
                        return;
                    }

                    lastReport = now;
                }

                EmitProgress(new ProgressRecord(1, activity, $"{progress.Completed} of {progress.Total} requests, {progress.Failed} failed")
                {
                    PercentComplete = (int)(100L * progress.Completed / progress.Total),
                });
            }, cancellationToken).ConfigureAwait(false);
        });

        WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        if (result is null)
        {
            return;
        }

        result.Deployment = InputObject?.BaseObject as BlueGreenDeployment;
        KnownDeployments.AddGate(result.DeploymentId ?? deploymentId, new ReleaseGate(ReleaseGateKind.SmokeTest, result.Target, result.Passed ? AnalysisVerdict.Pass : AnalysisVerdict.Fail,
            new DateTimeOffset(DateTime.SpecifyKind(result.StartTime, DateTimeKind.Utc)), result.Summary, result));
        KnownDeployments.Remember(result.Deployment);
        WriteObject(result);
        if (result.Passed)
        {
            WriteVerbose(result.Summary);
            return;
        }

        WriteError(FailedRecord(result));
        if (RollbackOnFailure)
        {
            RollBack(result, deploymentId!);
        }
    }

    private static ErrorRecord FailedRecord(SmokeTestResult result)
    {
        var first = result.FailureReasons.Count == 0 ? string.Empty : $" First failure: {result.FailureReasons[0]}.";
        var served = result.ServedBy.Length == 0 ? string.Empty : $" Served by {result.ServedBy}.";
        var message = $"{result.Summary}{first}{served}";
        var look = result.TargetKind == SmokeTestTargetKind.LambdaVersion ? "FailureReasons, FunctionErrors and StatusCodes" : "FailureReasons and StatusCodes";
        var action = result.DeploymentId is null
            ? $"Look at the result's {look}, fix the {(result.TargetKind == SmokeTestTargetKind.LambdaVersion ? "function" : "service")}, and run the test again."
            : $"Look at the result's {look}. To go back to blue: Undo-Deployment -DeploymentId {result.DeploymentId} (or pipe the result to Undo-Deployment); " +
              "Set-TrafficShift -Continue refuses this result unless -Force.";
        return ErrorRecords.Create(new SmokeTestFailedException(message, result), "SmokeTestFailed", ErrorCategory.InvalidResult, result, action);
    }

    /// <summary>Undoes the release through the module's own Undo-Deployment, with this call's AWS parameters or
    /// those the piped deployment carries.</summary>
    private void RollBack(SmokeTestResult result, string deploymentId)
    {
        var module = MyInvocation.MyCommand.Module;
        CommandInfo? undo = null;
        if (module is not null && module.ExportedCmdlets.TryGetValue(UndoCommandName, out var cmdlet))
        {
            undo = cmdlet;
        }

        if (undo is null)
        {
            WriteError(ErrorRecords.Create(
                new InvalidOperationException($"The smoke test failed, but release {deploymentId} was NOT rolled back: this version of the BlueGreen module has no {UndoCommandName} cmdlet."),
                "RollbackUnavailable", ErrorCategory.NotImplemented, result,
                $"Roll the release back another way, e.g. 'aws deploy stop-deployment --deployment-id {deploymentId} --auto-rollback-enabled', or update the BlueGreen module."));
            return;
        }

        if (!ShouldProcess(deploymentId, "Roll back the release with Undo-Deployment because its smoke test failed"))
        {
            return;
        }

        WriteVerbose($"Smoke test failed: rolling back {deploymentId} with {UndoCommandName}.");
        var aws = CarriedAwsParameters();
        try
        {
            Collection<PSObject> output = InvokeCommand.InvokeScript(
                "param($command, $id, $aws) [pscustomobject]@{ DeploymentId = $id } | & $command -Confirm:$false @aws 2>&1",
                useNewScope: true, PipelineResultTypes.None, input: null, undo, deploymentId, aws);
            foreach (var item in output)
            {
                if (item?.BaseObject is ErrorRecord error)
                {
                    WriteError(error);
                }
                else
                {
                    WriteObject(item);
                }
            }
        }
        catch (RuntimeException ex)
        {
            WriteError(ErrorRecords.Create(new InvalidOperationException($"Rolling back release {deploymentId} failed: {ex.Message}", ex),
                "RollbackFailed", ErrorCategory.InvalidOperation, result,
                $"Check the release with Get-BlueGreenDeployment -Id {deploymentId} and run Undo-Deployment again."));
        }
    }

    private Hashtable CarriedAwsParameters()
    {
        var aws = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var name in new[] { "Region", "ProfileName", "ProfileLocation", "AccessKey", "SecretKey", "SessionToken", "Credential", "EndpointUrl", "AllowInsecureEndpoint" })
        {
            if (MyInvocation.BoundParameters.TryGetValue(name, out var value))
            {
                aws[name] = value;
            }
        }

        // What the piped deployment carries fills what was not given (never secrets: deployments carry none).
        foreach (var name in new[] { "Region", "EndpointUrl", "ProfileName" })
        {
            if (!aws.ContainsKey(name) && Property(InputObject, name) is { } carried &&
                !(name == "ProfileName" && (aws.ContainsKey("AccessKey") || aws.ContainsKey("Credential"))))
            {
                aws[name] = carried;
            }
        }

        return aws;
    }

    private static string? Property(PSObject? input, string name)
    {
        var value = input?.Properties[name]?.Value;
        if (value is PSObject wrapped)
        {
            value = wrapped.BaseObject;
        }

        var text = value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    /// <summary>-ExpectJson in a stable order: as written for an [ordered] dictionary, by path for a hashtable.</summary>
    private static IReadOnlyList<JsonExpectation> ToJsonExpectations(IDictionary? expectJson)
    {
        if (expectJson is null)
        {
            return Array.Empty<JsonExpectation>();
        }

        var entries = expectJson.Cast<DictionaryEntry>()
            .Select(entry => (Path: Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture), Value: Unwrap(entry.Value)));
        if (expectJson is Hashtable)
        {
            entries = entries.OrderBy(entry => entry.Path, StringComparer.Ordinal);
        }

        return entries.Select(entry => JsonExpectation.Create(entry.Path, entry.Value)).ToList();
    }

    /// <summary>-Payload as JSON text (strings as given, anything else through ConvertTo-Json), or -PayloadFile's contents.</summary>
    private List<string> ReadPayloads()
    {
        if (Payload is not null && PayloadFile is not null)
        {
            throw new SmokeTestInputException("PayloadAndPayloadFile", "-Payload and -PayloadFile were both given.", null,
                "Pass the payloads one way: as text or objects with -Payload, or as files with -PayloadFile.");
        }

        var payloads = new List<string>();
        if (Payload is not null)
        {
            foreach (var item in Payload)
            {
                var value = Unwrap(item);
                payloads.Add(value switch
                {
                    null => throw new SmokeTestInputException("InvalidPayload", $"Payload {payloads.Count + 1} of {Payload.Length} is null.", payloads.Count + 1,
                        "Pass JSON text or an object; send JSON null as the text 'null'."),
                    string text => text,
                    _ => ToJson(value),
                });
            }
        }

        foreach (var pattern in PayloadFile ?? Array.Empty<string>())
        {
            Collection<string> paths;
            try
            {
                paths = SessionState.Path.GetResolvedProviderPathFromPSPath(pattern, out var provider);
                if (provider.Name != "FileSystem")
                {
                    throw new SmokeTestInputException("PayloadFileNotFound", $"-PayloadFile '{pattern}' is not a file on disk.", pattern, "Pass the path of a JSON file.");
                }
            }
            catch (ItemNotFoundException)
            {
                throw new SmokeTestInputException("PayloadFileNotFound", $"The payload file '{pattern}' does not exist.", pattern, "Pass the path of a JSON file, e.g. -PayloadFile ./events/order.json.");
            }

            foreach (var path in paths)
            {
                try
                {
                    if (new System.IO.FileInfo(path).Length > SmokeTestPolicy.MaxPayloadBytes * 4L)
                    {
                        throw new SmokeTestInputException("PayloadTooLarge", $"The payload file '{path}' is larger than a synchronous Lambda invocation takes.", path, "Send a smaller payload.");
                    }

                    payloads.Add(System.IO.File.ReadAllText(path));
                }
                catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
                {
                    throw new SmokeTestInputException("PayloadFileNotFound", $"The payload file '{path}' could not be read: {ex.Message}", path, "Pass the path of a readable JSON file.");
                }
            }
        }

        return payloads;
    }

    private string ToJson(object value)
    {
        var output = InvokeCommand.InvokeScript("param($value) ConvertTo-Json -InputObject $value -Depth 100 -Compress", useNewScope: true,
            PipelineResultTypes.None, input: null, value);
        return string.Concat(output.Select(o => o?.BaseObject?.ToString()));
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : value;

    private static Dictionary<string, string> ToHeaders(Hashtable? header)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (header is null)
        {
            return headers;
        }

        foreach (DictionaryEntry entry in header)
        {
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            var text = value is IEnumerable list and not string
                ? string.Join(",", list.Cast<object>().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))
                : Convert.ToString(value, CultureInfo.InvariantCulture);
            headers[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = text ?? string.Empty;
        }

        return headers;
    }
}
