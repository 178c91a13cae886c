# Runs the Pester files under the tests folder in this (fresh) pwsh process and writes the counts as JSON: every
# file, or those named by -Include (file names without .Tests.ps1, comma-separated), less those named by -Exclude.
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $TestsDir,
    [Parameter(Mandatory)] [string] $ResultsDir,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $Include = '*',
    [string] $Exclude = '',
    [string] $ResultName = 'pester'
)
$ErrorActionPreference = 'Stop'
# Comma-separated: a pwsh -File argument is one string.
$includes = @($Include -split ',' | Where-Object { $_ })
$excludes = @($Exclude -split ',' | Where-Object { $_ })
Import-Module $PesterManifest -Force

$files = @(Get-ChildItem $TestsDir -Recurse -Filter '*.Tests.ps1' |
    Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
    Where-Object {
        $name = $_.Name -replace '\.Tests\.ps1$', ''
        @($includes | Where-Object { $name -like $_ }).Count -gt 0 -and @($excludes | Where-Object { $name -like $_ }).Count -eq 0
    } |
    ForEach-Object FullName)

$config = New-PesterConfiguration
$config.Run.Path = $files
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsDir "$ResultName.xml"

$result = Invoke-Pester -Configuration $config
# Containers that failed to run (a broken BeforeAll, a parse error) count as failures too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath
