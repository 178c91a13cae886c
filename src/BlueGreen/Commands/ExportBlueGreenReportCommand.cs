using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Reporting;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Writes a report of releases: a self-contained HTML page with the traffic of each release over time as a picture,
/// and the same content as Markdown.</summary>
[Cmdlet(VerbsData.Export, "BlueGreenReport", DefaultParameterSetName = ByObjectSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportBlueGreenReportCommand : ReleaseCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByObjectSet = "ByObject";

    private readonly List<BlueGreenDeployment> _releases = new();

    /// <summary>Releases to report, as the module's cmdlets return them; reported as they are, with what this session saw of them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BlueGreenDeployment[] InputObject { get; set; } = null!;

    /// <summary>Ids of releases to report: read from AWS, with what this session saw of them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("DeploymentId")]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = null!;

    /// <summary>The file to write: the HTML page (with -Format Both the Markdown goes beside it, as .md), or the Markdown file.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>What to write; by default the Markdown only for a path ending .md, otherwise both.</summary>
    [Parameter]
    public ReportFormat Format { get; set; } = ReportFormat.Auto;

    /// <summary>Returns the files written.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByObjectSet)
        {
            _releases.AddRange(InputObject.Where(d => d is not null));
            return;
        }

        foreach (var id in Id)
        {
            if (!CheckId(id))
            {
                continue;
            }

            var carried = KnownDeployments.Find(id);
            var engine = ReleaseEngines.ForDeployment(ContextFor(carried, id), carried ?? new BlueGreenDeployment(id));
            BlueGreenDeployment? read = null;
            RunAsync(cancellationToken => GuardAsync(id, async () => read = await ReadAsync(token => engine.GetAsync(id, token), cancellationToken).ConfigureAwait(false)));
            if (read is not null)
            {
                KnownDeployments.Remember(read);
                _releases.Add(read);
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_releases.Count == 0)
        {
            // Every id failed already said why; nothing given at all is an error of its own.
            if (ParameterSetName == ByObjectSet)
            {
                WriteError(ErrorRecords.Create(new PSArgumentException("No release was given to report."), "NoReleaseToReport", ErrorCategory.InvalidArgument, null,
                    "Pipe deployments (Get-BlueGreenDeployment -Id d-ABCDEF123 | Export-BlueGreenReport -Path report.html) or pass -Id."));
            }

            return;
        }

        var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var folder = System.IO.Path.GetDirectoryName(full);
        if (Directory.Exists(full))
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException($"'{full}' is a folder, not a file."), "ReportPathIsFolder", ErrorCategory.InvalidArgument, Path,
                $"Name the file to write, e.g. '{System.IO.Path.Combine(full, "release-report.html")}'."));
        }

        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            ThrowTerminatingError(ErrorRecords.Create(new DirectoryNotFoundException($"The folder '{folder}' of the report does not exist."), "ReportFolderNotFound",
                ErrorCategory.ObjectNotFound, Path, "Create the folder first (New-Item -ItemType Directory), or write the report elsewhere."));
        }

        var markdownOnly = Format == ReportFormat.Markdown || (Format == ReportFormat.Auto && full.EndsWith(".md", StringComparison.OrdinalIgnoreCase));
        var files = new List<(string File, Func<ReleaseReport, string> Render)>();
        if (markdownOnly)
        {
            files.Add((full, r => r.ToMarkdown()));
        }
        else
        {
            files.Add((full, r => r.ToHtml()));
            if (Format != ReportFormat.Html)
            {
                var markdown = System.IO.Path.ChangeExtension(full, ".md");
                if (!string.Equals(markdown, full, StringComparison.OrdinalIgnoreCase))
                {
                    files.Add((markdown, r => r.ToMarkdown()));
                }
            }
        }

        var report = ReleaseReport.From(_releases.Select(d => KnownDeployments.Find(d.DeploymentId) is { } known && !ReferenceEquals(known, d) ? WithSeen(d, known) : d));
        var what = _releases.Count == 1 ? $"release {_releases[0].DeploymentId}" : $"{_releases.Count} releases";
        foreach (var (file, render) in files)
        {
            if (!ShouldProcess(file, $"Write the report of {what}"))
            {
                continue;
            }

            try
            {
                File.WriteAllText(file, render(report), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.Create(ex, "ReportNotWritten", ErrorCategory.WriteError, file, "Check that the file is not open elsewhere and that you may write to its folder."));
                continue;
            }

            WriteVerbose($"Wrote the report of {what} to {file}.");
            if (PassThru)
            {
                WriteObject(new FileInfo(file));
            }
        }
    }

    // A piped object keeps its own state; the gates and reads this session kept for it are added.
    private static BlueGreenDeployment WithSeen(BlueGreenDeployment given, BlueGreenDeployment known)
    {
        given.Gates = ReleaseGate.Merge(given.Gates, known.Gates);
        if (known.TrafficHistory.Count > given.TrafficHistory.Count)
        {
            given.TrafficHistory = known.TrafficHistory;
        }

        return given;
    }
}

/// <summary>What Export-BlueGreenReport writes.</summary>
public enum ReportFormat
{
    /// <summary>Markdown for a path ending .md, otherwise HTML with the Markdown beside it.</summary>
    Auto,

    Html,

    Markdown,

    /// <summary>HTML at the path, Markdown beside it (.md).</summary>
    Both,
}
