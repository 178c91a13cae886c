<#
.SYNOPSIS
    AWS calls per Lambda release through CodeDeploy on the sandbox: per start (from a zip, by version, with the group
    named, found, or remembered), per look while it runs, and per undo after success.
.DESCRIPTION
    Counts the calls the sandbox answered over HTTP (its request log), with simulated time held still while a release
    is looked at, so every look sees the same state and the count per look is exact. Releases the seeded orders
    function's alias live through the CodeDeploy group orders-dg, with the BeforeAllowTraffic hook release-hook.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-LambdaCalls.ps1
#>
param([int] $PollMaxMs = 300)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path).Path -Force
Set-TestEnvironment -PollMaxMs $PollMaxMs
$sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
$aws = @{ EndpointUrl = (Use-TestSandbox $sandbox) }
$group = @{ ApplicationName = 'orders'; DeploymentGroupName = 'orders-dg' }

function Show-Calls([string] $What) {
    $calls = @(Get-SandboxCall)
    '{0,-58} {1,3} calls: {2}' -f $What, $calls.Count, (($calls | Group-Object operation | ForEach-Object { "$($_.Name) x$($_.Count)" }) -join ', ')
    $null = Invoke-SandboxControl DELETE 'requests'
}

function Complete($Release) {
    Set-SandboxTimeScale 600
    $null = $Release | Wait-BlueGreenDeployment
    Set-SandboxTimeScale 0
    $null = Invoke-SandboxControl DELETE 'requests'
}

$zip = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-measure-$PID.zip"
try {
    Set-SandboxTimeScale 0
    $stream = [IO.File]::Create($zip)
    $archive = [IO.Compression.ZipArchive]::new($stream, [IO.Compression.ZipArchiveMode]::Create)
    $writer = [IO.StreamWriter]::new($archive.CreateEntry('sandbox.json').Open())
    $writer.Write('{"payload": {"version": 4}}'); $writer.Dispose(); $archive.Dispose(); $stream.Dispose()
    $null = Invoke-SandboxControl DELETE 'requests'

    # Code updates take 5 simulated seconds: time runs while the zip is published, then stands still for the looks.
    Set-SandboxTimeScale 600
    $d = Start-BlueGreenDeployment -FunctionName orders -Alias live -ZipFile $zip @group -Hook @{ BeforeAllowTraffic = 'release-hook' } -Confirm:$false @aws
    Set-SandboxTimeScale 0
    Show-Calls 'Start -ZipFile (group named)'
    $null = $d | Wait-BlueGreenDeployment -Timeout 3 -ErrorAction SilentlyContinue
    $looks = @(Get-SandboxCall GetDeployment).Count
    Show-Calls "Wait-BlueGreenDeployment in flight, $looks looks"
    $null = $d | Get-BlueGreenDeployment
    Show-Calls 'Get-BlueGreenDeployment in flight'
    Complete $d

    $v = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 @group -Confirm:$false @aws
    Show-Calls 'Start -Version (group named)'
    Complete $v

    $x = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 1 -Confirm:$false @aws
    Show-Calls 'Start -Version (group found from its deployments)'
    Complete $x

    $y = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 -Confirm:$false @aws
    Show-Calls 'Start -Version (group found earlier in the session)'
    Complete $y

    $null = $y | Undo-Deployment -Confirm:$false
    Show-Calls 'Undo-Deployment after success (alias pointed back)'
}
finally {
    if (Test-Path $zip) { Remove-OwnedItem $zip }
    Stop-BlueGreenSandbox -ProcessId $sandbox.ProcessId -Confirm:$false
    Restore-TestEnvironment
}
