using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace BlueGreen.Core.Pipelines;

/// <summary>The level of an annotation.</summary>
public enum AnnotationLevel
{
    Notice,
    Warning,
    Error,
}

/// <summary>What a pipeline reads from a step, in its own language: annotations, outputs, a step summary, groups,
/// masks and the step's result. Lines go to <see cref="Console"/> (the step's log); files are appended.</summary>
public abstract class PipelineWriter
{
    protected PipelineWriter(Action<string> console, Func<string, string?> environment)
    {
        Console = console ?? throw new ArgumentNullException(nameof(console));
        Environment = environment ?? throw new ArgumentNullException(nameof(environment));
    }

    public abstract PipelineKind Kind { get; }

    protected Action<string> Console { get; }

    protected Func<string, string?> Environment { get; }

    public abstract void Annotate(AnnotationLevel level, string title, string message);

    public abstract void SetOutput(string name, string? value);

    public abstract void AddSummary(string name, string markdown);

    public virtual void BeginGroup(string title)
    {
    }

    public virtual void EndGroup()
    {
    }

    /// <summary>Asks the pipeline to hide <paramref name="secret"/> wherever it would appear in the log.</summary>
    public virtual void Mask(string secret)
    {
    }

    /// <summary>Marks the step failed where the platform has a command for it (the exit code does it elsewhere).</summary>
    public virtual void FailStep(string message)
    {
    }

    /// <summary>The writer for <paramref name="kind"/>.</summary>
    public static PipelineWriter For(PipelineKind kind, Action<string> console, Func<string, string?> environment) => kind switch
    {
        PipelineKind.GitHubActions => new GitHubActionsWriter(console, environment),
        PipelineKind.AzureDevOps => new AzureDevOpsWriter(console, environment),
        PipelineKind.CodeBuild => new CodeBuildWriter(console, environment),
        _ => new NoPipelineWriter(console, environment),
    };
}

/// <summary>Appends text as UTF-8 without a byte order mark (what every runner reads; Windows PowerShell's own
/// default would add one), never truncating what earlier steps or commands wrote.</summary>
public static class PipelineFiles
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);
    private static readonly object Gate = new();

    public static void Append(string path, string text)
    {
        lock (Gate)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            var bytes = Utf8.GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
        }
    }
}

internal sealed class NoPipelineWriter : PipelineWriter
{
    public NoPipelineWriter(Action<string> console, Func<string, string?> environment) : base(console, environment)
    {
    }

    public override PipelineKind Kind => PipelineKind.None;

    public override void Annotate(AnnotationLevel level, string title, string message)
    {
    }

    public override void SetOutput(string name, string? value)
    {
    }

    public override void AddSummary(string name, string markdown)
    {
    }
}

/// <summary>Workflow commands on stdout; outputs to GITHUB_OUTPUT and the summary to GITHUB_STEP_SUMMARY.</summary>
public sealed class GitHubActionsWriter : PipelineWriter
{
    public GitHubActionsWriter(Action<string> console, Func<string, string?> environment) : base(console, environment)
    {
    }

    public override PipelineKind Kind => PipelineKind.GitHubActions;

    public override void Annotate(AnnotationLevel level, string title, string message) =>
        Console(GitHubCommands.Format(level.ToString().ToLowerInvariant(), new[] { new KeyValuePair<string, string?>("title", title) }, message));

    public override void SetOutput(string name, string? value)
    {
        if (Environment("GITHUB_OUTPUT") is { Length: > 0 } path)
        {
            PipelineFiles.Append(path, GitHubCommands.FileEntry(name, value));
        }
    }

    public override void AddSummary(string name, string markdown)
    {
        if (Environment("GITHUB_STEP_SUMMARY") is { Length: > 0 } path)
        {
            PipelineFiles.Append(path, markdown.TrimEnd('\n') + "\n\n");
        }
    }

    public override void BeginGroup(string title) => Console(GitHubCommands.Format("group", null, title));

    public override void EndGroup() => Console("::endgroup::");

    public override void Mask(string secret) => Console(GitHubCommands.Format("add-mask", null, secret));
}

/// <summary>Logging commands on stdout; the summary is a Markdown file the agent attaches to the run.</summary>
public sealed class AzureDevOpsWriter : PipelineWriter
{
    public AzureDevOpsWriter(Action<string> console, Func<string, string?> environment) : base(console, environment)
    {
    }

    public override PipelineKind Kind => PipelineKind.AzureDevOps;

    public override void Annotate(AnnotationLevel level, string title, string message)
    {
        // Azure has no notice issue: a notice is a plain line.
        if (level == AnnotationLevel.Notice)
        {
            Console(title + ": " + message);
            return;
        }

        Console(AzureDevOpsCommands.Format("task.logissue", new[] { new KeyValuePair<string, string?>("type", level == AnnotationLevel.Error ? "error" : "warning") },
            title + ": " + message));
    }

    public override void SetOutput(string name, string? value) =>
        Console(AzureDevOpsCommands.Format("task.setvariable", new[]
        {
            new KeyValuePair<string, string?>("variable", name),
            new KeyValuePair<string, string?>("isOutput", "true"),
        }, value));

    public override void AddSummary(string name, string markdown)
    {
        var directory = Environment("AGENT_TEMPDIRECTORY") is { Length: > 0 } temp ? temp : Path.GetTempPath();
        var path = Path.Combine(directory, "bluegreen-" + SafeFileName(name) + ".md");
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        PipelineFiles.Append(path, markdown);
        Console(AzureDevOpsCommands.Format("task.uploadsummary", null, path));
    }

    public override void BeginGroup(string title) => Console("##[group]" + AzureDevOpsCommands.EscapeData(title));

    public override void EndGroup() => Console("##[endgroup]");

    public override void Mask(string secret) => Console(AzureDevOpsCommands.Format("task.setsecret", null, secret));

    public override void FailStep(string message) =>
        Console(AzureDevOpsCommands.Format("task.complete", new[] { new KeyValuePair<string, string?>("result", "Failed") }, message));

    private static string SafeFileName(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name)
        {
            text.Append(char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return text.ToString();
    }
}

/// <summary>Plain log lines; outputs appended to an env file (BLUEGREEN_ENV_FILE, else bluegreen.env in the temp
/// directory) that the buildspec sources before its <c>exported-variables</c> are read.</summary>
public sealed class CodeBuildWriter : PipelineWriter
{
    public const string EnvFileVariable = "BLUEGREEN_ENV_FILE";

    public CodeBuildWriter(Action<string> console, Func<string, string?> environment) : base(console, environment)
    {
    }

    public override PipelineKind Kind => PipelineKind.CodeBuild;

    public string EnvFile => Environment(EnvFileVariable) is { Length: > 0 } path ? path : Path.Combine(Path.GetTempPath(), "bluegreen.env");

    public override void Annotate(AnnotationLevel level, string title, string message) =>
        Console($"[{level.ToString().ToUpperInvariant()}] {title}: {message}");

    public override void SetOutput(string name, string? value) =>
        PipelineFiles.Append(EnvFile, CodeBuildEnvFile.Entry(CodeBuildEnvFile.VariableName(name), value));

    public override void AddSummary(string name, string markdown)
    {
        foreach (var line in markdown.TrimEnd('\n').Split('\n'))
        {
            Console(line);
        }

        if (Environment("BLUEGREEN_SUMMARY_FILE") is { Length: > 0 } path)
        {
            PipelineFiles.Append(path, markdown.TrimEnd('\n') + "\n\n");
        }
    }
}
