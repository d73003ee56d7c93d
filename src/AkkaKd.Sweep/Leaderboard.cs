using System.Globalization;
using System.Text;

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

/// <summary>The ranking of finished trials, and its files.</summary>
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

    public static readonly string[] Columns =
        ["rank", "width", "T", "alpha", "acc", "ci95", "seeds", "gain", "gap_teacher", "params", "compression", "train_s", "node"];

    public static string[] Cells(LeaderboardRow r) =>
    [
        r.Rank.ToString(CultureInfo.InvariantCulture),
        r.Width.ToString(CultureInfo.InvariantCulture),
        r.Temperature is { } t ? Fmt(t, "0.##") : "-",
        Fmt(r.Alpha, "0.##"),
        Pct(r.MeanAcc),
        r.Ci95 is { } ci ? "±" + Fmt(ci * 100, "0.00") : "",
        r.Seeds.ToString(CultureInfo.InvariantCulture),
        r.IsBaseline ? "baseline" : r.Gain is { } g ? Signed(g * 100) : "",
        r.GapToTeacher is { } gap ? Signed(gap * 100) : "",
        r.Params.ToString("N0", CultureInfo.InvariantCulture),
        r.Compression is { } c ? Fmt(c, "0.0") + "x" : "",
        Fmt(r.TrainSeconds, "0.00"),
        r.Nodes,
    ];

    /// <summary>The ranking as aligned text lines, header first: the live table's and <c>akkakd leaderboard</c>'s.</summary>
    public static IReadOnlyList<string> Table(IReadOnlyList<LeaderboardRow> rows)
    {
        var cells = new List<string[]> { Columns };
        cells.AddRange(rows.Select(Cells));
        var widths = Enumerable.Range(0, Columns.Length).Select(i => cells.Max(c => c[i].Length)).ToArray();
        return cells.Select(c => string.Join("  ", c.Select((s, i) => i is 0 or 1 or 4 or 5 or 9 or 10 or 11 ? s.PadLeft(widths[i]) : s.PadRight(widths[i]))).TrimEnd()).ToList();
    }

    /// <summary>leaderboard.csv: every configuration, machine-readable (accuracies as fractions, not percent).</summary>
    public static string ToCsv(IReadOnlyList<LeaderboardRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("rank,width,temperature,alpha,seeds,test_acc_mean,test_acc_sd,test_acc_ci95,gain_over_baseline,gap_to_teacher,params,compression,train_seconds,nodes");
        foreach (var r in rows)
        {
            sb.AppendLine(string.Join(',',
                r.Rank, r.Width, r.Temperature is { } t ? Num(t) : "", Num(r.Alpha), r.Seeds, Num(r.MeanAcc),
                Opt(r.StdDev), Opt(r.Ci95), Opt(r.Gain), Opt(r.GapToTeacher), r.Params, Opt(r.Compression),
                Num(r.TrainSeconds), Quote(r.Nodes)));
        }
        return sb.ToString();
    }

    /// <summary>leaderboard.md: the top rows as a Markdown table (accuracies in percent).</summary>
    public static string ToMarkdown(IReadOnlyList<LeaderboardRow> rows, int top, string title, string? teacherLine)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {title}");
        sb.AppendLine();
        if (teacherLine != null) sb.AppendLine(teacherLine).AppendLine();
        sb.AppendLine("| " + string.Join(" | ", Columns) + " |");
        sb.AppendLine("|" + string.Concat(Columns.Select(_ => " --- |")));
        foreach (var r in rows.Take(top)) sb.AppendLine("| " + string.Join(" | ", Cells(r)) + " |");
        if (rows.Count > top) sb.AppendLine().AppendLine($"{rows.Count - top} more in leaderboard.csv.");
        sb.AppendLine();
        sb.AppendLine("acc: test accuracy (%), mean over seeds; ci95: half-width of the 95% interval (Student's t) when there are several seeds; " +
                      "gain: points over the same-width baseline (alpha 0), paired by seed; gap_teacher: points to the teacher; " +
                      "compression: teacher parameters / student parameters; train_s: seconds of training per trial.");
        return sb.ToString();
    }

    /// <summary>Writes leaderboard.csv (every row) and leaderboard.md (the top rows); returns their paths.</summary>
    public static IReadOnlyList<string> WriteFiles(string outDir, IReadOnlyList<TrialResult> results, TeacherRecord? teacher, int top, string title)
    {
        Directory.CreateDirectory(outDir);
        var rows = Rank(results, teacher);
        var teacherLine = TeacherLine(teacher);
        var csv = Path.Combine(outDir, "leaderboard.csv");
        var md = Path.Combine(outDir, "leaderboard.md");
        File.WriteAllText(csv, ToCsv(rows));
        File.WriteAllText(md, ToMarkdown(rows, top, title, teacherLine));
        return [csv, md];
    }

    /// <summary>One line about the teacher, as the leaderboard shows it.</summary>
    public static string TeacherLine(TeacherRecord? t) => t is null
        ? "teacher: not trained yet"
        : $"teacher: acc {Pct(t.TestAcc)}%, {t.Params.ToString("N0", CultureInfo.InvariantCulture)} parameters, {Fmt(t.TrainSeconds, "0.0")} s on {t.Node}";

    private static string Pct(double v) => Fmt(v * 100, "0.00");
    private static string Signed(double v) => (v >= 0 ? "+" : "") + Fmt(v, "0.00");
    private static string Fmt(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string Opt(double? v) => v is { } x ? Num(x) : "";
    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
