namespace AkkaKd.Cluster.Workers;

/// <summary>One running sweep as a free slot sees it: its trials in hand cluster-wide, whether it has work now, its weight.</summary>
public sealed record SweepShare<TKey>(TKey Key, int Running, bool HasWork, int Weight, double Seconds);

/// <summary>
/// Which sweep a free slot asks for work when several run at once. The slots in use are owed to the sweeps that have
/// work in proportion to their weights (equal shares by default): a sweep's target is its weight's part of the trials
/// in hand of all of them. A slot that held nothing goes to the sweep furthest below its target (on a tie, the one
/// that has run longest). A slot that has just finished a trial stays with its sweep unless that sweep is over its
/// target; then it moves, to the sweep furthest below its target, with the chance excess / trials in hand. That chance
/// matters: slots whose trials end together all decide on the same view (trials of one length end in step), and if
/// each moved whenever its sweep was over its share they would all move at once, back and forth, and every sweep would
/// get half whatever its weight (measured: 47/53 with weights 2 and 1). Moving each with that chance moves the excess
/// on average and no more. A sweep that has nothing to hand out now takes no slot, and its share goes to the others.
/// Slots are never taken back from a trial: a new sweep gets its share as the running trials end.
/// </summary>
public static class FairShare
{
    /// <summary>
    /// The sweep a free slot asks, or null when no sweep has work now (then the slot asks them all). Leaving: the sweep
    /// whose trial the slot has just finished (still counted in its Running), or default for a slot that held nothing.
    /// Draw: a uniform number in [0, 1) that decides a move made by chance (0: move whenever the sweep is over its share).
    /// </summary>
    public static SweepShare<TKey>? Pick<TKey>(IEnumerable<SweepShare<TKey>> sweeps, TKey? leaving = default, double draw = 0)
    {
        var eq = EqualityComparer<TKey>.Default;
        var open = sweeps.Where(s => s.HasWork).ToList();
        if (open.Count == 0) return null;
        var from = leaving is null ? null : open.FirstOrDefault(s => eq.Equals(s.Key, leaving));
        // The slots to share: the trials in hand of the sweeps with work, this slot among them (counted once).
        double slots = open.Sum(s => Math.Max(0, s.Running)) + (from is null ? 1 : 0);
        double weights = open.Sum(Weight);
        double Deficit(SweepShare<TKey> s) => slots * Weight(s) / weights - s.Running;
        if (from is not null)
        {
            double excess = -Deficit(from);
            if (excess <= 1e-9 || draw >= excess / Math.Max(1, from.Running)) return from;
            open.Remove(from);
            if (open.Count == 0) return from;
        }
        var best = open[0];
        foreach (var s in open.Skip(1))
        {
            double a = Deficit(s), b = Deficit(best);
            if (a > b + 1e-9 || (Math.Abs(a - b) <= 1e-9 && s.Seconds > best.Seconds)) best = s;
        }
        return best;
    }

    private static double Weight<TKey>(SweepShare<TKey> s) => Math.Max(1, s.Weight);
}
