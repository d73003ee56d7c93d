using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Sweep.Search;

/// <summary>One configuration of a search: a student width with its (T, alpha); it runs once per replicate seed.</summary>
public sealed record Configuration(int Width, double Temperature, double Alpha);

/// <summary>
/// The trials of a sweep under its search method. A grid expands its lists (<see cref="Grid.Expand"/>). Random and Sobol
/// draw <see cref="SearchSettings.Configurations"/> configurations, deterministically from the sweep seed: a list axis
/// is a choice among its values, a range is drawn uniformly (or log-uniformly) and rounded to 4 significant digits.
/// Every configuration runs once per replicate seed. A baseline (alpha 0) runs once per width and seed when the alpha
/// axis holds 0 (a list with 0, a range from 0); a drawn alpha of 0 is that baseline.
/// </summary>
public static class SearchSpace
{
    /// <summary>The dimensions drawn: width, temperature, alpha.</summary>
    private const int Dimensions = 3;

    public static IReadOnlyList<Trial> Expand(SweepSettings s)
    {
        var search = s.SearchOrDefault;
        if (search.Method == SearchMethod.Grid) return Grid.Expand(s);
        var widths = s.Grid.Width.Distinct().ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var trials = new List<Trial>();
        void Add(int width, double? t, double alpha)
        {
            foreach (var seed in s.Grid.Seeds.Distinct())
            {
                var key = Grid.TrialKey(s, width, t, alpha, seed);
                if (seen.Add(key)) trials.Add(new Trial(Grid.TrialId(key), key, width, t, alpha, seed, Grid.StudentSeed(s, width, seed)));
            }
        }
        if (HasBaseline(s))
            foreach (var w in widths) Add(w, null, 0);
        foreach (var c in Draw(s))
            Add(c.Width, KdTerms.IsBaselineAlpha(c.Alpha) ? null : c.Temperature, c.Alpha);
        return trials;
    }

    /// <summary>The most trials a sampled search expands to (for sweep.max-trials), without drawing.</summary>
    public static long MaxCount(SweepSettings s)
    {
        long seeds = s.Grid.Seeds.Distinct().Count();
        long baselines = HasBaseline(s) ? s.Grid.Width.Distinct().Count() : 0;
        return (baselines + s.SearchOrDefault.Configurations) * seeds;
    }

    /// <summary>The alpha axis holds 0: a list with 0, or a range from 0.</summary>
    public static bool HasBaseline(SweepSettings s) => s.SearchOrDefault.Alpha is { } range
        ? KdTerms.IsBaselineAlpha(range.Low)
        : s.Grid.Alpha.Any(KdTerms.IsBaselineAlpha);

    /// <summary>The configurations drawn, in order (the same for the same settings, on every machine).</summary>
    public static IReadOnlyList<Configuration> Draw(SweepSettings s)
    {
        var search = s.SearchOrDefault;
        Func<double[]> next = search.Method switch
        {
            SearchMethod.Random => RandomPoints(SweepSettings.DeriveSeed($"search|random|{s.Seed}")),
            SearchMethod.Sobol => Sobol.Scrambled(Dimensions, SweepSettings.DeriveSeed($"search|sobol|{s.Seed}")).Next,
            _ => throw new InvalidOperationException("a grid is expanded, not drawn"),
        };
        var configs = new List<Configuration>(search.Configurations);
        for (int i = 0; i < search.Configurations; i++)
        {
            var u = next();
            configs.Add(new Configuration(Choose(s.Grid.Width, u[0]), Value(s.Grid.Temperature, search.Temperature, u[1]),
                Value(s.Grid.Alpha, search.Alpha, u[2])));
        }
        return configs;
    }

    private static Func<double[]> RandomPoints(ulong seed)
    {
        var rng = new Rng(seed);
        return () => [rng.NextDouble(), rng.NextDouble(), rng.NextDouble()];
    }

    private static double Value(double[] list, AxisRange? range, double u) => range?.At(u) ?? Choose(list, u);

    private static T Choose<T>(T[] list, double u) => list[Math.Min((int)(u * list.Length), list.Length - 1)];
}
