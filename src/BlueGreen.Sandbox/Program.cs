using System.Net;
using BlueGreen.Sandbox;
using BlueGreen.Sandbox.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

SandboxOptions options;
try
{
    options = SandboxOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    await Console.Error.WriteLineAsync("BlueGreen.Sandbox: " + e.Message);
    return 2;
}

if (!IPAddress.TryParse(options.Host == "localhost" ? "127.0.0.1" : options.Host, out var address))
{
    await Console.Error.WriteLineAsync($"BlueGreen.Sandbox: --host must be an IP address, not '{options.Host}'.");
    return 2;
}

var sandbox = new Sandbox(options);
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
// A failed start ends RunAsync with its exception, reported below (a taken port in one line) or by the runtime:
// the host's own log of it would only repeat it as a stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(address, options.Port);
    k.AddServerHeader = false;
    // Every request gets its own limit before its body is read, and what is past it is discarded, not kept
    // (RequestLimit). Headers and request lines stay within Kestrel's defaults, stated here so they are seen,
    // and a client that trickles its headers or body is cut off rather than held open.
    k.Limits.MaxRequestBodySize = RequestLimit.Drained;
    k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
    k.Limits.MaxRequestHeaderCount = 100;
    k.Limits.MaxRequestLineSize = 8 * 1024;
    k.Limits.MaxRequestBufferSize = 1024 * 1024;
    k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
    k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
});
builder.Services.AddSingleton(sandbox);
builder.Services.AddHostedService<Ticker>();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

var app = builder.Build();
var router = new AwsRouter(sandbox);
// Everything outside the control API is AWS's.
app.Use(async (context, next) =>
{
    if (context.Request.Path.StartsWithSegments(ControlApi.Root, StringComparison.Ordinal))
    {
        await ControlGuard.HandleAsync(context, next);
    }
    else
    {
        await router.HandleAsync(context);
    }
});
ControlApi.Map(app, sandbox);

app.Lifetime.ApplicationStarted.Register(() =>
{
    var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    sandbox.Endpoint = bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    if (options.Seed)
    {
        lock (sandbox.Gate)
        {
            Seed.Create(sandbox, Seed.DefaultRegion);
        }
    }

    // The one line scripts wait for: the sandbox answers from now on.
    Console.WriteLine($"Listening on {sandbox.Endpoint}");
});
app.Lifetime.ApplicationStopping.Register(() =>
{
    sandbox.Traffic.DisposeAsync().AsTask().GetAwaiter().GetResult();
    sandbox.Listeners.DisposeAsync().AsTask().GetAwaiter().GetResult();
});

try
{
    await app.RunAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // One line for whoever started us (Start-BlueGreenSandbox turns exit code 3 into its own error), no stack trace.
    await Console.Error.WriteLineAsync($"BlueGreen.Sandbox: port {options.Port} on {address} is in use; pass another --port, or --port 0 for a free one.");
    return 3;
}

return 0;

/// <summary>Moves simulated time along: deployments, tasks and alarms advance every few milliseconds.</summary>
internal sealed class Ticker(Sandbox sandbox) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    sandbox.Tick();
                }
                catch (Exception e)
                {
                    await Console.Error.WriteLineAsync($"sandbox: tick failed: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
