using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Tests;

public class RngTests
{
    [Fact]
    public void Same_seed_gives_the_same_stream_and_another_seed_another()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        var c = new Rng(43);
        int same = 0;
        for (int i = 0; i < 1000; i++)
        {
            ulong x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            if (x == c.NextUInt64()) same++;
        }
        Assert.True(same < 2, $"seeds 42 and 43 agree on {same} of 1000 draws");
        // every derived draw follows the same stream
        var d = new Rng(7);
        var e = new Rng(7);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(d.NextFloat(), e.NextFloat());
            Assert.Equal(d.NextDouble(), e.NextDouble());
            Assert.Equal(d.NextInt(1000), e.NextInt(1000));
            Assert.Equal(d.Uniform(-2, 3), e.Uniform(-2, 3));
        }
    }

    [Fact]
    public void Seed_zero_is_a_working_generator()
    {
        var r = new Rng(0);
        var seen = new HashSet<ulong>();
        for (int i = 0; i < 100; i++) seen.Add(r.NextUInt64());
        Assert.Equal(100, seen.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void NextInt_stays_in_range(int n)
    {
        var r = new Rng((ulong)n);
        int max = -1;
        for (int i = 0; i < 20_000; i++)
        {
            int v = r.NextInt(n);
            Assert.InRange(v, 0, n - 1);
            max = Math.Max(max, v);
        }
        if (n <= 1000) Assert.Equal(n - 1, max); // the top of the range is reached
        else Assert.True(max > n / 2, "draws from [0, 2^31-1) never reach the upper half");
    }

    [Fact]
    public void NextInt_is_close_to_uniform()
    {
        var r = new Rng(2024);
        const int n = 7, draws = 70_000;
        var counts = new int[n];
        for (int i = 0; i < draws; i++) counts[r.NextInt(n)]++;
        // expected 10,000 each with a standard deviation of about 93
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void NextInt_refuses_an_empty_range()
    {
        var r = new Rng(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => r.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.NextInt(-5));
    }

    [Fact]
    public void Floats_and_doubles_lie_in_the_unit_interval_and_uniform_in_its_bounds()
    {
        var r = new Rng(3);
        double sum = 0;
        for (int i = 0; i < 10_000; i++)
        {
            float f = r.NextFloat();
            double d = r.NextDouble();
            float u = r.Uniform(-0.25f, 0.5f);
            Assert.True(f >= 0f && f < 1f, $"NextFloat {f}");
            Assert.True(d >= 0d && d < 1d, $"NextDouble {d}");
            Assert.True(u >= -0.25f && u < 0.5f, $"Uniform {u}");
            sum += d;
        }
        Assert.InRange(sum / 10_000, 0.48, 0.52);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(1000)]
    public void Shuffle_is_a_permutation(int n)
    {
        var items = Enumerable.Range(0, n).ToArray();
        new Rng(11).Shuffle(items);
        Assert.Equal(Enumerable.Range(0, n), items.Order());
        if (n == 1000) Assert.NotEqual(Enumerable.Range(0, n), items); // 1/1000! chance of the identity

        var again = Enumerable.Range(0, n).ToArray();
        new Rng(11).Shuffle(again);
        Assert.Equal(items, again);
    }

    [Fact]
    public void Shuffle_reaches_every_order_evenly()
    {
        var r = new Rng(5);
        var counts = new Dictionary<string, int>();
        for (int i = 0; i < 6_000; i++)
        {
            var items = new[] { 0, 1, 2 };
            r.Shuffle(items);
            string key = string.Join("", items);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1150)); // 1,000 each, sd about 29
    }
}
