namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// The process's GEMM backend: OpenBLAS when libopenblas.so.0 loads, Math.NET's managed provider otherwise
/// (or when <c>AKKAKD_BLAS=managed</c>). OpenBLAS's thread count is process-wide: set it once with <see cref="Configure"/>.
/// </summary>
public static class Blas
{
    private static readonly Lazy<(IGemm Gemm, string Note)> Chosen = new(Choose);
    private static int _threads = -1;

    public static IGemm Gemm => Chosen.Value.Gemm;

    /// <summary>Why this backend: the library loaded, or why OpenBLAS was not used.</summary>
    public static string Note => Chosen.Value.Note;

    public static bool IsOpenBlas => Gemm is OpenBlasGemm;

    /// <summary>Sets the number of threads GEMM may use in this process (one setting per process).</summary>
    /// <summary>
    /// Sets the thread count a sweep asks for (its threads per trial: other counts give other bits), unless it is set
    /// already. The count is process-wide: a node runs one count at a time.
    /// </summary>
    public static void EnsureThreads(int threads)
    {
        if (_threads != Math.Max(1, threads)) Configure(threads);
    }

    public static void Configure(int threads)
    {
        threads = Math.Max(1, threads);
        _threads = threads;
        switch (Gemm)
        {
            case OpenBlasGemm o: o.SetThreads(threads); break;
            case ManagedGemm: ManagedGemm.SetThreads(threads); break;
        }
    }

    /// <summary>One line for the user: which backend runs, and with how many threads.</summary>
    public static string Describe() =>
        $"GEMM backend: {Gemm.Name} ({Note}){(_threads > 0 ? $", {_threads} thread{(_threads == 1 ? "" : "s")}" : "")}";

    private static (IGemm, string) Choose()
    {
        var want = Environment.GetEnvironmentVariable("AKKAKD_BLAS")?.Trim().ToLowerInvariant();
        if (want == "managed") return (new ManagedGemm(), "AKKAKD_BLAS=managed");
        var ob = OpenBlasGemm.TryLoad(out var reason);
        if (ob != null) return (ob, ob.Library + (ob.Config.Length > 0 ? " " + ob.Config.Trim() : ""));
        return (new ManagedGemm(), reason + "; about 50x slower");
    }
}
