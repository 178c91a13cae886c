using System;
using System.Net;
using System.Text.Json.Serialization;

namespace BlueGreen.Aws.Runtime;

/// <summary>What every response carries besides its members.</summary>
public abstract class AwsResponse
{
    [JsonIgnore]
    public string? RequestId { get; set; }

    [JsonIgnore]
    public HttpStatusCode HttpStatusCode { get; set; }

    /// <summary>The service's time when it answered (its <c>Date</c> header), if it sent one: what a client that paces
    /// a release itself counts by, so that it keeps the service's time rather than the local clock's.</summary>
    [JsonIgnore]
    public DateTimeOffset? ServerTime { get; set; }
}
