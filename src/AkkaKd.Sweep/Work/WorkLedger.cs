using AkkaKd.Sweep.Search;

namespace AkkaKd.Sweep.Work;

/// <summary>
/// Everything a sweep's coordinator decides about work, as a plain class: the queue, the leases in flight (and which
/// worker holds each), the results being made durable, finished and failed trials, attempts and requeues, duplicates,
/// and the teacher's life cycle. It asks its <see cref="ISearchPolicy"/> what the sweep starts with and what follows a
/// result. The coordinator actor is its message plumbing: it calls these methods, sends the assignments they return,
/// and tells the reporter the <see cref="LedgerEvent"/>s it drains.
/// <para>
/// Workers are opaque keys (actor refs in the coordinator, strings in tests). A result counts once, and only after the
/// journal made it durable (<see cref="Completed"/> then <see cref="Durable"/>). Every retry is bounded: a trial, the
/// teacher and the journal each get <see cref="MaxAttempts"/> tries; then the trial is given up, the distilled trials
/// are given up, or the sweep ends with an error, never an endless loop. A trial whose training diverged is not a failure:
/// its result (<see cref="TrialResult.Diverged"/>) is journalled as the trial's line, finishes it whatever segment it was
/// in, and is never retried; the policy goes on without it.
/// </para>
/// </summary>
public sealed class WorkLedger<TWorker> where TWorker : notnull
{
    public const int DefaultMaxAttempts = 3;

    private readonly ISearchPolicy _policy;
    private readonly TeacherWork? _teacherWork;
    private readonly WorkQueue _queue = new();
    private readonly Dictionary<string, (TrialWork Work, TWorker Worker)> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrialWork> _committing = new(StringComparer.Ordinal);
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly HashSet<(string TrialId, int UntilEpoch)> _segmentsDone = [];
    private readonly Dictionary<string, string> _failed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly List<TWorker> _idle = [];
    private readonly List<LedgerEvent> _events = [];
    private readonly TeacherLifecycle<TWorker> _teacher;

    private bool _open;
    private int _journalFailures;

    /// <param name="policy">What runs and what follows a result.</param>
    /// <param name="teacherWork">The sweep's teacher, trained by the first worker that asks once a distilled trial waits.</param>
    /// <param name="teacher">The teacher already durable in the journal (resume), or null.</param>
    /// <param name="finishedBefore">Ids already in the journal: never handed out again.</param>
    /// <param name="segmentsBefore">
    /// A scheduler's segments already in the journal (rung results, then final results), in journal order: replayed
    /// through the policy so it stands where it stood; its decisions are not told again unless missing from
    /// <paramref name="decidedBefore"/>.
    /// </param>
    public WorkLedger(ISearchPolicy policy, TeacherWork? teacherWork, TeacherRecord? teacher, IEnumerable<string> finishedBefore,
        int maxAttempts = DefaultMaxAttempts, IReadOnlyList<TrialResult>? segmentsBefore = null,
        IReadOnlySet<(string TrialId, int Epoch)>? decidedBefore = null)
    {
        _policy = policy;
        _teacherWork = teacherWork;
        MaxAttempts = maxAttempts;
        _teacher = new TeacherLifecycle<TWorker>(teacher, maxAttempts);
        foreach (var id in finishedBefore)
            if (policy.Trials.ContainsKey(id))
            {
                _finished.Add(id);
                _segmentsDone.Add((id, policy.Epochs));
            }
        var replay = (segmentsBefore ?? []).Where(r => policy.Trials.ContainsKey(r.Id)).ToList();
        foreach (var r in replay) _segmentsDone.Add((r.Id, r.Epochs ?? policy.Epochs));
        FinishedBefore = _finished.Count;
        foreach (var w in policy.Start(_finished)) Enqueue(w, atFront: false);
        foreach (var r in replay)
        {
            var work = new TrialWork(policy.Trials[r.Id], r.Epochs ?? policy.Epochs);
            var step = r.Diverged ? policy.GaveUp(work) : policy.Completed(work, r); // as when it was durable
            var missing = step.Decisions.Where(d => decidedBefore?.Contains((d.TrialId, d.Epoch)) != true).ToList();
            Apply(new PolicyStep(step.Next, missing));
        }
    }

    public int MaxAttempts { get; }
    public int Total => _policy.Total;
    public int FinishedBefore { get; }
    public int Finished => _finished.Count;
    public int Duplicates { get; private set; }
    public int Requeued { get; private set; }
    public IReadOnlyDictionary<string, string> FailedTrials => _failed;
    public TeacherRecord? Teacher => _teacher.Record;
    public int InFlight => _inFlight.Count + (_teacher.Leased ? 1 : 0);
    public int Queued => _queue.Count;

    /// <summary>Trials whose training diverged (finished: results with no accuracy, never retried), this run.</summary>
    public int Diverged { get; private set; }
    public bool Writing => _committing.Count > 0; // results handed to the journal and not yet durable

    /// <summary>Why the sweep ended early (the journal kept failing), or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Over: stopped with an error, or nothing queued, running or being made durable and the policy is done.</summary>
    public bool IsDone => Error != null || (_queue.Count == 0 && _inFlight.Count == 0 && !Writing && !_teacher.Busy && _policy.Exhausted);

    /// <summary>Work is handed out only once the ledger is open (the coordinator opens it when enough workers are up).</summary>
    public void Open() => _open = true;

    public bool IsOpen => _open;

    /// <summary>What happened since the last call, for the reporter and the log.</summary>
    public IReadOnlyList<LedgerEvent> DrainEvents()
    {
        var events = _events.ToArray();
        _events.Clear();
        return events;
    }

    /// <summary>An idle worker asks. Returns its work, or null: then it waits in line for <see cref="Dispatch"/>.</summary>
    public WorkItem? Request(TWorker worker)
    {
        var work = IsDone ? null : TryLease(worker);
        if (work is null && !_idle.Contains(worker)) _idle.Add(worker);
        else if (work != null) _idle.Remove(worker);
        return work;
    }

    /// <summary>Hands work to waiting workers, oldest first, while there is work they can take.</summary>
    public IReadOnlyList<(TWorker Worker, WorkItem Work)> Dispatch()
    {
        var handed = new List<(TWorker, WorkItem)>();
        while (_idle.Count > 0 && !IsDone)
        {
            var w = _idle[0];
            if (TryLease(w) is not { } work) break;
            _idle.RemoveAt(0);
            handed.Add((w, work));
        }
        return handed;
    }

    /// <summary>The workers waiting for work (told "nothing" when the sweep ends).</summary>
    public IReadOnlyList<TWorker> Idle => _idle;

    private WorkItem? TryLease(TWorker worker)
    {
        if (!_open || Error != null) return null;
        if (_teacherWork != null && _teacher.TryLease(worker, NeedsTeacher)) return _teacherWork;
        if (_teacher.Record is null && _queue.Distilled == _queue.Count) return null; // all of it waits for the teacher
        if (_queue.TakeFirst(w => !w.NeedsTeacher || _teacher.Record != null) is not { } work) return null;
        _inFlight[work.Id] = (work, worker);
        return work;
    }

    /// <summary>A distilled trial waits in the queue and no teacher is durable yet.</summary>
    private bool NeedsTeacher => _teacher.Record is null && _queue.Distilled > 0;

    /// <summary>
    /// A result arrived. True: make it durable now (then call <see cref="Durable"/> or <see cref="JournalFailed"/>).
    /// False: a duplicate (already finished or being written), a trial this sweep does not know, or a result with a
    /// number that is not finite and not marked diverged (a trainer's fault: given up, never journalled). A diverged
    /// result (<see cref="TrialResult.Diverged"/>) is a result: journalled as the trial's line, never retried.
    /// </summary>
    public bool Completed(TrialResult result)
    {
        var id = result.Id;
        if (!_policy.Trials.TryGetValue(id, out var trial)) return false;
        var active = _inFlight.TryGetValue(id, out var held0) ? held0.Work : _queue.Find(id) ?? _committing.GetValueOrDefault(id);
        int until = result.Epochs ?? active?.UntilEpoch ?? _policy.Epochs;
        // A segment counts once: a second result for it, or one for a segment that is not the trial's current one, is a duplicate.
        if (_finished.Contains(id) || _segmentsDone.Contains((id, until)) || _committing.ContainsKey(id) || (active != null && active.UntilEpoch != until))
        {
            Duplicates++;
            return false;
        }
        if (!result.IsFinite)
        {
            // Nothing non-finite reaches the journal (a trainer marks a divergence; this one did not).
            if (_inFlight.Remove(id, out var held)) GiveUp(held.Work, "its loss or accuracy is not a finite number");
            return false;
        }
        // Whoever had it (this worker, or the one it was requeued to) no longer needs to run it.
        var work = _inFlight.Remove(id, out var lease) ? lease.Work : _queue.Find(id) ?? new TrialWork(trial, until);
        _queue.Remove(id);
        _committing[id] = work;
        return true;
    }

    /// <summary>The journal made a result durable: it counts, and the policy says what follows.</summary>
    public void Durable(TrialResult result)
    {
        if (!_committing.Remove(result.Id, out var work)) return;
        _journalFailures = 0;
        _segmentsDone.Add((result.Id, work.UntilEpoch));
        if (result.Diverged)
        {
            // The trial is over, whatever segment it was in: finished as diverged; the policy goes on without it.
            Diverged++;
            _finished.Add(result.Id);
            _failed.Remove(result.Id);
            Apply(_policy.GaveUp(work));
            return;
        }
        if (work.UntilEpoch == _policy.Epochs)
        {
            _finished.Add(result.Id);
            _failed.Remove(result.Id);
        }
        Apply(_policy.Completed(work, result));
    }

    /// <summary>
    /// The journal could not write a result: the trial goes back to the queue (it will be trained again), and the
    /// failure counts. After <see cref="MaxAttempts"/> failures in a row the sweep ends with the error: a journal that
    /// cannot be written (a full disk) must not keep the cluster training for nothing.
    /// </summary>
    public void JournalFailed(string trialId, string error)
    {
        if (!_committing.Remove(trialId, out var work)) return;
        if (++_journalFailures >= MaxAttempts)
        {
            Error = $"the journal could not be written {_journalFailures} times in a row: {error}";
            _events.Add(new LedgerEvent.Stopped(Error));
            return;
        }
        Requeue(work, "journal write failed: " + error);
    }

    /// <summary>A trial failed on the worker that holds it. Retryable failures go back until the attempt limit.</summary>
    public void Failed(TWorker worker, string trialId, string error, bool retryable)
    {
        if (!_inFlight.TryGetValue(trialId, out var lease) || !lease.Worker.Equals(worker)) return; // no longer its work
        _inFlight.Remove(trialId);
        var segment = $"{trialId}@{lease.Work.UntilEpoch}";
        int attempts = _attempts[segment] = _attempts.GetValueOrDefault(segment) + 1;
        if (retryable && attempts < MaxAttempts) Requeue(lease.Work, error);
        else GiveUp(lease.Work, attempts > 1 ? $"{error} (after {attempts} attempts)" : error);
    }

    /// <summary>The worker gave its work back without it counting as an attempt (leaving, busy, other data).</summary>
    public void Returned(TWorker worker, WorkItem work, string reason)
    {
        _idle.Remove(worker);
        if (work is TeacherWork) _teacher.Unlease(worker);
        else if (_inFlight.TryGetValue(work.Id, out var lease) && lease.Worker.Equals(worker))
        {
            _inFlight.Remove(work.Id);
            Requeue(lease.Work, reason);
        }
    }

    /// <summary>Workers that died (or whose node is gone): their work goes back to the front of the queue.</summary>
    public void WorkersLost(Func<TWorker, bool> gone, string reason)
    {
        _idle.RemoveAll(w => gone(w));
        foreach (var (id, (work, _)) in _inFlight.Where(kv => gone(kv.Value.Worker)).ToList())
        {
            _inFlight.Remove(id);
            Requeue(work, reason);
        }
        if (_teacher.LostBy(gone) && _teacherWork != null) _events.Add(new LedgerEvent.Requeued(_teacherWork, reason));
    }

    /// <summary>
    /// A worker trained the teacher. True: this is the teacher the sweep will use; bring its artifact to the coordinator's
    /// node, then journal it (<see cref="TeacherDurable"/>). False: one is already arriving or durable.
    /// </summary>
    public bool TeacherTrained(TWorker worker, TeacherRecord teacher) => _teacher.Trained(worker, teacher);

    /// <summary>The teacher is durable in the journal: distilled trials can run.</summary>
    public void TeacherDurable(TeacherRecord teacher) => _teacher.Durable(teacher);

    /// <summary>
    /// The teacher failed (on its worker, fetching its artifact, or in the journal). After <see cref="MaxAttempts"/>
    /// failures (or at once, for a failure that is not <paramref name="retryable"/>: a diverged teacher diverges again)
    /// every distilled trial is given up, and the teacher is never handed out again.
    /// </summary>
    public void TeacherFailed(TWorker? worker, string error, bool retryable = true)
    {
        if (!_teacher.Failed(worker, retryable)) return;
        foreach (var w in _queue.DistilledWork()) GiveUp(w, "no teacher: " + error);
    }

    /// <summary>The teacher the sweep waits for is arriving (its artifact is being fetched or journalled).</summary>
    public TeacherRecord? TeacherArriving => _teacher.Arriving;

    private void Apply(PolicyStep step) // continuations go first, in order (started late, a long one idles slots at the end)
    {
        foreach (var d in step.Decisions) _events.Add(new LedgerEvent.Decided(d));
        foreach (var w in step.Next.Where(w => w.FromEpoch == 0).Concat(step.Next.Where(w => w.FromEpoch > 0).Reverse())) Enqueue(w, w.FromEpoch > 0);
    }

    private void Enqueue(TrialWork work, bool atFront)
    {
        if (SegmentDone(work) || _finished.Contains(work.Id) || _committing.ContainsKey(work.Id) || _inFlight.ContainsKey(work.Id) ||
            _queue.Contains(work.Id))
            return;
        if (work.NeedsTeacher && _teacher.GaveUp) GiveUp(work, "no teacher");
        else _queue.Add(work, atFront);
    }

    private void Requeue(TrialWork work, string reason)
    {
        if (SegmentDone(work) || _committing.ContainsKey(work.Id)) return;
        Enqueue(work, atFront: true);
        Requeued++;
        _events.Add(new LedgerEvent.Requeued(work, reason));
    }

    private void GiveUp(TrialWork work, string error)
    {
        _queue.Remove(work.Id);
        _failed[work.Id] = error;
        _events.Add(new LedgerEvent.GaveUp(work, error));
        Apply(_policy.GaveUp(work));
    }

    /// <summary>The segment's result is durable (or, for a trial line of an old journal, the whole trial's).</summary>
    private bool SegmentDone(TrialWork work) => _segmentsDone.Contains((work.Id, work.UntilEpoch));

    /// <summary>
    /// The segment a result about to be journalled belongs to (between <see cref="Completed"/> and <see cref="Durable"/>):
    /// a segment that ends before the full epochs is a rung result, journalled as such rather than as the trial's.
    /// </summary>
    public TrialWork? Committing(string trialId) => _committing.GetValueOrDefault(trialId);

    /// <summary>
    /// The journal line of a result being made durable when it is a rung result (a segment before the full epochs);
    /// null for a trial's final result (its trial line).
    /// </summary>
    public RungRecord? RungLine(TrialResult result) =>
        !result.Diverged && Committing(result.Id) is { } seg && seg.UntilEpoch < _policy.Epochs
            ? RungRecord.Of(result, seg.Trial, (_policy as HalvingPolicy)?.RungEpochs.ToList().IndexOf(seg.UntilEpoch) ?? -1, seg.UntilEpoch)
            : null;

    /// <summary>The student's full epochs (a segment ending there is a trial's final result).</summary>
    public int Epochs => _policy.Epochs;
}
