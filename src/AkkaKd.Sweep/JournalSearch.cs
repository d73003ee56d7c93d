using System.Text.Json;
using System.Text.Json.Serialization;
using AkkaKd.Sweep.Search;

namespace AkkaKd.Sweep;

/// <summary>
/// A scheduler's rung result: a trial of a configuration trained to the rung's epoch, its validation accuracy there and
/// the checkpoint it can continue from. The trial's result at the full epochs is its trial line, as in a grid.
/// </summary>
public sealed record RungRecord(
    [property: JsonPropertyName("config")] string Config,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("rung")] int Rung,
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("val_acc")] double? ValAcc,
    [property: JsonPropertyName("val_loss")] double? ValLoss,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("finished")] DateTimeOffset Finished,
    [property: JsonPropertyName("checkpoint"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Checkpoint = null,
    [property: JsonPropertyName("val_acc_curve"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double[]? ValAccCurve = null)
{
    [JsonPropertyName("type")] public string Type => "rung";

    /// <summary>The rung line of a segment's result; its validation curve covers every epoch from the first to the rung's.</summary>
    public static RungRecord Of(TrialResult r, Trial trial, int rung, int epoch) =>
        new(Rungs.ConfigId(trial), r.Id, rung, epoch, r.ValAcc, r.ValLoss, r.TrainSeconds, r.Node, r.Finished, r.Checkpoint, r.ValAccCurve);

    /// <summary>The rung result as the policy replays it on resume.</summary>
    public TrialResult AsResult(Trial t) => new(Id, t.Width, t.Temperature, t.Alpha, t.Seed, 0, 0, null, 0, 0,
        TrainSeconds, Node, Finished, ValAcc, ValLoss, Epochs: Epoch, Checkpoint: Checkpoint);
}

/// <summary>A scheduler's decision about a trial of a configuration at a rung: go on ("promote") or stop there.</summary>
public sealed record DecisionRecord(
    [property: JsonPropertyName("config")] string? Config,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("decision")] string Decision)
{
    [JsonPropertyName("type")] public string Type => "decision";

    public static DecisionRecord Of(PolicyDecision d) => new(d.ConfigId, d.TrialId, d.Epoch, d.Promote ? "promote" : "stop");
}

public sealed partial class Journal
{
    public Task AppendAsync(RungRecord rung) => Serialized(() => JsonSerializer.Serialize(rung, Json));

    /// <summary>Appends a rung result; <paramref name="durable"/> as for a trial's (<see cref="Append(TrialResult, Action{Exception?})"/>).</summary>
    public void Append(RungRecord rung, Action<Exception?> durable) => Serialized(() => JsonSerializer.Serialize(rung, Json), durable);

    public Task AppendAsync(DecisionRecord decision) => Serialized(() => JsonSerializer.Serialize(decision, Json));
}
