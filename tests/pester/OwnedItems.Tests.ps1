# Remove-OwnedItem, the guard every deletion in the build and the tests goes through, and a scan that keeps
# it so. Deleting refusals run in a world of their own under the temp directory (its own temp root,
# repository and home), so that a broken guard could only ever delete what this file made; refusals that
# name the machine's real places are only checked, never deleted.
BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:Guard = Import-Module (Join-Path $RepoRoot 'build/OwnedItems.psm1') -Force -PassThru
    $script:World = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-owned-$([guid]::NewGuid().ToString('N').Substring(0, 12))"

    function script:In([string] $Relative) { Join-Path $World $Relative }
    function script:New-Roots([string] $Temp, [string] $Repository, [string[]] $Homes) {
        & $Guard { param($t, $r, $h) New-OwnedRoots -Temp $t -Repository $r -Homes $h } $Temp $Repository $Homes
    }
    # The guard's own deletion, with the given roots: the refusal, or nothing when it deleted.
    function script:Remove-With([AllowEmptyString()] [string[]] $Path, $Roots) {
        (& $Guard { param($p, $r) Remove-OwnedPath -Path $p -Roots $r } $Path $Roots).Refusal
    }
    function script:Test-With([string] $Path) {
        & $Guard { param($p) Test-OwnedPath -Path $p -Roots (Get-OwnedRoots) } $Path
    }

    # Deletions that do not go through the guard, by the forms PowerShell, C#, shells, Python and MSBuild use.
    $script:Unguarded = @(
        '\bRemove-Item\b(?!\s+(-(Literal)?Path\s+)?[''"]?env:)'   # the environment drive holds no files
        '(?<![\w$.:/-])(rm|rmdir|rd|del|erase|ri)\s'
        '\b(Directory|File)\.Delete\b'
        '::Delete\s*\('
        '(?<!\bOwnedPath)\.Delete\s*\('
        '\bDeleteDirectory\b'
        '\bshutil\.rmtree\b'
        '\bos\.(remove|unlink|rmdir|removedirs)\b'
        '<(Delete|RemoveDir)\b'
        '\bgit\s+clean\b'
    )
    function script:Find-UnguardedDeletion([string] $Root, [string[]] $Paths, [string[]] $Exempt = @()) {
        $files = foreach ($path in $Paths) {
            $full = Join-Path $Root $path
            if (Test-Path $full -PathType Leaf) { Get-Item $full }
            elseif (Test-Path $full) {
                Get-ChildItem $full -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1', '*.cs', '*.csproj', '*.props', '*.targets', '*.sh', '*.py', 'run' |
                    Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
            }
        }
        foreach ($file in $files) {
            $relative = [IO.Path]::GetRelativePath($Root, $file.FullName).Replace('\', '/')
            if ($relative -in $Exempt) { continue }
            $number = 0
            foreach ($line in [IO.File]::ReadAllLines($file.FullName)) {
                $number++
                foreach ($pattern in $Unguarded) {
                    if ($line -match $pattern) { "${relative}:${number}: $($line.Trim())"; break }
                }
            }
        }
    }

    foreach ($folder in 'tmp/work/sub', 'tmp/users/me', 'repo/src/App/bin/Release', 'repo/out/BlueGreen', 'repo/.git', 'outside/keep') {
        $null = New-Item -ItemType Directory -Force -Path (In $folder)
    }
    Set-Content (In 'outside/keep/target.txt') 'must survive'
    Set-Content (In 'repo/src/App/Program.cs') '// source'
    Set-Content (In 'repo/src/App/bin/Release/App.dll') 'built'
    Set-Content (In 'repo/out/BlueGreen/BlueGreen.psd1') 'built'
    Set-Content (In 'tmp/work/sub/file.txt') 'made by a test'
    $null = New-Item -ItemType SymbolicLink -Path (In 'tmp/escape') -Target (In 'outside')
    $script:Roots = New-Roots (In 'tmp') (In 'repo') @(In 'tmp/users/me')
    $script:Sep = [IO.Path]::DirectorySeparatorChar

    function script:Assert-Untouched {
        Get-Content (In 'outside/keep/target.txt') | Should -Be 'must survive'
        In 'repo/src/App/Program.cs' | Should -Exist
        In 'tmp/users/me' | Should -Exist
        In 'tmp/work/sub/file.txt' | Should -Exist
    }
}

AfterAll {
    if ($World) { Remove-OwnedItem $World }
}

Describe 'Remove-OwnedItem refuses, deleting nothing' {
    It 'refuses an empty or blank path' -ForEach @(@{ Path = '' }, @{ Path = '   ' }, @{ Path = "`t" }) {
        Remove-With $Path $Roots | Should -BeLike "Refusing to delete*the path is empty. Nothing was deleted.*"
        { Remove-OwnedItem -Path $Path } | Should -Throw -ErrorId 'PathNotOwned,Remove-OwnedItem'
        Assert-Untouched
    }

    It 'refuses the temp directory itself' {
        $homeElsewhere = New-Roots (In 'tmp') (In 'repo') @(In 'outside')
        Remove-With (In 'tmp') $homeElsewhere | Should -BeLike '*it is or holds the temp directory*'
        Remove-With ((In 'tmp') + $Sep) $homeElsewhere | Should -BeLike '*it is or holds the temp directory*'
        Remove-With (In 'tmp/work/..') $homeElsewhere | Should -BeLike '*it is or holds the temp directory*'
        Remove-With (In 'tmp') $Roots | Should -BeLike '*home directory*'
        Assert-Untouched
    }

    It 'refuses the repository itself and its sources' {
        Remove-With (In 'repo') $Roots | Should -BeLike '*it is or holds the repository*'
        Remove-With (In 'repo/src') $Roots | Should -BeLike '*only build and test output*'
        Remove-With (In 'repo/src/App/Program.cs') $Roots | Should -BeLike '*only build and test output*'
        Remove-With (In 'repo/.git') $Roots | Should -BeLike '*only build and test output*'
        In 'repo/.git' | Should -Exist
        Assert-Untouched
    }

    It 'refuses a home directory and what holds it' {
        Remove-With (In 'tmp/users/me') $Roots | Should -BeLike '*home directory*'
        Remove-With (In 'tmp/users') $Roots | Should -BeLike '*home directory*'
        Remove-With $World $Roots | Should -BeLike '*home directory*'
        Assert-Untouched
    }

    It 'refuses a path that escapes only through ..' {
        Remove-With (In 'tmp/work/sub/../../../outside/keep/target.txt') $Roots | Should -BeLike '*outside the temp directory*'
        Remove-With (In 'tmp/work/../../outside') $Roots | Should -BeLike '*outside the temp directory*'
        Assert-Untouched
    }

    It 'refuses a path through a symlinked parent that leaves the temp directory' {
        Remove-With (In 'tmp/escape/keep/target.txt') $Roots | Should -BeLike '*outside the temp directory*'
        Remove-With (In 'tmp/escape/keep') $Roots | Should -BeLike '*outside the temp directory*'
        # A trailing separator means the folder the link points to.
        Remove-With ((In 'tmp/escape') + $Sep) $Roots | Should -BeLike '*outside the temp directory*'
        # '..' after a link goes up from the link's target, as the file system goes.
        Remove-With (In 'tmp/escape/keep/../keep/target.txt') $Roots | Should -BeLike '*outside the temp directory*'
        Assert-Untouched
    }

    It 'refuses everything in a temp directory that is a home directory' {
        Remove-With (In 'tmp/work/sub/file.txt') (New-Roots (In 'tmp') (In 'repo') @(In 'tmp')) | Should -BeLike '*home directory*'
        Assert-Untouched
    }

    It 'refuses the real roots of this machine (checked, never deleted)' {
        $repository = Split-Path $Guard.Path | Split-Path
        foreach ($path in [IO.Path]::GetPathRoot([IO.Path]::GetTempPath()), [IO.Path]::GetTempPath(), $HOME, $repository, (Join-Path $repository 'src'), (Join-Path $repository 'build/OwnedItems.psm1')) {
            (Test-With $path).Refusal | Should -BeLike 'Refusing to delete*' -Because $path
        }
        (Test-With (Join-Path $repository 'out/test-results')).Refusal | Should -BeNullOrEmpty
    }

    It 'deletes none of several paths when one of them is refused' {
        Remove-With @((In 'tmp/work/sub/file.txt'), (In 'outside/keep/target.txt')) $Roots | Should -BeLike '*outside the temp directory*'
        Assert-Untouched
    }

    It 'stops with PathNotOwned, also under -ErrorAction SilentlyContinue' {
        $outside = "/bluegreen-not-owned-$([guid]::NewGuid().ToString('N'))/x"
        { Remove-OwnedItem $outside } | Should -Throw -ErrorId 'PathNotOwned,Remove-OwnedItem'
        $reached = $false
        try { Remove-OwnedItem $outside -ErrorAction SilentlyContinue; $reached = $true } catch { $_.FullyQualifiedErrorId | Should -Be 'PathNotOwned,Remove-OwnedItem' }
        $reached | Should -BeFalse
    }
}

Describe 'Remove-OwnedItem deletes what a build or test made' {
    It 'deletes a folder in the temp directory without following links inside it' {
        $null = New-Item -ItemType SymbolicLink -Path (In 'tmp/work/sub/link') -Target (In 'outside')
        Remove-With (In 'tmp/work') $Roots | Should -BeNullOrEmpty
        In 'tmp/work' | Should -Not -Exist
        Get-Content (In 'outside/keep/target.txt') | Should -Be 'must survive'
        $null = New-Item -ItemType Directory -Path (In 'tmp/work/sub')
        Set-Content (In 'tmp/work/sub/file.txt') 'made by a test'
    }

    It 'deletes a link as a link, never its target' {
        Remove-With (In 'tmp/escape') $Roots | Should -BeNullOrEmpty
        [IO.FileInfo]::new((In 'tmp/escape')).LinkTarget | Should -BeNullOrEmpty
        [IO.Path]::Exists((In 'tmp/escape')) | Should -BeFalse
        Get-Content (In 'outside/keep/target.txt') | Should -Be 'must survive'
        $null = New-Item -ItemType SymbolicLink -Path (In 'tmp/escape') -Target (In 'outside')
    }

    It 'deletes build output in the repository' {
        Remove-With (In 'repo/src/App/bin') $Roots | Should -BeNullOrEmpty
        Remove-With (In 'repo/out/BlueGreen/BlueGreen.psd1') $Roots | Should -BeNullOrEmpty
        In 'repo/src/App/bin' | Should -Not -Exist
        In 'repo/out/BlueGreen/BlueGreen.psd1' | Should -Not -Exist
        In 'repo/src/App/Program.cs' | Should -Exist
    }

    It 'takes a missing path as nothing to do' {
        Remove-With (In 'tmp/never-made') $Roots | Should -BeNullOrEmpty
        { Remove-OwnedItem (Join-Path ([IO.Path]::GetTempPath()) "bluegreen-never-$([guid]::NewGuid().ToString('N'))") } | Should -Not -Throw
    }

    It 'deletes a real temp folder of this machine, and files piped from Get-ChildItem' {
        $folder = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-owned-real-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
        $null = New-Item -ItemType Directory -Path (Join-Path $folder 'a/b')
        Set-Content (Join-Path $folder 'a/b/c.txt') 'x'
        Set-Content (Join-Path $folder 'a/d.txt') 'x'
        Get-ChildItem (Join-Path $folder 'a') -File | Remove-OwnedItem
        Join-Path $folder 'a/d.txt' | Should -Not -Exist
        Join-Path $folder 'a/b/c.txt' | Should -Exist
        Remove-OwnedItem $folder
        $folder | Should -Not -Exist
    }
}

Describe 'Every deletion goes through the guard' {
    It 'finds none that bypasses it in tests/, build/, build.ps1, bench/ and .ci/' {
        $exempt = 'build/OwnedItems.psm1', 'tests/Shared/OwnedPath.cs', 'tests/pester/OwnedItems.Tests.ps1'
        $found = @(Find-UnguardedDeletion -Root $RepoRoot -Paths 'tests', 'build', 'build.ps1', 'bench', '.ci' -Exempt $exempt)
        $found | Should -BeNullOrEmpty -Because "delete through Remove-OwnedItem (build/OwnedItems.psm1) or OwnedPath.Delete (tests/Shared/OwnedPath.cs):`n$($found -join "`n")"
    }

    It 'flags each form of deletion, and lets the guarded ones and the environment drive pass' {
        $samples = Join-Path $World 'scan'
        $null = New-Item -ItemType Directory -Path $samples
        $bad = @(
            'Remove-Item $x -Recurse -Force'
            '    Get-ChildItem $d | Remove-Item'
            'rm -rf "$dir"'
            'rmdir /s /q out'
            'ri $x'
            'del $file'
            'Directory.Delete(path, recursive: true);'
            'File.Delete(path);'
            'new DirectoryInfo(path).Delete(true);'
            '[IO.Directory]::Delete($x, $true)'
            '[System.IO.File]::Delete($x)'
            'FileSystem.DeleteDirectory(path)'
            'shutil.rmtree(path)'
            'os.remove(path)'
            '<RemoveDir Directories="$(OutDir)" />'
            '<Delete Files="@(Old)" />'
            'git clean -fdx'
        )
        $good = @(
            'Remove-OwnedItem $x'
            'OwnedPath.Delete(path);'
            'Remove-Item "env:$Name" -ErrorAction SilentlyContinue'
            'Remove-Item env:AWS_ACCESS_KEY_ID, env:AWS_SECRET_ACCESS_KEY'
            'var request = new DeleteTaskSetRequest(); client.DeleteTaskSetAsync(request);'
            'sandbox.ControlAsync(HttpMethod.Delete, "faults");'
            'the form is confirmed; a third run'
        )
        Set-Content (Join-Path $samples 'bad.ps1') $bad
        Set-Content (Join-Path $samples 'good.ps1') $good
        $found = @(Find-UnguardedDeletion -Root $samples -Paths 'bad.ps1', 'good.ps1')
        $found.Count | Should -Be $bad.Count -Because ($found -join "`n")
        $found | Where-Object { $_ -like 'good.ps1:*' } | Should -BeNullOrEmpty
    }
}
