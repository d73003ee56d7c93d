using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd bench --sweep --peer kd_torch.py</c>: a whole sweep, from process start to the leaderboard, against the
/// PyTorch peer running the same grid in its loop, side by side on this machine: wall time, peak memory (RSS, from
/// GNU time) and best accuracy. The grid: 12 distilled trials (widths 16, 64 x T 1, 4, 20 x alpha 0.5, 0.9), teacher
/// 512-512 for 3 epochs, students 5 epochs, 8,000 training rows, 2 threads.
/// </summary>
public static class SweepBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string? peer, string python, bool json)
    {
        if (!File.Exists("/usr/bin/time")) throw new UsageException("bench --sweep measures memory with GNU time: apt-get install time");
        var dir = Directory.CreateTempSubdirectory("akkakd-sweep-bench-").FullName;
        try
        {
            var self = Environment.ProcessPath!;
            var args = new List<string>();
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.Add(typeof(SweepBench).Assembly.Location);
            args.AddRange([
                "sweep", "--out", Path.Combine(dir, "out"), "--plain", "--slots", "2",
                "--set", "sweep.teacher.hidden=[512,512]", "--set", "sweep.teacher.epochs=3", "--set", "sweep.student.epochs=5",
                "--set", "sweep.grid.width=[16,64]", "--set", "sweep.grid.temperature=[1,4,20]", "--set", "sweep.grid.alpha=[0.5,0.9]",
            ]);
            var ours = await MeasureAsync(self, args);
            var journal = File.ReadAllLines(Path.Combine(dir, "out", "results.jsonl"))
                .Where(l => l.Contains("\"type\":\"trial\"")).Select(l => JsonNode.Parse(l)!).ToList();
            var row = new JsonObject
            {
                ["impl"] = "akkakd", ["phase"] = "sweep", ["trials"] = journal.Count, ["wall_s"] = Math.Round(ours.Seconds, 2),
                ["peak_rss_mb"] = Math.Round(ours.PeakMb, 1),
                ["best_acc"] = journal.Count > 0 ? journal.Max(j => (double)j["test_acc"]!) : 0,
            };
            Emit(row, json);
            if (peer is null) return ExitCodes.Done;

            var (img, lbl) = (Path.Combine(dir, "images-idx3-ubyte.gz"), Path.Combine(dir, "labels-idx1-ubyte.gz"));
            foreach (var (name, path) in new[] { ("images-idx3-ubyte.gz", img), ("labels-idx1-ubyte.gz", lbl) })
            {
                using var s = typeof(Distillation.Data.DataSource).Assembly.GetManifestResourceStream("mnist10k/" + name)!;
                using var f = File.Create(path);
                s.CopyTo(f);
            }
            var theirs = await MeasureAsync(python, [peer, img, lbl, "--teacher", "512,512", "--teacher-epochs", "3", "--epochs", "5",
                "--widths", "16,64", "--T", "1,4,20", "--alpha", "0.5,0.9", "--threads", "2"]);
            var students = theirs.Stdout.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!)
                .Where(j => (string?)j["phase"] == "student").ToList();
            var peerRow = new JsonObject
            {
                ["impl"] = "peer", ["phase"] = "sweep", ["trials"] = students.Count, ["wall_s"] = Math.Round(theirs.Seconds, 2),
                ["peak_rss_mb"] = Math.Round(theirs.PeakMb, 1),
                ["best_acc"] = students.Count > 0 ? students.Max(j => (double)j["test_acc"]!) : 0,
            };
            Emit(peerRow, json);
            Emit(new JsonObject
            {
                ["impl"] = "ratio", ["phase"] = "sweep",
                ["wall_fraction_of_peer"] = Math.Round(ours.Seconds / theirs.Seconds, 3),
                ["rss_fraction_of_peer"] = Math.Round(ours.PeakMb / theirs.PeakMb, 3),
                ["best_acc_diff_points"] = Math.Round(((double)row["best_acc"]! - (double)peerRow["best_acc"]!) * 100, 2),
            }, json);
            return ExitCodes.Done;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
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
