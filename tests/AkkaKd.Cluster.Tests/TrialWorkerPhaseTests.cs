using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Workers;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// A slot's phases (idle, fetching, busy, leaving) kept in a field: what it does with assignments in each, and how its
/// node counts busy slots by asking them.
/// </summary>
public sealed class TrialWorkerPhaseTests() : TestKit(NodeBootstrap.BuildConfig(new NodeOptions())), IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akkakd-phase-").FullName;

    /// <summary>Holds every trial until released.</summary>
    private sealed class Gate : ITrialTrainer
    {
        public readonly SemaphoreSlim Started = new(0);
        public readonly SemaphoreSlim Release = new(0);

        public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel) =>
            throw new InvalidOperationException("no teacher here");

        public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
            CancellationToken cancel)
        {
            Started.Release();
            Release.Wait(cancel);
            return Fixtures.Result(trial, 0.5);
        }
    }

    private static (SweepContext Context, Trial[] Baselines, Trial[] Distilled) Sweep()
    {
        var settings = Fixtures.TinySweep();
        var trials = Grid.Expand(settings);
        return (new SweepContext("s1", settings.WithoutGrid(), "fp"), trials.Where(t => t.IsBaseline).ToArray(),
            trials.Where(t => !t.IsBaseline).ToArray());
    }

    [Fact]
    public void A_busy_slot_gives_a_second_assignment_back_then_takes_work_again_once_its_trial_is_in()
    {
        var (ctx, baselines, _) = Sweep();
        var gate = new Gate();
        var slot = Sys.ActorOf(TrialWorker.Props(new NodeServices("n1", new TeacherStore(_dir), gate), TestActor));

        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[0], 3), null, null, Sweep: ctx), TestActor);
        Assert.True(gate.Started.Wait(TimeSpan.FromSeconds(10)));
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[1], 3), null, null), TestActor);
        var back = ExpectMsg<WorkReturned>();
        Assert.Equal((ReturnReason.WorkerBusy, baselines[1].Id), (back.Reason, back.Work.Id));

        gate.Release.Release();
        Assert.Equal(baselines[0].Id, ExpectMsg<TrialCompleted>(TimeSpan.FromSeconds(10)).Result.Id);
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[1], 3), null, null), TestActor);
        Assert.True(gate.Started.Wait(TimeSpan.FromSeconds(10)));
        gate.Release.Release();
        Assert.Equal(baselines[1].Id, ExpectMsg<TrialCompleted>(TimeSpan.FromSeconds(10)).Result.Id);
    }

    [Fact]
    public void A_slot_waiting_for_the_teacher_artifact_is_busy_and_fails_the_trial_when_the_artifact_is_unavailable()
    {
        var (ctx, _, distilled) = Sweep();
        var teacher = new TeacherRecord("key", new string('a', 64), 0.9, 1000, 1.0, "n0");
        var slot = Sys.ActorOf(TrialWorker.Props(new NodeServices("n1", new TeacherStore(_dir), new Gate()), TestActor));

        slot.Tell(new TrialAssignment("s1", new TrialWork(distilled[0], 3), teacher, TestActor, Sweep: ctx), TestActor);
        Assert.Equal(teacher.Hash, ExpectMsg<EnsureArtifact>().Hash); // the hub (this probe) is asked for it
        slot.Tell(new TrialAssignment("s1", new TrialWork(distilled[1], 3), teacher, TestActor), TestActor);
        Assert.Equal(ReturnReason.WorkerBusy, ExpectMsg<WorkReturned>().Reason);

        slot.Tell(new ArtifactUnavailable(new string('b', 64), "another artifact"), TestActor); // not the one it waits for
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        slot.Tell(new ArtifactUnavailable(teacher.Hash, "gone"), TestActor);
        var failed = ExpectMsg<TrialFailed>();
        Assert.Equal(distilled[0].Id, failed.TrialId);
        Assert.Contains("gone", failed.Error);
    }

    [Fact]
    public void A_leaving_slot_hands_its_trial_back_and_returns_later_assignments()
    {
        var (ctx, baselines, _) = Sweep();
        var gate = new Gate();
        var slot = Sys.ActorOf(TrialWorker.Props(new NodeServices("n1", new TeacherStore(_dir), gate), TestActor));
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[0], 3), null, null, Sweep: ctx), TestActor);
        Assert.True(gate.Started.Wait(TimeSpan.FromSeconds(10)));

        slot.Tell(ReturnWork.Instance, TestActor);
        var back = ExpectMsg<WorkReturned>();
        Assert.Equal((ReturnReason.NodeLeaving, baselines[0].Id), (back.Reason, back.Work.Id));
        ExpectMsg<WorkHandedBack>();
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[1], 3), null, null), TestActor);
        Assert.Equal(ReturnReason.NodeLeaving, ExpectMsg<WorkReturned>().Reason);
        gate.Release.Release(); // the cancelled trial ends; nothing of it comes back
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task The_node_counts_its_busy_slots_by_asking_them()
    {
        var (ctx, baselines, _) = Sweep();
        var gate = new Gate();
        var services = new NodeServices("n1", new TeacherStore(_dir), gate);
        var node = Sys.ActorOf(WorkerNode.Props(services, 2, TestActor), "node-" + Guid.NewGuid().ToString("N")[..8]);
        Task<NodeStatus> Status() => node.Ask<NodeStatus>(NodeStatusQuery.Instance, TimeSpan.FromSeconds(10));

        var idle = await Status();
        Assert.Equal((2, 0), (idle.Slots, idle.Busy));
        var slot = await Sys.ActorSelection(node.Path / "worker-1").ResolveOne(TimeSpan.FromSeconds(5));
        slot.Tell(new TrialAssignment("s1", new TrialWork(baselines[0], 3), null, null, Sweep: ctx), TestActor);
        Assert.True(gate.Started.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, (await Status()).Busy);
        gate.Release.Release();
        ExpectMsg<TrialCompleted>(TimeSpan.FromSeconds(10));
        Assert.Equal(0, (await Status()).Busy); // the slot was free before it told the result
    }

    public new void Dispose()
    {
        base.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
