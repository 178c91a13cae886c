using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.SmokeTests;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Sends HTTP requests to a release's test endpoint (or any URL) and judges whether green is fit for traffic.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "SmokeTest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SmokeTestResult))]
public sealed class InvokeSmokeTestCommand : AwsCmdlet
{
    private const string UndoCommandName = "Undo-Deployment";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);
    private SmokeTestPolicy _policy = null!;

    /// <summary>The deployment (or any object with DeploymentId and TestEndpoint) from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? DeploymentId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? TestEndpoint { get; set; }

    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    [ValidateSet("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")]
    public string Method { get; set; } = "GET";

    [Parameter]
    [ValidateNotNull]
    public Hashtable? Header { get; set; }

    [Parameter]
    [ValidateNotNull]
    public string? Body { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(100, 599)]
    public int[] ExpectStatus { get; set; } = { 200 };

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ExpectBodyMatch { get; set; }

    [Parameter]
    [MillisecondsTransformation]
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

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 10;

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
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
        };

        try
        {
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

        WriteVerbose($"Smoke test: {_policy.Requests} x {_policy.Method} {target} ({_policy.Concurrency} at a time, timeout {TimeoutSec} s)");
        SmokeTestResult? result = null;
        var activity = $"Smoke test {target}";
        RunAsync(async cancellationToken =>
        {
            using var probe = new RemoteSmokeProbe(_policy.Concurrency);
            var runner = new SmokeTestRunner(probe, _policy);
            var lastReport = DateTime.MinValue;
            var gate = new object();
            result = await runner.RunAsync(target, deploymentId, progress =>
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
        var action = result.DeploymentId is null
            ? "Look at the result's FailureReasons and StatusCodes, fix the service, and run the test again."
            : $"Look at the result's FailureReasons and StatusCodes. To go back to blue: Undo-Deployment -DeploymentId {result.DeploymentId} (or pipe the result to Undo-Deployment); " +
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

    /// <summary>Lets -MaxLatency take milliseconds (500), a TimeSpan, or a TimeSpan string ('00:00:01').</summary>
    internal sealed class MillisecondsTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case TimeSpan span:
                    return span;
                case int or long or short or byte or uint or ulong or ushort or sbyte:
                    return TimeSpan.FromMilliseconds(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                case double or float or decimal:
                    return TimeSpan.FromMilliseconds(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                case string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms):
                    return TimeSpan.FromMilliseconds(ms);
                case string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
                default:
                    throw new ArgumentTransformationMetadataException(
                        $"'{value}' is not a latency: pass milliseconds (500) or a TimeSpan ('00:00:00.5').");
            }
        }
    }
}
