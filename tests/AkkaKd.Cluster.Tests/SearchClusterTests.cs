using Akka.Actor;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Workers;
using AkkaKd.Distillation.Data;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// Successive halving on a cluster: the same decisions and the same bits as on one node, with rung checkpoints fetched
/// from the node that made them.
/// </summary>
public sealed class SearchClusterTests : IDisposable
{
    private readonly string _dir = Fixtures.TempDir();
    private readonly List<ActorSystem> _systems = [];

    /// <summary>12 configurations x 2 seeds and 4 baselines, rungs 1, 2, 3 (eta 2).</summary>
    private static SweepSettings Settings() => Fixtures.TinySweep("sweep.grid.temperature=[1,2,3,4,5,6]", "sweep.grid.seeds=[1,2]",
        "sweep.search.scheduler=sha", "sweep.search.reduction=2");

    private async Task<ActorSystem> Worker(IReadOnlyList<string> seeds, string name)
    {
        var system = await WorkerHost.StartAsync(new NodeOptions { Seeds = seeds, LogFile = Path.Combine(_dir, name + ".log") }, 1,
            Path.Combine(_dir, name), TimeSpan.FromSeconds(30), DistillationTrainer.Instance);
        _systems.Add(system);
        return system;
    }

    private static async Task<SweepPlan> Sweep(SweepSettings settings, string outDir, IReadOnlyList<string> seeds, int slots, int minWorkers,
        CancellationToken cancel)
    {
        var data = DataCache.Get(DataSource.Parse(settings.Data.Source));
        var plan = SweepPlan.Prepare(settings, outDir, false, false, data.Fingerprint);
        using (plan.Journal)
        {
            var summary = await SweepRunner.RunAsync(plan, data.Fingerprint, new SweepRunOptions
            {
                Slots = slots, MinWorkers = minWorkers, Output = TextWriter.Null,
                Node = new NodeOptions { Seeds = seeds, LogFile = Path.Combine(outDir, "akkakd.log") },
            }, cancel);
            Assert.Empty(summary.FailedTrials);
        }
        return plan;
    }

    [Fact]
    public async Task Sha_decides_the_same_and_ends_in_the_same_bits_on_one_node_and_on_a_cluster_fetching_checkpoints()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var single = await Sweep(Settings(), Path.Combine(_dir, "single"), [], slots: 2, minWorkers: 0, limit.Token);
        var a = await Worker([], "sa");
        var seeds = new[] { Akka.Cluster.Cluster.Get(a).SelfAddress.ToString() };
        await Worker(seeds, "sb");
        var multi = await Sweep(Settings(), Path.Combine(_dir, "multi"), seeds, slots: 0, minWorkers: 2, limit.Token);

        var one = Journal.Read(single.JournalPath);
        var many = Journal.Read(multi.JournalPath);
        Assert.Equal(Decisions(one), Decisions(many));
        Assert.Equal(12 + 6, Decisions(one).Count(d => d.Epoch == 1 || d.Epoch == 2) / 2);
        Assert.Equal(one.Rungs!.Select(r => (r.Id, r.Epoch, r.Checkpoint)).Order(), many.Rungs!.Select(r => (r.Id, r.Epoch, r.Checkpoint)).Order());
        var finals = one.Results.ToDictionary(r => r.Id);
        Assert.Equal(finals.Keys.Order(), many.Results.Select(r => r.Id).Order());
        foreach (var r in many.Results)
            Assert.Equal((finals[r.Id].TestAccuracy, finals[r.Id].TestLoss), (r.TestAccuracy, r.TestLoss));
        // A promoted trial's line has its validation curve from epoch 1 (the earlier rungs' carried in the checkpoints),
        // agreeing with its rung lines at their epochs.
        foreach (var r in many.Results.Where(r => !r.IsBaseline))
        {
            Assert.Equal(3, r.ValAccCurve!.Length);
            Assert.Equal(3, r.ValLossCurve!.Length);
            Assert.Equal(r.ValAcc, r.ValAccCurve[^1]);
            foreach (var g in many.Rungs!.Where(g => g.Id == r.Id))
            {
                Assert.Equal(g.ValAcc, r.ValAccCurve[g.Epoch - 1]);
                Assert.Equal(g.ValAccCurve, r.ValAccCurve[..g.Epoch]);
            }
        }
        // Some continuation ran on the other worker node: its checkpoint travelled, verified against its SHA-256.
        var checkpoints = many.Rungs!.Select(r => r.Checkpoint![..12]).ToHashSet();
        var logs = string.Join('\n', new[] { "sa", "sb" }.Select(n => File.ReadAllText(Path.Combine(_dir, n + ".log"))));
        Assert.Contains(logs.Split('\n'), l => l.Contains("hash verified") && checkpoints.Any(l.Contains));
    }

    private static List<(string Id, int Epoch, string Decision)> Decisions(JournalContents c) =>
        c.Decisions!.Select(d => (d.Id, d.Epoch, d.Decision)).Order().ToList();

    public void Dispose()
    {
        Task.WhenAll(_systems.Select(s => s.Terminate())).Wait(TimeSpan.FromSeconds(20));
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
