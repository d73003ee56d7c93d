using Akka.Actor;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd worker --seeds ...</c>: a long-lived worker node. It serves every sweep launched in its cluster until it is
/// stopped; SIGTERM or Ctrl-C give its trials back and leave the cluster gracefully.
/// </summary>
public static class WorkerCommand
{
    public const string Usage =
        "akkakd worker --seeds URI,... [--host H] [--public-host H] [--port P] [--slots N] [--cache DIR] [--log FILE] [--config NODE.hocon]";

    private static readonly HashSet<string> Values = ["slots", "cache", "log", .. NodeArgs.Options];

    public static int Run(string[] argv)
    {
        var a = Args.Parse(argv, Values, new HashSet<string>());
        a.NoMorePositional(0, Usage);
        var slotsText = a.Get("slots") ?? Environment.GetEnvironmentVariable("AKKAKD_SLOTS");
        int slots = Environment.ProcessorCount;
        if (!string.IsNullOrWhiteSpace(slotsText) && (!int.TryParse(slotsText, out slots) || slots < 1))
            throw new UsageException($"--slots: '{slotsText}' is not a whole number >= 1");
        var cache = a.Get("cache") ?? Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "akkakd");
        var log = a.Get("log") ?? Path.Combine(cache, "worker.log");
        var node = NodeArgs.Read(a, log);
        if (node.Seeds.Count == 0) throw new UsageException("worker: --seeds (or AKKAKD_SEEDS) names the cluster to join, e.g. akka.tcp://akkakd@10.0.0.1:4053");

        Blas.Configure(Math.Max(1, Environment.ProcessorCount / slots));
        Console.WriteLine(Blas.Describe());
        // Akka's standard-out logger speaks up while a system shuts down (akka.net#5246): keep it off the screen.
        // SIGTERM is Akka's own: its signal handler runs the coordinated shutdown (trials handed back, cluster left).
        var console = Console.Out;
        ActorSystem? current = null;
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            if (current is { } s) CoordinatedShutdown.Get(s).Run(CoordinatedShutdown.ClrExitReason.Instance);
        };

        while (true)
        {
            ActorSystem system;
            Console.SetOut(TextWriter.Null); // a node that Akka stops while it joins speaks on standard out too
            try
            {
                system = WorkerHost.StartAsync(node, slots, cache, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            }
            catch (TimeoutException e)
            {
                throw new UsageException($"could not join the cluster at {string.Join(", ", node.Seeds)}: {e.Message} " +
                                         $"(is the seed up, its port open, and TLS set alike on both sides? see {log})");
            }
            finally
            {
                Console.SetOut(console);
            }
            current = system;
            console.WriteLine($"worker akka.tcp://akkakd@{NodeBootstrap.NodeName(system)}: {slots} slot{(slots == 1 ? "" : "s")}, joined {string.Join(", ", node.Seeds)}; log: {log}");
            Console.SetOut(TextWriter.Null);
            system.WhenTerminated.GetAwaiter().GetResult();
            Console.SetOut(console);
            // Downed (cut off from the cluster for too long, or taken for dead): join again. Anything else
            // (SIGTERM, Ctrl-C, a failed TLS handshake) ends the worker.
            if (CoordinatedShutdown.Get(system).ShutdownReason is not CoordinatedShutdown.ClusterDowningReason) break;
            console.WriteLine("worker: removed from the cluster; joining again");
            Thread.Sleep(1000);
        }
        console.WriteLine("worker: left the cluster");
        return ExitCodes.Done;
    }
}
