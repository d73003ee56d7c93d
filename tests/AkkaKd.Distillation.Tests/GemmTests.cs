using AkkaKd.Distillation.Numerics;
using Xunit.Abstractions;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// The GEMM backends against the double-accumulating reference: ManagedGemm always, OpenBlasGemm when the system has
/// libopenblas (the test output says which ran; without OpenBLAS the managed comparison still runs and must pass).
/// </summary>
public class GemmTests(ITestOutputHelper output)
{
    private static readonly Lazy<(OpenBlasGemm? Gemm, string Reason)> OpenBlas = new(() =>
    {
        var g = OpenBlasGemm.TryLoad(out var reason);
        return (g, reason);
    });

    /// <summary>The backends under test; OpenBLAS only when it loads, and the output says so either way.</summary>
    private List<IGemm> Backends()
    {
        var list = new List<IGemm> { new ManagedGemm() };
        var (ob, reason) = OpenBlas.Value;
        if (ob != null)
        {
            list.Add(ob);
            output.WriteLine($"comparing ManagedGemm and OpenBlasGemm ({ob.Library}) with ReferenceGemm");
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(reason), "TryLoad returned null without a reason");
            output.WriteLine($"OpenBLAS NOT AVAILABLE ({reason}): comparing only ManagedGemm with ReferenceGemm");
        }
        return list;
    }

    [Fact]
    public void Reference_gemm_computes_a_hand_checked_product()
    {
        // A = [1 2 3; 4 5 6] (2x3), B = [7 8; 9 10; 11 12] (3x2): A B = [58 64; 139 154].
        float[] a = [1, 2, 3, 4, 5, 6], b = [7, 8, 9, 10, 11, 12];
        var c = new float[] { 1, 1, 1, 1 };
        new ReferenceGemm().Sgemm(false, false, 2, 2, 3, 2f, a, b, -1f, c);
        Assert.Equal([115f, 127f, 277f, 307f], c);

        // A^T stored (3x2: [1 4; 2 5; 3 6]) and B^T stored (2x3: [7 9 11; 8 10 12]) give the same product.
        float[] at = [1, 4, 2, 5, 3, 6], bt = [7, 9, 11, 8, 10, 12];
        foreach (var (ta, tb) in new[] { (true, false), (false, true), (true, true) })
        {
            var c2 = new float[4];
            new ReferenceGemm().Sgemm(ta, tb, 2, 2, 3, 1f, ta ? at : a, tb ? bt : b, 0f, c2);
            Assert.Equal([58f, 64f, 139f, 154f], c2);
        }
    }

    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 },
        { 1, 9, 4 },    // one row
        { 6, 1, 5 },    // one column
        { 1, 1, 17 },   // a dot product
        { 4, 7, 1 },    // k = 1: an outer product
        { 1, 8, 1 },
        { 3, 5, 2 },
        { 7, 3, 11 },   // non-square
        { 16, 10, 33 },
        { 33, 65, 17 },
        { 100, 10, 257 }, // the shape of a logits layer
        { 130, 70, 200 }, // big enough for the backends' blocked / threaded paths
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backends_agree_with_the_reference_for_every_transpose_and_scale(int m, int n, int k)
    {
        var rng = new Rng((ulong)(m * 1_000_003 + n * 1009 + k));
        var reference = new ReferenceGemm();
        var backends = Backends();
        (float Alpha, float Beta)[] scales = [(1f, 0f), (0.7f, -0.5f), (-1.3f, 1f), (2f, 0.25f)];
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
        foreach (var (alpha, beta) in scales)
        {
            // Every array is longer than needed: a tail of NaN in A and B (reading it would poison C) and a sentinel
            // tail in C (writing it is a bug).
            int padA = 1 + rng.NextInt(9), padB = 1 + rng.NextInt(9), padC = 1 + rng.NextInt(9);
            var a = Random(rng, m * k, padA);
            var b = Random(rng, k * n, padB);
            var c0 = new float[m * n + padC];
            for (int i = 0; i < m * n; i++) c0[i] = rng.Uniform(-1, 1);
            for (int i = m * n; i < c0.Length; i++) c0[i] = 12345.5f;

            var expected = (float[])c0.Clone();
            reference.Sgemm(transA, transB, m, n, k, alpha, a.AsSpan(0, m * k), b.AsSpan(0, k * n), beta,
                expected.AsSpan(0, m * n));
            // the reference against a direct double computation with the layout of the docs
            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)A(a, transA, m, k, i, p) * B(b, transB, k, n, p, j);
                double want = alpha * s + beta * (double)c0[i * n + j];
                Assert.True(Math.Abs(want - expected[i * n + j]) <= 1e-6 * (1 + Math.Abs(want)), "the reference itself is off");
            }

            foreach (var gemm in backends)
            {
                var c = (float[])c0.Clone();
                gemm.Sgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
                string what = $"{gemm.Name} m={m} n={n} k={k} transA={transA} transB={transB} alpha={alpha} beta={beta}";
                for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    // the worst-case float32 error bound of a k-term dot product, on the magnitudes involved
                    double mag = 0;
                    for (int p = 0; p < k; p++) mag += Math.Abs((double)A(a, transA, m, k, i, p) * B(b, transB, k, n, p, j));
                    double bound = (k + 2) * 1.2e-7 * (Math.Abs(alpha) * mag + Math.Abs(beta * c0[i * n + j])) + 1e-30;
                    float got = c[i * n + j], want = expected[i * n + j];
                    Assert.True(Math.Abs(got - want) <= bound, $"{what}: C[{i},{j}] = {got:G9}, reference {want:G9}");
                }
                for (int i = m * n; i < c.Length; i++)
                    Assert.True(c[i] == 12345.5f, $"{what}: wrote past the m x n result, at {i}");
            }
        }
    }

    [Fact]
    public void Backends_refuse_spans_too_short_for_the_shape()
    {
        foreach (var gemm in Backends())
        {
            Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, 2, 3, 4, 1f, new float[7], new float[12], 0f, new float[6]));
            Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, true, 2, 3, 4, 1f, new float[8], new float[11], 0f, new float[6]));
            Assert.Throws<ArgumentException>(() => gemm.Sgemm(true, false, 2, 3, 4, 1f, new float[8], new float[12], 0f, new float[5]));
        }
    }

    [Fact]
    public void The_process_backend_is_openblas_when_it_loads_unless_managed_is_forced()
    {
        bool forced = Environment.GetEnvironmentVariable("AKKAKD_BLAS")?.Trim().Equals("managed", StringComparison.OrdinalIgnoreCase) == true;
        output.WriteLine(Blas.Describe());
        Assert.Contains(Blas.Gemm.Name, Blas.Describe());
        Assert.False(string.IsNullOrWhiteSpace(Blas.Note));
        if (forced)
        {
            Assert.IsType<ManagedGemm>(Blas.Gemm);
            Assert.Contains("AKKAKD_BLAS=managed", Blas.Note);
        }
        else if (OpenBlas.Value.Gemm != null)
        {
            Assert.True(Blas.IsOpenBlas, "OpenBLAS loads here but the process backend is " + Blas.Gemm.Name);
        }
        else
        {
            Assert.IsType<ManagedGemm>(Blas.Gemm);
            Assert.Contains("libopenblas", Blas.Note);
        }
    }

    private static float A(float[] a, bool trans, int m, int k, int i, int p) => trans ? a[p * m + i] : a[i * k + p];
    private static float B(float[] b, bool trans, int k, int n, int p, int j) => trans ? b[j * k + p] : b[p * n + j];

    private static float[] Random(Rng rng, int len, int pad)
    {
        var x = new float[len + pad];
        for (int i = 0; i < len; i++) x[i] = rng.Uniform(-1, 1);
        for (int i = len; i < x.Length; i++) x[i] = float.NaN;
        return x;
    }
}
