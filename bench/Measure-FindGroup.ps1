<#
.SYNOPSIS
    What naming a CodeDeploy group saves Get-BlueGreenDeployment in a region with many groups: the AWS calls to read the
    latest release of one ECS service and one Lambda alias, with the group searched for and with it named.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-FindGroup.ps1 -Targets 50
#>
param([int] $Targets = 50)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path) -Force
$env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_REGION = 'us-east-1'
$sandbox = Start-BlueGreenSandbox -TimeScale 600
$ep = Use-TestSandbox $sandbox
try {
    $fleet = @(New-SandboxFleet -EcsServices ([math]::Ceiling($Targets / 2)) -LambdaFunctions ([math]::Floor($Targets / 2)) -Regions us-east-1)
    $service = $fleet | Where-Object { $_.Kind -eq 'EcsService' -and $_.Application } | Select-Object -Last 1
    $alias = $fleet | Where-Object { $_.Kind -eq 'LambdaAlias' -and $_.Controller -eq 'CodeDeploy' } | Select-Object -Last 1
    # One release of each, so that there is a latest release to read.
    $train = @{ Name = 'setup'; Waves = @(@{ Targets = @($service, $alias | ConvertTo-TrainTarget) }) }
    $null = Start-BlueGreenDeployment -Train $train -EndpointUrl $ep -Confirm:$false -ProgressAction SilentlyContinue
    $groups = @($fleet | Where-Object { $_.PSObject.Properties['Application'] -and $_.Application }).Count
    "$groups CodeDeploy deployment groups in us-east-1; the last of each kind is read."
    $reads = [ordered]@{
        'ECS service, group searched for' = { Get-BlueGreenDeployment -Cluster $service.Cluster -Service $service.Service -EndpointUrl $ep }
        'ECS service, group named'        = { Get-BlueGreenDeployment -Cluster $service.Cluster -Service $service.Service -ApplicationName $service.Application -DeploymentGroupName $service.DeploymentGroup -EndpointUrl $ep }
        'Lambda alias, group searched for' = { Get-BlueGreenDeployment -FunctionName $alias.FunctionName -Alias $alias.Alias -Controller CodeDeploy -EndpointUrl $ep }
        'Lambda alias, group named'        = { Get-BlueGreenDeployment -FunctionName $alias.FunctionName -Alias $alias.Alias -ApplicationName $alias.Application -DeploymentGroupName $alias.DeploymentGroup -EndpointUrl $ep }
    }
    foreach ($read in $reads.GetEnumerator()) {
        # Each search runs before its named read: the Lambda engine remembers a group it found, for the rest of the process.
        $null = Invoke-SandboxControl DELETE 'requests'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $d = & $read.Value
        $clock.Stop()
        $calls = @(Get-SandboxCall)
        '{0,-34} {1,4} AWS calls, {2,6:0} ms  ({3})' -f $read.Key, $calls.Count, $clock.Elapsed.TotalMilliseconds, $d.DeploymentId
    }
}
finally { $sandbox | Stop-BlueGreenSandbox }
