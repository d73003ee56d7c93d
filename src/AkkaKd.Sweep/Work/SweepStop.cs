namespace AkkaKd.Sweep.Work;

/// <summary>
/// The two ways a sweep ends before its work is done, decided here rather than in the coordinator: somebody cancelled it
/// (<c>akkakd cancel</c>), or every worker node refused its data (they hold other data, so nothing could ever run).
/// </summary>
public sealed class SweepStop
{
    private readonly HashSet<string> _refusedBy = new(StringComparer.Ordinal);
    private string _refusal = "";

    /// <summary>Who cancelled the sweep (the first to ask), or null.</summary>
    public string? CancelledBy { get; private set; }

    public bool Cancelled => CancelledBy != null;

    /// <summary>The worker nodes up in the cluster now.</summary>
    public int WorkerNodes { get; set; }

    public void Cancel(string by) => CancelledBy ??= by;

    /// <summary>A worker node gave work back because its data differ from the sweep's.</summary>
    public void RefusedData(string node, string detail)
    {
        if (_refusedBy.Add(node)) _refusal = detail;
    }

    /// <summary>
    /// Why the sweep must end now because of its data, or null: every worker node up refused it, and nothing is in a
    /// worker's hands or being written to the journal.
    /// </summary>
    public string? DataError(int inFlight, bool writing) =>
        WorkerNodes > 0 && _refusedBy.Count >= WorkerNodes && inFlight == 0 && !writing
            ? $"every worker node ({string.Join(", ", _refusedBy.Order(StringComparer.Ordinal))}) refused the sweep's data: {_refusal}"
            : null;
}
