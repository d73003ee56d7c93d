using AkkaKd.Sweep.Search;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep.Tests;

/// <summary>
/// A trial whose training diverged is a result: journalled (no accuracy), finished, never retried or re-run on resume,
/// ranked after every configuration that never diverged (issue 14).
/// </summary>
public sealed class DivergedTrialTests
{
    private static SweepSettings Settings(params string[] overrides) => SweepFile.Parse("""
        sweep {
          name = diverged
          data    { source = "embedded:mnist10k", train = 600, validation = 100, test = 300 }
          teacher { hidden = [32], epochs = 2, batch = 32, lr = 0.005 }
          student { epochs = 3, batch = 32, lr = 0.005 }
          grid    { temperature = [2], alpha = [0], width = [8, 16], seeds = [1] }
        }
        """, "diverged", overrides);

    private static WorkLedger<string> Ledger(SweepSettings s, IEnumerable<string>? finished = null)
    {
        var l = new WorkLedger<string>(new GridPolicy(Grid.Expand(s), s.Student.Epochs), new TeacherWork(s.TeacherKey()), null, finished ?? []);
        l.Open();
        return l;
    }

    private static TrialResult Ok(Trial t, double val, double test = 0.8, string node = "n") =>
        new(t.Id, t.Width, t.Temperature, t.Alpha, t.Seed, test, 0.5, 0.9, 100 * t.Width, 1000, 1, node, DateTimeOffset.UnixEpoch,
            ValAcc: val, Epochs: 3, Status: TrialResult.Ok);

    private static TrialResult Diverged(Trial t, int epoch) =>
        TrialResult.DivergedResult(Ok(t, 0.5), epoch, $"loss NaN at epoch {epoch}");

    [Fact]
    public void A_diverged_result_is_journalled_finished_and_never_retried()
    {
        var l = Ledger(Settings());
        var w = Assert.IsType<TrialWork>(l.Request("w1"));
        var d = Diverged(w.Trial, 2);
        Assert.True(d.IsFinite && d.Diverged);
        Assert.True(l.Completed(d)); // to the journal, as the trial's line
        Assert.Null(l.RungLine(d));
        l.Durable(d);
        Assert.Equal(1, l.Finished);
        Assert.Equal(1, l.Diverged);
        Assert.Empty(l.FailedTrials);
        Assert.DoesNotContain(l.DrainEvents(), e => e is LedgerEvent.Requeued or LedgerEvent.GaveUp);
        Assert.False(l.Completed(d)); // a second copy counts once
        Assert.Equal(1, l.Duplicates);

        var other = Assert.IsType<TrialWork>(l.Request("w1"));
        Assert.NotEqual(w.Id, other.Id); // never handed out again
        Assert.True(l.Completed(Ok(other.Trial, 0.7)));
        l.Durable(Ok(other.Trial, 0.7));
        Assert.Null(l.Request("w1"));
        Assert.True(l.IsDone);
        Assert.Equal(2, l.Finished);
    }

    [Fact]
    public void Resume_does_not_run_a_diverged_trial_again()
    {
        var s = Settings();
        var trials = Grid.Expand(s);
        var l = Ledger(s, finished: [trials[0].Id]);
        var w = Assert.IsType<TrialWork>(l.Request("w1"));
        Assert.Equal(trials[1].Id, w.Id);
        Assert.Null(l.Request("w2"));
    }

    [Fact]
    public void A_diverged_rung_ends_the_trial_and_the_scheduler_goes_on_without_it()
    {
        // 3 configurations x 2 seeds, rungs 1 and 3 (eta 3).
        List<Trial> trials = [.. Enumerable.Range(1, 3).SelectMany(t => new[] { 1, 2 }.Select(s => new Trial($"T{t}s{s}", "k", 8, t, 0.5, s, 1)))];
        var l = new WorkLedger<string>(new HalvingPolicy(trials, 3, 1, 3, asynchronous: false), new TeacherWork("k"),
            new TeacherRecord("k", new string('c', 64), 0.95, 100, 1, "n"), []);
        l.Open();
        for (int guard = 0; guard < 100 && !l.IsDone; guard++)
        {
            var w = Assert.IsType<TrialWork>(l.Request("w"));
            var r = w.Trial.Temperature == 3 && w.Trial.Seed == 1
                ? Diverged(w.Trial, 1) with { Epochs = w.UntilEpoch } // the best configuration's first seed diverges at rung 1
                : Ok(w.Trial, w.Trial.Temperature!.Value / 10) with { Epochs = w.UntilEpoch };
            Assert.True(l.Completed(r));
            if (r.Diverged) Assert.Null(l.RungLine(r)); // a divergence is the trial's line, never a rung line
            l.Durable(r);
        }
        Assert.True(l.IsDone); // no hang: nothing waits for the diverged seed
        Assert.Equal(1, l.Diverged);
        Assert.Empty(l.FailedTrials);
    }

    [Fact]
    public void The_ranking_puts_a_diverged_configuration_last_with_its_epoch_and_no_accuracy()
    {
        var s = Settings("sweep.grid.alpha=[0, 0.5]", "sweep.grid.temperature=[2, 4]", "sweep.grid.width=[8]", "sweep.grid.seeds=[1, 2]");
        var trials = Grid.Expand(s);
        Trial T(double? temp, int seed) => trials.Single(t => t.Temperature == temp && t.Seed == seed && (temp is null) == t.IsBaseline);
        var results = new List<TrialResult>
        {
            Ok(T(null, 1), 0.80), Ok(T(null, 2), 0.82),
            Ok(T(2, 1), 0.85), Ok(T(2, 2), 0.86),
            Diverged(T(4, 1), 7), Ok(T(4, 2), 0.99), // one seed diverged: the other's 99% does not rank it
        };
        var rows = Leaderboard.Rank(results);
        Assert.Equal(3, rows.Count);
        Assert.False(rows[0].SelectedOnTest); // a diverged trial has no val acc, but the ranking stays on validation
        Assert.Equal((2.0, 1), (rows[0].Temperature!.Value, rows[0].Rank));
        Assert.True(rows[1].IsBaseline);
        var last = rows[2];
        Assert.Equal((4.0, 3), (last.Temperature!.Value, last.Rank));
        Assert.True(last.Diverged);
        Assert.Equal(7, last.DivergedEpoch);
        Assert.Equal("diverged at epoch 7 (1 of 2 seeds)", last.DivergedText);
        Assert.True(double.IsNaN(last.Acc));
        Assert.Null(last.Gain);
        Assert.Null(last.TestGain);

        // A diverged baseline gives no gain to pair with; the distilled configuration still ranks on its own accuracy.
        var noBaseline = Leaderboard.Rank([Diverged(T(null, 1), 3), Ok(T(2, 1), 0.85)]);
        Assert.Equal(2.0, noBaseline[0].Temperature);
        Assert.Null(noBaseline[0].Gain);
        Assert.Equal("diverged at epoch 3", noBaseline[1].DivergedText);

        // Among diverged configurations the later divergence ranks first.
        var both = Leaderboard.Rank([Diverged(T(2, 1), 2), Diverged(T(4, 1), 9)]);
        Assert.Equal([9, 2], both.Select(r => r.DivergedEpoch!.Value));
    }

    [Fact]
    public async Task A_diverged_trial_line_has_no_accuracy_and_reads_back_as_diverged()
    {
        using var dir = new TempDir();
        var s = Settings();
        var t = Grid.Expand(s)[0];
        var path = Path.Combine(dir.Path, Journal.FileName);
        using (var j = Journal.Create(path, new JournalHeader("hash", "diverged", "fp", 2, DateTimeOffset.UnixEpoch)))
        {
            await j.AppendAsync(Diverged(t, 7));
            await j.AppendAsync(Ok(Grid.Expand(s)[1], 0.9));
        }
        var lines = File.ReadAllLines(path);
        Assert.Contains("\"status\":\"diverged\"", lines[1]);
        Assert.Contains("\"diverged_epoch\":7", lines[1]);
        Assert.Contains("\"diverged_reason\":\"loss NaN at epoch 7\"", lines[1]);
        Assert.DoesNotContain("test_acc", lines[1]); // no made-up accuracy
        Assert.DoesNotContain("test_loss", lines[1]);
        Assert.DoesNotContain("val_acc", lines[1]);
        Assert.Contains("\"test_acc\":0.8", lines[2]);
        Assert.Contains("\"status\":\"ok\"", lines[2]);

        var read = Journal.Read(path);
        Assert.Equal(2, read.Results.Count);
        Assert.True(read.Results[0].Diverged);
        Assert.Equal(7, read.Results[0].DivergedEpoch);
        Assert.Equal("loss NaN at epoch 7", read.Results[0].DivergedReason);
        Assert.False(read.Results[1].Diverged);
    }
}
