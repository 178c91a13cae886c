using System;
using System.Diagnostics;
using System.Text.Json;

namespace BlueGreen.Module.Tests;

/// <summary>The AWS CLI, used to set up state in moto independently of the module under test.</summary>
public static class AwsCli
{
    public static JsonElement Run(string endpoint, params string[] arguments)
    {
        var start = new ProcessStartInfo("aws")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(endpoint);
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_PAGER"] = string.Empty;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The AWS CLI did not start.");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"aws {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }

        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(output) ? "{}" : output);
        return document.RootElement.Clone();
    }

    /// <summary>Creates an ECS CodeDeploy application, group and deployment; returns the deployment id.</summary>
    public static string CreateDeployment(string endpoint, string application, string description = "created by the AWS CLI")
    {
        Run(endpoint, "deploy", "create-application", "--application-name", application, "--compute-platform", "ECS");
        Run(endpoint, "deploy", "create-deployment-group", "--application-name", application, "--deployment-group-name", "web",
            "--service-role-arn", "arn:aws:iam::123456789012:role/codedeploy");
        var created = Run(endpoint, "deploy", "create-deployment", "--application-name", application, "--deployment-group-name", "web",
            "--description", description,
            "--revision", "{\"revisionType\":\"AppSpecContent\",\"appSpecContent\":{\"content\":\"{}\"}}");
        return created.GetProperty("deploymentId").GetString()!;
    }
}
