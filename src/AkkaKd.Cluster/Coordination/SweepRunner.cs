using Akka.Actor;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Coordination;

/// <summary>The sweep's node left the cluster before the sweep was done (downed after a partition, say).</summary>
public sealed class NodeRemovedException(string message) : Exception(message);

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
        var ticker = new WaitTicker(options.Output);
        var system = await NodeBootstrap.StartAsync(options.Node with { Roles = roles, Notices = options.Output }, options.JoinTimeout, cancel,
            () => ticker.Tick("sweep: ", () => $"the cluster at {string.Join(", ", options.Node.Seeds)} to accept this node " +
                                               $"(gives up after {WaitTicker.Format(options.JoinTimeout)})"));
        try
        {
            var node = new NodeServices(NodeBootstrap.NodeName(system), new TeacherStore(Path.Combine(plan.OutDir, "artifacts")),
                options.Trainer) { Slots = Math.Max(1, options.Slots), NodeUid = NodeBootstrap.NodeUid(system) };
            // A teacher in the journal is reused only if its artifact is still here and matches its hash.
            var teacher = plan.Teacher is { } t && node.Teachers.TryGet(t.Hash) != null ? t : null;
            var sweep = new SweepContext(plan.SweepId, plan.Settings, dataFingerprint);
            var artifacts = system.ActorOf(ArtifactHub.Props(node.Teachers), ArtifactHub.Name);
            var reporter = system.ActorOf(LeaderboardReporter.Props(plan.OutDir, options.Output, options.Live), "reporter");
            reporter.Tell(new SweepStarted(sweep, plan.Trials.Count, plan.Finished.ToArray(), teacher, options.Slots,
                plan.Rungs?.ToArray(), plan.Decisions?.ToArray()));
            var coordinator = system.ActorOf(SweepCoordinator.Props(sweep, plan.Ledger<IActorRef>(teacher), plan.Journal,
                reporter, artifacts, options.MinWorkers), Roles.CoordinatorName);
            if (options.Slots > 0) system.ActorOf(WorkerNode.Props(node, options.Slots, artifacts), WorkerNode.Name);
            var done = coordinator.Ask<SweepSummary>(AwaitSweep.Instance, Timeout.InfiniteTimeSpan, cancel);
            if (options.MinWorkers > 0) await TickWhileWaitingAsync(system, coordinator, options, done);
            // A node that the cluster downs (cut off from the majority by a partition) ends: the sweep cannot go on here.
            if (await Task.WhenAny(done, system.WhenTerminated) != done)
            {
                bool downed = CoordinatedShutdown.Get(system).ShutdownReason is CoordinatedShutdown.ClusterDowningReason;
                // Stopped by a signal (Akka's own handler may stop the system first): the cancellation ends the sweep.
                if (!downed) await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
                if (!done.IsCompleted)
                    throw new NodeRemovedException(downed
                        ? "this node was removed from the cluster (downed: cut off from the other nodes, or taken for dead)"
                        : "this node's actor system stopped (see its log)");
            }
            return await done;
        }
        finally
        {
            await NodeBootstrap.ShutdownQuietlyAsync(system);
        }
    }

    /// <summary>While the coordinator holds the first trial for --min-workers, a line every few seconds says so.</summary>
    private static async Task TickWhileWaitingAsync(ActorSystem system, IActorRef coordinator, SweepRunOptions options, Task done)
    {
        var ticker = new WaitTicker(options.Output);
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        var hint = options.Node.Seeds.Count == 0
            ? $"; this node is the seed: workers join with --seeds {self} (workers already up in a lab cluster stay in theirs: launch into it with --seeds)"
            : "";
        while (!done.IsCompleted)
        {
            SweepStatus status;
            try
            {
                status = await coordinator.Ask<SweepStatus>(SweepStatusQuery.Instance, TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return; // the node is going down: the summary (or the cancellation) says why
            }
            if (!status.Waiting) return;
            ticker.Tick("sweep: ", () => $"{status.MinWorkers} worker nodes to join ({status.WorkerNodes} up){hint}");
            await Task.WhenAny(done, Task.Delay(250));
        }
    }
}
