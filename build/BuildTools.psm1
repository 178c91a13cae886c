# Helpers for build.ps1: running native tools, installing what the tests need, starting moto, running and counting test suites.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# Remove-OwnedItem, the one way the build deletes anything; exported with the rest.
Import-Module (Join-Path $PSScriptRoot 'OwnedItems.psm1')

function Write-BuildStep([string] $Name) {
    Write-Host "==> $Name" -ForegroundColor Cyan
}

function Invoke-Native {
    # Runs a native command and stops the build when it fails, naming the command.
    # A simple function on purpose: its arguments (-c, -o, ...) go to the command untouched.
    $Command, $Arguments = $args
    & $Command @Arguments | Out-Host
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

function Invoke-PwshWithTemporaryHome([string] $File, [string[]] $ArgumentList) {
    # Runs a script in a fresh pwsh whose per-user folders are a new temporary folder, deleted afterwards: what it
    # registers or installs for the "current user" (PSResourceGet's repository store, the CurrentUser module path)
    # lands there and not in the user's own. The user's module folders stay out of its PSModulePath.
    $userHome = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-home-$([guid]::NewGuid().ToString('N'))"
    $environment = Get-TemporaryHomeEnvironment $userHome
    try {
        $pwsh = @(Get-FreshPwshCommand)
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $File) + $ArgumentList) { $start.ArgumentList.Add($argument) }
        $start.UseShellExecute = $false
        foreach ($entry in $environment.GetEnumerator()) {
            if ($null -eq $entry.Value) { $null = $start.Environment.Remove($entry.Key) } else { $start.Environment[$entry.Key] = $entry.Value }
        }
        $process = [Diagnostics.Process]::Start($start)
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) { throw "'$File' failed with exit code $($process.ExitCode)." }
    }
    finally { Remove-OwnedItem $userHome }
}

function Get-TemporaryHomeEnvironment([string] $UserHome) {
    # The variables that move a pwsh's per-user folders (.NET's LocalApplicationData, PowerShell's user module path,
    # PSResourceGet's store) under $UserHome on Linux and macOS; $null removes a variable. The folders are created:
    # .NET answers '' for a per-user folder that does not exist, and PSResourceGet then writes into the current folder.
    foreach ($folder in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Path (Join-Path $UserHome $folder) -Force }
    @{
        HOME            = $UserHome
        XDG_DATA_HOME   = Join-Path $UserHome '.local/share'
        XDG_CONFIG_HOME = Join-Path $UserHome '.config'
        XDG_CACHE_HOME  = Join-Path $UserHome '.cache'
        PSModulePath    = $null
    }
}

function Publish-ModulePackage([string] $ModulePath, [string] $RepositoryPath) {
    # The module as PSResourceGet publishes it: a .nupkg in a folder that Register-PSResourceRepository accepts as a
    # repository. Returns the package file.
    Invoke-PwshWithTemporaryHome -File (Join-Path $PSScriptRoot 'Publish-ModulePackage.ps1') -ArgumentList '-ModulePath', $ModulePath, '-RepositoryPath', $RepositoryPath
    $package = @(Get-ChildItem $RepositoryPath -Filter 'BlueGreen.*.nupkg')
    if ($package.Count -ne 1) { throw "Publish-PSResource left $($package.Count) BlueGreen packages in $RepositoryPath, not one." }
    $package[0]
}

function Install-TestPrerequisites([string] $ToolsDir, [string] $PesterVersion) {
    # Everything the test run needs that a machine may lack, installed here and nowhere else: the test projects
    # and tests/services only start things, and name what is missing. Each line says what is there, or what is
    # installed, how and why. Returns the paths the run needs.
    Write-BuildStep 'Test prerequisites'
    [pscustomobject]@{
        Pester   = Install-NuGetPackage -ToolsDir $ToolsDir -Name 'Pester' -Version $PesterVersion -File 'tools/Pester.psd1' -Why 'runs the Pester suites'
        AwsSdk37 = Install-NuGetPackage -ToolsDir $ToolsDir -Name 'AWSSDK.Core' -Version '3.7.402' -File 'lib/netcoreapp3.1/AWSSDK.Core.dll' `
            -Why 'the isolation tests load this older AWSSDK.Core first, as AWS.Tools does'
        AwsSdk37Sts = Install-NuGetPackage -ToolsDir $ToolsDir -Name 'AWSSDK.SecurityToken' -Version '3.7.202' -File 'lib/netcoreapp3.1/AWSSDK.SecurityToken.dll' `
            -Why 'the isolation tests assume a role with AWS.Tools'' STS loaded first'
        Moto     = Install-Moto -ToolsDir $ToolsDir
        AwsCli   = Install-AwsCli
        InitDb   = Install-PostgreSql
        Chromium = Install-Chromium
    }
}

$script:Chromium = '/usr/bin/chromium'
$script:BackgroundApt = $null

function Start-ChromiumInstall([string] $LogDir) {
    # Installing Chromium takes a minute of downloads and unpacking: it starts before the build and runs beside it;
    # Install-Chromium (and any other apt-get install) waits for it. Does nothing when Chromium is there, or apt-get is not.
    if ((Test-Path $script:Chromium) -or -not (Get-Command apt-get -ErrorAction SilentlyContinue) -or (& id -u) -ne '0') { return }
    Write-Host "  Installing Debian's chromium beside the build (apt-get install -y -qq chromium): the release report is rendered and checked in headless Chromium, and there is no $script:Chromium"
    $null = New-Item -ItemType Directory -Path $LogDir -Force
    $log = Join-Path $LogDir 'chromium-install.log'
    $start = [Diagnostics.ProcessStartInfo]::new('bash')
    foreach ($argument in '-c', "apt-get update -qq && apt-get install -y -qq chromium > '$log' 2>&1") { $start.ArgumentList.Add($argument) }
    $start.Environment['DEBIAN_FRONTEND'] = 'noninteractive'
    $start.UseShellExecute = $false
    $script:BackgroundApt = [pscustomobject]@{ Process = [Diagnostics.Process]::Start($start); Log = $log }
}

function Wait-BackgroundApt {
    # apt-get takes one install at a time: the one begun beside the build ends before another starts.
    if (-not $script:BackgroundApt) { return }
    $apt, $script:BackgroundApt = $script:BackgroundApt, $null
    $apt.Process.WaitForExit()
    if (Test-Path $apt.Log) { Get-Content $apt.Log | Select-Object -Last 5 | Out-Host; Remove-OwnedItem $apt.Log }
    if ($apt.Process.ExitCode -ne 0) { Write-Warning "apt-get install chromium failed with exit code $($apt.Process.ExitCode)." }
}

function Install-Chromium {
    # The release report is tested in a real headless browser: Playwright drives the system's Chromium by its path
    # (tests/BlueGreen.Report.Tests), and never downloads a browser of its own.
    $chromium = $script:Chromium
    Wait-BackgroundApt
    if (-not (Test-Path $chromium)) {
        Write-Host "  Installing Debian's chromium: the release report is rendered and checked in headless Chromium, and there is no $chromium"
        $null = Install-DebianPackages @('chromium')
    }
    if (-not (Test-Path $chromium)) {
        throw "Chromium is not installed (no $chromium) and could not be installed (needs apt-get, as root). Install it: apt-get install -y chromium"
    }
    Write-Prerequisite 'Chromium' $chromium
    $chromium
}

function Write-Prerequisite([string] $Name, [string] $Path) {
    Write-Host "  $Name`: $Path"
}

function Install-NuGetPackage([string] $ToolsDir, [string] $Name, [string] $Version, [string] $File, [string] $Why) {
    # Fetches a package from NuGet into .tools (no PowerShell Gallery needed) and returns the path of one of its files.
    $path = Join-Path $ToolsDir "$($Name.ToLowerInvariant())/$Version/$File"
    if (-not (Test-Path $path)) {
        Write-Host "  Installing $Name $Version from NuGet into $ToolsDir (dotnet package download $Name@$Version): $Why"
        Invoke-Native dotnet package download "$Name@$Version" --output $ToolsDir
    }
    if (-not (Test-Path $path)) { throw "$Name $Version was downloaded but $path is missing." }
    Write-Prerequisite "$Name $Version" $path
    $path
}

function Find-MotoServer([string] $ToolsDir) {
    $local = Join-Path $ToolsDir 'moto/moto_server'
    if (Test-Path $local) { return $local }
    $command = Get-Command moto_server -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($command) { return $command.Source }
    $null
}

function Install-DebianPackages([string[]] $Names, [switch] $NoRecommends) {
    if (-not (Get-Command apt-get -ErrorAction SilentlyContinue)) { return $false }
    if ((& id -u) -ne '0') { throw "Installing $($Names -join ', ') needs root (apt-get). Run as root, or install them by hand." }
    Wait-BackgroundApt
    $env:DEBIAN_FRONTEND = 'noninteractive'
    $options = @('-y', '-qq') + @(if ($NoRecommends) { '--no-install-recommends' })
    Write-Host "  apt-get install $($options -join ' ') $($Names -join ' ')"
    & apt-get update -qq | Out-Host
    & apt-get install @options @Names | Out-Host
    $LASTEXITCODE -eq 0
}

function Install-MotoFromDebian([string] $ToolsDir) {
    # Where PyPI cannot be reached: moto and the pure-Python AWS libraries it needs come from Debian
    # unstable (architecture-independent packages), unpacked into .tools/moto and run by the system Python,
    # whose compiled dependencies come from the machine's own Debian release.
    $runtime = 'python3', 'python3-cryptography', 'python3-yaml', 'python3-werkzeug', 'python3-flask', 'python3-flask-cors',
        'python3-jinja2', 'python3-xmltodict', 'python3-responses', 'python3-requests', 'python3-dateutil', 'python3-jmespath', 'python3-urllib3'
    if (-not (Install-DebianPackages $runtime)) { return $null }
    $dir = Join-Path $ToolsDir 'moto'
    $apt = Join-Path $dir 'apt'
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $apt 'lists/partial'), (Join-Path $apt 'cache/archives/partial'), (Join-Path $dir 'debs')
    $sources = Join-Path $apt 'unstable.sources'
    Set-Content $sources "Types: deb`nURIs: http://deb.debian.org/debian`nSuites: sid`nComponents: main`nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg`n"
    $options = @('-o', 'Dir::Etc::SourceList=/dev/null', '-o', 'Dir::Etc::SourceParts=/dev/null', '-o', "Dir::Etc::sourcelist=$sources",
        '-o', "Dir::State::Lists=$apt/lists", '-o', "Dir::Cache=$apt/cache", '-o', 'APT::Sandbox::User=root')
    & apt-get @options update -qq | Out-Host
    Push-Location (Join-Path $dir 'debs')
    try {
        Write-Host "  apt-get download (Debian unstable) python3-moto and its pure-Python AWS libraries, unpacked into $dir"
        & apt-get @options download python3-moto python3-boto3 python3-botocore python3-s3transfer python3-antlr4 python3-jsonpath-ng `
            python3-joserfc python3-pyparsing python3-jsondiff python3-ply | Out-Host
        if ($LASTEXITCODE -ne 0) { throw 'apt-get could not download python3-moto from Debian unstable.' }
        foreach ($deb in Get-ChildItem -Filter '*.deb') { & dpkg-deb -x $deb.FullName (Join-Path $dir 'root') }
    }
    finally { Pop-Location }
    $launcher = Join-Path $dir 'moto_server'
    $packages = Join-Path $dir 'root/usr/lib/python3/dist-packages'
    Set-Content $launcher "#!/bin/sh`nPYTHONPATH='$packages' exec /usr/bin/python3 -c 'import sys; from moto.server import main; main(sys.argv[1:])' `"`$@`"`n"
    & chmod +x $launcher
    $launcher
}

function Install-Moto([string] $ToolsDir) {
    $moto = Find-MotoServer $ToolsDir
    if (-not $moto) {
        Write-Host "  Installing moto[server]>=5.2,<6 with pip (python3 -m pip install 'moto[server]>=5.2,<6'): moto_server, not found on PATH or in $ToolsDir/moto, is the AWS the client layer is judged against"
        $python = Get-Command python3, python -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($python) { & $python.Source -m pip install --quiet 'moto[server]>=5.2,<6' | Out-Host }
        $moto = Find-MotoServer $ToolsDir
    }
    if (-not $moto) {
        Write-Host "  pip could not install moto: installing it from Debian's packages instead"
        $moto = Install-MotoFromDebian $ToolsDir
    }
    if (-not $moto) {
        throw 'moto_server is not installed and could not be installed (no pip index, no apt-get). Install it: python3 -m pip install "moto[server]>=5.2,<6"'
    }
    Write-Prerequisite 'moto_server' $moto
    $moto
}

function Start-MotoServer([string] $LogDir, [string] $ToolsDir, [string] $Name = 'moto') {
    # Starts moto, never installs it: Install-TestPrerequisites does.
    $moto = Find-MotoServer $ToolsDir
    if (-not $moto) {
        throw "moto_server is missing (not on PATH, not in $ToolsDir/moto). 'dotnet pwsh ./build.ps1 Test' installs it before the tests; or install it yourself: python3 -m pip install 'moto[server]>=5.2,<6'"
    }

    $port = Get-FreeTcpPort
    $log = Join-Path $LogDir "$Name.log"
    $process = Start-Process -FilePath $moto -ArgumentList @('-H', '127.0.0.1', '-p', $port) -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $url = "http://127.0.0.1:$port"
    try { Wait-HttpEndpoint -Url "$url/moto-api/" -Process $process -What 'moto_server' -Log "$log.err" }
    catch { Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue; throw }
    Write-Host "moto_server $url (pid $($process.Id))"
    [pscustomobject]@{
        Name        = $Name
        Environment = @{ BLUEGREEN_TEST_MOTO_URL = $url }
        Stop        = { if (-not $process.HasExited) { Stop-Process -Id $process.Id -Force; $process.WaitForExit(10000) | Out-Null } }.GetNewClosure()
    }
}

function Install-AwsCli {
    # The tests set state up with the AWS CLI, a client nobody here wrote.
    $aws = Get-Command aws -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $aws) {
        Write-Host "  Installing Debian's awscli: the tests set AWS state up with the AWS CLI, and no aws is on PATH"
        if (-not (Install-DebianPackages @('awscli'))) { $aws = $null } else { $aws = Get-Command aws -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 }
    }
    if (-not $aws) {
        throw 'The AWS CLI (aws) is not installed and could not be installed. Install it: python3 -m pip install awscli, or apt-get install awscli.'
    }
    Write-Prerequisite 'aws' $aws.Source
    $aws.Source
}

function Resolve-VersionShim([string] $Path) {
    # The program a version manager's shim stands for (pyenv: ~/.pyenv/shims/aws runs 'pyenv exec aws', a bash and a
    # second program per call, which doubles the CPU time of each of the tests' many AWS CLI calls). Anything else
    # comes back as it is.
    if ((Split-Path (Split-Path $Path -Parent) -Leaf) -ne 'shims') { return $Path }
    $pyenv = Get-Command pyenv -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $pyenv) { return $Path }
    $real = & $pyenv.Source which (Split-Path $Path -Leaf) 2>$null
    if ($LASTEXITCODE -eq 0 -and $real -and (Test-Path $real)) { return "$real".Trim() }
    $Path
}

function Add-TestCommandPath([string] $Dir, [string[]] $Path) {
    # Links each program into Dir and puts Dir first on this process's PATH, which the test processes inherit: they
    # start these programs by name, and then reach them directly, not through a shim.
    $null = New-Item -ItemType Directory -Path $Dir -Force
    foreach ($program in $Path) {
        $link = Join-Path $Dir (Split-Path $program -Leaf)
        if (-not (Test-Path $link)) { $null = New-Item -ItemType SymbolicLink -Path $link -Target $program }
    }
    $env:PATH = $Dir + [IO.Path]::PathSeparator + $env:PATH
}

function Find-PostgresInitDb {
    Get-ChildItem -Path '/usr/lib/postgresql/*/bin/initdb' -ErrorAction SilentlyContinue |
        Sort-Object { [int] $_.Directory.Parent.Name } -Descending |
        Select-Object -First 1 -ExpandProperty FullName
}

function Install-PostgreSql {
    # tests/services/postgres.ps1 starts it; the schema tests run against a real PostgreSQL.
    $initdb = Find-PostgresInitDb
    if (-not $initdb) {
        Write-Host "  Installing Debian's postgresql: the schema tests run against a real PostgreSQL, and there is no /usr/lib/postgresql/*/bin/initdb"
        if (Install-DebianPackages @('postgresql') -NoRecommends) { $initdb = Find-PostgresInitDb }
    }
    if (-not $initdb) {
        throw 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and could not be installed (needs apt-get, as root). Install it: apt-get install -y --no-install-recommends postgresql'
    }
    Write-Prerequisite 'PostgreSQL' $initdb
    $initdb
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

function Build-TestProjects([string[]] $Project, [string] $Solution, [string] $Configuration, [string] $OutDir) {
    # Every test project in one build, through a solution filter: MSBuild builds them and what they reference side by
    # side, once, and each suite then runs with --no-build (a build per suite evaluated everything again each time).
    Write-BuildStep 'Build the test projects'
    $root = Split-Path $Solution -Parent
    $filter = Join-Path $OutDir 'tests.slnf'
    $projects = @($Project | ForEach-Object { [IO.Path]::GetRelativePath($root, $_) })
    @{ solution = @{ path = [IO.Path]::GetRelativePath($OutDir, $Solution); projects = $projects } } | ConvertTo-Json -Depth 4 | Set-Content $filter
    Invoke-Native dotnet build $filter -c $Configuration --nologo -v quiet
}

function Invoke-XunitProject([string] $Project, [string] $ResultsDir, [string] $Configuration) {
    # Built by Build-TestProjects.
    $name = [IO.Path]::GetFileNameWithoutExtension($Project)
    Write-BuildStep "xunit: $name"
    & dotnet test $Project -c $Configuration --no-build --nologo --results-directory $ResultsDir --logger "trx;LogFileName=$name.trx" --logger 'console;verbosity=normal' | Out-Host
    Read-XunitResult -Name $name -ResultsDir $ResultsDir -ExitCode $LASTEXITCODE
}

function Start-XunitProject([string] $Project, [string] $ResultsDir, [string] $Configuration) {
    # Runs a suite beside the others, for one whose time goes on waiting (the sandbox's simulated clock), not on the
    # processors. Built by Build-TestProjects, so that no two builds write the same output; Receive-XunitProject ends it.
    $name = [IO.Path]::GetFileNameWithoutExtension($Project)
    Write-BuildStep "xunit: $name (runs beside the next suites; its output follows them)"
    $log = Join-Path $ResultsDir "$name.log"
    $arguments = @('test', $Project, '-c', $Configuration, '--no-build', '--nologo', '--results-directory', $ResultsDir,
        '--logger', "trx;LogFileName=$name.trx", '--logger', 'console;verbosity=normal')
    $process = Start-Process -FilePath dotnet -ArgumentList $arguments -PassThru -NoNewWindow -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    [pscustomobject]@{ Name = $name; Process = $process; Log = $log; ResultsDir = $ResultsDir }
}

function Receive-XunitProject($Started) {
    Write-BuildStep "xunit: $($Started.Name)"
    $Started.Process.WaitForExit()
    foreach ($file in $Started.Log, "$($Started.Log).err") {
        if (Test-Path $file) { Get-Content $file | Out-Host }
    }
    Read-XunitResult -Name $Started.Name -ResultsDir $Started.ResultsDir -ExitCode $Started.Process.ExitCode
}

function Read-XunitResult([string] $Name, [string] $ResultsDir, [int] $ExitCode) {
    $path = Join-Path $ResultsDir "$Name.trx"
    if (-not (Test-Path $path)) {
        return [pscustomobject]@{ Name = $Name; Passed = 0; Failed = 0; Skipped = 0; Completed = $false }
    }
    [xml] $result = Get-Content $path -Raw
    $counters = $result.TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Name      = $Name
        Passed    = [int] $counters.passed
        Failed    = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        Skipped   = [int] $counters.notExecuted
        # A crashed test host still writes a trx, so the exit code has the last word.
        Completed = ($ExitCode -eq 0 -or [int] $counters.failed -gt 0)
    }
}

function Get-PesterRunner([string] $PesterManifest, [string] $TestsDir, [string] $ResultsDir, [string] $Name, [string[]] $Include, [string[]] $Exclude) {
    # The fresh pwsh and the runner's arguments. File names are given whole: a '*' in a native command's argument may be
    # expanded against the current folder.
    $pwsh = @(Get-FreshPwshCommand)
    $parameters = [ordered]@{
        PesterManifest = $PesterManifest; TestsDir = $TestsDir; ResultsDir = $ResultsDir
        SummaryPath = (Join-Path $ResultsDir "$Name-summary.json"); ResultName = $Name
    }
    if ($Include) { $parameters.Include = $Include -join ',' }
    if ($Exclude) { $parameters.Exclude = $Exclude -join ',' }
    [pscustomobject]@{ FilePath = $pwsh[0]; Prefix = @($pwsh | Select-Object -Skip 1); Runner = (Join-Path $PSScriptRoot 'Invoke-PesterTests.ps1'); Parameters = $parameters }
}

function Read-PesterSummary([string] $Name, [string] $ResultsDir, [string] $Label) {
    $summary = Join-Path $ResultsDir "$Name-summary.json"
    if (-not (Test-Path $summary)) {
        return [pscustomobject]@{ Name = $Label; Passed = 0; Failed = 0; Skipped = 0; Completed = $false }
    }
    $counts = Get-Content $summary -Raw | ConvertFrom-Json
    [pscustomobject]@{ Name = $Label; Passed = $counts.Passed; Failed = $counts.Failed; Skipped = $counts.Skipped; Completed = $true }
}

function Start-PesterSuite([string] $PesterManifest, [string] $TestsDir, [string] $ResultsDir, [string[]] $Include, [string[]] $Exclude, [string] $Name = 'pester-sandbox', [string] $Label = 'Pester (sandbox)', [hashtable] $Environment = @{}) {
    # Pester files run in processes of their own beside the others (each file starts its own sandbox);
    # Receive-PesterSuite ends one. The process writes its own log: the sandboxes it starts outlive it for a moment and
    # would write into a redirection this process had already closed. $Environment is set for this process only.
    $files = if ($Include) { $Include -join ', ' } else { "every file but $($Exclude -join ', ')" }
    Write-BuildStep "Pester: $files (runs beside the next suites; its output follows them)"
    $runner = Get-PesterRunner -PesterManifest $PesterManifest -TestsDir $TestsDir -ResultsDir $ResultsDir -Name $Name -Include $Include -Exclude $Exclude
    $log = Join-Path $ResultsDir "$Name.log"
    $quoted = foreach ($entry in $runner.Parameters.GetEnumerator()) { "-$($entry.Key) '$($entry.Value -replace "'", "''")'" }
    $command = "& '$($runner.Runner -replace "'", "''")' $($quoted -join ' ') *> '$($log -replace "'", "''")'"
    $arguments = @($runner.Prefix) + @('-NoProfile', '-NonInteractive', '-Command', $command)
    $saved = @{}
    foreach ($entry in $Environment.GetEnumerator()) { $saved[$entry.Key] = [Environment]::GetEnvironmentVariable($entry.Key); [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
    try { $process = Start-Process -FilePath $runner.FilePath -ArgumentList $arguments -PassThru -NoNewWindow }
    finally { foreach ($entry in $saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) } }
    [pscustomobject]@{ Name = $Label; Key = $Name; Process = $process; Log = $log; ResultsDir = $ResultsDir; Pester = $true }
}

function Receive-PesterSuite($Started) {
    Write-BuildStep $Started.Name
    $Started.Process.WaitForExit()
    if (Test-Path $Started.Log) { Get-Content $Started.Log | Out-Host }
    Read-PesterSummary -Name $Started.Key -ResultsDir $Started.ResultsDir -Label $Started.Name
}

Export-ModuleMember -Function *
