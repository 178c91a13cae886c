using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;

namespace BlueGreen.Tests.Infrastructure;

/// <summary>
/// What moto's ECS, ELBv2 and Lambda check exists before they accept a request (a VPC with subnets and a
/// security group; an IAM role Lambda can assume). The project has no EC2 or IAM client, so these are made
/// with boto3 over moto's own API: setup only, nothing the tests judge.
/// </summary>
public static class MotoSetup
{
    private static readonly ConcurrentDictionary<string, Lazy<Network>> Networks = new();
    private static readonly ConcurrentDictionary<string, Lazy<string>> Roles = new();

    private const string NetworkScript = """
import json, os, boto3
ec2 = boto3.client("ec2", endpoint_url=os.environ["MOTO_URL"], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
           for i, z in ((1, "a"), (2, "b"))]
sg = ec2.create_security_group(GroupName="bluegreen-tests", Description="tests", VpcId=vpc)["GroupId"]
print(json.dumps({"vpc": vpc, "subnets": subnets, "securityGroup": sg}))
""";

    private const string RoleScript = """
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["MOTO_URL"], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
try:
    arn = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
except iam.exceptions.EntityAlreadyExistsException:
    arn = iam.get_role(RoleName="lambda-role")["Role"]["Arn"]
print(json.dumps({"arn": arn}))
""";

    public sealed record Network(string VpcId, string[] SubnetIds, string SecurityGroupId);

    /// <summary>One VPC, two subnets in two zones and a security group, made once per moto.</summary>
    public static Network NetworkFor(MotoServer moto) =>
        Networks.GetOrAdd(moto.Url, url => new Lazy<Network>(() =>
        {
            using var json = JsonDocument.Parse(RunPython(url, NetworkScript));
            var root = json.RootElement;
            return new Network(
                root.GetProperty("vpc").GetString()!,
                root.GetProperty("subnets").EnumerateArray().Select(s => s.GetString()!).ToArray(),
                root.GetProperty("securityGroup").GetString()!);
        })).Value;

    /// <summary>The ARN of an IAM role Lambda may assume, made once per moto.</summary>
    public static string LambdaRoleFor(MotoServer moto) =>
        Roles.GetOrAdd(moto.Url, url => new Lazy<string>(() =>
        {
            using var json = JsonDocument.Parse(RunPython(url, RoleScript));
            return json.RootElement.GetProperty("arn").GetString()!;
        })).Value;

    private static string RunPython(string motoUrl, string script)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-");
        start.Environment["MOTO_URL"] = motoUrl;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("boto3 set-up against moto did not finish within 60 seconds.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"boto3 set-up against moto failed ({process.ExitCode}): {errors.Result}");
        }

        return output.Trim().Split('\n').Last();
    }
}
