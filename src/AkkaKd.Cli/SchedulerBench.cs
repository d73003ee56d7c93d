using System.Diagnostics;
using System.Text.Json.Nodes;
using Akka.Actor;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd bench --scheduler</c>: the coordinator's own overhead. K worker nodes (real ActorSystems talking over
/// Akka.Remote on loopback, in this process) run N trials with a trainer that returns at once; the journal is on, and
/// every result is durable (fsync, group commit) before it counts.
/// </summary>
public static class SchedulerBench
{
    /// <summary>
    /// Returns a result at once (or after a fixed sleep, standing in for a trial of known length): only the
    /// scheduling, messaging and journalling are measured.
    /// </summary>
    private sealed class InstantTrainer(TimeSpan trialTime) : ITrialTrainer
    {
        public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel) =>
            throw new InvalidOperationException("the scheduler benchmark has no distilled trials");

        public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
            CancellationToken cancel)
        {
            if (trialTime > TimeSpan.Zero) Task.Delay(trialTime, cancel).Wait(cancel);
            return new(trial.Id, trial.Width, trial.Temperature, trial.Alpha, trial.Seed, 0.5, 1.0, null, trial.Width, 1,
                trialTime.TotalSeconds, node.Node, DateTimeOffset.UtcNow);
        }
    }

    public static async Task<int> RunAsync(int trials, int workers, int slots, double trialSeconds, bool json)
    {
        if (trials < 1 || workers < 1 || slots < 1) throw new UsageException("--trials, --workers and --slots must be at least 1");
        var dir = Directory.CreateTempSubdirectory("akkakd-scheduler-bench-").FullName;
        try
        {
            // N distinct baseline trials (widths 1..N): no teacher, nothing to train.
            var settings = SweepFile.Parse("", "scheduler bench",
            [
                "sweep.name=scheduler-bench", "sweep.grid.alpha=[0]", "sweep.grid.temperature=[1]", "sweep.grid.seeds=[1]",
                $"sweep.grid.width=[{string.Join(',', Enumerable.Range(1, trials))}]", $"sweep.max-trials={trials}",
            ]);
            var trainer = new InstantTrainer(TimeSpan.FromSeconds(trialSeconds));
            var systems = new List<ActorSystem>();
            try
            {
                var quiet = "akka.loglevel = WARNING\n" + (Environment.GetEnvironmentVariable("AKKAKD_BENCH_HOCON") ?? "");
                for (int i = 0; i < workers; i++)
                {
                    var seeds = systems.Count == 0 ? Array.Empty<string>() : [Akka.Cluster.Cluster.Get(systems[0]).SelfAddress.ToString()];
                    systems.Add(await WorkerHost.StartAsync(new NodeOptions { Seeds = seeds, Hocon = quiet }, slots,
                        Path.Combine(dir, $"w{i}"), TimeSpan.FromSeconds(30), trainer));
                }
                // A coordinator runs for hours: measure it warm. A first, smaller sweep JIT-compiles the code paths
                // (tiered compilation would otherwise recompile them during the measured run).
                var warmup = trialSeconds > 0 ? 0 : Math.Min(trials, 30000);
                if (warmup > 0)
                    await RunSweep(settings with { Grid = settings.Grid with { Width = settings.Grid.Width[..warmup] } }, Path.Combine(dir, "warmup"));
                var wall = Stopwatch.StartNew();
                var (summary, plan) = await RunSweep(settings, Path.Combine(dir, "sweep"));
                wall.Stop();
                var lines = File.ReadLines(plan.JournalPath).Count(l => l.Contains("\"type\":\"trial\""));
                if (lines != trials || summary.Finished != trials)
                    throw new InvalidOperationException($"the journal holds {lines} trials, the summary {summary.Finished}, expected {trials}");
                var row = new JsonObject
                {
                    ["phase"] = "scheduler", ["trials"] = trials, ["warmup_trials"] = warmup, ["workers"] = workers, ["slots_per_worker"] = slots,
                    ["journal"] = true, ["trials_per_s"] = Math.Round(trials / summary.WorkSeconds),
                    ["seconds"] = Math.Round(summary.WorkSeconds, 3), ["wall_seconds"] = Math.Round(wall.Elapsed.TotalSeconds, 3),
                    ["duplicates"] = summary.Duplicates, ["requeued"] = summary.Requeued,
                };
                if (trialSeconds > 0)
                {
                    // The ideal: every slot busy all the time.
                    double ideal = Math.Ceiling((double)trials / (workers * slots)) * trialSeconds;
                    row["trial_seconds"] = trialSeconds;
                    row["ideal_seconds"] = Math.Round(ideal, 3);
                    row["overhead_pct"] = Math.Round((summary.WorkSeconds - ideal) / ideal * 100, 2);
                }
                Console.WriteLine(json ? row.ToJsonString() : string.Join("  ", row.Select(kv => $"{kv.Key}={kv.Value}")));
                return ExitCodes.Done;

                async Task<(SweepSummary, SweepPlan)> RunSweep(SweepSettings s, string outDir)
                {
                    // The same launch as akkakd sweep's, with a fingerprint instead of data: the trainer reads none.
                    var outcome = await SweepLauncher.RunAsync(new SweepLaunch
                    {
                        Settings = s,
                        OutDir = outDir,
                        DataFingerprint = "scheduler-bench",
                        Notes = TextWriter.Null,
                        Run = new SweepRunOptions
                        {
                            Slots = 0,
                            MinWorkers = workers,
                            Output = TextWriter.Null,
                            Node = new NodeOptions { Seeds = [Akka.Cluster.Cluster.Get(systems[0]).SelfAddress.ToString()], Hocon = quiet },
                            Trainer = trainer,
                        },
                    });
                    return (outcome.Summary ?? throw new InvalidOperationException("the benchmark sweep did not run"), outcome.Plan);
                }
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
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
