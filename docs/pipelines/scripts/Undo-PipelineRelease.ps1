<#
.SYNOPSIS
    The "undo on failure" step of the sample pipelines: puts blue back when the release step failed part-way (a runner
    lost, a timeout, a step cancelled), and says so when the release was already undone.
#>
[CmdletBinding()]
param(
    # The release the release step started (its deploymentId output).
    [string] $DeploymentId = $env:BLUEGREEN_DEPLOYMENT_ID
)
$ErrorActionPreference = 'Stop'
Import-Module BlueGreen

if (-not $DeploymentId) {
    Write-Host 'No release was started: nothing to undo.'
    return
}

$d = Get-BlueGreenDeployment -Id $DeploymentId
if ($d.RolledBack -or $d.IsRollback -or ($d.IsComplete -and $d.Status -ne 'Succeeded')) {
    Write-Host "Release $DeploymentId is already $($d.Status)$(if ($d.RolledBack) { ", rolled back by $($d.RollbackDeploymentId)" }): nothing to undo."
    return
}

$undone = $d | Undo-Deployment -Confirm:$false
Write-Host "Undone: $($undone.DeploymentId) is $($undone.Status); $($undone.GreenTrafficPercent)% of production on green."
# This step did what it is for; the release step has already failed the run.
$global:LASTEXITCODE = 0
