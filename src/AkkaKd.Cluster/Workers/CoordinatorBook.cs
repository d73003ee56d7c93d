using Akka.Actor;

namespace AkkaKd.Cluster.Workers;

/// <summary>
/// A worker node's book of the sweeps' coordinators: for every node address with the coordinator role, which incarnation
/// of that node it is (the cluster member's uid) and the coordinator found there, if any yet.
/// <para>
/// An address outlives its process. A sweep relaunched on the same port (<c>--resume</c> after the cluster downed its
/// node) is a new incarnation at the old address, and what this node hears of the two can cross: the new coordinator
/// may announce itself before this node has seen the old member removed, or the new member may come up before the old
/// one's removal arrives. So every change is matched on the incarnation, never on the address alone: the old member's
/// removal does not take the new coordinator away from the workers (it did, and the relaunched sweep then waited for
/// ever for workers that no longer asked it).
/// </para>
/// Decisions only; <see cref="WorkerNode"/> is the plumbing (look-ups, watches, telling the workers).
/// </summary>
public sealed class CoordinatorBook<TRef> where TRef : class
{
    /// <summary>An announcement that does not name its node's incarnation: taken for the one known at its address.</summary>
    public const int Unknown = 0;

    private readonly Dictionary<Address, (int Uid, TRef? Ref)> _nodes = [];
    private readonly HashSet<(Address, int)> _removed = []; // incarnations seen removed: a late word from one of them is ignored

    /// <summary>
    /// What follows from a change: the workers are told that <see cref="Gone"/> is gone and that <see cref="Found"/>
    /// is here (either may be null), and a coordinator is to be looked up at the address (<see cref="LookUp"/>).
    /// </summary>
    public readonly record struct Change(TRef? Gone = null, TRef? Found = null, bool LookUp = false);

    /// <summary>The coordinators found, one per address.</summary>
    public IEnumerable<TRef> Coordinators => _nodes.Values.Where(n => n.Ref is not null).Select(n => n.Ref!);

    /// <summary>Addresses of coordinator nodes whose coordinator is not found yet (to look up again).</summary>
    public IEnumerable<Address> Unfound => _nodes.Where(kv => kv.Value.Ref is null).Select(kv => kv.Key);

    public bool Holds(TRef coordinator) => _nodes.Values.Any(n => Equals(n.Ref, coordinator));

    /// <summary>A member with the coordinator role is up: look up its coordinator, unless this incarnation is known.</summary>
    public Change MemberUp(Address address, int uid)
    {
        if (_removed.Contains((address, uid))) return default;
        bool known = _nodes.TryGetValue(address, out var node);
        if (known && (node.Uid == uid || node.Uid == Unknown))
        {
            _nodes[address] = (uid, node.Ref);
            return default;
        }
        // A new incarnation at a known address: whatever the old one ran is gone.
        _nodes[address] = (uid, null);
        return new Change(Gone: known ? node.Ref : null, LookUp: true);
    }

    /// <summary>A member left the cluster: its coordinator is gone, unless a newer incarnation holds the address.</summary>
    public TRef? MemberRemoved(Address address, int uid)
    {
        _removed.Add((address, uid));
        if (!_nodes.TryGetValue(address, out var node) || (node.Uid != uid && node.Uid != Unknown)) return null;
        _nodes.Remove(address);
        return node.Ref;
    }

    /// <summary>
    /// A coordinator announced itself, naming its node's incarnation (the newest at its address: an announcement comes
    /// from a live node; <see cref="Unknown"/> if it did not say). A different coordinator known at the address is gone.
    /// </summary>
    public Change Announced(Address address, int uid, TRef coordinator)
    {
        if (_removed.Contains((address, uid))) return default;
        bool known = _nodes.TryGetValue(address, out var node);
        if (uid == Unknown && known) uid = node.Uid;
        if (known && node.Uid == uid && Equals(node.Ref, coordinator)) return default;
        _nodes[address] = (uid, coordinator);
        return new Change(Gone: known && !Equals(node.Ref, coordinator) ? node.Ref : null,
            Found: known && Equals(node.Ref, coordinator) ? null : coordinator);
    }

    /// <summary>A look-up at a coordinator node's address was answered: the coordinator of the incarnation known there.</summary>
    public Change Answered(Address address, TRef coordinator) =>
        _nodes.TryGetValue(address, out var node) ? Announced(address, node.Uid, coordinator) : default;

    /// <summary>
    /// A coordinator actor stopped while its node stays (the sweep ended; the node may start another): it is gone, and
    /// the next coordinator at its address is to be looked up. Answers whether it was the one known there.
    /// </summary>
    public bool Stopped(Address address, TRef coordinator)
    {
        if (!_nodes.TryGetValue(address, out var node) || !Equals(node.Ref, coordinator)) return false;
        _nodes[address] = (node.Uid, null);
        return true;
    }
}
