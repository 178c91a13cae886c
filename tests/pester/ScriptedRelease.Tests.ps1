# One release script, written once as a runbook (docs/examples/Invoke-Release.ps1), run unchanged as a pipeline step
# runs it (a fresh pwsh process) against a service whose blue/green CodeDeploy runs and one whose blue/green ECS
# runs itself: the plan changes nothing, a good image goes through Ready, the smoke test, Continue and Succeeded, and a
# broken image is caught by the smoke test and undone. The outcomes asserted are the same for both services, and what
# production serves is read from real HTTP answers of its listener.
BeforeDiscovery {
    $script:Targets = @(
        # Blue is the revision the seed runs; the alarm is the seeded 5xx alarm on the service's load balancer.
        @{ Controller = 'CodeDeploy'; Engine = 'CodeDeployEcs'; Service = 'web'; Blue = 'web:1'; Alarm = 'web-5xx'; Stop = 'StopDeployment' }
        @{ Controller = 'ECS'; Engine = 'EcsNative'; Service = 'api'; Blue = 'api:1'; Alarm = 'api-5xx'; Stop = 'StopServiceDeployment' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 500
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $script:Aws = @{ EndpointUrl = $EP }
    $script:Runbook = (Resolve-Path (Join-Path $PSScriptRoot '../../docs/examples/Invoke-Release.ps1')).ProviderPath
    # The module by name, as installed.
    $modules = Split-Path (Split-Path (Get-ModuleManifestPath) -Parent) -Parent
    # AWS as a pipeline step is given it: environment variables only (the endpoint too, as a rehearsal step would name it).
    $script:RunbookEnvironment = @{
        NO_COLOR = '1'; PSModulePath = $modules + [IO.Path]::PathSeparator + $env:PSModulePath
        AWS_ENDPOINT_URL = $EP; AWS_REGION = 'us-east-1'; AWS_ACCESS_KEY_ID = 'test'; AWS_SECRET_ACCESS_KEY = 'test'
    }

    function script:Invoke-Runbook([string] $Service, [string] $Image, [switch] $WhatIf) {
        # A pipeline step as GitHub Actions' pwsh shell runs one (errors stop it), in a rehearsal: AWS_ENDPOINT_URL sends
        # every AWS call of the script to the sandbox, and the listeners' URLs the releases report follow it.
        $what = if ($WhatIf) { ' -WhatIf' } else { '' }
        $session = "`$ErrorActionPreference = 'Stop'; Import-Module BlueGreen"
        $result = Invoke-FreshPwsh "$session`n& '$Runbook' -Cluster sandbox -Service $Service -Image '$Image'$what" -Environment $RunbookEnvironment
        $text = $result.Output -join "`n"
        # The release id, as the script names it: what a later step reattaches by.
        $id = [regex]::Match($text, '(?m)^Started (\S+) on ').Groups[1].Value
        $result | Add-Member -NotePropertyName Text -NotePropertyValue $text -PassThru | Add-Member -NotePropertyName ReleaseId -NotePropertyValue $id -PassThru
    }

    function script:Get-ProductionAnswer([string] $Url, [int] $Count = 30) {
        # Real HTTP to the production listener: each answer's status and the task definition that gave it.
        @(1..$Count | ForEach-Object {
                $answer = Invoke-WebRequest -Uri $Url -SkipHttpErrorCheck -TimeoutSec 10
                '{0} {1}' -f ($answer.Headers['X-Sandbox-Task-Definition'] | Select-Object -First 1), $answer.StatusCode
            })
    }

    function script:Set-AlarmOutOfReach([string] $Name) {
        # The 500s of a smoke test reach the load balancer's 5xx alarm, which would stop the release by itself, sooner or
        # later than the script's undo: raised out of their reach, what stops a broken release is the script alone.
        $alarm = (Invoke-SandboxCli cloudwatch describe-alarms --alarm-names $Name).MetricAlarms[0]
        $dimensions = ConvertTo-Json -Compress -InputObject @($alarm.Dimensions)
        $null = Invoke-SandboxCli cloudwatch put-metric-alarm --alarm-name $Name --namespace $alarm.Namespace --metric-name $alarm.MetricName `
            --dimensions $dimensions --statistic $alarm.Statistic --period $alarm.Period --evaluation-periods $alarm.EvaluationPeriods `
            --comparison-operator $alarm.ComparisonOperator --threshold 1000000 --treat-missing-data notBreaching
    }

    function script:Get-ShortName([string] $Arn) { ($Arn -split '/')[-1] }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    Restore-TestEnvironment
}

Describe 'The release script on a service <Controller> releases' -ForEach $Targets {
    BeforeAll {
        Reset-TestSandbox
        # Production waits at Ready for the smoke test: CodeDeploy when its group is told to, ECS because the module asks.
        if ($Controller -eq 'CodeDeploy') { Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -ReadyWait 600 -Confirm:$false @Aws }
        if ($Controller -eq 'ECS') {
            # ECS's first deployment of the freshly seeded service runs for a moment, as on AWS; a release starts after it.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@((Invoke-SandboxCli ecs list-service-deployments --cluster sandbox --service $Service --status PENDING IN_PROGRESS).serviceDeployments).Count -gt 0) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "The seeded service $Service is still being deployed after a minute." }
                Start-Sleep -Milliseconds 100
            }
        }
        Set-AlarmOutOfReach $Alarm
        $script:Good = $null
    }

    It 'prints the plan with -WhatIf and changes nothing' {
        $null = Invoke-SandboxControl DELETE 'requests'
        $run = Invoke-Runbook $Service "$Service=public.ecr.aws/sandbox/${Service}:2.0" -WhatIf
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match "What if: .*'$Service'.*'sandbox'"
        $run.Text | Should -Match 'Timeline'
        @(Get-SandboxCall | Where-Object mutating) | Should -BeNullOrEmpty -Because 'a plan changes nothing'
        @(Get-SandboxCall).Count | Should -BeGreaterThan 0 -Because 'the plan reads the service'
    }

    It 'takes a good image through Ready, the smoke test and Continue to Succeeded: production serves green only' {
        $run = Invoke-Runbook $Service "$Service=public.ecr.aws/sandbox/${Service}:2.0"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'Ready: green answers the test traffic'
        $run.Text | Should -Match 'Smoke test: passed, 50 requests, error rate 0'
        $run.Text | Should -Match 'Succeeded: .*100% of production'

        $d = Get-BlueGreenDeployment -Id $run.ReleaseId @Aws
        "$($d.Engine)" | Should -Be $Engine -Because "the module finds that $Controller runs the service's blue/green"
        $d.Status | Should -Be 'Succeeded'
        $d.GreenTrafficPercent | Should -Be 100
        Get-ShortName $d.BlueTaskDefinition | Should -Be $Blue
        $green = Get-ShortName $d.GreenTaskDefinition
        $green | Should -Not -Be $Blue
        (Invoke-SandboxCli ecs describe-task-definition --task-definition $green).taskDefinition.containerDefinitions[0].image |
            Should -Be "public.ecr.aws/sandbox/${Service}:2.0"
        Get-ProductionAnswer $d.ProductionEndpoint | Sort-Object -Unique | Should -Be "$green 200"
        $script:Good = $green
    }

    It 'undoes a broken image the smoke test catches: the script fails, production serves blue only' {
        $Good | Should -Not -BeNullOrEmpty -Because 'the good release ran first'
        $null = Invoke-SandboxControl DELETE 'requests'
        $run = Invoke-Runbook $Service "$Service=public.ecr.aws/sandbox/${Service}:3.0-broken"
        $run.ExitCode | Should -Not -Be 0 -Because 'a release that was undone fails the step'
        $run.Text | Should -Match 'Smoke test: FAILED, 50 requests, error rate 100'
        @(Get-SandboxCall $Stop).Count | Should -Be 1 -Because "the script's Undo-Deployment stops the release in flight"
        $run.Text | Should -Match 'Undone: .*, 0% of production on green'
        $run.Text | Should -Match 'Green failed its smoke test' -Because 'the step fails with the reason'
        $run.Text | Should -Not -Match 'Succeeded:'

        $d = Get-BlueGreenDeployment -Id $run.ReleaseId @Aws
        $d.Status | Should -BeIn 'Stopped', 'Failed'
        $d.RolledBack | Should -BeTrue
        $d.GreenTrafficPercent | Should -Be 0
        Get-ShortName $d.BlueTaskDefinition | Should -Be $Good
        (Invoke-SandboxCli ecs describe-task-definition --task-definition $d.GreenTaskDefinition).taskDefinition.containerDefinitions[0].image |
            Should -Be "public.ecr.aws/sandbox/${Service}:3.0-broken"
        Get-ProductionAnswer $d.ProductionEndpoint | Sort-Object -Unique | Should -Be "$Good 200"
    }
}
