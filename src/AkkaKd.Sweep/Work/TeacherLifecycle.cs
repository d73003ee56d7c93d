namespace AkkaKd.Sweep.Work;

/// <summary>
/// The sweep's teacher, from "needed" to "durable": leased to one worker at a time, then arriving (its artifact on its
/// way to the coordinator's node and into the journal), then durable. Each failure counts; at the limit it is given up
/// for good and never handed out again.
/// </summary>
internal sealed class TeacherLifecycle<TWorker>(TeacherRecord? durable, int maxAttempts) where TWorker : notnull
{
    private TWorker? _worker;

    public TeacherRecord? Record { get; private set; } = durable;
    public TeacherRecord? Arriving { get; private set; }
    public bool Leased { get; private set; }
    public int Failures { get; private set; }
    public bool GaveUp { get; private set; }

    /// <summary>Trained or arriving: the sweep is not over while it is.</summary>
    public bool Busy => Leased || Arriving != null;

    public bool TryLease(TWorker worker, bool needed)
    {
        if (!needed || Record != null || Leased || Arriving != null || GaveUp) return false;
        Leased = true;
        _worker = worker;
        return true;
    }

    public void Unlease(TWorker worker)
    {
        if (!Leased || !worker.Equals(_worker)) return;
        Leased = false;
        _worker = default;
    }

    /// <summary>True if the teacher was leased to a worker that is gone (it goes back to "needed").</summary>
    public bool LostBy(Func<TWorker, bool> gone)
    {
        if (!Leased || !gone(_worker!)) return false;
        Unlease(_worker!);
        return true;
    }

    public bool Trained(TWorker worker, TeacherRecord teacher)
    {
        Unlease(worker);
        if (Record != null || Arriving != null || GaveUp) return false;
        Arriving = teacher;
        return true;
    }

    public void Durable(TeacherRecord teacher)
    {
        Arriving = null;
        Record ??= teacher;
    }

    /// <summary>
    /// Counts a failure; true when this one reached the limit, or could not go otherwise on another attempt (not
    /// <paramref name="retryable"/>): the caller gives up the distilled trials.
    /// </summary>
    public bool Failed(TWorker? worker, bool retryable = true)
    {
        Arriving = null;
        if (worker is not null) Unlease(worker);
        if (GaveUp || Record != null) return false;
        Failures++;
        GaveUp = Failures >= maxAttempts || !retryable;
        return GaveUp;
    }
}
