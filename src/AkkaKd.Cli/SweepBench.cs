using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd bench --sweep --peer kd_torch.py</c>: a whole sweep, from process start to the leaderboard, against the
/// PyTorch peer running the same grid in its loop, side by side on this machine, on the same cores and rows: wall time,
/// peak memory (RSS, from GNU time) and the test accuracy of the configuration selected on validation. The grid: 12
/// distilled trials (widths 16, 64 x T 1, 4, 20 x alpha 0.5, 0.9), teacher 512-512 for 3 epochs, students 5 epochs,
/// 7,000 / 1,000 / 2,000 rows. Each side runs several times, interleaved; medians with their range.
/// </summary>
public static class SweepBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string? peer, string python, bool json, int runs = 3, int cores = 0)
    {
        if (!File.Exists("/usr/bin/time")) throw new UsageException("bench --sweep measures memory with GNU time: apt-get install time");
        cores = cores > 0 ? cores : Environment.ProcessorCount;
        var dir = Directory.CreateTempSubdirectory("akkakd-sweep-bench-").FullName;
        try
        {
            var (img, lbl) = (Path.Combine(dir, "images-idx3-ubyte.gz"), Path.Combine(dir, "labels-idx1-ubyte.gz"));
            foreach (var (name, path) in new[] { ("images-idx3-ubyte.gz", img), ("labels-idx1-ubyte.gz", lbl) })
            {
                using var src = typeof(Distillation.Data.DataSource).Assembly.GetManifestResourceStream("mnist10k/" + name)!;
                using var f = File.Create(path);
                src.CopyTo(f);
            }
            var sides = new Dictionary<string, List<(Measured M, double? Test, double? Val, int Trials)>> { ["akkakd"] = [], ["peer"] = [] };
            // Interleaved: akkakd run 1, peer run 1, akkakd run 2, ...; each pair with its own seed, both on all `cores`
            // cores (akkakd: one slot per core at 1 BLAS thread per trial; the peer: torch with `cores` threads), the same rows.
            for (int r = 1; r <= runs; r++)
            {
                var ours = await Ours(dir, r, cores);
                sides["akkakd"].Add(ours);
                Emit(RunRow("akkakd", r, ours), json);
                if (peer is null) continue;
                var theirs = await Peer(python, peer, img, lbl, r, cores);
                sides["peer"].Add(theirs);
                Emit(RunRow("peer", r, theirs), json);
            }
            foreach (var (impl, list) in sides.Where(kv => kv.Value.Count > 0)) Emit(Summary(impl, list), json);
            if (peer is not null)
            {
                double Median(string impl, Func<Measured, double> f) => MedianOf(sides[impl].Select(x => f(x.M)).ToList());
                Emit(new JsonObject
                {
                    ["impl"] = "ratio", ["phase"] = "sweep", ["cores"] = cores,
                    ["wall_fraction_of_peer"] = Math.Round(Median("akkakd", m => m.Seconds) / Median("peer", m => m.Seconds), 3),
                    ["rss_fraction_of_peer"] = Math.Round(Median("akkakd", m => m.PeakMb) / Median("peer", m => m.PeakMb), 3),
                }, json);
            }
            return ExitCodes.Done;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static async Task<(Measured, double?, double?, int)> Ours(string dir, int run, int cores)
    {
        var self = Environment.ProcessPath!;
        var outDir = Path.Combine(dir, $"out{run}");
        var args = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.Add(typeof(SweepBench).Assembly.Location);
        args.AddRange([
            "sweep", "--out", outDir, "--plain", "--slots", cores.ToString(Inv), "--set", $"sweep.seed={run}",
            "--set", "sweep.data.train=7000", "--set", "sweep.data.validation=1000", "--set", "sweep.data.test=2000",
            "--set", "sweep.teacher.hidden=[512,512]", "--set", "sweep.teacher.epochs=3", "--set", "sweep.student.epochs=5",
            "--set", "sweep.grid.width=[16,64]", "--set", "sweep.grid.temperature=[1,4,20]", "--set", "sweep.grid.alpha=[0.5,0.9]",
        ]);
        var m = await MeasureAsync(self, args);
        var trials = File.ReadAllLines(Path.Combine(outDir, "results.jsonl")).Where(l => l.Contains("\"type\":\"trial\""))
            .Select(l => JsonNode.Parse(l)!).ToList();
        var (test, val) = Selected(trials);
        return (m, test, val, trials.Count);
    }

    private static async Task<(Measured, double?, double?, int)> Peer(string python, string peer, string img, string lbl, int run, int cores)
    {
        var m = await MeasureAsync(python, [peer, img, lbl, "--teacher", "512,512", "--teacher-epochs", "3", "--epochs", "5",
            "--widths", "16,64", "--T", "1,4,20", "--alpha", "0.5,0.9", "--threads", cores.ToString(Inv), "--seed", run.ToString(Inv),
            "--train", "7000", "--val", "1000", "--test", "2000"]);
        var students = m.Stdout.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!)
            .Where(j => (string?)j["phase"] == "student").ToList();
        var (test, val) = Selected(students);
        return (m, test, val, students.Count);
    }

    /// <summary>The configuration selected on validation accuracy, and its test accuracy (never chosen on test).</summary>
    private static (double? Test, double? Val) Selected(List<JsonNode> trials)
    {
        var best = trials.Where(t => t["val_acc"] is not null).MaxBy(t => (double)t["val_acc"]!);
        return best is null ? (null, null) : ((double?)best["test_acc"], (double?)best["val_acc"]);
    }

    private static JsonObject RunRow(string impl, int run, (Measured M, double? Test, double? Val, int Trials) x) => new()
    {
        ["impl"] = impl, ["phase"] = "sweep", ["run"] = run, ["trials"] = x.Trials, ["wall_s"] = Math.Round(x.M.Seconds, 2),
        ["peak_rss_mb"] = Math.Round(x.M.PeakMb, 1), ["selected_val_acc"] = x.Val, ["selected_test_acc"] = x.Test,
    };

    private static JsonObject Summary(string impl, List<(Measured M, double? Test, double? Val, int Trials)> runs)
    {
        var walls = runs.Select(r => r.M.Seconds).ToList();
        var tests = runs.Where(r => r.Test.HasValue).Select(r => r.Test!.Value).ToList();
        var stats = tests.Count > 0 ? AkkaKd.Sweep.Statistics.Summarize(tests) : (AkkaKd.Sweep.SampleStats?)null;
        return new JsonObject
        {
            ["impl"] = impl, ["phase"] = "sweep", ["summary"] = $"{runs.Count} runs", ["wall_s_median"] = Math.Round(MedianOf(walls), 2),
            ["wall_s_min"] = Math.Round(walls.Min(), 2), ["wall_s_max"] = Math.Round(walls.Max(), 2),
            ["peak_rss_mb_median"] = Math.Round(MedianOf(runs.Select(r => r.M.PeakMb).ToList()), 1),
            ["selected_test_acc_mean"] = stats is { } s ? Math.Round(s.Mean, 4) : null,
            ["selected_test_acc_ci95"] = stats?.Ci95 is { } c ? Math.Round(c, 4) : null,
        };
    }

    private static double MedianOf(List<double> xs)
    {
        var o = xs.Order().ToList();
        return o.Count % 2 == 1 ? o[o.Count / 2] : (o[o.Count / 2 - 1] + o[o.Count / 2]) / 2;
    }

    private static void Emit(JsonObject row, bool json) =>
        Console.WriteLine(json ? row.ToJsonString() : string.Join("  ", row.Select(kv => $"{kv.Key}={kv.Value}")));

    private sealed record Measured(double Seconds, double PeakMb, string Stdout);

    /// <summary>Runs a command under GNU time: wall seconds and peak resident memory.</summary>
    private static async Task<Measured> MeasureAsync(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-f", "AKKAKD_TIME %e %M", program }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var line = stderr.Split('\n').LastOrDefault(l => l.StartsWith("AKKAKD_TIME ", StringComparison.Ordinal))
                   ?? throw new UsageException($"{Path.GetFileName(program)} failed: {stderr.Trim().Split('\n').LastOrDefault()}");
        if (p.ExitCode != 0) throw new UsageException($"{Path.GetFileName(program)} exited with {p.ExitCode}: {stderr.Trim().Split('\n').First()}");
        var parts = line.Split(' ');
        return new Measured(double.Parse(parts[1], Inv), double.Parse(parts[2], Inv) / 1024.0, await stdout);
    }
}
