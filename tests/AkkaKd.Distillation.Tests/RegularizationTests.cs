using System.Runtime.InteropServices;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;
using Xunit.Abstractions;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// Dropout, input dropout and jitter: their pieces against their definitions, reruns bit for bit, evaluation and the
/// teacher's logits without any of it, no allocation in the training loop.
/// </summary>
public class RegularizationTests(ITestOutputHelper output)
{
    private const int Classes = 10;
    private static readonly Lazy<(LabeledRows Train, LabeledRows Test)> Small = new(() => Embedded.Data.Split(600, 300));
    private static LabeledRows Train => Small.Value.Train;
    private static LabeledRows Test => Small.Value.Test;
    private static readonly TrainSettings Quick = new(Epochs: 2, Batch: 32, LearningRate: 2e-3f);
    private static readonly Regularization Hinton = new(Dropout: 0.5, InputDropout: 0.2, Jitter: 2);

    private static byte[] Bits(float[] x) => MemoryMarshal.AsBytes(x.AsSpan()).ToArray();

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void A_dropout_mask_drops_about_p_and_scales_the_rest_by_one_over_one_minus_p(double p)
    {
        var mask = new float[100_001]; // odd: the last unit takes a draw of its own
        Dropout.FillMask(mask, p, new Rng(4));
        float keep = 1f / (1f - (float)p);
        Assert.All(mask, v => Assert.True(v == 0f || v == keep, $"mask value {v}"));
        double dropped = mask.Count(v => v == 0f) / (double)mask.Length;
        // 5 standard deviations of a binomial proportion
        Assert.True(Math.Abs(dropped - p) < 5 * Math.Sqrt(p * (1 - p) / mask.Length), $"dropped {dropped:F4} for p {p}");
        Assert.True(mask[^1] == 0f || mask[^1] == keep);

        var again = new float[mask.Length];
        Dropout.FillMask(again, p, new Rng(4));
        Assert.Equal(Bits(mask), Bits(again));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.FillMask(mask, 1.0, new Rng(1)));
    }

    [Fact]
    public void Applying_a_mask_multiplies_element_by_element()
    {
        var x = Enumerable.Range(0, 37).Select(i => i * 0.5f - 3).ToArray(); // vector part and tail
        var mask = Enumerable.Range(0, 37).Select(i => i % 3 == 0 ? 0f : 2f).ToArray();
        var y = (float[])x.Clone();
        Dropout.Apply(y, mask);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] * mask[i], y[i]);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(0, -2)]
    [InlineData(-2, 2)]
    [InlineData(3, -1)]
    [InlineData(7, 9)] // more than the image: wraps
    public void Roll_is_torch_roll_over_height_and_width(int dy, int dx)
    {
        const int h = 5, w = 4;
        var src = Enumerable.Range(0, h * w).Select(i => (float)i).ToArray();
        var dst = new float[h * w];
        ImageShift.Roll(src, dst, h, w, dy, dx);
        for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++)
        {
            int si = ((i - dy) % h + h) % h, sj = ((j - dx) % w + w) % w;
            Assert.Equal(src[si * w + sj], dst[i * w + j]);
        }
    }

    [Fact]
    public void Shifts_are_drawn_uniformly_from_minus_k_to_k()
    {
        var rng = new Rng(8);
        var counts = new int[5];
        for (int i = 0; i < 50_000; i++) counts[ImageShift.Draw(2, rng) + 2]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void Regularized_training_reruns_bit_for_bit_and_a_new_seed_changes_it()
    {
        var spec = new TeacherSpec([48, 32], Quick, Seed: 9, Hinton);
        var t1 = Distiller.TrainTeacher(Train, Test, Classes, spec, Blas.Gemm);
        var t2 = Distiller.TrainTeacher(Train, Test, Classes, spec, Blas.Gemm);
        Assert.Equal(t1.Hash, t2.Hash);
        Assert.Equal(t1.TestAccuracy, t2.TestAccuracy);
        Assert.NotEqual(t1.Hash, Distiller.TrainTeacher(Train, Test, Classes, spec with { Seed = 10 }, Blas.Gemm).Hash);
        Assert.NotEqual(t1.Hash, Distiller.TrainTeacher(Train, Test, Classes, spec with { Regularization = null }, Blas.Gemm).Hash);

        var student = new StudentSpec([16, 16], Quick, 3, new Regularization(0.1, 0.1, 1));
        var kd = new KdTerms(4, 0.9);
        var s1 = Distiller.TrainStudent(Train, Test, Classes, student, kd, t1, Blas.Gemm);
        var s2 = Distiller.TrainStudent(Train, Test, Classes, student, kd, t2, Blas.Gemm);
        Assert.Equal(BitConverter.DoubleToInt64Bits(s1.TestLoss!.Value), BitConverter.DoubleToInt64Bits(s2.TestLoss!.Value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(s1.FinalTrainLoss!.Value), BitConverter.DoubleToInt64Bits(s2.FinalTrainLoss!.Value));
    }

    [Fact]
    public void The_teachers_logits_and_its_accuracy_are_computed_without_dropout_or_jitter()
    {
        var spec = new TeacherSpec([64], Quick, Seed: 2, Hinton);
        var artifact = Distiller.TrainTeacher(Train, Test, Classes, spec, Blas.Gemm);

        // the same training by hand, to get at the model
        var rng = new Rng(spec.Seed);
        var model = Mlp.Create(Train.Features, spec.Hidden, Classes, rng);
        Trainer.Train(model, Train, spec.Train, rng, Blas.Gemm, regularization: spec.Regularization);
        var plain = new float[Train.Rows * Classes];
        var ws = new MlpWorkspace(model, Train.Rows);
        Array.Copy(Train.X, ws.Input, Train.X.Length);
        model.Forward(ws, Train.Rows, Blas.Gemm);
        Array.Copy(ws.Logits, plain, plain.Length);
        Assert.Equal(Bits(Trainer.Logits(model, Train, Blas.Gemm)), Bits(artifact.Logits));
        Assert.Equal(Trainer.Evaluate(model, Test, Blas.Gemm).Accuracy, artifact.TestAccuracy);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], artifact.Logits[i], 4);

        // with a training workspace's masks the same model gives other logits: evaluation does not use them
        var noisy = new MlpWorkspace(model, Train.Rows, inputMask: true, hiddenMasks: true);
        Dropout.FillMask(noisy.Mask[0], 0.2, new Rng(1));
        Dropout.FillMask(noisy.Mask[1], 0.5, new Rng(2));
        Array.Copy(Train.X, noisy.Input, Train.X.Length);
        model.Forward(noisy, Train.Rows, Blas.Gemm);
        Assert.NotEqual(Bits(plain), Bits(noisy.Logits.AsSpan(0, plain.Length).ToArray()));
        output.WriteLine($"regularized teacher: test accuracy {artifact.TestAccuracy:P1}");
        Assert.True(artifact.TestAccuracy > 0.6, $"a regularized teacher learns: {artifact.TestAccuracy:P1}");
    }

    public static TheoryData<string> Gemms() => Blas.IsOpenBlas ? ["reference", "process"] : ["reference"];

    [Theory]
    [MemberData(nameof(Gemms))]
    public void The_training_loop_allocates_nothing_per_batch(string gemmName)
    {
        // Two runs that differ only in epochs (75 batches each): what the loop allocates shows in the difference.
        IGemm gemm = gemmName == "reference" ? new ReferenceGemm() : Blas.Gemm;
        var teacher = new float[Train.Rows * Classes];
        for (int i = 0; i < teacher.Length; i++) teacher[i] = (i % 7) - 3;
        long Allocated(int epochs)
        {
            var rng = new Rng(5);
            var model = Mlp.Create(Train.Features, [12, 12], Classes, rng);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Trainer.Train(model, Train, new TrainSettings(epochs, 8, 1e-3f), rng, gemm, teacher, new KdTerms(4, 0.9), Hinton);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(1); // warm up the JIT
        long one = Allocated(1), three = Allocated(3);
        output.WriteLine($"{gemmName}: 1 epoch {one:N0} bytes, 3 epochs {three:N0} bytes");
        Assert.True(three - one < 1024, $"150 more batches allocated {three - one:N0} bytes");
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused()
    {
        var rng = new Rng(1);
        var model = Mlp.Create(Train.Features, [4], Classes, rng);
        void Run(Regularization r, LabeledRows rows) => Trainer.Train(model, rows, Quick, rng, Blas.Gemm, regularization: r);
        Assert.Contains("outside [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new(Dropout: 1), Train)).Message);
        Assert.Contains("outside [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new(InputDropout: -0.1), Train)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new(Jitter: -1), Train)).Message);
        Assert.Contains("not smaller than the 28x28", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new(Jitter: 28), Train)).Message);
        var noImages = new LabeledRows(Train.X, Train.Y, Train.Features);
        Assert.Contains("images", Assert.Throws<ArgumentOutOfRangeException>(() => Run(new(Jitter: 1), noImages)).Message);
        Assert.Equal([28, 28], Train.ImageShape!);
    }

    [Fact]
    public void A_student_of_two_hidden_layers_learns()
    {
        var outcome = Distiller.TrainStudent(Train, Test, Classes, new StudentSpec([32, 32], new TrainSettings(5, 32, 2e-3f), 1),
            KdTerms.Baseline, null, Blas.Gemm);
        output.WriteLine($"784-32-32-10: test accuracy {outcome.TestAccuracy:P1}");
        Assert.Equal(Distiller.ParameterCount(784, [32, 32], 10), outcome.Parameters);
        Assert.Equal(784 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10, outcome.Parameters);
        Assert.True(outcome.TestAccuracy > 0.6, $"test accuracy {outcome.TestAccuracy:P1}");
    }
}
