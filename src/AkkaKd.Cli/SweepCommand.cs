using System.Globalization;
using AkkaKd.Cluster.Hosting;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Reports;

namespace AkkaKd.Cli;

/// <summary><c>akkakd sweep [FILE]</c>: runs a sweep file's grid on this machine and shows the leaderboard.</summary>
public static class SweepCommand
{
    public const string Usage =
        "akkakd sweep [FILE] [--out DIR] [--resume] [--force] [--set key=value]... [--slots N] [--plain] " +
        "[--host H] [--public-host H] [--port P] [--seeds URI,...] [--min-workers K] [--config NODE.hocon]";

    private static readonly HashSet<string> Values = ["out", "set", "slots", "min-workers", .. NodeArgs.Options];
    private static readonly HashSet<string> Flags = ["resume", "force", "plain"];

    public static int Run(string[] argv)
    {
        var a = Args.Parse(argv, Values, Flags);
        a.NoMorePositional(1, Usage);
        var file = a.Positional.Count > 0 ? a.Positional[0] : null;
        int slots = a.GetInt("slots", Environment.ProcessorCount, 0);
        int minWorkers = a.GetInt("min-workers", 0, 0);
        bool resume = a.Flag("resume"), force = a.Flag("force");
        var outArg = a.Get("out");
        if (resume && outArg is null) throw new UsageException("--resume needs --out DIR (the folder of the sweep to continue)");

        SweepSettings settings;
        try
        {
            settings = SweepFile.Load(file, a.All("set"));
        }
        catch (SweepFileException e)
        {
            throw new UsageException(e.Message);
        }

        // One BLAS setting per process: the cores shared among the slots.
        Blas.Configure(Math.Max(1, Environment.ProcessorCount / Math.Max(1, slots)));
        var source = DataSource.Parse(settings.Data.Source);
        var data = DataCache.Get(source, settings.Data.RowsNeeded());
        if ((long)settings.Data.Train + settings.Data.Test > data.Rows)
            throw new UsageException($"{file ?? "sweep"}: sweep.data.train + sweep.data.test = {settings.Data.Train + settings.Data.Test:N0} rows, " +
                                     $"but {source} has {data.Rows:N0}");

        var outDir = outArg ?? Path.Combine("results",
            $"{Safe(settings.Name)}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        SweepPlan plan;
        try
        {
            plan = SweepPlan.Prepare(settings, outDir, resume, force, data.Fingerprint, Blas.Describe());
        }
        catch (PlanException e)
        {
            throw new UsageException(e.Message);
        }

        using (plan.Journal)
        {
            var err = Console.Error;
            foreach (var note in plan.Notes) err.WriteLine($"akkakd: {note}");
            Console.WriteLine(Blas.Describe() + (Blas.IsOpenBlas ? "" : " -- the sweep runs, but slowly"));
            Console.WriteLine($"data: {source} ({data.Rows:N0} rows, {data.Classes} classes, sha256 {data.Fingerprint[..12]}); output: {outDir}");
            if (plan.Pending == 0)
            {
                var files = Leaderboard.WriteFiles(outDir, plan.Finished, plan.Teacher, settings.Top, $"akkakd sweep {settings.Name}").ToList();
                if (HtmlReport.Write(outDir) is { } report) files.Add(report);
                Console.WriteLine($"nothing to do: all {plan.Trials.Count} trials are in the journal");
                Console.WriteLine("wrote " + string.Join(", ", files));
                return ExitCodes.Done;
            }

            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            var node = NodeArgs.Read(a, Path.Combine(outDir, "akkakd.log"));
            var options = new SweepRunOptions
            {
                Slots = slots,
                MinWorkers = minWorkers,
                Output = Console.Out,
                Live = !a.Flag("plain") && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb"),
                Node = node,
            };
            if (node.Port > 0 || node.Seeds.Count > 0)
                Console.WriteLine($"cluster: this node is akka.tcp://akkakd@{NodeBootstrap.PublicHost(node)}:{node.Port}" +
                                  (node.Seeds.Count > 0 ? $", joining {string.Join(", ", node.Seeds)}" : " (the seed)") +
                                  (minWorkers > 0 ? $"; waiting for {minWorkers} worker nodes" : ""));
            try
            {
                var summary = SweepRunner.RunAsync(plan, data.Fingerprint, options, cancel.Token).GetAwaiter().GetResult();
                if (summary.FailedTrials.Length > 0)
                {
                    err.WriteLine($"akkakd: {summary.FailedTrials.Length} trials failed (see {Path.Combine(outDir, "akkakd.log")}); " +
                                  "run again with --resume to retry them");
                    return ExitCodes.TrialsFailed;
                }
                return ExitCodes.Done;
            }
            catch (OperationCanceledException)
            {
                err.WriteLine($"akkakd: interrupted; finished results are in {plan.JournalPath}; continue with: akkakd sweep {file ?? ""} --out {outDir} --resume");
                return ExitCodes.Interrupted;
            }
        }
    }

    private static string Safe(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
