using System.Runtime.InteropServices;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Distillation.Tests;

/// <summary>Checkpoints at epoch boundaries: training on from one ends bit-identical to training straight through.</summary>
public sealed class CheckpointTests
{
    private static readonly Lazy<(LabeledRows Train, LabeledRows Test)> Small = new(() => Embedded.Data.Split(400, 200));
    private static LabeledRows Train => Small.Value.Train;
    private static LabeledRows Test => Small.Value.Test;

    /// <summary>Dropout, input dropout and jitter: every random draw of a batch is part of the stream a checkpoint keeps.</summary>
    private static StudentSpec Spec(Regularization? reg = null) =>
        new([16], new TrainSettings(4, 32, 0.005f), 42, reg ?? new Regularization(0.2, 0.1, 1));

    /// <summary>Stand-in teacher logits, fixed by a seed (the continuation does not depend on how a teacher was trained).</summary>
    private static TeacherArtifact Teacher()
    {
        var rng = new Rng(7);
        var logits = new float[Train.Rows * 10];
        for (int i = 0; i < logits.Length; i++) logits[i] = rng.Uniform(-3, 3);
        return new TeacherArtifact(logits, Train.Rows, 10, 0.9, 1000, 1, 1);
    }

    private static byte[] Bits(StudentCheckpoint c) =>
        [.. c.ParameterBytes, .. MemoryMarshal.AsBytes(c.AdamM.AsSpan()), .. MemoryMarshal.AsBytes(c.AdamV.AsSpan())];

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.7)]
    public void Training_on_from_checkpoints_ends_bit_identical_to_training_straight_through(double alpha)
    {
        var kd = KdTerms.Of(alpha == 0 ? null : 4, alpha);
        var teacher = alpha == 0 ? null : Teacher();
        var straight = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, teacher, Blas.Gemm, null, 4);

        var first = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, teacher, Blas.Gemm, null, 1);
        var bytes = first.Checkpoint!.ToBytes(); // as a store keeps it and another node reads it
        var second = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, teacher, Blas.Gemm,
            StudentCheckpoint.FromBytes(bytes), 3);
        var last = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, teacher, Blas.Gemm,
            StudentCheckpoint.FromBytes(second.Checkpoint!.ToBytes()), 4);

        Assert.Equal(Bits(straight.Checkpoint!), Bits(last.Checkpoint!));
        Assert.Equal(straight.Checkpoint!.RngState, last.Checkpoint!.RngState);
        Assert.Equal(straight.Checkpoint.AdamSteps, last.Checkpoint.AdamSteps);
        Assert.Equal(straight.Test!.Accuracy, last.Test!.Accuracy);
        Assert.Equal(BitConverter.DoubleToInt64Bits(straight.Test.Loss), BitConverter.DoubleToInt64Bits(last.Test.Loss));
        Assert.Equal(BitConverter.DoubleToInt64Bits(straight.FinalTrainLoss!.Value), BitConverter.DoubleToInt64Bits(last.FinalTrainLoss!.Value));
        // The first rung's state differs from the last (the test is not comparing a model with itself).
        Assert.NotEqual(Bits(first.Checkpoint), Bits(last.Checkpoint));
    }

    [Fact]
    public void A_trial_continued_rung_by_rung_ends_with_the_validation_curve_of_every_epoch_bit_identical_to_straight_training()
    {
        var kd = KdTerms.Of(4, 0.7);
        var straight = Distiller.TrainStudent(Train, Test, 10, Spec(), kd, Teacher(), Blas.Gemm, validation: Test);

        var first = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, Teacher(), Blas.Gemm, null, 1);
        var second = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, Teacher(), Blas.Gemm,
            StudentCheckpoint.FromBytes(first.Checkpoint!.ToBytes()), 3);
        var last = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, Teacher(), Blas.Gemm,
            StudentCheckpoint.FromBytes(second.Checkpoint!.ToBytes()), 4);

        static long[] Bits(IEnumerable<double> xs) => xs.Select(BitConverter.DoubleToInt64Bits).ToArray();
        Assert.Equal(4, straight.Validation!.Accuracy.Count);
        Assert.Equal(Bits(straight.Validation.Accuracy), Bits(last.ValAccCurve!));
        Assert.Equal(Bits(straight.Validation.Loss), Bits(last.ValLossCurve!));
        Assert.Equal(Bits(straight.Validation.Accuracy.Take(3)), Bits(second.ValAccCurve!)); // a rung's curve: epochs 1..3
        Assert.Equal(BitConverter.DoubleToInt64Bits(straight.Validation.FinalAccuracy!.Value),
            BitConverter.DoubleToInt64Bits(last.Validation!.Accuracy));
        // Retrained up to a rung (its checkpoint lost), the curve is the same too.
        var again = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, Teacher(), Blas.Gemm, null, 3);
        Assert.Equal(Bits(second.ValAccCurve!), Bits(again.ValAccCurve!));
        // A checkpoint without a curve (no validation rows) gives no partial curve.
        var blind = StudentSegments.Train(Train, null, Test, 10, Spec(), kd, Teacher(), Blas.Gemm, null, 1);
        var after = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, Teacher(), Blas.Gemm, blind.Checkpoint, 2);
        Assert.Null(after.ValAccCurve);
    }

    [Fact]
    public void Only_the_segment_that_ends_the_trial_evaluates_the_test_rows()
    {
        var kd = KdTerms.Of(4, 0.7);
        var rung = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, Teacher(), Blas.Gemm, null, 3);
        Assert.Null(rung.Test); // a rung ranks on validation; the test rows are touched once, at the trial's end
        Assert.NotNull(rung.Validation);
        var end = StudentSegments.Train(Train, Test, Test, 10, Spec(), kd, Teacher(), Blas.Gemm, rung.Checkpoint, 4);
        Assert.NotNull(end.Test);
    }

    [Fact]
    public void A_whole_segment_is_the_distillers_student()
    {
        var kd = KdTerms.Of(4, 0.7);
        var whole = StudentSegments.Train(Train, null, Test, 10, Spec(), kd, Teacher(), Blas.Gemm, null, 4);
        var distilled = Distiller.TrainStudent(Train, Test, 10, Spec(), kd, Teacher(), Blas.Gemm);
        Assert.Equal(distilled.TestAccuracy, whole.Test!.Accuracy);
        Assert.Equal(BitConverter.DoubleToInt64Bits(distilled.TestLoss!.Value), BitConverter.DoubleToInt64Bits(whole.Test.Loss));
        Assert.Null(whole.Validation);
    }

    [Fact]
    public void A_checkpoint_round_trips_through_its_bytes_and_refuses_broken_ones()
    {
        var c = StudentSegments.Train(Train, null, Test, 10, Spec(), KdTerms.Baseline, null, Blas.Gemm, null, 2).Checkpoint!;
        var bytes = c.ToBytes();
        var back = StudentCheckpoint.FromBytes(bytes);
        Assert.Equal(bytes, back.ToBytes());
        Assert.Equal(2, back.Epoch);
        Assert.Equal(StudentCheckpoint.HashOf(bytes), StudentCheckpoint.HashOf(back.ToBytes()));
        Assert.Throws<InvalidDataException>(() => StudentCheckpoint.FromBytes(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => StudentCheckpoint.FromBytes(new byte[64]));

        var withCurve = StudentSegments.Train(Train, Test, Test, 10, Spec(), KdTerms.Baseline, null, Blas.Gemm, null, 2).Checkpoint!;
        var curveBytes = withCurve.ToBytes();
        var curveBack = StudentCheckpoint.FromBytes(curveBytes);
        Assert.Equal(withCurve.ValAccCurve, curveBack.ValAccCurve);
        Assert.Equal(withCurve.ValLossCurve, curveBack.ValLossCurve);
        Assert.Equal(curveBytes, curveBack.ToBytes());
        Assert.Throws<InvalidDataException>(() => StudentCheckpoint.FromBytes(curveBytes.AsSpan(0, curveBytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => StudentCheckpoint.FromBytes(curveBytes.AsSpan(0, bytes.Length + 2)));
    }

    [Fact]
    public void A_generator_from_its_state_continues_its_stream()
    {
        var a = new Rng(99);
        for (int i = 0; i < 5; i++) a.NextUInt64();
        var b = Rng.FromState(a.State);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.Throws<ArgumentException>(() => Rng.FromState([0, 0, 0, 0]));
    }

    [Fact]
    public void A_segment_outside_the_epochs_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            StudentSegments.Train(Train, null, Test, 10, Spec(), KdTerms.Baseline, null, Blas.Gemm, null, 5));
    }
}
