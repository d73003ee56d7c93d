using System.Text.Json.Serialization;

namespace AkkaKd.Sweep;

/// <summary>One finished trial, as the journal keeps it.</summary>
public sealed record TrialResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("temperature")] double? Temperature,
    [property: JsonPropertyName("alpha")] double Alpha,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("test_acc")] double TestAccuracy,
    [property: JsonPropertyName("test_loss")] double TestLoss,
    [property: JsonPropertyName("teacher_acc")] double? TeacherAccuracy,
    [property: JsonPropertyName("params")] long Params,
    [property: JsonPropertyName("teacher_params")] long TeacherParams,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("finished")] DateTimeOffset Finished,
    [property: JsonPropertyName("val_acc"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ValAcc = null,
    [property: JsonPropertyName("val_loss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ValLoss = null,
    [property: JsonPropertyName("val_acc_curve"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double[]? ValAccCurve = null,
    [property: JsonPropertyName("val_loss_curve"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double[]? ValLossCurve = null,
    [property: JsonPropertyName("epochs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Epochs = null,
    [property: JsonPropertyName("checkpoint"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Checkpoint = null)
{
    [JsonPropertyName("type")] public string Type => "trial";

    /// <summary>
    /// The accuracy every choice is made on: validation accuracy; a journal from before the validation slice has only test
    /// accuracy, and then (only then) that one, with <see cref="SelectedOnTest"/> saying so.
    /// </summary>
    [JsonIgnore] public double SelectionAcc => ValAcc ?? TestAccuracy;

    [JsonIgnore] public bool SelectedOnTest => ValAcc is null;
    [JsonIgnore] public bool IsBaseline => AkkaKd.Distillation.Numerics.KdTerms.IsBaselineAlpha(Alpha);

    /// <summary>Every number can be journalled (a diverged trial's NaN or infinity cannot: JSON has no such numbers).</summary>
    [JsonIgnore]
    public bool IsFinite => double.IsFinite(TestAccuracy) && double.IsFinite(TestLoss) && double.IsFinite(TrainSeconds) &&
                            (TeacherAccuracy is null || double.IsFinite(TeacherAccuracy.Value)) &&
                            (ValAcc is null || double.IsFinite(ValAcc.Value)) && (ValLoss is null || double.IsFinite(ValLoss.Value)) &&
                            (ValAccCurve ?? []).All(double.IsFinite) && (ValLossCurve ?? []).All(double.IsFinite);
}
