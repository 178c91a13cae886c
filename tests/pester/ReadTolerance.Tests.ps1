# Reads of a release, as a user runs them against the sandbox with injected faults: every entry point rides out
# throttling the same way (the AWS layer's retries, then a bounded wait), and an optional call that fails costs
# only what it would have added, said once as a warning.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    # Three attempts per call (the SDKs' default, below the module's own): the throttling below outlasts them, so what
    # is judged is the bounded wait of the reads, not the AWS layer's retries.
    Set-TestEnvironment -PollMaxMs 1000 -Environment @{ AWS_MAX_ATTEMPTS = '3' }
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }

    # Runs $Read while every $Operation of $Service (CodeDeploy unless named) is throttled for $Seconds: longer than the AWS layer's own retries
    # (3 attempts, under 2 s of backoff) can cover, well inside the bounded wait that reads ride out.
    function script:Invoke-WhileThrottled([scriptblock] $Read, [string] $Operation, [int] $Seconds = 4, [string] $Service = 'codedeploy') {
        $null = Invoke-SandboxControl DELETE 'requests'
        $null = Invoke-SandboxControl PUT 'faults' @{ service = $Service; operation = $Operation; throttleRate = 1.0 }
        $faults = $EP.TrimEnd('/') + '/_sandbox/faults'
        $lift = Start-ThreadJob { Start-Sleep -Seconds $using:Seconds; $null = Invoke-RestMethod -Method Delete -Uri $using:faults }
        try { & $Read }
        finally {
            $null = $lift | Wait-Job
            $lift | Remove-Job
        }
    }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'Every read rides out throttling alike' {
    BeforeAll {
        $null = Invoke-SandboxControl POST 'reset?seed=true'
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 600 }
        $script:Done = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws
    }
    AfterEach { $null = Invoke-SandboxControl DELETE 'faults' }

    It '<Name>' -ForEach @(
        @{ Name = 'Wait-BlueGreenDeployment -Id, on its first read'; Service = 'codedeploy'; Operation = 'GetDeployment'; Read = { Wait-BlueGreenDeployment -Id $Done.DeploymentId @Aws -ErrorAction Stop } }
        @{ Name = 'Wait-BlueGreenDeployment with the release piped'; Service = 'codedeploy'; Operation = 'GetDeployment'; Read = { $Done | Wait-BlueGreenDeployment -ErrorAction Stop } }
        @{ Name = 'Get-BlueGreenDeployment -Cluster -Service'; Service = 'codedeploy'; Operation = 'ListApplications'; Read = { Get-BlueGreenDeployment -Cluster sandbox -Service web @Aws -ErrorAction Stop } }
        @{ Name = 'Get-BlueGreenDeployment -Cluster -Service, reading its controller'; Service = 'ecs'; Operation = 'DescribeServices'; Read = { Get-BlueGreenDeployment -Cluster sandbox -Service web @Aws -ErrorAction Stop } }
        @{ Name = 'Get-BlueGreenDeployment -Id'; Service = 'codedeploy'; Operation = 'GetDeployment'; Read = { Get-BlueGreenDeployment -Id $Done.DeploymentId @Aws -ErrorAction Stop } }
        @{ Name = 'Get-BlueGreenDeployment with the release piped'; Service = 'codedeploy'; Operation = 'GetDeployment'; Read = { $Done | Get-BlueGreenDeployment -ErrorAction Stop } }
    ) {
        $all = @(Invoke-WhileThrottled $Read $Operation -Service $Service 3>&1)
        $gaps = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $read = @($all | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] })
        $read.Count | Should -Be 1
        $read = $read[0]
        $read.DeploymentId | Should -Be $Done.DeploymentId
        $read.Status | Should -Be 'Succeeded'
        $read.GreenTrafficPercent | Should -Be 100
        $gaps | Should -BeNullOrEmpty -Because 'everything was read once the throttling passed'
        $calls = Get-SandboxCall $Operation
        @($calls | Where-Object status -ne 200).Count | Should -BeGreaterThan 3 -Because 'the throttling outlasted the AWS layer''s own attempts'
        @($calls | Where-Object status -eq 200).Count | Should -BeGreaterThan 0
    }
}

Describe 'The read after a go-ahead rides out throttling too' {
    BeforeAll {
        $null = Invoke-SandboxControl POST 'reset?seed=true'
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 600 }
    }
    AfterEach { $null = Invoke-SandboxControl DELETE 'faults' }

    It 'Set-TrafficShift -Continue returns the release though GetDeployment is throttled after ContinueDeployment' {
        Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -ReadyWait 600 -Confirm:$false @Aws
        $ready = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws | Wait-BlueGreenDeployment -Until Ready
        $ready.Status | Should -Be 'Ready'
        $going = Invoke-WhileThrottled { $ready | Set-TrafficShift -Continue -Confirm:$false -ErrorAction Stop } 'GetDeployment'
        $going.DeploymentId | Should -Be $ready.DeploymentId
        $going.Status | Should -Not -Be 'Ready'
        @(Get-SandboxCall 'ContinueDeployment').Count | Should -Be 1
        @(Get-SandboxCall 'GetDeployment' | Where-Object status -ne 200).Count | Should -BeGreaterThan 3
    }
}

Describe 'An optional call that fails degrades the read' {
    BeforeAll {
        $null = Invoke-SandboxControl POST 'reset?seed=true'
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 600 }
    }
    AfterEach { $null = Invoke-SandboxControl DELETE 'faults' }

    It 'Get returns the release with one warning naming GetDeploymentTarget' {
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'codedeploy'; operation = 'GetDeploymentTarget'; errorRate = 1.0 }
        $read = Get-BlueGreenDeployment -Id $d.DeploymentId @Aws -WarningVariable gaps -WarningAction SilentlyContinue
        $read.Status | Should -Be 'Succeeded'
        $read.Service | Should -Be 'web'
        $read.ProductionEndpoint | Should -Be $d.ProductionEndpoint -Because 'the listeners were read'
        @($gaps).Count | Should -Be 1
        $gaps[0].Message | Should -Match "^Release $($d.DeploymentId) was read in part: could not read GetDeploymentTarget \(InternalFailure, HTTP 500"
        @($read.ReadGaps).Operation | Should -Be 'GetDeploymentTarget'
    }

    It 'a wait says it once, however many looks could not read the target' {
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 60 }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws
        $null = Invoke-SandboxControl DELETE 'requests'
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'codedeploy'; operation = 'GetDeploymentTarget'; errorRate = 1.0 }
        $done = Wait-BlueGreenDeployment -Id $d.DeploymentId @Aws -WarningVariable gaps -WarningAction SilentlyContinue
        $done.Status | Should -Be 'Succeeded'
        @(Get-SandboxCall 'GetDeployment').Count | Should -BeGreaterThan 1 -Because 'the wait looked more than once'
        @($gaps).Count | Should -Be 1
        $gaps[0].Message | Should -Match 'GetDeploymentTarget'
    }
}
