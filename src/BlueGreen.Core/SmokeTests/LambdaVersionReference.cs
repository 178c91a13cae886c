using System;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.SmokeTests;

/// <summary>
/// A published version of a Lambda function (or <c>$LATEST</c>), never an alias: a smoke test invokes the version
/// itself so that no alias, and so no production caller's routing, is involved.
/// </summary>
public sealed class LambdaVersionReference
{
    /// <summary>The name forms Lambda's Invoke accepts (its NamespacedFunctionName pattern), qualifier apart.</summary>
    private static readonly Regex FunctionPattern = new(
        @"^(?<function>(arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso[a-z]?))?-[a-z]+-\d:\d{12}:function:|(\d{12}:function:))?(?<name>[a-zA-Z0-9_.-]+))(:(?<qualifier>[^:]*))?$",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex VersionPattern = new(@"^(\$LATEST|[0-9]+)$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private LambdaVersionReference(string function, string name, string version)
    {
        Function = function;
        Name = name;
        Version = version;
    }

    /// <summary>The function as given, without a qualifier: a name, an ARN or a partial ARN.</summary>
    public string Function { get; }

    /// <summary>The function's name, also when an ARN was given.</summary>
    public string Name { get; }

    /// <summary>A version number, or <c>$LATEST</c>.</summary>
    public string Version { get; }

    /// <summary>How results name it, e.g. <c>orders:2</c>.</summary>
    public string DisplayName => $"{Name}:{Version}";

    public override string ToString() => DisplayName;

    /// <summary>Whether <paramref name="qualifier"/> names a version (a number or <c>$LATEST</c>) rather than an alias.</summary>
    public static bool IsVersion(string? qualifier) => qualifier is not null && VersionPattern.IsMatch(qualifier);

    /// <summary>
    /// Reads a function (name, ARN or partial ARN, with or without a qualifier) and a version. The version is
    /// <paramref name="version"/> when given, else the qualifier on the name. Anything but a version number or
    /// <c>$LATEST</c> is refused: an alias would route the smoke test's requests like production traffic.
    /// </summary>
    public static LambdaVersionReference Parse(string? function, string? version)
    {
        if (string.IsNullOrWhiteSpace(function))
        {
            throw new SmokeTestInputException("NoSmokeTestFunction", "There is no Lambda function to test: -FunctionName is empty.", null,
                "Pass -FunctionName with the function's name or ARN, and -Version with the version to test.");
        }

        var given = function!.Trim();
        var match = given.Length <= 256 ? FunctionPattern.Match(given) : Match.Empty;
        if (!match.Success || match.Groups["name"].Value.Length > 64)
        {
            throw new SmokeTestInputException("InvalidFunctionName",
                $"'{given}' is not a Lambda function name or ARN.", given,
                "Pass a name such as orders (letters, digits, '-', '_' and '.', up to 64 characters) or an ARN such as arn:aws:lambda:us-east-1:123456789012:function:orders.");
        }

        var qualifier = match.Groups["qualifier"].Success ? match.Groups["qualifier"].Value : null;
        var asked = string.IsNullOrWhiteSpace(version) ? qualifier : version!.Trim();
        if (asked is null)
        {
            throw new SmokeTestInputException("NoFunctionVersion",
                $"No version of function '{match.Groups["name"].Value}' was named, so there is nothing to invoke without going through an alias.", given,
                "Pass -Version with the version number to test (a release's GreenVersion), e.g. -Version 2.");
        }

        if (!IsVersion(asked))
        {
            throw new SmokeTestInputException("InvalidFunctionVersion",
                $"'{asked}' is not a version number or $LATEST. A smoke test invokes a version, never an alias: an alias such as '{asked}' may be what production calls, so its traffic would mix with the test's.",
                asked, "Pass the version number to test, e.g. -Version 2 (Get-BlueGreenDeployment shows a release's GreenVersion), or -Version '$LATEST'.");
        }

        if (qualifier is not null && version is not null && !string.Equals(qualifier, asked, StringComparison.Ordinal))
        {
            throw new SmokeTestInputException("ConflictingFunctionVersion",
                $"-FunctionName '{given}' names qualifier '{qualifier}', but -Version is '{asked}'.", given,
                "Pass the function without a qualifier and the version with -Version.");
        }

        return new LambdaVersionReference(match.Groups["function"].Value, match.Groups["name"].Value, asked);
    }
}
