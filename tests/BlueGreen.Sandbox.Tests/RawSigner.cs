using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BlueGreen.Sandbox.Tests;

/// <summary>
/// SigV4 (header form) for hand-made requests, written from the specification, independent of the sandbox's
/// verifier: for requests no AWS client would send (a gzip bomb, a body past a limit, a stale date, a wrong key).
/// </summary>
internal static class RawSigner
{
    /// <summary>Signs <paramref name="request"/> over <paramref name="body"/> as sent (compressed, when it is).</summary>
    public static void Sign(HttpRequestMessage request, byte[] body, string service, string region, string accessKey = "test", string secret = "test", DateTime? at = null)
    {
        var amzDate = (at ?? DateTime.UtcNow).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        var uri = request.RequestUri!;
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.Authority,
            ["x-amz-date"] = amzDate,
        };
        if (request.Headers.TryGetValues("X-Amz-Target", out var target))
        {
            headers["x-amz-target"] = target.Single();
        }

        if (request.Content?.Headers.ContentType is { } type)
        {
            headers["content-type"] = type.ToString();
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        // Every service but S3 signs the path encoded twice: as sent, then each segment once more.
        var path = string.Join('/', uri.AbsolutePath.Split('/').Select(Uri.EscapeDataString));
        var canonical = $"{request.Method.Method}\n{path}\n\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedHeaders}\n{payloadHash}";
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }
}
