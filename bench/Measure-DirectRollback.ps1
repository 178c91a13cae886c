<#
.SYNOPSIS
    Figures for a Lambda release the module drives itself (-Controller Module) on the sandbox: AWS calls per start
    and per look, and how long after an alarm goes into ALARM all traffic is back on blue, while
    Wait-BlueGreenDeployment watches.
.DESCRIPTION
    Each run resets the seeded sandbox, starts a release of payments version 3 on alias live (a slow linear shift,
    so no step is due while it is measured) watching the alarm payments-errors, and has Wait-BlueGreenDeployment
    follow it in a second runspace. After a few looks, the AWS CLI sets the alarm to ALARM. The lag is read from the
    sandbox's own request log: from its answer to SetAlarmState to its answer to the UpdateAlias that put the alias
    back on version 1. The wait polls at most every -PollMaxMs (BLUEGREEN_POLL_MAX_MS). The sandbox evaluates the
    alarm again at the end of its 60-second period, which may put an alarm set by hand back to OK between two looks:
    so simulated time is held (time scale 0) from just before the alarm is set; the lag is real time.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-DirectRollback.ps1 -TimeScale 10 -PollMaxMs 1000 -Runs 5
#>
param([double] $TimeScale = 10, [int] $PollMaxMs = 1000, [int] $Runs = 5)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
$manifest = (Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path).Path
Import-Module $manifest -Force
$env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = 'us-east-1'; $env:AWS_DEFAULT_REGION = 'us-east-1'
$env:AWS_EC2_METADATA_DISABLED = 'true'; $env:AWS_PAGER = ''; $env:BLUEGREEN_POLL_MAX_MS = "$PollMaxMs"
$sandbox = Start-BlueGreenSandbox -TimeScale $TimeScale -Seed
$ep = Use-TestSandbox $sandbox
function Count($calls) { ($calls | Group-Object operation | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', ' }

try {
    "Sandbox at time scale $TimeScale until the alarm is set, then 0; Wait-BlueGreenDeployment polls at most every $PollMaxMs ms (BLUEGREEN_POLL_MAX_MS)."
    $lags = @()
    $perLook = @()
    foreach ($run in 1..$Runs) {
        $null = Invoke-SandboxControl POST 'reset?seed=true'
        Set-SandboxTimeScale $TimeScale
        $null = Invoke-SandboxControl DELETE 'requests'
        $d = Start-BlueGreenDeployment -FunctionName payments -Alias live -Version 3 -Controller Module -Alarm payments-errors `
            -TrafficShift Linear10PercentEvery60Minutes -EndpointUrl $ep -Confirm:$false
        $startCalls = @(Get-SandboxCall)
        if ($run -eq 1) { "Calls per start (version given, one alarm): $($startCalls.Count) ($(Count $startCalls))" }
        $null = Invoke-SandboxControl DELETE 'requests'

        $waiter = [powershell]::Create()
        $null = $waiter.AddScript({
                param($manifest, $d)
                Import-Module $manifest
                $d | Wait-BlueGreenDeployment -Timeout 120 -AllowFailure
            }).AddArgument($manifest).AddArgument($d)
        $handle = $waiter.BeginInvoke()
        Start-Sleep -Seconds 4
        $looks = @(Get-SandboxCall)
        $gets = @($looks | Where-Object operation -eq 'GetAlias').Count
        if ($gets -gt 0) { $perLook += $looks.Count / $gets }
        if ($run -eq 1) { "Calls while it waits, over $gets looks: $(Count $looks)" }

        # Simulated time is held from here: the sandbox evaluates the alarm again only at the end of a period, so the
        # ALARM set by hand stays, as an alarm on errors that go on would. What is measured is real time.
        Set-SandboxTimeScale 0
        $null = & aws --endpoint-url $ep cloudwatch set-alarm-state --alarm-name payments-errors --state-value ALARM --state-reason 'bench: the alarm fires'
        if ($LASTEXITCODE -ne 0) { throw 'aws cloudwatch set-alarm-state failed' }
        $ended = $waiter.EndInvoke($handle) | Select-Object -Last 1
        foreach ($problem in $waiter.Streams.Error) { Write-Warning "Run ${run}: $problem" }
        $waiter.Dispose()
        $log = @(Get-SandboxCall)
        $fired = [DateTimeOffset]($log | Where-Object operation -eq 'SetAlarmState' | Select-Object -First 1).time
        $rollback = $log | Where-Object operation -eq 'UpdateAlias' | Select-Object -Last 1
        if (-not $rollback) { throw "Run ${run}: no UpdateAlias followed the alarm; the wait ended $($ended.Status)." }
        $back = [DateTimeOffset]$rollback.time
        $alias = & aws --endpoint-url $ep lambda get-alias --function-name payments --name live | ConvertFrom-Json
        if ($alias.FunctionVersion -ne '1' -or $alias.PSObject.Properties['RoutingConfig'] -and $alias.RoutingConfig.AdditionalVersionWeights.PSObject.Properties.Count -gt 0) {
            throw "Run ${run}: the alias is not back on version 1 alone: $($alias | ConvertTo-Json -Compress)"
        }

        $lag = ($back - $fired).TotalMilliseconds
        $lags += $lag
        "Run ${run}: $($ended.Status) ($($ended.EngineStatus)); all traffic back on version 1 $([math]::Round($lag)) ms after the sandbox answered SetAlarmState"
    }

    $sorted = @($lags | Sort-Object)
    "Alarm to blue, over $Runs runs: median $([math]::Round($sorted[[int][math]::Floor($sorted.Count / 2)])) ms, max $([math]::Round($sorted[-1])) ms (poll at most every $PollMaxMs ms)."
    "Calls per look while shifting with one alarm: $([math]::Round(($perLook | Measure-Object -Average).Average, 2)) (GetAlias and DescribeAlarms; a look that takes a step adds one UpdateAlias)."
}
finally {
    $sandbox | Stop-BlueGreenSandbox
}
