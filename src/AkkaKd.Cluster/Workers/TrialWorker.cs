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

    public ITimerScheduler Timers { get; set; } = null!;

    public TrialWorker(NodeServices node, IActorRef artifacts)
    {
        _node = node;
        _artifacts = artifacts;
        Idle();
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

    /// <summary>The settings of the assignment's sweep; without them (this slot restarted) the work goes back for them.</summary>
    private SweepContext? SweepOf(IAssignment a)
    {
        if (_sweeps.TryGetValue(a.SweepId, out var known)) return known.Context;
        Sender.Tell(new WorkReturned(a.SweepId, a.Work, _node.Node, ReturnReason.SweepUnknown));
        return null;
    }

    private void AskForWork()
    {
        if (FairPick() is { } pick) pick.Tell(new RequestWork(Self, _node.Node));
        else foreach (var c in _coordinators) c.Tell(new RequestWork(Self, _node.Node));
    }

    /// <summary>With several sweeps running: the coordinator this slot should ask (<see cref="FairShare"/>), else null.</summary>
    /// Leaving: the coordinator whose trial this slot has just finished (its view still counts that trial).
    private IActorRef? FairPick(IActorRef? leaving = null) =>
        _coordinators.Count < 2 ? null : FairShare.Pick(_shares.Where(s => _coordinators.Contains(s.Key)), leaving, Random.Shared.NextDouble())?.Key;

    /// <summary>The slot moves from one sweep to another: the view until the next one from the node says so too.</summary>
    private void Moved(IActorRef from, IActorRef to) => _shares = _shares
        .Select(s => s.Key.Equals(to) ? s with { Running = s.Running + 1 } : s.Key.Equals(from) ? s with { Running = Math.Max(0, s.Running - 1) } : s)
        .ToArray();

    /// <summary>The work in hand (null: none); the node counts its busy slots.</summary>
    private void SetCurrent(Current? current)
    {
        if ((_current is null) != (current is null)) Context.Parent.Tell(new WorkerNode.SlotBusy(current is not null));
        _current = current;
    }

    private void Common()
    {
        Receive<WorkerNode.Shares>(s => _shares = s.Sweeps);
        Receive<CoordinatorUp>(c =>
        {
            if (_coordinators.Contains(c.Coordinator)) return;
            _coordinators.Add(c.Coordinator);
            if (_current is null) c.Coordinator.Tell(new RequestWork(Self, _node.Node));
        });
        Receive<CoordinatorGone>(g =>
        {
            _coordinators.Remove(g.Coordinator);
            foreach (var gone in _sweeps.Where(kv => kv.Value.Coordinator.Equals(g.Coordinator)).Select(kv => kv.Key).ToList()) _sweeps.Remove(gone);
            if (_current is { } cur && cur.Coordinator.Equals(g.Coordinator))
            {
                _log.Info("coordinator {0} gone: dropping {1}", g.Coordinator.Path, cur.Work.Id);
                _cancel?.Cancel();
                _cancel = null;
                SetCurrent(null);
                Become(Idle);
            }
        });
        Receive<DropWork>(OnDrop);
        Receive<Done>(d => d.Token != _cancel, d => _log.Info("{0}: dropped work stopped ({1})", d.WorkId, d.Message.GetType().Name));
        Receive<ReturnWork>(_ =>
        {
            if (_current is { } cur)
            {
                _cancel?.Cancel();
                cur.Coordinator.Tell(new WorkReturned(cur.SweepId, cur.Work, _node.Node, ReturnReason.NodeLeaving));
                SetCurrent(null);
            }
            Sender.Tell(WorkHandedBack.Instance);
            Become(Leaving);
        });
    }

    /// <summary>The sweep of the work in hand was cancelled: stop training it now, and ask the other sweeps for work.</summary>
    private void OnDrop(DropWork d)
    {
        _coordinators.Remove(Sender); // its sweep is over
        if (_current is not { } cur || !cur.Coordinator.Equals(Sender) || cur.SweepId != d.SweepId) return;
        _log.Info("{0}: dropped ({1})", cur.Work.Id, d.Reason);
        _cancel?.Cancel();
        _cancel = null;
        SetCurrent(null);
        Become(Idle);
        AskForWork();
    }

    private void Idle()
    {
        Common();
        Receive<TrialAssignment>(a =>
        {
            if (Refused(a.SweepId, a.Work) || SweepOf(a) is not { } sweep) return;
            Timers.Cancel("retry");
            SetCurrent(new Current(Sender, a.SweepId, a.Work));
            var teacher = a.Teacher;
            if (teacher != null && _node.Teachers.TryGet(teacher.Hash) is null)
            {
                if (a.ArtifactSource is null)
                {
                    Finish(new TrialFailed(a.SweepId, a.Trial.Id, _node.Node, "teacher artifact not here and no source named", true));
                    return;
                }
                _artifacts.Tell(new EnsureArtifact(teacher.Hash, a.ArtifactSource));
                Become(() => Fetching(a, sweep));
                return;
            }
            StartTrial(a, sweep);
        });
        Receive<TeacherAssignment>(a =>
        {
            if (Refused(a.SweepId, a.Work) || SweepOf(a) is not { } sweep) return;
            Timers.Cancel("retry");
            SetCurrent(new Current(Sender, a.SweepId, a.Work));
            Become(Busy);
            var coordinator = Sender;
            var workId = a.Work.Id;
            Start(ct => new TeacherTrained(sweep.SweepId,
                _node.Trainer.TrainTeacher(_node, sweep,
                    (e, n, loss, sec, val) => coordinator.Tell(new TrialProgress(sweep.SweepId, workId, e, n, loss, sec, val)), ct),
                _artifacts));
        });
        Receive<NoWorkYet>(_ => Timers.StartSingleTimer("retry", Retry.Instance, RetryInterval));
        Receive<Retry>(_ => AskForWork());
    }

    private void Fetching(TrialAssignment a, SweepContext sweep)
    {
        Common();
        Receive<ArtifactReady>(r => r.Hash == a.Teacher!.Hash, _ => StartTrial(a, sweep));
        Receive<ArtifactUnavailable>(u => u.Hash == a.Teacher!.Hash,
            u => Finish(new TrialFailed(a.SweepId, a.Trial.Id, _node.Node, "teacher artifact: " + u.Reason, true)));
        BusyReplies();
    }

    private void Busy()
    {
        Common();
        Receive<Done>(d =>
        {
            if (d.Token != _cancel) return; // from work that was dropped
            Finish(d.Message);
        });
        BusyReplies();
    }

    private void Leaving()
    {
        Receive<TrialAssignment>(a => Sender.Tell(new WorkReturned(a.SweepId, a.Work, _node.Node, ReturnReason.NodeLeaving)));
        Receive<TeacherAssignment>(a => Sender.Tell(new WorkReturned(a.SweepId, a.Work, _node.Node, ReturnReason.NodeLeaving)));
        Receive<ReturnWork>(_ => Sender.Tell(WorkHandedBack.Instance));
        ReceiveAny(_ => { });
    }

    /// <summary>A second assignment while busy (a push that crossed a request): give it back at once.</summary>
    private void BusyReplies()
    {
        Receive<TrialAssignment>(a => Sender.Tell(new WorkReturned(a.SweepId, a.Work, _node.Node, ReturnReason.WorkerBusy)));
        Receive<TeacherAssignment>(a => Sender.Tell(new WorkReturned(a.SweepId, a.Work, _node.Node, ReturnReason.WorkerBusy)));
        Receive<NoWorkYet>(_ => { });
        Receive<Retry>(_ => { });
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
            _artifacts.Tell(new EnsureArtifact(cp, source));
            Become(() =>
            {
                Common();
                Receive<ArtifactReady>(r => r.Hash == cp, _ => Train(a, sweep));
                Receive<ArtifactUnavailable>(u => u.Hash == cp, _ => Train(a, sweep));
                BusyReplies();
            });
            return;
        }
        Train(a, sweep);
    }

    private void Train(TrialAssignment a, SweepContext sweep)
    {
        Become(Busy);
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
        SetCurrent(null);
        _cancel = null;
        var pick = outcome is TrialCompleted ? FairPick(cur.Coordinator) : null;
        if (pick != null)
        {
            bool elsewhere = !pick.Equals(cur.Coordinator);
            cur.Coordinator.Tell(outcome, elsewhere ? ActorRefs.NoSender : Self);
            Become(Idle);
            if (!elsewhere) return;
            Moved(cur.Coordinator, pick);
            pick.Tell(new RequestWork(Self, _node.Node));
            return;
        }
        cur.Coordinator.Tell(outcome);
        bool asksForMore = outcome is not WorkReturned;
        if (outcome is WorkReturned { Reason: ReturnReason.DataMismatch })
        {
            _refusedSweeps.Add(cur.SweepId);
            _coordinators.Remove(cur.Coordinator);
        }
        Become(Idle);
        foreach (var c in _coordinators)
            if (!asksForMore || !c.Equals(cur.Coordinator)) c.Tell(new RequestWork(Self, _node.Node));
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
                    ? new TeacherFailed(cur.SweepId, node, e.Message)
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
