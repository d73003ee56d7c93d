using Akka.Actor;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Messages;

// Between TrialWorker and SweepCoordinator. Work is pulled: an idle worker asks, the coordinator answers with a
// trial, the teacher to train, or "nothing yet" (and then sends work as soon as there is some). A worker's result or
// failure (TrialCompleted, TrialFailed, TeacherTrained, TeacherFailed) is also its request for the next piece of work.

/// <summary>
/// An idle worker asks for work. <paramref name="NodeUid"/>: its node's incarnation (the cluster member's uid; 0 when
/// unknown), so that the removal of an earlier incarnation at the same address does not take this worker's work back.
/// </summary>
public sealed record RequestWork(IActorRef Worker, string Node, int NodeUid = 0) : IAkkaKdMessage;

/// <summary>Nothing to hand out now; the coordinator will send work when there is some.</summary>
public sealed record NoWorkYet(string SweepId) : IAkkaKdMessage;

/// <summary>A sweep's settings and the data fingerprint a worker must prove: sent once to each worker (slot).</summary>
public sealed record SweepContext(string SweepId, SweepSettings Settings, string DataFingerprint) : IAkkaKdMessage;

/// <summary>
/// A piece of work for a worker. The sweep's context (its settings, some hundred bytes) travels only with the first
/// assignment a worker gets from a sweep (<see cref="Sweep"/>; null after that): the worker keeps it. A worker that
/// lacks it gives the work back (<see cref="ReturnReason.SweepUnknown"/>) and the next assignment carries it again.
/// </summary>
public interface IAssignment : IAkkaKdMessage
{
    string SweepId { get; }
    SweepContext? Sweep { get; }
    WorkItem Work { get; }
}

/// <summary>
/// Train one trial. Distilled trials name the teacher artifact they need by hash, and where to fetch it from (the
/// coordinator node's artifact hub) if the worker's node does not have it yet. A segment that continues a checkpoint
/// names the hub of the node that made it (<see cref="CheckpointSource"/>), if the coordinator knows it.
/// </summary>
public sealed record TrialAssignment(string SweepId, TrialWork Work, TeacherRecord? Teacher, IActorRef? ArtifactSource,
    IActorRef? CheckpointSource = null, SweepContext? Sweep = null) : IAssignment
{
    public Trial Trial => Work.Trial;
    WorkItem IAssignment.Work => Work;
}

/// <summary>Train the sweep's teacher and keep its logits (the teacher artifact).</summary>
public sealed record TeacherAssignment(string SweepId, TeacherWork Work, SweepContext? Sweep = null) : IAssignment
{
    WorkItem IAssignment.Work => Work;
}

/// <summary>Per-epoch progress of a piece of work (a trial or the teacher), named by its <see cref="WorkItem.Id"/>.</summary>
public sealed record TrialProgress(string SweepId, string WorkId, int Epoch, int Epochs, double Loss, double Seconds,
    double? ValAcc = null) : IAkkaKdMessage;

/// <summary>
/// A trial (or a segment of it) finished; the coordinator journals it before it counts. A rung's checkpoint can be
/// fetched from <see cref="CheckpointSource"/>, the hub of the worker's node.
/// </summary>
public sealed record TrialCompleted(string SweepId, TrialResult Result, IActorRef? CheckpointSource = null) : IAkkaKdMessage;

/// <summary>A trial could not run on this worker. Retryable failures go back to the queue.</summary>
public sealed record TrialFailed(string SweepId, string TrialId, string Node, string Error, bool Retryable) : IAkkaKdMessage;

/// <summary>The teacher is trained; its artifact is in the worker node's store (served by ArtifactSource), named by hash.</summary>
public sealed record TeacherTrained(string SweepId, TeacherRecord Teacher, IActorRef ArtifactSource) : IAkkaKdMessage;

/// <summary>
/// The worker gives work back without it counting as a failed attempt: its node is leaving, its data differ from the
/// sweep's (then it takes no more work from this sweep), or it was busy. Detail is for people (the log).
/// </summary>
public sealed record WorkReturned(string SweepId, WorkItem Work, string Node, ReturnReason Reason, string Detail = "") : IAkkaKdMessage
{
    public string Describe() => Reason switch
    {
        ReturnReason.NodeLeaving => "node leaving",
        ReturnReason.WorkerBusy => "worker busy",
        ReturnReason.DataMismatch => "data mismatch",
        ReturnReason.SweepUnknown => "the worker lacked the sweep's settings",
        _ => "coordinator gone",
    } + (Detail.Length > 0 ? ": " + Detail : "");
}

/// <summary>
/// To a node's workers: a sweep's coordinator is reachable at this ref. From the coordinator to a worker node, it names
/// the incarnation of the coordinator's node (its cluster member's uid; 0 from a node to its own workers).
/// </summary>
public sealed record CoordinatorUp(IActorRef Coordinator, int NodeUid = 0) : IAkkaKdMessage;

/// <summary>To a node's workers: this coordinator is gone (its sweep ended, or its node left).</summary>
public sealed record CoordinatorGone(IActorRef Coordinator) : IAkkaKdMessage;

/// <summary>
/// From a coordinator to a worker that holds its work: stop it now (the sweep was cancelled). The worker cancels the
/// trial's token (the trainer checks it per batch), sends nothing back for it, and its slot takes other work at once.
/// </summary>
public sealed record DropWork(string SweepId, string Reason) : IAkkaKdMessage;

/// <summary>To a worker: give back the work in hand (the node is leaving), then answer <see cref="WorkHandedBack"/>.</summary>
public sealed record ReturnWork : IAkkaKdMessage
{
    public static readonly ReturnWork Instance = new();
}

public sealed record WorkHandedBack : IAkkaKdMessage
{
    public static readonly WorkHandedBack Instance = new();
}

/// <summary>The teacher could not be trained on this worker. Not retryable: it diverged, which another attempt would repeat.</summary>
public sealed record TeacherFailed(string SweepId, string Node, string Error, bool Retryable = true) : IAkkaKdMessage;
