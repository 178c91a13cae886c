using System.Globalization;
using System.Management.Automation;
using BlueGreen.Aws.Configuration;
using BlueGreen.Completion;
using BlueGreen.Core.Sandbox;
using BlueGreen.Internal;

namespace BlueGreen.Commands;

/// <summary>Sets where and as whom every BlueGreen cmdlet of this session talks to AWS when no parameter and no
/// piped object says so: endpoint, region, profile or credentials.</summary>
[Cmdlet(VerbsCommon.Set, "BlueGreenDefault", DefaultParameterSetName = ValuesSet, SupportsShouldProcess = true, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Set-BlueGreenDefault.md")]
[OutputType(typeof(BlueGreenDefault))]
public sealed class SetBlueGreenDefaultCommand : PSCmdlet
{
    private const string ValuesSet = "Values";
    private const string SandboxSet = "Sandbox";

    /// <summary>The region whose state a sandbox shows to the AWS CLI and the cmdlets (where it seeds).</summary>
    internal const string SandboxRegion = "us-east-1";

    /// <summary>The key pair every sandbox accepts (a well-known test key, not a secret).</summary>
    internal const string SandboxKey = "test";

    [Parameter(ParameterSetName = ValuesSet)]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    [Parameter(ParameterSetName = ValuesSet)]
    [ValidateNotNullOrEmpty]
    [Alias("RegionToCall")]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    [Parameter(ParameterSetName = ValuesSet)]
    [ValidateNotNullOrEmpty]
    [Alias("StoredCredentials", "AWSProfileName")]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string? ProfileName { get; set; }

    [Parameter(ParameterSetName = ValuesSet)]
    [ValidateNotNullOrEmpty]
    [Alias("AWSProfilesLocation", "ProfilesLocation")]
    public string? ProfileLocation { get; set; }

    [Parameter(ParameterSetName = ValuesSet)]
    [ValidateNotNullOrEmpty]
    [Alias("AK")]
    public string? AccessKey { get; set; }

    [Parameter(ParameterSetName = ValuesSet)]
    [ValidateNotNullOrEmpty]
    [Alias("SK", "SecretAccessKey")]
    public string? SecretKey { get; set; }

    [Parameter(ParameterSetName = ValuesSet)]
    [ValidateNotNullOrEmpty]
    [Alias("ST")]
    public string? SessionToken { get; set; }

    [Parameter(ParameterSetName = ValuesSet)]
    [ValidateNotNull]
    public PSObject? Credential { get; set; }

    [Parameter(ParameterSetName = ValuesSet)]
    public SwitchParameter AllowInsecureEndpoint { get; set; }

    /// <summary>A sandbox from Start-BlueGreenSandbox: its endpoint, its region and the key pair it accepts.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SandboxSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BlueGreenSandbox Sandbox { get; set; } = null!;

    /// <summary>Writes the new default (secrets masked).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var value = ParameterSetName == SandboxSet ? ForSandbox(Sandbox) : Merge(SessionDefaults.Current?.Copy() ?? new SessionDefault());
        // In a pipeline, the secrets are masked in its log before anything else is written.
        var pipeline = PipelineSupport.ReporterFor(this, write => write());
        pipeline.Mask(SecretKey);
        pipeline.Mask(SessionToken);
        Check(value);
        var view = new BlueGreenDefault(value);
        if (!ShouldProcess("this PowerShell session", $"Make every BlueGreen cmdlet use {view} unless told otherwise"))
        {
            return;
        }

        SessionDefaults.Set(value);
        if (PassThru)
        {
            WriteObject(view);
        }
    }

    internal static SessionDefault ForSandbox(BlueGreenSandbox sandbox) => new()
    {
        EndpointUrl = sandbox.Endpoint.ToString(),
        Region = SandboxRegion,
        AccessKey = SandboxKey,
        SecretKey = SandboxKey,
    };

    /// <summary>What was given replaces what was set; a new form of credentials replaces the old one whole.</summary>
    private SessionDefault Merge(SessionDefault value)
    {
        var forms = (ProfileName is null ? 0 : 1) + (AccessKey is null && SecretKey is null && SessionToken is null ? 0 : 1) + (Credential is null ? 0 : 1);
        if (forms > 1)
        {
            ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("Give one form of credentials: -ProfileName, -AccessKey with -SecretKey, or -Credential."),
                "ConflictingCredentials", ErrorCategory.InvalidArgument, null, "Run Set-BlueGreenDefault with one of them; the new one replaces the credentials set before."));
        }

        if (forms == 1)
        {
            if (AccessKey is null != (SecretKey is null))
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-AccessKey and -SecretKey must be given together."),
                    "IncompleteCredentials", ErrorCategory.InvalidArgument, null, "Give both (and -SessionToken for temporary credentials), or use -ProfileName."));
            }

            if (SessionToken is not null && AccessKey is null)
            {
                ThrowTerminatingError(ErrorRecords.Create(new PSArgumentException("-SessionToken goes with -AccessKey and -SecretKey."),
                    "IncompleteCredentials", ErrorCategory.InvalidArgument, null, "Give -AccessKey, -SecretKey and -SessionToken together."));
            }

            value.ClearCredentials();
            value.ProfileName = ProfileName;
            value.AccessKey = AccessKey;
            value.SecretKey = SecretKey;
            value.SessionToken = SessionToken;
            value.Credential = Credential?.BaseObject;
        }

        if (EndpointUrl is not null)
        {
            value.EndpointUrl = EndpointUrl.Trim();
            value.AllowInsecureEndpoint = AllowInsecureEndpoint.IsPresent;
        }
        else if (MyInvocation.BoundParameters.ContainsKey(nameof(AllowInsecureEndpoint)))
        {
            value.AllowInsecureEndpoint = AllowInsecureEndpoint.IsPresent;
        }

        value.Region = Region?.Trim() ?? value.Region;
        value.ProfileLocation = ProfileLocation ?? value.ProfileLocation;
        return value;
    }

    /// <summary>Refuses a default that no cmdlet could use, before it is set: a bad endpoint, region, profile or credentials.</summary>
    private void Check(SessionDefault value)
    {
        try
        {
            if (value.EndpointUrl is not null)
            {
                AwsContextResolver.ParseEndpoint(value.EndpointUrl, "-EndpointUrl", value.AllowInsecureEndpoint);
            }

            if (value.Region is not null && AwsPartition.ForRegion(value.Region) is null)
            {
                throw new AwsConfigurationException("UnknownRegion", $"'{value.Region}' is not an AWS region.",
                    "Pass a region name such as us-east-1 or eu-west-1 to -Region.", value.Region);
            }

            if (value.HasCredentials)
            {
                // Only the credentials are judged here; a region is a stand-in when none is set yet.
                new AwsContextResolver().Resolve(new AwsConnectionSettings
                {
                    Region = value.Region ?? SandboxRegion,
                    ProfileName = value.ProfileName,
                    ProfileLocation = value.ProfileLocation,
                    AccessKey = value.AccessKey,
                    SecretKey = value.SecretKey,
                    SessionToken = value.SessionToken,
                    Credential = value.Credential,
                    EndpointUrl = value.EndpointUrl,
                    AllowInsecureEndpoint = value.AllowInsecureEndpoint,
                });
            }
            else if (value.ProfileLocation is not null && !System.IO.File.Exists(value.ProfileLocation))
            {
                ThrowTerminatingError(ErrorRecords.Create(new System.IO.FileNotFoundException($"There is no credentials file at '{value.ProfileLocation}'.", value.ProfileLocation),
                    "ProfileLocationNotFound", ErrorCategory.ObjectNotFound, value.ProfileLocation, "Pass the path of an existing credentials file to -ProfileLocation."));
            }
        }
        catch (AwsConfigurationException ex) when (ex.ErrorId is not ("NoRegion" or "NoCredentials" or "CredentialsUnavailable"))
        {
            ThrowTerminatingError(ErrorRecords.FromConfiguration(ex));
        }
    }
}

/// <summary>Shows the session default, secrets masked; writes nothing when none is set.</summary>
[Cmdlet(VerbsCommon.Get, "BlueGreenDefault", HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Get-BlueGreenDefault.md")]
[OutputType(typeof(BlueGreenDefault))]
public sealed class GetBlueGreenDefaultCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        if (SessionDefaults.Current is { } value)
        {
            WriteObject(new BlueGreenDefault(value));
        }
    }
}

/// <summary>Forgets the session default: the cmdlets go back to AWS.Tools' stored values, the environment and the profiles.</summary>
[Cmdlet(VerbsCommon.Clear, "BlueGreenDefault", SupportsShouldProcess = true, HelpUri = "https://github.com/bluegreen-ps/BlueGreen/blob/main/docs/cmdlets/Clear-BlueGreenDefault.md")]
[OutputType(typeof(BlueGreenDefault))]
public sealed class ClearBlueGreenDefaultCommand : PSCmdlet
{
    /// <summary>Writes the default that was forgotten, secrets masked, so that a script can restore or report it.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        if (SessionDefaults.Current is { } value &&
            ShouldProcess("this PowerShell session", string.Format(CultureInfo.InvariantCulture, "Forget the BlueGreen default ({0})", new BlueGreenDefault(value))))
        {
            SessionDefaults.Clear();
            if (PassThru)
            {
                WriteObject(new BlueGreenDefault(value));
            }
        }
    }
}
