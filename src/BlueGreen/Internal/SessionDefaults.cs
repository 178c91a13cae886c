using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace BlueGreen.Internal;

/// <summary>
/// Where and as whom the cmdlets of one PowerShell session talk to AWS when no parameter and no piped
/// object says so (Set-BlueGreenDefault). Kept per runspace, out of every variable, so that no script
/// can read the secrets back.
/// </summary>
internal sealed class SessionDefault
{
    public string? EndpointUrl { get; set; }

    public bool AllowInsecureEndpoint { get; set; }

    public string? Region { get; set; }

    public string? ProfileName { get; set; }

    public string? ProfileLocation { get; set; }

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    public string? SessionToken { get; set; }

    public object? Credential { get; set; }

    public bool HasCredentials => ProfileName is not null || AccessKey is not null || Credential is not null;

    public bool IsEmpty => EndpointUrl is null && Region is null && ProfileLocation is null && !HasCredentials;

    public SessionDefault Copy() => (SessionDefault)MemberwiseClone();

    /// <summary>Forgets the credentials (a new form of them replaces the old one whole).</summary>
    public void ClearCredentials()
    {
        ProfileName = null;
        AccessKey = null;
        SecretKey = null;
        SessionToken = null;
        Credential = null;
    }
}

/// <summary>The session default of the runspace a cmdlet runs in.</summary>
internal static class SessionDefaults
{
    private static readonly ConditionalWeakTable<Runspace, SessionDefault> ByRunspace = new();
    private static readonly object Gate = new();

    // A host without a runspace on this thread (rare: a cmdlet invoked directly): one default for the process.
    private static SessionDefault? _withoutRunspace;

    /// <summary>The current default; null when none is set. Call on the pipeline thread.</summary>
    public static SessionDefault? Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace;
            lock (Gate)
            {
                if (runspace is null)
                {
                    return _withoutRunspace;
                }

                return ByRunspace.TryGetValue(runspace, out var value) ? value : null;
            }
        }
    }

    public static void Set(SessionDefault value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        var runspace = Runspace.DefaultRunspace;
        lock (Gate)
        {
            if (runspace is null)
            {
                _withoutRunspace = value;
                return;
            }

            ByRunspace.Remove(runspace);
            ByRunspace.Add(runspace, value);
        }
    }

    public static void Clear()
    {
        var runspace = Runspace.DefaultRunspace;
        lock (Gate)
        {
            if (runspace is null)
            {
                _withoutRunspace = null;
                return;
            }

            ByRunspace.Remove(runspace);
        }
    }
}
