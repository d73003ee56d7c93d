using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace AkkaKd.Cluster.Node;

/// <summary>A node of another akkakd version tried to join: one line saying which versions.</summary>
public sealed class VersionSkewException(string message) : Exception(message);

/// <summary>
/// Every node of a cluster runs the same akkakd (messages cross Hyperion without version tolerance). The cluster's
/// version is its oldest member's (each node's akka.cluster.app-version is its akkakd version). A joining node of
/// another version leaves at once (<see cref="Refusal"/>, checked as soon as it joined); the leader says so and, if it
/// is still there a few seconds later (a build that does not check), downs it.
/// </summary>
public sealed class VersionGuard : ReceiveActor, IWithTimers
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TextWriter? _notices;
    private readonly HashSet<Address> _refused = [];

    public ITimerScheduler Timers { get; set; } = null!;

    public VersionGuard(TextWriter? notices)
    {
        _notices = notices;
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Members) Check(m);
        });
        Receive<ClusterEvent.IMemberEvent>(e => Check(e.Member));
        Receive<ClusterEvent.LeaderChanged>(_ =>
        {
            foreach (var m in _cluster.State.Members) Check(m);
        });
        Receive<DownIfStillHere>(d =>
        {
            if (_cluster.State.Members.Any(m => m.Address.Equals(d.Address) && m.Status is not (MemberStatus.Down or MemberStatus.Removed)))
                _cluster.Down(d.Address);
        });
    }

    public static Props Props(TextWriter? notices) => Akka.Actor.Props.Create(() => new VersionGuard(notices));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>The version of a cluster: its oldest member's that is up (or leaving), null if none is.</summary>
    public static Member? Oldest(IEnumerable<Member> members) =>
        members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            .Aggregate((Member?)null, (oldest, m) => oldest is null || m.IsOlderThan(oldest) ? m : oldest);

    /// <summary>Why this node may not stay in the cluster it joined (another akkakd version), or null.</summary>
    public static string? Refusal(ClusterEvent.CurrentClusterState state, UniqueAddress self)
    {
        var oldest = Oldest(state.Members.Where(m => !m.UniqueAddress.Equals(self)));
        var mine = state.Members.FirstOrDefault(m => m.UniqueAddress.Equals(self));
        if (oldest is null || mine is null || oldest.AppVersion.ToString() == mine.AppVersion.ToString()) return null;
        return $"the cluster runs akkakd {oldest.AppVersion}, this node runs akkakd {mine.AppVersion}: every node of a cluster runs the same akkakd";
    }

    private void Check(Member m)
    {
        if (m.Status is MemberStatus.Down or MemberStatus.Removed || _cluster.State.Leader != _cluster.SelfAddress) return;
        var oldest = Oldest(_cluster.State.Members);
        if (oldest is null || m.AppVersion.ToString() == oldest.AppVersion.ToString() || !_refused.Add(m.Address)) return;
        var line = $"refused node {m.Address.Host}:{m.Address.Port}: it runs akkakd {m.AppVersion}, this cluster runs {oldest.AppVersion}";
        _log.Warning(line);
        _notices?.WriteLine("akkakd: " + line);
        // Time for a node that checks to leave by itself, saying why on its side.
        Timers.StartSingleTimer(m.Address, new DownIfStillHere(m.Address), TimeSpan.FromSeconds(3));
    }

    private sealed record DownIfStillHere(Address Address);
}
