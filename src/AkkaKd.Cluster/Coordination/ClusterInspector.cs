using Akka.Actor;
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
/// <c>akkakd status</c> and <c>akkakd cancel</c>: a short-lived visitor that never joins the cluster (plain remoting,
/// <see cref="NodeBootstrap.StartVisitor"/>) asks a seed for the members (<see cref="ClusterMembersQuery"/>), then every
/// worker node and every sweep's coordinator about itself, acts, and ends. It adds no member that the split brain
/// resolver would count or that could hold convergence by leaving badly.
/// </summary>
public static class ClusterInspector
{
    /// <summary>The role of the observer nodes that earlier builds joined with; they are left out of the view.</summary>
    public const string ObserverRole = "observer";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SeedAskTimeout = TimeSpan.FromSeconds(2);

    /// <exception cref="TimeoutException">no seed answered within the timeout</exception>
    /// <exception cref="VersionSkewException">the cluster runs another akkakd version</exception>
    public static async Task<ClusterView> StatusAsync(NodeOptions node, TimeSpan joinTimeout, TextWriter waits, CancellationToken cancel = default)
    {
        var system = NodeBootstrap.StartVisitor(node);
        try
        {
            var members = await Members(system, node, joinTimeout, waits, cancel);
            return await View(system, members);
        }
        finally
        {
            await NodeBootstrap.ShutdownQuietlyAsync(system);
        }
    }

    /// <summary>Cancels the running sweep whose id or name is <paramref name="sweep"/>.</summary>
    /// <exception cref="SweepNotFoundException">no running sweep, or more than one, goes by that name</exception>
    /// <exception cref="TimeoutException">no seed answered within the timeout</exception>
    /// <exception cref="VersionSkewException">the cluster runs another akkakd version</exception>
    public static async Task<SweepCancelled> CancelAsync(NodeOptions node, string sweep, string by, TimeSpan joinTimeout, TextWriter waits,
        CancellationToken cancel = default)
    {
        var system = NodeBootstrap.StartVisitor(node);
        try
        {
            var members = await Members(system, node, joinTimeout, waits, cancel);
            var found = new List<(ClusterMember Member, SweepStatus Status)>();
            foreach (var m in Others(members).Where(m => m.Reachable && m.Roles.Contains(Roles.Coordinator)))
                if (await Ask<SweepStatus>(system, m, Roles.CoordinatorName, SweepStatusQuery.Instance) is { } s) found.Add((m, s));
            var matches = found.Where(f => f.Status.SweepId == sweep).ToList();
            if (matches.Count == 0) matches = found.Where(f => f.Status.Name == sweep).ToList();
            string running = found.Count == 0 ? "none is running" : "running: " + string.Join(", ", found.Select(f => $"{f.Status.Name} ({f.Status.SweepId})"));
            if (matches.Count == 0) throw new SweepNotFoundException($"no running sweep is named '{sweep}' ({running})");
            if (matches.Count > 1) throw new SweepNotFoundException($"{matches.Count} running sweeps are named '{sweep}': name one by its id ({running})");
            return await Path(system, matches[0].Member, Roles.CoordinatorName).Ask<SweepCancelled>(new CancelSweep(by), AskTimeout, cancel);
        }
        finally
        {
            await NodeBootstrap.ShutdownQuietlyAsync(system);
        }
    }

    /// <summary>Asks the seeds in turn, ticking, until one says who the members are.</summary>
    private static async Task<ClusterMembers> Members(ActorSystem system, NodeOptions node, TimeSpan timeout, TextWriter waits, CancellationToken cancel)
    {
        var ticker = new WaitTicker(waits);
        var seeds = NodeBootstrap.SeedAddresses(node, system.Settings.Config).Select(Address.Parse).ToArray();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var seed in seeds)
            {
                var ask = system.ActorSelection(new RootActorPath(seed) / "user" / Roles.MembersName).Ask<ClusterMembers>(ClusterMembersQuery.Instance, SeedAskTimeout, cancel);
                while (!ask.IsCompleted)
                {
                    ticker.Tick("", () => $"the cluster at {string.Join(", ", node.Seeds)} to answer");
                    await Task.WhenAny(ask, Task.Delay(200, cancel));
                    cancel.ThrowIfCancellationRequested();
                }
                if (ask.IsCompletedSuccessfully)
                    return ask.Result.Version == AkkaKdVersion.Current ? ask.Result
                        : throw new VersionSkewException($"the cluster at {seed.HostPort()} runs akkakd {ask.Result.Version}, this is akkakd " +
                                                         $"{AkkaKdVersion.Current}: every node of a cluster runs the same akkakd");
                if (DateTime.UtcNow >= deadline) throw new TimeoutException($"no seed answered within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(500, cancel); // every seed refused the connection at once (none up yet): a moment before the next round
        }
    }

    private static IEnumerable<ClusterMember> Others(ClusterMembers members) =>
        members.Members.Where(m => !m.Roles.Contains(ObserverRole));

    private static async Task<ClusterView> View(ActorSystem system, ClusterMembers all)
    {
        var members = new List<MemberView>();
        var sweeps = new List<SweepStatus>();
        foreach (var m in Others(all).OrderBy(m => HostPort(m), StringComparer.Ordinal))
        {
            var node = m.Reachable && m.Roles.Contains(Roles.Worker) ? await Ask<NodeStatus>(system, m, Roles.WorkerNodeName, NodeStatusQuery.Instance) : null;
            if (m.Reachable && m.Roles.Contains(Roles.Coordinator) && await Ask<SweepStatus>(system, m, Roles.CoordinatorName, SweepStatusQuery.Instance) is { } s)
                sweeps.Add(s);
            members.Add(new MemberView(HostPort(m), m.Roles, m.State, m.Reachable, m.Version, node));
        }
        return new ClusterView(members.ToArray(), sweeps.ToArray());
    }

    private static string HostPort(ClusterMember m)
    {
        var a = Address.Parse(m.Address);
        return $"{a.Host}:{a.Port}";
    }

    private static ActorSelection Path(ActorSystem system, ClusterMember m, string name) =>
        system.ActorSelection(new RootActorPath(Address.Parse(m.Address)) / "user" / name);

    /// <summary>Asks an actor of a member (/user/NAME); null if it does not answer in time (e.g. a sweep not started yet).</summary>
    private static async Task<T?> Ask<T>(ActorSystem system, ClusterMember m, string name, object message) where T : class
    {
        try
        {
            return await Path(system, m, name).Ask<T>(message, AskTimeout);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
