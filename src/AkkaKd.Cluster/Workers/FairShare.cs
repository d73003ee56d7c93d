namespace AkkaKd.Cluster.Workers;

/// <summary>One running sweep as a free slot sees it: its trials in hand cluster-wide, whether it has work now, its weight.</summary>
public sealed record SweepShare<TKey>(TKey Key, int Running, bool HasWork, int Weight, double Seconds);

/// <summary>
/// Which sweep a free slot asks for work when several run at once: the one furthest below its share. Each running
/// sweep is owed slots in proportion to its weight (equal shares by default), so the slot goes to the sweep with work
/// whose trials in hand per unit of weight are fewest; on a tie, to the sweep that has run longest. A sweep that has
/// nothing to hand out now takes no slot, and its share goes to the others (no slot waits for a sweep that cannot use
/// it). Slots are never taken back from a trial: a new sweep gets its share as the running trials end, so within one
/// trial's length.
/// </summary>
public static class FairShare
{
    /// <summary>The sweep a free slot asks, or null when no sweep has work now (then the slot asks them all).</summary>
    public static SweepShare<TKey>? Pick<TKey>(IEnumerable<SweepShare<TKey>> sweeps)
    {
        SweepShare<TKey>? best = null;
        foreach (var s in sweeps)
        {
            if (!s.HasWork) continue;
            if (best is null || Below(s, best)) best = s;
        }
        return best;
    }

    /// <summary>a is further below its share than b: fewer trials in hand per weight, else older.</summary>
    private static bool Below<TKey>(SweepShare<TKey> a, SweepShare<TKey> b)
    {
        // Running / Weight compared without division: a.Running * b.Weight vs b.Running * a.Weight.
        long left = (long)a.Running * Math.Max(1, b.Weight), right = (long)b.Running * Math.Max(1, a.Weight);
        return left != right ? left < right : a.Seconds > b.Seconds;
    }
}
