using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>Diverged trials in what a person reads: last in the ranking, "diverged at epoch N", never drawn or selected.</summary>
public sealed class DivergedReportTests
{
    private static TrialResult Diverge(TrialResult r, int epoch) => TrialResult.DivergedResult(r, epoch, $"loss NaN at epoch {epoch}");

    /// <summary>The fixture with every seed of width 128, T 8, alpha 0.9 diverged (the configuration validation favours).</summary>
    private static List<TrialResult> WithDivergence() => ReportFixture.Results()
        .Select(r => r.Width == 128 && r.Temperature == 8 && r.Alpha == 0.9 ? Diverge(r, 4) : r).ToList();

    [Fact]
    public void The_table_and_files_show_a_diverged_configuration_last_with_its_epoch()
    {
        var rows = Leaderboard.Rank(WithDivergence(), ReportFixture.Teacher());
        var last = rows[^1];
        Assert.True(last.Diverged);
        Assert.Equal((128, 8.0, 0.9), (last.Width, last.Temperature!.Value, last.Alpha));
        Assert.All(rows.SkipLast(1), r => Assert.False(r.Diverged));

        var cells = LeaderboardTable.Cells(last);
        Assert.Equal("diverged at epoch 4", cells[Array.IndexOf(LeaderboardTable.Columns, "val acc")]);
        Assert.Equal("-", cells[Array.IndexOf(LeaderboardTable.Columns, "test acc")]);
        Assert.DoesNotContain(cells, c => c.Contains("NaN"));
        Assert.Contains("1 configuration diverged", LeaderboardTable.Note(rows));

        var csv = LeaderboardFiles.ToCsv(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain("NaN", string.Join('\n', csv));
        var header = csv[0].Split(',');
        var cellsCsv = csv[^1].TrimEnd('\r').Split(',');
        Assert.Equal("3", cellsCsv[Array.IndexOf(header, "diverged_seeds")]);
        Assert.Equal("4", cellsCsv[Array.IndexOf(header, "diverged_epoch")]);
        Assert.Equal("", cellsCsv[Array.IndexOf(header, "test_acc_mean")]);
    }

    [Fact]
    public void The_report_leaves_it_out_of_grids_and_selection_and_lists_it()
    {
        var journal = new JournalContents(ReportFixture.Header(ReportFixture.TrialCount), WithDivergence(), [ReportFixture.Teacher()], 0, null, 0);
        var m = ReportModel.From(journal);
        Assert.False(m.Winner!.Diverged);
        Assert.Null(m.Grids.Single(g => g.Width == 128).Cell(8, 0.9)); // nothing to draw
        Assert.Equal(3, m.DivergedTrials.Count);
        var html = HtmlReport.Render(m, ReportFixture.Created);
        Assert.Contains("diverged at epoch 4", html);
        Assert.Contains("loss NaN at epoch 4", html);
        Assert.DoesNotContain("NaN%", html);

        // Every trial diverged: no selected configuration, and the report still renders.
        var all = ReportFixture.Results().Select(r => Diverge(r, 1)).ToList();
        var none = ReportModel.From(journal with { Results = all, ResultHeader = all.Select(_ => 0).ToArray() });
        Assert.Null(none.Winner);
        Assert.Empty(none.Grids);
        Assert.Contains("diverged at epoch 1", HtmlReport.Render(none, ReportFixture.Created));
    }

    [Fact]
    public void The_closing_line_counts_the_diverged_trials()
    {
        var line = EndOfSweep.TallyLine(new SweepTally(12, 12, 0, 0, 0, 0, 61, Diverged: 2));
        Assert.StartsWith("12/12 trials finished (12 this run, 0 from the journal; 2 diverged)", line);
    }
}
