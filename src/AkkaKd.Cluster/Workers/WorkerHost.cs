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
