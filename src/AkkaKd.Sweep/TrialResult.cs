using System.Text.Json.Serialization;

namespace AkkaKd.Sweep;

/// <summary>
/// One finished trial, as the journal keeps it. A trial whose training diverged (its loss became NaN or infinite) is a
/// result too: <see cref="Status"/> "diverged", the epoch it diverged at and why; it has no accuracy or loss (the journal
/// line leaves test_acc and test_loss out, and <see cref="TestAccuracy"/> is 0 in memory: never rank on it, see
/// <see cref="Diverged"/>). <see cref="Status"/> null (an older journal) means "ok".
/// </summary>
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
    [property: JsonPropertyName("checkpoint"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Checkpoint = null,
    [property: JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status = null,
    [property: JsonPropertyName("diverged_epoch"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DivergedEpoch = null,
    [property: JsonPropertyName("diverged_reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DivergedReason = null)
{
    public const string Ok = "ok", DivergedStatus = "diverged";
    [JsonPropertyName("type")] public string Type => "trial";

    /// <summary>
    /// The accuracy every choice is made on: validation accuracy; a journal from before the validation slice has only test
    /// accuracy, and then (only then) that one, with <see cref="SelectedOnTest"/> saying so.
    /// </summary>
    [JsonIgnore] public double SelectionAcc => ValAcc ?? TestAccuracy;

    [JsonIgnore] public bool SelectedOnTest => ValAcc is null && !Diverged;

    /// <summary>Its training diverged: a result with no accuracy, ranked after every trial that did not diverge.</summary>
    [JsonIgnore] public bool Diverged => Status == DivergedStatus;

    /// <summary>"diverged at epoch 7" (what the leaderboard shows instead of an accuracy).</summary>
    [JsonIgnore] public string DivergedText => $"diverged at epoch {DivergedEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}";

    /// <summary>What a log line says about it: "test accuracy 0.9123", or "diverged at epoch 7 (loss NaN at epoch 7)".</summary>
    /// A rung's result (continued from its checkpoint) has no test accuracy: "validation accuracy 0.9012 (a rung)".
    [JsonIgnore] public string Outcome => Diverged
        ? $"{DivergedText} ({DivergedReason})"
        : Checkpoint != null
            ? "validation accuracy " + (ValAcc?.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) ?? "-") + " (a rung)"
            : "test accuracy " + TestAccuracy.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A diverged trial as a result: where and why, with no accuracy or loss (the journal line has none); the rest of
    /// <paramref name="trial"/>'s fields as they are.
    /// </summary>
    public static TrialResult DivergedResult(TrialResult trial, int epoch, string reason) =>
        trial with
        {
            TestAccuracy = 0, TestLoss = 0, ValAcc = null, ValLoss = null, ValAccCurve = null, ValLossCurve = null, Checkpoint = null,
            Status = DivergedStatus, DivergedEpoch = epoch, DivergedReason = reason,
        };
    [JsonIgnore] public bool IsBaseline => AkkaKd.Distillation.Numerics.KdTerms.IsBaselineAlpha(Alpha);

    /// <summary>Every number can be journalled (a diverged trial's NaN or infinity cannot: JSON has no such numbers).</summary>
    [JsonIgnore]
    public bool IsFinite => double.IsFinite(TestAccuracy) && double.IsFinite(TestLoss) && double.IsFinite(TrainSeconds) &&
                            (TeacherAccuracy is null || double.IsFinite(TeacherAccuracy.Value)) &&
                            (ValAcc is null || double.IsFinite(ValAcc.Value)) && (ValLoss is null || double.IsFinite(ValLoss.Value)) &&
                            (ValAccCurve ?? []).All(double.IsFinite) && (ValLossCurve ?? []).All(double.IsFinite);
}
