namespace AkkaKd.Sweep.Search;

/// <summary>
/// The configuration a search selects: among the searched (distilled) configurations, the best mean validation accuracy
/// over its seeds, at the full epochs. Baselines are not searched (every one trains in full): they are the reference.
/// </summary>
public sealed record SelectedConfiguration(int Width, double? Temperature, double Alpha, int Seeds, double ValAcc, SampleStats Test)
{
    public string Label => Temperature is { } t ? $"w{Width} T{SweepSettings.Num(t)} a{SweepSettings.Num(Alpha)}" : $"w{Width} baseline";
}

/// <summary>
/// What a search spent and what it chose, from its journal: student epochs trained (distilled trials; baselines apart),
/// and the selected configuration (none when no result has a validation accuracy: a search never selects on test).
/// </summary>
public sealed record SearchSummary(long StudentEpochs, long BaselineEpochs, int Configurations, int FullyTrained,
    SelectedConfiguration? Selected)
{
    public static SearchSummary Of(IReadOnlyList<TrialResult> finals, IReadOnlyList<RungRecord> rungs, int epochs)
    {
        var reached = new Dictionary<string, (bool Baseline, int Epoch)>(StringComparer.Ordinal);
        foreach (var r in rungs)
            reached[r.Id] = (false, Math.Max(r.Epoch, reached.GetValueOrDefault(r.Id).Epoch));
        foreach (var t in finals)
            reached[t.Id] = (t.IsBaseline, Math.Max(t.Epochs ?? epochs, reached.GetValueOrDefault(t.Id).Epoch));
        long student = reached.Values.Where(v => !v.Baseline).Sum(v => (long)v.Epoch);
        long baseline = reached.Values.Where(v => v.Baseline).Sum(v => (long)v.Epoch);
        var configs = rungs.Select(r => r.Config).Concat(finals.Where(f => !f.IsBaseline).Select(ConfigOf)).Distinct().Count();

        var full = finals.Where(f => (f.Epochs ?? epochs) == epochs)
            .GroupBy(f => (f.Width, f.Temperature, f.Alpha)).ToList();
        var candidates = full.Where(g => !g.First().IsBaseline && g.All(f => f.ValAcc is { } v && double.IsFinite(v)))
            .Select(g => (g.Key, Val: g.OrderBy(f => f.Id, StringComparer.Ordinal).Sum(f => f.ValAcc!.Value) / g.Count(), Results: g.ToList()))
            .OrderByDescending(c => c.Val).ThenBy(c => c.Key.Width).ThenBy(c => c.Key.Alpha).ThenBy(c => c.Key.Temperature ?? 0)
            .ToList();
        SelectedConfiguration? selected = null;
        if (candidates.Count > 0)
        {
            var best = candidates[0];
            selected = new SelectedConfiguration(best.Key.Width, best.Key.Temperature, best.Key.Alpha, best.Results.Count, best.Val,
                Statistics.Summarize(best.Results.Select(r => r.TestAccuracy).ToList()));
        }
        return new SearchSummary(student, baseline, configs, full.Count(g => !g.First().IsBaseline), selected);
    }

    private static string ConfigOf(TrialResult f) =>
        Rungs.ConfigId(new Trial(f.Id, "", f.Width, f.Temperature, f.Alpha, f.Seed, 0));
}
