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
