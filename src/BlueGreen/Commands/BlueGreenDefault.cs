using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>The session default as Get-BlueGreenDefault shows it: where requests go and which credentials sign
/// them, with every secret masked.</summary>
public sealed class BlueGreenDefault
{
    internal BlueGreenDefault(SessionDefault value)
    {
        EndpointUrl = value.EndpointUrl;
        AllowInsecureEndpoint = value.AllowInsecureEndpoint;
        Region = value.Region;
        ProfileName = value.ProfileName;
        ProfileLocation = value.ProfileLocation;
        AccessKey = MaskKey(value.AccessKey);
        SecretKey = value.SecretKey is null ? null : Masked;
        SessionToken = value.SessionToken is null ? null : Masked;
        Credential = value.Credential?.GetType().FullName;
        Credentials = value switch
        {
            { AccessKey: not null } => value.SessionToken is null ? "access key" : "temporary access key",
            { Credential: not null } => "credential object",
            { ProfileName: not null } => $"profile '{value.ProfileName}'",
            _ => "not set: AWS.Tools' stored credentials, the environment or the profiles",
        };
    }

    private const string Masked = "****************";

    public string? EndpointUrl { get; }

    public string? Region { get; }

    /// <summary>Which form of credentials the default holds.</summary>
    public string Credentials { get; }

    public string? ProfileName { get; }

    public string? ProfileLocation { get; }

    /// <summary>The access key id, all but its last four characters masked (all of it when it is short).</summary>
    public string? AccessKey { get; }

    /// <summary>Always masked.</summary>
    public string? SecretKey { get; }

    /// <summary>Always masked.</summary>
    public string? SessionToken { get; }

    /// <summary>The type of the credentials object; never its contents.</summary>
    public string? Credential { get; }

    public bool AllowInsecureEndpoint { get; }

    private static string? MaskKey(string? key) =>
        key is null ? null : key.Length < 16 ? Masked : Masked + key.Substring(key.Length - 4);

    public override string ToString() => $"{EndpointUrl ?? "AWS"} {Region} ({Credentials})";
}
