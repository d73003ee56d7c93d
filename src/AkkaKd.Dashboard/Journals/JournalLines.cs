using System.Text.Json;

namespace AkkaKd.Dashboard.Journals;

/// <summary>One journal line as the dashboard understands it. Every field but a trial's id, width and alpha may be absent.</summary>
public abstract record JournalLine;

public sealed record HeaderLine(
    string? SweepHash, string? Name, string? DataFingerprint, int? Trials, DateTimeOffset? Created, string? Backend,
    string? Machine, int? Version, int? Train, int? Validation, int? Test, int? ThreadsPerTrial) : JournalLine;

public sealed record TrialLine(
    string Id, int Width, int Layers, double? Temperature, double Alpha, int Seed, double? TestAccuracy, double? ValAcc,
    float[]? ValCurve, long? Params, long? TeacherParams, double? TeacherAccuracy, double? TrainSeconds, string? Node,
    DateTimeOffset? Finished, int? Epochs, bool Diverged, int? DivergedEpoch = null) : JournalLine
{
    public bool IsBaseline => Alpha == 0;
}

public sealed record TeacherLine(double? TestAccuracy, double? ValAcc, float[]? ValCurve, long? Params, double? TrainSeconds, string? Node)
    : JournalLine;

/// <summary>Adaptive search (issue 11): a configuration's score at a rung, and what was decided about it.</summary>
public sealed record RungLine(string Config, string? TrialId, int Rung, int? Epoch, double? ValAcc) : JournalLine;

public sealed record DecisionLine(string Config, int? Rung, string? Decision) : JournalLine;

/// <summary>A line that is JSON but not one the dashboard knows (another type, or a trial without its id or width).</summary>
public sealed record ForeignLine(string? Type) : JournalLine;

/// <summary>
/// Reads journal lines tolerantly: a line that is not JSON, of an unknown type or missing fields is reported as foreign,
/// never thrown. Numbers given as strings, NaN or wrong types read as absent.
/// </summary>
public static class JournalLineParser
{
    public static JournalLine Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return new ForeignLine(null);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new ForeignLine(null);
            var type = Str(root, "type");
            return type switch
            {
                "header" => Header(root),
                "trial" => (JournalLine?)Trial(root) ?? new ForeignLine(type),
                "teacher" => new TeacherLine(Num(root, "test_acc"), Num(root, "val_acc"), Curve(root, "val_acc_curve"),
                    Long(root, "params"), Num(root, "train_seconds"), Str(root, "node")),
                "rung" => (JournalLine?)Rung(root) ?? new ForeignLine(type),
                "decision" => (Str(root, "config_id") ?? Str(root, "config")) is { } c
                    ? new DecisionLine(c, Int(root, "rung"), Str(root, "decision"))
                    : new ForeignLine(type),
                _ => new ForeignLine(type),
            };
        }
    }

    private static HeaderLine Header(JsonElement e) => new(
        Str(e, "sweep_hash"), Str(e, "sweep_name"), Str(e, "data_fingerprint"), Int(e, "trials"), Time(e, "created"),
        Str(e, "backend"), Str(e, "machine"), Int(e, "version"), Int(e, "train"), Int(e, "validation"), Int(e, "test"),
        Int(e, "threads_per_trial"));

    private static TrialLine? Trial(JsonElement e)
    {
        var id = Str(e, "id");
        var width = Int(e, "width");
        var alpha = Num(e, "alpha");
        if (string.IsNullOrEmpty(id) || width is null || alpha is null) return null;
        int layers = Int(e, "layers") ?? (e.TryGetProperty("layers", out var l) && l.ValueKind == JsonValueKind.Array ? l.GetArrayLength() : 1);
        return new TrialLine(id, width.Value, layers, Num(e, "temperature"), alpha.Value, Int(e, "seed") ?? 0,
            Num(e, "test_acc"), Num(e, "val_acc"), Curve(e, "val_acc_curve"), Long(e, "params"), Long(e, "teacher_params"),
            Num(e, "teacher_acc"), Num(e, "train_seconds"), Str(e, "node"), Time(e, "finished"), Int(e, "epochs"),
            Str(e, "status") == "diverged", Int(e, "diverged_epoch"));
    }

    private static RungLine? Rung(JsonElement e)
    {
        var config = Str(e, "config_id") ?? Str(e, "config");
        var rung = Int(e, "rung");
        if (config is null || rung is null) return null;
        return new RungLine(config, Str(e, "trial_id") ?? Str(e, "trial") ?? Str(e, "id"), rung.Value, Int(e, "epoch"), Num(e, "val_acc"));
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static double? Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    private static int? Int(JsonElement e, string name) => Num(e, name) is { } d && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;

    private static long? Long(JsonElement e, string name) => Num(e, name) is { } d && Math.Abs(d) < 9e18 ? (long)d : null;

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t) ? t : null;

    private static float[]? Curve(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array) return null;
        var curve = new float[v.GetArrayLength()];
        int i = 0;
        foreach (var x in v.EnumerateArray())
            curve[i++] = x.ValueKind == JsonValueKind.Number && x.TryGetDouble(out var d) && double.IsFinite(d) ? (float)d : float.NaN;
        return curve;
    }
}
