using AkkaKd.Cluster.Messages;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Workers;

/// <summary>A trial's progress callback: epoch, epochs, mean training loss, seconds, validation accuracy (if any).</summary>
public delegate void EpochCallback(int epoch, int epochs, double loss, double seconds, double? valAcc);

/// <summary>
/// What a worker runs on its training thread. The actors only move messages; this does the arithmetic (or, in the
/// scheduler benchmark, returns at once).
/// </summary>
public interface ITrialTrainer
{
    /// <summary>Trains the sweep's teacher, keeps its artifact in the node's store and describes it.</summary>
    TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel);

    /// <summary>Trains one student (the teacher artifact, if needed, is already in the node's store).</summary>
    TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
        CancellationToken cancel);

    /// <summary>
    /// Trains one segment of a trial (a scheduler's rung). A trainer that knows no segments trains the trial whole and
    /// reports it at the segment's epoch.
    /// </summary>
    TrialResult TrainSegment(NodeServices node, SweepContext sweep, TrialWork work, TeacherRecord? teacher, EpochCallback progress,
        CancellationToken cancel) =>
        TrainTrial(node, sweep, work.Trial, teacher, progress, cancel) is var r && work.IsWhole(sweep.Settings.Student.Epochs)
            ? r
            : r with { Epochs = work.UntilEpoch };
}

/// <summary>The real trainer: data from the node's cache (proven by fingerprint), MLPs trained with the process's GEMM.</summary>
public sealed class DistillationTrainer : ITrialTrainer
{
    public static readonly DistillationTrainer Instance = new();

    /// <summary>A whole trial as <see cref="TrainTrial"/>; a rung from its checkpoint (<see cref="SegmentTraining"/>).</summary>
    public TrialResult TrainSegment(NodeServices node, SweepContext sweep, TrialWork work, TeacherRecord? teacher, EpochCallback progress,
        CancellationToken cancel) => work.IsWhole(sweep.Settings.Student.Epochs)
        ? TrainTrial(node, sweep, work.Trial, teacher, progress, cancel)
        : SegmentTraining.Run(node, sweep, work, teacher, progress, cancel);

    public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel)
    {
        var s = sweep.Settings;
        var data = node.Data(sweep, null);
        Blas.EnsureThreads(s.ThreadsPerTrial);
        // Nothing distils before the teacher's logits exist: it takes every core of the node (the same bits as one).
        using var split = TeacherGemm(s.ThreadsPerTrial);
        var teacher = Distiller.TrainTeacher(data.Train, data.Test, data.Data.Classes, s.TeacherSpec(), (IGemm?)split ?? Blas.Gemm,
            e => progress(e.Epoch, e.Epochs, e.MeanLoss, e.Seconds, e.ValAccuracy), cancel, data.Validation);
        // Not yet journalled as a result of its own (issue 14): a diverged teacher fails at once, never as NaN.
        if (teacher.Divergence is { } diverged) throw new DivergedException($"the teacher diverged: {diverged.Reason}");
        node.Teachers.Put(teacher.Hash, teacher.Logits);
        return new TeacherRecord(SweepPlan.TeacherJournalKey(s, sweep.DataFingerprint), teacher.Hash, teacher.TestAccuracy!.Value,
            teacher.Parameters, teacher.TrainSeconds, node.Node)
        {
            ValAcc = teacher.Validation?.FinalAccuracy,
            ValAccCurve = teacher.Validation?.Accuracy.ToArray(),
        };
    }

    /// <summary>
    /// The teacher's GEMM: with OpenBLAS at one thread per trial, its products split into bands (rows or columns) over
    /// the node's cores (<see cref="RowSplitGemm"/>: the bits of one thread, whatever the core count); otherwise null
    /// (the process's GEMM).
    /// </summary>
    public static RowSplitGemm? TeacherGemm(int threadsPerTrial) =>
        Blas.Gemm is OpenBlasGemm ob && threadsPerTrial == 1 && Environment.ProcessorCount > 1
            ? new RowSplitGemm(ob, Math.Min(Environment.ProcessorCount, MaxTeacherBands))
            : null;

    /// <summary>More bands than this gain little on a 128-row batch (a band of 16 rows).</summary>
    public const int MaxTeacherBands = 8;

    public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacherRecord,
        EpochCallback progress, CancellationToken cancel)
    {
        var s = sweep.Settings;
        var data = node.Data(sweep, trial.Width);
        Blas.EnsureThreads(s.ThreadsPerTrial);
        var teacher = node.TeacherFor(trial, teacherRecord, data);
        var outcome = Distiller.TrainStudent(data.Train, data.Test, data.Data.Classes, s.StudentSpec(trial), trial.Kd,
            teacher, Blas.Gemm, e => progress(e.Epoch, e.Epochs, e.MeanLoss, e.Seconds, e.ValAccuracy), cancel, data.Validation);
        long teacherParams = Distiller.ParameterCount(data.Data.Features, s.Teacher.Hidden, data.Data.Classes);
        var result = new TrialResult(trial.Id, trial.Width, trial.Temperature, trial.Alpha, trial.Seed, outcome.TestAccuracy ?? 0,
            outcome.TestLoss ?? 0, teacherRecord?.TestAccuracy, outcome.Parameters, teacherParams, outcome.TrainSeconds, node.Node,
            DateTimeOffset.UtcNow, outcome.Validation?.FinalAccuracy, outcome.Validation?.FinalLoss,
            outcome.Validation?.Accuracy.ToArray(), outcome.Validation?.Loss.ToArray(), s.Student.Epochs, Status: TrialResult.Ok);
        // A divergence is a result (deterministic: training it again gives the same bits), never a NaN in the journal.
        return outcome.Divergence is { } diverged ? TrialResult.DivergedResult(result, diverged.Epoch, diverged.Reason) : result;
    }
}

/// <summary>
/// The teacher's training diverged (its loss became NaN or infinite): deterministic, so never worth another attempt. A
/// student that diverges is a result instead (<see cref="TrialResult.Diverged"/>).
/// </summary>
public sealed class DivergedException(string message) : Exception(message);
