using Akka.Actor;
using AkkaKd.Cluster.Hosting;
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
        ActorSystem system;
        try
        {
            system = WorkerHost.StartAsync(node, slots, cache, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new UsageException($"could not join the cluster at {string.Join(", ", node.Seeds)} within 60 s (is the seed up, and its port open?)");
        }
        Console.WriteLine($"worker akka.tcp://akkakd@{NodeBootstrap.NodeName(system)}: {slots} slot{(slots == 1 ? "" : "s")}, joined {string.Join(", ", node.Seeds)}; log: {log}");
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        };
        // Akka's standard-out logger speaks up while the system shuts down (akka.net#5246): keep it off the screen.
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        system.WhenTerminated.GetAwaiter().GetResult();
        console.WriteLine("worker: left the cluster");
        return ExitCodes.Done;
    }
}
