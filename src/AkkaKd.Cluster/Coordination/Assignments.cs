using Akka.Actor;
using Akka.Event;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Coordination;

/// <summary>
/// The message that hands a piece of work to a worker: the teacher to train, a baseline, a distilled trial with the
/// teacher artifact and where to fetch it, a scheduler's next rung with where its checkpoint is. The sweep's settings
/// go with a worker's first assignment only (the worker keeps them): one message less to serialize in full per trial.
/// </summary>
public sealed class Assignments(SweepContext sweep, IActorRef? artifacts)
{
    // What travels with every assignment: the settings without the grid, which can be large.
    private readonly SweepContext _workerSweep = sweep with { Settings = sweep.Settings.WithoutGrid() };
    private readonly Dictionary<string, IActorRef> _checkpoints = new(StringComparer.Ordinal); // rung checkpoint -> its node's hub
    private readonly Dictionary<string, string> _latest = new(StringComparer.Ordinal); // trial id -> its latest durable checkpoint
    private readonly HashSet<IActorRef> _informed = []; // workers that were sent the settings

    /// <summary>A worker gave work back for want of the settings (it restarted): its next assignment carries them.</summary>
    public void Returned(IActorRef worker, WorkReturned r)
    {
        if (r.Reason == ReturnReason.SweepUnknown) _informed.Remove(worker);
    }

    /// <summary>A rung result names the hub that holds its checkpoint: the continuation fetches it from there.</summary>
    public void Remember(TrialCompleted c)
    {
        if (c.Result.Checkpoint is { } checkpoint && c.CheckpointSource is { } source) _checkpoints[checkpoint] = source;
    }

    /// <summary>
    /// A result is durable: the checkpoint the trial continued from is needed no more (its continuation is in the
    /// journal). Answers where to drop it; the trial's new checkpoint, if any, is its latest.
    /// </summary>
    public IReadOnlyList<(string Hash, IActorRef Hub)> Durable(TrialResult r)
    {
        // At most one drop; no list allocated per durable result (the common case: nothing to drop).
        IReadOnlyList<(string, IActorRef)> drops =
            _latest.Remove(r.Id, out var previous) && previous != r.Checkpoint && Forget(previous) is { } hub ? [(previous, hub)] : [];
        if (r.Checkpoint is { } cp) _latest[r.Id] = cp;
        return drops;
    }

    /// <summary>The scheduler stopped a trial: nothing continues from its latest checkpoint. Answers where to drop it.</summary>
    public (string Hash, IActorRef Hub)? Stopped(string trialId) =>
        _latest.Remove(trialId, out var cp) && Forget(cp) is { } hub ? (cp, hub) : null;

    private IActorRef? Forget(string checkpoint) => _checkpoints.Remove(checkpoint, out var hub) ? hub : null;

    /// <summary>
    /// Has this node's serializer build its codecs for the work messages now, before the first goes over the wire.
    /// Hyperion compiles a codec per type the first time it meets one, and a coordinator's node is new with each sweep:
    /// its first remote assignment (the settings' records) and first result would otherwise wait for that, a few hundred
    /// milliseconds on a busy machine.
    /// Answers why it could not (the first assignment will then say it again), or null. Actor: any ref (the coordinator).
    /// </summary>
    public string? WarmCodecs(ActorSystem system, IActorRef actor)
    {
        var trial = new Trial("warm-up", "warm-up", 1, 1, 0.5, 1, 1);
        var id = _workerSweep.SweepId;
        IAkkaKdMessage[] samples =
        [
            new TrialAssignment(id, new TrialWork(trial, 2, 1, "checkpoint"), null, null, Sweep: _workerSweep),
            new TrialCompleted(id, new TrialResult(trial.Id, 1, 1, 0.5, 1, 0.5, 1, 0.5, 1, 1, 0, "node", DateTimeOffset.UnixEpoch, 0.5, 1, [0.5], [1], 2)),
            new RequestWork(actor, "node", 1),
        ];
        try
        {
            foreach (var m in samples)
            {
                var serializer = system.Serialization.FindSerializerFor(m);
                serializer.FromBinary(serializer.ToBinary(m), m.GetType());
            }
            return null;
        }
        catch (Exception e)
        {
            return e.GetBaseException().Message;
        }
    }

    /// <summary>
    /// <see cref="WarmCodecs"/> on a thread-pool thread, off the calling actor's; a failure is logged as a warning.
    /// Answers true (started).
    /// </summary>
    public bool WarmCodecsInBackground(ActorSystem system, IActorRef actor, ILoggingAdapter log)
    {
        Task.Run(() =>
        {
            if (WarmCodecs(system, actor) is { } error) log.Warning("the work messages' codecs: {0}", error);
        });
        return true;
    }

    public IAssignment For(IActorRef worker, WorkItem work, TeacherRecord? teacher)
    {
        var settings = _informed.Add(worker) ? _workerSweep : null;
        var id = _workerSweep.SweepId;
        IAssignment assignment = work switch
        {
            TeacherWork t => new TeacherAssignment(id, t, settings),
            TrialWork { NeedsTeacher: false } t => new TrialAssignment(id, t, null, null, Sweep: settings),
            TrialWork t => new TrialAssignment(id, t, teacher, artifacts, Sweep: settings),
            _ => throw new InvalidOperationException("unknown work " + work.GetType().Name),
        };
        if (assignment is TrialAssignment { Work.Checkpoint: { } checkpoint } a && _checkpoints.TryGetValue(checkpoint, out var source))
            assignment = a with { CheckpointSource = source };
        return assignment;
    }
}
