<#
.SYNOPSIS
    The release step of the sample pipelines: start, wait until Ready, smoke test, production traffic, and an optional
    canary analysis; a release that fails a gate is undone and the step fails.
.DESCRIPTION
    The same script runs as a GitHub Actions step, an Azure Pipelines task and a CodeBuild command. The module sees which
    pipeline runs it and writes what that pipeline reads: outputs (deploymentId, status, outcome, greenVersion, ...), a
    step summary of the release, annotations for failures. -FailOnRollback turns an undone release into a terminating
    error, so the step exits non-zero whatever runs it.
.EXAMPLE
    ./Invoke-PipelineRelease.ps1 -Cluster prod -Service web -Image 'web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2.4.1' -Analysis ./analysis.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Cluster,
    [Parameter(Mandatory)] [string] $Service,
    # The new images, as 'container=image'.
    [Parameter(Mandatory)] [string[]] $Image,
    [string] $TrafficShift = 'Canary10Percent5Minutes',
    [string] $SmokePath = '/',
    [int] $SmokeRequests = 50,
    [double] $MaxErrorRate = 0.01,
    # A canary analysis definition (.psd1) judged at every interval while green has production traffic; none: no analysis.
    [string] $Analysis
)
$ErrorActionPreference = 'Stop'
Import-Module BlueGreen

$d = Start-BlueGreenDeployment -Cluster $Cluster -Service $Service -Image $Image -TrafficShift $TrafficShift -Description "release of $($Image -join ', ')" -Confirm:$false
$d = $d | Wait-BlueGreenDeployment -Until Ready -FailOnRollback

# -ErrorAction Continue: a failed smoke test is said (and annotated), then undone below.
$smoke = $d | Invoke-SmokeTest -Path $SmokePath -ExpectStatus 200 -Requests $SmokeRequests -MaxErrorRate $MaxErrorRate -ErrorAction Continue
if (-not $smoke.Passed) {
    # Blue serves everything again; -FailOnRollback ends the script with the error ReleaseUndone: the step fails.
    $d | Undo-Deployment -Confirm:$false -FailOnRollback
}

$judge = @{}
if ($Analysis) { $judge = @{ Analysis = $Analysis; RollbackOnFailure = $true } }
$smoke | Set-TrafficShift -Continue -Confirm:$false | Wait-BlueGreenDeployment @judge -FailOnRollback
