using System.Diagnostics;

namespace BlueGreen.Sandbox.Engine;

/// <summary>Injected latency that is never shorter than asked: a timer may fire a fraction of a millisecond early, and
/// a delay a client measures must not come in under the one it set.</summary>
internal static class Latency
{
    public static async Task DelayAsync(int milliseconds, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var wanted = TimeSpan.FromMilliseconds(milliseconds);
        await Task.Delay(wanted, cancellationToken).ConfigureAwait(false);
        while (Stopwatch.GetElapsedTime(started) < wanted)
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }
}
