using System.Numerics;
using System.Runtime.InteropServices;

namespace AkkaKd.Distillation.Numerics;

/// <summary>Adam (Kingma and Ba), bias-corrected exactly as torch.optim.Adam computes it.</summary>
public sealed class Adam
{
    private readonly float[] _m, _v;
    private int _t;

    public Adam(int parameters, float learningRate, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
    {
        _m = new float[parameters];
        _v = new float[parameters];
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
    }

    public float LearningRate { get; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }
    public int Steps => _t;

    /// <summary>The first and second moments (read-only views, for a checkpoint).</summary>
    public ReadOnlySpan<float> M => _m;
    public ReadOnlySpan<float> V => _v;

    /// <summary>Puts the optimizer where a checkpoint left it: its moments and its step count.</summary>
    public void Restore(ReadOnlySpan<float> m, ReadOnlySpan<float> v, int steps)
    {
        if (m.Length != _m.Length || v.Length != _v.Length) throw new ArgumentException("parameter count changed");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps));
        m.CopyTo(_m);
        v.CopyTo(_v);
        _t = steps;
    }

    /// <summary>p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), after updating m and v with g.</summary>
    public void Step(Span<float> p, ReadOnlySpan<float> g)
    {
        if (p.Length != _m.Length || g.Length != _m.Length) throw new ArgumentException("parameter count changed");
        Update(p, g, _m, _v, Next());
    }

    /// <summary>
    /// Counts a step whose elements are then updated in parts (<see cref="Update(float[], float[], int, int, IBands?)"/>,
    /// every element once): the bits of <see cref="Step(Span{float}, ReadOnlySpan{float})"/>.
    /// </summary>
    public void Begin() => _terms = Next();

    /// <summary>
    /// Updates elements [from, from + length) with the step counted by <see cref="Begin"/>, split into bands over
    /// <paramref name="bands"/>' threads when given (each element on its own: the same bits).
    /// </summary>
    public void Update(float[] p, float[] g, int from, int length, IBands? bands)
    {
        if (p.Length != _m.Length || g.Length != _m.Length) throw new ArgumentException("parameter count changed");
        if (_t == 0) throw new InvalidOperationException("Begin counts the step first");
        if (bands is null)
        {
            var r = from..(from + length);
            Update(p.AsSpan(r), g.AsSpan(r), _m.AsSpan(r), _v.AsSpan(r), _terms);
            return;
        }
        (_p, _g, _from) = (p, g, from);
        try
        {
            bands.For(length, 64, MinBand, _band ??= UpdateBand);
        }
        finally
        {
            (_p, _g) = (null, null);
        }
    }

    /// <summary>The fewest parameters worth a band of their own.</summary>
    private const int MinBand = 1 << 16;

    private float[]? _p, _g;
    private int _from;
    private Terms _terms;
    private BandAction? _band;

    private void UpdateBand(int from, int to)
    {
        var r = (_from + from)..(_from + to);
        Update(_p.AsSpan(r), _g.AsSpan(r), _m.AsSpan(r), _v.AsSpan(r), _terms);
    }

    /// <summary>The constants of one step, after counting it.</summary>
    private readonly record struct Terms(float B1, float B2, float C1, float C2, float Eps, float Step, float InvSqrtBc2);

    private Terms Next()
    {
        _t++;
        float bc1 = 1f - MathF.Pow(Beta1, _t);
        float bc2 = 1f - MathF.Pow(Beta2, _t);
        return new Terms(Beta1, Beta2, 1f - Beta1, 1f - Beta2, Eps, LearningRate / bc1, 1f / MathF.Sqrt(bc2));
    }

    private static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> ms, Span<float> vs, in Terms t)
    {
        float b1 = t.B1, b2 = t.B2, c1 = t.C1, c2 = t.C2, eps = t.Eps, step = t.Step, invSqrtBc2 = t.InvSqrtBc2;
        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(ms);
        var vv = MemoryMarshal.Cast<float, Vector<float>>(vs);
        var vb1 = new Vector<float>(b1);
        var vb2 = new Vector<float>(b2);
        var vc1 = new Vector<float>(c1);
        var vc2 = new Vector<float>(c2);
        var veps = new Vector<float>(eps);
        var vstep = new Vector<float>(step);
        var vbc2 = new Vector<float>(invSqrtBc2);
        for (int i = 0; i < pv.Length; i++)
        {
            var gi = gv[i];
            var m = vb1 * mv[i] + vc1 * gi;
            var v = vb2 * vv[i] + vc2 * gi * gi;
            mv[i] = m;
            vv[i] = v;
            pv[i] -= vstep * m / (Vector.SquareRoot(v) * vbc2 + veps);
        }
        for (int i = pv.Length * Vector<float>.Count; i < p.Length; i++)
        {
            float gi = g[i];
            float m = b1 * ms[i] + c1 * gi;
            float v = b2 * vs[i] + c2 * gi * gi;
            ms[i] = m;
            vs[i] = v;
            p[i] -= step * m / (MathF.Sqrt(v) * invSqrtBc2 + eps);
        }
    }
}
