using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Akka.Actor;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Workers;
using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd bench --fairness</c>: two sweeps share one cluster. K worker nodes (real ActorSystems over Akka.Remote on
/// loopback, in this process) with trials that sleep a fixed time; sweep "first" is launched, sweep "second" 10 s
/// later, each from its own node as <c>akkakd sweep --seeds</c> would, with the given <c>sweep.priority</c> weights
/// (<c>--priorities 2,1</c>; equal by default). Prints each sweep's share of the slot-seconds per 5-second window, and
/// over the time both ran, beside its target (its weight over the sum of the weights).
/// </summary>
public static class FairnessBench
{
    private sealed class SleepTrainer(TimeSpan trialTime, Stopwatch clock) : ITrialTrainer
    {
        public readonly ConcurrentQueue<(string Sweep, double Start, double End)> Ran = new();

        public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel) =>
            throw new InvalidOperationException("the fairness benchmark has no distilled trials");

        public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
            CancellationToken cancel)
        {
            double start = clock.Elapsed.TotalSeconds;
            Task.Delay(trialTime, cancel).Wait(cancel);
            Ran.Enqueue((sweep.Settings.Name, start, clock.Elapsed.TotalSeconds));
            return new(trial.Id, trial.Width, trial.Temperature, trial.Alpha, trial.Seed, 0.5, 1.0, null, trial.Width, 1,
                trialTime.TotalSeconds, node.Node, DateTimeOffset.UtcNow);
        }
    }

    public static async Task<int> RunAsync(int workers, int slots, double trialSeconds, bool json, int[] priorities)
    {
        if (workers < 1 || slots < 1) throw new UsageException("--workers and --slots must be at least 1");
        if (priorities.Length != 2) throw new UsageException("--priorities: two weights, the first sweep's and the second's (e.g. 2,1)");
        if (trialSeconds <= 0) trialSeconds = 1;
        const double gap = 10, window = 5;
        int total = workers * slots;
        // The first sweep alone would take 40 s, the second 10 s: at an equal share they overlap for about 20 s.
        int firstTrials = (int)Math.Ceiling(total * 40 / trialSeconds), secondTrials = (int)Math.Ceiling(total * 10 / trialSeconds);
        var dir = Directory.CreateTempSubdirectory("akkakd-fairness-bench-").FullName;
        var clock = Stopwatch.StartNew();
        var trainer = new SleepTrainer(TimeSpan.FromSeconds(trialSeconds), clock);
        var systems = new List<ActorSystem>();
        var quiet = "akka.loglevel = WARNING\n" + (Environment.GetEnvironmentVariable("AKKAKD_BENCH_HOCON") ?? "");
        try
        {
            for (int i = 0; i < workers; i++)
            {
                var seeds = systems.Count == 0 ? Array.Empty<string>() : [Seed(systems)];
                systems.Add(await WorkerHost.StartAsync(new NodeOptions { Seeds = seeds, Hocon = quiet }, slots,
                    Path.Combine(dir, $"w{i}"), TimeSpan.FromSeconds(30), trainer));
            }
            clock.Restart();
            var first = Launch("first", firstTrials, priorities[0]);
            await Task.Delay(TimeSpan.FromSeconds(gap));
            double secondLaunched = clock.Elapsed.TotalSeconds;
            var second = Launch("second", secondTrials, priorities[1]);
            await Task.WhenAll(first, second);
            double target = (double)priorities[0] / (priorities[0] + priorities[1]);
            Report(trainer.Ran.ToArray(), total, window, secondLaunched, trialSeconds, target, json);
            return ExitCodes.Done;

            async Task Launch(string name, int trials, int priority)
            {
                var settings = SweepFile.Parse("", name,
                [
                    $"sweep.name={name}", $"sweep.priority={priority}", "sweep.grid.alpha=[0]", "sweep.grid.temperature=[1]", "sweep.grid.seeds=[1]",
                    $"sweep.grid.width=[{string.Join(',', Enumerable.Range(1, trials))}]", $"sweep.max-trials={trials}",
                ]);
                var outcome = await SweepLauncher.RunAsync(new SweepLaunch
                {
                    Settings = settings,
                    OutDir = Path.Combine(dir, name),
                    DataFingerprint = "fairness-bench",
                    Notes = TextWriter.Null,
                    Run = new SweepRunOptions
                    {
                        Slots = 0,
                        Output = TextWriter.Null,
                        Node = new NodeOptions { Seeds = [Seed(systems)], Hocon = quiet },
                        Trainer = trainer,
                    },
                });
                if (outcome.Summary?.Finished != trials) throw new InvalidOperationException($"sweep {name} did not finish its {trials} trials");
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
            Directory.Delete(dir, true);
        }
    }

    private static string Seed(List<ActorSystem> systems) => Akka.Cluster.Cluster.Get(systems[0]).SelfAddress.ToString();

    /// <summary>Slot-seconds of a sweep's trials inside [from, to).</summary>
    private static double SlotSeconds((string Sweep, double Start, double End)[] ran, string sweep, double from, double to) =>
        ran.Where(r => r.Sweep == sweep).Sum(r => Math.Max(0, Math.Min(r.End, to) - Math.Max(r.Start, from)));

    private static void Report((string Sweep, double Start, double End)[] ran, int slots, double window, double secondLaunched,
        double trialSeconds, double firstTarget, bool json)
    {
        double end = ran.Max(r => r.End);
        for (double t = 0; t < end; t += window)
        {
            double a = SlotSeconds(ran, "first", t, t + window), b = SlotSeconds(ran, "second", t, t + window);
            var row = new JsonObject
            {
                ["phase"] = "fairness-window", ["from_s"] = t, ["to_s"] = t + window,
                ["first_slot_s"] = Math.Round(a, 2), ["second_slot_s"] = Math.Round(b, 2),
                ["busy_pct"] = Math.Round((a + b) / (slots * window) * 100, 1),
                ["first_share_pct"] = a + b > 0 ? Math.Round(a / (a + b) * 100, 1) : null,
                ["second_share_pct"] = a + b > 0 ? Math.Round(b / (a + b) * 100, 1) : null,
                ["first_target_pct"] = Math.Round(firstTarget * 100, 1),
            };
            Console.WriteLine(json ? row.ToJsonString() : string.Join("  ", row.Select(kv => $"{kv.Key}={kv.Value}")));
        }
        double from = ran.Where(r => r.Sweep == "second").Min(r => r.Start), to = ran.Where(r => r.Sweep == "second").Max(r => r.End);
        double first = SlotSeconds(ran, "first", from, to), second = SlotSeconds(ran, "second", from, to);
        var summary = new JsonObject
        {
            ["phase"] = "fairness", ["slots"] = slots, ["trial_seconds"] = trialSeconds,
            ["second_launched_s"] = Math.Round(secondLaunched, 2),
            ["second_first_trial_after_s"] = Math.Round(from - secondLaunched, 2),
            ["both_running_s"] = Math.Round(to - from, 2),
            ["first_share_pct"] = Math.Round(first / (first + second) * 100, 1),
            ["first_target_pct"] = Math.Round(firstTarget * 100, 1),
            ["second_share_pct"] = Math.Round(second / (first + second) * 100, 1),
            ["second_target_pct"] = Math.Round((1 - firstTarget) * 100, 1),
        };
        Console.WriteLine(json ? summary.ToJsonString() : string.Join("  ", summary.Select(kv => $"{kv.Key}={kv.Value}")));
    }
}
