<#
.SYNOPSIS
    Figures for an ECS blue/green release through CodeDeploy on the sandbox: AWS calls per release by
    operation, how polling adapts, the time from the sandbox reaching a state to Wait-BlueGreenDeployment
    reporting it, and the time from Undo-Deployment to blue serving all production traffic.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-Release.ps1 -TimeScale 60 -Runs 3
#>
param([double] $TimeScale = 60, [int] $Runs = 3)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
$manifest = Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path
Import-Module $manifest -Force
$env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = 'us-east-1'
$sandbox = Start-BlueGreenSandbox -TimeScale $TimeScale -Seed
$ep = Use-TestSandbox $sandbox

# A watcher beside the cmdlet: reads the sandbox's own state every 20 ms and notes when each status first appears.
$seen = [hashtable]::Synchronized(@{})
$watcher = [powershell]::Create()
$null = $watcher.AddScript({
        param($ep, $seen)
        function Walk($node) {
            if ($node -is [pscustomobject]) {
                if ($node.PSObject.Properties['deploymentId'] -and $node.PSObject.Properties['instanceTerminationWaitTimeStarted']) { return $node }
                foreach ($p in $node.PSObject.Properties) { Walk $p.Value }
            }
            elseif ($node -is [System.Collections.IEnumerable] -and $node -isnot [string]) { foreach ($n in $node) { Walk $n } }
        }
        while (-not $seen['stop']) {
            $state = Invoke-RestMethod "$($ep.TrimEnd('/'))/_sandbox/state"
            $now = [DateTime]::UtcNow
            foreach ($d in @(Walk $state)) {
                $status = if ($d.status -eq 'InProgress' -and $d.instanceTerminationWaitTimeStarted) { 'Baking' } else { $d.status }
                $key = "$($d.deploymentId)|$status"
                if (-not $seen.ContainsKey($key)) { $seen[$key] = $now }
            }
            Start-Sleep -Milliseconds 20
        }
    }).AddArgument($ep).AddArgument($seen)
$handle = $watcher.BeginInvoke()

try {
    "Sandbox at time scale $TimeScale (a 5-minute canary takes $([math]::Round(300 / $TimeScale, 1)) s); seeded group: Canary10Percent5Minutes, termination wait 5 min."
    $lags = @{ Baking = @(); Succeeded = @() }
    $callTables = @()
    foreach ($run in 1..$Runs) {
        $target = if ($run % 2) { 'web:2' } else { 'web:1' }
        $null = Invoke-SandboxControl DELETE 'requests'
        $reported = @{}
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition $target -EndpointUrl $ep
        $startCalls = @(Get-SandboxCall)
        $verbose = @()
        $d | Wait-BlueGreenDeployment -Verbose 4>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.VerboseRecord]) {
                $now = [DateTime]::UtcNow
                $verbose += [pscustomobject]@{ Time = $now; Text = $_.Message }
                if ($_.Message -match ': (\w+) ') { $status = $Matches[1]; if (-not $reported.ContainsKey($status)) { $reported[$status] = $now } }
            }
        }
        $all = @(Get-SandboxCall)
        $callTables += [pscustomobject]@{ Run = $run; Start = $startCalls; Wait = @($all | Select-Object -Skip $startCalls.Count); Verbose = $verbose }
        foreach ($status in 'Baking', 'Succeeded') {
            $at = $seen["$($d.DeploymentId)|$status"]
            if ($at -and $reported[$status]) { $lags[$status] += ($reported[$status] - $at).TotalMilliseconds }
        }
    }

    ''
    '== AWS calls per release (first run), by operation =='
    $first = $callTables[0]
    '-- Start-BlueGreenDeployment (plan + create + first read): {0} calls' -f $first.Start.Count
    $first.Start | Group-Object service, operation | Sort-Object Count -Descending | ForEach-Object { '   {0,3}  {1}' -f $_.Count, $_.Name }
    '-- Wait-BlueGreenDeployment until Succeeded: {0} calls' -f $first.Wait.Count
    $first.Wait | Group-Object service, operation | Sort-Object Count -Descending | ForEach-Object { '   {0,3}  {1}' -f $_.Count, $_.Name }
    '-- mutating calls in the whole release: {0} ({1})' -f @($first.Start + $first.Wait | Where-Object mutating).Count, ((@($first.Start + $first.Wait | Where-Object mutating).operation) -join ', ')

    ''
    '== How polling adapts (first run: time since the wait began, what was seen, the next interval) =='
    $t0 = $first.Verbose[0].Time
    foreach ($line in $first.Verbose | Where-Object Text -match 'next look') {
        '   +{0,6:0} ms  {1}' -f ($line.Time - $t0).TotalMilliseconds, ($line.Text -replace '^d-\w+: ', '')
    }

    ''
    '== From the sandbox reaching a state to Wait-BlueGreenDeployment reporting it ({0} runs) ==' -f $Runs
    foreach ($status in 'Baking', 'Succeeded') {
        $values = @($lags[$status] | Sort-Object)
        if ($values.Count) { '   {0,-10} median {1,6:0} ms  min {2,6:0}  max {3,6:0}' -f $status, $values[[int][math]::Floor($values.Count / 2)], $values[0], $values[-1] }
    }

    ''
    '== From Undo-Deployment to blue serving all production traffic =='
    $bad = 'web:2'
    $undoTimes = @()
    foreach ($run in 1..$Runs) {
        Set-SandboxTimeScale $TimeScale
        $current = Get-BlueGreenDeployment -Cluster sandbox -Service web -EndpointUrl $ep
        $green = if ($current.GreenTaskDefinition -like '*web:2') { 'web:1' } else { 'web:2' }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition $green -TrafficShift Canary10Percent15Minutes -EndpointUrl $ep
        while (($d = $d | Get-BlueGreenDeployment).GreenTrafficPercent -lt 10) { Start-Sleep -Milliseconds 100 }
        $blue = ($d.BlueTaskDefinition -split '/')[-1]
        $null = Invoke-SandboxControl DELETE 'requests'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $rollback = $d | Undo-Deployment -Confirm:$false
        $returned = $clock.Elapsed.TotalMilliseconds
        $undoCalls = @(Get-SandboxCall)
        $allBlue = $null
        while ($null -eq $allBlue) {
            if (@(Get-ServingTaskDefinition $d.ProductionEndpoint 20 | Where-Object { $_ -ne $blue }).Count -eq 0) { $allBlue = $clock.Elapsed.TotalMilliseconds }
        }
        $undoTimes += [pscustomobject]@{ Run = $run; Returned = $returned; AllBlue = $allBlue; Rollback = $rollback.DeploymentId; Status = $rollback.Status }
    }
    foreach ($u in $undoTimes) {
        '   run {0}: Undo-Deployment returned after {1,6:0} ms (rollback {2} {3}); the first 20 production requests sent after it all came from blue (done at {4,6:0} ms)' -f $u.Run, $u.Returned, $u.Rollback, $u.Status, $u.AllBlue
    }
    '   AWS calls of the last Undo-Deployment: {0}' -f $undoCalls.Count
    $undoCalls | Group-Object service, operation | Sort-Object Count -Descending | ForEach-Object { '   {0,3}  {1}' -f $_.Count, $_.Name }
}
finally {
    $seen['stop'] = $true
    try { $null = $watcher.EndInvoke($handle) } catch { }
    $watcher.Dispose()
    $sandbox | Stop-BlueGreenSandbox
}
