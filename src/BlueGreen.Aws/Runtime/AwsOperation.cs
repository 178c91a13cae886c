namespace BlueGreen.Aws.Runtime;

/// <summary>One API operation as the transport sees it.</summary>
public sealed class AwsOperation
{
    public AwsOperation(string name, bool retryWhenOutcomeUnknown)
    {
        Name = name;
        RetryWhenOutcomeUnknown = retryWhenOutcomeUnknown;
    }

    public string Name { get; }

    /// <summary>Whether sending the request again is harmless when its answer was lost or was a 5xx:
    /// true for reads and absolute updates; false for operations that create or trigger something, whose
    /// callers look up what happened instead.</summary>
    public bool RetryWhenOutcomeUnknown { get; }
}
