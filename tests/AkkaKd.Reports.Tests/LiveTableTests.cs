using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>The live table both the running sweep and <c>akkakd leaderboard --watch</c> draw: events in, lines out.</summary>
public sealed class LiveTableTests
{
    private TimeSpan _now = TimeSpan.Zero;

    private LiveTable NewTable() => new(() => _now);

    private static TrialResult Result(string id, int width, double? t, double alpha, double acc, double seconds = 1.5, double? val = null) =>
        new(id, width, alpha == 0 ? null : t, alpha, 1, acc, 0.2, 0.97, 1000, 100_000, seconds, "node-a", DateTimeOffset.UnixEpoch, val);

    [Fact]
    public void Each_event_answers_its_plain_line()
    {
        var table = NewTable();
        Assert.Equal("sweep laptop: 4 trials (1 already in the journal), 2 slots",
            table.Start("laptop", 4, 20, [Result("a", 16, null, 0, 0.9)], null, 2));
        _now = TimeSpan.FromSeconds(10);
        // One result in 10 s this run, 2 trials left: 20 s to go.
        Assert.Equal("[2/4] w16 T4 a0.5 s1: val 91.40%, test 91.25% (1.5 s, node-a) eta 20.0s",
            table.Finished(Result("b", 16, 4, 0.5, 0.9125, val: 0.914)));
        // A result of an older worker (no validation): its test accuracy alone.
        Assert.Equal("[3/4] w32 baseline s1: test 93.00% (1.5 s, node-a) eta 5.0s", table.Finished(Result("c", 32, null, 0, 0.93)));
        Assert.Equal("trial d back to the queue: node lost", table.Requeued("d", "node lost"));
        Assert.Equal("trial d failed: out of memory", table.GaveUp("d", "out of memory"));
        var teacher = new TeacherRecord("k", new string('b', 64), 0.9745, 2_395_210, 41.5, "node-b");
        Assert.Equal("teacher: test acc 97.45%, 2,395,210 parameters, 41.5 s on node-b", table.TeacherReady(teacher, "teacher"));
        Assert.Equal("teacher: test acc 97.45%, val acc 97.60%, 2,395,210 parameters, 41.5 s on node-b",
            table.TeacherReady(teacher with { ValAcc = 0.976 }, "teacher"));
        Assert.True(table.Complete is false);
    }

    [Fact]
    public void The_drawing_shows_progress_running_trials_notes_and_the_ranking()
    {
        var table = NewTable();
        table.Start("laptop", 10, 20, [], null, 2);
        table.Assigned("teacher", "teacher", "node-a");
        table.Assigned("t1", "w16 T4 a0.5 s1", "node-b");
        table.Progress("t1", 3, 10, valAcc: 0.8734);
        _now = TimeSpan.FromSeconds(75);
        table.Finished(Result("t0", 16, null, 0, 0.88, val: 0.885));
        table.Requeued("t2", "worker died");

        var lines = table.Lines(height: null);
        Assert.Equal("akkakd sweep laptop: 1/10 done, 2 running, elapsed 1:15, eta 11:15", lines[0]);
        Assert.Equal("teacher: not trained yet", lines[1]);
        Assert.Equal("  running teacher                      starting                 node-a", lines[2]);
        // A running trial's latest validation accuracy; an epoch without one keeps the last shown.
        Assert.Equal("  running w16 T4 a0.5 s1               epoch 3/10   val 87.34%  node-b", lines[3]);
        table.Progress("t1", 4, 10);
        Assert.Equal("  running w16 T4 a0.5 s1               epoch 4/10   val 87.34%  node-b", table.Lines(null)[3]);
        Assert.Equal("  trial t2 back to the queue: worker died", lines[4]);
        var ranked = Leaderboard.Rank(table.Results);
        Assert.Equal(LeaderboardTable.Lines(ranked), lines.Skip(5).SkipLast(1));
        Assert.Equal(LeaderboardTable.Note(ranked), lines[^1]);
        Assert.StartsWith("ranked by val acc, mean over seeds; test acc is shown, never used to choose", lines[^1]);

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
        int RankingRows(int? height) => table.Lines(height).Count - 2 - 1 - 1; // heading, teacher; the table's header, the note
        Assert.Equal(20, RankingRows(null)); // not a terminal: the sweep's top
        Assert.Equal(13, RankingRows(20)); // 20 rows - 7
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
        Assert.Equal("teacher: test acc 97.45%, val acc 97.60%, 2,395,210 parameters, 41.5 s on node-a", lines[1]);
        var ranked = Leaderboard.Rank(results.Take(40), ReportFixture.Teacher());
        Assert.Equal(LeaderboardTable.Lines(ranked.Take(5).ToList()), lines.Skip(2).Take(6));
        Assert.Equal($"{ranked.Count - 5} more (--top {ranked.Count} shows them all)", lines[^2]);
        Assert.Equal(LeaderboardTable.Note(ranked), lines[^1]);
        Assert.False(table.Complete);

        // On a terminal of 10 rows: 3 ranking rows.
        Assert.Equal($"{ranked.Count - 3} more (--top {ranked.Count} shows them all)", table.Lines(height: 10)[^2]);

        using var full = new TempDir();
        await ReportFixture.WriteAsync(full.Path);
        table.Load(Journal.Read(full.File(Journal.FileName)), top: int.MaxValue);
        lines = table.Lines(height: null);
        Assert.StartsWith($"akkakd sweep fixture: {ReportFixture.TrialCount}/{ReportFixture.TrialCount} trials in the journal (sweep", lines[0]);
        Assert.True(table.Complete);
    }

    [Fact]
    public async Task An_old_journal_is_ranked_on_test_and_says_so()
    {
        using var dir = new TempDir();
        await ReportFixture.WriteAsync(dir.Path, withOptionalFields: false);
        var table = NewTable();
        table.Load(Journal.Read(dir.File(Journal.FileName)), top: 3);
        var lines = table.Lines(height: null);
        Assert.StartsWith("selected on test (no validation rows): ranked by test acc", lines[^1]);
        // The val columns are empty ("-"): no validation accuracy is made up.
        var first = lines.First(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        var header = lines.First(l => l.StartsWith("rank", StringComparison.Ordinal));
        Assert.Equal("-", first[..header.IndexOf("val ci95", StringComparison.Ordinal)].TrimEnd().Split(' ')[^1]);
    }

    [Fact]
    public async Task An_extended_journal_counts_the_current_grid_and_says_what_it_left_out()
    {
        using var dir = new TempDir();
        var s1 = SweepFile.Parse("sweep { name = x, grid { width = [8], temperature = [2], alpha = [0, 0.5], seeds = [1] } }", "a");
        var s2 = SweepFile.Parse("sweep { name = x, seed = 2, grid { width = [8], temperature = [2], alpha = [0, 0.5], seeds = [1, 2] } }", "b");
        TrialResult Of(Trial t) => new(t.Id, t.Width, t.Temperature, t.Alpha, t.Seed, 0.9, 0.3, null, 10, 100, 1, "n", DateTimeOffset.UnixEpoch, 0.91);
        using (var p = SweepPlan.Prepare(s1, dir.Path, false, false, "fp").Journal)
            foreach (var t in Grid.Expand(s1)) await p.AppendAsync(Of(t));
        var plan = SweepPlan.Prepare(s2, dir.Path, true, true, "fp");
        using (plan.Journal)
            foreach (var t in plan.Trials.Take(3)) await plan.Journal.AppendAsync(Of(t));
        var table = NewTable();
        table.Load(Journal.Read(dir.File(Journal.FileName)), top: 20);
        var lines = table.Lines(height: null);
        Assert.StartsWith("akkakd sweep x: 3/4 trials in the journal", lines[0]); // not 5 of 2
        Assert.Equal(JournalScope.LeftOutNote(2), lines[2]);
        Assert.Equal(3, table.Results.Count);
    }

    private static string Config(double t) => AkkaKd.Sweep.Search.Rungs.ConfigId(new Trial("", "", 16, t, 0.5, 1, 0));

    private static RungRecord Rung(string id, double t, int epoch, double val) =>
        new(Config(t), id, 0, epoch, val, 0.3, 1.0, "node-a", DateTimeOffset.UnixEpoch);

    private static TrialResult Final(string id, double? t, double alpha, int seed, double val) =>
        Result(id, 16, t, alpha, val - 0.01, val: val) with { Seed = seed, Epochs = 3 };

    [Fact]
    public void A_scheduled_sweep_shows_each_rung_and_the_epochs_spent_against_the_full_budget()
    {
        var table = NewTable();
        table.Start("search", 6, 20, [], null, 1, epochs: 3);
        table.Assigned("a1", "w16 T4 a0.5 s1", "node-a");
        Assert.Equal("rung at epoch 1: w16 T4 a0.5 s1: val 80.00% (1.0 s, node-a)", table.RungResult(Rung("a1", 4, 1, 0.8), "w16 T4 a0.5 s1"));
        Assert.Equal(0, table.Running); // the segment is done: no longer running
        table.RungResult(Rung("a2", 4, 1, 0.82), "w16 T4 a0.5 s2");
        table.RungResult(Rung("b1", 2, 1, 0.7), "w16 T2 a0.5 s1");
        table.RungResult(Rung("b2", 2, 1, 0.71), "w16 T2 a0.5 s2");
        foreach (var (id, t, decision) in new[] { ("a1", 4.0, "promote"), ("a2", 4.0, "promote"), ("b1", 2.0, "stop"), ("b2", 2.0, "stop") })
            table.Decided(new DecisionRecord(Config(t), id, 1, decision));
        var lines = table.Lines(null);
        Assert.Equal("  rung 1 (epoch 1): 2 configurations in, 1 going on, 1 stopped", lines[2]);
        Assert.Equal("  student epochs spent: 4 of 18 for every trial in full (22.22%)", lines[3]);

        table.Finished(Final("c1", null, 0, 1, 0.9));
        table.Finished(Final("c2", null, 0, 2, 0.9));
        table.Finished(Final("a1", 4, 0.5, 1, 0.85));
        table.Finished(Final("a2", 4, 0.5, 2, 0.86));
        lines = table.Lines(null);
        Assert.Equal("  rung 1 (epoch 1): 2 configurations in, 1 going on, 1 stopped", lines[2]);
        Assert.Equal("  rung 2 (epoch 3): 1 configuration in at the full epochs", lines[3]);
        // a1, a2 and both baselines 3 epochs each, b1 and b2 1: 14 of 6 x 3.
        Assert.Equal("  student epochs spent: 14 of 18 for every trial in full (77.78%)", lines[4]);
    }

    /// <summary>A resumed search's table starts from the journal's rungs and decisions, not from this run's alone.</summary>
    [Fact]
    public void A_resumed_search_shows_the_rungs_and_decisions_already_in_its_journal()
    {
        var rungs = new[] { Rung("a1", 4, 1, 0.8), Rung("a2", 4, 1, 0.82), Rung("b1", 2, 1, 0.7), Rung("b2", 2, 1, 0.71) };
        var decisions = new[]
        {
            new DecisionRecord(Config(4), "a1", 1, "promote"), new DecisionRecord(Config(4), "a2", 1, "promote"),
            new DecisionRecord(Config(2), "b1", 1, "stop"), new DecisionRecord(Config(2), "b2", 1, "stop"),
        };
        var table = NewTable();
        table.Start("search", 6, 20, [Final("c1", null, 0, 1, 0.9), Final("c2", null, 0, 2, 0.9)], null, 1, epochs: 3, rungs, decisions);
        var lines = table.Lines(null);
        Assert.Contains("  rung 1 (epoch 1): 2 configurations in, 1 going on, 1 stopped", lines);
        // both baselines 3 epochs, each of the four trials 1 so far
        Assert.Contains("  student epochs spent: 10 of 18 for every trial in full (55.56%)", lines);
        Assert.False(table.Complete);
        table.Finished(Final("a1", 4, 0.5, 1, 0.85));
        table.Finished(Final("a2", 4, 0.5, 2, 0.86));
        Assert.True(table.Complete); // b1 and b2 were stopped before the resume: they count as in
    }

    [Fact]
    public void A_scheduled_journal_is_complete_when_every_trial_has_a_line_or_was_stopped()
    {
        var header = new JournalHeader("h", "search", "f", 6, DateTimeOffset.UnixEpoch);
        var rungs = new[] { Rung("a1", 4, 1, 0.8), Rung("a2", 4, 1, 0.82), Rung("b1", 2, 1, 0.7), Rung("b2", 2, 1, 0.71) };
        var decisions = new[]
        {
            new DecisionRecord(Config(4), "a1", 1, "promote"), new DecisionRecord(Config(4), "a2", 1, "promote"),
            new DecisionRecord(Config(2), "b1", 1, "stop"), new DecisionRecord(Config(2), "b2", 1, "stop"),
        };
        var finals = new List<TrialResult> { Final("c1", null, 0, 1, 0.9), Final("c2", null, 0, 2, 0.9), Final("a1", 4, 0.5, 1, 0.85) };
        var table = NewTable();
        table.Load(new JournalContents(header, finals, [], 0, null, 0, Rungs: rungs, Decisions: decisions), 20);
        Assert.False(table.Complete); // a2 is still running
        Assert.StartsWith("akkakd sweep search: 3/6 trials in the journal, 2 stopped by the scheduler, running or stopped", table.Lines(null)[0]);
        finals.Add(Final("a2", 4, 0.5, 2, 0.86));
        table.Load(new JournalContents(header, finals, [], 0, null, 0, Rungs: rungs, Decisions: decisions), 20);
        Assert.True(table.Complete);
        var lines = table.Lines(null);
        Assert.StartsWith("akkakd sweep search: 4/6 trials in the journal, 2 stopped by the scheduler (sweep", lines[0]);
        Assert.Equal("  rung 2 (epoch 3): 1 configuration in at the full epochs", lines[3]);
        Assert.Equal("  student epochs spent: 14 of 18 for every trial in full (77.78%)", lines[4]);
        // A grid's journal shows no rungs.
        Assert.DoesNotContain(NewTableLoaded(header, finals), l => l.Contains("rung"));
    }

    private IReadOnlyList<string> NewTableLoaded(JournalHeader header, List<TrialResult> finals)
    {
        var table = NewTable();
        table.Load(new JournalContents(header, finals, [], 0, null, 0), 20);
        return table.Lines(null);
    }
}
