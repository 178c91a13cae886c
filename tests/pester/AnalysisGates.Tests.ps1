# Gates in a release, on one seeded sandbox: alarms given with Start -Alarm stop and roll back a release through what each
# engine keeps (a CodeDeploy group, an ECS service), and every verdict (smoke test, alarm) is kept on the deployment.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 300
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }

    function script:Wait-NativeIdle {
        # ECS's first deployment of the freshly seeded service runs for a moment, as on AWS: a release starts after it.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (@((Invoke-SandboxControl GET 'state?region=us-east-1').regions[0].ecs.serviceDeployments | Where-Object status -in 'PENDING', 'IN_PROGRESS').Count -gt 0 -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
    }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'Start -Alarm' {
    It 'adds the alarm to the CodeDeploy group with rollback on alarm; the alarm firing rolls the release back, and the deployment keeps both verdicts' {
        $null = Invoke-SandboxCli cloudwatch put-metric-alarm --alarm-name web-latency --namespace AWS/ApplicationELB --metric-name TargetResponseTime `
            --statistic Average --period 60 --evaluation-periods 1 --threshold 0.5 --comparison-operator GreaterThanThreshold
        Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -ReadyWait 600 -Confirm:$false @Aws
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:2.0' -Alarm web-latency -Confirm:$false @Aws -ErrorAction Stop
        $ready = $d | Wait-BlueGreenDeployment -Until Ready -ErrorAction Stop
        $smoke = $ready | Invoke-SmokeTest -Requests 5 -ErrorAction Stop
        $smoke.Passed | Should -BeTrue

        $group = @((Invoke-SandboxControl GET 'state?region=us-east-1').regions[0].codedeploy.deploymentGroups | Where-Object deploymentGroupName -eq 'web-dg')[0]
        @($group.alarmConfiguration.alarms.name) | Should -Be @('web-5xx', 'web-latency')
        $group.alarmConfiguration.enabled | Should -BeTrue
        $group.autoRollbackConfiguration.events | Should -Contain 'DEPLOYMENT_STOP_ON_ALARM'
        $group.blueGreenDeploymentConfiguration.deploymentReadyOption.waitTimeInMinutes | Should -Be 600 -Because 'only the alarm settings change'

        $null = Invoke-SandboxCli cloudwatch set-alarm-state --alarm-name web-latency --state-value ALARM --state-reason 'green is slow'
        $ended = $d | Wait-BlueGreenDeployment -AllowFailure -ErrorAction Stop
        $ended.RolledBack | Should -BeTrue
        $ended.ErrorCode | Should -Be 'ALARM_ACTIVE'
        Get-ServingTaskDefinition $ended.ProductionEndpoint 5 | Sort-Object -Unique | Should -Be 'web:1'
        @($ended.Gates.Kind) | Should -Be @('SmokeTest', 'Alarm')
        $ended.Gates[0].Verdict | Should -Be 'Pass'
        $ended.Gates[1].Name | Should -Be 'web-latency'
        $ended.Gates[1].Verdict | Should -Be 'Fail'
        ($ended | Format-List | Out-String) | Should -Match 'Alarm\s+Fail\s+web-latency'
    }

    It 'refuses an alarm that does not exist before any change, for ECS native and CodeDeploy alike' {
        Wait-NativeIdle
        $null = Invoke-SandboxControl DELETE 'requests'
        { Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:2.0' -Alarm no-such-alarm -Confirm:$false @Aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'AlarmNotFound,*'
        { Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 -Alarm no-such-alarm -Confirm:$false @Aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'AlarmNotFound,*'
        @(Get-SandboxCall DescribeAlarms).Count | Should -Be 2
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }

    It 'puts the alarm on the ECS service; when it fires, ECS rolls the release back and the deployment says which alarm' {
        Wait-NativeIdle
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:2.0' -Alarm api-5xx -Confirm:$false @Aws -ErrorAction Stop
        $null = $d | Wait-BlueGreenDeployment -Until Ready -ErrorAction Stop
        $null = Invoke-SandboxCli cloudwatch set-alarm-state --alarm-name api-5xx --state-value ALARM --state-reason '5XX from green'
        $ended = $d | Wait-BlueGreenDeployment -AllowFailure -ErrorAction Stop
        $ended.ErrorCode | Should -Be 'ALARM_ACTIVE'
        $ended.GreenTrafficPercent | Should -Be 0
        $alarm = @($ended.Gates | Where-Object Kind -eq 'Alarm')
        $alarm.Count | Should -Be 1
        $alarm[0].Name | Should -Be 'api-5xx'
    }
}

# Releases judged by Wait-BlueGreenDeployment -Analysis on real traffic from the sandbox's generator: at a time scale of
# 300 a real second is five one-minute data points, so an interval of two real seconds holds ten samples a side.
Describe 'Wait-BlueGreenDeployment -Analysis' {
    BeforeAll {
        Reset-TestSandbox
        Set-SandboxTimeScale 300
        # Latency may be 50% worse before it counts: equal versions never fail on the noise of a busy machine.
        $script:Definition = @{
            Interval = '00:00:02'; Count = 1; Lookback = '00:10:00'; InconclusiveLimit = 1; OnInconclusive = 'Continue'
            Metrics = @(@{ Name = 'ErrorRate'; Critical = $true; MinimumSamples = 5 }, @{ Name = 'Latency'; AllowedEffect = 1.5; MinimumSamples = 5 })
        }
        $script:Slow = New-WebRevision @{ SANDBOX_LATENCY_MS = 60 }
        $script:Web = @{ Cluster = 'sandbox'; Service = 'web'; TrafficShift = 'Canary50Percent30Minutes'; Confirm = $false }
        $script:Payments = @{ FunctionName = 'payments'; Alias = 'live'; Controller = 'Module'; TrafficShift = 'Canary50Percent30Minutes'; Confirm = $false }

        function script:Wait-Judged($Deployment, $Target, [double] $Rate, [switch] $RollbackOnFailure, $Analysis = $Definition) {
            # Traffic runs while the release is judged, and is stopped after it whatever happened; returns the deployment
            # with the errors and warnings of the wait.
            $run = Start-SandboxTraffic -Target $Target -Rate $Rate -Duration 60
            try {
                $ended = $Deployment | Wait-BlueGreenDeployment -Analysis $Analysis -RollbackOnFailure:$RollbackOnFailure -ErrorAction SilentlyContinue -ErrorVariable failed `
                    -WarningAction SilentlyContinue -WarningVariable warned
                [pscustomobject]@{ Deployment = $ended; Errors = @($failed); Warnings = @($warned) }
            } finally { $null = Stop-SandboxTraffic $run.id }
        }
    }

    Context 'an ECS service released through CodeDeploy, with production traffic on its listener' {
        It 'passes a green as good as blue, and the release succeeds' {
            $d = Start-BlueGreenDeployment @Web -Image 'web=public.ecr.aws/sandbox/web:2.0' @Aws -ErrorAction Stop
            $port = ([uri] $d.ProductionEndpoint).Port
            $judged = Wait-Judged $d $port 100 -RollbackOnFailure
            $judged.Errors | Should -BeNullOrEmpty
            $ended = $judged.Deployment
            $ended.Status | Should -Be 'Succeeded'
            $analysis = @($ended.Gates | Where-Object Kind -eq 'Analysis')
            $analysis.Count | Should -Be 1
            $analysis[0].Verdict | Should -BeIn 'Pass', 'Marginal' -Because $analysis[0].Detail
            $analysis[0].Result.Metrics.GreenSamples | ForEach-Object { $_ | Should -BeGreaterOrEqual 5 }
        }

        It 'fails a green slower than blue that the smoke test passes, and undoes the release without a human' {
            $d = Start-BlueGreenDeployment @Web -TaskDefinition $Slow @Aws -ErrorAction Stop
            $ready = $d | Wait-BlueGreenDeployment -Until TestTraffic -ErrorAction Stop
            ($ready | Invoke-SmokeTest -Requests 5).Passed | Should -BeTrue -Because 'sixty milliseconds is within any smoke test''s limit'
            $port = ([uri] $d.ProductionEndpoint).Port
            $judged = Wait-Judged $d $port 100 -RollbackOnFailure
            $ended = $judged.Deployment
            $failed = $judged.Errors
            $failed.Count | Should -Be 1 -Because ($ended | Format-List | Out-String)
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'AnalysisFailed,*'
            $failed[0].CategoryInfo.Category | Should -Be 'OperationStopped'
            $failed[0].Exception.Message | Should -Match 'Latency'
            $ended.RolledBack | Should -BeTrue
            @($ended.Gates.Kind) | Should -Be @('SmokeTest', 'Analysis')
            $ended.Gates[1].Verdict | Should -Be 'Fail'
            Get-ServingTaskDefinition $d.ProductionEndpoint 5 | Sort-Object -Unique | Should -Be ($d.BlueTaskDefinition -split '/')[-1]
        }

        It 'ends Inconclusive, not Pass, on too little traffic' {
            $d = Start-BlueGreenDeployment @Web -Image 'web=public.ecr.aws/sandbox/web:2.0' @Aws -ErrorAction Stop
            $port = ([uri] $d.ProductionEndpoint).Port
            $judged = Wait-Judged $d $port 2 -RollbackOnFailure
            $judged.Errors | Should -BeNullOrEmpty
            $ended = $judged.Deployment
            $ended.Status | Should -Be 'Succeeded' -Because 'OnInconclusive Continue lets the release go on'
            $analysis = @($ended.Gates | Where-Object Kind -eq 'Analysis')
            $analysis.Verdict | Should -Be 'Inconclusive'
            $analysis[0].Result.Metrics.Verdict | Should -Contain 'NoData'
            ($judged.Warnings -join "`n") | Should -Match 'could not judge the release \(not enough data\): the release goes on'
        }
    }

    Context 'a Lambda alias shifted by the module, with invocations of the alias' {
        It 'passes a version as good as blue' {
            $d = Start-BlueGreenDeployment @Payments -Version 2 @Aws -ErrorAction Stop
            $judged = Wait-Judged $d @{ function = 'payments'; qualifier = 'live' } 100 -RollbackOnFailure
            $judged.Errors | Should -BeNullOrEmpty
            $ended = $judged.Deployment
            $ended.Status | Should -Be 'Succeeded'
            @($ended.Gates | Where-Object Kind -eq 'Analysis').Verdict | Should -BeIn 'Pass', 'Marginal'
        }

        It 'fails a version that errors and points the alias back at blue' {
            $d = Start-BlueGreenDeployment @Payments -Version 3 @Aws -ErrorAction Stop
            $judged = Wait-Judged $d @{ function = 'payments'; qualifier = 'live' } 100 -RollbackOnFailure
            $ended = $judged.Deployment
            $failed = $judged.Errors
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'AnalysisFailed,*'
            $failed[0].Exception.Message | Should -Match 'ErrorRate'
            $ended.GreenTrafficPercent | Should -Be 0
            (Get-BlueGreenDeployment -FunctionName payments -Alias live -Controller Module @Aws).Blue | Should -Be '2'
        }

        It 'ends Inconclusive on too little traffic, and undoes the release when the definition says so' {
            $d = Start-BlueGreenDeployment @Payments -Version 3 @Aws -ErrorAction Stop
            $judged = Wait-Judged $d @{ function = 'payments'; qualifier = 'live' } 1 -RollbackOnFailure -Analysis (& { $strict = $Definition.Clone(); $strict.OnInconclusive = 'Fail'; $strict })
            $judged.Errors.Count | Should -Be 1
            $judged.Errors[0].FullyQualifiedErrorId | Should -BeLike 'AnalysisInconclusive,*'
            $judged.Errors[0].CategoryInfo.Category | Should -Be 'InvalidResult'
            @($judged.Deployment.Gates | Where-Object Kind -eq 'Analysis').Verdict | Should -Be 'Inconclusive'
            $judged.Deployment.GreenTrafficPercent | Should -Be 0
        }
    }
}
