# Release trains on one sandbox: a mixed ECS/Lambda train across regions, a train stopped by a failing target in
# wave 2 and undone, and a train whose shell is killed mid-way, resumed in another session.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 200
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }

    function script:Use-Regions([string[]] $Regions) {
        # A fresh sandbox with the sample services and functions in each region.
        Reset-TestSandbox
        foreach ($region in $Regions | Where-Object { $_ -ne 'us-east-1' }) { $null = Invoke-SandboxControl POST "seed?region=$region" }
    }

    function script:New-RegionTargets([string] $Region, [string[]] $Names = @('web', 'api', 'orders', 'payments')) {
        # Every sample target of a region, each released by its own engine: CodeDeploy (web, orders), ECS (api), the module (payments).
        $all = @{
            web      = @{ Cluster = 'sandbox'; Service = 'web'; TaskDefinition = 'web:2'; Region = $Region; TrafficShift = 'AllAtOnce' }
            api      = @{ Cluster = 'sandbox'; Service = 'api'; Image = 'api=public.ecr.aws/sandbox/api:2.0'; Region = $Region; TrafficShift = 'AllAtOnce' }
            orders   = @{ FunctionName = 'orders'; Alias = 'live'; Version = '2'; Region = $Region; TrafficShift = 'AllAtOnce' }
            payments = @{ FunctionName = 'payments'; Alias = 'live'; Version = '2'; Region = $Region; Controller = 'Module'; TrafficShift = 'Linear50PercentEvery1Minutes' }
        }
        foreach ($name in $Names) { $all[$name] }
    }

    function script:Get-Serving([string] $Region) {
        # What each target of a region serves, read from the sandbox's state: @{ web = 'web:1'; api = 'api:1'; orders = '1'; payments = '1' }.
        $state = (Invoke-SandboxControl GET "state?region=$Region").regions[0]
        $services = $state.ecs.clusters[0].services
        $web = $services | Where-Object serviceName -EQ 'web'
        $api = $services | Where-Object serviceName -EQ 'api'
        $serving = @{
            web = (($web.taskSets | Where-Object status -EQ 'PRIMARY').taskDefinition -split '/')[-1]
            api = ($api.taskDefinition -split '/')[-1]
        }
        foreach ($function in $state.lambda.functions) {
            $name = ($function.FunctionArn -split ':')[-1]
            if ($name -notin 'orders', 'payments') { continue }
            $alias = $function.Aliases | Where-Object Name -EQ 'live'
            $serving[$name] = if ($alias.PSObject.Properties['RoutingConfig'] -and @($alias.RoutingConfig.AdditionalVersionWeights.PSObject.Properties).Count) { "$($alias.FunctionVersion)+" } else { $alias.FunctionVersion }
        }
        $serving
    }

    function script:Get-ReleaseCount([string] $Region, [datetime] $Since) {
        # Releases of each target of a region created since a time of the sandbox's clock, as the module lists them.
        $at = @{ Region = $Region; EndpointUrl = $EP; All = $true }
        $count = { param($releases) @($releases | Where-Object { $_.CreateTime -and $_.CreateTime.ToUniversalTime() -gt $Since }).Count }
        @{
            web      = & $count (Get-BlueGreenDeployment -Cluster sandbox -Service web @at)
            api      = & $count (Get-BlueGreenDeployment -Cluster sandbox -Service api @at)
            orders   = & $count (Get-BlueGreenDeployment -FunctionName orders -Alias live @at)
            payments = & $count (Get-BlueGreenDeployment -FunctionName payments -Alias live -Controller Module @at)
        }
    }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'A release train' {
    It 'prints the whole train with -WhatIf, refuses a bad definition naming its key, and releases 12 mixed targets in 3 waves across 3 regions' {
        Use-Regions 'us-east-1', 'us-west-2', 'eu-west-1'
        $train = @{
            Name          = 'fleet'
            ThrottleLimit = 4
            Waves         = @(
                @{ Name = 'canary'; Targets = @(New-RegionTargets us-east-1 'payments', 'orders') }
                @{ Name = 'east'; Targets = @(New-RegionTargets us-east-1 'web', 'api') + @(New-RegionTargets us-west-2 'payments', 'orders') }
                @{ Name = 'rest'; ThrottleLimit = 6; Targets = @(New-RegionTargets us-west-2 'web', 'api') + @(New-RegionTargets eu-west-1) }
            )
        }

        $bad = $train.Clone(); $bad.Waves = @(@{ Targets = @(@{ FunctionName = 'orders'; Alias = 'live'; Version = '2'; Colour = 'green' }) })
        $refused = { Start-BlueGreenDeployment -Train $bad @Aws -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTrainDefinition,*' -PassThru
        $refused.TargetObject | Should -Be 'Waves[0].Targets[0].Colour'
        Invoke-SandboxControl DELETE 'requests' | Out-Null

        # -WhatIf writes to the host: a transcript keeps what it wrote without another pwsh.
        $transcript = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-whatif-$([guid]::NewGuid().ToString('N')).txt"
        $null = Start-Transcript -Path $transcript
        try { Start-BlueGreenDeployment -Train $train @Aws -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content $transcript -Raw
        Remove-OwnedItem $transcript
        $whatIf | Should -Match "Release train 'fleet' \(train-[0-9]{8}-[0-9]{6}-[a-z2-9]{6}\): 12 targets in 3 waves"
        $whatIf | Should -Match "Wave 3 'rest': 6 targets, 6 at once"
        $whatIf | Should -Match "alias 'live' of function 'payments' in eu-west-1: green 2, Linear50PercentEvery1Minutes"
        $whatIf | Should -Match 'CreateDeployment'
        @(Get-SandboxCall | Where-Object { $_.operation -match '^(Create|Update|Put|Register|Publish|Tag)' }).Count | Should -Be 0 -Because '-WhatIf and a refused definition change nothing'

        $result = Start-BlueGreenDeployment -Train $train @Aws -Confirm:$false
        $result.State | Should -Be 'Succeeded'
        @($result.Targets).Count | Should -Be 12
        $result.Targets | ForEach-Object { $_.State | Should -Be 'Succeeded' -Because $_.Key }
        foreach ($region in 'us-east-1', 'us-west-2', 'eu-west-1') {
            $serving = Get-Serving $region
            $serving.web | Should -Be 'web:2'; $serving.api | Should -Be 'api:2'; $serving.orders | Should -Be '2'; $serving.payments | Should -Be '2'
        }

        # Any session finds the train by its id, kept in a CloudWatch dashboard of the account.
        $read = Get-BlueGreenDeployment -Id $result.Id @Aws
        $read.State | Should -Be 'Succeeded'
        $read.Targets.DeploymentId | Should -Be $result.Targets.DeploymentId
        (Invoke-SandboxCli cloudwatch get-dashboard --dashboard-name "bluegreen-$($result.Id)").DashboardBody | Should -Match '"type":"metric"'
    }

    It 'stops at a failing target in wave 2 and puts every target that moved back on blue' {
        Use-Regions 'us-east-1', 'us-west-2'
        # An alarm on a metric nobody sends, treating missing data as breaching: in ALARM from its first evaluation.
        $null = Invoke-SandboxCli --region us-west-2 cloudwatch put-metric-alarm --alarm-name train-gate --namespace Train --metric-name Nothing --statistic Sum --period 60 `
            --evaluation-periods 1 --threshold 0 --comparison-operator GreaterThanThreshold --treat-missing-data breaching
        $failing = @{ FunctionName = 'payments'; Alias = 'live'; Version = '3'; Region = 'us-west-2'; Controller = 'Module'; TrafficShift = 'Linear10PercentEvery1Minutes'; Alarm = 'train-gate' }
        $train = @{
            Name  = 'stopped'
            Waves = @(
                @{ Targets = @(New-RegionTargets us-east-1 'orders', 'web', 'payments') }
                @{ Targets = @(New-RegionTargets us-east-1 'api') + @($failing) + @(New-RegionTargets us-west-2 'orders') }
                @{ Targets = @(New-RegionTargets us-west-2 'web', 'api') }
            )
        }

        $result = Start-BlueGreenDeployment -Train $train @Aws -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TrainUndone,*'
        $result.State | Should -Be 'Undone'
        $result.Failure | Should -Match "alias 'live' of function 'payments' in us-west-2 in wave 2 did not succeed: .*train-gate"
        ($result.Targets | Where-Object Wave -EQ 3).State | Should -Be @('Pending', 'Pending')
        ($result.Targets | Where-Object Wave -LT 3).State | Sort-Object -Unique | Should -Be 'Undone'

        foreach ($region in 'us-east-1', 'us-west-2') {
            $serving = Get-Serving $region
            $serving.web | Should -Be 'web:1' -Because "web in $region is back on blue"
            $serving.api | Should -Be 'api:1' -Because "api in $region is back on blue"
            $serving.orders | Should -Be '1' -Because "orders in $region is back on blue"
            $serving.payments | Should -Be '1' -Because "payments in $region is back on blue"
        }
    }

    It 'survives its shell: killed mid-way, it is resumed by id in another session and no target is released twice' {
        Use-Regions 'us-east-1', 'eu-west-1'
        Set-SandboxTimeScale 120
        $since = ([datetimeoffset](Invoke-SandboxControl GET health).virtualTime).UtcDateTime
        $train = @{
            Name  = 'resumed'
            Waves = @(
                @{ Targets = @(New-RegionTargets eu-west-1 'orders') }
                @{ Targets = @(@{ FunctionName = 'payments'; Alias = 'live'; Version = '2'; Region = 'eu-west-1'; Controller = 'Module'; TrafficShift = 'Linear10PercentEvery1Minutes' }) + @(New-RegionTargets eu-west-1 'web') }
                @{ Targets = @(New-RegionTargets eu-west-1 'api') }
            )
        }
        $definition = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-train-$([guid]::NewGuid().ToString('N')).psd1"
        $log = "$definition.log"
        $script = "$definition.ps1"
        $waves = foreach ($wave in $train.Waves) {
            $targets = foreach ($t in $wave.Targets) { '@{ ' + (($t.GetEnumerator() | ForEach-Object { "$($_.Key) = '$($_.Value)'" }) -join '; ') + ' }' }
            "@{ Targets = @($($targets -join ', ')) }"
        }
        Set-Content -Path $definition -Value "@{ Name = 'resumed'; Waves = @($($waves -join ', ')) }"
        Set-Content -Path $script -Value "Import-Module '$(Get-ModuleManifestPath)'; Start-BlueGreenDeployment -Train '$definition' -EndpointUrl '$EP' -Confirm:`$false -Verbose *> '$log'"
        $pwsh = @(Get-FreshPwsh)
        $shell = Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script)) -PassThru
        try {
            $trainId = $null
            $deadline = (Get-Date).AddSeconds(60)
            while (-not $trainId -and (Get-Date) -lt $deadline) {
                Start-Sleep -Milliseconds 200
                if ((Test-Path $log) -and ((Get-Content $log -Raw) -match 'dashboard bluegreen-(train-\S+?)\.')) { $trainId = $Matches[1] }
            }
            $trainId | Should -Not -BeNullOrEmpty
            do {
                Start-Sleep -Milliseconds 200
                $seen = Get-BlueGreenDeployment -Id $trainId @Aws
            } until (@($seen.Targets | Where-Object { $_.Wave -eq 2 -and $_.State -eq 'Started' }).Count -gt 0 -or (Get-Date) -gt $deadline)
        }
        finally {
            Stop-Process -Id $shell.Id -Force
            $shell.WaitForExit()
        }
        $seen.State | Should -Be 'Running'
        @($seen.Targets | Where-Object State -EQ 'Succeeded').Key | Should -Be 'lambda:orders:live@eu-west-1'

        Set-SandboxTimeScale 600
        $resumed = Wait-BlueGreenDeployment -Id $trainId @Aws
        $resumed.State | Should -Be 'Succeeded'
        $resumed.Targets.State | Sort-Object -Unique | Should -Be 'Succeeded'
        $serving = Get-Serving eu-west-1
        $serving.web | Should -Be 'web:2'; $serving.api | Should -Be 'api:2'; $serving.orders | Should -Be '2'; $serving.payments | Should -Be '2'
        $count = Get-ReleaseCount eu-west-1 $since
        foreach ($name in 'web', 'api', 'orders', 'payments') { $count[$name] | Should -Be 1 -Because "$name was released once" }
        foreach ($file in $definition, $log, $script) { Remove-OwnedItem $file }
    }

    It 'releases a fleet of 50 targets of every kind in two regions in 3 waves, each group named' {
        Reset-TestSandbox
        $fleet = @(New-SandboxFleet -EcsServices 26 -LambdaFunctions 24 -Regions us-east-1, eu-west-1)
        $fleet.Count | Should -Be 50
        $entries = @($fleet | ConvertTo-TrainTarget)
        $train = @{ Name = 'fleet'; ThrottleLimit = 20; Waves = @(
                @{ Name = 'first'; Targets = $entries[0..9] }
                @{ Name = 'second'; Targets = $entries[10..29] }
                @{ Name = 'rest'; Targets = $entries[30..49] }) }
        $null = Invoke-SandboxControl DELETE 'requests'
        $result = Start-BlueGreenDeployment -Train $train @Aws -Confirm:$false
        $result.State | Should -Be 'Succeeded'
        @($result.Targets).Count | Should -Be 50
        @($result.Targets | Where-Object State -NE 'Succeeded') | Should -BeNullOrEmpty
        # Named groups are read, never searched for.
        (Get-SandboxCall ListApplications).Count + (Get-SandboxCall ListDeploymentGroups).Count | Should -Be 0
        foreach ($t in $fleet) {
            if ($t.Kind -eq 'EcsService') {
                (Invoke-WebRequest $t.ProductionUrl -SkipHttpErrorCheck).Headers['X-Sandbox-Task-Definition'] | Should -Be $t.GreenTaskDefinition -Because "$($t.Service) in $($t.Region) serves green"
            }
        }
        foreach ($region in 'us-east-1', 'eu-west-1') {
            $functions = (Invoke-SandboxControl GET "state?region=$region").regions[0].lambda.functions
            foreach ($t in $fleet | Where-Object { $_.Kind -eq 'LambdaAlias' -and $_.Region -eq $region }) {
                $alias = ($functions | Where-Object { $_.FunctionArn -like "*:function:$($t.FunctionName)" }).Aliases | Where-Object Name -EQ $t.Alias
                $alias.FunctionVersion | Should -Be $t.GreenVersion -Because "$($t.FunctionName) in $region serves green"
            }
        }
    }
}
