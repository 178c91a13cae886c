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
            $sandbox | Stop-BlueGreenSandbox
        }
        { Get-Process -Id $sandbox.ProcessId -ErrorAction Stop } | Should -Throw
    }

    It '-WhatIf starts nothing' {
        $result = Start-BlueGreenSandbox -WhatIf
        $result | Should -BeNullOrEmpty
    }

    It 'refuses to stop a process it did not start' {
        Stop-BlueGreenSandbox -ProcessId $PID -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'NotASandbox,*'
        (Get-Process -Id $PID).HasExited | Should -BeFalse
    }
}
