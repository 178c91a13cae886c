using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Hosting;
using BlueGreen.Sandbox.Services;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox;

/// <summary>The resources of one AWS region, as the credential scope of each request names it.</summary>
internal sealed class Region
{
    public Region(Sandbox sandbox, string name)
    {
        Sandbox = sandbox;
        Name = name;
        Ecs = new EcsApi(this);
        Elb = new ElbApi(this);
        Lambda = new LambdaApi(this);
        CodeDeploy = new CodeDeployApi(this);
        CloudWatch = new CloudWatchApi(this);
    }

    public Sandbox Sandbox { get; }

    public string Name { get; }

    public EcsApi Ecs { get; }

    public ElbApi Elb { get; }

    public LambdaApi Lambda { get; }

    public CodeDeployApi CodeDeploy { get; }

    public CloudWatchApi CloudWatch { get; }

    public DateTimeOffset Now => Sandbox.Clock.Now;

    public string Arn(string service, string resource) => $"arn:aws:{service}:{Name}:{Sandbox.Account}:{resource}";

    public object Dispatch(AwsCall call)
    {
        Names.Check(call.Service, call.Operation, call.Input);
        return Handle(call);
    }

    private object Handle(AwsCall call) => call.Service switch
    {
        "ecs" => Ecs.Handle(call.Operation, call.Input),
        "elasticloadbalancing" => Elb.Handle(call.Operation, call.Input),
        "lambda" => Lambda.Handle(call.Operation, call.Input, call.Body),
        "codedeploy" => CodeDeploy.Handle(call.Operation, call.Input),
        "monitoring" => CloudWatch.Handle(call.Operation, call.Input),
        _ => throw new AwsException("UnknownOperationException", $"Unknown service {call.Service}."),
    };

    /// <summary>Calls an operation from inside the sandbox (seeding, a Lambda hook reporting back), logged as such.</summary>
    public JsonNode? Call(string service, string operation, JsonObject input, string source)
    {
        try
        {
            var result = Dispatch(new AwsCall(Protocol.Json11, service, operation, input, "/", "POST", new Dictionary<string, string>(), []));
            Sandbox.Log.Add(service, operation, Name, 200, null, source, 0);
            return result as JsonNode;
        }
        catch (AwsException e)
        {
            Sandbox.Log.Add(service, operation, Name, e.Status, e.Code, source, 0);
            throw;
        }
    }

    public void Tick(DateTimeOffset now)
    {
        Ecs.Tick(now);
        Lambda.Tick(now);
        CodeDeploy.Tick(now);
        CloudWatch.Tick(now);
    }

    public JsonObject Dump() => new()
    {
        ["region"] = Name,
        ["ecs"] = Ecs.Dump(),
        ["elbv2"] = Elb.Dump(),
        ["lambda"] = Lambda.Dump(),
        ["codedeploy"] = CodeDeploy.Dump(),
        ["cloudwatch"] = CloudWatch.Dump(),
    };

    public static string NewId(int length, string alphabet = "0123456789abcdef")
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
