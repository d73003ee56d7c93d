using System.Runtime.InteropServices;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;
using Xunit.Abstractions;

namespace AkkaKd.Distillation.Tests;

/// <summary>Short training runs on the embedded digits: they learn, and the same seed gives the same bits.</summary>
public class TrainingTests(ITestOutputHelper output)
{
    private const int Classes = 10;

    private static readonly Lazy<(LabeledRows Train, LabeledRows Test)> Small = new(() => Embedded.Data.Split(600, 300));

    private static LabeledRows Train => Small.Value.Train;
    private static LabeledRows Test => Small.Value.Test;

    private static readonly TrainSettings Quick = new(Epochs: 2, Batch: 32, LearningRate: 2e-3f);

    private static byte[] Bits(float[] x) => MemoryMarshal.AsBytes(x.AsSpan()).ToArray();

    /// <summary>Trains a student the way Distiller.TrainStudent does, keeping the model to look at its parameters.</summary>
    private static (Mlp Model, TrainReport Report) TrainModel(ulong seed, int[] hidden, TeacherArtifact? teacher = null,
        float t = 1f, float alpha = 0f)
    {
        var rng = new Rng(seed);
        var model = Mlp.Create(Train.Features, hidden, Classes, rng);
        var report = Trainer.Train(model, Train, Quick, rng, Blas.Gemm, teacher?.Logits, new KdTerms(t, alpha));
        return (model, report);
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_students_and_another_seed_does_not()
    {
        var a = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([16], Quick, 5), KdTerms.Baseline, null, Blas.Gemm);
        var b = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([16], Quick, 5), KdTerms.Baseline, null, Blas.Gemm);
        Assert.Equal(a.TestAccuracy, b.TestAccuracy);
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.TestLoss!.Value), BitConverter.DoubleToInt64Bits(b.TestLoss!.Value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.FinalTrainLoss!.Value), BitConverter.DoubleToInt64Bits(b.FinalTrainLoss!.Value));
        Assert.Equal(a.Parameters, b.Parameters);

        var (m1, r1) = TrainModel(5, [16]);
        var (m2, r2) = TrainModel(5, [16]);
        Assert.Equal(Bits(m1.Parameters), Bits(m2.Parameters));
        Assert.Equal(BitConverter.DoubleToInt64Bits(r1.FinalLoss!.Value), BitConverter.DoubleToInt64Bits(r2.FinalLoss!.Value));

        var (m3, r3) = TrainModel(6, [16]);
        Assert.NotEqual(Bits(m1.Parameters), Bits(m3.Parameters));
        Assert.NotEqual(r1.FinalLoss, r3.FinalLoss);
        var c = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([16], Quick, 6), KdTerms.Baseline, null, Blas.Gemm);
        Assert.NotEqual(BitConverter.DoubleToInt64Bits(a.FinalTrainLoss!.Value), BitConverter.DoubleToInt64Bits(c.FinalTrainLoss!.Value));
    }

    [Fact]
    public void Teachers_and_distilled_students_are_reproducible_too()
    {
        var spec = new TeacherSpec([24], Quick, Seed: 9);
        var t1 = Distiller.TrainTeacher(Train, Test, Classes, spec, Blas.Gemm);
        var t2 = Distiller.TrainTeacher(Train, Test, Classes, spec, Blas.Gemm);
        Assert.Equal(t1.Hash, t2.Hash);
        Assert.Equal(Bits(t1.Logits), Bits(t2.Logits));
        Assert.Equal(t1.TestAccuracy, t2.TestAccuracy);
        var t3 = Distiller.TrainTeacher(Train, Test, Classes, spec with { Seed = 10 }, Blas.Gemm);
        Assert.NotEqual(t1.Hash, t3.Hash);

        var (s1, _) = TrainModel(3, [8], t1, t: 4f, alpha: 0.7f);
        var (s2, _) = TrainModel(3, [8], t2, t: 4f, alpha: 0.7f);
        Assert.Equal(Bits(s1.Parameters), Bits(s2.Parameters));
        // the teacher's logits matter when alpha > 0
        var (s3, _) = TrainModel(3, [8], t3, t: 4f, alpha: 0.7f);
        Assert.NotEqual(Bits(s1.Parameters), Bits(s3.Parameters));
    }

    [Fact]
    public void A_short_run_on_600_digits_learns()
    {
        var settings = new TrainSettings(Epochs: 5, Batch: 32, LearningRate: 2e-3f);
        var epochs = new List<EpochReport>();
        var outcome = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([32], settings, 1), KdTerms.Baseline, null,
            Blas.Gemm, onEpoch: epochs.Add);
        output.WriteLine($"test accuracy {outcome.TestAccuracy:P1}, test loss {outcome.TestLoss:F3}, epoch losses " +
            string.Join(" ", epochs.Select(e => e.MeanLoss.ToString("F3"))));
        Assert.True(outcome.TestAccuracy > 0.6, $"test accuracy {outcome.TestAccuracy:P1} on 10 classes (chance is 10%)");
        Assert.True(outcome.TestLoss < Math.Log(10), $"test loss {outcome.TestLoss} is no better than uniform guessing");
        Assert.Equal([1, 2, 3, 4, 5], epochs.Select(e => e.Epoch));
        Assert.True(epochs[^1].MeanLoss < 0.6 * epochs[0].MeanLoss, "the training loss hardly fell");
        Assert.Equal(epochs[^1].MeanLoss, outcome.FinalTrainLoss);
        Assert.Equal(Distiller.ParameterCount(784, [32], 10), outcome.Parameters);
        Assert.Equal(784 * 32 + 32 + 32 * 10 + 10, outcome.Parameters);
    }

    [Fact]
    public void A_tiny_distillation_learns()
    {
        var teacher = Distiller.TrainTeacher(Train, Test, Classes, new TeacherSpec([64], Quick, Seed: 2), Blas.Gemm);
        Assert.Equal(600, teacher.Rows);
        Assert.Equal(Classes, teacher.Classes);
        Assert.Equal(600 * Classes, teacher.Logits.Length);
        Assert.Matches("^[0-9a-f]{64}$", teacher.Hash);
        Assert.True(teacher.TestAccuracy > 0.6, $"teacher test accuracy {teacher.TestAccuracy:P1}");

        var student = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([16], new TrainSettings(4, 32, 2e-3f), 3),
            new KdTerms(4, 0.9), teacher, Blas.Gemm);
        output.WriteLine($"teacher {teacher.TestAccuracy:P1}, student (alpha 0.9, T 4) {student.TestAccuracy:P1}");
        Assert.True(student.TestAccuracy > 0.6, $"distilled student test accuracy {student.TestAccuracy:P1}");
    }

    [Fact]
    public void Distillation_without_a_teacher_or_with_the_wrong_one_is_refused()
    {
        Assert.Throws<ArgumentException>(() =>
            Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([4], Quick, 1), new KdTerms(2, 0.5), null, Blas.Gemm));
        var wrong = new TeacherArtifact(new float[10 * Classes], 10, Classes, 0.0, 0, 0, 0);
        Assert.Throws<ArgumentException>(() =>
            Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([4], Quick, 1), new KdTerms(2, 0.5), wrong, Blas.Gemm));
    }
}
