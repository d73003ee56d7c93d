using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Tests;

/// <summary>Adam against torch.optim.Adam's update, computed here in double.</summary>
public class AdamTests
{
    [Fact]
    public void First_step_moves_each_parameter_by_lr_times_the_sign_of_its_gradient()
    {
        // At t = 1: m = (1 - b1) g, v = (1 - b2) g^2, so m / (1 - b1) = g and sqrt(v / (1 - b2)) = |g|:
        // p1 = p0 - lr * g / (|g| + eps).
        float[] p = [1f, -2f, 0.5f, 3f, 0f];
        float[] g = [0.5f, -4f, 1e-3f, 0f, 2f];
        var adam = new Adam(5, learningRate: 0.01f);
        adam.Step(p, g);
        Assert.Equal(1, adam.Steps);
        Assert.Equal(1f - 0.01f, p[0], 1e-6f);
        Assert.Equal(-2f + 0.01f, p[1], 1e-6f);
        Assert.Equal(0.5f - 0.01f * 1e-3f / (1e-3f + 1e-8f), p[2], 1e-6f);
        Assert.Equal(3f, p[3]); // no gradient, no move
        Assert.Equal(0f - 0.01f, p[4], 1e-6f);
    }

    [Theory]
    [InlineData(0.9f, 0.999f, 1e-8f, 0.05f)]
    [InlineData(0.8f, 0.99f, 1e-3f, 0.1f)]
    public void Steps_match_torch_formula(float b1, float b2, float eps, float lr)
    {
        // 19 parameters: the vectorised part and the scalar tail both run.
        const int n = 19, steps = 4;
        var rng = new Rng(17);
        var p = new float[n];
        for (int i = 0; i < n; i++) p[i] = rng.Uniform(-1, 1);
        var expected = p.Select(x => (double)x).ToArray();
        var m = new double[n];
        var v = new double[n];
        var adam = new Adam(n, lr, b1, b2, eps);
        var g = new float[n];
        for (int t = 1; t <= steps; t++)
        {
            for (int i = 0; i < n; i++) g[i] = rng.Uniform(-2, 2) * (i % 5 == 0 ? 1e-3f : 1f);
            adam.Step(p, g);
            // torch.optim.Adam (no weight decay, no amsgrad):
            //   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
            //   step_size = lr / (1 - b1^t);  denom = sqrt(v) / sqrt(1 - b2^t) + eps;  p -= step_size * m / denom
            double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
            for (int i = 0; i < n; i++)
            {
                m[i] = b1 * m[i] + (1 - (double)b1) * g[i];
                v[i] = b2 * v[i] + (1 - (double)b2) * g[i] * (double)g[i];
                expected[i] -= lr / bc1 * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(bc2) + eps);
            }
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(p[i] - expected[i]) <= 2e-6 * Math.Max(1, Math.Abs(expected[i])),
                    $"step {t}, parameter {i}: {p[i]:G9} vs torch formula {expected[i]:G9}");
        }
        Assert.Equal(steps, adam.Steps);
    }

    [Fact]
    public void Defaults_are_torch_defaults()
    {
        var adam = new Adam(3, 1e-3f);
        Assert.Equal(0.9f, adam.Beta1);
        Assert.Equal(0.999f, adam.Beta2);
        Assert.Equal(1e-8f, adam.Eps);
    }

    [Fact]
    public void A_parameter_count_that_changed_is_refused()
    {
        var adam = new Adam(4, 1e-3f);
        Assert.Throws<ArgumentException>(() => adam.Step(new float[5], new float[5]));
        Assert.Throws<ArgumentException>(() => adam.Step(new float[4], new float[3]));
    }

    /// <summary>A step counted once and applied in parts (a layer at a time, as the trainer does) has the bits of one Step.</summary>
    [Fact]
    public void A_step_applied_in_parts_has_the_bits_of_one_step()
    {
        const int n = 1003;
        var rnd = new Random(4);
        var p0 = Enumerable.Range(0, n).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
        var (whole, parts) = (new Adam(n, 0.01f), new Adam(n, 0.01f));
        var (p1, p2) = (p0.ToArray(), p0.ToArray());
        for (int step = 0; step < 4; step++)
        {
            var g = Enumerable.Range(0, n).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
            whole.Step(p1.AsSpan(), g);
            parts.Begin();
            foreach (var (from, length) in new[] { (600, 403), (17, 583), (0, 17) }) parts.Update(p2, g, from, length, null);
        }
        Assert.Equal(p1, p2);
        Assert.Equal(whole.M.ToArray(), parts.M.ToArray());
        Assert.Equal(whole.V.ToArray(), parts.V.ToArray());
        Assert.Equal(4, parts.Steps);
        Assert.Throws<InvalidOperationException>(() => new Adam(n, 0.01f).Update(p2, p2, 0, 1, null)); // Begin first
    }
}
