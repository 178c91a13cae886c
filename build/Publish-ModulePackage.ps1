<#
.SYNOPSIS
    Publishes the laid-out module into a local PSResourceGet repository, a folder, as BlueGreen.<version>.nupkg.
.DESCRIPTION
    build.ps1 runs it in a fresh pwsh whose per-user folders (HOME, XDG_*) are temporary: the repository it registers
    lives in that temporary PSResourceGet store and never reaches the user's own settings. It refuses to run when the
    store would be the user's (Windows, where .NET does not take these folders from the environment).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $RepositoryPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$store = [Environment]::GetFolderPath('LocalApplicationData')
if (-not $env:HOME -or -not $store.StartsWith($env:HOME, [StringComparison]::Ordinal)) {
    throw "PSResourceGet would keep its repositories in '$store', outside the temporary HOME '$env:HOME': refusing to register one there."
}
Register-PSResourceRepository -Name BlueGreenPackage -Uri $RepositoryPath -Trusted
Publish-PSResource -Path $ModulePath -Repository BlueGreenPackage
