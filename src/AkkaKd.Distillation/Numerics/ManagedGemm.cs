using MathNet.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// Math.NET Numerics' managed linear-algebra provider: the fallback when OpenBLAS is not installed.
/// Math.NET is column-major, so the row-major product C = op(A) op(B) is computed as C^T = op(B)^T op(A)^T.
/// </summary>
public sealed class ManagedGemm : IGemm
{
    private readonly ILinearAlgebraProvider _provider;

    [ThreadStatic] private static float[]? _ta, _tb, _tc;

    public ManagedGemm()
    {
        Control.UseManaged();
        _provider = LinearAlgebraControl.Provider;
    }

    public string Name => "mathnet-managed";

    public static void SetThreads(int threads) => Control.MaxDegreeOfParallelism = Math.Max(1, threads);

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        if (m == 0 || n == 0) return;
        GemmChecks.Check(transA, transB, m, n, k, a.Length, b.Length, c.Length);
        // Math.NET wants whole arrays of exactly the matrix size.
        var ta = Exact(ref _ta, a[..(m * k)]);
        var tb = Exact(ref _tb, b[..(k * n)]);
        var tc = Exact(ref _tc, c[..(m * n)]);
        // Row-major B (k x n, or n x k when transB) read column-major is B^T (n x k), or B (k x n) stored transposed.
        var opB = transB ? Transpose.Transpose : Transpose.DontTranspose;
        int bRows = transB ? k : n, bCols = transB ? n : k;
        var opA = transA ? Transpose.Transpose : Transpose.DontTranspose;
        int aRows = transA ? m : k, aCols = transA ? k : m;
        _provider.MatrixMultiplyWithUpdate(opB, opA, alpha, tb, bRows, bCols, ta, aRows, aCols, beta, tc);
        tc.AsSpan().CopyTo(c);
    }

    private static float[] Exact(ref float[]? cache, ReadOnlySpan<float> src)
    {
        if (cache is null || cache.Length != src.Length) cache = new float[src.Length];
        src.CopyTo(cache);
        return cache;
    }
}
