using Akka.Actor;
using Akka.Event;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Coordination;

/// <summary>
/// What the coordinator tells others after the ledger acted: the reporter (requeues, give-ups, decisions, results and
/// rung results), the journal (decision lines) and the artifact hubs (checkpoints no longer needed), and the log.
/// Part of the coordinator's plumbing, kept apart so the actor reads as the message flow it is.
/// </summary>
public sealed class LedgerOutbox(string sweepId, IActorRef reporter, Journal journal, Assignments assignments, ILoggingAdapter log)
{
    /// <summary>The ledger's events since the last call.</summary>
    public void Publish(IEnumerable<LedgerEvent> events)
    {
        foreach (var e in events)
        {
            if (e is LedgerEvent.Requeued r) reporter.Tell(new TrialRequeued(sweepId, r.Work.Id, r.Reason));
            else if (e is LedgerEvent.GaveUp g) reporter.Tell(new TrialGaveUp(sweepId, g.Work.Id, g.Error));
            else if (e is LedgerEvent.Decided dec)
            {
                var line = DecisionRecord.Of(dec.Decision);
                journal.AppendAsync(line); // replayed from the rungs if lost
                reporter.Tell(new TrialDecided(sweepId, line));
                if (!dec.Decision.Promote && assignments.Stopped(dec.Decision.TrialId) is { } drop) drop.Hub.Tell(new DropCheckpoint(drop.Hash));
            }
            if (e is LedgerEvent.Decided) log.Info("{0}", e);
            else log.Warning("{0}", e);
        }
    }

    /// <summary>A result (or a rung's result) is durable: the reporter shows it; the checkpoint it continued from can go.</summary>
    public void Durable(TrialResult result, RungRecord? rung)
    {
        foreach (var (hash, hub) in assignments.Durable(result)) hub.Tell(new DropCheckpoint(hash)); // its continuation is durable
        if (rung is null) reporter.Tell(new TrialFinished(sweepId, result));
        else reporter.Tell(new RungFinished(sweepId, rung));
        if (log.IsInfoEnabled) log.Info("trial {0} finished on {1}: {2}", result.Id, result.Node, result.Outcome);
    }
}
