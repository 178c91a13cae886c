# The only way build and test scripts delete files: Remove-OwnedItem deletes what they made, strictly inside
# the temp directory, or inside the repository's build and test output (out/, .tools/, bin/, obj/, TestResults/:
# the folders .gitignore keeps out of the repository). Anything else is refused with an error before anything
# is deleted. The path is resolved as the file system sees it ('..' after a symbolic link included), and that
# resolved path is what is deleted. A symbolic link at the end of the path is deleted as a link, never what it
# points to; a recursive delete removes links inside a folder without following them.
# tests/Shared/OwnedPath.cs is the same guard for the C# tests: change both together.
Set-StrictMode -Version 3.0

$script:OutputFolders = 'out', '.tools', 'bin', 'obj', 'TestResults'
$script:MaxLinks = 40
$script:Separators = [char[]] @([IO.Path]::DirectorySeparatorChar, [IO.Path]::AltDirectorySeparatorChar)
$script:Comparison = if ($IsWindows -or $IsMacOS) { [StringComparison]::OrdinalIgnoreCase } else { [StringComparison]::Ordinal }

function Remove-OwnedItem {
    <#
    .SYNOPSIS
        Deletes a file, a folder with everything in it, or a link, that a build or test made; refuses anything else.
    .DESCRIPTION
        Deletes only what lies strictly inside the temp directory, or inside out/, .tools/, bin/, obj/ or
        TestResults/ of the repository. Refuses (error PathNotOwned, nothing deleted) an empty path, the file
        system's root, a home directory or anything holding one, the repository or the temp directory themselves,
        and a path that leaves them through '..' or a symbolic link. A path that does not exist is no error.
        Paths are literal: no wildcards.
    .EXAMPLE
        Remove-OwnedItem $work
    .EXAMPLE
        Get-ChildItem (Join-Path $fakeHome '.aws') | Remove-OwnedItem
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()]
        [string[]] $Path
    )
    process {
        $result = Remove-OwnedPath -Path $Path -Roots (Get-OwnedRoots)
        if ($result.Refusal) {
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                [InvalidOperationException]::new($result.Refusal), 'PathNotOwned', [System.Management.Automation.ErrorCategory]::PermissionDenied, $result.Item))
        }
    }
}

function Remove-OwnedPath([AllowNull()] [AllowEmptyCollection()] [string[]] $Path, $Roots) {
    # Checks every path first and deletes only when none is refused; returns the first refusal, if any.
    $resolved = [System.Collections.Generic.List[string]]::new()
    foreach ($item in @(if ($null -eq $Path -or $Path.Count -eq 0) { '' } else { $Path })) {
        $check = Test-OwnedPath -Path $item -Roots $Roots
        if ($check.Refusal) { return [pscustomobject]@{ Item = $item; Refusal = $check.Refusal } }
        $resolved.Add($check.Path)
    }
    foreach ($path in $resolved) { Remove-ResolvedPath $path }
    [pscustomobject]@{ Item = $null; Refusal = $null }
}

function Remove-ResolvedPath([string] $Resolved) {
    $file = [IO.FileInfo]::new($Resolved)
    if ($null -ne $file.LinkTarget) {
        # The link itself, not its target.
        if ($file.Attributes.HasFlag([IO.FileAttributes]::Directory)) { [IO.Directory]::Delete($Resolved, $false) } else { [IO.File]::Delete($Resolved) }
    }
    elseif ([IO.Directory]::Exists($Resolved)) { [IO.Directory]::Delete($Resolved, $true) }
    elseif ($file.Exists) { [IO.File]::Delete($Resolved) }
}

function Get-OwnedRoots {
    # The places the guard measures against, resolved; tests of the guard make their own with New-OwnedRoots.
    New-OwnedRoots -Temp ([IO.Path]::GetTempPath()) -Repository (Split-Path $PSScriptRoot -Parent) `
        -Homes @($HOME, $env:HOME, $env:USERPROFILE, [Environment]::GetFolderPath('UserProfile'))
}

function New-OwnedRoots([string] $Temp, [AllowNull()] [string] $Repository, [AllowNull()] [string[]] $Homes) {
    [pscustomobject]@{
        Temp       = Get-RealPath $Temp
        Repository = if ($Repository) { Get-RealPath $Repository } else { $null }
        Homes      = @(@($Homes) | Where-Object { -not [string]::IsNullOrWhiteSpace($_) } | ForEach-Object { Get-RealPath $_ } | Select-Object -Unique)
    }
}

function Test-OwnedPath([AllowNull()] [AllowEmptyString()] [string] $Path, $Roots) {
    # The resolved path to delete, or why it must not be; never throws for a refusal.
    $refuse = {
        param([string] $Resolved, [string] $Reason)
        $shown = if ($Resolved -ceq $Path) { "'$Path'" } else { "'$Path' ($Resolved)" }
        $folders = ($script:OutputFolders | ForEach-Object { "$_/" }) -join ', '
        $repository = if ($Roots.Repository) { $Roots.Repository } else { 'repository not found' }
        [pscustomobject]@{
            Path    = $null
            Refusal = "Refusing to delete ${shown}: $Reason. Nothing was deleted. Builds and tests delete only what they made: strictly inside the temp directory ($($Roots.Temp)), or inside the repository's $folders ($repository)."
        }
    }
    $allow = { param([string] $Resolved) [pscustomobject]@{ Path = $Resolved; Refusal = $null } }

    if ([string]::IsNullOrWhiteSpace($Path)) { return & $refuse $Path 'the path is empty' }
    $resolved = Resolve-OwnedPath $Path
    if (Test-FileSystemRoot $resolved) { return & $refuse $resolved 'it is the root of a file system' }
    foreach ($homePath in $Roots.Homes) {
        if (Test-SameOrInside $homePath $resolved) { return & $refuse $resolved "it is or holds the home directory $homePath" }
    }
    if ($Roots.Repository) {
        if (Test-SameOrInside $Roots.Repository $resolved) { return & $refuse $resolved 'it is or holds the repository' }
        # Inside the repository the repository's rule holds, also when the repository is in the temp directory.
        if (Test-Inside $resolved $Roots.Repository) {
            $parts = [IO.Path]::GetRelativePath($Roots.Repository, $resolved).Split($script:Separators, [StringSplitOptions]::RemoveEmptyEntries)
            foreach ($part in $parts) {
                foreach ($folder in $script:OutputFolders) {
                    if ([string]::Equals($part, $folder, $script:Comparison)) { return & $allow $resolved }
                }
            }
            return & $refuse $resolved 'in the repository only build and test output may be deleted'
        }
    }
    if (Test-SameOrInside $Roots.Temp $resolved) { return & $refuse $resolved 'it is or holds the temp directory' }
    if ((Test-FileSystemRoot $Roots.Temp) -or @($Roots.Homes | Where-Object { [string]::Equals($_, $Roots.Temp, $script:Comparison) }).Count -gt 0) {
        return & $refuse $resolved "the temp directory $($Roots.Temp) is a file system root or a home directory, so nothing in it is taken as owned"
    }
    if (Test-Inside $resolved $Roots.Temp) { return & $allow $resolved }
    & $refuse $resolved 'it is outside the temp directory and the repository'
}

function Resolve-OwnedPath([string] $Path) {
    # The absolute path with '.', '..' and symbolic links resolved as the file system resolves them; the last
    # part stays unresolved when it is a name, so that a link there is the link itself.
    $absolute = Get-AbsolutePath $Path
    $trimmed = $absolute.TrimEnd($script:Separators)
    $leaf = [IO.Path]::GetFileName($trimmed)
    $endsInName = $trimmed.Length -eq $absolute.Length -and $leaf.Length -gt 0 -and $leaf -notin '.', '..'
    if ($endsInName) { [IO.Path]::Join((Get-RealPath ([IO.Path]::GetDirectoryName($trimmed))), $leaf) } else { Get-RealPath $absolute }
}

function Get-RealPath([string] $Path) {
    # Parts that do not exist are taken as they are.
    $absolute = Get-AbsolutePath $Path
    $current = [IO.Path]::GetPathRoot($absolute)
    $pending = [System.Collections.Generic.Stack[string]]::new()
    $parts = @(Split-PathParts $absolute.Substring($current.Length))
    [array]::Reverse($parts)
    foreach ($part in $parts) { $pending.Push($part) }
    $links = 0
    while ($pending.Count -gt 0) {
        $part = $pending.Pop()
        if ($part -eq '.') { continue }
        if ($part -eq '..') {
            $parent = [IO.Path]::GetDirectoryName($current)
            if ($parent) { $current = $parent }
            continue
        }
        $next = [IO.Path]::Join($current, $part)
        $target = [IO.FileInfo]::new($next).LinkTarget
        if ($null -eq $target) { $current = $next; continue }
        if (++$links -gt $script:MaxLinks) { throw [IO.IOException]::new("More than $($script:MaxLinks) symbolic links in '$absolute'.") }
        if ([IO.Path]::IsPathFullyQualified($target)) {
            $current = [IO.Path]::GetPathRoot($target)
            $target = $target.Substring($current.Length)
        }
        $targetParts = @(Split-PathParts $target)
        [array]::Reverse($targetParts)
        foreach ($targetPart in $targetParts) { $pending.Push($targetPart) }
    }
    $current
}

function Get-AbsolutePath([string] $Path) {
    # Not GetFullPath: it would take '..' after a link textually, where the file system goes up from the link's target.
    # Relative paths are taken from PowerShell's location, not the process's.
    if ([IO.Path]::IsPathFullyQualified($Path)) { return $Path }
    [IO.Path]::Join((Get-Location -PSProvider FileSystem).ProviderPath, $Path)
}

function Split-PathParts([string] $Path) { $Path.Split($script:Separators, [StringSplitOptions]::RemoveEmptyEntries) }

function Test-Inside([string] $Path, [string] $Folder) {
    $Path.Length -gt $Folder.Length -and $Path.StartsWith($Folder, $script:Comparison) -and
        ($Path[$Folder.Length] -in $script:Separators -or $Folder[-1] -in $script:Separators)
}

function Test-SameOrInside([string] $Path, [string] $Folder) { [string]::Equals($Path, $Folder, $script:Comparison) -or (Test-Inside $Path $Folder) }

function Test-FileSystemRoot([string] $Path) { [string]::Equals([IO.Path]::GetPathRoot($Path), $Path, $script:Comparison) -or -not [IO.Path]::GetDirectoryName($Path) }

Export-ModuleMember -Function Remove-OwnedItem
