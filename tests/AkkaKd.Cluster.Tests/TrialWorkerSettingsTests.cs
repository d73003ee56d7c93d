using Akka.TestKit.Xunit2;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Workers;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Tests;

/// <summary>A slot keeps a sweep's settings from its first assignment, and gives work back when it never had them.</summary>
public sealed class TrialWorkerSettingsTests() : TestKit(NodeBootstrap.BuildConfig(new NodeOptions())), IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akkakd-slot-").FullName;

    /// <summary>Returns each trial at once, recording which sweep's settings it ran with.</summary>
    private sealed class Recorder : ITrialTrainer
    {
        public readonly List<(string Trial, string Sweep)> Ran = [];

        public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel) =>
            throw new InvalidOperationException("no teacher here");

        public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
            CancellationToken cancel)
        {
            lock (Ran) Ran.Add((trial.Id, sweep.Settings.Name));
            return Fixtures.Result(trial, 0.5);
        }
    }

    [Fact]
    public void Work_without_settings_the_slot_never_had_goes_back_the_slot_asks_again_and_later_work_runs_with_the_kept_ones()
    {
        var settings = Fixtures.TinySweep("sweep.name=kept");
        var baselines = Grid.Expand(settings).Where(t => t.IsBaseline).ToArray();
        var trainer = new Recorder();
        var slot = Sys.ActorOf(TrialWorker.Props(new NodeServices("n1", new TeacherStore(_dir), trainer), TestActor));

        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[0], 2), null, null), TestActor);
        var back = ExpectMsg<WorkReturned>();
        Assert.Equal(ReturnReason.SweepUnknown, back.Reason);
        Assert.Equal(baselines[0].Id, back.Work.Id);
        ExpectMsg<RequestWork>(); // and asks that coordinator again, though nobody told it of one: the next assignment has them

        var ctx = new SweepContext("s1", settings.WithoutGrid(), "fp");
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[0], 2), null, null, Sweep: ctx), TestActor);
        Assert.Equal(baselines[0].Id, ExpectMsg<TrialCompleted>(TimeSpan.FromSeconds(10)).Result.Id);
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[1], 2), null, null), TestActor);
        Assert.Equal(baselines[1].Id, ExpectMsg<TrialCompleted>(TimeSpan.FromSeconds(10)).Result.Id);
        lock (trainer.Ran) Assert.Equal([(baselines[0].Id, "kept"), (baselines[1].Id, "kept")], trainer.Ran);
    }

    [Fact]
    public void A_slot_told_its_coordinator_had_gone_when_it_had_not_gives_work_back_and_asks_that_coordinator_again()
    {
        var settings = Fixtures.TinySweep("sweep.name=kept");
        var baselines = Grid.Expand(settings).Where(t => t.IsBaseline).ToArray();
        var slot = Sys.ActorOf(TrialWorker.Props(new NodeServices("n1", new TeacherStore(_dir), new Recorder()), TestActor));
        var coordinator = CreateTestProbe();
        slot.Tell(new CoordinatorUp(coordinator.Ref), TestActor);
        coordinator.ExpectMsg<RequestWork>();
        var ctx = new SweepContext("s1", settings.WithoutGrid(), "fp");
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[0], 2), null, null, Sweep: ctx), coordinator.Ref);
        coordinator.ExpectMsg<TrialCompleted>(TimeSpan.FromSeconds(10));

        // What a late removal of an older incarnation of the coordinator's node once did: the slot forgets the sweep.
        slot.Tell(new CoordinatorGone(coordinator.Ref), TestActor);
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[1], 2), null, null), coordinator.Ref);
        Assert.Equal(ReturnReason.SweepUnknown, coordinator.ExpectMsg<WorkReturned>().Reason);
        coordinator.ExpectMsg<RequestWork>();
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[1], 2), null, null, Sweep: ctx), coordinator.Ref);
        Assert.Equal(baselines[1].Id, coordinator.ExpectMsg<TrialCompleted>(TimeSpan.FromSeconds(10)).Result.Id);

        // And it asks that coordinator by itself from now on: "nothing yet", then the retry after RetryInterval.
        slot.Tell(new NoWorkYet("s1"), coordinator.Ref);
        coordinator.ExpectMsg<RequestWork>(TrialWorker.RetryInterval + TimeSpan.FromSeconds(10));
    }

    public new void Dispose()
    {
        base.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
