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
/// and tells the workers when a coordinator goes away.
/// </summary>
public sealed class WorkerNode : ReceiveActor, IWithTimers
{
    public const string Name = Roles.WorkerNodeName;
    public const string CoordinatorRole = Roles.Coordinator;
    public const string WorkerRole = Roles.Worker;
    public const string CoordinatorName = Roles.CoordinatorName;

    private readonly List<IActorRef> _workers = [];
    private readonly Dictionary<Address, IActorRef?> _coordinators = [];
    private readonly Dictionary<IActorRef, Address> _addressOf = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public WorkerNode(NodeServices node, int slots, IActorRef artifacts)
    {
        for (int i = 0; i < slots; i++) _workers.Add(Context.ActorOf(TrialWorker.Props(node, artifacts), $"worker-{i + 1}"));

        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Members.Where(m => m.Status == MemberStatus.Up)) OnUp(m);
        });
        Receive<ClusterEvent.MemberUp>(m => OnUp(m.Member));
        Receive<ClusterEvent.MemberRemoved>(m => Gone(m.Member.Address, "removed"));
        Receive<Tick>(_ =>
        {
            foreach (var (address, found) in _coordinators)
                if (found is null) Context.ActorSelection(new RootActorPath(address) / "user" / CoordinatorName).Tell(new Identify(address));
        });
        Receive<ActorIdentity>(id =>
        {
            if (id.Subject is null || id.MessageId is not Address address || !_coordinators.ContainsKey(address)) return;
            Found(address, id.Subject);
        });
        // A coordinator announces itself when it starts (faster than waiting for the next look-up).
        Receive<CoordinatorUp>(c =>
        {
            var address = c.Coordinator.Path.Address;
            if (address.Host is null) address = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
            Found(address, c.Coordinator);
        });
        Receive<Terminated>(t =>
        {
            if (!_addressOf.Remove(t.ActorRef, out var address)) return;
            if (_coordinators.ContainsKey(address)) _coordinators[address] = null; // the sweep ended; its node may start another
            foreach (var w in _workers) w.Tell(new CoordinatorGone(t.ActorRef));
        });
        Receive<ReturnWork>(_ =>
        {
            var replyTo = Sender;
            Task.WhenAll(_workers.Select(w => w.Ask<WorkHandedBack>(ReturnWork.Instance, TimeSpan.FromSeconds(3))))
                .ContinueWith(_ => WorkHandedBack.Instance, TaskContinuationOptions.ExecuteSynchronously)
                .PipeTo(replyTo);
        });
    }

    public static Props Props(NodeServices node, int slots, IActorRef artifacts) =>
        Akka.Actor.Props.Create(() => new WorkerNode(node, slots, artifacts));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("identify", Tick.Instance, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void OnUp(Member m)
    {
        if (!m.HasRole(CoordinatorRole) || _coordinators.ContainsKey(m.Address)) return;
        _coordinators[m.Address] = null;
        Context.ActorSelection(new RootActorPath(m.Address) / "user" / CoordinatorName).Tell(new Identify(m.Address));
    }

    private void Found(Address address, IActorRef coordinator)
    {
        if (_coordinators.TryGetValue(address, out var known) && coordinator.Equals(known)) return;
        _coordinators[address] = coordinator;
        _addressOf[coordinator] = address;
        Context.Watch(coordinator);
        _log.Info("coordinator found at {0}", coordinator.Path);
        foreach (var w in _workers) w.Tell(new CoordinatorUp(coordinator));
    }

    private void Gone(Address address, string why)
    {
        if (!_coordinators.Remove(address, out var coordinator)) return;
        _log.Info("coordinator node {0} {1}", address, why);
        if (coordinator is null) return;
        _addressOf.Remove(coordinator);
        foreach (var w in _workers) w.Tell(new CoordinatorGone(coordinator));
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
