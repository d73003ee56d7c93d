using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Actors;

/// <summary>
/// One per sweep, on the node that launched it. Holds the queue of pending trials, the trials in flight (and which
/// worker has each), and the finished ids. Work is pulled by idle workers. A worker that dies gives its trials back;
/// a result counts once, and only after the journal made it durable.
/// </summary>
public sealed class SweepCoordinator : ReceiveActor
{
    /// <summary>A trial that fails this many times (not counting workers that died) is given up.</summary>
    public const int MaxAttempts = 3;

    private readonly SweepContext _sweep;
    private readonly IActorRef _reporter;
    private readonly Journal _journal;
    private readonly int _total;
    private readonly HashSet<string> _trialIds;
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

    private TeacherRecord? _teacher;
    private IActorRef? _teacherWorker;
    private bool _teacherCommitting;
    private int _teacherFailures;
    private int _duplicates;
    private int _requeued;
    private SweepSummary? _summary;

    public SweepCoordinator(SweepContext sweep, IReadOnlyList<Trial> trials, IReadOnlyList<TrialResult> finishedBefore,
        TeacherRecord? teacher, Journal journal, IActorRef reporter)
    {
        _sweep = sweep;
        _journal = journal;
        _reporter = reporter;
        _teacher = teacher;
        _total = trials.Count;
        _trialIds = trials.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var r in finishedBefore) _finished.Add(r.Id);
        _finishedBefore = trials.Count(t => _finished.Contains(t.Id));
        // Baselines first: they need no teacher and run while it trains.
        foreach (var t in trials.Where(t => !_finished.Contains(t.Id)).OrderBy(t => t.IsBaseline ? 0 : 1)) _pending.AddLast(t);
        _teacherNeeded = _pending.Any(t => !t.IsBaseline);

        Receive<RequestWork>(OnRequestWork);
        Receive<TrialProgress>(p => _reporter.Forward(p));
        Receive<TrialCompleted>(OnCompleted);
        Receive<ResultDurable>(OnDurable);
        Receive<TrialFailed>(OnFailed);
        Receive<TeacherTrained>(OnTeacherTrained);
        Receive<TeacherDurable>(OnTeacherDurable);
        Receive<TeacherFailed>(OnTeacherFailed);
        Receive<JournalFailed>(f =>
        {
            _log.Error("journal write failed: {0}", f.Error);
            _committing.Remove(f.TrialId);
            Requeue(f.TrialId, null, "journal write failed");
            Dispatch();
        });
        Receive<Terminated>(t => OnWorkerGone(t.ActorRef, "worker stopped"));
        Receive<AwaitSweep>(_ =>
        {
            if (_summary != null) Sender.Tell(_summary);
            else _waiters.Add(Sender);
        });
        Receive<ReportWritten>(_ =>
        {
            foreach (var w in _waiters) w.Tell(_summary!);
            _waiters.Clear();
        });
        Receive<Status.Failure>(f =>
        {
            _log.Error(f.Cause, "report failed");
            foreach (var w in _waiters) w.Tell(_summary!);
            _waiters.Clear();
        });
    }

    public static Props Props(SweepContext sweep, IReadOnlyList<Trial> trials, IReadOnlyList<TrialResult> finishedBefore,
        TeacherRecord? teacher, Journal journal, IActorRef reporter) =>
        Akka.Actor.Props.Create(() => new SweepCoordinator(sweep, trials, finishedBefore, teacher, journal, reporter));

    protected override void PreStart()
    {
        _log.Info("sweep {0}: {1} trials, {2} already in the journal", _sweep.SweepId, _total, _finishedBefore);
        CheckDone();
    }

    private void OnRequestWork(RequestWork r)
    {
        if (_watched.Add(r.Worker)) Context.Watch(r.Worker);
        if (_summary != null || !TryAssign(r.Worker, r.Node))
        {
            if (!_idle.Contains(r.Worker)) _idle.Add(r.Worker);
            r.Worker.Tell(new NoWorkYet(_sweep.SweepId));
        }
    }

    /// <summary>Gives the worker the teacher to train, or the first trial it can run now. False if there is none.</summary>
    private bool TryAssign(IActorRef worker, string node)
    {
        if (_teacherNeeded && _teacher is null && _teacherWorker is null && !_teacherCommitting)
        {
            _teacherWorker = worker;
            worker.Tell(new TeacherAssignment(_sweep, _sweep.Settings.TeacherKey()));
            _reporter.Tell(new TrialAssigned(_sweep.SweepId, TeacherTrial, node));
            return true;
        }
        var n = _pending.First;
        while (n != null)
        {
            var next = n.Next;
            var trial = n.Value;
            if (_finished.Contains(trial.Id) || _committing.Contains(trial.Id))
            {
                _pending.Remove(n); // a late result finished it while it waited
            }
            else if (trial.IsBaseline || _teacher != null)
            {
                _pending.Remove(n);
                _inFlight[trial.Id] = (trial, worker);
                worker.Tell(new TrialAssignment(_sweep, trial, trial.IsBaseline ? null : _teacher));
                _reporter.Tell(new TrialAssigned(_sweep.SweepId, trial, node));
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

    private static string NodeOf(IActorRef worker)
    {
        var a = worker.Path.Address;
        return a.Host is null ? "local" : $"{a.Host}:{a.Port}";
    }

    private void OnCompleted(TrialCompleted c)
    {
        var id = c.Result.Id;
        if (_inFlight.TryGetValue(id, out var f) && f.Worker.Equals(Sender)) _inFlight.Remove(id);
        if (_finished.Contains(id) || _committing.Contains(id))
        {
            _duplicates++;
            _log.Info("trial {0}: duplicate result from {1} discarded", id, c.Result.Node);
            return;
        }
        _inFlight.Remove(id);
        _committing.Add(id);
        var self = Self;
        _journal.AppendAsync(c.Result).ContinueWith(t => t.IsCompletedSuccessfully
                ? (object)new ResultDurable(c.Result)
                : new JournalFailed(id, t.Exception?.GetBaseException().Message ?? "cancelled"),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(self);
    }

    private void OnDurable(ResultDurable d)
    {
        _committing.Remove(d.Result.Id);
        _finished.Add(d.Result.Id);
        _failed.Remove(d.Result.Id);
        _reporter.Tell(new TrialFinished(_sweep.SweepId, d.Result));
        CheckDone();
    }

    private void OnFailed(TrialFailed f)
    {
        if (_inFlight.TryGetValue(f.TrialId, out var x) && x.Worker.Equals(Sender)) _inFlight.Remove(f.TrialId);
        else return; // not (any longer) this worker's trial
        int attempts = _attempts[f.TrialId] = _attempts.GetValueOrDefault(f.TrialId) + 1;
        _log.Warning("trial {0} failed on {1} (attempt {2}): {3}", f.TrialId, f.Node, attempts, f.Error);
        if (f.Retryable && attempts < MaxAttempts)
        {
            Requeue(f.TrialId, x.Trial, f.Error);
            Dispatch();
        }
        else
        {
            _failed[f.TrialId] = f.Error;
            _reporter.Tell(new TrialGaveUp(_sweep.SweepId, f.TrialId, f.Error));
            CheckDone();
        }
    }

    private void Requeue(string id, Trial? trial, string reason)
    {
        trial ??= _inFlight.TryGetValue(id, out var x) ? x.Trial : null;
        _inFlight.Remove(id);
        if (trial is null || _finished.Contains(id)) return;
        _pending.AddFirst(trial);
        _requeued++;
        _reporter.Tell(new TrialRequeued(_sweep.SweepId, id, reason));
    }

    private void OnWorkerGone(IActorRef worker, string reason)
    {
        _watched.Remove(worker);
        _idle.Remove(worker);
        foreach (var id in _inFlight.Where(kv => kv.Value.Worker.Equals(worker)).Select(kv => kv.Key).ToList())
        {
            _log.Warning("trial {0} back to the queue: {1} ({2})", id, reason, worker.Path);
            Requeue(id, null, reason);
        }
        if (worker.Equals(_teacherWorker))
        {
            _log.Warning("teacher back to the queue: {0}", reason);
            _teacherWorker = null;
        }
        Dispatch();
    }

    private void OnTeacherTrained(TeacherTrained t)
    {
        if (_teacher != null || _teacherCommitting) return;
        _teacherCommitting = true;
        _teacherWorker = null;
        var self = Self;
        _journal.AppendAsync(t.Teacher).ContinueWith(x => x.IsCompletedSuccessfully
                ? (object)new TeacherDurable(t.Teacher)
                : new TeacherFailed(_sweep.SweepId, t.Teacher.Node, "journal write failed: " + x.Exception?.GetBaseException().Message),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(self);
    }

    private void OnTeacherDurable(TeacherDurable d)
    {
        _teacherCommitting = false;
        _teacher = d.Teacher;
        _reporter.Tell(new TeacherReady(_sweep.SweepId, d.Teacher));
        Dispatch();
    }

    private void OnTeacherFailed(TeacherFailed f)
    {
        _teacherCommitting = false;
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
        int finished = _finished.Count(_trialIds.Contains);
        if (finished + _failed.Count < _total) return;
        _summary = new SweepSummary(_sweep.SweepId, _total, finished, _finishedBefore,
            _failed.Keys.Order(StringComparer.Ordinal).ToList(), _duplicates, _requeued, _clock.Elapsed.TotalSeconds);
        _log.Info("sweep {0} done: {1} finished, {2} failed, {3} duplicates discarded, {4} requeued",
            _sweep.SweepId, _summary.Finished, _summary.FailedTrials.Count, _duplicates, _requeued);
        foreach (var w in _idle) w.Tell(new NoWorkYet(_sweep.SweepId));
        _reporter.Ask<ReportWritten>(new WriteReport(_summary), TimeSpan.FromMinutes(2)).PipeTo(Self);
    }

    /// <summary>How the teacher shows in the live table while it trains.</summary>
    public static readonly Trial TeacherTrial = new("teacher", "teacher", 0, null, 0, 0, 0);

    private sealed record ResultDurable(TrialResult Result);
    private sealed record TeacherDurable(TeacherRecord Teacher);
    private sealed record JournalFailed(string TrialId, string Error);
}
