using System;
using System.Collections.Generic;
using Amazon.Runtime;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Aws.Configuration;

/// <summary>
/// A resolved place and identity to call AWS with: region, partition, credentials and endpoints.
/// Holds no secret in any public member; <see cref="ToString"/> is safe to print.
/// </summary>
public sealed class AwsContext
{
    private readonly Dictionary<string, Uri> _endpoints;

    internal AwsContext(string region, AwsPartition partition, AWSCredentials credentials, string credentialSource,
        string? profileName, string? endpointUrl, Dictionary<string, Uri> endpoints)
    {
        Region = region;
        Partition = partition;
        Credentials = credentials;
        CredentialSource = credentialSource;
        ProfileName = profileName;
        EndpointUrl = endpointUrl;
        _endpoints = endpoints;
    }

    public string Region { get; }

    public AwsPartition Partition { get; }

    /// <summary>Where the credentials came from, e.g. <c>environment</c> or <c>profile 'ci'</c>.</summary>
    public string CredentialSource { get; }

    /// <summary>The named profile the credentials came from, if any.</summary>
    public string? ProfileName { get; }

    /// <summary>The endpoint the caller named explicitly (<c>-EndpointUrl</c>), if any.</summary>
    public string? EndpointUrl { get; }

    /// <summary>How failed requests are retried.</summary>
    public AwsRetryPolicy RetryPolicy { get; set; } = new();

    /// <summary>Where request and response traces go (for <c>-Debug</c>); already redacted.</summary>
    public IAwsTrace? Trace { get; set; }

    internal AWSCredentials Credentials { get; }

    /// <summary>The endpoint of one service, as resolved for this context.</summary>
    public Uri GetEndpoint(AwsServiceMetadata service)
    {
        if (service is null)
        {
            throw new ArgumentNullException(nameof(service));
        }

        return _endpoints.TryGetValue(service.ServiceId, out var endpoint)
            ? endpoint
            : Partition.DefaultEndpoint(service.EndpointPrefix, Region);
    }

    /// <summary>Whether calls to the service go somewhere other than AWS's own endpoint (a sandbox, an emulator, a proxy).</summary>
    public bool HasCustomEndpoint(AwsServiceMetadata service) => service is not null && _endpoints.ContainsKey(service.ServiceId);

    public override string ToString() => $"{Region} ({CredentialSource})";
}
