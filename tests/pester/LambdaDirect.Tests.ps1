# Lambda aliases released by the module itself (-Controller Module), on the sandbox: the canary driven by whoever
# waits, found and resumed from a fresh session, rolled back by an alarm, held by hand, undone in flight and after
# success, a change by someone else reported rather than overwritten, and bad input refused before any change.
# The AWS CLI sets up and judges the alias, the tags and the alarms.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 300
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }
    $script:Direct = @{ FunctionName = 'payments'; Alias = 'live'; Controller = 'Module'; EndpointUrl = $EP; Confirm = $false }

    function script:Get-LiveAlias { Invoke-SandboxCli lambda get-alias --function-name payments --name live }
    function script:Get-GreenWeight($Alias) {
        if ($Alias.PSObject.Properties['RoutingConfig'] -and $Alias.RoutingConfig.AdditionalVersionWeights) {
            @($Alias.RoutingConfig.AdditionalVersionWeights.PSObject.Properties | ForEach-Object { $_.Value })[0]
        }
        else { 0 }
    }
    function script:Get-PaymentsTags { (Invoke-SandboxCli lambda list-tags --resource (Invoke-SandboxCli lambda get-function --function-name payments).Configuration.FunctionArn).Tags }
    function script:Get-Mutations { @(Get-SandboxCall | Where-Object { $_.service -eq 'lambda' -and $_.operation -in 'UpdateAlias', 'TagResource', 'UntagResource', 'UpdateFunctionCode', 'PublishVersion' }) }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'A release the module drives' {
    BeforeEach { Reset-TestSandbox }

    It 'runs a canary to Succeeded, driven by Wait-BlueGreenDeployment, each step one conditional UpdateAlias' {
        $d = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift Canary10Percent5Minutes
        $d.DeploymentId | Should -Match '^lambda:payments:live:[a-z2-9]{8}$'
        $d.Engine | Should -Be 'LambdaDirect'
        $d.Status | Should -Be 'InProgress'
        $d.BlueVersion | Should -Be '1'
        $d.GreenVersion | Should -Be '2'
        $d.GreenTrafficPercent | Should -Be 10

        $alias = Get-LiveAlias
        $alias.FunctionVersion | Should -Be '1'
        Get-GreenWeight $alias | Should -Be 0.1
        $alias.Description | Should -Match "^bluegreen/1 id=$(($d.DeploymentId -split ':')[-1]) state=Shifting blue=1 green=2 policy=Canary10Percent5Minutes step=0 weight=10 "

        $done = $d | Wait-BlueGreenDeployment -Timeout 60
        $done.Status | Should -Be 'Succeeded'
        $done.GreenTrafficPercent | Should -Be 100
        $done.SwitchedAt | Should -Not -BeNullOrEmpty
        $alias = Get-LiveAlias
        $alias.FunctionVersion | Should -Be '2'
        Get-GreenWeight $alias | Should -Be 0
        $alias.Description | Should -Match 'state=Succeeded .*step=1 weight=100 '
        $updates = @(Get-SandboxCall UpdateAlias)
        $updates.Count | Should -Be 2 -Because 'the canary step at the start and the last step'
        $updates | ForEach-Object { $_.status | Should -Be 200 }

        # Invocations of the alias now reach version 2 alone.
        1..5 | ForEach-Object { (Invoke-SandboxCli lambda invoke --function-name payments --qualifier live (Join-Path $TestDrive 'out.json')).ExecutedVersion } |
            Sort-Object -Unique | Should -Be '2'
    }

    It 'is found from a fresh session by function and alias, and resumed there: nothing moves while nobody watches' {
        $d = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift Canary10Percent5Minutes
        # Five simulated minutes pass in half a second: the step is due, but no one takes it.
        Start-Sleep -Seconds 2
        Get-GreenWeight (Get-LiveAlias) | Should -Be 0.1
        (Get-LiveAlias).FunctionVersion | Should -Be '1'

        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Get-ModuleManifestPath)'
`$found = Get-BlueGreenDeployment -FunctionName payments -Alias live -Controller Module -EndpointUrl '$EP'
"found `$(`$found.DeploymentId) `$(`$found.Status) `$(`$found.GreenTrafficPercent)"
`$done = `$found | Wait-BlueGreenDeployment -Timeout 60
"done `$(`$done.Status) `$(`$done.GreenTrafficPercent)"
"@
        $run = Invoke-FreshPwsh $script @{ AWS_EC2_METADATA_DISABLED = 'true' }
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain "found $($d.DeploymentId) InProgress 10"
        $run.Output | Should -Contain 'done Succeeded 100'
        (Get-LiveAlias).FunctionVersion | Should -Be '2'
        (Get-BlueGreenDeployment -Id $d.DeploymentId @Aws).Status | Should -Be 'Succeeded'
    }

    It 'rolls back at once when an alarm of the release is in ALARM: the alias points at blue alone' {
        Set-SandboxTimeScale 0
        $d = Start-BlueGreenDeployment @Direct -Version 3 -TrafficShift Linear10PercentEvery1Minutes -Alarm payments-errors
        Get-GreenWeight (Get-LiveAlias) | Should -Be 0.1
        (Get-PaymentsTags).'bluegreen:live:alarms' | Should -Be "$(($d.DeploymentId -split ':')[-1]) payments-errors"

        $null = Invoke-SandboxCli cloudwatch set-alarm-state --alarm-name payments-errors --state-value ALARM --state-reason 'Threshold Crossed: 3 errors'
        $ended = $d | Wait-BlueGreenDeployment -Timeout 30 -ErrorAction SilentlyContinue -ErrorVariable failed
        $ended | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
        $failed[0].Exception.Message | Should -Match 'payments-errors'

        $alias = Get-LiveAlias
        $alias.FunctionVersion | Should -Be '1'
        Get-GreenWeight $alias | Should -Be 0
        $alias.Description | Should -Match 'state=RolledBack .*why=alarm'
        $read = Get-BlueGreenDeployment -Id $d.DeploymentId @Aws
        $read.Status | Should -Be 'Failed'
        $read.ErrorCode | Should -Be 'ALARM_ACTIVE'
        $read.ErrorMessage | Should -Match "Alarm 'payments-errors' is in ALARM: Threshold Crossed"
        $read.GreenTrafficPercent | Should -Be 0
        @(Get-SandboxCall UpdateAlias).Count | Should -Be 2 -Because 'the first step and the rollback: no step was taken with time held'
    }

    It 'holds a share set by hand until -Continue, and -Continue goes on from there' {
        $d = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift Canary10Percent5Minutes
        $held = $d | Set-TrafficShift -Percent 50 -Confirm:$false
        $held.GreenTrafficPercent | Should -Be 50
        $held.EngineStatus | Should -Be 'Held'
        Get-GreenWeight (Get-LiveAlias) | Should -Be 0.5

        # Much more than the canary's five minutes pass, looked at by a wait: the hold stands.
        $d | Wait-BlueGreenDeployment -Timeout 3 -ErrorAction SilentlyContinue -ErrorVariable late | Should -BeNullOrEmpty
        $late[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        Get-GreenWeight (Get-LiveAlias) | Should -Be 0.5
        (Get-LiveAlias).Description | Should -Match 'state=Held .*weight=50 '

        $continued = $d | Set-TrafficShift -Continue -Confirm:$false
        $continued.Status | Should -Be 'Succeeded' -Because 'the step above 50% of a canary is the last'
        (Get-LiveAlias).FunctionVersion | Should -Be '2'
    }

    It '-Complete shifts all traffic now, and -Percent is refused on a release that has ended' {
        Set-SandboxTimeScale 0
        $d = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift Linear10PercentEvery3Minutes
        ($d | Set-TrafficShift -Complete -Confirm:$false).Status | Should -Be 'Succeeded'
        (Get-LiveAlias).FunctionVersion | Should -Be '2'
        { $d | Set-TrafficShift -Percent 20 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'DeploymentAlreadyCompleted,*'
    }

    It 'undoes a release in flight: all traffic back on blue at once' {
        Set-SandboxTimeScale 0
        $d = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift Linear10PercentEvery1Minutes
        $undone = $d | Undo-Deployment -Confirm:$false
        $undone.Status | Should -Be 'Stopped'
        $undone.EngineStatus | Should -Be 'Undone'
        $undone.GreenTrafficPercent | Should -Be 0
        $alias = Get-LiveAlias
        $alias.FunctionVersion | Should -Be '1'
        Get-GreenWeight $alias | Should -Be 0
        $writes = @(Get-SandboxCall UpdateAlias).Count
        ($d | Undo-Deployment -Confirm:$false).EngineStatus | Should -Be 'Undone' -Because 'undoing it again has nothing to do'
        @(Get-SandboxCall UpdateAlias).Count | Should -Be $writes
    }

    It 'undoes a release after it succeeded by pointing the alias back, and Get -All shows the earlier releases too' {
        $first = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift AllAtOnce
        $first.Status | Should -Be 'Succeeded'
        (Get-LiveAlias).FunctionVersion | Should -Be '2'
        $first | Undo-Deployment -WhatIf | Should -BeNullOrEmpty
        (Get-LiveAlias).FunctionVersion | Should -Be '2' -Because '-WhatIf changes nothing'

        $reverted = $first | Undo-Deployment -Confirm:$false
        $reverted.Status | Should -Be 'Stopped'
        $reverted.EngineStatus | Should -Be 'Reverted'
        (Get-LiveAlias).FunctionVersion | Should -Be '1'

        $second = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift AllAtOnce
        $all = @(Get-BlueGreenDeployment -FunctionName payments -Alias live -Controller Module -All @Aws)
        $all.DeploymentId | Should -Be @($second.DeploymentId, $first.DeploymentId)
        $all[1].Status | Should -Be 'Stopped'
        (Get-BlueGreenDeployment -Id $first.DeploymentId @Aws).EngineStatus | Should -Be 'Reverted'
        $writes = @(Get-SandboxCall UpdateAlias).Count
        ($first | Undo-Deployment -Confirm:$false).EngineStatus | Should -Be 'Reverted' -Because 'it was undone already: nothing to do'
        @(Get-SandboxCall UpdateAlias).Count | Should -Be $writes

        # A release a later one replaced is not undone: that would undo the later one too.
        $third = Start-BlueGreenDeployment @Direct -Version 3 -TrafficShift AllAtOnce
        { $second | Undo-Deployment -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'NotLatestRelease,*'
        (Get-LiveAlias).FunctionVersion | Should -Be '3'
        @(Get-BlueGreenDeployment -FunctionName payments -Alias live -Controller Module -All @Aws).DeploymentId | Should -Be @($third.DeploymentId, $second.DeploymentId, $first.DeploymentId)
    }

    It 'reports a change of the alias by someone else instead of overwriting it' {
        Set-SandboxTimeScale 0
        $d = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift Canary10Percent5Minutes
        $null = Invoke-SandboxCli lambda update-alias --function-name payments --name live --routing-config 'AdditionalVersionWeights={2=0.5}'
        Set-SandboxTimeScale 600
        { $d | Wait-BlueGreenDeployment -Timeout 30 -ErrorAction Stop } | Should -Throw -ErrorId 'AliasChangedConcurrently,*'
        $alias = Get-LiveAlias
        Get-GreenWeight $alias | Should -Be 0.5 -Because 'the other change stands'
        $alias.FunctionVersion | Should -Be '1'
        @(Get-SandboxCall UpdateAlias).Count | Should -Be 2 -Because 'the start and the change by hand wrote; the wait did not'
        { $d | Undo-Deployment -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'AliasChangedConcurrently,*'
    }

    It 'publishes new code from a zip once, and releases it' {
        $zip = Join-Path $TestDrive 'payments-v4.zip'
        $dir = Join-Path $TestDrive 'v4'
        $null = New-Item -ItemType Directory $dir
        Set-Content (Join-Path $dir 'sandbox.json') '{"payload": {"version": 4, "message": "payments v4"}, "latencyMs": 5}'
        Set-Content (Join-Path $dir 'index.js') 'exports.handler = async () => ({ version: 4 });'
        Compress-Archive -Path (Join-Path $dir '*') -DestinationPath $zip
        $d = Start-BlueGreenDeployment -FunctionName payments -Alias live -ZipFile $zip -Controller Module -TrafficShift AllAtOnce -Confirm:$false @Aws
        $d.GreenVersion | Should -Be '4'
        $d.Status | Should -Be 'Succeeded'
        @(Get-SandboxCall PublishVersion).Count | Should -Be 1
        $version = Invoke-SandboxCli lambda get-function-configuration --function-name payments --qualifier 4
        $version.Description | Should -Match 'bluegreen [a-z2-9]{8}'
        (Invoke-SandboxCli lambda invoke --function-name payments --qualifier live (Join-Path $TestDrive 'v4.json')).ExecutedVersion | Should -Be '4'
    }

    It 'publishes a new image of an image function once, and releases it' {
        $null = Invoke-SandboxCli lambda create-function --function-name images --package-type Image --code ImageUri=public.ecr.aws/sandbox/images:1 `
            --role arn:aws:iam::000000000000:role/sandbox-lambda --publish
        $null = Invoke-SandboxCli lambda create-alias --function-name images --name live --function-version 1
        $null = Invoke-SandboxControl DELETE 'requests'
        $d = Start-BlueGreenDeployment -FunctionName images -Alias live -ImageUri public.ecr.aws/sandbox/images:2 -Controller Module -TrafficShift AllAtOnce -Confirm:$false @Aws
        ($d.BlueVersion, $d.GreenVersion, $d.Status) | Should -Be @('1', '2', 'Succeeded')
        @(Get-SandboxCall UpdateFunctionCode).Count | Should -Be 1
        @(Get-SandboxCall PublishVersion).Count | Should -Be 1
        (Invoke-SandboxCli lambda get-function --function-name images --qualifier 2).Code.ImageUri | Should -Be 'public.ecr.aws/sandbox/images:2'
        (Invoke-SandboxCli lambda get-alias --function-name images --name live).FunctionVersion | Should -Be '2'
    }
}

Describe 'Lost answers' {
    BeforeEach { Reset-TestSandbox }
    AfterEach { $null = Invoke-SandboxControl DELETE 'faults' }

    It 'publish once and write the alias once when the answers to PublishVersion and UpdateAlias are lost after they ran' {
        $zip = Join-Path $TestDrive 'payments-v5.zip'
        $dir = Join-Path $TestDrive 'v5'
        $null = New-Item -ItemType Directory $dir -Force
        Set-Content (Join-Path $dir 'sandbox.json') '{"payload": {"version": 5}, "latencyMs": 5}'
        Compress-Archive -Path (Join-Path $dir '*') -DestinationPath $zip -Force
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'lambda'; operation = 'PublishVersion'; lostAnswerRate = 1.0; times = 1 }
        $null = Invoke-SandboxControl PUT 'faults' @{ service = 'lambda'; operation = 'UpdateAlias'; lostAnswerRate = 1.0; times = 1 }
        $d = Start-BlueGreenDeployment -FunctionName payments -Alias live -ZipFile $zip -Controller Module -TrafficShift Canary10Percent5Minutes -Confirm:$false @Aws
        $d.GreenVersion | Should -Be '4'
        @(Get-SandboxCall PublishVersion).Count | Should -Be 1 -Because 'the version its lost answer made was found, not published again'
        @((Invoke-SandboxCli lambda list-versions-by-function --function-name payments).Versions.Version) | Should -Be @('$LATEST', '1', '2', '3', '4')
        @(Get-SandboxCall UpdateAlias).Count | Should -Be 1 -Because 'the alias read again showed the write had gone through'
        (Get-LiveAlias).Description | Should -Match "id=$(($d.DeploymentId -split ':')[-1]) state=Shifting"
        ($d | Wait-BlueGreenDeployment -Timeout 60).Status | Should -Be 'Succeeded'
    }
}

Describe 'Bad input is refused before anything changes' {
    BeforeEach { Reset-TestSandbox }

    It 'refuses <Case> with <ErrorId>' -ForEach @(
        @{ Case = 'a version that does not exist'; Arguments = @{ Version = '99' }; ErrorId = 'VersionNotFound' }
        @{ Case = 'the version the alias serves'; Arguments = @{ Version = '1' }; ErrorId = 'AlreadyServing' }
        @{ Case = 'a version that is not a number'; Arguments = @{ Version = '$LATEST' }; ErrorId = 'InvalidVersion' }
        @{ Case = 'an alarm that does not exist'; Arguments = @{ Version = '2'; Alarm = 'no-such-alarm' }; ErrorId = 'AlarmNotFound' }
        @{ Case = 'hooks'; Arguments = @{ Version = '2'; Hook = @{ BeforeAllowTraffic = 'release-hook' } }; ErrorId = 'HooksNotSupported' }
        @{ Case = 'an alias that does not exist'; Arguments = @{ Version = '2'; Alias = 'nope' }; ErrorId = 'AliasNotFound' }
    ) {
        $call = $Direct.Clone()
        foreach ($entry in $Arguments.GetEnumerator()) { $call[$entry.Key] = $entry.Value }
        { Start-BlueGreenDeployment @call -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,*"
        Get-Mutations | Should -BeNullOrEmpty
        (Get-LiveAlias).Description | Should -Not -Match 'bluegreen/'
    }

    It 'refuses to start on an alias that already routes to another version, and a second release while one is in flight' {
        $null = Invoke-SandboxCli lambda update-alias --function-name payments --name live --routing-config 'AdditionalVersionWeights={2=0.2}'
        { Start-BlueGreenDeployment @Direct -Version 3 -ErrorAction Stop } | Should -Throw -ErrorId 'ReleaseInFlight,*'
        $null = Invoke-SandboxCli lambda update-alias --function-name payments --name live --routing-config 'AdditionalVersionWeights={}'

        Set-SandboxTimeScale 0
        $d = Start-BlueGreenDeployment @Direct -Version 2
        $before = @(Get-Mutations).Count
        $refused = { Start-BlueGreenDeployment @Direct -Version 3 -ErrorAction Stop } | Should -Throw -ErrorId 'ReleaseInFlight,*' -PassThru
        $refused.Exception.Message | Should -Match ([regex]::Escape($d.DeploymentId))
        @(Get-Mutations).Count | Should -Be $before
    }

    It 'says there is no release on an alias the module never released' {
        { Get-BlueGreenDeployment -FunctionName orders -Alias live -Controller Module @Aws -ErrorAction Stop } | Should -Throw -ErrorId 'DeploymentNotFound,*'
        { Get-BlueGreenDeployment -Id 'lambda:payments:live:zzzzzzzz' @Aws -ErrorAction Stop } | Should -Throw -ErrorId 'DeploymentNotFound,*'
    }

    It 'keeps the alias''s own description in a tag when the module first takes the alias over' {
        $null = Invoke-SandboxCli lambda update-alias --function-name payments --name live --description 'Payments, production (team #7)'
        $null = Start-BlueGreenDeployment @Direct -Version 2 -TrafficShift AllAtOnce
        (Get-PaymentsTags).'bluegreen:live:description' | Should -Be 'Payments@2C production @28team @237@29'
    }
}
