using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// Teachers and students are scored on the rows given as test rows, never on the training rows, and a teacher's logits
/// are those of the training rows. The data make the difference impossible to miss: the test rows look like the training
/// rows but carry other labels, so a network that learnt the training rows scores about 0 on them, and about 1 when the
/// same test rows carry the labels the training rows taught.
/// </summary>
public class EvaluationRowsTests
{
    private const int Classes = 3, Features = 6, Rows = 90;

    private static readonly TrainSettings Settings = new(Epochs: 40, Batch: 10, LearningRate: 1e-2f);

    /// <summary>
    /// Rows whose features show a class (features c and c + 3 near 1, the others small noise) and carry a label that is
    /// a function of that class.
    /// </summary>
    private static LabeledRows Make(Func<int, int> classOfRow, Func<int, int> labelOfClass, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[Rows * Features];
        var y = new byte[Rows];
        for (int i = 0; i < Rows; i++)
        {
            int c = classOfRow(i);
            for (int f = 0; f < Features; f++) x[i * Features + f] = 0.3f * rng.NextFloat();
            x[i * Features + c] += 1f;
            x[i * Features + c + 3] += 1f;
            y[i] = (byte)labelOfClass(c);
        }
        return new LabeledRows(x, y, Features);
    }

    // The training rows teach label = class. The test rows are as many (so a slice swapped for another has the right
    // size), show the classes in another order, and are labelled either as taught or shifted by one class.
    private static readonly LabeledRows Train = Make(i => i % Classes, c => c, seed: 1);
    private static readonly LabeledRows TestAsTaught = Make(i => (i + 1) % Classes, c => c, seed: 2);
    private static readonly LabeledRows TestRelabelled = Make(i => (i + 1) % Classes, c => (c + 1) % Classes, seed: 2);

    private static double Agreement(float[] logits, byte[] labels)
    {
        int agree = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            var row = logits.AsSpan(r * Classes, Classes);
            if (row.IndexOf(MaxOf(row)) == labels[r]) agree++;
        }
        return (double)agree / labels.Length;
    }

    private static float MaxOf(ReadOnlySpan<float> x)
    {
        float m = x[0];
        foreach (var v in x) m = Math.Max(m, v);
        return m;
    }

    [Fact]
    public void A_teacher_is_scored_on_the_test_rows_and_hands_on_the_logits_of_the_training_rows()
    {
        var spec = new TeacherSpec([16], Settings, Seed: 3);
        var asTaught = Distiller.TrainTeacher(Train, TestAsTaught, Classes, spec, new ReferenceGemm());
        var relabelled = Distiller.TrainTeacher(Train, TestRelabelled, Classes, spec, new ReferenceGemm());

        Assert.True(asTaught.TestAccuracy >= 0.95, $"teacher on test rows labelled as taught: {asTaught.TestAccuracy:P1}");
        Assert.True(relabelled.TestAccuracy <= 0.05,
            $"teacher on relabelled test rows: {relabelled.TestAccuracy:P1} (scored on the training rows?)");
        // the logits students learn from are the training rows', row for row
        Assert.Equal(Rows, asTaught.Rows);
        Assert.True(Agreement(asTaught.Logits, Train.Y) >= 0.95, "the teacher's logits do not follow the training rows");
        Assert.True(Agreement(asTaught.Logits, TestAsTaught.Y) <= 0.05, "the teacher's logits are the test rows'");
        Assert.Equal(asTaught.Hash, relabelled.Hash); // the test rows never reach the logits
    }

    [Fact]
    public void A_student_is_scored_on_the_test_rows_baseline_and_distilled()
    {
        var teacher = Distiller.TrainTeacher(Train, TestAsTaught, Classes, new TeacherSpec([16], Settings, Seed: 3), new ReferenceGemm());
        foreach (var (kd, name) in new[] { (KdTerms.Baseline, "baseline"), (new KdTerms(2, 0.5), "distilled (T 2, alpha 0.5)") })
        {
            var spec = new StudentSpec([8], Settings, Seed: 4);
            var asTaught = Distiller.TrainStudent(Train, TestAsTaught, Classes, spec, kd, teacher, new ReferenceGemm());
            var relabelled = Distiller.TrainStudent(Train, TestRelabelled, Classes, spec, kd, teacher, new ReferenceGemm());
            Assert.True(asTaught.TestAccuracy >= 0.95, $"{name} student on test rows labelled as taught: {asTaught.TestAccuracy:P1}");
            Assert.True(relabelled.TestAccuracy <= 0.05,
                $"{name} student on relabelled test rows: {relabelled.TestAccuracy:P1} (scored on the training rows?)");
            Assert.True(relabelled.TestLoss > asTaught.TestLoss + 1, $"{name}: test loss {relabelled.TestLoss} against {asTaught.TestLoss}");
            // the training itself saw the same rows both times
            Assert.Equal(asTaught.FinalTrainLoss, relabelled.FinalTrainLoss);
        }
    }
}
