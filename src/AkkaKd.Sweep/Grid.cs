using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Sweep;

/// <summary>The grid of a sweep file: its trials, their keys, ids and seeds.</summary>
public static class Grid
{
    /// <summary>
    /// Expands the grid into trials, in a stable order (width, then alpha, then T, then seed). Equal keys are one trial:
    /// every alpha-0 point of a width and seed collapses into one baseline.
    /// </summary>
    public static IReadOnlyList<Trial> Expand(SweepSettings s)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var trials = new List<Trial>();
        foreach (var width in s.Grid.Width)
        foreach (var alpha in s.Grid.Alpha)
        foreach (var t in s.Grid.Temperature)
        foreach (var seed in s.Grid.Seeds)
        {
            double? temperature = KdTerms.IsBaselineAlpha(alpha) ? null : t;
            var key = TrialKey(s, width, temperature, alpha, seed);
            if (!seen.Add(key)) continue;
            trials.Add(new Trial(TrialId(key), key, width, temperature, alpha, seed, StudentSeed(s, width, seed)));
        }
        return trials;
    }

    /// <summary>
    /// The number of trials the grid expands to, computed without expanding it.
    /// </summary>
    public static long Count(GridSettings g)
    {
        long distilledAlphas = g.Alpha.Distinct().Count(a => !KdTerms.IsBaselineAlpha(a));
        long baselines = g.Alpha.Any(KdTerms.IsBaselineAlpha) ? 1 : 0;
        return (distilledAlphas * g.Temperature.Distinct().Count() + baselines) * g.Width.Distinct().Count() * g.Seeds.Distinct().Count();
    }

    /// <summary>
    /// The canonical text of everything that decides a trial's result: the data, the teacher, the student's
    /// training settings, width, T (or "-" for a baseline), alpha, replicate seed and sweep seed.
    /// </summary>
    public static string TrialKey(SweepSettings s, int width, double? temperature, double alpha, int seed) =>
        $"data={s.Data.Source},{s.Data.Slices};teacher={s.TeacherKey()};" +
        $"student=e{s.Student.Epochs},b{s.Student.Batch},lr{SweepSettings.Num(s.Student.Lr)}{s.StudentExtras()};" +
        $"width={width};T={(temperature is { } t ? SweepSettings.Num(t) : "-")};alpha={SweepSettings.Num(alpha)};" +
        $"seed={seed};sweep_seed={s.Seed}";

    /// <summary>A short, stable id: the first 12 hex digits of the key's SHA-256.</summary>
    public static string TrialId(string key) => SweepSettings.Sha256Hex(key)[..12];

    /// <summary>
    /// The student's RNG seed (initial weights and batch order). It derives from the sweep seed, the replicate seed
    /// and the width, not from T and alpha: a distilled student and its same-width baseline start from the same
    /// weights and see the same batches, so the gain over the baseline is a paired comparison.
    /// </summary>
    public static ulong StudentSeed(SweepSettings s, int width, int seed) =>
        SweepSettings.DeriveSeed($"student|{s.Seed}|{seed}|{width}");
}
