using System.Text.Json.Nodes;

namespace BlueGreen.Sandbox.Hosting;

/// <summary>One AWS request the sandbox received, as the control API reports it. Never holds credentials.</summary>
internal sealed record LoggedRequest(long Sequence, DateTimeOffset Time, string Service, string Operation, string Region, int Status, string? ErrorCode, bool Mutating, string Source, double DurationMs)
{
    public JsonObject ToJson() => new()
    {
        ["sequence"] = Sequence,
        ["time"] = Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["service"] = Service,
        ["operation"] = Operation,
        ["region"] = Region,
        ["status"] = Status,
        ["errorCode"] = ErrorCode,
        ["mutating"] = Mutating,
        ["source"] = Source,
        ["durationMs"] = Math.Round(DurationMs, 2),
    };
}

/// <summary>The last requests received, newest last, bounded so a long demo cannot exhaust memory.</summary>
internal sealed class RequestLog
{
    private const int Capacity = 20_000;
    private readonly object _gate = new();
    private readonly LinkedList<LoggedRequest> _entries = new();
    private long _sequence;

    public static bool IsMutating(string operation) =>
        !(operation.StartsWith("Get", StringComparison.Ordinal) || operation.StartsWith("Describe", StringComparison.Ordinal)
          || operation.StartsWith("List", StringComparison.Ordinal) || operation.StartsWith("BatchGet", StringComparison.Ordinal)
          || operation == "Unknown");

    public void Add(string service, string operation, string region, int status, string? errorCode, string source, double durationMs)
    {
        lock (_gate)
        {
            _entries.AddLast(new LoggedRequest(++_sequence, DateTimeOffset.UtcNow, service, operation, region, status, errorCode, IsMutating(operation), source, durationMs));
            if (_entries.Count > Capacity)
            {
                _entries.RemoveFirst();
            }
        }
    }

    public IReadOnlyList<LoggedRequest> Since(long sequence)
    {
        lock (_gate)
        {
            return _entries.Where(e => e.Sequence > sequence).ToList();
        }
    }

    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _sequence;
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }
}
