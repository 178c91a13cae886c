<#
.SYNOPSIS
    -Mode Http (the default) prints the requests per second of Invoke-SmokeTest at concurrency 1 and 8, beside a
    bare HttpClient loop against the same listener, and the overhead per request that the cmdlet adds; against two
    local listeners: a minimal keep-alive HTTP server in this process (so the cmdlet's own cost shows), and the
    seeded sandbox's test listener (what a rehearsal sees).
    -Mode Lambda prints the invocations per second and the latency percentiles of Invoke-SmokeTest -FunctionName
    against the seeded sandbox's orders:2 (which answers after 5 ms) at concurrency 1 and 8, beside a bare loop of
    the module's own LambdaClient.InvokeAsync (signed, the same wire), so the cmdlet's overhead shows.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-SmokeTest.ps1 -Requests 2000 -Runs 5
.EXAMPLE
    dotnet pwsh ./bench/Measure-SmokeTest.ps1 -Mode Lambda -Requests 500 -Runs 5
#>
param([int] $Requests = 2000, [int] $Runs = 5, [ValidateSet('Http', 'Lambda')] [string] $Mode = 'Http')
$ErrorActionPreference = 'Stop'
$manifest = Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path
Import-Module $manifest

function Get-Median([double[]] $Values) { $sorted = @($Values | Sort-Object); $sorted[[int][math]::Floor($sorted.Count / 2)] }

if ($Mode -eq 'Lambda') {
    # The baseline: the same invocations through the module's LambdaClient, compiled so that PowerShell's loop does not count.
    $aws = Join-Path (Split-Path $manifest) 'dependencies/BlueGreen.Aws.dll'
    $awsCore = Join-Path (Split-Path $manifest) 'dependencies/AWSSDK.Core.dll'
    Add-Type -ReferencedAssemblies $aws, $awsCore, 'netstandard', 'System.Net.Primitives', 'System.Runtime', 'System.Threading', 'System.Linq' -TypeDefinition @'
using System; using System.Diagnostics; using System.Threading; using System.Threading.Tasks;
using BlueGreen.Aws.Configuration; using BlueGreen.Aws.Lambda; using BlueGreen.Aws.Lambda.Model;
public static class BareInvokeLoop {
    public static double Run(string endpoint, string function, string version, int requests, int concurrency) {
        var context = new AwsContextResolver().Resolve(new AwsConnectionSettings { Region = "us-east-1", EndpointUrl = endpoint });
        var client = new LambdaClient(context);
        int next = 0;
        var clock = Stopwatch.StartNew();
        var workers = new Task[concurrency];
        for (int w = 0; w < concurrency; w++) {
            workers[w] = Task.Run(async () => {
                while (Interlocked.Increment(ref next) <= requests) {
                    var answer = await client.InvokeAsync(new InvokeRequest { FunctionName = function, Qualifier = version, Payload = System.Text.Encoding.UTF8.GetBytes("{\"orderId\": 1}") });
                    if (answer.FunctionError != null || answer.ExecutedVersion != version) throw new Exception("unexpected answer");
                }
            });
        }
        Task.WaitAll(workers);
        return clock.Elapsed.TotalMilliseconds;
    }
}
'@
    $env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = 'us-east-1'
    $sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    try {
        $endpoint = $sandbox.Endpoint.ToString()
        $smoke = @{ FunctionName = 'orders'; Version = '2'; Payload = '{"orderId": 1}'; EndpointUrl = $endpoint; ProgressAction = 'SilentlyContinue' }
        "Target: Lambda version orders:2 on the sandbox $endpoint (answers after 5 ms), $Requests invocations per run, median of $Runs runs"
        $null = [BareInvokeLoop]::Run($endpoint, 'orders', '2', 100, 8)
        $null = Invoke-SmokeTest @smoke -Requests 100 -Concurrency 8
        foreach ($concurrency in 1, 8) {
            $bare = Get-Median @(foreach ($i in 1..$Runs) { [BareInvokeLoop]::Run($endpoint, 'orders', '2', $Requests, $concurrency) })
            $results = [System.Collections.Generic.List[object]]::new()
            $wall = Get-Median @(foreach ($i in 1..$Runs) {
                    $clock = [Diagnostics.Stopwatch]::StartNew()
                    $result = Invoke-SmokeTest @smoke -Requests $Requests -Concurrency $concurrency
                    $elapsed = $clock.Elapsed.TotalMilliseconds
                    if (-not $result.Passed) { throw "The smoke test failed: $($result.Summary)" }
                    $results.Add($result)
                    $elapsed
                })
            # The percentiles of the run with the median p50.
            $median = @($results | Sort-Object { $_.P50 })[[int][math]::Floor($results.Count / 2)]
            '{0,-34} {1,8:0} invocations/s  ({2:0.000} ms per invocation)' -f "bare LambdaClient, concurrency $concurrency", ($Requests / $bare * 1000), ($bare / $Requests)
            '{0,-34} {1,8:0} invocations/s  ({2:0.000} ms per invocation)' -f "Invoke-SmokeTest, concurrency $concurrency", ($Requests / $wall * 1000), ($wall / $Requests)
            '{0,-34} p50 {1:0.0} ms, p90 {2:0.0} ms, p99 {3:0.0} ms, max {4:0.0} ms' -f '  latency per invocation', $median.P50.TotalMilliseconds, $median.P90.TotalMilliseconds, $median.P99.TotalMilliseconds, $median.Max.TotalMilliseconds
            '{0,-34} {1,8:0.000} ms per invocation ({2:0} ms per call)' -f '  overhead over bare LambdaClient', (($wall - $bare) / $Requests), ($wall - $bare)
            ''
        }
    }
    finally {
        $sandbox | Stop-BlueGreenSandbox
    }
    return
}

# The baseline: the same requests with a bare HttpClient, compiled so that PowerShell's own loop does not count.
Add-Type -TypeDefinition @'
using System; using System.Diagnostics; using System.Net.Http; using System.Threading; using System.Threading.Tasks;
public static class BareLoop {
    public static double Run(string url, int requests, int concurrency) {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false, MaxConnectionsPerServer = concurrency });
        int next = 0;
        var clock = Stopwatch.StartNew();
        var workers = new Task[concurrency];
        for (int w = 0; w < concurrency; w++) {
            workers[w] = Task.Run(async () => {
                while (Interlocked.Increment(ref next) <= requests) {
                    using var response = await http.GetAsync(url);
                    await response.Content.ReadAsByteArrayAsync();
                    if ((int)response.StatusCode != 200) throw new Exception("status " + (int)response.StatusCode);
                }
            });
        }
        Task.WaitAll(workers);
        return clock.Elapsed.TotalMilliseconds;
    }
}
'@

# A minimal HTTP/1.1 keep-alive server on loopback: answers every request "200 ok" at once.
Add-Type -TypeDefinition @'
using System; using System.Net; using System.Net.Sockets; using System.Text; using System.Threading.Tasks;
public sealed class FastServer {
    private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nX-Sandbox-Task-Definition: bench:1\r\n\r\nok");
    public int Port { get { return ((IPEndPoint)_listener.LocalEndpoint).Port; } }
    public FastServer() { _listener.Start(); Task.Run(Accept); }
    public void Stop() { _listener.Stop(); }
    private async Task Accept() {
        while (true) {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(); } catch { return; }
            client.NoDelay = true;
            _ = Task.Run(() => Serve(client));
        }
    }
    private static async Task Serve(TcpClient client) {
        using (client) {
            var stream = client.GetStream(); var buffer = new byte[8192]; int matched = 0;
            try {
                while (true) {
                    int read = await stream.ReadAsync(buffer, 0, buffer.Length);
                    if (read == 0) return;
                    for (int i = 0; i < read; i++) {
                        byte b = buffer[i];
                        matched = (b == (matched % 2 == 0 ? 13 : 10)) ? matched + 1 : (b == 13 ? 1 : 0);
                        if (matched == 4) { matched = 0; await stream.WriteAsync(Answer, 0, Answer.Length); }
                    }
                }
            } catch { }
        }
    }
}
'@

function Measure-Target([string] $Name, [string] $url) {
    "Target: $Name, $Requests requests per run, median of $Runs runs"
    # Warm both paths once (JIT, connections).
    $null = [BareLoop]::Run($url, 200, 8)
    $null = Invoke-SmokeTest -Uri $url -Requests 200 -Concurrency 8 -ProgressAction SilentlyContinue

    foreach ($concurrency in 1, 8) {
        $bare = Get-Median @(foreach ($i in 1..$Runs) { [BareLoop]::Run($url, $Requests, $concurrency) })
        $inside = [System.Collections.Generic.List[double]]::new()
        $wall = Get-Median @(foreach ($i in 1..$Runs) {
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $result = Invoke-SmokeTest -Uri $url -Requests $Requests -Concurrency $concurrency -ProgressAction SilentlyContinue
                $elapsed = $clock.Elapsed.TotalMilliseconds
                if (-not $result.Passed) { throw "The smoke test failed: $($result.Summary)" }
                $inside.Add($result.Duration.TotalMilliseconds)
                $elapsed
            })
        $p50 = $result.P50.TotalMilliseconds
        '{0,-34} {1,8:0} req/s  ({2:0.000} ms per request)' -f "bare HttpClient, concurrency $concurrency", ($Requests / $bare * 1000), ($bare / $Requests)
        '{0,-34} {1,8:0} req/s  ({2:0.000} ms per request; p50 latency {3:0.00} ms)' -f "Invoke-SmokeTest, concurrency $concurrency", ($Requests / $wall * 1000), ($wall / $Requests), $p50
        '{0,-34} {1,8:0.000} ms per request  ({2:0} ms per call, of which {3:0} ms outside the requests)' -f '  overhead over bare HttpClient', (($wall - $bare) / $Requests), ($wall - $bare), ($wall - (Get-Median $inside.ToArray()))
        ''
    }
}

$fast = [FastServer]::new()
try { Measure-Target "a minimal keep-alive server in this process, port $($fast.Port)" "http://127.0.0.1:$($fast.Port)/" }
finally { $fast.Stop() }

$sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
try {
    $env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_DEFAULT_REGION = 'us-east-1'; $env:AWS_PAGER = ''
    $endpoint = $sandbox.Endpoint.ToString()
    $alb = & aws --endpoint-url $endpoint elbv2 describe-load-balancers --names web-alb --query 'LoadBalancers[0].LoadBalancerArn' --output text
    $port = (& aws --endpoint-url $endpoint elbv2 describe-listeners --load-balancer-arn $alb --query 'Listeners[*].Port' --output json | ConvertFrom-Json)[1]
    $url = "http://127.0.0.1:$port/"

    Measure-Target "the sandbox test listener $url (serves web:1)" $url
}
finally {
    $sandbox | Stop-BlueGreenSandbox
}
