using AkkaKd.Cluster.Messages;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Workers;

/// <summary>
/// A scheduler's rung on a worker: the student continues from its checkpoint (kept by SHA-256 in the node's artifact
/// store, on disk with the teacher's logits), or, when the checkpoint is not on this node, trains again up to the rung it
/// continues from (deterministic: the same bits). Its own checkpoint goes into the store for the next rung.
/// </summary>
public static class SegmentTraining
{
    public static TrialResult Run(NodeServices node, SweepContext sweep, TrialWork work, TeacherRecord? teacherRecord,
        EpochCallback progress, CancellationToken cancel)
    {
        var s = sweep.Settings;
        var trial = work.Trial;
        var data = node.Data(sweep, work.Trial.Width);
        Blas.EnsureThreads(s.ThreadsPerTrial);
        var teacher = node.TeacherFor(trial, teacherRecord, data);
        var spec = s.StudentSpec(trial);
        // Validation rows rank the configurations at every rung (never the test rows).
        var validation = data.Validation;
        SegmentOutcome Train(StudentCheckpoint? from, int until, EpochCallback? report) =>
            StudentSegments.Train(data.Train, validation, data.Test, data.Data.Classes, spec, trial.Kd, teacher, Blas.Gemm, from, until,
                report is null ? null : e => report(e.Epoch, e.Epochs, e.MeanLoss, e.Seconds, e.ValAccuracy), cancel);

        long teacherParams = Distiller.ParameterCount(data.Data.Features, s.Teacher.Hidden, data.Data.Classes);
        TrialResult Diverged(SegmentOutcome o, Divergence d) => TrialResult.DivergedResult(new TrialResult(trial.Id, trial.Width,
            trial.Temperature, trial.Alpha, trial.Seed, 0, 0, teacherRecord?.TestAccuracy, o.Parameters, teacherParams, o.TrainSeconds,
            node.Node, DateTimeOffset.UtcNow, Epochs: work.UntilEpoch), d.Epoch, d.Reason);

        StudentCheckpoint? start = null;
        if (work.FromEpoch > 0)
        {
            if (work.Checkpoint is { } hash && node.Teachers.Checkpoints.TryGet(hash) is { } bytes && StudentCheckpoint.FromBytes(bytes) is var c &&
                c.Epoch == work.FromEpoch)
                start = c;
            else
            {
                var before = Train(null, work.FromEpoch, null);
                if (before.Divergence is { } early) return Diverged(before, early);
                start = before.Checkpoint;
            }
        }
        var outcome = Train(start, work.UntilEpoch, progress);
        // A divergence is a result: the trial ends at this segment (the ledger journals it as the trial's line).
        if (outcome.Divergence is { } diverged) return Diverged(outcome, diverged);
        // This node continued from it: its copy is needed no more (the coordinator drops the one where it was made).
        if (work.Checkpoint is { } used) node.Teachers.Checkpoints.Remove(used);
        string? name = null;
        if (work.UntilEpoch < s.Student.Epochs) // the last rung is not continued
        {
            var state = outcome.Checkpoint!.ToBytes();
            name = StudentCheckpoint.HashOf(state);
            node.Teachers.Checkpoints.Put(name, state); // the cache checks the bytes against their SHA-256 name
        }
        // A rung's result has no test accuracy (0, as a diverged one): the test rows are evaluated at the trial's end only.
        return new TrialResult(trial.Id, trial.Width, trial.Temperature, trial.Alpha, trial.Seed, outcome.Test?.Accuracy ?? 0,
            outcome.Test?.Loss ?? 0, teacherRecord?.TestAccuracy, outcome.Parameters, teacherParams, outcome.TrainSeconds, node.Node,
            DateTimeOffset.UtcNow, ValAcc: outcome.Validation?.Accuracy, ValLoss: outcome.Validation?.Loss,
            ValAccCurve: outcome.ValAccCurve, ValLossCurve: outcome.ValLossCurve, Epochs: work.UntilEpoch, Checkpoint: name,
            Status: TrialResult.Ok);
    }
}
