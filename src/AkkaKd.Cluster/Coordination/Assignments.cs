using Akka.Actor;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Coordination;

/// <summary>
/// The message that hands a piece of work to a worker: the teacher to train, a baseline, a distilled trial with the
/// teacher artifact and where to fetch it, a scheduler's next rung with where its checkpoint is.
/// </summary>
public sealed class Assignments(SweepContext sweep, IActorRef? artifacts)
{
    // What travels with every assignment: the settings without the grid, which can be large.
    private readonly SweepContext _workerSweep = sweep with { Settings = sweep.Settings.WithoutGrid() };
    private readonly Dictionary<string, IActorRef> _checkpoints = new(StringComparer.Ordinal); // rung checkpoint -> its node's hub

    /// <summary>A rung result names the hub that holds its checkpoint: the continuation fetches it from there.</summary>
    public void Remember(TrialCompleted c)
    {
        if (c.Result.Checkpoint is { } checkpoint && c.CheckpointSource is { } source) _checkpoints[checkpoint] = source;
    }

    public IAkkaKdMessage For(WorkItem work, TeacherRecord? teacher)
    {
        IAkkaKdMessage assignment = work switch
        {
            TeacherWork t => new TeacherAssignment(_workerSweep, t),
            TrialWork { NeedsTeacher: false } t => new TrialAssignment(_workerSweep, t, null, null),
            TrialWork t => new TrialAssignment(_workerSweep, t, teacher, artifacts),
            _ => throw new InvalidOperationException("unknown work " + work.GetType().Name),
        };
        if (assignment is TrialAssignment { Work.Checkpoint: { } checkpoint } a && _checkpoints.TryGetValue(checkpoint, out var source))
            assignment = a with { CheckpointSource = source };
        return assignment;
    }
}
