using System.CommandLine;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Reports;
using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary><c>akkakd sweep [FILE]</c>: runs a sweep file's grid on this machine and shows the leaderboard.</summary>
public static class SweepCommand
{
    /// <summary>What the command line said, defaults applied (the node's options still fall back to the environment).</summary>
    public sealed record Options(string? File, string? Out, bool Resume, bool Force, IReadOnlyList<string> Set, int Slots,
        int MinWorkers, bool Plain, NodeArgs Node, int? Dashboard = null, bool SetAsideBadLines = false);

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
        var dashboard = new Option<int?>("--dashboard")
        {
            Description = "serve the live web dashboard of this sweep on 127.0.0.1:PORT while it runs (PORT 0: any free port) [default: off; PORT 8080]",
            HelpName = "PORT",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = r => r.Tokens.Count == 0 ? 8080
                : int.TryParse(r.Tokens[0].Value, out var p) && p is >= 0 and <= 65535 ? p
                : Fail(r, $"--dashboard: '{r.Tokens[0].Value}' is not a port (0 to 65535)"),
        };
        var command = new Command("sweep", "Runs a sweep file's grid on this node (and its cluster), shows the leaderboard and writes the results.")
        {
            file, output, resume, force, set, slots, plain, minWorkers, dashboard,
        };
        var setAside = Opt.SetAsideBadLines();
        command.Add(setAside);
        var node = new NodeArgs.Declared(command, "seed nodes of the cluster to join, akka.tcp://akkakd@HOST:PORT,... " +
                                                  "[default: $AKKAKD_SEEDS, else none: with --port, this node is the seed]");
        command.SetAction((r, _) => RunAsync(new Options(r.GetValue(file), r.GetValue(output), r.GetValue(resume), r.GetValue(force),
            r.GetValue(set)!, r.GetValue(slots), r.GetValue(minWorkers), r.GetValue(plain), node.Get(r), r.GetValue(dashboard),
            r.GetValue(setAside))));
        return command;
    }

    /// <summary>A wait that nothing could end is refused at once: no worker node can join a node without a port or seeds.</summary>
    private static void RefuseEndlessWait(Options a, NodeOptions node)
    {
        if (node.Port > 0 || node.Seeds.Count > 0) return;
        const string how = "launch into a lab cluster with --seeds URI, or make this node a seed with --port P";
        if (a.Slots == 0) throw new UsageException($"--slots 0: this node runs no trials, and without --port or --seeds no worker node can join it ({how})");
        if (a.MinWorkers > 0)
            throw new UsageException($"--min-workers {a.MinWorkers}: without --port or --seeds no worker node can join this node ({how})");
    }

    /// <summary>Maps the options to one library call (<see cref="SweepLauncher"/>) and its outcome to an exit code.</summary>
    public static async Task<int> RunAsync(Options a)
    {
        if (a.Resume && a.Out is null) throw new UsageException("--resume needs --out DIR (the folder of the sweep to continue)");
        SweepSettings settings;
        try
        {
            settings = a.File is null ? SweepFile.LoadLaptop(a.Set) : SweepFile.Load(a.File, a.Set);
        }
        catch (SweepFileException e)
        {
            throw new UsageException(e.Message);
        }
        var node = a.Node.Read(null);
        RefuseEndlessWait(a, node);
        var launch = new SweepLaunch
        {
            Settings = settings,
            SweepFile = a.File,
            OutDir = a.Out,
            Resume = a.Resume,
            Force = a.Force,
            SetAsideBadLines = a.SetAsideBadLines,
            Run = new SweepRunOptions
            {
                Slots = a.Slots,
                MinWorkers = a.MinWorkers,
                Output = Console.Out,
                Live = !a.Plain && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb"),
                Node = node,
            },
        };
        using var signals = new Signals();
        SweepOutcome outcome;
        await using var dashboard = await StartDashboard(a, launch);
        try
        {
            outcome = await SweepLauncher.RunAsync(launch with { OutDir = launch.OutDir ?? dashboard?.OutDir }, signals.Token);
        }
        catch (Exception e) when (e is PlanException or ReportWriteException)
        {
            if (e is PlanException) throw new UsageException(e.Message);
            Console.Error.WriteLine($"akkakd: {e.Message}");
            return ExitCodes.TrialsFailed;
        }
        var err = Console.Error;
        if (outcome.Removed is { } removed)
        {
            err.WriteLine($"akkakd: {removed}; finished results are in {outcome.Plan.JournalPath}; " +
                          $"continue with: akkakd sweep {a.File ?? ""} --out {outcome.OutDir} --resume");
            return ExitCodes.TrialsFailed;
        }
        if (outcome.Interrupted)
        {
            err.WriteLine($"akkakd: interrupted; finished results are in {outcome.Plan.JournalPath}; " +
                          $"continue with: akkakd sweep {a.File ?? ""} --out {outcome.OutDir} --resume");
            return signals.ExitCode;
        }
        if (outcome.Summary is not { } summary) return ExitCodes.Done; // nothing to do: the files were written
        if (summary.DataError is { } dataError)
        {
            err.WriteLine($"akkakd: data error: {dataError}; finished results are in {outcome.Plan.JournalPath}");
            return ExitCodes.Data;
        }
        if (summary.CancelledBy is { } by)
        {
            err.WriteLine($"akkakd: cancelled by {by}; finished results are in {outcome.Plan.JournalPath}; " +
                          $"continue with: akkakd sweep {a.File ?? ""} --out {outcome.OutDir} --resume");
            return ExitCodes.Cancelled;
        }
        if (summary.Error is { } error) err.WriteLine($"akkakd: the sweep stopped: {error} (see {outcome.LogFile})");
        if (summary.ReportError is { } reportError) err.WriteLine($"akkakd: {reportError}");
        if (summary.FailedTrials.Length > 0)
            err.WriteLine($"akkakd: {summary.FailedTrials.Length} trials failed (see {outcome.LogFile}); run again with --resume to retry them");
        return summary.Error is null && summary.ReportError is null && summary.FailedTrials.Length == 0 ? ExitCodes.Done : ExitCodes.TrialsFailed;
    }

    private static int? Fail(System.CommandLine.Parsing.ArgumentResult r, string message)
    {
        r.AddError(message);
        return null;
    }

    /// <summary>With --dashboard: the sweep's own dashboard, on loopback, over its output folder (made now to be watched).</summary>
    private static async Task<SweepDashboard?> StartDashboard(Options a, SweepLaunch launch)
    {
        if (a.Dashboard is not { } port) return null;
        var outDir = launch.OutDir ?? SweepLauncher.DefaultOutDir(launch.Settings);
        Directory.CreateDirectory(outDir);
        try
        {
            var server = await AkkaKd.Dashboard.DashboardServer.StartAsync(new AkkaKd.Dashboard.DashboardOptions { Folders = [outDir], Port = port });
            Console.WriteLine($"dashboard: {server.Url}");
            return new SweepDashboard(outDir, server);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            throw new UsageException($"--dashboard {port}: cannot listen on 127.0.0.1:{port} ({e.Message.Split('\n')[0]})");
        }
    }

    private sealed record SweepDashboard(string OutDir, AkkaKd.Dashboard.DashboardServer Server) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
