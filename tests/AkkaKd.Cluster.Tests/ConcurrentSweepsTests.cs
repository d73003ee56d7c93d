using System.Collections.Concurrent;
using Akka.Actor;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Workers;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// Two sweeps at once on the same three worker nodes (real ActorSystems over Akka.Remote on loopback): the second one,
/// launched while the first holds every slot, gets trials at once and about half the slots while both run.
/// </summary>
public sealed class ConcurrentSweepsTests : IDisposable
{
    private readonly string _dir = Fixtures.TempDir();
    private readonly List<ActorSystem> _systems = [];

    /// <summary>Sleeps instead of training, and notes which sweep each trial belonged to and when it ran.</summary>
    private sealed class SleepTrainer(TimeSpan trialTime) : ITrialTrainer
    {
        public readonly ConcurrentQueue<(string Sweep, DateTime Start, DateTime End)> Ran = new();

        public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel) =>
            throw new InvalidOperationException("baselines only");

        public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
            CancellationToken cancel)
        {
            var start = DateTime.UtcNow;
            Task.Delay(trialTime, cancel).Wait(cancel);
            Ran.Enqueue((sweep.Settings.Name, start, DateTime.UtcNow));
            return new(trial.Id, trial.Width, trial.Temperature, trial.Alpha, trial.Seed, 0.5, 1.0, null, trial.Width, 1,
                trialTime.TotalSeconds, node.Node, DateTimeOffset.UtcNow);
        }
    }

    private static SweepSettings Baselines(string name, int trials, int priority = 1) => SweepFile.Parse("", name,
    [
        $"sweep.priority={priority}",
        $"sweep.name={name}", "sweep.grid.alpha=[0]", "sweep.grid.temperature=[1]", "sweep.grid.seeds=[1]",
        $"sweep.grid.width=[{string.Join(',', Enumerable.Range(1, trials))}]", $"sweep.max-trials={trials}",
    ]);

    private async Task<SweepSummary> Sweep(SweepSettings settings, string seed, ITrialTrainer trainer, CancellationToken cancel)
    {
        var outDir = Path.Combine(_dir, settings.Name);
        var plan = SweepPlan.Prepare(settings, outDir, false, false, "fake-data");
        using (plan.Journal)
            return await SweepRunner.RunAsync(plan, "fake-data", new SweepRunOptions
            {
                Slots = 0,
                Output = TextWriter.Null,
                Node = new NodeOptions { Seeds = [seed], LogFile = Path.Combine(outDir, "akkakd.log") },
                Trainer = trainer,
            }, cancel);
    }

    [Theory]
    // Slots that share exactly: 4 slots for equal shares (two each), 3 for weights 2 and 1 (two and one). With 3 slots
    // and equal weights the odd slot moves between the sweeps by chance, and over a few seconds either may hold it.
    [InlineData(1, 0.35, 0.65)] // equal shares: half of the 4 slots each
    [InlineData(2, 0.52, 0.80)] // sweep.priority = 2 against 1: two slots of three (before FairShare's chance: about half)
    public async Task A_second_sweep_gets_its_share_of_the_slots_while_a_large_one_runs(int priority, double low, double high)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        // Trials of a few status polls (WorkerNode.SharesInterval): a slot decides on a view that is that old.
        var trainer = new SleepTrainer(TimeSpan.FromMilliseconds(priority == 1 ? 300 : 750));
        for (int i = 0, nodes = priority == 1 ? 4 : 3; i < nodes; i++)
        {
            var seeds = _systems.Count == 0 ? Array.Empty<string>() : [Akka.Cluster.Cluster.Get(_systems[0]).SelfAddress.ToString()];
            _systems.Add(await WorkerHost.StartAsync(new NodeOptions { Seeds = seeds, LogFile = Path.Combine(_dir, $"w{i}.log") }, 1,
                Path.Combine(_dir, $"w{i}"), TimeSpan.FromSeconds(30), trainer));
        }
        var seed = Akka.Cluster.Cluster.Get(_systems[0]).SelfAddress.ToString();

        var big = Sweep(Baselines("big", priority == 1 ? 120 : 60), seed, trainer, limit.Token);
        while (trainer.Ran.Count(r => r.Sweep == "big") < 6) await Task.Delay(50, limit.Token);
        var launched = DateTime.UtcNow;
        var small = await Sweep(Baselines("small", priority == 1 ? 24 : 16, priority), seed, trainer, limit.Token);
        Assert.False(big.IsCompleted, "the large sweep ended before the small one: nothing was shared");
        var bigSummary = await big;
        Assert.Equal(priority == 1 ? 120 : 60, bigSummary.Finished);
        Assert.Equal(priority == 1 ? 24 : 16, small.Finished);

        var ran = trainer.Ran.ToArray();
        var firstSmall = ran.Where(r => r.Sweep == "small").Min(r => r.Start);
        Assert.True(firstSmall - launched < TimeSpan.FromSeconds(10), $"the new sweep's first trial started {(firstSmall - launched).TotalSeconds:F1} s after its launch");
        // While both ran (from the small sweep's first trial to its last), each had about half of the slot-seconds.
        var lastSmall = ran.Where(r => r.Sweep == "small").Max(r => r.End);
        double Share(string sweep) => ran.Where(r => r.Sweep == sweep)
            .Sum(r => Math.Max(0, (Min(r.End, lastSmall) - Max(r.Start, firstSmall)).TotalSeconds));
        double smallShare = Share("small") / (Share("small") + Share("big"));
        Assert.True(smallShare > low && smallShare < high, $"the small sweep (priority {priority}) had {smallShare:P0} of the slot-seconds while both ran");
        // ... without slots going back and forth: a free slot asks one sweep, not both (asking both, as before FairShare,
        // shares the slots too, but every crossing offer comes back as "worker busy": some 45 requeues in this test).
        Assert.True(bigSummary.Requeued + small.Requeued <= 3, $"{bigSummary.Requeued} + {small.Requeued} trials requeued");
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    public void Dispose()
    {
        Task.WhenAll(_systems.Select(s => s.Terminate())).Wait(TimeSpan.FromSeconds(20));
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
