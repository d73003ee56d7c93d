using AkkaKd.Sweep.Search;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep.Tests;

/// <summary>The work ledger under a scheduler: a trial completes once per rung, each segment counts once.</summary>
public sealed class SegmentLedgerTests
{
    private static readonly TeacherRecord Teacher = new("k", new string('c', 64), 0.95, 100, 1, "n");

    /// <summary>3 configurations x 2 seeds, rungs 1 and 3 (eta 3): one configuration goes on.</summary>
    private static List<Trial> Trials() =>
        [.. Enumerable.Range(1, 3).SelectMany(t => new[] { 1, 2 }.Select(s => new Trial($"T{t}s{s}", "k", 8, t, 0.5, s, 1)))];

    private static HalvingPolicy Policy() => new(Trials(), 3, 1, 3, asynchronous: false);

    private static WorkLedger<string> Ledger(HalvingPolicy p, IReadOnlyList<TrialResult>? segments = null,
        IReadOnlySet<(string, int)>? decided = null, IEnumerable<string>? finished = null)
    {
        var l = new WorkLedger<string>(p, new TeacherWork("k"), Teacher, finished ?? [], segmentsBefore: segments, decidedBefore: decided);
        l.Open();
        return l;
    }

    private static TrialResult R(TrialWork w, int? epochs = -1) => new(w.Trial.Id, 8, w.Trial.Temperature, 0.5, w.Trial.Seed, 0.5, 1,
        0.9, 10, 100, 0.1, "n", DateTimeOffset.UnixEpoch, ValAcc: w.Trial.Temperature / 10, Epochs: epochs == -1 ? w.UntilEpoch : epochs);

    private static void Finish(WorkLedger<string> l, TrialWork w)
    {
        Assert.True(l.Completed(R(w)));
        l.Durable(R(w));
    }

    private static List<TrialWork> TakeAll(WorkLedger<string> l, string worker = "w")
    {
        var all = new List<TrialWork>();
        while (l.Request(worker) is TrialWork w) all.Add(w);
        return all;
    }

    [Fact]
    public void Each_rung_counts_once_and_a_promoted_segment_is_new_work()
    {
        var l = Ledger(Policy());
        var rung1 = TakeAll(l);
        Assert.Equal(6, rung1.Count);
        Assert.All(rung1, w => Assert.Equal(1, w.UntilEpoch));
        foreach (var w in rung1)
        {
            Assert.True(l.Completed(R(w)));
            Assert.Equal(w, l.Committing(w.Trial.Id)); // not the full epochs: a rung result
            l.Durable(R(w));
        }
        Assert.Equal(0, l.Finished); // nothing is finished at a rung
        var decided = l.DrainEvents().OfType<LedgerEvent.Decided>().Select(e => e.Decision).ToList();
        Assert.Equal(6, decided.Count);
        Assert.Equal(["T3s1", "T3s2"], decided.Where(d => d.Promote).Select(d => d.TrialId).Order());

        Assert.False(l.Completed(R(rung1[0]))); // the rung result again: a duplicate
        Assert.Equal(1, l.Duplicates);
        var rung2 = TakeAll(l);
        Assert.Equal(["T3s1", "T3s2"], rung2.Select(w => w.Trial.Id).Order());
        Assert.All(rung2, w => Assert.Equal((1, 3), (w.FromEpoch, w.UntilEpoch)));
        Assert.False(l.Completed(R(rung2[0], epochs: 1))); // a late copy of the trial's rung-1 result
        Assert.False(l.IsDone);
        foreach (var w in rung2)
        {
            Assert.True(l.Completed(R(w)));
            Assert.Equal(3, l.Committing(w.Trial.Id)!.UntilEpoch);
            l.Durable(R(w));
        }
        Assert.Equal(2, l.Finished);
        Assert.Equal(2, l.Total);
        Assert.True(l.IsDone);
    }

    [Fact]
    public void A_lost_workers_segment_goes_back_to_the_queue_as_the_same_segment()
    {
        var l = Ledger(Policy());
        var rung1 = TakeAll(l);
        foreach (var w in rung1) Finish(l, w);
        var mine = Assert.IsType<TrialWork>(l.Request("dies"));
        l.WorkersLost(w => w == "dies", "node down");
        var again = Assert.IsType<TrialWork>(l.Request("lives"));
        Assert.Equal(mine, again);
        Finish(l, again);
        Assert.False(l.Completed(R(mine))); // the dead worker's copy, late
    }

    [Fact]
    public void Failures_are_counted_per_segment()
    {
        var l = new WorkLedger<string>(Policy(), new TeacherWork("k"), Teacher, [], maxAttempts: 2);
        l.Open();
        foreach (var w in TakeAll(l)) Finish(l, w);
        var w2 = Assert.IsType<TrialWork>(l.Request("a"));
        l.Failed("a", w2.Id, "boom", retryable: true);
        Assert.Equal(w2, l.Request("a"));
        l.Failed("a", w2.Id, "boom", retryable: true);
        Assert.Contains(w2.Id, l.FailedTrials.Keys);
    }

    [Fact]
    public void Resume_replays_the_rungs_in_the_journal_and_tells_only_decisions_it_had_not_journalled()
    {
        var first = Ledger(Policy());
        var rung1 = TakeAll(first);
        foreach (var w in rung1) Finish(first, w);
        var decisions = first.DrainEvents().OfType<LedgerEvent.Decided>().Select(e => e.Decision).ToList();
        var pending = TakeAll(first);

        // The coordinator died: the journal holds the six rung results and all decisions but one.
        var journalled = decisions.Skip(1).Select(d => (d.TrialId, d.Epoch)).ToHashSet();
        var resumed = Ledger(Policy(), rung1.Select(w => R(w)).ToList(), journalled);
        Assert.Equal([decisions[0]], resumed.DrainEvents().OfType<LedgerEvent.Decided>().Select(e => e.Decision));
        var again = TakeAll(resumed);
        Assert.Equal(pending.Select(w => w.Id).Order(), again.Select(w => w.Id).Order()); // nothing of rung 1 runs again
        Assert.All(again, w => Assert.Equal(1, w.FromEpoch));
        foreach (var w in again) Finish(resumed, w);
        Assert.True(resumed.IsDone);
    }

    [Fact]
    public void Resume_with_final_results_in_the_journal_is_done()
    {
        var first = Ledger(Policy());
        var rung1 = TakeAll(first);
        foreach (var w in rung1) Finish(first, w);
        var rung2 = TakeAll(first);
        var segments = rung1.Concat(rung2).Select(w => R(w)).ToList();
        var resumed = Ledger(Policy(), segments, finished: rung2.Select(w => w.Trial.Id));
        Assert.Equal(2, resumed.FinishedBefore);
        Assert.True(resumed.IsDone);
    }

    [Fact]
    public void A_grid_result_without_epochs_counts_for_the_trials_one_segment()
    {
        var trials = Trials();
        var l = new WorkLedger<string>(new GridPolicy(trials, 3), new TeacherWork("k"), Teacher, []);
        l.Open();
        var w = Assert.IsType<TrialWork>(l.Request("a"));
        Assert.True(l.Completed(R(w, epochs: null)));
        l.Durable(R(w, epochs: null));
        Assert.Equal(1, l.Finished);
        Assert.False(l.Completed(R(w, epochs: null)));
        Assert.False(l.Completed(R(w)));
    }
}
