using Akka.Actor;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Messages;

// Between `akkakd status` / `akkakd cancel`, the launcher's wait, the worker nodes' fair share and the nodes of a
// cluster: what a sweep's coordinator (/user/coordinator) and a worker node (/user/node) say about themselves.

/// <summary>Ask a sweep's coordinator how its sweep stands; it answers <see cref="SweepStatus"/>.</summary>
public sealed record SweepStatusQuery : IAkkaKdMessage
{
    public static readonly SweepStatusQuery Instance = new();
}

/// <summary>
/// A running sweep, as its coordinator sees it. Finished counts results in the journal (FinishedBefore of them from an
/// earlier run); Running: trials (or the teacher) in workers' hands; Queued: trials that could be handed out now or
/// later. Waiting: the coordinator holds the first trial until MinWorkers worker nodes are up. Weight: its share of
/// the slots relative to other running sweeps (sweep.priority, 1 by default). EtaSeconds: null until a result came in.
/// </summary>
public sealed record SweepStatus(
    string SweepId,
    string Name,
    string Node,
    int Total,
    int Finished,
    int FinishedBefore,
    int Failed,
    int Running,
    int Queued,
    bool Waiting,
    int WorkerNodes,
    int MinWorkers,
    int Weight,
    double Seconds,
    double? EtaSeconds,
    string? CancelledBy) : IAkkaKdMessage
{
    /// <summary>Work that a free slot could take from this sweep now (none while it waits or is cancelled).</summary>
    public bool HasWork => !Waiting && CancelledBy is null && Queued > 0;

    /// <summary>How a coordinator's ledger stands, with its ETA from the pace of this run's finished trials.</summary>
    public static SweepStatus Of(SweepContext sweep, string node, WorkLedger<IActorRef> ledger, SweepStop stop, int minWorkers,
        TimeSpan elapsed, TimeSpan? firstAssignment)
    {
        int thisRun = ledger.Finished - ledger.FinishedBefore;
        int left = ledger.Total - ledger.Finished - ledger.FailedTrials.Count;
        double? eta = thisRun > 0 && firstAssignment is { } first && left >= 0 ? (elapsed - first).TotalSeconds / thisRun * left : null;
        return new SweepStatus(sweep.SweepId, sweep.Settings.Name, node, ledger.Total, ledger.Finished, ledger.FinishedBefore,
            ledger.FailedTrials.Count, ledger.InFlight, ledger.Queued, !ledger.IsOpen, stop.WorkerNodes, minWorkers, sweep.Settings.Priority,
            elapsed.TotalSeconds, eta, stop.CancelledBy);
    }
}

/// <summary>
/// Ask any member (/user/members) how it sees the cluster; it answers <see cref="ClusterMembers"/>. `status` and `cancel`
/// ask a seed this over plain remoting instead of joining: a visitor that joined would count in the split brain
/// resolver's majority and, if it could not leave cleanly, hold convergence as an unreachable member.
/// </summary>
public sealed record ClusterMembersQuery : IAkkaKdMessage
{
    public static readonly ClusterMembersQuery Instance = new();
}

/// <summary>A member as one node sees it: its address (akka.tcp://akkakd@host:port), roles, state, reachability, akkakd version.</summary>
public sealed record ClusterMember(string Address, string[] Roles, string State, bool Reachable, string Version);

/// <summary>The members as the answering node sees them, and that node's akkakd version.</summary>
public sealed record ClusterMembers(string Version, ClusterMember[] Members) : IAkkaKdMessage;

/// <summary>Ask a worker node (/user/node) about itself; it answers <see cref="NodeStatus"/>.</summary>
public sealed record NodeStatusQuery : IAkkaKdMessage
{
    public static readonly NodeStatusQuery Instance = new();
}

/// <summary>A worker node: its slots, how many are busy, its akkakd version and the teachers in its cache.</summary>
public sealed record NodeStatus(string Node, int Slots, int Busy, string Version, int CachedTeachers) : IAkkaKdMessage;

/// <summary>
/// To a sweep's coordinator: stop the sweep (`akkakd cancel`). Its trials in hand are dropped cluster-wide, results
/// being written are kept, and the launcher ends (exit code 4); the journal keeps what finished, for --resume.
/// </summary>
public sealed record CancelSweep(string By) : IAkkaKdMessage;

/// <summary>The coordinator took the cancel; its launcher is ending.</summary>
public sealed record SweepCancelled(string SweepId, string Name, int Finished, int Total) : IAkkaKdMessage;
