# Invoke-SmokeTest against Lambda versions on the sandbox: functions made here with the AWS CLI from zips whose
# sandbox.json says how they answer (well, with a function error, slowly), invoked by version and judged.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }

    function script:New-TestFunction([string] $Name, [hashtable] $Behaviour) {
        # A zip holding only sandbox.json, made here; the function is created and published by the AWS CLI.
        $folder = Join-Path $TestDrive $Name
        $null = New-Item -ItemType Directory -Path $folder
        $Behaviour | ConvertTo-Json -Depth 6 | Set-Content -Path (Join-Path $folder 'sandbox.json') -Encoding utf8NoBOM
        $zip = Join-Path $TestDrive "$Name.zip"
        [IO.Compression.ZipFile]::CreateFromDirectory($folder, $zip)
        $created = Invoke-SandboxCli lambda create-function --function-name $Name --runtime python3.12 --handler index.handler `
            --role 'arn:aws:iam::000000000000:role/sandbox-lambda' --zip-file "fileb://$zip" --publish
        $created.Version | Should -Be '1'
        $null = Invoke-SandboxCli lambda wait function-active-v2 --function-name "$Name`:1"
        $created.FunctionArn -replace ':1$', ''
    }

    function script:Clear-SandboxLog { $null = Invoke-SandboxControl DELETE 'requests' }

    function script:Get-Invocation {
        # Invoke calls that reached the sandbox over HTTP since the log was cleared (dry runs included).
        @(Get-SandboxCall 'Invoke')
    }

    function script:Get-InvocationCount([string] $Function, [string] $Resource) {
        # The Invocations metric the sandbox's Lambda records per resource (function:qualifier), read with the AWS CLI.
        $query = ConvertTo-Json -Depth 6 -Compress @(@{ Id = 'n'; MetricStat = @{ Stat = 'Sum'; Period = 31536000
                    Metric = @{ Namespace = 'AWS/Lambda'; MetricName = 'Invocations'; Dimensions = @(@{ Name = 'FunctionName'; Value = $Function }, @{ Name = 'Resource'; Value = $Resource }) } } })
        $data = Invoke-SandboxCli cloudwatch get-metric-data --metric-data-queries $query --start-time 2020-01-01T00:00:00Z --end-time 2040-01-01T00:00:00Z
        [int](@($data.MetricDataResults[0].Values) | Measure-Object -Sum).Sum
    }

    $script:Good = New-UniqueName 'smoke-good'
    $script:GoodArn = New-TestFunction $Good @{ payload = @{ status = 'ok'; items = @(@{ id = 1 }, @{ id = 2 }) }; latencyMs = 5 }
    $script:Failing = New-UniqueName 'smoke-error'
    $null = New-TestFunction $Failing @{ error = @{ errorType = 'OrderValidationError'; errorMessage = 'card 4111111111111111 declined' } }
    $script:Slow = New-UniqueName 'smoke-slow'
    $null = New-TestFunction $Slow @{ payload = @{ status = 'ok' }; latencyMs = 400 }
    $script:Slowest = New-UniqueName 'smoke-slowest'
    $null = New-TestFunction $Slowest @{ payload = @{ status = 'ok' }; latencyMs = 2500 }
    $null = Invoke-SandboxCli lambda create-alias --function-name $Good --name live --function-version 1
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'Invoke-SmokeTest -FunctionName -Version' {
    BeforeEach { Clear-SandboxLog }

    It 'passes a good version, invoking the version itself and never the alias' {
        $result = Invoke-SmokeTest -FunctionName $Good -Version 1 -Requests 8 -Payload '{"order": 7}' `
            -ExpectBodyMatch '"status":\s*"ok"' -ExpectJson @{ status = 'ok'; 'items[1].id' = 2 } @Aws -ErrorVariable failures

        $failures | Should -BeNullOrEmpty
        $result | Should -BeOfType ([BlueGreen.Core.SmokeTests.SmokeTestResult])
        $result.Passed | Should -BeTrue
        $result.TargetKind | Should -Be 'LambdaVersion'
        $result.Target | Should -Be "${Good}:1"
        $result.FunctionName | Should -Be $Good
        $result.Version | Should -Be '1'
        $result.Method | Should -Be 'Invoke'
        $result.Uri | Should -BeNullOrEmpty
        $result.Requests | Should -Be 8
        $result.Succeeded | Should -Be 8
        $result.StatusCodes[200] | Should -Be 8
        $result.ExecutedVersions['1'] | Should -Be 8
        $result.FunctionErrors.Count | Should -Be 0
        $result.ServedBy | Should -Be "${Good}:1 x8"
        $result.Summary | Should -BeLike "Smoke test of Lambda version ${Good}:1 passed: 0 of 8 requests failed*"
        $result.P50 | Should -BeGreaterThan ([timespan]::Zero)
        $result.P99 | Should -BeLessOrEqual $result.Max

        # The dry run first, then one invocation per request; the metrics say they ran as version 1, none through the alias.
        (Get-Invocation).Count | Should -Be 9
        Get-InvocationCount $Good "${Good}:1" | Should -Be 8
        Get-InvocationCount $Good "${Good}:live" | Should -Be 0
    }

    It 'takes the function as an ARN, and as an ARN or name qualified by the version' {
        (Invoke-SmokeTest -FunctionName $GoodArn -Version 1 -Requests 2 @Aws).Target | Should -Be "${Good}:1"
        (Invoke-SmokeTest -FunctionName "${GoodArn}:1" -Requests 2 @Aws).Passed | Should -BeTrue
        (Invoke-SmokeTest -FunctionName "${Good}:1" -Version 1 -Requests 2 @Aws).ExecutedVersions['1'] | Should -Be 2
    }

    It 'fails on a function error and shows its type, never its message' {
        $result = Invoke-SmokeTest -FunctionName $Failing -Version 1 -Requests 4 @Aws -ErrorVariable failures -ErrorAction SilentlyContinue -Verbose 4>&1 |
            Tee-Object -Variable streams | Where-Object { $_ -is [BlueGreen.Core.SmokeTests.SmokeTestResult] }

        $result.Passed | Should -BeFalse
        $result.Failed | Should -Be 4
        $result.StatusCodes[200] | Should -Be 4 -Because 'a synchronous invocation answers 200 also when the function fails'
        $result.FunctionErrors['OrderValidationError'] | Should -Be 4
        $result.StatusSummary | Should -Be '200 x4, OrderValidationError x4'
        $result.FailureReasons[0] | Should -Be 'request 1: function error (Unhandled): OrderValidationError'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmokeTestFailed,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $failures[0].Exception.Message | Should -BeLike '*First failure: request 1: function error (Unhandled): OrderValidationError*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*FunctionErrors*'
        ($streams + $failures | Out-String) + ($result | Format-List * | Out-String) | Should -Not -Match '4111111111111111'
    }

    It 'fails answers that do not match -ExpectBodyMatch, showing no more than the start of the answer' {
        $result = Invoke-SmokeTest -FunctionName $Good -Version 1 -Requests 3 -ExpectBodyMatch '"status":\s*"degraded"' @Aws -ErrorAction SilentlyContinue
        $result.Passed | Should -BeFalse
        $result.Failed | Should -Be 3
        $result.FailureReasons[0] | Should -BeLike "request 1: the body does not match '`"status`":\s*`"degraded`"': '{*"status":"ok"*'"
    }

    It 'fails answers whose JSON does not have the values of -ExpectJson' {
        $wrong = Invoke-SmokeTest -FunctionName $Good -Version 1 -Requests 2 -ExpectJson ([ordered]@{ status = 'ok'; 'items[0].id' = '1' }) @Aws -ErrorAction SilentlyContinue
        $wrong.Passed | Should -BeFalse
        $wrong.FailureReasons[0] | Should -Be "request 1: items[0].id is 1 (a number), expected '1' (a string)"

        $missing = Invoke-SmokeTest -FunctionName $Good -Version 1 -Requests 2 -ExpectJson @{ '$.items[5].id' = 1 } @Aws -ErrorAction SilentlyContinue
        $missing.FailureReasons[0] | Should -Be 'request 1: the JSON has no $.items[5].id'

        $typed = Invoke-SmokeTest -FunctionName $Good -Version 1 -Requests 2 -ExpectJson @{ "items[0]['id']" = 1; status = 'ok' } @Aws
        $typed.Passed | Should -BeTrue
    }

    It 'fails answers slower than -MaxLatency, and runs -Concurrency invocations at once' {
        $strict = Invoke-SmokeTest -FunctionName $Slow -Version 1 -Requests 8 -Concurrency 4 -MaxLatency 200 @Aws -ErrorAction SilentlyContinue
        $strict.Passed | Should -BeFalse
        $strict.Failed | Should -Be 8
        $strict.FailureReasons[0] | Should -BeLike 'request 1: took * ms, more than 200 ms'
        $strict.P50.TotalMilliseconds | Should -BeGreaterOrEqual 400
        # Eight 400 ms invocations, four at a time: two rounds, far less than the 3.2 s they take one by one.
        $strict.Duration.TotalMilliseconds | Should -BeLessThan 2600

        $lenient = Invoke-SmokeTest -FunctionName $Slow -Version 1 -Requests 2 -MaxLatency 5000 @Aws
        $lenient.Passed | Should -BeTrue
        $lenient.MaxLatency.TotalMilliseconds | Should -Be 5000
    }

    It 'counts an invocation that outlasts -TimeoutSec as a timeout' {
        $result = Invoke-SmokeTest -FunctionName $Slowest -Version 1 -Requests 2 -TimeoutSec 1 @Aws -ErrorAction SilentlyContinue
        $result.Passed | Should -BeFalse
        $result.TransportErrors['Timeout'] | Should -Be 2
        $result.FailureReasons[0] | Should -Be 'request 1: no complete answer within 1 s'
    }
}

Describe 'Invoke-SmokeTest payloads' {
    BeforeEach { Clear-SandboxLog }

    It 'sends one payload per request in turn, from -Payload objects and text' {
        # A payload shaped like a CodeDeploy hook event makes the sandbox's function report to CodeDeploy (for a deployment
        # that does not exist, so the report fails): the reports count the requests that carried it.
        $hook = @{ DeploymentId = 'd-SMOKETEST'; LifecycleEventHookExecutionId = 'not-a-real-hook' }
        $result = Invoke-SmokeTest -FunctionName $Good -Version 1 -Requests 6 -Concurrency 2 -Payload $hook, '{"order": 1}', ([pscustomobject]@{ order = 2 }) @Aws

        $result.Passed | Should -BeTrue
        $reports = @((Invoke-SandboxControl GET 'requests').requests | Where-Object { $_.operation -eq 'PutLifecycleEventHookExecutionStatus' -and $_.source -eq "lambda:$Good" })
        $reports.Count | Should -Be 2 -Because 'requests 1 and 4 of 6 carried the first of three payloads'
    }

    It 'reads payloads from -PayloadFile, wildcards included, one file per request in turn' {
        $folder = Join-Path $TestDrive 'events'
        $null = New-Item -ItemType Directory -Path $folder -Force
        '{"DeploymentId": "d-SMOKETEST", "LifecycleEventHookExecutionId": "from-a-file"}' | Set-Content (Join-Path $folder 'a-hook.json')
        '{"order": 3}' | Set-Content (Join-Path $folder 'b-order.json')
        '{"order": 4}' | Set-Content (Join-Path $folder 'c-order.json')
        '{"order": 5}' | Set-Content (Join-Path $folder 'd-order.json')

        $result = Invoke-SmokeTest -FunctionName $Good -Version 1 -Requests 8 -PayloadFile (Join-Path $folder '*.json') @Aws
        $result.Passed | Should -BeTrue
        $reports = @((Invoke-SandboxControl GET 'requests').requests | Where-Object { $_.operation -eq 'PutLifecycleEventHookExecutionStatus' -and $_.source -eq "lambda:$Good" })
        $reports.Count | Should -Be 2 -Because 'requests 1 and 5 of 8 carried the first of four files'

        Push-Location $folder
        try { (Invoke-SmokeTest -FunctionName $Good -Version 1 -Requests 1 -PayloadFile ./b-order.json @Aws).Passed | Should -BeTrue }
        finally { Pop-Location }
    }

    It 'keeps payloads out of every stream, the debug trace of the AWS calls included' {
        $secret = 'pa55-' + [guid]::NewGuid().ToString('N')
        # The module's cmdlets read the session's $DebugPreference too: -Verbose keeps the verbose lines in their own stream.
        $saved = $global:DebugPreference
        $global:DebugPreference = 'Continue'
        try {
            $output = & {
                Invoke-SmokeTest -FunctionName $Failing -Version 1 -Requests 2 -Payload (@{ password = $secret; note = $secret }) -Verbose @Aws -ErrorAction SilentlyContinue -ErrorVariable failures
                $failures
            } *>&1 | Out-String
        }
        finally { $global:DebugPreference = $saved }
        $output | Should -Match 'Lambda\.Invoke request'
        $output | Should -Match '\(payload not shown\)'
        $output | Should -Not -Match $secret
        $output | Should -Not -Match '4111111111111111'
    }
}

Describe 'Invoke-SmokeTest with a Lambda release from the pipeline' {
    BeforeEach { Clear-SandboxLog }

    It 'tests the GreenVersion of a piped deployment, carries it into the result, and takes its endpoint' {
        $d = [BlueGreen.Core.Deployments.BlueGreenDeployment]::new('d-LAMBDA0001')
        $d.FunctionName = $Good; $d.Alias = 'live'; $d.BlueVersion = '1'; $d.GreenVersion = '1'; $d.Region = 'us-east-1'; $d.EndpointUrl = $EP

        # No -EndpointUrl: the deployment says where it lives.
        $result = $d | Invoke-SmokeTest -Requests 3 -ExpectJson @{ status = 'ok' }

        $result.Passed | Should -BeTrue
        $result.DeploymentId | Should -Be 'd-LAMBDA0001'
        $result.Deployment | Should -Be $d
        $result.Target | Should -Be "${Good}:1"
        $result.ExecutedVersions['1'] | Should -Be 3
        Get-InvocationCount $Good "${Good}:live" | Should -Be 0
    }

    It 'binds by property name from any object, and -Version overrides the GreenVersion' {
        $row = [pscustomobject]@{ DeploymentId = 'd-ROW'; FunctionName = $Failing; GreenVersion = 'live'; EndpointUrl = $EP }
        $result = $row | Invoke-SmokeTest -Version 1 -Requests 2 -ErrorAction SilentlyContinue
        $result.DeploymentId | Should -Be 'd-ROW'
        $result.Target | Should -Be "${Failing}:1"
        $result.Passed | Should -BeFalse
    }

    It 'refuses HTTP parameters for a piped Lambda release, before any call' {
        $row = [pscustomobject]@{ DeploymentId = 'd-HTTP'; FunctionName = $Good; GreenVersion = '1'; EndpointUrl = $EP }
        $row | Invoke-SmokeTest -Path /health -Body 'x' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -Be 'HttpParameterForLambda,BlueGreen.Commands.InvokeSmokeTestCommand'
        $failures[0].Exception.Message | Should -BeLike '-Path, -Body are for HTTP tests*'
        @(Get-SandboxCall).Count | Should -Be 0
    }

    It 'pipes a failed result on as the HTTP test does: Set-TrafficShift -Continue refuses it' {
        $row = [pscustomobject]@{ DeploymentId = 'd-PIPED'; FunctionName = $Failing; GreenVersion = '1'; EndpointUrl = $EP }
        $result = $row | Invoke-SmokeTest -Requests 2 -ErrorAction SilentlyContinue
        Clear-SandboxLog

        $result | Set-TrafficShift -Continue -Confirm:$false @Aws -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'SmokeTestFailed,*'
        $refused[0].Exception.Message | Should -BeLike '*d-PIPED*'
        @(Get-SandboxCall).Count | Should -Be 0
    }

    It 'tests each piped release, and reports one without a version as its own error' {
        $results = @(
            [pscustomobject]@{ DeploymentId = 'd-NOVERSION'; FunctionName = $Good; GreenVersion = $null; EndpointUrl = $EP }
            [pscustomobject]@{ DeploymentId = 'd-GOOD'; FunctionName = $Good; GreenVersion = '1'; EndpointUrl = $EP }
        ) | Invoke-SmokeTest -Requests 2 -ErrorVariable failures -ErrorAction SilentlyContinue

        @($results).Count | Should -Be 1
        $results.DeploymentId | Should -Be 'd-GOOD'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'NoFunctionVersion,*'
        $failures[0].TargetObject.DeploymentId | Should -Be 'd-NOVERSION'
    }
}

Describe 'Invoke-SmokeTest refuses bad Lambda input before any invocation' {
    BeforeEach { Clear-SandboxLog }

    It 'refuses the qualifier <Qualifier>: an alias would take the test traffic as production traffic' -ForEach @(
        @{ Qualifier = 'live'; Parameters = { @{ FunctionName = $Good; Version = 'live' } } }
        @{ Qualifier = 'name:live'; Parameters = { @{ FunctionName = "${Good}:live" } } }
        @{ Qualifier = 'arn:live'; Parameters = { @{ FunctionName = "${GoodArn}:live" } } }
        @{ Qualifier = 'LATEST'; Parameters = { @{ FunctionName = $Good; Version = 'LATEST' } } }
    ) {
        $arguments = & $Parameters
        Invoke-SmokeTest @arguments @Aws -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'InvalidFunctionVersion,BlueGreen.Commands.InvokeSmokeTestCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].Exception.Message | Should -BeLike '*never an alias*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Version*'
        @(Get-SandboxCall).Count | Should -Be 0
    }

    It 'accepts $LATEST' {
        $result = Invoke-SmokeTest -FunctionName $Good -Version '$LATEST' -Requests 2 @Aws
        $result.Passed | Should -BeTrue
        $result.ExecutedVersions['$LATEST'] | Should -Be 2
    }

    It 'says <Id> for <Case>' -ForEach @(
        @{ Case = 'no function'; Id = 'NoSmokeTestFunction'; Parameters = { @{ Payload = '{}' } } }
        @{ Case = 'no version'; Id = 'NoFunctionVersion'; Parameters = { @{ FunctionName = $Good } } }
        @{ Case = 'a name Lambda would refuse'; Id = 'InvalidFunctionName'; Parameters = { @{ FunctionName = 'orders service'; Version = '1' } } }
        @{ Case = 'two versions'; Id = 'ConflictingFunctionVersion'; Parameters = { @{ FunctionName = "${Good}:1"; Version = '2' } } }
    ) {
        $arguments = & $Parameters
        Invoke-SmokeTest @arguments @Aws -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -Be "$Id,BlueGreen.Commands.InvokeSmokeTestCommand"
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        @(Get-SandboxCall).Count | Should -Be 0
    }

    It 'stops with <Id> for <Case>' -ForEach @(
        @{ Case = 'a payload that is not JSON'; Id = 'InvalidPayload'; Parameters = { @{ Payload = '{"card": "4111111111111111"'; FunctionName = $Good; Version = '1' } } }
        @{ Case = 'lines of a file as payloads'; Id = 'InvalidPayload'; Parameters = { @{ Payload = @('{', '"card": "4111111111111111"', '}'); FunctionName = $Good; Version = '1' } } }
        @{ Case = 'both payload parameters'; Id = 'PayloadAndPayloadFile'; Parameters = { @{ Payload = '{}'; PayloadFile = 'x.json'; FunctionName = $Good; Version = '1' } } }
        @{ Case = 'a payload file that does not exist'; Id = 'PayloadFileNotFound'; Parameters = { @{ PayloadFile = (Join-Path $TestDrive 'none.json'); FunctionName = $Good; Version = '1' } } }
        @{ Case = 'a JSON path without its end'; Id = 'InvalidExpectJson'; Parameters = { @{ ExpectJson = @{ 'items[0' = 1 }; FunctionName = $Good; Version = '1' } } }
        @{ Case = 'a JSON value that is not a scalar'; Id = 'InvalidExpectJson'; Parameters = { @{ ExpectJson = @{ items = @(1, 2) }; FunctionName = $Good; Version = '1' } } }
    ) {
        $arguments = & $Parameters
        $thrown = { Invoke-SmokeTest @arguments @Aws } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "$Id,BlueGreen.Commands.InvokeSmokeTestCommand"
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$thrown $($thrown.ErrorDetails.RecommendedAction)" | Should -Not -Match '4111111111111111'
        @(Get-SandboxCall).Count | Should -Be 0
    }

    It 'says FunctionVersionNotFound for a version that does not exist, after only a dry run' {
        Invoke-SmokeTest -FunctionName $Good -Version 42 @Aws -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -Be 'FunctionVersionNotFound,BlueGreen.Commands.InvokeSmokeTestCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].Exception.Message | Should -BeLike "Version 42 of function '$Good' does not exist*nothing was invoked."
        $calls = @(Get-SandboxCall)
        $calls.Count | Should -Be 1
        $calls[0].operation | Should -Be 'Invoke'
        $calls[0].errorCode | Should -Be 'ResourceNotFoundException'
    }

    It 'keeps -Uri and -FunctionName apart' {
        { Invoke-SmokeTest -Uri 'http://127.0.0.1:9/' -FunctionName $Good -Version 1 } | Should -Throw -ErrorId 'AmbiguousParameterSet,BlueGreen.Commands.InvokeSmokeTestCommand'
    }
}
