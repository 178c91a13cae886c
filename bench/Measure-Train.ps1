<#
.SYNOPSIS
    Figures for releases at fleet scale on the sandbox: fifty targets (ECS services through CodeDeploy and ECS itself,
    Lambda aliases through CodeDeploy and the module) in two regions released at once against one target alone (wall
    time ratio at the same time scale), AWS calls per target and per poll, the module's memory with fifty releases in
    flight, the sandbox's CPU per AWS request, and the time from a failed gate in the second wave to every target that
    moved serving blue again.
.DESCRIPTION
    Targets are seeded in one control-API call (POST /_sandbox/fleet). Each target is driven by the module's own cmdlets in
    its own runspace of this process (ForEach-Object -Parallel), so memory is the module's with fifty releases in flight.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-Train.ps1 -TimeScale 600
#>
param([double] $TimeScale = 600, [int] $EcsServices = 30, [int] $LambdaFunctions = 20, [string[]] $Regions = @('us-east-1', 'eu-west-1'),
    [int] $WaveSize = 10)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
$manifest = Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path
Import-Module $manifest -Force
$env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = $Regions[0]
$env:BLUEGREEN_POLL_MAX_MS = '1000'
$sandbox = Start-BlueGreenSandbox -TimeScale $TimeScale
$ep = Use-TestSandbox $sandbox
$sandboxProcess = Get-Process -Id (Invoke-SandboxControl GET 'health').processId

# One release of one target, to its end: the runbook a train runs per target, by kind of target.
$release = {
    param($t, $ep, [switch] $Failing)
    $aws = @{ Region = $t.Region; EndpointUrl = $ep }
    if ($t.Kind -eq 'EcsService') {
        $definition = if ($Failing) { $t.FailingTaskDefinition } else { $t.GreenTaskDefinition }
        # A train knows each target's CodeDeploy group: naming it spares a search through every group of the region.
        $owner = if ($t.Application) { @{ ApplicationName = $t.Application; DeploymentGroupName = $t.DeploymentGroup } } else { @{} }
        $d = Start-BlueGreenDeployment -Cluster $t.Cluster -Service $t.Service -TaskDefinition $definition -TrafficShift AllAtOnce @owner @aws
        if ($t.DeploymentController -eq 'ECS') { $d = $d | Wait-BlueGreenDeployment -Until Ready | Set-TrafficShift -Continue }
    }
    else {
        $version = if ($Failing) { $t.FailingVersion } else { $t.GreenVersion }
        $owner = if ($t.Controller -eq 'Module') { @{ Controller = 'Module' } } else { @{ ApplicationName = $t.Application; DeploymentGroupName = $t.DeploymentGroup } }
        $d = Start-BlueGreenDeployment -FunctionName $t.FunctionName -Alias $t.Alias -Version $version -TrafficShift AllAtOnce @owner @aws
    }
    $d | Wait-BlueGreenDeployment
}

function Measure-Releases([object[]] $Targets) {
    # Wall time of releasing $Targets at once, each in its own runspace; the peak memory of this process meanwhile.
    $peak = [hashtable]::Synchronized(@{ WorkingSet = 0L; Managed = 0L; Stop = $false })
    $sampler = [powershell]::Create()
    $null = $sampler.AddScript({
            param($peak)
            $me = [System.Diagnostics.Process]::GetCurrentProcess()
            while (-not $peak.Stop) {
                $me.Refresh()
                if ($me.WorkingSet64 -gt $peak.WorkingSet) { $peak.WorkingSet = $me.WorkingSet64 }
                $managed = [GC]::GetTotalMemory($false)
                if ($managed -gt $peak.Managed) { $peak.Managed = $managed }
                Start-Sleep -Milliseconds 100
            }
        }).AddArgument($peak)
    $handle = $sampler.BeginInvoke()
    $releaseText = $release.ToString()
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $results = $Targets | ForEach-Object -ThrottleLimit 64 -Parallel {
        Import-Module $using:manifest
        $run = [scriptblock]::Create($using:releaseText)
        $started = [Diagnostics.Stopwatch]::StartNew()
        $status = try { (& $run $_ $using:ep).Status } catch { "error: $_" }
        [pscustomobject]@{ Target = if ($_.Service) { $_.Service } else { $_.FunctionName }; Status = $status; Seconds = $started.Elapsed.TotalSeconds }
    }
    $clock.Stop()
    $peak.Stop = $true
    $null = $sampler.EndInvoke($handle); $sampler.Dispose()
    [pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; Results = @($results); PeakWorkingSetMB = [math]::Round($peak.WorkingSet / 1MB); PeakManagedMB = [math]::Round($peak.Managed / 1MB) }
}

function Get-CpuSeconds { $sandboxProcess.Refresh(); $sandboxProcess.TotalProcessorTime.TotalSeconds }

try {
    $seedClock = [Diagnostics.Stopwatch]::StartNew()
    $fleet = @(New-SandboxFleet -EcsServices $EcsServices -LambdaFunctions $LambdaFunctions -Regions $Regions)
    $seedClock.Stop()
    "Sandbox at time scale $TimeScale; fleet of $($fleet.Count) targets in $($Regions -join ', ') seeded in one request in $([math]::Round($seedClock.Elapsed.TotalSeconds, 2)) s."
    [GC]::Collect(); $baseManaged = [GC]::GetTotalMemory($true); $baseWorkingSet = [Diagnostics.Process]::GetCurrentProcess().WorkingSet64

    # Warm: one release of each kind once, so neither figure below pays for first use.
    $kinds = $fleet | Group-Object { "$($_.Kind)/$($_.DeploymentController)$($_.Controller)" } | ForEach-Object { $_.Group[0] }
    $null = Measure-Releases $kinds
    foreach ($k in $kinds) { $k | Add-Member -NotePropertyName Warmed -NotePropertyValue $true }
    $rest = @($fleet | Where-Object { -not $_.PSObject.Properties['Warmed'] })

    # One target alone (a CodeDeploy ECS service, the slowest kind), then every other target at once.
    $one = $rest | Where-Object { $_.Kind -eq 'EcsService' -and $_.DeploymentController -eq 'CODE_DEPLOY' } | Select-Object -First 1
    $single = Measure-Releases @($one)
    $many = @($rest | Where-Object { $_ -ne $one })
    $null = Invoke-SandboxControl DELETE 'requests'
    $cpuBefore = Get-CpuSeconds
    $fleetRun = Measure-Releases $many
    $cpu = (Get-CpuSeconds) - $cpuBefore
    $calls = @(Get-SandboxCall)
    $polls = @($calls | Where-Object { $_.operation -in 'GetDeployment', 'DescribeServiceDeployments', 'GetAlias' })
    $failed = @($fleetRun.Results | Where-Object Status -ne 'Succeeded')

    ''
    '{0} targets at once: {1:0.0} s; one target alone: {2:0.0} s; ratio {3:0.00} (goal: at most 1.5).' -f $many.Count, $fleetRun.Seconds, $single.Seconds, ($fleetRun.Seconds / $single.Seconds)
    '  not Succeeded: {0}' -f $(if ($failed) { ($failed | ForEach-Object { "$($_.Target)=$($_.Status)" }) -join ', ' } else { 'none' })
    '  slowest target {0:0.0} s, median {1:0.0} s' -f ($fleetRun.Results.Seconds | Measure-Object -Maximum).Maximum, (@($fleetRun.Results.Seconds | Sort-Object)[[int]($fleetRun.Results.Count / 2)])
    'AWS calls: {0} in all, {1:0.0} per target; {2} status reads (polls), {3:0.00} calls per target per poll.' -f $calls.Count, ($calls.Count / $many.Count), $polls.Count, ($calls.Count / [math]::Max(1, $polls.Count))
    $calls | Group-Object service, operation | Sort-Object Count -Descending | Select-Object -First 12 | ForEach-Object { '  {0,-48} {1,5}' -f $_.Name, $_.Count }
    'Sandbox CPU: {0:0.00} s for {1} AWS requests ({2:0.00} ms per request, ticks and listeners included).' -f $cpu, $calls.Count, (1000 * $cpu / [math]::Max(1, $calls.Count))
    'Module memory with {0} releases in flight: peak working set {1} MB (+{2} MB over idle), peak managed heap {3} MB (+{4} MB).' -f $many.Count, $fleetRun.PeakWorkingSetMB,
        ([math]::Round(($fleetRun.PeakWorkingSetMB * 1MB - $baseWorkingSet) / 1MB)), $fleetRun.PeakManagedMB, ([math]::Round(($fleetRun.PeakManagedMB * 1MB - $baseManaged) / 1MB))

    # A failed gate in wave 2: wave 1 released; wave 2 has one target whose green fails its smoke test (the gate); then
    # every target that moved is undone at once, and the clock runs until each serves blue.
    $ecs = @($fleet | Where-Object { $_.Kind -eq 'EcsService' -and $_.DeploymentController -eq 'CODE_DEPLOY' })
    $lambda = @($fleet | Where-Object { $_.Kind -eq 'LambdaAlias' -and $_.Controller -eq 'Module' })
    $ecsNative = @($fleet | Where-Object { $_.Kind -eq 'EcsService' -and $_.DeploymentController -eq 'ECS' })
    # Released targets go back to version 1 first: the fleet run moved them all to green.
    ''
    'Failed gate in wave 2: resetting the fleet ...'
    $null = Invoke-SandboxControl POST 'reset'
    $fleet = @(New-SandboxFleet -EcsServices $EcsServices -LambdaFunctions $LambdaFunctions -Regions $Regions)
    $wave1 = @($fleet | Where-Object { $_.Kind -eq 'LambdaAlias' } | Select-Object -First ($WaveSize / 2)) + @($fleet | Where-Object { $_.Kind -eq 'EcsService' } | Select-Object -First ($WaveSize / 2))
    $wave2 = @($fleet | Where-Object { $_ -notin $wave1 -and $_.Kind -eq 'LambdaAlias' } | Select-Object -First ($WaveSize / 2)) + @($fleet | Where-Object { $_ -notin $wave1 -and $_.Kind -eq 'EcsService' } | Select-Object -First ($WaveSize / 2))
    $w1 = Measure-Releases $wave1
    $bad = $wave2 | Where-Object { $_.Kind -eq 'LambdaAlias' } | Select-Object -First 1
    $w2good = @($wave2 | Where-Object { $_ -ne $bad })
    $w2 = Measure-Releases $w2good
    $gate = Invoke-SmokeTest -FunctionName $bad.FunctionName -Version $bad.FailingVersion -Payload '{}' -Region $bad.Region -EndpointUrl $ep -ErrorAction SilentlyContinue
    $gateFailedAt = [Diagnostics.Stopwatch]::StartNew()
    $moved = @($wave1) + $w2good
    $undone = $moved | ForEach-Object -ThrottleLimit 64 -Parallel {
        Import-Module $using:manifest
        $t = $_
        $endpoint = $using:ep
        $aws = @{ Region = $t.Region; EndpointUrl = $endpoint }
        $d = if ($t.Kind -eq 'EcsService') { Get-BlueGreenDeployment -Cluster $t.Cluster -Service $t.Service @aws } else { Get-BlueGreenDeployment -FunctionName $t.FunctionName -Alias $t.Alias @aws }
        $u = $d | Undo-Deployment -Confirm:$false
        $null = $u | Wait-BlueGreenDeployment -ErrorAction SilentlyContinue
        # Serving blue: the production listener answers from revision 1, or the alias points at version 1 alone.
        $deadline = [DateTime]::UtcNow.AddMinutes(5)
        do {
            $blue = if ($t.Kind -eq 'EcsService') {
                (Invoke-WebRequest $t.ProductionUrl -SkipHttpErrorCheck).Headers['X-Sandbox-Task-Definition'] -eq $t.BlueTaskDefinition
            }
            else {
                $state = Invoke-RestMethod "$($endpoint.TrimEnd('/'))/_sandbox/state?region=$($t.Region)"
                $function = $state.regions[0].lambda.functions | Where-Object { $_.FunctionArn -like "*:function:$($t.FunctionName)" }
                $alias = $function.Aliases | Where-Object Name -eq $t.Alias
                $alias.FunctionVersion -eq $t.BlueVersion -and -not $alias.RoutingConfig.AdditionalVersionWeights.PSObject.Properties.Count
            }
            if (-not $blue) { Start-Sleep -Milliseconds 50 }
        } until ($blue -or [DateTime]::UtcNow -gt $deadline)
        [pscustomobject]@{ Target = "$($t.Service)$($t.FunctionName)"; Blue = [bool] $blue }
    }
    $gateFailedAt.Stop()
    'Wave 1: {0} targets in {1:0.0} s; wave 2: {2} good targets in {3:0.0} s; the gate on {4} version {5} failed: {6}.' -f $wave1.Count, $w1.Seconds, $w2good.Count, $w2.Seconds, $bad.FunctionName, $bad.FailingVersion, (-not $gate.Passed)
    'From the failed gate to every one of {0} moved targets serving blue: {1:0.0} s ({2} on blue).' -f $moved.Count, $gateFailedAt.Elapsed.TotalSeconds, @($undone | Where-Object Blue).Count
}
finally {
    $sandbox | Stop-BlueGreenSandbox
}
