namespace AkkaKd.Sweep.Work;

/// <summary>
/// The two ways a sweep ends before its work is done, decided here rather than in the coordinator: somebody cancelled it
/// (<c>akkakd cancel</c>), or every worker node refused its data (they hold other data, a file is missing or corrupt
/// there, or the sweep does not fit their memory: nothing could ever run).
/// </summary>
public sealed class SweepStop
{
    private readonly Dictionary<string, string> _refusedBy = new(StringComparer.Ordinal);

    /// <summary>Refusals named in the sweep's one-line error (the others are counted).</summary>
    public const int NamedRefusals = 3;

    /// <summary>Who cancelled the sweep (the first to ask), or null.</summary>
    public string? CancelledBy { get; private set; }

    public bool Cancelled => CancelledBy != null;

    /// <summary>The worker nodes up in the cluster now.</summary>
    public int WorkerNodes { get; set; }

    public void Cancel(string by) => CancelledBy ??= by;

    /// <summary>A worker node gave work back because it cannot use the sweep's data (its first reason is kept).</summary>
    public void RefusedData(string node, string detail) => _refusedBy.TryAdd(node, detail);

    /// <summary>
    /// Why the sweep must end now because of its data, or null: every worker node up refused it, and nothing is in a
    /// worker's hands or being written to the journal.
    /// </summary>
    public string? DataError(int inFlight, bool writing)
    {
        if (WorkerNodes <= 0 || _refusedBy.Count < WorkerNodes || inFlight > 0 || writing) return null;
        var nodes = _refusedBy.Keys.Order(StringComparer.Ordinal).ToList();
        var named = nodes.Take(NamedRefusals).Select(n => $"{n}: {_refusedBy[n]}");
        return $"every worker node ({string.Join(", ", nodes)}) refused the sweep's data: {string.Join("; ", named)}" +
               (nodes.Count > NamedRefusals ? $"; and {nodes.Count - NamedRefusals} more" : "");
    }
}
