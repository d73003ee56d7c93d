namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// OpenBLAS GEMM with the rows of C split into equal bands, each computed by a single-threaded call on a thread of its
/// own (the caller's and <c>parts - 1</c> helpers). A row of C is a dot product over k whatever band it falls in, and
/// OpenBLAS blocks k the same way for any m, so the bits are those of one call (tested with the system's OpenBLAS in
/// ThreadCountBitsTests: a property of its kernels, not a promise of its API); products too small to be worth a
/// band each (or that OpenBLAS would send to its small-matrix kernels) run whole on the caller. Unlike OpenBLAS's own
/// threads, the count is the object's, not the process's: a teacher can use every core of a node while the node's
/// students keep one thread each. Calls come from one thread at a time.
/// </summary>
public sealed unsafe class RowSplitGemm : IGemm, IDisposable
{
    /// <summary>The least multiply-adds of one band (m/parts x n x k): below it, OpenBLAS's small kernels may differ.</summary>
    public const long MinBandWork = 1L << 22;

    private readonly OpenBlasGemm _inner;
    private readonly Thread[] _helpers;
    private readonly SemaphoreSlim[] _go;
    private readonly CountdownEvent _done;
    private volatile bool _stopped;
    private Job _job;

    private struct Job
    {
        public bool TransA, TransB;
        public int M, N, K, Parts;
        public float Alpha, Beta;
        public float* A, B, C;
    }

    public RowSplitGemm(OpenBlasGemm inner, int parts)
    {
        _inner = inner;
        Parts = Math.Max(1, parts);
        _go = new SemaphoreSlim[Parts - 1];
        _helpers = new Thread[Parts - 1];
        _done = new CountdownEvent(Parts - 1);
        for (int i = 0; i < _helpers.Length; i++)
        {
            int band = i + 1;
            _go[i] = new SemaphoreSlim(0);
            _helpers[i] = new Thread(() => Helper(band)) { IsBackground = true, Name = $"gemm-band-{band}" };
            _helpers[i].Start();
        }
    }

    public int Parts { get; }

    public string Name => _inner.Name;

    /// <summary>
    /// The bands a product of this shape is split into: the most, up to <see cref="Parts"/>, that leave every band at
    /// least two rows and <see cref="MinBandWork"/> multiply-adds (1: one call on the caller).
    /// </summary>
    public int BandsFor(int m, int n, int k)
    {
        for (int bands = Parts; bands > 1; bands--)
            if (m >= 2 * bands && (long)(m / bands) * n * k >= MinBandWork) return bands;
        return 1;
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        int bands = BandsFor(m, n, k);
        if (bands == 1 || _stopped)
        {
            _inner.Sgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
            return;
        }
        GemmChecks.Check(transA, transB, m, n, k, a.Length, b.Length, c.Length);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _job = new Job { TransA = transA, TransB = transB, M = m, N = n, K = k, Parts = bands, Alpha = alpha, Beta = beta, A = pa, B = pb, C = pc };
            _done.Reset();
            foreach (var go in _go) go.Release();
            try
            {
                Band(0);
            }
            finally
            {
                _done.Wait(); // the helpers read the pinned matrices: never unpin before they are done
            }
        }
    }

    /// <summary>Rows [m*band/parts, m*(band+1)/parts) of C.</summary>
    private void Band(int band)
    {
        var j = _job;
        int r0 = (int)((long)j.M * band / j.Parts), r1 = (int)((long)j.M * (band + 1) / j.Parts);
        // op(A)'s rows are A's rows (k apart), or A's columns when A is stored transposed (m x ... read k x m).
        float* a = j.TransA ? j.A + r0 : j.A + (long)r0 * j.K;
        int lda = j.TransA ? j.M : j.K;
        int ldb = j.TransB ? j.K : j.N;
        _inner.Sgemm(j.TransA, j.TransB, r1 - r0, j.N, j.K, j.Alpha, a, lda, j.B, ldb, j.Beta, j.C + (long)r0 * j.N, j.N);
    }

    private void Helper(int band)
    {
        var go = _go[band - 1];
        while (true)
        {
            go.Wait();
            if (_stopped) return;
            try
            {
                if (band < _job.Parts) Band(band); // fewer bands than helpers: the rest have nothing to do
            }
            finally
            {
                _done.Signal();
            }
        }
    }

    public void Dispose()
    {
        if (_stopped) return;
        _stopped = true;
        foreach (var go in _go) go.Release();
    }
}
