# Every PowerShell example of the cmdlet pages (docs/cmdlets), docs/getting-started.md and docs/releases.md
# runs as written. The examples of a page run in order, in one fresh PowerShell process of their own (an
# out-of-process runspace), as a reader types them one after the other: each is one test, and it fails on an
# error record, a thrown error or a native command's non-zero exit. The examples come from the help converter
# (build/ConvertTo-MamlHelp.ps1 -Examples), the same reading that builds Get-Help.
#
# What a page's session starts with: the built module importable by name; no AWS settings from this machine
# (keys, region, profile, endpoint); and $env:APP_DB naming a fresh PostgreSQL database (on BLUEGREEN_TEST_PG)
# that holds the schema of docs/examples/schema/postgres/baseline.sql. A cmdlet page runs in a folder of its
# own holding that worked example's migrations/ (expand and contract); a guide (getting-started.md,
# releases.md) runs at the root of the repository, as a reader who has just built it. The rest each page
# sets up in its own examples: the sandbox above all.
#
# An example that can only run on AWS starts with the comment line '# Runs on AWS only: <reason>'. It is not
# run; it must parse, and every BlueGreen cmdlet and parameter it names must exist.
BeforeDiscovery {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $converter = Join-Path $root 'build/ConvertTo-MamlHelp.ps1'
    $all = @(
        & $converter -Path (Join-Path $root 'docs/cmdlets') -Examples
        foreach ($page in 'getting-started.md', 'releases.md') { & $converter -Path (Join-Path $root "docs/$page") -Examples }
    )
    $guides = 'getting-started.md', 'releases.md'
    $script:Pages = @($all | Group-Object Page | ForEach-Object {
            @{ Page = $_.Name; Guide = $_.Name -in $guides; Examples = @($_.Group | ForEach-Object {
                        # 'Set-TrafficShift.md Example 1: ...' for a cmdlet page, 'getting-started.md example 3 (3. A good release)' for a guide.
                        $name = if ($_.Title -match '^Example\s+\d+') { "$($_.Page) $($_.Title)" } else { "$($_.Page) example $($_.Number) ($($_.Title))" }
                        @{ Name = $name; Page = $_.Page; Number = $_.Number; Title = $_.Title; Code = $_.Code }
                    }) }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
    Import-Module $Manifest -Force
    $script:ModuleParent = Split-Path (Split-Path $Manifest -Parent) -Parent
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:AwsOnly = '^\s*#\s*Runs on AWS only:\s*(?<reason>\S.*)$'
    $script:ExampleTimeout = [TimeSpan]::FromMinutes(4)

    function script:Invoke-PostgresSql([string] $ConnectionString, [string] $Sql) {
        # Npgsql lives in the module's isolated load context: reach it there, as the module does.
        $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'BlueGreen' | Select-Object -First 1
        $type = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new('Npgsql')).GetType('Npgsql.NpgsqlConnection', $true)
        $connection = [Activator]::CreateInstance($type, [object[]] @($ConnectionString))
        try {
            $connection.Open()
            $command = $connection.CreateCommand()
            $command.CommandText = $Sql
            $null = $command.ExecuteNonQuery()
        }
        finally { $connection.Dispose() }
    }

    function script:New-PostgresDatabase {
        # A database of its own for a page's examples, on the PostgreSQL the suite started; null without one.
        if (-not $env:BLUEGREEN_TEST_PG) { return $null }
        $name = 'docs_' + (New-Guid).ToString('N').Substring(0, 12)
        Invoke-PostgresSql $env:BLUEGREEN_TEST_PG "CREATE DATABASE $name"
        $database = [pscustomobject]@{ Name = $name; ConnectionString = ($env:BLUEGREEN_TEST_PG -replace 'Database=[^;]*', "Database=$name") }
        Invoke-PostgresSql $database.ConnectionString ([IO.File]::ReadAllText((Join-Path $RepoRoot 'docs/examples/schema/postgres/baseline.sql')))
        $database
    }

    $script:PageProcesses = @{}

    function script:Open-PageSession([string] $WorkDir, [string] $Database, [string] $ProfileDir) {
        $process = [System.Management.Automation.Runspaces.PowerShellProcessInstance]::new($PSVersionTable.PSVersion, $null, $null, $false)
        $runspace = [runspacefactory]::CreateOutOfProcessRunspace($null, $process)
        # Disposing the runspace does not end its process: Close-PageSession does, so pages do not pile up.
        $script:PageProcesses[$runspace.InstanceId] = $process
        $runspace.Open()
        $prelude = {
            param($ModuleParent, $WorkDir, $Database, $ProfileDir)
            $env:PSModulePath = $ModuleParent + [IO.Path]::PathSeparator + $env:PSModulePath
            foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_REGION',
                'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE') {
                Remove-Item "env:$name" -ErrorAction SilentlyContinue
            }
            Get-ChildItem env: | Where-Object Name -Like 'AWS_ENDPOINT_URL_*' | ForEach-Object { Remove-Item "env:$($_.Name)" }
            # Profiles only from the scratch folder, never this machine's ~/.aws. The files must exist before the
            # first AWS call: AWSSDK.Core falls back to ~/.aws for good when AWS_SHARED_CREDENTIALS_FILE names none.
            foreach ($file in 'config', 'credentials') { $null = New-Item -ItemType File -Path (Join-Path $ProfileDir $file) -Force }
            $env:AWS_CONFIG_FILE = Join-Path $ProfileDir 'config'
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $ProfileDir 'credentials'
            $env:AWS_EC2_METADATA_DISABLED = 'true'
            if ($Database) { $env:APP_DB = $Database } else { Remove-Item env:APP_DB -ErrorAction SilentlyContinue }
            $global:ProgressPreference = 'SilentlyContinue'
            Set-Location -LiteralPath $WorkDir
        }
        $shell = [powershell]::Create()
        $shell.Runspace = $runspace
        $null = $shell.AddScript($prelude.ToString()).AddArgument($ModuleParent).AddArgument($WorkDir).AddArgument($Database).AddArgument($ProfileDir)
        $null = $shell.Invoke()
        if ($shell.HadErrors) { throw "The session for the examples did not start: $($shell.Streams.Error -join '; ')" }
        $shell.Dispose()
        $runspace
    }

    function script:Invoke-Example($Runspace, [string] $Code) {
        # Runs in the session's global scope, as if typed at its prompt; output formatted as the prompt would.
        $shell = [powershell]::Create()
        $shell.Runspace = $Runspace
        try {
            $null = $shell.AddScript('$global:LASTEXITCODE = 0').AddStatement()
            $null = $shell.AddScript($Code, $false).AddCommand('Out-String').AddParameter('Width', 200).AddStatement()
            $null = $shell.AddScript('"exit=$global:LASTEXITCODE"')
            $thrown = $null
            $output = @()
            $pending = $shell.BeginInvoke()
            if (-not $pending.AsyncWaitHandle.WaitOne($ExampleTimeout)) {
                $shell.Stop()
                $thrown = "did not end within $($ExampleTimeout.TotalMinutes) minutes"
            }
            else {
                try { $output = @($shell.EndInvoke($pending)) }
                catch { $thrown = "$($_.Exception.InnerException.Message)$($_.Exception.Message)" }
            }
            $exit = ($output | Where-Object { "$_" -like 'exit=*' } | Select-Object -Last 1) -replace '^exit=', ''
            [pscustomobject]@{
                Output   = ($output | Where-Object { "$_" -notlike 'exit=*' }) -join ''
                Errors   = @($shell.Streams.Error | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" })
                Thrown   = $thrown
                ExitCode = if ($exit) { [int]$exit } else { 0 }
            }
        }
        finally { $shell.Dispose() }
    }

    function script:Close-PageSession($Runspace) {
        if (-not $Runspace) { return }
        # Sandboxes the examples left running: Stop-BlueGreenSandbox stops only those this session started.
        $shell = [powershell]::Create()
        $shell.Runspace = $Runspace
        $null = $shell.AddScript('Get-Process | Where-Object { $_.Parent.Id -eq $PID } | ForEach-Object { Stop-BlueGreenSandbox -ProcessId $_.Id -Confirm:$false -ErrorAction SilentlyContinue }')
        try { $null = $shell.Invoke() } catch { Write-Warning "Stopping the examples' sandboxes: $_" }
        $shell.Dispose()
        $Runspace.Dispose()
        $process = $script:PageProcesses[$Runspace.InstanceId]
        $script:PageProcesses.Remove($Runspace.InstanceId)
        if ($process) {
            if (-not $process.Process.HasExited) { $process.Process.Kill($true); $null = $process.Process.WaitForExit(10000) }
            $process.Dispose()
        }
    }

    function script:Test-StaticExample([string] $Code) {
        # Parses, and names only BlueGreen cmdlets and parameters that exist.
        $tokens = $null; $problems = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $problems)
        $found = @($problems | ForEach-Object { "parse: $($_.Message)" })
        foreach ($call in $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $call.GetCommandName()
            $command = if ($name) { Get-Command $name -Module BlueGreen -ErrorAction SilentlyContinue }
            if (-not $command) { continue }
            $known = @($command.Parameters.Values | ForEach-Object { $_.Name; $_.Aliases })
            foreach ($parameter in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                $matching = @($known | Where-Object { $_ -like "$($parameter.ParameterName)*" })
                if ($matching.Count -eq 0) { $found += "$name has no parameter -$($parameter.ParameterName)" }
            }
        }
        , $found
    }
}

Describe '<Page>' -ForEach $Pages {
    BeforeAll {
        # Everything the page may write goes under this temporary folder (and is removed with it).
        $scratch = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'docs-examples')
        $null = New-Item -ItemType Directory -Path (Join-Path $scratch 'aws')
        $work = if ($Guide) { $RepoRoot } else { $scratch }
        if (-not $Guide) { Copy-Item (Join-Path $RepoRoot 'docs/examples/schema/postgres/migrations') (Join-Path $scratch 'migrations') -Recurse }
        $database = New-PostgresDatabase
        if (-not $database -and @($Examples | Where-Object { $_.Code -match 'APP_DB' })) {
            throw 'The examples of this page use $env:APP_DB, a PostgreSQL database: set BLUEGREEN_TEST_PG, or run the tests through "dotnet pwsh ./build.ps1 Test" (it starts PostgreSQL).'
        }
        $session = Open-PageSession -WorkDir $work -Database $(if ($database) { $database.ConnectionString }) -ProfileDir (Join-Path $scratch 'aws')
    }

    AfterAll {
        Close-PageSession $session
        if ($database) { Invoke-PostgresSql $env:BLUEGREEN_TEST_PG "DROP DATABASE IF EXISTS $($database.Name) WITH (FORCE)" }
        if ($scratch) { Remove-OwnedItem $scratch }
    }

    It '<Name>' -ForEach $Examples {
        $first = ($Code -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1)
        if ($first -match $AwsOnly) {
            $Matches['reason'] | Should -Not -BeNullOrEmpty
            Test-StaticExample $Code | Should -BeNullOrEmpty
            return
        }

        $result = Invoke-Example $session $Code
        $story = "`n--- example ---`n$Code`n--- output ---`n$($result.Output)`n--- errors ---`n$($result.Errors -join "`n")$($result.Thrown)"
        $result.Thrown | Should -BeNullOrEmpty -Because $story
        $result.Errors | Should -BeNullOrEmpty -Because $story
        $result.ExitCode | Should -Be 0 -Because "a native command failed: $story"
    }
}

Describe 'The example runner' {
    # What makes an example fail must reach the test: an error record, a thrown error, a native command's exit code.
    BeforeAll {
        $scratch = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'docs-runner')
        $null = New-Item -ItemType Directory -Path (Join-Path $scratch 'aws')
        $session = Open-PageSession -WorkDir $scratch -Database $null -ProfileDir (Join-Path $scratch 'aws')
    }

    AfterAll {
        Close-PageSession $session
        Remove-OwnedItem $scratch
    }

    It 'keeps what an example defines for the next one, and its output' {
        (Invoke-Example $session '$answer = 6 * 7').Errors | Should -BeNullOrEmpty
        $result = Invoke-Example $session '"the answer is $answer"'
        $result.Output | Should -Match 'the answer is 42'
        $result.Errors | Should -BeNullOrEmpty
        $result.Thrown | Should -BeNullOrEmpty
        $result.ExitCode | Should -Be 0
    }

    It 'sees an error record' {
        (Invoke-Example $session 'Get-Item ./no-such-file').Errors | Should -Not -BeNullOrEmpty
    }

    It 'sees a thrown error' {
        (Invoke-Example $session 'throw "stop here"').Thrown | Should -Match 'stop here'
    }

    It "sees a native command's non-zero exit" {
        $shell = (Get-Command pwsh -ErrorAction SilentlyContinue) ?? (Get-Command dotnet)
        $code = if ($shell.Name -like 'pwsh*') { "& '$($shell.Source)' -NoProfile -c 'exit 3'" } else { "& '$($shell.Source)' --no-such-dotnet-command 2>`$null" }
        (Invoke-Example $session $code).ExitCode | Should -Not -Be 0
    }

    It 'checks an AWS-only example without running it: it must name real cmdlets and parameters' {
        Test-StaticExample 'Get-BlueGreenDeployment -Id d-7QZ2XK9LM -Region eu-west-1' | Should -BeNullOrEmpty
        Test-StaticExample 'Get-BlueGreenDeployment -Id d-7QZ2XK9LM -NoSuchParameter 1' | Should -Not -BeNullOrEmpty
        Test-StaticExample 'Get-BlueGreenDeployment -Id (' | Should -Not -BeNullOrEmpty
    }
}
