using AkkaKd.Sweep.Search;

namespace AkkaKd.Sweep.Work;

/// <summary>What the ledger did that the reporter and the log should hear of.</summary>
public abstract record LedgerEvent
{
    /// <summary>Work went back to the queue (its worker died, failed, or gave it back).</summary>
    public sealed record Requeued(WorkItem Work, string Reason) : LedgerEvent;

    /// <summary>A trial failed for good.</summary>
    public sealed record GaveUp(WorkItem Work, string Error) : LedgerEvent;

    /// <summary>The search policy decided about a trial (journalled by the coordinator).</summary>
    public sealed record Decided(PolicyDecision Decision) : LedgerEvent;

    /// <summary>The sweep cannot go on (the journal keeps failing).</summary>
    public sealed record Stopped(string Error) : LedgerEvent;
}
