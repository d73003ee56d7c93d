using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Training;

/// <summary>
/// One segment of a student's training: its checkpoint at the segment's end, its validation (if there are validation
/// rows) and, when the segment ends the trial, test evaluation there, and how the training went; or, when it diverged,
/// where (evaluations then null). The test rows are touched once per trial, at its end: a rung ranks on validation.
/// </summary>
public sealed record SegmentOutcome(StudentCheckpoint? Checkpoint, Evaluation? Validation, Evaluation? Test, long Parameters,
    double TrainSeconds, double SamplesPerSecond, double? FinalTrainLoss, Divergence? Divergence = null)
{
    public bool Diverged => Divergence != null;

    /// <summary>
    /// Validation accuracy after every epoch from the first (the earlier segments' carried in their checkpoints), or null
    /// when there are no validation rows or an earlier segment's curve is missing.
    /// </summary>
    public double[]? ValAccCurve => Checkpoint?.ValAccCurve is { } c && c.Length == Checkpoint.Epoch ? c : null;

    /// <summary>Validation loss after every epoch from the first, as <see cref="ValAccCurve"/>.</summary>
    public double[]? ValLossCurve => Checkpoint?.ValLossCurve is { } c && c.Length == Checkpoint.Epoch ? c : null;
}

/// <summary>
/// A student trained in segments (successive halving's rungs): from scratch or from a checkpoint, up to an epoch. The
/// first segment starts exactly as <see cref="Distiller.TrainStudent"/> does, and each segment continues the same
/// weights, optimizer and random stream, so the last one ends bit-identical to training straight through.
/// </summary>
public static class StudentSegments
{
    public static SegmentOutcome Train(LabeledRows train, LabeledRows? validation, LabeledRows test, int classes, StudentSpec spec,
        KdTerms kd, TeacherArtifact? teacher, IGemm gemm, StudentCheckpoint? from, int untilEpoch,
        Action<EpochReport>? onEpoch = null, CancellationToken cancel = default)
    {
        if (!kd.IsBaseline && (teacher is null || teacher.Diverged)) throw new ArgumentException("alpha > 0 needs a trained teacher");
        if (teacher != null && !teacher.Diverged && (teacher.Rows != train.Rows || teacher.Classes != classes))
            throw new ArgumentException($"the teacher's logits are {teacher.Rows}x{teacher.Classes}, the training rows {train.Rows}x{classes}");
        Rng rng;
        Mlp model;
        Adam adam;
        if (from is null)
        {
            rng = new Rng(spec.Seed);
            model = Mlp.Create(train.Features, spec.Hidden, classes, rng);
            adam = new Adam(model.ParameterCount, spec.Train.LearningRate);
        }
        else
        {
            model = Mlp.Create(train.Features, spec.Hidden, classes, new Rng(1)); // its weights are the checkpoint's
            (adam, rng) = from.RestoreInto(model, spec.Train.LearningRate);
        }
        // The curve goes on from the checkpoint's; evaluated as Distiller.TrainStudent does, so the same bits.
        var curve = new ValidationCurve(untilEpoch).ContinuedFrom(from?.ValAccCurve, from?.ValLossCurve);
        var report = Trainer.Train(model, train, spec.Train, rng, gemm, kd.IsBaseline ? null : teacher!.Logits, kd,
            spec.Regularization, curve.Observe(model, validation, gemm, onEpoch), cancel, new TrainSegment(adam, from?.Epoch ?? 0, untilEpoch));
        if (report.Divergence is { } diverged)
            return new SegmentOutcome(null, null, null, model.ParameterCount, report.Seconds, report.SamplesPerSecond, null, diverged);
        var val = validation is null ? null : new Evaluation(curve.FinalAccuracy!.Value, curve.FinalLoss!.Value);
        var test0 = untilEpoch >= spec.Train.Epochs ? Trainer.Evaluate(model, test, gemm) : null;
        if ((test0 != null && !double.IsFinite(test0.Loss)) || (val != null && !double.IsFinite(val.Loss)))
        {
            double bad = test0 != null && !double.IsFinite(test0.Loss) ? test0.Loss : val!.Loss;
            return new SegmentOutcome(null, null, null, model.ParameterCount, report.Seconds, report.SamplesPerSecond, null,
                new Divergence(untilEpoch, $"evaluation loss {Trainer.Describe(bad)} after epoch {untilEpoch}"));
        }
        return new SegmentOutcome(StudentCheckpoint.Of(untilEpoch, model, adam, rng, validation is null ? null : curve), val, test0, model.ParameterCount,
            report.Seconds, report.SamplesPerSecond, report.FinalLoss);
    }
}
