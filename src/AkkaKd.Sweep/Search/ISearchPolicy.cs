using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep.Search;

/// <summary>
/// What a sweep runs and when it is done. The work ledger asks its policy for the work a sweep starts with and tells it
/// every durable result; the policy answers with the work that follows (more configurations, a trial continued to its
/// next rung) and with its decisions (promote, stop), which the journal keeps. A grid adds everything at the start; an
/// adaptive policy adds trials as results arrive and continues or stops a trial at an epoch boundary.
/// <para>Policies are plain, deterministic objects: the same results in the same order give the same decisions.</para>
/// </summary>
public interface ISearchPolicy
{
    /// <summary>Its name in the journal and the live table (grid, random, sobol, sha, asha).</summary>
    string Name { get; }

    /// <summary>The student's full epochs: a segment that ends there is the trial's final result.</summary>
    int Epochs { get; }

    /// <summary>The trials the sweep plans now (its progress total). An adaptive policy's total may grow or shrink.</summary>
    int Total { get; }

    /// <summary>Every trial the policy knows of, by id (for results that arrive, and for resume).</summary>
    IReadOnlyDictionary<string, Trial> Trials { get; }

    /// <summary>The work the sweep starts with, in the order it should run, leaving out the finished ids.</summary>
    IReadOnlyList<TrialWork> Start(IReadOnlySet<string> finished);

    /// <summary>A segment's result is durable: the work that follows from it, and what was decided.</summary>
    PolicyStep Completed(TrialWork work, TrialResult result);

    /// <summary>A trial was given up (it failed too often, or has no teacher): the policy goes on without it.</summary>
    PolicyStep GaveUp(TrialWork work);

    /// <summary>True when the policy will add no more work: with nothing queued or running, the sweep is over.</summary>
    bool Exhausted { get; }
}

/// <summary>A policy's answer to a result: the work to queue (in order) and its decisions, for the journal.</summary>
public sealed record PolicyStep(IReadOnlyList<TrialWork> Next, IReadOnlyList<PolicyDecision> Decisions)
{
    public static readonly PolicyStep None = new([], []);
}

/// <summary>
/// A decision about a trial at an epoch: go on to the next rung, or stop there. A scheduler decides per configuration
/// (<see cref="ConfigId"/>): all its seeds go on or stop together, one decision each.
/// </summary>
public sealed record PolicyDecision(string TrialId, int Epoch, bool Promote, string? ConfigId = null);
