using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Xunit;

namespace BlueGreen.Sandbox.Tests;

/// <summary>The AWS CLI, exactly as a user runs it against the sandbox.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonNode Json => JsonNode.Parse(Stdout)!;

    /// <summary>
    /// Asserts that the command failed with the AWS error <paramref name="errorCode"/>, judged by what the CLI printed.
    /// Every CLI version prints "An error occurred (Code) when calling the Op operation..." for a service error, but
    /// their exit numbers differ from version to version, so only "not zero" is judged of the exit code.
    /// </summary>
    public void AssertServiceError(string errorCode)
    {
        Assert.True(ExitCode != 0, $"The command was expected to fail with {errorCode}, but it succeeded: {Stdout}");
        Assert.Contains($"An error occurred ({errorCode})", Stderr, StringComparison.Ordinal);
    }
}

public sealed class Aws(SandboxFixture sandbox, string region)
{
    public string Region { get; } = region;

    public CliResult Run(params string[] args)
    {
        var arguments = args.Concat(new[] { "--endpoint-url", sandbox.Endpoint, "--output", "json" }).ToList();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith("AWS_", StringComparison.Ordinal) && name != "AWS_PROFILE")
            {
                environment[name] = entry.Value as string ?? string.Empty;
            }
        }

        environment["AWS_ACCESS_KEY_ID"] = "test";
        environment["AWS_SECRET_ACCESS_KEY"] = "test";
        environment["AWS_DEFAULT_REGION"] = Region;
        environment["AWS_PAGER"] = string.Empty;
        environment["AWS_MAX_ATTEMPTS"] = "1";
        if (AwsCliRunner.TryRun(arguments, environment) is { } ran)
        {
            return ran;
        }

        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment.Remove("AWS_PROFILE");
        foreach (var variable in environment)
        {
            start.Environment[variable.Key] = variable.Value;
        }

        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a command that must succeed and returns its JSON output (or an empty object).</summary>
    public JsonNode Ok(params string[] args)
    {
        var result = Run(args);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', args)} failed ({result.ExitCode}): {result.Stderr}");
        return string.IsNullOrWhiteSpace(result.Stdout) ? new JsonObject() : result.Json;
    }

    /// <summary>
    /// Sets state up with one signed JSON request (ECS, CodeDeploy) instead of a CLI process, for setup that is not itself
    /// under test: signed from the specification (<see cref="RawSigner"/>), the sandbox's verifier still judges it.
    /// </summary>
    public JsonNode Json(string service, string target, JsonObject input) =>
        JsonNode.Parse(Send(service, target, Encoding.UTF8.GetBytes(input.ToJsonString()), "application/x-amz-json-1.1"))!;

    /// <summary>An AWS Query request (ELBv2) for setup, as <see cref="Json"/>; returns the answer's XML.</summary>
    public XElement Query(string service, string action, string version, params (string Name, string Value)[] parameters)
    {
        var form = string.Join('&', new[] { ("Action", action), ("Version", version) }.Concat(parameters)
            .Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}"));
        return XElement.Parse(Send(service, null, Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded; charset=utf-8"));
    }

    private string Send(string service, string? target, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, sandbox.Endpoint + "/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        RawSigner.Sign(request, body, service, Region);
        using var response = sandbox.Http.Send(request);
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.IsSuccessStatusCode, $"{target ?? service} failed ({(int)response.StatusCode}): {text}");
        return text;
    }

    /// <summary>
    /// Waits until the deployment's state satisfies <paramref name="condition"/>: polled cheaply through the sandbox's
    /// control API, then read with get-deployment, whose answer is what the condition is finally judged on and returned.
    /// </summary>
    public JsonNode WaitForDeployment(string id, Func<JsonNode, bool> condition, int seconds = 180)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonNode info;
        do
        {
            sandbox.WaitForState(Region, r => Deployment(r, id) is { } d && condition(d), $"Deployment {id} reaching the expected state", seconds);
            info = Ok("deploy", "get-deployment", "--deployment-id", id)["deploymentInfo"]!;
            if (condition(info))
            {
                return info;
            }
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"Deployment {id} never reached the expected state as get-deployment reports it; last: {info.ToJsonString()}");
        return info;
    }

    /// <summary>A deployment in a region's state dump (the shape of GetDeployment's deploymentInfo), or null.</summary>
    public static JsonNode? Deployment(JsonNode region, string id) =>
        region["codedeploy"]!["deployments"]!.AsArray().FirstOrDefault(d => d!["deploymentId"]!.GetValue<string>() == id);
}
