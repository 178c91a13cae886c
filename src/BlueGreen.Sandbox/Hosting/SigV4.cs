using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BlueGreen.Sandbox.Wire;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Sandbox.Hosting;

/// <summary>What a verified request's credential scope says.</summary>
internal sealed record CallerScope(string AccessKeyId, string Region, string Service);

/// <summary>
/// Verifies AWS Signature Version 4 (header form) the way AWS does: it recomputes the signature from the
/// received request and compares. Failures raise the error code AWS gives; the caller picks the status.
/// </summary>
internal sealed class SigV4Verifier
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);
    private readonly Func<string, string?> _secretFor;
    private readonly TimeProvider _time;

    public SigV4Verifier(Func<string, string?> secretFor, TimeProvider time)
    {
        _secretFor = secretFor;
        _time = time;
    }

    public CallerScope Verify(HttpRequest request, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(authorization))
        {
            throw new AwsException("MissingAuthenticationToken", "Missing Authentication Token", 403);
        }

        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            throw new AwsException("IncompleteSignature", $"Authorization header requires the {Algorithm} algorithm.", 400);
        }

        var parts = authorization[Algorithm.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders) || !parts.TryGetValue("Signature", out var signature))
        {
            throw new AwsException("IncompleteSignature", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.", 400);
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            throw new AwsException("IncompleteSignature", "Credential should be scoped to a valid region, service and 'aws4_request'.", 400);
        }

        var (accessKey, date, region, service) = (scope[0], scope[1], scope[2], scope[3]);
        var secret = _secretFor(accessKey) ?? throw new AwsException("UnrecognizedClient", "The security token included in the request is invalid.", 403);

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (string.IsNullOrEmpty(amzDate))
        {
            amzDate = request.Headers.Date.ToString();
        }

        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            throw new AwsException("IncompleteSignature", "Authorization requires a valid X-Amz-Date header.", 400);
        }

        var now = _time.GetUtcNow();
        if ((now - signedAt).Duration() > AllowedSkew)
        {
            throw new AwsException("SignatureExpired",
                $"Signature expired: {amzDate} is now earlier than {(now - AllowedSkew).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)} ({now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)} - 15 min.)", 403);
        }

        if (date != amzDate[..8])
        {
            throw new AwsException("SignatureDoesNotMatch", "Credential date does not match X-Amz-Date.", 403);
        }

        var headerNames = signedHeaders.Split(';');
        if (!headerNames.Contains("host"))
        {
            throw new AwsException("SignatureDoesNotMatch", "'Host' must be a signed header.", 403);
        }

        var payloadHash = Hex(SHA256.HashData(body));
        var claimedHash = request.Headers["X-Amz-Content-Sha256"].ToString();
        if (!string.IsNullOrEmpty(claimedHash) && claimedHash != "UNSIGNED-PAYLOAD" && !string.Equals(claimedHash, payloadHash, StringComparison.Ordinal))
        {
            throw new AwsException("SignatureDoesNotMatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", 403);
        }

        if (claimedHash == "UNSIGNED-PAYLOAD")
        {
            payloadHash = claimedHash;
        }

        var canonical = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(CanonicalPath(request)).Append('\n')
            .Append(CanonicalQuery(request.QueryString.Value)).Append('\n');
        foreach (var name in headerNames)
        {
            var values = name == "host" ? request.Host.Value ?? string.Empty : string.Join(',', request.Headers[name].Select(v => CollapseSpaces(v ?? string.Empty)));
            canonical.Append(name).Append(':').Append(values).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        var stringToSign = $"{Algorithm}\n{amzDate}\n{date}/{region}/{service}/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var expected = Hex(Hmac(key, stringToSign));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            throw new AwsException("SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", 403);
        }

        return new CallerScope(accessKey, region, service);
    }

    /// <summary>Reads the credential scope without verifying, to route an unsigned or failing request.</summary>
    public static string? ScopeService(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var scope = authorization[(start + 11)..].Split(',')[0].Split('/');
        return scope.Length == 5 ? scope[3] : null;
    }

    private static string CanonicalPath(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var path = raw.Split('?')[0];
        if (path.Length == 0)
        {
            return "/";
        }

        // Services other than S3 sign the path encoded twice: the client's encoding, then once more.
        var segments = path.Split('/').Select(UriEncode);
        return string.Join('/', segments);
    }

    private static string CanonicalQuery(string? query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return string.Empty;
        }

        var pairs = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var kv = p.Split('=', 2);
                return (Key: UriEncode(Uri.UnescapeDataString(kv[0].Replace('+', ' '))), Value: UriEncode(kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : string.Empty));
            })
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => $"{p.Key}={p.Value}"));
    }

    private static string UriEncode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static string CollapseSpaces(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
