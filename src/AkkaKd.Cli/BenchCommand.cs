using System.CommandLine;
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
    /// <summary>What the command line said, defaults applied.</summary>
    public sealed record Options(bool Json, bool Sweep, bool Scheduler, string Data, int Train, int Test, int[] Teacher,
        int TeacherEpochs, int Width, float Temperature, float Alpha, int Epochs, int Batch, float Lr, int Threads, int Seed,
        string? Peer, string Python, int Trials, int Workers, int Slots, float TrialSeconds, double TeacherDropout = 0,
        double TeacherInputDropout = 0, int TeacherJitter = 0, int StudentLayers = 1, bool Fairness = false, bool Scale = false);

    public static Command Create()
    {
        var json = Opt.Flag("--json", "one JSON object per line");
        var sweep = Opt.Flag("--sweep", "time a whole 12-trial sweep (wall time, peak RSS with GNU time, best accuracy), against --peer's loop if given");
        var scheduler = Opt.Flag("--scheduler", "measure the coordinator: worker nodes whose trainer returns at once (or sleeps --trial-seconds), the journal on");
        var fairness = Opt.Flag("--fairness", "two sweeps launched 10 s apart on --workers worker nodes (--slots each, trials of --trial-seconds, 1 s by default): each one's share of the slot-seconds over time");
        var scale = Opt.Flag("--scale", "--workers worker nodes (use 32) and a sweep node: time for all to join, durable trials/s with --trials trials of --trial-seconds (2 s by default), time to requeue after killing a quarter of the nodes");
        var data = Opt.Text("--data", "SOURCE", "embedded:mnist10k or idx:IMAGES,LABELS", DataSource.EmbeddedMnist10k);
        var train = Opt.Int("--train", "N", "training rows", 8000, 1);
        var test = Opt.Int("--test", "N", "test rows (after the training rows)", 2000, 1);
        int[] teacherDefault = [1200, 1200];
        var teacher = Opt.Ints("--teacher", "W,W", "the teacher's hidden widths", teacherDefault);
        var teacherEpochs = Opt.Int("--teacher-epochs", "N", "the teacher's epochs", 10, 1);
        var width = Opt.Int("--width", "N", "the student's hidden width", 64, 1);
        var temperature = Opt.Float("--temperature", "T", "the distillation temperature, > 0", 4f);
        var alpha = Opt.Float("--alpha", "A", "the weight of the soft (teacher) term, in [0, 1]", 0.9f);
        var epochs = Opt.Int("--epochs", "N", "the student's epochs", 10, 1);
        var batch = Opt.Int("--batch", "N", "mini-batch size", 128, 1);
        var lr = Opt.Float("--lr", "LR", "Adam learning rate, > 0", 0.001f);
        var threads = Opt.Int("--threads", "N", "BLAS threads (and the peer's), one per core by default", Environment.ProcessorCount, 1);
        var seed = Opt.Int("--seed", "N", "the seed of weights and batches", 1, 0);
        var peer = Opt.Text("--peer", "PATH/kd_torch.py", "also run the PyTorch peer on the same data and settings, and print the ratios [default: none]");
        var python = Opt.Text("--python", "PATH", "the Python that runs --peer", "/usr/bin/python3");
        var trials = Opt.Int("--trials", "N", "--scheduler: trials", 40000, 1);
        var workers = Opt.Int("--workers", "K", "--scheduler: worker nodes", 3, 1);
        var slots = Opt.Int("--slots", "N", "--scheduler: slots per worker node", 8, 1);
        var trialSeconds = Opt.Float("--trial-seconds", "S", "--scheduler: how long each trial sleeps", 0f);
        var teacherDropout = Opt.Float("--teacher-dropout", "P", "the teacher's dropout after each hidden layer, in [0, 1)", 0f);
        var teacherInputDropout = Opt.Float("--teacher-input-dropout", "P", "the teacher's dropout on its inputs, in [0, 1)", 0f);
        var teacherJitter = Opt.Int("--teacher-jitter", "PX", "random shifts of the teacher's images by up to PX pixels per batch", 0, 0);
        var studentLayers = Opt.Int("--student-layers", "N", "hidden layers of the student, each of --width", 1, 1);
        var command = new Command("bench",
            "Trains one teacher and one student and prints samples/s, seconds and test accuracy per phase; --sweep and --scheduler time a sweep and the coordinator instead.")
        {
            json, sweep, scheduler, fairness, scale, data, train, test, teacher, teacherEpochs, width, temperature, alpha, epochs, batch, lr, threads,
            seed, peer, python, trials, workers, slots, trialSeconds, teacherDropout, teacherInputDropout, teacherJitter, studentLayers,
        };
        command.SetAction((r, _) => RunAsync(new Options(r.GetValue(json), r.GetValue(sweep), r.GetValue(scheduler), r.GetValue(data)!,
            r.GetValue(train), r.GetValue(test), r.GetValue(teacher) ?? teacherDefault, r.GetValue(teacherEpochs), r.GetValue(width),
            r.GetValue(temperature), r.GetValue(alpha), r.GetValue(epochs), r.GetValue(batch), r.GetValue(lr), r.GetValue(threads),
            r.GetValue(seed), r.GetValue(peer), r.GetValue(python)!, r.GetValue(trials), r.GetValue(workers), r.GetValue(slots),
            r.GetValue(trialSeconds), r.GetValue(teacherDropout), r.GetValue(teacherInputDropout), r.GetValue(teacherJitter),
            r.GetValue(studentLayers), r.GetValue(fairness), r.GetValue(scale))));
        return command;
    }

    public static async Task<int> RunAsync(Options a)
    {
        bool json = a.Json;
        if (a.Sweep) return await SweepBench.RunAsync(a.Peer, a.Python, json);
        if (a.Scale) return await ScaleBench.RunAsync(a.Workers, a.Trials, a.TrialSeconds, json);
        if (a.Fairness) return await FairnessBench.RunAsync(a.Workers, a.Slots, a.TrialSeconds, json);
        if (a.Scheduler) return await SchedulerBench.RunAsync(a.Trials, a.Workers, a.Slots, a.TrialSeconds, json);
        var source = DataSource.TryParse(a.Data, out var err) ?? throw new UsageException("--data: " + err);
        int train = a.Train, test = a.Test;
        var teacherHidden = a.Teacher;
        int teacherEpochs = a.TeacherEpochs, epochs = a.Epochs;
        int width = a.Width, batch = a.Batch;
        float temperature = a.Temperature, alpha = a.Alpha, lr = a.Lr;
        if (!(temperature > 0)) throw new UsageException("--temperature must be > 0");
        if (alpha < 0 || alpha > 1) throw new UsageException("--alpha must be in [0, 1]");
        if (!(lr > 0)) throw new UsageException("--lr must be > 0");
        var teacherReg = new Regularization(Rate(a.TeacherDropout, "teacher-dropout"), Rate(a.TeacherInputDropout, "teacher-input-dropout"),
            a.TeacherJitter);
        int studentLayers = a.StudentLayers;
        int threads = a.Threads;
        int seed = a.Seed;
        var peer = a.Peer;
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
                var peerRows = await RunPeerAsync(a.Python, peer, img, lbl, train, teacherHidden, teacherEpochs,
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

    /// <summary>A dropout rate option: a number in [0, 1).</summary>
    private static double Rate(double p, string name) =>
        p is >= 0 and < 1 ? p : throw new UsageException($"--{name}: expected a number in [0, 1), found {p.ToString(CultureInfo.InvariantCulture)}");

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

    private static async Task<List<JsonObject>> RunPeerAsync(string python, string peer, string images, string labels, int train,
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
            while ((line = await proc.StandardOutput.ReadLineAsync()) != null)
            {
                if (line.TrimStart().StartsWith('{') && JsonNode.Parse(line) is JsonObject o) lines.Add(o);
            }
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
