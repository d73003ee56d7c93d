using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Search;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd bench --search [--peer optuna_kd.py]</c>: one search space (widths 16, 32, 64, 128; T log-uniform 1..20;
/// alpha uniform 0..1; --seeds seeds, 3 by default; --configurations Sobol points; --epochs) run as a sweep with no
/// scheduler, with sha and with asha, and by the Optuna peer (TPE + successive halving, PyTorch; one seed) with the same
/// configurations and epochs. Per run: student epochs spent, wall time (the whole process, teacher included), student
/// epochs per wall second, and the selected configuration with its validation and test accuracy.
/// </summary>
public static class SearchBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const int ValidationRows = 1000;
    private const string ValidationKey = "sweep.data.validation";
    private static readonly int[] Widths = [16, 32, 64, 128];

    public static async Task<int> RunAsync(BenchCommand.Options a)
    {
        if (a.Peer != null && !File.Exists(a.Peer)) throw new UsageException($"--peer: {a.Peer}: file not found");
        int train = a.Train == 8000 ? 8000 - ValidationRows : a.Train; // the embedded 10,000 rows: 7,000 / 1,000 / 2,000
        var sets = SweepSets(train, a.Test, a.Teacher, a.TeacherEpochs, a.Epochs, a.Seeds, a.Configurations);
        bool validation = Knows(ValidationKey, sets);
        if (validation) sets.Add($"{ValidationKey}={ValidationRows}");
        else Console.Error.WriteLine($"bench --search: this build has no {ValidationKey}: no configuration can be selected (never on test)");

        var loadAtStart = LoadAverage();
        var dir = Directory.CreateTempSubdirectory("akkakd-search-bench-").FullName;
        try
        {
            var (img, lbl) = (Path.Combine(dir, "images-idx3-ubyte.gz"), Path.Combine(dir, "labels-idx1-ubyte.gz"));
            if (a.Peer != null)
                foreach (var (name, path) in new[] { ("images-idx3-ubyte.gz", img), ("labels-idx1-ubyte.gz", lbl) })
                {
                    using var s = typeof(Distillation.Data.DataSource).Assembly.GetManifestResourceStream("mnist10k/" + name)!;
                    using var f = File.Create(path);
                    s.CopyTo(f);
                }
            var goals = new Goals(a.Seeds);
            // Runs interleaved (none, sha, asha, the peer; then again), each with its own sweep seed: a loaded machine
            // slows all of them alike, and the spread over runs shows how much a figure moves.
            for (int run = 1; run <= a.Runs; run++)
            {
                var rows = new List<JsonObject>();
                SearchSummary? none = null;
                foreach (var scheduler in new[] { "none", "sha", "asha" })
                {
                    var outDir = Path.Combine(dir, $"{scheduler}-{run}");
                    var args = new List<string> { "sweep", "--out", outDir, "--plain" };
                    foreach (var s in sets.Append($"sweep.search.scheduler={scheduler}").Append($"sweep.seed={run}")) args.AddRange(["--set", s]);
                    var seconds = await RunSelfAsync(args);
                    var contents = Journal.Read(Path.Combine(outDir, Journal.FileName));
                    var summary = SearchSummary.Of(contents.Results, contents.Rungs ?? [], a.Epochs);
                    none ??= summary;
                    var row = Row("akkakd", "sobol", scheduler, summary.Configurations, a.Seeds, summary.StudentEpochs, seconds, summary.Selected);
                    row["run"] = run;
                    row["baseline_epochs"] = summary.BaselineEpochs;
                    row["epochs_share_of_none"] = Math.Round((double)summary.StudentEpochs / Math.Max(1, none.StudentEpochs), 3);
                    if (none.Selected?.Test is { Low: { } low, High: { } high } && summary.Selected is { } sel)
                        row["test_within_none_ci95"] = sel.Test.Mean >= low && sel.Test.Mean <= high;
                    rows.Add(row);
                    goals.Add(row);
                    Emit(row, a.Json);
                }
                if (a.Peer is null) continue;
                var peerRow = await Peer(a, train, img, lbl, run);
                Emit(peerRow, a.Json);
                foreach (var row in rows)
                {
                    var ratio = new JsonObject
                    {
                        ["impl"] = "ratio", ["run"] = run, ["scheduler"] = (string)row["scheduler"]!,
                        ["wall_fraction_of_optuna"] = Math.Round((double)row["wall_s"]! / (double)peerRow["wall_s"]!, 3),
                        // The rate at equal work: student epochs per wall second of each side (the teacher's time included).
                        ["epochs_per_s"] = (double)row["epochs_per_s"]!, ["optuna_epochs_per_s"] = (double)peerRow["epochs_per_s"]!,
                        ["seeds"] = a.Seeds, ["optuna_seeds"] = 1,
                        ["val_acc_minus_optuna_points"] = row["val_acc"] is null
                            ? null
                            : Math.Round(((double)row["val_acc"]! - (double)peerRow["val_acc"]!) * 100, 2),
                    };
                    goals.Add(ratio);
                    Emit(ratio, a.Json);
                }
            }
            var loadAtEnd = LoadAverage();
            foreach (var row in goals.Summary())
            {
                // Wall times move with the machine's load, the peer's (torch threads) far more than akkakd's: say what it was.
                if (loadAtStart != null) row["load_average_start"] = loadAtStart;
                if (loadAtEnd != null) row["load_average_end"] = loadAtEnd;
                Emit(row, a.Json);
            }
            return ExitCodes.Done;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>One run of the Optuna peer (TPE + successive halving) on the same rows, configurations and epochs.</summary>
    private static async Task<JsonObject> Peer(BenchCommand.Options a, int train, string img, string lbl, int run)
    {
        var (peerSeconds, stdout) = await RunAsync(a.Python, [a.Peer!, img, lbl, "--trials", $"{a.Configurations}", "--epochs", $"{a.Epochs}",
            "--train", $"{train}", "--val", $"{ValidationRows}", "--test", $"{a.Test}", "--widths", string.Join(',', Widths),
            "--teacher", string.Join(',', a.Teacher), "--teacher-epochs", $"{a.TeacherEpochs}", "--threads", $"{a.Threads}",
            "--pruner", "sha", "--seed", $"{run}"]);
        var summaryLine = stdout.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!)
            .LastOrDefault(j => (string?)j["phase"] == "summary") ?? throw new UsageException("the peer printed no summary line");
        var best = summaryLine["best"]!;
        return new JsonObject
        {
            ["impl"] = "optuna", ["run"] = run, ["sampler"] = "tpe", ["scheduler"] = "sha", ["configurations"] = a.Configurations, ["seeds"] = 1,
            ["student_epochs"] = (long)summaryLine["student_epochs"]!, ["wall_s"] = Math.Round(peerSeconds, 2),
            ["epochs_per_s"] = EpochsPerSecond((long)summaryLine["student_epochs"]!, peerSeconds),
            ["selected"] = $"w{(int)best["width"]!} T{Math.Round((double)best["T"]!, 3)} a{Math.Round((double)best["alpha"]!, 3)}",
            ["val_acc"] = Math.Round((double)best["val_acc"]!, 4), ["test_acc"] = Math.Round((double)best["test_acc"]!, 4),
        };
    }

    /// <summary>The 1, 5 and 15 minute load averages ("0.12 0.30 0.25"), or null where /proc/loadavg does not exist.</summary>
    private static string? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The child sweeps' settings over the built-in laptop sweep (what `akkakd sweep` runs without a file): every one the
    /// peer has too is pinned to the peer's, the teacher's and the student's regularization (the laptop teacher's dropout
    /// and jitter; the peer trains a plain teacher) included.
    /// </summary>
    public static List<string> SweepSets(int train, int test, int[] teacher, int teacherEpochs, int epochs, int seeds, int configurations) =>
    [
        "sweep.name=search-bench", $"sweep.data.train={train}", $"sweep.data.test={test}",
        $"sweep.teacher.hidden=[{string.Join(',', teacher)}]", $"sweep.teacher.epochs={teacherEpochs}", "sweep.teacher.batch=128",
        "sweep.teacher.lr=0.001", "sweep.teacher.dropout=0", "sweep.teacher.input-dropout=0", "sweep.teacher.jitter=0",
        $"sweep.student.epochs={epochs}", "sweep.student.batch=128", "sweep.student.lr=0.001", "sweep.student.layers=1",
        "sweep.student.dropout=0", "sweep.student.input-dropout=0", "sweep.student.jitter=0", $"sweep.grid.width=[{string.Join(',', Widths)}]",
        "sweep.grid.temperature={log-uniform=[1, 20]}", "sweep.grid.alpha={uniform=[0, 1]}", $"sweep.grid.seeds=[{string.Join(',', Enumerable.Range(1, seeds))}]",
        "sweep.search.method=sobol", $"sweep.search.configurations={configurations}",
    ];

    private static bool Knows(string key, IEnumerable<string> sets)
    {
        try
        {
            SweepFile.Parse("", "bench", sets.Append($"{key}={ValidationRows}"));
            return true;
        }
        catch (SweepFileException)
        {
            return false;
        }
    }

    /// <summary>Student epochs per wall second (the whole run's wall time: process, data, teacher and students).</summary>
    public static double EpochsPerSecond(long epochs, double seconds) => Math.Round(epochs / Math.Max(seconds, 1e-9), 2);

    private static JsonObject Row(string impl, string method, string scheduler, int configurations, int seeds, long epochs, double seconds,
        SelectedConfiguration? selected) => new()
    {
        ["impl"] = impl, ["method"] = method, ["scheduler"] = scheduler, ["configurations"] = configurations, ["seeds"] = seeds,
        ["student_epochs"] = epochs, ["wall_s"] = Math.Round(seconds, 2), ["epochs_per_s"] = EpochsPerSecond(epochs, seconds),
        ["selected"] = selected?.Label ?? "- (no validation accuracy)",
        ["val_acc"] = selected is null ? null : Math.Round(selected.ValAcc, 4),
        ["test_acc"] = selected is null ? null : Math.Round(selected.Test.Mean, 4),
        ["test_ci95"] = selected?.Test.Ci95 is { } ci ? Math.Round(ci, 4) : null,
    };

    private static void Emit(JsonObject row, bool json) =>
        Console.WriteLine(json ? row.ToJsonString() : string.Join("  ", row.Select(kv => $"{kv.Key}={Plain(kv.Value)}")));

    /// <summary>A value as the plain output shows it: a string as it is (not JSON-escaped), anything else as JSON.</summary>
    private static string Plain(JsonNode? v) => v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";

    /// <summary>Runs this akkakd as a child process; its wall seconds.</summary>
    private static async Task<double> RunSelfAsync(List<string> args)
    {
        var self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.Insert(0, typeof(SearchBench).Assembly.Location);
        return (await RunAsync(self, args)).Seconds;
    }

    private static async Task<(double Seconds, string Stdout)> RunAsync(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var x in args) psi.ArgumentList.Add(x);
        var clock = Stopwatch.StartNew();
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new UsageException($"cannot start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new UsageException($"cannot start {program}: {e.Message}");
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            double seconds = clock.Elapsed.TotalSeconds;
            if (p.ExitCode != 0)
                throw new UsageException($"{Path.GetFileName(program)} exited with {p.ExitCode}: {(await stderr).Trim().Split('\n').LastOrDefault()}");
            return (seconds, await stdout);
        }
    }
}
