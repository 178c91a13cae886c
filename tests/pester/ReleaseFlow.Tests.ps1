# The ECS release flow as a user meets it on the sandbox: the points a wait stops at, the gated flow, an undo that
# carries through a Ready gate, what an undo returns, -Image checked before any call, and messages that tell the truth.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 500
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }

    function script:Get-ShortName([string] $Arn) { ($Arn -split '/')[-1] }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'Wait-BlueGreenDeployment -Until' {
    BeforeEach { Reset-TestSandbox }

    It 'offers every point a user waits for, in order' {
        $values = (Get-Command Wait-BlueGreenDeployment).Parameters['Until'].ParameterType.GetEnumNames()
        $values | Should -Be @('Installed', 'TestTraffic', 'Ready', 'TrafficShifted', 'Succeeded')
    }

    It 'runs the gated flow: Ready, Continue, TrafficShifted, Complete, Succeeded' {
        Set-ReadyWait -TerminationMinutes 120
        # At 60x the 600-minute Ready timeout is ten minutes of wall time; from Ready on, time is held until Complete,
        # so neither that timeout nor the 120-minute termination wait ends on its own while the points are checked.
        Set-SandboxTimeScale 60
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws

        $installed = $d | Wait-BlueGreenDeployment -Until Installed
        $installed.LifecycleEvents.Where({ $_.Name -eq 'Install' }).Status | Should -Be 'Succeeded'

        $ready = $d | Wait-BlueGreenDeployment -Until Ready
        Set-SandboxTimeScale 0
        $ready.Status | Should -Be 'Ready'
        $ready.WaitsAtReady | Should -BeTrue
        Get-ServingTaskDefinition $ready.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:1'
        Get-ServingTaskDefinition $ready.TestEndpoint 5 | Sort-Object -Unique | Should -Be 'web:2'

        # Points already passed return at once, without a look beyond the first.
        ($d | Wait-BlueGreenDeployment -Until TestTraffic).Status | Should -Be 'Ready'

        $shifted = $ready | Set-TrafficShift -Continue -Confirm:$false | Wait-BlueGreenDeployment -Until TrafficShifted
        $shifted.GreenTrafficPercent | Should -Be 100
        $shifted.BlueExists | Should -BeTrue -Because 'blue is kept through the termination wait'
        $shifted.Status | Should -BeIn 'InProgress', 'Baking'
        Get-ServingTaskDefinition $shifted.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:2'

        $completing = $shifted | Set-TrafficShift -Complete -Confirm:$false
        Set-SandboxTimeScale 600
        $done = $completing | Wait-BlueGreenDeployment -Until Succeeded
        $done.Status | Should -Be 'Succeeded'
        $done.BlueGone | Should -BeTrue
        ($done | Wait-BlueGreenDeployment -Until Ready).Status | Should -Be 'Succeeded' -Because 'a point passed returns at once'
        @(Get-SandboxCall | Where-Object operation -eq 'ContinueDeployment').Count | Should -Be 2
    }

    It 'ends with an error naming where a stopped release got to, for a point it can no longer reach' {
        Set-ReadyWait -ReadyMinutes 1
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws
        $d | Wait-BlueGreenDeployment -Until TrafficShifted -ErrorAction SilentlyContinue -ErrorVariable late | Should -BeNullOrEmpty
        $late[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentStopped,*'
        $late[0].CategoryInfo.Category | Should -Be 'OperationStopped'
        $late[0].Exception.Message | Should -Match 'after it got to (TestTraffic|Ready)'
        $late[0].Exception.Message | Should -Match 'TIMEOUT'
        $late[0].Exception.Message | Should -Match 'will not get to TrafficShifted'
        { $d | Wait-BlueGreenDeployment -Until Installed -ErrorAction Stop } | Should -Throw -ErrorId 'DeploymentStopped,*' -Because 'a stopped release has taken green away'
    }

    It 'on a group without a Ready wait, -Until Ready returns once test traffic is on green and says the release does not wait' {
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 20 }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift Canary10Percent15Minutes @Aws
        $ready = $d | Wait-BlueGreenDeployment -Until Ready -WarningVariable said -WarningAction SilentlyContinue
        $ready.WaitsAtReady | Should -BeFalse
        $ready.LifecycleEvents.Where({ $_.Name -eq 'AllowTestTraffic' }).Status | Should -Be 'Succeeded'
        ($said -join "`n") | Should -Match 'does not wait at Ready'
        $test = $d | Wait-BlueGreenDeployment -Until TestTraffic -WarningVariable quiet
        $quiet | Should -BeNullOrEmpty
        Get-ServingTaskDefinition $test.TestEndpoint 5 | Sort-Object -Unique | Should -Be 'web:2'
    }
}

Describe 'Undo-Deployment' {
    BeforeEach { Reset-TestSandbox }

    It 'after a release succeeded on a group that waits at Ready, carries the release of the previous version to all production traffic' {
        Set-ReadyWait -ReadyMinutes 600 -TerminationMinutes 1
        Set-SandboxTimeScale 60 # the 600-minute Ready timeout is ten minutes of wall time, however slow the machine
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws | Wait-BlueGreenDeployment -Until Ready
        $d = $d | Set-TrafficShift -Continue -Confirm:$false | Wait-BlueGreenDeployment
        $d.BlueGone | Should -BeTrue
        Get-ServingTaskDefinition $d.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:2'

        $null = Invoke-SandboxControl DELETE 'requests'
        $undo = $d | Undo-Deployment -Confirm:$false -ErrorAction Stop
        $undo.DeploymentId | Should -Not -Be $d.DeploymentId
        $undo.GreenTaskDefinition | Should -BeLike '*task-definition/web:1'
        $undo.GreenTrafficPercent | Should -Be 100
        $undo.Status | Should -BeIn 'InProgress', 'Baking', 'Succeeded'
        Get-ServingTaskDefinition $d.ProductionEndpoint 20 | Sort-Object -Unique | Should -Be 'web:1'
        @(Get-SandboxCall | Where-Object operation -eq 'ContinueDeployment').Count | Should -Be 1 -Because 'the undo gives its own go-ahead at Ready'
        Start-Sleep -Seconds 2
        ($undo | Get-BlueGreenDeployment).Status | Should -Not -BeIn 'Stopped', 'Failed'
    }

    It '-StopAtReady leaves the release of the previous version at Ready and says so; -NoWait says it will wait there' {
        Set-ReadyWait -ReadyMinutes 600 -TerminationMinutes 1
        Set-SandboxTimeScale 60 # the 600-minute Ready timeout is ten minutes of wall time, however slow the machine
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws | Wait-BlueGreenDeployment -Until Ready
        $d = $d | Set-TrafficShift -Continue -Confirm:$false | Wait-BlueGreenDeployment
        { $d | Undo-Deployment -NoWait -StopAtReady -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'NoWaitOrStopAtReady,*'

        $held = $d | Undo-Deployment -StopAtReady -Confirm:$false -WarningVariable said -WarningAction SilentlyContinue
        $held.Status | Should -Be 'Ready'
        ($said -join "`n") | Should -Match 'Set-TrafficShift -Continue'
        Get-ServingTaskDefinition $d.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:2'
        ($held | Set-TrafficShift -Continue -Confirm:$false | Wait-BlueGreenDeployment -Until TrafficShifted).GreenTrafficPercent | Should -Be 100
        Get-ServingTaskDefinition $d.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:1'
    }

    It 'of a release in flight returns that release stopped and rolled back, 0% on green, with blue serving' {
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 10 }
        $bad = New-WebRevision @{ SANDBOX_BODY = 'bad'; SANDBOX_STATUS = '500' }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition $bad -TrafficShift Canary10Percent15Minutes @Aws | Wait-BlueGreenDeployment -Until TestTraffic
        # Held from here: the release is surely still in flight when it is undone, however slow the machine.
        # The rollback takes no simulated time, so it completes while time is held.
        Set-SandboxTimeScale 0
        $undone = $d | Undo-Deployment -Confirm:$false
        $undone.DeploymentId | Should -Be $d.DeploymentId
        $undone.Status | Should -Be 'Stopped'
        $undone.RolledBack | Should -BeTrue
        $undone.RollbackDeploymentId | Should -Match '^d-'
        $undone.GreenTrafficPercent | Should -Be 0
        $undone.BlueExists | Should -BeTrue
        Get-ShortName $undone.BlueTaskDefinition | Should -Be 'web:1'
        Get-ServingTaskDefinition $d.ProductionEndpoint 20 | Sort-Object -Unique | Should -Be 'web:1'
        $row = ($undone | Format-Table | Out-String -Width 200) # as wide as a terminal; without one, Out-String cuts rows at 80
        $row | Should -Match ([regex]::Escape($d.DeploymentId) + '\s+Stopped\*')
        $row | Should -Match '\[-{20}\]\s+0%'
        (Get-BlueGreenDeployment -Id $undone.RollbackDeploymentId @Aws).Status | Should -Be 'Succeeded'

        $again = $d | Undo-Deployment -Confirm:$false
        $again.DeploymentId | Should -Be $d.DeploymentId -Because 'a release already rolled back has nothing more to undo'
        $again.GreenTrafficPercent | Should -Be 0
    }
}

Describe 'Start-BlueGreenDeployment -Image' {
    BeforeEach { Reset-TestSandbox; $null = Invoke-SandboxControl DELETE 'requests' }

    It 'refuses <Name> with InvalidImage before any AWS call' -ForEach @(
        @{ Name = 'an empty tag'; Image = 'web=public.ecr.aws/sandbox/web:'; Says = "container 'web'.*tag after ':' is empty" }
        @{ Name = 'an empty tag in a hashtable'; Image = @{ web = 'public.ecr.aws/sandbox/web:' }; Says = "container 'web'.*tag" }
        @{ Name = 'a space in a hashtable value'; Image = @{ web = 'public.ecr.aws/sandbox/web:1 .0' }; Says = "container 'web'.*space" }
        @{ Name = 'a space in a plain image'; Image = 'public.ecr.aws/sandbox/web: 1.0'; Says = 'space' }
        @{ Name = 'an uppercase repository'; Image = 'web=public.ecr.aws/Sandbox/Web:1.0'; Says = 'lowercase' }
        @{ Name = 'an uppercase repository without registry'; Image = 'web=Web:1.0'; Says = 'lowercase' }
        @{ Name = 'a short digest'; Image = 'web=public.ecr.aws/sandbox/web@sha256:abc123'; Says = 'sha256 digest has 6 hex digits' }
        @{ Name = 'a port that is not a number'; Image = 'web=registry.local:50x0/web:1'; Says = 'port' }
        @{ Name = 'a tag too long'; Image = ('web=public.ecr.aws/sandbox/web:' + ('a' * 129)); Says = 'tag' }
        @{ Name = 'an image over 255 characters'; Image = ('web=public.ecr.aws/sandbox/' + ('w' * 250)); Says = '255' }
        @{ Name = 'an empty container name in a hashtable'; Image = @{ ' ' = 'public.ecr.aws/sandbox/web:1' }; Says = 'container name' }
        @{ Name = 'an empty container name before ='; Image = '=public.ecr.aws/sandbox/web:1'; Says = 'no container name' }
        @{ Name = 'a container named twice'; Image = @('web=public.ecr.aws/sandbox/web:1', 'web=public.ecr.aws/sandbox/web:2'); Says = "container 'web' twice" }
        @{ Name = 'a container name with a space'; Image = 'my web=public.ecr.aws/sandbox/web:1'; Says = 'not a container name' }
    ) {
        $failure = $null
        try { Start-BlueGreenDeployment -Cluster sandbox -Service web -Image $Image @Aws -Confirm:$false -ErrorAction Stop; throw 'no error' }
        catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidImage,*'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.Exception.Message | Should -Match $Says
        $failure.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        @(Get-SandboxCall) | Should -BeNullOrEmpty -Because 'the image is checked before any call'
        @((Invoke-SandboxControl GET 'requests').requests | Where-Object { $_.operation -in 'RegisterTaskDefinition', 'CreateDeployment' }) | Should -BeNullOrEmpty
    }

    It 'refuses a container the task definition does not have, with only reads made' {
        Start-BlueGreenDeployment -Cluster sandbox -Service web -Image @{ api = 'public.ecr.aws/sandbox/api:1' } @Aws -ErrorAction SilentlyContinue -ErrorVariable unknown
        $unknown[0].FullyQualifiedErrorId | Should -BeLike 'UnknownContainer,*'
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }

    It 'takes <Name>' -ForEach @(
        @{ Name = 'a digest'; Image = "web=public.ecr.aws/sandbox/web@sha256:$('a1' * 32)" }
        @{ Name = 'a registry with a port'; Image = 'web=localhost:5000/sandbox/web:2.4.1' }
        @{ Name = 'a tag and a digest'; Image = "web=registry.example.com:443/team/web-app_v2:2.4.1-rc.1@sha256:$('0f' * 32)" }
    ) {
        Start-BlueGreenDeployment -Cluster sandbox -Service web -Image $Image @Aws -WhatIf -ErrorAction Stop | Should -BeNullOrEmpty
        @(Get-SandboxCall | Where-Object operation -eq 'DescribeTaskDefinition').Count | Should -BeGreaterThan 0 -Because 'the plan was made'
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }
}

Describe 'Messages in the user''s terms' {
    BeforeEach { Reset-TestSandbox }

    It 'a lost RegisterTaskDefinition answer says what to do with Start-BlueGreenDeployment, not with an AWS operation' {
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'ecs'; operation = 'RegisterTaskDefinition'; errorRate = 1.0 }
        $attempts = [Environment]::GetEnvironmentVariable('AWS_MAX_ATTEMPTS')
        Set-EnvironmentVariable AWS_MAX_ATTEMPTS '2'
        try {
            Start-BlueGreenDeployment -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:9.9' @Aws -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable lost
        }
        finally { $null = Invoke-SandboxControl DELETE 'faults'; Set-EnvironmentVariable AWS_MAX_ATTEMPTS $attempts }
        @(Get-SandboxCall | Where-Object operation -eq 'RegisterTaskDefinition').Count | Should -Be 2 -Because 'a lost answer is registered again, as often as AWS_MAX_ATTEMPTS allows' 
        $lost[0].ErrorDetails.RecommendedAction | Should -Not -Match 'RegisterTaskDefinition'
        $lost[0].ErrorDetails.RecommendedAction | Should -Match 'Start-BlueGreenDeployment'
        $lost[0].Exception.Message | Should -Match 'No release was started'
        @(Get-SandboxCall | Where-Object operation -eq 'CreateDeployment') | Should -BeNullOrEmpty
    }

    It 'a pipeline that stops at the result (Select-Object -First) prints no Ctrl+C warning, and never "goes on" for a release that ended' {
        $bad = New-WebRevision @{ SANDBOX_BODY = 'bad'; SANDBOX_STATUS = '500' }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition $bad -Hook @{ AfterAllowTestTraffic = 'no-such-function' } @Aws
        $null = $d | Wait-BlueGreenDeployment -AllowFailure
        $script = @"
`$env:AWS_ACCESS_KEY_ID = 'test'; `$env:AWS_SECRET_ACCESS_KEY = 'test'
Import-Module '$(Get-ModuleManifestPath)' -ErrorAction Stop
`$first = Wait-BlueGreenDeployment -Id $($d.DeploymentId) -AllowFailure -Region us-east-1 -EndpointUrl '$EP' | Select-Object -First 1
"status=`$(`$first.Status)"
Wait-BlueGreenDeployment -Id $($d.DeploymentId) -Region us-east-1 -EndpointUrl '$EP' -ErrorAction SilentlyContinue | Select-Object -First 1
"done"
"@
        $result = Invoke-FreshPwsh $script
        $text = $result.Output -join "`n"
        $text | Should -Match 'status=Failed'
        $text | Should -Match 'done'
        $text | Should -Not -Match 'goes on in AWS'
        $text | Should -Not -Match 'Stopped waiting'
    }
}
