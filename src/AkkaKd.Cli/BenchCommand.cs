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
        double TeacherInputDropout = 0, int TeacherJitter = 0, int StudentLayers = 1, int Val = 1000, int Runs = 3,
        bool Dashboard = false, bool Search = false, int Configurations = 20, bool Fairness = false, bool Scale = false, int[]? Priorities = null,
        bool Instant = false, bool SearchCluster = false, int Seeds = 3);

    public static Command Create()
    {
        var json = Opt.Flag("--json", "one JSON object per line");
        var sweep = Opt.Flag("--sweep", "time a whole 12-trial sweep (wall time, peak RSS with GNU time, best accuracy), against --peer's loop if given");
        var dashboard = Opt.Flag("--dashboard", "measure the dashboard: journal fsync to browser event (p50, p95), a 10,000-trial sweep's first render, memory with 100,000 lines");
        var scheduler = Opt.Flag("--scheduler", "measure the coordinator: worker nodes whose trainer returns at once (or sleeps --trial-seconds), the journal on");
        var fairness = Opt.Flag("--fairness", "two sweeps launched 10 s apart on --workers worker nodes (--slots each, trials of --trial-seconds, 1 s by default): each one's share of the slot-seconds over time");
        var scale = Opt.Flag("--scale", "--workers worker nodes (use 32) and a sweep node: time for all to join, durable trials/s with --trials trials of --trial-seconds (2 s by default), time to requeue after killing a quarter of the nodes");
        var data = Opt.Text("--data", "SOURCE", "embedded:mnist10k or idx:IMAGES,LABELS", DataSource.EmbeddedMnist10k);
        var train = Opt.Int("--train", "N", "training rows (the first N)", 7000, 1);
        var val = Opt.Int("--val", "N", "validation rows (after the training rows; 0: none)", 1000, 0);
        var test = Opt.Int("--test", "N", "test rows (after the validation rows)", 2000, 1);
        var runs = Opt.Int("--runs", "N", "runs of each side, interleaved, each with the next seed (median and spread of speed, mean and 95% interval of accuracy)", 3, 1);
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
        var search = Opt.Flag("--search", "one search space (Sobol, --configurations x --seeds seeds, --epochs) with no scheduler, sha and asha, against --peer optuna_kd.py if given");
        var seeds = Opt.Int("--seeds", "N", "--search: seeds per configuration (the Optuna peer runs 1: --seeds 1 compares work for work)", 3, 1);
        var configurations = Opt.Int("--configurations", "N", "--search: configurations drawn (default 20; 10,000 with --instant)", 20, 1);
        var instant = Opt.Flag("--instant", "--search: --configurations x --seeds seeds under asha on --workers nodes of --slots, segments returning at once: durable rung results/s (--runs runs)");
        var searchCluster = Opt.Flag("--cluster", "--search: none, sha and asha on --workers nodes of --slots, segments sleeping --trial-seconds per epoch (0.1 by default): the share of slots busy (--runs runs)");
        int[] prioritiesDefault = [1, 1];
        var priorities = Opt.Ints("--priorities", "P,P", "--fairness: the sweep.priority of the first and the second sweep", prioritiesDefault);
        var command = new Command("bench",
            "Trains one teacher and one student and prints samples/s, seconds and test accuracy per phase; --sweep and --scheduler time a sweep and the coordinator instead.")
        {
            json, sweep, scheduler, fairness, scale, data, train, test, teacher, teacherEpochs, width, temperature, alpha, epochs, batch, lr, threads,
            seed, peer, python, trials, workers, slots, trialSeconds, teacherDropout, teacherInputDropout, teacherJitter, studentLayers,
            val, runs, dashboard, search, configurations, priorities, instant, searchCluster, seeds,
        };
        // --teacher not given reads as an empty list (System.CommandLine's default for an array), not as null.
        command.SetAction((r, _) => RunAsync(new Options(r.GetValue(json), r.GetValue(sweep), r.GetValue(scheduler), r.GetValue(data)!,
            r.GetValue(train), r.GetValue(test), r.GetValue(teacher) is { Length: > 0 } t ? t : teacherDefault, r.GetValue(teacherEpochs), r.GetValue(width),
            r.GetValue(temperature), r.GetValue(alpha), r.GetValue(epochs), r.GetValue(batch), r.GetValue(lr), r.GetValue(threads),
            r.GetValue(seed), r.GetValue(peer), r.GetValue(python)!, r.GetValue(trials), r.GetValue(workers), r.GetValue(slots),
            r.GetValue(trialSeconds), r.GetValue(teacherDropout), r.GetValue(teacherInputDropout), r.GetValue(teacherJitter),
            r.GetValue(studentLayers), r.GetValue(val), r.GetValue(runs), r.GetValue(dashboard), r.GetValue(search),
            r.GetResult(configurations) is not { Implicit: false } && r.GetValue(instant) ? 10000 : r.GetValue(configurations), // the goal's size
            r.GetValue(fairness), r.GetValue(scale), r.GetValue(priorities) is { Length: > 0 } p ? p : prioritiesDefault,
            r.GetValue(instant), r.GetValue(searchCluster), r.GetValue(seeds))));
        return command;
    }

    public static async Task<int> RunAsync(Options a)
    {
        bool json = a.Json;
        if (a.Dashboard) return await AkkaKd.Dashboard.Bench.DashboardBench.RunAsync(Console.Out, json);
        if (a.Sweep) return await SweepBench.RunAsync(a.Peer, a.Python, json, a.Runs, a.Threads);
        if (a.Search && a.Instant) return await SearchSchedulingBench.InstantAsync(a);
        if (a.Search && a.SearchCluster) return await SearchSchedulingBench.ClusterAsync(a);
        if (a.Instant || a.SearchCluster) throw new UsageException("--instant and --cluster go with --search");
        if (a.Search) return await SearchBench.RunAsync(a);
        if (a.Scale) return await ScaleBench.RunAsync(a.Workers, a.Trials, a.TrialSeconds, json);
        if (a.Fairness) return await FairnessBench.RunAsync(a.Workers, a.Slots, a.TrialSeconds, json, a.Priorities ?? [1, 1]);
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

        return await PeerBench.RunAsync(new PeerBench.Settings(source, train, a.Val, test, teacherHidden, teacherEpochs, teacherReg,
            width, studentLayers, temperature, alpha, epochs, batch, lr, threads, seed, a.Runs, peer, a.Python, json));
    }

    /// <summary>A dropout rate option: a number in [0, 1).</summary>
    private static double Rate(double p, string name) =>
        p is >= 0 and < 1 ? p : throw new UsageException($"--{name}: expected a number in [0, 1), found {p.ToString(CultureInfo.InvariantCulture)}");
}
