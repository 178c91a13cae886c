namespace BlueGreen.Sandbox.Wire;

/// <summary>An error the sandbox answers with, shaped per protocol by the router.</summary>
internal sealed class AwsException : Exception
{
    public AwsException(string code, string message, int status = 400, bool senderFault = true)
        : base(message)
    {
        Code = code;
        Status = status;
        SenderFault = senderFault;
    }

    public AwsException()
        : this("InternalFailure", "Internal failure", 500, false)
    {
    }

    public AwsException(string message)
        : this("InvalidParameterException", message)
    {
    }

    public AwsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "InternalFailure";
        Status = 500;
    }

    public string Code { get; } = "InternalFailure";

    public int Status { get; } = 500;

    public bool SenderFault { get; }
}
