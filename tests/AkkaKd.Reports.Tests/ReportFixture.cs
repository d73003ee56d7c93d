using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>
/// A finished sweep's journal, made up but shaped like a real one: 4 widths x T {1, 2, 4, 8} x alpha {0.5, 0.9} plus
/// the baseline, 3 seeds, a teacher. Accuracy grows with width; distillation helps most at T 4 and alpha 0.9 and more
/// for narrow students; seeds add a little deterministic noise. Shared with the command-line tests (linked there).
/// </summary>
public static class ReportFixture
{
    public static readonly int[] Widths = [16, 32, 64, 128];
    public static readonly double[] Temperatures = [1, 2, 4, 8];
    public static readonly double[] Alphas = [0, 0.5, 0.9];
    public static readonly int[] Seeds = [1, 2, 3];
    public const double TeacherAcc = 0.9745;
    public const long TeacherParams = 2_395_210;
    public static readonly DateTimeOffset Created = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static JournalHeader Header(int trials, bool withOptionalFields = true) => withOptionalFields
        ? new JournalHeader(new string('a', 64), "fixture", new string('f', 64), trials, Created,
            "sweep {\n  name = \"fixture\"\n  grid { temperature = [1, 2, 4, 8], alpha = [0, 0.5, 0.9], width = [16, 32, 64, 128], seeds = [1, 2, 3] }\n}\n",
            "GEMM backend: OpenBLAS (test)", "test-box: 2 cores")
        : new JournalHeader(new string('a', 64), "fixture", new string('f', 64), trials, Created);

    public static TeacherRecord Teacher() =>
        new("1200x1200,e8,b128,lr0.001,seed1;data=ff", new string('b', 64), TeacherAcc, TeacherParams, 41.5, "node-a");

    public static long ParamsOf(int width) => 784L * width + width + width * 10L + 10;

    /// <summary>Every trial of the grid (a baseline per width and seed, T null), in the order a sweep would finish them.</summary>
    public static List<TrialResult> Results()
    {
        var list = new List<TrialResult>();
        int n = 0;
        foreach (var w in Widths)
        foreach (var a in Alphas)
        foreach (var t in a == 0 ? [0.0] : Temperatures)
        foreach (var s in Seeds)
        {
            double baseAcc = 0.86 + 0.025 * Math.Log2(w / 16.0);
            double kd = a == 0 ? 0 : a * (0.012 - 0.004 * Math.Abs(Math.Log2(t / 4))) * (128.0 / (64 + w));
            double noise = ((s * 7919 + w * 31 + (int)(t * 13) + (int)(a * 100)) % 11 - 5) * 0.0004;
            n++;
            list.Add(new TrialResult($"{n:x12}", w, a == 0 ? null : t, a, s, Math.Round(baseAcc + kd + noise, 4), 0.3, TeacherAcc,
                ParamsOf(w), TeacherParams, 0.5 + w / 64.0 + n % 3 * 0.1, n % 2 == 0 ? "node-b" : "node-a", Created.AddSeconds(10 + n)));
        }
        return list;
    }

    public static int TrialCount => Widths.Length * (1 + (Alphas.Length - 1) * Temperatures.Length) * Seeds.Length;

    /// <summary>Writes the journal (header, teacher, results) to <paramref name="dir"/>/results.jsonl with Journal.Create/AppendAsync.</summary>
    public static async Task<List<TrialResult>> WriteAsync(string dir, int? take = null, bool withOptionalFields = true)
    {
        var results = Results();
        if (take is { } k) results = results.Take(k).ToList();
        using var j = Journal.Create(Path.Combine(dir, Journal.FileName), Header(TrialCount, withOptionalFields));
        await j.AppendAsync(Teacher());
        foreach (var r in results) await j.AppendAsync(r);
        return results;
    }
}
