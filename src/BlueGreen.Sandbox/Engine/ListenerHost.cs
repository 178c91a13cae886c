using System.Globalization;
using System.Net;
using System.Text;
using BlueGreen.Sandbox.Services;
using BlueGreen.Sandbox.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Sandbox.Engine;

/// <summary>
/// Opens one real HTTP port per load balancer listener, on the sandbox's own address, and answers each
/// request as the simulated task chosen by the listener's weights would.
/// </summary>
internal sealed class ListenerHost(Sandbox sandbox) : IAsyncDisposable
{
    /// <summary>Environment variables of a task's container that decide how it answers.</summary>
    public const string StatusVariable = "SANDBOX_STATUS";
    public const string BodyVariable = "SANDBOX_BODY";
    public const string LatencyVariable = "SANDBOX_LATENCY_MS";
    public const string FailureRateVariable = "SANDBOX_FAILURE_RATE";
    public const string FailureStatusVariable = "SANDBOX_FAILURE_STATUS";
    public const string ContentTypeVariable = "SANDBOX_CONTENT_TYPE";

    private readonly Dictionary<string, WebApplication> _servers = new(StringComparer.Ordinal);

    /// <summary>
    /// Binds the listener. The requested port is used when it is 1024 or above and free; otherwise the
    /// system picks one. DescribeListeners reports the port really bound. Call under the state lock.
    /// </summary>
    public int Open(Region region, Listener listener, int requestedPort)
    {
        var address = IPAddress.Parse(sandbox.Options.Host == "localhost" ? "127.0.0.1" : sandbox.Options.Host);
        WebApplication? app = null;
        foreach (var port in requestedPort >= 1024 ? new[] { requestedPort, 0 } : [0])
        {
            app = Build(region, listener.Arn, address, port);
            try
            {
                app.StartAsync().GetAwaiter().GetResult();
                break;
            }
            catch (IOException)
            {
                app.DisposeAsync().AsTask().GetAwaiter().GetResult();
                app = null;
            }
        }

        if (app is null)
        {
            throw new AwsException("InternalFailure", "The sandbox could not open a port for the listener.", 500, false);
        }

        _servers[listener.Arn] = app;
        var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(bound).Port;
    }

    private WebApplication Build(Region region, string listenerArn, IPAddress address, int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(address, port);
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        app.Run(context => ServeAsync(context, region, listenerArn));
        return app;
    }

    public void Close(string listenerArn)
    {
        if (_servers.Remove(listenerArn, out var app))
        {
            // Stopping waits for requests in flight; do it off the state lock.
            _ = Task.Run(async () =>
            {
                await app.StopAsync();
                await app.DisposeAsync();
            });
        }
    }

    private async Task ServeAsync(HttpContext context, Region region, string listenerArn)
    {
        var received = sandbox.Clock.Now;
        RouteDecision decision;
        Listener? listener;
        lock (sandbox.Gate)
        {
            listener = region.Elb.FindListener(listenerArn);
            decision = listener is null
                ? new RouteDecision(null, null, null, null, "Listener deleted.")
                : region.Elb.Route(listener, context.Request.Path.Value ?? "/", context.Request.Host.Host, h => context.Request.Headers[h].FirstOrDefault());
        }

        var response = context.Response;
        if (decision.FixedResponse is { } fixedResponse)
        {
            response.StatusCode = int.Parse(fixedResponse.Str("StatusCode")!, CultureInfo.InvariantCulture);
            response.ContentType = fixedResponse.Str("ContentType") ?? "text/plain";
            await response.WriteAsync(fixedResponse.Str("MessageBody") ?? string.Empty);
            if (listener is not null)
            {
                lock (sandbox.Gate)
                {
                    region.CloudWatch.RecordLoadBalancerResponse(listener.LoadBalancer, response.StatusCode);
                }
            }

            return;
        }

        if (decision.Task is null || decision.Definition is null || listener is null)
        {
            // What an ALB answers when no healthy target can take the request.
            response.StatusCode = 503;
            response.ContentType = "text/html";
            await response.WriteAsync("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n");
            if (listener is not null)
            {
                lock (sandbox.Gate)
                {
                    region.CloudWatch.RecordLoadBalancerResponse(listener.LoadBalancer, 503);
                }
            }

            return;
        }

        var task = decision.Task;
        var group = decision.TargetGroup!;
        var containerName = task.Set.LoadBalancers.OfType<System.Text.Json.Nodes.JsonObject>().FirstOrDefault(lb => lb.Str("targetGroupArn") == group.Arn).Str("containerName");
        var env = decision.Definition.Environment(containerName);
        var status = Number(env, StatusVariable, 200);
        var latency = Number(env, LatencyVariable, 0);
        var failureRate = env.TryGetValue(FailureRateVariable, out var rateText) && double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) ? rate : 0;
        if (failureRate > 0 && Random.Shared.NextDouble() < failureRate)
        {
            status = Number(env, FailureStatusVariable, 500);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (latency > 0)
        {
            await Latency.DelayAsync(latency, context.RequestAborted);
        }

        response.StatusCode = status;
        response.ContentType = env.GetValueOrDefault(ContentTypeVariable, "text/plain; charset=utf-8");
        response.Headers["X-Sandbox-Task-Definition"] = decision.Definition.ShortName;
        response.Headers["X-Sandbox-Task-Set"] = task.Set.Id;
        response.Headers["X-Sandbox-Task-Set-Label"] = task.Set.Label;
        response.Headers["X-Sandbox-Task"] = task.Id;
        response.Headers["X-Sandbox-Target-Group"] = group.Name;
        var body = env.TryGetValue(BodyVariable, out var custom)
            ? custom
            : $"{decision.Definition.ShortName} {task.Set.Label} {status}\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        lock (sandbox.Gate)
        {
            region.CloudWatch.RecordTargetResponse(listener.LoadBalancer, group, status, seconds, received);
        }
    }

    private static int Number(Dictionary<string, string> env, string name, int fallback) =>
        env.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public async ValueTask DisposeAsync()
    {
        List<WebApplication> servers;
        lock (sandbox.Gate)
        {
            servers = [.. _servers.Values];
            _servers.Clear();
        }

        foreach (var app in servers)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
