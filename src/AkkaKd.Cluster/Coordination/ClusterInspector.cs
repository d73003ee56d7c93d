using Akka.Actor;
using Akka.Cluster;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;

namespace AkkaKd.Cluster.Coordination;

/// <summary>A member of the cluster: where, its roles, its state, whether it is reachable, its version, and, for a worker node, its slots.</summary>
public sealed record MemberView(string Address, string[] Roles, string State, bool Reachable, string Version, NodeStatus? Node);

/// <summary>The cluster as a visiting node saw it: the members and the sweeps running.</summary>
public sealed record ClusterView(MemberView[] Members, SweepStatus[] Sweeps);

/// <summary>The sweep to cancel could not be named: none or several running match.</summary>
public sealed class SweepNotFoundException(string message) : Exception(message);

/// <summary>
/// <c>akkakd status</c> and <c>akkakd cancel</c>: a short-lived node (role "observer", which no worker or coordinator
/// serves) joins the cluster, asks every worker node and every sweep's coordinator about itself, acts, and leaves.
/// </summary>
public static class ClusterInspector
{
    public const string ObserverRole = "observer";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    /// <exception cref="TimeoutException">the cluster did not accept this node within the timeout</exception>
    public static async Task<ClusterView> StatusAsync(NodeOptions node, TimeSpan joinTimeout, TextWriter waits, CancellationToken cancel = default)
    {
        var system = await Join(node, joinTimeout, waits, cancel);
        try
        {
            return await View(system);
        }
        finally
        {
            await NodeBootstrap.ShutdownQuietlyAsync(system);
        }
    }

    /// <summary>Cancels the running sweep whose id or name is <paramref name="sweep"/>.</summary>
    /// <exception cref="SweepNotFoundException">no running sweep, or more than one, goes by that name</exception>
    /// <exception cref="TimeoutException">the cluster did not accept this node within the timeout</exception>
    public static async Task<SweepCancelled> CancelAsync(NodeOptions node, string sweep, string by, TimeSpan joinTimeout, TextWriter waits,
        CancellationToken cancel = default)
    {
        var system = await Join(node, joinTimeout, waits, cancel);
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var found = new List<(Member Member, SweepStatus Status)>();
            foreach (var m in Others(cluster).Where(m => m.HasRole(Roles.Coordinator)))
                if (await Ask<SweepStatus>(system, m, Roles.CoordinatorName, SweepStatusQuery.Instance) is { } s) found.Add((m, s));
            var matches = found.Where(f => f.Status.SweepId == sweep).ToList();
            if (matches.Count == 0) matches = found.Where(f => f.Status.Name == sweep).ToList();
            string running = found.Count == 0 ? "none is running" : "running: " + string.Join(", ", found.Select(f => $"{f.Status.Name} ({f.Status.SweepId})"));
            if (matches.Count == 0) throw new SweepNotFoundException($"no running sweep is named '{sweep}' ({running})");
            if (matches.Count > 1) throw new SweepNotFoundException($"{matches.Count} running sweeps are named '{sweep}': name one by its id ({running})");
            var target = system.ActorSelection(new RootActorPath(matches[0].Member.Address) / "user" / Roles.CoordinatorName);
            return await target.Ask<SweepCancelled>(new CancelSweep(by), AskTimeout, cancel);
        }
        finally
        {
            await NodeBootstrap.ShutdownQuietlyAsync(system);
        }
    }

    private static async Task<ActorSystem> Join(NodeOptions node, TimeSpan joinTimeout, TextWriter waits, CancellationToken cancel)
    {
        var ticker = new WaitTicker(waits);
        // Joined: the welcome gossip brought the members and their states.
        return await NodeBootstrap.StartAsync(node with { Roles = [ObserverRole] }, joinTimeout, cancel,
            () => ticker.Tick("", () => $"the cluster at {string.Join(", ", node.Seeds)} to answer"));
    }

    private static IEnumerable<Member> Others(Akka.Cluster.Cluster cluster) =>
        cluster.State.Members.Where(m => !m.Address.Equals(cluster.SelfAddress) && !m.HasRole(ObserverRole));

    private static async Task<ClusterView> View(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToHashSet();
        var members = new List<MemberView>();
        var sweeps = new List<SweepStatus>();
        foreach (var m in Others(cluster).OrderBy(m => $"{m.Address.Host}:{m.Address.Port}", StringComparer.Ordinal))
        {
            bool reachable = !unreachable.Contains(m.Address);
            var node = reachable && m.HasRole(Roles.Worker) ? await Ask<NodeStatus>(system, m, Roles.WorkerNodeName, NodeStatusQuery.Instance) : null;
            if (reachable && m.HasRole(Roles.Coordinator) && await Ask<SweepStatus>(system, m, Roles.CoordinatorName, SweepStatusQuery.Instance) is { } s)
                sweeps.Add(s);
            members.Add(new MemberView($"{m.Address.Host}:{m.Address.Port}", m.Roles.Order(StringComparer.Ordinal).ToArray(), m.Status.ToString(), reachable,
                m.AppVersion.ToString(), node));
        }
        return new ClusterView(members.ToArray(), sweeps.ToArray());
    }

    /// <summary>Asks an actor of a member (/user/NAME); null if it does not answer in time (e.g. a sweep not started yet).</summary>
    private static async Task<T?> Ask<T>(ActorSystem system, Member m, string name, object message) where T : class
    {
        try
        {
            return await system.ActorSelection(new RootActorPath(m.Address) / "user" / name).Ask<T>(message, AskTimeout);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
