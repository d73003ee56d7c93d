using System.Text.Json.Nodes;
using Akka.Actor;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Workers;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary>
/// The scheduling side of adaptive search, with a trainer that trains nothing (<see cref="SyntheticTrainer"/>) on
/// --workers worker nodes (real ActorSystems over Akka.Remote on loopback, in this process) of --slots slots each, the
/// journal on (every rung result durable before it counts):
/// <list type="bullet">
/// <item><c>bench --search --cluster</c>: segments sleep --trial-seconds per epoch (0.1 s by default); per scheduler
/// (none, sha, asha, interleaved over --runs runs, each with its own sweep seed) the share of slot-seconds busy from
/// the first assignment to the end, and the idle rest.</item>
/// <item><c>bench --search --instant</c>: segments return at once; --configurations x --seeds seeds under asha: durable
/// rung results (rung and trial lines) per second, after a warm-up sweep.</item>
/// </list>
/// </summary>
public static class SearchSchedulingBench
{
    private static readonly int[] Widths = [16, 32, 64, 128];

    private static SweepSettings Settings(BenchCommand.Options a, string scheduler, int configurations, int seed) =>
        SweepFile.Parse("", "search bench",
        [
            "sweep.name=search-bench", $"sweep.seed={seed}", $"sweep.student.epochs={a.Epochs}",
            $"sweep.grid.width=[{string.Join(',', Widths)}]", "sweep.grid.temperature={log-uniform=[1, 20]}",
            "sweep.grid.alpha={uniform=[0, 1]}", $"sweep.grid.seeds=[{string.Join(',', Enumerable.Range(1, a.Seeds))}]", "sweep.search.method=sobol",
            $"sweep.search.configurations={configurations}", $"sweep.search.scheduler={scheduler}",
            $"sweep.max-trials={Math.Max(10000, configurations * a.Seeds + 100)}",
        ]);

    public static Task<int> ClusterAsync(BenchCommand.Options a) => WithWorkers(a, a.TrialSeconds > 0 ? a.TrialSeconds : 0.1, async (trainer, run) =>
    {
        var busy = new Dictionary<string, List<double>>();
        await run(Settings(a, "asha", Math.Min(a.Configurations, 10), 1000), "warmup"); // JIT-compiles the paths the measured runs take
        for (int r = 1; r <= a.Runs; r++)
            foreach (var scheduler in new[] { "none", "sha", "asha" })
            {
                trainer.ResetBusy();
                var (summary, lines) = await run(Settings(a, scheduler, a.Configurations, r), $"{scheduler}-{r}");
                double slotSeconds = a.Workers * a.Slots * summary.WorkSeconds;
                double share = trainer.BusySeconds / slotSeconds;
                busy.TryAdd(scheduler, []);
                busy[scheduler].Add(share);
                Emit(a.Json, new JsonObject
                {
                    ["phase"] = "search-cluster", ["run"] = r, ["scheduler"] = scheduler, ["workers"] = a.Workers, ["slots_per_worker"] = a.Slots,
                    ["configurations"] = a.Configurations, ["seeds"] = a.Seeds, ["epochs"] = a.Epochs, ["epoch_seconds"] = Math.Round(trainer.EpochSeconds, 3),
                    ["segments"] = lines.Segments, ["seconds"] = Math.Round(summary.WorkSeconds, 2),
                    ["busy_slot_seconds"] = Math.Round(trainer.BusySeconds, 2), ["busy_share"] = Math.Round(share, 3),
                    ["idle_share"] = Math.Round(1 - share, 3),
                });
            }
        foreach (var (scheduler, shares) in busy)
            Emit(a.Json, Spread("search-cluster-summary", scheduler, "busy_share", shares));
    });

    public static Task<int> InstantAsync(BenchCommand.Options a) => WithWorkers(a, 0, async (trainer, run) =>
    {
        int warmup = Math.Min(a.Configurations, 1000);
        await run(Settings(a, "asha", warmup, 1000), "warmup"); // JIT-compiles the paths the measured runs take
        var rates = new List<double>();
        for (int r = 1; r <= a.Runs; r++)
        {
            var (summary, lines) = await run(Settings(a, "asha", a.Configurations, r), $"asha-{r}");
            double rate = lines.Segments / summary.WorkSeconds;
            rates.Add(rate);
            Emit(a.Json, new JsonObject
            {
                ["phase"] = "search-instant", ["run"] = r, ["scheduler"] = "asha", ["workers"] = a.Workers, ["slots_per_worker"] = a.Slots,
                ["configurations"] = a.Configurations, ["seeds"] = a.Seeds, ["epochs"] = a.Epochs, ["rung_lines"] = lines.Rungs,
                ["trial_lines"] = lines.Trials, ["decision_lines"] = lines.Decisions, ["seconds"] = Math.Round(summary.WorkSeconds, 3),
                ["durable_rung_results_per_s"] = Math.Round(rate), ["requeued"] = summary.Requeued, ["duplicates"] = summary.Duplicates,
            });
        }
        Emit(a.Json, Spread("search-instant-summary", "asha", "durable_rung_results_per_s", rates));
    });

    /// <summary>Median and spread (lowest, highest) of a figure over the runs.</summary>
    private static JsonObject Spread(string phase, string scheduler, string figure, List<double> xs)
    {
        var sorted = xs.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        int digits = median > 100 ? 0 : 3;
        return new JsonObject
        {
            ["phase"] = phase, ["scheduler"] = scheduler, ["runs"] = xs.Count, [figure + "_median"] = Math.Round(median, digits),
            [figure + "_min"] = Math.Round(sorted[0], digits), [figure + "_max"] = Math.Round(sorted[^1], digits),
        };
    }

    private sealed record JournalLines(int Rungs, int Trials, int Decisions)
    {
        public int Segments => Rungs + Trials;
    }

    private delegate Task<(SweepSummary Summary, JournalLines Lines)> RunSweep(SweepSettings settings, string name);

    private static async Task<int> WithWorkers(BenchCommand.Options a, double epochSeconds, Func<SyntheticTrainer, RunSweep, Task> body)
    {
        if (a.Workers < 1 || a.Slots < 1 || a.Runs < 1) throw new UsageException("--workers, --slots and --runs must be at least 1");
        var dir = Directory.CreateTempSubdirectory("akkakd-search-bench-").FullName;
        var trainer = new SyntheticTrainer(epochSeconds);
        var systems = new List<ActorSystem>();
        var quiet = "akka.loglevel = WARNING\n" + (Environment.GetEnvironmentVariable("AKKAKD_BENCH_HOCON") ?? "");
        try
        {
            for (int i = 0; i < a.Workers; i++)
            {
                var seeds = systems.Count == 0 ? Array.Empty<string>() : [Akka.Cluster.Cluster.Get(systems[0]).SelfAddress.ToString()];
                systems.Add(await WorkerHost.StartAsync(new NodeOptions { Seeds = seeds, Hocon = quiet }, a.Slots, Path.Combine(dir, $"w{i}"),
                    TimeSpan.FromSeconds(30), trainer));
            }
            await body(trainer, async (settings, name) =>
            {
                var outcome = await SweepLauncher.RunAsync(new SweepLaunch
                {
                    Settings = settings,
                    OutDir = Path.Combine(dir, name),
                    DataFingerprint = "search-bench",
                    Notes = TextWriter.Null,
                    Run = new SweepRunOptions
                    {
                        Slots = 0, MinWorkers = a.Workers, Output = TextWriter.Null, Trainer = trainer,
                        Node = new NodeOptions { Seeds = [Akka.Cluster.Cluster.Get(systems[0]).SelfAddress.ToString()], Hocon = quiet },
                    },
                });
                var summary = outcome.Summary ?? throw new InvalidOperationException("the benchmark sweep did not run");
                if (summary.FailedTrials.Length > 0) throw new InvalidOperationException($"{summary.FailedTrials.Length} trials failed");
                var journal = Journal.Read(outcome.Plan.JournalPath);
                return (summary, new JournalLines(journal.Rungs?.Count ?? 0, journal.Results.Count, journal.Decisions?.Count ?? 0));
            });
            return ExitCodes.Done;
        }
        finally
        {
            try
            {
                await Task.WhenAll(systems.Select(NodeBootstrap.ShutdownQuietlyAsync)).WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                // the process ends anyway
            }
            Directory.Delete(dir, true);
        }
    }

    private static void Emit(bool json, JsonObject row) =>
        Console.WriteLine(json ? row.ToJsonString() : string.Join("  ", row.Select(kv => $"{kv.Key}={kv.Value?.ToJsonString().Trim('"')}")));
}
