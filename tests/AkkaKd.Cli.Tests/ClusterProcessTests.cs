using System.Text.Json;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// The real akkakd program as a coordinator and worker processes on loopback. A worker is killed with SIGKILL in the
/// middle of the sweep; the journal must still end with every trial exactly once, with the same accuracies as a
/// single-node run of the same sweep file.
/// </summary>
public sealed class ClusterProcessTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private readonly List<Akkakd> _processes = [];
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private const string Sweep = Sweeps.Twelve;

    private Akkakd Start(params string[] args)
    {
        var p = Akkakd.Start(_dir, args);
        _processes.Add(p);
        return p;
    }

    private static List<JsonElement> Trials(string journal) =>
        File.Exists(journal)
            ? File.ReadAllLines(journal).Where(l => l.EndsWith('}') && l.Contains("\"type\":\"trial\""))
                .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList()
            : [];

    [Fact]
    public async Task A_worker_killed_with_SIGKILL_mid_sweep_loses_nothing_and_results_match_a_single_node_run()
    {
        var file = Path.Combine(_dir, "procs.hocon");
        File.WriteAllText(file, Sweep);
        int port = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@127.0.0.1:{port}";
        var clusterOut = Path.Combine(_dir, "cluster");
        var journal = Path.Combine(clusterOut, "results.jsonl");

        var coordinator = Start("sweep", file, "--out", clusterOut, "--port", port.ToString(), "--slots", "0", "--min-workers", "2", "--plain");
        var victim = Start("worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, "w1"), "--log", Path.Combine(_dir, "w1.log"));
        var survivor = Start("worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, "w2"), "--log", Path.Combine(_dir, "w2.log"));

        // Kill the first worker once the sweep is well under way (a few results are in).
        var deadline = DateTime.UtcNow + Limit;
        while (Trials(journal).Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the sweep made no progress:\n" + coordinator.Out + coordinator.Err);
            Assert.False(coordinator.HasExited, "the coordinator exited early:\n" + coordinator.Out + coordinator.Err);
            await Task.Delay(50);
        }
        victim.Kill();

        int code = await coordinator.WaitAsync(Limit);
        Assert.True(code == 0, $"sweep exit {code}:\n{coordinator.Out}\n{coordinator.Err}");
        var ids = Trials(journal).Select(t => t.GetProperty("id").GetString()!).ToList();
        Assert.Equal(12, ids.Count); // 2 widths x 2 seeds x (a baseline + 2 temperatures)
        Assert.Equal(ids.Count, ids.Distinct().Count()); // every trial exactly once

        // A worker stopped with SIGTERM hands back what it has and leaves the cluster cleanly.
        survivor.Terminate();
        Assert.Equal(0, await survivor.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("left the cluster", survivor.Out);

        // The same sweep on a single node gives the same accuracy for every trial id.
        var singleOut = Path.Combine(_dir, "single");
        var (singleCode, singleStdout, singleErr) = await Akkakd.Run(_dir, Limit, "sweep", file, "--out", singleOut, "--plain");
        Assert.True(singleCode == 0, $"single-node sweep exit {singleCode}:\n{singleStdout}\n{singleErr}");
        var single = Trials(Path.Combine(singleOut, "results.jsonl")).ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("test_acc").GetDouble());
        var cluster = Trials(journal).ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("test_acc").GetDouble());
        Assert.Equal(single.Keys.Order(), cluster.Keys.Order());
        foreach (var (id, acc) in single) Assert.Equal(acc, cluster[id]);
    }

    /// <summary>Writes the embedded digits as IDX files into a folder; with <paramref name="alter"/>, one pixel differs.</summary>
    internal static void WriteIdx(string folder, bool alter)
    {
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { "images-idx3-ubyte.gz", "labels-idx1-ubyte.gz" })
        {
            using var res = typeof(AkkaKd.Distillation.Data.DataSource).Assembly.GetManifestResourceStream("mnist10k/" + name)!;
            using var gz = new System.IO.Compression.GZipStream(res, System.IO.Compression.CompressionMode.Decompress);
            var bytes = new MemoryStream();
            gz.CopyTo(bytes);
            var data = bytes.ToArray();
            if (alter && name.StartsWith("images")) data[16 + 200] ^= 0x40; // a pixel of the first training image
            using var f = File.Create(Path.Combine(folder, name));
            using var z = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.Fastest);
            z.Write(data);
        }
    }

    [Fact]
    public async Task A_worker_whose_data_differ_refuses_the_sweep_and_its_trials_go_to_another_node()
    {
        // The sweep names its data by a relative path: each node loads its own copy. The odd one out has one pixel changed.
        var good = Path.Combine(_dir, "good");
        var odd = Path.Combine(_dir, "odd");
        WriteIdx(good, alter: false);
        WriteIdx(odd, alter: true);
        var file = Path.Combine(_dir, "idx.hocon");
        File.WriteAllText(file, Sweep.Replace("\"embedded:mnist10k\"", "\"idx:images-idx3-ubyte.gz,labels-idx1-ubyte.gz\"")
            .Replace("seeds = [1, 2]", "seeds = [1]"));
        int port = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@127.0.0.1:{port}";
        var outDir = Path.Combine(_dir, "idx-out");

        var coordinator = Akkakd.Start(good, "sweep", file, "--out", outDir, "--port", port.ToString(), "--slots", "0", "--min-workers", "2", "--plain");
        _processes.Add(coordinator);
        var oddWorker = Akkakd.Start(odd, "worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, "c-odd"), "--log", Path.Combine(_dir, "odd.log"));
        var goodWorker = Akkakd.Start(good, "worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, "c-good"), "--log", Path.Combine(_dir, "good.log"));
        _processes.Add(oddWorker);
        _processes.Add(goodWorker);

        int code = await coordinator.WaitAsync(Limit);
        Assert.True(code == 0, $"sweep exit {code}:\n{coordinator.Out}\n{coordinator.Err}");
        var oddNode = System.Text.RegularExpressions.Regex.Match(oddWorker.Out, @"worker akka\.tcp://akkakd@([^:\s]+:\d+)").Groups[1].Value;
        Assert.NotEqual("", oddNode);
        var nodes = Trials(Path.Combine(outDir, "results.jsonl")).Select(t => t.GetProperty("node").GetString()!).Distinct().ToList();
        Assert.Equal(6, Trials(Path.Combine(outDir, "results.jsonl")).Count);
        Assert.DoesNotContain(oddNode, nodes); // nothing ran on the node with other data
        Assert.Contains("data mismatch", File.ReadAllText(Path.Combine(outDir, "akkakd.log")));
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
