<#
.SYNOPSIS
    Releases under faults: on the seeded sandbox, every AWS operation is throttled 30 % of the time, answers 500
    10 % of the time, takes 1-2 s and drops the connection 10 % of the time; each try runs Start-BlueGreenDeployment
    -Image (the README's release) and follows it to Succeeded with Wait-BlueGreenDeployment. Prints how many tries
    succeeded, each failure's error id and message, how many deployments each try created (read from the sandbox's
    own state, which faults do not touch), and the median and 90th percentile times.
.PARAMETER Faults
    The fault rule, as PUT /_sandbox/faults takes it. The default is the mix above, on every service and operation.
.PARAMETER StartOnly
    Measure Start-BlueGreenDeployment alone; the release is then finished without faults before the next try.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-FaultedRelease.ps1 -Tries 20 -TimeScale 600
#>
param(
    [int] $Tries = 20,
    [double] $TimeScale = 600,
    [hashtable] $Faults = @{ service = '*'; operation = '*'; throttleRate = 0.3; errorRate = 0.1; latencyMs = 1000; latencyMaxMs = 2000; dropRate = 0.1 },
    [switch] $StartOnly
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
$manifest = Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path
Import-Module $manifest -Force
$env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = 'us-east-1'
$sandbox = Start-BlueGreenSandbox -TimeScale $TimeScale -Seed
$ep = Use-TestSandbox $sandbox
function Deployments { @((Invoke-SandboxControl GET 'state?region=us-east-1').regions[0].codedeploy.deployments | Where-Object { $_.deploymentGroupName -eq 'web-dg' }) }
function Revisions { @((Invoke-SandboxControl GET 'state?region=us-east-1').regions[0].ecs.taskDefinitions | Where-Object { $_ -like '*:task-definition/web:*' }).Count }
function Settle {
    # A try that failed may have left a release running: it ends (without faults) before the next try starts.
    while (@(Deployments | Where-Object { $_.status -in 'Created', 'Queued', 'InProgress', 'Ready', 'Baking' }).Count) { Start-Sleep -Milliseconds 200 }
}
function Percentile([double[]] $Values, [double] $P) {
    if (-not $Values.Count) { return [double]::NaN }
    $sorted = @($Values | Sort-Object)
    $sorted[[math]::Min($sorted.Count - 1, [int][math]::Ceiling($P * $sorted.Count) - 1)]
}

$results = @()
try {
    $rule = Invoke-SandboxControl PUT 'faults' $Faults
    "Sandbox at time scale $TimeScale; fault on every call: $($rule | ConvertTo-Json -Compress)"
    "AWS_MAX_ATTEMPTS: $(if ($env:AWS_MAX_ATTEMPTS) { $env:AWS_MAX_ATTEMPTS } else { '(not set: the module default)' })"
    foreach ($try in 1..$Tries) {
        $before = @(Deployments).Count
        $revisionsBefore = Revisions
        $image = "web=public.ecr.aws/sandbox/web:faulted-$try"
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $startMs = $null; $error.Clear()
        $outcome = [pscustomobject]@{ Try = $try; Succeeded = $false; StartMs = $null; TotalMs = $null; Created = 0; Revisions = 0; Status = $null; ErrorId = $null; Message = $null }
        try {
            $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image $image -TrafficShift AllAtOnce -EndpointUrl $ep -Confirm:$false
            $outcome.StartMs = $clock.Elapsed.TotalMilliseconds
            if ($StartOnly) {
                $outcome.Succeeded = $true
            }
            else {
                $final = $d | Wait-BlueGreenDeployment -Timeout 600
                $outcome.Status = "$($final.Status)"
                $outcome.Succeeded = $final.Status -eq 'Succeeded'
                if (-not $outcome.Succeeded) { $outcome.ErrorId = 'NotSucceeded'; $outcome.Message = "the release ended $($final.Status)" }
            }
        }
        catch {
            $outcome.ErrorId = $_.FullyQualifiedErrorId
            $outcome.Message = $_.Exception.Message
        }
        $outcome.TotalMs = $clock.Elapsed.TotalMilliseconds
        $null = Invoke-SandboxControl DELETE 'faults'
        Settle
        $outcome.Created = @(Deployments).Count - $before
        $outcome.Revisions = (Revisions) - $revisionsBefore
        $null = Invoke-SandboxControl PUT 'faults' $Faults
        $results += $outcome
        '  try {0,2}: {1,-9} start {2,7:0} ms  total {3,7:0} ms  deployments created {4}  revisions registered {5}{6}' -f $try,
            $(if ($outcome.Succeeded) { 'succeeded' } else { 'FAILED' }), $outcome.StartMs, $outcome.TotalMs, $outcome.Created, $outcome.Revisions,
            $(if ($outcome.ErrorId) { "  [$($outcome.ErrorId)] $($outcome.Message)" } else { '' })
    }
    $calls = @(Get-SandboxCall)
}
finally {
    $sandbox | Stop-BlueGreenSandbox
}

$ok = @($results | Where-Object Succeeded)
$failed = @($results | Where-Object { -not $_.Succeeded })
$duplicates = @($results | Where-Object { $_.Created -gt 1 } | ForEach-Object { $_.Created - 1 } | Measure-Object -Sum).Sum
''
'== Releases under faults =='
'tries                 {0}' -f $results.Count
'succeeded             {0}' -f $ok.Count
'failed                {0}' -f $failed.Count
foreach ($f in $failed) { '   try {0}: [{1}] {2}' -f $f.Try, $f.ErrorId, $f.Message }
'duplicate deployments {0} (tries that created more than one deployment: {1})' -f [int]$duplicates, @($results | Where-Object { $_.Created -gt 1 }).Count
'extra revisions       {0} (revisions registered beyond one per try, after lost answers)' -f [int](@($results | ForEach-Object { [math]::Max(0, $_.Revisions - 1) }) | Measure-Object -Sum).Sum
$starts = [double[]]@($ok | Where-Object StartMs | ForEach-Object StartMs)
$totals = [double[]]@($ok | ForEach-Object TotalMs)
'Start-BlueGreenDeployment  median {0,7:0} ms   p90 {1,7:0} ms   (succeeded tries)' -f (Percentile $starts 0.5), (Percentile $starts 0.9)
if (-not $StartOnly) { 'start to Succeeded         median {0,7:0} ms   p90 {1,7:0} ms' -f (Percentile $totals 0.5), (Percentile $totals 0.9) }
'AWS calls answered by the sandbox: {0}; faulted: {1} (by kind: {2})' -f $calls.Count, @($calls | Where-Object errorCode).Count,
    ((@($calls | Where-Object errorCode | Group-Object errorCode | Sort-Object Count -Descending | ForEach-Object { "$($_.Name) $($_.Count)" })) -join ', ')
$lost = @($calls | Where-Object errorCode -eq 'AnswerLost')
if ($lost.Count) {
    'answers lost after the operation ran: {0} ({1})' -f $lost.Count, ((@($lost | Group-Object operation | Sort-Object Count -Descending | ForEach-Object { "$($_.Name) $($_.Count)" })) -join ', ')
}
