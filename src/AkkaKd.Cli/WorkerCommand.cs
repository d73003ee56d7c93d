using System.CommandLine;
using AkkaKd.Cluster.Workers;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd worker --seeds ...</c>: a long-lived worker node. It serves every sweep launched in its cluster until it is
/// stopped; SIGTERM or Ctrl-C give its trials back and leave the cluster gracefully.
/// </summary>
public static class WorkerCommand
{
    /// <summary>What the command line said (null: not given; --slots falls back to AKKAKD_SLOTS, the node to its variables).</summary>
    public sealed record Options(string? Slots, string? Cache, string? Log, NodeArgs Node);

    public static Command Create()
    {
        var slots = Opt.Text("--slots", "N", "trials at a time on this node, one BLAS thread each [default: $AKKAKD_SLOTS, else one per core]");
        var cache = Opt.Text("--cache", "DIR", "where the node keeps the teachers it is sent [default: $XDG_CACHE_HOME/akkakd, else ~/.cache/akkakd]");
        var log = Opt.Text("--log", "FILE", "Akka's log lines [default: CACHE/worker.log]");
        var command = new Command("worker",
            "Runs a long-lived worker node: it serves every sweep launched in its cluster until SIGTERM or Ctrl-C, which give its trials back and leave the cluster.")
        {
            slots, cache, log,
        };
        var node = new NodeArgs.Declared(command, "seed nodes of the cluster to join, akka.tcp://akkakd@HOST:PORT,... (required) [default: $AKKAKD_SEEDS]");
        command.SetAction((r, _) => RunAsync(new Options(r.GetValue(slots), r.GetValue(cache), r.GetValue(log), node.Get(r))));
        return command;
    }

    public static async Task<int> RunAsync(Options a)
    {
        var slotsText = a.Slots ?? Environment.GetEnvironmentVariable("AKKAKD_SLOTS");
        int slots = Environment.ProcessorCount;
        if (!string.IsNullOrWhiteSpace(slotsText) && (!int.TryParse(slotsText, out slots) || slots < 1))
            throw new UsageException($"--slots: '{slotsText}' is not a whole number >= 1");
        var cache = a.Cache ?? Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "akkakd");
        var log = a.Log ?? Path.Combine(cache, "worker.log");
        var node = a.Node.Read(log);
        if (node.Seeds.Count == 0) throw new UsageException("worker: --seeds (or AKKAKD_SEEDS) names the cluster to join, e.g. akka.tcp://akkakd@10.0.0.1:4053");

        Blas.Configure(1); // each sweep sets its own threads per trial (sweep.threads-per-trial) as its trials arrive
        Console.WriteLine(Blas.Describe());
        using var signals = new Signals();
        try
        {
            await WorkerService.ServeAsync(new WorkerServeOptions { Node = node, Slots = slots, CacheDir = cache }, signals.Token);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            Console.WriteLine("worker: stopped before it joined");
        }
        catch (TimeoutException e)
        {
            throw new UsageException($"could not join the cluster at {string.Join(", ", node.Seeds)}: {e.Message} " +
                                     $"(is the seed up, its port open, and TLS set alike on both sides? see {log})");
        }
        return ExitCodes.Done; // a worker asked to stop has done its job: trials handed back, cluster left
    }
}
