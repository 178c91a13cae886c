<#
.SYNOPSIS
    A release of an ECS service as a runbook or a pipeline step runs it: green up and on test traffic, a smoke
    test, then production traffic; a green that fails its smoke test is undone.
.DESCRIPTION
    The same script releases a service whose blue/green is run by CodeDeploy (deployment controller CODE_DEPLOY)
    and one whose blue/green ECS runs itself (deployment controller ECS): the module finds out which, and the
    cmdlets and the release object are the same for both.

    1. Start-BlueGreenDeployment starts the release and Wait-BlueGreenDeployment -Until Ready follows it until
       green takes the test traffic and production waits for the go-ahead.
    2. Invoke-SmokeTest sends requests to the test traffic (green only).
    3. Passed: Set-TrafficShift -Continue lets production traffic move by the traffic shift, and the script waits
       until the release has succeeded. It writes the release as it ended.
    4. Failed: Undo-Deployment stops the release and rolls it back, production stays on blue, and the script
       writes the release as it ended, then fails with the error id ReleaseUndone (a pipeline step fails).

    With -WhatIf it prints the plan (versions, traffic shift, timeline) and changes nothing.
    AWS settings (region, credentials, endpoint) come from the environment or the session default, as for any
    BlueGreen cmdlet. A CodeDeploy group waits at Ready only when it is told to
    (Set-TrafficShift -ApplicationName app -DeploymentGroupName group -ReadyWait 60); a service ECS releases
    itself waits there because the module asks ECS to.
.EXAMPLE
    ./Invoke-Release.ps1 -Cluster prod -Service web -Image 'web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2.4.1' -WhatIf
.EXAMPLE
    pwsh -File ./Invoke-Release.ps1 -Cluster prod -Service api -Image 'api=123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2.4.1' -TrafficShift Linear20PercentEvery2Minutes
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    # The ECS cluster and service to release.
    [Parameter(Mandatory)] [string] $Cluster,
    [Parameter(Mandatory)] [string] $Service,
    # The new images, as 'container=image'.
    [Parameter(Mandatory)] [string[]] $Image,
    # How production traffic moves once the smoke test has passed.
    [string] $TrafficShift = 'Canary10Percent5Minutes',
    # The smoke test: path, requests and the error rate allowed.
    [string] $SmokePath = '/',
    [int] $SmokeRequests = 50,
    [double] $MaxErrorRate = 0.01,
    [string] $Description = "release of $($Image -join ', ')"
)
$ErrorActionPreference = 'Stop'
Import-Module BlueGreen

$release = @{ Cluster = $Cluster; Service = $Service; Image = $Image; TrafficShift = $TrafficShift; Description = $Description }
if ($WhatIfPreference) {
    Start-BlueGreenDeployment @release -WhatIf
    return
}

$d = Start-BlueGreenDeployment @release -Confirm:$false
Write-Host "Started $($d.DeploymentId) on $Cluster/${Service}: $($d.BlueTaskDefinition) -> $($d.GreenTaskDefinition)"
$d = $d | Wait-BlueGreenDeployment -Until Ready
Write-Host "Ready: green answers the test traffic at $($d.TestEndpoint); production at $($d.ProductionEndpoint) waits"

$smoke = $d | Invoke-SmokeTest -Path $SmokePath -ExpectStatus 200 -Requests $SmokeRequests -MaxErrorRate $MaxErrorRate -ErrorAction SilentlyContinue
Write-Host ('Smoke test: {0}, {1} requests, error rate {2:P1}' -f $(if ($smoke.Passed) { 'passed' } else { 'FAILED' }), $smoke.Requests, $smoke.ErrorRate)

if (-not $smoke.Passed) {
    Write-Host "  $($smoke.Summary)"
    $undone = @($d | Undo-Deployment -Confirm:$false)[-1]
    Write-Host "Undone: $($undone.DeploymentId) is $($undone.Status), $($undone.GreenTrafficPercent)% of production on green"
    $undone
    $failure = [Management.Automation.ErrorRecord]::new(
        [InvalidOperationException]::new(("Green failed its smoke test (error rate {0:P1} on {1} requests); the release was undone and production stays on blue." -f $smoke.ErrorRate, $smoke.Requests)),
        'ReleaseUndone', [Management.Automation.ErrorCategory]::OperationStopped, $smoke)
    $PSCmdlet.ThrowTerminatingError($failure)
}

$d = $smoke | Set-TrafficShift -Continue -Confirm:$false | Wait-BlueGreenDeployment -Until Succeeded
Write-Host "Succeeded: $($d.DeploymentId), $($d.GreenTrafficPercent)% of production on $($d.GreenTaskDefinition)"
$d
