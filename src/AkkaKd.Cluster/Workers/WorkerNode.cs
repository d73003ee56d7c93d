using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Messages;

namespace AkkaKd.Cluster.Workers;

/// <summary>
/// One per worker node, at /user/node: owns the node's TrialWorkers (one per slot) and tells them where the sweeps'
/// coordinators are. It follows cluster membership: for every member with the coordinator role it looks up
/// /user/coordinator (again every second until found, since a coordinator node may be up before its sweep starts),
/// and tells the workers when a coordinator goes away. Which coordinator is where is decided by its
/// <see cref="CoordinatorBook{TRef}"/>, on the node's incarnation (a sweep relaunched on the same port is a new one).
/// Four times a second it asks each coordinator how its sweep stands and passes the answers on to its workers, which
/// share their slots among the running sweeps (<see cref="FairShare"/>).
/// </summary>
public sealed class WorkerNode : ReceiveActor, IWithTimers
{
    public const string Name = Roles.WorkerNodeName;
    public const string CoordinatorRole = Roles.Coordinator;
    public const string WorkerRole = Roles.Worker;
    public const string CoordinatorName = Roles.CoordinatorName;

    private readonly List<IActorRef> _workers = [];
    private readonly CoordinatorBook<IActorRef> _coordinators = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, SweepStatus> _sweeps = [];
    private readonly NodeServices _node;

    /// <summary>To the node's workers: the running sweeps, as their coordinators last said.</summary>
    public sealed record Shares(IReadOnlyList<SweepShare<IActorRef>> Sweeps);

    /// <summary>
    /// From the node to a worker: does it hold work? Asked when someone asks the node how it stands (status), rather
    /// than the workers telling the node twice per trial: a status query is rare, a trial may take milliseconds.
    /// </summary>
    public sealed record SlotQuery
    {
        public static readonly SlotQuery Instance = new();
    }

    /// <summary>A worker's answer to <see cref="SlotQuery"/>.</summary>
    public sealed record SlotBusy(bool Busy);

    public ITimerScheduler Timers { get; set; } = null!;

    public WorkerNode(NodeServices node, int slots, IActorRef artifacts)
    {
        _node = node;
        for (int i = 0; i < slots; i++) _workers.Add(Context.ActorOf(TrialWorker.Props(node, artifacts), $"worker-{i + 1}"));

        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Members.Where(m => m.Status == MemberStatus.Up)) OnUp(m);
        });
        Receive<ClusterEvent.MemberUp>(m => OnUp(m.Member));
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            if (!m.Member.HasRole(CoordinatorRole)) return;
            _log.Info("coordinator node {0} removed", m.Member.Address);
            Apply(new CoordinatorBook<IActorRef>.Change(Gone: _coordinators.MemberRemoved(m.Member.Address, m.Member.UniqueAddress.Uid)));
        });
        Receive<Tick>(_ =>
        {
            foreach (var address in _coordinators.Unfound) LookUp(address);
        });
        Receive<PollShares>(_ =>
        {
            foreach (var c in _coordinators.Coordinators) c.Tell(SweepStatusQuery.Instance);
        });
        Receive<SweepStatus>(s =>
        {
            if (!_coordinators.Holds(Sender)) return;
            _sweeps[Sender] = s;
            var shares = _sweeps.Select(kv => new SweepShare<IActorRef>(kv.Key, kv.Value.Running, kv.Value.HasWork, kv.Value.Weight, kv.Value.Seconds)).ToArray();
            foreach (var w in _workers) w.Tell(new Shares(shares));
        });
        Receive<NodeStatusQuery>(_ => AnswerStatus(Sender));
        Receive<ActorIdentity>(id =>
        {
            if (id.Subject is null || id.MessageId is not Address address) return;
            Apply(_coordinators.Answered(address, id.Subject));
        });
        // A coordinator announces itself when it starts (faster than waiting for the next look-up).
        Receive<CoordinatorUp>(c => Apply(_coordinators.Announced(AddressOf(c.Coordinator), c.NodeUid, c.Coordinator)));
        Receive<Terminated>(t =>
        {
            // A node that left takes its coordinator with it: that is its member's removal, matched on the incarnation.
            // Death watch says so by address alone, and would also take the coordinator of a newer incarnation there.
            if (t.AddressTerminated)
            {
                if (_coordinators.Holds(t.ActorRef)) Context.Watch(t.ActorRef);
                return;
            }
            // The sweep ended; its node may start another.
            if (_coordinators.Stopped(AddressOf(t.ActorRef), t.ActorRef))
                Apply(new CoordinatorBook<IActorRef>.Change(Gone: t.ActorRef)); // looked up again with the next tick
        });
        Receive<ReturnWork>(_ =>
        {
            var replyTo = Sender;
            Task.WhenAll(_workers.Select(w => w.Ask<WorkHandedBack>(ReturnWork.Instance, TimeSpan.FromSeconds(3))))
                .ContinueWith(_ => WorkHandedBack.Instance, TaskContinuationOptions.ExecuteSynchronously)
                .PipeTo(replyTo);
        });
    }

    /// <summary>How the node stands, its busy slots counted by asking each worker (one that does not answer counts as free).</summary>
    private void AnswerStatus(IActorRef replyTo)
    {
        var (node, slots, teachers) = (_node.Node, _workers.Count, _node.Teachers.Count);
        Task.WhenAll(_workers.Select(w => w.Ask<SlotBusy>(SlotQuery.Instance, TimeSpan.FromSeconds(2))
                .ContinueWith(t => t.IsCompletedSuccessfully && t.Result.Busy, TaskContinuationOptions.ExecuteSynchronously)))
            .ContinueWith(t => new NodeStatus(node, slots, t.Result.Count(busy => busy), AkkaKdVersion.Current, teachers),
                TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(replyTo);
    }

    public static Props Props(NodeServices node, int slots, IActorRef artifacts) =>
        Akka.Actor.Props.Create(() => new WorkerNode(node, slots, artifacts));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("identify", Tick.Instance, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));
        Timers.StartPeriodicTimer("shares", PollShares.Instance, SharesInterval);
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void OnUp(Member m)
    {
        if (!m.HasRole(CoordinatorRole)) return;
        var change = _coordinators.MemberUp(m.Address, m.UniqueAddress.Uid);
        Apply(change);
        if (change.LookUp) LookUp(m.Address);
    }

    private void LookUp(Address address) =>
        Context.ActorSelection(new RootActorPath(address) / "user" / CoordinatorName).Tell(new Identify(address));

    /// <summary>The address of a coordinator's node (this node's for a local one).</summary>
    private Address AddressOf(IActorRef coordinator) =>
        coordinator.Path.Address.Host is null ? Akka.Cluster.Cluster.Get(Context.System).SelfAddress : coordinator.Path.Address;

    /// <summary>Tells the workers what the book decided: a coordinator gone, one found (and watched).</summary>
    private void Apply(CoordinatorBook<IActorRef>.Change change)
    {
        if (change.Gone is { } gone)
        {
            _sweeps.Remove(gone);
            Context.Unwatch(gone);
            foreach (var w in _workers) w.Tell(new CoordinatorGone(gone));
        }
        if (change.Found is { } found)
        {
            Context.Watch(found);
            _log.Info("coordinator found at {0}", found.Path);
            foreach (var w in _workers) w.Tell(new CoordinatorUp(found));
        }
    }

    /// <summary>How often the node asks the coordinators how their sweeps stand (a free slot decides on this view).</summary>
    public static readonly TimeSpan SharesInterval = TimeSpan.FromMilliseconds(250);

    private sealed record PollShares
    {
        public static readonly PollShares Instance = new();
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
