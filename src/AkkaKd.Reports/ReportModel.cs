using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>
/// One student width's results over the grid: every (T, alpha) configuration with its statistics over seeds, and the
/// width's baseline (alpha 0, where T does not matter).
/// </summary>
public sealed record WidthGrid(int Width, LeaderboardRow? Baseline, IReadOnlyList<LeaderboardRow> Distilled)
{
    /// <summary>The configuration at (T, alpha), if it finished.</summary>
    public LeaderboardRow? Cell(double temperature, double alpha) =>
        Distilled.FirstOrDefault(r => r.Temperature == temperature && r.Alpha == alpha);

    /// <summary>The best distilled configuration of this width (the ranking's order: mean accuracy, then ties).</summary>
    public LeaderboardRow? Best => Distilled.Count > 0 ? Distilled[0] : null;

    /// <summary>The ranking split by width, narrowest first (each width's rows keep the ranking's order).</summary>
    public static IReadOnlyList<WidthGrid> From(IReadOnlyList<LeaderboardRow> ranked) =>
        ranked.GroupBy(r => r.Width) // GroupBy keeps the ranking's order within each width
            .OrderBy(g => g.Key)
            .Select(g => new WidthGrid(g.Key, g.FirstOrDefault(r => r.IsBaseline), g.Where(r => !r.IsBaseline).ToList()))
            .ToList();

    /// <summary>
    /// At most <paramref name="max"/> widths to draw, narrowest first: all of them if they fit, otherwise the widths whose
    /// best student (distilled or baseline) is most accurate.
    /// </summary>
    public static IReadOnlyList<WidthGrid> Showcase(IReadOnlyList<WidthGrid> grids, int max) =>
        grids.Count <= max
            ? grids
            : grids.OrderByDescending(g => Math.Max(g.Best?.MeanAcc ?? 0, g.Baseline?.MeanAcc ?? 0)).Take(max).OrderBy(g => g.Width).ToList();

    /// <summary>The distilled temperatures and alphas of a ranking, ascending: the axes every width's grid shares.</summary>
    public static (double[] Temperatures, double[] Alphas) Axes(IReadOnlyList<LeaderboardRow> ranked) =>
        (ranked.Where(r => !r.IsBaseline).Select(r => r.Temperature!.Value).Distinct().Order().ToArray(),
         ranked.Where(r => !r.IsBaseline).Select(r => r.Alpha).Distinct().Order().ToArray());
}

/// <summary>
/// What a report shows, computed from a journal alone: the ranking, the grid per width, the best settings per width,
/// the teacher and the sweep's facts (header, nodes, times).
/// </summary>
public sealed class ReportModel
{
    private ReportModel(JournalContents journal)
    {
        Header = journal.Header;
        Results = journal.Results;
        Teacher = journal.Teachers.Count > 0 ? journal.Teachers[^1] : null;
        Rows = Leaderboard.Rank(Results, Teacher);
        (Temperatures, Alphas) = WidthGrid.Axes(Rows);
        Grids = WidthGrid.From(Rows);
        TeacherAcc = Teacher?.TestAcc ?? Results.Select(r => r.TeacherAcc).FirstOrDefault(a => a.HasValue);
        Nodes = Results.GroupBy(r => r.Node).Select(g => (g.Key, g.Count())).OrderBy(n => n.Key, StringComparer.Ordinal).ToList();
        TotalTrainSeconds = Results.Sum(r => r.TrainSeconds);
        Seeds = Results.Select(r => r.Seed).Distinct().Order().ToArray();
        if (Header != null && Results.Count > 0) WallClock = Results.Max(r => r.Finished) - Header.Created;
    }

    public static ReportModel From(JournalContents journal) => new(journal);

    /// <summary>Reads the journal at <paramref name="path"/> (a torn last line is left out); null when there is none.</summary>
    public static ReportModel? Read(string path)
    {
        var contents = Journal.Read(path);
        return contents.Header is null ? null : new ReportModel(contents);
    }

    public JournalHeader? Header { get; }
    public IReadOnlyList<TrialResult> Results { get; }
    public TeacherRecord? Teacher { get; }
    public double? TeacherAcc { get; }

    /// <summary>Every configuration, best first (<see cref="Leaderboard.Rank"/>).</summary>
    public IReadOnlyList<LeaderboardRow> Rows { get; }

    /// <summary>The distilled temperatures and alphas that occur, ascending: the axes every width's grid shares.</summary>
    public double[] Temperatures { get; }
    public double[] Alphas { get; }

    /// <summary>One grid per width, narrowest first.</summary>
    public IReadOnlyList<WidthGrid> Grids { get; }

    public IReadOnlyList<(string Node, int Trials)> Nodes { get; }
    public int[] Seeds { get; }
    public double TotalTrainSeconds { get; }
    public double? MeanTrainSeconds => Results.Count > 0 ? TotalTrainSeconds / Results.Count : null;

    /// <summary>From the journal's creation to its last result (pauses between resumed runs included).</summary>
    public TimeSpan? WallClock { get; }
}
