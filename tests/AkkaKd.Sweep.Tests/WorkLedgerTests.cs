using AkkaKd.Sweep.Search;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep.Tests;

/// <summary>The work ledger driven directly, without actors: the hard cases of a sweep's bookkeeping.</summary>
public sealed class WorkLedgerTests
{
    /// <summary>2 widths x (baseline + 2 distilled) = 6 trials.</summary>
    private static SweepSettings Settings(params string[] overrides) => SweepFile.Parse("""
        sweep {
          name = ledger
          data    { source = "embedded:mnist10k", train = 600, test = 300 }
          teacher { hidden = [32], epochs = 2, batch = 32, lr = 0.005 }
          student { epochs = 3, batch = 32, lr = 0.005 }
          grid    { temperature = [2, 4], alpha = [0, 0.9], width = [8, 16], seeds = [1] }
        }
        """, "ledger", overrides);

    private static WorkLedger<string> Ledger(SweepSettings s, TeacherRecord? teacher = null, IEnumerable<string>? finished = null)
    {
        var ledger = new WorkLedger<string>(new GridPolicy(Grid.Expand(s), s.Student.Epochs), new TeacherWork(s.TeacherKey()),
            teacher, finished ?? []);
        ledger.Open();
        return ledger;
    }

    private static TrialResult Result(WorkItem w, double acc = 0.8, string node = "n")
    {
        var t = ((TrialWork)w).Trial;
        return new TrialResult(t.Id, t.Width, t.Temperature, t.Alpha, t.Seed, acc, 0.5, 0.9, 100, 1000, 0.1, node, DateTimeOffset.UtcNow);
    }

    private static TeacherRecord Teacher(string node = "n") => new("k", new string('c', 64), 0.95, 100, 1, node);

    /// <summary>Completes a result end to end (durable in the journal).</summary>
    private static void Finish(WorkLedger<string> l, WorkItem w)
    {
        Assert.True(l.Completed(Result(w)));
        l.Durable(Result(w));
    }

    [Fact]
    public void The_teacher_goes_first_then_baselines_and_distilled_trials_wait_for_it()
    {
        var l = Ledger(Settings());
        Assert.IsType<TeacherWork>(l.Request("w1"));
        var b1 = Assert.IsType<TrialWork>(l.Request("w2"));
        Assert.True(b1.Trial.IsBaseline);
        Finish(l, b1);
        var b2 = Assert.IsType<TrialWork>(l.Request("w2"));
        Assert.True(b2.Trial.IsBaseline);
        Finish(l, b2);
        Assert.Null(l.Request("w2")); // the distilled trials need the teacher
        Assert.Equal(["w2"], l.Idle);

        Assert.True(l.TeacherTrained("w1", Teacher()));
        Assert.Empty(l.Dispatch()); // not before it is durable
        l.TeacherDurable(Teacher());
        var handed = l.Dispatch();
        var (worker, work) = Assert.Single(handed);
        Assert.Equal("w2", worker);
        Assert.False(((TrialWork)work).Trial.IsBaseline);
        Assert.Equal(3, ((TrialWork)work).UntilEpoch);
    }

    [Fact]
    public void A_result_that_arrives_twice_counts_once()
    {
        var l = Ledger(Settings("sweep.grid.alpha=[0]", "sweep.grid.width=[8]"));
        var w = l.Request("w1")!;
        Assert.True(l.Completed(Result(w, node: "first")));
        Assert.False(l.Completed(Result(w, node: "second"))); // while the first is being written
        l.Durable(Result(w));
        Assert.False(l.Completed(Result(w, node: "third"))); // after it is durable
        Assert.Equal(2, l.Duplicates);
        Assert.Equal(1, l.Finished);
        Assert.True(l.IsDone);
    }

    [Fact]
    public void The_lease_of_a_dead_worker_goes_back_to_the_front_and_its_late_result_still_counts_once()
    {
        var l = Ledger(Settings("sweep.grid.alpha=[0]"));
        var first = l.Request("dead")!;
        var other = l.Request("w2")!;
        l.WorkersLost(w => w == "dead", "node unreachable");
        Assert.Equal(1, l.Requeued);
        var ev = Assert.Single(l.DrainEvents());
        Assert.Equal(first, Assert.IsType<LedgerEvent.Requeued>(ev).Work);
        Assert.Equal(first, l.Request("w3")); // at the front of the queue

        // The node thought dead answers after all: it counts, and w3's copy is then a duplicate.
        Assert.True(l.Completed(Result(first, node: "dead")));
        l.Durable(Result(first));
        Assert.False(l.Completed(Result(first, node: "w3")));
        Finish(l, other);
        Assert.Equal(2, l.Finished);
        Assert.Equal(1, l.Duplicates);
        Assert.True(l.IsDone);
    }

    [Fact]
    public void A_failed_journal_write_counts_and_the_sweep_stops_after_the_limit_instead_of_training_forever()
    {
        var l = Ledger(Settings("sweep.grid.alpha=[0]", "sweep.grid.width=[8]"));
        for (int i = 1; i < l.MaxAttempts; i++)
        {
            var w = l.Request("w1")!;
            Assert.True(l.Completed(Result(w)));
            l.JournalFailed(w.Id, "No space left on device");
            Assert.False(l.IsDone);
            Assert.IsType<LedgerEvent.Requeued>(Assert.Single(l.DrainEvents()));
        }
        var last = l.Request("w1")!;
        Assert.True(l.Completed(Result(last)));
        l.JournalFailed(last.Id, "No space left on device");
        Assert.True(l.IsDone);
        Assert.Contains("No space left on device", l.Error);
        Assert.IsType<LedgerEvent.Stopped>(Assert.Single(l.DrainEvents()));
        Assert.Null(l.Request("w1"));
    }

    [Fact]
    public void A_journal_write_that_succeeds_resets_the_count_of_failures()
    {
        var l = Ledger(Settings("sweep.grid.alpha=[0]", "sweep.grid.seeds=[1,2]"));
        for (int i = 0; i < 2 * l.MaxAttempts; i++)
        {
            var w = l.Request("w1")!;
            Assert.True(l.Completed(Result(w)));
            if (i % 2 == 0) l.JournalFailed(w.Id, "disk hiccup");
            else l.Durable(Result(w));
        }
        Assert.Null(l.Error);
    }

    [Fact]
    public void A_teacher_whose_node_died_before_its_logits_arrived_is_trained_again()
    {
        var l = Ledger(Settings("sweep.grid.width=[8]"));
        Assert.IsType<TeacherWork>(l.Request("w1"));
        Assert.True(l.TeacherTrained("w1", Teacher("n1")));
        Assert.NotNull(l.TeacherArriving);
        Assert.False(l.IsDone);
        // Fetching its artifact failed: its node is gone.
        l.TeacherFailed(null, "teacher artifact: node n1 went away");
        Assert.Null(l.TeacherArriving);
        Assert.IsType<TeacherWork>(l.Request("w2"));
    }

    [Fact]
    public void A_teacher_lost_with_its_worker_goes_back_without_counting_a_failure()
    {
        var l = Ledger(Settings("sweep.grid.width=[8]"));
        Assert.IsType<TeacherWork>(l.Request("w1"));
        for (int i = 0; i < 5; i++)
        {
            l.WorkersLost(w => w == "w1", "worker stopped");
            Assert.IsType<TeacherWork>(l.Request("w1"));
        }
        Assert.IsType<LedgerEvent.Requeued>(l.DrainEvents()[0]);
    }

    [Fact]
    public void A_teacher_that_keeps_failing_gives_up_the_distilled_trials_and_is_never_handed_out_again()
    {
        var l = Ledger(Settings("sweep.grid.width=[8]"));
        for (int i = 0; i < l.MaxAttempts; i++)
        {
            Assert.IsType<TeacherWork>(l.Request("w1"));
            l.TeacherFailed("w1", "OutOfMemoryException");
        }
        var gaveUp = l.DrainEvents().OfType<LedgerEvent.GaveUp>().ToList();
        Assert.Equal(2, gaveUp.Count);
        Assert.All(gaveUp, g => Assert.Contains("no teacher", g.Error));
        // The baseline still runs; then the sweep is over, with the distilled trials failed.
        var b = Assert.IsType<TrialWork>(l.Request("w1"));
        Assert.True(b.Trial.IsBaseline);
        Assert.Null(l.Request("w2"));
        Finish(l, b);
        Assert.True(l.IsDone);
        Assert.Equal(2, l.FailedTrials.Count);
        Assert.Null(l.Request("w1"));
    }

    [Fact]
    public void A_diverged_teacher_is_given_up_at_its_first_failure_since_another_attempt_would_diverge_again()
    {
        var l = Ledger(Settings("sweep.grid.width=[8]"));
        Assert.IsType<TeacherWork>(l.Request("w1"));
        l.TeacherFailed("w1", "the teacher diverged: loss NaN at epoch 2", retryable: false);
        var gaveUp = l.DrainEvents().OfType<LedgerEvent.GaveUp>().ToList();
        Assert.Equal(2, gaveUp.Count);
        Assert.All(gaveUp, g => Assert.Contains("diverged", g.Error));
        var b = Assert.IsType<TrialWork>(l.Request("w1")); // the baseline, never the teacher again
        Assert.True(b.Trial.IsBaseline);
        Assert.Null(l.Request("w2"));
    }

    [Fact]
    public void A_trial_that_keeps_failing_is_given_up_at_the_attempt_limit_and_a_returned_trial_counts_no_attempt()
    {
        var l = Ledger(Settings("sweep.grid.alpha=[0]", "sweep.grid.width=[8]"));
        var w = l.Request("w1")!;
        l.Returned("w1", w, "node leaving");
        l.Returned("w1", l.Request("w1")!, "worker busy");
        for (int attempt = 1; attempt <= l.MaxAttempts; attempt++)
        {
            Assert.Equal(w, l.Request("w1"));
            l.Failed("w1", w.Id, "boom", retryable: true);
        }
        Assert.True(l.IsDone);
        Assert.Contains("after 3 attempts", l.FailedTrials[w.Id]);
    }

    [Fact]
    public void A_failure_from_a_worker_that_no_longer_holds_the_trial_changes_nothing()
    {
        var l = Ledger(Settings("sweep.grid.alpha=[0]", "sweep.grid.width=[8]"));
        var w = l.Request("w1")!;
        l.WorkersLost(x => x == "w1", "gone");
        Assert.Equal(w, l.Request("w2"));
        l.Failed("w1", w.Id, "late failure", retryable: false);
        Assert.Empty(l.FailedTrials);
        Finish(l, w);
        Assert.True(l.IsDone);
    }

    [Fact]
    public void Nothing_is_handed_out_before_the_ledger_is_open()
    {
        var s = Settings("sweep.grid.alpha=[0]");
        var l = new WorkLedger<string>(new GridPolicy(Grid.Expand(s), 3), null, null, []);
        Assert.Null(l.Request("w1"));
        l.Open();
        var handed = Assert.Single(l.Dispatch());
        Assert.Equal("w1", handed.Worker);
    }

    [Fact]
    public void Finished_ids_from_the_journal_are_never_handed_out_and_count_as_before()
    {
        var s = Settings();
        var trials = Grid.Expand(s);
        var l = Ledger(s, Teacher(), trials.Take(4).Select(t => t.Id).Append("not-in-this-grid"));
        Assert.Equal(4, l.FinishedBefore);
        var handed = new List<string>();
        while (l.Request("w1") is TrialWork w)
        {
            handed.Add(w.Id);
            Finish(l, w);
        }
        Assert.Equal(trials.Skip(4).Select(t => t.Id).Order(), handed.Order());
        Assert.True(l.IsDone);
        Assert.Equal(trials.Count, l.Finished);
    }

    [Fact]
    public void A_result_of_a_trial_the_sweep_does_not_know_is_ignored()
    {
        var l = Ledger(Settings("sweep.grid.alpha=[0]"));
        var stranger = new TrialResult("nope", 8, null, 0, 1, 0.5, 0.5, null, 1, 1, 1, "n", DateTimeOffset.UtcNow);
        Assert.False(l.Completed(stranger));
        Assert.Equal(0, l.Duplicates);
    }

    [Fact]
    public void A_non_finite_result_not_marked_diverged_is_given_up_and_never_reaches_the_journal()
    {
        var l = Ledger(Settings("sweep.grid.alpha=[0]", "sweep.grid.width=[8]"));
        var w = l.Request("w1")!;
        Assert.False(l.Completed(Result(w, acc: double.NaN)));
        Assert.True(l.IsDone);
        Assert.Contains("not a finite number", l.FailedTrials[w.Id]);
        Assert.Equal(0, l.Finished);
    }
}
