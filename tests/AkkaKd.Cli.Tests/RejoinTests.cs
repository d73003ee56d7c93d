using System.Text.RegularExpressions;
using Akka.Actor;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;

namespace AkkaKd.Cli.Tests;

/// <summary>A long-lived worker that the cluster downs (taken for dead, or cut off too long) joins again by itself.</summary>
public sealed class RejoinTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private readonly List<Akkakd> _processes = [];
    private ActorSystem? _operator;

    [Fact]
    public async Task A_downed_worker_joins_again_and_keeps_serving()
    {
        // The seed: a node of this test process (no sweep yet), like a lab's first machine.
        _operator = await NodeBootstrap.StartAsync(new NodeOptions { Roles = ["operator"], LogFile = Path.Combine(_dir, "operator.log") },
            TimeSpan.FromSeconds(30));
        var seed = Akka.Cluster.Cluster.Get(_operator).SelfAddress.ToString();
        var worker = Akkakd.Start(_dir, "worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, "w"), "--log", Path.Combine(_dir, "w.log"));
        _processes.Add(worker);

        var first = await JoinedAddress(worker, 1);
        Akka.Cluster.Cluster.Get(_operator).Down(Address.Parse("akka.tcp://akkakd@" + first));

        var second = await JoinedAddress(worker, 2); // it says so, and joins under a new address
        Assert.Contains("removed from the cluster; joining again", worker.Out);
        Assert.NotEqual(first, second);
        Assert.False(worker.HasExited);

        // And it still serves sweeps: one launched into the cluster runs on it.
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromMinutes(2), "sweep", "--out", outDir, "--seeds", seed,
            "--slots", "0", "--min-workers", "1", "--plain",
            "--set", "sweep.data.train=500", "--set", "sweep.data.test=200", "--set", "sweep.teacher.hidden=[16]",
            "--set", "sweep.teacher.epochs=1", "--set", "sweep.student.epochs=1", "--set", "sweep.grid.width=[8]",
            "--set", "sweep.grid.alpha=[0]");
        Assert.True(code == 0, $"sweep exit {code}:\n{stdout}\n{stderr}");
        Assert.Contains(second, File.ReadAllText(Path.Combine(outDir, "results.jsonl")));

        worker.Terminate();
        var wcode = await worker.WaitAsync(TimeSpan.FromSeconds(30)); Assert.True(wcode == 0, $"worker exit {wcode}:\n{worker.Out}\n{worker.Err}");
    }

    [Fact]
    public async Task A_sweep_node_that_the_cluster_downs_ends_with_one_line_and_resume_finishes_the_sweep()
    {
        _operator = await NodeBootstrap.StartAsync(new NodeOptions { Roles = ["operator"], LogFile = Path.Combine(_dir, "operator.log") },
            TimeSpan.FromSeconds(30));
        var seed = Akka.Cluster.Cluster.Get(_operator).SelfAddress.ToString();
        var worker = Akkakd.Start(_dir, "worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, "w"), "--log", Path.Combine(_dir, "w.log"));
        _processes.Add(worker);
        await JoinedAddress(worker, 1);

        var file = Path.Combine(_dir, "slow.hocon");
        File.WriteAllText(file, Sweeps.Twelve.Replace("student { epochs = 6", "student { epochs = 60"));
        var outDir = Path.Combine(_dir, "downed");
        var journal = Path.Combine(outDir, "results.jsonl");
        int port = Akkakd.FreePort();
        string[] launch = ["sweep", file, "--out", outDir, "--seeds", seed, "--port", port.ToString(), "--slots", "0", "--min-workers", "1", "--plain"];
        var sweep = Akkakd.Start(_dir, launch);
        _processes.Add(sweep);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!File.Exists(journal) || File.ReadAllLines(journal).Count(l => l.Contains("\"type\":\"trial\"")) < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "no progress:\n" + sweep.Out + sweep.Err);
            Assert.False(sweep.HasExited, "the sweep ended early:\n" + sweep.Out + sweep.Err);
            await Task.Delay(100);
        }

        // What the split brain resolver does to a sweep node on the minority side of a partition.
        Akka.Cluster.Cluster.Get(_operator).Down(Address.Parse($"akka.tcp://akkakd@127.0.0.1:{port}"));
        int code = await sweep.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 1, $"exit {code}:\n{sweep.Out}\n{sweep.Err}");
        Assert.Contains("akkakd: this node was removed from the cluster", sweep.Err);
        Assert.Contains("--resume", sweep.Err);

        var (resumed, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromMinutes(3), [.. launch, "--resume"]);
        Assert.True(resumed == 0, $"resume exit {resumed}:\n{stdout}\n{stderr}");
        var ids = File.ReadAllLines(journal).Where(l => l.Contains("\"type\":\"trial\""))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()).ToList();
        Assert.Equal(12, ids.Count);
        Assert.Equal(12, ids.Distinct().Count());
    }

    /// <summary>The address in the worker's n-th "joined" line.</summary>
    private static async Task<string> JoinedAddress(Akkakd worker, int n)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var joined = Regex.Matches(worker.Out, @"worker akka\.tcp://akkakd@([^:\s]+:\d+): .* joined");
            if (joined.Count >= n) return joined[n - 1].Groups[1].Value;
            Assert.True(DateTime.UtcNow < deadline, $"the worker did not join (time {n}):\n{worker.Out}\n{worker.Err}");
            Assert.False(worker.HasExited, $"the worker exited:\n{worker.Out}\n{worker.Err}");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        _operator?.Terminate().Wait(TimeSpan.FromSeconds(20));
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
