<#
.SYNOPSIS
    The whole story on the local sandbox: good canary releases and bad ones that are undone, on ECS (through CodeDeploy
    and ECS's own blue/green) and Lambda.
.DESCRIPTION
    Starts the sandbox with a time scale, seeds it, and releases the seeded ECS service twice through
    CodeDeploy: first a good image (canary, smoke test on the test listener, continue, succeeded), then a
    broken one (the smoke test fails, Undo-Deployment, blue serves everything again). Beside it, the seeded api
    service, which ECS releases itself (deployment controller ECS): a native canary through the same cmdlets (Ready at
    the PAUSE hook the module places, smoke test, continue, the canary share seen on the production port, succeeded).
    Then the Lambda
    story: the seeded orders function's alias through CodeDeploy (smoke test of the new version, canary
    with a BeforeAllowTraffic hook, succeeded), and the payments alias, which no CodeDeploy group releases,
    shifted by the module itself: a good version, then a bad build the smoke test catches and Undo-Deployment
    puts back at once. Then judged releases: a version slower than blue that its smoke test passes is failed by
    Wait-BlueGreenDeployment -Analysis on generated traffic and undone without a human, and one with too little traffic
    ends Inconclusive. Ends with a summary; exits 0 only when everything behaved as expected. The sandbox is
    stopped at the end, also on Ctrl+C.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [double] $TimeScale = 60
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module $ModuleManifest -Force
Import-Module (Join-Path $PSScriptRoot 'OwnedItems.psm1') -Force

$checks = [System.Collections.Generic.List[object]]::new()
function Test-Step([string] $Name, [bool] $Ok, [string] $Detail) {
    $checks.Add([pscustomobject]@{ Check = $Name; Ok = $Ok; Detail = $Detail })
    $mark = if ($Ok) { 'ok  ' } else { 'FAIL' }
    Write-Host ("  [{0}] {1}: {2}" -f $mark, $Name, $Detail)
}

function Get-ServingVersion([string] $Url, [int] $Requests = 40) {
    # Which task definitions answer on a listener, counted over a few requests.
    $client = [System.Net.Http.HttpClient]::new()
    try {
        $served = foreach ($i in 1..$Requests) {
            $response = $client.GetAsync($Url).GetAwaiter().GetResult()
            $response.Headers.GetValues('X-Sandbox-Task-Definition') | Select-Object -First 1
            $response.Dispose()
        }
        $served | Group-Object | Sort-Object Name | ForEach-Object { '{0} x{1}' -f $_.Name, $_.Count }
    }
    finally { $client.Dispose() }
}

function Get-ShortName([string] $TaskDefinitionArn) { $TaskDefinitionArn.Split('/')[-1] }

function Write-Chapter([string] $Text) { Write-Host ''; Write-Host "== $Text" -ForegroundColor Cyan }

$sandbox = $null
$clock = [Diagnostics.Stopwatch]::StartNew()
try {
    Write-Chapter "Starting the sandbox (time scale ${TimeScale}: a minute of AWS time per $([math]::Round(60 / $TimeScale, 2)) s)"
    $sandbox = Start-BlueGreenSandbox -TimeScale $TimeScale -Seed
    Write-Host "  sandbox at $($sandbox.Endpoint) (pid $($sandbox.ProcessId)), seeded with ECS services sandbox/web (CodeDeploy) and sandbox/api (ECS itself)"
    $env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = 'us-east-1'
    $aws = @{ EndpointUrl = $sandbox.Endpoint.ToString() }

    # Production traffic moves only when we say so: the group waits at Ready (and stops the release after an hour).
    Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -ReadyWait 60 -Confirm:$false @aws
    Write-Host '  deployment group web-dg now waits at Ready for the go-ahead'

    Write-Chapter 'A good release: web 2.0, canary 10% for 5 minutes'
    $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:2.0' -TrafficShift Canary10Percent5Minutes `
        -Description 'demo: good release' @aws
    Write-Host "  started $($d.DeploymentId): $(Get-ShortName $d.BlueTaskDefinition) -> $(Get-ShortName $d.GreenTaskDefinition)"
    $d = $d | Wait-BlueGreenDeployment -Until Ready
    Write-Host "  Ready: green takes the test listener $($d.TestEndpoint)"
    Write-Host "  production serves: $((Get-ServingVersion $d.ProductionEndpoint) -join ', ')"
    $smoke = $d | Invoke-SmokeTest -Path / -ExpectStatus 200 -Requests 100 -MaxErrorRate 0.01
    Test-Step 'smoke test of green' $smoke.Passed ("{0} requests, error rate {1:P1}, p90 {2:0} ms" -f $smoke.Requests, $smoke.ErrorRate, $smoke.P90.TotalMilliseconds)
    $d = $smoke | Set-TrafficShift -Continue -Confirm:$false | Wait-BlueGreenDeployment -Until Succeeded
    Test-Step 'good release succeeded' ($d.Status -eq 'Succeeded') "$($d.DeploymentId) is $($d.Status)"
    $after = @(Get-ServingVersion $d.ProductionEndpoint)
    $goodGreen = Get-ShortName $d.GreenTaskDefinition
    Test-Step 'production serves the new version only' ($after.Count -eq 1 -and $after[0] -like "$goodGreen *") ($after -join ', ')

    Write-Chapter 'A bad release: web 3.0-broken answers 500'
    $bad = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:3.0-broken' -TrafficShift Canary10Percent5Minutes `
        -Description 'demo: bad release' @aws | Wait-BlueGreenDeployment -Until Ready
    Write-Host "  Ready: $($bad.DeploymentId), green $(Get-ShortName $bad.GreenTaskDefinition) on the test listener"
    $badSmoke = $bad | Invoke-SmokeTest -Path / -ExpectStatus 200 -Requests 50 -MaxErrorRate 0.01 -ErrorAction SilentlyContinue -ErrorVariable smokeErrors
    Test-Step 'smoke test catches the broken build' (-not $badSmoke.Passed) ("error rate {0:P0}: {1}" -f $badSmoke.ErrorRate, ($smokeErrors | Select-Object -First 1))
    $refused = $null
    $badSmoke | Set-TrafficShift -Continue -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable refused | Out-Null
    Test-Step 'production traffic refused after a failed smoke test' ($refused.Count -gt 0) ($refused | Select-Object -First 1)
    $undo = $bad | Undo-Deployment -Confirm:$false
    $served = @(Get-ServingVersion $bad.ProductionEndpoint)
    Test-Step 'undo puts blue back on all traffic' ($served.Count -eq 1 -and $served[0] -like "$goodGreen *") ($served -join ', ')
    $final = Get-BlueGreenDeployment -Id $bad.DeploymentId @aws
    Test-Step 'the bad release is marked stopped' ($final.Status -in 'Stopped', 'Failed') "$($final.DeploymentId) is $($final.Status), rolled back by $(@($undo)[-1].RollbackDeploymentId)"

    Write-Chapter 'ECS releases api itself (deployment controller ECS): api 2.0, canary 10% for 10 minutes'
    $n = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:2.0' -TrafficShift Canary10Percent10Minutes `
        -Description 'demo: native canary' @aws
    Write-Host "  started $(($n.DeploymentId -split '/')[-1]) (a service deployment of ECS): $(Get-ShortName $n.BlueTaskDefinition) -> $(Get-ShortName $n.GreenTaskDefinition)"
    $n = $n | Wait-BlueGreenDeployment -Until Ready
    Write-Host "  Ready: green takes the test listener $($n.TestEndpoint), production waits at a PAUSE hook"
    $nSmoke = $n | Invoke-SmokeTest -Path / -ExpectStatus 200 -Requests 100 -MaxErrorRate 0.01
    Test-Step 'smoke test of api green' $nSmoke.Passed ("{0} requests, error rate {1:P1}, p90 {2:0} ms" -f $nSmoke.Requests, $nSmoke.ErrorRate, $nSmoke.P90.TotalMilliseconds)
    $n = $nSmoke | Set-TrafficShift -Continue -Confirm:$false
    $deadline = [DateTime]::UtcNow.AddMinutes(1)
    while ($n.GreenTrafficPercent -eq 0 -and -not $n.IsComplete -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100; $n = $n | Get-BlueGreenDeployment }
    $apiGreen = Get-ShortName $n.GreenTaskDefinition
    $canary = @(Get-ServingVersion $n.ProductionEndpoint -Requests 100)
    $share = ($canary | Where-Object { $_ -like "$apiGreen x*" } | ForEach-Object { [int]($_ -replace '^.* x', '') } | Measure-Object -Sum).Sum
    Test-Step 'canary share seen on the production port' ($n.GreenTrafficPercent -eq 10 -and $share -ge 1 -and $share -le 30) ("rule weights {0}% green; 100 requests: {1}" -f $n.GreenTrafficPercent, ($canary -join ', '))
    $n = $n | Wait-BlueGreenDeployment -Until Succeeded
    $apiAfter = @(Get-ServingVersion $n.ProductionEndpoint)
    Test-Step 'native canary succeeded: production serves the new version only' ($n.Status -eq 'Succeeded' -and $apiAfter.Count -eq 1 -and $apiAfter[0] -like "$apiGreen *") ("{0}; production: {1}" -f $n.Status, ($apiAfter -join ', '))

    Write-Chapter 'Lambda through CodeDeploy: orders version 2 on alias live, canary 10% for 5 minutes, hook before traffic'
    $version = Invoke-SmokeTest -FunctionName orders -Version 2 -Requests 20 -ExpectJson @{ version = 2 } @aws
    Test-Step 'smoke test of orders version 2 (not through the alias)' $version.Passed ("{0} invocations of {1}, p90 {2:0} ms" -f $version.Requests, $version.Target, $version.P90.TotalMilliseconds)
    $o = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 -ApplicationName orders -DeploymentGroupName orders-dg `
        -TrafficShift Canary10Percent5Minutes -Hook @{ BeforeAllowTraffic = 'release-hook' } -Description 'demo: orders v2' @aws
    Write-Host "  started $($o.DeploymentId): orders:live version $($o.BlueVersion) -> $($o.GreenVersion) through CodeDeploy"
    $o = $o | Wait-BlueGreenDeployment -Until Succeeded
    $hook = @($o.LifecycleEvents | Where-Object Name -EQ 'BeforeAllowTraffic')
    Test-Step 'the BeforeAllowTraffic hook ran and passed' ($hook.Count -eq 1 -and $hook[0].Status -eq 'Succeeded') "BeforeAllowTraffic is $(if ($hook) { $hook[0].Status } else { 'missing' })"
    $live = Get-BlueGreenDeployment -FunctionName orders -Alias live @aws
    Test-Step 'orders release succeeded: live serves version 2' ($o.Status -eq 'Succeeded' -and $live.GreenVersion -eq '2' -and $live.GreenTrafficPercent -eq 100) "$($o.DeploymentId) is $($o.Status), $($live.GreenTrafficPercent)% on version $($live.GreenVersion)"

    Write-Chapter 'Lambda without CodeDeploy: the module shifts payments:live to version 2, 50% a minute, watching payments-errors'
    $p = Start-BlueGreenDeployment -FunctionName payments -Alias live -Version 2 -Controller Module -TrafficShift Linear50PercentEvery1Minute `
        -Alarm payments-errors -Description 'demo: payments v2' @aws
    Write-Host "  started $($p.DeploymentId): the plan and progress live on the alias; whoever waits drives it"
    $p = $p | Wait-BlueGreenDeployment -Until Succeeded
    Test-Step 'payments release succeeded, driven by the module' ($p.Status -eq 'Succeeded' -and $p.GreenTrafficPercent -eq 100) "$($p.DeploymentId) is $($p.Status)"

    Write-Chapter 'A bad Lambda build: payments version 3 fails every invocation'
    $pb = Start-BlueGreenDeployment -FunctionName payments -Alias live -Version 3 -Controller Module -TrafficShift Canary10Percent5Minutes `
        -Alarm payments-errors -Description 'demo: payments v3' @aws | Set-TrafficShift -Percent 10 -Confirm:$false
    Write-Host "  $($pb.DeploymentId): $($pb.GreenTrafficPercent)% of payments:live on version 3, held there"
    $pbSmoke = $pb | Invoke-SmokeTest -Requests 10 -ErrorAction SilentlyContinue -ErrorVariable lambdaErrors
    Test-Step 'smoke test of version 3 catches the bad build' (-not $pbSmoke.Passed) ("{0} of {1} invocations failed: {2}" -f $pbSmoke.Failed, $pbSmoke.Requests, (@($pbSmoke.FunctionErrors.GetEnumerator() | ForEach-Object { "$($_.Key) x$($_.Value)" }) -join ', '))
    $pbUndone = $pb | Undo-Deployment -Confirm:$false
    $pbNow = Get-BlueGreenDeployment -FunctionName payments -Alias live @aws
    Test-Step 'undo puts payments:live back on version 2 at once' ($pbNow.GreenTrafficPercent -eq 0 -and $pbNow.BlueVersion -eq '2' -and $pbNow.Status -in 'Stopped', 'Failed') "$($pbNow.DeploymentId) is $($pbNow.Status), $($pbNow.GreenTrafficPercent)% on version 3"

    Write-Chapter 'Judged releases: green compared with blue on production traffic, every interval, by Wait-BlueGreenDeployment -Analysis'
    # A faster clock (a minute of AWS time per 0.2 s) so that the analysis has ten one-minute data points a side in two seconds.
    $control = $sandbox.Endpoint.ToString().TrimEnd('/') + '/_sandbox'
    $null = Invoke-RestMethod -Method Put -Uri "$control/time-scale" -ContentType 'application/json' -Body '{"timeScale":300}'
    $analysis = @{ Interval = '00:00:02'; Count = 1; Lookback = '00:10:00'; InconclusiveLimit = 1; OnInconclusive = 'Continue'
        Metrics = @(@{ Name = 'ErrorRate'; Critical = $true; MinimumSamples = 5 }, @{ Name = 'Latency'; AllowedEffect = 1.5; MinimumSamples = 5 }) }
    function Start-Traffic([double] $Rate) {
        # The sandbox's traffic generator: invocations of payments:live, split by the alias's weights as any caller's are.
        $body = @{ target = @{ function = 'payments'; qualifier = 'live' }; rate = $Rate; duration = 60 } | ConvertTo-Json -Compress
        Invoke-RestMethod -Method Post -Uri "$control/traffic" -ContentType 'application/json' -Body $body
    }
    function Stop-Traffic($Run) { Invoke-RestMethod -Method Delete -Uri "$control/traffic/$($Run.id)" }

    # New code whose every answer takes 60 ms, where version 2 takes 5 ms: slower, but well within a smoke test's patience.
    $zip = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-demo-$([guid]::NewGuid().ToString('N')).zip"
    $archive = [IO.Compression.ZipFile]::Open($zip, [IO.Compression.ZipArchiveMode]::Create)
    try {
        $writer = [IO.StreamWriter]::new($archive.CreateEntry('sandbox.json').Open())
        $writer.Write('{"payload": {"version": 4, "message": "payments v4, slower"}, "latencyMs": 60}')
        $writer.Dispose()
    }
    finally { $archive.Dispose() }
    try {
        $slow = Start-BlueGreenDeployment -FunctionName payments -Alias live -ZipFile $zip -Controller Module -TrafficShift Canary50Percent60Minutes `
            -Description 'demo: payments v4, slower' @aws
    }
    finally { Remove-OwnedItem $zip }
    Write-Host "  started $($slow.DeploymentId): version $($slow.BlueVersion) -> $($slow.GreenVersion), canary 50% for an hour (the analysis ends it long before)"
    $slowSmoke = $slow | Invoke-SmokeTest -Requests 10
    Test-Step 'the smoke test alone passes the slower version' $slowSmoke.Passed ("{0} invocations of version {1}, p90 {2:0} ms" -f $slowSmoke.Requests, $slow.GreenVersion, $slowSmoke.P90.TotalMilliseconds)
    $run = Start-Traffic 100
    $clockUndo = [Diagnostics.Stopwatch]::StartNew()
    try {
        # Up to five intervals, should one come before enough data points have: a Fail ends it at once.
        $patient = $analysis.Clone()
        $patient['Count'] = 5
        $patient['InconclusiveLimit'] = 5
        $judged = $slow | Wait-BlueGreenDeployment -Analysis $patient -RollbackOnFailure -ErrorAction SilentlyContinue -ErrorVariable analysisErrors
    }
    finally { $traffic = Stop-Traffic $run }
    $verdict = @(foreach ($release in @($judged)) { $release.Gates | Where-Object Kind -EQ 'Analysis' }) | Select-Object -Last 1
    $said = if ($verdict) { "$($verdict.Verdict): $($verdict.Detail)" } else { 'no verdict' }
    Write-Host "  $($traffic.sent) invocations in $([math]::Round($clockUndo.Elapsed.TotalSeconds, 1)) s; analysis: $said"
    $analysisError = $analysisErrors | Select-Object -First 1
    Test-Step 'the analysis fails it and undoes it without a human' ($analysisErrors.Count -eq 1 -and "$($analysisError.FullyQualifiedErrorId)" -like 'AnalysisFailed,*' -and $verdict -and $verdict.Verdict -eq 'Fail') `
        $(if ($analysisError -and $verdict) { "{0}: {1}" -f $analysisError.FullyQualifiedErrorId, $verdict.Result.FailedMetrics }
            elseif ($analysisError) { "{0}: {1} (and the analysis said {2})" -f $analysisError.FullyQualifiedErrorId, $analysisError, $said }
            else { "no error; the analysis said $said" })
    $back = Get-BlueGreenDeployment -FunctionName payments -Alias live @aws
    Test-Step 'production is back on blue' ($back.GreenTrafficPercent -eq 0 -and $back.BlueVersion -eq '2') ("payments:live: {0}% on version {1}, the rest on version {2}" -f $back.GreenTrafficPercent, $back.GreenVersion, $back.BlueVersion)

    Write-Chapter 'Too little traffic: one invocation a second is not enough to judge'
    $quiet = Start-BlueGreenDeployment -FunctionName payments -Alias live -Version $slow.GreenVersion -Controller Module -TrafficShift Canary50Percent30Minutes `
        -Description 'demo: too little traffic' @aws
    $run = Start-Traffic 1
    try {
        $quiet = $quiet | Wait-BlueGreenDeployment -Analysis $analysis -RollbackOnFailure -WarningAction SilentlyContinue -WarningVariable quietWarnings
    }
    finally { $null = Stop-Traffic $run }
    $quietVerdict = @($quiet.Gates | Where-Object Kind -EQ 'Analysis')
    Test-Step 'the analysis says Inconclusive, not Pass' ($quietVerdict.Count -eq 1 -and $quietVerdict[0].Verdict -eq 'Inconclusive') `
        ("{0}; {1}" -f $quietVerdict[0].Detail, ($quietWarnings | Select-Object -Last 1))
    Write-Chapter 'The report of these releases'
    # Every release the demo holds, as it last saw it: one page with each release's traffic over time, and its Markdown.
    $released = @(Get-Variable -Scope Script -ValueOnly | ForEach-Object { $_ } | Where-Object { $_ -is [BlueGreen.Core.Deployments.BlueGreenDeployment] } |
        Group-Object DeploymentId | ForEach-Object { $_.Group[-1] })
    $reportPath = Join-Path (Split-Path (Split-Path $ModuleManifest)) 'demo-report.html'
    $written = @($released | Export-BlueGreenReport -Path $reportPath -PassThru -Confirm:$false)
    Test-Step 'the report of the releases is written' ($written.Count -eq 2 -and $released.Count -ge 2 -and ($written | Where-Object Length -GT 0).Count -eq 2) `
        ("{0} releases; {1}" -f $released.Count, (($written | ForEach-Object { "$($_.Name) ($($_.Length) bytes)" }) -join ', '))
    Write-Host "  The report: $reportPath (Markdown beside it: $([IO.Path]::ChangeExtension($reportPath, '.md')))"
}
finally {
    if ($sandbox) { Stop-BlueGreenSandbox -ProcessId $sandbox.ProcessId -Confirm:$false; Write-Host ''; Write-Host '  sandbox stopped' }
}

Write-Chapter "Summary ($([math]::Round($clock.Elapsed.TotalSeconds)) s)"
$checks | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$failed = @($checks | Where-Object { -not $_.Ok })
if ($failed.Count -gt 0) {
    Write-Host "$($failed.Count) of $($checks.Count) checks failed." -ForegroundColor Red
    exit 1
}
Write-Host "All $($checks.Count) checks passed." -ForegroundColor Green
