using System;
using System.Text.RegularExpressions;

namespace BlueGreen.Aws.Configuration;

/// <summary>An AWS partition: which regions belong to it and the DNS suffix of its endpoints.</summary>
public sealed class AwsPartition
{
    private readonly Regex _regionPattern;

    private AwsPartition(string id, string regionPattern, string dnsSuffix)
    {
        Id = id;
        DnsSuffix = dnsSuffix;
        _regionPattern = new Regex(regionPattern, RegexOptions.CultureInvariant);
    }

    // Order matters: the most specific pattern first.
    private static readonly AwsPartition[] Partitions =
    {
        new("aws-us-gov", @"^us\-gov\-\w+\-\d+$", "amazonaws.com"),
        new("aws-cn", @"^cn\-\w+\-\d+$", "amazonaws.com.cn"),
        new("aws", @"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", "amazonaws.com"),
    };

    public string Id { get; }

    public string DnsSuffix { get; }

    /// <summary>The partition a region belongs to, or null when the name is not an AWS region's.</summary>
    public static AwsPartition? ForRegion(string region)
    {
        foreach (var partition in Partitions)
        {
            if (partition._regionPattern.IsMatch(region))
            {
                return partition;
            }
        }

        return null;
    }

    public Uri DefaultEndpoint(string endpointPrefix, string region) => new($"https://{endpointPrefix}.{region}.{DnsSuffix}");
}
