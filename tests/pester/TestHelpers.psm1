# Shared helpers for the Pester suites: where the built module and moto are, and the AWS CLI for setup.
Set-StrictMode -Version 3.0
# Remove-OwnedItem, the one way the tests delete anything; exported with the rest.
Import-Module (Join-Path $PSScriptRoot '../../build/OwnedItems.psm1')

function Get-ModuleManifestPath {
    if ($env:BLUEGREEN_MODULE_MANIFEST) { return $env:BLUEGREEN_MODULE_MANIFEST }
    $path = Join-Path $PSScriptRoot '../../out/BlueGreen/BlueGreen.psd1'
    if (-not (Test-Path $path)) { throw "The built module is missing at $path; run 'dotnet pwsh ./build.ps1 Build'." }
    (Resolve-Path $path).Path
}

function Get-MotoUrl {
    if (-not $env:BLUEGREEN_TEST_MOTO_URL) { throw "BLUEGREEN_TEST_MOTO_URL is not set; run the tests through 'dotnet pwsh ./build.ps1 Test'." }
    $env:BLUEGREEN_TEST_MOTO_URL.TrimEnd('/')
}

function Set-EnvironmentVariable([string] $Name, [AllowNull()] [string] $Value) {
    # [Environment]::SetEnvironmentVariable would get '' for $null from PowerShell, leaving the variable set but empty.
    if ([string]::IsNullOrEmpty($Value)) { Remove-Item "env:$Name" -ErrorAction SilentlyContinue } else { Set-Item "env:$Name" $Value }
}

function Invoke-AwsCli {
    # The AWS CLI against moto, with its own test keys: state is set up by a client nobody here wrote.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $saved = @{}
    $vars = @{ AWS_ACCESS_KEY_ID = 'testing'; AWS_SECRET_ACCESS_KEY = 'testing'; AWS_DEFAULT_REGION = 'us-east-1'; AWS_PAGER = '' }
    foreach ($name in $vars.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); Set-EnvironmentVariable $name $vars[$name] }
    try {
        # stderr apart: CLI warnings must not end up in the JSON.
        $errors = [IO.Path]::GetTempFileName()
        try {
            $output = & aws --endpoint-url (Get-MotoUrl) --output json @Arguments 2>$errors
            if ($LASTEXITCODE -ne 0) { throw "aws $($Arguments -join ' ') failed ($LASTEXITCODE): $(Get-Content $errors -Raw)" }
        }
        finally { Remove-OwnedItem $errors }
        if ($output) { $output | Out-String | ConvertFrom-Json }
    }
    finally {
        foreach ($name in $saved.Keys) { Set-EnvironmentVariable $name $saved[$name] }
    }
}

function New-CliDeployment([string] $Application, [string] $Description = 'created by the AWS CLI') {
    $null = Invoke-AwsCli deploy create-application --application-name $Application --compute-platform ECS
    $null = Invoke-AwsCli deploy create-deployment-group --application-name $Application --deployment-group-name web --service-role-arn 'arn:aws:iam::123456789012:role/codedeploy'
    (Invoke-AwsCli deploy create-deployment --application-name $Application --deployment-group-name web --description $Description `
        --revision '{"revisionType":"AppSpecContent","appSpecContent":{"content":"{}"}}').deploymentId
}

function New-UniqueName([string] $Prefix) { "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 12))" }

function Get-FreshPwsh {
    # This pwsh, started anew: through dotnet when it runs as the .NET tool.
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $process = (Get-Process -Id $PID).Path
    if ((Split-Path $process -Leaf) -like 'dotnet*' -and (Test-Path $dll)) { return @($process, $dll) }
    @($process)
}

function Invoke-FreshPwsh([string] $Script, [hashtable] $Environment = @{}) {
    # Runs a script in a new pwsh process; returns its output lines and exit code.
    $pwsh = @(Get-FreshPwsh)
    $file = Join-Path ([IO.Path]::GetTempPath()) "bluegreen-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    $saved = @{}
    foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); Set-EnvironmentVariable $name $Environment[$name] }
    try {
        $arguments = @($pwsh | Select-Object -Last ($pwsh.Count - 1)) + @('-NoProfile', '-NonInteractive', '-File', $file)
        $output = & $pwsh[0] @arguments 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ Output = @($output); ExitCode = $LASTEXITCODE }
    }
    finally {
        foreach ($name in $saved.Keys) { Set-EnvironmentVariable $name $saved[$name] }
        Remove-OwnedItem $file
    }
}

Export-ModuleMember -Function *
