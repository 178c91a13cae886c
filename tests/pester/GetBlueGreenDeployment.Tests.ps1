# Get-BlueGreenDeployment as a user runs it: a fresh pwsh, the built module, moto as AWS, the AWS CLI for setup.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
    $script:Moto = Get-MotoUrl
    $script:FakeHome = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'home')
    $null = New-Item -ItemType Directory -Path (Join-Path $FakeHome '.aws') -Force
    # Nothing from the machine leaks in: no keys, no profiles, no metadata service.
    $script:Clean = @{
        HOME = $FakeHome; USERPROFILE = $FakeHome; AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_SESSION_TOKEN = $null
        AWS_PROFILE = $null; AWS_REGION = $null; AWS_DEFAULT_REGION = $null; AWS_ENDPOINT_URL = $null; AWS_ENDPOINT_URL_CODEDEPLOY = $null
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = $null; AWS_EC2_METADATA_DISABLED = 'true'; AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = $null
        AWS_CONTAINER_CREDENTIALS_FULL_URI = $null; AWS_WEB_IDENTITY_TOKEN_FILE = $null; AWS_ROLE_ARN = $null
        AWS_SHARED_CREDENTIALS_FILE = (Join-Path $FakeHome '.aws/credentials'); AWS_CONFIG_FILE = (Join-Path $FakeHome '.aws/config')
    }
    function script:Invoke-Get([string] $Arguments, [hashtable] $Environment = @{}) {
        $merged = $Clean.Clone()
        foreach ($key in $Environment.Keys) { $merged[$key] = $Environment[$key] }
        $script = @"
Import-Module '$Manifest' -ErrorAction Stop
try {
    Get-BlueGreenDeployment $Arguments -ErrorAction Stop | ForEach-Object { 'id=' + `$_.DeploymentId; 'status=' + `$_.Status; 'app=' + `$_.ApplicationName; 'region=' + `$_.Region }
}
catch { 'error=' + `$_.FullyQualifiedErrorId; 'message=' + `$_.Exception.Message; 'action=' + `$_.ErrorDetails.RecommendedAction; exit 3 }
"@
        Invoke-FreshPwsh $script -Environment $merged
    }
}

AfterAll {
    if ($FakeHome) { Remove-OwnedItem $FakeHome }
}

Describe 'Get-BlueGreenDeployment against moto' {
    It 'returns a deployment the AWS CLI created, with keys in the environment' {
        $app = New-UniqueName 'cli'
        $id = New-CliDeployment $app
        $result = Invoke-Get "-Id '$id' -EndpointUrl '$Moto' -Region us-east-1" @{ AWS_ACCESS_KEY_ID = 'testing'; AWS_SECRET_ACCESS_KEY = 'testing' }
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain "id=$id"
        $result.Output | Should -Contain "app=$app"
        $result.Output | Should -Contain 'status=Created'
        $result.Output | Should -Contain 'region=us-east-1'
    }

    It 'takes region and endpoint from AWS_DEFAULT_REGION and AWS_ENDPOINT_URL_CODEDEPLOY' {
        $id = New-CliDeployment (New-UniqueName 'envep')
        $result = Invoke-Get "-Id '$id'" @{ AWS_ACCESS_KEY_ID = 'testing'; AWS_SECRET_ACCESS_KEY = 'testing'; AWS_DEFAULT_REGION = 'us-east-1'; AWS_ENDPOINT_URL_CODEDEPLOY = $Moto }
        $result.Output | Should -Contain "id=$id"
    }

    It 'takes credentials, region and endpoint_url from a named profile' {
        $id = New-CliDeployment (New-UniqueName 'prof')
        Set-Content (Join-Path $FakeHome '.aws/credentials') "[release]`naws_access_key_id = testing`naws_secret_access_key = testing`n"
        Set-Content (Join-Path $FakeHome '.aws/config') "[profile release]`nregion = us-east-1`nendpoint_url = $Moto`n"
        try {
            $result = Invoke-Get "-Id '$id' -ProfileName release"
            $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
            $result.Output | Should -Contain "id=$id"
        }
        finally { Get-ChildItem -Force (Join-Path $FakeHome '.aws') | Remove-OwnedItem }
    }
    It 'returns an ECS deployment boto3 created, with one warning for the target moto cannot read' {
        # An ECS deployment group names its service, so the read goes on to GetDeploymentTarget, which moto lacks.
        $boto = @'
import sys, boto3
codedeploy = boto3.client("codedeploy", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
codedeploy.create_application(applicationName=sys.argv[2], computePlatform="ECS")
codedeploy.create_deployment_group(applicationName=sys.argv[2], deploymentGroupName="web-dg", serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
    deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}, ecsServices=[{"clusterName": "prod", "serviceName": "web"}])
print(codedeploy.create_deployment(applicationName=sys.argv[2], deploymentGroupName="web-dg",
    revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": "{}"}})["deploymentId"])
'@
        $app = New-UniqueName 'boto'
        $id = (& python3 -c $boto $Moto $app | Select-Object -Last 1)
        $LASTEXITCODE | Should -Be 0
        $script = @"
Import-Module '$Manifest' -ErrorAction Stop
`$found = Get-BlueGreenDeployment -Id '$id' -EndpointUrl '$Moto' -Region us-east-1 -AccessKey testing -SecretKey testing -ErrorAction Stop -WarningVariable gaps -WarningAction SilentlyContinue
'id=' + `$found.DeploymentId; 'status=' + `$found.Status; 'service=' + `$found.Cluster + '/' + `$found.Service
'warnings=' + @(`$gaps).Count
foreach (`$gap in `$gaps) { 'warning=' + `$gap.Message }
'gaps=' + ((`$found.ReadGaps | ForEach-Object Operation) -join ',')
"@
        $result = Invoke-FreshPwsh $script -Environment $Clean
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain "id=$id"
        $result.Output | Should -Contain 'status=Created'
        $result.Output | Should -Contain 'service=prod/web'
        $result.Output | Should -Contain 'warnings=1'
        $result.Output | Should -Contain 'gaps=GetDeploymentTarget'
        $warning = $result.Output | Where-Object { $_ -like 'warning=*' }
        $warning | Should -Match "$id.*GetDeploymentTarget \(\w+, HTTP 5\d\d"
        $warning | Should -Match 'lifecycle events and traffic split'
    }

    It 'shows the traced exchange with -Debug in a non-interactive session, without prompting' {
        $id = New-CliDeployment (New-UniqueName 'dbg')
        $script = @"
Import-Module '$Manifest' -ErrorAction Stop
Get-BlueGreenDeployment -Id '$id' -EndpointUrl '$Moto' -Region us-east-1 -AccessKey testing -SecretKey testing -Debug *>&1 | Out-String -Width 300
"@
        $result = Invoke-FreshPwsh $script -Environment $Clean
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        ($result.Output -join "`n") | Should -Match 'CodeDeploy.GetDeployment response: 200'
        ($result.Output -join "`n") | Should -Not -Match 'Read and Prompt'
    }
}

Describe 'Bad input is refused before any request' {
    BeforeAll {
        $script:Listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $Listener.Start()
        $script:Silent = "http://127.0.0.1:$($Listener.LocalEndpoint.Port)"
    }
    AfterAll { $Listener.Stop() }

    It '<Name> gives <ErrorId>' -ForEach @(
        @{ Name = 'no credentials anywhere'; Arguments = '-Region us-east-1'; ErrorId = 'NoCredentials'; Environment = @{} }
        @{ Name = 'an unknown profile'; Arguments = '-Region us-east-1 -ProfileName nobody'; ErrorId = 'UnknownProfile'; Environment = @{} }
        @{ Name = 'an unknown region'; Arguments = '-Region mars-north-1 -AccessKey a -SecretKey b'; ErrorId = 'UnknownRegion'; Environment = @{} }
        @{ Name = 'no region'; Arguments = '-AccessKey a -SecretKey b'; ErrorId = 'NoRegion'; Environment = @{} }
        @{ Name = 'AWS_PROFILE naming a missing profile'; Arguments = '-Region us-east-1'; ErrorId = 'UnknownProfile'; Environment = @{ AWS_PROFILE = 'ghost' } }
    ) {
        $result = Invoke-Get "-Id d-ABCDEF123 -EndpointUrl '$Silent' $Arguments" $Environment
        $result.ExitCode | Should -Be 3
        $result.Output | Should -Contain "error=$ErrorId,BlueGreen.Commands.GetBlueGreenDeploymentCommand"
        ($result.Output | Where-Object { $_ -like 'action=*' }) | Should -Not -Be 'action='
        $Listener.Pending() | Should -BeFalse -Because 'nothing may be sent'
    }

    It 'a malformed endpoint URL gives InvalidEndpointUrl' {
        $result = Invoke-Get "-Id d-ABCDEF123 -EndpointUrl 'http//nope' -Region us-east-1 -AccessKey a -SecretKey b"
        $result.Output | Should -Contain 'error=InvalidEndpointUrl,BlueGreen.Commands.GetBlueGreenDeploymentCommand'
    }

    It 'plain HTTP to a host that is not loopback gives InsecureEndpointUrl unless allowed' {
        $refused = Invoke-Get "-Id d-ABCDEF123 -EndpointUrl 'http://203.0.113.9:4566' -Region us-east-1 -AccessKey a -SecretKey b"
        $refused.Output | Should -Contain 'error=InsecureEndpointUrl,BlueGreen.Commands.GetBlueGreenDeploymentCommand'
    }

    It 'never prints the secret key or session token, in traces or errors' {
        # A real exchange with moto, traced: every stream goes to the output that is searched.
        $id = New-CliDeployment (New-UniqueName 'secret')
        $script = @"
Import-Module '$Manifest' -ErrorAction Stop
`$DebugPreference = 'Continue'; `$VerbosePreference = 'Continue'
Get-BlueGreenDeployment -Id '$id', 'd-NOTTHERE9' -EndpointUrl '$Moto' -Region us-east-1 -AccessKey AKIDTESTONLY -SecretKey 'sk-should-stay-hidden' -SessionToken 'tok-should-stay-hidden' *>&1 | Out-String -Width 400
"@
        $result = Invoke-FreshPwsh $script -Environment $Clean
        $text = $result.Output -join "`n"
        $text | Should -Match 'CodeDeploy.GetDeployment request'
        $text | Should -Match 'DeploymentNotFound|No deployment'
        $text | Should -Not -Match 'should-stay-hidden'
    }
}
