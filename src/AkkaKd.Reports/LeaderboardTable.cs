using System.Globalization;
using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>The ranking as people read it: its columns and cells, aligned text lines, its notes and the teacher's line.</summary>
public static class LeaderboardTable
{
    /// <summary>
    /// The columns: the ranking is by "val acc" (mean over seeds; "-" when a journal has no validation rows and the ranking
    /// is on test); "test acc" is shown beside it and never chooses. Gains are over the same-width baseline, paired by seed.
    /// </summary>
    public static readonly string[] Columns =
    [
        "rank", "width", "T", "alpha", "seeds", "val acc", "val ci95", "test acc", "test ci95", "val gain", "test gain",
        "gap_teacher", "params", "compression", "train_s", "node",
    ];

    /// <summary>
    /// One row's cells, in <see cref="Columns"/> order (accuracies in percent, gains in points with their ±95%). A
    /// configuration that diverged shows "diverged at epoch N" where its accuracy would be, and no accuracy or gain.
    /// </summary>
    public static string[] Cells(LeaderboardRow r) => r.Diverged ? DivergedCells(r) :
    [
        r.Rank.ToString(CultureInfo.InvariantCulture),
        r.Width.ToString(CultureInfo.InvariantCulture),
        r.Temperature is { } t ? Formats.Setting(t) : "-",
        Formats.Setting(r.Alpha),
        r.Seeds.ToString(CultureInfo.InvariantCulture),
        r.SelectedOnTest ? "-" : Formats.Percent(r.Acc),
        r.SelectedOnTest || r.Ci95 is null ? "" : Formats.Interval(r.Ci95.Value),
        Formats.Percent(r.TestAccuracy),
        r.TestCi95 is { } tci ? Formats.Interval(tci) : "",
        r.IsBaseline ? "baseline" : r.SelectedOnTest ? "-" : Gain(r.Gain, r.GainCi95),
        r.IsBaseline ? "baseline" : Gain(r.TestGain, r.TestGainCi95),
        r.GapToTeacher is { } gap ? Formats.Points(gap) : "",
        Formats.Parameters(r.Params),
        r.Compression is { } c ? Formats.Ratio(c) : "",
        Formats.Fixed(r.TrainSeconds, "0.00"),
        r.Nodes,
    ];

    private static string[] DivergedCells(LeaderboardRow r) =>
    [
        r.Rank.ToString(CultureInfo.InvariantCulture),
        r.Width.ToString(CultureInfo.InvariantCulture),
        r.Temperature is { } t ? Formats.Setting(t) : "-",
        Formats.Setting(r.Alpha),
        r.Seeds.ToString(CultureInfo.InvariantCulture),
        r.DivergedText, "", "-", "",
        r.IsBaseline ? "baseline" : "-",
        r.IsBaseline ? "baseline" : "-",
        "",
        Formats.Parameters(r.Params),
        r.Compression is { } c ? Formats.Ratio(c) : "",
        Formats.Fixed(r.TrainSeconds, "0.00"),
        r.Nodes,
    ];

    /// <summary>A gain in signed points with its ±95% interval when there is one: "+2.00 ±0.50", "+2.00", or "".</summary>
    public static string Gain(double? gain, double? ci95) =>
        gain is { } g ? Formats.Points(g) + (ci95 is { } ci ? " " + Formats.Interval(ci) : "") : "";

    /// <summary>Columns aligned to the right (numbers); the others are aligned to the left.</summary>
    private static bool RightAligned(int column) => column is 0 or 1 or 4 or 5 or 6 or 7 or 8 or 12 or 13 or 14;

    /// <summary>The ranking as aligned text lines, header first: the live table's and <c>akkakd leaderboard</c>'s.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<LeaderboardRow> rows)
    {
        var cells = new List<string[]> { Columns };
        cells.AddRange(rows.Select(Cells));
        var widths = Enumerable.Range(0, Columns.Length).Select(i => cells.Max(c => c[i].Length)).ToArray();
        return cells.Select(c => string.Join("  ", c.Select((s, i) => RightAligned(i) ? s.PadLeft(widths[i]) : s.PadRight(widths[i]))).TrimEnd())
            .ToList();
    }

    /// <summary>
    /// What the ranking was chosen on, in one line (every output of a ranking shows it): validation accuracy, or
    /// "selected on test (no validation rows)"; and "1 seed: no interval" when a gain has no interval.
    /// </summary>
    public static string Note(IReadOnlyList<LeaderboardRow> rows)
    {
        var line = rows.Any(r => r.SelectedOnTest)
            ? $"{Leaderboard.SelectedOnTestNote}: ranked by test acc, mean over seeds"
            : "ranked by val acc, mean over seeds; test acc is shown, never used to choose";
        line += "; gains over the same-width baseline (alpha 0), paired by seed, ± 95% interval over seeds";
        if (rows.Any(r => !r.IsBaseline && r.TestGain is not null && r.TestGainCi95 is null)) line += "; " + Leaderboard.NoIntervalNote;
        if (rows.Count(r => r.Diverged) is > 0 and var d)
            line += $"; {d} configuration{(d == 1 ? "" : "s")} diverged (loss NaN or infinite): ranked last, no accuracy";
        return line;
    }

    /// <summary>One line about the teacher, as the leaderboard shows it.</summary>
    public static string TeacherLine(TeacherRecord? t) => t is null
        ? "teacher: not trained yet"
        : $"teacher: test acc {Formats.Percent(t.TestAccuracy)}%{(t.ValAcc is { } v ? $", val acc {Formats.Percent(v)}%" : "")}, " +
          $"{Formats.Parameters(t.Params)} parameters, {Formats.Fixed(t.TrainSeconds, "0.0")} s on {t.Node}";
}
