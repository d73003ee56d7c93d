using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>The end of a sweep: its three files, and what the terminal shows last.</summary>
public sealed class EndOfSweepTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_leaderboard_files_and_the_report_are_written()
    {
        var results = await ReportFixture.WriteAsync(_dir.Path);
        var files = EndOfSweep.WriteFiles(_dir.Path, results, ReportFixture.Teacher(), 20, "akkakd sweep fixture");
        Assert.Equal([_dir.File("leaderboard.csv"), _dir.File("leaderboard.md"), _dir.File("report.html")], files);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_is_an_error_naming_it_after_the_leaderboard_files()
    {
        var results = await ReportFixture.WriteAsync(_dir.Path);
        Directory.CreateDirectory(_dir.File("report.html"));
        var e = Assert.Throws<ReportWriteException>(() => EndOfSweep.WriteFiles(_dir.Path, results, ReportFixture.Teacher(), 20, "t"));
        Assert.Equal($"is a directory: {_dir.File("report.html")}", e.Message);
        Assert.True(File.Exists(_dir.File("leaderboard.md")));
    }

    [Fact]
    public void A_report_that_cannot_be_made_is_an_error_naming_it()
    {
        _dir.Write(Journal.FileName, "{\"type\":\"header\"\n"); // not a journal
        var e = Assert.Throws<ReportWriteException>(() => EndOfSweep.WriteFiles(_dir.Path, [], null, 20, "t"));
        Assert.StartsWith("cannot make the report (", e.Message);
        Assert.EndsWith($": {_dir.File("report.html")}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_closing_output_has_the_ranking_when_not_live_the_grids_and_the_tally()
    {
        var results = ReportFixture.Results();
        var w = new StringWriter();
        var tally = new SweepTally(results.Count, results.Count, 8, 0, 2, 1, 75);
        EndOfSweep.Print(w, results, ReportFixture.Teacher(), 5, tally, ["a.csv", "b.md"], live: false, width: 120);
        var text = w.ToString();
        var ranking = LeaderboardTable.Lines(Leaderboard.Rank(results, ReportFixture.Teacher()).Take(5).ToList());
        Assert.Contains(string.Join(Environment.NewLine, ranking), text);
        Assert.Contains("alpha \\ T", text); // the grids
        Assert.Contains($"{results.Count}/{results.Count} trials finished ({results.Count - 8} this run, 8 from the journal), " +
                        "2 requeued, 1 duplicate results discarded in 1:15", text);
        Assert.EndsWith("wrote a.csv, b.md" + Environment.NewLine, text);

        w = new StringWriter();
        EndOfSweep.Print(w, results, ReportFixture.Teacher(), 5, tally with { Failed = 3 }, files: null, live: true, width: 120);
        text = w.ToString();
        Assert.DoesNotContain(ranking[0], text); // drawn live already
        Assert.Contains(", 3 failed", text);
        Assert.DoesNotContain("wrote", text);
    }

    [Fact]
    public void The_tally_names_only_what_happened()
    {
        Assert.Equal("12/12 trials finished (12 this run, 0 from the journal) in 42.0s",
            EndOfSweep.TallyLine(new SweepTally(12, 12, 0, 0, 0, 0, 42)));
    }
}
