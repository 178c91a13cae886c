using System;
using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Deployments;

/// <summary>Something a read of a release could not get: the call, why, and what is therefore not shown.
/// The release is still returned with everything else that was read.</summary>
public sealed class ReadGap
{
    public ReadGap(string operation, string reason, string missing)
    {
        Operation = operation ?? throw new ArgumentNullException(nameof(operation));
        Reason = reason ?? string.Empty;
        Missing = missing ?? string.Empty;
    }

    /// <summary>The AWS operation that failed, e.g. <c>GetDeploymentTarget</c>.</summary>
    public string Operation { get; }

    /// <summary>Why, in a few words (the service's message or error code).</summary>
    public string Reason { get; }

    /// <summary>What the release lacks because of it, e.g. "lifecycle events and traffic split".</summary>
    public string Missing { get; }

    public override string ToString() => $"{Operation} ({Reason})";

    /// <summary>One line naming every gap of a release: what the warning stream shows.</summary>
    public static string Describe(string deploymentId, IEnumerable<ReadGap> gaps)
    {
        var list = (gaps ?? throw new ArgumentNullException(nameof(gaps))).ToList();
        var missing = string.Join("; ", list.Select(g => g.Missing).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal));
        return $"Release {deploymentId} was read in part: could not read {string.Join(", ", list.Select(g => g.ToString()))}" +
            (missing.Length > 0 ? $", so its {missing} are not shown." : ".");
    }
}
