using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using BlueGreen.Completion;
using BlueGreen.Core.Analysis;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.SmokeTests;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Analyses a release once: green's metrics against blue's (CloudWatch, smoke-test samples), judged metric by metric
/// into a score and a verdict that Set-TrafficShift -Continue respects.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "CanaryAnalysis", DefaultParameterSetName = ByObjectSet, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Invoke-CanaryAnalysis.md")]
[OutputType(typeof(CanaryAnalysisResult))]
public sealed class InvokeCanaryAnalysisCommand : ReleaseCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByObjectSet = "ByObject";
    private const string BySmokeTestSet = "BySmokeTest";

    private AnalysisDefinition _definition = null!;
    private readonly List<SmokeTestResult> _piped = new();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DeploymentId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DeploymentIdCompleter))]
    public string Id { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BlueGreenDeployment InputObject { get; set; } = null!;

    /// <summary>The analysis: a hashtable, the path of a .psd1 file holding one (read as data only), or a definition object.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNull]
    public object Definition { get; set; } = null!;

    /// <summary>Smoke-test results of green (and of blue) whose per-request samples the SmokeTest.* metrics judge; the release is
    /// the one they name. Piped or given, they are analysed together, per release, once all have arrived.</summary>
    [Parameter(Mandatory = true, ParameterSetName = BySmokeTestSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SmokeTestResult[]? SmokeTest { get; set; }

    protected override void BeginProcessing()
    {
        try
        {
            _definition = AnalysisArgument.Read(this, Definition, nameof(Definition));
        }
        catch (AnalysisDefinitionException ex)
        {
            var category = ex.ErrorId == "AnalysisDefinitionNotFound" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument;
            ThrowTerminatingError(ErrorRecords.Create(ex, ex.ErrorId, category, ex.Key.Length == 0 ? Definition : ex.Key, ex.RecommendedAction));
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == BySmokeTestSet)
        {
            _piped.AddRange(SmokeTest!.Where(r => r is not null));
            return;
        }

        var carried = ParameterSetName == ByObjectSet ? InputObject : null;
        var id = carried?.DeploymentId ?? Id;
        if (carried is null && !CheckId(id))
        {
            return;
        }

        Analyse(carried, id, null);
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName != BySmokeTestSet)
        {
            return;
        }

        foreach (var group in _piped.GroupBy(r => r.DeploymentId ?? string.Empty, StringComparer.Ordinal))
        {
            if (group.Key.Length == 0)
            {
                WriteError(ErrorRecords.Create(new PSArgumentException("A smoke-test result names no release, so there is nothing to compare it with."),
                    "NoDeploymentToAnalyse", ErrorCategory.InvalidArgument, group.First(),
                    "Run Invoke-SmokeTest with a release piped in (or -DeploymentId), or give the release with -Id or by piping it."));
                continue;
            }

            var carried = group.Select(r => r.Deployment).FirstOrDefault(d => d is not null);
            Analyse(carried, group.Key, group.ToList());
        }
    }

    private void Analyse(BlueGreenDeployment? carried, string id, IReadOnlyList<SmokeTestResult>? smokeTests)
    {
        if (smokeTests is { Count: > 0 } && !_definition.ReadsSmokeTests)
        {
            WriteWarning($"The definition judges no SmokeTest.* metric, so the smoke-test results given for release {id} are not used.");
        }

        var context = ContextFor(carried, id);
        var engine = ReleaseEngines.ForDeployment(context, carried, id);
        var analyzer = new CanaryAnalyzer(context);
        RunAsync(cancellationToken => GuardAsync(id, async () =>
        {
            // Where the release stands now (its traffic split tells which side serves where), not where the piped object last
            // saw it. A read, never a refresh: a refresh of a release the module drives takes its due step, and an analysis changes nothing.
            var deployment = await ReadAsync(token => engine.GetAsync(id, token), cancellationToken).ConfigureAwait(false);
            EmitVerbose($"Analysing release {id} ({_definition})");
            CanaryAnalysisResult result;
            try
            {
                result = await analyzer.AnalyzeAsync(deployment, _definition, smokeTests, cancellationToken).ConfigureAwait(false);
            }
            catch (AnalysisDefinitionException ex)
            {
                EmitError(ErrorRecords.Create(ex, ex.ErrorId, ErrorCategory.InvalidArgument, ex.Key, ex.RecommendedAction));
                return;
            }

            foreach (var note in result.Notes)
            {
                EmitVerbose(note);
            }

            EmitVerbose($"{result.Compared}; window {result.WindowStart:HH:mm:ss} to {result.WindowEnd:HH:mm:ss} UTC; {result.CloudWatchCalls} GetMetricData call(s)");
            Emit(result);
            switch (result.Verdict)
            {
                case AnalysisVerdict.Fail:
                    EmitError(ErrorRecords.Create(new PSInvalidOperationException(result.Summary), "CanaryAnalysisFailed", ErrorCategory.InvalidResult, result,
                        $"Undo the release with 'Undo-Deployment -Id {id}'; look at the result's Metrics for what failed."));
                    break;
                case AnalysisVerdict.Marginal:
                case AnalysisVerdict.Inconclusive:
                    EmitWarning(result.Summary);
                    break;
            }
        }));
    }
}
