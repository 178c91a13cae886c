# The schema phases tied to the release: expand before the deployment, contract only once blue is gone,
# and no undo onto a contracted schema. On the sandbox, with a real SQLite database.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $script:Saved = @{}
    foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'BLUEGREEN_POLL_MAX_MS') { $Saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    Set-EnvironmentVariable AWS_ACCESS_KEY_ID 'test'; Set-EnvironmentVariable AWS_SECRET_ACCESS_KEY 'test'; Set-EnvironmentVariable AWS_REGION 'us-east-1'
    Set-EnvironmentVariable BLUEGREEN_POLL_MAX_MS '500'
    $script:Sandbox = Start-BlueGreenSandbox -TimeScale 600 -Seed
    $script:Aws = @{ EndpointUrl = $Sandbox.Endpoint.ToString() }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) (New-UniqueName 'schema-gates')
    $null = New-Item -ItemType Directory -Path $Work

    function script:New-Migrations([string] $Name, [string] $Expand, [string] $Contract) {
        $folder = Join-Path $Work $Name
        $null = New-Item -ItemType Directory -Path (Join-Path $folder 'expand'), (Join-Path $folder 'contract')
        Set-Content (Join-Path $folder 'expand/V0001__users.sql') 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);'
        Set-Content (Join-Path $folder 'expand/V0002__expand.sql') $Expand
        Set-Content (Join-Path $folder 'contract/V0003__contract.sql') $Contract
        $folder
    }
    function script:Get-Latest { Get-BlueGreenDeployment -Cluster sandbox -Service web @Aws -ErrorAction SilentlyContinue }
}

AfterAll {
    if ($Sandbox) { $Sandbox | Stop-BlueGreenSandbox }
    foreach ($name in $Saved.Keys) { Set-EnvironmentVariable $name $Saved[$name] }
    if ($Work) { Remove-OwnedItem $Work }
}

Describe 'Schema phases tied to the release' {
    BeforeEach {
        # Each test starts from a freshly seeded sandbox, with no release in flight.
        $null = Invoke-RestMethod -Method Post -Uri ($Aws.EndpointUrl.TrimEnd('/') + '/_sandbox/reset?seed=true')
        $null = Invoke-RestMethod -Method Put -Uri ($Aws.EndpointUrl.TrimEnd('/') + '/_sandbox/time-scale') -Body '{"timeScale":600}' -ContentType 'application/json'
    }

    It 'expands before the deployment, contracts once blue is gone, then refuses an undo onto the contracted schema' {
        $db = Join-Path $Work 'good.db'
        $cs = "Data Source=$db"
        $migrations = New-Migrations 'good' 'ALTER TABLE users ADD COLUMN full_name TEXT;' 'ALTER TABLE users DROP COLUMN name;'

        $d = Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce -Wait `
            -Migration $migrations -ConnectionString $cs -Dialect Sqlite @Aws
        $d.Status | Should -Be 'Succeeded'
        $d.BlueGone | Should -BeTrue
        $release = Get-SchemaMigration -ConnectionString $cs -Dialect Sqlite -Release
        $release.DeploymentId | Should -Be $d.DeploymentId
        @(Get-SchemaMigration -ConnectionString $cs -Dialect Sqlite | Where-Object Phase -eq 'Expand').Count | Should -Be 2

        $contracted = $d | Invoke-SchemaMigration -Phase Contract -Path $migrations -ConnectionString $cs -Dialect Sqlite -Confirm:$false
        @($contracted).Count | Should -Be 1

        $d | Undo-Deployment -ConnectionString $cs -Dialect Sqlite -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'UndoNotAllowed,*'
        "$($refused[0])" | Should -Match 'contract'
        (Get-Latest).DeploymentId | Should -Be $d.DeploymentId -Because 'a refused undo starts nothing'

        $undo = $d | Undo-Deployment -ConnectionString $cs -Dialect Sqlite -Force -Reason 'blue reads only columns that remain' -Confirm:$false
        $undo.DeploymentId | Should -Not -Be $d.DeploymentId
    }

    It 'creates no deployment when the expand phase is refused' {
        $before = (Get-Latest).DeploymentId
        $db = Join-Path $Work 'bad.db'
        $migrations = New-Migrations 'bad' 'ALTER TABLE users DROP COLUMN name;' 'SELECT 1;'

        Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -TrafficShift AllAtOnce `
            -Migration $migrations -ConnectionString "Data Source=$db" -Dialect Sqlite @Aws -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ExpandRefused,*'
        (Get-Latest).DeploymentId | Should -Be $before
    }

    It 'refuses half the schema parameters before anything is sent' {
        { Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -Migration $Work @Aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'MigrationIncomplete,*'
    }

    It 'never shows the connection string password in the plan' {
        $migrations = New-Migrations 'whatif' 'ALTER TABLE users ADD COLUMN nick TEXT;' 'SELECT 1;'
        $db = Join-Path $Work 'w.db'
        $script = @"
Import-Module '$(Get-ModuleManifestPath)' -ErrorAction Stop
Start-BlueGreenDeployment -Cluster sandbox -Service web -TaskDefinition web:2 -Migration '$migrations' -ConnectionString 'Data Source=$db;Password=hunter2-secret' -Dialect Sqlite -Region us-east-1 -AccessKey test -SecretKey test -EndpointUrl '$($Aws.EndpointUrl)' -WhatIf
"@
        $result = Invoke-FreshPwsh $script
        $text = $result.Output -join "`n"
        $text | Should -Match 'expand phase'
        $text | Should -Not -Match 'hunter2-secret'
        Test-Path $db | Should -BeFalse -Because '-WhatIf opens no database'
    }
}
