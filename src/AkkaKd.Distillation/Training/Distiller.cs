using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Training;

/// <summary>What decides a teacher: its hidden widths, its training settings, its seed and its regularization.</summary>
public sealed record TeacherSpec(int[] Hidden, TrainSettings Train, ulong Seed, Regularization? Regularization = null);

/// <summary>
/// What decides a student besides the teacher and the KD terms: its hidden widths (one per hidden layer), its
/// training settings, its seed and its regularization (none by default).
/// </summary>
public sealed record StudentSpec(int[] Hidden, TrainSettings Train, ulong Seed, Regularization? Regularization = null);

/// <summary>
/// What students need from a teacher: its logits on the training rows (rows x classes, computed without dropout or
/// jitter), named by the SHA-256 of their bytes, and what is worth reporting about it. A teacher whose training
/// diverged has no logits and no accuracy, only its <see cref="Divergence"/>.
/// </summary>
public sealed record TeacherArtifact(float[] Logits, int Rows, int Classes, double? TestAccuracy, long Parameters,
    double TrainSeconds, double SamplesPerSecond, Divergence? Divergence = null, ValidationCurve? Validation = null)
{
    public string Hash { get; } = HashOf(Logits);

    public bool Diverged => Divergence != null;

    public static string HashOf(float[] logits) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(logits.AsSpan())));
}

/// <summary>
/// A trained student: its test accuracy and loss, size and speed; or, when its training diverged, where and why (the
/// accuracy and losses are then null).
/// </summary>
public sealed record StudentOutcome(double? TestAccuracy, double? TestLoss, long Parameters, double TrainSeconds,
    double SamplesPerSecond, double? FinalTrainLoss, Divergence? Divergence = null, ValidationCurve? Validation = null)
{
    public bool Diverged => Divergence != null;
}

/// <summary>The teacher and student training of one distillation, on one pair of train and test rows.</summary>
public static class Distiller
{
    /// <param name="validation">Rows evaluated after every epoch (the curve that selection uses), or null.</param>
    public static TeacherArtifact TrainTeacher(LabeledRows train, LabeledRows test, int classes, TeacherSpec spec,
        IGemm gemm, Action<EpochReport>? onEpoch = null, CancellationToken cancel = default, LabeledRows? validation = null)
    {
        var rng = new Rng(spec.Seed);
        var model = Mlp.Create(train.Features, spec.Hidden, classes, rng);
        var curve = new ValidationCurve(spec.Train.Epochs);
        var report = Trainer.Train(model, train, spec.Train, rng, gemm, regularization: spec.Regularization,
            onEpoch: curve.Observe(model, validation, gemm, onEpoch), cancel: cancel);
        var divergence = report.Divergence;
        float[] logits = [];
        Evaluation? testEval = null;
        if (divergence is null)
        {
            testEval = Trainer.Evaluate(model, test, gemm);
            logits = Trainer.Logits(model, train, gemm);
            divergence = NonFinite(testEval, logits, spec.Train.Epochs);
        }
        return divergence is null
            ? new TeacherArtifact(logits, train.Rows, classes, testEval!.Accuracy, model.ParameterCount, report.Seconds,
                report.SamplesPerSecond, Validation: validation is null ? null : curve)
            : new TeacherArtifact([], train.Rows, classes, null, model.ParameterCount, report.Seconds,
                report.SamplesPerSecond, divergence);
    }

    /// <summary>
    /// Trains a student. A baseline (alpha 0) learns from the labels alone (the teacher is not needed); otherwise it
    /// distils from <paramref name="teacher"/> with <paramref name="kd"/>.
    /// </summary>
    public static StudentOutcome TrainStudent(LabeledRows train, LabeledRows test, int classes, StudentSpec spec,
        KdTerms kd, TeacherArtifact? teacher, IGemm gemm, Action<EpochReport>? onEpoch = null,
        CancellationToken cancel = default, LabeledRows? validation = null)
    {
        if (!kd.IsBaseline && teacher is null) throw new ArgumentException("alpha > 0 needs a teacher");
        if (!kd.IsBaseline && teacher!.Diverged) throw new ArgumentException($"the teacher diverged ({teacher.Divergence!.Reason})");
        if (teacher != null && !teacher.Diverged && (teacher.Rows != train.Rows || teacher.Classes != classes))
            throw new ArgumentException($"the teacher's logits are {teacher.Rows}x{teacher.Classes}, the training rows {train.Rows}x{classes}");
        var rng = new Rng(spec.Seed);
        var model = Mlp.Create(train.Features, spec.Hidden, classes, rng);
        var curve = new ValidationCurve(spec.Train.Epochs);
        var report = Trainer.Train(model, train, spec.Train, rng, gemm, kd.IsBaseline ? null : teacher!.Logits, kd,
            spec.Regularization, curve.Observe(model, validation, gemm, onEpoch), cancel);
        var divergence = report.Divergence;
        Evaluation? eval = null;
        if (divergence is null)
        {
            eval = Trainer.Evaluate(model, test, gemm);
            divergence = NonFinite(eval, [], spec.Train.Epochs);
        }
        return divergence is null
            ? new StudentOutcome(eval!.Accuracy, eval.Loss, model.ParameterCount, report.Seconds, report.SamplesPerSecond,
                report.FinalLoss, Validation: validation is null ? null : curve)
            : new StudentOutcome(null, null, model.ParameterCount, report.Seconds, report.SamplesPerSecond, null, divergence);
    }

    /// <summary>
    /// A last step can leave non-finite weights behind a finite loss: then the evaluation (or the logits) say so, and
    /// the training counts as diverged after its last epoch.
    /// </summary>
    private static Divergence? NonFinite(Evaluation eval, float[] logits, int epochs)
    {
        if (!double.IsFinite(eval.Loss))
            return new Divergence(epochs, $"test loss {Trainer.Describe(eval.Loss)} after epoch {epochs}");
        foreach (var v in logits)
            if (!float.IsFinite(v)) return new Divergence(epochs, $"training-row logits {Trainer.Describe(v)} after epoch {epochs}");
        return null;
    }

    /// <summary>Parameters of an MLP with these sizes (weights and biases).</summary>
    public static long ParameterCount(int inputs, IReadOnlyList<int> hidden, int outputs)
    {
        long total = 0;
        int prev = inputs;
        foreach (var h in hidden.Append(outputs))
        {
            total += (long)prev * h + h;
            prev = h;
        }
        return total;
    }
}
