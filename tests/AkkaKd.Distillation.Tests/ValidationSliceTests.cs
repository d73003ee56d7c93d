using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Distillation.Tests;

/// <summary>The validation slice: disjoint from training and test rows, one curve entry per epoch, and free of side effects.</summary>
public class ValidationSliceTests
{
    private const int Classes = 10;
    private static readonly TrainSettings Quick = new(Epochs: 3, Batch: 32, LearningRate: 2e-3f);

    [Fact]
    public void The_three_slices_are_consecutive_disjoint_rows_of_the_data()
    {
        var data = Embedded.Data;
        var (train, val, test) = data.Split(500, 200, 300);
        Assert.NotNull(val);
        Assert.Equal(500, train.Rows);
        Assert.Equal(200, val!.Rows);
        Assert.Equal(300, test.Rows);
        int d = data.Features;
        // Each slice holds exactly its rows of the data set: train 0..499, validation 500..699, test 700..999.
        Assert.Equal(data.All.X.AsSpan(0, 500 * d).ToArray(), train.X);
        Assert.Equal(data.All.X.AsSpan(500 * d, 200 * d).ToArray(), val.X);
        Assert.Equal(data.All.X.AsSpan(700 * d, 300 * d).ToArray(), test.X);
        Assert.Equal(data.All.Y.AsSpan(500, 200).ToArray(), val.Y);
        // Without validation rows the test slice follows the training rows, as before the validation slice existed.
        var (train2, none, test2) = data.Split(500, 0, 300);
        Assert.Null(none);
        Assert.Equal(data.All.X.AsSpan(500 * d, 300 * d).ToArray(), test2.X);
        Assert.Equal(train.X, train2.X);
        Assert.Throws<DataException>(() => data.Split(9000, 800, 300));
    }

    [Fact]
    public void The_curve_has_one_entry_per_epoch_and_ends_at_the_final_validation_accuracy()
    {
        var (train, val, test) = Embedded.Data.Split(600, 200, 300);
        var epochs = new List<EpochReport>();
        var s = Distiller.TrainStudent(train, test, Classes, new StudentSpec([16], Quick, 7), KdTerms.Baseline, null, Blas.Gemm,
            epochs.Add, validation: val);
        var curve = s.Validation!;
        Assert.Equal(Quick.Epochs, curve.Accuracy.Count);
        Assert.Equal(Quick.Epochs, curve.Loss.Count);
        Assert.Equal(curve.Accuracy, epochs.Select(e => e.ValAccuracy!.Value));
        Assert.Equal(curve.Accuracy[^1], curve.FinalAccuracy);
        // It is measured on the validation rows: the same model evaluated on them now gives the last entry.
        Assert.All(curve.Accuracy, a => Assert.InRange(a, 0.0, 1.0));
        Assert.True(curve.Accuracy[^1] > 0.5, "the student learns");
    }

    [Fact]
    public void Keeping_a_curve_changes_no_bit_of_the_training()
    {
        var (train, val, test) = Embedded.Data.Split(600, 200, 300);
        var spec = new StudentSpec([16], Quick, 11, new Regularization(0.2, 0.1, 1));
        var with = Distiller.TrainStudent(train, test, Classes, spec, KdTerms.Baseline, null, Blas.Gemm, validation: val);
        var without = Distiller.TrainStudent(train, test, Classes, spec, KdTerms.Baseline, null, Blas.Gemm);
        Assert.Null(without.Validation);
        Assert.Equal(BitConverter.DoubleToInt64Bits(without.TestLoss!.Value), BitConverter.DoubleToInt64Bits(with.TestLoss!.Value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(without.FinalTrainLoss!.Value), BitConverter.DoubleToInt64Bits(with.FinalTrainLoss!.Value));
    }

    [Fact]
    public void Validation_accuracy_is_measured_on_the_validation_rows_not_the_training_rows()
    {
        // Validation rows whose labels are all shifted by one class: a curve measured on them is near 0, whatever the
        // student learned; a curve measured on the training rows (the bug) would be high.
        var (train, val, test) = Embedded.Data.Split(600, 200, 300);
        var wrong = new LabeledRows(val!.X, val.Y.Select(y => (byte)((y + 1) % Classes)).ToArray(), val.Features, val.ImageShape);
        var s = Distiller.TrainStudent(train, test, Classes, new StudentSpec([32], Quick, 3), KdTerms.Baseline, null, Blas.Gemm,
            validation: wrong);
        Assert.True(s.Validation!.FinalAccuracy < 0.3, $"validation accuracy {s.Validation.FinalAccuracy} on relabelled rows");
        Assert.True(s.TestAccuracy > 0.6, $"test accuracy {s.TestAccuracy}");
    }
}
