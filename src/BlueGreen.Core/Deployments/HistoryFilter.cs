using System;
using System.Collections.Generic;
using System.Linq;

namespace BlueGreen.Core.Deployments;

/// <summary>
/// Which releases of a target's history to keep: those in one of some states, those created at or after a time, and
/// at most the first few of them, newest first.
/// </summary>
public sealed class HistoryFilter
{
    public HistoryFilter(IReadOnlyCollection<DeploymentStatus>? statuses = null, DateTime? since = null, int? first = null)
    {
        if (first is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, "At least one release must be asked for.");
        }

        Statuses = statuses is { Count: > 0 } ? statuses : null;
        Since = since;
        First = first;
    }

    public IReadOnlyCollection<DeploymentStatus>? Statuses { get; }

    public DateTime? Since { get; }

    public int? First { get; }

    /// <summary>True when nothing is filtered: the caller's own choice of the latest or every release stands.</summary>
    public bool IsEmpty => Statuses is null && Since is null && First is null;

    /// <summary>The releases kept, in the order given (newest first). A release with no creation time fails a <see cref="Since"/>.</summary>
    public IEnumerable<BlueGreenDeployment> Apply(IEnumerable<BlueGreenDeployment> newestFirst)
    {
        var kept = newestFirst.Where(d => Statuses is null || Statuses.Contains(d.Status));
        if (Since is { } since)
        {
            // Both sides in UTC: a local -Since typed at the prompt compares with AWS's UTC times.
            var from = since.Kind == DateTimeKind.Unspecified ? since : since.ToUniversalTime();
            kept = kept.Where(d => d.CreateTime is { } created && (created.Kind == DateTimeKind.Unspecified ? created : created.ToUniversalTime()) >= from);
        }

        return First is { } first ? kept.Take(first) : kept;
    }
}
