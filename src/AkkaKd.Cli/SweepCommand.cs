using System.CommandLine;
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
    /// <summary>What the command line said, defaults applied (the node's options still fall back to the environment).</summary>
    public sealed record Options(string? File, string? Out, bool Resume, bool Force, IReadOnlyList<string> Set, int Slots,
        int MinWorkers, bool Plain, NodeArgs Node);

    public static Command Create()
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "the sweep file (HOCON; every key has a default) [default: the built-in laptop sweep]",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var output = Opt.Text("--out", "DIR", "the output folder: journal, leaderboard, report, log [default: results/NAME-TIMESTAMP]");
        var resume = Opt.Flag("--resume", "continue the sweep in --out DIR: trials already in its journal are skipped");
        var force = Opt.Flag("--force", "go on in a journal of a different sweep file or other data (with --resume)");
        var set = Opt.Repeated("--set", "key=value", "set a key of the sweep file by its full path, e.g. sweep.grid.width=[8,16] (repeatable)");
        var slots = Opt.Int("--slots", "N", "trials at a time on this node, one per core by default; 0: none, it only coordinates",
            Environment.ProcessorCount, 0);
        var plain = Opt.Flag("--plain", "one line per finished trial, not the live table (always so when piped or TERM=dumb)");
        var minWorkers = Opt.Int("--min-workers", "K", "wait for K worker nodes to join before the first trial", 0, 0);
        var command = new Command("sweep", "Runs a sweep file's grid on this node (and its cluster), shows the leaderboard and writes the results.")
        {
            file, output, resume, force, set, slots, plain, minWorkers,
        };
        var node = new NodeArgs.Declared(command, "seed nodes of the cluster to join, akka.tcp://akkakd@HOST:PORT,... " +
                                                  "[default: $AKKAKD_SEEDS, else none: with --port, this node is the seed]");
        command.SetAction((r, _) => RunAsync(new Options(r.GetValue(file), r.GetValue(output), r.GetValue(resume), r.GetValue(force),
            r.GetValue(set)!, r.GetValue(slots), r.GetValue(minWorkers), r.GetValue(plain), node.Get(r))));
        return command;
    }

    public static async Task<int> RunAsync(Options a)
    {
        var file = a.File;
        int slots = a.Slots;
        int minWorkers = a.MinWorkers;
        bool resume = a.Resume, force = a.Force;
        var outArg = a.Out;
        if (resume && outArg is null) throw new UsageException("--resume needs --out DIR (the folder of the sweep to continue)");

        SweepSettings settings;
        try
        {
            settings = SweepFile.Load(file, a.Set);
        }
        catch (SweepFileException e)
        {
            throw new UsageException(e.Message);
        }

        // One BLAS setting per process: the cores shared among the slots.
        Blas.Configure(Math.Max(1, Environment.ProcessorCount / Math.Max(1, slots)));
        var source = DataSource.Parse(settings.Data.Source);
        var data = DataCache.Get(source);
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
            var node = a.Node.Read(Path.Combine(outDir, "akkakd.log"));
            var options = new SweepRunOptions
            {
                Slots = slots,
                MinWorkers = minWorkers,
                Output = Console.Out,
                Live = !a.Plain && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb"),
                Node = node,
            };
            if (node.Port > 0 || node.Seeds.Count > 0)
                Console.WriteLine($"cluster: this node is akka.tcp://akkakd@{NodeBootstrap.PublicHost(node)}:{node.Port}" +
                                  (node.Seeds.Count > 0 ? $", joining {string.Join(", ", node.Seeds)}" : " (the seed)") +
                                  (minWorkers > 0 ? $"; waiting for {minWorkers} worker nodes" : ""));
            try
            {
                var summary = await SweepRunner.RunAsync(plan, data.Fingerprint, options, cancel.Token);
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
