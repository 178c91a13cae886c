<#
.SYNOPSIS
    Figures for release trains at fleet scale on the sandbox: a train of fifty targets (ECS services through CodeDeploy
    and ECS itself, Lambda aliases through CodeDeploy and the module) in two regions against a train of one target (wall
    time ratio at the same time scale), AWS calls per target and per poll, the module's memory with fifty releases in
    flight, and the time from a failed gate in the second wave to every target that moved serving blue again.
.DESCRIPTION
    Targets are seeded in one control-API call (POST /_sandbox/fleet). Every figure comes from Start-BlueGreenDeployment
    -Train, in this process: the train drives its targets concurrently (up to -ThrottleLimit), keeps its record in a
    CloudWatch dashboard of the sandbox, and undoes every target that moved when one fails.
    Run it on a quiet machine: with the time scale high, a release is mostly CPU, and a busy machine measures itself.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-Train.ps1 -TimeScale 600 -TrafficShift AllAtOnce
.EXAMPLE
    dotnet pwsh ./bench/Measure-Train.ps1 -TimeScale 60 -TrafficShift Canary10Percent5Minutes
#>
param(
    [double] $TimeScale = 600,
    # Each target's traffic shift: AllAtOnce measures the module's own work; a canary adds the waiting a release has on AWS.
    [string] $TrafficShift = 'AllAtOnce',
    [int] $Targets = 50,
    [string[]] $Regions = @('us-east-1', 'eu-west-1'),
    [switch] $SkipFailedGate
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
$manifest = Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path
Import-Module $manifest -Force
$env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = $Regions[0]
$env:BLUEGREEN_POLL_MAX_MS = '1000'
$sandbox = Start-BlueGreenSandbox -TimeScale $TimeScale
$ep = Use-TestSandbox $sandbox
$sandboxProcess = Get-Process -Id (Invoke-SandboxControl GET 'health').processId

function New-Fleet([int] $Count) {
    # $Count targets of four kinds in turn: ECS through CodeDeploy, ECS itself, Lambda through CodeDeploy, Lambda by the module.
    $ecs = [math]::Ceiling($Count / 2); $lambda = $Count - $ecs
    @(New-SandboxFleet -EcsServices $ecs -LambdaFunctions $lambda -Regions $Regions)
}

function Measure-Train([hashtable] $Definition) {
    # Wall time of the train, and the peak memory of this process meanwhile (sampled every 100 ms in a runspace of its own).
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
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try { $train = Start-BlueGreenDeployment -Train $Definition -EndpointUrl $ep -ThrottleLimit 64 -Confirm:$false -ProgressAction SilentlyContinue -ErrorAction SilentlyContinue -ErrorVariable trainErrors }
    finally {
        $clock.Stop()
        $peak.Stop = $true
        $null = $sampler.EndInvoke($handle); $sampler.Dispose()
    }
    [pscustomobject]@{
        Seconds = $clock.Elapsed.TotalSeconds; Train = $train; Errors = @($trainErrors)
        PeakWorkingSetMB = [math]::Round($peak.WorkingSet / 1MB); PeakManagedMB = [math]::Round($peak.Managed / 1MB)
    }
}

function Test-ServingBlue($t) {
    # The production listener answers from blue's revision, or the alias points at blue's version alone.
    if ($t.Kind -eq 'EcsService') {
        return (Invoke-WebRequest $t.ProductionUrl -SkipHttpErrorCheck).Headers['X-Sandbox-Task-Definition'] -eq $t.BlueTaskDefinition
    }
    $state = Invoke-SandboxControl GET "state?region=$($t.Region)"
    $function = $state.regions[0].lambda.functions | Where-Object { $_.FunctionArn -like "*:function:$($t.FunctionName)" }
    $alias = $function.Aliases | Where-Object Name -EQ $t.Alias
    $alias.FunctionVersion -eq $t.BlueVersion -and -not ($alias.PSObject.Properties['RoutingConfig'] -and @($alias.RoutingConfig.AdditionalVersionWeights.PSObject.Properties).Count)
}

function Get-CpuSeconds { $sandboxProcess.Refresh(); $sandboxProcess.TotalProcessorTime.TotalSeconds }

try {
    "Sandbox at time scale $TimeScale; each target's traffic shift: $TrafficShift."
    $seedClock = [Diagnostics.Stopwatch]::StartNew()
    # The train's fifty, one more of the slowest kind for the train of one, and one of each kind to warm up with.
    $fleet = New-Fleet ($Targets + 5)
    $seedClock.Stop()
    "Fleet of $($fleet.Count) targets in $($Regions -join ', ') seeded in one request in $([math]::Round($seedClock.Elapsed.TotalSeconds, 2)) s."
    [GC]::Collect(); $baseManaged = [GC]::GetTotalMemory($true); $baseWorkingSet = [Diagnostics.Process]::GetCurrentProcess().WorkingSet64

    # Warm: a train of one target of each kind, so that neither figure below pays for first use.
    $kindOf = { "$($_.Kind)/$($_.DeploymentController)$($_.Controller)" }
    $warm = @($fleet | Group-Object $kindOf | ForEach-Object { $_.Group[0] })
    $warmRun = Measure-Train @{ Name = 'warm'; Waves = @(@{ Targets = @($warm | ForEach-Object { ConvertTo-TrainTarget $_ -TrafficShift $TrafficShift }) }) }
    if ($warmRun.Train.State -ne 'Succeeded') { throw "The warm-up train ended $($warmRun.Train.State): $(($warmRun.Errors | ForEach-Object { "$($_.TargetObject): $_" }) -join '; ')" }
    $rest = @($fleet | Where-Object { $_ -notin $warm })

    # A train of one target (an ECS service through CodeDeploy, the slowest kind), then a train of fifty, one wave, all at once.
    $one = $rest | Where-Object { $_.Kind -eq 'EcsService' -and $_.DeploymentController -eq 'CODE_DEPLOY' } | Select-Object -First 1
    $single = Measure-Train @{ Name = 'one'; Waves = @(@{ Targets = @(ConvertTo-TrainTarget $one -TrafficShift $TrafficShift) }) }
    $many = @($rest | Where-Object { $_ -ne $one } | Select-Object -First $Targets)
    $null = Invoke-SandboxControl DELETE 'requests'
    $cpuBefore = Get-CpuSeconds
    $fleetRun = Measure-Train @{ Name = 'fleet'; ThrottleLimit = $many.Count; Waves = @(@{ Targets = @($many | ForEach-Object { ConvertTo-TrainTarget $_ -TrafficShift $TrafficShift }) }) }
    $cpu = (Get-CpuSeconds) - $cpuBefore
    $calls = @(Get-SandboxCall)
    $polls = @($calls | Where-Object { $_.operation -in 'GetDeployment', 'DescribeServiceDeployments', 'GetAlias' })
    $notSucceeded = @($fleetRun.Train.Targets | Where-Object State -NE 'Succeeded')

    ''
    'Train of {0} targets (one wave, all at once): {1:0.0} s, {2}; train of one: {3:0.0} s, {4}; ratio {5:0.00} (goal: at most 1.5).' -f $many.Count, $fleetRun.Seconds,
        $fleetRun.Train.State, $single.Seconds, $single.Train.State, ($fleetRun.Seconds / $single.Seconds)
    '  not Succeeded: {0}' -f $(if ($notSucceeded) { ($notSucceeded | ForEach-Object { "$($_.Key)=$($_.State)" }) -join ', ' } else { 'none' })
    'AWS calls: {0} in all, {1:0.0} per target; {2} status reads (polls), {3:0.00} calls per target per poll.' -f $calls.Count, ($calls.Count / $many.Count), $polls.Count,
        ($calls.Count / [math]::Max(1, $polls.Count))
    'The train''s record: {0} PutDashboard writes for {1} target changes or more (changes that queue behind a write share the next).' -f @($calls | Where-Object operation -EQ 'PutDashboard').Count, (3 * $many.Count)
    $calls | Group-Object service, operation | Sort-Object Count -Descending | Select-Object -First 14 | ForEach-Object { '  {0,-48} {1,5}' -f $_.Name, $_.Count }
    'Sandbox CPU: {0:0.00} s for {1} AWS requests ({2:0.00} ms per request, ticks and listeners included).' -f $cpu, $calls.Count, (1000 * $cpu / [math]::Max(1, $calls.Count))
    'Module memory with {0} releases in flight: peak working set {1} MB (+{2} MB over idle), peak managed heap {3} MB (+{4} MB).' -f $many.Count, $fleetRun.PeakWorkingSetMB,
        ([math]::Round(($fleetRun.PeakWorkingSetMB * 1MB - $baseWorkingSet) / 1MB)), $fleetRun.PeakManagedMB, ([math]::Round(($fleetRun.PeakManagedMB * 1MB - $baseManaged) / 1MB))
    if ($SkipFailedGate) { return }

    # A failed gate in wave 2: a train of fifty in three waves whose second wave holds a Lambda alias shifted by the module
    # under an alarm that is in ALARM from its first evaluation. The train stops and undoes every target that moved; the
    # clock runs from the moment that target's release failed to the moment every moved target serves blue.
    ''
    'Failed gate in wave 2: resetting the fleet ...'
    $null = Invoke-SandboxControl POST 'reset'
    $fleet = New-Fleet $Targets
    $bad = $fleet | Where-Object { $_.Kind -eq 'LambdaAlias' -and $_.Controller -eq 'Module' } | Select-Object -Last 1
    $null = Invoke-SandboxCli --region $bad.Region cloudwatch put-metric-alarm --alarm-name train-gate --namespace Train --metric-name Nothing --statistic Sum --period 60 `
        --evaluation-periods 1 --threshold 0 --comparison-operator GreaterThanThreshold --treat-missing-data breaching
    $others = @($fleet | Where-Object { $_ -ne $bad })
    $third = [math]::Floor($fleet.Count / 3)
    $wave1 = @($others | Select-Object -First $third)
    $wave2 = @($others | Select-Object -Skip $third -First ($third - 1)) + @($bad)
    $wave3 = @($others | Select-Object -Skip (2 * $third - 1))
    $failing = ConvertTo-TrainTarget $bad -TrafficShift 'Linear10PercentEvery1Minutes'
    $failing.Alarm = 'train-gate'
    $definition = @{ Name = 'gate'; ThrottleLimit = 64; Waves = @(
            @{ Targets = @($wave1 | ForEach-Object { ConvertTo-TrainTarget $_ -TrafficShift $TrafficShift }) }
            @{ Targets = @($wave2 | Where-Object { $_ -ne $bad } | ForEach-Object { ConvertTo-TrainTarget $_ -TrafficShift $TrafficShift }) + @($failing) }
            @{ Targets = @($wave3 | ForEach-Object { ConvertTo-TrainTarget $_ -TrafficShift $TrafficShift }) }) }

    # The train runs in a runspace of its own; this one watches the failing release and then what production serves.
    $shell = [powershell]::Create()
    $null = $shell.AddScript({
            param($manifest, $definition, $ep)
            Import-Module $manifest
            Start-BlueGreenDeployment -Train $definition -EndpointUrl $ep -Confirm:$false -ProgressAction SilentlyContinue -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }).AddArgument("$manifest").AddArgument($definition).AddArgument($ep)
    $trainClock = [Diagnostics.Stopwatch]::StartNew()
    $pending = $shell.BeginInvoke()
    $failedAt = $null
    while (-not $failedAt -and -not $pending.IsCompleted) {
        $release = Get-BlueGreenDeployment -FunctionName $bad.FunctionName -Alias $bad.Alias -Controller Module -Region $bad.Region -EndpointUrl $ep -ErrorAction SilentlyContinue
        if ($release -and $release.Status -in 'Failed', 'Stopped') { $failedAt = $trainClock.Elapsed.TotalSeconds; break }
        Start-Sleep -Milliseconds 100
    }
    $moved = @($wave1) + @($wave2 | Where-Object { $_ -ne $bad })
    $deadline = [DateTime]::UtcNow.AddMinutes(5)
    do {
        $onGreen = @($moved | Where-Object { -not (Test-ServingBlue $_) })
        if ($onGreen) { Start-Sleep -Milliseconds 100 }
    } until (-not $onGreen -or [DateTime]::UtcNow -gt $deadline)
    $blueAt = $trainClock.Elapsed.TotalSeconds
    $result = @($shell.EndInvoke($pending)) | Select-Object -Last 1
    $trainClock.Stop()
    $shell.Dispose()
    'Train of {0} in 3 waves ({1}, {2}, {3}); wave 2''s {4} failed {5:0.0} s after the start; the train ended {6} at {7:0.0} s.' -f $fleet.Count, $wave1.Count, $wave2.Count, $wave3.Count,
        $bad.FunctionName, $failedAt, $result.State, $trainClock.Elapsed.TotalSeconds
    'From the failed release to every one of {0} moved targets serving blue: {1:0.0} s ({2} still on green).' -f $moved.Count, ($blueAt - $failedAt), $onGreen.Count
    '  wave 3 untouched: {0}' -f (@($result.Targets | Where-Object Wave -EQ 3 | Where-Object State -NE 'Pending').Count -eq 0)
}
finally {
    $sandbox | Stop-BlueGreenSandbox
}
