# The README's main job: the whole story on the sandbox, run as build.ps1 Demo runs it, in a fresh pwsh.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
    $script:Demo = (Resolve-Path (Join-Path $PSScriptRoot '../../build/Invoke-Demo.ps1')).Path
}

Describe 'The demo' {
    It 'tells the good and the bad release, the native canary, passes every check, and stops its sandbox' {
        $result = Invoke-FreshPwsh "& '$Demo' -ModuleManifest '$Manifest' -TimeScale 120; exit `$LASTEXITCODE" -Environment @{ NO_COLOR = '1' }
        $text = $result.Output -join "`n"
        $result.ExitCode | Should -Be 0 -Because $text
        $text | Should -Match 'good release succeeded: d-\w+ is Succeeded'
        $text | Should -Match 'smoke test catches the broken build'
        $text | Should -Match 'undo puts blue back on all traffic: web:3 x40'
        $text | Should -Match 'smoke test of api green: 100 requests'
        $text | Should -Match 'canary share seen on the production port: rule weights 10% green; 100 requests: api:1 x\d+, api:2 x\d+'
        $text | Should -Match 'native canary succeeded: production serves the new version only: Succeeded; production: api:2 x40'
        $text | Should -Match 'orders release succeeded: live serves version 2'
        $text | Should -Match 'the BeforeAllowTraffic hook ran and passed'
        $text | Should -Match 'payments release succeeded, driven by the module: lambda:payments:live:\w+ is Succeeded'
        $text | Should -Match 'smoke test of version 3 catches the bad build: 10 of 10 invocations failed: PaymentsBadBuild x10'
        $text | Should -Match 'undo puts payments:live back on version 2 at once'
        $text | Should -Match 'the smoke test alone passes the slower version'
        $text | Should -Match 'the analysis fails it and undoes it without a human: AnalysisFailed,\S+: Latency'
        $text | Should -Match 'production is back on blue: payments:live: 0% on version'
        $text | Should -Match 'the analysis says Inconclusive, not Pass'
        $text | Should -Match 'All 21 checks passed'
        $text | Should -Match 'The report: .*demo-report\.html'
        $sandboxPid = [regex]::Match($text, 'pid (\d+)').Groups[1].Value
        $sandboxPid | Should -Not -BeNullOrEmpty
        Get-Process -Id ([int] $sandboxPid) -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
