using System.Text.Json.Nodes;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// bench's teacher: not given is the default 1200-1200, not an empty list (System.CommandLine reads a missing array
/// option as empty: the teacher was then a linear model and the peer died on "--teacher ''").
/// </summary>
public sealed class BenchOptionTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();

    private async Task<JsonObject> TeacherRow(params string[] extra)
    {
        var (code, output, err) = await Akkakd.Run(_dir, TimeSpan.FromMinutes(2), ["bench", "--json", "--train", "300", "--val", "0",
            "--test", "100", "--teacher-epochs", "1", "--epochs", "1", "--width", "4", "--runs", "1", "--threads", "1", .. extra]);
        Assert.True(code == 0, $"exit {code}: {err}");
        return output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject())
            .First(o => (string?)o["phase"] == "teacher" && o["summary"] is null);
    }

    /// <summary>
    /// bench --search's child sweeps run over the built-in laptop sweep, whose teacher has dropout and jitter; the Optuna
    /// peer trains a plain teacher and plain students with batch 128 and lr 0.001: the sweeps must train the same.
    /// </summary>
    [Fact]
    public void Search_bench_sweeps_train_what_the_Optuna_peer_trains_whatever_the_laptop_sweep_says()
    {
        var s = AkkaKd.Sweep.SweepFile.LoadLaptop(SearchBench.SweepSets(7000, 2000, [1200, 1200], 10, 10, 3, 20));
        Assert.Null(s.Teacher.Regularization);
        Assert.Null(s.Student.Regularization);
        Assert.Equal([1200, 1200], s.Teacher.Hidden);
        Assert.Equal((10, 128, 0.001), (s.Teacher.Epochs, s.Teacher.Batch, s.Teacher.Lr));
        Assert.Equal((10, 128, 0.001, 1), (s.Student.Epochs, s.Student.Batch, s.Student.Lr, s.Student.Layers));
    }

    [Fact]
    public async Task Without_teacher_the_teacher_is_1200_1200() =>
        Assert.Equal("1200,1200", (string?)(await TeacherRow())["widths"]);

    [Fact]
    public async Task With_teacher_the_teacher_is_as_written() =>
        Assert.Equal("30,40", (string?)(await TeacherRow("--teacher", "30,40"))["widths"]);

    /// <summary>
    /// bench --search --seeds 1 against a stand-in peer (a shell script printing the Optuna peer's summary line): each
    /// akkakd row has its seeds and student epochs per wall second, each ratio row both sides' rate, and the goal line
    /// says the wall goal was measured at the issue's setting (one seed on both sides).
    /// </summary>
    [Fact]
    public async Task Bench_search_seeds_sets_the_seeds_and_prints_the_epochs_per_second_of_both_sides()
    {
        var peer = Path.Combine(_dir, "peer.sh");
        File.WriteAllText(peer, "sleep 0.3\necho '{\"phase\":\"summary\",\"student_epochs\":8,\"best\":" +
            "{\"width\":16,\"T\":2.0,\"alpha\":0.5,\"val_acc\":0.5,\"test_acc\":0.5}}'\n");
        var (code, output, err) = await Akkakd.Run(_dir, TimeSpan.FromMinutes(4), ["bench", "--search", "--json", "--seeds", "1",
            "--configurations", "2", "--epochs", "2", "--teacher", "16", "--teacher-epochs", "1", "--train", "300", "--test", "100",
            "--runs", "1", "--threads", "1", "--peer", peer, "--python", "/bin/sh"]);
        Assert.True(code == 0, $"exit {code}: {err}");
        var rows = output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var akkakd = rows.Where(r => (string?)r["impl"] == "akkakd").ToList();
        Assert.Equal(3, akkakd.Count);
        foreach (var r in akkakd)
        {
            Assert.Equal(1, (int)r["seeds"]!);
            double rate = (long)r["student_epochs"]! / (double)r["wall_s"]!; // wall_s is rounded to 10 ms
            Assert.Equal(rate, (double)r["epochs_per_s"]!, 0.02 * rate + 0.01);
        }
        Assert.Equal(2 * 2, (long)akkakd[0]["student_epochs"]!); // no scheduler: 2 configurations x 1 seed x 2 epochs
        var optuna = rows.Single(r => (string?)r["impl"] == "optuna");
        Assert.Equal(8 / (double)optuna["wall_s"]!, (double)optuna["epochs_per_s"]!, 0.02 * 8 / (double)optuna["wall_s"]! + 0.01);
        var ratios = rows.Where(r => (string?)r["impl"] == "ratio").ToList();
        Assert.Equal(3, ratios.Count);
        Assert.All(ratios, r => Assert.Equal((double)optuna["epochs_per_s"]!, (double)r["optuna_epochs_per_s"]!));
        Assert.Equal((double)akkakd[1]["epochs_per_s"]!, (double)ratios[1]["epochs_per_s"]!);
        var goal = rows.Where(r => (string?)r["impl"] == "summary").Select(r => (string?)r["wall_goal"]).ToList();
        Assert.Equal(3, goal.Count);
        Assert.All(goal, g => Assert.Contains("1 seed per configuration on both sides", g));
        var summaries = rows.Where(r => (string?)r["impl"] == "summary").ToList();
        Assert.Equal("- (1 seed: no 95% interval)", (string?)summaries[1]["test_within_none_ci95_runs"]);
        if (File.Exists("/proc/loadavg")) Assert.All(summaries, s => Assert.Matches(@"^[\d.]+ [\d.]+ [\d.]+$", (string?)s["load_average_start"]));
    }

    [Fact]
    public async Task Bench_search_seeds_0_is_a_usage_error()
    {
        var (code, _, err) = await Akkakd.Run(_dir, TimeSpan.FromMinutes(1), ["bench", "--search", "--seeds", "0"]);
        Assert.Equal(2, code);
        Assert.Contains("--seeds", err);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
