using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;

namespace AkkaKd.Cluster.Coordination;

/// <summary>
/// The coordinator's eyes on the cluster: it tells the coordinator how many worker nodes are up and which nodes are gone,
/// announces the coordinator to every worker node that comes up, and downs a worker node that is dead.
/// <para>
/// A node that dies closes its TCP connections at once: its work is given back on the disassociation, without waiting
/// for the failure detector. If the node was only briefly disconnected, a trial may run twice; its result counts once.
/// A worker node whose connection closed and that the failure detector also finds unreachable is downed, so that it does
/// not block convergence (new workers could not become Up) nor count in the split brain resolver's majority while
/// workers crash and restart. A worker that was only cut off learns it was downed and joins again.
/// </para>
/// </summary>
public sealed class MembershipWatch : ReceiveActor
{
    /// <summary>To the coordinator: worker nodes up, of which <paramref name="Remote"/> on other nodes than its own.</summary>
    public sealed record WorkerNodesUp(int Count, int Remote = 0);

    /// <summary>
    /// To the coordinator: the work of the workers at this address goes back to the queue; with <paramref name="Uid"/>
    /// (a member removed or unreachable), only of those of that incarnation: a node restarted on the same port is a new
    /// member, and the old one's removal can arrive after the new one's workers asked for work. Without it (0: a
    /// connection closed), of every worker there.
    /// </summary>
    public sealed record NodeLost(Address Address, string Reason, int Uid = 0)
    {
        /// <summary>Whether this loss takes the work of a worker at <paramref name="worker"/> of incarnation <paramref name="workerUid"/> (0: unknown).</summary>
        public bool Covers(Address worker, int workerUid) => Address.Equals(worker) && (Uid == 0 || workerUid == 0 || workerUid == Uid);
    }

    private readonly IActorRef _coordinator;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<Address> _workerNodes = [];
    private readonly HashSet<Address> _disconnected = [];
    private readonly HashSet<Address> _unreachableWorkers = [];

    public MembershipWatch(IActorRef coordinator)
    {
        _coordinator = coordinator;
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Members.Where(m => m.Status == MemberStatus.Up)) Up(m);
        });
        Receive<ClusterEvent.MemberUp>(m => Up(m.Member));
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            _workerNodes.Remove(m.Member.Address);
            _disconnected.Remove(m.Member.Address);
            _unreachableWorkers.Remove(m.Member.Address);
            Lost(m.Member.Address, "node removed from the cluster", m.Member.UniqueAddress.Uid);
        });
        Receive<ClusterEvent.UnreachableMember>(m =>
        {
            if (IsWorkerOnly(m.Member)) _unreachableWorkers.Add(m.Member.Address);
            Lost(m.Member.Address, "node unreachable", m.Member.UniqueAddress.Uid);
            DownIfDead(m.Member.Address);
        });
        Receive<ClusterEvent.ReachableMember>(m =>
        {
            _unreachableWorkers.Remove(m.Member.Address);
            _disconnected.Remove(m.Member.Address);
        });
        Receive<DisassociatedEvent>(d =>
        {
            // Visitors (`status`, `cancel`) connect without joining: their goodbye is no member's.
            if (!_cluster.State.Members.Any(m => m.Address.Equals(d.RemoteAddress))) return;
            _disconnected.Add(d.RemoteAddress);
            Lost(d.RemoteAddress, "connection to the node closed");
            DownIfDead(d.RemoteAddress);
        });
    }

    public static Props Props(IActorRef coordinator) => Akka.Actor.Props.Create(() => new MembershipWatch(coordinator));

    public static bool InCluster(ActorSystem system) => ((ExtendedActorSystem)system).Provider is ClusterActorRefProvider;

    /// <summary>"host:port" of the node an actor lives on (this node's for a local ref), or "local" outside a cluster.</summary>
    public static string NodeName(ActorSystem system, IActorRef actor)
    {
        var a = actor.Path.Address;
        if (a.Host is null && InCluster(system)) a = Akka.Cluster.Cluster.Get(system).SelfAddress;
        return a.Host is null ? "local" : $"{a.Host}:{a.Port}";
    }

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.UnreachableMember),
            typeof(ClusterEvent.ReachableMember));
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void Up(Member m)
    {
        if (!m.HasRole(Roles.Worker)) return;
        if (_workerNodes.Add(m.Address)) _log.Info("worker node up: {0} ({1} worker nodes)", m.Address, _workerNodes.Count);
        // Tells the node where this sweep's coordinator is, so its workers ask at once.
        Context.ActorSelection(new RootActorPath(m.Address) / "user" / Roles.WorkerNodeName).Tell(new CoordinatorUp(_coordinator, _cluster.SelfUniqueAddress.Uid));
        _coordinator.Tell(new WorkerNodesUp(_workerNodes.Count, _workerNodes.Count(a => !a.Equals(_cluster.SelfAddress))));
    }

    private void Lost(Address address, string reason, int uid = 0)
    {
        if (address.Equals(_cluster.SelfAddress)) return;
        _coordinator.Tell(new NodeLost(address, reason + " " + address.HostPort(), uid));
    }

    private static bool IsWorkerOnly(Member m) => m.HasRole(Roles.Worker) && !m.HasRole(Roles.Coordinator);

    private void DownIfDead(Address address)
    {
        if (!_disconnected.Contains(address) || !_unreachableWorkers.Contains(address)) return;
        _log.Warning("downing worker node {0}: its connection closed and it is unreachable", address);
        _cluster.Down(address);
        _unreachableWorkers.Remove(address);
    }
}
