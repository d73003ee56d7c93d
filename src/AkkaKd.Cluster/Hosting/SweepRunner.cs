using Akka.Actor;
using AkkaKd.Cluster.Actors;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Hosting;

/// <summary>How to run a sweep on this node.</summary>
public sealed record SweepRunOptions
{
    /// <summary>Concurrent trials on this node (one TrialWorker each).</summary>
    public int Slots { get; init; } = Environment.ProcessorCount;
    public TextWriter Output { get; init; } = Console.Out;
    /// <summary>Redraw a live table in place (a terminal) rather than printing plain lines.</summary>
    public bool Live { get; init; }
    public NodeOptions Node { get; init; } = new();
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Runs a prepared sweep on a single node that is a real Akka.Cluster of one (provider cluster, bound to loopback,
/// joining itself): coordinator, reporter and one worker per slot.
/// </summary>
public static class SweepRunner
{
    public static async Task<SweepSummary> RunAsync(SweepPlan plan, string dataFingerprint, SweepRunOptions options,
        CancellationToken cancel = default)
    {
        var system = await NodeBootstrap.StartAsync(options.Node, options.JoinTimeout, cancel);
        try
        {
            var node = new NodeServices(NodeBootstrap.NodeName(system), new TeacherStore(Path.Combine(plan.OutDir, "artifacts")));
            // A teacher in the journal is reused only if its artifact is still here and matches its hash.
            var teacher = plan.Teacher is { } t && node.Teachers.TryGet(t.Hash) != null ? t : null;
            var sweep = new SweepContext(plan.SweepId, plan.Settings, dataFingerprint);
            var reporter = system.ActorOf(LeaderboardReporter.Props(plan.OutDir, options.Output, options.Live), "reporter");
            reporter.Tell(new SweepStarted(sweep, plan.Trials.Count, plan.Finished, teacher, options.Slots));
            var coordinator = system.ActorOf(
                SweepCoordinator.Props(sweep, plan.Trials, plan.Finished, teacher, plan.Journal, reporter), "coordinator");
            for (int i = 0; i < options.Slots; i++) system.ActorOf(TrialWorker.Props(coordinator, node), $"worker-{i + 1}");
            return await coordinator.Ask<SweepSummary>(AwaitSweep.Instance, Timeout.InfiniteTimeSpan, cancel);
        }
        finally
        {
            await NodeBootstrap.ShutdownQuietlyAsync(system);
        }
    }
}
