using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Runtime;
using BlueGreen.Completion;

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
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("StoredCredentials", "AWSProfileName")]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
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

    /// <summary>Resolves a context. What decides, first match wins: this call's parameters, the values a piped
    /// object carries (<paramref name="carried"/>), the session default (Set-BlueGreenDefault), then AWS.Tools'
    /// stored values, the environment and the profiles. With <paramref name="carriedFirst"/> (a train's target, which names
    /// its own region and profile) the carried values come before this call's parameters.</summary>
    protected AwsContext ResolveContext(AwsConnectionSettings? carried, bool carriedFirst = false)
    {
        var fallback = SessionDefaults.Current;
        var settings = new AwsConnectionSettings
        {
            Region = carriedFirst ? carried?.Region ?? Region : Region ?? carried?.Region,
            EndpointUrl = carriedFirst ? carried?.EndpointUrl ?? EndpointUrl : EndpointUrl ?? carried?.EndpointUrl,
            AllowInsecureEndpoint = AllowInsecureEndpoint.IsPresent,
            ProfileLocation = ProfileLocation,
            StoredCredentials = StoredCredentials(SessionState.PSVariable.GetValue("StoredAWSCredentials")),
            StoredRegion = Unwrap(SessionState.PSVariable.GetValue("StoredAWSRegion"))?.ToString(),
            MfaCodeProvider = CanPrompt() ? PromptForMfaCode : null,
        };

        // A deployment carries the name of the profile its context had, which is the ambient one (AWS_PROFILE or
        // default) even when its credentials came from elsewhere: that name must not outrank the session's own credentials.
        var carriedProfile = carried?.ProfileName;
        if (carriedProfile is not null && fallback?.HasCredentials == true && carriedProfile == AmbientProfileName())
        {
            carriedProfile = null;
        }

        var credentialsFromDefault = false;
        if (carriedFirst && carried?.ProfileName is not null)
        {
            settings.ProfileName = carried.ProfileName;
        }
        else if (ProfileName is not null || AccessKey is not null || SecretKey is not null || SessionToken is not null || Credential is not null)
        {
            settings.ProfileName = ProfileName;
            settings.AccessKey = AccessKey;
            settings.SecretKey = SecretKey;
            settings.SessionToken = SessionToken;
            settings.Credential = Credential?.BaseObject;
        }
        else if (carriedProfile is not null)
        {
            settings.ProfileName = carriedProfile;
        }
        else if (fallback?.HasCredentials == true)
        {
            settings.ProfileName = fallback.ProfileName;
            settings.AccessKey = fallback.AccessKey;
            settings.SecretKey = fallback.SecretKey;
            settings.SessionToken = fallback.SessionToken;
            settings.Credential = fallback.Credential;
            credentialsFromDefault = true;
        }

        // Before anything could print them: the pipeline hides them from its log.
        Pipeline.Mask(settings.SecretKey);
        Pipeline.Mask(settings.SessionToken);
        if (fallback is not null)
        {
            settings.ProfileLocation ??= fallback.ProfileLocation;
            if (settings.Region is null && fallback.Region is not null)
            {
                // A profile named by a parameter or the piped object keeps its own region above the default's.
                if (settings.ProfileName is not null && !credentialsFromDefault)
                {
                    settings.StoredRegion = fallback.Region;
                }
                else
                {
                    settings.Region = fallback.Region;
                }
            }

            // The default endpoint (a sandbox, say) also takes the requests about piped objects that name none, such as those read
            // from AWS itself: a rehearsal leaves this machine only when a parameter or the object names another endpoint.
            if (settings.EndpointUrl is null && fallback.EndpointUrl is not null)
            {
                settings.EndpointUrl = fallback.EndpointUrl;
                settings.AllowInsecureEndpoint |= fallback.AllowInsecureEndpoint;
            }
        }

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

        var source = credentialsFromDefault ? "the session default (Set-BlueGreenDefault)" : context.CredentialSource;
        var summary = $"AWS: region {context.Region}, credentials from {source}" +
            (context.EndpointUrl is null ? string.Empty : $", endpoint {context.EndpointUrl}");
        if (IsDebugging())
        {
            context.Trace = new DebugTrace(this);
            // The line goes to the debug stream with the traces (with -Debug, WriteVerbose would send it there too).
            WriteDebug(summary);
        }
        else
        {
            WriteVerbose(summary);
        }

        return context;
    }

    /// <summary>
    /// Asks for the MFA code through the host, on the pipeline thread (the only one that may use it), when
    /// the SDK first needs the role's credentials.
    /// </summary>
    private string PromptForMfaCode(MfaCodeRequest request)
    {
        string? code = null;
        Exception? failure = null;
        OnPipelineThreadAndWait(() =>
        {
            try
            {
                var field = new FieldDescription("MfaCode") { Label = "MFA code", HelpMessage = $"The current code of {request.MfaSerial}" };
                var answers = Host.UI.Prompt($"MFA code for the AWS profile '{request.ProfileName}'",
                    $"Assuming {request.RoleArn} needs the current code of the MFA device {request.MfaSerial}.",
                    new Collection<FieldDescription> { field });
                code = answers is not null && answers.TryGetValue("MfaCode", out var answer) ? Unwrap(answer)?.ToString()?.Trim() : null;
            }
            catch (Exception ex) when (ex is PSInvalidOperationException or NotImplementedException or PSNotImplementedException or HostException)
            {
                // A host that cannot prompt (-NonInteractive, a hosted runspace without UI).
                failure = ex;
            }
        });

        if (failure is not null || code is null)
        {
            throw AwsContextResolver.MfaCodeRequired(request.ProfileName, request.RoleArn, request.MfaSerial);
        }

        if (code.Length != 6 || !IsDigits(code))
        {
            throw new AwsConfigurationException("InvalidMfaCode", $"The MFA code for the AWS profile '{request.ProfileName}' must be the 6 digits the device {request.MfaSerial} shows.",
                "Run the command again and enter the current 6-digit code.", request.ProfileName);
        }

        return code;
    }

    private static bool IsDigits(string value)
    {
        foreach (var c in value)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a person can be asked for an MFA code: not in CI, not with -NonInteractive, not without a host UI.</summary>
    private bool CanPrompt()
    {
        if (Host?.UI is null || string.Equals(Host.Name, "Default Host", StringComparison.Ordinal) || string.Equals(Host.Name, "ServerRemoteHost", StringComparison.Ordinal))
        {
            return false;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ||
            string.Equals(Environment.GetEnvironmentVariable("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // pwsh -NonInteractive (or any abbreviation from -noni): the host would refuse to prompt.
        var arguments = Environment.GetCommandLineArgs();
        for (var i = 1; i < arguments.Length; i++)
        {
            var argument = arguments[i].ToLowerInvariant();
            if (argument.Length > 1 && (argument[0] == '-' || argument[0] == '/'))
            {
                var name = argument.Substring(1).TrimStart('-');
                if (name.Length >= 4 && "noninteractive".StartsWith(name, StringComparison.Ordinal))
                {
                    return false;
                }

                // What follows the script or command belongs to it, not to pwsh.
                if (name is "c" or "command" or "f" or "file" or "e" or "ec" or "encodedcommand")
                {
                    break;
                }
            }
        }

        return true;
    }

    private static string AmbientProfileName()
    {
        var name = Environment.GetEnvironmentVariable("AWS_PROFILE");
        return string.IsNullOrEmpty(name) ? "default" : name!;
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
