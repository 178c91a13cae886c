# Test-, Invoke- and Get-SchemaMigration in the built module, against a real PostgreSQL
# (BLUEGREEN_TEST_PG, started by build.ps1 Test) and SQLite files in the temp directory.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
    Import-Module $Manifest -Force -ErrorAction Stop
    if (-not $env:BLUEGREEN_TEST_PG) { throw 'BLUEGREEN_TEST_PG is not set; run the tests through "dotnet pwsh ./build.ps1 Test" (it starts PostgreSQL).' }
    $script:PgAdmin = $env:BLUEGREEN_TEST_PG
    $script:Created = [System.Collections.Generic.List[string]]::new()
    $script:Secret = 'Pw-9f3c1e7a-' + [guid]::NewGuid().ToString('N').Substring(0, 8)

    function New-TempPath([string] $Prefix) {
        $path = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName $Prefix)
        $script:Created.Add($path)
        $path
    }

    function New-MigrationFolder([hashtable] $Files) {
        $root = New-TempPath 'migrations'
        foreach ($name in $Files.Keys) {
            $file = Join-Path $root $name
            $null = New-Item -ItemType Directory -Path (Split-Path $file) -Force
            Set-Content -LiteralPath $file -Value $Files[$name]
        }
        $root
    }

    function Invoke-TestSql([string] $Dialect, [string] $ConnectionString, [string] $Sql) {
        # The drivers live in the module's isolated load context: reach them there, as the module does.
        $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'BlueGreen' | Select-Object -First 1
        if (-not $context) { throw 'The BlueGreen load context does not exist: is the module imported?' }
        $assembly, $typeName = if ($Dialect -eq 'PostgreSql') { 'Npgsql', 'Npgsql.NpgsqlConnection' } else { 'Microsoft.Data.Sqlite', 'Microsoft.Data.Sqlite.SqliteConnection' }
        $type = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new($assembly)).GetType($typeName, $true)
        $connection = [Activator]::CreateInstance($type, [object[]] @($ConnectionString))
        try {
            $connection.Open()
            $command = $connection.CreateCommand()
            $command.CommandText = $Sql
            $command.ExecuteScalar()
        }
        finally { $connection.Dispose() }
    }

    function New-TestDatabase([string] $Dialect) {
        if ($Dialect -eq 'PostgreSql') {
            $name = 'bg_' + [guid]::NewGuid().ToString('N').Substring(0, 12)
            $null = Invoke-TestSql PostgreSql $PgAdmin "CREATE DATABASE $name"
            return ($PgAdmin -replace 'Database=[^;]*', "Database=$name")
        }
        "Data Source=$(New-TempPath 'schema')"
    }

    function Get-TableCount([string] $Dialect, [string] $ConnectionString, [string] $Table) {
        $sql = if ($Dialect -eq 'PostgreSql') { "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = '$Table'" } else { "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$Table'" }
        [int] (Invoke-TestSql $Dialect $ConnectionString $sql)
    }

    function Get-Failure([scriptblock] $Script) {
        # The error a command ends with; fails the test when it ends without one.
        try { & $Script | Out-Null } catch { return $_ }
        throw 'The command was expected to fail, and did not.'
    }

    $script:Release1 = @{
        'expand/V0001__create_items.sql'   = "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, legacy text);"
        'expand/V0002__add_note.sql'       = "-- bluegreen:waive creating-trigger: test trigger that never rejects a write`nALTER TABLE items ADD COLUMN note text;"
        'contract/V0003__drop_legacy.sql'  = "ALTER TABLE items DROP COLUMN legacy;"
    }
}

AfterAll {
    foreach ($path in $script:Created) {
        Remove-OwnedItem $path, "$path.migration-lock"
    }
}

Describe 'Test-SchemaMigration' {
    It 'writes one verdict per statement with File, Line, Statement, Kind, Rules and SafeForExpand' {
        $folder = New-MigrationFolder @{
            'expand/V0001__add.sql'     = "ALTER TABLE users ADD COLUMN nickname text;`n`nCREATE INDEX CONCURRENTLY users_nick ON users (nickname);"
            'contract/V0002__drop.sql'  = "ALTER TABLE users DROP COLUMN email;`nALTER TABLE users ALTER COLUMN nickname SET NOT NULL;"
        }
        $verdicts = @(Test-SchemaMigration -Path $folder -Dialect PostgreSql)
        $verdicts.Count | Should -Be 4
        $verdicts[0].PSObject.TypeNames[0] | Should -Be 'BlueGreen.Core.Schema.StatementVerdict'
        $verdicts[0].File | Should -Be (Join-Path $folder 'expand/V0001__add.sql')
        $verdicts[0].Line | Should -Be 1
        $verdicts[0].Statement | Should -Be 'ALTER TABLE users ADD COLUMN nickname text'
        "$($verdicts[0].Kind)" | Should -Be 'Additive'
        $verdicts[0].SafeForExpand | Should -BeTrue
        $verdicts[1].Line | Should -Be 3
        $verdicts[2].File | Should -Be (Join-Path $folder 'contract/V0002__drop.sql')
        "$($verdicts[2].Kind)" | Should -Be 'Destructive'
        @($verdicts[2].Rules.Id) | Should -Be @('ban-drop-column')
        $verdicts[2].SafeForExpand | Should -BeFalse
        "$($verdicts[3].Kind)" | Should -Be 'Tightening'
        @($verdicts[3].Rules.Id) | Should -Contain 'adding-not-nullable-field'
    }

    It 'takes paths relative to the current location, and from the pipeline' {
        $folder = New-MigrationFolder @{ 'a.sql' = 'DROP TABLE old_things;'; 'b.sql' = 'CREATE TABLE new_things (id int);' }
        Push-Location $folder
        try { $one = @(Test-SchemaMigration a.sql -Dialect Sqlite) }
        finally { Pop-Location }
        @($one.Rules.Id) | Should -Be @('ban-drop-table')
        $piped = @(Get-ChildItem $folder -Filter '*.sql' | Sort-Object Name | Test-SchemaMigration -Dialect Sqlite)
        $piped.Count | Should -Be 2
        @($piped.SafeForExpand) | Should -Be @($false, $true)
    }

    It 'knows that before PostgreSQL 11 a constant default rewrites the table' {
        $folder = New-MigrationFolder @{ 'V1__flag.sql' = "ALTER TABLE users ADD COLUMN active boolean DEFAULT true;" }
        (Test-SchemaMigration $folder -Dialect PostgreSql).SafeForExpand | Should -BeTrue
        $old = Test-SchemaMigration $folder -Dialect PostgreSql -PostgresVersion 10
        $old.SafeForExpand | Should -BeFalse
        @($old.Rules.Id) | Should -Be @('adding-field-with-default')
    }

    It 'lints SQL Server scripts through ScriptDom' {
        $folder = New-MigrationFolder @{ 'V1__tsql.sql' = "ALTER TABLE dbo.users ADD nickname nvarchar(50) NULL;`nGO`nEXEC sp_rename 'dbo.users.email', 'mail', 'COLUMN';`nGO" }
        $verdicts = @(Test-SchemaMigration $folder -Dialect SqlServer)
        $verdicts.Count | Should -Be 2
        $verdicts[0].SafeForExpand | Should -BeTrue
        @($verdicts[1].Rules.Id) | Should -Contain 'renaming-column'
    }

    It 'shows verdicts as a table with the kind, safety and rule ids' {
        $folder = New-MigrationFolder @{ 'V1__drop.sql' = 'ALTER TABLE users DROP COLUMN email;' }
        $text = Test-SchemaMigration $folder -Dialect PostgreSql | Format-Table | Out-String -Width 200
        $text | Should -Match 'Kind\s+Safe\s+Rules\s+Statement'
        $text | Should -Match 'V1__drop\.sql\s+1\s+Destructive\s+False\s+ban-drop-column\s+ALTER TABLE users DROP COLUMN email'
    }

    It 'reports a missing path as SchemaPathNotFound and goes on with the others' {
        $folder = New-MigrationFolder @{ 'V1__ok.sql' = 'CREATE TABLE t (id int);' }
        $missing = Join-Path $folder 'nope.sql'
        $verdicts = @(Test-SchemaMigration -Path $missing, $folder -Dialect PostgreSql -ErrorVariable failures -ErrorAction SilentlyContinue)
        $verdicts.Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'SchemaPathNotFound,BlueGreen.Commands.TestSchemaMigrationCommand'
        "$($failures[0].CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
    }

    It 'refuses an unknown dialect naming the ones it knows' {
        $failure = Get-Failure { Test-SchemaMigration -Path . -Dialect Oracle }
        $failure.FullyQualifiedErrorId | Should -BeLike 'CannotConvertArgumentNoMessage,*'
        "$failure" | Should -Match 'PostgreSql, Sqlite, SqlServer'
    }
}

Describe 'Invoke-SchemaMigration and Get-SchemaMigration on <Dialect>' -ForEach @(@{ Dialect = 'PostgreSql' }, @{ Dialect = 'Sqlite' }) {
    BeforeEach {
        $cs = New-TestDatabase $Dialect
        $folder = New-MigrationFolder $Release1
    }

    It '-WhatIf shows every statement with its classification and applies nothing' {
        $script = @"
Import-Module '$Manifest' -ErrorAction Stop
Invoke-SchemaMigration -Phase Expand -Path '$folder' -ConnectionString '$cs' -Dialect $Dialect -WhatIf
'objects=' + @(Get-SchemaMigration -ConnectionString '$cs' -Dialect $Dialect).Count
"@
        $result = Invoke-FreshPwsh $script
        $text = $result.Output -join "`n"
        $result.ExitCode | Should -Be 0 -Because $text
        $text | Should -Match 'What if: Apply the expand phase of new schema release r-\d{14}-\w{6}'
        $text | Should -Match '2 script\(s\), 2 statement\(s\)'
        $text | Should -Match 'expand/V0001__create_items\.sql\s+line 1: additive: CREATE TABLE items'
        $text | Should -Match 'expand/V0002__add_note\.sql\s+line 2: additive: ALTER TABLE items ADD COLUMN note text'
        $text | Should -Not -Match 'V0003'
        $result.Output | Should -Contain 'objects=0'
        Get-TableCount $Dialect $cs 'bluegreen_schema_history' | Should -Be 0
        Get-TableCount $Dialect $cs 'items' | Should -Be 0
    }

    It 'applies expand, writes the applied migrations, and records the release' {
        $applied = @(Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect -DeploymentId 'd-EXPAND0001')
        $applied.Count | Should -Be 2
        $applied[0].PSObject.TypeNames[0] | Should -Be 'BlueGreen.Core.Schema.AppliedMigration'
        @($applied.Version) | Should -Be @('1', '2')
        @($applied | ForEach-Object { "$($_.Phase)" }) | Should -Be @('Expand', 'Expand')
        @($applied.Success) | Should -Be @($true, $true)
        $applied[0].Script | Should -Be 'expand/V0001__create_items.sql'
        $applied[0].Checksum | Should -Match '^[0-9a-f]{64}$'
        $applied[0].ReleaseId | Should -Match '^r-\d{14}-\w{6}$'

        $null = Invoke-TestSql $Dialect $cs "INSERT INTO items (id, name, legacy, note) VALUES (1, 'a', 'x', 'n')"
        $history = @(Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect)
        @($history.Version) | Should -Be @('1', '2')
        @($history.ReleaseId | Select-Object -Unique) | Should -Be @($applied[0].ReleaseId)
        $release = @(Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect -Release)
        $release.Count | Should -Be 1
        $release[0].ReleaseId | Should -Be $applied[0].ReleaseId
        "$($release[0].State)" | Should -Be 'Expanded'
        $release[0].DeploymentId | Should -Be 'd-EXPAND0001'
        $release[0].ExpandedAt | Should -Not -BeNullOrEmpty
        (Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect -Release | Format-Table | Out-String -Width 200) | Should -Match "$($release[0].ReleaseId)\s+Expanded\s+d-EXPAND0001\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
        (Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect | Format-Table | Out-String -Width 200) | Should -Match '2\s+Expand\s+True\s+.*expand/V0002__add_note\.sql'

        # Run again: nothing left to apply, nothing recorded twice.
        @(Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect -ReleaseId $release[0].ReleaseId).Count | Should -Be 0
        @(Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect).Count | Should -Be 2
    }

    It 'refuses contract while the gate is shut, and applies nothing' {
        $releaseId = (Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect)[0].ReleaseId
        $noStatus = Get-Failure { Invoke-SchemaMigration -Phase Contract -Path $folder -ConnectionString $cs -Dialect $Dialect -ReleaseId $releaseId }
        $noStatus.FullyQualifiedErrorId | Should -Be 'ContractNotAllowed,BlueGreen.Commands.InvokeSchemaMigrationCommand'
        "$($noStatus.CategoryInfo.Category)" | Should -Be 'PermissionDenied'
        "$noStatus" | Should -Match 'not Succeeded'

        $blueStays = Get-Failure { Invoke-SchemaMigration -Phase Contract -Path $folder -ConnectionString $cs -Dialect $Dialect -ReleaseId $releaseId -DeploymentStatus Succeeded }
        $blueStays.FullyQualifiedErrorId | Should -BeLike 'ContractNotAllowed,*'
        "$blueStays" | Should -Match 'blue\) version is not gone'

        $windowOpen = Get-Failure { Invoke-SchemaMigration -Phase Contract -Path $folder -ConnectionString $cs -Dialect $Dialect -ReleaseId $releaseId -DeploymentStatus Succeeded -SwitchedAt ([DateTimeOffset]::UtcNow.AddMinutes(-5)) -RollbackWindow '01:00:00' }
        "$windowOpen" | Should -Match 'rollback window is open'

        $noReason = Get-Failure { Invoke-SchemaMigration -Phase Contract -Path $folder -ConnectionString $cs -Dialect $Dialect -ReleaseId $releaseId -Force }
        $noReason.FullyQualifiedErrorId | Should -BeLike 'ContractNotAllowed,*'
        "$noReason" | Should -Match '-Force needs -Reason'

        @(Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect | Where-Object Version -EQ '3').Count | Should -Be 0
        "$((Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect -Release).State)" | Should -Be 'Expanded'
        $null = Invoke-TestSql $Dialect $cs 'SELECT legacy FROM items'
    }

    It 'applies contract with -Force and -Reason, and records the reason' {
        $releaseId = (Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect)[0].ReleaseId
        $applied = @(Invoke-SchemaMigration -Phase Contract -Path $folder -ConnectionString $cs -Dialect $Dialect -ReleaseId $releaseId -DeploymentStatus InProgress -Force -Reason 'blue drained by hand' -WarningVariable warnings 3>$null)
        @($applied.Version) | Should -Be @('3')
        "$($applied[0].Phase)" | Should -Be 'Contract'
        $applied[0].Classification | Should -Be 'destructive: ban-drop-column'
        ($warnings -join "`n") | Should -Match 'Contract forced'
        $release = Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect -Release -ReleaseId $releaseId
        "$($release.State)" | Should -Be 'Contracted'
        $release.ForceReason | Should -Match '^contract: blue drained by hand'
        { Invoke-TestSql $Dialect $cs 'SELECT legacy FROM items' } | Should -Throw
    }

    It 'applies contract when the deployment piped in succeeded and blue is gone' {
        $null = Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect -DeploymentId 'd-PIPED0001'
        $deployment = [pscustomobject]@{ DeploymentId = 'd-PIPED0001'; Status = 'Succeeded'; BlueGone = $true }
        $applied = @($deployment | Invoke-SchemaMigration -Phase Contract -Path $folder -ConnectionString $cs -Dialect $Dialect)
        @($applied.Version) | Should -Be @('3')
        $release = Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect -Release -DeploymentId 'd-PIPED0001'
        "$($release.State)" | Should -Be 'Contracted'
        $release.ForceReason | Should -BeNullOrEmpty
        @(Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect -DeploymentId 'd-PIPED0001').Count | Should -Be 3
        @(Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect -DeploymentId 'd-OTHER0001').Count | Should -Be 0
    }

    It 'stops on a changed applied script with AppliedMigrationChanged, under -WhatIf too' {
        $null = Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect
        Add-Content -LiteralPath (Join-Path $folder 'expand/V0001__create_items.sql') -Value 'CREATE TABLE sneaky (id int);'
        Set-Content -LiteralPath (Join-Path $folder 'expand/V0004__more.sql') -Value 'CREATE TABLE more_items (id int);'
        foreach ($whatIf in $false, $true) {
            $failure = Get-Failure { Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect -WhatIf:$whatIf }
            $failure.FullyQualifiedErrorId | Should -Be 'AppliedMigrationChanged,BlueGreen.Commands.InvokeSchemaMigrationCommand'
            "$($failure.CategoryInfo.Category)" | Should -Be 'InvalidData'
            $failure.TargetObject | Should -Be 'expand/V0001__create_items.sql'
            "$failure" | Should -Match 'never re-run'
        }
        Get-TableCount $Dialect $cs 'more_items' | Should -Be 0
        Get-TableCount $Dialect $cs 'sneaky' | Should -Be 0
        @(Get-SchemaMigration -ConnectionString $cs -Dialect $Dialect).Count | Should -Be 2
    }

    It 'refuses a destructive statement in expand, naming the rule, and applies nothing' {
        Set-Content -LiteralPath (Join-Path $folder 'expand/V0002__add_note.sql') -Value 'ALTER TABLE items ADD COLUMN note text; ALTER TABLE items DROP COLUMN legacy;'
        $failure = Get-Failure { Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect }
        $failure.FullyQualifiedErrorId | Should -Be 'ExpandRefused,BlueGreen.Commands.InvokeSchemaMigrationCommand'
        "$failure" | Should -Match 'ban-drop-column'
        $failure.ErrorDetails.RecommendedAction | Should -Match 'contract phase'
        Get-TableCount $Dialect $cs 'items' | Should -Be 0
        Get-TableCount $Dialect $cs 'bluegreen_schema_history' | Should -Be 0
    }

    It 'lets no DROP through expand behind a waiver after a statement on its line' {
        $null = Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect
        $crafted = Join-Path $folder 'expand/V0004__crafted.sql'
        Set-Content -LiteralPath $crafted -Value "CREATE TABLE trigger_log (begin int); -- bluegreen:waive ban-drop-table: nothing reads it`nDROP TABLE items;"

        $verdicts = @(Test-SchemaMigration -Path $crafted -Dialect $Dialect)
        $verdicts.Count | Should -Be 2
        @($verdicts[0].UnwaivedRules.Id) | Should -Be @('waiver-applies-to-nothing')
        @($verdicts[1].UnwaivedRules.Id) | Should -Be @('ban-drop-table')
        $failure = Get-Failure { Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect $Dialect }
        $failure.FullyQualifiedErrorId | Should -Be 'ExpandRefused,BlueGreen.Commands.InvokeSchemaMigrationCommand'
        "$failure" | Should -Match 'ban-drop-table'
        Get-TableCount $Dialect $cs 'items' | Should -Be 1
        Get-TableCount $Dialect $cs 'trigger_log' | Should -Be 0
    }

    It 'needs a release for contract, and an existing one' {
        $none = Get-Failure { Invoke-SchemaMigration -Phase Contract -Path $folder -ConnectionString $cs -Dialect $Dialect -DeploymentStatus Succeeded -BlueGone }
        $none.FullyQualifiedErrorId | Should -BeLike 'ReleaseIdRequired,*'
        $unknown = Get-Failure { Invoke-SchemaMigration -Phase Contract -Path $folder -ConnectionString $cs -Dialect $Dialect -ReleaseId 'r-nope' -DeploymentStatus Succeeded -BlueGone }
        $unknown.FullyQualifiedErrorId | Should -BeLike 'ReleaseNotFound,*'
        "$($unknown.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
    }
}

Describe 'Connection strings' {
    It 'never shows the password, in output, -WhatIf, verbose text or errors (PostgreSQL)' {
        $cs = (New-TestDatabase PostgreSql) + ";Password=$Secret"
        $folder = New-MigrationFolder $Release1
        $script = @"
Import-Module '$Manifest' -ErrorAction Stop
Invoke-SchemaMigration -Phase Expand -Path '$folder' -ConnectionString '$cs' -Dialect PostgreSql -WhatIf -Verbose
Invoke-SchemaMigration -Phase Expand -Path '$folder' -ConnectionString '$cs' -Dialect PostgreSql -Verbose | Format-List * | Out-String
Get-SchemaMigration -ConnectionString '$cs' -Dialect PostgreSql -Release | Format-List * | Out-String
'done'
"@
        $result = Invoke-FreshPwsh $script
        $text = $result.Output -join "`n"
        $result.Output | Should -Contain 'done' -Because $text
        $text | Should -Match 'Password=\*\*\*'
        $text | Should -Match 'Version\s+: 2'
        $text | Should -Not -Match ([regex]::Escape($Secret))
    }

    It 'never shows the password when the database cannot be reached' {
        $cs = "Host=127.0.0.1;Port=1;Username=app;Password=$Secret;Database=app;Timeout=3"
        $folder = New-MigrationFolder $Release1
        foreach ($command in { Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString $cs -Dialect PostgreSql -Verbose 4>&1 },
            { Get-SchemaMigration -ConnectionString $cs -Dialect PostgreSql }) {
            $failure = Get-Failure $command
            $failure.FullyQualifiedErrorId | Should -BeLike 'DatabaseConnectionFailed,*'
            "$($failure.CategoryInfo.Category)" | Should -Be 'ConnectionError'
            $everything = @("$failure", $failure.Exception.ToString(), $failure.ErrorDetails.Message, $failure.ErrorDetails.RecommendedAction, "$($failure.TargetObject)", ($failure | Format-List * -Force | Out-String)) -join "`n"
            $everything | Should -Match '127\.0\.0\.1'
            $everything | Should -Not -Match ([regex]::Escape($Secret))
        }
    }
}

Describe 'Bad input' {
    It 'reports a missing migration folder as MigrationFolderNotFound' {
        $failure = Get-Failure { Invoke-SchemaMigration -Phase Expand -Path (Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'missing')) -ConnectionString 'Data Source=x.db' -Dialect Sqlite }
        $failure.FullyQualifiedErrorId | Should -Be 'MigrationFolderNotFound,BlueGreen.Commands.InvokeSchemaMigrationCommand'
        "$($failure.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
    }

    It 'refuses an unknown dialect or phase at binding' {
        (Get-Failure { Invoke-SchemaMigration -Phase Expand -Path . -ConnectionString 'Data Source=x.db' -Dialect MySql }).FullyQualifiedErrorId | Should -BeLike 'CannotConvertArgumentNoMessage,*'
        (Get-Failure { Invoke-SchemaMigration -Phase Migrate -Path . -ConnectionString 'Data Source=x.db' -Dialect Sqlite }).FullyQualifiedErrorId | Should -BeLike 'CannotConvertArgumentNoMessage,*'
        (Get-Failure { Get-SchemaMigration -ConnectionString 'Data Source=x.db' -Dialect MySql }).FullyQualifiedErrorId | Should -BeLike 'CannotConvertArgumentNoMessage,*'
    }

    It 'says that applying to SQL Server is not supported' {
        $folder = New-MigrationFolder @{ 'expand/V1__t.sql' = 'CREATE TABLE t (id int);' }
        $failure = Get-Failure { Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString 'Server=127.0.0.1,1;Database=x' -Dialect SqlServer }
        $failure.FullyQualifiedErrorId | Should -BeLike 'DialectNotSupported,*'
        "$($failure.CategoryInfo.Category)" | Should -Be 'NotImplemented'
    }

    It 'reports a badly named script as InvalidMigrationFileName' {
        $folder = New-MigrationFolder @{ 'expand/add_things.sql' = 'CREATE TABLE t (id int);' }
        (Get-Failure { Invoke-SchemaMigration -Phase Expand -Path $folder -ConnectionString "Data Source=$(New-TempPath 'x')" -Dialect Sqlite }).FullyQualifiedErrorId | Should -BeLike 'InvalidMigrationFileName,*'
    }
}

Describe 'Packaging of the database layer' {
    It 'ships BlueGreen.Schema.Data, the drivers and SQLite''s native library in dependencies/, and no second BlueGreen.Core' {
        $dependencies = Join-Path (Split-Path $Manifest) 'dependencies'
        foreach ($name in 'BlueGreen.Schema.Data.dll', 'Npgsql.dll', 'Microsoft.Data.Sqlite.dll', 'SQLitePCLRaw.core.dll') {
            Join-Path $dependencies $name | Should -Exist
        }
        Join-Path $dependencies 'BlueGreen.Core.dll' | Should -Not -Exist
        Join-Path $dependencies 'runtimes/linux-x64/native/libe_sqlite3.so' | Should -Exist
        Join-Path $dependencies 'runtimes/win-x64/native/e_sqlite3.dll' | Should -Exist
        Join-Path (Split-Path $Manifest) 'BlueGreen.Core.dll' | Should -Exist
    }

    It 'loads the drivers into the isolated context and shares one BlueGreen.Core, in a fresh pwsh' {
        $db = New-TempPath 'fresh'
        $folder = New-MigrationFolder $Release1
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Manifest'
'before=' + @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'BlueGreen.Schema.Data', 'Npgsql', 'Microsoft.Data.Sqlite' }).Count
'sqlite=' + @(Invoke-SchemaMigration -Phase Expand -Path '$folder' -ConnectionString 'Data Source=$db' -Dialect Sqlite).Count
'pg=' + @(Get-SchemaMigration -ConnectionString '$PgAdmin' -Dialect PostgreSql).Count
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'BlueGreen.Core', 'BlueGreen.Schema.Data', 'Npgsql', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core' } |
    ForEach-Object { '{0}={1}' -f `$_.GetName().Name, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name } | Sort-Object
"@
        $result = Invoke-FreshPwsh $script
        $text = $result.Output -join "`n"
        $result.ExitCode | Should -Be 0 -Because $text
        $result.Output | Should -Contain 'before=0'
        $result.Output | Should -Contain 'sqlite=2'
        $result.Output | Should -Contain 'pg=0'
        $result.Output | Should -Contain 'BlueGreen.Schema.Data=BlueGreen'
        $result.Output | Should -Contain 'Npgsql=BlueGreen'
        $result.Output | Should -Contain 'Microsoft.Data.Sqlite=BlueGreen'
        $result.Output | Should -Contain 'SQLitePCLRaw.core=BlueGreen'
        @($result.Output | Where-Object { $_ -like 'BlueGreen.Core=*' }) | Should -Be @('BlueGreen.Core=Default')
    }
}
