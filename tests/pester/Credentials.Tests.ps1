# Credentials that real accounts use, through the built module in a fresh pwsh: assume-role profiles and
# chains, web identity, SSO and MFA. STS is moto's; a recording endpoint in front of it (and of moto's
# CodeDeploy) keeps every request, so the tests see who signed what. SSO's portal is scripted by that endpoint.
# Profiles, HOME and the SSO cache live under a temporary folder; the real home is never read.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
    $script:Moto = Get-MotoUrl
    $script:Root = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'bg-creds')
    $null = New-Item -ItemType Directory -Path $Root
    $script:Log = Join-Path $Root 'requests.jsonl'
    $null = New-Item -ItemType File -Path $Log

    # What the scripted SSO portal hands out, for this bearer token only.
    $script:SsoToken = 'sso-bearer-' + [guid]::NewGuid().ToString('N')
    $script:SsoKey = 'ASIASSO' + [guid]::NewGuid().ToString('N').Substring(0, 13).ToUpperInvariant()
    $script:SsoSession = 'sso-session-' + [guid]::NewGuid().ToString('N')

    $python = @(Get-Command python3, python -CommandType Application -ErrorAction SilentlyContinue)[0]
    if (-not $python) { throw 'Python 3 (the one moto runs on) is needed for the recording endpoint.' }
    $start = [Diagnostics.ProcessStartInfo]::new($python.Source)
    foreach ($argument in (Join-Path $PSScriptRoot 'Credentials/recording_endpoint.py'), $Log, $Moto, $SsoToken, $SsoKey, ('sso-secret-' + [guid]::NewGuid().ToString('N')), $SsoSession) {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $script:Recorder = [Diagnostics.Process]::Start($start)
    $port = $Recorder.StandardOutput.ReadLine()
    if (-not $port) { throw 'The recording endpoint did not start.' }
    $script:Endpoint = "http://127.0.0.1:$port"

    $script:DeploymentId = New-CliDeployment (New-UniqueName 'creds')

    function New-TestHome {
        $homeDir = Join-Path $Root (New-UniqueName 'home')
        $null = New-Item -ItemType Directory -Path (Join-Path $homeDir '.aws')
        $homeDir
    }

    function Set-AwsConfig([string] $HomeDir, [string] $Config, [string] $Credentials = '') {
        Set-Content -Path (Join-Path $HomeDir '.aws/config') -Value $Config
        Set-Content -Path (Join-Path $HomeDir '.aws/credentials') -Value $Credentials
    }

    function Get-AwsEnvironment([string] $HomeDir, [hashtable] $Extra = @{}) {
        # Nothing from the machine's own AWS setup leaks in; everything points at the test's files and endpoint.
        $environment = @{
            HOME = $HomeDir; USERPROFILE = $HomeDir
            AWS_CONFIG_FILE = Join-Path $HomeDir '.aws/config'; AWS_SHARED_CREDENTIALS_FILE = Join-Path $HomeDir '.aws/credentials'
            AWS_ENDPOINT_URL_STS = $Endpoint; AWS_ENDPOINT_URL_SSO = $Endpoint; AWS_ENDPOINT_URL = $null
            AWS_REGION = 'us-east-1'; AWS_DEFAULT_REGION = $null; AWS_PROFILE = $null; AWS_DEFAULT_PROFILE = $null
            AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_SESSION_TOKEN = $null
            AWS_ROLE_ARN = $null; AWS_WEB_IDENTITY_TOKEN_FILE = $null; AWS_ROLE_SESSION_NAME = $null
            AWS_EC2_METADATA_DISABLED = 'true'; AWS_MAX_ATTEMPTS = '1'; CI = $null; TF_BUILD = $null
        }
        foreach ($key in $Extra.Keys) { $environment[$key] = $Extra[$key] }
        $environment
    }

    function Get-DeploymentScript([string] $Arguments = '') {
        @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Manifest'
try {
    `$d = Get-BlueGreenDeployment -Id '$DeploymentId' -EndpointUrl '$Endpoint' $Arguments -Verbose 4>&1 | ForEach-Object { if (`$_ -is [System.Management.Automation.VerboseRecord]) { 'verbose=' + `$_.Message } else { `$_ } }
    `$d | Where-Object { `$_ -is [string] }
    'status=' + (`$d | Where-Object { `$_ -isnot [string] }).Status
}
catch {
    'error=' + `$_.FullyQualifiedErrorId
    'message=' + `$_.Exception.Message
    'action=' + `$_.ErrorDetails.RecommendedAction
    exit 3
}
"@
    }

    function Clear-Requests { Set-Content -Path $Log -Value $null -NoNewline }

    function Get-Requests { @(Get-Content $Log | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json -AsHashtable }) }

    function Get-Header($Request, [string] $Name) {
        foreach ($key in $Request.headers.Keys) { if ($key -ieq $Name) { return $Request.headers[$key] } }
        $null
    }

    function Get-SigningKeyId($Request) {
        $authorization = Get-Header $Request 'Authorization'
        if ($authorization -match 'Credential=([A-Z0-9]+)/') { $Matches[1] } else { $null }
    }

    function Get-StsRequests { @(Get-Requests | Where-Object { $_.body -match '(^|&)Action=AssumeRole' }) }

    function Get-ServiceRequests { @(Get-Requests | Where-Object { (Get-Header $_ 'X-Amz-Target') -like 'CodeDeploy_*' }) }

    function Get-IssuedCredentials($StsRequest) {
        # STS's answer (XML): the temporary key id and session token it issued. Only compared, never printed.
        [xml] $answer = $StsRequest.answer
        $credentials = $answer.SelectSingleNode("//*[local-name()='Credentials']")
        [pscustomobject]@{
            AccessKeyId  = $credentials.SelectSingleNode("*[local-name()='AccessKeyId']").InnerText
            SessionToken = $credentials.SelectSingleNode("*[local-name()='SessionToken']").InnerText
        }
    }

    function Get-FormValue($Request, [string] $Name) {
        foreach ($pair in $Request.body -split '&') {
            $key, $value = $pair -split '=', 2
            if ($key -eq $Name) { return [uri]::UnescapeDataString($value.Replace('+', ' ')) }
        }
        $null
    }

    function Assert-SignedWith($Issued) {
        # Every service request is signed with the role's temporary key and carries its session token.
        $service = @(Get-ServiceRequests)
        $service.Count | Should -BeGreaterThan 0
        foreach ($request in $service) {
            Get-SigningKeyId $request | Should -Be $Issued.AccessKeyId
            ((Get-Header $request 'X-Amz-Security-Token') -ceq $Issued.SessionToken) | Should -BeTrue -Because 'the request carries the session token STS issued for the role'
        }
    }
}

AfterAll {
    if ($Recorder -and -not $Recorder.HasExited) { $Recorder.Kill(); $Recorder.WaitForExit() }
    if ($Root) { Remove-OwnedItem $Root }
}

Describe 'Assume-role profiles' {
    BeforeEach { Clear-Requests }

    It 'source_profile: STS is called with the source keys, with external_id and duration_seconds; requests are signed with the role' {
        $homeDir = New-TestHome
        Set-AwsConfig $homeDir @"
[profile deploy]
role_arn = arn:aws:iam::123456789012:role/deployer
source_profile = base
external_id = ext-4711
duration_seconds = 1800
role_session_name = release-run
region = us-east-1
"@ @"
[base]
aws_access_key_id = TESTBASE000000000001
aws_secret_access_key = base-secret
"@
        $result = Invoke-FreshPwsh (Get-DeploymentScript '-ProfileName deploy') -Environment (Get-AwsEnvironment $homeDir)
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'status=Created'
        ($result.Output -join "`n") | Should -Match "credentials from profile 'deploy'"

        $sts = @(Get-StsRequests)
        $sts.Count | Should -Be 1
        Get-FormValue $sts[0] 'Action' | Should -Be 'AssumeRole'
        Get-FormValue $sts[0] 'RoleArn' | Should -Be 'arn:aws:iam::123456789012:role/deployer'
        Get-FormValue $sts[0] 'RoleSessionName' | Should -Be 'release-run'
        Get-FormValue $sts[0] 'ExternalId' | Should -Be 'ext-4711'
        Get-FormValue $sts[0] 'DurationSeconds' | Should -Be '1800'
        Get-SigningKeyId $sts[0] | Should -Be 'TESTBASE000000000001'

        $issued = Get-IssuedCredentials $sts[0]
        $issued.AccessKeyId | Should -BeLike 'ASIA*'
        Assert-SignedWith $issued
        ($result.Output -join "`n") | Should -Not -Match 'base-secret'
    }

    It 'credential_source = Environment: the environment keys call STS' {
        $homeDir = New-TestHome
        Set-AwsConfig $homeDir @"
[profile ci]
role_arn = arn:aws:iam::123456789012:role/from-environment
credential_source = Environment
"@
        $environment = Get-AwsEnvironment $homeDir @{ AWS_ACCESS_KEY_ID = 'TESTENVIRONMENT00001'; AWS_SECRET_ACCESS_KEY = 'environment-secret' }
        $result = Invoke-FreshPwsh (Get-DeploymentScript '-ProfileName ci') -Environment $environment
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'status=Created'

        $sts = @(Get-StsRequests)
        $sts.Count | Should -Be 1
        Get-FormValue $sts[0] 'RoleArn' | Should -Be 'arn:aws:iam::123456789012:role/from-environment'
        Get-SigningKeyId $sts[0] | Should -Be 'TESTENVIRONMENT00001'
        Assert-SignedWith (Get-IssuedCredentials $sts[0])
    }

    It 'a chain: profile A assumes its role with B, which assumes its own from C (picked by AWS_PROFILE)' {
        $homeDir = New-TestHome
        Set-AwsConfig $homeDir @"
[profile a]
role_arn = arn:aws:iam::123456789012:role/role-a
source_profile = b
[profile b]
role_arn = arn:aws:iam::210987654321:role/role-b
source_profile = c
"@ @"
[c]
aws_access_key_id = TESTCHAINSOURCE00001
aws_secret_access_key = chain-secret
"@
        $result = Invoke-FreshPwsh (Get-DeploymentScript) -Environment (Get-AwsEnvironment $homeDir @{ AWS_PROFILE = 'a' })
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'status=Created'

        $sts = @(Get-StsRequests)
        $sts.Count | Should -Be 2
        # First C's keys get B's role; then B's temporary keys get A's role.
        Get-FormValue $sts[0] 'RoleArn' | Should -Be 'arn:aws:iam::210987654321:role/role-b'
        Get-SigningKeyId $sts[0] | Should -Be 'TESTCHAINSOURCE00001'
        $b = Get-IssuedCredentials $sts[0]
        Get-FormValue $sts[1] 'RoleArn' | Should -Be 'arn:aws:iam::123456789012:role/role-a'
        Get-SigningKeyId $sts[1] | Should -Be $b.AccessKeyId
        ((Get-Header $sts[1] 'X-Amz-Security-Token') -ceq $b.SessionToken) | Should -BeTrue -Because "B's session calls STS for A's role"
        $a = Get-IssuedCredentials $sts[1]
        $a.AccessKeyId | Should -Not -Be $b.AccessKeyId
        Assert-SignedWith $a
    }

    It 'a role STS refuses becomes a configuration error that says what AWS said, with no secret' {
        $homeDir = New-TestHome
        Set-AwsConfig $homeDir @"
[profile refused]
role_arn = arn:aws:iam::123456789012:role/denied
source_profile = base
"@ @"
[base]
aws_access_key_id = TESTBASE000000000002
aws_secret_access_key = refused-secret
"@
        $result = Invoke-FreshPwsh (Get-DeploymentScript '-ProfileName refused') -Environment (Get-AwsEnvironment $homeDir)
        $result.ExitCode | Should -Be 3 -Because ($result.Output -join "`n")
        $text = $result.Output -join "`n"
        $result.Output | Should -Contain 'error=CredentialsUnavailable,BlueGreen.Commands.GetBlueGreenDeploymentCommand'
        $text | Should -Match "profile 'refused'"
        $text | Should -Match 'AccessDenied'
        $text | Should -Match 'trust policy'
        $text | Should -Not -Match 'refused-secret'
        @(Get-ServiceRequests).Count | Should -Be 0
    }

    It 'a duration_seconds that is not a number of seconds is refused before anything is sent' {
        $homeDir = New-TestHome
        Set-AwsConfig $homeDir @"
[profile short]
role_arn = arn:aws:iam::123456789012:role/deployer
source_profile = base
duration_seconds = 60
"@ "[base]`naws_access_key_id = TESTBASE000000000003`naws_secret_access_key = s`n"
        $result = Invoke-FreshPwsh (Get-DeploymentScript '-ProfileName short') -Environment (Get-AwsEnvironment $homeDir)
        $result.ExitCode | Should -Be 3
        $result.Output | Should -Contain 'error=InvalidDurationSeconds,BlueGreen.Commands.GetBlueGreenDeploymentCommand'
        @(Get-Requests).Count | Should -Be 0
    }
}

Describe 'Web identity (EKS, CI OIDC)' {
    BeforeEach { Clear-Requests }

    It 'AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_SESSION_NAME: an unsigned AssumeRoleWithWebIdentity, then requests signed with the role' {
        $homeDir = New-TestHome
        Set-AwsConfig $homeDir ''
        $token = Join-Path $homeDir 'token'
        Set-Content -Path $token -Value 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNvcnAvd2ViIn0.c2lnbmF0dXJl' -NoNewline
        $environment = Get-AwsEnvironment $homeDir @{ AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/oidc-deployer'; AWS_WEB_IDENTITY_TOKEN_FILE = $token; AWS_ROLE_SESSION_NAME = 'ci-run-42' }
        $result = Invoke-FreshPwsh (Get-DeploymentScript) -Environment $environment
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'status=Created'
        ($result.Output -join "`n") | Should -Match 'credentials from web identity'

        $sts = @(Get-StsRequests)
        $sts.Count | Should -Be 1
        Get-FormValue $sts[0] 'Action' | Should -Be 'AssumeRoleWithWebIdentity'
        Get-FormValue $sts[0] 'RoleArn' | Should -Be 'arn:aws:iam::123456789012:role/oidc-deployer'
        Get-FormValue $sts[0] 'RoleSessionName' | Should -Be 'ci-run-42'
        Get-FormValue $sts[0] 'WebIdentityToken' | Should -Be (Get-Content $token -Raw)
        Get-Header $sts[0] 'Authorization' | Should -BeNullOrEmpty
        $issued = Get-IssuedCredentials $sts[0]
        $issued.AccessKeyId | Should -BeLike 'ASIA*'
        Assert-SignedWith $issued
    }

    It 'web_identity_token_file in a profile' {
        $homeDir = New-TestHome
        $token = Join-Path $homeDir 'profile-token'
        Set-Content -Path $token -Value 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2ln' -NoNewline
        Set-AwsConfig $homeDir @"
[profile pod]
role_arn = arn:aws:iam::123456789012:role/pod-role
web_identity_token_file = $token
role_session_name = pod-session
"@
        $result = Invoke-FreshPwsh (Get-DeploymentScript '-ProfileName pod') -Environment (Get-AwsEnvironment $homeDir)
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $sts = @(Get-StsRequests)
        $sts.Count | Should -Be 1
        Get-FormValue $sts[0] 'Action' | Should -Be 'AssumeRoleWithWebIdentity'
        Get-FormValue $sts[0] 'RoleArn' | Should -Be 'arn:aws:iam::123456789012:role/pod-role'
        Get-FormValue $sts[0] 'RoleSessionName' | Should -Be 'pod-session'
        Assert-SignedWith (Get-IssuedCredentials $sts[0])
    }

    It 'a token file that does not exist is a configuration error before anything is sent' {
        $homeDir = New-TestHome
        Set-AwsConfig $homeDir ''
        $environment = Get-AwsEnvironment $homeDir @{ AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/oidc-deployer'; AWS_WEB_IDENTITY_TOKEN_FILE = (Join-Path $homeDir 'missing-token') }
        $result = Invoke-FreshPwsh (Get-DeploymentScript) -Environment $environment
        $result.ExitCode | Should -Be 3
        $result.Output | Should -Contain 'error=WebIdentityTokenFileNotFound,BlueGreen.Commands.GetBlueGreenDeploymentCommand'
        ($result.Output -join "`n") | Should -Match 'missing-token'
        @(Get-Requests).Count | Should -Be 0
    }
}

Describe 'SSO profiles' {
    BeforeAll {
        function Set-SsoProfile([string] $HomeDir, [datetime] $ExpiresAt) {
            Set-AwsConfig $HomeDir @"
[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Deployer
region = us-east-1
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"@
            # The cache file is named by the SHA-1 of the session name, as the AWS CLI writes it on 'aws sso login'.
            $sha1 = [Security.Cryptography.SHA1]::Create()
            $name = -join ($sha1.ComputeHash([Text.Encoding]::UTF8.GetBytes('corp')) | ForEach-Object { $_.ToString('x2') })
            $cache = New-Item -ItemType Directory -Path (Join-Path $HomeDir '.aws/sso/cache') -Force
            @{ startUrl = 'https://corp.awsapps.com/start'; region = 'us-east-1'; accessToken = $SsoToken; expiresAt = $ExpiresAt.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') } |
                ConvertTo-Json | Set-Content -Path (Join-Path $cache.FullName "$name.json")
        }
    }

    BeforeEach { Clear-Requests }

    It 'the cached token gets the role credentials from the portal, and requests are signed with them' {
        $homeDir = New-TestHome
        Set-SsoProfile $homeDir ([datetime]::UtcNow.AddHours(8))
        $result = Invoke-FreshPwsh (Get-DeploymentScript '-ProfileName sso') -Environment (Get-AwsEnvironment $homeDir)
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'status=Created'

        $portal = @(Get-Requests | Where-Object { $_.path -eq '/federation/credentials' })
        $portal.Count | Should -Be 1
        $portal[0].query | Should -Match 'account_id=111122223333'
        $portal[0].query | Should -Match 'role_name=Deployer'
        $portal[0].status | Should -Be 200
        Assert-SignedWith ([pscustomobject]@{ AccessKeyId = $SsoKey; SessionToken = $SsoSession })
    }

    It 'an expired SSO session is a configuration error that says to sign in again' {
        $homeDir = New-TestHome
        Set-SsoProfile $homeDir ([datetime]::UtcNow.AddHours(-1))
        $result = Invoke-FreshPwsh (Get-DeploymentScript '-ProfileName sso') -Environment (Get-AwsEnvironment $homeDir)
        $result.ExitCode | Should -Be 3 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'error=CredentialsUnavailable,BlueGreen.Commands.GetBlueGreenDeploymentCommand'
        ($result.Output -join "`n") | Should -Match 'aws sso login'
        ($result.Output -join "`n") | Should -Not -Match ([regex]::Escape($SsoToken))
        @(Get-ServiceRequests).Count | Should -Be 0
    }
}

Describe 'mfa_serial' {
    BeforeAll {
        function Set-MfaProfile([string] $HomeDir) {
            Set-AwsConfig $HomeDir @"
[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/jane
"@ "[base]`naws_access_key_id = TESTBASE000000000004`naws_secret_access_key = mfa-secret`n"
        }
    }

    BeforeEach { Clear-Requests }

    It 'refuses with MfaCodeRequired, saying what to do, before anything is sent when the session is not interactive' {
        $homeDir = New-TestHome
        Set-MfaProfile $homeDir
        $result = Invoke-FreshPwsh (Get-DeploymentScript '-ProfileName admin') -Environment (Get-AwsEnvironment $homeDir)
        $result.ExitCode | Should -Be 3
        $result.Output | Should -Contain 'error=MfaCodeRequired,BlueGreen.Commands.GetBlueGreenDeploymentCommand'
        $text = $result.Output -join "`n"
        $text | Should -Match 'arn:aws:iam::123456789012:mfa/jane'
        $text | Should -Match 'interactive'
        @(Get-Requests).Count | Should -Be 0
    }

    It 'asks the host for the code in an interactive session and sends it to STS with the device' {
        $homeDir = New-TestHome
        Set-MfaProfile $homeDir
        $script = Join-Path $Root (New-UniqueName 'mfa') 
        Set-Content -Path "$script.ps1" -Value (Get-DeploymentScript '-ProfileName admin')
        $pwsh = @(Get-FreshPwsh)
        $saved = @{}
        $environment = Get-AwsEnvironment $homeDir
        foreach ($name in $environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); Set-EnvironmentVariable $name $environment[$name] }
        try {
            # No -NonInteractive: the console host asks, and the code is typed on its input.
            $arguments = @($pwsh | Select-Object -Last ($pwsh.Count - 1)) + @('-NoProfile', '-File', "$script.ps1")
            $output = @('123456' | & $pwsh[0] @arguments 2>&1 | ForEach-Object { "$_" })
            $exitCode = $LASTEXITCODE
        }
        finally {
            foreach ($name in $saved.Keys) { Set-EnvironmentVariable $name $saved[$name] }
        }
        $exitCode | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain 'status=Created'
        ($output -join "`n") | Should -Match "MFA code for the AWS profile 'admin'"

        $sts = @(Get-StsRequests)
        $sts.Count | Should -Be 1
        Get-FormValue $sts[0] 'SerialNumber' | Should -Be 'arn:aws:iam::123456789012:mfa/jane'
        Get-FormValue $sts[0] 'TokenCode' | Should -Be '123456'
        Get-SigningKeyId $sts[0] | Should -Be 'TESTBASE000000000004'
        Assert-SignedWith (Get-IssuedCredentials $sts[0])
    }
}
