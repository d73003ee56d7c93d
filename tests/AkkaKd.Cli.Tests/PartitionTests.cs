using System.Text.RegularExpressions;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// Real network partitions between real processes: one node runs in a network namespace of the test's own and is cut
/// off from the others by blackhole routes (<see cref="NetworkPartition"/>). The split brain resolver (keep-majority)
/// downs the cut-off side; whichever side that is, no finished trial is lost or journalled twice.
/// </summary>
public sealed class PartitionTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private readonly List<Akkakd> _processes = [];
    private NetworkPartition? _net;

    /// <summary>Trials of some seconds each: the sweep runs on through a partition and its detection (about 30 s).</summary>
    private string SweepFile()
    {
        var file = Path.Combine(_dir, "slow.hocon");
        File.WriteAllText(file, Sweeps.Twelve.Replace("student { epochs = 6", "student { epochs = 300"));
        return file;
    }

    private Akkakd Start(string? netns, params string[] args)
    {
        var p = netns is null ? Akkakd.Start(_dir, args) : Akkakd.StartInNamespace(_dir, netns, args);
        _processes.Add(p);
        return p;
    }

    private Akkakd Worker(string? netns, string host, int port, string seed, string name) =>
        Start(netns, "worker", "--host", host, "--port", port.ToString(), "--seeds", seed, "--slots", "1",
            "--cache", Path.Combine(_dir, name), "--log", Path.Combine(_dir, name + ".log"));

    private static int Joined(Akkakd worker) => Regex.Matches(worker.Out, @"worker akka\.tcp://akkakd@\S+: 1 slot, joined").Count;

    private static List<string> TrialIds(string journal) => !File.Exists(journal) ? [] : File.ReadAllLines(journal)
        .Where(l => l.EndsWith('}') && l.Contains("\"type\":\"trial\""))
        .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();

    private static async Task Until(Func<bool> holds, string what, TimeSpan limit, params Akkakd[] watched)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!holds())
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"{what}: not within {limit.TotalSeconds:0} s\n" + string.Join("\n---\n", watched.Select(p => p.Out + p.Err)));
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_worker_cut_off_is_downed_rejoins_when_the_network_heals_and_no_trial_is_lost_or_counted_twice()
    {
        _net = NetworkPartition.Create();
        string host = _net.HostIp;
        int pa = Akkakd.FreePort(), pb = Akkakd.FreePort(), pc = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@{host}:{pa}";
        var a = Worker(null, host, pa, seed, "a");
        var b = Worker(null, host, pb, seed, "b");
        var c = Worker(_net.Namespace, _net.InsideIp, pc, seed, "c"); // the one to be cut off
        foreach (var w in new[] { a, b, c }) await Until(() => Joined(w) >= 1, "a worker joined", TimeSpan.FromSeconds(90), w);

        var outDir = Path.Combine(_dir, "out");
        var journal = Path.Combine(outDir, "results.jsonl");
        var sweep = Start(null, "sweep", SweepFile(), "--out", outDir, "--host", host, "--seeds", seed, "--slots", "0",
            "--min-workers", "3", "--plain");
        await Until(() => TrialIds(journal).Count >= 1, "a first result", TimeSpan.FromMinutes(3), sweep);

        // Cut c off mid-sweep (it holds a trial: every worker is busy). The majority (a, b and the sweep's node) downs
        // it, c downs itself, and its worker service starts joining again (which waits while the network is cut).
        _net.Cut();
        try
        {
            await Until(() => c.Out.Contains("removed from the cluster; joining again"), "c downed", TimeSpan.FromSeconds(90), c, sweep);
        }
        finally
        {
            _net.Heal();
        }
        await Until(() => Joined(c) >= 2, "c joined again after the network healed", TimeSpan.FromSeconds(90), c);

        int code = await sweep.WaitAsync(TimeSpan.FromMinutes(4));
        Assert.True(code == 0, $"sweep exit {code}:\n{sweep.Out}\n{sweep.Err}");
        var ids = TrialIds(journal);
        Assert.Equal(12, ids.Count);
        Assert.Equal(12, ids.Distinct().Count());
        foreach (var w in new[] { a, b, c }) Assert.False(w.HasExited, "a worker ended:\n" + w.Out + w.Err);
    }

    [Fact]
    public async Task A_sweep_node_cut_off_is_downed_ends_with_one_line_and_resume_finishes_the_sweep()
    {
        _net = NetworkPartition.Create();
        string host = _net.HostIp;
        int pa = Akkakd.FreePort(), pb = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@{host}:{pa}";
        var workers = new[] { Worker(null, host, pa, seed, "a"), Worker(null, host, pb, seed, "b") };
        foreach (var w in workers) await Until(() => Joined(w) >= 1, "a worker joined", TimeSpan.FromSeconds(90), w);

        var outDir = Path.Combine(_dir, "out");
        var journal = Path.Combine(outDir, "results.jsonl");
        string file = SweepFile();
        var sweep = Start(_net.Namespace, "sweep", file, "--out", outDir, "--host", _net.InsideIp, "--seeds", seed, "--slots", "0",
            "--min-workers", "2", "--plain");
        await Until(() => TrialIds(journal).Count >= 1, "a first result", TimeSpan.FromMinutes(3), sweep);

        // The sweep's node alone against two workers: the minority. It downs itself and ends with one line.
        _net.Cut();
        int code;
        try
        {
            code = await sweep.WaitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            _net.Heal();
        }
        Assert.True(code == 1, $"exit {code}:\n{sweep.Out}\n{sweep.Err}");
        Assert.Contains("akkakd: this node was removed from the cluster", sweep.Err);
        Assert.Contains("--resume", sweep.Err);
        var kept = TrialIds(journal);
        Assert.InRange(kept.Count, 1, 11);
        Assert.Equal(kept.Count, kept.Distinct().Count());

        // The workers stayed up (the majority) and serve the resumed sweep: every trial once, those journalled kept.
        var (resumed, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromMinutes(4), "sweep", file, "--out", outDir, "--host", host,
            "--seeds", seed, "--slots", "0", "--min-workers", "2", "--plain", "--resume");
        Assert.True(resumed == 0, $"resume exit {resumed}:\n{stdout}\n{stderr}");
        var ids = TrialIds(journal);
        Assert.Equal(12, ids.Count);
        Assert.Equal(12, ids.Distinct().Count());
        Assert.Equal(kept, ids.Take(kept.Count));
        foreach (var w in workers) Assert.False(w.HasExited, "a worker ended:\n" + w.Out + w.Err);
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        _net?.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
