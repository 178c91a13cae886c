#Requires -Version 7.4
<#
.SYNOPSIS
    Builds MAML help (<assembly>-Help.xml) from one markdown file per cmdlet.
.DESCRIPTION
    Reads every *.md file in -Path, each the help of one cmdlet in the platyPS markdown format
    (schema 2.0.0; docs/contributing-help.md describes it), checks it, and writes the MAML file
    that Get-Help reads for the cmdlets of a binary module.

    Every problem in every file is reported at once, each line naming the file and the section,
    and nothing is written while any file has one.

    With -Examples it writes nothing and returns the examples instead, each with its page, number,
    title and code: the '### Example N' parts of cmdlet pages, and the fenced powershell blocks of
    any other markdown page (each under the heading it follows). The documentation tests run them.
.EXAMPLE
    ./build/ConvertTo-MamlHelp.ps1 -Path docs/cmdlets -OutputPath out/BlueGreen/en-US/BlueGreen.dll-Help.xml
.EXAMPLE
    ./build/ConvertTo-MamlHelp.ps1 -Path docs/getting-started.md -Examples
#>
[CmdletBinding(DefaultParameterSetName = 'Maml')]
param(
    # A folder of cmdlet pages; with -Examples also one markdown file.
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory, ParameterSetName = 'Maml')] [string] $OutputPath,
    [Parameter(Mandatory, ParameterSetName = 'Examples')] [switch] $Examples
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$KnownSections = 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS'
$RequiredSections = 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES'
$ParameterKeys = 'Type', 'Parameter Sets', 'Aliases', 'Required', 'Position', 'Default value', 'Accept pipeline input', 'Accept wildcard characters'
$AllSets = '(All)'

# One problem in one file: the message says where, the converter collects them all before failing.
class HelpFormatException : System.Exception {
    HelpFormatException([string] $message) : base($message) {}
}

function Stop-Help([string] $File, [string] $Section, [string] $Message) {
    $where = if ($Section) { "${File}: ${Section}: " } else { "${File}: " }
    throw [HelpFormatException]::new("$where$Message")
}

function Split-FrontMatter([string[]] $Lines, [string] $File) {
    # Returns the YAML front matter as a hashtable and the index of the first body line.
    if ($Lines.Count -eq 0 -or $Lines[0].Trim() -ne '---') {
        Stop-Help $File 'front matter' "the file must start with YAML front matter between '---' lines (external help file, Module Name, schema: 2.0.0)."
    }
    $end = -1
    for ($i = 1; $i -lt $Lines.Count; $i++) {
        if ($Lines[$i].Trim() -eq '---') { $end = $i; break }
    }
    if ($end -lt 0) { Stop-Help $File 'front matter' "the front matter has no closing '---' line." }
    $values = @{}
    for ($i = 1; $i -lt $end; $i++) {
        $line = $Lines[$i]
        if ($line.Trim() -eq '') { continue }
        if ($line -notmatch '^\s*([^:]+?)\s*:\s*(.*?)\s*$') { Stop-Help $File 'front matter' "line $($i + 1) is not 'key: value': '$line'." }
        $values[$Matches[1]] = $Matches[2]
    }
    foreach ($key in 'external help file', 'Module Name', 'schema') {
        if (-not $values.ContainsKey($key) -or -not $values[$key]) { Stop-Help $File 'front matter' "'$key' is missing." }
    }
    if ($values['schema'] -ne '2.0.0') { Stop-Help $File 'front matter' "schema is '$($values['schema'])'; only 2.0.0 is understood." }
    [pscustomobject]@{ Values = $values; BodyStart = $end + 1 }
}

function Read-Outline([string[]] $Lines, [int] $Start, [string] $File) {
    # Splits the body into '# Title', '## Section' and '### Subsection' parts, ignoring '#' lines inside fences.
    $outline = [ordered]@{ Title = $null; Sections = [System.Collections.Generic.List[object]]::new() }
    $section = $null
    $sub = $null
    $fence = $null
    for ($i = $Start; $i -lt $Lines.Count; $i++) {
        $line = $Lines[$i]
        if ($fence) {
            if ($line -match "^\s*$([regex]::Escape($fence))\s*$") { $fence = $null }
        }
        elseif ($line -match '^\s*(```+|~~~+)') {
            $fence = $Matches[1]
        }
        elseif ($line -match '^#\s+(.+?)\s*#*\s*$') {
            if ($outline.Title) { Stop-Help $File "line $($i + 1)" "a second '# ' title ('$($Matches[1])'); a file documents one cmdlet." }
            $outline.Title = $Matches[1]
            continue
        }
        elseif ($line -match '^##\s+(.+?)\s*$' -and $line -notmatch '^###') {
            $name = $Matches[1].ToUpperInvariant()
            if ($name -notin $KnownSections) { Stop-Help $File "## $($Matches[1])" "unknown section; the sections are: $($KnownSections -join ', ')." }
            if ($outline.Sections | Where-Object Name -EQ $name) { Stop-Help $File "## $name" 'the section appears twice.' }
            $section = [pscustomobject]@{ Name = $name; Lines = [System.Collections.Generic.List[string]]::new(); Subsections = [System.Collections.Generic.List[object]]::new() }
            $outline.Sections.Add($section)
            $sub = $null
            continue
        }
        elseif ($line -match '^###\s+(.+?)\s*$') {
            if (-not $section) { Stop-Help $File "line $($i + 1)" "'### $($Matches[1])' comes before any '## ' section." }
            $sub = [pscustomobject]@{ Name = $Matches[1]; Lines = [System.Collections.Generic.List[string]]::new() }
            $section.Subsections.Add($sub)
            continue
        }
        if ($sub) { $sub.Lines.Add($line) }
        elseif ($section) { $section.Lines.Add($line) }
        elseif ($line.Trim() -ne '') {
            Stop-Help $File "line $($i + 1)" "text before the first '## ' section: '$($line.Trim())'."
        }
    }
    if ($fence) { Stop-Help $File 'body' "a code fence ($fence) is never closed." }
    [pscustomobject]$outline
}

function ConvertTo-Blocks([System.Collections.Generic.List[string]] $Lines) {
    # Markdown text to blocks: paragraphs (soft-wrapped lines joined, one block per list item) and fenced code.
    $blocks = [System.Collections.Generic.List[object]]::new()
    $paragraph = [System.Collections.Generic.List[string]]::new()
    $flush = {
        if ($paragraph.Count -gt 0) {
            $blocks.Add([pscustomobject]@{ Kind = 'Text'; Language = $null; Text = ($paragraph -join ' ') })
            $paragraph.Clear()
        }
    }
    $i = 0
    while ($i -lt $Lines.Count) {
        $line = $Lines[$i]
        if ($line -match '^\s*(```+|~~~+)\s*([\w+#.-]*)') {
            & $flush
            $fence = $Matches[1]
            $language = $Matches[2].ToLowerInvariant()
            $indent = $line.Length - $line.TrimStart().Length
            $code = [System.Collections.Generic.List[string]]::new()
            $i++
            while ($i -lt $Lines.Count -and $Lines[$i] -notmatch "^\s*$([regex]::Escape($fence))\s*$") {
                $codeLine = $Lines[$i]
                $strip = [Math]::Min($indent, $codeLine.Length - $codeLine.TrimStart().Length)
                $code.Add($codeLine.Substring($strip).TrimEnd())
                $i++
            }
            $blocks.Add([pscustomobject]@{ Kind = 'Code'; Language = $language; Text = ($code -join "`n").Trim("`n") })
            $i++
            continue
        }
        $trimmed = $line.Trim()
        if ($trimmed -eq '') { & $flush }
        elseif ($trimmed -match '^([-*+]|\d+[.)])\s+') { & $flush; $paragraph.Add($trimmed) }
        else { $paragraph.Add($trimmed) }
        $i++
    }
    & $flush
    , $blocks
}

function Get-Paragraphs($Blocks) {
    # The text of every block, code kept verbatim, as MAML paragraphs.
    @($Blocks | ForEach-Object Text | Where-Object { $_ })
}

function Assert-NoPlaceholder([string[]] $Paragraphs, [string] $File, [string] $Section) {
    foreach ($p in $Paragraphs) {
        if ($p -match '\{\{.*?\}\}') { Stop-Help $File $Section "still holds the placeholder '$($Matches[0])'; replace it with real text." }
    }
}

function Get-Section($Outline, [string] $Name, [string] $File) {
    $section = $Outline.Sections | Where-Object Name -EQ $Name | Select-Object -First 1
    if (-not $section -and $Name -in $RequiredSections) { Stop-Help $File "## $Name" 'the section is missing.' }
    $section
}

function Assert-NoLooseText($Section, [string] $File) {
    # In sections made of '### ' parts, text before the first part would be lost: refuse it.
    $loose = @($Section.Lines | Where-Object { $_.Trim() -ne '' })
    if ($loose.Count -gt 0) {
        Stop-Help $File "## $($Section.Name)" "text outside any '### ' part: '$($loose[0].Trim())'."
    }
}

function Read-ParameterYaml([string] $Text, [string] $File, [string] $Section) {
    $values = [ordered]@{}
    foreach ($line in $Text -split "`n") {
        if ($line.Trim() -eq '') { continue }
        if ($line -notmatch '^\s*([^:]+?)\s*:\s*(.*?)\s*$') { Stop-Help $File $Section "the yaml line '$line' is not 'Key: value'." }
        $values[$Matches[1]] = $Matches[2]
    }
    foreach ($key in $ParameterKeys) {
        if (-not $values.Contains($key)) { Stop-Help $File $Section "the yaml block has no '$key'." }
        if ($values[$key] -eq '' -and $key -ne 'Aliases') { Stop-Help $File $Section "'$key' has no value." }
    }
    foreach ($key in 'Required', 'Accept wildcard characters') {
        if ($values[$key] -notin 'True', 'False') { Stop-Help $File $Section "'$key' must be True or False, not '$($values[$key])'." }
    }
    if ($values['Position'] -notmatch '^(Named|\d+)$') { Stop-Help $File $Section "'Position' must be Named or a number, not '$($values['Position'])'." }
    $pipeline = $values['Accept pipeline input']
    if ($pipeline -notmatch '^(False|True \((ByValue|ByPropertyName)(,\s*(ByValue|ByPropertyName))?\))$') {
        Stop-Help $File $Section "'Accept pipeline input' must be False, or True (ByValue), True (ByPropertyName) or True (ByPropertyName, ByValue), not '$pipeline'."
    }
    $sets = @(($values['Parameter Sets'] -split ',') | ForEach-Object Trim | Where-Object { $_ })
    $aliases = @(if ($values['Aliases'] -notin '', 'None') { ($values['Aliases'] -split ',') | ForEach-Object Trim | Where-Object { $_ } })
    $accepted = @(if ($values.Contains('Accepted values')) { ($values['Accepted values'] -split ',') | ForEach-Object Trim | Where-Object { $_ } })
    [pscustomobject]@{
        Type           = $values['Type']
        Sets           = $sets
        Aliases        = $aliases
        Required       = $values['Required'] -eq 'True'
        Position       = $values['Position']
        DefaultValue   = $values['Default value']
        PipelineInput  = $pipeline
        Globbing       = $values['Accept wildcard characters'] -eq 'True'
        AcceptedValues = $accepted
    }
}

function Read-CommandHelp([string] $File, [string] $OutputName) {
    $text = [System.IO.File]::ReadAllText($File) -replace "`r`n?", "`n"
    $lines = $text -split "`n"
    $front = Split-FrontMatter $lines $File
    if ($OutputName -and $front.Values['external help file'] -ne $OutputName) {
        Stop-Help $File 'front matter' "'external help file' is '$($front.Values['external help file'])' but this help is built into '$OutputName'."
    }
    $outline = Read-Outline $lines $front.BodyStart $File

    $name = $outline.Title
    if (-not $name) { Stop-Help $File 'title' "there is no '# Verb-Noun' title." }
    if ($name -notmatch '^([A-Za-z]+)-([A-Za-z0-9]+)$') { Stop-Help $File "# $name" "the title must be the cmdlet name, Verb-Noun." }
    $verb, $noun = $Matches[1], $Matches[2]
    $expectedFile = "$name.md"
    if ((Split-Path $File -Leaf) -ne $expectedFile) { Stop-Help $File "# $name" "the file of cmdlet '$name' must be named '$expectedFile'." }

    # SYNOPSIS and DESCRIPTION: text, required.
    $synopsis = @(Get-Paragraphs (ConvertTo-Blocks (Get-Section $outline 'SYNOPSIS' $File).Lines))
    if ($synopsis.Count -eq 0) { Stop-Help $File '## SYNOPSIS' 'the section is empty; write one sentence saying what the cmdlet does.' }
    Assert-NoPlaceholder $synopsis $File '## SYNOPSIS'
    $description = @(Get-Paragraphs (ConvertTo-Blocks (Get-Section $outline 'DESCRIPTION' $File).Lines))
    if ($description.Count -eq 0) { Stop-Help $File '## DESCRIPTION' 'the section is empty.' }
    Assert-NoPlaceholder $description $File '## DESCRIPTION'

    # SYNTAX: one '### SetName' per parameter set, each with the syntax line in a fence; it fixes the order of the parameters.
    $syntaxSection = Get-Section $outline 'SYNTAX' $File
    Assert-NoLooseText $syntaxSection $File
    if ($syntaxSection.Subsections.Count -eq 0) { Stop-Help $File '## SYNTAX' "there is no '### ParameterSetName' part (use '### __AllParameterSets' for a cmdlet with one set)." }
    $syntax = foreach ($sub in $syntaxSection.Subsections) {
        $code = @((ConvertTo-Blocks $sub.Lines) | Where-Object Kind -EQ 'Code')
        if ($code.Count -ne 1) { Stop-Help $File "## SYNTAX ### $($sub.Name)" 'needs exactly one fenced block holding the syntax line.' }
        $syntaxText = $code[0].Text
        if ($syntaxText -notmatch "^\s*$([regex]::Escape($name))(\s|$)") { Stop-Help $File "## SYNTAX ### $($sub.Name)" "the syntax must start with '$name'." }
        $names = [System.Collections.Generic.List[string]]::new()
        foreach ($m in [regex]::Matches($syntaxText, '(?<=[\s\[])-([A-Za-z][A-Za-z0-9_]*)')) {
            if (-not $names.Contains($m.Groups[1].Value)) { $names.Add($m.Groups[1].Value) }
        }
        # platyPS marks the default set: '### ByName (Default)'.
        [pscustomobject]@{ Name = ($sub.Name -replace '\s*\(Default\)\s*$', ''); Parameters = $names }
    }
    $syntax = @($syntax)
    $setNames = @($syntax.Name)
    if ($setNames.Count -ne @($setNames | Sort-Object -Unique).Count) { Stop-Help $File '## SYNTAX' 'a parameter set is named twice.' }

    # PARAMETERS: '### -Name', a description, and one yaml block (or one per group of sets where they differ).
    $parameters = [System.Collections.Generic.List[object]]::new()
    $parameterSection = Get-Section $outline 'PARAMETERS' $File
    if ($parameterSection) {
        Assert-NoLooseText $parameterSection $File
        foreach ($sub in $parameterSection.Subsections) {
            if ($sub.Name -eq 'CommonParameters') { continue }
            $where = "## PARAMETERS ### $($sub.Name)"
            if ($sub.Name -notmatch '^-([A-Za-z][A-Za-z0-9_]*)$') { Stop-Help $File $where "a parameter part must be titled '### -Name' (or '### CommonParameters')." }
            $parameterName = $Matches[1]
            if ($parameters | Where-Object Name -EQ $parameterName) { Stop-Help $File $where 'the parameter is documented twice.' }
            $blocks = ConvertTo-Blocks $sub.Lines
            $yaml = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' })
            if ($yaml.Count -eq 0) { Stop-Help $File $where "the parameter has no fenced yaml block (Type, Parameter Sets, Aliases, Required, Position, Default value, Accept pipeline input, Accept wildcard characters)." }
            $text = @(Get-Paragraphs @($blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Language -eq 'yaml') }))
            if ($text.Count -eq 0) { Stop-Help $File $where 'the parameter has no description.' }
            Assert-NoPlaceholder $text $File $where
            $variants = @($yaml | ForEach-Object { Read-ParameterYaml $_.Text $File $where })
            if (@($variants.Type | Sort-Object -Unique).Count -ne 1) { Stop-Help $File $where 'its yaml blocks disagree on Type.' }
            $bySet = @{}
            foreach ($variant in $variants) {
                $targets = if ($variant.Sets -contains $AllSets) { $setNames } else { $variant.Sets }
                foreach ($set in $targets) {
                    if ($set -notin $setNames) { Stop-Help $File $where "names the parameter set '$set', which ## SYNTAX does not have (it has: $($setNames -join ', '))." }
                    if ($bySet.ContainsKey($set)) { Stop-Help $File $where "the parameter set '$set' is named by two yaml blocks." }
                    $bySet[$set] = $variant
                }
            }
            $parameters.Add([pscustomobject]@{ Name = $parameterName; Description = $text; Variants = $variants; BySet = $bySet })
        }
    }

    # The syntax lines and the yaml blocks must tell the same story.
    foreach ($set in $syntax) {
        foreach ($parameterName in $set.Parameters) {
            $parameter = $parameters | Where-Object Name -EQ $parameterName
            if (-not $parameter) { Stop-Help $File "## SYNTAX ### $($set.Name)" "-$parameterName is in the syntax but not documented under ## PARAMETERS." }
            if (-not $parameter.BySet.ContainsKey($set.Name)) { Stop-Help $File "## PARAMETERS ### -$parameterName" "the syntax of set '$($set.Name)' has it but its Parameter Sets do not name that set." }
        }
        foreach ($parameter in $parameters) {
            if ($parameter.BySet.ContainsKey($set.Name) -and $parameter.Name -notin $set.Parameters) {
                Stop-Help $File "## PARAMETERS ### -$($parameter.Name)" "it belongs to set '$($set.Name)' but the syntax of that set does not show it."
            }
        }
    }

    # EXAMPLES: '### Example N: title', code, and text that explains it.
    $exampleSection = Get-Section $outline 'EXAMPLES' $File
    Assert-NoLooseText $exampleSection $File
    if ($exampleSection.Subsections.Count -eq 0) { Stop-Help $File '## EXAMPLES' "there is no example; add '### Example 1: ...' with a fenced powershell block." }
    $examples = foreach ($sub in $exampleSection.Subsections) {
        $where = "## EXAMPLES ### $($sub.Name)"
        $blocks = ConvertTo-Blocks $sub.Lines
        $code = @($blocks | Where-Object Kind -EQ 'Code' | ForEach-Object Text | Where-Object { $_ })
        if ($code.Count -eq 0) { Stop-Help $File $where 'the example has no fenced code block.' }
        $remarks = @(Get-Paragraphs @($blocks | Where-Object Kind -EQ 'Text'))
        Assert-NoPlaceholder (@($code) + @($remarks)) $File $where
        [pscustomobject]@{ Title = $sub.Name; Code = ($code -join "`n`n"); Remarks = $remarks }
    }

    # INPUTS and OUTPUTS: '### TypeName' and what it is.
    $types = @{}
    foreach ($kind in 'INPUTS', 'OUTPUTS') {
        $section = Get-Section $outline $kind $File
        $types[$kind] = @(if ($section) {
                Assert-NoLooseText $section $File
                foreach ($sub in $section.Subsections) {
                    $text = @(Get-Paragraphs (ConvertTo-Blocks $sub.Lines))
                    Assert-NoPlaceholder (@($sub.Name) + @($text)) $File "## $kind ### $($sub.Name)"
                    [pscustomobject]@{ Name = $sub.Name; Description = $text }
                }
            })
    }

    # NOTES: free text.
    $notes = @()
    $notesSection = Get-Section $outline 'NOTES' $File
    if ($notesSection) {
        $allLines = [System.Collections.Generic.List[string]]::new()
        $allLines.AddRange($notesSection.Lines)
        foreach ($sub in $notesSection.Subsections) { $allLines.Add(''); $allLines.Add($sub.Name); $allLines.Add(''); $allLines.AddRange($sub.Lines) }
        $notes = @(Get-Paragraphs (ConvertTo-Blocks $allLines))
        Assert-NoPlaceholder $notes $File '## NOTES'
    }

    # RELATED LINKS: markdown links, one a line.
    $links = [System.Collections.Generic.List[object]]::new()
    if ($front.Values['online version']) {
        $links.Add([pscustomobject]@{ Text = 'Online Version:'; Uri = $front.Values['online version'] })
    }
    $linkSection = Get-Section $outline 'RELATED LINKS' $File
    if ($linkSection) {
        foreach ($line in $linkSection.Lines) {
            $trimmed = $line.Trim()
            if ($trimmed -eq '') { continue }
            if ($trimmed -notmatch '^(?:[-*+]\s+)?\[([^\]]+)\]\(([^)\s]*)\)$') { Stop-Help $File '## RELATED LINKS' "'$trimmed' is not a markdown link [text](uri)." }
            $linkText, $uri = $Matches[1], $Matches[2]
            if ($uri -notmatch '^[a-z][a-z0-9+.-]*://') { $uri = '' }   # a link to another page of these docs: Get-Help shows the name
            $links.Add([pscustomobject]@{ Text = $linkText; Uri = $uri })
        }
        if ($linkSection.Subsections.Count -gt 0) { Stop-Help $File '## RELATED LINKS' "'### $($linkSection.Subsections[0].Name)': the section holds links only." }
    }

    [pscustomobject]@{
        File        = $File
        Name        = $name
        Verb        = $verb
        Noun        = $noun
        Synopsis    = $synopsis
        Description = $description
        Syntax      = $syntax
        Parameters  = $parameters
        Examples    = @($examples)
        Inputs      = $types['INPUTS']
        Outputs     = $types['OUTPUTS']
        Notes       = $notes
        Links       = $links
    }
}

# ---- MAML ---------------------------------------------------------------------------------------

$Ns = @{
    msh     = 'http://msh'
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

function Write-Element([System.Xml.XmlWriter] $Writer, [string] $Prefix, [string] $Name, [string] $Value) {
    $Writer.WriteElementString($Prefix, $Name, $Ns[$Prefix], $Value)
}

function Write-Paragraphs([System.Xml.XmlWriter] $Writer, [string] $Prefix, [string] $Name, [string[]] $Paragraphs) {
    # <maml:description><maml:para>...</maml:para>...</maml:description>, or another container.
    $Writer.WriteStartElement($Prefix, $Name, $Ns[$Prefix])
    foreach ($p in $Paragraphs) { Write-Element $Writer 'maml' 'para' $p }
    $Writer.WriteEndElement()
}

function Test-Switch([string] $Type) {
    $Type -in 'SwitchParameter', 'System.Management.Automation.SwitchParameter', 'switch'
}

function Write-Parameter([System.Xml.XmlWriter] $Writer, $Parameter, $Variant, [bool] $InSyntax) {
    $Writer.WriteStartElement('command', 'parameter', $Ns.command)
    $Writer.WriteAttributeString('required', $Variant.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Variant.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Variant.PipelineInput)
    $Writer.WriteAttributeString('position', $Variant.Position.ToLowerInvariant())
    $Writer.WriteAttributeString('aliases', $(if ($Variant.Aliases.Count) { $Variant.Aliases -join ', ' } else { 'none' }))
    Write-Element $Writer 'maml' 'name' $Parameter.Name
    Write-Paragraphs $Writer 'maml' 'description' $Parameter.Description
    $isSwitch = Test-Switch $Variant.Type
    if ($InSyntax -and $Variant.AcceptedValues.Count) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $Ns.command)
        foreach ($value in $Variant.AcceptedValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $Ns.command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $Ns.command, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    elseif (-not ($InSyntax -and $isSwitch)) {
        # A switch takes no value, so its syntax shows no <Type>.
        $Writer.WriteStartElement('command', 'parameterValue', $Ns.command)
        $Writer.WriteAttributeString('required', $(if ($isSwitch) { 'false' } else { 'true' }))
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($Variant.Type)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $Ns.dev)
    Write-Element $Writer 'maml' 'name' $Variant.Type
    Write-Element $Writer 'maml' 'uri' ''
    $Writer.WriteEndElement()
    Write-Element $Writer 'dev' 'defaultValue' $Variant.DefaultValue
    $Writer.WriteEndElement()
}

function Write-TypeList([System.Xml.XmlWriter] $Writer, [string] $ListName, [string] $ItemName, $Types) {
    $Writer.WriteStartElement('command', $ListName, $Ns.command)
    foreach ($type in $Types) {
        $Writer.WriteStartElement('command', $ItemName, $Ns.command)
        $Writer.WriteStartElement('dev', 'type', $Ns.dev)
        Write-Element $Writer 'maml' 'name' $type.Name
        $Writer.WriteEndElement()
        Write-Paragraphs $Writer 'maml' 'description' $type.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-Command([System.Xml.XmlWriter] $Writer, $Help) {
    $Writer.WriteStartElement('command', 'command', $Ns.command)
    foreach ($prefix in 'maml', 'command', 'dev', 'MSHelp') {
        $Writer.WriteAttributeString('xmlns', $prefix, 'http://www.w3.org/2000/xmlns/', $Ns[$prefix])
    }

    $Writer.WriteStartElement('command', 'details', $Ns.command)
    Write-Element $Writer 'command' 'name' $Help.Name
    Write-Element $Writer 'command' 'verb' $Help.Verb
    Write-Element $Writer 'command' 'noun' $Help.Noun
    Write-Paragraphs $Writer 'maml' 'description' $Help.Synopsis
    $Writer.WriteEndElement()

    Write-Paragraphs $Writer 'maml' 'description' $Help.Description

    $Writer.WriteStartElement('command', 'syntax', $Ns.command)
    foreach ($set in $Help.Syntax) {
        $Writer.WriteStartElement('command', 'syntaxItem', $Ns.command)
        Write-Element $Writer 'maml' 'name' $Help.Name
        foreach ($parameterName in $set.Parameters) {
            $parameter = $Help.Parameters | Where-Object Name -EQ $parameterName
            Write-Parameter $Writer $parameter $parameter.BySet[$set.Name] $true
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $Ns.command)
    foreach ($parameter in $Help.Parameters) {
        # The parameter list shows each parameter once, as its first yaml block has it.
        Write-Parameter $Writer $parameter $parameter.Variants[0] $false
    }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Help.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Help.Outputs

    $Writer.WriteStartElement('maml', 'alertSet', $Ns.maml)
    if ($Help.Notes.Count) { Write-Paragraphs $Writer 'maml' 'alert' $Help.Notes }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $Ns.command)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $Ns.command)
        Write-Element $Writer 'maml' 'title' "-------------------------- $($example.Title) --------------------------"
        Write-Element $Writer 'dev' 'code' $example.Code
        Write-Paragraphs $Writer 'dev' 'remarks' $example.Remarks
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('maml', 'relatedLinks', $Ns.maml)
    foreach ($link in $Help.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $Ns.maml)
        Write-Element $Writer 'maml' 'linkText' $link.Text
        Write-Element $Writer 'maml' 'uri' $link.Uri
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

function Read-PageExamples([string] $File) {
    # A page that is not a cmdlet's: each fenced powershell block, numbered in page order, under its heading.
    $lines = [System.IO.File]::ReadAllText($File) -replace "`r`n?", "`n" -split "`n"
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = [pscustomobject]@{ Heading = ''; Lines = [System.Collections.Generic.List[string]]::new() }
    $sections.Add($current)
    $fence = $null
    foreach ($line in $lines) {
        if ($fence) { if ($line -match "^\s*$([regex]::Escape($fence))\s*$") { $fence = $null } }
        elseif ($line -match '^\s*(```+|~~~+)') { $fence = $Matches[1] }
        elseif ($line -match '^#{1,6}\s+(.+?)\s*#*\s*$') {
            $current = [pscustomobject]@{ Heading = $Matches[1]; Lines = [System.Collections.Generic.List[string]]::new() }
            $sections.Add($current)
            continue
        }
        $current.Lines.Add($line)
    }
    $number = 0
    foreach ($section in $sections) {
        foreach ($block in (ConvertTo-Blocks $section.Lines)) {
            if ($block.Kind -ne 'Code' -or $block.Language -notin 'powershell', 'pwsh', 'ps1') { continue }
            $number++
            [pscustomobject]@{ Page = (Split-Path $File -Leaf); Number = $number; Title = $section.Heading; Code = $block.Text }
        }
    }
}

# ---- main ---------------------------------------------------------------------------------------

if ($Examples) {
    $files = if (Test-Path -LiteralPath $Path -PathType Container) { @(Get-ChildItem -LiteralPath $Path -Filter '*.md' -File | Sort-Object Name) } else { @(Get-Item -LiteralPath $Path) }
    foreach ($file in $files) {
        if ((Get-Content -LiteralPath $file.FullName -TotalCount 1) -match '^\s*---\s*$') {
            $help = Read-CommandHelp $file.FullName $null
            $number = 0
            foreach ($example in $help.Examples) {
                $number++
                [pscustomobject]@{ Page = $file.Name; Number = $number; Title = $example.Title; Code = $example.Code }
            }
        }
        else { Read-PageExamples $file.FullName }
    }
    return
}


if (-not (Test-Path -LiteralPath $Path -PathType Container)) { throw "ConvertTo-MamlHelp: the help folder '$Path' does not exist." }
$files = @(Get-ChildItem -LiteralPath $Path -Filter '*.md' -File | Sort-Object Name)
if ($files.Count -eq 0) { throw "ConvertTo-MamlHelp: '$Path' holds no cmdlet help (*.md)." }

$outputFull = [System.IO.Path]::GetFullPath($OutputPath, (Get-Location).ProviderPath)
$outputName = Split-Path $outputFull -Leaf
$problems = [System.Collections.Generic.List[string]]::new()
$commands = foreach ($file in $files) {
    try { Read-CommandHelp $file.FullName $outputName }
    catch [HelpFormatException] { $problems.Add($_.Exception.Message) }
}
if ($problems.Count -gt 0) {
    throw "ConvertTo-MamlHelp: the cmdlet help has $($problems.Count) problem(s):`n  $($problems -join "`n  ")"
}
foreach ($duplicate in @($commands | Group-Object Name | Where-Object Count -GT 1)) {
    throw "ConvertTo-MamlHelp: $($duplicate.Name) is documented by more than one file: $(($duplicate.Group.File) -join ', ')."
}

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.NewLineChars = "`n"
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$buffer = [System.IO.MemoryStream]::new()
$writer = [System.Xml.XmlWriter]::Create($buffer, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', $Ns.msh)
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($help in @($commands | Sort-Object Name)) { Write-Command $writer $help }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally { $writer.Dispose() }

$null = New-Item -ItemType Directory -Path (Split-Path $outputFull -Parent) -Force
[System.IO.File]::WriteAllBytes($outputFull, $buffer.ToArray())
Write-Verbose "Wrote help for $(@($commands).Count) cmdlet(s) to $outputFull"
