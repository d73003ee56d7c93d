namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// OpenBLAS GEMM with C split into equal bands, each computed by a single-threaded call on a thread of its own (the
/// caller's and <c>parts - 1</c> helpers). Bands are rows of C, or columns when C has fewer rows than columns (a
/// 128-row batch times a 1200-wide layer): each band then packs only its share of the large operand instead of all of
/// it. An element of C is a dot product over k whatever band it falls in, and OpenBLAS blocks k the same way for any
/// m or n, so the bits are those of one call (tested with the system's OpenBLAS in ThreadCountBitsTests: a property of
/// its kernels, not a promise of its API); products too small to be worth a band each (or that OpenBLAS would send to
/// its small-matrix kernels) run whole on the caller. Unlike OpenBLAS's own threads, the count is the object's, not
/// the process's: a teacher can use every core of a node while the node's students keep one thread each. The same
/// threads run elementwise work split into bands (<see cref="IBands"/>: the optimizer step). Calls come from one thread
/// at a time.
/// </summary>
public sealed unsafe class RowSplitGemm : IGemm, IBands, IDisposable
{
    /// <summary>The least multiply-adds of one band (m/parts x n x k): below it, OpenBLAS's small kernels may differ.</summary>
    public const long MinBandWork = 1L << 22;

    /// <summary>Column bands start at multiples of this many columns (the bits of one call hold at any multiple of 8 tested).</summary>
    public const int ColumnAlign = 8;

    /// <summary>The fewest columns of a column band.</summary>
    public const int MinBandColumns = 64;

    private readonly OpenBlasGemm _inner;
    private readonly Thread[] _helpers;
    private readonly SemaphoreSlim[] _go;
    private readonly CountdownEvent _done;
    private volatile bool _stopped;
    private Job _job;

    private struct Job
    {
        public bool TransA, TransB, ByColumns;
        public int M, N, K, Parts;
        public float Alpha, Beta;
        public float* A, B, C;
        public BandAction? Work; // elementwise work over [0, Length) instead of a product, bands aligned to Align
        public int Length, Align;
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
    /// least <see cref="MinBandWork"/> multiply-adds and two rows (or <see cref="MinBandColumns"/> columns, when it is
    /// split by columns: see <see cref="ByColumns"/>); 1: one call on the caller.
    /// </summary>
    public int BandsFor(int m, int n, int k)
    {
        bool byColumns = ByColumns(m, n);
        for (int bands = Parts; bands > 1; bands--)
        {
            bool wide = byColumns ? n >= MinBandColumns * bands : m >= 2 * bands;
            if (wide && (byColumns ? (long)m * (n / bands) : (long)(m / bands) * n) * k >= MinBandWork) return bands;
        }
        return 1;
    }

    /// <summary>
    /// Whether C is split by columns: when it has fewer rows than columns. A row band packs all of op(B) (k x n) and a
    /// column band all of op(A) (m x k); each side is repeated once per band, so the smaller one is.
    /// </summary>
    public static bool ByColumns(int m, int n) => m < n;

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
            Run(new Job
            {
                TransA = transA, TransB = transB, ByColumns = ByColumns(m, n), M = m, N = n, K = k, Parts = bands,
                Alpha = alpha, Beta = beta, A = pa, B = pb, C = pc,
            });
        }
    }

    /// <summary>
    /// Calls <paramref name="work"/> on every band of [0, <paramref name="length"/>), bands starting at multiples of
    /// <paramref name="align"/>, the caller's thread taking the first; returns when all are done. One band when the
    /// range is shorter than <paramref name="minBand"/> per band.
    /// </summary>
    public void For(int length, int align, int minBand, BandAction work)
    {
        if (length <= 0) return;
        int bands = Math.Clamp(length / Math.Max(1, minBand), 1, Parts);
        if (bands == 1 || _stopped)
        {
            work(0, length);
            return;
        }
        Run(new Job { Work = work, Length = length, Parts = bands, Align = Math.Max(1, align) });
    }

    private void Run(Job job)
    {
        _job = job;
        _failure = null;
        _done.Reset();
        foreach (var go in _go) go.Release();
        try
        {
            Band(0);
        }
        finally
        {
            _done.Wait(); // the helpers read the caller's (pinned) memory: never return before they are done
            _job = default;
        }
        if (_failure is { } e) throw new AggregateException("a band failed", e); // a helper's exception, on the caller
    }

    private volatile Exception? _failure;

    /// <summary>Where band <paramref name="band"/> of <paramref name="parts"/> starts in [0, length), aligned.</summary>
    private static int Start(int length, int band, int parts, int align) =>
        band >= parts ? length : (int)((long)length * band / parts) / align * align;

    /// <summary>Band <paramref name="band"/>: rows [m*band/parts, m*(band+1)/parts) of C, or its aligned columns.</summary>
    private void Band(int band)
    {
        var j = _job;
        if (j.Work is { } work)
        {
            int from = Start(j.Length, band, j.Parts, j.Align), to = Start(j.Length, band + 1, j.Parts, j.Align);
            if (to > from) work(from, to);
            return;
        }
        int lda = j.TransA ? j.M : j.K;
        int ldb = j.TransB ? j.K : j.N;
        if (j.ByColumns)
        {
            int c0 = Start(j.N, band, j.Parts, ColumnAlign), c1 = Start(j.N, band + 1, j.Parts, ColumnAlign);
            // op(B)'s columns are B's columns (stored k x n), or B's rows when B is stored transposed (n x k).
            float* b = j.TransB ? j.B + (long)c0 * j.K : j.B + c0;
            _inner.Sgemm(j.TransA, j.TransB, j.M, c1 - c0, j.K, j.Alpha, j.A, lda, b, ldb, j.Beta, j.C + c0, j.N);
            return;
        }
        int r0 = Start(j.M, band, j.Parts, 1), r1 = Start(j.M, band + 1, j.Parts, 1);
        // op(A)'s rows are A's rows (k apart), or A's columns when A is stored transposed (m x ... read k x m).
        float* a = j.TransA ? j.A + r0 : j.A + (long)r0 * j.K;
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
            catch (Exception e)
            {
                _failure = e; // handed to the caller: an exception must not end the helper (or the process)
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

/// <summary>Work on [from, to) of a range split into bands.</summary>
public delegate void BandAction(int from, int to);

/// <summary>Elementwise work split into bands run on several threads; the bits must not depend on the split.</summary>
public interface IBands
{
    int Parts { get; }

    /// <summary>Calls <paramref name="work"/> on every band of [0, length) (see <see cref="RowSplitGemm.For"/>).</summary>
    void For(int length, int align, int minBand, BandAction work);
}
