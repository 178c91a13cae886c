# ECS blue/green through CodeDeploy as a user runs it: the built module against a seeded sandbox.
# Each test starts from a freshly seeded sandbox; what production serves is read from the listener's answers.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 1000
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }

    function script:Wait-GreenWeight([string] $ProductionEndpoint, [int] $Percent, [int] $Seconds = 120) {
        # Polls the sandbox's own state (a cheap look, not the thing under test) until the production listener
        # gives green this weight.
        $port = ([uri] $ProductionEndpoint).Port
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while ($true) {
            $region = @((Invoke-SandboxControl GET 'state?region=us-east-1').regions)[0]
            $listener = @($region.elbv2.listeners | Where-Object Port -eq $port)[0]
            $green = @($listener.DefaultActions[0].ForwardConfig.TargetGroups | Where-Object TargetGroupArn -like '*:targetgroup/web-green/*')[0]
            if ($green -and $green.Weight -eq $Percent) { return }
            if ([DateTime]::UtcNow -gt $deadline) { throw "Production never gave green $Percent%: $($listener | ConvertTo-Json -Depth 8 -Compress)" }
            Start-Sleep -Milliseconds 50
        }
    }
    function script:Wait-Until([scriptblock] $Condition, [int] $Seconds = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for: $Condition" }
            Start-Sleep -Milliseconds 100
        }
    }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'Start-BlueGreenDeployment' {
    BeforeEach { Reset-TestSandbox }

    It 'releases a task definition by canary: production serves blue before, both during, green after' {
        # At 5x the five-minute canary is a minute of wall time, so it is found well inside; then time is held.
        Set-SandboxTimeScale 5
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift Canary50Percent5Minutes -Description 'canary of web:2' @Aws
        $d.DeploymentId | Should -Match '^d-[A-Z0-9]{9}$'
        $d.Region | Should -Be 'us-east-1'
        $d.EndpointUrl | Should -Be $EP
        $d.Cluster | Should -Be 'sandbox'; $d.Service | Should -Be 'web'
        $d.GreenTaskDefinition | Should -BeLike '*task-definition/web:2'
        $d.BlueTaskDefinition | Should -BeLike '*task-definition/web:1'
        $d.TrafficShift | Should -Be 'BlueGreen.ECSCanary50Percent5Minutes'
        $d.Description | Should -Be 'canary of web:2'
        $d.ProductionEndpoint | Should -Match '^http://127\.0\.0\.1:\d+/$'
        $d.TestEndpoint | Should -Match '^http://127\.0\.0\.1:\d+/$'

        $ready = $d | Wait-BlueGreenDeployment -Until Ready
        $ready.LifecycleEvents.Where({ $_.Name -eq 'AllowTestTraffic' }).Status | Should -Be 'Succeeded'
        Get-ServingTaskDefinition $ready.TestEndpoint 5 | Sort-Object -Unique | Should -Be 'web:2'

        Wait-GreenWeight $d.ProductionEndpoint 50
        Set-SandboxTimeScale 0
        ($d | Get-BlueGreenDeployment).GreenTrafficPercent | Should -Be 50
        $during = Get-ServingTaskDefinition $d.ProductionEndpoint 40
        $during | Should -Contain 'web:1'
        $during | Should -Contain 'web:2'

        Set-SandboxTimeScale 600
        $done = $d | Wait-BlueGreenDeployment
        $done.Status | Should -Be 'Succeeded'
        $done.GreenTrafficPercent | Should -Be 100
        $done.LifecycleEvents.Count | Should -Be 8
        $done.LifecycleEvents | ForEach-Object { $_.StartTime | Should -Not -BeNullOrEmpty }
        Get-ServingTaskDefinition $d.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:2'
    }

    It 'creates a custom traffic shift once and reuses it' {
        Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift Linear50PercentEvery1Minute -Wait @Aws | ForEach-Object Status | Should -Be 'Succeeded'
        Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:1 -TrafficShift BlueGreen.ECSLinear50PercentEvery1Minutes -Wait @Aws | ForEach-Object Status | Should -Be 'Succeeded'
        @(Get-SandboxCall | Where-Object operation -eq 'CreateDeploymentConfig').Count | Should -Be 1
        (Invoke-SandboxCli deploy get-deployment-config --deployment-config-name BlueGreen.ECSLinear50PercentEvery1Minutes).deploymentConfigInfo.trafficRoutingConfig.timeBasedLinear.linearPercentage | Should -Be 50
    }

    It 'registers a revision with only the image changed for -Image <Shape>' -ForEach @(
        @{ Shape = 'container=image'; Image = 'web=public.ecr.aws/sandbox/web:9.1' ; Expected = 'public.ecr.aws/sandbox/web:9.1' }
        @{ Shape = 'a hashtable'; Image = @{ web = 'public.ecr.aws/sandbox/web:9.2' }; Expected = 'public.ecr.aws/sandbox/web:9.2' }
        @{ Shape = 'a plain image'; Image = 'public.ecr.aws/sandbox/web:9.3'; Expected = 'public.ecr.aws/sandbox/web:9.3' }
    ) {
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image $Image -TrafficShift AllAtOnce -Wait @Aws
        $d.Status | Should -Be 'Succeeded'
        $d.GreenTaskDefinition | Should -BeLike '*task-definition/web:3'
        $definition = (Invoke-SandboxCli ecs describe-task-definition --task-definition web:3).taskDefinition
        $definition.containerDefinitions[0].image | Should -Be $Expected
        ($definition.containerDefinitions[0].environment | Where-Object name -eq 'SANDBOX_BODY').value | Should -Be "web version 1`n"
        $definition.cpu | Should -Be '256'
        Get-ServingTaskDefinition $d.ProductionEndpoint 5 | Sort-Object -Unique | Should -Be 'web:3'
    }

    It 'puts Lambda hooks in the AppSpec' {
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -Hook @{ BeforeAllowTraffic = 'release-hook' } -TrafficShift AllAtOnce -Wait @Aws
        $d.Status | Should -Be 'Succeeded'
        @(Get-SandboxCall | Where-Object { $_.operation -eq 'PutLifecycleEventHookExecutionStatus' }).Count | Should -Be 0 -Because 'the hook reports back itself, not through the client'
        $log = (Invoke-SandboxControl GET 'requests').requests
        @($log | Where-Object { $_.source -eq 'lambda:release-hook' -and $_.operation -eq 'PutLifecycleEventHookExecutionStatus' }).Count | Should -Be 1
    }

    It 'with -WhatIf prints the plan and makes no change' {
        $null = Invoke-SandboxControl DELETE 'requests'
        $script = @"
`$env:AWS_ACCESS_KEY_ID = 'test'; `$env:AWS_SECRET_ACCESS_KEY = 'test'
Import-Module '$(Get-ModuleManifestPath)' -ErrorAction Stop
`$r = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image 'web=img:2' -TrafficShift Canary20Percent3Minutes -Region us-east-1 -EndpointUrl '$EP' -WhatIf
"objects=`$(@(`$r).Count)"
"@
        $result = Invoke-FreshPwsh $script
        $text = $result.Output -join "`n"
        $result.ExitCode | Should -Be 0 -Because $text
        $text | Should -Match "What if: Start a blue/green release of service 'web' in cluster 'sandbox' through CodeDeploy application 'web', group 'web-dg'"
        $text | Should -Match 'Green:\s+a new revision of .*web:1 with web=img:2'
        $text | Should -Match 'Traffic shift:\s+BlueGreen.ECSCanary20Percent3Minutes \(custom configuration, created first\)'
        $text | Should -Match 'T\+0m\s+production 20% green, 80% blue'
        $text | Should -Match 'T\+3m\s+production 100% green'
        $text | Should -Match 'T\+8m\s+blue removed'
        $text | Should -Match 'Alarms:\s+web-5xx'
        $text | Should -Match 'Rollback:\s+automatic on DEPLOYMENT_FAILURE'
        $text | Should -Match 'ContainerName: "web"'
        $text | Should -Match 'objects=0'
        $calls = Get-SandboxCall
        $calls.Count | Should -BeGreaterThan 0 -Because 'the plan reads what exists'
        @($calls | Where-Object mutating) | Should -BeNullOrEmpty
        (Invoke-SandboxCli deploy list-deployments).deployments | Should -BeNullOrEmpty
    }

    It 'refuses <Name> with <ErrorId> before changing anything' -ForEach @(
        @{ Name = 'an unknown service'; Arguments = @{ Cluster = 'sandbox'; Service = 'nope'; TaskDefinition = 'web:2' }; ErrorId = 'ServiceNotFound' }
        @{ Name = 'an unknown cluster'; Arguments = @{ Cluster = 'nowhere'; Service = 'web'; TaskDefinition = 'web:2' }; ErrorId = 'ClusterNotFound' }
        @{ Name = 'an unknown container'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; Image = 'api=img:2' }; ErrorId = 'UnknownContainer' }
        @{ Name = 'an unknown task definition'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:99' }; ErrorId = 'TaskDefinitionNotFound' }
        @{ Name = 'a group that does not own the service'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; ApplicationName = 'orders'; DeploymentGroupName = 'orders-dg' }; ErrorId = 'GroupDoesNotOwnService' }
        @{ Name = 'an unknown group'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; ApplicationName = 'web'; DeploymentGroupName = 'nope' }; ErrorId = 'DeploymentGroupNotFound' }
        @{ Name = 'a group without application'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; DeploymentGroupName = 'web-dg' }; ErrorId = 'GroupWithoutApplication' }
        @{ Name = 'a traffic shift that is not one'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; TrafficShift = 'Canary150Percent5Minutes' }; ErrorId = 'InvalidTrafficShift' }
        @{ Name = 'a hook on an event without hooks'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; Hook = @{ AllowTraffic = 'fn' } }; ErrorId = 'InvalidHook' }
        @{ Name = 'an image with no name after ='; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; Image = 'web=' }; ErrorId = 'InvalidImage' }
        @{ Name = 'an empty image table'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; Image = @{} }; ErrorId = 'InvalidImage' }
        @{ Name = 'an image of the wrong type'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; Image = 42 }; ErrorId = 'InvalidImage' }
    ) {
        $null = Invoke-SandboxControl DELETE 'requests'
        $failure = $null
        try { Start-BlueGreenDeployment @Arguments @Aws -ErrorAction Stop; throw 'no error' }
        catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $failure.Exception.Message | Should -Not -BeNullOrEmpty
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }

    It 'refuses a service that is not CODE_DEPLOY-controlled, or that no group owns' {
        $null = Invoke-SandboxCli ecs create-service --cluster sandbox --service-name plain --task-definition web:1 --desired-count 1
        $null = Invoke-SandboxCli ecs create-service --cluster sandbox --service-name orphan --task-definition web:1 --desired-count 1 --deployment-controller type=CODE_DEPLOY `
            --load-balancers "targetGroupArn=$((Invoke-SandboxCli elbv2 describe-target-groups --names web-blue).TargetGroups[0].TargetGroupArn),containerName=web,containerPort=80"
        $null = Invoke-SandboxControl DELETE 'requests'
        Start-BlueGreenDeployment -Cluster sandbox -Service plain -TaskDefinition web:2 @Aws -ErrorAction SilentlyContinue -ErrorVariable plain
        $plain[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotBlueGreenCapable,*'
        $plain[0].Exception.Message | Should -Match 'no load balancer'
        Start-BlueGreenDeployment -Cluster sandbox -Service plain -TaskDefinition web:2 -Controller CodeDeploy @Aws -ErrorAction SilentlyContinue -ErrorVariable named
        $named[0].FullyQualifiedErrorId | Should -BeLike 'NotCodeDeployControlled,*'
        $named[0].Exception.Message | Should -Match 'ECS deployment controller'
        Start-BlueGreenDeployment -Cluster sandbox -Service orphan -TaskDefinition web:2 @Aws -ErrorAction SilentlyContinue -ErrorVariable orphan
        $orphan[0].FullyQualifiedErrorId | Should -BeLike 'NoDeploymentGroup,*'
        $orphan[0].ErrorDetails.RecommendedAction | Should -Match 'ApplicationName'
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }

    It 'refuses while a release is active and says how to attach to it' {
        Set-SandboxTimeScale 0 # the first release surely stays active
        $first = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 @Aws
        $null = Invoke-SandboxControl DELETE 'requests'
        Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:1 @Aws -ErrorAction SilentlyContinue -ErrorVariable busy
        $busy[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentAlreadyActive,*'
        $busy[0].TargetObject | Should -Be $first.DeploymentId
        $busy[0].ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape("Get-BlueGreenDeployment -Id $($first.DeploymentId) | Wait-BlueGreenDeployment"))
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }
}

Describe 'Get-BlueGreenDeployment and Wait-BlueGreenDeployment' {
    BeforeEach { Reset-TestSandbox }

    It 'finds the latest release of a service, and every one with -All' {
        $one = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws
        $two = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:1 -TrafficShift AllAtOnce -Wait @Aws
        $latest = @(Get-BlueGreenDeployment -Cluster sandbox -Service web @Aws)
        $latest.Count | Should -Be 1
        $latest[0].DeploymentId | Should -Be $two.DeploymentId
        $latest[0].BlueTaskDefinition | Should -BeLike '*web:2'
        $all = @(Get-BlueGreenDeployment -Cluster sandbox -Service web -All @Aws)
        $all.DeploymentId | Should -Be @($two.DeploymentId, $one.DeploymentId)
        $all | ForEach-Object { $_.Status | Should -Be 'Succeeded' }
        ($all | Format-Table | Out-String) | Should -Match ([regex]::Escape($one.DeploymentId) + '\s+Succeeded\s+web')
        $all.Phase | Should -Be @('Complete', 'Complete')
        # Filters look through the history: by state, by creation time, and the newest few.
        @(Get-BlueGreenDeployment -Cluster sandbox -Service web -First 1 @Aws).DeploymentId | Should -Be @($two.DeploymentId)
        @(Get-BlueGreenDeployment -Cluster sandbox -Service web -Status Succeeded -Since $all[1].CreateTime @Aws).DeploymentId | Should -Be @($two.DeploymentId, $one.DeploymentId)
        @(Get-BlueGreenDeployment -Cluster sandbox -Service web -Since $all[0].CreateTime @Aws).DeploymentId | Should -Be @($two.DeploymentId)
        @(Get-BlueGreenDeployment -Cluster sandbox -Service web -Status Failed, Stopped @Aws).Count | Should -Be 0
        # Unnamed, the group is searched for; named, it is read straight away, with the same answer.
        $null = Invoke-SandboxControl DELETE 'requests'
        $null = Get-BlueGreenDeployment -Cluster sandbox -Service web -All @Aws
        (Get-SandboxCall ListApplications).Count | Should -BeGreaterThan 0
        $null = Invoke-SandboxControl DELETE 'requests'
        @(Get-BlueGreenDeployment -Cluster sandbox -Service web -ApplicationName web -DeploymentGroupName web-dg -All @Aws).DeploymentId | Should -Be $all.DeploymentId
        (Get-SandboxCall ListApplications).Count + (Get-SandboxCall ListDeploymentGroups).Count | Should -Be 0
        @(Get-BlueGreenDeployment -Cluster sandbox -Service web -ApplicationName web @Aws).DeploymentId | Should -Be @($two.DeploymentId)
        (Get-SandboxCall ListApplications).Count | Should -Be 0
        # A named group that does not release the service, or a group without its application, is refused.
        { Get-BlueGreenDeployment -Cluster sandbox -Service web -ApplicationName orders -DeploymentGroupName orders-dg @Aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'GroupDoesNotOwnService*'
        { Get-BlueGreenDeployment -Cluster sandbox -Service web -DeploymentGroupName web-dg @Aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'GroupWithoutApplication*'
        # History fills every column of the table but the last, Error (none here).
        $lines = @(($all | Format-Table | Out-String -Width 120) -split '\r?\n' | Where-Object { $_.Trim() })
        $columns = @([regex]::Matches($lines[1], '-+'))
        $columns.Count | Should -Be 8
        foreach ($row in $lines[2..($lines.Count - 1)]) {
            foreach ($column in $columns[0..6]) { $row.PadRight(120).Substring($column.Index, $column.Length).Trim() | Should -Not -BeNullOrEmpty -Because "column $($column.Index) of: $row" }
        }
    }

    It 'binds ids by value and by property name, and objects by value with their endpoint' {
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws
        ($d.DeploymentId | Get-BlueGreenDeployment @Aws).DeploymentId | Should -Be $d.DeploymentId
        ([pscustomobject]@{ DeploymentId = $d.DeploymentId } | Get-BlueGreenDeployment @Aws).DeploymentId | Should -Be $d.DeploymentId
        # No -EndpointUrl: the piped object knows where it lives.
        ($d | Get-BlueGreenDeployment).Status | Should -Be 'Succeeded'
        ($d | Wait-BlueGreenDeployment -Until Succeeded).Status | Should -Be 'Succeeded'
        (Wait-BlueGreenDeployment -Id $d.DeploymentId @Aws).Status | Should -Be 'Succeeded'
    }

    It 'Wait reports a release that fails or stops as an error unless -AllowFailure' {
        $bad = New-WebRevision @{ SANDBOX_BODY = 'bad'; SANDBOX_STATUS = '500' }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition $bad -Hook @{ AfterAllowTestTraffic = 'no-such-function' } @Aws
        $d | Wait-BlueGreenDeployment -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
        $failed[0].Exception.Message | Should -Match 'rolled back by d-'
        $allowed = $d | Wait-BlueGreenDeployment -AllowFailure
        $allowed.Status | Should -Be 'Failed'
        $allowed.RolledBack | Should -BeTrue
        $rollback = Get-BlueGreenDeployment -Id $allowed.RollbackDeploymentId @Aws | Wait-BlueGreenDeployment
        $rollback.IsRollback | Should -BeTrue
        Get-ServingTaskDefinition $d.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:1'
    }

    It 'Wait -Timeout gives up with WaitTimedOut and leaves the release running' {
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 5 }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift Canary10Percent15Minutes @Aws
        Set-SandboxTimeScale 0 # however slow the machine, the release cannot finish within the wait
        $d | Wait-BlueGreenDeployment -Timeout 1 -ErrorAction SilentlyContinue -ErrorVariable late
        $late[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        ($d | Get-BlueGreenDeployment).IsComplete | Should -BeFalse
    }

    It 'Ctrl+C while waiting stops the wait, not the release' {
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 5 }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift Canary10Percent15Minutes @Aws
        Set-SandboxTimeScale 0 # the release is still in flight however long the wait takes to start
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$(Get-ModuleManifestPath)'; Wait-BlueGreenDeployment -Id $($d.DeploymentId) -EndpointUrl '$EP' -Region us-east-1")
            $running = $shell.BeginInvoke()
            Wait-Until { @(Get-SandboxCall | Where-Object operation -eq 'GetDeploymentTarget').Count -ge 2 }
            $shell.Stop()
            { $shell.EndInvoke($running) } | Should -Throw
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $shell.Dispose() }
        $after = $d | Get-BlueGreenDeployment
        $after.IsComplete | Should -BeFalse
        @(Get-SandboxCall | Where-Object { $_.operation -eq 'StopDeployment' }) | Should -BeNullOrEmpty
    }

    It 'refuses a malformed id for <Command> before any call' -ForEach @(
        @{ Command = 'Get-BlueGreenDeployment' }, @{ Command = 'Wait-BlueGreenDeployment' }, @{ Command = 'Undo-Deployment' }, @{ Command = 'Set-TrafficShift' }
    ) {
        $null = Invoke-SandboxControl DELETE 'requests'
        $extra = if ($Command -eq 'Set-TrafficShift') { @{ Continue = $true } } elseif ($Command -eq 'Undo-Deployment') { @{ Confirm = $false } } else { @{} }
        & $Command -Id 'd-WITH SPACE' @extra @Aws -ErrorAction SilentlyContinue -ErrorVariable bad
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDeploymentId,*'
        @(Get-SandboxCall) | Should -BeNullOrEmpty
    }

    It 'an id that does not exist gives DeploymentNotFound' {
        Wait-BlueGreenDeployment -Id d-NOTTHERE1 @Aws -ErrorAction SilentlyContinue -ErrorVariable missing
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentNotFound,*'
        { Wait-BlueGreenDeployment -Id d-NOTTHERE1 -Timeout 0 @Aws } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { Wait-BlueGreenDeployment -Id d-NOTTHERE1 -Until Sometime @Aws } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,*'
    }
}

Describe 'Set-TrafficShift' {
    BeforeEach { Reset-TestSandbox }

    It 'gates a release: Ready, refused on a failed smoke test, Continue, Baking, Complete' {
        Set-ReadyWait -TerminationMinutes 120
        # Ready is found at 60x (its 600-minute timeout is ten minutes of wall time), then time is held until
        # Complete: neither the Ready timeout nor the termination wait can end on their own while the gate is worked.
        Set-SandboxTimeScale 60
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws | Wait-BlueGreenDeployment -Until Ready
        Set-SandboxTimeScale 0
        $d.Status | Should -Be 'Ready'
        Get-ServingTaskDefinition $d.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:1'
        Get-ServingTaskDefinition $d.TestEndpoint 5 | Sort-Object -Unique | Should -Be 'web:2'

        $null = Invoke-SandboxControl DELETE 'requests'
        $smoke = [pscustomobject]@{ DeploymentId = $d.DeploymentId; Passed = $false }
        $smoke | Set-TrafficShift -Continue @Aws -ErrorAction SilentlyContinue -ErrorVariable refused | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'SmokeTestFailed,*'
        $refused[0].ErrorDetails.RecommendedAction | Should -Match 'Undo-Deployment'
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
        ($d | Get-BlueGreenDeployment).Status | Should -Be 'Ready'

        [pscustomobject]@{ DeploymentId = $d.DeploymentId; Passed = $true } | Set-TrafficShift -Continue @Aws -WhatIf | Should -BeNullOrEmpty
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty

        $baking = [pscustomobject]@{ DeploymentId = $d.DeploymentId; Passed = $true } | Set-TrafficShift -Continue @Aws -Confirm:$false
        $baking.DeploymentId | Should -Be $d.DeploymentId
        Wait-Until { ($d | Get-BlueGreenDeployment).Status -eq 'Baking' }
        Get-ServingTaskDefinition $d.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:2'
        $waitStarted = ($d | Get-BlueGreenDeployment).LifecycleEvents[-1].EndTime

        $completing = $d | Set-TrafficShift -Complete -Confirm:$false
        Set-SandboxTimeScale 600 # without the Complete, the release would now sit out its 120 minutes
        $done = $completing | Wait-BlueGreenDeployment
        $done.Status | Should -Be 'Succeeded'
        ($done.CompleteTime - $waitStarted).TotalMinutes | Should -BeLessThan 120 -Because 'Complete ends the 120-minute termination wait early'
        @(Get-SandboxCall | Where-Object operation -eq 'ContinueDeployment').Count | Should -Be 2
    }

    It '-Force continues despite a failed smoke test' {
        Set-ReadyWait -TerminationMinutes 1
        Set-SandboxTimeScale 60 # the 600-minute Ready timeout is ten minutes of wall time
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws | Wait-BlueGreenDeployment -Until Ready
        [pscustomobject]@{ DeploymentId = $d.DeploymentId; Passed = $false } | Set-TrafficShift -Continue -Force -Confirm:$false @Aws | Wait-BlueGreenDeployment |
            ForEach-Object Status | Should -Be 'Succeeded'
    }

    It 'gives a group a Ready wait, kept with its other blue/green settings, and takes it away again' {
        Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -ReadyWait 45 -Confirm:$false @Aws
        $group = (Invoke-SandboxCli deploy get-deployment-group --application-name web --deployment-group-name web-dg).deploymentGroupInfo
        $group.blueGreenDeploymentConfiguration.deploymentReadyOption.actionOnTimeout | Should -Be 'STOP_DEPLOYMENT'
        $group.blueGreenDeploymentConfiguration.deploymentReadyOption.waitTimeInMinutes | Should -Be 45
        $group.blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes | Should -Be 5
        $group.deploymentConfigName | Should -Be 'CodeDeployDefault.ECSCanary10Percent5Minutes'

        # Ready is found at 60x (the 45-minute timeout is 45 s of wall time), then time is held: what is judged is that
        # the release waits for a go-ahead (one without a Ready wait moves on even while time is held), not the clock.
        Set-SandboxTimeScale 60
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce @Aws | Wait-BlueGreenDeployment -Until Ready
        Set-SandboxTimeScale 0
        Start-Sleep -Milliseconds 500
        ($d | Get-BlueGreenDeployment).Status | Should -Be 'Ready' -Because 'it waits for the go-ahead'

        Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -ReadyWait 0 -TrafficShift AllAtOnce -Confirm:$false @Aws
        $group = (Invoke-SandboxCli deploy get-deployment-group --application-name web --deployment-group-name web-dg).deploymentGroupInfo
        $group.blueGreenDeploymentConfiguration.deploymentReadyOption.actionOnTimeout | Should -Be 'CONTINUE_DEPLOYMENT'
        $group.deploymentConfigName | Should -Be 'CodeDeployDefault.ECSAllAtOnce'
        { Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg @Aws -ErrorAction Stop } | Should -Throw -ErrorId 'NothingToSet,*'
    }

    It 'refuses to go on with a release that is not waiting; -Complete asks first even at the default $ConfirmPreference' {
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws
        $d | Set-TrafficShift -Continue -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable over
        $over[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentAlreadyCompleted,*'
        { $d | Set-TrafficShift -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ContinueOrComplete,*'
        { $d | Set-TrafficShift -Continue -Complete -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ContinueOrComplete,*'

        # A runspace without a host that can prompt, at the default $ConfirmPreference (High): -Complete (final) must ask,
        # and so fails before any AWS call; -Continue (Medium) does not ask; -Confirm:$false, -Force and a preference of
        # None complete without asking, so they reach AWS (which says the release has ended).
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($Manifest) Import-Module $Manifest').AddArgument((Get-ModuleManifestPath)).Invoke()
            function Invoke-Hostless([string] $Script) {
                $ps.Commands.Clear(); $ps.Streams.Error.Clear()
                $null = $ps.AddScript("param(`$Id, `$Aws) `$ErrorActionPreference = 'Stop'; $Script").AddArgument($d.DeploymentId).AddArgument($Aws)
                try { $null = $ps.Invoke(); 'no error' } catch { $_.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId }
            }
            $ps.Commands.Clear(); $ps.AddScript('$ConfirmPreference').Invoke() | Should -Be 'High'
            $null = Invoke-SandboxControl DELETE 'requests'
            $asked = Invoke-Hostless 'Set-TrafficShift -Id $Id -Complete @Aws'
            $asked | Should -Not -BeLike 'DeploymentAlreadyCompleted,*'
            $asked | Should -Match 'Host|Prompt|Interact'
            @(Get-SandboxCall) | Should -BeNullOrEmpty
            Invoke-Hostless 'Set-TrafficShift -Id $Id -Continue @Aws' | Should -BeLike 'DeploymentAlreadyCompleted,*'
            Invoke-Hostless 'Set-TrafficShift -Id $Id -Complete -Confirm:$false @Aws' | Should -BeLike 'DeploymentAlreadyCompleted,*'
            Invoke-Hostless 'Set-TrafficShift -Id $Id -Complete -Force @Aws' | Should -BeLike 'DeploymentAlreadyCompleted,*'
            Invoke-Hostless '$ConfirmPreference = ''None''; Set-TrafficShift -Id $Id -Complete @Aws' | Should -BeLike 'DeploymentAlreadyCompleted,*'
        }
        finally { $ps.Dispose() }
    }

    It 'sets a group default traffic shift, creating the custom config' {
        $null = Invoke-SandboxControl DELETE 'requests'
        Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -TrafficShift Canary30Percent2Minutes -WhatIf @Aws
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
        Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -TrafficShift Canary30Percent2Minutes -Confirm:$false @Aws | Should -BeNullOrEmpty
        (Invoke-SandboxCli deploy get-deployment-group --application-name web --deployment-group-name web-dg).deploymentGroupInfo.deploymentConfigName | Should -Be 'BlueGreen.ECSCanary30Percent2Minutes'
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 @Aws
        $d.TrafficShift | Should -Be 'BlueGreen.ECSCanary30Percent2Minutes'
        { Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -TrafficShift Sideways @Aws -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTrafficShift,*'
        Set-TrafficShift -ApplicationName web -DeploymentGroupName nope -TrafficShift AllAtOnce -Confirm:$false @Aws -ErrorAction SilentlyContinue -ErrorVariable missing
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentGroupNotFound,*'
    }
}

Describe 'Undo-Deployment' {
    BeforeEach { Reset-TestSandbox }

    It 'stops a bad release in flight and follows the rollback until blue serves everything' {
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 10 }
        $bad = New-WebRevision @{ SANDBOX_BODY = 'bad'; SANDBOX_STATUS = '500' }
        $before = Get-BlueGreenDeployment -Cluster sandbox -Service web @Aws -ErrorAction SilentlyContinue
        $production = (Invoke-SandboxCli elbv2 describe-listeners --load-balancer-arn (Invoke-SandboxCli elbv2 describe-load-balancers --names web-alb).LoadBalancers[0].LoadBalancerArn).Listeners[0].Port
        $before | Should -BeNullOrEmpty -Because 'the seeded service has had no release yet'
        Get-ServingTaskDefinition "http://127.0.0.1:$production/" 10 | Sort-Object -Unique | Should -Be 'web:1'
        # No production traffic while green is bad: enough 5xx would trip the group's alarm and roll back on its own.
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition $bad -TrafficShift Canary10Percent15Minutes @Aws | Wait-BlueGreenDeployment -Until Ready
        # Held from here: the release is surely still in flight when it is undone, however slow the machine.
        # The rollback takes no simulated time, so it completes while time is held.
        Set-SandboxTimeScale 0
        $d.ProductionEndpoint | Should -Be "http://127.0.0.1:$production/"
        (Invoke-WebRequest $d.TestEndpoint -SkipHttpErrorCheck).StatusCode | Should -Be 500

        $null = Invoke-SandboxControl DELETE 'requests'
        $d | Undo-Deployment -WhatIf
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty

        $undone = $d | Undo-Deployment -Confirm:$false
        $undone.DeploymentId | Should -Be $d.DeploymentId -Because 'what Undo returns is the release undone, as it serves now'
        $undone.Status | Should -Be 'Stopped'
        $undone.GreenTrafficPercent | Should -Be 0
        $rollback = Get-BlueGreenDeployment -Id $undone.RollbackDeploymentId @Aws
        $rollback.IsRollback | Should -BeTrue
        $rollback.RollbackTriggeringDeploymentId | Should -Be $d.DeploymentId
        $rollback.Status | Should -Be 'Succeeded'
        @(Get-SandboxCall | Where-Object operation -eq 'StopDeployment').Count | Should -Be 1
        Get-ServingTaskDefinition $d.ProductionEndpoint 20 | Sort-Object -Unique | Should -Be 'web:1'
        $stopped = $d | Get-BlueGreenDeployment
        $stopped.Status | Should -Be 'Stopped'
        $stopped.RolledBack | Should -BeTrue
        ($stopped | Undo-Deployment -Confirm:$false).RollbackDeploymentId | Should -Be $rollback.DeploymentId -Because 'a release already rolled back has nothing more to undo'
    }

    It 'once blue is gone, releases the previous task definition again; accepts a smoke result by DeploymentId' {
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws
        Get-ServingTaskDefinition $d.ProductionEndpoint 10 | Sort-Object -Unique | Should -Be 'web:2'
        $again = [pscustomobject]@{ DeploymentId = $d.DeploymentId; Passed = $false } | Undo-Deployment -Confirm:$false @Aws
        $again.IsRollback | Should -BeFalse
        $again.DeploymentId | Should -Not -Be $d.DeploymentId
        $again.GreenTaskDefinition | Should -BeLike '*task-definition/web:1'
        $again.TrafficShift | Should -Be 'CodeDeployDefault.ECSAllAtOnce'
        $again.Description | Should -Be "Undo of $($d.DeploymentId)"
        $again.GreenTrafficPercent | Should -Be 100
        Get-ServingTaskDefinition $d.ProductionEndpoint 20 | Sort-Object -Unique | Should -Be 'web:1'
    }

    It 'says which undo it would do with -WhatIf, and refuses a bad traffic shift' {
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws
        $script = @"
`$env:AWS_ACCESS_KEY_ID = 'test'; `$env:AWS_SECRET_ACCESS_KEY = 'test'
Import-Module '$(Get-ModuleManifestPath)' -ErrorAction Stop
Undo-Deployment -Id $($d.DeploymentId) -TrafficShift Linear50PercentEvery1Minutes -Region us-east-1 -EndpointUrl '$EP' -WhatIf
"@
        $text = (Invoke-FreshPwsh $script).Output -join "`n"
        $text | Should -Match "What if: Blue of release $($d.DeploymentId) is gone: start a new release of the previous task definition .*web:1 on service 'web' \(BlueGreen.ECSLinear50PercentEvery1Minutes\)"
        { $d | Undo-Deployment -TrafficShift 'Backwards' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTrafficShift,*'
        @(Get-SandboxCall | Where-Object operation -eq 'CreateDeployment').Count | Should -Be 1
    }
}

Describe 'Parameter validation' {
    BeforeEach { Reset-TestSandbox }

    It '<Command> refuses <Name> before any call' -ForEach @(
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'an empty -Cluster'; Arguments = @{ Cluster = ''; Service = 'web'; TaskDefinition = 'web:2' } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'an empty -Service'; Arguments = @{ Cluster = 'sandbox'; Service = ''; TaskDefinition = 'web:2' } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'an empty -TaskDefinition'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = '' } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'a null -Image'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; Image = $null } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'both -Image and -TaskDefinition'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; Image = 'x'; TaskDefinition = 'web:2' } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'an empty -ApplicationName'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; ApplicationName = '' } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'an empty -DeploymentGroupName'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; DeploymentGroupName = '' } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'an empty -TrafficShift'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; TrafficShift = '' } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'a null -Hook'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; Hook = $null } }
        @{ Command = 'Start-BlueGreenDeployment'; Name = 'an empty -Description'; Arguments = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; Description = '' } }
        @{ Command = 'Get-BlueGreenDeployment'; Name = 'an empty -Id'; Arguments = @{ Id = '' } }
        @{ Command = 'Get-BlueGreenDeployment'; Name = 'a null -InputObject'; Arguments = @{ InputObject = $null } }
        @{ Command = 'Get-BlueGreenDeployment'; Name = 'an empty -Cluster'; Arguments = @{ Cluster = ''; Service = 'web' } }
        @{ Command = 'Get-BlueGreenDeployment'; Name = '-All without a service'; Arguments = @{ Id = 'd-ABCDEF123'; All = $true } }
        @{ Command = 'Wait-BlueGreenDeployment'; Name = 'a -Timeout of 0'; Arguments = @{ Id = 'd-ABCDEF123'; Timeout = 0 } }
        @{ Command = 'Wait-BlueGreenDeployment'; Name = 'an -Until that is not a state'; Arguments = @{ Id = 'd-ABCDEF123'; Until = 'Soon' } }
        @{ Command = 'Set-TrafficShift'; Name = 'an empty -ApplicationName'; Arguments = @{ ApplicationName = ''; DeploymentGroupName = 'web-dg'; TrafficShift = 'AllAtOnce' } }
        @{ Command = 'Set-TrafficShift'; Name = 'an empty -TrafficShift'; Arguments = @{ ApplicationName = 'web'; DeploymentGroupName = 'web-dg'; TrafficShift = '' } }
        @{ Command = 'Set-TrafficShift'; Name = '-Continue with a group'; Arguments = @{ ApplicationName = 'web'; DeploymentGroupName = 'web-dg'; TrafficShift = 'AllAtOnce'; Continue = $true } }
        @{ Command = 'Set-TrafficShift'; Name = 'a -SmokeTestPassed that is not a boolean'; Arguments = @{ Id = 'd-ABCDEF123'; Continue = $true; SmokeTestPassed = 'maybe' } }
        @{ Command = 'Undo-Deployment'; Name = 'an empty -TrafficShift'; Arguments = @{ Id = 'd-ABCDEF123'; TrafficShift = '' } }
        @{ Command = 'Undo-Deployment'; Name = 'a null -InputObject'; Arguments = @{ InputObject = $null } }
    ) {
        $null = Invoke-SandboxControl DELETE 'requests'
        $failure = $null
        $changes = if ((Get-Command $Command).Parameters.ContainsKey('Confirm')) { @{ Confirm = $false } } else { @{} }
        try { & $Command @Arguments @changes @Aws -ErrorAction Stop; throw 'no error' } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Match '^(ParameterArgument|AmbiguousParameterSet|CannotConvertArgument)'
        $failure.FullyQualifiedErrorId | Should -BeLike "*,BlueGreen.Commands.$($Command -replace '-', '')Command"
        @(Get-SandboxCall) | Should -BeNullOrEmpty
    }
}

Describe 'Faults' {
    BeforeEach { Reset-TestSandbox }

    It 'a CreateDeployment that never gets an answer makes no second release; the next start works' {
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'codedeploy'; operation = 'CreateDeployment'; errorRate = 1.0 }
        $attempts = [Environment]::GetEnvironmentVariable('AWS_MAX_ATTEMPTS')
        Set-EnvironmentVariable AWS_MAX_ATTEMPTS '3'
        try { Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 @Aws -ErrorAction SilentlyContinue -ErrorVariable lost }
        finally { Set-EnvironmentVariable AWS_MAX_ATTEMPTS $attempts }
        $lost[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentOutcomeUnknown,*'
        $lost[0].Exception.Message | Should -Match "release of 'web' could not be started"
        $lost[0].ErrorDetails.RecommendedAction | Should -Match 'Start-BlueGreenDeployment again'
        $creates = @(Get-SandboxCall | Where-Object operation -eq 'CreateDeployment')
        $lists = @(Get-SandboxCall | Where-Object operation -eq 'ListDeployments')
        $creates.Count | Should -Be 3 -Because 'AWS_MAX_ATTEMPTS bounds how often a call whose answer was lost is made again'
        $lists.Count | Should -BeGreaterOrEqual 4 -Because 'one check before, and a look for the deployment after every lost answer'
        (Invoke-SandboxCli deploy list-deployments --application-name web --deployment-group-name web-dg).deployments | Should -BeNullOrEmpty
        $null = Invoke-SandboxControl DELETE 'faults'
        (Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -Wait @Aws).Status | Should -Be 'Succeeded'
        @((Invoke-SandboxCli deploy list-deployments --application-name web --deployment-group-name web-dg).deployments).Count | Should -Be 1
    }

    It 'a CreateDeployment answer lost after CodeDeploy made the deployment (<As>) makes exactly one deployment, and the release succeeds' -TestCases @(
        @{ As = 'drop' }, @{ As = 'error' }
    ) {
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'codedeploy'; operation = 'CreateDeployment'; lostAnswerRate = 1.0; lostAnswerAs = $As }
        try { $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws -ErrorAction Stop }
        finally { $null = Invoke-SandboxControl DELETE 'faults' }
        $d.Status | Should -Be 'Succeeded'
        @(Get-SandboxCall | Where-Object { $_.operation -eq 'CreateDeployment' -and $_.errorCode -eq 'AnswerLost' }).Count | Should -Be 1
        @(Get-SandboxCall | Where-Object operation -eq 'CreateDeployment').Count | Should -Be 1 -Because 'the deployment carrying the release token was found, so the call was not made again'
        $deployments = @((Invoke-SandboxCli deploy list-deployments --application-name web --deployment-group-name web-dg).deployments)
        $deployments | Should -Be @($d.DeploymentId)
    }

    It 'a lost RegisterTaskDefinition answer registers the revision again, and the release succeeds' {
        $before = @((Invoke-SandboxCli ecs list-task-definitions --family-prefix web).taskDefinitionArns)
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'ecs'; operation = 'RegisterTaskDefinition'; lostAnswerRate = 1.0; times = 1 }
        try { $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:lost-answer' -TrafficShift AllAtOnce -Wait @Aws -Confirm:$false -ErrorAction Stop }
        finally { $null = Invoke-SandboxControl DELETE 'faults' }
        $d.Status | Should -Be 'Succeeded'
        $after = @((Invoke-SandboxCli ecs list-task-definitions --family-prefix web).taskDefinitionArns)
        $after.Count - $before.Count | Should -Be 2 -Because 'the revision whose answer was lost stays registered, unused'
        $d.GreenTaskDefinition | Should -Be $after[-1]
        (Invoke-SandboxCli ecs describe-task-definition --task-definition $after[-2]).taskDefinition.containerDefinitions[0].image | Should -Be 'public.ecr.aws/sandbox/web:lost-answer'
        @((Invoke-SandboxCli deploy list-deployments --application-name web --deployment-group-name web-dg).deployments).Count | Should -Be 1
    }

    It 'throttling and 5xx on reads while waiting are retried' {
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'codedeploy'; operation = 'GetDeployment'; throttleRate = 0.3; errorRate = 0.2 }
        $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 60 }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait @Aws
        $d.Status | Should -Be 'Succeeded'
        @((Invoke-SandboxControl GET 'requests').requests | Where-Object { $_.operation -eq 'GetDeployment' -and $_.status -ne 200 }).Count | Should -BeGreaterThan 0
        $null = Invoke-SandboxControl DELETE 'faults'
    }
}
