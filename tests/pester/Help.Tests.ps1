# Every exported cmdlet has real help (synopsis, description, examples, parameter help), and the markdown
# pages in docs/cmdlets match the cmdlets and parameters the built module exports.
# Runs against the built module: BLUEGREEN_MODULE_MANIFEST, or out/BlueGreen/BlueGreen.psd1.

BeforeDiscovery {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $manifest = if ($env:BLUEGREEN_MODULE_MANIFEST) { $env:BLUEGREEN_MODULE_MANIFEST } else { Join-Path $repoRoot 'out/BlueGreen/BlueGreen.psd1' }
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "The built module manifest '$manifest' does not exist: run './build.ps1 Build' first, or set BLUEGREEN_MODULE_MANIFEST."
    }
    Import-Module $manifest -Force -ErrorAction Stop
    $common = [System.Management.Automation.Cmdlet]::CommonParameters

    $commands = @(Get-Command -Module BlueGreen -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
            @{
                Name       = $_.Name
                Parameters = @($_.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
            }
        })
    $pages = @(Get-ChildItem -LiteralPath (Join-Path $repoRoot 'docs/cmdlets') -Filter '*.md' -File | Sort-Object Name | ForEach-Object {
            @{ Name = $_.BaseName; Path = $_.FullName }
        })
}

BeforeAll {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $manifest = if ($env:BLUEGREEN_MODULE_MANIFEST) { $env:BLUEGREEN_MODULE_MANIFEST } else { Join-Path $repoRoot 'out/BlueGreen/BlueGreen.psd1' }
    $module = Import-Module $manifest -Force -PassThru -ErrorAction Stop
    $docsDir = Join-Path $repoRoot 'docs/cmdlets'
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    $exported = @(Get-Command -Module BlueGreen -CommandType Cmdlet | ForEach-Object Name)

    function Get-MarkdownParameter([string] $Path) {
        # The '### -Name' headings of the '## PARAMETERS' section, outside code fences.
        $inParameters = $false
        $fence = $false
        foreach ($line in Get-Content -LiteralPath $Path) {
            if ($line -match '^\s*(```|~~~)') { $fence = -not $fence; continue }
            if ($fence) { continue }
            if ($line -match '^##\s+(.+?)\s*$') { $inParameters = $Matches[1] -eq 'PARAMETERS'; continue }
            if ($inParameters -and $line -match '^###\s+-([A-Za-z][A-Za-z0-9_]*)\s*$') { $Matches[1] }
        }
    }

    function Get-HelpText($Node) {
        # The text of a MAML description (an array of paragraphs), or '' when there is none.
        if ($null -eq $Node) { return '' }
        ((@($Node) | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } }) -join "`n").Trim()
    }
}

Describe 'BlueGreen module help' {
    It 'exports at least one cmdlet to check' {
        $exported.Count | Should -BeGreaterThan 0
    }

    It 'ships its help as en-US/BlueGreen.dll-Help.xml' {
        Join-Path $module.ModuleBase 'en-US/BlueGreen.dll-Help.xml' | Should -Exist
    }
}

Describe 'about_BlueGreen topics' {
    BeforeAll {
        $topics = @(Get-Help about_BlueGreen* | Where-Object Category -EQ 'HelpFile')
        $sources = @(Get-ChildItem -LiteralPath (Join-Path $repoRoot 'src/BlueGreen/en-US') -Filter 'about_*.help.txt')
    }

    It 'finds every topic of the module with Get-Help' {
        $expected = 'about_BlueGreen', 'about_BlueGreen_Releases', 'about_BlueGreen_Engines', 'about_BlueGreen_Gates',
        'about_BlueGreen_SchemaPhases', 'about_BlueGreen_Pipelines'
        @($topics.Name | Sort-Object) | Should -Be @($expected | Sort-Object)
        @($sources | ForEach-Object { $_.Name -replace '\.help\.txt$' } | Sort-Object) | Should -Be @($expected | Sort-Object)
    }

    It 'shows the short description of each topic as its synopsis, from the built module' {
        foreach ($source in $sources) {
            $lines = Get-Content -LiteralPath $source.FullName
            $short = $lines[[array]::IndexOf($lines, 'SHORT DESCRIPTION') + 1].Trim()
            $short | Should -Not -BeNullOrEmpty
            $topic = $topics | Where-Object Name -EQ ($source.Name -replace '\.help\.txt$')
            $topic.Synopsis | Should -Be $short
            Join-Path $module.ModuleBase "en-US/$($source.Name)" | Should -Exist
        }
    }

    It 'has the sections of a help topic, lines that fit 80 columns, and links to this project only' {
        foreach ($source in $sources) {
            $text = Get-Content -LiteralPath $source.FullName -Raw
            foreach ($section in 'TOPIC', 'SHORT DESCRIPTION', 'LONG DESCRIPTION', 'SEE ALSO') {
                $text | Should -Match "(?m)^$section\r?$" -Because "$($source.Name) needs a $section section"
            }
            @(Get-Content -LiteralPath $source.FullName | Where-Object Length -GT 80) | Should -BeNullOrEmpty -Because $source.Name
            [regex]::Matches($text, 'https://\S+').Value | ForEach-Object {
                $_ | Should -BeLike 'https://github.com/bluegreen-ps/BlueGreen*'
            }
        }
    }
}

Describe '<Name> help' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
    }

    It 'has a page in docs/cmdlets' {
        Join-Path $docsDir "$Name.md" | Should -Exist
    }

    It 'opens its own page with -Online' {
        # HelpUri and the help's first link (what Get-Help -Online opens) both name the project's page of the cmdlet.
        $page = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/$Name.md"
        (Get-Command $Name).HelpUri | Should -Be $page
        @($help.relatedLinks.navigationLink | Where-Object uri)[0].uri | Should -Be $page
        Join-Path $docsDir ($page -split '/')[-1] | Should -Exist
    }

    It 'has a synopsis written for it, not the generated syntax' {
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -Match "^$([regex]::Escape($Name))(\s|\[|$)" -Because 'Get-Help shows the syntax as the synopsis when the cmdlet has no help'
    }

    It 'has a description' {
        Get-HelpText $help.description | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        $examples = @($help.PSObject.Properties['examples'] | Where-Object { $_.Value } | ForEach-Object { $_.Value.example })
        $withCode = @($examples | Where-Object { $_ -and "$($_.code)".Trim() })
        $withCode.Count | Should -BeGreaterThan 0
    }

    It 'describes -<_>' -ForEach $Parameters -AllowNullOrEmptyForEach {
        $parameterName = $_
        $parameterHelp = @($help.parameters.parameter | Where-Object { $_.name -eq $parameterName })
        $parameterHelp.Count | Should -Be 1 -Because "Get-Help $Name should list -$parameterName once"
        Get-HelpText $parameterHelp[0].description | Should -Not -BeNullOrEmpty
    }
}

Describe 'docs/cmdlets/<Name>.md' -ForEach $pages {
    BeforeAll {
        $documented = @(Get-MarkdownParameter $Path)
        $command = Get-Command -Name $Name -Module BlueGreen -CommandType Cmdlet -ErrorAction SilentlyContinue
        $actual = if ($command) { @($command.Parameters.Keys | Where-Object { $_ -notin $common }) } else { @() }
    }

    It 'documents a cmdlet the module exports' {
        $Name | Should -BeIn $exported -Because 'every page in docs/cmdlets is the help of an exported cmdlet'
    }

    It 'documents only parameters the cmdlet has' {
        $command | Should -Not -BeNullOrEmpty -Because "the module exports no cmdlet named $Name"
        $unknown = @($documented | Where-Object { $_ -notin $actual })
        $unknown | Should -BeNullOrEmpty -Because "$Name has no such parameter (it has: $($actual -join ', '))"
    }

    It 'documents every parameter of the cmdlet' {
        $command | Should -Not -BeNullOrEmpty -Because "the module exports no cmdlet named $Name"
        $missing = @($actual | Where-Object { $_ -notin $documented })
        $missing | Should -BeNullOrEmpty -Because "each parameter of $Name needs a '### -Name' part under ## PARAMETERS"
    }

    It 'documents each parameter once' {
        $twice = @($documented | Group-Object | Where-Object Count -GT 1 | ForEach-Object Name)
        $twice | Should -BeNullOrEmpty
    }
}
