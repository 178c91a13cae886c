namespace BlueGreen.Sandbox.Engine;

/// <summary>
/// Simulated time: starts at the real time and runs <see cref="Scale"/> times faster. Changing the
/// scale keeps the current virtual instant, so nothing jumps. A scale of 0 holds simulated time still
/// (everything waits until the scale is raised again). Signatures are checked against real time.
/// </summary>
internal sealed class VirtualClock
{
    private readonly TimeProvider _real;
    private readonly object _gate = new();
    private DateTimeOffset _virtualAnchor;
    private long _realAnchor;
    private double _scale;

    public VirtualClock(TimeProvider real, double scale)
    {
        _real = real;
        _virtualAnchor = real.GetUtcNow();
        _realAnchor = real.GetTimestamp();
        _scale = scale;
    }

    public DateTimeOffset Now
    {
        get
        {
            lock (_gate)
            {
                return NowUnlocked();
            }
        }
    }

    public double Scale
    {
        get
        {
            lock (_gate)
            {
                return _scale;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                _virtualAnchor = NowUnlocked();
                _realAnchor = _real.GetTimestamp();
                _scale = value;
            }
        }
    }

    private DateTimeOffset NowUnlocked()
    {
        var elapsed = _real.GetElapsedTime(_realAnchor);
        return _virtualAnchor + TimeSpan.FromTicks((long)(elapsed.Ticks * _scale));
    }
}
