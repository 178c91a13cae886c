# Start-BlueGreenSandbox and Stop-BlueGreenSandbox as a user runs them, judged by the AWS CLI.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
}

Describe 'The sandbox cmdlets' {
    It 'start a seeded sandbox that the AWS CLI can use, and stop it' {
        $sandbox = Start-BlueGreenSandbox -TimeScale 60 -Seed
        try {
            $sandbox.Endpoint.Host | Should -Be '127.0.0.1'
            $sandbox.Port | Should -BeGreaterThan 0
            (Get-Process -Id $sandbox.ProcessId).HasExited | Should -BeFalse
            $env:AWS_ACCESS_KEY_ID = 'test'; $env:AWS_SECRET_ACCESS_KEY = 'test'
            $apps = & aws --endpoint-url $sandbox.Endpoint.ToString() --region us-east-1 --output json deploy list-applications | ConvertFrom-Json
            $LASTEXITCODE | Should -Be 0
            @($apps.applications).Count | Should -BeGreaterThan 0
        }
        finally {
            Remove-Item env:AWS_ACCESS_KEY_ID, env:AWS_SECRET_ACCESS_KEY -ErrorAction SilentlyContinue
            $stopped = $sandbox | Stop-BlueGreenSandbox -PassThru
        }
        { Get-Process -Id $sandbox.ProcessId -ErrorAction Stop } | Should -Throw
        # -PassThru writes the sandbox that was stopped, as Start returned it.
        $stopped.ProcessId | Should -Be $sandbox.ProcessId
        $stopped.Endpoint | Should -Be $sandbox.Endpoint
        # Stopped already: an error, and nothing passed through.
        $again = Stop-BlueGreenSandbox -ProcessId $sandbox.ProcessId -PassThru -ErrorAction SilentlyContinue
        $again | Should -BeNullOrEmpty
    }

    It '-WhatIf starts nothing' {
        $result = Start-BlueGreenSandbox -WhatIf
        $result | Should -BeNullOrEmpty
    }

    It 'says in one line, without a stack trace, that a -Port in use is taken and what to do' {
        $holder = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $holder.Start()
        try {
            $port = $holder.LocalEndpoint.Port
            $result = Start-BlueGreenSandbox -Port $port -ErrorVariable failure -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $failure.Count | Should -Be 1
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'SandboxPortInUse,*'
            $failure[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $message = $failure[0].ToString()
            $message | Should -Match "\b$port\b"
            $message | Should -Match '-Port'
            $message | Should -Not -Match '\n'
            $message | Should -Not -Match '\bat \w+\.|Exception|\.cs:line'
        }
        finally { $holder.Stop() }
    }

    It 'the sandbox program itself says the same in one line when its port is taken' {
        # The race the cmdlet's own check cannot see: the port is taken between the check and the bind.
        $holder = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $holder.Start()
        try {
            $port = $holder.LocalEndpoint.Port
            $program = Join-Path (Split-Path (Get-ModuleManifestPath) -Parent) 'sandbox/BlueGreen.Sandbox.dll'
            $output = @(& dotnet $program --port $port 2>&1 | ForEach-Object { "$_" })
            $LASTEXITCODE | Should -Not -Be 0
            $text = $output -join "`n"
            @($output | Where-Object { $_.Trim() }).Count | Should -Be 1 -Because $text
            $text | Should -Match "port $port on 127\.0\.0\.1 is in use"
            $text | Should -Not -Match '^\s+at '
        }
        finally { $holder.Stop() }
    }

    It 'refuses to stop a process it did not start' {
        Stop-BlueGreenSandbox -ProcessId $PID -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'NotASandbox,*'
        (Get-Process -Id $PID).HasExited | Should -BeFalse
    }
}
