#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and demonstrates the BlueGreen module.
.DESCRIPTION
    Build  lays the module out in out/BlueGreen exactly as a user installs it.
    Test   builds, packages, installs what the tests need and the machine lacks (saying what and why), starts the
           test services (moto, and others the suites need), runs every xunit project and every Pester
           file, and ends with one line:
           Tests: N passed, N failed, N skipped
    Package builds, then publishes the module with PSResourceGet into out/package, a folder that
           Register-PSResourceRepository accepts as a repository: out/package/BlueGreen.<version>.nupkg.
    Demo   builds, then runs a whole release story on the local sandbox (build/Invoke-Demo.ps1).
    Clean  removes out/ and the build output of every project (bin/, obj/), through the deletion guard.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Package', 'Test', 'Demo', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Demo: simulated seconds per real second.
    [double] $TimeScale = 60
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:NO_COLOR = '1'
if ($env:CI -or [Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'BlueGreen'
$PackageOut = Join-Path $Out 'package'
$ResultsDir = Join-Path $Out 'test-results'
$ToolsDir = Join-Path $Root '.tools'
$PesterVersion = '6.2.0'

Import-Module (Join-Path $Root 'build/BuildTools.psm1') -Force

function Invoke-Build {
    Write-BuildStep 'Build'
    $version = Get-ProjectVersion -Root $Root
    $staging = Join-Path $Out 'staging'
    Remove-OwnedItem $ModuleOut, $staging

    Invoke-Native dotnet publish (Join-Path $Root 'src/BlueGreen/BlueGreen.csproj') -c $Configuration -o (Join-Path $staging 'module') --nologo -v quiet
    Invoke-Native dotnet publish (Join-Path $Root 'src/BlueGreen.LoadContext/BlueGreen.LoadContext.csproj') -c $Configuration -o (Join-Path $staging 'loadcontext') --nologo -v quiet

    $dependencies = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'dependencies') -Force
    # PowerShell loads these into its own context: the cmdlets, the output types, and what Core needs
    # that no other module is known to carry (ScriptDom for SQL Server linting).
    $defaultContext = 'BlueGreen.dll', 'BlueGreen.Core.dll', 'Microsoft.SqlServer.TransactSql.ScriptDom.dll'
    foreach ($file in Get-ChildItem (Join-Path $staging 'module') -File) {
        if ($file.Extension -notin '.dll', '.pdb') { continue }
        $assembly = [IO.Path]::ChangeExtension($file.Name, '.dll')
        $target = if ($assembly -in $defaultContext) { $ModuleOut } else { $dependencies.FullName }
        Copy-Item $file.FullName $target
    }
    Copy-Item (Join-Path $staging 'loadcontext/BlueGreen.LoadContext.dll') $dependencies.FullName

    # Schema migrations' database layer (net8.0: Npgsql, Microsoft.Data.Sqlite) joins the isolated context;
    # the module loads it on PowerShell 7.4+ only. Core and the other default-context assemblies it
    # references stay out of dependencies/, so that their types are shared, not loaded twice.
    Invoke-Native dotnet publish (Join-Path $Root 'src/BlueGreen.Schema.Data/BlueGreen.Schema.Data.csproj') -c $Configuration -o (Join-Path $staging 'schemadata') --nologo -v quiet
    foreach ($file in Get-ChildItem (Join-Path $staging 'schemadata') -File) {
        if ($file.Extension -notin '.dll', '.pdb') { continue }
        if ([IO.Path]::ChangeExtension($file.Name, '.dll') -in $defaultContext) { continue }
        $target = Join-Path $dependencies.FullName $file.Name
        if (-not (Test-Path $target)) { Copy-Item $file.FullName $target }
    }
    # SQLite's native library, for the platforms PowerShell 7.4+ runs on.
    foreach ($rid in 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'linux-musl-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-x86', 'win-arm64') {
        $native = Join-Path $staging "schemadata/runtimes/$rid/native"
        if (Test-Path $native) {
            $target = New-Item -ItemType Directory -Path (Join-Path $dependencies.FullName "runtimes/$rid/native") -Force
            Copy-Item (Join-Path $native '*') $target.FullName
        }
    }
    # The sandbox is a program of its own (needs the .NET 10 runtime with ASP.NET Core), shipped beside the module.
    Invoke-Native dotnet publish (Join-Path $Root 'src/BlueGreen.Sandbox/BlueGreen.Sandbox.csproj') -c $Configuration -o (Join-Path $ModuleOut 'sandbox') --nologo -v quiet

    $manifest = Get-Content (Join-Path $Root 'BlueGreen.psd1') -Raw
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion = '$version'"
    Set-Content -Path (Join-Path $ModuleOut 'BlueGreen.psd1') -Value $manifest -NoNewline
    Copy-Item (Join-Path $Root 'src/BlueGreen/*.ps1xml') $ModuleOut

    $helpScript = Join-Path $Root 'build/ConvertTo-MamlHelp.ps1'
    if (Test-Path $helpScript) {
        & $helpScript -Path (Join-Path $Root 'docs/cmdlets') -OutputPath (Join-Path $ModuleOut 'en-US/BlueGreen.dll-Help.xml')
    }
    $helpOut = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'en-US') -Force
    Copy-Item (Join-Path $Root 'src/BlueGreen/en-US/about_*.help.txt') $helpOut.FullName

    Remove-OwnedItem $staging
    $null = Test-ModuleManifest (Join-Path $ModuleOut 'BlueGreen.psd1')
    Write-Host "Module laid out in $ModuleOut (version $version)"
}

function Invoke-Package([switch] $NoBuild) {
    if (-not $NoBuild) { Invoke-Build }
    Write-BuildStep 'Package'
    Remove-OwnedItem $PackageOut
    $null = New-Item -ItemType Directory -Path $PackageOut
    $package = Publish-ModulePackage -ModulePath $ModuleOut -RepositoryPath $PackageOut
    Write-Host "Module package: $($package.FullName)"
    Write-Host "Install it with: Register-PSResourceRepository -Name BlueGreenLocal -Uri '$PackageOut' -Trusted; Install-PSResource BlueGreen -Repository BlueGreenLocal -Prerelease"
}

function Invoke-Test {
    Start-ChromiumInstall -LogDir $Out
    Invoke-Build
    Write-BuildStep 'Test'
    Remove-OwnedItem $ResultsDir
    $null = New-Item -ItemType Directory -Path $ResultsDir

    # The one place that installs anything the tests need; test code only starts things.
    $prerequisites = Install-TestPrerequisites -ToolsDir $ToolsDir -PesterVersion $PesterVersion
    $pester = $prerequisites.Pester
    $env:BLUEGREEN_TEST_AWSSDK37 = $prerequisites.AwsSdk37
    $env:BLUEGREEN_TEST_AWSSDK37_STS = $prerequisites.AwsSdk37Sts
    $aws = Resolve-VersionShim $prerequisites.AwsCli
    if ($aws -ne $prerequisites.AwsCli) {
        Write-Host "  The tests call $aws directly, not through the shim $($prerequisites.AwsCli)"
        Add-TestCommandPath -Dir (Join-Path $ResultsDir 'bin') -Path $aws
    }
    $services = [System.Collections.Generic.List[object]]::new()
    $suites = [System.Collections.Generic.List[object]]::new()
    $background = [System.Collections.Generic.List[object]]::new()
    try {
        $services.Add((Start-MotoServer -LogDir $ResultsDir -ToolsDir $ToolsDir))
        foreach ($service in Get-ChildItem (Join-Path $Root 'tests/services') -Filter '*.ps1' -ErrorAction SilentlyContinue) {
            $services.Add((& $service.FullName -Start -LogDir $ResultsDir))
        }
        foreach ($service in $services) {
            foreach ($entry in $service.Environment.GetEnumerator()) {
                [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value)
            }
        }
        $env:BLUEGREEN_MODULE_MANIFEST = Join-Path $ModuleOut 'BlueGreen.psd1'
        $env:BLUEGREEN_MODULE_PACKAGE = $PackageOut
        $env:AWS_EC2_METADATA_DISABLED = 'true'

        # Pester runs in four processes beside each other, from the moment the module is laid out: most of its time goes
        # on sandbox releases and their simulated clocks, or on fresh pwsh processes, waiting rather than computing. The
        # release files are split in two of about equal length; the documentation's examples (a fresh session, database
        # and sandbox per page) take the third; the rest the fourth, with a moto of its own, so that the client layer's
        # suite has the first one to itself.
        $testsDir = Join-Path $Root 'tests'
        $releases = 'LambdaCodeDeploy', 'AnalysisGates', 'ReadTolerance', 'ReleaseFlow', 'CanaryAnalysis'
        $releasesToo = 'Release', 'Demo', 'LambdaDirect', 'InvokeSmokeTestLambda', 'ScriptedRelease', 'Trains'
        $examples = 'DocExamples'
        $background.Add((Start-PesterSuite -PesterManifest $pester -TestsDir $testsDir -ResultsDir $ResultsDir -Include $releases))
        $background.Add((Start-PesterSuite -PesterManifest $pester -TestsDir $testsDir -ResultsDir $ResultsDir -Include $releasesToo -Name 'pester-sandbox-2' -Label 'Pester (sandbox, 2)'))
        $background.Add((Start-PesterSuite -PesterManifest $pester -TestsDir $testsDir -ResultsDir $ResultsDir -Include $examples -Name 'pester-examples' -Label 'Pester (examples)'))
        # The module suite, in the fourth, installs this package the way users install modules.
        Invoke-Package -NoBuild
        $pesterMoto = Start-MotoServer -LogDir $ResultsDir -ToolsDir $ToolsDir -Name 'moto-pester'
        $services.Add($pesterMoto)
        $background.Add((Start-PesterSuite -PesterManifest $pester -TestsDir $testsDir -ResultsDir $ResultsDir -Exclude ($releases + $releasesToo + $examples) -Name 'pester' -Label 'Pester' -Environment $pesterMoto.Environment))

        # The xunit suites build together, then run side by side, each in databases or a sandbox of its own; the client
        # layer's suite in the foreground.
        $projects = @(Get-ChildItem $testsDir -Recurse -Filter '*.Tests.csproj')
        Build-TestProjects -Project $projects.FullName -Solution (Join-Path $Root 'BlueGreen.sln') -Configuration $Configuration -OutDir $Out
        $besideNames = 'BlueGreen.Sandbox.Tests', 'BlueGreen.Schema.Tests', 'BlueGreen.Module.Tests', 'BlueGreen.Report.Tests'
        foreach ($project in $projects | Where-Object BaseName -in $besideNames) {
            $background.Add((Start-XunitProject -Project $project.FullName -ResultsDir $ResultsDir -Configuration $Configuration))
        }
        foreach ($project in $projects | Where-Object BaseName -notin $besideNames) {
            $suites.Add((Invoke-XunitProject -Project $project.FullName -ResultsDir $ResultsDir -Configuration $Configuration))
        }
        foreach ($started in $background) { $suites.Add($(if ($started.PSObject.Properties['Pester']) { Receive-PesterSuite $started } else { Receive-XunitProject $started })) }
    }
    finally {
        foreach ($started in $background) {
            if (-not $started.Process.HasExited) { Stop-Process -Id $started.Process.Id -Force -ErrorAction SilentlyContinue }
        }
        foreach ($service in $services) {
            try { & $service.Stop } catch { Write-Warning "Stopping $($service.Name) failed: $_" }
        }
    }

    $passed = ($suites | Measure-Object -Property Passed -Sum).Sum
    $failed = ($suites | Measure-Object -Property Failed -Sum).Sum
    $skipped = ($suites | Measure-Object -Property Skipped -Sum).Sum
    $broken = @($suites | Where-Object { -not $_.Completed })
    Write-Host ''
    foreach ($suite in $suites) {
        $state = if ($suite.Completed) { '' } else { ' (did not complete: see its log)' }
        Write-Host ('{0,-40} {1,5} passed {2,4} failed {3,4} skipped{4}' -f $suite.Name, $suite.Passed, $suite.Failed, $suite.Skipped, $state)
    }
    Write-Host "Tests: $passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0 -or $broken.Count -gt 0 -or $passed -eq 0) {
        exit 1
    }
}

function Invoke-Demo {
    Invoke-Build
    Write-BuildStep 'Demo'
    & (Join-Path $Root 'build/Invoke-Demo.ps1') -ModuleManifest (Join-Path $ModuleOut 'BlueGreen.psd1') -TimeScale $TimeScale
    exit $LASTEXITCODE
}

function Invoke-Clean {
    Write-BuildStep 'Clean'
    Remove-OwnedItem $Out
    Get-ChildItem $Root -Include 'bin', 'obj' -Recurse -Directory |
        Where-Object { $_.FullName -notlike "$ToolsDir*" } |
        Remove-OwnedItem
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Package' { Invoke-Package }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Clean' { Invoke-Clean }
}
