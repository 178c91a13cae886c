# The PowerShell worked example of docs/schema.md runs, as written, against the built module.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath

    function Get-DocBlock([string] $Path, [string] $Heading) {
        # The first ```powershell block after the heading.
        $lines = Get-Content -LiteralPath $Path
        $start = [array]::IndexOf($lines, $Heading)
        if ($start -lt 0) { throw "$Path has no heading '$Heading'." }
        $open = $start + 1
        while ($open -lt $lines.Count -and $lines[$open] -ne '```powershell') { $open++ }
        $close = $open + 1
        while ($close -lt $lines.Count -and $lines[$close] -ne '```') { $close++ }
        if ($close -ge $lines.Count) { throw "No powershell block after '$Heading' in $Path." }
        $lines[($open + 1)..($close - 1)] -join "`n"
    }
}

Describe 'docs/schema.md' {
    It 'has a PowerShell worked example that runs and ends with the release contracted' {
        $example = Get-DocBlock (Join-Path $RepoRoot 'docs/schema.md') '### From PowerShell (this block runs: `tests/pester/SchemaDocs.Tests.ps1` executes it)'
        $example | Should -Match 'Invoke-SchemaMigration -Phase Contract'
        $file = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'example')
        Set-Content -LiteralPath $file -Value $example
        # Statement by statement, each formatted on its own, as when typed at the prompt.
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Manifest'
Set-Location '$RepoRoot'
`$ast = [System.Management.Automation.Language.Parser]::ParseInput((Get-Content -Raw '$file'), [ref] `$null, [ref] `$null)
foreach (`$statement in `$ast.EndBlock.Statements) { . ([scriptblock]::Create(`$statement.Extent.Text)) | Out-String -Width 250 }
'example-done'
"@
        try { $result = Invoke-FreshPwsh $script }
        finally { Remove-OwnedItem $file }
        $text = $result.Output -join "`n"
        $result.ExitCode | Should -Be 0 -Because $text
        $result.Output | Should -Contain 'example-done' -Because $text
        $text | Should -Match 'V0003__drop_name\.sql\s+3\s+Destructive\s+False\s+ban-drop-column'
        $text | Should -Match 'What if: Apply the expand phase of new schema release r-\d{14}-\w{6} to Sqlite'
        $text | Should -Match 'line 5: unknown \[creating-trigger \(waived\)\]'
        $text | Should -Match 'refused: ContractNotAllowed,BlueGreen\.Commands\.InvokeSchemaMigrationCommand'
        $text | Should -Match '1\s+Expand\s+True\s+.*r-1\s+expand/V0001__baseline\.sql\s+additive'
        $text | Should -Match '3\s+Contract\s+True\s+.*r-2\s+contract/V0003__drop_name\.sql\s+destructive: dropping-object, ban-drop-column'
        $text | Should -Match 'r-1\s+Expanded'
        $text | Should -Match 'r-2\s+Contracted\s+d-EXAMPLE\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d'
    }
}
