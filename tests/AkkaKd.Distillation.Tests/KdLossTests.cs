using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Tests;

/// <summary>The distillation loss and its gradient, per row (double) and per batch (float in, double inside).</summary>
public class KdLossTests
{
    // ---- independent references, written from the definitions (not from KdLoss) ----

    private static double[] SoftmaxRef(double[] x, double t)
    {
        double max = x.Max() / t;
        var e = x.Select(v => Math.Exp(v / t - max)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    private static double CrossEntropyRef(double[] z, int label)
    {
        double max = z.Max();
        double lse = max + Math.Log(z.Sum(v => Math.Exp(v - max)));
        return lse - z[label];
    }

    /// <summary>KL(p || q) with p = softmax(v/T), q = softmax(z/T); terms with p = 0 contribute 0.</summary>
    private static double KlRef(double[] v, double[] z, double t)
    {
        var p = SoftmaxRef(v, t);
        double maxZ = z.Max() / t, maxV = v.Max() / t;
        double lseZ = maxZ + Math.Log(z.Sum(x => Math.Exp(x / t - maxZ)));
        double lseV = maxV + Math.Log(v.Sum(x => Math.Exp(x / t - maxV)));
        double kl = 0;
        for (int c = 0; c < z.Length; c++)
            if (p[c] > 0) kl += p[c] * ((v[c] / t - lseV) - (z[c] / t - lseZ));
        return kl;
    }

    private static double[] RandomLogits(Rng rng, int k, double scale)
    {
        var x = new double[k];
        for (int i = 0; i < k; i++) x[i] = (rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    private static double Row(double[] z, double[] v, int label, double t, double alpha, out double[] grad)
    {
        grad = new double[z.Length];
        return KdLoss.Row(z, v, label, t, alpha, grad);
    }

    public static TheoryData<double, double> TemperaturesAndAlphas()
    {
        var data = new TheoryData<double, double>();
        foreach (var t in new[] { 0.5, 1.0, 2.0, 4.0, 10.0 })
        foreach (var a in new[] { 0.0, 0.3, 0.5, 0.9, 1.0 })
            data.Add(t, a);
        return data;
    }

    [Theory]
    [MemberData(nameof(TemperaturesAndAlphas))]
    public void Row_gradient_matches_central_differences(double t, double alpha)
    {
        var rng = new Rng(1234);
        const double eps = 1e-5;
        for (int trial = 0; trial < 5; trial++)
        {
            int k = 3 + trial * 2;
            var z = RandomLogits(rng, k, 3);
            var v = RandomLogits(rng, k, 5);
            int label = rng.NextInt(k);
            Row(z, v, label, t, alpha, out var grad);
            for (int c = 0; c < k; c++)
            {
                var zp = (double[])z.Clone();
                var zm = (double[])z.Clone();
                zp[c] += eps;
                zm[c] -= eps;
                double fd = (Row(zp, v, label, t, alpha, out _) - Row(zm, v, label, t, alpha, out _)) / (2 * eps);
                Assert.True(Math.Abs(fd - grad[c]) <= 1e-7 + 1e-6 * Math.Abs(fd),
                    $"T={t} alpha={alpha} k={k} class {c}: analytic {grad[c]:R}, finite difference {fd:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TemperaturesAndAlphas))]
    public void Row_gradient_matches_the_closed_formula(double t, double alpha)
    {
        var rng = new Rng(99);
        for (int trial = 0; trial < 5; trial++)
        {
            int k = 10;
            var z = RandomLogits(rng, k, 4);
            var v = RandomLogits(rng, k, 4);
            int label = rng.NextInt(k);
            Row(z, v, label, t, alpha, out var grad);
            var s = SoftmaxRef(z, 1);
            var q = SoftmaxRef(z, t);
            var p = SoftmaxRef(v, t);
            for (int c = 0; c < k; c++)
            {
                double expected = (1 - alpha) * (s[c] - (c == label ? 1 : 0)) + alpha * t * (q[c] - p[c]);
                Assert.True(Math.Abs(expected - grad[c]) <= 1e-12, $"class {c}: {grad[c]:R} vs {expected:R}");
            }
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(4.0)]
    public void At_alpha_0_the_loss_is_plain_cross_entropy_and_ignores_the_teacher(double t)
    {
        var rng = new Rng(7);
        for (int trial = 0; trial < 10; trial++)
        {
            var z = RandomLogits(rng, 10, 6);
            var v = RandomLogits(rng, 10, 6);
            int label = rng.NextInt(10);
            double withTeacher = Row(z, v, label, t, 0, out var g1);
            double withoutTeacher = Row(z, [], label, t, 0, out var g2);
            double ce = CrossEntropyRef(z, label);
            Assert.Equal(ce, withTeacher, 1e-12);
            Assert.Equal(ce, withoutTeacher, 1e-12);
            Assert.Equal(g1, g2);
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(4.0)]
    [InlineData(20.0)]
    public void At_alpha_1_the_loss_is_T_squared_times_KL(double t)
    {
        var rng = new Rng(8);
        for (int trial = 0; trial < 10; trial++)
        {
            var z = RandomLogits(rng, 10, 6);
            var v = RandomLogits(rng, 10, 6);
            int label = rng.NextInt(10);
            double loss = Row(z, v, label, t, 1, out _);
            double expected = t * t * KlRef(v, z, t);
            Assert.True(Math.Abs(loss - expected) <= 1e-12 * Math.Max(1, expected), $"T={t}: {loss:R} vs {expected:R}");
            // and the label does not matter at alpha 1
            Assert.Equal(loss, Row(z, v, (label + 1) % 10, t, 1, out _), 1e-12);
        }
    }

    [Fact]
    public void Loss_is_the_alpha_weighted_sum_of_its_two_terms()
    {
        var rng = new Rng(9);
        var z = RandomLogits(rng, 6, 3);
        var v = RandomLogits(rng, 6, 3);
        const double t = 3, alpha = 0.25;
        double expected = (1 - alpha) * CrossEntropyRef(z, 2) + alpha * t * t * KlRef(v, z, t);
        Assert.Equal(expected, Row(z, v, 2, t, alpha, out _), 1e-12);
    }

    [Fact]
    public void Same_student_and_teacher_at_alpha_1_gives_zero_loss_and_zero_gradient()
    {
        var z = new[] { 0.3, -1.2, 2.5, 0.0 };
        double loss = Row(z, (double[])z.Clone(), 0, 2.0, 1.0, out var grad);
        Assert.True(Math.Abs(loss) < 1e-14, $"loss {loss:R}");
        Assert.All(grad, g => Assert.True(Math.Abs(g) < 1e-14, $"grad {g:R}"));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(0.5)]
    public void A_teacher_probability_that_underflows_to_zero_counts_as_zero_log_zero(double t)
    {
        // softmax(v/T) has exp(-2000/T - ...) = 0 for the last two classes: 0 * log 0 must be 0, not NaN.
        var z = new[] { 0.5, -0.5, 1.0, 0.0 };
        foreach (var v in new[] { new[] { 1000.0, 0.0, -1000.0, -1000.0 }, new double[] { float.MaxValue, 0, float.MinValue, -1e4 } })
        foreach (var alpha in new[] { 0.5, 1.0 })
        {
            double loss = Row(z, v, 1, t, alpha, out var grad);
            Assert.True(double.IsFinite(loss), $"alpha {alpha}: loss {loss}");
            Assert.All(grad, g => Assert.True(double.IsFinite(g)));
            // the teacher is one-hot on class 0, so KL = -log q0 with q = softmax(z/T)
            var q = SoftmaxRef(z, t);
            double expected = (1 - alpha) * CrossEntropyRef(z, 1) + alpha * t * t * -Math.Log(q[0]);
            Assert.Equal(expected, loss, 1e-10);
        }
    }

    [Fact]
    public void Log_softmax_is_stable_for_huge_logits()
    {
        var x = new[] { 1000.0, -1000.0, 0.0, 999.0 };
        var ls = new double[4];
        KdLoss.LogSoftmax(x, 1.0, ls);
        Assert.All(ls, v => Assert.True(double.IsFinite(v), $"log-softmax {v}"));
        double lse = 1000 + Math.Log(1 + Math.Exp(-1)); // exp(-1000) and exp(-2000) vanish next to 1
        Assert.Equal(1000 - lse, ls[0], 1e-12);
        Assert.Equal(-1000 - lse, ls[1], 1e-9);
        Assert.Equal(0 - lse, ls[2], 1e-10);
        Assert.Equal(999 - lse, ls[3], 1e-12);

        var p = new double[4];
        KdLoss.Softmax(x, 1.0, p);
        Assert.Equal(1.0, p.Sum(), 1e-12);
        Assert.All(p, v => Assert.True(v >= 0 && v <= 1));

        Assert.Equal(lse, KdLoss.LogSumExp(x, 1.0), 1e-10);
        Assert.Equal(1000.0, KdLoss.LogSumExp([2000.0, -2000.0], 0.5), 1e-12); // scale applies before the exp
        Assert.Equal(-1000.0, KdLoss.LogSumExp([-1000.0, -3000.0], 1.0), 1e-12);

        // a student this confident and wrong still has a finite loss and gradient
        var z = new[] { 1000.0, -1000.0 };
        double loss = Row(z, [-1000.0, 1000.0], 1, 1.0, 0.5, out var grad);
        Assert.True(double.IsFinite(loss));
        Assert.Equal(0.5 * 2000 + 0.5 * 2000, loss, 1e-6); // CE = 2000 and KL(onehot_1 || onehot_0-ish) = 2000
        Assert.All(grad, g => Assert.True(double.IsFinite(g)));
        Assert.Equal(0.5 * 1 + 0.5 * 1, grad[0], 1e-12);
        Assert.Equal(-0.5 - 0.5, grad[1], 1e-12);
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(2f, 0.5f)]
    [InlineData(4f, 1f)]
    public void Compute_is_the_batch_mean_of_Row_and_divides_the_gradient_by_the_batch(float t, float alpha)
    {
        var rng = new Rng(10);
        const int rows = 5, k = 7;
        var z = new float[rows * k];
        var v = new float[rows * k];
        var y = new byte[rows];
        for (int i = 0; i < z.Length; i++) { z[i] = rng.Uniform(-3, 3); v[i] = rng.Uniform(-3, 3); }
        for (int r = 0; r < rows; r++) y[r] = (byte)rng.NextInt(k);
        var grad = new float[rows * k];
        double loss = KdLoss.Compute(z, v, y, rows, k, t, alpha, grad);

        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            var zr = z.AsSpan(r * k, k).ToArray().Select(f => (double)f).ToArray();
            var vr = v.AsSpan(r * k, k).ToArray().Select(f => (double)f).ToArray();
            sum += Row(zr, vr, y[r], t, alpha, out var g);
            for (int c = 0; c < k; c++) Assert.Equal((float)(g[c] / rows), grad[r * k + c]);
        }
        Assert.Equal(sum / rows, loss, 1e-12);
    }

    [Fact]
    public void Compute_refuses_a_soft_term_without_teacher_logits()
    {
        var grad = new float[4];
        Assert.Throws<ArgumentException>(() =>
            KdLoss.Compute(new float[4], ReadOnlySpan<float>.Empty, new byte[2], 2, 2, 2f, 0.5f, grad));
    }
}
