# Helpers for build.ps1: running native tools, fetching Pester, starting moto, running and counting test suites.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Write-BuildStep([string] $Name) {
    Write-Host "==> $Name" -ForegroundColor Cyan
}

function Invoke-Native {
    # Runs a native command and stops the build when it fails, naming the command.
    # A simple function on purpose: its arguments (-c, -o, ...) go to the command untouched.
    $Command, $Arguments = $args
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-ProjectVersion([string] $Root) {
    [xml] $props = Get-Content (Join-Path $Root 'Directory.Build.props') -Raw
    $version = @($props.Project.PropertyGroup | ForEach-Object { $_.SelectSingleNode('VersionPrefix') } | Where-Object { $_ })[0]
    if (-not $version) { throw 'Directory.Build.props has no VersionPrefix.' }
    $version.InnerText
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try { $listener.Start(); $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Get-FreshPwshCommand {
    # The pwsh this build runs in, started anew: 'dotnet <PSHOME>/pwsh.dll' for the .NET tool, else the executable.
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $process = (Get-Process -Id $PID).Path
    if ((Split-Path $process -Leaf) -like 'dotnet*' -and (Test-Path $dll)) { return @($process, $dll) }
    return @($process)
}

function Install-Pester([string] $ToolsDir, [string] $Version) {
    $manifest = Join-Path $ToolsDir "pester/$Version/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) {
        Write-Host "Fetching Pester $Version from NuGet"
        Invoke-Native dotnet package download "Pester@$Version" --output $ToolsDir
    }
    if (-not (Test-Path $manifest)) { throw "Pester $Version was downloaded but $manifest is missing." }
    $manifest
}

function Find-MotoServer {
    $command = Get-Command moto_server -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($command) { return $command.Source }
    $null
}

function Start-MotoServer([string] $LogDir) {
    $moto = Find-MotoServer
    if (-not $moto) {
        $python = Get-Command python3, python -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if (-not $python) {
            throw 'moto_server is not installed and there is no python3 to install it with. Install Python 3 and run: python3 -m pip install "moto[server]"'
        }
        Write-Host 'moto_server not found: installing moto[server] with pip'
        & $python.Source -m pip install --quiet 'moto[server]>=5.2,<6'
        if ($LASTEXITCODE -ne 0) { throw 'pip could not install moto[server]. Install it by hand: python3 -m pip install "moto[server]"' }
        $moto = Find-MotoServer
        if (-not $moto) { throw 'moto[server] was installed but moto_server is not on PATH. Add the Python scripts folder to PATH.' }
    }

    $port = Get-FreeTcpPort
    $log = Join-Path $LogDir 'moto.log'
    $process = Start-Process -FilePath $moto -ArgumentList @('-H', '127.0.0.1', '-p', $port) -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $url = "http://127.0.0.1:$port"
    Wait-HttpEndpoint -Url "$url/moto-api/" -Process $process -What 'moto_server' -Log "$log.err"
    Write-Host "moto_server $url (pid $($process.Id))"
    [pscustomobject]@{
        Name        = 'moto'
        Environment = @{ BLUEGREEN_TEST_MOTO_URL = $url }
        Stop        = { if (-not $process.HasExited) { Stop-Process -Id $process.Id -Force; $process.WaitForExit(10000) | Out-Null } }.GetNewClosure()
    }
}

function Wait-HttpEndpoint([string] $Url, [System.Diagnostics.Process] $Process, [string] $What, [string] $Log, [int] $TimeoutSeconds = 60) {
    $client = [System.Net.Http.HttpClient]::new()
    $client.Timeout = [TimeSpan]::FromSeconds(2)
    try {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            if ($Process.HasExited) {
                $tail = if (Test-Path $Log) { (Get-Content $Log -Tail 20) -join [Environment]::NewLine } else { '' }
                throw "$What exited with code $($Process.ExitCode) before answering.$([Environment]::NewLine)$tail"
            }
            try {
                $null = $client.GetAsync($Url).GetAwaiter().GetResult()
                return
            }
            catch [System.Net.Http.HttpRequestException], [System.Threading.Tasks.TaskCanceledException] {
                Start-Sleep -Milliseconds 200
            }
        }
        throw "$What did not answer at $Url within $TimeoutSeconds seconds."
    }
    finally { $client.Dispose() }
}

function Invoke-XunitProject([string] $Project, [string] $ResultsDir, [string] $Configuration) {
    $name = [IO.Path]::GetFileNameWithoutExtension($Project)
    Write-BuildStep "xunit: $name"
    $trx = "$name.trx"
    & dotnet test $Project -c $Configuration --nologo --results-directory $ResultsDir --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal'
    $exitCode = $LASTEXITCODE
    $path = Join-Path $ResultsDir $trx
    if (-not (Test-Path $path)) {
        return [pscustomobject]@{ Name = $name; Passed = 0; Failed = 0; Skipped = 0; Completed = $false }
    }
    [xml] $result = Get-Content $path -Raw
    $counters = $result.TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Name      = $name
        Passed    = [int] $counters.passed
        Failed    = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        Skipped   = [int] $counters.notExecuted
        # A crashed test host still writes a trx, so the exit code has the last word.
        Completed = ($exitCode -eq 0 -or [int] $counters.failed -gt 0)
    }
}

function Invoke-PesterSuite([string] $PesterManifest, [string] $TestsDir, [string] $ResultsDir) {
    Write-BuildStep 'Pester'
    $summary = Join-Path $ResultsDir 'pester-summary.json'
    $runner = Join-Path $PSScriptRoot 'Invoke-PesterTests.ps1'
    $pwsh = @(Get-FreshPwshCommand)
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $runner,
        '-PesterManifest', $PesterManifest, '-TestsDir', $TestsDir, '-ResultsDir', $ResultsDir, '-SummaryPath', $summary)
    & $pwsh[0] @arguments
    if (-not (Test-Path $summary)) {
        return [pscustomobject]@{ Name = 'Pester'; Passed = 0; Failed = 0; Skipped = 0; Completed = $false }
    }
    $counts = Get-Content $summary -Raw | ConvertFrom-Json
    [pscustomobject]@{ Name = 'Pester'; Passed = $counts.Passed; Failed = $counts.Failed; Skipped = $counts.Skipped; Completed = $true }
}

Export-ModuleMember -Function *
