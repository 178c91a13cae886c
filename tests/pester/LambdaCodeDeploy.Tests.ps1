# Lambda releases through CodeDeploy, as AWS SAM makes them, on the sandbox: new code published and released with a
# hook, a published version released, an alarm rolling a release back, a deployment made with the AWS CLI alone (as
# 'sam deploy' does) read, waited on and undone, an undo after success pointing the alias back, a failing hook, and
# -WhatIf. The AWS CLI judges what the alias serves.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 300
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }
    $script:Group = @{ ApplicationName = 'orders'; DeploymentGroupName = 'orders-dg' }

    function script:New-FunctionZip([string] $Name, [string] $Behaviour) {
        # A function's code as the sandbox runs it: a zip holding its behaviour file.
        $path = Join-Path $TestDrive "$Name-$([guid]::NewGuid().ToString('N')).zip"
        $stream = [IO.File]::Create($path)
        try {
            $archive = [IO.Compression.ZipArchive]::new($stream, [IO.Compression.ZipArchiveMode]::Create)
            $writer = [IO.StreamWriter]::new($archive.CreateEntry('sandbox.json').Open())
            $writer.Write($Behaviour)
            $writer.Dispose()
            $archive.Dispose()
        }
        finally { $stream.Dispose() }
        $path
    }

    function script:Get-LiveAlias { Invoke-SandboxCli lambda get-alias --function-name orders --name live }

    function script:Get-Weights($Alias) {
        # The alias's extra weights, empty when it has none (the CLI may leave RoutingConfig out or give it empty).
        $routing = $Alias.PSObject.Properties['RoutingConfig']
        if ($null -eq $routing -or $null -eq $routing.Value) { return @() }
        $weights = $routing.Value.PSObject.Properties['AdditionalVersionWeights']
        if ($null -eq $weights -or $null -eq $weights.Value) { return @() }
        @($weights.Value.PSObject.Properties)
    }

    function script:Operations { @(Get-SandboxCall | ForEach-Object operation) }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'Start-BlueGreenDeployment -FunctionName -Alias through CodeDeploy' {
    BeforeEach { Reset-TestSandbox }

    # First: once this session has seen a group release the alias, it remembers which one.
    It 'without a named group, and none that has released the alias yet, says how to name one' {
        Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 -Controller CodeDeploy -Confirm:$false @Aws -ErrorAction SilentlyContinue -ErrorVariable missing |
            Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'NoDeploymentGroup,*'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $missing[0].ErrorDetails.RecommendedAction | Should -Match '-ApplicationName and -DeploymentGroupName.*-Controller Module'
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }

    It 'publishes new code from a zip and releases it as a canary to Succeeded, past a BeforeAllowTraffic hook' {
        $zip = New-FunctionZip 'orders-v3' '{"payload": {"version": 3, "message": "orders v3"}, "latencyMs": 5}'
        # The version published next: one above the seed's newest.
        $next = [string](1 + ((Invoke-SandboxCli lambda list-versions-by-function --function-name orders).Versions.Version | Where-Object { $_ -ne '$LATEST' } |
            ForEach-Object { [int] $_ } | Measure-Object -Maximum).Maximum)
        $null = Invoke-SandboxControl DELETE 'requests'
        $d = Start-BlueGreenDeployment -FunctionName orders -Alias live -ZipFile $zip @Group -TrafficShift Canary10Percent5Minutes `
            -Hook @{ BeforeAllowTraffic = 'release-hook' } -Confirm:$false @Aws -ErrorAction Stop
        $started = Operations
        $started.Where({ $_ -eq 'UpdateFunctionCode' }).Count | Should -Be 1
        $started.Where({ $_ -eq 'PublishVersion' }).Count | Should -Be 1
        $started.Where({ $_ -eq 'CreateDeployment' }).Count | Should -Be 1
        $started.Where({ $_ -in 'ListApplications', 'ListDeploymentGroups' }).Count | Should -Be 0 -Because 'the group was named'
        $started.Count | Should -BeLessOrEqual 12 -Because "a start reads little ($($started -join ', '))"

        $d.Engine | Should -Be 'CodeDeployLambda'
        $d.FunctionName | Should -Be 'orders'
        $d.Alias | Should -Be 'live'
        $d.BlueVersion | Should -Be '1'
        $d.GreenVersion | Should -Be $next
        $d.TrafficShift | Should -Be 'CodeDeployDefault.LambdaCanary10Percent5Minutes'
        $d.Hooks['BeforeAllowTraffic'] | Should -Be 'release-hook'
        $published = Invoke-SandboxCli lambda get-function-configuration --function-name orders --qualifier $next
        $sha = [Convert]::ToBase64String([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes($zip)))
        $published.CodeSha256 | Should -Be $sha
        $published.Description | Should -Match 'bluegreen [0-9a-f]{32}' -Because 'the mark by which a lost answer to PublishVersion finds the version'

        $done = $d | Wait-BlueGreenDeployment -ErrorAction Stop
        $done.Status | Should -Be 'Succeeded'
        $done.GreenTrafficPercent | Should -Be 100
        $done.BlueExists | Should -BeTrue -Because 'a Lambda version is never removed by a release'
        $done.LifecycleEvents.Where({ $_.Name -eq 'BeforeAllowTraffic' }).Status | Should -Be 'Succeeded'
        $done.LifecycleEvents.Where({ $_.Name -eq 'AllowTraffic' }).Status | Should -Be 'Succeeded'
        $alias = Get-LiveAlias
        $alias.FunctionVersion | Should -Be $next
        @(Get-Weights $alias).Count | Should -Be 0
        $invoked = Invoke-SandboxCli lambda get-function --function-name orders --qualifier live
        $invoked.Configuration.Version | Should -Be $next
    }

    It 'publishes a new image of an image function and releases it through its own group to Succeeded' {
        $null = Invoke-SandboxCli lambda create-function --function-name images --package-type Image --code ImageUri=public.ecr.aws/sandbox/images:1 `
            --role arn:aws:iam::000000000000:role/sandbox-lambda --publish
        $null = Invoke-SandboxCli lambda create-alias --function-name images --name live --function-version 1
        $null = Invoke-SandboxCli deploy create-application --application-name images --compute-platform Lambda
        $null = Invoke-SandboxCli deploy create-deployment-group --application-name images --deployment-group-name images-dg `
            --deployment-config-name CodeDeployDefault.LambdaAllAtOnce --service-role-arn arn:aws:iam::000000000000:role/x
        $null = Invoke-SandboxControl DELETE 'requests'
        $d = Start-BlueGreenDeployment -FunctionName images -Alias live -ImageUri public.ecr.aws/sandbox/images:2 -ApplicationName images -DeploymentGroupName images-dg `
            -Confirm:$false @Aws -ErrorAction Stop
        @(Get-SandboxCall UpdateFunctionCode).Count | Should -Be 1
        @(Get-SandboxCall PublishVersion).Count | Should -Be 1
        ($d.BlueVersion, $d.GreenVersion) | Should -Be @('1', '2')
        (Invoke-SandboxCli lambda get-function --function-name images --qualifier 2).Code.ImageUri | Should -Be 'public.ecr.aws/sandbox/images:2'

        ($d | Wait-BlueGreenDeployment -ErrorAction Stop).Status | Should -Be 'Succeeded'
        (Invoke-SandboxCli lambda get-alias --function-name images --name live).FunctionVersion | Should -Be '2'
    }

    It 'releases a published version by -Version, and then finds the group from its deployments without being told' {
        Set-SandboxTimeScale 0 # held still while the start's calls are counted: a release that has already ended reads the alias too
        $null = Invoke-SandboxControl DELETE 'requests'
        $d = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 @Group -TrafficShift AllAtOnce -Confirm:$false @Aws -ErrorAction Stop
        $ops = @(Operations)
        (@($ops | Where-Object { $_ -ne 'GetAlias' } | Sort-Object) -join ',') | Should -Be (@('CreateDeployment', 'GetDeployment', 'GetDeploymentGroup', 'GetDeploymentTarget', 'GetFunctionConfiguration', 'ListDeployments') -join ',')
        # The plan reads the alias once; the first read of the new deployment reads it again only when the release
        # has already ended (an all-at-once release without hooks may end before it is read, whatever the clock).
        @($ops | Where-Object { $_ -eq 'GetAlias' }).Count | Should -Be $(if ($d.IsComplete) { 2 } else { 1 }) -Because "the release was $($d.Status) when read"
        $d.GreenVersion | Should -Be '2'
        Set-SandboxTimeScale 600
        ($d | Wait-BlueGreenDeployment -ErrorAction Stop).Status | Should -Be 'Succeeded'
        (Get-LiveAlias).FunctionVersion | Should -Be '2'

        # No group named: the one whose deployments release orders:live is found (Auto picks CodeDeploy for it).
        $back = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 1 -TrafficShift Linear20PercentEvery1Minutes -Confirm:$false @Aws -ErrorAction Stop
        $back.ApplicationName | Should -Be 'orders'
        $back.DeploymentGroupName | Should -Be 'orders-dg'
        $back.TrafficShift | Should -Be 'BlueGreen.LambdaLinear20PercentEvery1Minutes'
        (Invoke-SandboxCli deploy get-deployment-config --deployment-config-name BlueGreen.LambdaLinear20PercentEvery1Minutes).deploymentConfigInfo.computePlatform | Should -Be 'Lambda'
        ($back | Wait-BlueGreenDeployment -ErrorAction Stop).Status | Should -Be 'Succeeded'
        (Get-LiveAlias).FunctionVersion | Should -Be '1'

        $latest = Get-BlueGreenDeployment -FunctionName orders -Alias live @Aws
        $latest.DeploymentId | Should -Be $back.DeploymentId
        @(Get-BlueGreenDeployment -FunctionName orders -Alias live -All @Aws).DeploymentId | Should -Be @($back.DeploymentId, $d.DeploymentId)
        # A named group is read straight away, without listing applications or groups.
        $null = Invoke-SandboxControl DELETE 'requests'
        @(Get-BlueGreenDeployment -FunctionName orders -Alias live -ApplicationName orders -DeploymentGroupName orders-dg -All @Aws).DeploymentId | Should -Be @($back.DeploymentId, $d.DeploymentId)
        (Get-SandboxCall ListApplications).Count + (Get-SandboxCall ListDeploymentGroups).Count | Should -Be 0
        { Get-BlueGreenDeployment -FunctionName orders -Alias live -ApplicationName web -DeploymentGroupName web-dg @Aws -ErrorAction Stop } | Should -Throw -ErrorId 'NotALambdaGroup*'
        { Get-BlueGreenDeployment -FunctionName orders -Alias live -Controller Module -ApplicationName orders @Aws -ErrorAction Stop } | Should -Throw -ErrorId 'GroupWithoutCodeDeploy*'
    }

    It 'reads a release in flight with two calls per look' {
        Set-SandboxTimeScale 0 # time held still: the release stays where it is while it is looked at
        $d = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 @Group -Confirm:$false @Aws -ErrorAction Stop
        $null = Invoke-SandboxControl DELETE 'requests'
        $d | Wait-BlueGreenDeployment -Timeout 3 -ErrorAction SilentlyContinue | Out-Null
        $looks = @(Get-SandboxCall GetDeployment).Count
        $looks | Should -BeGreaterThan 2
        @(Get-SandboxCall).Count | Should -Be (2 * $looks) -Because "each look reads the deployment and its target ($((Operations | Group-Object | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', '))"
    }

    It 'is rolled back by CodeDeploy when the group''s alarm fires, and the alias serves blue again' {
        Set-SandboxTimeScale 30 # the canary's thirty minutes are a minute of wall time, however slow the machine
        $d = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 @Group -TrafficShift Canary10Percent30Minutes -Confirm:$false @Aws -ErrorAction Stop
        $moving = $d | Wait-BlueGreenDeployment -Until Ready -ErrorAction Stop -WarningAction SilentlyContinue
        $moving.Status | Should -Be 'InProgress'
        $moving.GreenTrafficPercent | Should -BeLessOrEqual 10
        $null = Invoke-SandboxCli cloudwatch set-alarm-state --alarm-name orders-errors --state-value ALARM --state-reason 'errors from version 2'

        $ended = $d | Wait-BlueGreenDeployment -AllowFailure -ErrorAction Stop
        $ended.Status | Should -BeIn 'Stopped', 'Failed'
        $ended.RolledBack | Should -BeTrue
        $rollback = Get-BlueGreenDeployment -Id $ended.RollbackDeploymentId @Aws | Wait-BlueGreenDeployment -ErrorAction Stop
        $rollback.IsRollback | Should -BeTrue
        $rollback.Status | Should -Be 'Succeeded'
        $alias = Get-LiveAlias
        $alias.FunctionVersion | Should -Be '1'
        @(Get-Weights $alias).Count | Should -Be 0
        ($d | Get-BlueGreenDeployment).GreenTrafficPercent | Should -Be 0
    }

    It 'fails the release when its BeforeAllowTraffic hook reports Failed; the alias stays on blue' {
        $hook = New-FunctionZip 'bad-hook' '{"payload": {"hook": "no"}, "hookStatus": "Failed"}'
        $null = Invoke-SandboxCli lambda create-function --function-name failing-hook --runtime python3.12 --handler index.handler `
            --role arn:aws:iam::000000000000:role/sandbox-lambda --zip-file "fileb://$hook"
        $d = Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 @Group -Hook @{ BeforeAllowTraffic = 'failing-hook' } -Confirm:$false @Aws -ErrorAction Stop
        $d | Wait-BlueGreenDeployment -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
        $ended = $d | Get-BlueGreenDeployment
        $ended.Status | Should -Be 'Failed'
        $ended.LifecycleEvents.Where({ $_.Name -eq 'BeforeAllowTraffic' }).Status | Should -Be 'Failed'
        $ended.LifecycleEvents.Where({ $_.Name -eq 'AllowTraffic' }).Status | Should -Not -Be 'Succeeded'
        $ended.GreenTrafficPercent | Should -Be 0
        (Get-LiveAlias).FunctionVersion | Should -Be '1'
    }

    It 'refuses a hook at an event Lambda deployments lack, and a version the alias serves, before any change' {
        $null = Invoke-SandboxControl DELETE 'requests'
        { Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 2 @Group -Hook @{ BeforeInstall = 'release-hook' } -Confirm:$false @Aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHook,*'
        @(Get-SandboxCall).Count | Should -Be 0 -Because 'the hooks are judged before any call'
        { Start-BlueGreenDeployment -FunctionName orders -Alias live -Version 1 @Group -Confirm:$false @Aws -ErrorAction Stop } | Should -Throw -ErrorId 'GreenIsBlue,*'
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }

    It 'with -WhatIf lists the changes in order and calls nothing that changes' {
        $zip = New-FunctionZip 'orders-whatif' '{"payload": {"version": 9}}'
        $null = Invoke-SandboxControl DELETE 'requests'
        $script = @"
`$env:AWS_ACCESS_KEY_ID = 'test'; `$env:AWS_SECRET_ACCESS_KEY = 'test'
Import-Module '$(Get-ModuleManifestPath)' -ErrorAction Stop
`$r = Start-BlueGreenDeployment -FunctionName orders -Alias live -ZipFile '$zip' -ApplicationName orders -DeploymentGroupName orders-dg -TrafficShift Canary15Percent10Minutes -Hook @{ BeforeAllowTraffic = 'release-hook' } -Region us-east-1 -EndpointUrl '$EP' -WhatIf
"objects=`$(@(`$r).Count)"
"@
        $result = Invoke-FreshPwsh $script
        $text = $result.Output -join "`n"
        $result.ExitCode | Should -Be 0 -Because $text
        $text | Should -Match "What if: Start a release of alias 'live' of function 'orders' through CodeDeploy application 'orders', group 'orders-dg'"
        $text | Should -Match 'Blue \(serving now\):\s+1'
        $text | Should -Match 'Traffic shift:\s+BlueGreen.LambdaCanary15Percent10Minutes \(custom configuration, created first\)'
        $text | Should -Match 'Alarms:\s+orders-errors'
        $changes = @($result.Output | Select-String -Pattern '^\s+(UpdateFunctionCode|PublishVersion|CreateDeploymentConfig|CreateDeployment):' | ForEach-Object { $_.Matches[0].Groups[1].Value })
        $changes | Should -Be @('UpdateFunctionCode', 'PublishVersion', 'CreateDeploymentConfig', 'CreateDeployment')
        $text | Should -Match 'BeforeAllowTraffic: "release-hook"'
        $text | Should -Match 'objects=0'
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
        @(Get-SandboxCall).Count | Should -BeGreaterThan 0 -Because 'the plan reads the alias, the function and the group'
        (Get-LiveAlias).FunctionVersion | Should -Be '1'
    }
}

Describe 'A deployment made as sam deploy makes it, with the AWS CLI alone' {
    BeforeEach {
        Reset-TestSandbox
        function script:New-SamDeployment([string] $Config) {
            # CloudFormation's AppSpec for a SAM function's DeploymentPreference: JSON, version 0.0 as a number, hooks as a list.
            $appSpec = '{"version":0.0,"Resources":[{"OrdersFunction":{"Type":"AWS::Lambda::Function","Properties":{"Name":"orders","Alias":"live","CurrentVersion":"1","TargetVersion":"2"}}}],"Hooks":[{"BeforeAllowTraffic":"release-hook"}]}'
            $revision = @{ revisionType = 'String'; string = @{ content = $appSpec } } | ConvertTo-Json -Compress -Depth 4
            (Invoke-SandboxCli deploy create-deployment --application-name orders --deployment-group-name orders-dg --deployment-config-name $Config --revision $revision).deploymentId
        }
    }

    It 'is read, waited on, and undone after success by pointing the alias back' {
        $id = New-SamDeployment 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'
        $d = Get-BlueGreenDeployment -Id $id @Aws
        $d.Engine | Should -Be 'CodeDeployLambda'
        $d.FunctionName | Should -Be 'orders'
        $d.Alias | Should -Be 'live'
        $d.BlueVersion | Should -Be '1'
        $d.GreenVersion | Should -Be '2'
        $d.Hooks['BeforeAllowTraffic'] | Should -Be 'release-hook'

        $done = $d | Wait-BlueGreenDeployment -ErrorAction Stop
        $done.Status | Should -Be 'Succeeded'
        $done.GreenTrafficPercent | Should -Be 100
        (Get-LiveAlias).FunctionVersion | Should -Be '2'

        $null = Invoke-SandboxControl DELETE 'requests'
        $id | Undo-Deployment -WhatIf @Aws
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty

        $undone = Undo-Deployment -Id $id -Confirm:$false @Aws -ErrorAction Stop
        $undone.DeploymentId | Should -Be $id
        $undone.GreenTrafficPercent | Should -Be 0
        @(Get-SandboxCall UpdateAlias).Count | Should -Be 1
        @(Get-SandboxCall CreateDeployment).Count | Should -Be 0 -Because 'pointing the alias back needs no release'
        $alias = Get-LiveAlias
        $alias.FunctionVersion | Should -Be '1'
        @(Get-Weights $alias).Count | Should -Be 0
        (Get-BlueGreenDeployment -Id $id @Aws).GreenTrafficPercent | Should -Be 0 -Because 'the alias says where traffic is'
        { Undo-Deployment -Id $id -Confirm:$false @Aws -ErrorAction Stop } | Should -Throw -ErrorId 'NothingToUndo,*'
    }

    It 'is stopped and rolled back by an undo while traffic moves' {
        Set-SandboxTimeScale 10 # the canary's thirty minutes are three minutes of wall time: it is in flight while undone
        $id = New-SamDeployment 'CodeDeployDefault.LambdaCanary10Percent30Minutes'
        $moving = Get-BlueGreenDeployment -Id $id @Aws | Wait-BlueGreenDeployment -Until Ready -ErrorAction Stop -WarningAction SilentlyContinue
        $moving.Status | Should -Be 'InProgress'

        $undone = Undo-Deployment -Id $id -Confirm:$false @Aws -ErrorAction Stop
        $undone.Status | Should -BeIn 'Stopped', 'Failed'
        $undone.RolledBack | Should -BeTrue
        $undone.GreenTrafficPercent | Should -Be 0
        @(Get-SandboxCall StopDeployment).Count | Should -Be 1
        $alias = Get-LiveAlias
        $alias.FunctionVersion | Should -Be '1'
        @(Get-Weights $alias).Count | Should -Be 0
    }

    It 'takes no Set-TrafficShift -Continue or -Complete: a Lambda deployment has no Ready or termination wait' {
        Set-SandboxTimeScale 0
        $id = New-SamDeployment 'CodeDeployDefault.LambdaAllAtOnce'
        $d = Get-BlueGreenDeployment -Id $id @Aws
        { $d | Set-TrafficShift -Continue -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'NotSupportedByEngine,*'
        { $d | Set-TrafficShift -Complete -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'NotSupportedByEngine,*'
    }
}
