using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// A short soak under churn (cluster/soak.sh is the long one): hundreds of short trials over 3 worker processes on
/// loopback while a worker is killed with SIGKILL and restarted every few seconds. Every trial must be in the
/// journal exactly once, nothing may hang, and the run is bounded in time.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private readonly List<Akkakd> _processes = [];
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private static string SweepFile(int widths, int seeds) => $$"""
        sweep {
          name = soak
          data    { source = "embedded:mnist10k", train = 500, test = 200 }
          teacher { hidden = [32], epochs = 1, batch = 50, lr = 0.003 }
          student { epochs = 30, batch = 50, lr = 0.003 }
          grid    { temperature = [2, 4], alpha = [0, 0.5, 0.9], width = [{{string.Join(", ", Enumerable.Range(4, widths))}}], seeds = [{{string.Join(", ", Enumerable.Range(1, seeds))}}] }
        }
        """;

    private Akkakd Worker(string seed, int i, int generation)
    {
        var w = Akkakd.Start(_dir, "worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, $"w{i}"),
            "--log", Path.Combine(_dir, $"w{i}-{generation}.log"));
        _processes.Add(w);
        return w;
    }

    [Fact]
    public async Task Trials_finish_exactly_once_while_workers_are_killed_and_restarted()
    {
        const int widths = 20, seeds = 2; // (2 alphas x 2 temperatures + a baseline) x 20 widths x 2 seeds = 200 trials
        var file = Path.Combine(_dir, "soak.hocon");
        File.WriteAllText(file, SweepFile(widths, seeds));
        int port = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@127.0.0.1:{port}";
        var outDir = Path.Combine(_dir, "out");
        var coordinator = Akkakd.Start(_dir, "sweep", file, "--out", outDir, "--port", port.ToString(), "--slots", "0", "--min-workers", "3", "--plain");
        _processes.Add(coordinator);
        var workers = Enumerable.Range(0, 3).Select(i => Worker(seed, i, 0)).ToArray();
        var born = Enumerable.Repeat(DateTime.UtcNow, 3).ToArray();

        int kills = 0, restarts = 0;
        var rng = new Random(7);
        var deadline = DateTime.UtcNow + Limit;
        var journal = Path.Combine(outDir, "results.jsonl");
        while (!coordinator.HasExited)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the soak did not finish in {Limit.TotalMinutes} minutes:\n{coordinator.Out}\n{coordinator.Err}");
            await Task.Delay(TimeSpan.FromSeconds(2));
            if (coordinator.HasExited || !File.Exists(journal)) continue;
            // Kill a worker that has had time to start (a process takes a few seconds to start and join on 2 cores).
            var old = Enumerable.Range(0, workers.Length).Where(j => DateTime.UtcNow - born[j] > TimeSpan.FromSeconds(4)).ToList();
            if (old.Count == 0) continue;
            int i = old[rng.Next(old.Count)];
            workers[i].Kill();
            kills++;
            workers[i] = Worker(seed, i, ++restarts);
            born[i] = DateTime.UtcNow;
        }
        int code = await coordinator.WaitAsync(TimeSpan.FromSeconds(30));
        var summary = coordinator.Out.Split('\n').FirstOrDefault(l => l.Contains("trials finished")) ?? "";
        output.WriteLine($"kills {kills}, restarts {restarts}; {summary.Trim()}");
        Assert.True(code == 0, $"sweep exit {code}:\n{coordinator.Out}\n{coordinator.Err}");
        Assert.True(kills >= 2, $"the soak should have killed workers while it ran (killed {kills})");

        var ids = File.ReadAllLines(journal).Where(l => l.Contains("\"type\":\"trial\""))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        Assert.Equal(200, ids.Count);
        Assert.Equal(200, ids.Distinct().Count());
        var requeued = Regex.Match(summary, @"(\d+) requeued");
        output.WriteLine($"requeued: {(requeued.Success ? requeued.Groups[1].Value : "0")}");
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        if (Environment.GetEnvironmentVariable("AKKAKD_KEEP_TEST_DIRS") is null)
            try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
