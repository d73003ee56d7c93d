using System.Collections.Concurrent;
using Akka.Actor;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using AkkaKd.Cluster.Messages;
using AkkaKd.Distillation.Data;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// Several ActorSystems in one process forming a real cluster over Akka.Remote on loopback (every node on port 0,
/// seeded from the first node's address).
/// </summary>
public sealed class MultiNodeTests : IDisposable
{
    private readonly string _dir = Fixtures.TempDir();
    private readonly List<ActorSystem> _systems = [];

    /// <summary>The real trainer, slowed down so that a node can be stopped while it holds a trial.</summary>
    private sealed class SlowTrainer(TimeSpan delay) : ITrialTrainer
    {
        public readonly ConcurrentQueue<(string Node, string Trial)> Started = new();
        public readonly SemaphoreSlim AnyStarted = new(0);

        public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel) =>
            DistillationTrainer.Instance.TrainTeacher(node, sweep, progress, cancel);

        public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
            CancellationToken cancel)
        {
            Started.Enqueue((node.Node, trial.Id));
            AnyStarted.Release();
            Task.Delay(delay, cancel).Wait(cancel);
            return DistillationTrainer.Instance.TrainTrial(node, sweep, trial, teacher, progress, cancel);
        }
    }

    private async Task<ActorSystem> Worker(IReadOnlyList<string> seeds, ITrialTrainer trainer, string name, string? hocon = null)
    {
        var system = await WorkerHost.StartAsync(new NodeOptions { Seeds = seeds, LogFile = Path.Combine(_dir, name + ".log"), Hocon = hocon }, 1,
            Path.Combine(_dir, name), TimeSpan.FromSeconds(30), trainer);
        _systems.Add(system);
        return system;
    }

    private static string Seed(ActorSystem s) => Akka.Cluster.Cluster.Get(s).SelfAddress.ToString();

    private async Task<(SweepSummary Summary, SweepPlan Plan)> Sweep(SweepSettings settings, string outDir, IReadOnlyList<string> seeds,
        int slots, int minWorkers, ITrialTrainer? trainer, CancellationToken cancel)
    {
        var data = DataCache.Get(DataSource.Parse(settings.Data.Source));
        var plan = SweepPlan.Prepare(settings, outDir, false, false, data.Fingerprint);
        using (plan.Journal)
        {
            var summary = await SweepRunner.RunAsync(plan, data.Fingerprint, new SweepRunOptions
            {
                Slots = slots,
                MinWorkers = minWorkers,
                Output = TextWriter.Null,
                Node = new NodeOptions { Seeds = seeds, LogFile = Path.Combine(outDir, "akkakd.log") },
                Trainer = trainer,
            }, cancel);
            return (summary, plan);
        }
    }

    /// <summary>Every trial of the plan appears exactly once in the journal file, line by line.</summary>
    private static void AssertEveryTrialExactlyOnce(SweepPlan plan)
    {
        var ids = File.ReadAllLines(plan.JournalPath)
            .Where(l => l.Contains("\"type\":\"trial\""))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!)
            .ToList();
        Assert.Equal(plan.Trials.Select(t => t.Id).Order(), ids.Order());
    }

    [Fact]
    public async Task Three_nodes_run_a_sweep_and_a_node_shut_down_abruptly_mid_sweep_loses_nothing()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var trainer = new SlowTrainer(TimeSpan.FromMilliseconds(400));
        var a = await Worker([], trainer, "a"); // the first node seeds the cluster (it joins itself)
        var seeds = new[] { Seed(a) };
        // Terminate without coordinated shutdown: no goodbye, no trial handed back; the connections just close.
        var b = await Worker(seeds, trainer, "b", "akka.coordinated-shutdown.run-by-actor-system-terminate = off");
        var settings = Fixtures.TinySweep("sweep.grid.seeds=[1,2]");

        var sweep = Sweep(settings, Path.Combine(_dir, "sweep"), seeds, slots: 0, minWorkers: 2, trainer, limit.Token);

        // Wait until node b holds a trial, then take it down without leaving the cluster.
        var bName = NodeBootstrap.NodeName(b);
        while (!trainer.Started.Any(s => s.Node == bName))
            await trainer.AnyStarted.WaitAsync(limit.Token);
        await b.Terminate().WaitAsync(limit.Token);

        var (summary, plan) = await sweep.WaitAsync(limit.Token);
        Assert.Equal(plan.Trials.Count, summary.Finished);
        Assert.Empty(summary.FailedTrials);
        Assert.True(summary.Requeued >= 1, "the stopped node's trial went back to the queue");
        AssertEveryTrialExactlyOnce(plan);
        var nodes = Journal.Read(plan.JournalPath).Results.Select(r => r.Node).ToHashSet();
        Assert.Contains(NodeBootstrap.NodeName(a), nodes);
    }

    [Fact]
    public async Task A_sweep_gives_the_same_bits_per_trial_on_one_node_and_on_a_cluster_whatever_the_nodes_thread_count()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // A teacher wide enough that OpenBLAS splits its products across threads.
        var settings = Fixtures.TinySweep("sweep.data.validation=200", "sweep.teacher.hidden=[512]", "sweep.teacher.batch=128");
        // The launching node runs 1 BLAS thread; the worker nodes come up with 4 (OpenBLAS gives other bits with 1 thread
        // than with several): the sweep's threads per trial (1) must win on every node.
        AkkaKd.Distillation.Numerics.Blas.Configure(1);
        var single = await Sweep(settings, Path.Combine(_dir, "single"), [], slots: 2, minWorkers: 0, null, limit.Token);
        AkkaKd.Distillation.Numerics.Blas.Configure(4);

        var a = await Worker([], DistillationTrainer.Instance, "da");
        var seeds = new[] { Seed(a) };
        await Worker(seeds, DistillationTrainer.Instance, "db");
        var multi = await Sweep(settings, Path.Combine(_dir, "multi"), seeds, slots: 0, minWorkers: 2, null, limit.Token);

        var one = Journal.Read(single.Plan.JournalPath).Results.ToDictionary(r => r.Id);
        var many = Journal.Read(multi.Plan.JournalPath).Results.ToDictionary(r => r.Id);
        Assert.Equal(one.Keys.Order(), many.Keys.Order());
        static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);
        foreach (var (id, r) in one)
        {
            // Bits, not rounded accuracy: the test loss and the validation loss after every epoch depend on every weight.
            Assert.Equal(Bits(r.TestLoss), Bits(many[id].TestLoss));
            Assert.Equal(r.ValLossCurve!.Select(Bits), many[id].ValLossCurve!.Select(Bits));
            Assert.Equal(r.TestAccuracy, many[id].TestAccuracy);
        }
        // The teacher's logits, by their SHA-256.
        Assert.Equal(Journal.Read(single.Plan.JournalPath).Teachers.Single().Hash, Journal.Read(multi.Plan.JournalPath).Teachers.Single().Hash);
        // The cluster's trials ran on the worker nodes, and the teacher artifact travelled to where it was needed.
        Assert.DoesNotContain(multi.Plan.Trials, t => many[t.Id].Node == "local");
    }

    [Fact]
    public async Task A_worker_node_that_joins_mid_sweep_gets_work()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var trainer = new SlowTrainer(TimeSpan.FromMilliseconds(300));
        var a = await Worker([], trainer, "ea");
        var seeds = new[] { Seed(a) };
        var sweep = Sweep(Fixtures.TinySweep("sweep.grid.seeds=[1,2,3]"), Path.Combine(_dir, "elastic"), seeds, 0, 1, trainer, limit.Token);
        await trainer.AnyStarted.WaitAsync(limit.Token);
        var late = await Worker(seeds, trainer, "late");
        var (summary, plan) = await sweep.WaitAsync(limit.Token);
        Assert.Equal(plan.Trials.Count, summary.Finished);
        AssertEveryTrialExactlyOnce(plan);
        Assert.Contains(Journal.Read(plan.JournalPath).Results, r => r.Node == NodeBootstrap.NodeName(late));
    }

    public void Dispose()
    {
        Task.WhenAll(_systems.Select(s => s.Terminate())).Wait(TimeSpan.FromSeconds(20));
        if (Environment.GetEnvironmentVariable("AKKAKD_KEEP_TEST_DIRS") is null) try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
