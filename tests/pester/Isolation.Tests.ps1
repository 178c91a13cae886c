# AWS.Tools loads AWSSDK.Core 3.7.x into the default load context; BlueGreen must still import and work,
# and must not disturb the older copy.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
    $script:OldSdk = $env:BLUEGREEN_TEST_AWSSDK37
    if (-not $OldSdk -or -not (Test-Path $OldSdk)) { throw 'BLUEGREEN_TEST_AWSSDK37 must name an AWSSDK.Core 3.7 assembly; build.ps1 Test provides it.' }
}

Describe 'With AWSSDK.Core 3.7 loaded first' {
    It 'imports, reads a deployment with 3.7 credentials, and leaves the 3.7 copy working' {
        $id = New-CliDeployment (New-UniqueName 'iso')
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$OldSdk'
`$old = [Amazon.Runtime.BasicAWSCredentials]::new('testing', 'testing')
'old=' + `$old.GetType().Assembly.GetName().Version
Import-Module '$Manifest'
`$d = Get-BlueGreenDeployment -Id '$id' -Region us-east-1 -EndpointUrl '$(Get-MotoUrl)' -Credential `$old
'status=' + `$d.Status
'id=' + `$d.DeploymentId
'still=' + `$old.GetCredentials().AccessKey
'loaded=' + ((@([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object { `$_.GetName().Version.Major }) | Sort-Object) -join ',')
"@
        $result = Invoke-FreshPwsh $script
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'old=3.3.0.0'
        $result.Output | Should -Contain 'status=Created'
        $result.Output | Should -Contain "id=$id"
        $result.Output | Should -Contain 'still=testing'
        $result.Output | Should -Contain 'loaded=3,4'
    }

    It 'uses AWS.Tools-style session credentials ($StoredAWSCredentials) from the older SDK' {
        $id = New-CliDeployment (New-UniqueName 'stored')
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$OldSdk'
`$StoredAWSCredentials = [pscustomobject]@{ Name = 'session'; Credentials = [Amazon.Runtime.BasicAWSCredentials]::new('testing', 'testing') }
`$StoredAWSRegion = 'us-east-1'
Import-Module '$Manifest'
(Get-BlueGreenDeployment -Id '$id' -EndpointUrl '$(Get-MotoUrl)' -Verbose 4>&1) | ForEach-Object { "`$_" }
"@
        $result = Invoke-FreshPwsh $script -Environment @{ AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_REGION = $null; AWS_DEFAULT_REGION = $null; AWS_PROFILE = $null }
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain "$id (Created)"
        ($result.Output -join "`n") | Should -Match 'credentials from AWS.Tools session credentials'
    }
}
