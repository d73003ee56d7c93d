namespace AkkaKd.Sweep.Search;

/// <summary>
/// The Sobol sequence with the direction numbers of Joe and Kuo (new-joe-kuo-6.21201), in Gray-code order as their
/// generator and SciPy produce it, in up to <see cref="MaxDimensions"/> dimensions, 32 bits per coordinate. A scrambled
/// sequence XORs every point with one random 32-bit shift per dimension (a random digital shift): still a (t, s)-sequence,
/// and no longer starting at the origin.
/// </summary>
public sealed class Sobol
{
    private const int Bits = 32;

    /// <summary>Joe-Kuo: for dimensions 2.., the degree s, the coefficients a and the initial m_1..m_s.</summary>
    private static readonly (int S, uint A, uint[] M)[] JoeKuo =
    [
        (1, 0, [1]),
        (2, 1, [1, 3]),
        (3, 1, [1, 3, 1]),
        (3, 2, [1, 1, 1]),
        (4, 1, [1, 1, 3, 3]),
        (4, 4, [1, 3, 5, 13]),
        (5, 2, [1, 1, 5, 5, 17]),
    ];

    public const int MaxDimensions = 8;

    private readonly uint[][] _v;
    private readonly uint[] _x;
    private readonly uint[] _shift;
    private uint _index;

    public Sobol(int dimensions, uint[]? shift = null)
    {
        if (dimensions < 1 || dimensions > MaxDimensions)
            throw new ArgumentOutOfRangeException(nameof(dimensions), $"1 to {MaxDimensions} dimensions");
        if (shift != null && shift.Length != dimensions) throw new ArgumentException("one shift per dimension", nameof(shift));
        Dimensions = dimensions;
        _v = new uint[dimensions][];
        for (int d = 0; d < dimensions; d++) _v[d] = Directions(d);
        _x = new uint[dimensions];
        _shift = shift ?? new uint[dimensions];
    }

    public int Dimensions { get; }

    /// <summary>A scrambled sequence: the shifts drawn from <paramref name="seed"/>.</summary>
    public static Sobol Scrambled(int dimensions, ulong seed)
    {
        var rng = new Distillation.Numerics.Rng(seed);
        var shift = new uint[dimensions];
        for (int d = 0; d < dimensions; d++) shift[d] = (uint)(rng.NextUInt64() >> 32);
        return new Sobol(dimensions, shift);
    }

    /// <summary>The next point, each coordinate in [0, 1). The first point of an unscrambled sequence is the origin.</summary>
    public double[] Next()
    {
        var point = new double[Dimensions];
        for (int d = 0; d < Dimensions; d++) point[d] = (_x[d] ^ _shift[d]) / 4294967296.0;
        // Gray code: the next point differs from this one in the direction of the lowest zero bit of the index.
        int c = System.Numerics.BitOperations.TrailingZeroCount(~_index);
        if (c >= Bits) throw new InvalidOperationException("the Sobol sequence is exhausted (2^32 points)");
        for (int d = 0; d < Dimensions; d++) _x[d] ^= _v[d][c];
        _index++;
        return point;
    }

    private static uint[] Directions(int dimension)
    {
        var v = new uint[Bits];
        if (dimension == 0)
        {
            for (int i = 0; i < Bits; i++) v[i] = 1u << (Bits - 1 - i);
            return v;
        }
        var (s, a, m0) = JoeKuo[dimension - 1];
        var m = new uint[Bits];
        for (int i = 0; i < Bits; i++)
        {
            if (i < s)
            {
                m[i] = m0[i];
                continue;
            }
            uint value = m[i - s] ^ (m[i - s] << s);
            for (int k = 1; k < s; k++)
                if (((a >> (s - 1 - k)) & 1) != 0) value ^= m[i - k] << k;
            m[i] = value;
        }
        for (int i = 0; i < Bits; i++) v[i] = m[i] << (Bits - 1 - i);
        return v;
    }
}
