using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// Finite-difference checks of the backward passes: Linear (weights, biases, input), ReLU, and the whole network under
/// the KD loss. Central differences in float32 with eps 1e-3, the GEMM accumulating in double (ReferenceGemm) unless a
/// test says otherwise. Every check first verifies that no perturbation moves a pre-activation across the ReLU's kink.
/// </summary>
public class MlpGradientTests
{
    private const float Eps = 1e-3f;

    internal static IGemm GemmNamed(string name) => name switch
    {
        "reference" => new ReferenceGemm(),
        "managed" => new ManagedGemm(),
        "process" => Blas.Gemm,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>A tiny network, a batch and teacher logits, with the helpers to evaluate the loss.</summary>
    private sealed class Net
    {
        public Net(int[] hidden, int rows, ulong seed, IGemm gemm, double inputDropout = 0, double dropout = 0)
        {
            var rng = new Rng(seed);
            Model = Mlp.Create(Inputs, hidden, Classes, rng);
            Rows = rows;
            Gemm = gemm;
            X = new float[rows * Inputs];
            for (int i = 0; i < X.Length; i++) X[i] = rng.Uniform(-1, 1);
            V = new float[rows * Classes];
            for (int i = 0; i < V.Length; i++) V[i] = rng.Uniform(-3, 3);
            Y = new byte[rows];
            for (int r = 0; r < rows; r++) Y[r] = (byte)rng.NextInt(Classes);
            Ws = new MlpWorkspace(Model, rows, inputDropout > 0, dropout > 0);
            // Dropout masks drawn once and held fixed: the loss is then a smooth function of the parameters.
            var maskRng = new Rng(seed + 1);
            if (inputDropout > 0) Dropout.FillMask(Ws.Mask[0], inputDropout, maskRng);
            for (int l = 1; l < Model.Layers && dropout > 0; l++) Dropout.FillMask(Ws.Mask[l], dropout, maskRng);
        }

        public const int Inputs = 6, Classes = 4;
        public Mlp Model { get; }
        public int Rows { get; }
        public IGemm Gemm { get; }
        public float[] X { get; }
        public float[] V { get; }
        public byte[] Y { get; }
        public MlpWorkspace Ws { get; }

        /// <summary>Forward pass and KD loss; the gradient w.r.t. the logits lands in Ws.DLogits.</summary>
        public double Loss(float t, float alpha)
        {
            X.CopyTo(Ws.Input, 0);
            Model.Forward(Ws, Rows, Gemm);
            int n = Rows * Classes;
            return KdLoss.Compute(Ws.Logits.AsSpan(0, n), V, Y, Rows, Classes, t, alpha, Ws.DLogits.AsSpan(0, n));
        }

        /// <summary>Which hidden units are active (ReLU output &gt; 0) after the last forward pass.</summary>
        public string ActivityPattern()
        {
            var sb = new System.Text.StringBuilder();
            for (int l = 1; l < Model.Sizes.Length - 1; l++)
            {
                for (int i = 0; i < Rows * Model.Sizes[l]; i++) sb.Append(Ws.Act[l][i] > 0 ? '1' : '0');
                sb.Append('|');
            }
            return sb.ToString();
        }
    }

    /// <summary>Central difference of <paramref name="f"/> in one float slot, checking the ReLU pattern stays put.</summary>
    private static double CentralDifference(Net net, float[] array, int index, Func<double> f, string basePattern, string what)
    {
        float orig = array[index];
        float plus = orig + Eps, minus = orig - Eps;
        array[index] = plus;
        double fp = f();
        string pp = net.ActivityPattern();
        array[index] = minus;
        double fm = f();
        string pm = net.ActivityPattern();
        array[index] = orig;
        Assert.True(pp == basePattern && pm == basePattern,
            $"{what}: the perturbation crosses a ReLU kink; pick another seed for this check");
        return (fp - fm) / ((double)plus - minus);
    }

    private static void AssertClose(double analytic, double fd, string what)
    {
        // float32 forward passes: differences of 1e-3 carry a few 1e-5 of noise.
        double tol = 2e-4 + 2e-3 * Math.Max(Math.Abs(analytic), Math.Abs(fd));
        Assert.True(Math.Abs(analytic - fd) <= tol, $"{what}: analytic {analytic:G9}, finite difference {fd:G9}");
    }

    public static TheoryData<string, float, float> GemmsTemperaturesAlphas() => new()
    {
        { "reference", 1f, 0f },
        { "reference", 2f, 0.5f },
        { "reference", 4f, 0.9f },
        { "reference", 3f, 1f },
        { "reference", 0.5f, 0.3f },
        { "managed", 4f, 0.9f },
        { "process", 2f, 0.5f },
    };

    [Theory]
    [MemberData(nameof(GemmsTemperaturesAlphas))]
    public void Two_hidden_layer_network_parameter_gradients_match_central_differences(string gemm, float t, float alpha)
    {
        var net = new Net([5, 4], rows: 3, seed: 20240601, GemmNamed(gemm));
        net.Loss(t, alpha);
        string pattern = net.ActivityPattern();
        Assert.Contains('1', pattern); // the check must go through live ReLUs...
        Assert.Contains('0', pattern); // ...and dead ones
        var grads = new float[net.Model.ParameterCount];
        Array.Fill(grads, float.NaN); // Backward must write every slot
        net.Model.Backward(net.Ws, net.Rows, grads, net.Gemm);

        var p = net.Model.Parameters;
        int nonZero = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double fd = CentralDifference(net, p, i, () => net.Loss(t, alpha), pattern, $"parameter {i}");
            AssertClose(grads[i], fd, $"T={t} alpha={alpha} {Describe(net.Model, i)}");
            if (Math.Abs(fd) > 1e-3) nonZero++;
        }
        Assert.True(nonZero > p.Length / 3, $"only {nonZero} of {p.Length} gradients are non-zero: the check is too weak");
    }

    /// <summary>
    /// Backward hands each layer's parameter range on once its gradients are written and its weights no longer read (the
    /// trainer steps Adam there): every parameter once, last layer first, and the gradients are those of a plain
    /// Backward even when the callback overwrites the layer's weights.
    /// </summary>
    [Fact]
    public void Backward_hands_each_layer_on_once_its_weights_are_no_longer_needed()
    {
        var net = new Net([5, 4], rows: 3, seed: 5, new ReferenceGemm());
        net.Loss(2f, 0.5f);
        var want = new float[net.Model.ParameterCount];
        net.Model.Backward(net.Ws, net.Rows, want, net.Gemm);

        var got = new float[net.Model.ParameterCount];
        Array.Fill(got, float.NaN);
        var seen = new int[got.Length];
        var order = new List<int>();
        net.Model.Backward(net.Ws, net.Rows, got, net.Gemm, (from, length) =>
        {
            order.Add(from);
            for (int i = from; i < from + length; i++)
            {
                seen[i]++;
                Assert.False(float.IsNaN(got[i]), $"parameter {i} handed on before its gradient was written");
                net.Model.Parameters[i] = float.NaN; // an optimizer step: nothing after this may read them
            }
        });
        Assert.All(seen, c => Assert.Equal(1, c));
        Assert.Equal([net.Model.WeightOffset(2), net.Model.WeightOffset(1), net.Model.WeightOffset(0)], order);
        Assert.Equal(want, got);
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(4f, 0.9f)]
    [InlineData(2f, 1f)]
    public void Two_hidden_layer_network_input_gradient_matches_central_differences(float t, float alpha)
    {
        // Backward leaves dLoss/d(pre-activation of the first layer) in Delta[1]; the input gradient is Delta[1] W0.
        var net = new Net([5, 4], rows: 3, seed: 77, new ReferenceGemm());
        net.Loss(t, alpha);
        string pattern = net.ActivityPattern();
        var grads = new float[net.Model.ParameterCount];
        net.Model.Backward(net.Ws, net.Rows, grads, net.Gemm);
        int h = net.Model.Sizes[1], d = Net.Inputs;
        var delta1 = net.Ws.Delta[1].AsSpan(0, net.Rows * h).ToArray();
        var w0 = net.Model.Weight(0).ToArray();

        for (int r = 0; r < net.Rows; r++)
        for (int i = 0; i < d; i++)
        {
            double analytic = 0;
            for (int j = 0; j < h; j++) analytic += (double)delta1[r * h + j] * w0[j * d + i];
            double fd = CentralDifference(net, net.X, r * d + i, () => net.Loss(t, alpha), pattern, $"input [{r},{i}]");
            AssertClose(analytic, fd, $"T={t} alpha={alpha} input [{r},{i}]");
        }
    }

    public static TheoryData<string, double, double, float, float> DropoutCases() => new()
    {
        // gemm, input dropout, dropout, T, alpha
        { "reference", 0.3, 0.0, 1f, 0f },
        { "reference", 0.0, 0.5, 4f, 0.9f },
        { "reference", 0.2, 0.5, 2f, 0.5f },
        { "process", 0.2, 0.5, 4f, 0.9f },
    };

    [Theory]
    [MemberData(nameof(DropoutCases))]
    public void With_dropout_masks_held_fixed_parameter_gradients_match_central_differences(string gemm, double inputDropout,
        double dropout, float t, float alpha)
    {
        var net = new Net([6, 5, 4], rows: 6, seed: 31, GemmNamed(gemm), inputDropout, dropout);
        // the masks drop some units and keep (and scale) others
        var masks = string.Concat(net.Ws.Mask.SelectMany(m => m).Select(v => v == 0 ? '0' : '1'));
        if (inputDropout > 0 || dropout > 0) Assert.True(masks.Contains('0') && masks.Contains('1'), masks);
        net.Loss(t, alpha);
        string pattern = net.ActivityPattern();
        var grads = new float[net.Model.ParameterCount];
        Array.Fill(grads, float.NaN);
        net.Model.Backward(net.Ws, net.Rows, grads, net.Gemm);
        var p = net.Model.Parameters;
        int nonZero = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double fd = CentralDifference(net, p, i, () => net.Loss(t, alpha), pattern, $"parameter {i}");
            AssertClose(grads[i], fd, $"dropout {dropout}, input dropout {inputDropout}: {Describe(net.Model, i)}");
            if (Math.Abs(fd) > 1e-3) nonZero++;
        }
        Assert.True(nonZero > p.Length / 5, $"only {nonZero} of {p.Length} gradients are non-zero: the check is too weak");
    }

    [Fact]
    public void With_dropout_the_input_gradient_goes_through_the_input_mask()
    {
        // dLoss/dx = (Delta[1] W0) .* mask0: a dropped input has no gradient, a kept one is scaled by 1 / (1 - p).
        var net = new Net([5, 4], rows: 3, seed: 77, new ReferenceGemm(), inputDropout: 0.4, dropout: 0.3);
        net.Loss(4f, 0.9f);
        string pattern = net.ActivityPattern();
        var grads = new float[net.Model.ParameterCount];
        net.Model.Backward(net.Ws, net.Rows, grads, net.Gemm);
        int h = net.Model.Sizes[1], d = Net.Inputs;
        var delta1 = net.Ws.Delta[1].AsSpan(0, net.Rows * h).ToArray();
        var w0 = net.Model.Weight(0).ToArray();
        var mask0 = net.Ws.Mask[0];
        Assert.Contains(0f, mask0.Take(net.Rows * d));
        for (int r = 0; r < net.Rows; r++)
        for (int i = 0; i < d; i++)
        {
            double analytic = 0;
            for (int j = 0; j < h; j++) analytic += (double)delta1[r * h + j] * w0[j * d + i];
            analytic *= mask0[r * d + i];
            double fd = CentralDifference(net, net.X, r * d + i, () => net.Loss(4f, 0.9f), pattern, $"input [{r},{i}]");
            AssertClose(analytic, fd, $"input [{r},{i}] (mask {mask0[r * d + i]})");
        }
    }

    [Fact]
    public void Linear_layer_gradients_match_central_differences_under_a_linear_loss()
    {
        // A network with no hidden layer is one Linear layer: z = x W^T + b. With L = sum(c .* z) the upstream gradient
        // is c, and dL/dW = c^T x, dL/db = column sums of c, exactly.
        const int rows = 4, d = 7, k = 5;
        var rng = new Rng(5);
        var model = Mlp.Create(d, [], k, rng);
        var ws = new MlpWorkspace(model, rows);
        var x = new float[rows * d];
        var c = new float[rows * k];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Uniform(-1, 1);
        for (int i = 0; i < c.Length; i++) c[i] = rng.Uniform(-1, 1);
        var gemm = new ReferenceGemm();
        double Loss()
        {
            x.CopyTo(ws.Input, 0);
            model.Forward(ws, rows, gemm);
            double s = 0;
            for (int i = 0; i < rows * k; i++) s += (double)c[i] * ws.Logits[i];
            return s;
        }
        Loss();
        c.CopyTo(ws.DLogits, 0);
        var grads = new float[model.ParameterCount];
        model.Backward(ws, rows, grads, gemm);
        var p = model.Parameters;
        for (int i = 0; i < p.Length; i++)
        {
            float orig = p[i];
            p[i] = orig + Eps;
            double lp = Loss();
            p[i] = orig - Eps;
            double lm = Loss();
            p[i] = orig;
            double fd = (lp - lm) / ((double)(orig + Eps) - (orig - Eps));
            AssertClose(grads[i], fd, Describe(model, i));
        }
        // and the closed forms
        for (int o = 0; o < k; o++)
        {
            double db = 0;
            for (int r = 0; r < rows; r++) db += c[r * k + o];
            Assert.Equal(db, grads[model.BiasOffset(0) + o], 1e-5);
            for (int i = 0; i < d; i++)
            {
                double dw = 0;
                for (int r = 0; r < rows; r++) dw += (double)c[r * k + o] * x[r * d + i];
                Assert.Equal(dw, grads[model.WeightOffset(0) + o * d + i], 1e-5);
            }
        }
    }

    [Fact]
    public void Forward_computes_relu_of_x_W_transposed_plus_b_layer_by_layer()
    {
        const int rows = 3;
        var rng = new Rng(11);
        var model = Mlp.Create(4, [3], 2, rng);
        var ws = new MlpWorkspace(model, rows);
        var x = new float[rows * 4];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Uniform(-1, 1);
        x.CopyTo(ws.Input, 0);
        model.Forward(ws, rows, new ReferenceGemm());
        var w0 = model.Weight(0).ToArray();
        var b0 = model.Bias(0).ToArray();
        var w1 = model.Weight(1).ToArray();
        var b1 = model.Bias(1).ToArray();
        for (int r = 0; r < rows; r++)
        {
            var hdn = new double[3];
            for (int j = 0; j < 3; j++)
            {
                double s = b0[j];
                for (int i = 0; i < 4; i++) s += (double)w0[j * 4 + i] * x[r * 4 + i];
                hdn[j] = Math.Max(0, s);
                Assert.Equal(hdn[j], ws.Act[1][r * 3 + j], 1e-5);
            }
            for (int o = 0; o < 2; o++)
            {
                double s = b1[o];
                for (int j = 0; j < 3; j++) s += w1[o * 3 + j] * hdn[j];
                Assert.Equal(s, ws.Logits[r * 2 + o], 1e-5);
            }
        }
    }

    [Fact]
    public void Relu_and_its_backward_match_central_differences()
    {
        // 37 values: the vectorised part and the scalar tail both run. Values stay at least 0.05 from the kink.
        const int n = 37;
        var rng = new Rng(3);
        var x = new float[n];
        var c = new float[n];
        for (int i = 0; i < n; i++)
        {
            float u = rng.Uniform(0.05f, 2f);
            x[i] = rng.NextInt(2) == 0 ? u : -u;
            c[i] = rng.Uniform(-1, 1);
        }
        var y = (float[])x.Clone();
        Mlp.Relu(y);
        for (int i = 0; i < n; i++) Assert.Equal(Math.Max(x[i], 0f), y[i]);

        double Loss(float[] input)
        {
            var z = (float[])input.Clone();
            Mlp.Relu(z);
            double s = 0;
            for (int i = 0; i < n; i++) s += (double)c[i] * z[i];
            return s;
        }
        var d = (float[])c.Clone();
        Mlp.ReluBackward(d, y);
        for (int i = 0; i < n; i++)
        {
            var xp = (float[])x.Clone();
            var xm = (float[])x.Clone();
            xp[i] += Eps;
            xm[i] -= Eps;
            double fd = (Loss(xp) - Loss(xm)) / ((double)xp[i] - xm[i]);
            AssertClose(d[i], fd, $"relu slot {i} (x = {x[i]})");
        }
    }

    [Fact]
    public void Relu_backward_passes_nothing_where_the_output_is_zero()
    {
        // At the kink (output exactly 0) the subgradient 0 is used, as PyTorch does, in the vector part and the tail.
        const int n = 19;
        var y = new float[n];
        var d = new float[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3 == 0 ? 0f : 0.5f + i;
            d[i] = 1f + i;
        }
        Mlp.ReluBackward(d, y);
        for (int i = 0; i < n; i++) Assert.Equal(i % 3 == 0 ? 0f : 1f + i, d[i]);
    }

    private static string Describe(Mlp m, int index)
    {
        for (int l = 0; l < m.Layers; l++)
        {
            int w = m.WeightOffset(l), b = m.BiasOffset(l);
            if (index >= w && index < b)
                return $"W{l}[{(index - w) / m.Sizes[l]},{(index - w) % m.Sizes[l]}]";
            if (index >= b && index < b + m.Sizes[l + 1]) return $"b{l}[{index - b}]";
        }
        return $"parameter {index}";
    }
}
