using System;
using System.Collections.Generic;
using System.Linq;
using Amazon;

namespace BlueGreen.Aws.Configuration;

/// <summary>The regions the SDK's endpoint data knows (no call to AWS).</summary>
public static class AwsRegions
{
    private static readonly Lazy<IReadOnlyList<string>> Names = new(() =>
        RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Where(r => AwsPartition.ForRegion(r) is not null)
            .Distinct(StringComparer.Ordinal).OrderBy(r => r, StringComparer.Ordinal).ToList());

    /// <summary>Every region name, sorted.</summary>
    public static IReadOnlyList<string> All() => Names.Value;
}
