# ECS's own blue/green as a user runs it: the built module against the sandbox's seeded service 'api' (controller ECS,
# strategy BLUE_GREEN, target groups api-blue/api-green behind a production and a test listener rule, alarm api-5xx).
# What production serves is read from the listener's answers; what ECS was told, with the AWS CLI.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 500
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }

    function script:Get-ApiService { @((Invoke-SandboxCli ecs describe-services --cluster sandbox --services api).services)[0] }

    function script:Get-ProductionWeights {
        # The production listener rule's forward weights, as the AWS CLI reads them: @{ blue = n; green = n }.
        $rule = (Get-ApiService).loadBalancers[0].advancedConfiguration.productionListenerRule
        $groups = @((Invoke-SandboxCli elbv2 describe-rules --rule-arns $rule).Rules[0].Actions | Where-Object Type -eq 'forward')[0].ForwardConfig.TargetGroups
        @{
            blue  = [int] @($groups | Where-Object TargetGroupArn -like '*:targetgroup/api-blue/*')[0].Weight
            green = [int] @($groups | Where-Object TargetGroupArn -like '*:targetgroup/api-green/*')[0].Weight
        }
    }

    function script:New-ApiRevision([hashtable] $Environment) {
        # A revision of api whose container reads $Environment (the sandbox's knobs for a bad version).
        $envs = @($Environment.GetEnumerator() | ForEach-Object { @{ name = $_.Key; value = "$($_.Value)" } })
        $containers = ConvertTo-Json -Depth 5 -Compress @(@{ name = 'api'; image = 'public.ecr.aws/sandbox/api:bad'; portMappings = @(@{ containerPort = 80 }); environment = $envs })
        (Invoke-SandboxCli ecs register-task-definition --family api --network-mode awsvpc --requires-compatibilities FARGATE --cpu 256 --memory 512 --container-definitions $containers).taskDefinition.taskDefinitionArn
    }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'ECS native releases' {
    BeforeEach {
        Reset-TestSandbox
        # ECS's first deployment of the freshly seeded service runs for a moment, as on AWS: a release starts after it.
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (@((Invoke-SandboxControl GET 'state?region=us-east-1').regions[0].ecs.serviceDeployments | Where-Object status -in 'PENDING', 'IN_PROGRESS').Count -gt 0 -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
    }

    It 'with -WhatIf prints the stage timeline and the UpdateService, and changes nothing' {
        $before = @((Invoke-SandboxCli ecs list-service-deployments --cluster sandbox --service api).serviceDeployments).Count
        $null = Invoke-SandboxControl DELETE 'requests'
        $script = @"
`$env:AWS_ACCESS_KEY_ID = 'test'; `$env:AWS_SECRET_ACCESS_KEY = 'test'
Import-Module '$(Get-ModuleManifestPath)' -ErrorAction Stop
`$r = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:2.0' -TrafficShift Linear25PercentEvery2Minutes -BakeTime 5 -Region us-east-1 -EndpointUrl '$EP' -WhatIf
"objects=`$(@(`$r).Count)"
"@
        $result = Invoke-FreshPwsh $script
        $text = $result.Output -join "`n"
        $result.ExitCode | Should -Be 0 -Because $text
        $text | Should -Match "What if: Start a blue/green release of service 'api' in cluster 'sandbox' through ECS's own deployments \(controller ECS, strategy LINEAR\)"
        $text | Should -Match 'Green:\s+a new revision of .*task-definition/api:1 with api=public.ecr.aws/sandbox/api:2.0'
        $text | Should -Match 'Traffic shift:\s+Linear25PercentEvery2Minutes \(LINEAR\)'
        $text | Should -Match 'RECONCILE_SERVICE'
        $text | Should -Match 'POST_TEST_TRAFFIC_SHIFT: Ready, waits for Set-TrafficShift -Continue'
        $text | Should -Match 'T\+0m\s+PRODUCTION_TRAFFIC_SHIFT: production 25% green, 75% blue'
        $text | Should -Match 'T\+6m\s+PRODUCTION_TRAFFIC_SHIFT: production 100% green'
        $text | Should -Match 'BAKE_TIME 5 min: blue kept \(a PAUSE hook that continues by itself; Set-TrafficShift -Complete ends it early\)'
        $text | Should -Match 'T\+11m\s+CLEAN_UP'
        $text | Should -Match 'Alarms:\s+api-5xx'
        $text | Should -Match 'RegisterTaskDefinition: register'
        $text | Should -Match 'UpdateService: .*strategy LINEAR; linear 25% every 2 min; bakeTimeInMinutes 0; PAUSE hook at POST_TEST_TRAFFIC_SHIFT \(ROLLBACK after 1440 min\); PAUSE hook at POST_PRODUCTION_TRAFFIC_SHIFT \(CONTINUE after 5 min\)'
        $text | Should -Match 'objects=0'
        $calls = Get-SandboxCall
        $calls.Count | Should -BeGreaterThan 0 -Because 'the plan reads what exists'
        @($calls | Where-Object mutating) | Should -BeNullOrEmpty
        @((Invoke-SandboxCli ecs list-service-deployments --cluster sandbox --service api).serviceDeployments).Count | Should -Be $before
        (Get-ApiService).deploymentConfiguration.strategy | Should -Be 'BLUE_GREEN'
    }

    It 'runs a canary: Ready with test traffic on green, smoke test, Continue, production in proportion, bake ended by Complete, Succeeded' {
        Set-SandboxTimeScale 20
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:2.0' -TrafficShift Canary20Percent5Minutes -BakeTime 60 -Alarm api-5xx -Description 'canary of api 2.0' @Aws
        $d.DeploymentId | Should -Match '^arn:aws:ecs:us-east-1:\d{12}:service-deployment/sandbox/api/\S+$'
        $d.Cluster | Should -Be 'sandbox'; $d.Service | Should -Be 'api'
        $d.BlueTaskDefinition | Should -BeLike '*task-definition/api:1'
        $d.GreenTaskDefinition | Should -BeLike '*task-definition/api:2'
        $d.ProductionEndpoint | Should -Match '^http://127\.0\.0\.1:\d+/$'
        $d.TestEndpoint | Should -Match '^http://127\.0\.0\.1:\d+/$'
        $d.Description | Should -Be 'canary of api 2.0'

        # What ECS was told: the strategy, the module's hooks, the alarm with rollback, the other settings kept.
        $config = (Get-ApiService).deploymentConfiguration
        $config.strategy | Should -Be 'CANARY'
        $config.canaryConfiguration.canaryPercent | Should -Be 20
        $config.canaryConfiguration.canaryBakeTimeInMinutes | Should -Be 5
        $config.bakeTimeInMinutes | Should -Be 0
        $config.maximumPercent | Should -Be 200
        $config.alarms.alarmNames | Should -Be @('api-5xx')
        $config.alarms.rollback | Should -BeTrue
        @($config.lifecycleHooks | ForEach-Object { "$($_.targetType) $($_.lifecycleStages -join ',') $($_.timeoutConfiguration.action) $($_.timeoutConfiguration.timeoutInMinutes)" }) |
            Should -Be @('PAUSE POST_TEST_TRAFFIC_SHIFT ROLLBACK 1440', 'PAUSE POST_PRODUCTION_TRAFFIC_SHIFT CONTINUE 60')

        $ready = $d | Wait-BlueGreenDeployment -Until Ready -Timeout 120
        $ready.Status | Should -Be 'Ready'
        $ready.Phase | Should -Be 'POST_TEST_TRAFFIC_SHIFT'
        $ready.LifecycleEvents.Where({ $_.Name -eq 'TEST_TRAFFIC_SHIFT' }).Status | Should -Be 'Succeeded'
        Get-ServingTaskDefinition $ready.TestEndpoint 5 | Sort-Object -Unique | Should -Be 'api:2'
        Get-ServingTaskDefinition $ready.ProductionEndpoint 5 | Sort-Object -Unique | Should -Be 'api:1'
        (Get-ProductionWeights).green | Should -Be 0

        $smoke = $ready | Invoke-SmokeTest -Path / -Requests 5
        $smoke.Passed | Should -BeTrue
        $null = $smoke | Set-TrafficShift -Continue -Confirm:$false @Aws

        # The canary holds 20% for five simulated minutes (15 seconds here); once the release says so, time is held
        # while the listener rule and production's answers are looked at.
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        do { $now = $d | Get-BlueGreenDeployment } until ($now.GreenTrafficPercent -gt 0 -or [DateTime]::UtcNow -gt $deadline)
        Set-SandboxTimeScale 0
        $now.GreenTrafficPercent | Should -Be 20
        $now.Phase | Should -BeIn @('PRODUCTION_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT')
        $weights = Get-ProductionWeights
        $weights.green | Should -Be 20
        $weights.blue | Should -Be 80
        $seen = Get-ServingTaskDefinition $d.ProductionEndpoint 40
        @($seen | Where-Object { $_ -eq 'api:2' }).Count | Should -BeGreaterThan 0
        @($seen | Where-Object { $_ -eq 'api:1' }).Count | Should -BeGreaterThan @($seen | Where-Object { $_ -eq 'api:2' }).Count
        # At 60x the rest of the canary is five seconds and the hour's bake a minute: long enough that -Complete, not
        # the bake's own end, finishes it however busy the machine is.
        Set-SandboxTimeScale 60

        $shifted = $d | Wait-BlueGreenDeployment -Until TrafficShifted -Timeout 120
        $shifted.Status | Should -Be 'Baking'
        $shifted.GreenTrafficPercent | Should -Be 100
        (Get-ProductionWeights).green | Should -Be 100
        Get-ServingTaskDefinition $d.ProductionEndpoint 5 | Sort-Object -Unique | Should -Be 'api:2'

        # The bake is an hour (a minute here): -Complete ends it now.
        $null = $shifted | Set-TrafficShift -Complete -Confirm:$false @Aws
        $done = $d | Wait-BlueGreenDeployment -Timeout 30
        $done.Status | Should -Be 'Succeeded'
        $done.EngineStatus | Should -Be 'SUCCESSFUL'
        $done.BlueGone | Should -BeTrue
        (Get-ApiService).taskDefinition | Should -BeLike '*task-definition/api:2'
    }

    It 'undoes a broken version in flight with StopServiceDeployment ROLLBACK: production back on blue' {
        $bad = New-ApiRevision @{ SANDBOX_BODY = 'bad'; SANDBOX_STATUS = '500' }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service api -TaskDefinition $bad @Aws
        $ready = $d | Wait-BlueGreenDeployment -Until Ready -Timeout 120
        $smoke = $ready | Invoke-SmokeTest -Path / -Requests 3 -ErrorAction SilentlyContinue
        $smoke.Passed | Should -BeFalse
        $smoke | Set-TrafficShift -Continue -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable refused @Aws
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'SmokeTestFailed,*'

        $null = Invoke-SandboxControl DELETE 'requests'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $undone = $ready | Undo-Deployment -Confirm:$false -Reason 'smoke test failed'
        $watch.Stop()
        Write-Host "stop to production on blue: $([int] $watch.Elapsed.TotalMilliseconds) ms at time scale 600"
        $undone.RolledBack | Should -BeTrue
        $undone.RollbackDeploymentId | Should -Be ($d.DeploymentId + '#rollback')
        $undone.GreenTrafficPercent | Should -Be 0
        @(Get-SandboxCall 'StopServiceDeployment').Count | Should -Be 1
        Get-ServingTaskDefinition $d.ProductionEndpoint 5 | Sort-Object -Unique | Should -Be 'api:1'
        (Get-ProductionWeights).blue | Should -Be 100
        $after = $d | Get-BlueGreenDeployment
        $after.Status | Should -BeIn @('Stopped', 'Failed')
        $after.EngineStatus | Should -Be 'ROLLBACK_SUCCESSFUL'
    }

    It 'undoes a release that succeeded by releasing the previous task definition, without stopping at Ready' {
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:2.0' -BakeTime 0 @Aws
        $null = $d | Wait-BlueGreenDeployment -Until Ready -Timeout 120 | Set-TrafficShift -Continue -Confirm:$false @Aws
        ($d | Wait-BlueGreenDeployment -Timeout 120).Status | Should -Be 'Succeeded'
        Get-ServingTaskDefinition $d.ProductionEndpoint 3 | Sort-Object -Unique | Should -Be 'api:2'

        $undone = $d | Undo-Deployment -Confirm:$false
        $undone.DeploymentId | Should -Not -Be $d.DeploymentId
        $undone.DeploymentId | Should -Match ':service-deployment/sandbox/api/'
        $undone.GreenTaskDefinition | Should -BeLike '*task-definition/api:1'
        $undone.GreenTrafficPercent | Should -Be 100
        Get-ServingTaskDefinition $d.ProductionEndpoint 5 | Sort-Object -Unique | Should -Be 'api:1'
        $config = (Get-ApiService).deploymentConfiguration
        $config.strategy | Should -Be 'BLUE_GREEN'
        @($config.lifecycleHooks | Where-Object { $_.lifecycleStages -contains 'POST_TEST_TRAFFIC_SHIFT' }) | Should -BeNullOrEmpty -Because 'an undo must not stop at a gate'
        $config.alarms.enable | Should -BeFalse -Because 'the alarm the bad version raised must not stop the undo'

        # The next release waits at Ready again (the module places its hook again), and -Alarm turns the alarm back on.
        $next = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:3.0' -Alarm api-5xx @Aws
        ($next | Wait-BlueGreenDeployment -Until Ready -Timeout 120).Status | Should -Be 'Ready'
        (Get-ApiService).deploymentConfiguration.alarms.enable | Should -BeTrue
        $null = $next | Undo-Deployment -Confirm:$false
    }

    It 'runs -Hook functions as ECS Lambda hooks: a hook that answers FAILED rolls the release back' {
        $folder = Join-Path $TestDrive 'hook-deny'
        $null = New-Item -ItemType Directory -Path $folder
        @{ payload = @{ hookStatus = 'FAILED' } } | ConvertTo-Json -Depth 4 | Set-Content -Path (Join-Path $folder 'sandbox.json') -Encoding utf8NoBOM
        $zip = Join-Path $TestDrive 'hook-deny.zip'
        [IO.Compression.ZipFile]::CreateFromDirectory($folder, $zip)
        $function = (Invoke-SandboxCli lambda create-function --function-name hook-deny --runtime python3.12 --handler index.handler `
                --role 'arn:aws:iam::000000000000:role/sandbox-lambda' --zip-file "fileb://$zip").FunctionArn

        $d = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:2.0' -Hook @{ AfterInstall = 'hook-deny' } @Aws
        $hook = @((Get-ApiService).deploymentConfiguration.lifecycleHooks | Where-Object targetType -eq 'AWS_LAMBDA')
        $hook.Count | Should -Be 1
        $hook[0].hookTargetArn | Should -Be $function
        $hook[0].lifecycleStages | Should -Be @('POST_SCALE_UP')
        $hook[0].roleArn | Should -Not -BeNullOrEmpty

        $ended = $d | Wait-BlueGreenDeployment -AllowFailure -Timeout 120
        $ended.Status | Should -Be 'Failed'
        $ended.RolledBack | Should -BeTrue
        $ended.ErrorCode | Should -Be 'HOOK_FAILED'
        $ended.Phase | Should -Not -Be 'PRODUCTION_TRAFFIC_SHIFT'
        Get-ServingTaskDefinition $d.ProductionEndpoint 5 | Sort-Object -Unique | Should -Be 'api:1'
    }

    It 'finds releases by service and by ARN, waits until test traffic, and counts its calls' {
        $null = Invoke-SandboxControl DELETE 'requests'
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:3.0' @Aws
        $start = @(Get-SandboxCall | ForEach-Object operation)
        Write-Host "calls per start: $($start.Count) ($($start -join ', '))"
        # Plan: the service (read once, also to pick the engine), active deployments, blue's task definition, the listeners;
        # start: the revision, the update (whose answer names the new service deployment), and the first read.
        $start | Should -Be @('DescribeServices', 'ListServiceDeployments', 'DescribeTaskDefinition', 'DescribeListeners', 'DescribeLoadBalancers', 'RegisterTaskDefinition', 'UpdateService', 'DescribeServiceDeployments')
        @(Get-SandboxCall | Where-Object mutating | ForEach-Object operation) | Should -Be @('RegisterTaskDefinition', 'UpdateService')

        $null = Invoke-SandboxControl DELETE 'requests'
        $test = $d | Wait-BlueGreenDeployment -Until TestTraffic -Timeout 120
        $polls = @(Get-SandboxCall | ForEach-Object operation)
        Write-Host "calls while waiting: $($polls.Count) ($(($polls | Group-Object | ForEach-Object { "$($_.Name) x$($_.Count)" }) -join ', '))"
        @($polls | Sort-Object -Unique) | Should -Be @('DescribeServiceDeployments') -Because 'a poll is one DescribeServiceDeployments'
        $test.LifecycleEvents.Where({ $_.Name -eq 'TEST_TRAFFIC_SHIFT' }).Status | Should -Be 'Succeeded'

        $byService = Get-BlueGreenDeployment -Cluster sandbox -Service api @Aws
        $byService.DeploymentId | Should -Be $d.DeploymentId
        $byService.GreenTaskDefinition | Should -BeLike '*task-definition/api:2'
        $byService.TestEndpoint | Should -Be $d.TestEndpoint
        $byId = Get-BlueGreenDeployment -Id $d.DeploymentId @Aws
        $byId.Engine | Should -Be 'EcsNative'
        $byId.BlueTaskDefinition | Should -BeLike '*task-definition/api:1'

        Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:4.0' -ErrorAction SilentlyContinue -ErrorVariable active @Aws | Should -BeNullOrEmpty
        $active[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentAlreadyActive,*'
        $active[0].Exception.Message | Should -Match ([regex]::Escape($d.DeploymentId))

        $null = $d | Wait-BlueGreenDeployment -Until Ready -Timeout 120 | Set-TrafficShift -Continue -Confirm:$false @Aws
        ($d | Wait-BlueGreenDeployment -Timeout 120).Status | Should -Be 'Succeeded'
        $all = @(Get-BlueGreenDeployment -Cluster sandbox -Service api -All @Aws)
        $all[0].DeploymentId | Should -Be $d.DeploymentId
    }

    It 'refuses <Name> with <ErrorId> before changing anything' -ForEach @(
        @{ Name = 'a linear step ECS cannot take'; Arguments = @{ Service = 'api'; TaskDefinition = 'api:1'; TrafficShift = 'Linear2PercentEvery1Minutes' }; ErrorId = 'TrafficShiftNotSupported'; Category = 'InvalidArgument' }
        @{ Name = 'a bake over a day'; Arguments = @{ Service = 'api'; TaskDefinition = 'api:1'; BakeTime = 1441 }; ErrorId = 'InvalidBakeTime'; Category = 'InvalidArgument' }
        @{ Name = 'a service with no load balancer'; Arguments = @{ Service = 'plain'; TaskDefinition = 'api:1' }; ErrorId = 'ServiceNotBlueGreenCapable'; Category = 'InvalidOperation' }
        @{ Name = 'the native controller for a CodeDeploy service'; Arguments = @{ Service = 'web'; TaskDefinition = 'web:2'; Controller = 'Service' }; ErrorId = 'NotSupportedByEngine'; Category = 'InvalidArgument' }
    ) {
        $null = Invoke-SandboxCli ecs create-service --cluster sandbox --service-name plain --task-definition api:1 --desired-count 1 --launch-type FARGATE `
            --network-configuration 'awsvpcConfiguration={subnets=[subnet-a],assignPublicIp=DISABLED}'
        $null = Invoke-SandboxControl DELETE 'requests'
        $failure = $null
        try { Start-BlueGreenDeployment -Cluster sandbox @Arguments @Aws -ErrorAction Stop; throw 'no error' } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        "$($failure.CategoryInfo.Category)" | Should -Be $Category
        $failure.Exception.Message | Should -Not -BeNullOrEmpty
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty
    }

    It 'the service says what it needs when it cannot do blue/green' {
        $null = Invoke-SandboxCli ecs create-service --cluster sandbox --service-name plain --task-definition api:1 --desired-count 1 --launch-type FARGATE `
            --network-configuration 'awsvpcConfiguration={subnets=[subnet-a],assignPublicIp=DISABLED}'
        $failure = $null
        try { Get-BlueGreenDeployment -Cluster sandbox -Service plain @Aws -ErrorAction Stop; throw 'no error' } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'ServiceNotBlueGreenCapable,*'
        $failure.Exception.Message | Should -Match 'no load balancer'
        $failure.ErrorDetails.RecommendedAction + $failure.CategoryInfo.Reason + $failure.Exception.Message | Should -Not -BeNullOrEmpty
    }
}
