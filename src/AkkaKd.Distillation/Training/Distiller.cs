using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Training;

/// <summary>What decides a teacher: its hidden widths, its training settings and its seed.</summary>
public sealed record TeacherSpec(int[] Hidden, TrainSettings Train, ulong Seed);

/// <summary>
/// What students need from a teacher: its logits on the training rows (rows x classes), named by the SHA-256 of their
/// bytes, and what is worth reporting about it.
/// </summary>
public sealed record TeacherArtifact(float[] Logits, int Rows, int Classes, double TestAccuracy, long Parameters,
    double TrainSeconds, double SamplesPerSecond)
{
    public string Hash { get; } = HashOf(Logits);

    public static string HashOf(float[] logits) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(logits.AsSpan())));
}

/// <summary>A trained student: its test accuracy and loss, size and speed.</summary>
public sealed record StudentOutcome(double TestAccuracy, double TestLoss, long Parameters, double TrainSeconds,
    double SamplesPerSecond, double FinalTrainLoss);

/// <summary>The teacher and student training of one distillation, on one pair of train and test rows.</summary>
public static class Distiller
{
    public static TeacherArtifact TrainTeacher(LabeledRows train, LabeledRows test, int classes, TeacherSpec spec,
        IGemm gemm, Action<EpochReport>? onEpoch = null, CancellationToken cancel = default)
    {
        var rng = new Rng(spec.Seed);
        var model = Mlp.Create(train.Features, spec.Hidden, classes, rng);
        var report = Trainer.Train(model, train, spec.Train, rng, gemm, onEpoch: onEpoch, cancel: cancel);
        var testEval = Trainer.Evaluate(model, test, gemm);
        var logits = Trainer.Logits(model, train, gemm);
        return new TeacherArtifact(logits, train.Rows, classes, testEval.Accuracy, model.ParameterCount,
            report.Seconds, report.SamplesPerSecond);
    }

    /// <summary>
    /// Trains a student with the given hidden widths. alpha 0 trains on the labels alone (the teacher is not needed);
    /// alpha &gt; 0 distils from <paramref name="teacher"/> at temperature <paramref name="temperature"/>.
    /// </summary>
    public static StudentOutcome TrainStudent(LabeledRows train, LabeledRows test, int classes, int[] hidden,
        TrainSettings settings, ulong seed, TeacherArtifact? teacher, float temperature, float alpha, IGemm gemm,
        Action<EpochReport>? onEpoch = null, CancellationToken cancel = default)
    {
        if (alpha > 0 && teacher is null) throw new ArgumentException("alpha > 0 needs a teacher");
        if (teacher != null && (teacher.Rows != train.Rows || teacher.Classes != classes))
            throw new ArgumentException($"the teacher's logits are {teacher.Rows}x{teacher.Classes}, the training rows {train.Rows}x{classes}");
        var rng = new Rng(seed);
        var model = Mlp.Create(train.Features, hidden, classes, rng);
        var report = Trainer.Train(model, train, settings, rng, gemm, alpha > 0 ? teacher!.Logits : null,
            temperature, alpha, onEpoch, cancel);
        var eval = Trainer.Evaluate(model, test, gemm);
        return new StudentOutcome(eval.Accuracy, eval.Loss, model.ParameterCount, report.Seconds,
            report.SamplesPerSecond, report.FinalLoss);
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
