namespace AkkaKd.Sweep.Work;

/// <summary>
/// A piece of work a slot can take: the sweep's teacher, or a trial trained up to an epoch. Work is told apart by its
/// type, never by its id; the id only names it (in leases, progress and logs).
/// </summary>
public abstract record WorkItem
{
    /// <summary>A name unique among the sweep's work (a trial's id; the teacher's own).</summary>
    public abstract string Id { get; }

    /// <summary>What a person reads in the live table and the log.</summary>
    public abstract string Label { get; }
}

/// <summary>Train the sweep's teacher (once per teacher settings, data and seed) and keep its logits as an artifact.</summary>
public sealed record TeacherWork(string TeacherKey) : WorkItem
{
    public override string Id => "teacher-" + SweepSettings.Sha256Hex(TeacherKey)[..8];
    public override string Label => "teacher";
}

/// <summary>
/// Train one trial from epoch <see cref="FromEpoch"/> (0: from scratch) up to <see cref="UntilEpoch"/>. A grid runs every
/// trial in one segment; a scheduler (successive halving) runs a trial rung by rung, each segment continuing from the
/// checkpoint of the one before (<see cref="Checkpoint"/>, the SHA-256 of its bytes; null or not found: the worker
/// trains again up to <see cref="FromEpoch"/>, deterministically).
/// </summary>
public sealed record TrialWork(Trial Trial, int UntilEpoch, int FromEpoch = 0, string? Checkpoint = null) : WorkItem
{
    public override string Id => Trial.Id;
    public override string Label => Trial.Label;

    /// <summary>A distilled trial needs the teacher's logits; a baseline does not.</summary>
    public bool NeedsTeacher => !Trial.IsBaseline;

    /// <summary>The last segment of the trial: its result is the trial's final result.</summary>
    public bool IsWhole(int epochs) => FromEpoch == 0 && UntilEpoch == epochs;
}

/// <summary>Why a worker gave work back without it counting as a failed attempt.</summary>
public enum ReturnReason
{
    /// <summary>The worker's node is leaving the cluster.</summary>
    NodeLeaving,

    /// <summary>The worker already had work (an assignment crossed a request).</summary>
    WorkerBusy,

    /// <summary>
    /// The node cannot use the sweep's data: they differ (by fingerprint), a file is missing or corrupt there, or the
    /// sweep does not fit its memory at its slots. It takes no more work from this sweep.
    /// </summary>
    DataMismatch,

    /// <summary>The sweep's coordinator is gone.</summary>
    CoordinatorGone,

    /// <summary>The worker did not have the sweep's settings (an assignment without them, after a restart): send them.</summary>
    SweepUnknown,
}
