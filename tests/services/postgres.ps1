<#
.SYNOPSIS
    Starts a throw-away PostgreSQL server for the tests and returns how to reach and stop it.
.DESCRIPTION
    build.ps1 Test calls: & tests/services/postgres.ps1 -Start -LogDir <dir>
    and gets back [pscustomobject]@{ Name; Environment = @{ BLUEGREEN_TEST_PG = '<connection string>' }; Stop }.
    It only starts PostgreSQL, never installs it: build.ps1 Test installs Debian's postgresql before it runs
    this when no /usr/lib/postgresql/*/bin/initdb exists; run alone, this fails and says how to install it.
    The server runs as the postgres user (initdb refuses root) in a temporary directory, listening on a
    free 127.0.0.1 port with trust authentication, and is removed by Stop.
#>
[CmdletBinding()]
param(
    [switch] $Start,
    [string] $LogDir = [IO.Path]::GetTempPath()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not $Start) { throw 'Usage: postgres.ps1 -Start -LogDir <dir>' }
Import-Module (Join-Path $PSScriptRoot '../../build/OwnedItems.psm1')

function Find-InitDb {
    Get-ChildItem -Path '/usr/lib/postgresql/*/bin/initdb' -ErrorAction SilentlyContinue |
        Sort-Object { [int] $_.Directory.Parent.Name } -Descending |
        Select-Object -First 1
}

function Invoke-Checked([string] $What, [scriptblock] $Script) {
    $output = & $Script 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE):$([Environment]::NewLine)$($output -join [Environment]::NewLine)" }
}

$isRoot = (& id -u) -eq '0'
$initdb = Find-InitDb
if (-not $initdb) {
    throw "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). 'dotnet pwsh ./build.ps1 Test' installs it before starting it; or install it yourself, as root: apt-get install -y --no-install-recommends postgresql"
}

$bin = $initdb.DirectoryName
$root = Join-Path ([IO.Path]::GetTempPath()) ("bluegreen-pg-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory -Path $root
$data = Join-Path $root 'data'
$log = Join-Path $root 'postgres.log'

# initdb and the server refuse to run as root: as root, run them as the postgres user the package created.
$asPostgres = if ($isRoot) {
    Invoke-Checked 'chown' { chown postgres:postgres $root }
    Invoke-Checked 'chmod' { chmod 700 $root }
    @('runuser', '-u', 'postgres', '--')
} else { @() }

function Invoke-Postgres([string] $What, [string[]] $Arguments) {
    $line = @($asPostgres) + $Arguments
    Invoke-Checked $What { & $line[0] @($line | Select-Object -Last ($line.Count - 1)) }
}

$listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
$listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()

# A throw-away server: nothing it writes needs to survive a crash, so it never waits on the disk (no fsync).
Invoke-Postgres 'initdb' @("$bin/initdb", '-D', $data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync')
Invoke-Postgres 'pg_ctl start' @("$bin/pg_ctl", '-D', $data, '-l', $log, '-o', "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", '-w', 'start')
Write-Host "PostgreSQL $($initdb.Directory.Parent.Name) on 127.0.0.1:$port ($root)"

$stopCommand = @($asPostgres) + @("$bin/pg_ctl", '-D', $data, '-m', 'fast', '-w', 'stop')
[pscustomobject]@{
    Name        = 'postgres'
    Environment = @{ BLUEGREEN_TEST_PG = "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=false" }
    Stop        = {
        & $stopCommand[0] @($stopCommand | Select-Object -Last ($stopCommand.Count - 1)) | Out-Null
        if (Test-Path $log) { Copy-Item $log (Join-Path $LogDir 'postgres.log') -ErrorAction SilentlyContinue }
        Remove-OwnedItem $root
    }.GetNewClosure()
}
