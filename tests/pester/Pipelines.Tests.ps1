# The sample pipelines' PowerShell steps (docs/pipelines/scripts), run against the sandbox with each platform's variables
# set, and what the platform reads checked as it reads it: GitHub's output file (name=value and heredoc entries) and
# step summary, Azure Pipelines' logging commands, the env file a CodeBuild buildspec sources. A broken image fails
# its smoke test, is undone, and the step exits non-zero.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Set-TestEnvironment -PollMaxMs 500 -Environment @{
        GITHUB_ACTIONS = $null; GITHUB_OUTPUT = $null; GITHUB_STEP_SUMMARY = $null; TF_BUILD = $null; AGENT_TEMPDIRECTORY = $null
        CODEBUILD_BUILD_ID = $null; BLUEGREEN_ENV_FILE = $null
    }
    $script:SavedPath = $env:PSModulePath
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 3000 -Seed
    $script:EP = Use-TestSandbox $Sandbox
    $env:AWS_ENDPOINT_URL = $EP
    $env:PSModulePath = (Split-Path (Split-Path (Get-ModuleManifestPath) -Parent) -Parent) + [IO.Path]::PathSeparator + $script:SavedPath
    $script:Steps = (Resolve-Path (Join-Path $PSScriptRoot '../../docs/pipelines/scripts')).ProviderPath
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-pipelines-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $Work
    # Production waits at Ready for the smoke test; the seeded 5xx alarm is kept out of a broken image's reach, so the
    # script's own undo is what stops it.
    Set-TrafficShift -ApplicationName web -DeploymentGroupName web-dg -ReadyWait 600 -Confirm:$false
    $alarm = (Invoke-SandboxCli cloudwatch describe-alarms --alarm-names web-5xx).MetricAlarms[0]
    $null = Invoke-SandboxCli cloudwatch put-metric-alarm --alarm-name web-5xx --namespace $alarm.Namespace --metric-name $alarm.MetricName `
        --dimensions (ConvertTo-Json -Compress -InputObject @($alarm.Dimensions)) --statistic $alarm.Statistic --period $alarm.Period `
        --evaluation-periods $alarm.EvaluationPeriods --comparison-operator $alarm.ComparisonOperator --threshold 1000000 --treat-missing-data notBreaching

    function script:Read-GitHubOutput([string] $Path) {
        # As the runner reads GITHUB_OUTPUT: 'name=value', or 'name<<DELIMITER', lines, 'DELIMITER'.
        $outputs = [ordered]@{}
        $lines = [IO.File]::ReadAllText($Path) -split "`n"
        for ($i = 0; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            if ($line -eq '') { continue }
            $equals = $line.IndexOf('='); $heredoc = $line.IndexOf('<<')
            if ($equals -ge 0 -and ($heredoc -lt 0 -or $equals -lt $heredoc)) { $outputs[$line.Substring(0, $equals)] = $line.Substring($equals + 1); continue }
            if ($heredoc -lt 0) { throw "GitHub would reject line $($i + 1) of $Path`: '$line'" }
            $name = $line.Substring(0, $heredoc); $delimiter = $line.Substring($heredoc + 2); $value = @()
            while ($lines[++$i] -ne $delimiter) { if ($i -ge $lines.Count - 1) { throw "No closing '$delimiter' in $Path" }; $value += $lines[$i] }
            $outputs[$name] = $value -join "`n"
        }
        $outputs
    }

    function script:Read-AzureCommand([string[]] $Lines) {
        # As the agent reads '##vso[area.action key=value;...]message' lines, unescaped as its CommandStringConvertor does.
        function Unescape([string] $Text) { $Text.Replace('%3B', ';').Replace('%0D', "`r").Replace('%0A', "`n").Replace('%5D', ']').Replace('%AZP25', '%') }
        foreach ($line in $Lines) {
            if ($line -notmatch '^##vso\[(?<command>\S+?)(?: (?<properties>[^\]]*))?\](?<message>.*)$') { continue }
            $properties = @{}
            foreach ($pair in ($Matches.properties -split ';' | Where-Object { $_ })) {
                $at = $pair.IndexOf('='); $properties[$pair.Substring(0, $at)] = Unescape $pair.Substring($at + 1)
            }
            [pscustomobject]@{ Command = $Matches.command; Properties = $properties; Message = Unescape $Matches.message }
        }
    }

    function script:Test-NoBom([string] $Path) {
        $bytes = [IO.File]::ReadAllBytes($Path)
        -not ($bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF)
    }

    function script:Invoke-Step([hashtable] $Environment, [scriptblock] $Step) {
        # A step in this process, with the platform's variables set for it alone; its host lines (where the runner reads
        # workflow commands) and the error that ended it, if any.
        $saved = @{}
        foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); Set-EnvironmentVariable $name $Environment[$name] }
        $global:LASTEXITCODE = 0
        try {
            $failure = $null
            $lines = try { & $Step 6>&1 2>$null | ForEach-Object { "$_" } } catch { $failure = $_ }
            [pscustomobject]@{ Lines = @($lines); Failure = $failure; ExitCode = $global:LASTEXITCODE }
        }
        finally { foreach ($name in $saved.Keys) { Set-EnvironmentVariable $name $saved[$name] } }
    }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    if ($Work) { Remove-OwnedItem $Work }
    Restore-TestEnvironment
    $env:PSModulePath = $SavedPath
}

Describe 'The release step as GitHub Actions runs it' {
    It 'writes outputs, a step summary and annotations a workflow reads, after what earlier steps wrote, without a BOM' {
        $outputFile = Join-Path $Work 'github_output'; $summaryFile = Join-Path $Work 'step_summary.md'
        # An earlier step's entries, one of them a heredoc: kept, and still read as GitHub reads them.
        [IO.File]::WriteAllText($outputFile, "image=web:2.0`nnotes<<EOF_1`nline one`nline two`nEOF_1`n")
        [IO.File]::WriteAllText($summaryFile, "# Build`n`n")
        $run = Invoke-Step @{ BLUEGREEN_PIPELINE = $null; GITHUB_ACTIONS = 'true'; GITHUB_OUTPUT = $outputFile; GITHUB_STEP_SUMMARY = $summaryFile } {
            & (Join-Path $Steps 'Invoke-PipelineRelease.ps1') -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:2.0' -TrafficShift Canary10Percent5Minutes -SmokeRequests 20
        }
        $run.Failure | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0

        $outputs = Read-GitHubOutput $outputFile
        $outputs.image | Should -Be 'web:2.0'
        $outputs.notes | Should -Be "line one`nline two"
        $outputs.deploymentId | Should -Match '^d-'
        $outputs.status | Should -Be 'Succeeded'
        $outputs.outcome | Should -Be 'Succeeded'
        $outputs.target | Should -Be 'ecs:sandbox/web'
        $outputs.greenTrafficPercent | Should -Be '100'
        $d = Get-BlueGreenDeployment -Id $outputs.deploymentId
        $outputs.greenVersion | Should -Be $d.GreenTaskDefinition
        $outputs.blueVersion | Should -Be $d.BlueTaskDefinition
        Test-NoBom $outputFile | Should -BeTrue

        $summary = [IO.File]::ReadAllText($summaryFile)
        $summary | Should -BeLike "# Build`n`n### BlueGreen release $($outputs.deploymentId): Succeeded`n*"
        $summary | Should -Match "## Release $($outputs.deploymentId): Succeeded"
        $summary | Should -Match '\| Policy \| \S*Canary10Percent5Minutes \|'
        $summary | Should -Match ([regex]::Escape("| Green (released) | $($d.GreenTaskDefinition) |"))
        $summary | Should -Match '### Traffic over time'
        $summary | Should -Match '\| \*\*Pass\*\*'
        Test-NoBom $summaryFile | Should -BeTrue

        $run.Lines | Should -Contain '::endgroup::'
        @($run.Lines -match '^::group::Release d-\S+ of web: waiting for Ready$').Count | Should -Be 1
        $run.Lines | Should -Contain "::notice title=Release $($outputs.deploymentId) succeeded::service 'web' in cluster 'sandbox': $($d.BlueTaskDefinition) -> $($d.GreenTaskDefinition)"
        @($run.Lines -match '^::error').Count | Should -Be 0
    }

    It 'masks a secret given to the module, and writes it nowhere else' {
        $secret = 'wJalrXUtnFEMI/K7MDENG%bPxRfiCYEXAMPLEKEY'
        $run = Invoke-Step @{ BLUEGREEN_PIPELINE = $null; GITHUB_ACTIONS = 'true' } {
            Set-BlueGreenDefault -AccessKey AKIDEXAMPLE -SecretKey $secret -Confirm:$false
            Get-BlueGreenDefault | Out-String
            Clear-BlueGreenDefault -Confirm:$false
        }
        $run.Lines[0] | Should -Be '::add-mask::wJalrXUtnFEMI/K7MDENG%25bPxRfiCYEXAMPLEKEY'
        ($run.Lines | Select-Object -Skip 1) -join "`n" | Should -Not -Match ([regex]::Escape('bPxRfiCY'))
    }
}

Describe 'The release step as Azure Pipelines runs it' {
    It 'fails a broken image: the smoke test fails, the release is undone, the step exits non-zero and says why in logging commands' {
        $temp = Join-Path $Work 'agent-temp'; $null = New-Item -ItemType Directory -Path $temp
        $script = "& '$(Join-Path $Steps 'Invoke-PipelineRelease.ps1')' -Cluster sandbox -Service web -Image 'web=public.ecr.aws/sandbox/web:3.0-broken' -SmokeRequests 20"
        $run = Invoke-FreshPwsh $script -Environment @{ NO_COLOR = '1'; BLUEGREEN_PIPELINE = $null; TF_BUILD = 'True'; AGENT_TEMPDIRECTORY = $temp }
        $run.ExitCode | Should -Not -Be 0 -Because ($run.Output -join "`n")
        $commands = @(Read-AzureCommand $run.Output)

        $variables = @{}
        foreach ($c in $commands | Where-Object Command -EQ 'task.setvariable') {
            $c.Properties.isOutput | Should -Be 'true'
            $variables[$c.Properties.variable] = $c.Message
        }
        $id = $variables.deploymentId
        $id | Should -Match '^d-'
        $variables.outcome | Should -Be 'Undone'
        $variables.greenTrafficPercent | Should -Be '0'

        $issues = @($commands | Where-Object { $_.Command -eq 'task.logissue' -and $_.Properties.type -eq 'error' })
        @($issues.Message -match '^Invoke-SmokeTest: SmokeTestFailed: ').Count | Should -Be 1
        @($issues.Message -match "^Release $id undone: ").Count | Should -Be 1
        @($issues.Message -match '^Undo-Deployment: ReleaseUndone: ').Count | Should -Be 1
        @($commands | Where-Object { $_.Command -eq 'task.complete' -and $_.Properties.result -eq 'Failed' }).Count | Should -Be 1 -Because 'one result per step'

        $uploads = @($commands | Where-Object Command -EQ 'task.uploadsummary')
        $uploads.Count | Should -Be 1
        $uploads[0].Message | Should -BeLike (Join-Path $temp '*.md')
        $summary = [IO.File]::ReadAllText($uploads[0].Message)
        $summary | Should -BeLike "### BlueGreen release ${id}: Undone`n*"
        $summary | Should -Match "## Release ${id}: Stopped, rolled back"
        $summary | Should -Match '\| \*\*Fail\*\*'
        Test-NoBom $uploads[0].Message | Should -BeTrue
        $run.Output | Should -Contain '##[endgroup]'
    }
}

Describe 'The release step as CodeBuild runs it' {
    It 'appends the exported variables to the env file the buildspec sources' {
        $envFile = Join-Path $Work 'bluegreen.env'
        [IO.File]::WriteAllText($envFile, "IMAGE_TAG='2.0'`n")
        $run = Invoke-Step @{ BLUEGREEN_PIPELINE = $null; CODEBUILD_BUILD_ID = 'release:0001'; BLUEGREEN_ENV_FILE = $envFile } {
            & (Join-Path $Steps 'Invoke-PipelineRelease.ps1') -Cluster sandbox -Service web -Image "web=public.ecr.aws/sandbox/web:2.1" -TrafficShift AllAtOnce -SmokeRequests 20
        }
        $run.Failure | Should -BeNullOrEmpty
        Test-NoBom $envFile | Should -BeTrue
        # As the buildspec's shell: sourced with every name exported, then read back.
        $exported = & sh -c 'set -a; . "$1"; env' sh $envFile | Where-Object { $_ -match '^(BLUEGREEN_|IMAGE_TAG=)' }
        $vars = @{}; foreach ($line in $exported) { $at = $line.IndexOf('='); $vars[$line.Substring(0, $at)] = $line.Substring($at + 1) }
        $vars.IMAGE_TAG | Should -Be '2.0'
        $vars.BLUEGREEN_DEPLOYMENT_ID | Should -Match '^d-'
        $vars.BLUEGREEN_STATUS | Should -Be 'Succeeded'
        $vars.BLUEGREEN_OUTCOME | Should -Be 'Succeeded'
        $vars.BLUEGREEN_GREEN_VERSION | Should -Be (Get-BlueGreenDeployment -Id $vars.BLUEGREEN_DEPLOYMENT_ID).GreenTaskDefinition
        # Plain logs: the summary as text, no workflow or logging commands.
        $run.Lines | Should -Contain "### BlueGreen release $($vars.BLUEGREEN_DEPLOYMENT_ID): Succeeded"
        @($run.Lines -match '^(::|##vso\[|##\[)').Count | Should -Be 0
    }
}
