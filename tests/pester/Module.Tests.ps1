BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
}

Describe 'The built module' {
    It 'has a manifest that Test-ModuleManifest accepts' {
        $info = Test-ModuleManifest -Path $Manifest -ErrorAction Stop
        $info.Name | Should -Be 'BlueGreen'
        $info.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $info.PowerShellVersion | Should -Be ([version] '5.1')
    }

    It 'takes its version from Directory.Build.props' {
        [xml] $props = Get-Content (Join-Path $PSScriptRoot '../../Directory.Build.props') -Raw
        $expected = @($props.Project.PropertyGroup | ForEach-Object { $_.SelectSingleNode('VersionPrefix') } | Where-Object { $_ })[0].InnerText
        (Test-ModuleManifest -Path $Manifest).Version | Should -Be ([version] $expected)
    }

    It 'exports Get-BlueGreenDeployment when imported in a fresh pwsh' {
        $result = Invoke-FreshPwsh "Import-Module '$Manifest' -ErrorAction Stop; (Get-Command -Module BlueGreen).Name"
        $result.ExitCode | Should -Be 0
        $result.Output | Should -Contain 'Get-BlueGreenDeployment'
    }

    It 'is a complete install when the folder is copied into PSModulePath' {
        $modules = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'modules')
        Copy-Item (Split-Path $Manifest) (Join-Path $modules 'BlueGreen') -Recurse
        try {
            $result = Invoke-FreshPwsh "Import-Module BlueGreen -ErrorAction Stop; (Get-Module BlueGreen).ModuleBase" -Environment @{ PSModulePath = $modules }
            $result.ExitCode | Should -Be 0
            $result.Output[-1] | Should -Be (Join-Path $modules 'BlueGreen')
        }
        finally { Remove-OwnedItem $modules }
    }

    It 'keeps the AWS layer and its dependencies out of the default load context' {
        $script = @"
Import-Module '$Manifest' -ErrorAction Stop
`$null = Get-BlueGreenDeployment -Id d-ABCDEF123 -Region us-east-1 -AccessKey a -SecretKey b -EndpointUrl http://127.0.0.1:9 -ErrorAction SilentlyContinue
`$null = [BlueGreen.Core.Analysis.MannWhitney]::Test([double[]](1, 1, 2, 2, 3), [double[]](3, 4, 4, 5, 5), 'TwoSided')
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'BlueGreen.Aws', 'AWSSDK.Core', 'MathNet.Numerics' } |
    ForEach-Object { '{0}={1}' -f `$_.GetName().Name, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name }
"@
        $result = Invoke-FreshPwsh $script -Environment @{ AWS_MAX_ATTEMPTS = '1' }
        $result.Output | Should -Contain 'BlueGreen.Aws=BlueGreen'
        $result.Output | Should -Contain 'AWSSDK.Core=BlueGreen'
        # The canary judge's statistics library ships isolated too.
        $result.Output | Should -Contain 'MathNet.Numerics=BlueGreen'
    }
}

Describe 'The module package' {
    # build.ps1 Package publishes out/BlueGreen with Publish-PSResource into a folder repository (out/package). Here
    # PSResourceGet installs it from there for the "current user" of a temporary HOME, and a fresh pwsh of that user
    # imports it by name: the way users install modules, without touching this user's repositories or modules.
    BeforeAll {
        $package = if ($env:BLUEGREEN_MODULE_PACKAGE) { $env:BLUEGREEN_MODULE_PACKAGE } else { Join-Path (Split-Path (Split-Path $Manifest)) 'package' }
        if (-not (Get-ChildItem $package -Filter 'BlueGreen.*.nupkg' -ErrorAction SilentlyContinue)) {
            throw "No BlueGreen package in '$package': run './build.ps1 Package' first, or set BLUEGREEN_MODULE_PACKAGE."
        }
        $script:UserHome = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'package-home')
        # .NET answers '' for a per-user folder that does not exist, and PSResourceGet then writes into the current folder.
        foreach ($folder in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Path (Join-Path $UserHome $folder) -Force }
        $script:HomeEnvironment = @{
            HOME = $UserHome; XDG_DATA_HOME = Join-Path $UserHome '.local/share'; XDG_CONFIG_HOME = Join-Path $UserHome '.config'
            XDG_CACHE_HOME = Join-Path $UserHome '.cache'; PSModulePath = $null
        }
        $script:Repository = New-UniqueName 'BlueGreenTest'
        $script:Installed = Invoke-FreshPwsh -Environment $HomeEnvironment @"
`$ErrorActionPreference = 'Stop'
# Where .NET does not take the per-user folders from HOME and XDG_* (Windows), this would be the user's own store.
if (-not [Environment]::GetFolderPath('LocalApplicationData').StartsWith('$UserHome', [StringComparison]::Ordinal)) { throw 'The per-user folders are not in the temporary HOME: not installing.' }
Register-PSResourceRepository -Name '$Repository' -Uri '$package' -Trusted
Install-PSResource BlueGreen -Repository '$Repository' -Prerelease -Scope CurrentUser -Quiet
`$resource = Get-InstalledPSResource BlueGreen -Scope CurrentUser
'Version=' + `$resource.Version; 'Prerelease=' + `$resource.Prerelease
'Store=' + [Environment]::GetFolderPath('LocalApplicationData')
"@
        $script:Imported = Invoke-FreshPwsh -Environment ($HomeEnvironment + @{ AWS_MAX_ATTEMPTS = '1' }) @'
$ErrorActionPreference = 'Stop'
Import-Module BlueGreen
$module = Get-Module BlueGreen
'Base=' + $module.ModuleBase
'Prerelease=' + $module.PrivateData.PSData.Prerelease
Set-BlueGreenDefault -Region eu-west-1 -Confirm:$false
'Default=' + (Get-BlueGreenDefault).Region
try { Get-BlueGreenDeployment -Id d-ABCDEF123 -Region mars-north-1 -AccessKey a -SecretKey b } catch { 'Error=' + $_.FullyQualifiedErrorId }
Get-ChildItem $module.ModuleBase -Recurse -File | ForEach-Object { 'File=' + [IO.Path]::GetRelativePath($module.ModuleBase, $_.FullName).Replace('\', '/') }
'@
        function Get-Value([string[]] $Output, [string] $Key) { @($Output | Where-Object { $_ -like "$Key=*" } | ForEach-Object { $_.Substring($Key.Length + 1) }) }
    }

    AfterAll {
        if ($UserHome) { Remove-OwnedItem $UserHome }
    }

    It 'installs with Install-PSResource from a local repository, as the prerelease the manifest names' {
        $Installed.ExitCode | Should -Be 0 -Because ($Installed.Output -join "`n")
        $expected = (Import-PowerShellDataFile $Manifest)
        Get-Value $Installed.Output 'Version' | Should -Be $expected.ModuleVersion
        Get-Value $Installed.Output 'Prerelease' | Should -Be $expected.PrivateData.PSData.Prerelease
        Get-Value $Installed.Output 'Prerelease' | Should -Not -BeNullOrEmpty
    }

    It 'keeps the repository and the install inside the temporary HOME' {
        Get-Value $Installed.Output 'Store' | Should -BeLike "$UserHome*"
        Get-Value $Imported.Output 'Base' | Should -BeLike "$UserHome*"
        # This user's own repository store does not know the temporary repository.
        $store = Join-Path ([Environment]::GetFolderPath('LocalApplicationData', 'DoNotVerify')) 'PSResourceGet/PSResourceRepository.xml'
        if (Test-Path $store) { Get-Content $store -Raw | Should -Not -Match ([regex]::Escape($Repository)) }
    }

    It 'imports by name in a fresh pwsh, and its cmdlets and its AWS layer run' {
        $Imported.ExitCode | Should -Be 0 -Because ($Imported.Output -join "`n")
        Get-Value $Imported.Output 'Prerelease' | Should -Be (Import-PowerShellDataFile $Manifest).PrivateData.PSData.Prerelease
        Get-Value $Imported.Output 'Default' | Should -Be 'eu-west-1'
        # The region check lives in the AWS layer, loaded from dependencies/: the package carried it.
        Get-Value $Imported.Output 'Error' | Should -BeLike 'UnknownRegion,*'
    }

    It 'installs every file of the built module' {
        $built = Split-Path $Manifest
        $expected = @(Get-ChildItem $built -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($built, $_.FullName).Replace('\', '/') })
        $installed = Get-Value $Imported.Output 'File'
        $expected.Count | Should -BeGreaterThan 10
        @($expected | Where-Object { $_ -notin $installed }) | Should -BeNullOrEmpty
    }
}

Describe 'Views' {
    BeforeAll {
        Import-Module $Manifest -Force -ErrorAction Stop
        $long = 'x' * 90
        $now = [DateTimeOffset]::new(2026, 12, 2, 10, 11, 12, [TimeSpan]::Zero)
        $deployment = [BlueGreen.Core.Deployments.BlueGreenDeployment]::new('d-ABCDEFGHI')
        $deployment.ApplicationName = 'orders-application-with-a-long-name'
        $deployment.DeploymentGroupName = 'orders-group-with-a-long-name'
        $deployment.Status = 'Failed'
        $deployment.CreateTime = $now.UtcDateTime
        $deployment.ErrorCode = 'HEALTH_CONSTRAINTS'
        $deployment.ErrorMessage = $long
        $judgement = [BlueGreen.Core.Analysis.MetricJudgement] @{ Name = 'latency-p99-of-the-orders-api'; Verdict = 'Fail'; Critical = $true; GreenSamples = 12345; BlueSamples = 12345; GreenMean = 1234.5678; BlueMean = 0.000012345; MeanRatio = 12345.678; PValue = 0.00001; Reason = $long }
        $analysis = [BlueGreen.Core.Analysis.CanaryAnalysisResult]::new('d-ABCDEFGHI')
        $analysis.Verdict = 'Fail'
        $analysis.Score = 42.5
        $analysis.Metrics = [BlueGreen.Core.Analysis.MetricJudgement[]] @($judgement)
        $analysis.Reason = $long
        $smoke = [BlueGreen.Core.SmokeTests.SmokeTestResult] @{ DeploymentId = 'd-ABCDEFGHI'; Target = 'http://localhost:8080/health'; Requests = 12345; Failed = 1234; ErrorRate = 0.1; P50 = [TimeSpan]::FromMilliseconds(1234.5); P99 = [TimeSpan]::FromMilliseconds(98765.4) }
        $script:Samples = [ordered] @{
            BlueGreenDeployment = $deployment
            ReleaseGate = [BlueGreen.Core.Deployments.ReleaseGate]::new('Analysis', 'a-gate-with-a-long-name-beyond-its-column', 'Fail', $now, $long)
            AppliedMigration = [BlueGreen.Core.Schema.AppliedMigration] @{ Version = '20261202.1'; Phase = 'Contract'; Success = $false; AppliedAt = $now; Duration = [TimeSpan]::FromSeconds(12.3); ReleaseId = 'release-2026-12-02-with-long-id'; Script = "V20261202.1__$long.sql"; Error = $long }
            SchemaRelease = [BlueGreen.Core.Schema.SchemaRelease] @{ ReleaseId = 'release-2026-12-02-with-long-id'; State = 'Contracted'; DeploymentId = 'd-ABCDEFGHI'; ExpandedAt = $now; SwitchedAt = $now; ContractedAt = $now; ForceReason = $long }
            SmokeTestResult = $smoke
            CanaryAnalysisResult = $analysis
            MetricJudgement = $judgement
            BlueGreenSandbox = [BlueGreen.Core.Sandbox.BlueGreenSandbox]::new([uri] 'http://127.0.0.1:45678/', 123456, 1000, $now.UtcDateTime)
            BlueGreenDefault = Set-BlueGreenDefault -EndpointUrl 'http://127.0.0.1:45678' -Region 'ap-southeast-2' -PassThru
            # Internal constructors: the views select these by type name, so a typed custom object stands in.
            StatementVerdict = [pscustomobject] @{ PSTypeName = 'BlueGreen.Core.Schema.StatementVerdict'; File = "/migrations/V1__$long.sql"; Line = 12345; Kind = 'DropColumn'; SafeForExpand = $false; Rules = @([pscustomobject] @{ Id = 'BG001' }, [pscustomobject] @{ Id = 'BG002' }); Statement = $long }
            BlueGreenTrain = [pscustomobject] @{ PSTypeName = 'BlueGreen.Core.Trains.BlueGreenTrain'; Id = 'train-2026-12-02-10-11-12-abcdef'; Name = 'a-train-with-a-long-name'; State = 'Failed'; CurrentWave = 10; WaveCount = 12; Progress = '10/12 succeeded, 1 failed, 1 waiting'; Failure = $long; Targets = @() }
            BlueGreenTrainTarget = [pscustomobject] @{ PSTypeName = 'BlueGreen.Core.Trains.BlueGreenTrainTarget'; Wave = 12; Key = 'ecs:eu-west-1:orders-cluster/orders-service'; Green = 'orders:12345'; State = 'RolledBack'; DeploymentId = 'ecs-svc/1234567890123456789'; Note = $long }
        }
    }

    AfterAll {
        Clear-BlueGreenDefault
    }

    It 'renders <_> in a table that fits 120 columns without wrapped headers' -ForEach @(
        'BlueGreenDeployment', 'ReleaseGate', 'AppliedMigration', 'SchemaRelease', 'SmokeTestResult', 'CanaryAnalysisResult',
        'MetricJudgement', 'BlueGreenSandbox', 'BlueGreenDefault', 'StatementVerdict', 'BlueGreenTrain', 'BlueGreenTrainTarget') {
        $text = $Samples[$_] | Format-Table | Out-String -Width 120
        $lines = @($text -split '\r?\n' | Where-Object { $_.Trim() })
        $lines.Count | Should -Be 3 -Because "a header, a rule and one row; got:`n$text"
        @($lines | Where-Object Length -GT 120) | Should -BeNullOrEmpty
        # Every column has its whole header and a rule under it: the rule line is dashes and single spaces only.
        $lines[1] | Should -Match '^[- ]+$'
        # No column is dropped for want of room.
        $table = Get-FormatData -TypeName @($Samples[$_].PSObject.TypeNames)[0] -PowerShellVersion $PSVersionTable.PSVersion |
            ForEach-Object FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }
        [regex]::Matches($lines[1], '-+').Count | Should -Be @($table)[0].Control.Headers.Count
        $headers = @($lines[0].Trim() -split '\s{1,}' | Where-Object { $_ })
        foreach ($header in $headers) { $lines[0] | Should -Match ([regex]::Escape($header)) }
        $lines[0] | Should -Not -Match '…|\.\.\.'
    }

    It 'renders <_> with its list view' -ForEach @(
        'BlueGreenDeployment', 'ReleaseGate', 'AppliedMigration', 'SchemaRelease', 'SmokeTestResult', 'CanaryAnalysisResult',
        'MetricJudgement', 'BlueGreenSandbox', 'BlueGreenDefault', 'StatementVerdict', 'BlueGreenTrain', 'BlueGreenTrainTarget') {
        $name = $_
        $typeName = @($Samples[$name].PSObject.TypeNames)[0]
        $view = Get-FormatData -TypeName $typeName -PowerShellVersion $PSVersionTable.PSVersion |
            ForEach-Object FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.ListControl] }
        @($view).Count | Should -Be 1
        $view.Name | Should -Be "$($name)List"
        # Format-List picks the list view by itself, not the property list PowerShell makes up without one.
        $chosen = $Samples[$name] | Format-List | Out-String -Width 120
        $chosen | Should -Be ($Samples[$name] | Format-List -View "$($name)List" | Out-String -Width 120)
        $chosen | Should -Not -Be ($Samples[$name] | Select-Object -Property * | Format-List | Out-String -Width 120)
    }
}
