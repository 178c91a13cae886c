<#
.SYNOPSIS
    Figures for a release ECS runs itself (deployment controller ECS) on the sandbox: AWS calls per start and per look
    (Get-BlueGreenDeployment, and each poll of Wait-BlueGreenDeployment), and how long after Undo-Deployment of a
    canary in flight production answers blue on every request.
.DESCRIPTION
    Calls are counted from the sandbox's request log (the calls it answered over HTTP), with simulated time held still
    while a release is looked at, so every look sees the same state and the count per look is exact. Releases the
    seeded service api (cluster sandbox, load balancer api).

    The undo is timed over -Runs runs at -TimeScale: each run resets the seeded sandbox, starts a canary of a new api
    image (Canary50Percent30Minutes: half of production on green, so a green answer is never far off while any comes,
    and the canary still on when undone), waits until Ready, continues, and waits until production gives green its
    share. A second runspace sends requests to the production listener without pause, noting when each answer came
    and which task definition gave it; once it has seen both versions, Undo-Deployment stops the service deployment
    with ROLLBACK. The figure is the time from the call of Undo-Deployment (and from the sandbox's answer to
    StopServiceDeployment) to the first answer after which every answer came from blue.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-NativeCalls.ps1 -TimeScale 60 -Runs 5
#>
param([double] $TimeScale = 60, [int] $Runs = 5, [int] $PollMaxMs = 300)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path).Path -Force
Set-TestEnvironment -PollMaxMs $PollMaxMs
$sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
$aws = @{ EndpointUrl = (Use-TestSandbox $sandbox) }
$service = @{ Cluster = 'sandbox'; Service = 'api' }

function Show-Calls([string] $What) {
    $calls = @(Get-SandboxCall)
    '{0,-62} {1,3} calls: {2}' -f $What, $calls.Count, (($calls | Group-Object operation | Sort-Object Name | ForEach-Object { "$($_.Name) x$($_.Count)" }) -join ', ')
    $null = Invoke-SandboxControl DELETE 'requests'
}

function Reset-Api {
    # A fresh seed: ECS's first deployment of the new service runs for a moment (simulated time), as on AWS; a release
    # starts once it is over.
    Reset-TestSandbox
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (@((Invoke-SandboxCli ecs list-service-deployments --cluster sandbox --service api --status PENDING IN_PROGRESS).serviceDeployments).Count -gt 0) {
        if ([DateTime]::UtcNow -gt $deadline) { throw 'The seeded api service is still being deployed after a minute.' }
        Start-Sleep -Milliseconds 100
    }
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[($sorted.Count - 1) / 2] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

try {
    # --- Calls per start and per look -------------------------------------------------------------------------------
    Reset-Api
    Set-SandboxTimeScale 0
    $null = Invoke-SandboxControl DELETE 'requests'
    $d = Start-BlueGreenDeployment @service -Image 'api=public.ecr.aws/sandbox/api:2.0' -TrafficShift Canary10Percent5Minutes -Confirm:$false @aws
    Show-Calls 'Start -Image (a new revision registered)'
    $null = $d | Get-BlueGreenDeployment
    Show-Calls 'Get-BlueGreenDeployment by id, in flight'
    $null = Get-BlueGreenDeployment @service @aws
    Show-Calls 'Get-BlueGreenDeployment -Cluster -Service, in flight'
    # Held still before Ready: a wait for Ready looks again and again at the same state until it gives up.
    $null = $d | Wait-BlueGreenDeployment -Until Ready -Timeout 3 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
    $looks = @(Get-SandboxCall DescribeServiceDeployments).Count
    $calls = @(Get-SandboxCall).Count
    Show-Calls "Wait-BlueGreenDeployment in flight, $looks looks"
    if ($looks -gt 0) { 'Calls per poll of Wait-BlueGreenDeployment: {0:0.##}' -f ($calls / $looks) }

    Set-SandboxTimeScale 600
    $d = $d | Wait-BlueGreenDeployment -Until Ready
    $null = Invoke-SandboxControl DELETE 'requests'
    $null = $d | Set-TrafficShift -Continue -Confirm:$false
    Show-Calls 'Set-TrafficShift -Continue (the Ready hook answered)'
    $null = $d | Wait-BlueGreenDeployment -Until Succeeded
    $null = Invoke-SandboxControl DELETE 'requests'
    $t = Start-BlueGreenDeployment @service -TaskDefinition api:1 -TrafficShift AllAtOnce -Confirm:$false @aws
    Show-Calls 'Start -TaskDefinition (revision given)'
    $null = $t | Wait-BlueGreenDeployment -Until Ready
    $null = Invoke-SandboxControl DELETE 'requests'
    $null = $t | Undo-Deployment -Confirm:$false
    Show-Calls 'Undo-Deployment in flight (StopServiceDeployment ROLLBACK)'

    # --- From Undo-Deployment to production on blue ------------------------------------------------------------------
    ''
    "Undo of a canary in flight, $Runs runs at time scale $TimeScale (a minute of AWS time per $([math]::Round(60 / $TimeScale, 2)) s of real time):"
    $lags = [Collections.Generic.List[double]]::new()
    $returns = [Collections.Generic.List[double]]::new()
    $stops = [Collections.Generic.List[double]]::new()
    foreach ($run in 1..$Runs) {
        Reset-Api
        Set-SandboxTimeScale $TimeScale
        # The canary's interval is 30 minutes of AWS time: still on, however slow the machine, when undone.
        $d = Start-BlueGreenDeployment @service -Image "api=public.ecr.aws/sandbox/api:2.$run" -TrafficShift Canary50Percent30Minutes -Confirm:$false @aws |
            Wait-BlueGreenDeployment -Until Ready
        $blue = ($d.BlueTaskDefinition -split '/')[-1]
        $d = $d | Set-TrafficShift -Continue -Confirm:$false
        while ($d.GreenTrafficPercent -eq 0) { Start-Sleep -Milliseconds 50; $d = $d | Get-BlueGreenDeployment }
        if ($d.GreenTrafficPercent -ne 50) { throw "Run ${run}: production gives green $($d.GreenTrafficPercent)%, not the canary's 50%." }

        # Answers of the production listener, without pause, each with the time it came (ms since $origin) and its task definition.
        $origin = [DateTimeOffset]::UtcNow
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $answers = [Collections.Concurrent.ConcurrentQueue[object]]::new()
        $stop = [Threading.ManualResetEventSlim]::new($false)
        $prober = [powershell]::Create()
        $null = $prober.AddScript({
                param($Url, $Clock, $Answers, $Stop)
                $client = [Net.Http.HttpClient]::new()
                try {
                    while (-not $Stop.IsSet) {
                        $response = $client.GetAsync($Url).GetAwaiter().GetResult()
                        $from = $null
                        $values = $null
                        if ($response.Headers.TryGetValues('X-Sandbox-Task-Definition', [ref] $values)) { $from = @($values)[0] }
                        $Answers.Enqueue([pscustomobject]@{ Ms = $Clock.Elapsed.TotalMilliseconds; From = $from; Status = [int] $response.StatusCode })
                        $response.Dispose()
                    }
                }
                finally { $client.Dispose() }
            }).AddArgument($d.ProductionEndpoint).AddArgument($clock).AddArgument($answers).AddArgument($stop)
        $handle = $prober.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (@($answers.ToArray() | Where-Object From -ne $blue).Count -lt 5 -or $answers.Count -lt 40) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Run ${run}: production gave green no canary share within a minute ($($answers.Count) answers)." }
            Start-Sleep -Milliseconds 50
        }
        $null = Invoke-SandboxControl DELETE 'requests'
        $undoAt = $clock.Elapsed.TotalMilliseconds
        $undone = @($d | Undo-Deployment -Confirm:$false)[-1]
        $returnedAt = $clock.Elapsed.TotalMilliseconds
        Start-Sleep -Seconds 2 # enough answers after the undo to see that every one comes from blue
        $stop.Set()
        $null = $prober.EndInvoke($handle)
        $prober.Dispose()

        $seen = @($answers.ToArray())
        $before = @($seen | Where-Object Ms -lt $undoAt)
        if (-not ($before | Where-Object From -ne $blue)) { throw "Run ${run}: green answered none of $($before.Count) requests before the undo: no canary to undo." }
        $lastGreen = @($seen | Where-Object From -ne $blue)[-1]
        $afterLast = @($seen | Where-Object Ms -gt $lastGreen.Ms)
        if ($afterLast.Count -lt 20) { throw "Run ${run}: only $($afterLast.Count) answers came after the last green one; production may not be back on blue." }
        if ($afterLast | Where-Object Status -ne 200) { throw "Run ${run}: production answered $(@($afterLast | Where-Object Status -ne 200)[0].Status) after the undo." }
        $stopped = @(Get-SandboxCall StopServiceDeployment)
        if ($stopped.Count -ne 1) { throw "Run ${run}: Undo-Deployment called StopServiceDeployment $($stopped.Count) times." }
        $stopAt = ([DateTimeOffset] $stopped[0].time - $origin).TotalMilliseconds
        $lag = [math]::Max(0, $afterLast[0].Ms - $undoAt)
        $fromStop = [math]::Max(0, $afterLast[0].Ms - $stopAt)
        $lags.Add($lag); $stops.Add($fromStop); $returns.Add($returnedAt - $undoAt)
        '  run {0}: {1} is {2}; every answer from {3} {4:0} ms after Undo-Deployment was called, {5:0} ms after StopServiceDeployment was answered (Undo-Deployment returned after {6:0} ms; {7} answers, {8} of them after the last from green)' -f `
            $run, (($undone.DeploymentId -split '/')[-1]), $undone.Status, $blue, $lag, $fromStop, ($returnedAt - $undoAt), $seen.Count, $afterLast.Count
    }
    'Undo-Deployment of a canary in flight to production on blue on every request, {0} runs at time scale {1}: median {2:0} ms, max {3:0} ms from the call; median {4:0} ms, max {5:0} ms from the answer to StopServiceDeployment; Undo-Deployment returned after median {6:0} ms.' -f `
        $Runs, $TimeScale, (Get-Median $lags), ($lags | Measure-Object -Maximum).Maximum, (Get-Median $stops), ($stops | Measure-Object -Maximum).Maximum, (Get-Median $returns)
}
finally {
    Stop-BlueGreenSandbox -ProcessId $sandbox.ProcessId -Confirm:$false
    Restore-TestEnvironment
}
