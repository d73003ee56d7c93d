using Akka.Actor;
using AkkaKd.Cluster.Actors;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Hosting;

/// <summary>How to run a sweep from this node.</summary>
public sealed record SweepRunOptions
{
    /// <summary>Concurrent trials on this node (one TrialWorker each); 0: this node only coordinates.</summary>
    public int Slots { get; init; } = Environment.ProcessorCount;
    /// <summary>Hand out trials only once this many worker nodes are up (0: at once).</summary>
    public int MinWorkers { get; init; }
    public TextWriter Output { get; init; } = Console.Out;
    /// <summary>Redraw a live table in place (a terminal) rather than printing plain lines.</summary>
    public bool Live { get; init; }
    /// <summary>Where this node binds, its seeds (none: it is the seed, joining itself) and where it logs.</summary>
    public NodeOptions Node { get; init; } = new();
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>What the local workers run (the real trainer unless a benchmark says otherwise).</summary>
    public ITrialTrainer? Trainer { get; init; }
}

/// <summary>
/// Runs a prepared sweep from this node, a member of an Akka.Cluster (a cluster of one, bound to loopback, in single-node
/// mode): the coordinator, the reporter, the node's artifact hub and, with slots, its workers. Worker nodes that join
/// the cluster find the coordinator and pull trials too.
/// </summary>
public static class SweepRunner
{
    public static async Task<SweepSummary> RunAsync(SweepPlan plan, string dataFingerprint, SweepRunOptions options,
        CancellationToken cancel = default)
    {
        var roles = options.Slots > 0 ? new[] { WorkerNode.CoordinatorRole, WorkerNode.WorkerRole } : [WorkerNode.CoordinatorRole];
        var system = await NodeBootstrap.StartAsync(options.Node with { Roles = roles }, options.JoinTimeout, cancel);
        try
        {
            var node = new NodeServices(NodeBootstrap.NodeName(system), new TeacherStore(Path.Combine(plan.OutDir, "artifacts")),
                options.Trainer);
            // A teacher in the journal is reused only if its artifact is still here and matches its hash.
            var teacher = plan.Teacher is { } t && node.Teachers.TryGet(t.Hash) != null ? t : null;
            var sweep = new SweepContext(plan.SweepId, plan.Settings, dataFingerprint);
            var artifacts = system.ActorOf(ArtifactHub.Props(node.Teachers), ArtifactHub.Name);
            var reporter = system.ActorOf(LeaderboardReporter.Props(plan.OutDir, options.Output, options.Live), "reporter");
            reporter.Tell(new SweepStarted(sweep, plan.Trials.Count, plan.Finished.ToArray(), teacher, options.Slots));
            var coordinator = system.ActorOf(SweepCoordinator.Props(sweep, plan.Trials, plan.Finished, teacher, plan.Journal,
                reporter, artifacts, options.MinWorkers), WorkerNode.CoordinatorName);
            if (options.Slots > 0) system.ActorOf(WorkerNode.Props(node, options.Slots, artifacts), WorkerNode.Name);
            return await coordinator.Ask<SweepSummary>(AwaitSweep.Instance, Timeout.InfiniteTimeSpan, cancel);
        }
        finally
        {
            await NodeBootstrap.ShutdownQuietlyAsync(system);
        }
    }
}

/// <summary>
/// A long-lived worker node: it serves every sweep launched in its cluster until it is stopped. On SIGTERM (or any
/// coordinated shutdown) its workers first give their trials back, then the node leaves the cluster.
/// </summary>
public static class WorkerHost
{
    public static async Task<ActorSystem> StartAsync(NodeOptions options, int slots, string cacheDir, TimeSpan joinTimeout,
        ITrialTrainer? trainer = null, CancellationToken cancel = default)
    {
        var system = await NodeBootstrap.StartAsync(options with { Roles = [WorkerNode.WorkerRole] }, joinTimeout, cancel);
        var node = new NodeServices(NodeBootstrap.NodeName(system), new TeacherStore(cacheDir), trainer);
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
