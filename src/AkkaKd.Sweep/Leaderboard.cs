namespace AkkaKd.Sweep;

/// <summary>One configuration (width, T, alpha) of the ranking, its accuracy averaged over the seeds that finished.</summary>
public sealed record LeaderboardRow(
    int Rank,
    int Width,
    double? Temperature,
    double Alpha,
    int Seeds,
    double MeanAcc,
    double? StdDev,
    double? Ci95,
    double? Gain,
    double? GapToTeacher,
    long Params,
    double? Compression,
    double TrainSeconds,
    string Nodes,
    double? GainCi95 = null)
{
    public bool IsBaseline => AkkaKd.Distillation.Numerics.KdTerms.IsBaselineAlpha(Alpha);
}

/// <summary>The ranking of finished trials (its tables and files are drawn by AkkaKd.Reports).</summary>
public static class Leaderboard
{
    /// <summary>
    /// Ranks configurations by mean test accuracy over seeds (best first; ties: fewer parameters, then lower alpha,
    /// then lower T). The gain over the same-width baseline is paired by seed; the 95% interval is Student's t.
    /// </summary>
    public static IReadOnlyList<LeaderboardRow> Rank(IEnumerable<TrialResult> results, TeacherRecord? teacher = null)
    {
        var list = results.ToList();
        var baselines = list.Where(r => r.IsBaseline)
            .GroupBy(r => r.Width)
            .ToDictionary(g => g.Key, g => g.GroupBy(r => r.Seed).ToDictionary(s => s.Key, s => s.First().TestAcc));

        var rows = list
            .GroupBy(r => (r.Width, r.Temperature, r.Alpha))
            .Select(g =>
            {
                var accs = g.Select(r => r.TestAcc).ToArray();
                var (_, mean, sd, ci) = Statistics.Summarize(accs);
                double? gain = null, gainCi = null;
                if (baselines.TryGetValue(g.Key.Width, out var bySeed))
                {
                    // Paired by seed: a distilled student and its baseline share initial weights and batch order.
                    var diffs = g.Where(r => bySeed.ContainsKey(r.Seed)).Select(r => r.TestAcc - bySeed[r.Seed]).ToArray();
                    if (diffs.Length > 0)
                    {
                        var paired = Statistics.Summarize(diffs);
                        (gain, gainCi) = (paired.Mean, paired.Ci95);
                    }
                }
                double? teacherAcc = teacher?.TestAcc ?? g.Select(r => r.TeacherAcc).FirstOrDefault(a => a.HasValue);
                long teacherParams = g.Max(r => r.TeacherParams);
                long prms = g.First().Params;
                return new LeaderboardRow(0, g.Key.Width, g.Key.Temperature, g.Key.Alpha, accs.Length, mean, sd, ci, gain,
                    mean - teacherAcc, prms,
                    teacherParams > 0 && prms > 0 ? (double)teacherParams / prms : null,
                    g.Average(r => r.TrainSeconds),
                    string.Join(',', g.Select(r => r.Node).Distinct().Order(StringComparer.Ordinal)),
                    AkkaKd.Distillation.Numerics.KdTerms.IsBaselineAlpha(g.Key.Alpha) ? null : gainCi);
            })
            .OrderByDescending(r => r.MeanAcc)
            .ThenBy(r => r.Params)
            .ThenBy(r => r.Alpha)
            .ThenBy(r => r.Temperature ?? 0)
            .ToList();
        return rows.Select((r, i) => r with { Rank = i + 1 }).ToList();
    }
}
