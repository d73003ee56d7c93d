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

    public IReadOnlyList<double> Accuracy => _accuracy;
    public IReadOnlyList<double> Loss => _loss;

    /// <summary>After the last epoch.</summary>
    public double? FinalAccuracy => _accuracy.Count > 0 ? _accuracy[^1] : null;

    public double? FinalLoss => _loss.Count > 0 ? _loss[^1] : null;

    /// <summary>
    /// The epoch callback that evaluates <paramref name="model"/> on the validation rows (when there are some), records
    /// the result and passes the report on, with the validation figures, to <paramref name="next"/>.
    /// </summary>
    public Action<EpochReport>? Observe(Mlp model, LabeledRows? validation, IGemm gemm, Action<EpochReport>? next)
    {
        if (validation is null) return next;
        return report =>
        {
            var eval = Trainer.Evaluate(model, validation, gemm);
            _accuracy.Add(eval.Accuracy);
            _loss.Add(eval.Loss);
            next?.Invoke(report with { ValAccuracy = eval.Accuracy, ValLoss = eval.Loss });
        };
    }
}
