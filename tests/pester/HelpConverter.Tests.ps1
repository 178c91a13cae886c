# build/ConvertTo-MamlHelp.ps1: markdown pages in, MAML out; malformed pages stop the build with a message
# that names the file and the section.

BeforeAll {
    $converter = (Resolve-Path (Join-Path $PSScriptRoot '../../build/ConvertTo-MamlHelp.ps1')).ProviderPath
    $fence = '```'

    # A page with two parameter sets, a switch, accepted values, lists, XML-special characters,
    # a multi-line example and links of both kinds.
    $samplePage = @"
---
external help file: Sample.dll-Help.xml
Module Name: Sample
online version: https://example.com/help/Set-Sample
schema: 2.0.0
---

# Set-Sample

## SYNOPSIS
Sets a sample & checks <escaping>.

## SYNTAX

### ByName (Default)
${fence}
Set-Sample [-Name] <String> [-Mode <String>] [-Force] [<CommonParameters>]
${fence}

### ByObject
${fence}
Set-Sample -InputObject <PSObject> [-Force] [<CommonParameters>]
${fence}

## DESCRIPTION
The first paragraph
wraps over two lines.

The second paragraph says a < b && "c" > 'd'.

- first item
- second item
  continues here

## EXAMPLES

### Example 1: Set by name
${fence}powershell
Set-Sample -Name one
Get-Sample | Set-Sample -Force
${fence}

The first remark.

The second remark.

### Example 2: Set from the pipeline
${fence}powershell
`$item | Set-Sample
${fence}

## PARAMETERS

### -Name
The name to set.

${fence}yaml
Type: String
Parameter Sets: ByName
Aliases: N, SampleName

Required: True
Position: 0
Default value: None
Accept pipeline input: True (ByPropertyName)
Accept wildcard characters: True
${fence}

### -InputObject
The object to set.

${fence}yaml
Type: PSObject
Parameter Sets: ByObject
Aliases:

Required: True
Position: Named
Default value: None
Accept pipeline input: True (ByValue)
Accept wildcard characters: False
${fence}

### -Mode
How to set it.

${fence}yaml
Type: String
Parameter Sets: ByName
Aliases:
Accepted values: Fast, Safe

Required: False
Position: Named
Default value: Safe
Accept pipeline input: False
Accept wildcard characters: False
${fence}

### -Force
Sets it without asking.

${fence}yaml
Type: SwitchParameter
Parameter Sets: (All)
Aliases:

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
${fence}

### CommonParameters
This cmdlet supports the common parameters.

## INPUTS

### System.String
A name.

### System.Management.Automation.PSObject
An object.

## OUTPUTS

### Sample.Result
What was set.

## NOTES
The first note.

The second note.

## RELATED LINKS

[Get-Sample](Get-Sample.md)

[Sample docs](https://example.com/sample)
"@ -replace "`r`n", "`n"

    $ns = @{
        msh     = 'http://msh'
        maml    = 'http://schemas.microsoft.com/maml/2004/10'
        command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
        dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    }

    function Invoke-Converter([hashtable] $Pages, [string] $Name = 'Sample.dll-Help.xml') {
        # Writes the pages to a fresh folder, converts them, and returns the output path.
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $dir
        foreach ($entry in $Pages.GetEnumerator()) {
            Set-Content -LiteralPath (Join-Path $dir $entry.Key) -Value $entry.Value -NoNewline
        }
        $out = Join-Path $dir "out/en-US/$Name"
        & $converter -Path $dir -OutputPath $out
        $out
    }

    function Select-Maml([string] $Path, [string] $XPath) {
        @(Select-Xml -LiteralPath $Path -XPath $XPath -Namespace $ns | ForEach-Object Node)
    }
}

Describe 'ConvertTo-MamlHelp on a well-formed page' {
    BeforeAll {
        $xml = Invoke-Converter @{ 'Set-Sample.md' = $samplePage }
        $command = '/msh:helpItems/command:command'
    }

    It 'writes a helpItems document in the maml schema with one command' {
        $xml | Should -Exist
        $root = @(Select-Maml $xml '/msh:helpItems')
        $root.Count | Should -Be 1
        $root[0].GetAttribute('schema') | Should -Be 'maml'
        @(Select-Maml $xml $command).Count | Should -Be 1
    }

    It 'writes the name, verb, noun and synopsis in command:details' {
        @(Select-Maml $xml "$command/command:details/command:name")[0].InnerText | Should -Be 'Set-Sample'
        @(Select-Maml $xml "$command/command:details/command:verb")[0].InnerText | Should -Be 'Set'
        @(Select-Maml $xml "$command/command:details/command:noun")[0].InnerText | Should -Be 'Sample'
        @(Select-Maml $xml "$command/command:details/maml:description/maml:para")[0].InnerText | Should -Be 'Sets a sample & checks <escaping>.'
    }

    It 'keeps the paragraphs of the description, joins wrapped lines and makes one paragraph per list item' {
        $paras = Select-Maml $xml "$command/maml:description/maml:para" | ForEach-Object InnerText
        $paras | Should -Be @(
            'The first paragraph wraps over two lines.'
            "The second paragraph says a < b && `"c`" > 'd'."
            '- first item'
            '- second item continues here'
        )
    }

    It 'escapes XML special characters in the file' {
        $raw = Get-Content -LiteralPath $xml -Raw
        $raw | Should -Match 'a &lt; b &amp;&amp;'
        $raw | Should -Match 'checks &lt;escaping&gt;'
    }

    It 'writes one syntax item per parameter set with its parameters in the order of the syntax line' {
        $items = @(Select-Maml $xml "$command/command:syntax/command:syntaxItem")
        $items.Count | Should -Be 2
        @(Select-Xml -Xml $items[0] -XPath 'command:parameter/maml:name' -Namespace $ns | ForEach-Object { $_.Node.InnerText }) |
            Should -Be @('Name', 'Mode', 'Force')
        @(Select-Xml -Xml $items[1] -XPath 'command:parameter/maml:name' -Namespace $ns | ForEach-Object { $_.Node.InnerText }) |
            Should -Be @('InputObject', 'Force')
    }

    It 'shows no value for a switch in the syntax, and the accepted values of a parameter that has them' {
        $item = @(Select-Maml $xml "$command/command:syntax/command:syntaxItem")[0]
        $force = Select-Xml -Xml $item -XPath "command:parameter[maml:name='Force']" -Namespace $ns | ForEach-Object Node
        @(Select-Xml -Xml $force -XPath 'command:parameterValue' -Namespace $ns).Count | Should -Be 0
        $mode = Select-Xml -Xml $item -XPath "command:parameter[maml:name='Mode']" -Namespace $ns | ForEach-Object Node
        @(Select-Xml -Xml $mode -XPath 'command:parameterValueGroup/command:parameterValue' -Namespace $ns | ForEach-Object { $_.Node.InnerText }) |
            Should -Be @('Fast', 'Safe')
    }

    It 'writes each parameter once with its attributes, type, default value and description' {
        $parameters = @(Select-Maml $xml "$command/command:parameters/command:parameter")
        @($parameters | ForEach-Object { $_['maml:name'].InnerText }) | Should -Be @('Name', 'InputObject', 'Mode', 'Force')
        $name = $parameters[0]
        $name.GetAttribute('required') | Should -Be 'true'
        $name.GetAttribute('position') | Should -Be '0'
        $name.GetAttribute('globbing') | Should -Be 'true'
        $name.GetAttribute('pipelineInput') | Should -Be 'True (ByPropertyName)'
        $name.GetAttribute('aliases') | Should -Be 'N, SampleName'
        $name['dev:type']['maml:name'].InnerText | Should -Be 'String'
        $name['command:parameterValue'].InnerText | Should -Be 'String'
        $name['maml:description']['maml:para'].InnerText | Should -Be 'The name to set.'
        $inputObject = $parameters[1]
        $inputObject.GetAttribute('required') | Should -Be 'true'
        $inputObject.GetAttribute('position') | Should -Be 'named'
        $inputObject.GetAttribute('pipelineInput') | Should -Be 'True (ByValue)'
        $inputObject.GetAttribute('aliases') | Should -Be 'none'
        $parameters[2]['dev:defaultValue'].InnerText | Should -Be 'Safe'
        $parameters[3]['dev:type']['maml:name'].InnerText | Should -Be 'SwitchParameter'
    }

    It 'writes the input and output types with their descriptions' {
        Select-Maml $xml "$command/command:inputTypes/command:inputType/dev:type/maml:name" | ForEach-Object InnerText |
            Should -Be @('System.String', 'System.Management.Automation.PSObject')
        Select-Maml $xml "$command/command:inputTypes/command:inputType/maml:description/maml:para" | ForEach-Object InnerText |
            Should -Be @('A name.', 'An object.')
        Select-Maml $xml "$command/command:returnValues/command:returnValue/dev:type/maml:name" | ForEach-Object InnerText |
            Should -Be 'Sample.Result'
    }

    It 'writes the notes as an alert, one paragraph each' {
        Select-Maml $xml "$command/maml:alertSet/maml:alert/maml:para" | ForEach-Object InnerText |
            Should -Be @('The first note.', 'The second note.')
    }

    It 'writes every example with its title, its code as written and its remarks' {
        $examples = @(Select-Maml $xml "$command/command:examples/command:example")
        $examples.Count | Should -Be 2
        $examples[0]['maml:title'].InnerText | Should -Match '^-+ Example 1: Set by name -+$'
        $examples[0]['dev:code'].InnerText | Should -Be "Set-Sample -Name one`nGet-Sample | Set-Sample -Force"
        @(Select-Xml -Xml $examples[0] -XPath 'dev:remarks/maml:para' -Namespace $ns | ForEach-Object { $_.Node.InnerText }) | Should -Be @('The first remark.', 'The second remark.')
        $examples[1]['dev:code'].InnerText | Should -Be '$item | Set-Sample'
    }

    It 'writes the online version and the related links, with no uri for a link to another page' {
        $links = @(Select-Maml $xml "$command/maml:relatedLinks/maml:navigationLink")
        @($links | ForEach-Object { $_['maml:linkText'].InnerText }) | Should -Be @('Online Version:', 'Get-Sample', 'Sample docs')
        @($links | ForEach-Object { $_['maml:uri'].InnerText }) | Should -Be @('https://example.com/help/Set-Sample', '', 'https://example.com/sample')
    }

    It 'orders the commands of several pages by name' {
        $second = $samplePage -replace 'Set-Sample', 'Add-Sample' -replace 'Get-Sample \| Add-Sample', 'Get-Sample | Add-Sample'
        $out = Invoke-Converter @{ 'Set-Sample.md' = $samplePage; 'Add-Sample.md' = $second }
        Select-Maml $out '/msh:helpItems/command:command/command:details/command:name' | ForEach-Object InnerText |
            Should -Be @('Add-Sample', 'Set-Sample')
    }
}

Describe 'ConvertTo-MamlHelp on a malformed page' {
    It 'fails naming the file and <Section> when <Case>' -ForEach @(
        @{ Case = 'SYNOPSIS is missing'; Section = '## SYNOPSIS'; Pattern = '(?s)## SYNOPSIS\n.*?(?=## SYNTAX)'; Replacement = ''; Message = 'the section is missing' }
        @{ Case = 'DESCRIPTION is missing'; Section = '## DESCRIPTION'; Pattern = '(?s)## DESCRIPTION\n.*?(?=## EXAMPLES)'; Replacement = ''; Message = 'the section is missing' }
        @{ Case = 'SYNOPSIS is empty'; Section = '## SYNOPSIS'; Pattern = 'Sets a sample & checks <escaping>.'; Replacement = ''; Message = 'the section is empty' }
        @{ Case = 'there is no example'; Section = '## EXAMPLES'; Pattern = '(?s)### Example 1.*?(?=## PARAMETERS)'; Replacement = ''; Message = 'there is no example' }
        @{ Case = 'an example has no code'; Section = '## EXAMPLES ### Example 2: Set from the pipeline'; Pattern = '(?s)(### Example 2: Set from the pipeline\n).*?(?=## PARAMETERS)'; Replacement = '$1Just words.' + "`n`n"; Message = 'no fenced code block' }
        @{ Case = 'a parameter has no yaml block'; Section = '## PARAMETERS ### -Mode'; Pattern = '(?s)(How to set it\.\n).*?(?=### -Force)'; Replacement = '$1' + "`n"; Message = 'no fenced yaml block' }
        @{ Case = 'a yaml block lacks a key'; Section = '## PARAMETERS ### -Force'; Pattern = '(?s)(Sets it without asking\.\n.*?)Position: Named\n'; Replacement = '$1'; Message = "no 'Position'" }
        @{ Case = 'a parameter has no description'; Section = '## PARAMETERS ### -Name'; Pattern = 'The name to set\.'; Replacement = ''; Message = 'no description' }
        @{ Case = 'a documented parameter is not in the syntax'; Section = '## PARAMETERS ### -Mode'; Pattern = ' \[-Mode <String>\]'; Replacement = ''; Message = 'does not show it' }
        @{ Case = 'a placeholder is left'; Section = '## DESCRIPTION'; Pattern = 'The first paragraph'; Replacement = '{{ Fill in the Description }}'; Message = 'placeholder' }
        @{ Case = 'a section is unknown'; Section = '## EXAMPLE'; Pattern = '## EXAMPLES'; Replacement = '## EXAMPLE'; Message = 'unknown section' }
    ) {
        $page = $samplePage -replace $Pattern, $Replacement
        $page | Should -Not -Be $samplePage -Because 'the case must change the sample'
        $file = 'Set-Sample.md'
        $err = { Invoke-Converter @{ $file = $page } } | Should -Throw -PassThru
        $err.Exception.Message | Should -BeLike "*$file*"
        $err.Exception.Message | Should -BeLike "*$Section*"
        $err.Exception.Message | Should -BeLike "*$Message*"
    }

    It 'fails when the file name is not the cmdlet name' {
        { Invoke-Converter @{ 'Set-Other.md' = $samplePage } } | Should -Throw -ExpectedMessage "*Set-Other.md*must be named 'Set-Sample.md'*"
    }

    It 'fails when the page is built into another help file than the one it names' {
        { Invoke-Converter @{ 'Set-Sample.md' = $samplePage } -Name 'Other.dll-Help.xml' } | Should -Throw -ExpectedMessage "*external help file*Other.dll-Help.xml*"
    }

    It 'reports the problems of every file at once and writes nothing' {
        $dir = Join-Path $TestDrive 'several'
        $null = New-Item -ItemType Directory -Path $dir
        Set-Content -LiteralPath (Join-Path $dir 'Set-Sample.md') -Value ($samplePage -replace '(?s)## SYNOPSIS\n.*?(?=## SYNTAX)', '') -NoNewline
        Set-Content -LiteralPath (Join-Path $dir 'Add-Sample.md') -Value ($samplePage -replace 'Set-Sample', 'Add-Sample' -replace '(?s)## DESCRIPTION\n.*?(?=## EXAMPLES)', '') -NoNewline
        $out = Join-Path $dir 'out/Sample.dll-Help.xml'
        $err = { & $converter -Path $dir -OutputPath $out } | Should -Throw -PassThru
        $err.Exception.Message | Should -BeLike '*2 problem(s)*'
        $err.Exception.Message | Should -BeLike '*Add-Sample.md: ## DESCRIPTION*'
        $err.Exception.Message | Should -BeLike '*Set-Sample.md: ## SYNOPSIS*'
        $out | Should -Not -Exist
    }

    It 'fails when the folder holds no page' {
        $dir = Join-Path $TestDrive 'empty'
        $null = New-Item -ItemType Directory -Path $dir
        { & $converter -Path $dir -OutputPath (Join-Path $dir 'x.xml') } | Should -Throw -ExpectedMessage '*holds no cmdlet help*'
    }
}

Describe 'ConvertTo-MamlHelp -Examples' {
    It 'returns the examples of a cmdlet page, numbered, with their title and code, and writes nothing' {
        $dir = Join-Path $TestDrive 'examples'
        $null = New-Item -ItemType Directory -Path $dir
        Set-Content -LiteralPath (Join-Path $dir 'Set-Sample.md') -Value $samplePage -NoNewline
        $examples = @(& $converter -Path $dir -Examples)
        $examples.Count | Should -Be 2
        $examples[0].Page | Should -Be 'Set-Sample.md'
        $examples[0].Number | Should -Be 1
        $examples[0].Title | Should -Be 'Example 1: Set by name'
        $examples[0].Code | Should -Be "Set-Sample -Name one`nGet-Sample | Set-Sample -Force"
        $examples[1].Code | Should -Be '$item | Set-Sample'
        @(Get-ChildItem -LiteralPath $dir).Count | Should -Be 1
    }

    It 'returns the powershell blocks of another page under their headings, not other languages or fenced headings' {
        $page = Join-Path $TestDrive 'guide.md'
        Set-Content -LiteralPath $page -Value @"
# A guide

## 1. Start
${fence}sh
dotnet build
${fence}

${fence}powershell
`$a = 1
# not a heading: a comment in the code
${fence}

## 2. Go on
Text.

${fence}powershell
`$a + 1
${fence}
"@
        $examples = @(& $converter -Path $page -Examples)
        $examples.Count | Should -Be 2
        $examples[0].Title | Should -Be '1. Start'
        $examples[0].Code | Should -Be "`$a = 1`n# not a heading: a comment in the code"
        $examples[1].Number | Should -Be 2
        $examples[1].Title | Should -Be '2. Go on'
    }
}
