<#
.SYNOPSIS
    Figures for releases judged by Wait-BlueGreenDeployment -Analysis -RollbackOnFailure on the sandbox: how long after
    green starts failing production is back on blue (real and simulated time), and what one analysis interval costs
    in CloudWatch calls.
.DESCRIPTION
    Each run resets the seeded sandbox, starts the traffic generator (-Rate requests or invocations per real second on
    production) and releases a green that is worse than blue from its first answer, canary 50% for 60 minutes:
    - ECS through CodeDeploy: the service web with a revision whose every answer takes 60 ms where blue's take 5 (registered
      with the AWS CLI; an image answering 500 would trip the group's alarm web-5xx first, a gate of its own);
    - Lambda shifted by the module: the alias payments:live to version 3 (every invocation fails).
    The clock starts at the first look that sees green with production traffic, and stops when the wait returns with
    the rollback over (Undo-Deployment's path, followed until blue serves all traffic). Simulated time is read from the
    sandbox's clock at both ends. The lag is one Interval (an analysis needs an interval of data) plus the analysis and
    the undo. Then a release as good as blue (payments version 2), analysed -Count times, gives the calls per interval
    from the sandbox's request log.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-AnalysisGate.ps1 -TimeScale 300 -Runs 3
#>
param([double] $TimeScale = 300, [int] $Runs = 3, [double] $Rate = 100, [int] $IntervalSeconds = 2, [int] $Count = 3)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
$manifest = (Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path).Path
Import-Module $manifest -Force
$env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = 'us-east-1'; $env:AWS_DEFAULT_REGION = 'us-east-1'
$env:AWS_EC2_METADATA_DISABLED = 'true'; $env:BLUEGREEN_POLL_MAX_MS = '250'
$sandbox = Start-BlueGreenSandbox -TimeScale $TimeScale -Seed
$ep = Use-TestSandbox $sandbox
$aws = @{ EndpointUrl = $ep }
$interval = [TimeSpan]::FromSeconds($IntervalSeconds).ToString()
$definition = @{ Interval = $interval; Count = 1; Lookback = '00:10:00'; InconclusiveLimit = 1
    Metrics = @(@{ Name = 'ErrorRate'; Critical = $true; MinimumSamples = 5 }, @{ Name = 'Latency'; AllowedEffect = 1.5; MinimumSamples = 5 }) }
function Get-VirtualTime { [DateTimeOffset]::Parse((Invoke-SandboxControl GET 'state?region=none').virtualTime) }
function Count($calls) { ($calls | Group-Object operation | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', ' }
function Median([double[]] $values) { $sorted = $values | Sort-Object; $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)] }

$cases = @(
    @{ Name = 'ECS through CodeDeploy (web, a revision 55 ms slower)'; Start = { Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition (New-WebRevision @{ SANDBOX_LATENCY_MS = 60 }) -TrafficShift Canary50Percent60Minutes -Confirm:$false @aws }
        Target = { param($d) ([uri] $d.ProductionEndpoint).Port } }
    @{ Name = 'Lambda shifted by the module (payments, version 3)'; Start = { Start-BlueGreenDeployment -FunctionName payments -Alias live -Version 3 -Controller Module -TrafficShift Canary50Percent60Minutes -Confirm:$false @aws }
        Target = { param($d) @{ function = 'payments'; qualifier = 'live' } } }
)

try {
    "Sandbox at time scale $TimeScale ($([math]::Round(60 / $TimeScale, 2)) real s per simulated minute); traffic $Rate per real second; Interval $IntervalSeconds real s; polls at most every 250 ms."
    foreach ($case in $cases) {
        $real = @(); $virtual = @()
        foreach ($run in 1..$Runs) {
            $null = Invoke-SandboxControl POST 'reset?seed=true'
            Set-SandboxTimeScale $TimeScale
            $d = & $case.Start
            $traffic = Start-SandboxTraffic -Target (& $case.Target $d) -Rate $Rate -Duration 120
            try {
                while ($d.GreenTrafficPercent -eq 0 -and -not $d.IsComplete) { Start-Sleep -Milliseconds 20; $d = $d | Get-BlueGreenDeployment }
                $clock = [Diagnostics.Stopwatch]::StartNew(); $v0 = Get-VirtualTime
                $ended = $d | Wait-BlueGreenDeployment -Analysis $definition -RollbackOnFailure -ErrorAction SilentlyContinue -ErrorVariable failed
                $clock.Stop(); $v1 = Get-VirtualTime
            }
            finally { $null = Stop-SandboxTraffic $traffic.id }
            if (-not ($failed.Count -eq 1 -and $ended.GreenTrafficPercent -eq 0)) { throw "$($case.Name): the release was not undone: $($failed | Select-Object -First 1); $($ended.Status) $($ended.GreenTrafficPercent)%" }
            $real += $clock.Elapsed.TotalSeconds; $virtual += ($v1 - $v0).TotalMinutes
            "  run ${run}: back on blue {0:0.00} s after green got production traffic ({1:0.0} simulated minutes); {2}" -f $clock.Elapsed.TotalSeconds, ($v1 - $v0).TotalMinutes, @($ended.Gates | Where-Object Kind -EQ 'Analysis')[-1].Detail
        }
        "$($case.Name): median {0:0.00} s real, {1:0.0} min simulated (runs: {2})" -f (Median $real), (Median $virtual), (($real | ForEach-Object { $_.ToString('0.00') }) -join ', ')
    }

    # Calls per interval: a good version analysed $Count times during its canary.
    $null = Invoke-SandboxControl POST 'reset?seed=true'
    Set-SandboxTimeScale $TimeScale
    $d = Start-BlueGreenDeployment -FunctionName payments -Alias live -Version 2 -Controller Module -TrafficShift Canary50Percent60Minutes -Confirm:$false @aws
    $traffic = Start-SandboxTraffic -Target @{ function = 'payments'; qualifier = 'live' } -Rate $Rate -Duration 120
    try {
        Start-Sleep -Seconds $IntervalSeconds
        $null = Invoke-SandboxControl DELETE 'requests'
        $counted = $definition.Clone(); $counted.Count = $Count
        $ended = $d | Wait-BlueGreenDeployment -Analysis $counted -Until TrafficShifted -WarningAction SilentlyContinue
    }
    finally { $null = Stop-SandboxTraffic $traffic.id }
    $calls = @(Get-SandboxCall)
    $analyses = @($ended.Gates | Where-Object Kind -EQ 'Analysis').Count
    $metricCalls = @($calls | Where-Object operation -EQ 'GetMetricData').Count
    $cloudWatch = @($calls | Where-Object service -EQ 'monitoring').Count
    "Analysis cost (payments:live, ErrorRate and Latency, $analyses intervals): {0} GetMetricData, {1} CloudWatch calls in all, {2:0.##} CloudWatch calls per interval" -f $metricCalls, $cloudWatch, ($cloudWatch / [math]::Max(1, $analyses))
    "All calls while it waited and analysed: $(Count $calls)"
}
finally {
    $sandbox | Stop-BlueGreenSandbox
}
