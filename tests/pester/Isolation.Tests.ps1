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

Describe 'With AWS.Tools'' AWSSDK.SecurityToken loaded first' {
    BeforeAll {
        $script:OldSts = $env:BLUEGREEN_TEST_AWSSDK37_STS
        if (-not $OldSts -or -not (Test-Path $OldSts)) { throw 'BLUEGREEN_TEST_AWSSDK37_STS must name an AWSSDK.SecurityToken 3.7 assembly; build.ps1 Test provides it.' }
        $script:Profiles = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'iso-sts')
        $null = New-Item -ItemType Directory -Path $Profiles
    }

    AfterAll { if ($Profiles) { Remove-OwnedItem $Profiles } }

    It 'assumes a profile''s role with its own STS client, not the one AWS.Tools loaded' {
        # AWSSDK.Core looks STS up by name among every assembly of the process: it would find this older copy.
        $id = New-CliDeployment (New-UniqueName 'isosts')
        $config = Join-Path $Profiles 'config'
        Set-Content -Path $config -Value "[profile deploy]`nrole_arn = arn:aws:iam::123456789012:role/deployer`nsource_profile = base`n"
        $credentials = Join-Path $Profiles 'credentials'
        Set-Content -Path $credentials -Value "[base]`naws_access_key_id = TESTISOLATION0000001`naws_secret_access_key = isolation-secret`n"
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$OldSdk'
Add-Type -Path '$OldSts'
Import-Module '$Manifest'
`$d = Get-BlueGreenDeployment -Id '$id' -ProfileName deploy -Region us-east-1 -EndpointUrl '$(Get-MotoUrl)'
'status=' + `$d.Status
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'AWSSDK.SecurityToken' } |
    ForEach-Object { 'sts={0}@{1}' -f `$_.GetName().Version.Major, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name } | Sort-Object
"@
        $environment = @{
            AWS_CONFIG_FILE = $config; AWS_SHARED_CREDENTIALS_FILE = $credentials; AWS_ENDPOINT_URL_STS = (Get-MotoUrl); AWS_PROFILE = $null
            AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_SESSION_TOKEN = $null; AWS_ROLE_ARN = $null; AWS_WEB_IDENTITY_TOKEN_FILE = $null
        }
        $result = Invoke-FreshPwsh $script -Environment $environment
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'status=Created'
        $result.Output | Should -Contain 'sts=3@Default'
        $result.Output | Should -Contain 'sts=4@BlueGreen'
    }
}
