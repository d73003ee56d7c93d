using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;
using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd bench [--peer kd_torch.py]</c>: one teacher and one student, akkakd and (with --peer) the PyTorch peer side
/// by side on the same rows (train / validation / test slices), the same threads and the same seeds. Each side runs
/// <c>--runs</c> times, interleaved (akkakd seed 1, peer seed 1, akkakd seed 2, ...): speed as the median with its range,
/// accuracy as the mean over seeds with its 95% interval, and the cost of the per-epoch validation curve.
/// </summary>
public static class PeerBench
{
    public sealed record Settings(DataSource Source, int Train, int Val, int Test, int[] Teacher, int TeacherEpochs,
        Regularization TeacherReg, int Width, int StudentLayers, float Temperature, float Alpha, int Epochs, int Batch, float Lr,
        int Threads, int Seed, int Runs, string? Peer, string Python, bool Json);

    private sealed record Run(string Impl, string Phase, int Seed, double SamplesPerS, double? TestAccuracy, double? ValAcc);

    public static async Task<int> RunAsync(Settings s)
    {
        Blas.Configure(s.Threads);
        var data = s.Source.Load();
        if ((long)s.Train + s.Val + s.Test > data.Rows)
            throw new UsageException($"--train + --val + --test = {(long)s.Train + s.Val + s.Test:N0} rows, but {s.Source} has {data.Rows:N0}");
        var (train, val, test) = data.Split(s.Train, s.Val, s.Test);
        if (s.TeacherReg.Problem(data.ImageShape) is { } shapeProblem) throw new UsageException("--teacher-jitter: " + shapeProblem);
        if (!s.Json)
        {
            Console.WriteLine(Blas.Describe());
            Console.WriteLine($"data: {s.Source} ({data.Rows:N0} rows, sha256 {data.Fingerprint[..12]}): train {s.Train:N0}, " +
                              $"validation {s.Val:N0}, test {s.Test:N0}; {s.Runs} runs per side, interleaved, seeds {s.Seed}..{s.Seed + s.Runs - 1}");
        }
        var (images, labels, temp) = s.Peer is null ? (null, null, null) : PeerProcess.Files(s.Source);
        var runs = new List<Run>();
        var curveShare = new List<double>();
        try
        {
            for (int r = 0; r < s.Runs; r++)
            {
                int seed = s.Seed + r;
                if (!Ours(s, data, train, val, test, seed, runs, curveShare)) return ExitCodes.TrialsFailed;
                if (s.Peer is null) continue;
                foreach (var p in await PeerProcess.RunAsync(s, images!, labels!, seed))
                {
                    p["impl"] = "peer";
                    p["run"] = r + 1;
                    Emit(p, s.Json);
                    runs.Add(new Run("peer", (string)p["phase"]!, seed, (double)p["samples_per_s"]!, (double?)p["test_acc"],
                        (double?)p["val_acc"]));
                }
            }
        }
        finally
        {
            if (temp != null) Directory.Delete(temp, true);
        }
        Summarize(s, runs, curveShare);
        return ExitCodes.Done;
    }

    /// <summary>akkakd's run with one seed: the teacher, then the student (with its validation curve).</summary>
    private static bool Ours(Settings s, DataSet data, LabeledRows train, LabeledRows? val, LabeledRows test, int seed,
        List<Run> runs, List<double> curveShare)
    {
        var gemm = Blas.Gemm;
        // The teacher trains as a sweep's does: with OpenBLAS, one single-threaded call per band over --threads cores.
        var split = Blas.Gemm is OpenBlasGemm ob && s.Threads > 1 ? new RowSplitGemm(ob, s.Threads) : null;
        TeacherArtifact teacher;
        try
        {
            if (split != null) Blas.Configure(1);
            teacher = Distiller.TrainTeacher(train, test, data.Classes,
                new TeacherSpec(s.Teacher, new TrainSettings(s.TeacherEpochs, s.Batch, s.Lr), (ulong)seed, s.TeacherReg),
                split ?? gemm, validation: val);
        }
        finally
        {
            split?.Dispose();
            Blas.Configure(s.Threads);
        }
        var row = Row("teacher", seed, teacher.SamplesPerSecond, teacher.TestAccuracy, teacher.Validation?.FinalAccuracy, teacher.TrainSeconds);
        row["widths"] = string.Join(',', s.Teacher);
        row["bands"] = split?.Parts ?? 1; // 1: OpenBLAS's own threads (or no OpenBLAS)
        if (teacher.Divergence is { } td) row["diverged"] = td.Reason;
        Emit(row, s.Json);
        if (teacher.Diverged) return false;
        runs.Add(new Run("akkakd", "teacher", seed, teacher.SamplesPerSecond, teacher.TestAccuracy, teacher.Validation?.FinalAccuracy));

        var spec = new StudentSpec(Enumerable.Repeat(s.Width, s.StudentLayers).ToArray(), new TrainSettings(s.Epochs, s.Batch, s.Lr), (ulong)seed);
        var student = Distiller.TrainStudent(train, test, data.Classes, spec, new KdTerms(s.Temperature, s.Alpha), teacher, gemm,
            validation: val);
        row = Row("student", seed, student.SamplesPerSecond, student.TestAccuracy, student.Validation?.FinalAccuracy, student.TrainSeconds);
        row["width"] = s.Width;
        row["layers"] = s.StudentLayers;
        if (student.Validation is { } curve)
        {
            // What the per-epoch validation pass costs, against the training it rides on.
            double share = curve.Seconds / Math.Max(1e-9, student.TrainSeconds - curve.Seconds);
            row["val_curve_overhead_pct"] = Math.Round(share * 100, 2);
            curveShare.Add(share);
        }
        if (student.Divergence is { } sd) row["diverged"] = sd.Reason;
        Emit(row, s.Json);
        runs.Add(new Run("akkakd", "student", seed, student.SamplesPerSecond, student.TestAccuracy, student.Validation?.FinalAccuracy));
        return true;
    }

    private static JsonObject Row(string phase, int seed, double samplesPerS, double? testAcc, double? valAcc, double seconds) => new()
    {
        ["impl"] = "akkakd", ["phase"] = phase, ["seed"] = seed, ["backend"] = Blas.Gemm.Name,
        ["samples_per_s"] = Math.Round(samplesPerS), ["seconds"] = Math.Round(seconds, 3),
        ["val_acc"] = valAcc is { } v ? Math.Round(v, 4) : null, ["test_acc"] = testAcc is { } t ? Math.Round(t, 4) : null,
    };

    /// <summary>Per phase and side: median samples/s with its range, accuracy mean and interval; then the ratios.</summary>
    private static void Summarize(Settings s, List<Run> runs, List<double> curveShare)
    {
        foreach (var phase in new[] { "teacher", "student" })
        {
            var sides = new Dictionary<string, (double Median, SampleStats? Test)>();
            foreach (var impl in new[] { "akkakd", "peer" })
            {
                var mine = runs.Where(r => r.Impl == impl && r.Phase == phase).ToList();
                if (mine.Count == 0) continue;
                var speeds = mine.Select(r => r.SamplesPerS).Order().ToList();
                double median = speeds.Count % 2 == 1 ? speeds[speeds.Count / 2] : (speeds[speeds.Count / 2 - 1] + speeds[speeds.Count / 2]) / 2;
                var tests = mine.Where(r => r.TestAccuracy.HasValue).Select(r => r.TestAccuracy!.Value).ToList();
                var vals = mine.Where(r => r.ValAcc.HasValue).Select(r => r.ValAcc!.Value).ToList();
                SampleStats? test = tests.Count > 0 ? Statistics.Summarize(tests) : null;
                SampleStats? valStats = vals.Count > 0 ? Statistics.Summarize(vals) : null;
                sides[impl] = (median, test);
                Emit(new JsonObject
                {
                    ["impl"] = impl, ["phase"] = phase, ["summary"] = $"{mine.Count} runs",
                    ["samples_per_s_median"] = Math.Round(median), ["samples_per_s_min"] = Math.Round(speeds[0]),
                    ["samples_per_s_max"] = Math.Round(speeds[^1]),
                    ["test_acc_mean"] = test is { } t ? Math.Round(t.Mean, 4) : null,
                    ["test_acc_ci95"] = test?.Ci95 is { } c ? Math.Round(c, 4) : null,
                    ["val_acc_mean"] = valStats is { } v ? Math.Round(v.Mean, 4) : null,
                }, s.Json);
            }
            if (sides.TryGetValue("akkakd", out var ours) && sides.TryGetValue("peer", out var theirs))
                Emit(new JsonObject
                {
                    ["impl"] = "ratio", ["phase"] = phase,
                    ["speedup_vs_peer"] = Math.Round(ours.Median / Math.Max(1, theirs.Median), 2),
                    ["acc_diff_points"] = ours.Test is { } a && theirs.Test is { } b ? Math.Round((a.Mean - b.Mean) * 100, 2) : null,
                }, s.Json);
        }
        if (curveShare.Count > 0)
            Emit(new JsonObject
            {
                ["impl"] = "akkakd", ["phase"] = "validation curve", ["overhead_pct_median"] = Math.Round(curveShare.Order().ElementAt(curveShare.Count / 2) * 100, 2),
                ["overhead_pct_max"] = Math.Round(curveShare.Max() * 100, 2), ["width"] = s.Width, ["val_rows"] = s.Val,
            }, s.Json);
    }

    public static void Emit(JsonObject row, bool json)
    {
        if (json)
        {
            Console.WriteLine(row.ToJsonString());
            return;
        }
        Console.WriteLine(string.Join("  ", row.Where(kv => kv.Value != null).Select(kv => $"{kv.Key}={kv.Value!.ToJsonString().Trim('"')}")));
    }
}

/// <summary>The PyTorch peer as a process: its data files and its JSON lines.</summary>
public static class PeerProcess
{
    /// <summary>The peer reads files: for the embedded set, write its two IDX files to a temporary folder.</summary>
    public static (string Images, string Labels, string? Temp) Files(DataSource source)
    {
        if (!source.IsEmbedded)
        {
            if (source.ImagesPath is null || source.LabelsPath is null) throw new UsageException("--peer needs IDX files");
            return (source.ImagesPath, source.LabelsPath, null);
        }
        var dir = Directory.CreateTempSubdirectory("akkakd-bench-").FullName;
        var asm = typeof(DataSource).Assembly;
        foreach (var name in new[] { "images-idx3-ubyte.gz", "labels-idx1-ubyte.gz" })
        {
            using var s = asm.GetManifestResourceStream("mnist10k/" + name)!;
            using var f = File.Create(Path.Combine(dir, name));
            s.CopyTo(f);
        }
        return (Path.Combine(dir, "images-idx3-ubyte.gz"), Path.Combine(dir, "labels-idx1-ubyte.gz"), dir);
    }

    /// <summary>One run of kd_torch.py with the same rows, threads, settings and seed as akkakd's run.</summary>
    public static async Task<List<JsonObject>> RunAsync(PeerBench.Settings s, string images, string labels, int seed)
    {
        var inv = CultureInfo.InvariantCulture;
        string F(double v) => v.ToString(inv);
        return await RunAsync(s.Python,
        [
            s.Peer!, images, labels, "--teacher", string.Join(',', s.Teacher), "--widths", F(s.Width), "--T", F(s.Temperature),
            "--alpha", F(s.Alpha), "--epochs", F(s.Epochs), "--teacher-epochs", F(s.TeacherEpochs), "--threads", F(s.Threads),
            "--train", F(s.Train), "--val", F(s.Val), "--test", F(s.Test), "--batch", F(s.Batch), "--lr", F(s.Lr), "--seed", F(seed),
            "--teacher-dropout", F(s.TeacherReg.Dropout), "--teacher-input-dropout", F(s.TeacherReg.InputDropout),
            "--teacher-jitter", F(s.TeacherReg.Jitter), "--student-layers", F(s.StudentLayers),
        ]);
    }

    public static async Task<List<JsonObject>> RunAsync(string python, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        Process proc;
        try
        {
            proc = Process.Start(psi) ?? throw new UsageException($"cannot start {python}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new UsageException($"--python: cannot start {python}: {e.Message}");
        }
        using (proc)
        {
            var stderr = proc.StandardError.ReadToEndAsync();
            var lines = new List<JsonObject>();
            while (await proc.StandardOutput.ReadLineAsync() is { } line)
                if (line.TrimStart().StartsWith('{') && JsonNode.Parse(line) is JsonObject o) lines.Add(o);
            await proc.WaitForExitAsync();
            if (proc.ExitCode != 0)
            {
                var last = (await stderr).Trim().Split('\n').LastOrDefault() ?? "";
                throw new UsageException($"the peer exited with {proc.ExitCode}: {last}");
            }
            return lines;
        }
    }
}
