# Runs every Pester file under the tests folder in this (fresh) pwsh process and writes the counts as JSON.
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $TestsDir,
    [Parameter(Mandatory)] [string] $ResultsDir,
    [Parameter(Mandatory)] [string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force

$files = @(Get-ChildItem $TestsDir -Recurse -Filter '*.Tests.ps1' |
    Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
    ForEach-Object FullName)

$config = New-PesterConfiguration
$config.Run.Path = $files
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsDir 'pester.xml'

$result = Invoke-Pester -Configuration $config
# Containers that failed to run (a broken BeforeAll, a parse error) count as failures too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath
