using System.Text.Json;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// <c>akkakd sweep</c> with a scheduler, end to end: rung results and decisions in the journal, only the promoted
/// configurations trained to the full epochs; a coordinator killed mid-sweep resumes with nothing trained or decided twice.
/// </summary>
public sealed class SearchSweepTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    /// <summary>6 configurations x 2 seeds and 4 baselines; rungs at 1, 3 and 9 epochs (eta 3).</summary>
    private static string Sweep(string scheduler, int epochs = 9) => $$"""
        sweep {
          name = search
          data    { source = "embedded:mnist10k", train = 1500, test = 500 }
          teacher { hidden = [64], epochs = 2, batch = 32, lr = 0.003 }
          student { epochs = {{epochs}}, batch = 32, lr = 0.003 }
          grid    { temperature = [1, 2, 4], alpha = [0, 0.9], width = [32, 64], seeds = [1, 2] }
          search  { scheduler = {{scheduler}}, min-epochs = 1, reduction = 3 }
        }
        """;

    private static List<JsonElement> Lines(string journal, string type) => File.ReadAllLines(journal)
        .Where(l => l.Contains($"\"type\":\"{type}\"")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Theory]
    [InlineData("sha")]
    [InlineData("asha")]
    public async Task A_scheduled_sweep_journals_rungs_and_decisions_and_trains_only_the_promoted_to_the_full_epochs(string scheduler)
    {
        var file = Path.Combine(_dir, "search.hocon");
        File.WriteAllText(file, Sweep(scheduler));
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = await Akkakd.Run(_dir, Limit, "sweep", file, "--out", outDir, "--plain");
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        var journal = Path.Combine(outDir, "results.jsonl");

        var rungs = Lines(journal, "rung");
        var decisions = Lines(journal, "decision");
        var trials = Lines(journal, "trial");
        // Rung 1: 12 segments; 6 configurations in, at least 2 go on (asha may take more before the rung closes).
        Assert.Equal(12, rungs.Count(r => r.GetProperty("epoch").GetInt32() == 1));
        Assert.All(rungs, r => Assert.Equal(12, r.GetProperty("config").GetString()!.Length));
        Assert.Equal(rungs.Count, rungs.Select(r => (r.GetProperty("id").GetString(), r.GetProperty("epoch").GetInt32())).Distinct().Count());
        Assert.Equal(decisions.Count, decisions.Select(d => (d.GetProperty("id").GetString(), d.GetProperty("epoch").GetInt32())).Distinct().Count());
        var atFirst = decisions.Where(d => d.GetProperty("epoch").GetInt32() == 1).ToList();
        Assert.Equal(12, atFirst.Count);
        int promoted = atFirst.Count(d => d.GetProperty("decision").GetString() == "promote");
        Assert.InRange(promoted, 4, 8);
        // Seeds of a configuration go on or stop together.
        Assert.All(atFirst.GroupBy(d => d.GetProperty("config").GetString()),
            g => Assert.Single(g.Select(d => d.GetProperty("decision").GetString()).Distinct()));

        var baselines = trials.Where(t => t.GetProperty("alpha").GetDouble() == 0).ToList();
        Assert.Equal(4, baselines.Count);
        var distilled = trials.Except(baselines).ToList();
        Assert.InRange(distilled.Count, 2, 4); // one or two configurations reach 9 epochs, with both seeds
        Assert.Equal(distilled.Count, trials.Select(t => t.GetProperty("id").GetString()).Distinct().Count() - 4);
        Assert.All(distilled, t => Assert.Equal(9, t.GetProperty("epochs").GetInt32()));
        // Every promoted trial continued from a checkpoint named by its SHA-256.
        Assert.All(rungs, r => Assert.Matches("^[0-9a-f]{64}$", r.GetProperty("checkpoint").GetString()!));
        // A promoted trial's line carries its validation curve from epoch 1, not only its last segment's.
        Assert.All(distilled, t => Assert.Equal(9, t.GetProperty("val_acc_curve").GetArrayLength()));

        await Watch_ends_when_the_scheduled_sweep_is_complete(journal, distilled.Count + 4);
    }

    /// <summary>
    /// <c>leaderboard --watch</c> on a scheduled sweep's journal as it grows: it shows the rungs and ends once the last
    /// line is in, trials stopped at a rung counting as in (they never get a trial line).
    /// </summary>
    private async Task Watch_ends_when_the_scheduled_sweep_is_complete(string journal, int trialLines)
    {
        var lines = File.ReadAllLines(journal);
        var watched = Path.Combine(_dir, "watched");
        Directory.CreateDirectory(watched);
        var copy = Path.Combine(watched, "results.jsonl");
        int half = lines.Length / 2;
        File.WriteAllLines(copy, lines.Take(half));
        using var p = Akkakd.Start(_dir, "leaderboard", watched, "--watch");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!p.Out.Contains("rung 1 (epoch 1):"))
        {
            if (p.HasExited || sw.Elapsed > TimeSpan.FromSeconds(60)) Assert.Fail($"no first drawing:\n{p.Out}\n{p.Err}");
            await Task.Delay(50);
        }
        Assert.False(p.HasExited);
        File.AppendAllLines(copy, lines.Skip(half));
        Assert.Equal(0, await p.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"{trialLines}/16 trials in the journal, {16 - trialLines} stopped by the scheduler (sweep", p.Out);
        Assert.Contains("rung 1 (epoch 1): 6 configurations in", p.Out);
        Assert.Contains("student epochs spent:", p.Out);
    }

    [Fact]
    public async Task A_coordinator_killed_mid_search_resumes_where_it_stood()
    {
        var file = Path.Combine(_dir, "search.hocon");
        File.WriteAllText(file, Sweep("sha", epochs: 27)); // rungs 1, 3, 9, 27: the baselines keep it busy long enough
        var outDir = Path.Combine(_dir, "out");
        var journal = Path.Combine(outDir, "results.jsonl");
        using (var first = Akkakd.Start(_dir, "sweep", file, "--out", outDir, "--plain"))
        {
            var deadline = DateTime.UtcNow + Limit;
            while (!File.Exists(journal) || Lines(journal, "rung").Count < 6)
            {
                Assert.True(DateTime.UtcNow < deadline, "no progress:\n" + first.Out + first.Err);
                Assert.False(first.HasExited, "the sweep ended before it could be killed:\n" + first.Out + first.Err);
                await Task.Delay(20);
            }
            first.Kill();
            await first.WaitAsync(TimeSpan.FromSeconds(10));
        }
        var before = File.ReadAllLines(journal).Where(l => l.EndsWith('}')).ToList();
        var (code, stdout, stderr) = await Akkakd.Run(_dir, Limit, "sweep", file, "--out", outDir, "--resume", "--plain");
        Assert.True(code == 0, $"resume exit {code}:\n{stdout}\n{stderr}");
        var after = File.ReadAllLines(journal);
        Assert.All(before, l => Assert.Contains(l, after));
        var rungs = Lines(journal, "rung");
        Assert.Equal(rungs.Count, rungs.Select(r => (r.GetProperty("id").GetString(), r.GetProperty("epoch").GetInt32())).Distinct().Count());
        Assert.Equal(12, rungs.Count(r => r.GetProperty("epoch").GetInt32() == 1));
        var decisions = Lines(journal, "decision");
        Assert.Equal(decisions.Count, decisions.Select(d => (d.GetProperty("id").GetString(), d.GetProperty("epoch").GetInt32())).Distinct().Count());
        Assert.Equal(12, decisions.Count(d => d.GetProperty("epoch").GetInt32() == 1));
        var trials = Lines(journal, "trial");
        Assert.Equal(4 + 2, trials.Count); // 4 baselines and the one configuration (2 seeds) that reached 27 epochs
        Assert.Equal(6, trials.Select(t => t.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Bench_search_runs_the_space_with_no_scheduler_sha_and_asha_and_prints_the_epochs_each_spent()
    {
        var (code, stdout, stderr) = await Akkakd.Run(_dir, Limit, "bench", "--search", "--json", "--configurations", "4", "--epochs", "3",
            "--teacher", "32", "--teacher-epochs", "1", "--train", "1000", "--test", "500", "--runs", "1");
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        var all = stdout.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var rows = all.Where(r => r.GetProperty("impl").GetString() == "akkakd").ToList();
        Assert.Equal(["none", "sha", "asha"], rows.Select(r => r.GetProperty("scheduler").GetString()));
        // The goals over the runs: per scheduler, the median and spread of each figure and the runs that met it.
        var summary = all.Where(r => r.GetProperty("impl").GetString() == "summary").ToList();
        Assert.Equal(["none", "sha", "asha"], summary.Select(r => r.GetProperty("scheduler").GetString()));
        Assert.Equal(rows[1].GetProperty("epochs_share_of_none").GetDouble(), summary[1].GetProperty("epochs_share_of_none_median").GetDouble());
        Assert.Matches("^[01]/1$", summary[1].GetProperty("epochs_share_of_none_goal_met").GetString()!);
        var epochs = rows.Select(r => r.GetProperty("student_epochs").GetInt64()).ToList();
        Assert.Equal(4 * 3 * 3, epochs[0]); // 4 configurations x 3 seeds x 3 epochs, trained through
        Assert.True(epochs[1] < epochs[0] && epochs[2] < epochs[0], string.Join(", ", epochs));
        Assert.All(rows, r => Assert.True(r.GetProperty("wall_s").GetDouble() > 0));
    }

    private static List<JsonElement> JsonRows(string stdout, string phase) => stdout.Split('\n').Where(l => l.StartsWith('{'))
        .Select(l => JsonDocument.Parse(l).RootElement.Clone()).Where(r => r.GetProperty("phase").GetString() == phase).ToList();

    [Fact]
    public async Task Bench_search_instant_measures_durable_rung_results_per_second_under_asha()
    {
        var (code, stdout, stderr) = await Akkakd.Run(_dir, Limit, "bench", "--search", "--instant", "--json", "--configurations", "40",
            "--epochs", "9", "--workers", "2", "--slots", "2", "--runs", "2", "--seeds", "2");
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        var runs = JsonRows(stdout, "search-instant");
        Assert.Equal(2, runs.Count);
        // 40 configurations x 2 seeds (--seeds) at the first rung (epoch 1), fewer at each rung after.
        Assert.All(runs, r => Assert.Equal(2, r.GetProperty("seeds").GetInt32()));
        Assert.All(runs, r => Assert.InRange(r.GetProperty("rung_lines").GetInt32(), 80 + 2, 80 + 40 * 2));
        Assert.All(runs, r => Assert.True(r.GetProperty("durable_rung_results_per_s").GetDouble() > 0));
        var summary = Assert.Single(JsonRows(stdout, "search-instant-summary"));
        Assert.Equal(2, summary.GetProperty("runs").GetInt32());
    }

    [Fact]
    public async Task Bench_search_cluster_reports_each_schedulers_busy_share_of_the_slots()
    {
        var (code, stdout, stderr) = await Akkakd.Run(_dir, Limit, "bench", "--search", "--cluster", "--json", "--configurations", "6",
            "--epochs", "3", "--workers", "2", "--slots", "1", "--trial-seconds", "0.02", "--runs", "1");
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        var runs = JsonRows(stdout, "search-cluster");
        Assert.Equal(["none", "sha", "asha"], runs.Select(r => r.GetProperty("scheduler").GetString()));
        Assert.All(runs, r => Assert.Equal(3, r.GetProperty("seeds").GetInt32())); // the default
        Assert.All(runs, r => Assert.InRange(r.GetProperty("busy_share").GetDouble(), 0.01, 1.05));
        Assert.All(runs, r => Assert.Equal(1, r.GetProperty("busy_share").GetDouble() + r.GetProperty("idle_share").GetDouble(), 3));
        Assert.Equal(3, JsonRows(stdout, "search-cluster-summary").Count);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
