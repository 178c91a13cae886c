using System;
using System.Management.Automation;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Internal;

/// <summary>
/// The base of every cmdlet that talks to AWS: the AWS.Tools common parameters, resolved into an
/// <see cref="AwsContext"/> before anything is sent.
/// </summary>
public abstract class AwsCmdlet : AsyncCmdlet
{
    /// <summary>The AWS region, e.g. us-east-1.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("RegionToCall")]
    public string? Region { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("StoredCredentials", "AWSProfileName")]
    public string? ProfileName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("AWSProfilesLocation", "ProfilesLocation")]
    public string? ProfileLocation { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("AK")]
    public string? AccessKey { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("SK", "SecretAccessKey")]
    public string? SecretKey { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("ST")]
    public string? SessionToken { get; set; }

    /// <summary>An Amazon.Runtime.AWSCredentials (from AWS.Tools' Get-AWSCredential or the SDK), of any AWSSDK.Core version.</summary>
    [Parameter]
    [ValidateNotNull]
    public PSObject? Credential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    [Parameter]
    public SwitchParameter AllowInsecureEndpoint { get; set; }

    private AwsContext? _context;

    /// <summary>The resolved AWS context; resolving it reports bad input as a terminating error.</summary>
    protected AwsContext AwsContext => _context ??= ResolveContext(null);

    /// <summary>Resolves a context, letting values carried by a piped object fill what was not given.</summary>
    protected AwsContext ResolveContext(AwsConnectionSettings? carried)
    {
        var settings = new AwsConnectionSettings
        {
            Region = Region ?? carried?.Region,
            ProfileName = ProfileName ?? (AccessKey is null && Credential is null ? carried?.ProfileName : null),
            ProfileLocation = ProfileLocation,
            AccessKey = AccessKey,
            SecretKey = SecretKey,
            SessionToken = SessionToken,
            Credential = Credential?.BaseObject,
            EndpointUrl = EndpointUrl ?? carried?.EndpointUrl,
            AllowInsecureEndpoint = AllowInsecureEndpoint.IsPresent,
            StoredCredentials = StoredCredentials(SessionState.PSVariable.GetValue("StoredAWSCredentials")),
            StoredRegion = Unwrap(SessionState.PSVariable.GetValue("StoredAWSRegion"))?.ToString(),
        };

        AwsContext context;
        try
        {
            context = new AwsContextResolver().Resolve(settings);
        }
        catch (AwsConfigurationException ex)
        {
            ThrowTerminatingError(ErrorRecords.FromConfiguration(ex));
            throw; // not reached: ThrowTerminatingError always throws
        }

        var summary = $"AWS: region {context.Region}, credentials from {context.CredentialSource}" +
            (context.EndpointUrl is null ? string.Empty : $", endpoint {context.EndpointUrl}");
        if (IsDebugging())
        {
            context.Trace = new DebugTrace(this);
            // -Debug on a compiled cmdlet makes WriteVerbose ask to continue (and fail when non-interactive):
            // the line goes to the debug stream with the traces instead.
            WriteDebug(summary);
        }
        else
        {
            WriteVerbose(summary);
        }

        return context;
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    // AWS.Tools keeps an object whose Credentials property holds the AWSCredentials; scripts sometimes
    // build the same shape as a PSCustomObject, which reflection cannot see into.
    private static object? StoredCredentials(object? value) =>
        value is PSObject { BaseObject: PSCustomObject } wrapped && wrapped.Properties["Credentials"]?.Value is { } inner
            ? Unwrap(inner)
            : Unwrap(value);

    private bool IsDebugging()
    {
        if (MyInvocation.BoundParameters.TryGetValue("Debug", out var debug))
        {
            return debug is SwitchParameter { IsPresent: true };
        }

        var preference = Unwrap(SessionState.PSVariable.GetValue("DebugPreference"));
        return preference is ActionPreference value && value != ActionPreference.SilentlyContinue && value != ActionPreference.Ignore;
    }

    private sealed class DebugTrace : IAwsTrace
    {
        private readonly AwsCmdlet _cmdlet;

        public DebugTrace(AwsCmdlet cmdlet) => _cmdlet = cmdlet;

        public void Write(string message) => _cmdlet.EmitDebug(message);
    }
}
