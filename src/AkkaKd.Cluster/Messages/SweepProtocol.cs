using Akka.Actor;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Messages;

// Between the launcher (the CLI), the SweepCoordinator and the LeaderboardReporter.
// Collections in messages are arrays: concrete types that the serializer's allow-list can name.

/// <summary>Ask the coordinator for the sweep's summary; it answers once every trial is finished or failed.</summary>
public sealed record AwaitSweep : IAkkaKdMessage
{
    public static readonly AwaitSweep Instance = new();
}

/// <summary>
/// How a sweep ended. Error: why it stopped before its work was done (the journal could not be written), else null.
/// How a sweep ended. Seconds: since the coordinator started; WorkSeconds: from the first assignment to the last
/// result (without the wait for worker nodes). ReportError: the end-of-sweep files could not be written (one line naming
/// the file and the cause), null when they were. CancelledBy: who cancelled the sweep (`akkakd cancel`), else null.
/// DataError: every worker node refused the sweep's data (their copy differs), else null.
/// </summary>
public sealed record SweepSummary(
    string SweepId,
    int Total,
    int Finished,
    int FinishedBefore,
    string[] FailedTrials,
    int Duplicates,
    int Requeued,
    double Seconds,
    double WorkSeconds,
    string? Error = null,
    string? ReportError = null,
    string? CancelledBy = null,
    string? DataError = null) : IAkkaKdMessage
{
    /// <summary>The summary of a ledger that is done, timed from the coordinator's start and its first assignment.</summary>
    public static SweepSummary Of(string sweepId, WorkLedger<IActorRef> ledger, TimeSpan elapsed, TimeSpan? firstAssignment) =>
        new(sweepId, ledger.Total, ledger.Finished, ledger.FinishedBefore, ledger.FailedTrials.Keys.Order(StringComparer.Ordinal).ToArray(),
            ledger.Duplicates, ledger.Requeued, elapsed.TotalSeconds,
            firstAssignment is { } first ? (elapsed - first).TotalSeconds : 0, ledger.Error);
}

/// <summary>
/// Reporter: the sweep starts; results already in the journal come along, and a scheduled search's rung results and
/// decisions (on --resume: the live table shows every rung, not only this run's).
/// </summary>
public sealed record SweepStarted(SweepContext Sweep, int Total, TrialResult[] Finished, TeacherRecord? Teacher, int Slots,
    RungRecord[]? Rungs = null, DecisionRecord[]? Decisions = null) : IAkkaKdMessage;

/// <summary>Reporter: work (a trial, or the teacher) was handed to a worker.</summary>
public sealed record TrialAssigned(string SweepId, WorkItem Work, string Node) : IAkkaKdMessage;

/// <summary>Reporter: work went back to the queue (its worker died or failed).</summary>
public sealed record TrialRequeued(string SweepId, string WorkId, string Reason) : IAkkaKdMessage;

/// <summary>Reporter: a result is durable in the journal.</summary>
public sealed record TrialFinished(string SweepId, TrialResult Result) : IAkkaKdMessage;

/// <summary>Reporter: a scheduler's rung result is durable in the journal.</summary>
public sealed record RungFinished(string SweepId, RungRecord Rung) : IAkkaKdMessage;

/// <summary>Reporter: a scheduler decided about a trial at a rung (the decision is on its way to the journal).</summary>
public sealed record TrialDecided(string SweepId, DecisionRecord Decision) : IAkkaKdMessage;

/// <summary>Reporter: the teacher is durable in the journal.</summary>
public sealed record TeacherReady(string SweepId, TeacherRecord Teacher) : IAkkaKdMessage;

/// <summary>Reporter: a trial failed for good.</summary>
public sealed record TrialGaveUp(string SweepId, string TrialId, string Error) : IAkkaKdMessage;

/// <summary>
/// Reporter: the sweep is over; write the files and answer <see cref="ReportWritten"/>, or a failure whose message names
/// the file that could not be written and why.
/// </summary>
public sealed record WriteReport(SweepSummary Summary) : IAkkaKdMessage;

public sealed record ReportWritten(string SweepId, string[] Files) : IAkkaKdMessage;
