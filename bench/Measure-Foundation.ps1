<#
.SYNOPSIS
    Prints how long the module takes to import cold, beside bare pwsh startup, and how long the first
    and later Get-BlueGreenDeployment calls take against moto.
.EXAMPLE
    dotnet pwsh ./build.ps1 Build; dotnet pwsh ./bench/Measure-Foundation.ps1 -Runs 9
#>
param([int] $Runs = 7, [int] $Calls = 20)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../build/BuildTools.psm1') -Force
$manifest = Join-Path $PSScriptRoot '../out/BlueGreen/BlueGreen.psd1' | Resolve-Path
$pwsh = @(Get-FreshPwshCommand)
$prefix = @($pwsh | Select-Object -Last ($pwsh.Count - 1))

function Measure-Fresh([string] $Command) {
    $times = foreach ($i in 1..$Runs) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        & $pwsh[0] @prefix -NoProfile -NonInteractive -Command $Command | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "'$Command' failed" }
        $clock.Elapsed.TotalMilliseconds
    }
    $sorted = @($times | Sort-Object)
    [pscustomobject]@{ Median = $sorted[[int][math]::Floor($sorted.Count / 2)]; Min = $sorted[0]; Max = $sorted[-1] }
}

$bare = Measure-Fresh 'exit 0'
$import = Measure-Fresh "Import-Module '$manifest'; exit 0"
'{0,-44} median {1,7:0} ms  (min {2:0}, max {3:0}, {4} runs)' -f 'pwsh -NoProfile (bare startup)', $bare.Median, $bare.Min, $bare.Max, $Runs
'{0,-44} median {1,7:0} ms  (min {2:0}, max {3:0}, {4} runs)' -f 'pwsh + Import-Module out/BlueGreen', $import.Median, $import.Min, $import.Max, $Runs
'{0,-44} median {1,7:0} ms' -f 'Import-Module alone (difference)', ($import.Median - $bare.Median)

$logs = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-bench-$PID"
$null = New-Item -ItemType Directory -Force $logs
$moto = Start-MotoServer -LogDir $logs -ToolsDir (Join-Path $PSScriptRoot '../.tools')
try {
    $url = $moto.Environment.BLUEGREEN_TEST_MOTO_URL
    $env:AWS_ACCESS_KEY_ID = 'testing'; $env:AWS_SECRET_ACCESS_KEY = 'testing'; $env:AWS_DEFAULT_REGION = 'us-east-1'; $env:AWS_PAGER = ''
    $null = & aws --endpoint-url $url deploy create-application --application-name bench --compute-platform ECS
    $null = & aws --endpoint-url $url deploy create-deployment-group --application-name bench --deployment-group-name web --service-role-arn arn:aws:iam::123456789012:role/x
    $id = (& aws --endpoint-url $url deploy create-deployment --application-name bench --deployment-group-name web --revision '{"revisionType":"AppSpecContent","appSpecContent":{"content":"{}"}}' | ConvertFrom-Json).deploymentId
    $script = @"
Import-Module '$manifest'
`$first = [Diagnostics.Stopwatch]::StartNew(); `$null = Get-BlueGreenDeployment -Id '$id' -EndpointUrl '$url' -Region us-east-1; `$first.Stop()
`$later = foreach (`$i in 1..$Calls) { `$c = [Diagnostics.Stopwatch]::StartNew(); `$null = Get-BlueGreenDeployment -Id '$id' -EndpointUrl '$url' -Region us-east-1; `$c.Elapsed.TotalMilliseconds }
`$sorted = @(`$later | Sort-Object)
'{0:0.0};{1:0.0};{2:0.0}' -f `$first.Elapsed.TotalMilliseconds, `$sorted[[int][math]::Floor(`$sorted.Count / 2)], `$sorted[[int][math]::Floor(`$sorted.Count * 0.9)]
"@
    $first, $median, $p90 = (& $pwsh[0] @prefix -NoProfile -NonInteractive -Command $script | Select-Object -Last 1) -split ';'
    '{0,-44} {1,7} ms' -f 'Get-BlueGreenDeployment, first call in session', $first
    '{0,-44} median {1,7} ms  (p90 {2}, {3} calls)' -f 'Get-BlueGreenDeployment, later calls', $median, $p90, $Calls
}
finally {
    & $moto.Stop
    Remove-OwnedItem $logs
}
