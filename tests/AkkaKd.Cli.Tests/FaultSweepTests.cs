using System.IO.Compression;
using System.Text.Json;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// Faults that end in an answer, with real processes (issue 14): a trial that diverges is a result (journalled, ranked
/// last, exit 0, never run again); a worker node that cannot load the sweep's data refuses it once, and a sweep every
/// worker refused ends with exit 3 and one line naming the node and the error.
/// </summary>
public sealed class FaultSweepTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private readonly List<Akkakd> _processes = [];
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    // At a student learning rate of 3e17 the first Adam steps blow up the 512-wide student's logits (its loss becomes
    // infinite or NaN in epoch 1) while the 4-wide one stays finite (measured: 512 diverges from lr 1e17 on, 4 not until 1e19).
    private const string Diverging = """
        sweep {
          name = diverging
          data    { source = "embedded:mnist10k", train = 300, validation = 100, test = 100 }
          teacher { hidden = [16], epochs = 1, batch = 50, lr = 0.001 }
          student { epochs = 3, batch = 50, lr = 3e17 }
          grid    { temperature = [4], alpha = [0], width = [4, 512], seeds = [1] }
        }
        """;

    private static JsonElement TrialLine(string journal, int width) =>
        File.ReadAllLines(journal).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("type").GetString() == "trial" && e.GetProperty("width").GetInt32() == width);

    [Fact]
    public async Task A_diverged_teacher_is_tried_once_its_distilled_trials_fail_with_the_reason_and_the_baseline_runs()
    {
        var file = Path.Combine(_dir, "teacher.hocon");
        File.WriteAllText(file, Diverging.Replace("hidden = [16], epochs = 1, batch = 50, lr = 0.001", "hidden = [512], epochs = 2, batch = 50, lr = 1e30")
            .Replace("lr = 3e17", "lr = 0.001").Replace("alpha = [0]", "alpha = [0, 0.5]").Replace("width = [4, 512]", "width = [8]"));
        var outDir = Path.Combine(_dir, "teacher");
        var (code, stdout, err) = await Akkakd.Run(_dir, Limit, "sweep", file, "--out", outDir, "--plain", "--slots", "2");
        Assert.True(code == 1, $"exit {code}:\n{stdout}\n{err}");
        Assert.Matches(@"trial \w+ failed: no teacher: the teacher diverged: loss (NaN|\+infinity|-infinity) at epoch \d", stdout);
        Assert.Contains("1/2 trials finished", stdout); // the baseline
        Assert.DoesNotContain("   at ", err);
        // Deterministic: one attempt, not the three a transient failure gets.
        Assert.Single(File.ReadAllLines(Path.Combine(outDir, "akkakd.log")), l => l.Contains("teacher failed"));
    }

    [Fact]
    public async Task A_diverged_trial_is_journalled_ranked_last_with_exit_0_and_not_run_again_on_resume()
    {
        var file = Path.Combine(_dir, "diverging.hocon");
        File.WriteAllText(file, Diverging);
        var outDir = Path.Combine(_dir, "out");
        var journal = Path.Combine(outDir, "results.jsonl");

        var (code, stdout, err) = await Akkakd.Run(_dir, Limit, "sweep", file, "--out", outDir, "--plain", "--slots", "2");
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{err}");
        Assert.DoesNotContain("failed", err);
        Assert.Contains("2/2 trials finished (2 this run, 0 from the journal; 1 diverged)", stdout);

        var diverged = TrialLine(journal, 512);
        Assert.Equal("diverged", diverged.GetProperty("status").GetString());
        Assert.Equal(1, diverged.GetProperty("diverged_epoch").GetInt32());
        Assert.Matches("^loss (NaN|\\+infinity|-infinity) at epoch 1$", diverged.GetProperty("diverged_reason").GetString());
        Assert.False(diverged.TryGetProperty("test_acc", out _)); // no made-up accuracy
        Assert.False(diverged.TryGetProperty("val_acc", out _));
        var fine = TrialLine(journal, 4);
        Assert.Equal("ok", fine.GetProperty("status").GetString());
        Assert.True(fine.GetProperty("val_acc").GetDouble() > 0);

        // The leaderboard reads it and ranks it last, with its epoch instead of an accuracy.
        var board = await Akkakd.Run(_dir, Limit, "leaderboard", outDir);
        Assert.True(board.Code == 0, board.Out + board.Err);
        var rows = board.Out.Split('\n').Where(l => l.TrimStart().StartsWith('1') || l.TrimStart().StartsWith('2')).ToList();
        Assert.Matches(@"^\s*1\s+4\s", rows[0]);
        Assert.Matches(@"^\s*2\s+512\s.*diverged at epoch 1", rows[1]);
        Assert.Contains("1 configuration diverged", board.Out);
        Assert.Contains("diverged at epoch 1", File.ReadAllText(Path.Combine(outDir, "leaderboard.md")));
        var csv = File.ReadAllLines(Path.Combine(outDir, "leaderboard.csv"));
        var columns = csv[0].Split(',');
        var cells = csv.Single(l => l.StartsWith("2,512,")).Split(',');
        Assert.Equal("1", cells[Array.IndexOf(columns, "diverged_seeds")]);
        Assert.Equal("1", cells[Array.IndexOf(columns, "diverged_epoch")]);
        Assert.Equal("", cells[Array.IndexOf(columns, "val_acc_mean")]);

        // The report reads it too; --resume has nothing to run (the diverged trial is finished).
        var report = await Akkakd.Run(_dir, Limit, "report", outDir);
        Assert.True(report.Code == 0, report.Out + report.Err);
        Assert.Contains("diverged at epoch 1", File.ReadAllText(Path.Combine(outDir, "report.html")));
        var before = File.ReadAllText(journal);
        var resume = await Akkakd.Run(_dir, Limit, "sweep", file, "--out", outDir, "--resume", "--plain", "--slots", "2");
        Assert.True(resume.Code == 0, resume.Out + resume.Err);
        Assert.Contains("nothing to do: all 2 trials are in the journal", resume.Out);
        Assert.Equal(before, File.ReadAllText(journal));
    }

    [Fact]
    public async Task A_sweep_whose_only_worker_has_a_corrupt_data_file_ends_with_exit_3_naming_the_node_and_the_file()
    {
        var good = Path.Combine(_dir, "good");
        var bad = Path.Combine(_dir, "bad");
        ClusterProcessTests.WriteIdx(good, alter: false);
        ClusterProcessTests.WriteIdx(bad, alter: false);
        // The worker's copy of the images is corrupt: a gzip stream of the right name whose IDX header is garbage.
        using (var f = File.Create(Path.Combine(bad, "images-idx3-ubyte.gz")))
        using (var z = new GZipStream(f, CompressionLevel.Fastest))
            z.Write(Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 + 3)).ToArray());
        var file = Path.Combine(_dir, "idx.hocon");
        File.WriteAllText(file, Sweeps.Twelve.Replace("\"embedded:mnist10k\"", "\"idx:images-idx3-ubyte.gz,labels-idx1-ubyte.gz\""));
        int port = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@127.0.0.1:{port}";
        var worker = Akkakd.Start(bad, "worker", "--port", port.ToString(), "--seeds", seed, "--slots", "2",
            "--cache", Path.Combine(_dir, "c-bad"), "--log", Path.Combine(_dir, "bad.log"));
        _processes.Add(worker);
        var deadline = DateTime.UtcNow + Limit;
        while (!worker.Out.Contains(": 2 slots, joined"))
        {
            Assert.True(DateTime.UtcNow < deadline && !worker.HasExited, "the worker did not join:\n" + worker.Out + worker.Err);
            await Task.Delay(100);
        }

        var outDir = Path.Combine(_dir, "refused");
        var started = DateTime.UtcNow;
        using var sweep = Akkakd.Start(good, "sweep", file, "--out", outDir, "--seeds", seed, "--slots", "0", "--min-workers", "1", "--plain");
        int code = await sweep.WaitAsync(Limit);
        Assert.True(code == 3, $"exit {code}:\n{sweep.Out}\n{sweep.Err}");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "the refusal took too long");
        var line = Assert.Single(sweep.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("akkakd: data error: every worker node (127.0.0.1:" + port + ") refused the sweep's data: 127.0.0.1:" + port + ": ", line);
        Assert.Contains("images-idx3-ubyte.gz", line);
        Assert.DoesNotContain("   at ", sweep.Err);
        // Refused once per slot, never a trial failed and retried: no "failed" in the sweep's log.
        var log = File.ReadAllText(Path.Combine(outDir, "akkakd.log"));
        Assert.DoesNotContain("failed on", log);
        Assert.False(worker.HasExited); // the worker goes on serving other sweeps

        // The journal is whole: every command still reads it.
        var board = await Akkakd.Run(good, Limit, "leaderboard", outDir);
        Assert.True(board.Code == 0, board.Out + board.Err);
    }

    /// <summary>The GC's hard heap limit: what the memory checks take as this process's memory (as a container's limit would).</summary>
    private static Dictionary<string, string?> HeapLimit(long bytes) => new() { ["DOTNET_GCHeapHardLimit"] = "0x" + bytes.ToString("X") };

    [Fact]
    public async Task A_single_node_sweep_too_large_for_this_nodes_memory_is_refused_before_any_training_with_exit_2()
    {
        var outDir = Path.Combine(_dir, "big");
        // A student of width 100,000 needs about 1.7 GiB (weights, Adam state, workspaces); the process may use 768 MiB.
        using var p = Akkakd.Start(_dir, HeapLimit(768L << 20), "sweep", "--out", outDir, "--plain", "--slots", "1",
            "--set", "sweep.grid.width=[8, 100000]", "--set", "sweep.teacher.hidden=[64]");
        int code = await p.WaitAsync(Limit);
        Assert.True(code == 2, $"exit {code}:\n{p.Out}\n{p.Err}");
        Akkakd.AssertOneLineError(p.Err, "sweep.grid.width", "a student of width 100,000 needs about 1.", "more than this node's 768 MiB");
        Assert.False(File.Exists(Path.Combine(outDir, "results.jsonl"))); // nothing trained
    }

    [Fact]
    public async Task A_worker_whose_memory_cannot_hold_a_trial_in_every_slot_refuses_the_sweep_with_exit_3()
    {
        int port = Akkakd.FreePort();
        var seed = $"akka.tcp://akkakd@127.0.0.1:{port}";
        // Two slots of a 100,000-wide student (about 1.7 GiB each) do not fit the worker's 2 GiB; the launcher has more.
        var worker = Akkakd.Start(_dir, HeapLimit(2L << 30), "worker", "--port", port.ToString(), "--seeds", seed, "--slots", "2",
            "--cache", Path.Combine(_dir, "c-small"), "--log", Path.Combine(_dir, "small.log"));
        _processes.Add(worker);
        var deadline = DateTime.UtcNow + Limit;
        while (!worker.Out.Contains(": 2 slots, joined"))
        {
            Assert.True(DateTime.UtcNow < deadline && !worker.HasExited, "the worker did not join:\n" + worker.Out + worker.Err);
            await Task.Delay(100);
        }
        var outDir = Path.Combine(_dir, "too-big");
        using var sweep = Akkakd.Start(_dir, "sweep", "--out", outDir, "--seeds", seed, "--slots", "0", "--min-workers", "1", "--plain",
            "--set", "sweep.grid.width=[100000]", "--set", "sweep.grid.alpha=[0]", "--set", "sweep.teacher.hidden=[64]",
            "--set", "sweep.data.train=500", "--set", "sweep.data.validation=100", "--set", "sweep.data.test=100");
        int code = await sweep.WaitAsync(Limit);
        Assert.True(code == 3, $"exit {code}:\n{sweep.Out}\n{sweep.Err}");
        var line = Assert.Single(sweep.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("akkakd: data error: every worker node (127.0.0.1:" + port + ") refused the sweep's data: 127.0.0.1:" + port +
                          ": sweep.grid.width: a student of width 100,000 needs about 1.", line);
        Assert.Contains("2 slots training at once", line);
        Assert.Contains("more than this node's 2.0 GiB", line);
        Assert.False(worker.HasExited);
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
