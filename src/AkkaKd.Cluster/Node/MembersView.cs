using Akka.Actor;
using AkkaKd.Cluster.Messages;

namespace AkkaKd.Cluster.Node;

/// <summary>
/// On every member (/user/members): answers <see cref="ClusterMembersQuery"/> with the membership as this node sees
/// it, for `status` and `cancel`, which visit over plain remoting and never join.
/// </summary>
public sealed class MembersView : ReceiveActor
{
    public MembersView()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        Receive<ClusterMembersQuery>(_ => Sender.Tell(Of(cluster.State)));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new MembersView());

    public static ClusterMembers Of(Akka.Cluster.ClusterEvent.CurrentClusterState state)
    {
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return new ClusterMembers(AkkaKdVersion.Current, state.Members
            .Select(m => new ClusterMember(m.Address.ToString(), m.Roles.Order(StringComparer.Ordinal).ToArray(), m.Status.ToString(),
                !unreachable.Contains(m.Address), m.AppVersion.ToString()))
            .ToArray());
    }
}
