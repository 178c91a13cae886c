using System;
using System.Linq;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.SmokeTests;

namespace BlueGreen.Core.Analysis;

/// <summary>Where a smoke test is sent: a URL or a Lambda version.</summary>
public sealed class SmokeProbeTarget
{
    public SmokeProbeTarget(Uri uri) => Uri = uri ?? throw new ArgumentNullException(nameof(uri));

    public SmokeProbeTarget(LambdaVersionReference function) => Function = function ?? throw new ArgumentNullException(nameof(function));

    public Uri? Uri { get; }

    public LambdaVersionReference? Function { get; }

    public override string ToString() => Function is not null ? $"Lambda version {Function.DisplayName}" : Uri!.ToString();
}

/// <summary>Which side of a release a smoke test tested, and where the same test reaches blue alone.</summary>
internal static class SmokeSides
{
    private static readonly string[] SafeMethods = { "GET", "HEAD", "OPTIONS" };

    /// <summary><c>green</c>, <c>blue</c>, or null when the result tested neither side of <paramref name="deployment"/>.</summary>
    public static string? SideOf(SmokeTestResult result, BlueGreenDeployment deployment)
    {
        if (result.DeploymentId is not null && !string.Equals(result.DeploymentId, deployment.DeploymentId, StringComparison.Ordinal))
        {
            return null;
        }

        if (result.TargetKind == SmokeTestTargetKind.LambdaVersion)
        {
            if (result.FunctionName is null || deployment.FunctionName is null ||
                !string.Equals(LambdaAliasTarget.FunctionNameOf(result.FunctionName), LambdaAliasTarget.FunctionNameOf(deployment.FunctionName), StringComparison.Ordinal))
            {
                return null;
            }

            return result.Version == deployment.GreenVersion ? "green" : result.Version == deployment.BlueVersion ? "blue" : null;
        }

        // The answers say who served them (the sandbox's headers): that is the surest sign.
        var served = result.TaskDefinitions.Keys.Select(AnalysisSides.Family).Distinct().ToList();
        if (served.Count == 1)
        {
            return served[0] == AnalysisSides.Family(deployment.GreenTaskDefinition) ? "green" : served[0] == AnalysisSides.Family(deployment.BlueTaskDefinition) ? "blue" : null;
        }

        if (served.Count > 1)
        {
            return null;
        }

        if (result.Uri is null)
        {
            return null;
        }

        return SameOrigin(result.Uri, deployment.TestEndpoint) ? "green" : SameOrigin(result.Uri, deployment.ProductionEndpoint) ? "blue" : null;
    }

    /// <summary>Where green's test reaches blue alone: blue's Lambda version; or the production listener while it serves only
    /// blue, for tests that change nothing (GET, HEAD, OPTIONS). Null, with why, when there is no such place.</summary>
    public static SmokeProbeTarget? BlueTarget(BlueGreenDeployment deployment, SmokeTestResult green, out string why)
    {
        why = string.Empty;
        if (green.Policy is null)
        {
            why = "green's smoke-test result does not carry its test (only results made by Invoke-SmokeTest in this session do); pipe a smoke test of blue too.";
            return null;
        }

        if (green.TargetKind == SmokeTestTargetKind.LambdaVersion)
        {
            if (deployment.BlueVersion is null || green.FunctionName is null)
            {
                why = "the release names no blue version.";
                return null;
            }

            return new SmokeProbeTarget(LambdaVersionReference.Parse(green.FunctionName, deployment.BlueVersion));
        }

        if (!SafeMethods.Contains(green.Policy.Method, StringComparer.OrdinalIgnoreCase))
        {
            why = $"green's test sends {green.Policy.Method}, which is not sent to production unasked; pipe a smoke test of blue (Invoke-SmokeTest -Uri <production URL>) too.";
            return null;
        }

        if (deployment.ProductionEndpoint is null || green.Uri is null || !Uri.TryCreate(deployment.ProductionEndpoint, UriKind.Absolute, out var production))
        {
            why = "the release has no production listener URL to reach blue on.";
            return null;
        }

        if (deployment.GreenTrafficPercent > 0)
        {
            why = string.Format(System.Globalization.CultureInfo.InvariantCulture,
                "production traffic already reaches green ({0:0.#}%), so the production listener no longer serves blue alone; smoke-test blue before Set-TrafficShift -Continue and pipe both results.",
                deployment.GreenTrafficPercent);
            return null;
        }

        return new SmokeProbeTarget(new Uri(production, green.Uri.PathAndQuery));
    }

    private static bool SameOrigin(Uri uri, string? endpoint) =>
        endpoint is not null && Uri.TryCreate(endpoint, UriKind.Absolute, out var other) &&
        string.Equals(uri.Scheme, other.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(uri.Host, other.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == other.Port;
}
