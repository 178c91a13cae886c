# Invoke-SmokeTest as a user runs it: against the seeded sandbox's test listener, a loopback port that
# never answers, and a port that refuses connections.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $manifest = Get-ModuleManifestPath
    Import-Module $manifest -Force

    $sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $saved = @{}
    foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION', 'AWS_PAGER') {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'; $env:AWS_DEFAULT_REGION = 'us-east-1'; $env:AWS_PAGER = ''
    $endpoint = $sandbox.Endpoint.ToString()
    function script:Set-TimeScale([double] $Scale) {
        # 0 holds simulated time still: a release waiting at Ready stays there (its timeout does not run out)
        # however long the machine takes over the smoke test.
        $null = Invoke-RestMethod -Method Put -Uri ($endpoint.TrimEnd('/') + '/_sandbox/time-scale') -Body (@{ timeScale = $Scale } | ConvertTo-Json) -ContentType 'application/json'
    }
    $alb = & aws --endpoint-url $endpoint elbv2 describe-load-balancers --names web-alb --query 'LoadBalancers[0].LoadBalancerArn' --output text
    if ($LASTEXITCODE -ne 0) { throw "describe-load-balancers failed: $alb" }
    $ports = & aws --endpoint-url $endpoint elbv2 describe-listeners --load-balancer-arn $alb --query 'Listeners[*].Port' --output json | ConvertFrom-Json
    if ($LASTEXITCODE -ne 0 -or @($ports).Count -ne 2) { throw "describe-listeners failed: $ports" }
    # The seed creates the production listener first, then the test listener.
    $testEndpoint = "http://127.0.0.1:$($ports[1])"

    # A port that accepts connections (the kernel does) but never answers.
    $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $silent.Start()
    $silentUrl = "http://127.0.0.1:$($silent.LocalEndpoint.Port)"

    # A port nobody listens on.
    $closed = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $closed.Start()
    $closedUrl = "http://127.0.0.1:$($closed.LocalEndpoint.Port)"
    $closed.Stop()
}

AfterAll {
    if ($silent) { $silent.Stop() }
    if ($sandbox) { $sandbox | Stop-BlueGreenSandbox }
    foreach ($name in $saved.Keys) { Set-EnvironmentVariable $name $saved[$name] }
}

Describe 'Invoke-SmokeTest against the sandbox test listener' {
    It 'passes when every answer meets the expectations, and says who answered' {
        $result = Invoke-SmokeTest -Uri $testEndpoint -Path /health -ExpectStatus 200 -ExpectBodyMatch '^web version 1' -Requests 20 -ErrorVariable failures

        $failures | Should -BeNullOrEmpty
        $result | Should -BeOfType ([BlueGreen.Core.SmokeTests.SmokeTestResult])
        $result.Passed | Should -BeTrue
        $result.Uri | Should -Be ([uri]"$testEndpoint/health")
        $result.Requests | Should -Be 20
        $result.Succeeded | Should -Be 20
        $result.Failed | Should -Be 0
        $result.ErrorRate | Should -Be 0
        $result.StatusCodes[200] | Should -Be 20
        $result.TaskDefinitions['web:1'] | Should -Be 20
        $result.TaskSetLabels['Blue'] | Should -Be 20
        $result.ServedBy | Should -Be 'web:1 x20, Blue x20'
        $result.P50 | Should -BeGreaterThan ([timespan]::Zero)
        $result.P50 | Should -BeLessOrEqual $result.P90
        $result.P90 | Should -BeLessOrEqual $result.P99
        $result.P99 | Should -BeLessOrEqual $result.Max
        $result.DeploymentId | Should -BeNullOrEmpty
    }

    It 'writes the result and a non-terminating SmokeTestFailed error when answers do not meet the expectations' {
        $result = Invoke-SmokeTest -Uri $testEndpoint -ExpectBodyMatch 'web version 2' -Requests 10 -ErrorVariable failures -ErrorAction SilentlyContinue
        $after = 'the pipeline went on'

        $after | Should -Be 'the pipeline went on'
        $result.Passed | Should -BeFalse
        $result.Failed | Should -Be 10
        $result.ErrorRate | Should -Be 1
        $result.FailureReasons[0] | Should -Be "request 1: the body does not match 'web version 2': 'web version 1'"
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmokeTestFailed,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $failures[0].TargetObject | Should -Be $result
        $failures[0].Exception.Message | Should -BeLike '*failed: 10 of 10 requests failed (100.0%, allowed 0.0%)*'
        $failures[0].Exception.Message | Should -BeLike '*Served by web:1 x10, Blue x10*'
        $failures[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'stops a script with -ErrorAction Stop' {
        { Invoke-SmokeTest -Uri $testEndpoint -ExpectStatus 204 -Requests 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'SmokeTestFailed,BlueGreen.Commands.InvokeSmokeTestCommand'
    }

    It 'tolerates failed requests up to -MaxErrorRate' {
        $strict = Invoke-SmokeTest -Uri $testEndpoint -ExpectStatus 204 -Requests 4 -ErrorVariable strictErrors -ErrorAction SilentlyContinue
        $lenient = Invoke-SmokeTest -Uri $testEndpoint -ExpectStatus 204 -Requests 4 -MaxErrorRate 1 -ErrorVariable lenientErrors

        $strict.Passed | Should -BeFalse
        $strictErrors.Count | Should -Be 1
        $lenient.Passed | Should -BeTrue
        $lenient.Failed | Should -Be 4
        $lenient.MaxErrorRate | Should -Be 1
        $lenientErrors | Should -BeNullOrEmpty
    }

    It 'takes -MaxLatency in milliseconds or as a TimeSpan, and fails answers slower than it' {
        (Invoke-SmokeTest -Uri $testEndpoint -Requests 2 -MaxLatency 5000).MaxLatency.TotalMilliseconds | Should -Be 5000
        (Invoke-SmokeTest -Uri $testEndpoint -Requests 2 -MaxLatency '00:00:01.5').MaxLatency.TotalMilliseconds | Should -Be 1500
        $slow = Invoke-SmokeTest -Uri $testEndpoint -Requests 2 -MaxLatency ([timespan]::FromTicks(1)) -ErrorAction SilentlyContinue
        $slow.Passed | Should -BeFalse
        $slow.FailureReasons[0] | Should -BeLike 'request 1: took * ms, more than 0 ms'
    }

    It 'sends other methods' {
        $result = Invoke-SmokeTest -Uri $testEndpoint -Method HEAD -Requests 2 -Header @{ 'X-Smoke-Test' = '1' }
        $result.Passed | Should -BeTrue
        $result.Method | Should -Be 'HEAD'
    }

    It 'shows results as a table' {
        $result = Invoke-SmokeTest -Uri $testEndpoint -Requests 2
        Get-FormatData -TypeName BlueGreen.Core.SmokeTests.SmokeTestResult | Should -Not -BeNullOrEmpty
        $text = $result | Format-Table | Out-String -Width 200
        $text | Should -Match 'P99 ms'
        $text | Should -Match 'ServedBy'
        $text | Should -Match 'web:1 x2, Blue x2'
    }

    It 'shows its lines and the AWS calls with -Debug in a script run with -File, asking nothing' {
        # -Debug on a compiled cmdlet would make each verbose line ask to continue; with nobody to answer that failed.
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
`$http = Invoke-SmokeTest -Uri '$testEndpoint' -Path /health -Requests 2 -Debug
`$lambda = Invoke-SmokeTest -FunctionName orders -Version 2 -Requests 2 -EndpointUrl '$endpoint' -Region us-east-1 -Debug
"passed=`$(`$http.Passed),`$(`$lambda.Passed)"
"@
        $run = Invoke-ScriptFile $script

        $run.Errors | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $expected = 'passed=True,True', "DEBUG: Smoke test: 2 x GET $([regex]::Escape($testEndpoint))/health", 'DEBUG: Smoke test of GET .* passed',
            'DEBUG: AWS: region us-east-1', 'DEBUG: Lambda\.Invoke request', 'DEBUG: Smoke test of Lambda version orders:2 passed'
        foreach ($line in $expected) { $run.Output | Should -Match $line }
        $run.Output | Should -Not -Match 'Continue with this operation'
    }
}

Describe 'Invoke-SmokeTest with deployments from the pipeline' {
    It 'binds DeploymentId and TestEndpoint by property name and carries the id into the result' {
        $result = [pscustomobject]@{ DeploymentId = 'd-X'; TestEndpoint = $testEndpoint } | Invoke-SmokeTest -Path /ready -Requests 3

        $result.DeploymentId | Should -Be 'd-X'
        $result.Uri | Should -Be ([uri]"$testEndpoint/ready")
        $result.Passed | Should -BeTrue
    }

    It 'lets -Uri override the test endpoint and keeps the deployment id' {
        $result = [pscustomobject]@{ DeploymentId = 'd-Y'; TestEndpoint = $closedUrl } | Invoke-SmokeTest -Uri $testEndpoint -Requests 2
        $result.DeploymentId | Should -Be 'd-Y'
        $result.Uri.Port | Should -Be ([uri]$testEndpoint).Port
        $result.Passed | Should -BeTrue
    }

    It 'tests each piped deployment, and reports one without a test endpoint as its own error' {
        $results = @(
            [pscustomobject]@{ DeploymentId = 'd-NOENDPOINT'; TestEndpoint = $null }
            [pscustomobject]@{ DeploymentId = 'd-GOOD'; TestEndpoint = $testEndpoint }
        ) | Invoke-SmokeTest -Requests 2 -ErrorVariable failures -ErrorAction SilentlyContinue

        @($results).Count | Should -Be 1
        $results.DeploymentId | Should -Be 'd-GOOD'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'NoSmokeTestEndpoint,*'
        $failures[0].TargetObject.DeploymentId | Should -Be 'd-NOENDPOINT'
    }

    It 'pipes its result on by property name, DeploymentId and Passed, as Set-TrafficShift and Undo-Deployment read it' {
        function Receive-SmokeResult {
            param(
                [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $DeploymentId,
                [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [bool] $Passed
            )
            process { "$DeploymentId passed=$Passed" }
        }

        [pscustomobject]@{ DeploymentId = 'd-PIPE'; TestEndpoint = $testEndpoint } | Invoke-SmokeTest -Requests 2 | Receive-SmokeResult |
            Should -Be 'd-PIPE passed=True'
        [pscustomobject]@{ DeploymentId = 'd-PIPE'; TestEndpoint = $testEndpoint } | Invoke-SmokeTest -Requests 2 -ExpectStatus 500 -ErrorAction SilentlyContinue |
            Receive-SmokeResult | Should -Be 'd-PIPE passed=False'
    }
}

Describe 'Invoke-SmokeTest when no answer comes' {
    It 'counts requests without an answer within -TimeoutSec as timeouts' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $result = Invoke-SmokeTest -Uri $silentUrl -Requests 2 -Concurrency 2 -TimeoutSec 1 -ErrorVariable failures -ErrorAction SilentlyContinue

        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        $result.Passed | Should -BeFalse
        $result.TransportErrors['Timeout'] | Should -Be 2
        $result.P50 | Should -BeNullOrEmpty
        $result.FailureReasons[0] | Should -Be 'request 1: no complete answer within 1 s'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmokeTestFailed,*'
    }

    It 'counts refused connections as connection failures' {
        $result = Invoke-SmokeTest -Uri $closedUrl -Requests 2 -ErrorAction SilentlyContinue
        $result.Passed | Should -BeFalse
        $result.TransportErrors['ConnectionFailed'] | Should -Be 2
        $result.FailureReasons[0] | Should -BeLike "request 1: could not connect to $closedUrl*"
    }

    It 'stops at once on Ctrl+C, with requests in flight' {
        while ($silent.Pending()) { $silent.AcceptTcpClient().Dispose() }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$manifest'; Invoke-SmokeTest -Uri '$silentUrl' -Requests 4 -TimeoutSec 120")
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not $silent.Pending() -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $silent.Pending() | Should -BeTrue -Because 'the requests reached the silent port'
            Start-Sleep -Milliseconds 200

            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $async.IsCompleted | Should -BeTrue
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Invoke-SmokeTest refuses bad input before any request' {
    BeforeEach {
        # Drain connections a previous test left queued, so Pending() says whether this test sent anything.
        while ($silent.Pending()) { $silent.AcceptTcpClient().Dispose() }
    }

    It 'needs -Uri or a TestEndpoint' {
        Invoke-SmokeTest -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'NoSmokeTestEndpoint,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Uri*'
    }

    It 'refuses <Uri>' -ForEach @(
        @{ Uri = 'ftp://127.0.0.1/file' }
        @{ Uri = '/health' }
        @{ Uri = '127.0.0.1:8080' }
        @{ Uri = 'http://user:secret@127.0.0.1:8080/' }
    ) {
        Invoke-SmokeTest -Uri $Uri -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSmokeTestUri,*'
        "$($failures[0])" | Should -Not -Match 'secret'
    }

    It 'refuses a URL as -Path' {
        Invoke-SmokeTest -Uri $silentUrl -Path 'http://elsewhere.example/' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSmokeTestPath,*'
        $silent.Pending() | Should -BeFalse
    }

    It 'refuses credentials over plain http to another machine unless -AllowInsecureEndpoint' {
        Invoke-SmokeTest -Uri 'http://test.example.invalid:8080' -Header @{ Authorization = 'Bearer s3cr3t' } -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InsecureSmokeTestUri,*'
        $failures[0].CategoryInfo.Category | Should -Be 'SecurityError'
        "$($failures[0])" | Should -Not -Match 's3cr3t'

        # Allowed, it is sent (and fails: the name does not resolve).
        $result = Invoke-SmokeTest -Uri 'http://test.example.invalid:8080' -Header @{ Authorization = 'Bearer s3cr3t' } -AllowInsecureEndpoint -Requests 1 -TimeoutSec 5 -ErrorVariable sent -ErrorAction SilentlyContinue
        $result.TransportErrors['ConnectionFailed'] | Should -Be 1
        $sent[0].FullyQualifiedErrorId | Should -BeLike 'SmokeTestFailed,*'
        "$($sent[0])" | Should -Not -Match 's3cr3t'
    }

    It 'refuses -Concurrency larger than -Requests' {
        { Invoke-SmokeTest -Uri $silentUrl -Requests 2 -Concurrency 3 } | Should -Throw -ErrorId 'InvalidConcurrency,BlueGreen.Commands.InvokeSmokeTestCommand'
        $silent.Pending() | Should -BeFalse
    }

    It 'refuses an invalid -ExpectBodyMatch' {
        { Invoke-SmokeTest -Uri $silentUrl -ExpectBodyMatch '([' } | Should -Throw -ErrorId 'InvalidExpectBodyMatch,BlueGreen.Commands.InvokeSmokeTestCommand'
        $silent.Pending() | Should -BeFalse
    }

    It 'refuses <Parameters>' -ForEach @(
        @{ Parameters = @{ Requests = 0 } }
        @{ Parameters = @{ MaxErrorRate = 1.5 } }
        @{ Parameters = @{ MaxErrorRate = -0.1 } }
        @{ Parameters = @{ Concurrency = 0 } }
        @{ Parameters = @{ ExpectStatus = 99 } }
        @{ Parameters = @{ TimeoutSec = 0 } }
        @{ Parameters = @{ Method = 'FETCH' } }
        @{ Parameters = @{ MaxLatency = 'soon' } }
    ) {
        { Invoke-SmokeTest -Uri $silentUrl @Parameters } | Should -Throw -ErrorId 'ParameterArgument*Error,BlueGreen.Commands.InvokeSmokeTestCommand'
        $silent.Pending() | Should -BeFalse
    }

    It 'refuses a -MaxLatency that is not positive' {
        { Invoke-SmokeTest -Uri $silentUrl -MaxLatency 0 } | Should -Throw -ErrorId 'InvalidMaxLatency,BlueGreen.Commands.InvokeSmokeTestCommand'
        $silent.Pending() | Should -BeFalse
    }
}

Describe 'Invoke-SmokeTest -RollbackOnFailure' {
    It 'needs a deployment id, and says so before any request' {
        while ($silent.Pending()) { $silent.AcceptTcpClient().Dispose() }
        Invoke-SmokeTest -Uri $silentUrl -RollbackOnFailure -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'NoDeploymentToRollBack,*'
        $silent.Pending() | Should -BeFalse
    }

    It 'does nothing more when the test passes' {
        $result = [pscustomobject]@{ DeploymentId = 'd-FINE'; TestEndpoint = $testEndpoint } | Invoke-SmokeTest -Requests 2 -RollbackOnFailure -ErrorVariable failures
        $result.Passed | Should -BeTrue
        $failures | Should -BeNullOrEmpty
    }

    It 'undoes a real release whose green fails the test, and blue serves everything again' {
        # The group waits at Ready, so green takes only the test listener while the smoke test runs.
        $gate = '{"terminateBlueInstancesOnDeploymentSuccess":{"action":"TERMINATE","terminationWaitTimeInMinutes":120},"deploymentReadyOption":{"actionOnTimeout":"STOP_DEPLOYMENT","waitTimeInMinutes":600}}'
        $null = & aws --endpoint-url $endpoint deploy update-deployment-group --application-name web --current-deployment-group-name web-dg --blue-green-deployment-configuration $gate
        $LASTEXITCODE | Should -Be 0
        Set-TimeScale 60 # Ready is found well inside its 600-minute timeout (ten minutes of wall time), then held
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:3.0-broken' -EndpointUrl $endpoint |
            Wait-BlueGreenDeployment -Until Ready

        # The rollback takes no simulated time, so it completes while time is held.
        Set-TimeScale 0
        try {
            $output = $d | Invoke-SmokeTest -Requests 5 -RollbackOnFailure -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        }
        finally { Set-TimeScale 600 }

        $result = @($output | Where-Object { $_ -is [BlueGreen.Core.SmokeTests.SmokeTestResult] })
        $result.Count | Should -Be 1
        $result[0].Passed | Should -BeFalse
        $result[0].StatusCodes[500] | Should -Be 5
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmokeTestFailed,*'
        @($failures | Where-Object { $_.FullyQualifiedErrorId -like 'Rollback*' }) | Should -BeNullOrEmpty
        $after = Get-BlueGreenDeployment -Id $d.DeploymentId -EndpointUrl $endpoint
        $after.Status | Should -Be 'Stopped'
        $after.RollbackDeploymentId | Should -Not -BeNullOrEmpty
        $served = Invoke-SmokeTest -Uri $d.ProductionEndpoint -Requests 10
        $served.TaskDefinitions.Keys | Should -Be @($d.BlueTaskDefinition.Split("/")[-1])
    }

    It 'hands its deployment on, so Set-TrafficShift needs no AWS parameter' {
        $gate = '{"terminateBlueInstancesOnDeploymentSuccess":{"action":"TERMINATE","terminationWaitTimeInMinutes":5},"deploymentReadyOption":{"actionOnTimeout":"STOP_DEPLOYMENT","waitTimeInMinutes":600}}'
        $null = & aws --endpoint-url $endpoint deploy update-deployment-group --application-name web --current-deployment-group-name web-dg --blue-green-deployment-configuration $gate
        Set-TimeScale 60 # Ready is found well inside its 600-minute timeout (ten minutes of wall time), then held
        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:4.0' -EndpointUrl $endpoint |
            Wait-BlueGreenDeployment -Until Ready
        Set-TimeScale 0
        try {
            $smoke = $d | Invoke-SmokeTest -Requests 5
            $smoke.Deployment.DeploymentId | Should -Be $d.DeploymentId
            # No -EndpointUrl below: the result carries where its release lives.
            $continued = $smoke | Set-TrafficShift -Continue -Confirm:$false
        }
        finally { Set-TimeScale 600 }
        $continued.DeploymentId | Should -Be $d.DeploymentId
        ($continued | Wait-BlueGreenDeployment -Until Succeeded).Status | Should -Be 'Succeeded'
    }
}
