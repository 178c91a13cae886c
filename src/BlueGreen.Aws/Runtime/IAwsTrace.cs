namespace BlueGreen.Aws.Runtime;

/// <summary>Receives a line per request and response for debugging. Lines are redacted before they get here.</summary>
public interface IAwsTrace
{
    void Write(string message);
}
