using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkkaKd.Sweep;

/// <summary>A journal line that cannot be used, in a user's words (no line number or file yet: the reader adds them).</summary>
internal sealed class BadLineException(string problem) : Exception(problem);

/// <summary>
/// One journal line, checked before it is read: it must be a JSON object with a text <c>type</c>, and every field this
/// program knows must have the right kind of value within its range (accuracies in 0..1, counts not negative, ...).
/// Unknown fields are ignored and a missing or null field takes its default, so journals of older and newer versions
/// read. Lines of a type this program does not read (say, "rung" or "decision") are skipped whole.
/// </summary>
internal static class JournalLines
{
    private enum Kind { Text, Int, Count, Positive, LongCount, Fraction, NonNegative, PositiveNumber, Date, FractionList, NonNegativeList }

    private static readonly Dictionary<string, Kind> HeaderFields = new()
    {
        ["sweep_hash"] = Kind.Text, ["sweep_name"] = Kind.Text, ["data_fingerprint"] = Kind.Text, ["trials"] = Kind.Count,
        ["created"] = Kind.Date, ["sweep_file"] = Kind.Text, ["backend"] = Kind.Text, ["machine"] = Kind.Text,
        ["version"] = Kind.Positive, ["train"] = Kind.Count, ["validation"] = Kind.Count, ["test"] = Kind.Count,
        ["threads_per_trial"] = Kind.Count,
    };

    private static readonly Dictionary<string, Kind> TrialFields = new()
    {
        ["id"] = Kind.Text, ["width"] = Kind.Positive, ["temperature"] = Kind.PositiveNumber, ["alpha"] = Kind.Fraction,
        ["seed"] = Kind.Int, ["test_acc"] = Kind.Fraction, ["test_loss"] = Kind.NonNegative, ["teacher_acc"] = Kind.Fraction,
        ["params"] = Kind.LongCount, ["teacher_params"] = Kind.LongCount, ["train_seconds"] = Kind.NonNegative,
        ["node"] = Kind.Text, ["finished"] = Kind.Date, ["val_acc"] = Kind.Fraction, ["val_loss"] = Kind.NonNegative,
        ["val_acc_curve"] = Kind.FractionList, ["val_loss_curve"] = Kind.NonNegativeList, ["epochs"] = Kind.Count,
        ["layers"] = Kind.Count, ["status"] = Kind.Text, ["diverged_epoch"] = Kind.Count, ["sweep_hash"] = Kind.Text,
        ["diverged_reason"] = Kind.Text,
    };

    private static readonly Dictionary<string, Kind> TeacherFields = new()
    {
        ["key"] = Kind.Text, ["hash"] = Kind.Text, ["test_acc"] = Kind.Fraction, ["params"] = Kind.LongCount,
        ["train_seconds"] = Kind.NonNegative, ["node"] = Kind.Text, ["val_acc"] = Kind.Fraction, ["val_acc_curve"] = Kind.FractionList,
    };

    /// <summary>A line read: its type and the record (null for a type this program does not read).</summary>
    public readonly record struct Line(string Type, object? Record);

    /// <summary>Parses and checks one line; every problem is a <see cref="BadLineException"/>.</summary>
    public static Line Parse(string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new BadLineException("not JSON");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new BadLineException($"JSON but not an object ({What(root)}); every journal line is an object {{\"type\": ...}}");
            if (!root.TryGetProperty("type", out var typeValue))
                throw new BadLineException("no \"type\" field");
            if (typeValue.ValueKind != JsonValueKind.String)
                throw new BadLineException($"\"type\" is {What(typeValue)}, not text");
            var type = typeValue.GetString()!;
            var fields = type switch
            {
                "header" => HeaderFields,
                "trial" => TrialFields,
                "teacher" => TeacherFields,
                _ => null,
            };
            if (type is "rung" or "decision") return new Line(type, SearchRecord(type, root));
            if (fields is null) return new Line(type, null);
            bool nulls = Check(root, fields);
            try
            {
                return new Line(type, Deserialize(type, root));
            }
            catch (JsonException) when (nulls)
            {
                // A null where the record holds a plain value: a null is a missing value, so read it without the nulls.
                return new Line(type, Deserialize(type, WithoutNulls(root)));
            }
        }
    }

    /// <summary>The adaptive search's lines: a rung result, a decision (promote or stop).</summary>
    private static object SearchRecord(string type, JsonElement root)
    {
        try
        {
            object? record = type == "rung" ? root.Deserialize<RungRecord>(Journal.Json) : root.Deserialize<DecisionRecord>(Journal.Json);
            return record ?? throw new BadLineException($"an empty {type} record");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new BadLineException($"not a {type} record this program can read");
        }
    }

    private static object Deserialize(string type, JsonElement root)
    {
        try
        {
            return type switch
            {
                "header" => Normalize(root.Deserialize<JournalHeader>(Journal.Json)!),
                "trial" => Normalize(root.Deserialize<TrialResult>(Journal.Json)!),
                _ => Normalize(root.Deserialize<TeacherRecord>(Journal.Json)!),
            };
        }
        catch (JsonException e) when (!HasNulls(root))
        {
            // A field another version added, with a kind this check does not know: name it from the JSON path.
            var field = e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? $"\"{p[2..]}\"" : "a field";
            throw new BadLineException($"{field} has the wrong kind of value");
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw new BadLineException($"not a {type} record this program can read");
        }
    }

    /// <summary>Checks every known field that is not null; true when some field is null (a missing value).</summary>
    private static bool Check(JsonElement root, Dictionary<string, Kind> fields)
    {
        bool nulls = false;
        foreach (var p in root.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Null) nulls = true;
            else if (fields.TryGetValue(p.Name, out var kind)) CheckValue(p.Name, p.Value, kind);
        }
        return nulls;
    }

    private static bool HasNulls(JsonElement root) => root.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.Null);

    private static JsonElement WithoutNulls(JsonElement root)
    {
        var clean = new JsonObject();
        foreach (var p in root.EnumerateObject())
            if (p.Value.ValueKind != JsonValueKind.Null)
                clean[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        return JsonSerializer.SerializeToElement(clean);
    }

    private static void CheckValue(string name, JsonElement v, Kind kind)
    {
        switch (kind)
        {
            case Kind.Text:
                if (v.ValueKind != JsonValueKind.String) throw Wrong(name, v, "text");
                break;
            case Kind.Date:
                if (v.ValueKind != JsonValueKind.String || !v.TryGetDateTimeOffset(out _)) throw Wrong(name, v, "a date and time");
                break;
            case Kind.Int:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out _)) throw Wrong(name, v, "a whole number");
                break;
            case Kind.Count or Kind.Positive:
                int min = kind == Kind.Positive ? 1 : 0;
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i)) throw Wrong(name, v, "a whole number");
                if (i < min) throw new BadLineException($"\"{name}\" is {i}, expected a whole number >= {min}");
                break;
            case Kind.LongCount:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long l)) throw Wrong(name, v, "a whole number");
                if (l < 0) throw new BadLineException($"\"{name}\" is {l}, expected a whole number >= 0");
                break;
            case Kind.FractionList or Kind.NonNegativeList:
                if (v.ValueKind != JsonValueKind.Array) throw Wrong(name, v, "a list of numbers");
                foreach (var item in v.EnumerateArray())
                    CheckValue(name, item, kind == Kind.FractionList ? Kind.Fraction : Kind.NonNegative);
                break;
            default:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d))
                    throw Wrong(name, v, "a number");
                string n = d.ToString("R", CultureInfo.InvariantCulture);
                if (kind == Kind.Fraction && !(d >= 0 && d <= 1))
                    throw new BadLineException($"\"{name}\" is {n}, outside 0..1 (accuracies and alpha are fractions)");
                if (kind == Kind.NonNegative && d < 0) throw new BadLineException($"\"{name}\" is {n}, expected a number >= 0");
                if (kind == Kind.PositiveNumber && !(d > 0)) throw new BadLineException($"\"{name}\" is {n}, expected a number > 0");
                break;
        }
    }

    private static BadLineException Wrong(string name, JsonElement v, string expected) =>
        new($"\"{name}\" is {What(v)}, expected {expected}");

    /// <summary>A JSON value in words: "an array", "the number 5", "the text \"abc\"", ...</summary>
    private static string What(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.Number => $"the number {Clip(v.GetRawText())}",
        JsonValueKind.String => $"the text \"{Clip(v.GetString() ?? "")}\"",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    private static string Clip(string s)
    {
        s = new string(s.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return s.Length > 40 ? s[..40] + "..." : s;
    }

    private static JournalHeader Normalize(JournalHeader h) =>
        h with { SweepHash = h.SweepHash ?? "", SweepName = h.SweepName ?? "", DataFingerprint = h.DataFingerprint ?? "" };

    private static TrialResult Normalize(TrialResult r) => r with { Id = r.Id ?? "", Node = r.Node ?? "" };

    private static TeacherRecord Normalize(TeacherRecord t) => t with { Key = t.Key ?? "", Hash = t.Hash ?? "", Node = t.Node ?? "" };
}
