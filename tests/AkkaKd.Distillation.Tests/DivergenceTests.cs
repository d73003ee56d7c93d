using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Distillation.Tests;

/// <summary>A loss that becomes NaN or infinite ends training at once, and the outcome says so with no non-finite number.</summary>
public class DivergenceTests
{
    private const int Classes = 10;
    private static readonly Lazy<(LabeledRows Train, LabeledRows Test)> Small = new(() => Embedded.Data.Split(600, 300));
    private static LabeledRows Train => Small.Value.Train;
    private static LabeledRows Test => Small.Value.Test;
    private static readonly TrainSettings Explosive = new(Epochs: 4, Batch: 32, LearningRate: 1e20f);

    [Fact]
    public void A_huge_learning_rate_diverges_in_the_first_epoch_and_stops_there()
    {
        var epochs = new List<EpochReport>();
        var rng = new Rng(1);
        var model = Mlp.Create(Train.Features, [16], Classes, rng);
        var report = Trainer.Train(model, Train, Explosive, rng, Blas.Gemm, onEpoch: epochs.Add);
        Assert.True(report.Diverged);
        Assert.Null(report.FinalLoss);
        Assert.Equal(1, report.Divergence!.Epoch);
        Assert.Matches("^loss (NaN|\\+infinity|-infinity) at epoch 1$", report.Divergence.Reason);
        Assert.Empty(epochs); // the diverged epoch is not reported as if it had a mean loss
        Assert.True(double.IsFinite(report.SamplesPerSecond) && double.IsFinite(report.Seconds));
    }

    [Fact]
    public void A_diverged_student_has_no_accuracy_and_no_loss()
    {
        var outcome = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([16], Explosive, 1), KdTerms.Baseline, null,
            Blas.Gemm);
        Assert.True(outcome.Diverged);
        Assert.Equal(1, outcome.Divergence!.Epoch);
        Assert.Null(outcome.TestAccuracy);
        Assert.Null(outcome.TestLoss);
        Assert.Null(outcome.FinalTrainLoss);
        Assert.Contains("at epoch 1", outcome.Divergence.Reason);
    }

    [Fact]
    public void A_diverged_teacher_hands_on_no_logits_and_students_refuse_it()
    {
        var teacher = Distiller.TrainTeacher(Train, Test, Classes, new TeacherSpec([16], Explosive, 2,
            new Regularization(0.5, 0.2, 2)), Blas.Gemm);
        Assert.True(teacher.Diverged);
        Assert.Null(teacher.TestAccuracy);
        Assert.Empty(teacher.Logits);
        var e = Assert.Throws<ArgumentException>(() => Distiller.TrainStudent(Train, Test, Classes,
            new StudentSpec([8], new TrainSettings(1, 32, 1e-3f), 1), new KdTerms(4, 0.9), teacher, Blas.Gemm));
        Assert.Contains("teacher diverged", e.Message);
        // a baseline does not need the teacher
        var baseline = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([8], new TrainSettings(1, 32, 1e-3f), 1),
            KdTerms.Baseline, teacher, Blas.Gemm);
        Assert.False(baseline.Diverged);
        Assert.NotNull(baseline.TestAccuracy);
    }

    [Fact]
    public void An_ordinary_run_does_not_diverge()
    {
        var outcome = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([16], new TrainSettings(2, 32, 1e-3f), 1),
            new KdTerms(1e6, 0.5), Distiller.TrainTeacher(Train, Test, Classes, new TeacherSpec([16], new TrainSettings(1, 32, 1e-3f), 2),
                Blas.Gemm), Blas.Gemm);
        Assert.False(outcome.Diverged);
        Assert.Null(outcome.Divergence);
        Assert.True(double.IsFinite(outcome.TestLoss!.Value));
    }

    [Theory]
    [InlineData(1e-60, 0.5, "float32")]
    [InlineData(1e300, 0.5, "float32")]
    [InlineData(0.0, 0.5, "> 0")]
    [InlineData(double.NaN, 0.5, "> 0")]
    [InlineData(2.0, 1.5, "alpha")]
    [InlineData(2.0, 1e-60, "alpha 1E-60 is 0 in float32")]
    public void Terms_the_float32_trainer_cannot_use_are_refused(double t, double alpha, string what)
    {
        var kd = new KdTerms(t, alpha);
        Assert.Contains(what, kd.Problem());
        Assert.Throws<ArgumentOutOfRangeException>(kd.Validate);
        Assert.Null(new KdTerms(1e-30, 0.5).Problem()); // small but a float32
        Assert.True(KdTerms.Of(null, 0).IsBaseline);
        Assert.Equal(KdTerms.Baseline, KdTerms.Of(7, 0));
    }
}
