using System.Collections.Concurrent;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Tests.Infrastructure;

/// <summary>Keeps every trace line the transport writes.</summary>
public sealed class CapturingTrace : IAwsTrace
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void Write(string message) => Lines.Enqueue(message);
}
