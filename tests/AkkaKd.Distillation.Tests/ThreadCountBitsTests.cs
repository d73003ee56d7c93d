using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// A teacher trained with its GEMMs split into row bands on two threads (<see cref="RowSplitGemm"/>) has the bits of
/// the same teacher trained with one single-threaded OpenBLAS call per product: the teacher's artifact (named by the
/// SHA-256 of its logits) must not depend on how many cores trained it. OpenBLAS's own threads do not promise that.
/// </summary>
public class ThreadCountBitsTests
{
    private static readonly Lazy<LabeledRows> Rows = new(() => Embedded.Data.Split(600, 100).Train);

    private static string Sha(float[] x) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(x.AsSpan())));

    private static (string Parameters, string Logits) Teacher(IGemm gemm)
    {
        var train = Rows.Value;
        var settings = new TrainSettings(Epochs: 1, Batch: 128, LearningRate: 1e-3f);
        var rng = new Rng(3);
        var model = Mlp.Create(train.Features, [512, 512], 10, rng);
        Trainer.Train(model, train, settings, rng, gemm, regularization: new Regularization(Dropout: 0.5, InputDropout: 0.2, Jitter: 1));
        return (Sha(model.Parameters), Sha(Trainer.Logits(model, train, gemm)));
    }

    [Fact]
    public void A_teacher_split_over_two_threads_has_the_bits_of_one_thread()
    {
        if (!Blas.IsOpenBlas) return; // no OpenBLAS here: a teacher never splits (DistillationTrainer)
        Blas.EnsureThreads(1);
        using var split = new RowSplitGemm((OpenBlasGemm)Blas.Gemm, 2);
        Assert.Equal(2, split.BandsFor(128, 512, 784)); // the test does split
        Assert.Equal(Teacher(Blas.Gemm), Teacher(split));
    }

    [Fact]
    public void Every_band_is_computed_in_every_layout()
    {
        if (!Blas.IsOpenBlas) return;
        Blas.EnsureThreads(1);
        using var split = new RowSplitGemm((OpenBlasGemm)Blas.Gemm, 3);
        var rnd = new Random(1);
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            const int m = 601, n = 257, k = 129;
            var a = Enumerable.Range(0, m * k).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
            var c0 = Enumerable.Range(0, m * n).Select(_ => (float)rnd.NextDouble()).ToArray();
            var (want, got) = (c0.ToArray(), c0.ToArray());
            Blas.Gemm.Sgemm(ta, tb, m, n, k, 0.5f, a, b, 1f, want);
            Assert.Equal(3, split.BandsFor(m, n, k));
            split.Sgemm(ta, tb, m, n, k, 0.5f, a, b, 1f, got);
            Assert.Equal(want, got);
        }
        // A smaller product gets fewer bands (each keeps enough work), and still every row.
        const int m2 = 300, n2 = 257, k2 = 129; // 3 bands of 100 rows would be under MinBandWork, 2 of 150 are not
        Assert.Equal(2, split.BandsFor(m2, n2, k2));
        var a2 = Enumerable.Range(0, m2 * k2).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
        var b2 = Enumerable.Range(0, k2 * n2).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
        var (want2, got2) = (new float[m2 * n2], new float[m2 * n2]);
        Blas.Gemm.Sgemm(false, true, m2, n2, k2, 1f, a2, b2, 0f, want2);
        split.Sgemm(false, true, m2, n2, k2, 1f, a2, b2, 0f, got2);
        Assert.Equal(want2, got2);
        Assert.Equal(1, split.BandsFor(20, 257, 129));
    }
}
