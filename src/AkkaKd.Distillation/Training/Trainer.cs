using System.Diagnostics;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Training;

public sealed record TrainSettings(int Epochs, int Batch, float LearningRate)
{
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), "epochs must be at least 1");
        if (Batch < 1) throw new ArgumentOutOfRangeException(nameof(Batch), "batch must be at least 1");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), "lr must be > 0");
    }
}

/// <summary>What one epoch did: its mean training loss and the time since training started.</summary>
/// <summary>After an epoch: its mean training loss and, when the caller evaluates them, validation accuracy and loss.</summary>
public sealed record EpochReport(int Epoch, int Epochs, double MeanLoss, double Seconds, double? ValAccuracy = null,
    double? ValLoss = null);

/// <summary>Training stopped because a loss became NaN or infinite: at which epoch, and why (one line).</summary>
public sealed record Divergence(int Epoch, string Reason);

/// <summary>
/// How training went: wall time of the training loop (no evaluation), the samples per second, and the last epoch's
/// mean loss; or, when a batch's loss became NaN or infinite, where it diverged (FinalLoss is then null: nothing
/// non-finite is handed on).
/// </summary>
public sealed record TrainReport(double Seconds, double SamplesPerSecond, double? FinalLoss, Divergence? Divergence = null)
{
    public bool Diverged => Divergence != null;
}

public sealed record Evaluation(double Accuracy, double Loss);

/// <summary>Sees each batch's training rows (indices into the data) before its forward pass: a seam for the tests.</summary>
internal delegate void BatchObserver(int epoch, ReadOnlySpan<int> rows);

/// <summary>
/// The training loop: shuffled mini-batches, (regularization,) forward, KD loss, backward, Adam. Everything it needs is
/// allocated before the first step; the loop itself allocates nothing.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="data"/>. With <paramref name="teacherLogits"/> (rows x classes,
    /// one row per training row) and alpha &gt; 0 it distils; with alpha 0 (the default) it learns from the labels alone.
    /// Batches are shuffled per epoch, and dropout masks and jitter drawn per batch, with <paramref name="rng"/>.
    /// A batch whose loss is NaN or infinite ends training at once: the report says where.
    /// </summary>
    public static TrainReport Train(Mlp model, LabeledRows data, TrainSettings settings, Rng rng, IGemm gemm,
        float[]? teacherLogits = null, KdTerms? kd = null, Regularization? regularization = null,
        Action<EpochReport>? onEpoch = null, CancellationToken cancel = default, TrainSegment? segment = null) =>
        Train(model, data, settings, rng, gemm, teacherLogits, kd, regularization, onEpoch, null, cancel, segment);

    /// <summary>Train, with <paramref name="onBatch"/> shown the rows of every batch (for the tests).</summary>
    internal static TrainReport Train(Mlp model, LabeledRows data, TrainSettings settings, Rng rng, IGemm gemm,
        float[]? teacherLogits, KdTerms? kd, Regularization? regularization, Action<EpochReport>? onEpoch,
        BatchObserver? onBatch, CancellationToken cancel, TrainSegment? segment = null)
    {
        settings.Validate();
        segment?.Validate(settings, model);
        kd ??= KdTerms.Baseline;
        kd.Validate();
        var reg = regularization ?? Regularization.None;
        reg.Validate(data);
        int n = data.Rows, k = model.Outputs;
        if (model.Inputs != data.Features) throw new ArgumentException($"the model takes {model.Inputs} inputs, the data has {data.Features}");
        bool distil = !kd.IsBaseline;
        if (distil && (teacherLogits is null || teacherLogits.Length != n * k))
            throw new ArgumentException("alpha > 0 needs the teacher's logits for every training row");

        int batch = Math.Min(settings.Batch, n);
        var ws = new MlpWorkspace(model, batch, inputMask: reg.InputDropout > 0, hiddenMasks: reg.Dropout > 0);
        var grads = new float[model.ParameterCount];
        var adam = segment?.Adam ?? new Adam(model.ParameterCount, settings.LearningRate);
        int first = (segment?.FromEpoch ?? 0) + 1, last = segment?.UntilEpoch ?? settings.Epochs;
        var order = new int[n];
        var yBatch = new byte[batch];
        var vBatch = distil ? new float[batch * k] : [];

        // Each layer steps as soon as its gradients are written, while they are still in cache.
        var bands = gemm as IBands;
        Action<int, int> step = (from, length) => adam.Update(model.Parameters, grads, from, length, bands);
        var sw = Stopwatch.StartNew();
        double? lastLoss = null;
        long samples = 0;
        for (int epoch = first; epoch <= last; epoch++)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            rng.Shuffle(order);
            double epochLoss = 0;
            for (int start = 0; start < n; start += batch)
            {
                cancel.ThrowIfCancellationRequested();
                int rows = Math.Min(batch, n - start);
                var rowsOfBatch = order.AsSpan(start, rows);
                onBatch?.Invoke(epoch, rowsOfBatch);
                reg.FillBatch(data, rowsOfBatch, model, ws, rng);
                for (int r = 0; r < rows; r++)
                {
                    int src = rowsOfBatch[r];
                    yBatch[r] = data.Y[src];
                    if (distil) Array.Copy(teacherLogits!, src * k, vBatch, r * k, k);
                }
                model.Forward(ws, rows, gemm);
                double loss = KdLoss.Compute(ws.Logits.AsSpan(0, rows * k), vBatch, yBatch.AsSpan(0, rows),
                    rows, k, kd, ws.DLogits.AsSpan(0, rows * k));
                if (!double.IsFinite(loss))
                    return Stopped(sw, samples, new Divergence(epoch, $"loss {Describe(loss)} at epoch {epoch}"));
                adam.Begin();
                model.Backward(ws, rows, grads, gemm, step);
                epochLoss += loss * rows;
                samples += rows;
            }
            lastLoss = epochLoss / n;
            onEpoch?.Invoke(new EpochReport(epoch, settings.Epochs, lastLoss.Value, sw.Elapsed.TotalSeconds));
        }
        double seconds = sw.Elapsed.TotalSeconds;
        return new TrainReport(seconds, (double)(last - first + 1) * n / seconds, lastLoss);
    }

    private static TrainReport Stopped(Stopwatch sw, long samples, Divergence divergence)
    {
        double seconds = sw.Elapsed.TotalSeconds;
        return new TrainReport(seconds, seconds > 0 ? samples / seconds : 0, null, divergence);
    }

    /// <summary>"NaN", "+infinity" or "-infinity" (or the number), for one-line reasons.</summary>
    public static string Describe(double x) =>
        double.IsNaN(x) ? "NaN" : double.IsPositiveInfinity(x) ? "+infinity" : double.IsNegativeInfinity(x) ? "-infinity"
            : x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The model's logits for every row (rows x outputs), as evaluation computes them: no dropout, no jitter, no
    /// random number drawn.
    /// </summary>
    public static float[] Logits(Mlp model, LabeledRows data, IGemm gemm, int chunk = 1024)
    {
        var result = new float[data.Rows * model.Outputs];
        Logits(model, data, gemm, new MlpWorkspace(model, Math.Min(chunk, data.Rows)), result);
        return result;
    }

    /// <summary>The logits of every row into <paramref name="result"/>, with a workspace the caller keeps (no allocation).</summary>
    public static void Logits(Mlp model, LabeledRows data, IGemm gemm, MlpWorkspace ws, float[] result)
    {
        int n = data.Rows, d = data.Features, k = model.Outputs;
        for (int start = 0; start < n; start += ws.Capacity)
        {
            int rows = Math.Min(ws.Capacity, n - start);
            Array.Copy(data.X, start * d, ws.Input, 0, rows * d);
            model.Forward(ws, rows, gemm);
            Array.Copy(ws.Logits, 0, result, start * k, rows * k);
        }
    }

    /// <summary>Accuracy and mean cross-entropy on <paramref name="data"/>.</summary>
    public static Evaluation Evaluate(Mlp model, LabeledRows data, IGemm gemm) => Evaluate(Logits(model, data, gemm), data.Y, model.Outputs);

    public static Evaluation Evaluate(float[] logits, byte[] labels, int classes)
    {
        int n = labels.Length, correct = 0;
        double loss = 0;
        Span<double> z = stackalloc double[classes];
        for (int r = 0; r < n; r++)
        {
            int best = 0;
            for (int c = 0; c < classes; c++)
            {
                z[c] = logits[r * classes + c];
                if (z[c] > z[best]) best = c;
            }
            if (best == labels[r]) correct++;
            loss += KdLoss.LogSumExp(z, 1.0) - z[labels[r]];
        }
        return new Evaluation((double)correct / n, loss / n);
    }
}
