using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Actors;

/// <summary>
/// One per sweep, at /user/coordinator on the node that launched it. Holds the queue of pending trials, the trials in
/// flight (and which worker has each), and the finished ids. Work is pulled by idle workers. The trials of a worker that
/// dies, or of a node that disconnects or becomes unreachable, go back to the queue at once; a result counts once, and
/// only after the journal made it durable.
/// </summary>
public sealed class SweepCoordinator : ReceiveActor
{
    /// <summary>A trial that fails this many times (not counting workers that died or gave it back) is given up.</summary>
    public const int MaxAttempts = 3;

    private readonly SweepContext _sweep;
    private readonly SweepContext _workerSweep;
    private readonly IActorRef _reporter;
    private readonly IActorRef? _artifacts;
    private readonly Journal _journal;
    private readonly int _total;
    private readonly int _minWorkers;
    private readonly Dictionary<string, Trial> _byId;
    private readonly int _finishedBefore;
    private readonly bool _teacherNeeded;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private readonly LinkedList<Trial> _pending = new();
    private readonly Dictionary<string, (Trial Trial, IActorRef Worker)> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly HashSet<string> _committing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _failed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly HashSet<IActorRef> _watched = [];
    private readonly List<IActorRef> _idle = [];
    private readonly List<IActorRef> _waiters = [];
    private readonly HashSet<Address> _workerNodes = [];
    private readonly HashSet<Address> _disconnected = [];
    private readonly HashSet<Address> _unreachableWorkers = [];

    private TeacherRecord? _teacher;
    private IActorRef? _teacherWorker;
    private TeacherRecord? _teacherArriving;
    private int _teacherFailures;
    private int _duplicates;
    private int _requeued;
    private SweepSummary? _summary;

    public SweepCoordinator(SweepContext sweep, IReadOnlyList<Trial> trials, IReadOnlyList<TrialResult> finishedBefore,
        TeacherRecord? teacher, Journal journal, IActorRef reporter, IActorRef? artifacts = null, int minWorkers = 0)
    {
        _sweep = sweep;
        // What travels with every assignment: the settings without the grid, which can be large.
        _workerSweep = sweep with { Settings = sweep.Settings.WithoutGrid() };
        _journal = journal;
        _reporter = reporter;
        _artifacts = artifacts;
        _minWorkers = minWorkers;
        _teacher = teacher;
        _total = trials.Count;
        _byId = trials.ToDictionary(t => t.Id, StringComparer.Ordinal);
        foreach (var r in finishedBefore)
            if (_byId.ContainsKey(r.Id)) _finished.Add(r.Id);
        _finishedBefore = _finished.Count;
        // Baselines first: they need no teacher and run while it trains.
        foreach (var t in trials.Where(t => !_finished.Contains(t.Id)).OrderBy(t => t.IsBaseline ? 0 : 1)) _pending.AddLast(t);
        _teacherNeeded = _pending.Any(t => !t.IsBaseline);

        Receive<RequestWork>(OnRequestWork);
        Receive<TrialProgress>(p => _reporter.Forward(p));
        Receive<TrialCompleted>(OnCompleted);
        Receive<ResultDurable>(OnDurable);
        Receive<TrialFailed>(OnFailed);
        Receive<WorkReturned>(OnReturned);
        Receive<TeacherTrained>(OnTeacherTrained);
        Receive<ArtifactReady>(r => _teacherArriving?.Hash == r.Hash, _ => CommitTeacher(_teacherArriving!));
        Receive<ArtifactUnavailable>(u => _teacherArriving?.Hash == u.Hash,
            u => OnTeacherFailed(new TeacherFailed(_sweep.SweepId, _teacherArriving!.Node, "teacher artifact: " + u.Reason)));
        Receive<TeacherDurable>(OnTeacherDurable);
        Receive<TeacherFailed>(f =>
        {
            var fromWorker = Sender.Equals(_teacherWorker);
            OnTeacherFailed(f);
            if (fromWorker) NextFor(Sender, f.Node);
        });
        Receive<JournalFailed>(f =>
        {
            _log.Error("journal write failed: {0}", f.Error);
            _committing.Remove(f.TrialId);
            if (f.Trial != null) Requeue(f.Trial, "journal write failed");
            Dispatch();
        });
        Receive<Terminated>(t => WorkersGone(w => w.Equals(t.ActorRef), "worker stopped"));
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(WorkerNode.WorkerRole)))
            {
                _workerNodes.Add(m.Address);
                Announce(m.Address);
            }
            Dispatch();
        });
        Receive<ClusterEvent.MemberUp>(m =>
        {
            if (!m.Member.HasRole(WorkerNode.WorkerRole)) return;
            _workerNodes.Add(m.Member.Address);
            Announce(m.Member.Address);
            _log.Info("worker node up: {0} ({1} worker nodes)", m.Member.Address, _workerNodes.Count);
            Dispatch();
        });
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            _workerNodes.Remove(m.Member.Address);
            _disconnected.Remove(m.Member.Address);
            _unreachableWorkers.Remove(m.Member.Address);
            NodeLost(m.Member.Address, "node removed from the cluster");
        });
        Receive<ClusterEvent.UnreachableMember>(m =>
        {
            if (IsWorkerOnly(m.Member)) _unreachableWorkers.Add(m.Member.Address);
            NodeLost(m.Member.Address, "node unreachable");
            DownIfDead(m.Member.Address);
        });
        Receive<ClusterEvent.ReachableMember>(m =>
        {
            _unreachableWorkers.Remove(m.Member.Address);
            _disconnected.Remove(m.Member.Address);
        });
        // A node that dies closes its TCP connections at once: give its trials back without waiting for the failure
        // detector. If the node was only briefly disconnected, a trial may run twice; its result still counts once.
        Receive<DisassociatedEvent>(d =>
        {
            _disconnected.Add(d.RemoteAddress);
            NodeLost(d.RemoteAddress, "connection to the node closed");
            DownIfDead(d.RemoteAddress);
        });
        Receive<AwaitSweep>(_ =>
        {
            if (_summary != null) Sender.Tell(_summary);
            else _waiters.Add(Sender);
        });
        Receive<ReportWritten>(_ => AnswerWaiters());
        Receive<Status.Failure>(f =>
        {
            _log.Error(f.Cause, "the report failed");
            _summary = _summary! with { ReportError = f.Cause.Message };
            AnswerWaiters();
        });
    }

    public static Props Props(SweepContext sweep, IReadOnlyList<Trial> trials, IReadOnlyList<TrialResult> finishedBefore,
        TeacherRecord? teacher, Journal journal, IActorRef reporter, IActorRef? artifacts = null, int minWorkers = 0) =>
        Akka.Actor.Props.Create(() => new SweepCoordinator(sweep, trials, finishedBefore, teacher, journal, reporter, artifacts, minWorkers));

    private bool InCluster => ((ExtendedActorSystem)Context.System).Provider is Akka.Cluster.ClusterActorRefProvider;

    protected override void PreStart()
    {
        _log.Info("sweep {0}: {1} trials, {2} already in the journal", _sweep.SweepId, _total, _finishedBefore);
        if (InCluster)
        {
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
                typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.UnreachableMember),
                typeof(ClusterEvent.ReachableMember));
            Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        }
        CheckDone();
    }

    protected override void PostStop()
    {
        if (!InCluster) return;
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    /// <summary>A worker's result or failure also asks for more work.</summary>
    private void NextFor(IActorRef worker, string node)
    {
        if (worker.IsNobody() || worker is DeadLetterActorRef) return;
        OnRequestWork(new RequestWork(worker, node));
    }

    /// <summary>Tells a worker node where this sweep's coordinator is, so its workers ask at once.</summary>
    private void Announce(Address node) =>
        Context.ActorSelection(new RootActorPath(node) / "user" / WorkerNode.Name).Tell(new CoordinatorUp(Self));

    private void OnRequestWork(RequestWork r)
    {
        if (_watched.Add(r.Worker)) Context.Watch(r.Worker);
        if (_summary != null || !TryAssign(r.Worker, r.Node))
        {
            if (!_idle.Contains(r.Worker)) _idle.Add(r.Worker);
            r.Worker.Tell(new NoWorkYet(_sweep.SweepId));
        }
    }

    /// <summary>Enough worker nodes were up to start (--min-workers); once started, a sweep goes on with fewer.</summary>
    private bool Started => _started || (_started = _minWorkers <= 0 || _workerNodes.Count >= _minWorkers);

    private bool _started;
    private TimeSpan? _firstAssignment;

    /// <summary>Gives the worker the teacher to train, or the first trial it can run now. False if there is none.</summary>
    private bool TryAssign(IActorRef worker, string node)
    {
        if (!Started) return false;
        _firstAssignment ??= _clock.Elapsed;
        if (_teacherNeeded && _teacher is null && _teacherWorker is null && _teacherArriving is null)
        {
            _teacherWorker = worker;
            worker.Tell(new TeacherAssignment(_workerSweep, _sweep.Settings.TeacherKey()));
            _reporter.Tell(new TrialAssigned(_sweep.SweepId, TeacherTrial, node));
            return true;
        }
        var n = _pending.First;
        while (n != null)
        {
            var next = n.Next;
            var trial = n.Value;
            if (_finished.Contains(trial.Id) || _committing.Contains(trial.Id) || _inFlight.ContainsKey(trial.Id))
            {
                _pending.Remove(n); // finished (or taken) while it waited
            }
            else if (trial.IsBaseline || _teacher != null)
            {
                _pending.Remove(n);
                _inFlight[trial.Id] = (trial, worker);
                worker.Tell(trial.IsBaseline
                    ? new TrialAssignment(_workerSweep, trial, null, null)
                    : new TrialAssignment(_workerSweep, trial, _teacher, _artifacts));
                _reporter.Tell(new TrialAssigned(_sweep.SweepId, trial, node));
                if (_log.IsInfoEnabled) _log.Info("trial {0} ({1}) to {2}", trial.Id, trial.Label, worker.Path);
                return true;
            }
            n = next;
        }
        return false;
    }

    /// <summary>Hands work to idle workers, oldest first, while there is work they can take.</summary>
    private void Dispatch()
    {
        while (_idle.Count > 0 && _summary is null)
        {
            var w = _idle[0];
            if (!TryAssign(w, NodeOf(w))) return;
            _idle.RemoveAt(0);
        }
    }

    private string NodeOf(IActorRef worker)
    {
        var a = worker.Path.Address;
        if (a.Host is null && InCluster) a = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        return a.Host is null ? "local" : $"{a.Host}:{a.Port}";
    }

    private void OnCompleted(TrialCompleted c)
    {
        Record(c);
        NextFor(Sender, c.Result.Node);
    }

    private void Record(TrialCompleted c)
    {
        var id = c.Result.Id;
        if (!_byId.TryGetValue(id, out var trial)) return;
        if (_finished.Contains(id) || _committing.Contains(id))
        {
            _duplicates++;
            _log.Info("trial {0}: duplicate result from {1} discarded", id, c.Result.Node);
            return;
        }
        // Whoever had it in flight (this worker, or the one it was requeued to) no longer needs to run it.
        _inFlight.Remove(id);
        _committing.Add(id);
        var self = Self;
        _journal.AppendAsync(c.Result).ContinueWith(t => t.IsCompletedSuccessfully
                ? (object)new ResultDurable(c.Result)
                : new JournalFailed(id, trial, t.Exception?.GetBaseException().Message ?? "cancelled"),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(self);
    }

    private void OnDurable(ResultDurable d)
    {
        _committing.Remove(d.Result.Id);
        _finished.Add(d.Result.Id);
        _failed.Remove(d.Result.Id);
        _reporter.Tell(new TrialFinished(_sweep.SweepId, d.Result));
        if (_log.IsInfoEnabled) _log.Info("trial {0} finished on {1}: test accuracy {2:F4}", d.Result.Id, d.Result.Node, d.Result.TestAcc);
        CheckDone();
    }

    private void OnFailed(TrialFailed f)
    {
        RecordFailure(f);
        NextFor(Sender, f.Node);
    }

    private void RecordFailure(TrialFailed f)
    {
        if (!_inFlight.TryGetValue(f.TrialId, out var x) || !x.Worker.Equals(Sender)) return; // no longer this worker's
        _inFlight.Remove(f.TrialId);
        int attempts = _attempts[f.TrialId] = _attempts.GetValueOrDefault(f.TrialId) + 1;
        _log.Warning("trial {0} failed on {1} (attempt {2}): {3}", f.TrialId, f.Node, attempts, f.Error);
        if (f.Retryable && attempts < MaxAttempts)
        {
            Requeue(x.Trial, f.Error);
            Dispatch();
        }
        else
        {
            _failed[f.TrialId] = f.Error;
            _reporter.Tell(new TrialGaveUp(_sweep.SweepId, f.TrialId, f.Error));
            CheckDone();
        }
    }

    private void OnReturned(WorkReturned r)
    {
        _log.Info("{0} returned by {1}: {2}", r.TrialId, r.Node, r.Reason);
        if (r.TrialId == TeacherTrial.Id)
        {
            if (Sender.Equals(_teacherWorker)) _teacherWorker = null;
        }
        else if (_inFlight.TryGetValue(r.TrialId, out var x) && x.Worker.Equals(Sender))
        {
            _inFlight.Remove(r.TrialId);
            Requeue(x.Trial, $"{r.Reason} ({r.Node})");
        }
        _idle.Remove(Sender);
        Dispatch();
    }

    private void Requeue(Trial trial, string reason)
    {
        if (_finished.Contains(trial.Id) || _committing.Contains(trial.Id)) return;
        _pending.AddFirst(trial);
        _requeued++;
        _reporter.Tell(new TrialRequeued(_sweep.SweepId, trial.Id, reason));
    }

    private static bool IsWorkerOnly(Member m) => m.HasRole(WorkerNode.WorkerRole) && !m.HasRole(WorkerNode.CoordinatorRole);

    /// <summary>
    /// A worker node whose connection closed and that the failure detector also finds unreachable is dead (or cut off
    /// for good): down it, so that it does not block the cluster's convergence (new workers could not become Up) nor
    /// count in the split brain resolver's majority while workers crash and restart. Its trials are already back in
    /// the queue. A worker that was only cut off learns it was downed and joins again (akkakd worker restarts itself).
    /// </summary>
    private void DownIfDead(Address address)
    {
        if (!_disconnected.Contains(address) || !_unreachableWorkers.Contains(address)) return;
        _log.Warning("downing worker node {0}: its connection closed and it is unreachable", address);
        Akka.Cluster.Cluster.Get(Context.System).Down(address);
        _unreachableWorkers.Remove(address);
    }

    private void NodeLost(Address address, string reason)
    {
        if (InCluster && address.Equals(Akka.Cluster.Cluster.Get(Context.System).SelfAddress)) return;
        WorkersGone(w => address.Equals(w.Path.Address), reason + " " + address.HostPort());
    }

    /// <summary>Every trial in flight on a worker that matches goes back to the queue, at the front.</summary>
    private void WorkersGone(Func<IActorRef, bool> gone, string reason)
    {
        _idle.RemoveAll(w => gone(w));
        foreach (var (id, (trial, _)) in _inFlight.Where(kv => gone(kv.Value.Worker)).ToList())
        {
            _log.Warning("trial {0} back to the queue: {1}", id, reason);
            _inFlight.Remove(id);
            Requeue(trial, reason);
        }
        if (_teacherWorker != null && gone(_teacherWorker))
        {
            _log.Warning("teacher back to the queue: {0}", reason);
            _teacherWorker = null;
            _reporter.Tell(new TrialRequeued(_sweep.SweepId, TeacherTrial.Id, reason));
        }
        Dispatch();
    }

    private void OnTeacherTrained(TeacherTrained t)
    {
        if (Sender.Equals(_teacherWorker)) _teacherWorker = null;
        if (_teacher == null && _teacherArriving == null)
        {
            _teacherArriving = t.Teacher;
            // The artifact must be on this node before the teacher counts: the node that trained it may die.
            if (_artifacts is null) CommitTeacher(t.Teacher);
            else _artifacts.Tell(new EnsureArtifact(t.Teacher.Hash, t.ArtifactSource));
        }
        NextFor(Sender, t.Teacher.Node);
    }

    private void CommitTeacher(TeacherRecord teacher)
    {
        var self = Self;
        _journal.AppendAsync(teacher).ContinueWith(x => x.IsCompletedSuccessfully
                ? (object)new TeacherDurable(teacher)
                : new TeacherFailed(_sweep.SweepId, teacher.Node, "journal write failed: " + x.Exception?.GetBaseException().Message),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(self);
    }

    private void OnTeacherDurable(TeacherDurable d)
    {
        _teacherArriving = null;
        _teacher = d.Teacher;
        _reporter.Tell(new TeacherReady(_sweep.SweepId, d.Teacher));
        Dispatch();
    }

    private void OnTeacherFailed(TeacherFailed f)
    {
        _teacherArriving = null;
        if (Sender.Equals(_teacherWorker)) _teacherWorker = null;
        _teacherFailures++;
        _log.Error("teacher failed on {0}: {1}", f.Node, f.Error);
        if (_teacherFailures < MaxAttempts)
        {
            Dispatch();
            return;
        }
        // Without a teacher no distilled trial can run: give them up.
        foreach (var t in _pending.Where(t => !t.IsBaseline).ToList())
        {
            _pending.Remove(t);
            _failed[t.Id] = "no teacher: " + f.Error;
            _reporter.Tell(new TrialGaveUp(_sweep.SweepId, t.Id, "no teacher: " + f.Error));
        }
        CheckDone();
    }

    private void CheckDone()
    {
        if (_summary != null) return;
        int finished = _finished.Count; // only ids of this grid get in
        if (finished + _failed.Count < _total) return;
        double total = _clock.Elapsed.TotalSeconds;
        _summary = new SweepSummary(_sweep.SweepId, _total, finished, _finishedBefore,
            _failed.Keys.Order(StringComparer.Ordinal).ToArray(), _duplicates, _requeued, total,
            _firstAssignment is { } first ? total - first.TotalSeconds : 0);
        _log.Info("sweep {0} done: {1} finished, {2} failed, {3} duplicates discarded, {4} requeued",
            _sweep.SweepId, _summary.Finished, _summary.FailedTrials.Length, _duplicates, _requeued);
        foreach (var w in _idle) w.Tell(new NoWorkYet(_sweep.SweepId));
        _reporter.Ask<ReportWritten>(new WriteReport(_summary), TimeSpan.FromMinutes(2)).PipeTo(Self);
    }

    private void AnswerWaiters()
    {
        foreach (var w in _waiters) w.Tell(_summary!);
        _waiters.Clear();
    }

    /// <summary>How the teacher shows in the live table while it trains.</summary>
    public static readonly Trial TeacherTrial = new("teacher", "teacher", 0, null, 0, 0, 0);

    private sealed record ResultDurable(TrialResult Result);
    private sealed record TeacherDurable(TeacherRecord Teacher);
    private sealed record JournalFailed(string TrialId, Trial? Trial, string Error);
}
