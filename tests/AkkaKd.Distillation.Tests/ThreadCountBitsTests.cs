using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// A teacher trained with its GEMMs split into bands (rows or columns) on two threads (<see cref="RowSplitGemm"/>) has
/// the bits of the same teacher trained with one single-threaded OpenBLAS call per product: the teacher's artifact
/// (named by the SHA-256 of its logits) must not depend on how many cores trained it. OpenBLAS's own threads do not promise that.
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

    /// <summary>
    /// C with fewer rows than columns (a batch times a wide layer) is split by columns, each band an aligned run of
    /// them: every element is computed once, with the bits of one call, in every layout.
    /// </summary>
    [Fact]
    public void A_wide_product_is_split_by_columns_with_the_bits_of_one_call()
    {
        if (!Blas.IsOpenBlas) return;
        Blas.EnsureThreads(1);
        using var split = new RowSplitGemm((OpenBlasGemm)Blas.Gemm, 3);
        var rnd = new Random(2);
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            const int m = 129, n = 601, k = 257; // 3 bands: 200, 200 and 201 columns (200 = 12.5 x 16: an edge inside a 16-wide tile)
            Assert.True(RowSplitGemm.ByColumns(m, n));
            Assert.Equal(3, split.BandsFor(m, n, k));
            var a = Enumerable.Range(0, m * k).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
            var c0 = Enumerable.Range(0, m * n).Select(_ => (float)rnd.NextDouble()).ToArray();
            var (want, got) = (c0.ToArray(), c0.ToArray());
            Blas.Gemm.Sgemm(ta, tb, m, n, k, 0.5f, a, b, 1f, want);
            split.Sgemm(ta, tb, m, n, k, 0.5f, a, b, 1f, got);
            Assert.Equal(want, got);
        }
        // Too few columns for a band of MinBandColumns each: fewer bands, or none.
        Assert.Equal(2, split.BandsFor(129, 190, 513));
        Assert.Equal(1, split.BandsFor(129, 127, 513));
    }

    [Fact]
    public void Banded_work_covers_every_index_once()
    {
        using var split = new RowSplitGemm(Blas.Gemm as OpenBlasGemm ?? OpenBlasGemm.TryLoad(out _)!, 3);
        foreach (var (length, align, minBand, bands) in new[] { (1_000_003, 64, 1000, 3), (100, 64, 1000, 1), (200, 64, 10, 3), (0, 64, 1, 0) })
        {
            var seen = new int[length];
            int calls = 0;
            split.For(length, align, minBand, (from, to) =>
            {
                Interlocked.Increment(ref calls);
                Assert.True(from % align == 0 && to > from, $"band [{from}, {to})");
                for (int i = from; i < to; i++) seen[i]++;
            });
            Assert.All(seen, x => Assert.Equal(1, x));
            Assert.Equal(bands, calls);
        }
    }

    [Fact]
    public void A_band_that_throws_fails_the_call_on_the_callers_thread_and_the_helpers_go_on()
    {
        using var split = new RowSplitGemm(Blas.Gemm as OpenBlasGemm ?? OpenBlasGemm.TryLoad(out _)!, 2);
        var e = Assert.Throws<AggregateException>(() => split.For(1000, 8, 100, (from, _) =>
        {
            if (from > 0) throw new InvalidOperationException("band 1");
        }));
        Assert.Equal("band 1", e.InnerException!.Message);
        int sum = 0;
        split.For(1000, 8, 100, (from, to) => Interlocked.Add(ref sum, to - from)); // the helper still serves
        Assert.Equal(1000, sum);
    }

    /// <summary>Adam's step split over the bands' threads updates every parameter with the bits of the plain step.</summary>
    [Fact]
    public void Adam_split_into_bands_has_the_bits_of_one_thread()
    {
        if (!Blas.IsOpenBlas) return;
        using var split = new RowSplitGemm((OpenBlasGemm)Blas.Gemm, 2);
        const int n = 300_007; // more than two bands' worth, not a multiple of a vector
        var rnd = new Random(3);
        var p0 = Enumerable.Range(0, n).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
        var (one, two) = (new Adam(n, 1e-3f), new Adam(n, 1e-3f));
        var (p1, p2) = (p0.ToArray(), p0.ToArray());
        for (int step = 0; step < 3; step++)
        {
            var g = Enumerable.Range(0, n).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
            one.Step(p1.AsSpan(), g);
            two.Begin();
            two.Update(p2, g, 0, n, split);
        }
        Assert.Equal(Sha(p1), Sha(p2));
        Assert.Equal(Sha(one.M.ToArray()), Sha(two.M.ToArray()));
        Assert.Equal(Sha(one.V.ToArray()), Sha(two.V.ToArray()));
        Assert.Equal(3, two.Steps);
        Assert.NotEqual(Sha(p0), Sha(p2));
    }
}
