using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// Mlp.Create initialises as PyTorch's nn.Linear does by default: every weight and bias uniform in
/// [-1/sqrt(fan_in), 1/sqrt(fan_in)] (fan_in = the layer's inputs). Checked on the empirical min, max, mean and variance
/// of large layers whose fan_in and fan_out differ, so a bound of sqrt(6/fan_in), 1/fan_in, 1/sqrt(fan_out), a one-sided
/// range or zero biases all fail.
/// </summary>
public class InitBoundTests
{
    private static void AssertUniform(ReadOnlySpan<float> values, double bound, string what, double edge, double varianceTolerance)
    {
        double min = double.MaxValue, max = double.MinValue, sum = 0, sumSq = 0;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            sumSq += (double)v * v;
        }
        int n = values.Length;
        double mean = sum / n, variance = sumSq / n - mean * mean, expected = bound * bound / 3; // variance of U(-b, b)
        string stats = $"{what} ({n} values): min {min:G6}, max {max:G6}, mean {mean:G4}, variance {variance:G6}; " +
                       $"U(-{bound:G6}, {bound:G6}) has variance {expected:G6}";
        Assert.True(max <= bound && min >= -bound, $"{stats}: a value lies outside the bound");
        Assert.True(max >= edge * bound && min <= -edge * bound, $"{stats}: the values do not reach the bound");
        Assert.True(Math.Abs(mean) <= 0.1 * bound, $"{stats}: not centred on 0");
        Assert.True(Math.Abs(variance / expected - 1) <= varianceTolerance, $"{stats}: wrong spread");
    }

    [Fact]
    public void Weights_and_biases_are_uniform_in_one_over_sqrt_fan_in_as_nn_Linear()
    {
        int[] sizes = [500, 2000, 300, 10];
        var m = Mlp.Create(sizes[0], sizes[1..^1], sizes[^1], new Rng(1234));
        Assert.Equal(sizes, m.Sizes);
        for (int l = 0; l < m.Layers; l++)
        {
            double bound = 1 / Math.Sqrt(sizes[l]);
            int weights = m.Weight(l).Length, biases = m.Bias(l).Length;
            // With n uniform draws the extremes lie within about bound * 2 / n of the bound and the variance within a
            // few sqrt(0.8 / n) of its value: the tolerances below are several of those for the sizes at hand.
            AssertUniform(m.Weight(l), bound, $"layer {l} weights", edge: weights >= 100_000 ? 0.999 : 0.99,
                varianceTolerance: weights >= 100_000 ? 0.02 : 0.1);
            if (biases >= 300)
                AssertUniform(m.Bias(l), bound, $"layer {l} biases", edge: 0.9, varianceTolerance: 0.2);
            else
            {
                // 10 biases: all inside the bound, and not all squeezed to a third of it (chance (1/3)^10 for U(-b, b))
                Assert.All(m.Bias(l).ToArray(), b => Assert.InRange(b, -bound, bound));
                Assert.Contains(m.Bias(l).ToArray(), b => Math.Abs(b) > bound / 3);
            }
        }
        // the bounds differ from layer to layer: the largest weight of each layer is near its own 1/sqrt(fan_in)
        Assert.True(MaxAbs(m.Weight(0)) > 1.9 * MaxAbs(m.Weight(1)));
    }

    private static double MaxAbs(ReadOnlySpan<float> x)
    {
        double max = 0;
        foreach (var v in x) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
