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
public sealed record EpochReport(int Epoch, int Epochs, double MeanLoss, double Seconds);

/// <summary>How training went: wall time of the training loop (no evaluation) and the samples per second.</summary>
public sealed record TrainReport(double Seconds, double SamplesPerSecond, double FinalLoss);

public sealed record Evaluation(double Accuracy, double Loss);

/// <summary>
/// The training loop: shuffled mini-batches, forward, KD loss, backward, Adam. Everything it needs is allocated before
/// the first step; the loop itself allocates nothing.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="data"/>. With <paramref name="teacherLogits"/> (rows x classes,
    /// one row per training row) and alpha &gt; 0 it distils; with alpha 0 it learns from the labels alone.
    /// Batches are shuffled per epoch with <paramref name="rng"/>.
    /// </summary>
    public static TrainReport Train(Mlp model, LabeledRows data, TrainSettings settings, Rng rng, IGemm gemm,
        float[]? teacherLogits = null, float temperature = 1f, float alpha = 0f,
        Action<EpochReport>? onEpoch = null, CancellationToken cancel = default)
    {
        settings.Validate();
        int n = data.Rows, d = data.Features, k = model.Outputs;
        if (model.Inputs != d) throw new ArgumentException($"the model takes {model.Inputs} inputs, the data has {d}");
        if (alpha < 0 || alpha > 1) throw new ArgumentOutOfRangeException(nameof(alpha), "alpha must be in [0, 1]");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), "T must be > 0");
        if (alpha > 0 && (teacherLogits is null || teacherLogits.Length != n * k))
            throw new ArgumentException("alpha > 0 needs the teacher's logits for every training row");

        int batch = Math.Min(settings.Batch, n);
        var ws = new MlpWorkspace(model, batch);
        var grads = new float[model.ParameterCount];
        var adam = new Adam(model.ParameterCount, settings.LearningRate);
        var order = new int[n];
        var yBatch = new byte[batch];
        var vBatch = alpha > 0 ? new float[batch * k] : [];
        var x = data.X;

        var sw = Stopwatch.StartNew();
        double lastLoss = double.NaN;
        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            rng.Shuffle(order);
            double epochLoss = 0;
            for (int start = 0; start < n; start += batch)
            {
                cancel.ThrowIfCancellationRequested();
                int rows = Math.Min(batch, n - start);
                var input = ws.Input;
                for (int r = 0; r < rows; r++)
                {
                    int src = order[start + r];
                    Array.Copy(x, src * d, input, r * d, d);
                    yBatch[r] = data.Y[src];
                    if (alpha > 0) Array.Copy(teacherLogits!, src * k, vBatch, r * k, k);
                }
                model.Forward(ws, rows, gemm);
                double loss = KdLoss.Compute(ws.Logits.AsSpan(0, rows * k), vBatch, yBatch.AsSpan(0, rows),
                    rows, k, temperature, alpha, ws.DLogits.AsSpan(0, rows * k));
                model.Backward(ws, rows, grads, gemm);
                adam.Step(model.Parameters, grads);
                epochLoss += loss * rows;
            }
            lastLoss = epochLoss / n;
            onEpoch?.Invoke(new EpochReport(epoch, settings.Epochs, lastLoss, sw.Elapsed.TotalSeconds));
        }
        double seconds = sw.Elapsed.TotalSeconds;
        return new TrainReport(seconds, (double)settings.Epochs * n / seconds, lastLoss);
    }

    /// <summary>The model's logits for every row (rows x outputs).</summary>
    public static float[] Logits(Mlp model, LabeledRows data, IGemm gemm, int chunk = 1024)
    {
        int n = data.Rows, d = data.Features, k = model.Outputs;
        var result = new float[n * k];
        var ws = new MlpWorkspace(model, Math.Min(chunk, n));
        for (int start = 0; start < n; start += ws.Capacity)
        {
            int rows = Math.Min(ws.Capacity, n - start);
            Array.Copy(data.X, start * d, ws.Input, 0, rows * d);
            model.Forward(ws, rows, gemm);
            Array.Copy(ws.Logits, 0, result, start * k, rows * k);
        }
        return result;
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
