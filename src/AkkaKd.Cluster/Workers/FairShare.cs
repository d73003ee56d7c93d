namespace AkkaKd.Cluster.Workers;

/// <summary>One running sweep as a free slot sees it: its trials in hand cluster-wide, whether it has work now, its weight.</summary>
public sealed record SweepShare<TKey>(TKey Key, int Running, bool HasWork, int Weight, double Seconds);

/// <summary>
/// Which sweep a free slot asks for work when several run at once: the one furthest below its share. Each running
/// sweep is owed slots in proportion to its weight (equal shares by default), so the slot goes to the sweep with work
/// whose trials in hand per unit of weight are fewest. A slot that has just finished a trial decides before its
/// coordinator has counted that trial as ended, so the trial is not counted against its sweep (counting it made a
/// sweep of weight 2 look one trial fuller than it was: measured shares of 49/51 instead of 67/33). On a tie the slot
/// moves to another sweep rather than stay (with an odd number of slots two equal sweeps then take turns at the odd
/// one instead of the older sweep keeping it), and among the others goes to the sweep that has run longest. A sweep
/// that has nothing to hand out now takes no slot, and its share goes to the others (no slot waits for a sweep that
/// cannot use it). Slots are never taken back from a trial: a new sweep gets its share as the running trials end, so
/// within one trial's length.
/// </summary>
public static class FairShare
{
    /// <summary>
    /// The sweep a free slot asks, or null when no sweep has work now (then the slot asks them all). Leaving: the sweep
    /// whose trial the slot has just finished (still counted in its Running), or default for a slot that held nothing.
    /// </summary>
    public static SweepShare<TKey>? Pick<TKey>(IEnumerable<SweepShare<TKey>> sweeps, TKey? leaving = default)
    {
        var eq = EqualityComparer<TKey>.Default;
        SweepShare<TKey>? best = null;
        foreach (var share in sweeps)
        {
            if (!share.HasWork) continue;
            var s = leaving is not null && eq.Equals(share.Key, leaving) ? share with { Running = Math.Max(0, share.Running - 1) } : share;
            if (best is null || Below(s, best, leaving, eq)) best = s;
        }
        return best;
    }

    /// <summary>a is further below its share than b: fewer trials in hand per weight; on a tie, not the one left, else older.</summary>
    private static bool Below<TKey>(SweepShare<TKey> a, SweepShare<TKey> b, TKey? leaving, EqualityComparer<TKey> eq)
    {
        // Running / Weight compared without division: a.Running * b.Weight vs b.Running * a.Weight.
        long left = (long)a.Running * Math.Max(1, b.Weight), right = (long)b.Running * Math.Max(1, a.Weight);
        if (left != right) return left < right;
        bool aLeft = leaving is not null && eq.Equals(a.Key, leaving), bLeft = leaving is not null && eq.Equals(b.Key, leaving);
        if (aLeft != bLeft) return bLeft;
        return a.Seconds > b.Seconds;
    }
}
