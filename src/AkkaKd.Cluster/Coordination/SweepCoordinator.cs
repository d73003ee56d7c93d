using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Coordination;

/// <summary>
/// One per sweep, at /user/coordinator on the node that launched it: the message plumbing over the sweep's
/// <see cref="WorkLedger{TWorker}"/>, which makes every decision about work. Work is pulled by idle workers; a result
/// counts once, and only after the journal made it durable. Cluster membership (which workers are gone) is followed by
/// <see cref="MembershipWatch"/>, its child.
/// </summary>
public sealed class SweepCoordinator : ReceiveActor
{
    private readonly SweepContext _sweep;
    private readonly Assignments _assignments;
    private readonly LedgerOutbox _outbox;
    private readonly WorkLedger<IActorRef> _ledger;
    private readonly Journal _journal;
    private readonly IActorRef _reporter;
    private readonly IActorRef _intake;
    private readonly int _minWorkers;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _codecsWarm;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HashSet<IActorRef> _watched = [];
    private readonly Dictionary<IActorRef, int> _nodeUids = []; // each worker's node incarnation, as it said when it asked (kept as _watched is)
    private TimeSpan? _firstAssignment;
    private SweepSummary? _summary;
    private readonly TaskCompletionSource<SweepSummary> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SweepStop _stop = new();

    public SweepCoordinator(SweepContext sweep, WorkLedger<IActorRef> ledger, Journal journal, IActorRef reporter,
        IActorRef? artifacts = null, int minWorkers = 0)
    {
        _sweep = sweep;
        _assignments = new Assignments(sweep, artifacts);
        _ledger = ledger;
        _journal = journal;
        _reporter = reporter;
        _outbox = new LedgerOutbox(sweep.SweepId, reporter, journal, _assignments, _log);
        _intake = Context.ActorOf(TeacherIntake.Props(journal, artifacts), "teacher-intake");
        _minWorkers = minWorkers;

        Receive<RequestWork>(r =>
        {
            if (r.NodeUid != 0) _nodeUids[r.Worker] = r.NodeUid;
            OnRequestWork(r.Worker, r.Node);
        });
        Receive<TrialProgress>(p => _reporter.Forward(p));
        Receive<TrialCompleted>(OnCompleted);
        Receive<ResultDurable>(OnDurable);
        Receive<JournalFailed>(OnJournalFailed);
        Receive<TrialFailed>(OnFailed);
        Receive<WorkReturned>(OnReturned);
        Receive<TeacherTrained>(OnTeacherTrained);
        Receive<TeacherIntake.Durable>(OnTeacherDurable);
        Receive<TeacherIntake.Failed>(f => OnTeacherFailed(null, f.Teacher.Node, f.Error));
        Receive<TeacherFailed>(f => OnTeacherFailed(Sender, f.Node, f.Error, f.Retryable, askForMore: true));
        Receive<Terminated>(OnTerminated);
        Receive<MembershipWatch.WorkerNodesUp>(OnWorkerNodesUp);
        Receive<MembershipWatch.NodeLost>(OnNodeLost);
        Receive<AwaitSweep>(_ => _done.Task.PipeTo(Sender)); // answered once the sweep is over and its files written
        Receive<SweepStatusQuery>(_ => Sender.Tell(SweepStatus.Of(_sweep, NodeName(Self), _ledger, _stop, _minWorkers, _clock.Elapsed,
            _firstAssignment)));
        Receive<CancelSweep>(OnCancel);
        Receive<ReportWritten>(_ => _done.TrySetResult(_summary!));
        Receive<Status.Failure>(OnReportFailed);
    }

    public static Props Props(SweepContext sweep, WorkLedger<IActorRef> ledger, Journal journal, IActorRef reporter,
        IActorRef? artifacts = null, int minWorkers = 0) =>
        Akka.Actor.Props.Create(() => new SweepCoordinator(sweep, ledger, journal, reporter, artifacts, minWorkers));

    protected override void PreStart()
    {
        _log.Info("sweep {0}: {1} trials, {2} already in the journal", _sweep.SweepId, _ledger.Total, _ledger.FinishedBefore);
        if (MembershipWatch.InCluster(Context.System)) Context.ActorOf(MembershipWatch.Props(Self), "membership");
        if (_minWorkers <= 0) _ledger.Open();
        CheckDone();
    }

    private void OnWorkerNodesUp(MembershipWatch.WorkerNodesUp up)
    {
        _stop.WorkerNodes = up.Count;
        // A sweep alone on its node sends nothing over the wire: codecs only once a worker elsewhere is up.
        if (up.Remote > 0 && !_codecsWarm) _codecsWarm = _assignments.WarmCodecsInBackground(Context.System, Self, _log);
        if (_ledger.IsOpen || up.Count < _minWorkers) return;
        _log.Info("{0} worker nodes up: starting", up.Count);
        _ledger.Open();
        Dispatch();
    }

    private void OnRequestWork(IActorRef worker, string node)
    {
        if (_watched.Add(worker)) Context.Watch(worker);
        if (_summary == null && !_stop.Cancelled && _ledger.Request(worker) is { } work) Send(worker, work, node);
        else worker.Tell(new NoWorkYet(_sweep.SweepId));
        _outbox.Publish(_ledger.DrainEvents());
    }

    /// <summary>A worker's result or failure is also its request for more work.</summary>
    private void NextFor(IActorRef worker, string node)
    {
        if (worker.IsNobody() || worker is DeadLetterActorRef) return;
        OnRequestWork(worker, node);
    }

    private void Send(IActorRef worker, WorkItem work, string node)
    {
        _firstAssignment ??= _clock.Elapsed;
        worker.Tell(_assignments.For(worker, work, _ledger.Teacher));
        _reporter.Tell(new TrialAssigned(_sweep.SweepId, work, node));
        if (_log.IsInfoEnabled) _log.Info("{0} ({1}) to {2}", work.Id, work.Label, worker.Path);
    }

    /// <summary>Hands work to idle workers, oldest first, while there is work they can take; then checks for the end.</summary>
    private void Dispatch()
    {
        if (_summary == null && !_stop.Cancelled)
            foreach (var (worker, work) in _ledger.Dispatch()) Send(worker, work, NodeName(worker));
        CheckDone();
    }

    private string NodeName(IActorRef worker) => MembershipWatch.NodeName(Context.System, worker);

    private void OnCompleted(TrialCompleted c)
    {
        if (_stop.Cancelled) return; // discarded: the sweep was cancelled
        _assignments.Remember(c);
        if (_ledger.Completed(c.Result))
        {
            var result = c.Result;
            var rung = _ledger.RungLine(result); // a scheduler's rung result: a rung line, not yet the trial's
            var self = Self; // told from the journal's writer thread once the line is durable (no task or pool hop)
            Action<Exception?> durable = e =>
                self.Tell(e is null ? new ResultDurable(result, rung) : new JournalFailed(result.Id, e.GetBaseException().Message));
            if (rung is null) _journal.Append(result, durable);
            else _journal.Append(rung, durable);
        }
        else _log.Info("trial {0}: duplicate result from {1} discarded", c.Result.Id, c.Result.Node);
        NextFor(Sender, c.Result.Node);
    }

    private void OnDurable(ResultDurable d)
    {
        _ledger.Durable(d.Result);
        _outbox.Durable(d.Result, d.Rung);
        Dispatch();
    }

    private void OnJournalFailed(JournalFailed f)
    {
        _log.Error("journal write failed: {0}", f.Error);
        _ledger.JournalFailed(f.TrialId, f.Error);
        Dispatch();
    }

    private void OnFailed(TrialFailed f)
    {
        _log.Warning("trial {0} failed on {1}: {2}", f.TrialId, f.Node, f.Error);
        _ledger.Failed(Sender, f.TrialId, f.Error, f.Retryable);
        Dispatch();
        NextFor(Sender, f.Node);
    }

    private void OnReturned(WorkReturned r)
    {
        _log.Info("{0} returned by {1}: {2}", r.Work.Id, r.Node, r.Describe());
        if (r.Reason == ReturnReason.DataMismatch) _stop.RefusedData(r.Node, r.Detail);
        _assignments.Returned(Sender, r);
        _ledger.Returned(Sender, r.Work, r.Describe() + $" ({r.Node})");
        Dispatch();
    }

    /// <summary>
    /// A worker stopped. Death watch also ends, by address alone, when a node at the worker's address is removed, which
    /// may be an earlier incarnation of the worker's node: that is left to <see cref="OnNodeLost"/>, which tells them
    /// apart; the worker is watched again when it next asks.
    /// </summary>
    private void OnTerminated(Terminated t)
    {
        if (t.AddressTerminated)
        {
            _watched.Remove(t.ActorRef);
            return;
        }
        Lost(w => w.Equals(t.ActorRef), "worker stopped");
    }

    private void OnNodeLost(MembershipWatch.NodeLost n) =>
        Lost(w => n.Covers(w.Path.Address, _nodeUids.GetValueOrDefault(w)), n.Reason);

    private void Lost(Func<IActorRef, bool> gone, string reason)
    {
        _ledger.WorkersLost(gone, reason);
        Dispatch();
    }

    private void OnTeacherTrained(TeacherTrained t)
    {
        if (_ledger.TeacherTrained(Sender, t.Teacher)) _intake.Tell(new TeacherIntake.Bring(t.Teacher, t.ArtifactSource));
        NextFor(Sender, t.Teacher.Node);
    }

    private void OnTeacherDurable(TeacherIntake.Durable d)
    {
        _ledger.TeacherDurable(d.Teacher);
        _reporter.Tell(new TeacherReady(_sweep.SweepId, d.Teacher));
        Dispatch();
    }

    private void OnTeacherFailed(IActorRef? worker, string node, string error, bool retryable = true, bool askForMore = false)
    {
        _log.Error("teacher failed on {0}: {1}", node, error);
        _ledger.TeacherFailed(worker, error, retryable);
        Dispatch();
        if (askForMore && worker != null) NextFor(worker, node); // from the worker that trained it: also its request
    }

    private void CheckDone()
    {
        _outbox.Publish(_ledger.DrainEvents());
        if (_summary != null) return;
        // Cancelled (once nothing is being written) or refused by every worker node: what is durable stays in the
        // journal, and no end-of-sweep files are written (as for an interrupted sweep).
        var dataError = _stop.DataError(_ledger.InFlight, _ledger.Writing);
        if ((_stop.Cancelled && !_ledger.Writing) || dataError != null)
        {
            _summary = SweepSummary.Of(_sweep.SweepId, _ledger, _clock.Elapsed, _firstAssignment) with { CancelledBy = _stop.CancelledBy, DataError = dataError };
            _log.Warning("sweep {0} ends early: {1}", _sweep.SweepId, dataError ?? "cancelled by " + _stop.CancelledBy);
            _done.TrySetResult(_summary!);
            return;
        }
        if (!_ledger.IsDone) return;
        _summary = SweepSummary.Of(_sweep.SweepId, _ledger, _clock.Elapsed, _firstAssignment);
        _log.Info("sweep {0} done: {1} finished, {2} failed, {3} duplicates discarded, {4} requeued", _sweep.SweepId,
            _summary.Finished, _summary.FailedTrials.Length, _summary.Duplicates, _summary.Requeued);
        foreach (var w in _ledger.Idle) w.Tell(new NoWorkYet(_sweep.SweepId));
        _reporter.Ask<ReportWritten>(new WriteReport(_summary), TimeSpan.FromMinutes(2)).PipeTo(Self);
    }

    private void OnReportFailed(Status.Failure f)
    {
        _log.Error(f.Cause, "the report failed");
        _summary = _summary! with { ReportError = f.Cause.Message };
        _done.TrySetResult(_summary!);
    }

    private void OnCancel(CancelSweep c)
    {
        _stop.Cancel(c.By);
        Sender.Tell(new SweepCancelled(_sweep.SweepId, _sweep.Settings.Name, _ledger.Finished, _ledger.Total));
        foreach (var w in _ledger.Idle) w.Tell(new NoWorkYet(_sweep.SweepId));
        // Every worker that ever asked drops this sweep's work now, not once this node has left (others ignore it).
        foreach (var w in _watched) w.Tell(new DropWork(_sweep.SweepId, "cancelled by " + c.By));
        CheckDone();
    }

    private sealed record ResultDurable(TrialResult Result, RungRecord? Rung = null);
    private sealed record JournalFailed(string TrialId, string Error);
}
