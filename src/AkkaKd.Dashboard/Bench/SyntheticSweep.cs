using System.Text;
using System.Text.Json;

namespace AkkaKd.Dashboard.Bench;

/// <summary>
/// Journals of made-up sweeps, in the journal's own format, for the benchmark and the tests: a grid over width, T and
/// alpha with seeds, accuracies that depend smoothly on the settings plus per-seed noise, validation curves, and the
/// nodes and times of a cluster. Deterministic from its seed.
/// </summary>
public sealed class SyntheticSweep
{
    private readonly Random _rng;
    private DateTimeOffset _clock;

    public SyntheticSweep(string name, int[] widths, double[] temperatures, double[] alphas, int seeds, bool validation = true,
        int epochs = 10, int nodes = 3, int randomSeed = 1)
    {
        Name = name;
        (Widths, Temperatures, Alphas, Seeds, Validation, Epochs, Nodes) = (widths, temperatures, alphas, seeds, validation, epochs, nodes);
        _rng = new Random(randomSeed);
        _clock = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    }

    public string Name { get; }
    public int[] Widths { get; }
    public double[] Temperatures { get; }
    public double[] Alphas { get; }
    public int Seeds { get; }
    public bool Validation { get; }
    public int Epochs { get; }
    public int Nodes { get; }

    /// <summary>Trials of the grid: one baseline per (width, seed) and one per (width, T, alpha > 0, seed).</summary>
    public int Trials => Widths.Length * Seeds * (1 + Temperatures.Length * Alphas.Count(a => a > 0));

    public string HeaderLine() => Json(w =>
    {
        w.WriteString("type", "header");
        w.WriteNumber("version", Validation ? 2 : 1);
        w.WriteString("sweep_hash", "synthetic-" + Name);
        w.WriteString("sweep_name", Name);
        w.WriteString("data_fingerprint", "fp-synthetic");
        w.WriteNumber("trials", Trials);
        w.WriteString("created", _clock);
        w.WriteString("backend", "OpenBLAS (synthetic)");
        w.WriteString("machine", "bench: synthetic journal");
        if (Validation)
        {
            w.WriteNumber("train", 7000);
            w.WriteNumber("validation", 1000);
            w.WriteNumber("test", 2000);
        }
    });

    public string TeacherLine() => Json(w =>
    {
        w.WriteString("type", "teacher");
        w.WriteString("key", "teacher");
        w.WriteString("hash", "abc");
        w.WriteNumber("test_acc", 0.975);
        if (Validation)
        {
            w.WriteNumber("val_acc", 0.972);
            w.WriteStartArray("val_acc_curve");
            for (int e = 0; e < Epochs; e++) w.WriteNumberValue(Math.Round(0.972 - 0.3 * Math.Exp(-e * 0.6), 4));
            w.WriteEndArray();
        }
        w.WriteNumber("params", 2_395_210);
        w.WriteNumber("train_seconds", 30.5);
        w.WriteString("node", "node-1");
    });

    /// <summary>Every trial line of the grid, in the order a sweep would run them.</summary>
    public IEnumerable<string> TrialLines()
    {
        int n = 0;
        foreach (var seed in Enumerable.Range(1, Seeds))
        foreach (var width in Widths)
        {
            yield return TrialLine($"t{n++:x6}", width, null, 0, seed);
            foreach (var t in Temperatures)
            foreach (var a in Alphas.Where(a => a > 0))
                yield return TrialLine($"t{n++:x6}", width, t, a, seed);
        }
    }

    public string TrialLine(string id, int width, double? temperature, double alpha, int seed, string? node = null)
    {
        double capacity = 0.97 - 0.5 / Math.Sqrt(width);
        double kd = alpha * (temperature is { } t ? 0.012 * Math.Exp(-Math.Pow(Math.Log(t / 4), 2)) : 0) - 0.004 * alpha * alpha;
        double val = Math.Clamp(capacity + kd + 0.003 * Noise(), 0.1, 0.999);
        double test = Math.Clamp(val + 0.002 * Noise(), 0.1, 0.999);
        double seconds = 0.5 + width / 64.0 + _rng.NextDouble();
        _clock += TimeSpan.FromSeconds(seconds / Nodes);
        return Json(w =>
        {
            w.WriteString("type", "trial");
            w.WriteString("id", id);
            w.WriteNumber("width", width);
            if (temperature is { } tt) w.WriteNumber("temperature", tt);
            else w.WriteNull("temperature");
            w.WriteNumber("alpha", alpha);
            w.WriteNumber("seed", seed);
            w.WriteNumber("test_acc", Math.Round(test, 4));
            w.WriteNumber("test_loss", 0.1);
            if (Validation)
            {
                w.WriteNumber("val_acc", Math.Round(val, 4));
                w.WriteStartArray("val_acc_curve");
                for (int e = 0; e < Epochs; e++) w.WriteNumberValue(Math.Round(val - (val - 0.5) * Math.Exp(-(e + 1) * 0.7), 4));
                w.WriteEndArray();
                w.WriteNumber("epochs", Epochs);
                w.WriteString("status", "ok");
            }
            w.WriteNumber("teacher_acc", 0.975);
            w.WriteNumber("params", 784 * width + width + width * 10 + 10);
            w.WriteNumber("teacher_params", 2_395_210);
            w.WriteNumber("train_seconds", Math.Round(seconds, 3));
            w.WriteString("node", node ?? $"node-{1 + _rng.Next(Nodes)}");
            w.WriteString("finished", _clock);
        });
    }

    /// <summary>Writes a whole journal: header, teacher, then the first <paramref name="trials"/> trials (all by default).</summary>
    public string Write(string dir, int? trials = null)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, Sweep.Journal.FileName);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write(HeaderLine() + "\n");
        w.Write(TeacherLine() + "\n");
        foreach (var l in TrialLines().Take(trials ?? int.MaxValue)) w.Write(l + "\n");
        return path;
    }

    /// <summary>Appends one line and makes it durable, as the journal's writer does.</summary>
    public static void AppendDurably(string journal, string line)
    {
        using var f = new FileStream(journal, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        f.Write(Encoding.UTF8.GetBytes(line + "\n"));
        f.Flush(true);
    }

    private double Noise() => _rng.NextDouble() * 2 - 1;

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
