# The session default (Set-BlueGreenDefault): every cmdlet that talks to AWS honours it, below its own parameters
# and what a piped object carries, and above the environment; a rehearsal on a sandbox never leaves for elsewhere.
# Two seeded sandboxes: 'Target' is where the default points; 'Elsewhere' stands for AWS, where the environment
# (AWS_ENDPOINT_URL, AWS_REGION, keys only it accepts) would send every request. Each sandbox's request log says
# who received what; the keys of the default are known to Target only.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $awsBase = [BlueGreen.Internal.AwsCmdlet]
    # Every exported cmdlet built on the AWS base, so that a new one cannot escape this test.
    $script:AwsCmdlets = @(Get-Command -Module BlueGreen -CommandType Cmdlet |
            Where-Object { $awsBase.IsAssignableFrom($_.ImplementingType) } |
            # Start's -WhatIf runs before any recipe puts a release in flight (it refuses a second one), and the analysis before the
            # smoke test's rollback ends that release; cmdlets not named here follow.
            Sort-Object { $at = @('Start-BlueGreenDeployment', 'Get-BlueGreenDeployment', 'Wait-BlueGreenDeployment', 'Set-TrafficShift', 'Undo-Deployment', 'Invoke-CanaryAnalysis', 'Invoke-SmokeTest').IndexOf($_.Name); if ($at -lt 0) { [int]::MaxValue } else { $at } }, Name |
            ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $script:Manifest = Get-ModuleManifestPath
    $script:Saved = @{}
    foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'BLUEGREEN_POLL_MAX_MS') {
        $Saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }

    $script:Target = Start-BlueGreenSandbox -TimeScale 10 -Seed
    $script:Elsewhere = Start-BlueGreenSandbox -TimeScale 10 -Seed
    $script:TargetUrl = $Target.Endpoint.ToString()
    $script:ElsewhereUrl = $Elsewhere.Endpoint.ToString()
    $script:DefaultKey = 'AKIADEFAULT' + (New-Guid).ToString('N').Substring(0, 9).ToUpperInvariant()
    $script:DefaultSecret = (New-Guid).ToString('N') + (New-Guid).ToString('N')
    $script:EnvironmentKey = 'AKIAENVIRON' + (New-Guid).ToString('N').Substring(0, 9).ToUpperInvariant()
    $script:EnvironmentSecret = (New-Guid).ToString('N')

    function script:Invoke-Control([string] $Url, [string] $Method, [string] $Path, $Body) {
        $arguments = @{ Method = $Method; Uri = $Url.TrimEnd('/') + '/_sandbox/' + $Path }
        if ($null -ne $Body) { $arguments.Body = ($Body | ConvertTo-Json -Depth 6); $arguments.ContentType = 'application/json' }
        Invoke-RestMethod @arguments
    }
    function script:Clear-Calls { foreach ($url in $TargetUrl, $ElsewhereUrl) { $null = Invoke-Control $url DELETE 'requests' } }
    function script:Get-Calls([string] $Url) { @((Invoke-Control $Url GET 'requests').requests | Where-Object source -EQ 'http') }

    $null = Invoke-Control $TargetUrl POST 'credentials' @{ accessKeyId = $DefaultKey; secretAccessKey = $DefaultSecret }
    $null = Invoke-Control $ElsewhereUrl POST 'credentials' @{ accessKeyId = $EnvironmentKey; secretAccessKey = $EnvironmentSecret }

    # What the environment says: everything to Elsewhere, in eu-west-1, with keys Target refuses.
    $script:Environment = @{
        AWS_ENDPOINT_URL = $ElsewhereUrl; AWS_REGION = 'eu-west-1'; AWS_DEFAULT_REGION = $null; AWS_PROFILE = $null
        AWS_ACCESS_KEY_ID = $EnvironmentKey; AWS_SECRET_ACCESS_KEY = $EnvironmentSecret; AWS_SESSION_TOKEN = $null; BLUEGREEN_POLL_MAX_MS = '500'
    }
    foreach ($entry in $Environment.GetEnumerator()) { Set-EnvironmentVariable $entry.Key $entry.Value }

    $script:SetDefault = "Set-BlueGreenDefault -EndpointUrl '$TargetUrl' -Region us-east-1 -AccessKey '$DefaultKey' -SecretKey '$DefaultSecret'"
    $script:Release = $null
    function script:Get-Release {
        # One release in flight on Target (a canary of 30 simulated minutes), made with explicit parameters here,
        # so that the fresh sessions below know nothing of it but its id.
        if (-not $script:Release) {
            $script:Release = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift Canary10Percent30Minutes `
                -EndpointUrl $TargetUrl -Region us-east-1 -AccessKey $DefaultKey -SecretKey $DefaultSecret -ErrorAction Stop
        }
        $script:Release.DeploymentId
    }

    # How each cmdlet is called in a fresh session that has only the default: ids, never objects that carry a place.
    $script:Recipes = @{
        'Start-BlueGreenDeployment' = { 'Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -WhatIf' }
        'Get-BlueGreenDeployment'   = { "Get-BlueGreenDeployment -Id $(Get-Release)" }
        'Wait-BlueGreenDeployment'  = { "Wait-BlueGreenDeployment -Id $(Get-Release) -Until Ready -Timeout 120" }
        'Set-TrafficShift'          = { 'Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -TrafficShift Canary10Percent30Minutes -Confirm:$false' }
        'Undo-Deployment'           = { "Undo-Deployment -Id $(Get-Release) -WhatIf" }
        # Reads the release and its target groups, then one GetMetricData: all of it where the default points.
        'Invoke-CanaryAnalysis'     = { "Invoke-CanaryAnalysis -Id $(Get-Release) -Definition @{ Metrics = 'ErrorRate', 'Latency' }" }
        # A failed smoke test with -RollbackOnFailure undoes the release through Undo-Deployment.
        # -Id reads the release where the default points; -WhatIf writes no file.
        'Export-BlueGreenReport'    = { "Export-BlueGreenReport -Id $(Get-Release) -Path ./release-report.html -WhatIf" }
        'Invoke-SmokeTest'          = { "Invoke-SmokeTest -Uri '$($TargetUrl.TrimEnd('/'))/_sandbox/health' -ExpectStatus 201 -Requests 1 -DeploymentId $(Get-Release) -RollbackOnFailure -Confirm:`$false" }
    }
    $script:ExpectedErrors = @{ 'Invoke-SmokeTest' = @('SmokeTestFailed') }

    function script:Invoke-Session([string] $Command, [string] $Prelude = '') {
        # A new pwsh: nothing carried over from this session; every error's id is printed.
        $script = @"
Import-Module '$Manifest'
$Prelude
`$output = @(& { $Command } 2>&1)
foreach (`$item in `$output) { if (`$item -is [System.Management.Automation.ErrorRecord]) { 'ERROR ' + `$item.FullyQualifiedErrorId + ': ' + `$item } else { 'OUT ' + (`$item | Out-String -Width 200).Trim() } }
'session-done'
"@
        Invoke-FreshPwsh $script
    }
}

AfterAll {
    foreach ($name in $Saved.Keys) { Set-EnvironmentVariable $name $Saved[$name] }
    Clear-BlueGreenDefault
    if ($Target) { $Target | Stop-BlueGreenSandbox }
    if ($Elsewhere) { $Elsewhere | Stop-BlueGreenSandbox }
}

Describe 'Without a session default' {
    It 'the environment sends a cmdlet elsewhere (what the default must overrule)' {
        Clear-Calls
        $result = Invoke-Session 'Get-BlueGreenDeployment -Cluster sandbox -Service web'
        $result.Output | Should -Contain 'session-done'
        $elsewhere = Get-Calls $ElsewhereUrl
        $elsewhere.Count | Should -BeGreaterThan 0
        $elsewhere.region | Should -Not -Contain 'us-east-1'
        Get-Calls $TargetUrl | Should -BeNullOrEmpty
    }
}

Describe 'Every AWS cmdlet honours the session default' {
    It 'has a recipe for every exported AWS cmdlet' {
        $names = @($AwsCmdlets | ForEach-Object Name)
        $names | Should -Not -BeNullOrEmpty
        foreach ($name in $names) { $Recipes.Keys | Should -Contain $name -Because "$name derives from AwsCmdlet: add how to call it to the recipes" }
        $names.Count | Should -BeGreaterOrEqual 6
    }

    It '<Name> sends every request to the default endpoint, region and credentials' -ForEach $AwsCmdlets {
        $Recipes.ContainsKey($Name) | Should -BeTrue -Because "$Name needs a recipe"
        $command = & $Recipes[$Name]
        Clear-Calls
        $result = Invoke-Session $command -Prelude $SetDefault
        $text = $result.Output -join "`n"
        $result.Output | Should -Contain 'session-done' -Because $text
        $errors = @($result.Output | Where-Object { $_ -like 'ERROR *' } | ForEach-Object { ($_ -replace '^ERROR ([^,:]+).*$', '$1') })
        $unexpected = @($errors | Where-Object { $_ -notin @($ExpectedErrors[$Name]) })
        $unexpected | Should -BeNullOrEmpty -Because $text

        $calls = Get-Calls $TargetUrl
        $calls.Count | Should -BeGreaterThan 0 -Because "$Name must have talked to the default endpoint: $text"
        @($calls | Where-Object region -NE 'us-east-1') | Should -BeNullOrEmpty -Because 'the default region signs every request'
        @($calls | Where-Object { $_.errorCode -in 'UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch' }) |
            Should -BeNullOrEmpty -Because 'the default keys (known to the target only) sign every request'
        Get-Calls $ElsewhereUrl | Should -BeNullOrEmpty -Because 'nothing may go where the environment points'
    }
}

Describe 'What the session default holds' {
    BeforeEach { Clear-BlueGreenDefault }
    AfterEach { Clear-BlueGreenDefault }

    It 'is empty until set, and Clear-BlueGreenDefault forgets it' {
        Get-BlueGreenDefault | Should -BeNullOrEmpty
        Set-BlueGreenDefault -Region eu-west-2
        (Get-BlueGreenDefault).Region | Should -Be 'eu-west-2'
        Clear-BlueGreenDefault
        Get-BlueGreenDefault | Should -BeNullOrEmpty
    }

    It 'Clear-BlueGreenDefault -PassThru writes the default it forgot, masked; nothing under -WhatIf or without one' {
        Set-BlueGreenDefault -Region eu-west-2 -AccessKey AKIAIOSFODNN7EXAMPLE -SecretKey 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
        Clear-BlueGreenDefault -PassThru -WhatIf | Should -BeNullOrEmpty
        (Get-BlueGreenDefault).Region | Should -Be 'eu-west-2'
        $forgotten = Clear-BlueGreenDefault -PassThru
        $forgotten.Region | Should -Be 'eu-west-2'
        $forgotten.SecretKey | Should -Be '****************'
        Get-BlueGreenDefault | Should -BeNullOrEmpty
        Clear-BlueGreenDefault -PassThru | Should -BeNullOrEmpty
    }

    It 'never shows a secret: Get-BlueGreenDefault masks keys and tokens' {
        $secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
        $token = 'FwoGZXIvYXdzEXAMPLETOKEN' + (New-Guid).ToString('N')
        Set-BlueGreenDefault -EndpointUrl $TargetUrl -Region us-east-1 -AccessKey AKIAIOSFODNN7EXAMPLE -SecretKey $secret -SessionToken $token
        $shown = Get-BlueGreenDefault
        $text = ($shown | Format-List * | Out-String) + ($shown | Out-String) + "$shown" + ($shown | ConvertTo-Json)
        $text | Should -Not -Match ([regex]::Escape($secret))
        $text | Should -Not -Match ([regex]::Escape($token))
        $text | Should -Not -Match 'AKIAIOSFODNN7EXAMPLE'
        $shown.AccessKey | Should -Be '****************MPLE'
        $shown.SecretKey | Should -Be '****************'
        $shown.SessionToken | Should -Be '****************'
        $shown.Credentials | Should -Be 'temporary access key'
        $shown.EndpointUrl | Should -Be $TargetUrl
    }

    It 'merges what is given; a new form of credentials replaces the old one' {
        Set-BlueGreenDefault -EndpointUrl $TargetUrl -AccessKey $DefaultKey -SecretKey $DefaultSecret
        Set-BlueGreenDefault -Region us-east-1
        $profiles = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'credentials')
        Set-Content -LiteralPath $profiles -Value "[rehearsal]`naws_access_key_id = $DefaultKey`naws_secret_access_key = $DefaultSecret"
        try {
            Set-BlueGreenDefault -ProfileName rehearsal -ProfileLocation $profiles
            $shown = Get-BlueGreenDefault
            $shown.EndpointUrl | Should -Be $TargetUrl
            $shown.Region | Should -Be 'us-east-1'
            $shown.ProfileName | Should -Be 'rehearsal'
            $shown.AccessKey | Should -BeNullOrEmpty
            $shown.SecretKey | Should -BeNullOrEmpty
            Clear-Calls
            Get-BlueGreenDeployment -Cluster sandbox -Service web -ErrorAction Stop | Should -Not -BeNullOrEmpty
            $calls = Get-Calls $TargetUrl
            $calls.Count | Should -BeGreaterThan 0
            @($calls | Where-Object errorCode) | Should -BeNullOrEmpty -Because 'the profile of the default signs'
        }
        finally { Remove-OwnedItem $profiles }
    }

    It 'refuses <Case> before setting anything' -ForEach @(
        @{ Case = 'an access key without its secret'; Arguments = @{ AccessKey = 'AKIAONLY' }; ErrorId = 'IncompleteCredentials' }
        @{ Case = 'two forms of credentials'; Arguments = @{ ProfileName = 'x'; AccessKey = 'a'; SecretKey = 'b' }; ErrorId = 'ConflictingCredentials' }
        @{ Case = 'an unknown profile'; Arguments = @{ ProfileName = 'no-such-profile-here' }; ErrorId = 'UnknownProfile' }
        @{ Case = 'an unknown region'; Arguments = @{ Region = 'mars-north-1' }; ErrorId = 'UnknownRegion' }
        @{ Case = 'plain HTTP to another machine'; Arguments = @{ EndpointUrl = 'http://example.com:4566' }; ErrorId = 'InsecureEndpointUrl' }
        @{ Case = 'a malformed endpoint'; Arguments = @{ EndpointUrl = 'not a url' }; ErrorId = 'InvalidEndpointUrl' }
    ) {
        { Set-BlueGreenDefault @Arguments -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,*"
        Get-BlueGreenDefault | Should -BeNullOrEmpty
    }

    It 'belongs to its session: another runspace does not see it' {
        Set-BlueGreenDefault -Region eu-west-2
        $other = [powershell]::Create()
        try {
            $null = $other.AddScript("Import-Module '$Manifest'; Get-BlueGreenDefault")
            @($other.Invoke()) | Should -BeNullOrEmpty
        }
        finally { $other.Dispose() }
        (Get-BlueGreenDefault).Region | Should -Be 'eu-west-2'
    }
}

Describe 'Precedence' {
    BeforeAll { Invoke-Expression $SetDefault }
    AfterAll { Clear-BlueGreenDefault }

    It 'a parameter beats the default' {
        Clear-Calls
        $null = Get-BlueGreenDeployment -Cluster sandbox -Service web -Region us-west-2 -ErrorAction SilentlyContinue
        (Get-Calls $TargetUrl).region | Should -Contain 'us-west-2'
        $null = Get-BlueGreenDeployment -Cluster sandbox -Service web -EndpointUrl $ElsewhereUrl -Region us-east-1 -AccessKey test -SecretKey test -ErrorAction Stop
        (Get-Calls $ElsewhereUrl).Count | Should -BeGreaterThan 0
    }

    It 'what a piped deployment carries beats the default' {
        $carried = [BlueGreen.Core.Deployments.BlueGreenDeployment]::new((Get-Release))
        $carried.Region = 'us-east-1'
        $carried.EndpointUrl = $ElsewhereUrl
        Clear-Calls
        $null = $carried | Get-BlueGreenDeployment -AccessKey test -SecretKey test -ErrorAction SilentlyContinue
        (Get-Calls $ElsewhereUrl).Count | Should -BeGreaterThan 0
        Get-Calls $TargetUrl | Should -BeNullOrEmpty
    }

    It 'a piped deployment that names no endpoint (read from AWS) stays on the default sandbox' {
        $fromAws = [BlueGreen.Core.Deployments.BlueGreenDeployment]::new((Get-Release))
        $fromAws.Region = 'us-east-1'
        $fromAws.ProfileName = 'default'
        Clear-Calls
        $read = $fromAws | Get-BlueGreenDeployment -ErrorAction Stop
        $read.DeploymentId | Should -Be $fromAws.DeploymentId
        (Get-Calls $TargetUrl).Count | Should -BeGreaterThan 0
        Get-Calls $ElsewhereUrl | Should -BeNullOrEmpty
    }
}

Describe 'Start-BlueGreenSandbox -SetDefault' {
    AfterEach { Clear-BlueGreenDefault }

    It 'makes the new sandbox the session default, and its output says so' {
        $sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed -SetDefault
        try {
            $shown = Get-BlueGreenDefault
            $shown.EndpointUrl | Should -Be $sandbox.Endpoint.ToString()
            $shown.Region | Should -Be 'us-east-1'
            $shown = $sandbox | Out-String -Width 80
            $shown | Should -Match 'Session default'
            $shown | Should -Match '\byes\b'
            $shown | Should -Not -Match 'no: pipe'
            $release = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -ErrorAction Stop
            $release.EndpointUrl | Should -Be $sandbox.Endpoint.ToString()
            $release.Region | Should -Be 'us-east-1'
        }
        finally { $sandbox | Stop-BlueGreenSandbox }
    }

    It 'without it, the output says how: pipe the sandbox to Set-BlueGreenDefault' {
        ($Target | Out-String -Width 80) | Should -Match 'no: pipe to Set-BlueGreenDefault'
        $Target | Set-BlueGreenDefault
        (Get-BlueGreenDefault).EndpointUrl | Should -Be $TargetUrl
        ($Target | Out-String -Width 80) | Should -Match '\byes\b'
    }
}
