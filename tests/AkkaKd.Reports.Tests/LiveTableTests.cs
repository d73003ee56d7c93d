using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>The live table both the running sweep and <c>akkakd leaderboard --watch</c> draw: events in, lines out.</summary>
public sealed class LiveTableTests
{
    private TimeSpan _now = TimeSpan.Zero;

    private LiveTable NewTable() => new(() => _now);

    private static TrialResult Result(string id, int width, double? t, double alpha, double acc, double seconds = 1.5) =>
        new(id, width, alpha == 0 ? null : t, alpha, 1, acc, 0.2, 0.97, 1000, 100_000, seconds, "node-a", DateTimeOffset.UnixEpoch);

    [Fact]
    public void Each_event_answers_its_plain_line()
    {
        var table = NewTable();
        Assert.Equal("sweep laptop: 4 trials (1 already in the journal), 2 slots",
            table.Start("laptop", 4, 20, [Result("a", 16, null, 0, 0.9)], null, 2));
        _now = TimeSpan.FromSeconds(10);
        // One result in 10 s this run, 2 trials left: 20 s to go.
        Assert.Equal("[2/4] w16 T4 a0.5 s1: acc 91.25% (1.5 s, node-a) eta 20.0s", table.Finished(Result("b", 16, 4, 0.5, 0.9125)));
        Assert.Equal("[3/4] w32 baseline s1: acc 93.00% (1.5 s, node-a) eta 5.0s", table.Finished(Result("c", 32, null, 0, 0.93)));
        Assert.Equal("trial d back to the queue: node lost", table.Requeued("d", "node lost"));
        Assert.Equal("trial d failed: out of memory", table.GaveUp("d", "out of memory"));
        var teacher = new TeacherRecord("k", new string('b', 64), 0.9745, 2_395_210, 41.5, "node-b");
        Assert.Equal("teacher: acc 97.45%, 2,395,210 parameters, 41.5 s on node-b", table.TeacherReady(teacher, "teacher"));
        Assert.True(table.Complete is false);
    }

    [Fact]
    public void The_drawing_shows_progress_running_trials_notes_and_the_ranking()
    {
        var table = NewTable();
        table.Start("laptop", 10, 20, [], null, 2);
        table.Assigned("teacher", "teacher", "node-a");
        table.Assigned("t1", "w16 T4 a0.5 s1", "node-b");
        table.Progress("t1", 3, 10);
        _now = TimeSpan.FromSeconds(75);
        table.Finished(Result("t0", 16, null, 0, 0.88));
        table.Requeued("t2", "worker died");

        var lines = table.Lines(height: null);
        Assert.Equal("akkakd sweep laptop: 1/10 done, 2 running, elapsed 1:15, eta 11:15", lines[0]);
        Assert.Equal("teacher: not trained yet", lines[1]);
        Assert.Equal("  running teacher                      starting     node-a", lines[2]);
        Assert.Equal("  running w16 T4 a0.5 s1               epoch 3/10   node-b", lines[3]);
        Assert.Equal("  trial t2 back to the queue: worker died", lines[4]);
        Assert.Equal(LeaderboardTable.Lines(Leaderboard.Rank(table.Results)), lines.Skip(5));

        table.TeacherReady(new TeacherRecord("k", new string('b', 64), 0.97, 1000, 2, "node-a"), "teacher");
        table.GaveUp("t1", "boom");
        lines = table.Lines(height: null);
        Assert.Equal("akkakd sweep laptop: 1/10 done, 0 running, 1 failed, elapsed 1:15, eta 10:00", lines[0]);
        Assert.DoesNotContain(lines, l => l.Contains("running teacher", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_newest_notes_are_kept()
    {
        var table = NewTable();
        table.Start("s", 10, 20, [], null, 1);
        for (int i = 0; i < 5; i++) table.Requeued($"t{i}", "lost");
        var notes = table.Lines(null).Where(l => l.StartsWith("  trial", StringComparison.Ordinal)).ToList();
        Assert.Equal(LiveTable.MaxNotes, notes.Count);
        Assert.Equal(["  trial t2 back to the queue: lost", "  trial t3 back to the queue: lost", "  trial t4 back to the queue: lost"], notes);
    }

    [Fact]
    public void The_terminals_height_bounds_the_ranking_but_never_below_five_rows()
    {
        var results = ReportFixture.Results();
        var table = NewTable();
        table.Start("fixture", results.Count, 20, results, ReportFixture.Teacher(), 2);
        int RankingRows(int? height) => table.Lines(height).Count - 2 - 1; // heading, teacher; the table's header
        Assert.Equal(20, RankingRows(null)); // not a terminal: the sweep's top
        Assert.Equal(14, RankingRows(20)); // 20 rows - 6
        Assert.Equal(5, RankingRows(8));
        Assert.Equal(20, RankingRows(100));
    }

    [Fact]
    public void Changed_says_whether_a_redraw_would_show_something_new()
    {
        var table = NewTable();
        Assert.False(table.Changed);
        table.Start("s", 2, 20, [], null, 1);
        Assert.True(table.Changed);
        table.Lines(null);
        Assert.False(table.Changed);
        table.Progress("x", 1, 2);
        Assert.True(table.Changed);
    }

    [Fact]
    public async Task A_journal_shows_what_it_holds_and_how_many_rows_are_left_out()
    {
        using var dir = new TempDir();
        var results = ReportFixture.Results();
        await ReportFixture.WriteAsync(dir.Path, take: 40);
        var journal = Journal.Read(dir.File(Journal.FileName));
        var table = NewTable();
        table.Load(journal, top: 5);
        var lines = table.Lines(height: null);
        Assert.Equal($"akkakd sweep fixture: 40/{ReportFixture.TrialCount} trials in the journal, running or stopped (sweep aaaaaaaaaaaa)", lines[0]);
        Assert.Equal("teacher: acc 97.45%, 2,395,210 parameters, 41.5 s on node-a", lines[1]);
        var ranked = Leaderboard.Rank(results.Take(40), ReportFixture.Teacher());
        Assert.Equal(LeaderboardTable.Lines(ranked.Take(5).ToList()), lines.Skip(2).Take(6));
        Assert.Equal($"{ranked.Count - 5} more (--top {ranked.Count} shows them all)", lines[^1]);
        Assert.False(table.Complete);

        // On a terminal of 10 rows: 4 ranking rows.
        Assert.Equal($"{ranked.Count - 4} more (--top {ranked.Count} shows them all)", table.Lines(height: 10)[^1]);

        using var full = new TempDir();
        await ReportFixture.WriteAsync(full.Path);
        table.Load(Journal.Read(full.File(Journal.FileName)), top: int.MaxValue);
        lines = table.Lines(height: null);
        Assert.StartsWith($"akkakd sweep fixture: {ReportFixture.TrialCount}/{ReportFixture.TrialCount} trials in the journal (sweep", lines[0]);
        Assert.True(table.Complete);
    }
}
