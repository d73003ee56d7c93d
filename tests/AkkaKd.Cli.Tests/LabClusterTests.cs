using System.Text.Json;
using System.Text.RegularExpressions;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// The lab cluster as a long-lived service, with real processes on loopback: the workers hold the cluster (each lists
/// the same seeds, itself among them), sweeps join it and leave, waits say so, and waits that cannot end are refused.
/// </summary>
public sealed class LabClusterTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private readonly List<Akkakd> _processes = [];
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private Akkakd Start(params string[] args)
    {
        var p = Akkakd.Start(_dir, args);
        _processes.Add(p);
        return p;
    }

    private Akkakd Worker(int port, string seeds, string name) =>
        Start("worker", "--port", port.ToString(), "--seeds", seeds, "--slots", "1",
            "--cache", Path.Combine(_dir, name), "--log", Path.Combine(_dir, name + ".log"));

    internal static async Task WaitFor(Akkakd p, Func<string, bool> seen, string what, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!seen(p.Out))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} not seen within {limit.TotalSeconds:0} s:\n{p.Out}\n{p.Err}");
            Assert.False(p.HasExited, $"exited before {what}:\n{p.Out}\n{p.Err}");
            await Task.Delay(100);
        }
    }

    internal static List<JsonElement> Trials(string journal) =>
        File.ReadAllLines(journal).Where(l => l.EndsWith('}') && l.Contains("\"type\":\"trial\""))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Workers_hold_the_cluster_and_the_same_launch_command_runs_one_sweep_after_another()
    {
        var file = Path.Combine(_dir, "twelve.hocon");
        File.WriteAllText(file, Sweeps.Twelve);
        int p1 = Akkakd.FreePort(), p2 = Akkakd.FreePort();
        var seeds = $"akka.tcp://akkakd@127.0.0.1:{p1},akka.tcp://akkakd@127.0.0.1:{p2}";

        // The second seed started alone waits for the first (which forms the cluster), and says so while it waits.
        var w2 = Worker(p2, seeds, "w2");
        await WaitFor(w2, o => o.Contains("worker: waiting for a seed of the cluster to answer"), "the waiting line", TimeSpan.FromSeconds(30));
        Assert.Contains($"its first seed, akka.tcp://akkakd@127.0.0.1:{p1}, is up", w2.Out);
        var w1 = Worker(p1, seeds, "w1");
        foreach (var w in new[] { w1, w2 }) await WaitFor(w, o => o.Contains(": 1 slot, joined"), "joined", TimeSpan.FromSeconds(60));

        // The same command twice: each sweep joins the workers' cluster, runs on them, and leaves.
        string[] launch = ["sweep", file, "--seeds", seeds, "--slots", "0", "--min-workers", "2", "--plain"];
        for (int run = 1; run <= 2; run++)
        {
            var (code, stdout, stderr) = await Akkakd.Run(_dir, Limit, launch);
            Assert.True(code == 0, $"sweep {run}: exit {code}:\n{stdout}\n{stderr}");
            await Task.Delay(1100); // the default output folder is named to the second
        }
        var folders = Directory.GetDirectories(Path.Combine(_dir, "results"), "twelve-*");
        Assert.Equal(2, folders.Length);
        var workerNodes = new[] { $"127.0.0.1:{p1}", $"127.0.0.1:{p2}" };
        foreach (var folder in folders)
        {
            var trials = Trials(Path.Combine(folder, "results.jsonl"));
            Assert.Equal(12, trials.Count);
            Assert.All(trials, t => Assert.Contains(t.GetProperty("node").GetString(), workerNodes));
        }

        foreach (var w in new[] { w1, w2 })
        {
            Assert.False(w.HasExited, "a worker ended with a sweep:\n" + w.Out + w.Err);
            w.Terminate();
            Assert.Equal(0, await w.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task Status_shows_members_and_sweeps_and_cancel_ends_a_sweep_that_resume_then_finishes()
    {
        var file = Path.Combine(_dir, "slow.hocon");
        // Long enough trials that status, a wrong cancel and the cancel all land mid-sweep, even on a fast quiet machine.
        File.WriteAllText(file, Sweeps.Twelve.Replace("student { epochs = 6", "student { epochs = 600"));
        int p1 = Akkakd.FreePort(), p2 = Akkakd.FreePort();
        var seeds = $"akka.tcp://akkakd@127.0.0.1:{p1},akka.tcp://akkakd@127.0.0.1:{p2}";
        var workers = new[] { Worker(p1, seeds, "w1"), Worker(p2, seeds, "w2") };
        foreach (var w in workers) await WaitFor(w, o => o.Contains(": 1 slot, joined"), "joined", TimeSpan.FromSeconds(60));

        var outDir = Path.Combine(_dir, "slow");
        var journal = Path.Combine(outDir, "results.jsonl");
        string[] launch = ["sweep", file, "--out", outDir, "--seeds", seeds, "--slots", "0", "--min-workers", "2", "--plain"];
        var sweep = Start(launch);
        var deadline = DateTime.UtcNow + Limit;
        while (!File.Exists(journal) || Trials(journal).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "no progress:\n" + sweep.Out + sweep.Err);
            Assert.False(sweep.HasExited, "the sweep ended early:\n" + sweep.Out + sweep.Err);
            await Task.Delay(100);
        }

        var (code, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), "status", "--seeds", seeds);
        Assert.True(code == 0, $"status exit {code}:\n{stdout}\n{stderr}");
        Assert.Contains($"127.0.0.1:{p1}  worker", stdout);
        Assert.Contains("sweeps running (1):", stdout);
        Assert.True(Regex.IsMatch(stdout, @"twelve +[0-9a-f]+ +127\.0\.0\.1:\d+ +\d+/12"), stdout);

        (code, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), "status", "--seeds", seeds, "--json");
        Assert.True(code == 0, $"status --json exit {code}:\n{stdout}\n{stderr}");
        var view = JsonDocument.Parse(stdout).RootElement;
        var members = view.GetProperty("Members").EnumerateArray().ToList();
        Assert.Equal(3, members.Count); // the two workers and the sweep's node
        var workerRows = members.Where(m => m.GetProperty("Roles").EnumerateArray().Any(r => r.GetString() == "worker")).ToList();
        Assert.Equal(2, workerRows.Count);
        Assert.All(workerRows, m =>
        {
            Assert.Equal("Up", m.GetProperty("State").GetString());
            Assert.True(m.GetProperty("Reachable").GetBoolean());
            Assert.Equal(1, m.GetProperty("Node").GetProperty("Slots").GetInt32());
            Assert.False(string.IsNullOrEmpty(m.GetProperty("Node").GetProperty("Version").GetString()));
        });
        Assert.True(workerRows.Sum(m => m.GetProperty("Node").GetProperty("Busy").GetInt32()) >= 1, "no busy slot mid-sweep:\n" + stdout);
        var running = view.GetProperty("Sweeps").EnumerateArray().Single();
        Assert.Equal("twelve", running.GetProperty("Name").GetString());
        Assert.Equal(12, running.GetProperty("Total").GetInt32());
        Assert.True(running.GetProperty("Finished").GetInt32() >= 2);

        (code, _, stderr) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), "cancel", "--seeds", seeds, "nosuch");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(stderr, "no running sweep is named 'nosuch'", "twelve");

        (code, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), "cancel", "--seeds", seeds, "twelve");
        Assert.True(code == 0, $"cancel exit {code}:\n{stdout}\n{stderr}");
        Assert.Contains("cancelled twelve", stdout);
        var cancelledCode = await sweep.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(cancelledCode == 4, $"exit {cancelledCode} after cancel:\n{sweep.Out}\n{sweep.Err}");
        Assert.Contains("cancelled by", sweep.Err);
        Assert.Contains("--resume", sweep.Err);
        int kept = Trials(journal).Count;
        Assert.InRange(kept, 2, 11);

        // The sweep's trials stop cluster-wide once its node has left (workers drop a gone coordinator's trial): within
        // 30 s no sweep runs and no worker slot is busy.
        var idleBy = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            (code, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), "status", "--seeds", seeds, "--json");
            Assert.True(code == 0, $"status exit {code}:\n{stdout}\n{stderr}");
            view = JsonDocument.Parse(stdout).RootElement;
            bool idle = !view.GetProperty("Sweeps").EnumerateArray().Any() && view.GetProperty("Members").EnumerateArray()
                .Where(m => m.GetProperty("Node").ValueKind == JsonValueKind.Object)
                .All(m => m.GetProperty("Node").GetProperty("Busy").GetInt32() == 0);
            if (idle) break;
            Assert.True(DateTime.UtcNow < idleBy, "still busy 30 s after the cancel:\n" + stdout);
            await Task.Delay(1000);
        }

        // --resume runs the rest: every trial exactly once.
        (code, stdout, stderr) = await Akkakd.Run(_dir, Limit, [.. launch, "--resume"]);
        Assert.True(code == 0, $"resume exit {code}:\n{stdout}\n{stderr}");
        var ids = Trials(journal).Select(t => t.GetProperty("id").GetString()).ToList();
        Assert.Equal(12, ids.Count);
        Assert.Equal(12, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_node_of_another_akkakd_version_is_refused_at_join_with_one_line_on_both_sides()
    {
        int port = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@127.0.0.1:{port}";
        var w1 = Worker(port, seed, "w1");
        await WaitFor(w1, o => o.Contains(": 1 slot, joined"), "joined", TimeSpan.FromSeconds(60));
        var other = new Dictionary<string, string?> { ["AKKAKD_VERSION_OVERRIDE"] = "9.9.9" };

        using var w2 = Akkakd.Start(_dir, other, "worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, "w2"),
            "--log", Path.Combine(_dir, "w2.log"));
        Assert.Equal(2, await w2.WaitAsync(TimeSpan.FromSeconds(60)));
        Akkakd.AssertOneLineError(w2.Err, "refused by the cluster", "runs akkakd 9.9.9", "the cluster runs akkakd");
        Assert.DoesNotContain("joined", w2.Out);
        await WaitFor(w1, o => o.Contains("refused node 127.0.0.1:") && o.Contains("it runs akkakd 9.9.9"), "the refusal", TimeSpan.FromSeconds(30));

        // A sweep launched into it from another version is refused too, before any trial.
        using var sweep = Akkakd.Start(_dir, other, "sweep", "--seeds", seed, "--slots", "0", "--plain", "--out", Path.Combine(_dir, "skew"),
            "--set", "sweep.data.train=500", "--set", "sweep.data.test=200");
        Assert.Equal(2, await sweep.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("akkakd: refused by the cluster", sweep.Err);
        Assert.DoesNotContain("   at ", sweep.Err);

        // `status` from another version says so in one line (it visits without joining, so nothing refuses it at a join).
        using var status = Akkakd.Start(_dir, other, "status", "--seeds", seed);
        Assert.Equal(2, await status.WaitAsync(TimeSpan.FromSeconds(60)));
        Akkakd.AssertOneLineError(status.Err, "runs akkakd", "this is akkakd 9.9.9");
        Assert.False(w1.HasExited);
    }

    [Fact]
    public async Task A_sweep_whose_every_worker_refuses_its_data_ends_with_exit_code_3()
    {
        var good = Path.Combine(_dir, "good");
        var odd = Path.Combine(_dir, "odd");
        ClusterProcessTests.WriteIdx(good, alter: false);
        ClusterProcessTests.WriteIdx(odd, alter: true);
        var file = Path.Combine(_dir, "idx.hocon");
        File.WriteAllText(file, Sweeps.Twelve.Replace("\"embedded:mnist10k\"", "\"idx:images-idx3-ubyte.gz,labels-idx1-ubyte.gz\""));
        int port = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@127.0.0.1:{port}";
        var worker = Akkakd.Start(odd, "worker", "--port", port.ToString(), "--seeds", seed, "--slots", "2",
            "--cache", Path.Combine(_dir, "c-odd"), "--log", Path.Combine(_dir, "odd.log"));
        _processes.Add(worker);
        await WaitFor(worker, o => o.Contains(": 2 slots, joined"), "joined", TimeSpan.FromSeconds(60));

        using var sweep = Akkakd.Start(good, "sweep", file, "--out", Path.Combine(_dir, "refused"), "--seeds", seed, "--slots", "0",
            "--min-workers", "1", "--plain");
        int code = await sweep.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(code == 3, $"exit {code}:\n{sweep.Out}\n{sweep.Err}");
        Assert.Contains("akkakd: data error: every worker node (127.0.0.1:" + port + ") refused the sweep's data", sweep.Err);
        Assert.False(worker.HasExited); // the worker goes on serving other sweeps
    }

    [Theory]
    [InlineData("--slots 0", new[] { "--slots", "0" })]
    [InlineData("--min-workers 2", new[] { "--min-workers", "2" })]
    public async Task A_wait_that_cannot_end_is_refused_at_once(string named, string[] args)
    {
        var (code, _, err) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), ["sweep", .. args, "--plain"]);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, named, "--seeds");
    }

    [Fact]
    public async Task A_sweep_waiting_for_worker_nodes_says_so_every_few_seconds()
    {
        int port = Akkakd.FreePort();
        var sweep = Start("sweep", "--port", port.ToString(), "--slots", "0", "--min-workers", "1", "--plain",
            "--out", Path.Combine(_dir, "waits"), "--set", "sweep.data.train=500", "--set", "sweep.data.test=200");
        await WaitFor(sweep, o => Regex.Matches(o, @"sweep: waiting for 1 worker nodes to join \(0 up\)").Count >= 2, "two waiting lines",
            TimeSpan.FromSeconds(40));
        Assert.Contains($"workers join with --seeds akka.tcp://akkakd@127.0.0.1:{port}", sweep.Out);
        sweep.Terminate();
        Assert.Equal(143, await sweep.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
