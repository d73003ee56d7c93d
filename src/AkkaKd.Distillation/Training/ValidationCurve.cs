using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Training;

/// <summary>
/// Validation accuracy and loss after every epoch: what selection, early stopping and the learning-curve plots use. The
/// evaluation is a forward pass without dropout or jitter; it draws no random numbers, so the training's bits do not
/// depend on whether a curve is kept.
/// </summary>
public sealed class ValidationCurve(int epochs)
{
    private readonly List<double> _accuracy = new(epochs);
    private readonly List<double> _loss = new(epochs);
    private MlpWorkspace? _ws;
    private float[]? _logits;

    public IReadOnlyList<double> Accuracy => _accuracy;
    public IReadOnlyList<double> Loss => _loss;

    /// <summary>
    /// A curve that goes on from an earlier segment's (a checkpoint's): its epochs come first. Ignored unless both lists
    /// are there and of one length.
    /// </summary>
    public ValidationCurve ContinuedFrom(double[]? accuracy, double[]? loss)
    {
        if (accuracy is null || loss is null || accuracy.Length != loss.Length) return this;
        _accuracy.AddRange(accuracy);
        _loss.AddRange(loss);
        return this;
    }

    /// <summary>After the last epoch.</summary>
    public double? FinalAccuracy => _accuracy.Count > 0 ? _accuracy[^1] : null;

    public double? FinalLoss => _loss.Count > 0 ? _loss[^1] : null;

    /// <summary>The time spent evaluating the validation rows (what the curve costs).</summary>
    public double Seconds { get; private set; }

    /// <summary>
    /// The epoch callback that evaluates <paramref name="model"/> on the validation rows (when there are some), records
    /// the result and passes the report on, with the validation figures, to <paramref name="next"/>.
    /// </summary>
    public Action<EpochReport>? Observe(Mlp model, LabeledRows? validation, IGemm gemm, Action<EpochReport>? next)
    {
        if (validation is null) return next;
        return report =>
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            // One workspace and one logits buffer for every epoch: the curve allocates nothing after the first.
            _ws ??= new MlpWorkspace(model, Math.Min(1024, validation.Rows));
            _logits ??= new float[validation.Rows * model.Outputs];
            Trainer.Logits(model, validation, gemm, _ws, _logits);
            var eval = Trainer.Evaluate(_logits, validation.Y, model.Outputs);
            Seconds += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            _accuracy.Add(eval.Accuracy);
            _loss.Add(eval.Loss);
            next?.Invoke(report with { ValAccuracy = eval.Accuracy, ValLoss = eval.Loss });
        };
    }
}
