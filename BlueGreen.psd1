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
    HelpInfoUri            = 'https://github.com/bluegreen-ps/BlueGreen/tree/main/docs/cmdlets'
    PrivateData            = @{
        PSData = @{
            Tags         = @('AWS', 'BlueGreen', 'Canary', 'Deployment', 'ECS', 'Lambda', 'CodeDeploy', 'Release', 'CICD',
                'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/bluegreen-ps/BlueGreen'
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            # A preview: the cmdlets and their output may still change before 1.0.
            Prerelease   = 'preview1'
            ReleaseNotes = @'
0.1.0-preview1, the first preview.
- Blue/green and canary releases of Amazon ECS services (through AWS CodeDeploy, or ECS native BLUE_GREEN, LINEAR and CANARY) and AWS Lambda aliases (through CodeDeploy, or shifted by the module itself): Start-BlueGreenDeployment, Set-TrafficShift, Wait-BlueGreenDeployment, Undo-Deployment, Get-BlueGreenDeployment.
- Gates: Invoke-SmokeTest (HTTP checks or Lambda invocations, -RollbackOnFailure), CloudWatch alarms, and Invoke-CanaryAnalysis, which judges green against blue on metrics and ends Pass, Fail or Inconclusive.
- Database schema phases (expand before the traffic switch, contract after blue is gone): Invoke-SchemaMigration, Test-SchemaMigration, Get-SchemaMigration.
- A local sandbox that speaks the AWS wire protocols, for rehearsals and demos: Start-BlueGreenSandbox, Stop-BlueGreenSandbox.
- Session defaults for the AWS parameters: Set-BlueGreenDefault, Get-BlueGreenDefault, Clear-BlueGreenDefault.
Loads in Windows PowerShell 5.1 and PowerShell 7.4+, next to AWS.Tools.
'@
        }
    }
}
