using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd bench</c>: trains one teacher and one student and prints samples/s and accuracy per phase; with
/// <c>--peer kd_torch.py</c> it also runs the PyTorch peer on the same data and settings, in the same run, and prints
/// the ratios.
/// </summary>
public static class BenchCommand
{
    public const string Usage =
        "akkakd bench [--json] [--data SOURCE] [--train 8000] [--test 2000] [--teacher 1200,1200] [--teacher-epochs 10] " +
        "[--width 64] [--temperature 4] [--alpha 0.9] [--epochs 10] [--batch 128] [--lr 0.001] [--threads 2] [--seed 1] " +
        "[--teacher-dropout 0] [--teacher-input-dropout 0] [--teacher-jitter 0] [--student-layers 1] " +
        "[--peer PATH/kd_torch.py] [--python /usr/bin/python3]\n" +
        "       akkakd bench --scheduler [--trials 40000] [--workers 3] [--slots 8] [--trial-seconds 0] [--json]\n" +
        "       akkakd bench --sweep [--peer PATH/kd_torch.py] [--python /usr/bin/python3] [--json]";

    private static readonly HashSet<string> Values =
    [
        "data", "train", "test", "teacher", "teacher-epochs", "width", "temperature", "alpha", "epochs", "batch", "lr",
        "threads", "seed", "peer", "python", "trials", "workers", "slots", "trial-seconds",
        "teacher-dropout", "teacher-input-dropout", "teacher-jitter", "student-layers",
    ];

    public static int Run(string[] argv)
    {
        var a = Args.Parse(argv, Values, new HashSet<string> { "json", "scheduler", "sweep" });
        a.NoMorePositional(0, Usage);
        bool json = a.Flag("json");
        if (a.Flag("sweep")) return SweepBench.Run(a.Get("peer"), a.Get("python", "/usr/bin/python3"), json);
        if (a.Flag("scheduler"))
            return SchedulerBench.Run(a.GetInt("trials", 40000, 1), a.GetInt("workers", 3, 1), a.GetInt("slots", 8, 1),
                a.GetFloat("trial-seconds", 0f), json);
        var source = DataSource.TryParse(a.Get("data", DataSource.EmbeddedMnist10k), out var err)
            ?? throw new UsageException("--data: " + err);
        int train = a.GetInt("train", 8000, 1), test = a.GetInt("test", 2000, 1);
        var teacherHidden = a.GetInts("teacher", [1200, 1200]);
        int teacherEpochs = a.GetInt("teacher-epochs", 10, 1), epochs = a.GetInt("epochs", 10, 1);
        int width = a.GetInt("width", 64, 1), batch = a.GetInt("batch", 128, 1);
        float temperature = a.GetFloat("temperature", 4f), alpha = a.GetFloat("alpha", 0.9f), lr = a.GetFloat("lr", 0.001f);
        if (!(temperature > 0)) throw new UsageException("--temperature must be > 0");
        if (alpha < 0 || alpha > 1) throw new UsageException("--alpha must be in [0, 1]");
        if (!(lr > 0)) throw new UsageException("--lr must be > 0");
        var teacherReg = new Regularization(Rate(a, "teacher-dropout"), Rate(a, "teacher-input-dropout"),
            a.GetInt("teacher-jitter", 0, 0));
        int studentLayers = a.GetInt("student-layers", 1, 1);
        int threads = a.GetInt("threads", Environment.ProcessorCount, 1);
        int seed = a.GetInt("seed", 1, 0);
        var peer = a.Get("peer");
        if (peer != null && !File.Exists(peer)) throw new UsageException($"--peer: {peer}: file not found");

        Blas.Configure(threads);
        var gemm = Blas.Gemm;
        var data = source.Load();
        var (trainRows, testRows) = data.Split(train, test);
        if (teacherReg.Problem(data.ImageShape) is { } shapeProblem) throw new UsageException("--teacher-jitter: " + shapeProblem);
        if (!json)
        {
            Console.WriteLine(Blas.Describe());
            Console.WriteLine($"data: {source} ({data.Rows:N0} rows, {data.Features} features, {data.Classes} classes, sha256 {data.Fingerprint[..12]}), train {train:N0}, test {test:N0}");
        }

        var teacherSpec = new TeacherSpec(teacherHidden, new TrainSettings(teacherEpochs, batch, lr), (ulong)seed, teacherReg);
        var teacher = Distiller.TrainTeacher(trainRows, testRows, data.Classes, teacherSpec, gemm);
        var rows = new List<JsonObject>
        {
            new()
            {
                ["impl"] = "akkakd", ["phase"] = "teacher", ["backend"] = gemm.Name, ["threads"] = threads,
                ["widths"] = string.Join(',', teacherHidden), ["epochs"] = teacherEpochs,
                ["dropout"] = teacherReg.Dropout, ["input_dropout"] = teacherReg.InputDropout, ["jitter"] = teacherReg.Jitter,
                ["samples_per_s"] = Math.Round(teacher.SamplesPerSecond), ["seconds"] = Math.Round(teacher.TrainSeconds, 3),
                ["test_acc"] = teacher.TestAccuracy is { } ta ? Math.Round(ta, 4) : null,
            },
        };
        if (teacher.Divergence is { } td) rows[^1]["diverged"] = td.Reason;
        Emit(rows[^1], json);
        if (teacher.Diverged) return ExitCodes.TrialsFailed;
        var studentSpec = new StudentSpec(Enumerable.Repeat(width, studentLayers).ToArray(),
            new TrainSettings(epochs, batch, lr), (ulong)seed);
        var student = Distiller.TrainStudent(trainRows, testRows, data.Classes, studentSpec, new KdTerms(temperature, alpha),
            teacher, gemm);
        rows.Add(new JsonObject
        {
            ["impl"] = "akkakd", ["phase"] = "student", ["backend"] = gemm.Name, ["threads"] = threads, ["width"] = width,
            ["layers"] = studentLayers, ["T"] = temperature, ["alpha"] = alpha, ["epochs"] = epochs,
            ["samples_per_s"] = Math.Round(student.SamplesPerSecond), ["seconds"] = Math.Round(student.TrainSeconds, 3),
            ["test_acc"] = student.TestAccuracy is { } sa ? Math.Round(sa, 4) : null,
        });
        if (student.Divergence is { } sd) rows[^1]["diverged"] = sd.Reason;
        Emit(rows[^1], json);

        if (peer != null)
        {
            if (!source.IsEmbedded && (source.ImagesPath is null || source.LabelsPath is null))
                throw new UsageException("--peer needs IDX files");
            var (img, lbl, tmp) = PeerFiles(source);
            try
            {
                var peerRows = RunPeer(a.Get("python", "/usr/bin/python3"), peer, img, lbl, train, teacherHidden, teacherEpochs,
                    width, temperature, alpha, epochs, batch, lr, threads, seed, teacherReg, studentLayers);
                foreach (var p in peerRows) { p["impl"] = "peer"; Emit(p, json); }
                foreach (var phase in new[] { "teacher", "student" })
                {
                    var ours = rows.First(r => (string)r["phase"]! == phase);
                    var theirs = peerRows.FirstOrDefault(r => (string?)r["phase"] == phase);
                    if (theirs is null || ours["test_acc"] is null || theirs["test_acc"] is null) continue;
                    double speed = (double)ours["samples_per_s"]! / Math.Max(1, (double)theirs["samples_per_s"]!);
                    double accDiff = ((double)ours["test_acc"]! - (double)theirs["test_acc"]!) * 100;
                    Emit(new JsonObject
                    {
                        ["impl"] = "ratio", ["phase"] = phase, ["speedup_vs_peer"] = Math.Round(speed, 2),
                        ["acc_diff_points"] = Math.Round(accDiff, 2),
                    }, json);
                }
            }
            finally
            {
                if (tmp != null) Directory.Delete(tmp, true);
            }
        }
        return ExitCodes.Done;
    }

    /// <summary>A dropout rate option: a number in [0, 1), 0 when absent. Parsed as double, as the sweep file's keys.</summary>
    private static double Rate(Args a, string name)
    {
        var text = a.Get(name);
        if (text is null) return 0;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || !(p >= 0 && p < 1))
            throw new UsageException($"--{name}: expected a number in [0, 1), found '{text}'");
        return p;
    }

    private static void Emit(JsonObject row, bool json)
    {
        if (json)
        {
            Console.WriteLine(row.ToJsonString());
            return;
        }
        Console.WriteLine(string.Join("  ", row.Select(kv => $"{kv.Key}={kv.Value?.ToJsonString().Trim('"')}")));
    }

    /// <summary>The peer reads files: for the embedded set, write its two IDX files to a temporary folder.</summary>
    private static (string Images, string Labels, string? Temp) PeerFiles(DataSource source)
    {
        if (!source.IsEmbedded) return (source.ImagesPath!, source.LabelsPath!, null);
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

    private static List<JsonObject> RunPeer(string python, string peer, string images, string labels, int train,
        int[] teacher, int teacherEpochs, int width, float t, float alpha, int epochs, int batch, float lr, int threads, int seed,
        Regularization teacherReg, int studentLayers)
    {
        var inv = CultureInfo.InvariantCulture;
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     peer, images, labels, "--teacher", string.Join(',', teacher), "--widths", width.ToString(inv),
                     "--T", t.ToString(inv), "--alpha", alpha.ToString(inv), "--epochs", epochs.ToString(inv),
                     "--teacher-epochs", teacherEpochs.ToString(inv), "--threads", threads.ToString(inv),
                     "--train", train.ToString(inv), "--batch", batch.ToString(inv), "--lr", lr.ToString(inv),
                     "--seed", seed.ToString(inv),
                     "--teacher-dropout", teacherReg.Dropout.ToString(inv),
                     "--teacher-input-dropout", teacherReg.InputDropout.ToString(inv),
                     "--teacher-jitter", teacherReg.Jitter.ToString(inv), "--student-layers", studentLayers.ToString(inv),
                 })
            psi.ArgumentList.Add(arg);
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
            string? line;
            while ((line = proc.StandardOutput.ReadLine()) != null)
            {
                if (line.TrimStart().StartsWith('{') && JsonNode.Parse(line) is JsonObject o) lines.Add(o);
            }
            proc.WaitForExit();
            if (proc.ExitCode != 0)
            {
                var last = stderr.Result.Trim().Split('\n').LastOrDefault() ?? "";
                throw new UsageException($"the peer exited with {proc.ExitCode}: {last}");
            }
            return lines;
        }
    }
}
