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
