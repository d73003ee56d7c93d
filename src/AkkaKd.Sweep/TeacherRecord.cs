using System.Text.Json.Serialization;

namespace AkkaKd.Sweep;

/// <summary>
/// The sweep's teacher, once trained: its key, the hash of its logits, its accuracy, and (optional: not in an older
/// journal) its validation accuracy and validation curve, one entry per epoch.
/// </summary>
public sealed record TeacherRecord(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("test_acc")] double TestAccuracy,
    [property: JsonPropertyName("params")] long Params,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("val_acc"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ValAcc = null,
    [property: JsonPropertyName("val_acc_curve"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double[]? ValAccCurve = null)
{
    [JsonPropertyName("type")] public string Type => "teacher";
}
