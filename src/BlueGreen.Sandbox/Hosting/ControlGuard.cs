using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace BlueGreen.Sandbox.Hosting;

/// <summary>
/// Keeps web pages out of the control API. It has no credentials, so what stands between it and any page a
/// browser on this machine opens is that a browser marks what a page sends: cross-site requests carry an
/// <c>Origin</c> (and <c>Sec-Fetch-Site</c>), a page can only send a body without a CORS preflight as a form or
/// <c>text/plain</c>, and a page that rebinds its own DNS name to 127.0.0.1 still sends that name as <c>Host</c>.
/// Scripts, the module and curl send none of these, and no answer carries CORS headers, so nothing read here
/// (the request log, the state) is readable by another origin either.
/// </summary>
internal static class ControlGuard
{
    /// <summary>Control requests are small JSON documents.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "no-store";
        var refusal = Refusal(context.Request);
        if (refusal is not null)
        {
            var (status, message) = refusal.Value;
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["error"] = message }.ToJsonString());
            return;
        }

        var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false })
        {
            size.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            await next(context);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["error"] = $"A control request body may be at most {MaxBodyBytes} bytes." }.ToJsonString());
        }
    }

    /// <summary>Why a request is refused (status and message), or null when it may go on.</summary>
    internal static (int Status, string Message)? Refusal(HttpRequest request)
    {
        var host = request.Host.Host;
        if (!IsLocalName(host))
        {
            return (StatusCodes.Status403Forbidden,
                $"The control API answers requests addressed to an IP address or localhost, not to {host}: use the endpoint the sandbox printed (Listening on ...).");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsOwnOrigin(origin, request))
        {
            return (StatusCodes.Status403Forbidden, $"The control API refuses requests from web pages (Origin {origin}).");
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return (StatusCodes.Status403Forbidden, $"The control API refuses requests from web pages (Sec-Fetch-Site {site}).");
        }

        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (hasBody)
        {
            if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return (StatusCodes.Status415UnsupportedMediaType, "A control request body must be JSON, sent with Content-Type: application/json.");
            }

            if (request.ContentLength > MaxBodyBytes)
            {
                return (StatusCodes.Status413PayloadTooLarge, $"A control request body may be at most {MaxBodyBytes} bytes.");
            }
        }

        return null;
    }

    /// <summary>An IP address or a <c>localhost</c> name: names a page cannot point at this machine by rebinding DNS.</summary>
    private static bool IsLocalName(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out _)
        || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The sandbox's own origin: a page it served itself (it serves none today, but a same-origin request is not a cross-site one).</summary>
    private static bool IsOwnOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme == request.Scheme
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
