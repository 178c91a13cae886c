using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BlueGreen.Sandbox.Tests;

/// <summary>
/// The AWS CLI run by its own driver in long-lived Python processes (aws-cli-runner.py beside the tests), when the aws
/// on PATH is the pip-installed CLI: each command is parsed, sent and printed by the CLI's own code, as the aws program
/// does, but its half-second start-up is paid once per runner, not once per command. Runners are pooled, one per
/// command in flight. Any other aws (the CLI v2's own binary, a version manager's shim) gets null: run it per command.
/// </summary>
internal sealed class AwsCliRunner : IDisposable
{
    private static readonly Lazy<string?> Python = new(FindPython);
    private static readonly ConcurrentBag<AwsCliRunner> Idle = new();

    private readonly Process _process;

    private AwsCliRunner(Process process) => _process = process;

    /// <summary>Runs one command with exactly these AWS_* variables; null when no runner can be had.</summary>
    public static CliResult? TryRun(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        if (!Idle.TryTake(out var runner) && (runner = Start()) is null)
        {
            return null;
        }

        var request = new JsonObject
        {
            ["args"] = new JsonArray(args.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["env"] = new JsonObject(environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value)))),
        };
        runner._process.StandardInput.WriteLine(request.ToJsonString());
        var line = runner._process.StandardOutput.ReadLine();
        if (line is null)
        {
            runner.Dispose();
            throw new InvalidOperationException($"The AWS CLI runner ended while running: aws {string.Join(' ', args)}");
        }

        Idle.Add(runner);
        var answer = JsonNode.Parse(line)!;
        return new CliResult((int)answer["rc"]!, (string)answer["stdout"]!, (string)answer["stderr"]!);
    }

    private static AwsCliRunner? Start()
    {
        if (Python.Value is not { } python)
        {
            return null;
        }

        var start = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "aws-cli-runner.py"));
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        var process = Process.Start(start)!;
        process.StandardInput.AutoFlush = true;
        if (process.StandardOutput.ReadLine()?.Contains("\"ready\"", StringComparison.Ordinal) != true)
        {
            // No importable awscli in that Python.
            process.Kill();
            process.Dispose();
            return null;
        }

        return new AwsCliRunner(process);
    }

    /// <summary>The Python of the aws script on PATH, from its '#!' line; null when aws is not such a script.</summary>
    private static string? FindPython()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var aws = Path.Combine(dir, "aws");
            if (!File.Exists(aws))
            {
                continue;
            }

            using var reader = new StreamReader(aws);
            var first = reader.ReadLine() ?? string.Empty;
            var match = System.Text.RegularExpressions.Regex.Match(first, @"^#!\s*(/\S*python[0-9.]*)\s*$");
            return match.Success ? match.Groups[1].Value : null;
        }

        return null;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
