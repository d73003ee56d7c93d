namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a small, fast generator whose stream is fixed by the seed alone, on every
/// runtime and machine (System.Random's algorithm is an implementation detail of .NET).
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The generator's position in its stream: the four words of its state (for a checkpoint).</summary>
    public ulong[] State => [_s0, _s1, _s2, _s3];

    /// <summary>A generator at the position <paramref name="state"/> (from <see cref="State"/>).</summary>
    public static Rng FromState(IReadOnlyList<ulong> state)
    {
        if (state.Count != 4) throw new ArgumentException("an Rng state has 4 words", nameof(state));
        if (state.All(w => w == 0)) throw new ArgumentException("an all-zero xoshiro state is not a position of any stream", nameof(state));
        var rng = new Rng(0);
        (rng._s0, rng._s1, rng._s2, rng._s3) = (state[0], state[1], state[2], state[3]);
        return rng;
    }

    public static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public float Uniform(float lo, float hi) => lo + (hi - lo) * NextFloat();

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong un = (ulong)n;
        while (true)
        {
            UInt128 m = (UInt128)NextUInt64() * un;
            ulong low = (ulong)m;
            if (low >= un || low >= (0UL - un) % un) return (int)(m >> 64);
        }
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
