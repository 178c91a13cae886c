using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BlueGreen.Sandbox.Hosting;

/// <summary>
/// The sandbox's own API, beside the AWS one under <c>/_sandbox</c>: health, reset, time scale, faults,
/// the request log, a state dump and generated traffic. It is unauthenticated (the sandbox listens on loopback only), and
/// <see cref="ControlGuard"/> keeps what web pages send out of it.
/// </summary>
internal static class ControlApi
{
    public const string Root = "/_sandbox";

    public static void Map(IEndpointRouteBuilder app, Sandbox sandbox)
    {
        app.MapGet($"{Root}/health", () => Ok(new JsonObject
        {
            ["status"] = "ok",
            ["endpoint"] = sandbox.Endpoint,
            ["account"] = Sandbox.Account,
            ["timeScale"] = sandbox.Clock.Scale,
            ["virtualTime"] = sandbox.Clock.Now.ToString("O", CultureInfo.InvariantCulture),
            ["processId"] = Environment.ProcessId,
        }));

        app.MapPost($"{Root}/reset", (HttpRequest request) =>
        {
            lock (sandbox.Gate)
            {
                sandbox.Reset();
                if (request.Query["seed"] == "true")
                {
                    Seed.Create(sandbox, request.Query["region"].FirstOrDefault() ?? Seed.DefaultRegion);
                }
            }

            return Ok(new JsonObject { ["reset"] = true });
        });

        app.MapPost($"{Root}/seed", (HttpRequest request) =>
        {
            JsonObject summary;
            lock (sandbox.Gate)
            {
                summary = Seed.Create(sandbox, request.Query["region"].FirstOrDefault() ?? Seed.DefaultRegion);
            }

            return Ok(summary);
        });

        // Many release targets across regions in one request: a train of fifty is seeded in one call, not hundreds.
        app.MapPost($"{Root}/fleet", async (HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            try
            {
                var fleet = FleetRequest.Parse(body);
                lock (sandbox.Gate)
                {
                    return Ok(Fleet.Create(sandbox, fleet));
                }
            }
            catch (AwsException e)
            {
                return Problem(e.Message);
            }
        });

        app.MapGet($"{Root}/time-scale", () => Ok(new JsonObject { ["timeScale"] = sandbox.Clock.Scale }));
        app.MapPut($"{Root}/time-scale", async (HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            double? scale;
            try
            {
                scale = body.Num("timeScale");
            }
            catch (AwsException)
            {
                scale = null; // not a number: answered below like a missing one, not as a server error
            }

            if (scale is not { } value || value < 0 || !double.IsFinite(value))
            {
                return Problem("timeScale must be a number: 0 holds simulated time still, greater than 0 runs it that many times faster than real time.");
            }

            sandbox.Clock.Scale = value;
            return Ok(new JsonObject { ["timeScale"] = sandbox.Clock.Scale });
        });

        app.MapGet($"{Root}/faults", () => Ok(new JsonObject { ["faults"] = sandbox.Faults.All().Select(f => (JsonNode?)f.ToJson()).ToJsonArray() }));
        app.MapPut($"{Root}/faults", async (HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            try
            {
                return Ok(sandbox.Faults.Set(body).ToJson());
            }
            catch (AwsException e)
            {
                return Problem(e.Message);
            }
        });
        app.MapDelete($"{Root}/faults", () =>
        {
            sandbox.Faults.Clear();
            return Ok(new JsonObject { ["faults"] = new JsonArray() });
        });

        app.MapGet($"{Root}/requests", (HttpRequest request) =>
        {
            var since = long.TryParse(request.Query["since"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;
            var entries = sandbox.Log.Since(since);
            return Ok(new JsonObject
            {
                ["lastSequence"] = sandbox.Log.LastSequence,
                ["requests"] = entries.Select(e => (JsonNode?)e.ToJson()).ToJsonArray(),
            });
        });
        app.MapDelete($"{Root}/requests", () =>
        {
            sandbox.Log.Clear();
            return Ok(new JsonObject { ["lastSequence"] = sandbox.Log.LastSequence });
        });

        app.MapGet($"{Root}/state", (HttpRequest request) =>
        {
            // ?region=R keeps the dump small for callers that poll one region.
            var only = request.Query["region"].FirstOrDefault();
            JsonObject state;
            lock (sandbox.Gate)
            {
                state = new JsonObject
                {
                    ["timeScale"] = sandbox.Clock.Scale,
                    ["virtualTime"] = sandbox.Clock.Now.ToString("O", CultureInfo.InvariantCulture),
                    ["regions"] = sandbox.Regions.Where(r => only is null || r.Name == only).Select(r => (JsonNode?)r.Dump()).ToJsonArray(),
                };
            }

            return Ok(state);
        });

        app.MapPost($"{Root}/traffic", async (HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            try
            {
                return Ok(sandbox.Traffic.Start(body).ToJson());
            }
            catch (ArgumentException e)
            {
                return Problem(e.Message);
            }
        });
        app.MapGet($"{Root}/traffic", () => Ok(new JsonObject { ["traffic"] = sandbox.Traffic.All.Select(r => (JsonNode?)r.ToJson()).ToJsonArray() }));
        app.MapGet($"{Root}/traffic/{{id}}", (string id) => sandbox.Traffic.Find(id) is { } run ? Ok(run.ToJson()) : NotFound($"There is no traffic run {id}."));
        app.MapDelete($"{Root}/traffic/{{id}}", async (string id) => await sandbox.Traffic.StopAsync(id) is { } run ? Ok(run.ToJson()) : NotFound($"There is no traffic run {id}."));

        app.MapPost($"{Root}/credentials", async (HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            var key = body.Str("accessKeyId");
            var secret = body.Str("secretAccessKey");
            if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret))
            {
                return Problem("accessKeyId and secretAccessKey are required.");
            }

            sandbox.AddCredential(key, secret);
            return Ok(new JsonObject { ["accessKeyId"] = key });
        });
    }

    private static async Task<JsonObject> ReadAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static IResult Ok(JsonNode node) => Results.Text(node.ToJsonString(), "application/json");

    private static IResult NotFound(string message) =>
        Results.Text(new JsonObject { ["error"] = message }.ToJsonString(), "application/json", statusCode: 404);

    private static IResult Problem(string message) =>
        Results.Text(new JsonObject { ["error"] = message }.ToJsonString(), "application/json", statusCode: 400);
}
