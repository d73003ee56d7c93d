using System.Runtime.InteropServices;

namespace AkkaKd.Distillation.Numerics;

/// <summary><c>cblas_sgemm</c> from the system's OpenBLAS (libopenblas.so.0), called through a function pointer.</summary>
public sealed unsafe class OpenBlasGemm : IGemm
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;

    private OpenBlasGemm(IntPtr lib, string path)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(lib, "cblas_sgemm");
        _setThreads = NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out var st)
            ? (delegate* unmanaged<int, void>)st
            : null;
        Library = path;
        var cfg = NativeLibrary.TryGetExport(lib, "openblas_get_config", out var gc)
            ? Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)gc)())
            : null;
        Config = cfg ?? "";
    }

    public string Name => "openblas";
    public string Library { get; }
    public string Config { get; }

    /// <summary>Loads OpenBLAS if the system has it; null (and the reason) if it does not.</summary>
    public static OpenBlasGemm? TryLoad(out string reason)
    {
        var candidates = new List<string>();
        var env = Environment.GetEnvironmentVariable("AKKAKD_OPENBLAS");
        if (!string.IsNullOrWhiteSpace(env)) candidates.Add(env);
        candidates.Add("libopenblas.so.0");
        candidates.Add("libopenblas.so");
        candidates.Add("libopenblas.dylib");
        candidates.Add("libopenblas.dll");
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out var lib))
            {
                if (NativeLibrary.TryGetExport(lib, "cblas_sgemm", out _))
                {
                    reason = "";
                    return new OpenBlasGemm(lib, name);
                }
            }
        }
        reason = "libopenblas.so.0 not found (Debian: apt-get install libopenblas0-pthread)";
        return null;
    }

    public void SetThreads(int threads)
    {
        if (_setThreads != null) _setThreads(Math.Max(1, threads));
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        if (m == 0 || n == 0) return;
        GemmChecks.Check(transA, transB, m, n, k, a.Length, b.Length, c.Length);
        int lda = transA ? m : k, ldb = transB ? k : n;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha,
                pa, Math.Max(1, lda), pb, Math.Max(1, ldb), beta, pc, Math.Max(1, n));
        }
    }

    /// <summary>The same product on pinned memory with explicit leading dimensions (rows of a larger matrix).</summary>
    internal void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) =>
        _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha,
            a, Math.Max(1, lda), b, Math.Max(1, ldb), beta, c, Math.Max(1, ldc));
}

internal static class GemmChecks
{
    public static void Check(bool transA, bool transB, int m, int n, int k, int aLen, int bLen, int cLen)
    {
        if ((long)m * k > aLen) throw new ArgumentException($"A holds {aLen} values, op(A) needs {m}x{k}");
        if ((long)k * n > bLen) throw new ArgumentException($"B holds {bLen} values, op(B) needs {k}x{n}");
        if ((long)m * n > cLen) throw new ArgumentException($"C holds {cLen} values, needs {m}x{n}");
    }
}
