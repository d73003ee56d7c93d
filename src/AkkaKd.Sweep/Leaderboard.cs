namespace AkkaKd.Sweep;

/// <summary>
/// One configuration (width, T, alpha) of the ranking, averaged over the seeds that finished. <see cref="Acc"/> is the
/// accuracy it is ranked on: validation accuracy, or test accuracy for a journal without validation rows
/// (<see cref="SelectedOnTest"/>). Test accuracy is shown beside it and never chooses. Gains are over the same-width
/// baseline, paired by seed: <see cref="Gain"/> in the ranked accuracy, <see cref="TestGain"/> on the test rows. Every
/// interval is the half-width of a 95% interval over seeds (Student's t), null with one seed.
/// <para>
/// A configuration with a seed whose training diverged (<see cref="Diverged"/>) has no accuracy: <see cref="Acc"/> and
/// <see cref="TestAccuracy"/> are NaN, its gains and intervals null; it ranks after every configuration that never
/// diverged and shows <see cref="DivergedText"/> instead.
/// </para>
/// </summary>
public sealed record LeaderboardRow(
    int Rank,
    int Width,
    double? Temperature,
    double Alpha,
    int Seeds,
    double Acc,
    double? StdDev,
    double? Ci95,
    double TestAccuracy,
    double? TestStdDev,
    double? TestCi95,
    double? Gain,
    double? GainCi95,
    double? TestGain,
    double? TestGainCi95,
    double? GapToTeacher,
    long Params,
    double? Compression,
    double TrainSeconds,
    string Nodes,
    bool SelectedOnTest,
    int DivergedSeeds = 0,
    int? DivergedEpoch = null)
{
    public bool IsBaseline => AkkaKd.Distillation.Numerics.KdTerms.IsBaselineAlpha(Alpha);

    /// <summary>A seed of this configuration diverged: no accuracy, ranked last.</summary>
    public bool Diverged => DivergedSeeds > 0;

    /// <summary>"diverged at epoch 7", with "(1 of 3 seeds)" when not every seed diverged; "" when none did.</summary>
    public string DivergedText => !Diverged ? ""
        : $"diverged at epoch {DivergedEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}" +
          (DivergedSeeds < Seeds ? $" ({DivergedSeeds} of {Seeds} seeds)" : "");

    /// <summary>The validation accuracy (null when the ranking is on test: no validation rows).</summary>
    public double? ValAcc => SelectedOnTest ? null : Acc;
}

/// <summary>What an interval over seeds says about a gain.</summary>
public enum GainVerdict
{
    /// <summary>No gain to judge (a baseline, or no seed shared with the baseline).</summary>
    None,
    /// <summary>One paired seed: no interval, so neither better nor worse.</summary>
    NoInterval,
    /// <summary>The interval holds zero: no clear difference.</summary>
    Unclear,
    Better,
    Worse,
}

/// <summary>The ranking of finished trials (its tables and files are drawn by AkkaKd.Reports).</summary>
public static class Leaderboard
{
    /// <summary>What every output of a ranking on test says.</summary>
    public const string SelectedOnTestNote = "selected on test (no validation rows)";

    /// <summary>What a gain with one seed says.</summary>
    public const string NoIntervalNote = "1 seed: no interval";

    /// <summary>
    /// Better or worse only when the 95% interval over seeds excludes zero; with one paired seed, no verdict.
    /// </summary>
    public static GainVerdict Verdict(double? gain, double? ci95) => gain switch
    {
        null => GainVerdict.None,
        _ when ci95 is null => GainVerdict.NoInterval,
        > 0 when gain.Value - ci95.Value > 0 => GainVerdict.Better,
        < 0 when gain.Value + ci95.Value < 0 => GainVerdict.Worse,
        _ => GainVerdict.Unclear,
    };

    /// <summary>
    /// Ranks configurations by mean validation accuracy over seeds, best first (ties: fewer parameters, then lower alpha,
    /// then lower T). If any result has no validation accuracy (a journal from before the validation slice), the whole
    /// ranking is on test accuracy and every row says so (<see cref="LeaderboardRow.SelectedOnTest"/>): accuracies of two
    /// kinds are never mixed. Gains over the same-width baseline are paired by seed; intervals are Student's t.
    /// A configuration with a diverged seed ranks after all the others (the latest divergence first), with no accuracy.
    /// </summary>
    public static IReadOnlyList<LeaderboardRow> Rank(IEnumerable<TrialResult> results, TeacherRecord? teacher = null)
    {
        var list = results.ToList();
        bool onTest = list.Any(r => r.SelectedOnTest);
        double Sel(TrialResult r) => onTest ? r.TestAccuracy : r.ValAcc!.Value;
        var baselines = list.Where(r => r.IsBaseline && !r.Diverged)
            .GroupBy(r => r.Width)
            .ToDictionary(g => g.Key, g => g.GroupBy(r => r.Seed).ToDictionary(s => s.Key, s => s.First()));

        var groups = list.GroupBy(r => (r.Width, r.Temperature, r.Alpha)).ToList();
        var rows = groups
            .Where(g => !g.Any(r => r.Diverged))
            .Select(g =>
            {
                var sel = Statistics.Summarize(g.Select(Sel).ToArray());
                var test = Statistics.Summarize(g.Select(r => r.TestAccuracy).ToArray());
                bool isBaseline = AkkaKd.Distillation.Numerics.KdTerms.IsBaselineAlpha(g.Key.Alpha);
                SampleStats? gain = null, testGain = null;
                if (baselines.TryGetValue(g.Key.Width, out var bySeed))
                {
                    // Paired by seed: a distilled student and its baseline share initial weights and batch order.
                    var pairs = g.Where(r => bySeed.ContainsKey(r.Seed)).Select(r => (r, b: bySeed[r.Seed])).ToArray();
                    if (pairs.Length > 0)
                    {
                        gain = Statistics.Summarize(pairs.Select(p => Sel(p.r) - Sel(p.b)).ToArray());
                        testGain = Statistics.Summarize(pairs.Select(p => p.r.TestAccuracy - p.b.TestAccuracy).ToArray());
                    }
                }
                double? teacherAcc = teacher?.TestAccuracy ?? g.Select(r => r.TeacherAccuracy).FirstOrDefault(a => a.HasValue);
                long teacherParams = g.Max(r => r.TeacherParams);
                long prms = g.First().Params;
                return new LeaderboardRow(0, g.Key.Width, g.Key.Temperature, g.Key.Alpha, sel.N,
                    sel.Mean, sel.StdDev, sel.Ci95, test.Mean, test.StdDev, test.Ci95,
                    gain?.Mean, isBaseline ? null : gain?.Ci95, testGain?.Mean, isBaseline ? null : testGain?.Ci95,
                    test.Mean - teacherAcc, prms,
                    teacherParams > 0 && prms > 0 ? (double)teacherParams / prms : null,
                    g.Average(r => r.TrainSeconds),
                    string.Join(',', g.Select(r => r.Node).Distinct().Order(StringComparer.Ordinal)),
                    onTest);
            })
            .OrderByDescending(r => r.Acc)
            .ThenBy(r => r.Params)
            .ThenBy(r => r.Alpha)
            .ThenBy(r => r.Temperature ?? 0)
            .ToList();
        var diverged = groups
            .Where(g => g.Any(r => r.Diverged))
            .Select(g => DivergedRow(g.Key.Width, g.Key.Temperature, g.Key.Alpha, g.ToList(), onTest))
            .OrderByDescending(r => r.DivergedEpoch ?? 0)
            .ThenBy(r => r.DivergedSeeds)
            .ThenBy(r => r.Params)
            .ThenBy(r => r.Alpha)
            .ThenBy(r => r.Temperature ?? 0);
        return rows.Concat(diverged).Select((r, i) => r with { Rank = i + 1 }).ToList();
    }

    /// <summary>A configuration with a diverged seed: no accuracy or gain, the earliest epoch a seed diverged at.</summary>
    private static LeaderboardRow DivergedRow(int width, double? temperature, double alpha, List<TrialResult> trials, bool onTest)
    {
        var diverged = trials.Where(r => r.Diverged).ToList();
        long teacherParams = trials.Max(r => r.TeacherParams);
        long prms = trials[0].Params;
        return new LeaderboardRow(0, width, temperature, alpha, trials.Count, double.NaN, null, null, double.NaN, null, null,
            null, null, null, null, null, prms, teacherParams > 0 && prms > 0 ? (double)teacherParams / prms : null,
            trials.Average(r => r.TrainSeconds), string.Join(',', trials.Select(r => r.Node).Distinct().Order(StringComparer.Ordinal)),
            onTest, diverged.Count, diverged.Min(r => r.DivergedEpoch));
    }
}
