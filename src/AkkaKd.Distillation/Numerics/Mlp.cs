using System.Numerics;
using System.Runtime.InteropServices;

namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// A multi-layer perceptron: Linear + ReLU for every hidden layer, a Linear layer of logits out.
/// All weights and biases live in one array (<see cref="Parameters"/>), layer by layer: W0 (out x in, row-major, as
/// PyTorch's nn.Linear), b0, W1, b1, ...; the gradients have the same layout, so the optimizer is one loop.
/// </summary>
public sealed class Mlp
{
    private readonly int[] _wOff, _bOff;

    private Mlp(int[] sizes)
    {
        Sizes = sizes;
        _wOff = new int[Layers];
        _bOff = new int[Layers];
        int off = 0;
        for (int l = 0; l < Layers; l++)
        {
            _wOff[l] = off;
            off += sizes[l] * sizes[l + 1];
            _bOff[l] = off;
            off += sizes[l + 1];
        }
        Parameters = new float[off];
    }

    /// <summary>Layer sizes: inputs, hidden widths..., outputs.</summary>
    public int[] Sizes { get; }
    public int Layers => Sizes.Length - 1;
    public int Inputs => Sizes[0];
    public int Outputs => Sizes[^1];
    public float[] Parameters { get; }
    public int ParameterCount => Parameters.Length;

    public Span<float> Weight(int layer) => Parameters.AsSpan(_wOff[layer], Sizes[layer] * Sizes[layer + 1]);
    public Span<float> Bias(int layer) => Parameters.AsSpan(_bOff[layer], Sizes[layer + 1]);
    public int WeightOffset(int layer) => _wOff[layer];
    public int BiasOffset(int layer) => _bOff[layer];

    /// <summary>
    /// A new network initialised as PyTorch's nn.Linear does by default: weights and biases uniform in
    /// +-1/sqrt(fan_in), drawn layer by layer, weights first.
    /// </summary>
    public static Mlp Create(int inputs, IReadOnlyList<int> hidden, int outputs, Rng rng)
    {
        if (inputs < 1 || outputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs));
        var sizes = new int[hidden.Count + 2];
        sizes[0] = inputs;
        for (int i = 0; i < hidden.Count; i++)
        {
            if (hidden[i] < 1) throw new ArgumentOutOfRangeException(nameof(hidden), "every hidden width must be at least 1");
            sizes[i + 1] = hidden[i];
        }
        sizes[^1] = outputs;
        var m = new Mlp(sizes);
        for (int l = 0; l < m.Layers; l++)
        {
            float bound = 1f / MathF.Sqrt(sizes[l]);
            foreach (ref var w in m.Weight(l)) w = rng.Uniform(-bound, bound);
            foreach (ref var b in m.Bias(l)) b = rng.Uniform(-bound, bound);
        }
        return m;
    }

    /// <summary>
    /// Forward pass of the first <paramref name="rows"/> rows of <c>ws.Act[0]</c>; the logits land in <c>ws.Logits</c>.
    /// Where the workspace has a dropout mask for a layer's input (<c>ws.Mask[l]</c>), the input is multiplied by it in
    /// place first: the network input for l = 0, a hidden layer's ReLU output otherwise.
    /// </summary>
    public void Forward(MlpWorkspace ws, int rows, IGemm gemm)
    {
        for (int l = 0; l < Layers; l++)
        {
            int nIn = Sizes[l], nOut = Sizes[l + 1];
            var x = ws.Act[l].AsSpan(0, rows * nIn);
            if (ws.Mask[l].Length > 0) Dropout.Apply(x, ws.Mask[l].AsSpan(0, rows * nIn));
            var z = ws.Act[l + 1].AsSpan(0, rows * nOut);
            var bias = Bias(l);
            for (int r = 0; r < rows; r++) bias.CopyTo(z.Slice(r * nOut, nOut));
            // z = x W^T + b
            gemm.Sgemm(false, true, rows, nOut, nIn, 1f, x, Weight(l), 1f, z);
            if (l < Layers - 1) Relu(z);
        }
    }

    /// <summary>
    /// Backward pass: given dLoss/dLogits in <c>ws.Delta[Layers]</c> (rows x outputs), writes dLoss/dParameters into
    /// <paramref name="grads"/> (same layout as <see cref="Parameters"/>). Needs the activations of the last Forward.
    /// Layer by layer from the last, once a layer's weight and bias gradients are written (and its weights no longer
    /// needed: dx comes first), <paramref name="layerDone"/> gets their range in <see cref="Parameters"/>, so an
    /// optimizer can step that layer while its gradients are still in cache.
    /// </summary>
    public void Backward(MlpWorkspace ws, int rows, Span<float> grads, IGemm gemm, Action<int, int>? layerDone = null)
    {
        for (int l = Layers - 1; l >= 0; l--)
        {
            int nIn = Sizes[l], nOut = Sizes[l + 1];
            var dz = ws.Delta[l + 1].AsSpan(0, rows * nOut);
            var x = ws.Act[l].AsSpan(0, rows * nIn);
            if (l > 0) // no gradient needed for the input
            {
                // dx = dz W   (rows x nIn), then through the dropout mask and the ReLU that produced x. x is the masked
                // output: where the mask is 0 the gradient is 0 already, elsewhere x > 0 exactly when the ReLU passed.
                var dx = ws.Delta[l].AsSpan(0, rows * nIn);
                gemm.Sgemm(false, false, rows, nIn, nOut, 1f, dz, Weight(l), 0f, dx);
                if (ws.Mask[l].Length > 0) Dropout.Apply(dx, ws.Mask[l].AsSpan(0, rows * nIn));
                ReluBackward(dx, x);
            }
            // dW = dz^T x   (nOut x nIn)
            gemm.Sgemm(true, false, nOut, nIn, rows, 1f, dz, x, 0f, grads.Slice(_wOff[l], nOut * nIn));
            // db = column sums of dz
            var db = grads.Slice(_bOff[l], nOut);
            db.Clear();
            for (int r = 0; r < rows; r++) Add(db, dz.Slice(r * nOut, nOut));
            layerDone?.Invoke(_wOff[l], nOut * nIn + nOut);
        }
    }

    public static void Relu(Span<float> z)
    {
        var v = MemoryMarshal.Cast<float, Vector<float>>(z);
        for (int i = 0; i < v.Length; i++) v[i] = Vector.Max(v[i], Vector<float>.Zero);
        for (int i = v.Length * Vector<float>.Count; i < z.Length; i++) if (z[i] < 0) z[i] = 0;
    }

    /// <summary>d *= (y &gt; 0), where y is the ReLU's output.</summary>
    public static void ReluBackward(Span<float> d, ReadOnlySpan<float> y)
    {
        var dv = MemoryMarshal.Cast<float, Vector<float>>(d);
        var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
        for (int i = 0; i < dv.Length; i++)
            dv[i] = Vector.ConditionalSelect(Vector.GreaterThan(yv[i], Vector<float>.Zero), dv[i], Vector<float>.Zero);
        for (int i = dv.Length * Vector<float>.Count; i < d.Length; i++) if (!(y[i] > 0)) d[i] = 0;
    }

    private static void Add(Span<float> acc, ReadOnlySpan<float> x)
    {
        var av = MemoryMarshal.Cast<float, Vector<float>>(acc);
        var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
        for (int i = 0; i < av.Length; i++) av[i] += xv[i];
        for (int i = av.Length * Vector<float>.Count; i < acc.Length; i++) acc[i] += x[i];
    }
}

/// <summary>
/// Activations, deltas and (for training with dropout) dropout masks for up to <see cref="Capacity"/> rows, allocated
/// once per training run. A workspace without masks (the default) computes the network as evaluation does.
/// </summary>
public sealed class MlpWorkspace
{
    public MlpWorkspace(Mlp model, int capacity, bool inputMask = false, bool hiddenMasks = false)
    {
        Capacity = capacity;
        Act = new float[model.Sizes.Length][];
        Delta = new float[model.Sizes.Length][];
        Mask = new float[model.Layers][];
        for (int l = 0; l < model.Sizes.Length; l++)
        {
            Act[l] = new float[capacity * model.Sizes[l]];
            Delta[l] = l == 0 ? [] : new float[capacity * model.Sizes[l]];
        }
        for (int l = 0; l < model.Layers; l++)
            Mask[l] = (l == 0 ? inputMask : hiddenMasks) ? new float[capacity * model.Sizes[l]] : [];
    }

    public int Capacity { get; }

    /// <summary>Act[0] is the input batch; Act[l] the output of layer l (after its ReLU); Act[^1] the logits.</summary>
    public float[][] Act { get; }

    /// <summary>Delta[l]: dLoss/d(output of layer l), before its ReLU's mask is applied by the backward pass.</summary>
    public float[][] Delta { get; }

    /// <summary>
    /// Mask[l]: the dropout mask on the input of layer l (rows x Sizes[l]; 0 or 1 / (1 - p)), Mask[0] on the network's
    /// input; empty where that layer has no dropout. The caller fills the masks before each forward pass.
    /// </summary>
    public float[][] Mask { get; }

    public float[] Input => Act[0];
    public float[] Logits => Act[^1];
    public float[] DLogits => Delta[^1];
}
