using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.SmokeTests;

/// <summary>What a smoke test sends and what it accepts. <see cref="Validate"/> reports bad settings before
/// any request goes out.</summary>
public sealed class SmokeTestPolicy
{
    /// <summary>Headers that carry credentials: never sent over plain HTTP to another machine unless allowed.</summary>
    private static readonly string[] SensitiveHeaders = { "Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Amz-Security-Token" };

    private static readonly Regex SchemePrefix = new("^[A-Za-z][A-Za-z0-9+.-]*:", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public string Method { get; set; } = "GET";

    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public string? Body { get; set; }

    /// <summary>Statuses that count as success; empty means 200.</summary>
    public IReadOnlyList<int> ExpectStatus { get; set; } = new[] { 200 };

    /// <summary>A regular expression the body must match, or null.</summary>
    public string? ExpectBodyMatch { get; set; }

    /// <summary>Values the body, read as JSON, must have at given paths; empty for none.</summary>
    public IReadOnlyList<JsonExpectation> ExpectJson { get; set; } = Array.Empty<JsonExpectation>();

    /// <summary>The payloads (JSON text) of a Lambda smoke test: request n sends payload n modulo their count; empty
    /// sends no payload.</summary>
    public IReadOnlyList<string> Payloads { get; set; } = Array.Empty<string>();

    /// <summary>The largest payload a synchronous Invoke takes (6 MB).</summary>
    public const int MaxPayloadBytes = 6 * 1024 * 1024;

    /// <summary>An answer slower than this counts as a failed request; null for no limit.</summary>
    public TimeSpan? MaxLatency { get; set; }

    public int Requests { get; set; } = 20;

    public int Concurrency { get; set; } = 1;

    /// <summary>The share of failed requests (0 to 1) the test tolerates.</summary>
    public double MaxErrorRate { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the settings; throws <see cref="SmokeTestInputException"/> on the first problem.</summary>
    public void Validate()
    {
        if (Requests < 1)
        {
            throw new SmokeTestInputException("InvalidRequestCount", $"-Requests must be at least 1; it is {Requests}.", Requests,
                "Pass the number of requests to send, e.g. -Requests 20.");
        }

        if (Concurrency < 1)
        {
            throw new SmokeTestInputException("InvalidConcurrency", $"-Concurrency must be at least 1; it is {Concurrency}.", Concurrency,
                "Pass how many requests may be in flight at once, e.g. -Concurrency 4.");
        }

        if (Concurrency > Requests)
        {
            throw new SmokeTestInputException("InvalidConcurrency",
                $"-Concurrency {Concurrency} is more than the {Requests} requests to send.", Concurrency,
                $"Lower -Concurrency to {Requests} or less, or raise -Requests.");
        }

        if (double.IsNaN(MaxErrorRate) || MaxErrorRate < 0 || MaxErrorRate > 1)
        {
            throw new SmokeTestInputException("InvalidMaxErrorRate",
                $"-MaxErrorRate must be between 0 and 1; it is {MaxErrorRate.ToString(CultureInfo.InvariantCulture)}.", MaxErrorRate,
                "Pass a share, e.g. -MaxErrorRate 0.01 to tolerate 1% failed requests.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new SmokeTestInputException("InvalidTimeout", "The per-request timeout must be positive.", Timeout,
                "Pass -TimeoutSec 10, or another number of seconds.");
        }

        if (MaxLatency is { } latency && latency <= TimeSpan.Zero)
        {
            throw new SmokeTestInputException("InvalidMaxLatency", "-MaxLatency must be positive.", latency,
                "Pass milliseconds (-MaxLatency 500) or a TimeSpan (-MaxLatency ([TimeSpan]::FromSeconds(1))).");
        }

        foreach (var status in ExpectStatus)
        {
            if (status is < 100 or > 599)
            {
                throw new SmokeTestInputException("InvalidExpectStatus", $"-ExpectStatus {status} is not an HTTP status code.", status,
                    "Pass HTTP status codes between 100 and 599, e.g. -ExpectStatus 200, 204.");
            }
        }

        if (ExpectBodyMatch is not null)
        {
            try
            {
                _ = new Regex(ExpectBodyMatch, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw new SmokeTestInputException("InvalidExpectBodyMatch", $"-ExpectBodyMatch is not a valid regular expression: {ex.Message}",
                    ExpectBodyMatch, "Pass a .NET regular expression; escape literal text with [regex]::Escape().");
            }
        }

        for (var i = 0; i < Payloads.Count; i++)
        {
            CheckPayload(Payloads[i], i, Payloads.Count);
        }

        if (string.IsNullOrWhiteSpace(Method) || Method.Any(c => !(char.IsLetter(c) || c == '-' || c == '_')))
        {
            throw new SmokeTestInputException("InvalidMethod", $"'{Method}' is not an HTTP method.", Method, "Pass GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.");
        }

        foreach (var name in Headers.Keys)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => c <= ' ' || c == ':' || c > '~'))
            {
                throw new SmokeTestInputException("InvalidHeader", $"'{name}' is not a valid HTTP header name.", name,
                    "Pass header names without spaces or colons, e.g. -Header @{ 'X-Smoke' = '1' }.");
            }
        }
    }

    /// <summary>A payload must be JSON that Invoke takes; the message names where it breaks, never what it holds.</summary>
    private static void CheckPayload(string? payload, int index, int count)
    {
        var which = count == 1 ? "The payload" : FormattableString.Invariant($"Payload {index + 1} of {count}");
        if (payload is null)
        {
            throw new SmokeTestInputException("InvalidPayload", $"{which} is null.", index + 1, "Pass JSON text, or an object to convert to JSON.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
        {
            throw new SmokeTestInputException("PayloadTooLarge", FormattableString.Invariant($"{which} is larger than the {MaxPayloadBytes} bytes a synchronous Lambda invocation takes."),
                index + 1, "Send a smaller payload.");
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(payload);
        }
        catch (System.Text.Json.JsonException ex)
        {
            // JsonException's own message quotes the character it stopped at; only the position is repeated here.
            var at = ex.LineNumber is { } line ? FormattableString.Invariant($" (line {line + 1}, byte {ex.BytePositionInLine + 1})") : string.Empty;
            throw new SmokeTestInputException("InvalidPayload", $"{which} is not JSON{at}: Lambda takes a JSON payload.", index + 1,
                count == 1
                    ? "Pass JSON text such as '{\"id\": 1}', or a hashtable or object, which is converted to JSON."
                    : "Pass JSON text or objects; each string is one request's payload (Get-Content without -Raw gives one string per line: use -Raw, or -PayloadFile).");
        }
    }

    /// <summary>The URL to test: <paramref name="uri"/> if given, else the deployment's test endpoint, with
    /// <paramref name="path"/> resolved against it as a relative reference.</summary>
    public Uri ResolveTarget(string? uri, string? testEndpoint, string? path, bool allowInsecure)
    {
        var given = string.IsNullOrWhiteSpace(uri) ? testEndpoint : uri;
        var from = string.IsNullOrWhiteSpace(uri) ? "The deployment's TestEndpoint" : "-Uri";
        if (string.IsNullOrWhiteSpace(given))
        {
            throw new SmokeTestInputException("NoSmokeTestEndpoint",
                "There is nothing to test: no -Uri was given and the deployment has no TestEndpoint.", null,
                "Pass -Uri with the URL of the test listener, or pipe a deployment whose TestEndpoint is set (a CodeDeploy ECS release with a test listener).");
        }

        given = given!.Trim();
        if (!Uri.TryCreate(given, UriKind.Absolute, out var target) || !SchemePrefix.IsMatch(given) ||
            (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(target.Host))
        {
            throw new SmokeTestInputException("InvalidSmokeTestUri", $"{from} '{given}' is not an absolute http:// or https:// URL.", given,
                "Pass a URL such as https://test.example.com:8443 or http://127.0.0.1:8080.");
        }

        if (!string.IsNullOrEmpty(target.UserInfo))
        {
            throw new SmokeTestInputException("InvalidSmokeTestUri", $"{from} carries a user name or password; they are not sent that way.", target.GetLeftPart(UriPartial.Scheme) + target.Host,
                "Remove them from the URL and pass -Header @{ Authorization = '...' } over https instead.");
        }

        if (!string.IsNullOrEmpty(path))
        {
            if (SchemePrefix.IsMatch(path!) || path!.StartsWith("//", StringComparison.Ordinal))
            {
                throw new SmokeTestInputException("InvalidSmokeTestPath", $"-Path '{path}' is a URL, not a path.", path,
                    "Pass a path such as /health; to test another host, pass -Uri.");
            }

            target = new Uri(target, path);
        }

        if (target.Scheme == Uri.UriSchemeHttp && !IsLoopback(target) && !allowInsecure)
        {
            var sensitive = Headers.Keys.FirstOrDefault(h => SensitiveHeaders.Contains(h, StringComparer.OrdinalIgnoreCase));
            if (sensitive is not null)
            {
                throw new SmokeTestInputException("InsecureSmokeTestUri",
                    $"The {sensitive} header would cross the network unencrypted to {target.Host} (plain http://).", target.GetLeftPart(UriPartial.Authority),
                    "Use an https:// URL, or pass -AllowInsecureEndpoint if the network is trusted.");
            }
        }

        return target;
    }

    /// <summary>This machine: loopback addresses, localhost and *.localhost names.</summary>
    public static bool IsLoopback(Uri uri)
    {
        if (uri is null)
        {
            throw new ArgumentNullException(nameof(uri));
        }

        var host = uri.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}

/// <summary>A smoke test's settings are wrong; nothing was sent.</summary>
public sealed class SmokeTestInputException : ArgumentException
{
    public SmokeTestInputException(string errorId, string message, object? target, string recommendedAction)
        : base(message)
    {
        ErrorId = errorId;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    public SmokeTestInputException()
        : this("InvalidSmokeTest", "The smoke test settings are not valid.", null, string.Empty)
    {
    }

    public SmokeTestInputException(string message)
        : this("InvalidSmokeTest", message, null, string.Empty)
    {
    }

    public SmokeTestInputException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorId = "InvalidSmokeTest";
        RecommendedAction = string.Empty;
    }

    /// <summary>A stable PascalCase id for the error record.</summary>
    public string ErrorId { get; }

    public object? Target { get; }

    public string RecommendedAction { get; }
}
