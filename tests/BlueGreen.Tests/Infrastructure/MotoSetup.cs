using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;

namespace BlueGreen.Tests.Infrastructure;

/// <summary>
/// What moto's ECS, ELBv2 and Lambda check exists before they accept a request (a VPC with subnets and a
/// security group; an IAM role Lambda can assume; a running task). The project has no EC2 or IAM client and
/// its ECS client has no RunTask, so these are made with the AWS CLI over moto's own API: set-up only,
/// nothing the tests judge.
/// </summary>
public static class MotoSetup
{
    private static readonly ConcurrentDictionary<string, Lazy<Network>> Networks = new();
    private static readonly ConcurrentDictionary<string, Lazy<string>> Roles = new();

    private const string TrustPolicy =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    public sealed record Network(string VpcId, string[] SubnetIds, string SecurityGroupId);

    /// <summary>One VPC, two subnets in two zones and a security group, made once per moto.</summary>
    public static Network NetworkFor(MotoServer moto) =>
        Networks.GetOrAdd(moto.Url, url => new Lazy<Network>(() =>
        {
            var vpc = Aws(url, "ec2", "create-vpc", "--cidr-block", "10.20.0.0/16").GetProperty("Vpc").GetProperty("VpcId").GetString()!;
            var subnets = new[] { ("10.20.1.0/24", "us-east-1a"), ("10.20.2.0/24", "us-east-1b") }
                .Select(s => Aws(url, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", s.Item1, "--availability-zone", s.Item2)
                    .GetProperty("Subnet").GetProperty("SubnetId").GetString()!)
                .ToArray();
            var group = Aws(url, "ec2", "create-security-group", "--group-name", "bluegreen-tests", "--description", "tests", "--vpc-id", vpc)
                .GetProperty("GroupId").GetString()!;
            return new Network(vpc, subnets, group);
        })).Value;

    /// <summary>The ARN of an IAM role Lambda may assume, made once per moto.</summary>
    public static string LambdaRoleFor(MotoServer moto) =>
        Roles.GetOrAdd(moto.Url, url => new Lazy<string>(() =>
        {
            var name = MotoServer.UniqueName("lambda-role");
            return Aws(url, "iam", "create-role", "--role-name", name, "--assume-role-policy-document", TrustPolicy)
                .GetProperty("Role").GetProperty("Arn").GetString()!;
        })).Value;

    /// <summary>Starts one Fargate task of a bridge-mode task definition (RunTask is not an operation of the project's ECS client).</summary>
    public static string RunFargateTask(MotoServer moto, string cluster, string taskDefinition, string startedBy)
    {
        var result = Aws(moto.Url, "ecs", "run-task", "--cluster", cluster, "--task-definition", taskDefinition, "--launch-type", "FARGATE",
            "--started-by", startedBy);
        return result.GetProperty("tasks")[0].GetProperty("taskArn").GetString()!;
    }

    /// <summary>An ECS application, deployment group and deployment made by the AWS CLI, as another tool would leave them.</summary>
    public static (string Application, string Group, string DeploymentId) CodeDeployDeployment(MotoServer moto)
    {
        var application = MotoServer.UniqueName("cli-app");
        Aws(moto.Url, "deploy", "create-application", "--application-name", application, "--compute-platform", "ECS");
        Aws(moto.Url, "deploy", "create-deployment-group", "--application-name", application, "--deployment-group-name", "cli-dg",
            "--service-role-arn", "arn:aws:iam::123456789012:role/codedeploy",
            "--deployment-style", "deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL",
            "--ecs-services", "serviceName=web,clusterName=cli-cluster");
        var id = Aws(moto.Url, "deploy", "create-deployment", "--application-name", application, "--deployment-group-name", "cli-dg",
            "--revision", "revisionType=AppSpecContent,appSpecContent={content='{}'}").GetProperty("deploymentId").GetString()!;
        return (application, "cli-dg", id);
    }

    /// <summary>Publishes data points with the AWS CLI (the project's CloudWatch client reads metrics; it never publishes them).
    /// <paramref name="metricData"/> is the CLI's --metric-data JSON: one call for every point of a namespace.</summary>
    public static void PutMetricData(MotoServer moto, string @namespace, string metricData) =>
        Aws(moto.Url, "cloudwatch", "put-metric-data", "--namespace", @namespace, "--metric-data", metricData);

    private static JsonElement Aws(string motoUrl, params string[] arguments)
    {
        var start = new ProcessStartInfo("aws")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(motoUrl);
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only the test keys: nothing from the machine's own AWS set-up reaches moto.
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_PAGER"] = string.Empty;
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("The AWS CLI did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("The AWS CLI ('aws') is needed to set up moto for these tests.", ex);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"aws {string.Join(' ', arguments.Take(2))} against moto did not finish within 60 seconds.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"aws {string.Join(' ', arguments.Take(2))} against moto failed ({process.ExitCode}): {errors.Result}");
            }

            if (string.IsNullOrWhiteSpace(output))
            {
                // Commands without an answer body (put-metric-data).
                return default;
            }

            using var document = JsonDocument.Parse(output);
            return document.RootElement.Clone();
        }
    }
}
