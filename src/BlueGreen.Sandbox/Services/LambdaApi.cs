using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BlueGreen.Sandbox.Hosting;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Services;

/// <summary>
/// How a sandbox function behaves, read from <c>sandbox.json</c> at the root of its zip. Every member is optional.
/// </summary>
internal sealed record FunctionBehaviour(JsonNode? Payload, string? ErrorType, string? ErrorMessage, int LatencyMs, double FailureRate, string HookStatus)
{
    /// <summary>Answers given in turn by successive invocations of a version (the last one repeats), instead of <see cref="Payload"/>.</summary>
    public JsonArray? Payloads { get; init; }

    public const string FileName = "sandbox.json";

    private const int MaxFileBytes = 256 * 1024;

    public static readonly FunctionBehaviour Default = new(null, null, null, 0, 0, "Succeeded");

    /// <summary>
    /// There are no real images: an image whose tag ends in <c>-broken</c> stands for a build that fails every
    /// invocation, as it does for ECS tasks; any other image behaves as the default.
    /// </summary>
    public static FunctionBehaviour ForImage(string imageUri) =>
        ImageTag(imageUri).EndsWith("-broken", StringComparison.Ordinal)
            ? Default with { ErrorType = "Runtime.ExitError", ErrorMessage = $"The image {imageUri} is a broken build: its runtime exited with error: exit status 1" }
            : Default;

    private static string ImageTag(string imageUri)
    {
        var reference = imageUri.Split('@')[0];
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[(colon + 1)..] : string.Empty;
    }

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
            hook)
        {
            Payloads = document?["payloads"] is JsonArray { Count: > 0 } payloads ? (JsonArray)payloads.DeepClone() : null,
        };
    }
}

internal sealed class LambdaVersion
{
    public required string Version { get; init; }

    public required JsonObject Config { get; set; }

    public required byte[] Zip { get; set; }

    /// <summary>The image of a function of package type Image (then <see cref="Zip"/> is empty).</summary>
    public string? ImageUri { get; set; }

    public required FunctionBehaviour Behaviour { get; set; }

    /// <summary>Base64 of the zip's SHA-256, as Lambda reports it; for an image, the hex digest its manifest would have.</summary>
    public string CodeSha256 => ImageUri is null
        ? Convert.ToBase64String(SHA256.HashData(Zip))
        : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ImageUri)));

    public DateTimeOffset LastModified { get; set; }

    public string RevisionId { get; set; } = Guid.NewGuid().ToString();

    /// <summary>How many times this version has run, which picks its answer from <see cref="FunctionBehaviour.Payloads"/>.</summary>
    public int Invocations { get; set; }
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

    /// <summary><c>Zip</c> or <c>Image</c>, fixed when the function is created.</summary>
    public string PackageType { get; init; } = "Zip";

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether <c>$LATEST</c> was created or updated since the last version was published.</summary>
    public bool ChangedSincePublish { get; set; } = true;

    /// <summary>Set while a code update is in progress: when it completes, in simulated time.</summary>
    public DateTimeOffset? UpdateDone { get; set; }

    public Dictionary<string, LambdaVersion> Versions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, LambdaAlias> Aliases { get; } = new(StringComparer.Ordinal);

    public int LastVersion { get; set; }

    public LambdaVersion Latest => Versions["$LATEST"];
}

/// <summary>What one invocation of a sandbox function produced.</summary>
internal sealed record Invocation(string ExecutedVersion, byte[] Payload, string? FunctionError, int DelayMs, Action Completed)
{
    /// <summary>The function's error, "type: message", when it failed.</summary>
    public string? Error { get; init; }
}

/// <summary>AWS Lambda: functions from zip files, versions, aliases with weighted routing, and invocation.</summary>
internal sealed partial class LambdaApi(Region region)
{
    /// <summary>How long a code update stays <c>InProgress</c>, in simulated time: a zip, then an image.</summary>
    public static readonly TimeSpan ZipUpdateTime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ImageUpdateTime = TimeSpan.FromSeconds(30);

    private const string Prefix = "/2015-03-31/functions";
    private const string TagsPrefix = "/2017-03-31/tags/";
    private const int MaxTags = 50;
    private readonly Dictionary<string, LambdaFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>Whether a request path belongs to Lambda's REST API.</summary>
    public static bool IsLambdaPath(string path) =>
        path.StartsWith(Prefix, StringComparison.Ordinal) || path.StartsWith("/2016-08-19/", StringComparison.Ordinal) || path.StartsWith(TagsPrefix, StringComparison.Ordinal);

    /// <summary>The operation a REST method and path name, or null; read before the body is.</summary>
    public static string? Operation(string method, string path)
    {
        if (path.StartsWith(TagsPrefix, StringComparison.Ordinal) && path.Length > TagsPrefix.Length)
        {
            return method switch
            {
                "POST" => "TagResource",
                "DELETE" => "UntagResource",
                "GET" => "ListTags",
                _ => null,
            };
        }

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
        if (!IsLambdaPath(path))
        {
            throw new AwsException("UnknownOperationException", "Unknown Lambda path.", 404);
        }

        var tags = path.StartsWith(TagsPrefix, StringComparison.Ordinal);
        var segments = tags ? [] : Segments(path);
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

        if (tags)
        {
            // The resource is one label holding an ARN, colons and all.
            input["Resource"] = Uri.UnescapeDataString(path[TagsPrefix.Length..]);
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
            // A repeated query parameter (tagKeys=a&tagKeys=b) arrives joined with commas, which a tag key cannot hold.
            input[key] = key == "tagKeys" ? value.Split(',', StringSplitOptions.RemoveEmptyEntries).ToJsonArray() : value;
        }

        return (operation, input);
    }

    public object Handle(string operation, JsonObject input, byte[] body)
    {
        Settle(region.Now);
        return operation switch
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
            "TagResource" => TagResource(input),
            "UntagResource" => UntagResource(input),
            "ListTags" => RestResponse.FromJson(new JsonObject { ["Tags"] = TagsJson(Taggable(input)) }),
            _ => throw new AwsException("UnknownOperationException", $"The sandbox does not implement Lambda {operation}.", 404),
        };
    }

    /// <summary>Completes the code updates whose time has come, as Lambda does in the background.</summary>
    public void Settle(DateTimeOffset now)
    {
        foreach (var function in _functions.Values)
        {
            if (function.UpdateDone is { } done && now >= done)
            {
                function.UpdateDone = null;

                // The function changed state, so its revision changes too.
                function.Latest.RevisionId = Guid.NewGuid().ToString();
            }
        }
    }

    public void Tick(DateTimeOffset now) => Settle(now);

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

    /// <summary>An Invoke refused with throttling counts in the function's Throttles metric, as Lambda counts it.</summary>
    public void RecordThrottle(JsonObject input)
    {
        if (input.Str("FunctionName") is { } reference && NameOf(reference, out var qualifier) is var name && _functions.ContainsKey(name))
        {
            region.CloudWatch.RecordThrottle(name, input.Str("Qualifier") ?? qualifier);
        }
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

    /// <summary>The code a request carries (CreateFunction's Code, UpdateFunctionCode's own members), checked against the package type.</summary>
    private static (byte[] Zip, string? ImageUri) Code(JsonObject code, string packageType, string action)
    {
        if (code.Str("S3Bucket") is not null || code.Str("S3Key") is not null)
        {
            throw new AwsException("InvalidParameterValueException",
                "The sandbox has no Amazon S3, so it cannot read code from S3Bucket/S3Key: send the zip itself (ZipFile, e.g. --zip-file fileb://code.zip) or an ImageUri.");
        }

        var image = code.Str("ImageUri");
        var zipText = code.Str("ZipFile");
        if (packageType == "Image")
        {
            if (zipText is not null || image is null)
            {
                throw new AwsException("InvalidParameterValueException", $"Please provide ImageUri when {action} a function with packageType Image.");
            }

            if (!Names.IsImageReference(image))
            {
                throw new AwsException("InvalidParameterValueException", $"Source image {image} is not valid. Provide a valid source image.");
            }

            return ([], image);
        }

        if (image is not null)
        {
            throw new AwsException("InvalidParameterValueException", $"Please don't provide ImageUri when {action} a function with packageType Zip.");
        }

        if (zipText is null)
        {
            throw new AwsException("InvalidParameterValueException", "Please provide a source for function code: ZipFile (the sandbox has no S3).");
        }

        try
        {
            return (Convert.FromBase64String(zipText), null);
        }
        catch (FormatException)
        {
            throw new AwsException("InvalidParameterValueException", "ZipFile is not valid base64.");
        }
    }

    private static FunctionBehaviour BehaviourOf(byte[] zip, string? imageUri) =>
        imageUri is null ? FunctionBehaviour.Read(zip) : FunctionBehaviour.ForImage(imageUri);

    private JsonObject CreateFunction(JsonObject input)
    {
        var name = input.Req("FunctionName", "InvalidParameterValueException");
        if (_functions.ContainsKey(name))
        {
            throw new AwsException("ResourceConflictException", $"Function already exist: {name}", 409);
        }

        input.Req("Role", "InvalidParameterValueException");
        var packageType = input.Str("PackageType") ?? "Zip";
        if (packageType is not ("Zip" or "Image"))
        {
            throw new AwsException("ValidationException", $"1 validation error detected: Value '{packageType}' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: [Image, Zip]");
        }

        if (packageType == "Image" && (input.Str("Runtime") is not null || input.Str("Handler") is not null))
        {
            throw new AwsException("InvalidParameterValueException", "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.");
        }

        var (zip, image) = Code(input["Code"] as JsonObject ?? [], packageType, "creating");
        var behaviour = BehaviourOf(zip, image);
        var tags = TagsOf(input["Tags"], []);
        var config = new JsonObject
        {
            ["Runtime"] = packageType == "Zip" ? input.Req("Runtime", "InvalidParameterValueException") : null,
            ["Role"] = input.Str("Role"),
            ["Handler"] = packageType == "Zip" ? input.Req("Handler", "InvalidParameterValueException") : null,
            ["Description"] = input.Str("Description") ?? string.Empty,
            ["Timeout"] = input.Int("Timeout") ?? 3,
            ["MemorySize"] = input.Int("MemorySize") ?? 128,
            ["Environment"] = input["Environment"] is JsonObject env ? new JsonObject { ["Variables"] = env["Variables"]?.DeepClone() ?? new JsonObject() } : null,
            ["Architectures"] = input["Architectures"]?.DeepClone() ?? new JsonArray { "x86_64" },
        };
        var function = new LambdaFunction { Name = name, Arn = region.Arn("lambda", "function:" + name), PackageType = packageType };
        foreach (var (key, value) in tags)
        {
            function.Tags[key] = value;
        }

        function.Versions["$LATEST"] = new LambdaVersion { Version = "$LATEST", Config = config, Zip = zip, ImageUri = image, Behaviour = behaviour, LastModified = region.Now };
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
        json["CodeSize"] = version.Zip.LongLength;
        json["CodeSha256"] = version.CodeSha256;
        json["LastModified"] = JsonValue.Create(version.LastModified);
        json["Version"] = version.Version;
        json["RevisionId"] = version.RevisionId;
        json["State"] = "Active";
        if (version.Version == "$LATEST" && function.UpdateDone is not null)
        {
            json["LastUpdateStatus"] = "InProgress";
            json["LastUpdateStatusReason"] = "The function is being updated.";
        }
        else
        {
            json["LastUpdateStatus"] = "Successful";
        }

        json["PackageType"] = function.PackageType;
        foreach (var member in new[] { "Runtime", "Handler" })
        {
            if (json[member] is null)
            {
                json.Remove(member);
            }
        }

        json["TracingConfig"] = new JsonObject { ["Mode"] = "PassThrough" };
        json["EphemeralStorage"] = new JsonObject { ["Size"] = 512 };
        if (json["Environment"] is null)
        {
            json.Remove("Environment");
        }

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
            ["Code"] = version.ImageUri is { } image
                ? new JsonObject { ["RepositoryType"] = "ECR", ["ImageUri"] = image, ["ResolvedImageUri"] = $"{Repository(image)}@sha256:{version.CodeSha256}" }
                : new JsonObject { ["RepositoryType"] = "S3", ["Location"] = $"{region.Sandbox.Endpoint}/_sandbox/lambda/{function.Name}/{version.Version}.zip" },
            ["Tags"] = TagsJson(function),
        };
    }

    /// <summary>An image reference without its tag or digest (a registry's port stays).</summary>
    private static string Repository(string image)
    {
        var reference = image.Split('@')[0];
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[..colon] : reference;
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
        var latest = function.Latest;
        CheckRevision(input, latest.RevisionId, "GetFunction");
        var (zip, image) = Code(input, function.PackageType, "updating");
        var behaviour = BehaviourOf(zip, image);
        NotUpdating(function);
        if (input.Bool("DryRun") ?? false)
        {
            return ConfigJson(function, latest);
        }

        latest.Zip = zip;
        latest.ImageUri = image;
        latest.Behaviour = behaviour;
        latest.LastModified = region.Now;
        latest.RevisionId = Guid.NewGuid().ToString();
        function.ChangedSincePublish = true;
        function.UpdateDone = region.Now + (image is null ? ZipUpdateTime : ImageUpdateTime);
        if (input.Bool("Publish") ?? false)
        {
            return ConfigJson(function, Publish(function, null));
        }

        return ConfigJson(function, latest);
    }

    /// <summary>Lambda refuses to change or publish a function while an update of it is still in progress.</summary>
    private static void NotUpdating(LambdaFunction function)
    {
        if (function.UpdateDone is not null)
        {
            throw new AwsException("ResourceConflictException", $"The operation cannot be performed at this time. An update is in progress for resource: {function.Arn}", 409);
        }
    }

    private static void CheckRevision(JsonObject input, string current, string getter)
    {
        if (input.Str("RevisionId") is { } revision && revision != current)
        {
            throw new AwsException("PreconditionFailedException", $"The Revision Id provided does not match the latest Revision Id. Call the {getter} API to retrieve the latest Revision Id", 412);
        }
    }

    private JsonObject PublishVersion(JsonObject input)
    {
        var function = Function(input);
        var latest = function.Latest;
        CheckRevision(input, latest.RevisionId, "GetFunction");
        var expected = input.Str("CodeSha256");
        if (expected is not null && expected != latest.CodeSha256)
        {
            throw new AwsException("InvalidParameterValueException", $"CodeSHA256 ({expected}) is different from current CodeSHA256 in $LATEST ({latest.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.");
        }

        NotUpdating(function);
        return ConfigJson(function, Publish(function, input.Str("Description")));
    }

    private LambdaVersion Publish(LambdaFunction function, string? description)
    {
        // Publishing with no update since the last version returns that version, as Lambda does. An update counts
        // as a change even when it brought the same code: Lambda does not compare.
        var latest = function.Latest;
        var last = function.Versions.GetValueOrDefault(function.LastVersion.ToString(CultureInfo.InvariantCulture));
        if (last is not null && !function.ChangedSincePublish)
        {
            return last;
        }

        function.ChangedSincePublish = false;

        var config = (JsonObject)latest.Config.DeepClone();
        if (description is not null)
        {
            config["Description"] = description;
        }

        var number = (++function.LastVersion).ToString(CultureInfo.InvariantCulture);
        var version = new LambdaVersion { Version = number, Config = config, Zip = latest.Zip, ImageUri = latest.ImageUri, Behaviour = latest.Behaviour, LastModified = region.Now };
        function.Versions[number] = version;
        return version;
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
        CheckRevision(input, alias.RevisionId, "GetAlias");

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

    /// <summary>Completes a function's code update at once, for the seed, which builds versions in one instant.</summary>
    public void FinishUpdate(string functionName)
    {
        if (_functions.GetValueOrDefault(functionName) is { UpdateDone: not null } function)
        {
            function.UpdateDone = null;
        }
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

    /// <summary>The function a tagging call names: the ARN of an unqualified function, as Lambda requires.</summary>
    private LambdaFunction Taggable(JsonObject input)
    {
        var arn = input.Req("Resource", "InvalidParameterValueException");
        var parts = arn.Split(':');
        if (parts.Length < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function")
        {
            throw new AwsException("ValidationException", $"1 validation error detected: Value '{arn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{{2}}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{{1}}:\\d{{12}}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
        }

        if (parts.Length > 7)
        {
            throw new AwsException("InvalidParameterValueException", "Tags on function aliases and versions are not supported. Please specify a function ARN.");
        }

        return _functions.GetValueOrDefault(parts[6]) is { } function && function.Arn == arn
            ? function
            : throw new AwsException("ResourceNotFoundException", $"Function not found: {arn}", 404);
    }

    /// <summary>Tags checked as Lambda checks them: keys of 1 to 128 and values up to 256 of the model's characters, no <c>aws:</c> keys, 50 at most in all.</summary>
    private static Dictionary<string, string> TagsOf(JsonNode? node, Dictionary<string, string> existing)
    {
        var tags = new Dictionary<string, string>(existing, StringComparer.Ordinal);
        if (node is null)
        {
            return tags;
        }

        if (node is not JsonObject map)
        {
            throw new AwsException("InvalidParameterValueException", "Tags must be a map of keys to values.");
        }

        foreach (var (key, valueNode) in map)
        {
            var value = valueNode is null ? string.Empty : Json.AsString(valueNode);
            if (key.Length is < 1 or > 128 || !TagText().IsMatch(key))
            {
                throw new AwsException("ValidationException", $"1 validation error detected: Value '{key}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: {TagPattern}]");
            }

            if (value.Length > 256 || !TagText().IsMatch(value))
            {
                throw new AwsException("ValidationException", $"1 validation error detected: Value '{value}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must satisfy regular expression pattern: {TagPattern}]");
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new AwsException("InvalidParameterValueException", "Tag keys starting with 'aws:' are reserved for AWS use.");
            }

            tags[key] = value;
        }

        if (tags.Count > MaxTags)
        {
            throw new AwsException("InvalidParameterValueException", $"Number of tags exceeds resource tag limit: a function may have at most {MaxTags} tags.");
        }

        return tags;
    }

    private const string TagPattern = @"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)";

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex TagText();

    private static JsonObject TagsJson(LambdaFunction function)
    {
        var json = new JsonObject();
        foreach (var (key, value) in function.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            json[key] = value;
        }

        return json;
    }

    private RestResponse TagResource(JsonObject input)
    {
        var function = Taggable(input);
        var tags = TagsOf(input["Tags"] ?? new JsonObject(), function.Tags);
        function.Tags.Clear();
        foreach (var (key, value) in tags)
        {
            function.Tags[key] = value;
        }

        return new RestResponse { Status = 204 };
    }

    private RestResponse UntagResource(JsonObject input)
    {
        var function = Taggable(input);
        var keys = input.Strings("tagKeys").ToList();
        if (keys.Count == 0)
        {
            throw new AwsException("InvalidParameterValueException", "TagKeys must name at least one tag key.");
        }

        foreach (var key in keys)
        {
            function.Tags.Remove(key);
        }

        return new RestResponse { Status = 204 };
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

    /// <summary>Runs an invocation's completion (then <paramref name="then"/>) after its simulated latency, under the state lock.</summary>
    public void Schedule(Invocation invocation, Action? then = null)
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(invocation.DelayMs);
            lock (region.Sandbox.Gate)
            {
                invocation.Completed();
                then?.Invoke();
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
        var throughAlias = false;
        if (qualifier is not null && function.Aliases.TryGetValue(qualifier, out var alias))
        {
            throughAlias = true;
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
        version.Invocations++;
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
            var answer = behaviour.Payloads is { } payloads ? payloads[Math.Min(version.Invocations - 1, payloads.Count - 1)] : behaviour.Payload;
            result = Json.Serialize(answer?.DeepClone() ?? new JsonObject { ["statusCode"] = 200, ["body"] = $"{function.Name}:{version.Version}" });
        }

        var executed = version.Version;
        var delay = behaviour.LatencyMs;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var invoked = region.Now;
        void Completed()
        {
            // Duration is what the invocation really took, the function's latency included.
            var duration = Math.Max(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
            region.CloudWatch.RecordInvocation(function.Name, qualifier, throughAlias ? executed : null, failed, Math.Round(duration, 2), invoked);
            var deploymentId = request.Str("DeploymentId");
            var executionId = request.Str("LifecycleEventHookExecutionId");
            // A function that failed never gets as far as reporting; CodeDeploy sees its error itself.
            if (deploymentId is not null && executionId is not null && behaviour.HookStatus != "None" && !failed)
            {
                try
                {
                    region.Call("codedeploy", "PutLifecycleEventHookExecutionStatus", new JsonObject
                    {
                        ["deploymentId"] = deploymentId,
                        ["lifecycleEventHookExecutionId"] = executionId,
                        ["status"] = behaviour.HookStatus,
                    }, source);
                }
                catch (AwsException)
                {
                    // The event may have timed out or the deployment stopped meanwhile: a real function's call would fail too.
                }
            }
        }

        return new Invocation(executed, result, failed ? "Unhandled" : null, delay, Completed)
        {
            Error = failed ? $"{behaviour.ErrorType ?? "SandboxSimulatedFailure"}: {behaviour.ErrorMessage ?? "The sandbox function failed as its failureRate says."}" : null,
        };
    }

    public JsonObject Dump()
    {
        Settle(region.Now);
        return new JsonObject
        {
            ["functions"] = _functions.Values.Select(f => (JsonNode?)new JsonObject
            {
                ["FunctionArn"] = f.Arn,
                ["PackageType"] = f.PackageType,
                ["LastUpdateStatus"] = f.UpdateDone is null ? "Successful" : "InProgress",
                ["Versions"] = f.Versions.Keys.ToJsonArray(),
                ["Tags"] = TagsJson(f),
                ["Aliases"] = f.Aliases.Values.Select(a => (JsonNode?)AliasJson(f, a)).ToJsonArray(),
            }).ToJsonArray(),
        };
    }

    internal static string Describe(FunctionBehaviour behaviour) => string.Create(CultureInfo.InvariantCulture, $"latency {behaviour.LatencyMs} ms, failure rate {behaviour.FailureRate}, hook {behaviour.HookStatus}");

    internal static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
