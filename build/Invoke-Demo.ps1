<#
.SYNOPSIS
    The whole story on the local sandbox: a good canary release and a bad one that is undone.
.DESCRIPTION
    Starts the sandbox with a time scale, seeds it, and releases the seeded ECS service twice through
    CodeDeploy: first a good image (canary, smoke test on the test listener, continue, succeeded), then a
    broken one (the smoke test fails, Undo-Deployment, blue serves everything again). Ends with a summary;
    exits 0 only when everything behaved as expected. The sandbox is stopped at the end, also on Ctrl+C.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [double] $TimeScale = 60
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module $ModuleManifest -Force

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
    Write-Host "  sandbox at $($sandbox.Endpoint) (pid $($sandbox.ProcessId)), seeded with ECS service sandbox/web behind web-alb"
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
