# Shared helpers for the Pester suites: where the built module and moto are, and the AWS CLI for setup.
Set-StrictMode -Version 3.0
# Remove-OwnedItem, the one way the tests delete anything; exported with the rest.
Import-Module (Join-Path $PSScriptRoot '../../build/OwnedItems.psm1')

function Get-ModuleManifestPath {
    if ($env:BLUEGREEN_MODULE_MANIFEST) { return $env:BLUEGREEN_MODULE_MANIFEST }
    $path = Join-Path $PSScriptRoot '../../out/BlueGreen/BlueGreen.psd1'
    if (-not (Test-Path $path)) { throw "The built module is missing at $path; run 'dotnet pwsh ./build.ps1 Build'." }
    (Resolve-Path $path).Path
}

function Get-MotoUrl {
    if (-not $env:BLUEGREEN_TEST_MOTO_URL) { throw "BLUEGREEN_TEST_MOTO_URL is not set; run the tests through 'dotnet pwsh ./build.ps1 Test'." }
    $env:BLUEGREEN_TEST_MOTO_URL.TrimEnd('/')
}

function Set-EnvironmentVariable([string] $Name, [AllowNull()] [string] $Value) {
    # [Environment]::SetEnvironmentVariable would get '' for $null from PowerShell, leaving the variable set but empty.
    if ([string]::IsNullOrEmpty($Value)) { Remove-Item "env:$Name" -ErrorAction SilentlyContinue } else { Set-Item "env:$Name" $Value }
}

# The AWS CLI, run by its own driver in one long-lived Python process (tests/Shared/aws-cli-runner.py) when the aws on PATH
# is the pip-installed CLI: each command is parsed, sent and printed by the CLI's code as the aws program would, without
# paying its half-second start-up for every command. Any other aws (the CLI v2's own binary, a shim) runs once per command.
$script:AwsCliRunner = $null
$script:AwsCliRunnerTried = $false

function Get-AwsCliRunner {
    if ($script:AwsCliRunner -and -not $script:AwsCliRunner.HasExited) { return $script:AwsCliRunner }
    if ($script:AwsCliRunnerTried) { return $null }
    $script:AwsCliRunnerTried = $true
    $aws = Get-Command aws -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $aws) { return $null }
    $first = [IO.File]::ReadLines($aws.Source) | Select-Object -First 1
    if ($first -notmatch '^#!\s*(?<python>/\S*python[0-9.]*)\s*$') { return $null }
    $start = [Diagnostics.ProcessStartInfo]::new($Matches['python'])
    $start.ArgumentList.Add((Join-Path $PSScriptRoot '../Shared/aws-cli-runner.py'))
    $start.UseShellExecute = $false
    $start.RedirectStandardInput = $true; $start.RedirectStandardOutput = $true
    $start.StandardOutputEncoding = [Text.UTF8Encoding]::new($false)
    $start.Environment['PYTHONIOENCODING'] = 'utf-8'
    $process = [Diagnostics.Process]::Start($start)
    $process.StandardInput.AutoFlush = $true
    if ($process.StandardOutput.ReadLine() -notmatch '"ready"') {
        # No importable awscli in that Python: one aws process per command, then.
        if (-not $process.HasExited) { $process.Kill() }
        return $null
    }
    $script:AwsCliRunner = $process
    $process
}

function Stop-AwsCliRunner {
    if ($script:AwsCliRunner -and -not $script:AwsCliRunner.HasExited) {
        $script:AwsCliRunner.StandardInput.Close()
        if (-not $script:AwsCliRunner.WaitForExit(5000)) { $script:AwsCliRunner.Kill() }
    }
    $script:AwsCliRunner = $null
    $script:AwsCliRunnerTried = $false
}

function Invoke-AwsCommand([string[]] $Arguments) {
    # One AWS CLI command with the current AWS_* environment; its exit code, its output (stdout) and its errors apart.
    $runner = Get-AwsCliRunner
    if ($runner) {
        $environment = @{}
        foreach ($entry in [Environment]::GetEnvironmentVariables().GetEnumerator()) { if ($entry.Key -like 'AWS_*') { $environment[$entry.Key] = $entry.Value } }
        $runner.StandardInput.WriteLine((@{ args = @($Arguments); env = $environment } | ConvertTo-Json -Compress -Depth 3))
        $line = $runner.StandardOutput.ReadLine()
        if ($null -eq $line) { Stop-AwsCliRunner; throw "The AWS CLI runner ended while running: aws $($Arguments -join ' ')" }
        $answer = $line | ConvertFrom-Json
        return [pscustomobject]@{ ExitCode = [int] $answer.rc; Output = $answer.stdout; Errors = $answer.stderr }
    }
    $errors = [IO.Path]::GetTempFileName()
    try {
        $output = & aws @Arguments 2>$errors
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String); Errors = (Get-Content $errors -Raw) }
    }
    finally { Remove-OwnedItem $errors }
}

function Invoke-AwsCli {
    # The AWS CLI against moto, with its own test keys: state is set up by a client nobody here wrote.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $saved = @{}
    $vars = @{ AWS_ACCESS_KEY_ID = 'testing'; AWS_SECRET_ACCESS_KEY = 'testing'; AWS_DEFAULT_REGION = 'us-east-1'; AWS_PAGER = '' }
    foreach ($name in $vars.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); Set-EnvironmentVariable $name $vars[$name] }
    try {
        # stderr apart: CLI warnings must not end up in the JSON.
        $result = Invoke-AwsCommand (@('--endpoint-url', (Get-MotoUrl), '--output', 'json') + $Arguments)
        if ($result.ExitCode -ne 0) { throw "aws $($Arguments -join ' ') failed ($($result.ExitCode)): $($result.Errors)" }
        if ($result.Output.Trim()) { $result.Output | ConvertFrom-Json }
    }
    finally {
        foreach ($name in $saved.Keys) { Set-EnvironmentVariable $name $saved[$name] }
    }
}

function New-CliDeployment([string] $Application, [string] $Description = 'created by the AWS CLI') {
    $null = Invoke-AwsCli deploy create-application --application-name $Application --compute-platform ECS
    $null = Invoke-AwsCli deploy create-deployment-group --application-name $Application --deployment-group-name web --service-role-arn 'arn:aws:iam::123456789012:role/codedeploy'
    (Invoke-AwsCli deploy create-deployment --application-name $Application --deployment-group-name web --description $Description `
        --revision '{"revisionType":"AppSpecContent","appSpecContent":{"content":"{}"}}').deploymentId
}

function New-UniqueName([string] $Prefix) { "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 12))" }

function Get-FreshPwsh {
    # This pwsh, started anew: through dotnet when it runs as the .NET tool.
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $process = (Get-Process -Id $PID).Path
    if ((Split-Path $process -Leaf) -like 'dotnet*' -and (Test-Path $dll)) { return @($process, $dll) }
    @($process)
}

function Invoke-FreshPwsh([string] $Script, [hashtable] $Environment = @{}) {
    # Runs a script in a new pwsh process; returns its output lines and exit code.
    $pwsh = @(Get-FreshPwsh)
    $file = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    $saved = @{}
    foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); Set-EnvironmentVariable $name $Environment[$name] }
    try {
        $arguments = @($pwsh | Select-Object -Last ($pwsh.Count - 1)) + @('-NoProfile', '-NonInteractive', '-File', $file)
        $output = & $pwsh[0] @arguments 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ Output = @($output); ExitCode = $LASTEXITCODE }
    }
    finally {
        foreach ($name in $saved.Keys) { Set-EnvironmentVariable $name $saved[$name] }
        Remove-OwnedItem $file
    }
}

function Invoke-ScriptFile([string] $Script) {
    # Runs a script as 'pwsh -NoProfile -File' with no input, as a CI step does: not -NonInteractive, so a question
    # to the user is asked and finds nobody to answer. Returns its output, its error stream and its exit code apart.
    $pwsh = @(Get-FreshPwsh)
    $file = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    try {
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-File', $file)) { $start.ArgumentList.Add($argument) }
        $start.UseShellExecute = $false
        $start.RedirectStandardInput = $true; $start.RedirectStandardOutput = $true; $start.RedirectStandardError = $true
        $process = [Diagnostics.Process]::Start($start)
        $process.StandardInput.Close()
        $errors = $process.StandardError.ReadToEndAsync()
        $output = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ Output = $output; Errors = $errors.GetAwaiter().GetResult(); ExitCode = $process.ExitCode }
    }
    finally {
        Remove-OwnedItem $file
    }
}

# --- The seeded sandbox a release test file drives -------------------------------------------------------------------
# In BeforeAll a file calls Set-TestEnvironment, starts its sandbox with Start-BlueGreenSandbox and hands it to
# Use-TestSandbox; in AfterAll it stops the sandbox and calls Restore-TestEnvironment. The helpers below talk to that
# sandbox: its control API, the AWS CLI pointed at it, its production listener.
$script:TestSandboxEndpoint = $null
$script:SavedEnvironment = @{}

function Set-TestEnvironment([int] $PollMaxMs = 1000, [hashtable] $Environment = @{}) {
    # Test keys and region, nothing ambient (profile, token, endpoint) to blur what is tested; the old values are kept.
    $names = @('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION',
        'AWS_ENDPOINT_URL', 'AWS_MAX_ATTEMPTS', 'BLUEGREEN_POLL_MAX_MS', 'BLUEGREEN_PIPELINE') + @($Environment.Keys)
    foreach ($name in $names) { $script:SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name) }
    Set-EnvironmentVariable AWS_ACCESS_KEY_ID 'test'; Set-EnvironmentVariable AWS_SECRET_ACCESS_KEY 'test'
    Set-EnvironmentVariable AWS_SESSION_TOKEN $null; Set-EnvironmentVariable AWS_PROFILE $null; Set-EnvironmentVariable AWS_ENDPOINT_URL $null
    Set-EnvironmentVariable AWS_REGION 'us-east-1'; Set-EnvironmentVariable BLUEGREEN_POLL_MAX_MS "$PollMaxMs"
    # Tests run as a pipeline step may well be in one (GITHUB_ACTIONS, TF_BUILD): the module reports to none unless a test asks.
    Set-EnvironmentVariable BLUEGREEN_PIPELINE 'None'
    foreach ($entry in $Environment.GetEnumerator()) { Set-EnvironmentVariable $entry.Key $entry.Value }
}

function Restore-TestEnvironment {
    Stop-AwsCliRunner
    foreach ($name in $script:SavedEnvironment.Keys) { Set-EnvironmentVariable $name $script:SavedEnvironment[$name] }
    $script:SavedEnvironment = @{}
}

function Use-TestSandbox($Sandbox) {
    # Returns the sandbox's endpoint, which the helpers below use from now on.
    $script:TestSandboxEndpoint = $Sandbox.Endpoint.ToString()
    $script:TestSandboxEndpoint
}

function Invoke-SandboxControl([string] $Method, [string] $Path, $Body) {
    $arguments = @{ Method = $Method; Uri = $script:TestSandboxEndpoint.TrimEnd('/') + '/_sandbox/' + $Path }
    if ($null -ne $Body) { $arguments.Body = ($Body | ConvertTo-Json -Depth 6); $arguments.ContentType = 'application/json' }
    Invoke-RestMethod @arguments
}

function Get-SandboxCall([string] $Operation) {
    # The AWS calls the sandbox answered over HTTP since the log was last cleared, of one operation when named.
    @((Invoke-SandboxControl GET 'requests').requests | Where-Object { $_.source -eq 'http' -and (-not $Operation -or $_.operation -eq $Operation) })
}

function Reset-TestSandbox {
    $null = Invoke-SandboxControl POST 'reset?seed=true'
    $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = 600 }
}

function Set-SandboxTimeScale([double] $Scale) {
    # 0 holds simulated time still: a state in the middle of a release stays put while it is looked at.
    $null = Invoke-SandboxControl PUT 'time-scale' @{ timeScale = $Scale }
}

function Invoke-SandboxCli {
    # The AWS CLI against the test sandbox: state set up, and looked at, by a client nobody here wrote.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $result = Invoke-AwsCommand (@('--endpoint-url', $script:TestSandboxEndpoint, '--region', 'us-east-1', '--output', 'json') + $Arguments)
    if ($result.ExitCode -ne 0) { throw "aws $($Arguments -join ' ') failed: $($result.Errors)$($result.Output)" }
    if ($result.Output.Trim()) { $result.Output | ConvertFrom-Json }
}

function Start-SandboxTraffic {
    # Requests at $Rate per real second to a listener (its port or URL) or invocations of a function, for $Duration real
    # seconds or $Count requests; returns the run ({id, state, sent, answered, failed, statuses, targetGroups | versions}).
    param([Parameter(Mandatory)] $Target, [double] $Rate = 20, [double] $Duration, [long] $Count, $Payload, [switch] $Wait)
    $body = @{ target = $Target; rate = $Rate }
    if ($Duration) { $body.duration = $Duration }
    if ($Count) { $body.count = $Count }
    if ($null -ne $Payload) { $body.payload = $Payload }
    $run = Invoke-SandboxControl POST 'traffic' $body
    while ($Wait -and $run.state -eq 'running') {
        Start-Sleep -Milliseconds 100
        $run = Invoke-SandboxControl GET "traffic/$($run.id)"
    }
    $run
}

function Get-SandboxTraffic([string] $Id) {
    # One traffic run by id, or every run the sandbox keeps.
    if ($Id) { Invoke-SandboxControl GET "traffic/$Id" } else { (Invoke-SandboxControl GET 'traffic').traffic }
}

function Stop-SandboxTraffic([Parameter(Mandatory)] [string] $Id) {
    # Stops a run; returns it with its final counts.
    Invoke-SandboxControl DELETE "traffic/$Id"
}

function Get-ServingTaskDefinition([string] $Url, [int] $Count = 20) {
    # The task definition behind each answer of a listener, e.g. @('web:1', 'web:1', 'web:2', ...).
    @(1..$Count | ForEach-Object {
            $answer = Invoke-WebRequest -Uri $Url -SkipHttpErrorCheck -TimeoutSec 10
            ($answer.Headers['X-Sandbox-Task-Definition'] | Select-Object -First 1)
        })
}

function Set-ReadyWait([int] $ReadyMinutes = 600, [int] $TerminationMinutes = 120) {
    # What the docs recommend: production traffic waits at Ready for the go-ahead, and the release stops without it.
    $config = @{ terminateBlueInstancesOnDeploymentSuccess = @{ action = 'TERMINATE'; terminationWaitTimeInMinutes = $TerminationMinutes }
        deploymentReadyOption = @{ actionOnTimeout = 'STOP_DEPLOYMENT'; waitTimeInMinutes = $ReadyMinutes } } | ConvertTo-Json -Compress
    $null = Invoke-SandboxCli deploy update-deployment-group --application-name web --current-deployment-group-name web-dg --blue-green-deployment-configuration $config
}

function New-WebRevision([hashtable] $Environment) {
    # A revision of the seeded web service whose container reads $Environment (the sandbox's knobs for a bad version).
    $envs = @($Environment.GetEnumerator() | ForEach-Object { @{ name = $_.Key; value = "$($_.Value)" } })
    $containers = ConvertTo-Json -Depth 5 -Compress @(@{ name = 'web'; image = 'public.ecr.aws/sandbox/web:bad'; portMappings = @(@{ containerPort = 80 }); environment = $envs })
    (Invoke-SandboxCli ecs register-task-definition --family web --network-mode awsvpc --requires-compatibilities FARGATE --cpu 256 --memory 512 --container-definitions $containers).taskDefinition.taskDefinitionArn
}

function New-SandboxFleet {
    # Many release targets in one control-API request: ECS services (CodeDeploy and ECS-native in turn) and Lambda functions
    # with a 'live' alias (a CodeDeploy group or none, in turn), spread over the regions in turn. Returns one object per
    # target: Kind (EcsService | LambdaAlias), Region, and Cluster, Service, DeploymentController, Application,
    # DeploymentGroup, BlueTaskDefinition, GreenTaskDefinition, FailingTaskDefinition, ProductionUrl, TestUrl; or
    # FunctionName, Alias, Controller (CodeDeploy | Module), BlueVersion, GreenVersion, FailingVersion.
    param($Sandbox, [int] $EcsServices = 0, [int] $LambdaFunctions = 0, [string[]] $Regions = @('us-east-1'), [string] $Prefix = 'fleet')
    $endpoint = if ($Sandbox) { $Sandbox.Endpoint.ToString() } else { $script:TestSandboxEndpoint }
    $body = @{ ecsServices = $EcsServices; lambdaFunctions = $LambdaFunctions; regions = @($Regions); prefix = $Prefix } | ConvertTo-Json -Compress
    $fleet = Invoke-RestMethod -Method POST -Uri ($endpoint.TrimEnd('/') + '/_sandbox/fleet') -Body $body -ContentType 'application/json'
    foreach ($target in $fleet.targets) {
        $properties = [ordered]@{}
        foreach ($p in $target.PSObject.Properties) { $properties[$p.Name.Substring(0, 1).ToUpperInvariant() + $p.Name.Substring(1)] = $p.Value }
        [pscustomobject] $properties
    }
}

function ConvertTo-TrainTarget {
    # A train definition's entry for a target of New-SandboxFleet, releasing its green and naming its CodeDeploy group.
    param([Parameter(Mandatory, ValueFromPipeline)] $Target, [string] $TrafficShift = 'AllAtOnce')
    process {
        $t = $Target
        $entry = if ($t.Kind -eq 'EcsService') {
            @{ Cluster = $t.Cluster; Service = $t.Service; TaskDefinition = $t.GreenTaskDefinition; Region = $t.Region; TrafficShift = $TrafficShift }
        }
        else {
            @{ FunctionName = $t.FunctionName; Alias = $t.Alias; Version = $t.GreenVersion; Region = $t.Region; TrafficShift = $TrafficShift }
        }
        if ($t.PSObject.Properties['Controller'] -and $t.Controller -eq 'Module') { $entry.Controller = 'Module' }
        elseif ($t.PSObject.Properties['Application'] -and $t.Application) { $entry.ApplicationName = $t.Application; $entry.DeploymentGroupName = $t.DeploymentGroup }
        $entry
    }
}

function Set-SandboxFault {
    # One fault rule of the sandbox (see docs/sandbox.md): e.g. -Service codedeploy -Region eu-west-1 -ThrottleRate 0.5.
    param($Sandbox, [string] $Service = '*', [string] $Operation = '*', [string] $Region = '*', [double] $ThrottleRate, [double] $ErrorRate,
        [int] $LatencyMs, [int] $Times)
    $endpoint = if ($Sandbox) { $Sandbox.Endpoint.ToString() } else { $script:TestSandboxEndpoint }
    $rule = @{ service = $Service; operation = $Operation; region = $Region }
    foreach ($name in 'ThrottleRate', 'ErrorRate', 'LatencyMs', 'Times') {
        if ($PSBoundParameters.ContainsKey($name)) { $rule[$name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)] = $PSBoundParameters[$name] }
    }
    Invoke-RestMethod -Method PUT -Uri ($endpoint.TrimEnd('/') + '/_sandbox/faults') -Body ($rule | ConvertTo-Json -Compress) -ContentType 'application/json'
}

function Clear-SandboxFault($Sandbox) {
    $endpoint = if ($Sandbox) { $Sandbox.Endpoint.ToString() } else { $script:TestSandboxEndpoint }
    $null = Invoke-RestMethod -Method DELETE -Uri ($endpoint.TrimEnd('/') + '/_sandbox/faults')
}

Export-ModuleMember -Function *
