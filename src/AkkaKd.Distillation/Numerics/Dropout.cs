using System.Numerics;
using System.Runtime.InteropServices;

namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// Inverted dropout (as torch.nn.Dropout in training mode): each unit is kept with probability 1 - p and then scaled
/// by 1 / (1 - p), so evaluation needs no rescaling. The mask holds 0 or 1 / (1 - p); forward and backward multiply by
/// it. Masks come from the model's own <see cref="Rng"/>: one 32-bit half of a 64-bit draw per unit.
/// </summary>
public static class Dropout
{
    /// <summary>Fills <paramref name="mask"/> with 0 (probability p) or 1 / (1 - p).</summary>
    public static void FillMask(Span<float> mask, double p, Rng rng)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), "dropout must be in [0, 1)");
        float keep = 1f / (1f - (float)p);
        ulong threshold = (ulong)(p * 4294967296.0); // drop when the 32-bit draw is below p * 2^32
        int i = 0;
        for (; i + 1 < mask.Length; i += 2)
        {
            ulong r = rng.NextUInt64();
            mask[i] = (r & 0xFFFFFFFFUL) < threshold ? 0f : keep;
            mask[i + 1] = (r >> 32) < threshold ? 0f : keep;
        }
        if (i < mask.Length) mask[i] = (rng.NextUInt64() & 0xFFFFFFFFUL) < threshold ? 0f : keep;
    }

    /// <summary>x *= mask, element by element.</summary>
    public static void Apply(Span<float> x, ReadOnlySpan<float> mask)
    {
        if (mask.Length < x.Length) throw new ArgumentException("the mask is shorter than the activations");
        var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(mask);
        for (int i = 0; i < xv.Length; i++) xv[i] *= mv[i];
        for (int i = xv.Length * Vector<float>.Count; i < x.Length; i++) x[i] *= mask[i];
    }
}

/// <summary>
/// Random shifts of images (jitter), as the PyTorch peer does it: <c>torch.roll</c> by (dy, dx) pixels, wrapping
/// around the edges, with dy and dx uniform in [-k, k] and drawn once per batch.
/// </summary>
public static class ImageShift
{
    /// <summary>dst[i, j] = src[(i - dy) mod height, (j - dx) mod width] for one image of height x width values.</summary>
    public static void Roll(ReadOnlySpan<float> src, Span<float> dst, int height, int width, int dy, int dx)
    {
        if (src.Length != height * width || dst.Length != height * width)
            throw new ArgumentException($"an image of {height}x{width} needs {height * width} values");
        dy = Mod(dy, height);
        dx = Mod(dx, width);
        for (int i = 0; i < height; i++)
        {
            var from = src.Slice(Mod(i - dy, height) * width, width);
            var to = dst.Slice(i * width, width);
            // to[j] = from[(j - dx) mod width]: the last dx values of the row come first
            from[(width - dx)..].CopyTo(to);
            from[..(width - dx)].CopyTo(to[dx..]);
        }
    }

    /// <summary>A shift in [-k, k], uniform, from <paramref name="rng"/>.</summary>
    public static int Draw(int k, Rng rng) => rng.NextInt(2 * k + 1) - k;

    private static int Mod(int a, int n) => ((a % n) + n) % n;
}
