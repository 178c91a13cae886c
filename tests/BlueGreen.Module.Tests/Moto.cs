using System;

namespace BlueGreen.Module.Tests;

/// <summary>The moto_server that build.ps1 started for the test run.</summary>
public static class Moto
{
    public static string Url =>
        Environment.GetEnvironmentVariable("BLUEGREEN_TEST_MOTO_URL")?.TrimEnd('/')
        ?? throw new InvalidOperationException("BLUEGREEN_TEST_MOTO_URL is not set: run the tests through 'dotnet pwsh ./build.ps1 Test'.");

    public static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N").Substring(0, 12);
}
