using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Tests;

/// <summary>The coordinator's protocol, driven by TestKit probes standing in for workers and the reporter.</summary>
public sealed class CoordinatorProtocolTests : TestKit, IDisposable
{
    private readonly string _dir = Fixtures.TempDir();
    private readonly TestProbe _reporter;
    private readonly List<Journal> _journals = [];

    public CoordinatorProtocolTests()
    {
        _reporter = CreateTestProbe("reporter");
        // The reporter answers WriteReport at once, as the real one does after writing its files.
        _reporter.SetAutoPilot(new DelegateAutoPilot((sender, msg) =>
        {
            if (msg is WriteReport w) sender.Tell(new ReportWritten(w.Summary.SweepId, Array.Empty<string>()));
            return AutoPilot.KeepRunning;
        }));
    }

    private (IActorRef Coordinator, SweepPlan Plan) Start(SweepSettings settings)
    {
        var plan = SweepPlan.Prepare(settings, Path.Combine(_dir, Guid.NewGuid().ToString("N")), false, false, "fp");
        _journals.Add(plan.Journal);
        var ctx = new SweepContext(plan.SweepId, settings, "fp");
        var coordinator = Sys.ActorOf(SweepCoordinator.Props(ctx, plan.Ledger<IActorRef>(null), plan.Journal, _reporter.Ref));
        return (coordinator, plan);
    }

    private static void Ask(IActorRef coordinator, TestProbe worker) => coordinator.Tell(new RequestWork(worker.Ref, "n"), worker.Ref);

    private static TeacherRecord Teacher() => new("k", new string('c', 64), 0.95, 100, 1, "n");

    [Fact]
    public void Work_is_pulled_teacher_first_then_baselines_then_distilled_once_the_teacher_is_ready()
    {
        var (c, plan) = Start(Fixtures.TinySweep());
        var w1 = CreateTestProbe();
        var w2 = CreateTestProbe();

        Ask(c, w1);
        w1.ExpectMsg<TeacherAssignment>();

        // A result is also the request for the next trial.
        Ask(c, w2);
        var done = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            var a = w2.ExpectMsg<TrialAssignment>();
            Assert.True(a.Trial.IsBaseline, "baselines run while the teacher trains");
            Assert.Null(a.Teacher);
            c.Tell(new TrialCompleted(a.SweepId, Fixtures.Result(a.Trial, 0.8)), w2.Ref);
            done.Add(a.Trial.Id);
        }
        w2.ExpectMsg<NoWorkYet>(); // distilled trials wait for the teacher

        c.Tell(new TeacherTrained(plan.SweepId, Teacher(), w1.Ref), w1.Ref);
        w1.ExpectMsg<NoWorkYet>(); // the teacher counts once it is durable in the journal
        // Then every idle worker gets a distilled trial, oldest request first.
        foreach (var w in new[] { w2, w1 })
        {
            var d = w.ExpectMsg<TrialAssignment>();
            Assert.False(d.Trial.IsBaseline);
            Assert.Equal(Teacher().Hash, d.Teacher!.Hash);
            Assert.DoesNotContain(d.Trial.Id, done);
            done.Add(d.Trial.Id);
        }
    }

    [Fact]
    public void The_settings_go_with_a_workers_first_assignment_only_and_again_when_it_lacks_them()
    {
        var (c, plan) = Start(Fixtures.TinySweep());
        var w1 = CreateTestProbe();
        var w2 = CreateTestProbe();
        Ask(c, w1);
        var teacher = w1.ExpectMsg<TeacherAssignment>();
        Assert.Equal(plan.SweepId, teacher.Sweep!.SweepId);
        Assert.Empty(teacher.Sweep.Settings.Grid.Width); // the grid stays home
        Ask(c, w2);
        var first = w2.ExpectMsg<TrialAssignment>();
        Assert.NotNull(first.Sweep); // w2 is another worker
        c.Tell(new TrialCompleted(plan.SweepId, Fixtures.Result(first.Trial, 0.8)), w2.Ref);
        var second = w2.ExpectMsg<TrialAssignment>();
        Assert.Null(second.Sweep); // w2 has them now

        // A worker that lost them (its slot restarted) gives the work back; it comes again, with the settings.
        c.Tell(new WorkReturned(plan.SweepId, second.Work, "n", ReturnReason.SweepUnknown), w2.Ref);
        Ask(c, w2);
        var again = w2.ExpectMsg<TrialAssignment>();
        Assert.Equal(second.Trial.Id, again.Trial.Id);
        Assert.Equal(plan.SweepId, again.Sweep!.SweepId);
    }

    [Fact]
    public void A_worker_that_dies_mid_trial_gives_its_trial_back()
    {
        var (c, _) = Start(Fixtures.TinySweep("sweep.grid.alpha=[0]", "sweep.grid.width=[8]"));
        var w1 = CreateTestProbe();
        var w2 = CreateTestProbe();
        Ask(c, w1);
        var first = w1.ExpectMsg<TrialAssignment>();
        Ask(c, w2);
        w2.ExpectMsg<NoWorkYet>();

        Sys.Stop(w1.Ref);
        var again = w2.ExpectMsg<TrialAssignment>(TimeSpan.FromSeconds(5));
        Assert.Equal(first.Trial.Id, again.Trial.Id);
        _reporter.FishForMessage(m => m is TrialRequeued r && r.WorkId == first.Trial.Id, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_node_lost_takes_back_the_work_of_the_incarnation_it_names_only()
    {
        var (c, _) = Start(Fixtures.TinySweep("sweep.grid.alpha=[0]", "sweep.grid.width=[8]", "sweep.grid.seeds=[1, 2]"));
        var (old, fresh, waiting, late) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        // Probes are local: all at one address, standing in for a node's old incarnation (uid 1) and its new one (uid 2).
        c.Tell(new RequestWork(old.Ref, "n", 1), old.Ref);
        var first = old.ExpectMsg<TrialAssignment>();
        c.Tell(new RequestWork(fresh.Ref, "n", 2), fresh.Ref);
        var second = fresh.ExpectMsg<TrialAssignment>();
        c.Tell(new RequestWork(waiting.Ref, "n", 2), waiting.Ref);
        waiting.ExpectMsg<NoWorkYet>();
        var address = old.Ref.Path.Address;

        // The old incarnation's removal arrives after the new one asked: only its own trial goes back.
        c.Tell(new MembershipWatch.NodeLost(address, "node removed from the cluster", 1));
        Assert.Equal(first.Trial.Id, waiting.ExpectMsg<TrialAssignment>().Trial.Id);
        c.Tell(new RequestWork(late.Ref, "n", 2), late.Ref);
        late.ExpectMsg<NoWorkYet>(); // the new incarnation keeps its trial

        // A closed connection names no incarnation: every worker at the address gives its work back.
        c.Tell(new MembershipWatch.NodeLost(address, "connection to the node closed"));
        var other = CreateTestProbe();
        c.Tell(new RequestWork(other.Ref, "n"), other.Ref);
        Assert.Contains(other.ExpectMsg<TrialAssignment>().Trial.Id, new[] { first.Trial.Id, second.Trial.Id });
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(1, 2, false)]
    [InlineData(0, 2, true)] // a closed connection: every worker at the address
    [InlineData(1, 0, true)] // a worker that did not say its incarnation
    public void A_node_lost_covers_a_worker_at_its_address_of_its_incarnation(int lostUid, int workerUid, bool covered)
    {
        var here = new Address("akka.tcp", "akkakd", "127.0.0.1", 4053);
        var lost = new MembershipWatch.NodeLost(here, "r", lostUid);
        Assert.Equal(covered, lost.Covers(here, workerUid));
        Assert.False(lost.Covers(new Address("akka.tcp", "akkakd", "127.0.0.1", 4054), workerUid));
    }

    [Fact]
    public void A_result_that_arrives_twice_counts_once_and_the_sweep_ends()
    {
        var (c, plan) = Start(Fixtures.TinySweep("sweep.grid.alpha=[0]", "sweep.grid.width=[8]"));
        var w1 = CreateTestProbe();
        var w2 = CreateTestProbe();
        Ask(c, w1);
        var a = w1.ExpectMsg<TrialAssignment>();
        Ask(c, w2);
        w2.ExpectMsg<NoWorkYet>();
        Sys.Stop(w1.Ref);
        w2.ExpectMsg<TrialAssignment>(TimeSpan.FromSeconds(5));

        // The node thought dead answers late, then the second worker finishes too.
        var late = CreateTestProbe();
        c.Tell(new TrialCompleted(plan.SweepId, Fixtures.Result(a.Trial, 0.81, "late")), late.Ref);
        c.Tell(new TrialCompleted(plan.SweepId, Fixtures.Result(a.Trial, 0.81, "second")), w2.Ref);

        c.Tell(AwaitSweep.Instance, TestActor);
        var summary = ExpectMsg<SweepSummary>(TimeSpan.FromSeconds(10));
        Assert.Equal(1, summary.Total);
        Assert.Equal(1, summary.Finished);
        Assert.Equal(1, summary.Duplicates);
        Assert.Empty(summary.FailedTrials);

        plan.Journal.Dispose();
        var journal = Journal.Read(plan.JournalPath);
        Assert.Single(journal.Results);
        Assert.Equal(0, journal.Duplicates);
        Assert.Equal("late", journal.Results[0].Node);
    }

    [Fact]
    public void The_sweep_ends_when_every_trial_is_done_and_the_reporter_wrote_its_files()
    {
        var (c, plan) = Start(Fixtures.TinySweep("sweep.grid.alpha=[0]"));
        c.Tell(AwaitSweep.Instance, TestActor);
        var w = CreateTestProbe();
        Ask(c, w);
        for (int i = 0; i < plan.Trials.Count; i++)
        {
            ExpectNoMsg(TimeSpan.FromMilliseconds(50)); // not done before the last result
            var a = w.ExpectMsg<TrialAssignment>();
            c.Tell(new TrialCompleted(plan.SweepId, Fixtures.Result(a.Trial, 0.5 + i / 100.0)), w.Ref);
        }
        var summary = ExpectMsg<SweepSummary>(TimeSpan.FromSeconds(10));
        Assert.Equal(plan.Trials.Count, summary.Finished);
        _reporter.FishForMessage(m => m is WriteReport, TimeSpan.FromSeconds(5));
        w.ExpectMsg<NoWorkYet>(); // nothing left
    }

    [Fact]
    public void A_trial_that_keeps_failing_is_given_up_after_the_attempt_limit()
    {
        var (c, plan) = Start(Fixtures.TinySweep("sweep.grid.alpha=[0]", "sweep.grid.width=[8]"));
        var w = CreateTestProbe();
        string? id = null;
        Ask(c, w);
        for (int attempt = 1; attempt <= WorkLedger<IActorRef>.DefaultMaxAttempts; attempt++)
        {
            var a = w.ExpectMsg<TrialAssignment>(); // the failure asks again; the trial comes back until its last attempt
            id ??= a.Trial.Id;
            Assert.Equal(id, a.Trial.Id);
            c.Tell(new TrialFailed(plan.SweepId, a.Trial.Id, "n", "boom", Retryable: true), w.Ref);
        }
        c.Tell(AwaitSweep.Instance, TestActor);
        var summary = ExpectMsg<SweepSummary>(TimeSpan.FromSeconds(10));
        Assert.Equal([id!], summary.FailedTrials);
        Assert.Equal(0, summary.Finished);
    }

    [Fact]
    public async Task Finished_trials_from_the_journal_are_not_handed_out_again()
    {
        var settings = Fixtures.TinySweep("sweep.grid.alpha=[0]");
        var dir = Path.Combine(_dir, "resume");
        var trials = Grid.Expand(settings);
        using (var first = SweepPlan.Prepare(settings, dir, false, false, "fp").Journal)
            await first.AppendAsync(Fixtures.Result(trials[0], 0.7)).WaitAsync(TimeSpan.FromSeconds(5));
        var plan = SweepPlan.Prepare(settings, dir, true, false, "fp");
        _journals.Add(plan.Journal);
        Assert.Single(plan.Finished);
        var c = Sys.ActorOf(SweepCoordinator.Props(new SweepContext(plan.SweepId, settings, "fp"), plan.Ledger<IActorRef>(null),
            plan.Journal, _reporter.Ref));
        var w = CreateTestProbe();
        var handed = new List<string>();
        Ask(c, w);
        for (int i = 1; i < trials.Count; i++)
        {
            var a = w.ExpectMsg<TrialAssignment>();
            handed.Add(a.Trial.Id);
            c.Tell(new TrialCompleted(plan.SweepId, Fixtures.Result(a.Trial, 0.6)), w.Ref);
        }
        Assert.DoesNotContain(trials[0].Id, handed);
        c.Tell(AwaitSweep.Instance, TestActor);
        var summary = ExpectMsg<SweepSummary>(TimeSpan.FromSeconds(10));
        Assert.Equal(trials.Count, summary.Finished);
        Assert.Equal(1, summary.FinishedBefore);
    }

    void IDisposable.Dispose()
    {
        Shutdown();
        foreach (var j in _journals) j.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        base.Dispose(true);
    }
}
