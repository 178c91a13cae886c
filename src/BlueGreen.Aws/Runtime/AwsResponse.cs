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
}
