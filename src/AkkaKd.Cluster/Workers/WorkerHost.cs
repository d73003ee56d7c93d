using Akka.Actor;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;

namespace AkkaKd.Cluster.Workers;

/// <summary>
/// A long-lived worker node: it serves every sweep launched in its cluster until it is stopped. On SIGTERM (or any
/// coordinated shutdown) its workers first give their trials back, then the node leaves the cluster.
/// </summary>
public static class WorkerHost
{
    public static async Task<ActorSystem> StartAsync(NodeOptions options, int slots, string cacheDir, TimeSpan joinTimeout,
        ITrialTrainer? trainer = null, CancellationToken cancel = default, Action? waiting = null)
    {
        var system = await NodeBootstrap.StartAsync(options with { Roles = [WorkerNode.WorkerRole] }, joinTimeout, cancel, waiting);
        var node = new NodeServices(NodeBootstrap.NodeName(system), new TeacherStore(cacheDir), trainer)
        {
            Slots = slots, NodeUid = NodeBootstrap.NodeUid(system),
        };
        var artifacts = system.ActorOf(ArtifactHub.Props(node.Teachers), ArtifactHub.Name);
        var workers = system.ActorOf(WorkerNode.Props(node, slots, artifacts), WorkerNode.Name);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "akkakd-return-work", async () =>
        {
            try
            {
                await workers.Ask<WorkHandedBack>(ReturnWork.Instance, TimeSpan.FromSeconds(5));
            }
            catch (Exception)
            {
                // leaving anyway: the coordinator requeues what this node had when it is gone
            }
            return Akka.Done.Instance;
        });
        return system;
    }
}

/// <summary>How a long-lived worker node serves.</summary>
public sealed record WorkerServeOptions
{
    public NodeOptions Node { get; init; } = new();
    public int Slots { get; init; } = Environment.ProcessorCount;

    /// <summary>Where teacher artifacts are cached on disk between sweeps.</summary>
    public required string CacheDir { get; init; }

    /// <summary>
    /// How long to wait for the cluster: forever by default (a lab's workers start in any order and outlive every sweep;
    /// the wait says so every few seconds).
    /// </summary>
    public TimeSpan JoinTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Where the node says that it waits, joined, rejoins or left (one line each).</summary>
    public TextWriter Output { get; init; } = Console.Out;

    public ITrialTrainer? Trainer { get; init; }
}

/// <summary>"Run a worker node", in one call: join, serve every sweep, join again when downed, leave when cancelled.</summary>
public static class WorkerService
{
    /// <summary>
    /// Serves until <paramref name="cancel"/> fires (its trials are handed back and it leaves the cluster) or Akka ends the
    /// node for another reason than being downed (SIGTERM through Akka's own handler, a failed TLS handshake). A node that
    /// is downed (cut off for too long, or taken for dead) joins again under a new address.
    /// </summary>
    /// <exception cref="TimeoutException">the node could not join within the join timeout</exception>
    public static async Task ServeAsync(WorkerServeOptions o, CancellationToken cancel = default)
    {
        var console = Console.Out;
        while (!cancel.IsCancellationRequested)
        {
            ActorSystem system;
            var ticker = new WaitTicker(o.Output);
            Console.SetOut(TextWriter.Null); // a node that Akka stops while it joins speaks on standard out too (akka.net#5246)
            try
            {
                system = await WorkerHost.StartAsync(o.Node with { Notices = o.Output }, o.Slots, o.CacheDir, o.JoinTimeout, o.Trainer, cancel,
                    () => ticker.Tick("worker: ", () => WaitingFor(o.Node)));
            }
            finally
            {
                Console.SetOut(console);
            }
            o.Output.WriteLine($"worker akka.tcp://akkakd@{NodeBootstrap.NodeName(system)}: {o.Slots} slot{(o.Slots == 1 ? "" : "s")}, " +
                               $"joined {string.Join(", ", o.Node.Seeds)}" + (o.Node.LogFile is { } log ? $"; log: {log}" : ""));
            await using (cancel.Register(() => CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance)))
            {
                Console.SetOut(TextWriter.Null);
                try
                {
                    await system.WhenTerminated;
                }
                finally
                {
                    Console.SetOut(console);
                }
            }
            if (CoordinatedShutdown.Get(system).ShutdownReason is not CoordinatedShutdown.ClusterDowningReason) break;
            o.Output.WriteLine("worker: removed from the cluster; joining again");
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
        }
        o.Output.WriteLine("worker: left the cluster");
    }

    /// <summary>What a worker that has not joined waits for, in Akka's terms: the first seed forms the cluster.</summary>
    public static string WaitingFor(NodeOptions node) =>
        $"a seed of the cluster to answer ({string.Join(", ", node.Seeds)}); " +
        $"the cluster forms when its first seed, {node.Seeds.FirstOrDefault()}, is up";
}
