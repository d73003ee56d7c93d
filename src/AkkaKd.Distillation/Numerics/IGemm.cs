namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// Single-precision GEMM on row-major, tightly packed matrices: C[m x n] = alpha * op(A) * op(B) + beta * C, where
/// op(A) is m x k (A is stored m x k, or k x m when transposed) and op(B) is k x n (B stored k x n, or n x k).
/// </summary>
public interface IGemm
{
    string Name { get; }

    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c);
}

/// <summary>The textbook triple loop, in double accumulation: the reference the tests hold the backends to.</summary>
public sealed class ReferenceGemm : IGemm
{
    public string Name => "reference";

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int p = 0; p < k; p++)
            {
                float av = transA ? a[p * m + i] : a[i * k + p];
                float bv = transB ? b[j * k + p] : b[p * n + j];
                sum += (double)av * bv;
            }
            c[i * n + j] = (float)(alpha * sum + (beta == 0 ? 0 : beta * c[i * n + j]));
        }
    }
}
