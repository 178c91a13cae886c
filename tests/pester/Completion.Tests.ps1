# Tab completion as a user gets it: TabExpansion2 on command lines, the built module, one seeded sandbox as AWS.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -Environment @{ AWS_CONFIG_FILE = $null; AWS_SHARED_CREDENTIALS_FILE = $null }
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox

    function script:Complete([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText)
    }
    function script:CompleteSome([string] $Line) {
        # A first Tab on a cold, busy machine may give up waiting; the answer then fills the cache for the next Tab.
        for ($try = 0; $try -lt 4; $try++) {
            $found = Complete $Line
            if ($found.Count -gt 0) { return $found }
            Start-Sleep -Milliseconds 500
        }
        @()
    }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'Completing AWS names' {
    It 'completes clusters, and reads them once while they are fresh' {
        $before = (Get-SandboxCall 'ListClusters').Count
        CompleteSome "Start-BlueGreenDeployment -EndpointUrl $EP -Cluster " | Should -Be @('sandbox')
        CompleteSome "Start-BlueGreenDeployment -EndpointUrl $EP -Cluster s" | Should -Be @('sandbox')
        Complete "Get-BlueGreenDeployment -EndpointUrl $EP -Cluster x" | Should -BeNullOrEmpty
        (Get-SandboxCall 'ListClusters').Count | Should -Be ($before + 1)
    }

    It 'completes services of the cluster typed' {
        $null = Invoke-SandboxCli ecs create-cluster --cluster-name empty
        $services = CompleteSome "Start-BlueGreenDeployment -EndpointUrl $EP -Cluster sandbox -Service "
        $services | Should -Contain 'web'
        $services | Should -Contain 'api'
        # Asked twice, the second time after the answer is in: the empty cluster has no service to offer.
        $before = (Get-SandboxCall 'ListServices').Count
        $null = Complete "Get-BlueGreenDeployment -EndpointUrl $EP -Cluster empty -Service "
        Start-Sleep -Milliseconds 1500
        Complete "Get-BlueGreenDeployment -EndpointUrl $EP -Cluster empty -Service " | Should -BeNullOrEmpty
        (Get-SandboxCall 'ListServices').Count | Should -Be ($before + 1)
    }

    It 'completes task definition families, then the revisions of one, newest first' {
        CompleteSome "Start-BlueGreenDeployment -EndpointUrl $EP -TaskDefinition w" | Should -Be @('web')
        $revisions = CompleteSome "Start-BlueGreenDeployment -EndpointUrl $EP -TaskDefinition web:"
        $revisions.Count | Should -BeGreaterThan 1
        $revisions | Should -Be @($revisions | Sort-Object { [int] ($_ -split ':')[1] } -Descending)
        $revisions | Should -Contain 'web:1'
    }

    It 'completes functions, and the aliases of the function typed' {
        CompleteSome "Invoke-SmokeTest -EndpointUrl $EP -FunctionName or" | Should -Be @('orders')
        CompleteSome "Start-BlueGreenDeployment -EndpointUrl $EP -FunctionName " | Should -Contain 'payments'
        CompleteSome "Get-BlueGreenDeployment -EndpointUrl $EP -FunctionName orders -Alias " | Should -Be @('live')
        Complete "Get-BlueGreenDeployment -EndpointUrl $EP -Alias " | Should -BeNullOrEmpty
    }

    It 'completes CodeDeploy applications, and the groups of the application typed' {
        $applications = CompleteSome "Set-TrafficShift -EndpointUrl $EP -ApplicationName "
        $applications | Should -Contain 'web'
        $applications | Should -Contain 'orders'
        CompleteSome "Set-TrafficShift -EndpointUrl $EP -ApplicationName web -DeploymentGroupName " | Should -Be @('web-dg')
        Complete "Start-BlueGreenDeployment -EndpointUrl $EP -DeploymentGroupName " | Should -BeNullOrEmpty
    }

    It 'completes the ids of recent deployments, and of those this session has seen, from the session default' {
        $appSpec = '{"version":0.0,"Resources":[{"OrdersFunction":{"Type":"AWS::Lambda::Function","Properties":{"Name":"orders","Alias":"live","CurrentVersion":"1","TargetVersion":"2"}}}]}'
        $revision = @{ revisionType = 'String'; string = @{ content = $appSpec } } | ConvertTo-Json -Compress -Depth 4
        $id = (Invoke-SandboxCli deploy create-deployment --application-name orders --deployment-group-name orders-dg --revision $revision).deploymentId
        Set-BlueGreenDefault -Sandbox $Sandbox
        try {
            CompleteSome 'Wait-BlueGreenDeployment -Id ' | Should -Contain $id
            CompleteSome 'Undo-Deployment -Id d-' | Should -Contain $id
            $seen = Get-BlueGreenDeployment -Id $id
            # Seen in this session: it completes even where AWS cannot be asked. (Other releases of this session
            # complete too; its id's first characters pick it alone.)
            Complete "Undo-Deployment -EndpointUrl http://127.0.0.1:9 -Id $($id.Substring(0, 6))" | Should -Be @($seen.DeploymentId)
        }
        finally { Clear-BlueGreenDefault }
    }

    It 'completes regions from a static list' {
        $regions = CompleteSome 'Set-BlueGreenDefault -Region eu-west-'
        $regions | Should -Contain 'eu-west-1'
        $regions | Should -Contain 'eu-west-3'
        $regions | ForEach-Object { $_ | Should -BeLike 'eu-west-*' }
        CompleteSome 'Get-BlueGreenDeployment -Region us-gov-w' | Should -Be @('us-gov-west-1')
    }

    It 'completes profiles from the shared files, and nothing of their keys' {
        $folder = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'profiles')
        $null = New-Item -ItemType Directory -Path $folder
        try {
            Set-Content (Join-Path $folder 'credentials') "[release]`naws_access_key_id = AKIACOMPLETE0000`naws_secret_access_key = completesecret`n[ci]`naws_access_key_id = x`naws_secret_access_key = y`n"
            Set-Content (Join-Path $folder 'config') "[default]`nregion = us-east-1`n[profile audit]`nregion = eu-west-1`n[sso-session corp]`nsso_region = us-east-1`n"
            Set-EnvironmentVariable AWS_CONFIG_FILE (Join-Path $folder 'config')
            Set-EnvironmentVariable AWS_SHARED_CREDENTIALS_FILE (Join-Path $folder 'credentials')
            $matches = (TabExpansion2 -inputScript 'Start-BlueGreenDeployment -ProfileName ' -cursorColumn 39).CompletionMatches
            @($matches.CompletionText) | Should -Be @('audit', 'ci', 'default', 'release')
            ($matches | Format-List * | Out-String) | Should -Not -Match 'AKIACOMPLETE|completesecret'
            CompleteSome 'Set-BlueGreenDefault -ProfileName r' | Should -Be @('release')
        }
        finally {
            Set-EnvironmentVariable AWS_CONFIG_FILE $null; Set-EnvironmentVariable AWS_SHARED_CREDENTIALS_FILE $null
            Remove-OwnedItem $folder
        }
    }

    It 'completes nothing, quickly, where AWS does not answer' {
        # A port that accepts connections and never answers, and one that refuses them.
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            $port = $silent.LocalEndpoint.Port
            $elapsed = Measure-Command { $script:found = Complete "Start-BlueGreenDeployment -EndpointUrl http://127.0.0.1:$port -Cluster " }
            $found | Should -BeNullOrEmpty
            $elapsed.TotalSeconds | Should -BeLessThan 2.5
            $elapsed = Measure-Command { $script:found = Complete "Get-BlueGreenDeployment -EndpointUrl http://127.0.0.1:9 -FunctionName " }
            $found | Should -BeNullOrEmpty
            $elapsed.TotalSeconds | Should -BeLessThan 2.5
        }
        finally { $silent.Stop() }
    }
}
