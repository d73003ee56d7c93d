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
        _t++;
        float bc1 = 1f - MathF.Pow(Beta1, _t);
        float bc2 = 1f - MathF.Pow(Beta2, _t);
        float step = LearningRate / bc1;
        float invSqrtBc2 = 1f / MathF.Sqrt(bc2);
        float b1 = Beta1, b2 = Beta2, c1 = 1f - Beta1, c2 = 1f - Beta2, eps = Eps;

        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(_m.AsSpan());
        var vv = MemoryMarshal.Cast<float, Vector<float>>(_v.AsSpan());
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
            float m = b1 * _m[i] + c1 * gi;
            float v = b2 * _v[i] + c2 * gi * gi;
            _m[i] = m;
            _v[i] = v;
            p[i] -= step * m / (MathF.Sqrt(v) * invSqrtBc2 + eps);
        }
    }
}
