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

    /// <summary>
    /// The ranking split by width, narrowest first (each width's rows keep the ranking's order). Configurations that
    /// diverged have no accuracy to draw: they are left out (the ranking lists them, last).
    /// </summary>
    public static IReadOnlyList<WidthGrid> From(IReadOnlyList<LeaderboardRow> ranked) =>
        ranked.Where(r => !r.Diverged).GroupBy(r => r.Width) // GroupBy keeps the ranking's order within each width
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
            : grids.OrderByDescending(g => Math.Max(g.Best?.Acc ?? 0, g.Baseline?.Acc ?? 0)).Take(max).OrderBy(g => g.Width).ToList();

    /// <summary>The distilled temperatures and alphas of a ranking, ascending: the axes every width's grid shares.</summary>
    public static (double[] Temperatures, double[] Alphas) Axes(IReadOnlyList<LeaderboardRow> ranked) =>
        (ranked.Where(r => !r.IsBaseline && !r.Diverged).Select(r => r.Temperature!.Value).Distinct().Order().ToArray(),
         ranked.Where(r => !r.IsBaseline && !r.Diverged).Select(r => r.Alpha).Distinct().Order().ToArray());
}

/// <summary>
/// What a report shows, computed from a journal alone: the ranking (on validation accuracy; test only for a journal
/// without validation rows), the grid per width, the selected configuration and its test figures, the learning curves,
/// the teacher, the sweep's facts and the sweep files it ran under. Results made under an earlier sweep file and not in
/// the current grid are left out (<see cref="JournalScope"/>).
/// </summary>
public sealed class ReportModel
{
    private ReportModel(JournalContents journal)
    {
        Journal = journal;
        Header = journal.Header;
        var scope = JournalScope.Of(journal);
        Results = scope.Current;
        (LeftOut, LeftOutNote) = (scope.LeftOut, scope.Note);
        Teacher = journal.Teachers.Count > 0 ? journal.Teachers[^1] : null;
        Rows = Leaderboard.Rank(Results, Teacher);
        (Temperatures, Alphas) = WidthGrid.Axes(Rows);
        Grids = WidthGrid.From(Rows);
        TeacherAccuracy = Teacher?.TestAccuracy ?? Results.Select(r => r.TeacherAccuracy).FirstOrDefault(a => a.HasValue);
        Nodes = Results.GroupBy(r => r.Node).Select(g => (g.Key, g.Count())).OrderBy(n => n.Key, StringComparer.Ordinal).ToList();
        TotalTrainSeconds = Results.Sum(r => r.TrainSeconds);
        Seeds = Results.Select(r => r.Seed).Distinct().Order().ToArray();
        if (Header != null && Results.Count > 0) WallClock = Results.Max(r => r.Finished) - Header.Created;
        TestRows = Header?.Test ?? RecordedTestRows(Header?.SweepFile);
    }

    public static ReportModel From(JournalContents journal) => new(journal);

    /// <summary>Reads the journal at <paramref name="path"/> (a torn last line is left out); null when there is none.</summary>
    public static ReportModel? Read(string path)
    {
        var contents = AkkaKd.Sweep.Journal.Read(path);
        return contents.Header is null ? null : new ReportModel(contents);
    }

    /// <summary>The journal as read: every header and every result, those left out included.</summary>
    public JournalContents Journal { get; }

    /// <summary>The sweep file in force: the journal's last header.</summary>
    public JournalHeader? Header { get; }

    /// <summary>The results of the current grid (what is ranked and counted).</summary>
    public IReadOnlyList<TrialResult> Results { get; }

    /// <summary>Trials a scheduler stopped at a rung (a "stop" decision, no trial line): they will never finish.</summary>
    public int StoppedByScheduler => (Journal.Decisions ?? []).Where(d => d.Decision == "stop").Select(d => d.Id)
        .Except(Results.Select(r => r.Id), StringComparer.Ordinal).Count();

    public int LeftOut { get; }
    public string? LeftOutNote { get; }
    public TeacherRecord? Teacher { get; }
    public double? TeacherAccuracy { get; }

    /// <summary>Every configuration, best first (<see cref="Leaderboard.Rank"/>).</summary>
    public IReadOnlyList<LeaderboardRow> Rows { get; }

    /// <summary>The ranking is on test accuracy: a journal without validation rows.</summary>
    public bool SelectedOnTest => Rows.Any(r => r.SelectedOnTest);

    /// <summary>The selected configuration: the first of the ranking (never one that diverged: none, if all did).</summary>
    public LeaderboardRow? Winner => Rows.Count > 0 && !Rows[0].Diverged ? Rows[0] : null;

    /// <summary>The trials whose training diverged (results with no accuracy).</summary>
    public IReadOnlyList<TrialResult> DivergedTrials => Results.Where(r => r.Diverged).ToList();

    /// <summary>The test rows each trial was measured on: the header's count, else the recorded sweep file's data.test.</summary>
    public int? TestRows { get; }

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

    /// <summary>The trials of one configuration, by seed.</summary>
    public IReadOnlyList<TrialResult> TrialsOf(LeaderboardRow row) =>
        Results.Where(r => r.Width == row.Width && r.Temperature == row.Temperature && r.Alpha == row.Alpha).OrderBy(r => r.Seed).ToList();

    /// <summary>
    /// How optimistic selection was: validation minus test accuracy per seed, summarised (null on a ranking on test).
    /// </summary>
    public SampleStats? Optimism(LeaderboardRow row) =>
        row.SelectedOnTest ? null : Statistics.Summarize(TrialsOf(row).Select(r => r.ValAcc!.Value - r.TestAccuracy).ToArray());

    /// <summary>Test errors per seed (wrong rows out of <see cref="TestRows"/>); null when the row count is unknown.</summary>
    public int[]? TestErrors(LeaderboardRow row) =>
        TestRows is { } n ? TrialsOf(row).Select(r => (int)Math.Round((1 - r.TestAccuracy) * n)).ToArray() : null;

    /// <summary>
    /// The configuration's validation accuracy per epoch, the mean over its seeds that have a curve (as long as the
    /// shortest of them); null when none has one.
    /// </summary>
    public double[]? MeanCurve(LeaderboardRow row)
    {
        var curves = TrialsOf(row).Select(r => r.ValAccCurve).OfType<double[]>().Where(c => c.Length > 0).ToList();
        if (curves.Count == 0) return null;
        int len = curves.Min(c => c.Length);
        return Enumerable.Range(0, len).Select(e => curves.Average(c => c[e])).ToArray();
    }

    /// <summary>The results each header line was followed by: the trials that ran under each sweep file.</summary>
    public IReadOnlyList<(JournalHeader Header, IReadOnlyList<TrialResult> Trials)> ByHeader() =>
        Journal.Headers.Select((h, i) => (h, (IReadOnlyList<TrialResult>)Journal.Results.Where((_, k) => Journal.ResultHeader[k] == i).ToList()))
            .ToList();

    private static int? RecordedTestRows(string? sweepFile)
    {
        if (sweepFile is null) return null;
        try
        {
            return SweepFile.Parse(sweepFile, "the journal's header").Data.Test;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // a sweep file this akkakd cannot read: the errors are not counted
        }
    }
}
