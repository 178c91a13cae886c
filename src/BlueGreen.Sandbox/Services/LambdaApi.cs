using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Hosting;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

/// <summary>
/// How a sandbox function behaves, read from <c>sandbox.json</c> at the root of its zip. Every member is optional.
/// </summary>
internal sealed record FunctionBehaviour(JsonNode? Payload, string? ErrorType, string? ErrorMessage, int LatencyMs, double FailureRate, string HookStatus)
{
    public const string FileName = "sandbox.json";

    private const int MaxFileBytes = 256 * 1024;

    public static readonly FunctionBehaviour Default = new(null, null, null, 0, 0, "Succeeded");

    public static FunctionBehaviour Read(byte[] zip)
    {
        JsonNode? document;
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            var entry = archive.GetEntry(FileName);
            if (entry is null)
            {
                return Default;
            }

            // Read no more than a behaviour file can sensibly be, whatever the zip says it inflates to.
            using var stream = entry.Open();
            var text = new byte[MaxFileBytes + 1];
            var length = 0;
            int read;
            while (length < text.Length && (read = stream.Read(text, length, text.Length - length)) > 0)
            {
                length += read;
            }

            if (length > MaxFileBytes)
            {
                throw new AwsException("InvalidParameterValueException", $"{FileName} in the zip is larger than {MaxFileBytes} bytes.");
            }

            document = JsonNode.Parse(text.AsSpan(0, length));
        }
        catch (InvalidDataException)
        {
            throw new AwsException("InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.");
        }
        catch (JsonException e)
        {
            throw new AwsException("InvalidParameterValueException", $"{FileName} in the zip is not valid JSON: {e.Message}");
        }

        var hook = document.Str("hookStatus") ?? "Succeeded";
        if (hook is not ("Succeeded" or "Failed" or "None"))
        {
            throw new AwsException("InvalidParameterValueException", $"{FileName}: hookStatus must be Succeeded, Failed or None.");
        }

        return new FunctionBehaviour(
            document?["payload"]?.DeepClone(),
            document?["error"].Str("errorType"),
            document?["error"].Str("errorMessage"),
            document.Int("latencyMs") ?? 0,
            Math.Clamp(document.Num("failureRate") ?? 0, 0, 1),
            hook);
    }
}

internal sealed class LambdaVersion
{
    public required string Version { get; init; }

    public required JsonObject Config { get; set; }

    public required byte[] Zip { get; set; }

    public required FunctionBehaviour Behaviour { get; set; }

    public string CodeSha256 => Convert.ToBase64String(SHA256.HashData(Zip));

    public DateTimeOffset LastModified { get; set; }

    public string RevisionId { get; set; } = Guid.NewGuid().ToString();
}

internal sealed class LambdaAlias
{
    public required string Name { get; init; }

    public required string FunctionVersion { get; set; }

    public string Description { get; set; } = string.Empty;

    public Dictionary<string, double> Weights { get; set; } = new(StringComparer.Ordinal);

    public string RevisionId { get; set; } = Guid.NewGuid().ToString();
}

internal sealed class LambdaFunction
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public Dictionary<string, LambdaVersion> Versions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, LambdaAlias> Aliases { get; } = new(StringComparer.Ordinal);

    public int LastVersion { get; set; }

    public LambdaVersion Latest => Versions["$LATEST"];
}

/// <summary>What one invocation of a sandbox function produced.</summary>
internal sealed record Invocation(string ExecutedVersion, byte[] Payload, string? FunctionError, int DelayMs, Action Completed);

/// <summary>AWS Lambda: functions from zip files, versions, aliases with weighted routing, and invocation.</summary>
internal sealed class LambdaApi(Region region)
{
    private const string Prefix = "/2015-03-31/functions";
    private readonly Dictionary<string, LambdaFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>The operation a REST method and path name, or null; read before the body is.</summary>
    public static string? Operation(string method, string path)
    {
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var segments = Segments(path);
        return (method, segments.Length, segments.Length > 1 ? segments[1] : null) switch
        {
            ("POST", 0, _) => "CreateFunction",
            ("GET", 0, _) => "ListFunctions",
            ("GET", 1, _) => "GetFunction",
            ("DELETE", 1, _) => "DeleteFunction",
            ("GET", 2, "configuration") => "GetFunctionConfiguration",
            ("PUT", 2, "code") => "UpdateFunctionCode",
            ("POST", 2, "versions") => "PublishVersion",
            ("GET", 2, "versions") => "ListVersionsByFunction",
            ("POST", 2, "aliases") => "CreateAlias",
            ("GET", 2, "aliases") => "ListAliases",
            ("GET", 3, "aliases") => "GetAlias",
            ("PUT", 3, "aliases") => "UpdateAlias",
            ("DELETE", 3, "aliases") => "DeleteAlias",
            ("POST", 2, "invocations") => "Invoke",
            _ => null,
        };
    }

    private static string[] Segments(string path) =>
        path[Prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();

    /// <summary>Maps a REST path and method to the operation and its input, as Lambda's REST binding does.</summary>
    public static (string Operation, JsonObject Input) Route(string method, string path, IReadOnlyDictionary<string, string> query, byte[] body)
    {
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new AwsException("UnknownOperationException", "Unknown Lambda path.", 404);
        }

        var segments = Segments(path);
        var operation = Operation(method, path) ?? throw new AwsException("UnknownOperationException", $"The sandbox does not implement {method} {path}.", 404);

        JsonObject input = [];
        if (operation != "Invoke" && body.Length > 0)
        {
            try
            {
                input = JsonNode.Parse(body) as JsonObject ?? [];
            }
            catch (JsonException)
            {
                throw new AwsException("InvalidRequestContentException", "Could not parse request body into json.");
            }
        }

        if (segments.Length > 0)
        {
            input["FunctionName"] = segments[0];
        }

        if (segments.Length > 2)
        {
            input["Name"] = segments[2];
        }

        foreach (var (key, value) in query)
        {
            input[key] = value;
        }

        return (operation, input);
    }

    public object Handle(string operation, JsonObject input, byte[] body) => operation switch
    {
        "CreateFunction" => RestResponse.FromJson(CreateFunction(input), 201),
        "ListFunctions" => RestResponse.FromJson(new JsonObject { ["Functions"] = _functions.Values.Select(f => (JsonNode?)ConfigJson(f, f.Latest)).ToJsonArray() }),
        "GetFunction" => RestResponse.FromJson(GetFunction(input)),
        "DeleteFunction" => DeleteFunction(input),
        "GetFunctionConfiguration" => RestResponse.FromJson(GetFunctionConfiguration(input)),
        "UpdateFunctionCode" => RestResponse.FromJson(UpdateFunctionCode(input)),
        "PublishVersion" => RestResponse.FromJson(PublishVersion(input), 201),
        "ListVersionsByFunction" => RestResponse.FromJson(new JsonObject { ["Versions"] = Function(input).Versions.Values.Select(v => (JsonNode?)ConfigJson(Function(input), v)).ToJsonArray() }),
        "CreateAlias" => RestResponse.FromJson(CreateAlias(input), 201),
        "GetAlias" => RestResponse.FromJson(AliasJson(Function(input), Alias(Function(input), input.Req("Name")))),
        "UpdateAlias" => RestResponse.FromJson(UpdateAlias(input)),
        "ListAliases" => RestResponse.FromJson(new JsonObject { ["Aliases"] = Function(input).Aliases.Values.Select(a => (JsonNode?)AliasJson(Function(input), a)).ToJsonArray() }),
        "DeleteAlias" => DeleteAlias(input),
        "Invoke" => Invoke(input, body),
        _ => throw new AwsException("UnknownOperationException", $"The sandbox does not implement Lambda {operation}.", 404),
    };

    private static string NameOf(string reference, out string? qualifier)
    {
        qualifier = null;
        if (reference.StartsWith("arn:", StringComparison.Ordinal))
        {
            var parts = reference.Split(':');
            qualifier = parts.Length > 7 ? parts[7] : null;
            return parts.Length > 6 ? parts[6] : reference;
        }

        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            qualifier = reference[(colon + 1)..];
            return reference[..colon];
        }

        return reference;
    }

    public LambdaFunction? Find(string reference) => _functions.GetValueOrDefault(NameOf(reference, out _));

    private LambdaFunction Function(JsonObject input)
    {
        var reference = input.Req("FunctionName", "InvalidParameterValueException");
        var name = NameOf(reference, out _);
        return _functions.GetValueOrDefault(name)
            ?? throw new AwsException("ResourceNotFoundException", $"Function not found: {region.Arn("lambda", "function:" + name)}", 404);
    }

    private static LambdaAlias Alias(LambdaFunction function, string name) =>
        function.Aliases.GetValueOrDefault(name)
        ?? throw new AwsException("ResourceNotFoundException", $"Alias not found: {function.Arn}:{name}", 404);

    /// <summary>The version a qualifier names (a version number, $LATEST or an alias's primary version).</summary>
    private static LambdaVersion Version(LambdaFunction function, string? qualifier)
    {
        if (qualifier is null or "$LATEST")
        {
            return function.Latest;
        }

        if (function.Versions.TryGetValue(qualifier, out var version))
        {
            return version;
        }

        if (function.Aliases.TryGetValue(qualifier, out var alias))
        {
            return function.Versions[alias.FunctionVersion];
        }

        throw new AwsException("ResourceNotFoundException", $"Function not found: {function.Arn}:{qualifier}", 404);
    }

    private static byte[] Zip(JsonObject input, string member)
    {
        var text = input.Str(member) ?? throw new AwsException("InvalidParameterValueException", "The sandbox takes function code as a zip file (ZipFile).");
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new AwsException("InvalidParameterValueException", "ZipFile is not valid base64.");
        }
    }

    private JsonObject CreateFunction(JsonObject input)
    {
        var name = input.Req("FunctionName", "InvalidParameterValueException");
        if (_functions.ContainsKey(name))
        {
            throw new AwsException("ResourceConflictException", $"Function already exist: {name}", 409);
        }

        input.Req("Role", "InvalidParameterValueException");
        var zip = Zip(input["Code"]?.AsObject() ?? [], "ZipFile");
        var behaviour = FunctionBehaviour.Read(zip);
        var config = new JsonObject
        {
            ["Runtime"] = input.Req("Runtime", "InvalidParameterValueException"),
            ["Role"] = input.Str("Role"),
            ["Handler"] = input.Req("Handler", "InvalidParameterValueException"),
            ["Description"] = input.Str("Description") ?? string.Empty,
            ["Timeout"] = input.Int("Timeout") ?? 3,
            ["MemorySize"] = input.Int("MemorySize") ?? 128,
            ["Environment"] = input["Environment"] is JsonObject env ? new JsonObject { ["Variables"] = env["Variables"]?.DeepClone() ?? new JsonObject() } : null,
            ["Architectures"] = input["Architectures"]?.DeepClone() ?? new JsonArray { "x86_64" },
        };
        var function = new LambdaFunction { Name = name, Arn = region.Arn("lambda", "function:" + name) };
        function.Versions["$LATEST"] = new LambdaVersion { Version = "$LATEST", Config = config, Zip = zip, Behaviour = behaviour, LastModified = region.Now };
        _functions[name] = function;
        var latest = ConfigJson(function, function.Latest);
        if (input.Bool("Publish") ?? false)
        {
            return ConfigJson(function, Publish(function, null));
        }

        return latest;
    }

    private JsonObject ConfigJson(LambdaFunction function, LambdaVersion version)
    {
        var json = (JsonObject)version.Config.DeepClone();
        json["FunctionName"] = function.Name;
        json["FunctionArn"] = version.Version == "$LATEST" ? function.Arn : $"{function.Arn}:{version.Version}";
        json["CodeSize"] = version.Zip.Length;
        json["CodeSha256"] = version.CodeSha256;
        json["LastModified"] = JsonValue.Create(version.LastModified);
        json["Version"] = version.Version;
        json["RevisionId"] = version.RevisionId;
        json["State"] = "Active";
        json["LastUpdateStatus"] = "Successful";
        json["PackageType"] = "Zip";
        json["TracingConfig"] = new JsonObject { ["Mode"] = "PassThrough" };
        json["EphemeralStorage"] = new JsonObject { ["Size"] = 512 };
        if (json["Environment"] is null)
        {
            json.Remove("Environment");
        }

        _ = region;
        return json;
    }

    private JsonObject GetFunction(JsonObject input)
    {
        var function = Function(input);
        NameOf(input.Req("FunctionName"), out var qualifier);
        var version = Version(function, input.Str("Qualifier") ?? qualifier);
        return new JsonObject
        {
            ["Configuration"] = ConfigJson(function, version),
            ["Code"] = new JsonObject { ["RepositoryType"] = "S3", ["Location"] = $"{region.Sandbox.Endpoint}/_sandbox/lambda/{function.Name}/{version.Version}.zip" },
            ["Tags"] = new JsonObject(),
        };
    }

    private JsonObject GetFunctionConfiguration(JsonObject input)
    {
        var function = Function(input);
        NameOf(input.Req("FunctionName"), out var qualifier);
        return ConfigJson(function, Version(function, input.Str("Qualifier") ?? qualifier));
    }

    private RestResponse DeleteFunction(JsonObject input)
    {
        var function = Function(input);
        _functions.Remove(function.Name);
        return new RestResponse { Status = 204 };
    }

    private JsonObject UpdateFunctionCode(JsonObject input)
    {
        var function = Function(input);
        var zip = Zip(input, "ZipFile");
        var latest = function.Latest;
        latest.Zip = zip;
        latest.Behaviour = FunctionBehaviour.Read(zip);
        latest.LastModified = region.Now;
        latest.RevisionId = Guid.NewGuid().ToString();
        if (input.Bool("Publish") ?? false)
        {
            return ConfigJson(function, Publish(function, null));
        }

        return ConfigJson(function, latest);
    }

    private JsonObject PublishVersion(JsonObject input)
    {
        var function = Function(input);
        var expected = input.Str("CodeSha256");
        if (expected is not null && expected != function.Latest.CodeSha256)
        {
            throw new AwsException("InvalidParameterValueException", "CodeSHA256 does not match the code of $LATEST.");
        }

        return ConfigJson(function, Publish(function, input.Str("Description")));
    }

    private LambdaVersion Publish(LambdaFunction function, string? description)
    {
        // Publishing unchanged code and configuration returns the version that already has them, as Lambda does.
        var latest = function.Latest;
        var same = function.Versions.Values.LastOrDefault(v => v.Version != "$LATEST" && v.CodeSha256 == latest.CodeSha256
            && JsonNode.DeepEquals(Without(v.Config, "Description"), Without(latest.Config, "Description")));
        if (same is not null)
        {
            return same;
        }

        var config = (JsonObject)latest.Config.DeepClone();
        if (description is not null)
        {
            config["Description"] = description;
        }

        var number = (++function.LastVersion).ToString(CultureInfo.InvariantCulture);
        var version = new LambdaVersion { Version = number, Config = config, Zip = latest.Zip, Behaviour = latest.Behaviour, LastModified = region.Now };
        function.Versions[number] = version;
        return version;
    }

    private static JsonObject Without(JsonObject config, string member)
    {
        var copy = (JsonObject)config.DeepClone();
        copy.Remove(member);
        return copy;
    }

    private static Dictionary<string, double> Weights(LambdaFunction function, string primary, JsonNode? routing)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        if (routing?["AdditionalVersionWeights"] is JsonObject additional)
        {
            foreach (var (version, weightNode) in additional)
            {
                var weight = new JsonObject { ["w"] = weightNode?.DeepClone() }.Num("w") ?? 0;
                if (weight is < 0 or > 1)
                {
                    throw new AwsException("ValidationException", "1 validation error detected: Value at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]");
                }

                if (version == primary)
                {
                    throw new AwsException("InvalidParameterValueException", "Invalid function version " + version + ". Function version " + version + " is already included in routing configuration.");
                }

                if (version == "$LATEST" || !function.Versions.ContainsKey(version))
                {
                    throw new AwsException("InvalidParameterValueException", $"Function version {version} does not exist or is $LATEST.");
                }

                weights[version] = weight;
            }
        }

        if (weights.Count > 1)
        {
            throw new AwsException("InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1");
        }

        return weights;
    }

    private JsonObject CreateAlias(JsonObject input)
    {
        var function = Function(input);
        var name = input.Req("Name", "InvalidParameterValueException");
        if (function.Aliases.ContainsKey(name))
        {
            throw new AwsException("ResourceConflictException", $"Alias already exists: {function.Arn}:{name}", 409);
        }

        var version = input.Req("FunctionVersion", "InvalidParameterValueException");
        Version(function, version);
        var alias = new LambdaAlias
        {
            Name = name,
            FunctionVersion = version,
            Description = input.Str("Description") ?? string.Empty,
            Weights = Weights(function, version, input["RoutingConfig"]),
        };
        function.Aliases[name] = alias;
        return AliasJson(function, alias);
    }

    private JsonObject UpdateAlias(JsonObject input)
    {
        var function = Function(input);
        var alias = Alias(function, input.Req("Name"));
        if (input.Str("RevisionId") is { } revision && revision != alias.RevisionId)
        {
            throw new AwsException("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id", 412);
        }

        var version = input.Str("FunctionVersion") ?? alias.FunctionVersion;
        Version(function, version);
        var weights = input["RoutingConfig"] is null ? alias.Weights : Weights(function, version, input["RoutingConfig"]);
        alias.FunctionVersion = version;
        alias.Weights = weights.Where(w => w.Key != version).ToDictionary(StringComparer.Ordinal);
        alias.Description = input.Str("Description") ?? alias.Description;
        alias.RevisionId = Guid.NewGuid().ToString();
        return AliasJson(function, alias);
    }

    /// <summary>Moves an alias on behalf of CodeDeploy.</summary>
    public void Route(string functionName, string aliasName, string primary, string? additional, double weight)
    {
        var function = _functions.GetValueOrDefault(functionName) ?? throw new AwsException("ResourceNotFoundException", $"Function not found: {functionName}", 404);
        var alias = Alias(function, aliasName);
        alias.FunctionVersion = primary;
        alias.Weights = additional is null || weight <= 0 ? new(StringComparer.Ordinal) : new(StringComparer.Ordinal) { [additional] = Math.Round(weight, 4) };
        alias.RevisionId = Guid.NewGuid().ToString();
    }

    public LambdaAlias? FindAlias(string functionName, string aliasName) =>
        _functions.GetValueOrDefault(functionName)?.Aliases.GetValueOrDefault(aliasName);

    private static JsonObject AliasJson(LambdaFunction function, LambdaAlias alias)
    {
        var json = new JsonObject
        {
            ["AliasArn"] = $"{function.Arn}:{alias.Name}",
            ["Name"] = alias.Name,
            ["FunctionVersion"] = alias.FunctionVersion,
            ["Description"] = alias.Description,
            ["RevisionId"] = alias.RevisionId,
        };
        if (alias.Weights.Count > 0)
        {
            var weights = new JsonObject();
            foreach (var (version, weight) in alias.Weights)
            {
                weights[version] = weight;
            }

            json["RoutingConfig"] = new JsonObject { ["AdditionalVersionWeights"] = weights };
        }

        return json;
    }

    private RestResponse DeleteAlias(JsonObject input)
    {
        var function = Function(input);
        function.Aliases.Remove(input.Req("Name"));
        return new RestResponse { Status = 204 };
    }

    private RestResponse Invoke(JsonObject input, byte[] payload)
    {
        var reference = input.Req("FunctionName");
        NameOf(reference, out var qualifier);
        var invocationType = input.Str("X-Amz-Invocation-Type") ?? "RequestResponse";
        var invocation = Prepare(reference, input.Str("Qualifier") ?? qualifier, payload, "lambda:" + NameOf(reference, out _));
        if (invocationType == "DryRun")
        {
            return new RestResponse { Status = 204 };
        }

        var response = new RestResponse
        {
            Status = invocationType == "Event" ? 202 : 200,
            Body = invocationType == "Event" ? [] : invocation.Payload,
            DelayMs = invocationType == "Event" ? 0 : invocation.DelayMs,
            Completed = invocationType == "Event" ? null : invocation.Completed,
        };
        if (invocationType == "Event")
        {
            // An asynchronous invocation runs after the response has gone.
            Schedule(invocation);
        }

        response.Headers["X-Amz-Executed-Version"] = invocation.ExecutedVersion;
        if (invocation.FunctionError is not null)
        {
            response.Headers["X-Amz-Function-Error"] = invocation.FunctionError;
        }

        return response;
    }

    /// <summary>Runs an invocation's completion after its simulated latency, under the state lock.</summary>
    public void Schedule(Invocation invocation)
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(invocation.DelayMs);
            lock (region.Sandbox.Gate)
            {
                invocation.Completed();
            }
        });
    }

    /// <summary>
    /// Picks the version (alias weights decide) and works out what the function answers. The effects of the
    /// invocation (metrics, a lifecycle hook reporting back to CodeDeploy) happen in <see cref="Invocation.Completed"/>.
    /// </summary>
    public Invocation Prepare(string reference, string? qualifier, byte[] payload, string source)
    {
        var name = NameOf(reference, out _);
        var function = _functions.GetValueOrDefault(name)
            ?? throw new AwsException("ResourceNotFoundException", $"Function not found: {region.Arn("lambda", "function:" + name)}", 404);
        var version = Version(function, qualifier);
        if (qualifier is not null && function.Aliases.TryGetValue(qualifier, out var alias))
        {
            var roll = Random.Shared.NextDouble();
            foreach (var (additional, weight) in alias.Weights)
            {
                if (roll < weight)
                {
                    version = function.Versions[additional];
                    break;
                }

                roll -= weight;
            }
        }

        var behaviour = version.Behaviour;
        var failed = behaviour.ErrorType is not null || (behaviour.FailureRate > 0 && Random.Shared.NextDouble() < behaviour.FailureRate);
        JsonNode? request = null;
        try
        {
            request = payload.Length == 0 ? null : JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            if (payload.Length > 0)
            {
                throw new AwsException("InvalidRequestContentException", "Could not parse request body into json: Unexpected character.");
            }
        }

        byte[] result;
        if (failed)
        {
            result = Json.Serialize(new JsonObject
            {
                ["errorMessage"] = behaviour.ErrorMessage ?? "The sandbox function failed as its failureRate says.",
                ["errorType"] = behaviour.ErrorType ?? "SandboxSimulatedFailure",
            });
        }
        else
        {
            result = Json.Serialize(behaviour.Payload?.DeepClone() ?? new JsonObject { ["statusCode"] = 200, ["body"] = $"{function.Name}:{version.Version}" });
        }

        var resource = qualifier is null ? function.Name : $"{function.Name}:{qualifier}";
        var executed = version.Version;
        var delay = behaviour.LatencyMs;
        void Completed()
        {
            region.CloudWatch.RecordInvocation(function.Name, resource, executed, failed, delay);
            var deploymentId = request.Str("DeploymentId");
            var executionId = request.Str("LifecycleEventHookExecutionId");
            if (deploymentId is not null && executionId is not null && behaviour.HookStatus != "None")
            {
                try
                {
                    region.Call("codedeploy", "PutLifecycleEventHookExecutionStatus", new JsonObject
                    {
                        ["deploymentId"] = deploymentId,
                        ["lifecycleEventHookExecutionId"] = executionId,
                        ["status"] = failed ? "Failed" : behaviour.HookStatus,
                    }, source);
                }
                catch (AwsException)
                {
                    // The event may have timed out or the deployment stopped meanwhile: a real function's call would fail too.
                }
            }
        }

        return new Invocation(executed, result, failed ? "Unhandled" : null, delay, Completed);
    }

    public JsonObject Dump() => new()
    {
        ["functions"] = _functions.Values.Select(f => (JsonNode?)new JsonObject
        {
            ["FunctionArn"] = f.Arn,
            ["Versions"] = f.Versions.Keys.ToJsonArray(),
            ["Aliases"] = f.Aliases.Values.Select(a => (JsonNode?)AliasJson(f, a)).ToJsonArray(),
        }).ToJsonArray(),
    };

    internal static string Describe(FunctionBehaviour behaviour) => string.Create(CultureInfo.InvariantCulture, $"latency {behaviour.LatencyMs} ms, failure rate {behaviour.FailureRate}, hook {behaviour.HookStatus}");

    internal static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
