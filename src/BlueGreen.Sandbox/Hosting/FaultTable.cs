using System.Text.Json.Nodes;
using BlueGreen.Sandbox.Wire;

namespace BlueGreen.Sandbox.Hosting;

/// <summary>Faults injected into one service's operation (or every operation, "*").</summary>
internal sealed record Fault(string Service, string Operation, double ThrottleRate, double ErrorRate, int LatencyMs, double DropRate)
{
    public JsonObject ToJson() => new()
    {
        ["service"] = Service,
        ["operation"] = Operation,
        ["throttleRate"] = ThrottleRate,
        ["errorRate"] = ErrorRate,
        ["latencyMs"] = LatencyMs,
        ["dropRate"] = DropRate,
    };
}

internal sealed class FaultTable
{
    private readonly object _gate = new();
    private readonly List<Fault> _faults = [];

    /// <summary>The scope names the AWS CLI signs with, plus the names users know the services by.</summary>
    public static string CanonicalService(string name) => name.ToLowerInvariant() switch
    {
        "elbv2" or "elb" or "elasticloadbalancingv2" => "elasticloadbalancing",
        "cloudwatch" => "monitoring",
        var n => n,
    };

    public Fault Set(JsonNode body)
    {
        var fault = new Fault(
            CanonicalService(body.Str("service") ?? "*"),
            body.Str("operation") ?? "*",
            Rate(body.Num("throttleRate")),
            Rate(body.Num("errorRate")),
            Math.Max(0, body.Int("latencyMs") ?? 0),
            Rate(body.Num("dropRate")));
        lock (_gate)
        {
            _faults.RemoveAll(f => f.Service == fault.Service && f.Operation == fault.Operation);
            _faults.Add(fault);
        }

        return fault;
    }

    public IReadOnlyList<Fault> All()
    {
        lock (_gate)
        {
            return [.. _faults];
        }
    }

    public Fault? Find(string service, string operation)
    {
        lock (_gate)
        {
            return _faults.FirstOrDefault(f => f.Service == service && f.Operation == operation)
                ?? _faults.FirstOrDefault(f => f.Service == service && f.Operation == "*")
                ?? _faults.FirstOrDefault(f => f.Service == "*" && f.Operation == "*");
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    private static double Rate(double? value) => value is null ? 0 : Math.Clamp(value.Value, 0, 1);
}
