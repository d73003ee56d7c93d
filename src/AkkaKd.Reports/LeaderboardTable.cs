using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>The ranking as people read it: its columns and cells, aligned text lines, and the teacher's line.</summary>
public static class LeaderboardTable
{
    public static readonly string[] Columns =
        ["rank", "width", "T", "alpha", "acc", "ci95", "seeds", "gain", "gap_teacher", "params", "compression", "train_s", "node"];

    /// <summary>One row's cells, in <see cref="Columns"/> order (accuracies in percent, gains in points).</summary>
    public static string[] Cells(LeaderboardRow r) =>
    [
        r.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
        r.Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
        r.Temperature is { } t ? Formats.Setting(t) : "-",
        Formats.Setting(r.Alpha),
        Formats.Percent(r.MeanAcc),
        r.Ci95 is { } ci ? Formats.Interval(ci) : "",
        r.Seeds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        r.IsBaseline ? "baseline" : r.Gain is { } g ? Formats.Points(g) : "",
        r.GapToTeacher is { } gap ? Formats.Points(gap) : "",
        Formats.Parameters(r.Params),
        r.Compression is { } c ? Formats.Ratio(c) : "",
        Formats.Fixed(r.TrainSeconds, "0.00"),
        r.Nodes,
    ];

    /// <summary>Columns aligned to the right (numbers); the others are aligned to the left.</summary>
    private static bool RightAligned(int column) => column is 0 or 1 or 4 or 5 or 9 or 10 or 11;

    /// <summary>The ranking as aligned text lines, header first: the live table's and <c>akkakd leaderboard</c>'s.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<LeaderboardRow> rows)
    {
        var cells = new List<string[]> { Columns };
        cells.AddRange(rows.Select(Cells));
        var widths = Enumerable.Range(0, Columns.Length).Select(i => cells.Max(c => c[i].Length)).ToArray();
        return cells.Select(c => string.Join("  ", c.Select((s, i) => RightAligned(i) ? s.PadLeft(widths[i]) : s.PadRight(widths[i]))).TrimEnd())
            .ToList();
    }

    /// <summary>One line about the teacher, as the leaderboard shows it.</summary>
    public static string TeacherLine(TeacherRecord? t) => t is null
        ? "teacher: not trained yet"
        : $"teacher: acc {Formats.Percent(t.TestAcc)}%, {Formats.Parameters(t.Params)} parameters, {Formats.Fixed(t.TrainSeconds, "0.0")} s on {t.Node}";
}
