# Invoke-CanaryAnalysis on the sandbox, with real traffic through its listeners and Lambda aliases: a good Lambda version
# passes and its result lets Set-TrafficShift -Continue go on; a bad one fails and the piped result is refused; an ECS
# release at Ready is Inconclusive without green traffic and fails once its slow green answers the test listener; bad
# definitions are refused with their error ids before any AWS call. One sandbox for the file; one GetMetricData per analysis.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 300
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }
    $script:Direct = @{ FunctionName = 'payments'; Alias = 'live'; Controller = 'Module'; EndpointUrl = $EP; Confirm = $false }
    # Both sides' error rate (critical) and latency, over the whole release (the window never reaches back before it).
    $script:Definition = @{
        Metrics  = @{ Name = 'ErrorRate'; Critical = $true }, @{ Name = 'Latency'; AllowedEffect = 2 }
        Lookback = '02:00:00'
    }

    function script:Start-HeldLambdaRelease([string] $Version) {
        # Green holds half of the alias's traffic; two minutes of simulated time (two samples) per real second of traffic.
        $d = Start-BlueGreenDeployment @Direct -Version $Version -TrafficShift Canary10Percent5Minutes
        $null = $d | Set-TrafficShift -Percent 50 -Confirm:$false
        Set-SandboxTimeScale 120
        $null = Start-SandboxTraffic -Target @{ function = 'payments'; qualifier = 'live' } -Rate 40 -Duration 4 -Wait
        $d
    }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'Invoke-CanaryAnalysis of a Lambda release the module drives' {
    BeforeEach { Reset-TestSandbox }

    It 'passes a good version on its traffic in one GetMetricData call, and the result lets -Continue go on' {
        $d = Start-HeldLambdaRelease 2
        $before = @(Get-SandboxCall GetMetricData).Count

        $result = $d | Invoke-CanaryAnalysis -Definition $Definition

        $result.Verdict | Should -Be 'Pass' -Because ($result.Metrics | Out-String)
        $result.Passed | Should -BeTrue
        $result.DeploymentId | Should -Be $d.DeploymentId
        $result.CloudWatchCalls | Should -Be 1
        @(Get-SandboxCall GetMetricData).Count - $before | Should -Be 1
        $result.Metrics.Name | Should -Be 'ErrorRate', 'Latency'
        foreach ($metric in $result.Metrics) {
            $metric.GreenSamples | Should -BeGreaterOrEqual 5 -Because "$($metric.Name): every simulated minute of traffic is a sample of each version"
            $metric.BlueSamples | Should -BeGreaterOrEqual 5
        }
        $result.Metrics[0].GreenMean | Should -Be 0
        $result.Metrics[1].GreenMean | Should -BeGreaterThan 0 -Because 'Duration is what the invocations took'
        $result.Compared | Should -Be 'green 2 against blue 1'
        $result.WindowEnd | Should -BeGreaterThan $result.WindowStart
        ($result | Out-String -Width 120) | Should -Match 'Canary analysis of lambda:payments:live:\w+: Pass, score 100'

        $continued = $result | Set-TrafficShift -Continue -Confirm:$false
        $continued.Status | Should -Be 'Succeeded'
        (Invoke-SandboxCli lambda get-alias --function-name payments --name live).FunctionVersion | Should -Be '2'
    }

    It 'fails a version whose invocations fail, and Set-TrafficShift -Continue refuses the piped result' {
        $d = Start-HeldLambdaRelease 3
        $path = Join-Path $TestDrive 'canary.psd1'
        "@{ Metrics = @{ Name = 'ErrorRate'; Critical = `$true }, 'Latency'; Lookback = 7200 }" | Set-Content $path

        $result = $d | Invoke-CanaryAnalysis -Definition $path -ErrorAction SilentlyContinue -ErrorVariable failed

        $result.Verdict | Should -Be 'Fail'
        $result.FailedMetrics | Should -Match '^ErrorRate'
        $result.Metrics[0].GreenMean | Should -Be 1 -Because 'every invocation of version 3 fails'
        $result.Metrics[0].BlueMean | Should -Be 0
        $failed.FullyQualifiedErrorId | Should -Be 'CanaryAnalysisFailed,BlueGreen.Commands.InvokeCanaryAnalysisCommand'
        $updates = @(Get-SandboxCall UpdateAlias).Count

        $result | Set-TrafficShift -Continue -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable refused

        $refused.FullyQualifiedErrorId | Should -Be 'CanaryAnalysisFailed,BlueGreen.Commands.SetTrafficShiftCommand'
        "$refused" | Should -BeLike "The canary analysis of release $($d.DeploymentId) failed*production traffic stays on blue."
        @(Get-SandboxCall UpdateAlias).Count | Should -Be $updates -Because 'nothing was sent'
        $alias = Invoke-SandboxCli lambda get-alias --function-name payments --name live
        $alias.FunctionVersion | Should -Be '1'
    }
}

Describe 'Invoke-CanaryAnalysis of an ECS release through CodeDeploy' {
    It 'is Inconclusive while green has no traffic, and fails a slow green once the test listener sends it traffic' {
        Reset-TestSandbox
        Set-ReadyWait
        # Green answers every request well, 60 ms late: a smoke test passes it, the comparison with blue does not.
        $slow = New-WebRevision @{ SANDBOX_LATENCY_MS = 60 }
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition $slow -TrafficShift AllAtOnce @Aws | Wait-BlueGreenDeployment -Until Ready
        Set-SandboxTimeScale 120
        $null = Start-SandboxTraffic -Target $d.ProductionEndpoint -Rate 20 -Duration 4 -Wait

        $quiet = $d | Invoke-CanaryAnalysis -Definition $Definition -WarningAction SilentlyContinue

        $quiet.Verdict | Should -Be 'Inconclusive'
        $quiet.Metrics[0].GreenSamples | Should -Be 0
        $quiet.Metrics[0].BlueSamples | Should -BeGreaterOrEqual 5
        $quiet.Notes | Should -Contain ($quiet.Notes | Where-Object { $_ -like 'ErrorRate: no data point for green*' })
        $quiet.Deployment.GreenTargetGroup | Should -Match ':targetgroup/web-(blue|green)/'
        $quiet.Deployment.BlueTargetGroup | Should -Match ':targetgroup/web-(blue|green)/'
        $quiet.Deployment.BlueTargetGroup | Should -Not -Be $quiet.Deployment.GreenTargetGroup
        $quiet | Set-TrafficShift -Continue -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable refused
        $refused.FullyQualifiedErrorId | Should -Be 'CanaryAnalysisInconclusive,BlueGreen.Commands.SetTrafficShiftCommand'

        $green = Start-SandboxTraffic -Target $d.TestEndpoint -Rate 20 -Duration 4
        $blue = Start-SandboxTraffic -Target $d.ProductionEndpoint -Rate 20 -Duration 4 -Wait
        while ((Get-SandboxTraffic $green.id).state -eq 'running') { Start-Sleep -Milliseconds 100 }
        $blue.targetGroups.PSObject.Properties.Name | Should -Be 'web-blue'

        $result = $d | Invoke-CanaryAnalysis -Definition $Definition -ErrorAction SilentlyContinue

        $result.Verdict | Should -Be 'Fail' -Because ($result.Metrics | Out-String)
        $result.FailedMetrics | Should -Be 'Latency'
        $result.Metrics[0].Verdict | Should -Be 'Pass' -Because 'neither side answered 5XX'
        $result.Metrics[1].MeanRatio | Should -BeGreaterThan 2
        $result.CloudWatchCalls | Should -Be 1
        $result.Compared | Should -Match '^green web:\d+ \(targetgroup/web-\w+/\w+\) against blue web:1 \(targetgroup/web-\w+/\w+\)$'
        (Get-BlueGreenDeployment -Id $d.DeploymentId @Aws).Status | Should -Be 'Ready' -Because 'an analysis changes nothing'
    }
}

Describe 'Invoke-CanaryAnalysis of an ECS service released by ECS itself' {
    It 'finds green in the target group its test rule sends to at Ready, and passes a good green' {
        Reset-TestSandbox
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service api -Image 'api=public.ecr.aws/sandbox/api:2.0' -TrafficShift Canary10Percent5Minutes @Aws |
            Wait-BlueGreenDeployment -Until Ready
        Set-SandboxTimeScale 120
        $green = Start-SandboxTraffic -Target $d.TestEndpoint -Rate 20 -Duration 4
        $null = Start-SandboxTraffic -Target $d.ProductionEndpoint -Rate 20 -Duration 4 -Wait
        while ((Get-SandboxTraffic $green.id).state -eq 'running') { Start-Sleep -Milliseconds 100 }

        $result = $d | Invoke-CanaryAnalysis -Definition $Definition

        $result.Verdict | Should -Be 'Pass' -Because ($result.Metrics | Out-String)
        $result.Compared | Should -Match '^green api:2 \(targetgroup/api-green/\w+\) against blue api:1 \(targetgroup/api-blue/\w+\)$'
        $result.Metrics | ForEach-Object { $_.GreenSamples | Should -BeGreaterOrEqual 5 }
    }
}

Describe 'Bad definitions' {
    It 'refuses <Case> with <ErrorId> before any AWS call' -ForEach @(
        @{ Case = 'an unknown key'; Definition = @{ Lookbak = 60 }; ErrorId = 'UnknownAnalysisKey' }
        @{ Case = 'a bad value'; Definition = @{ Metrics = @{ Name = 'Latency'; Direction = 'Up' } }; ErrorId = 'InvalidAnalysisValue' }
        @{ Case = 'an unknown metric'; Definition = @{ Metrics = 'Latancy' }; ErrorId = 'UnknownMetric' }
        @{ Case = 'a missing file'; Definition = 'no-such-canary.psd1'; ErrorId = 'AnalysisDefinitionNotFound' }
        @{ Case = 'a file that runs a command'; File = "@{ Metrics = (Get-Date).Second }"; ErrorId = 'InvalidAnalysisDefinitionFile' }
        @{ Case = 'a file that is not one hashtable'; File = "'ErrorRate'"; ErrorId = 'InvalidAnalysisDefinitionFile' }
    ) {
        if ($File) {
            $Definition = Join-Path $TestDrive 'bad.psd1'
            Set-Content -Path $Definition -Value $File
        }
        $calls = @(Get-SandboxCall).Count

        { Invoke-CanaryAnalysis -Id 'lambda:payments:live:abcdefgh' -Definition $Definition @Aws -ErrorAction Stop } |
            Should -Throw -ErrorId "$ErrorId,BlueGreen.Commands.InvokeCanaryAnalysisCommand"

        @(Get-SandboxCall).Count | Should -Be $calls
    }
}
