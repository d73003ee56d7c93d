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
/// <c>akkakd bench --scale</c>: K worker nodes (default 32; real ActorSystems over Akka.Remote on loopback, in this
/// process) and one sweep node. Measures the time for all to join, durable trials/s with trials that sleep
/// --trial-seconds, and the time until the trials held by a quarter of the nodes, killed without a goodbye, run again
/// elsewhere.
/// </summary>
public static class ScaleBench
{
    private sealed class SleepTrainer(TimeSpan trialTime) : ITrialTrainer
    {
        public readonly ConcurrentDictionary<string, ConcurrentQueue<(string Node, DateTime At)>> Starts = new();

        public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel) =>
            throw new InvalidOperationException("the scale benchmark has no distilled trials");

        public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
            CancellationToken cancel)
        {
            Starts.GetOrAdd(trial.Id, _ => new()).Enqueue((node.Node, DateTime.UtcNow));
            Task.Delay(trialTime, cancel).Wait(cancel);
            return new(trial.Id, trial.Width, trial.Temperature, trial.Alpha, trial.Seed, 0.5, 1.0, null, trial.Width, 1,
                trialTime.TotalSeconds, node.Node, DateTimeOffset.UtcNow);
        }
    }

    public static async Task<int> RunAsync(int workers, int trials, double trialSeconds, bool json)
    {
        if (workers < 4 || trials < 1) throw new UsageException("--scale needs --workers of at least 4 and --trials of at least 1");
        if (trialSeconds <= 0) trialSeconds = 2;
        var dir = Directory.CreateTempSubdirectory("akkakd-scale-bench-").FullName;
        var trainer = new SleepTrainer(TimeSpan.FromSeconds(trialSeconds));
        var systems = new List<ActorSystem>();
        // No goodbye when killed: the connections just close, as when a machine dies.
        var hocon = "akka.loglevel = WARNING\nakka.coordinated-shutdown.run-by-actor-system-terminate = off\n" +
                    (Environment.GetEnvironmentVariable("AKKAKD_BENCH_HOCON") ?? "");
        try
        {
            var join = Stopwatch.StartNew();
            systems.Add(await WorkerHost.StartAsync(new NodeOptions { Hocon = hocon }, 1, Path.Combine(dir, "w0"), TimeSpan.FromSeconds(60), trainer));
            var seed = Akka.Cluster.Cluster.Get(systems[0]).SelfAddress.ToString();
            var rest = await Task.WhenAll(Enumerable.Range(1, workers - 1).Select(i =>
                WorkerHost.StartAsync(new NodeOptions { Seeds = [seed], Hocon = hocon }, 1, Path.Combine(dir, $"w{i}"), TimeSpan.FromSeconds(120), trainer)));
            systems.AddRange(rest);
            var cluster = Akka.Cluster.Cluster.Get(systems[0]);
            while (cluster.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) < workers) await Task.Delay(50);
            double joinSeconds = join.Elapsed.TotalSeconds;

            var settings = SweepFile.Parse("", "scale", [
                "sweep.name=scale", "sweep.grid.alpha=[0]", "sweep.grid.temperature=[1]", "sweep.grid.seeds=[1]",
                $"sweep.grid.width=[{string.Join(',', Enumerable.Range(1, trials))}]", $"sweep.max-trials={trials}",
            ]);
            var sweep = SweepLauncher.RunAsync(new SweepLaunch
            {
                Settings = settings, OutDir = Path.Combine(dir, "sweep"), DataFingerprint = "scale-bench", Notes = TextWriter.Null,
                Run = new SweepRunOptions
                {
                    Slots = 0, MinWorkers = workers, Output = TextWriter.Null, Trainer = trainer,
                    Node = new NodeOptions { Seeds = [seed], Hocon = "akka.loglevel = WARNING" },
                },
            });
            // Once every node holds a trial, kill a quarter of them (not the seed) and time until their trials restart.
            while (trainer.Starts.Count < workers) await Task.Delay(20);
            var victims = systems.Skip(1).Take(workers / 4).ToList();
            var victimNames = victims.Select(NodeBootstrap.NodeName).ToHashSet();
            var held = trainer.Starts.Where(kv => kv.Value.Count == 1 && victimNames.Contains(kv.Value.First().Node)).Select(kv => kv.Key).ToList();
            var killed = DateTime.UtcNow;
            await Task.WhenAll(victims.Select(v => v.Terminate()));
            foreach (var v in victims) systems.Remove(v);
            var requeue = Stopwatch.StartNew();
            while (held.Any(id => trainer.Starts[id].Count < 2) && !sweep.IsCompleted) await Task.Delay(20);
            double requeueSeconds = requeue.Elapsed.TotalSeconds;
            var outcome = await sweep;
            var summary = outcome.Summary ?? throw new InvalidOperationException("the benchmark sweep did not run");
            var row = new JsonObject
            {
                ["phase"] = "scale", ["worker_nodes"] = workers, ["trials"] = trials, ["trial_seconds"] = trialSeconds,
                ["join_all_seconds"] = Math.Round(joinSeconds, 2),
                ["durable_trials_per_s"] = Math.Round(summary.Finished / summary.WorkSeconds, 2),
                ["ideal_trials_per_s"] = Math.Round(workers / trialSeconds, 2),
                ["killed_nodes"] = victims.Count, ["trials_they_held"] = held.Count,
                ["requeue_seconds"] = Math.Round(requeueSeconds, 2),
                ["finished"] = summary.Finished, ["duplicates"] = summary.Duplicates, ["requeued"] = summary.Requeued,
            };
            Console.WriteLine(json ? row.ToJsonString() : string.Join("  ", row.Select(kv => $"{kv.Key}={kv.Value}")));
            return summary.Finished == trials ? ExitCodes.Done : ExitCodes.TrialsFailed;
        }
        finally
        {
            try
            {
                await Task.WhenAll(systems.Select(s => s.Terminate())).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                // the process ends anyway
            }
            Directory.Delete(dir, true);
        }
    }
}
