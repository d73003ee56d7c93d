using AkkaKd.Sweep;
using AkkaKd.Sweep.Search;

namespace AkkaKd.Reports;

/// <summary>
/// One configuration's validation curve in a scheduled search: the mean over its seeds, per epoch from the first (a trial
/// line's curve, or for a configuration stopped at a rung its rung lines' curves), or only its rung points when the
/// journal has no curves. <see cref="Stopped"/>: a scheduler stopped it; <see cref="Selected"/>: the ranking's first.
/// </summary>
public sealed record SearchCurve(string Config, string Label, double[] Epochs, double[] ValAcc, bool Stopped, bool Selected)
{
    /// <summary>The furthest epoch it was trained to.</summary>
    public int Reached => Epochs.Length == 0 ? 0 : (int)Epochs[^1];

    public double? Last => ValAcc.Length == 0 ? null : ValAcc[^1];
}

/// <summary>
/// What the report shows of a scheduled search (sha, asha), from the journal alone: every configuration's curve, stopped
/// ones apart, the selected one, the rungs and the student epochs spent against the full budget. Null for a grid.
/// </summary>
public sealed class SearchView
{
    private SearchView(string? scheduler, IReadOnlyList<SearchCurve> curves, IReadOnlyList<string> rungLines, long spent, long? budget)
    {
        (Scheduler, Curves, RungLines, EpochsSpent, Budget) = (scheduler, curves, rungLines, spent, budget);
    }

    /// <summary>sha or asha (from the recorded sweep file), null when it cannot be read.</summary>
    public string? Scheduler { get; }

    /// <summary>Every configuration, furthest first, then best last validation accuracy.</summary>
    public IReadOnlyList<SearchCurve> Curves { get; }

    /// <summary>Per rung, configurations in, going on and stopped; then the epochs spent (<see cref="SearchProgress"/>).</summary>
    public IReadOnlyList<string> RungLines { get; }

    public long EpochsSpent { get; }

    /// <summary>Every trial trained to the full epochs (null when the full epochs are not known).</summary>
    public long? Budget { get; }

    public SearchCurve? Selected => Curves.FirstOrDefault(c => c.Selected);

    public static SearchView? Of(ReportModel m)
    {
        var j = m.Journal;
        if (j.Rungs is not { Count: > 0 } && j.Decisions is not { Count: > 0 }) return null;
        var settings = Settings(m.Header?.SweepFile);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (settings != null)
            foreach (var t in SearchSpace.Expand(settings).Where(t => !t.IsBaseline))
                labels.TryAdd(Rungs.ConfigId(t), Label(t.Width, t.Temperature, t.Alpha));
        int? epochs = settings?.Student.Epochs ?? m.Results.Select(r => r.Epochs).Max();

        var progress = new SearchProgress();
        foreach (var g in j.Rungs ?? []) progress.Rung(g);
        foreach (var d in j.Decisions ?? []) progress.Decided(d);
        foreach (var r in m.Results) progress.Final(r, epochs ?? r.Epochs ?? 0);

        var stopped = (j.Decisions ?? []).Where(d => d.Decision == "stop").Select(d => d.Config ?? d.Id).ToHashSet(StringComparer.Ordinal);
        string? selected = m.Winner is { IsBaseline: false } w ? ConfigOf(w.Width, w.Temperature, w.Alpha) : null;
        var curves = new List<SearchCurve>();
        var finals = m.Results.Where(r => !r.IsBaseline).GroupBy(r => ConfigOf(r.Width, r.Temperature, r.Alpha));
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in finals)
        {
            done.Add(g.Key);
            var (xs, ys) = Mean(g.Select(r => r.ValAccCurve).ToList(), g.Select(r => (r.Epochs ?? epochs ?? 0, r.ValAcc)).ToList());
            var first = g.First();
            curves.Add(new SearchCurve(g.Key, Label(first.Width, first.Temperature, first.Alpha), xs, ys, stopped.Contains(g.Key), g.Key == selected));
        }
        foreach (var g in (j.Rungs ?? []).Where(r => !done.Contains(r.Config)).GroupBy(r => r.Config))
        {
            int top = g.Max(r => r.Epoch);
            var last = g.Where(r => r.Epoch == top).ToList();
            var (xs, ys) = last.All(r => r.ValAccCurve is { Length: > 0 })
                ? Mean(last.Select(r => r.ValAccCurve).ToList(), [])
                : Points(g.GroupBy(r => r.Epoch).OrderBy(e => e.Key).Select(e => (e.Key, e.Select(r => r.ValAcc).OfType<double>().ToList())));
            curves.Add(new SearchCurve(g.Key, labels.GetValueOrDefault(g.Key, "config " + g.Key), xs, ys, stopped.Contains(g.Key), g.Key == selected));
        }
        var ordered = curves.OrderByDescending(c => c.Reached).ThenByDescending(c => c.Last ?? double.NegativeInfinity)
            .ThenBy(c => c.Config, StringComparer.Ordinal).ToList();
        long? budget = epochs is { } e && m.Header is { } h ? (long)h.Trials * e : null;
        return new SearchView(settings?.SearchOrDefault.Scheduler.ToString().ToLowerInvariant(), ordered,
            progress.Lines(m.Header?.Trials ?? 0, epochs), progress.EpochsSpent, budget);
    }

    private static string ConfigOf(int width, double? t, double alpha) => Rungs.ConfigId(new Trial("", "", width, t, alpha, 0, 0));

    private static string Label(int width, double? t, double alpha) =>
        $"w{width} T{Formats.Setting(t ?? 0)} a{Formats.Setting(alpha)}";

    /// <summary>The mean curve over seeds (as long as the shortest); without curves, the mean final point.</summary>
    private static (double[], double[]) Mean(List<double[]?> curves, List<(int Epoch, double? Val)> finals)
    {
        if (curves.Count > 0 && curves.All(c => c is { Length: > 0 }))
        {
            int len = curves.Min(c => c!.Length);
            return (Enumerable.Range(1, len).Select(e => (double)e).ToArray(),
                Enumerable.Range(0, len).Select(e => curves.Average(c => c![e])).ToArray());
        }
        var vals = finals.Where(f => f.Val is not null).ToList();
        return vals.Count == 0 ? ([], []) : ([vals.Max(f => f.Epoch)], [vals.Average(f => f.Val!.Value)]);
    }

    private static (double[], double[]) Points(IEnumerable<(int Epoch, List<double> Vals)> rungs)
    {
        var pts = rungs.Where(r => r.Vals.Count > 0).ToList();
        return (pts.Select(p => (double)p.Epoch).ToArray(), pts.Select(p => p.Vals.Average()).ToArray());
    }

    private static SweepSettings? Settings(string? sweepFile)
    {
        if (sweepFile is null) return null;
        try
        {
            return SweepFile.Parse(sweepFile, "the journal's header");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // a sweep file this akkakd cannot read: configurations are named by their ids
        }
    }
}
