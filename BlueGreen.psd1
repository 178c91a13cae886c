# The build stamps ModuleVersion from Directory.Build.props, the project's one version source.
@{
    RootModule             = 'BlueGreen.dll'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Desktop', 'Core')
    GUID                   = '5b7e0f6a-3d4c-4f0e-9a58-0c1f2b6f6e21'
    Author                 = 'BlueGreen contributors'
    CompanyName            = 'BlueGreen'
    Copyright              = '(c) BlueGreen contributors. Apache-2.0.'
    Description            = 'Blue/green and canary releases on AWS (ECS through CodeDeploy, ECS native, Lambda aliases) with traffic shifting, smoke tests, rollback and database schema phases.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('BlueGreen.format.ps1xml')
    TypesToProcess         = @()
    RequiredAssemblies     = @()
    NestedModules          = @()
    FunctionsToExport      = @()
    CmdletsToExport        = @(
        'Clear-BlueGreenDefault'
        'Export-BlueGreenReport'
        'Get-BlueGreenDefault'
        'Get-BlueGreenDeployment'
        'Get-SchemaMigration'
        'Invoke-CanaryAnalysis'
        'Invoke-SchemaMigration'
        'Invoke-SmokeTest'
        'Set-BlueGreenDefault'
        'Set-TrafficShift'
        'Start-BlueGreenDeployment'
        'Start-BlueGreenSandbox'
        'Stop-BlueGreenSandbox'
        'Test-SchemaMigration'
        'Undo-Deployment'
        'Wait-BlueGreenDeployment'
    )
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('AWS', 'BlueGreen', 'Canary', 'Deployment', 'ECS', 'Lambda', 'CodeDeploy', 'Release')
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            ReleaseNotes = 'See README.md.'
        }
    }
}
