namespace AkkaKd.Sweep.Search;

/// <summary>The epochs at which successive halving decides: min-epochs x eta^k below the full epochs, then the full epochs.</summary>
public static class Rungs
{
    public static int[] Of(int minEpochs, int eta, int epochs)
    {
        if (minEpochs < 1 || minEpochs > epochs) throw new ArgumentOutOfRangeException(nameof(minEpochs), "1 to epochs");
        if (eta < 2) throw new ArgumentOutOfRangeException(nameof(eta), "at least 2");
        var rungs = new List<int>();
        for (long r = minEpochs; r < epochs; r *= eta) rungs.Add((int)r);
        rungs.Add(epochs);
        return rungs.ToArray();
    }

    /// <summary>How many of <paramref name="n"/> go on from a closed rung: the top 1/eta, at least one.</summary>
    public static int Keep(int n, int eta) => n == 0 ? 0 : Math.Max(1, n / eta);

    /// <summary>The name of a configuration (width, T, alpha), the same for all its seeds.</summary>
    public static string ConfigId(Trial t) => SweepSettings.Sha256Hex(
        $"width={t.Width};T={(t.Temperature is { } x ? SweepSettings.Num(x) : "-")};alpha={SweepSettings.Num(t.Alpha)}")[..12];
}

/// <summary>The policy a sweep's settings ask for.</summary>
public static class SearchPolicies
{
    public static ISearchPolicy For(SweepSettings s, IReadOnlyList<Trial> trials)
    {
        var search = s.SearchOrDefault;
        return search.Scheduler == SchedulerKind.None
            ? new GridPolicy(trials, s.Student.Epochs)
            : new HalvingPolicy(trials, s.Student.Epochs, search.MinEpochs, search.Reduction, search.Scheduler == SchedulerKind.Asha);
    }
}
