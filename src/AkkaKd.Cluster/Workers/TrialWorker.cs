using Akka.Actor;
using Akka.Event;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Messages;
using AkkaKd.Distillation.Data;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Workers;

/// <summary>
/// One per slot on a worker node. Pulls a trial (or the teacher) from the coordinators its node knows of, fetches the
/// teacher artifact through the node's hub if the trial needs it, trains on a thread of its own (never on the
/// dispatcher that runs the actors), sends progress per epoch and the result, then asks again.
/// </summary>
public sealed class TrialWorker : ReceiveActor, IWithTimers
{
    /// <summary>A safety net: if no work came after "nothing yet", ask again after this long.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly NodeServices _node;
    private readonly IActorRef _artifacts;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _coordinators = [];
    private readonly HashSet<string> _refusedSweeps = new(StringComparer.Ordinal);
    private CancellationTokenSource? _cancel;
    private Current? _current;
    private IReadOnlyList<SweepShare<IActorRef>> _shares = [];
    private readonly Dictionary<string, (IActorRef Coordinator, SweepContext Context)> _sweeps = new(StringComparer.Ordinal);

    /// <summary>
    /// Where the slot stands. A field rather than Become: a slot goes Idle -> Busy -> Idle once per trial, and each
    /// Become rebuilt the actor's handler table (some microseconds per trial, measured by the scheduler benchmark).
    /// </summary>
    private Phase _phase = Phase.Idle;

    /// <summary>While <see cref="Phase.Fetching"/>: the artifact waited for, and what follows when it is here or not.</summary>
    private (string Hash, Action Ready, Action<string> Unavailable)? _awaiting;

    private enum Phase { Idle, Fetching, Busy, Leaving }

    public ITimerScheduler Timers { get; set; } = null!;

    public TrialWorker(NodeServices node, IActorRef artifacts)
    {
        _node = node;
        _artifacts = artifacts;
        Receive<WorkerNode.Shares>(s => _shares = s.Sweeps);
        Receive<WorkerNode.SlotQuery>(_ => Sender.Tell(new WorkerNode.SlotBusy(_current is not null)));
        Receive<CoordinatorUp>(OnCoordinatorUp);
        Receive<CoordinatorGone>(OnCoordinatorGone);
        Receive<DropWork>(OnDrop);
        Receive<ReturnWork>(OnReturnWork);
        Receive<TrialAssignment>(a => { if (Accepts(a)) OnTrial(a); });
        Receive<TeacherAssignment>(a => { if (Accepts(a)) OnTeacher(a); });
        Receive<Done>(OnDone);
        Receive<ArtifactReady>(r => Fetched(r.Hash, null));
        Receive<ArtifactUnavailable>(u => Fetched(u.Hash, u.Reason));
        Receive<NoWorkYet>(_ =>
        {
            if (_phase == Phase.Idle) Timers.StartSingleTimer("retry", Retry.Instance, RetryInterval);
        });
        Receive<Retry>(_ =>
        {
            if (_phase == Phase.Idle) AskForWork();
        });
    }

    public static Props Props(NodeServices node, IActorRef artifacts) =>
        Akka.Actor.Props.Create(() => new TrialWorker(node, artifacts));

    private TrainingThread? _thread;

    protected override void PreStart() => _thread = new TrainingThread("akkakd-" + Self.Path.Name);

    protected override void PostStop()
    {
        _cancel?.Cancel();
        _thread?.Dispose();
    }

    /// <summary>A sweep's first assignment to this slot carries its settings: kept for the assignments that follow.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is IAssignment { Sweep: { } sweep }) _sweeps[sweep.SweepId] = (Sender, sweep);
        return base.AroundReceive(receive, message);
    }

    /// <summary>The settings of the assignment's sweep. Without them (this slot restarted, or was told its coordinator had
    /// gone when it had not) the work goes back and the slot asks that coordinator again: the next assignment has them.</summary>
    private SweepContext? SweepOf(IAssignment a)
    {
        if (_sweeps.TryGetValue(a.SweepId, out var known)) return known.Context;
        Sender.Tell(new WorkReturned(a.SweepId, a.Work, _node.Node, ReturnReason.SweepUnknown));
        if (!_coordinators.Contains(Sender)) _coordinators.Add(Sender);
        Sender.Tell(_node.Request(Self));
        return null;
    }

    private void AskForWork()
    {
        if (FairPick() is { } pick) pick.Tell(_node.Request(Self));
        else foreach (var c in _coordinators) c.Tell(_node.Request(Self));
    }

    /// <summary>
    /// With several sweeps running: the coordinator this slot should ask (<see cref="FairShare"/>), else null. Leaving:
    /// the coordinator whose trial this slot has just finished (its view still counts that trial).
    /// </summary>
    private IActorRef? FairPick(IActorRef? leaving = null) =>
        _coordinators.Count < 2 ? null : FairShare.Pick(_shares.Where(s => _coordinators.Contains(s.Key)), leaving, Random.Shared.NextDouble())?.Key;

    /// <summary>The slot moves from one sweep to another: the view until the next one from the node says so too.</summary>
    private void Moved(IActorRef from, IActorRef to) => _shares = _shares
        .Select(s => s.Key.Equals(to) ? s with { Running = s.Running + 1 } : s.Key.Equals(from) ? s with { Running = Math.Max(0, s.Running - 1) } : s)
        .ToArray();

    /// <summary>The slot holds no work now (its node counts busy slots by asking: <see cref="WorkerNode.SlotQuery"/>).</summary>
    private void Free(Phase next)
    {
        _current = null;
        _cancel = null;
        _awaiting = null;
        _phase = next;
    }

    private void OnCoordinatorUp(CoordinatorUp c)
    {
        if (_phase == Phase.Leaving || _coordinators.Contains(c.Coordinator)) return;
        _coordinators.Add(c.Coordinator);
        if (_current is null) c.Coordinator.Tell(_node.Request(Self));
    }

    private void OnCoordinatorGone(CoordinatorGone g)
    {
        _coordinators.Remove(g.Coordinator);
        foreach (var gone in _sweeps.Where(kv => kv.Value.Coordinator.Equals(g.Coordinator)).Select(kv => kv.Key).ToList()) _sweeps.Remove(gone);
        if (_current is not { } cur || !cur.Coordinator.Equals(g.Coordinator)) return;
        _log.Info("coordinator {0} gone: dropping {1}", g.Coordinator.Path, cur.Work.Id);
        _cancel?.Cancel();
        Free(Phase.Idle);
    }

    private void OnReturnWork(ReturnWork _)
    {
        if (_current is { } cur)
        {
            _cancel?.Cancel();
            cur.Coordinator.Tell(new WorkReturned(cur.SweepId, cur.Work, _node.Node, ReturnReason.NodeLeaving));
        }
        Free(Phase.Leaving);
        Sender.Tell(WorkHandedBack.Instance);
    }

    /// <summary>The sweep of the work in hand was cancelled: stop training it now, and ask the other sweeps for work.</summary>
    private void OnDrop(DropWork d)
    {
        _coordinators.Remove(Sender); // its sweep is over
        if (_phase == Phase.Leaving || _current is not { } cur || !cur.Coordinator.Equals(Sender) || cur.SweepId != d.SweepId) return;
        _log.Info("{0}: dropped ({1})", cur.Work.Id, d.Reason);
        _cancel?.Cancel();
        Free(Phase.Idle);
        AskForWork();
    }

    private void OnDone(Done d)
    {
        if (d.Token == _cancel && _phase == Phase.Busy) Finish(d.Message);
        else if (_phase != Phase.Leaving) _log.Info("{0}: dropped work stopped ({1})", d.WorkId, d.Message.GetType().Name);
    }

    /// <summary>
    /// An assignment is taken only by an idle slot: a leaving one gives it back, a busy one too (a push that crossed a
    /// request), and so does a slot of a node that refused the sweep's data.
    /// </summary>
    private bool Accepts(IAssignment a)
    {
        if (_phase != Phase.Idle)
        {
            Sender.Tell(new WorkReturned(a.SweepId, a.Work, _node.Node, _phase == Phase.Leaving ? ReturnReason.NodeLeaving : ReturnReason.WorkerBusy));
            return false;
        }
        return !Refused(a.SweepId, a.Work);
    }

    private void OnTrial(TrialAssignment a)
    {
        if (SweepOf(a) is not { } sweep) return;
        Timers.Cancel("retry");
        _current = new Current(Sender, a.SweepId, a.Work);
        var teacher = a.Teacher;
        if (teacher != null && _node.Teachers.TryGet(teacher.Hash) is null)
        {
            if (a.ArtifactSource is null)
            {
                Finish(new TrialFailed(a.SweepId, a.Trial.Id, _node.Node, "teacher artifact not here and no source named", true));
                return;
            }
            Fetch(teacher.Hash, a.ArtifactSource, () => StartTrial(a, sweep),
                reason => Finish(new TrialFailed(a.SweepId, a.Trial.Id, _node.Node, "teacher artifact: " + reason, true)));
            return;
        }
        StartTrial(a, sweep);
    }

    private void OnTeacher(TeacherAssignment a)
    {
        if (SweepOf(a) is not { } sweep) return;
        Timers.Cancel("retry");
        _current = new Current(Sender, a.SweepId, a.Work);
        _phase = Phase.Busy;
        var coordinator = Sender;
        var workId = a.Work.Id;
        Start(ct => new TeacherTrained(sweep.SweepId,
            _node.Trainer.TrainTeacher(_node, sweep,
                (e, n, loss, sec, val) => coordinator.Tell(new TrialProgress(sweep.SweepId, workId, e, n, loss, sec, val)), ct),
            _artifacts));
    }

    /// <summary>Asks the node's hub for an artifact; the slot waits for it (busy to assignments).</summary>
    private void Fetch(string hash, IActorRef source, Action ready, Action<string> unavailable)
    {
        _phase = Phase.Fetching;
        _awaiting = (hash, ready, unavailable);
        _artifacts.Tell(new EnsureArtifact(hash, source));
    }

    /// <summary>The hub answered (reason null: the artifact is here); answers about other artifacts are not this slot's.</summary>
    private void Fetched(string hash, string? reason)
    {
        if (_phase != Phase.Fetching || _awaiting is not { } w || w.Hash != hash) return;
        _awaiting = null;
        if (reason is null) w.Ready();
        else w.Unavailable(reason);
    }

    private bool Refused(string sweepId, WorkItem work)
    {
        if (!_refusedSweeps.Contains(sweepId)) return false;
        Sender.Tell(new WorkReturned(sweepId, work, _node.Node, ReturnReason.DataMismatch, "this node refused the sweep's data"));
        return true;
    }

    /// <summary>A segment continuing a checkpoint this node lacks fetches it first; unavailable, it trains again to that rung.</summary>
    private void StartTrial(TrialAssignment a, SweepContext sweep)
    {
        if (a.Work is { FromEpoch: > 0, Checkpoint: { } cp } && a.CheckpointSource is { } source && !_node.Teachers.Has(cp))
        {
            Fetch(cp, source, () => Train(a, sweep), _ => Train(a, sweep));
            return;
        }
        Train(a, sweep);
    }

    private void Train(TrialAssignment a, SweepContext sweep)
    {
        _phase = Phase.Busy;
        var coordinator = _current!.Coordinator;
        var trial = a.Trial;
        var hub = _artifacts;
        Start(ct => new TrialCompleted(sweep.SweepId,
            _node.Trainer.TrainSegment(_node, sweep, a.Work, a.Teacher,
                (e, n, loss, sec, val) => coordinator.Tell(new TrialProgress(sweep.SweepId, trial.Id, e, n, loss, sec, val)), ct), hub));
    }

    /// <summary>
    /// Sends the outcome to the coordinator that gave the work. A result or failure doubles as the request for more
    /// work from that coordinator (one message less per trial); the other coordinators are asked. With several sweeps
    /// running, the slot asks only the one <see cref="FairShare"/> picks: a result for another sweep is then told
    /// without a sender, which a coordinator does not take as a request.
    /// </summary>
    private void Finish(IAkkaKdMessage outcome)
    {
        var cur = _current!;
        if (_log.IsInfoEnabled) _log.Info("{0}: {1}", cur.Work.Id, outcome.GetType().Name);
        Free(Phase.Idle);
        var pick = outcome is TrialCompleted ? FairPick(cur.Coordinator) : null;
        if (pick != null)
        {
            bool elsewhere = !pick.Equals(cur.Coordinator);
            cur.Coordinator.Tell(outcome, elsewhere ? ActorRefs.NoSender : Self);
            if (!elsewhere) return;
            Moved(cur.Coordinator, pick);
            pick.Tell(_node.Request(Self));
            return;
        }
        cur.Coordinator.Tell(outcome);
        bool asksForMore = outcome is not WorkReturned;
        if (outcome is WorkReturned { Reason: ReturnReason.DataMismatch })
        {
            _refusedSweeps.Add(cur.SweepId);
            _coordinators.Remove(cur.Coordinator);
        }
        foreach (var c in _coordinators)
            if (!asksForMore || !c.Equals(cur.Coordinator)) c.Tell(_node.Request(Self));
    }

    /// <summary>Runs the work on the slot's own thread and pipes its outcome back as a message.</summary>
    private void Start(Func<CancellationToken, IAkkaKdMessage> work)
    {
        var cur = _current!;
        var cancel = _cancel = new CancellationTokenSource();
        var ct = cancel.Token;
        var node = _node.Node;
        IAkkaKdMessage Fail(string error) => cur.Work is TeacherWork
            ? new TeacherFailed(cur.SweepId, node, error)
            : new TrialFailed(cur.SweepId, cur.Work.Id, node, error, Retryable: true);
        var self = Self;
        // The outcome comes back as a message told from the slot's thread (no task continuation hops in between).
        _thread!.Post(() =>
        {
            IAkkaKdMessage outcome;
            try
            {
                outcome = work(ct);
            }
            catch (OperationCanceledException)
            {
                outcome = Fail("cancelled");
            }
            catch (DivergedException e)
            {
                outcome = cur.Work is TeacherWork
                    ? new TeacherFailed(cur.SweepId, node, e.Message, Retryable: false)
                    : new TrialFailed(cur.SweepId, cur.Work.Id, node, e.Message, Retryable: false);
            }
            catch (Exception e) when (e is DataMismatchException or DataException or NodeMemoryException)
            {
                // This node cannot use the sweep's data (other data, a missing or corrupt file, too little memory): it
                // refuses the sweep once, rather than failing each of its trials (every node refusing ends the sweep).
                outcome = new WorkReturned(cur.SweepId, cur.Work, node, ReturnReason.DataMismatch, e.Message);
            }
            catch (Exception e)
            {
                outcome = Fail($"{e.GetType().Name}: {e.Message}");
            }
            self.Tell(new Done(outcome, cancel, cur.Work.Id));
        });
    }

    private sealed record Current(IActorRef Coordinator, string SweepId, WorkItem Work);

    private sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed record Done(IAkkaKdMessage Message, CancellationTokenSource Token, string WorkId);
}
