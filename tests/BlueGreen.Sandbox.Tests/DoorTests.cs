using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace BlueGreen.Sandbox.Tests;

/// <summary>A sandbox process of the door tests' own, so its memory is theirs alone to measure.</summary>
public sealed class OwnSandbox : IAsyncLifetime
{
    public SandboxFixture Sandbox { get; } = new();

    public Task InitializeAsync() => Sandbox.InitializeAsync();

    public Task DisposeAsync() => Sandbox.DisposeAsync();
}

/// <summary>
/// What reaches the sandbox before anything is trusted: bodies past AWS's limits, gzip bombs, and requests a web
/// page could send to the control API. Run against a sandbox started as users start it, as its own process.
/// </summary>
public sealed class DoorTests(OwnSandbox own, ITestOutputHelper output) : IClassFixture<OwnSandbox>
{
    private const string Region = "us-east-1";
    private const long MemoryCeiling = 300L * 1000 * 1000;
    private static readonly Lazy<byte[]> GigabyteBomb = new(() => Bomb(1L << 30));
    private SandboxFixture Sandbox => own.Sandbox;

    [Fact]
    public async Task A_gzip_bomb_and_concurrent_oversize_bodies_leave_the_sandbox_under_300_MB_and_answering()
    {
        var aws = new Aws(Sandbox, Region);
        aws.Ok("ecs", "list-clusters");
        using var process = Process.GetProcessById(Sandbox.ProcessId);
        process.Refresh();
        var before = (Resident: process.WorkingSet64, Peak: process.PeakWorkingSet64);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            long highest = 0;
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                highest = Math.Max(highest, process.WorkingSet64);
                await Task.Delay(20);
            }

            return highest;
        });

        // 1 GiB of zeros, about 1 MB on the wire: within every limit as sent, so only what happens after decides.
        var bomb = GigabyteBomb.Value;
        output.WriteLine($"gzip bomb: {1L << 30} bytes of zeros in {bomb.Length} bytes");

        // Unsigned: refused on the signature, never inflated.
        var unsigned = await SendAsync(Gzip(new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/2015-03-31/functions/any/invocations"), bomb));
        Assert.Equal(403, unsigned.Status);
        Assert.Equal("MissingAuthenticationTokenException", unsigned.ErrorType);

        // Signed over the compressed bytes: the signature holds, the inflated body passes the limit.
        var signedRequest = Gzip(new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/2015-03-31/functions/any/invocations"), bomb);
        RawSigner.Sign(signedRequest, bomb, "lambda", Region);
        var signed = await SendAsync(signedRequest);
        Assert.Equal(413, signed.Status);
        Assert.Equal("RequestEntityTooLargeException", signed.ErrorType);
        Assert.Contains("InvokeFunction", signed.Body, StringComparison.Ordinal);

        // The same bomb as CloudWatch PutMetricData, the one operation clients really gzip (JSON 1.0, Query codes).
        var metrics = Gzip(new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/"), bomb, "application/x-amz-json-1.0");
        metrics.Headers.TryAddWithoutValidation("X-Amz-Target", "GraniteServiceVersion20100801.PutMetricData");
        RawSigner.Sign(metrics, bomb, "monitoring", Region);
        var cloudwatch = await SendAsync(metrics);
        Assert.Equal(413, cloudwatch.Status);
        Assert.StartsWith("RequestEntityTooLarge;", cloudwatch.QueryError, StringComparison.Ordinal);

        // Eight 20 MB bodies at once, each past its operation's limit: declared up front, or streamed chunk by chunk.
        var twenty = new byte[20_000_000];
        var seventy = new byte[70_000_000];
        var oversize = new List<(string What, Task<Answer> Answer, string Code, string Limit)>();
        for (var i = 0; i < 3; i++)
        {
            var ecs = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/") { Content = new ByteArrayContent(twenty) };
            ecs.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
            ecs.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition");
            RawSigner.Sign(ecs, twenty, "ecs", Region);
            oversize.Add(("ECS, Content-Length", SendAsync(ecs), "RequestEntityTooLargeException", "1048576"));
        }

        for (var i = 0; i < 3; i++)
        {
            var invoke = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/2015-03-31/functions/any/invocations") { Content = new ChunkedContent(twenty) };
            oversize.Add(("Lambda Invoke, chunked", SendAsync(invoke), "RequestEntityTooLargeException", "6291456"));
        }

        var elb = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/") { Content = new ChunkedContent(twenty, "application/x-www-form-urlencoded; charset=utf-8") };
        oversize.Add(("ELBv2, chunked", SendAsync(elb), "RequestEntityTooLarge", "1048576"));
        var code = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/2015-03-31/functions") { Content = new ChunkedContent(seventy) };
        oversize.Add(("Lambda CreateFunction, 70 MB chunked", SendAsync(code), "RequestEntityTooLargeException", "69905067"));
        foreach (var (what, task, errorCode, limit) in oversize)
        {
            var answer = await task;
            Assert.True(answer.Status == 413, $"{what}: {answer.Status} {answer.Body}");
            Assert.True(answer.ErrorType == errorCode || answer.Body.Contains($"<Code>{errorCode}</Code>", StringComparison.Ordinal), $"{what}: {answer.Body}");
            Assert.Contains(limit, answer.Body, StringComparison.Ordinal);
        }

        await sampling.CancelAsync();
        var highest = await sampler;
        process.Refresh();
        output.WriteLine($"sandbox memory: before {before.Resident / 1024} kB resident (peak {before.Peak / 1024} kB); highest sampled {highest / 1024} kB; peak (VmHWM) after {process.PeakWorkingSet64 / 1024} kB; resident after {process.WorkingSet64 / 1024} kB");
        Assert.True(process.PeakWorkingSet64 < MemoryCeiling, $"The sandbox peaked at {process.PeakWorkingSet64 / 1024} kB resident.");
        Assert.True(highest < MemoryCeiling, $"The sandbox reached {highest / 1024} kB resident.");

        // And it still answers the CLI, which gzips a large PutMetricData: signed over the compressed bytes, read inflated.
        aws.Ok("ecs", "list-clusters");
        var data = new JsonArray(Enumerable.Range(0, 300).Select(i => (JsonNode?)new JsonObject
        {
            ["MetricName"] = "DoorTest",
            ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = "Index", ["Value"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            ["Value"] = i,
            ["Unit"] = "Count",
        }).ToArray());
        aws.Ok("cloudwatch", "put-metric-data", "--namespace", "Door", "--metric-data", data.ToJsonString());
        var put = Sandbox.ControlAsync(HttpMethod.Get, "requests").GetAwaiter().GetResult()["requests"]!.AsArray()
            .Last(r => r!["operation"]!.GetValue<string>() == "PutMetricData");
        Assert.Equal(200, put!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_claimed_terabyte_is_refused_from_its_header_without_waiting_for_the_body()
    {
        // A client that announces a huge body and sends none of it: answered at once, nothing allocated for it.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Sandbox.Port);
        await using var stream = client.GetStream();
        var head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters\r\n" +
            "Content-Type: application/x-amz-json-1.1\r\nContent-Length: 1000000000000\r\n\r\n{";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var status = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("HTTP/1.1 413 Payload Too Large", status);
        string? line;
        var headers = new List<string>();
        while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10))))
        {
            headers.Add(line);
        }

        Assert.Contains("x-amzn-ErrorType: RequestEntityTooLargeException", headers);
    }

    [Fact]
    public async Task The_control_api_refuses_what_a_web_page_can_send()
    {
        var aws = new Aws(Sandbox, "eu-west-3");
        aws.Ok("ecs", "create-cluster", "--cluster-name", "kept");

        // A form-like cross-site POST (text/plain needs no CORS preflight): refused, the key is not added.
        var credentials = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/_sandbox/credentials")
        {
            Content = new StringContent("""{"accessKeyId":"AKIAPAGE","secretAccessKey":"page-secret"}""", Encoding.UTF8, "text/plain"),
        };
        credentials.Headers.TryAddWithoutValidation("Origin", "https://attacker.example");
        Assert.Equal(403, (await SendAsync(credentials)).Status);
        var plain = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/_sandbox/credentials")
        {
            Content = new StringContent("""{"accessKeyId":"AKIAPAGE","secretAccessKey":"page-secret"}""", Encoding.UTF8, "text/plain"),
        };
        var refusedPlain = await SendAsync(plain);
        Assert.Equal(415, refusedPlain.Status);
        Assert.Contains("application/json", refusedPlain.Body, StringComparison.Ordinal);

        // A bodiless cross-site reset, by Origin or by Sec-Fetch-Site: refused, nothing forgotten.
        var reset = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/_sandbox/reset");
        reset.Headers.TryAddWithoutValidation("Origin", "null");
        Assert.Equal(403, (await SendAsync(reset)).Status);
        var fetched = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/_sandbox/reset");
        fetched.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");
        Assert.Equal(403, (await SendAsync(fetched)).Status);

        // A page that rebinds its own name to 127.0.0.1 reads as same-origin, but names itself in Host.
        var rebound = new HttpRequestMessage(HttpMethod.Get, Sandbox.Endpoint + "/_sandbox/state");
        rebound.Headers.Host = $"attacker.example:{Sandbox.Port}";
        Assert.Equal(403, (await SendAsync(rebound)).Status);

        // Reads carry no CORS permission, and a preflight gets none.
        var read = new HttpRequestMessage(HttpMethod.Get, Sandbox.Endpoint + "/_sandbox/requests");
        read.Headers.TryAddWithoutValidation("Origin", "https://attacker.example");
        var readAnswer = await SendAsync(read);
        Assert.Equal(403, readAnswer.Status);
        Assert.False(readAnswer.Headers.Contains("Access-Control-Allow-Origin"));
        var preflight = new HttpRequestMessage(HttpMethod.Options, Sandbox.Endpoint + "/_sandbox/credentials");
        preflight.Headers.TryAddWithoutValidation("Origin", "https://attacker.example");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "content-type");
        var preflightAnswer = await SendAsync(preflight);
        Assert.NotEqual(200, preflightAnswer.Status);
        Assert.False(preflightAnswer.Headers.Contains("Access-Control-Allow-Origin"));

        // A control body is small JSON.
        var huge = new HttpRequestMessage(HttpMethod.Put, Sandbox.Endpoint + "/_sandbox/faults") { Content = new ChunkedContent(new byte[1_000_000], "application/json") };
        Assert.Equal(413, (await SendAsync(huge)).Status);

        // Nothing a page sent took effect: the cluster is there, the page's key is unknown.
        Assert.Contains(aws.Ok("ecs", "list-clusters")["clusterArns"]!.AsArray(), c => c!.GetValue<string>().EndsWith("/kept", StringComparison.Ordinal));
        var withPageKey = new HttpRequestMessage(HttpMethod.Post, Sandbox.Endpoint + "/") { Content = new ByteArrayContent("{}"u8.ToArray()) };
        withPageKey.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        withPageKey.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters");
        RawSigner.Sign(withPageKey, "{}"u8.ToArray(), "ecs", "eu-west-3", "AKIAPAGE", "page-secret");
        Assert.Equal("UnrecognizedClientException", (await SendAsync(withPageKey)).ErrorType);

        // What scripts send still works: JSON with its content type, bodiless POSTs, plain reads.
        Sandbox.ControlAsync(HttpMethod.Post, "credentials", """{"accessKeyId":"AKIASCRIPT","secretAccessKey":"script-secret"}""").GetAwaiter().GetResult();
        Sandbox.ControlAsync(HttpMethod.Get, "state?region=eu-west-3").GetAwaiter().GetResult();
        var sameOrigin = new HttpRequestMessage(HttpMethod.Get, Sandbox.Endpoint + "/_sandbox/health");
        sameOrigin.Headers.TryAddWithoutValidation("Origin", Sandbox.Endpoint);
        Assert.Equal(200, (await SendAsync(sameOrigin)).Status);
    }

    private sealed record Answer(int Status, string Body, string? ErrorType, string? QueryError, HttpResponseHeaders Headers);

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await Sandbox.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return new Answer(
                (int)response.StatusCode,
                body,
                response.Headers.TryGetValues("x-amzn-ErrorType", out var type) ? type.First() : null,
                response.Headers.TryGetValues("x-amzn-query-error", out var query) ? query.First() : null,
                response.Headers);
        }
    }

    private static HttpRequestMessage Gzip(HttpRequestMessage request, byte[] body, string contentType = "application/json")
    {
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Content.Headers.ContentEncoding.Add("gzip");
        return request;
    }

    /// <summary>Zeros, gzip-compressed as they are generated: the test never holds the inflated size.</summary>
    private static byte[] Bomb(long size)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (long written = 0; written < size; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }

        return compressed.ToArray();
    }

    /// <summary>A body sent with Transfer-Encoding: chunked, so its length is known only by reading it.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _data;

        public ChunkedContent(byte[] data, string contentType = "application/json")
        {
            _data = data;
            Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < _data.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(_data.AsMemory(offset, Math.Min(64 * 1024, _data.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
