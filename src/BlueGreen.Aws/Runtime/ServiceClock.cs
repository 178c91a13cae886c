using System;

namespace BlueGreen.Aws.Runtime;

/// <summary>
/// The service's clock as its last answer dated it (the HTTP Date header), carried forward by this computer's clock.
/// Lifecycle events are dated by the service; on a sandbox that runs time faster they drift far from this computer's
/// clock, so what is read is dated by this clock to sit beside them.
/// </summary>
public static class ServiceClock
{
    private static readonly object Gate = new();
    private static DateTimeOffset? _server;
    private static DateTimeOffset _local;

    /// <summary>Notes the time an answer was dated by.</summary>
    public static void Observe(DateTimeOffset serverTime)
    {
        lock (Gate)
        {
            _server = serverTime;
            _local = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>The service's time now: the last answer's date plus the time since it came; this computer's clock before any answer.</summary>
    public static DateTimeOffset Now
    {
        get
        {
            lock (Gate)
            {
                var now = DateTimeOffset.UtcNow;
                return _server is { } server ? server + (now - _local) : now;
            }
        }
    }
}
