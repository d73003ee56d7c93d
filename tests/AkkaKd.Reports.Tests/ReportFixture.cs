using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>
/// A finished sweep's journal, made up but shaped like a real one: 4 widths x T {1, 2, 4, 8} x alpha {0.5, 0.9} plus
/// the baseline, 3 seeds, a teacher; 7,000 train, 1,000 validation and 2,000 test rows. Accuracy grows with width;
/// distillation helps most at T 4 and alpha 0.9 and more for narrow students; seeds add a little deterministic noise,
/// different on the validation and the test rows (so their orders differ in places). Every trial has a validation curve
/// of <see cref="Epochs"/> entries ending at its validation accuracy; test accuracies are whole errors out of 2,000 rows.
/// Shared with the command-line tests (linked there).
/// </summary>
public static class ReportFixture
{
    public static readonly int[] Widths = [16, 32, 64, 128];
    public static readonly double[] Temperatures = [1, 2, 4, 8];
    public static readonly double[] Alphas = [0, 0.5, 0.9];
    public static readonly int[] Seeds = [1, 2, 3];
    public const double TeacherAccuracy = 0.9745;
    public const long TeacherParams = 2_395_210;
    public static readonly DateTimeOffset Created = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    public const int Epochs = 10, TestRows = 2000;

    public static JournalHeader Header(int trials, bool withOptionalFields = true) => withOptionalFields
        ? new JournalHeader(new string('a', 64), "fixture", new string('f', 64), trials, Created,
            "sweep {\n  name = \"fixture\"\n  grid { temperature = [1, 2, 4, 8], alpha = [0, 0.5, 0.9], width = [16, 32, 64, 128], seeds = [1, 2, 3] }\n}\n",
            "GEMM backend: OpenBLAS (test)", "test-box: 2 cores", 7000, 1000, TestRows, 1)
        : new JournalHeader(new string('a', 64), "fixture", new string('f', 64), trials, Created);

    public static TeacherRecord Teacher() =>
        new("1200x1200,e8,b128,lr0.001,seed1;data=ff", new string('b', 64), TeacherAccuracy, TeacherParams, 41.5, "node-a",
            0.9760, Curve(0.9760, 8));

    /// <summary>A learning curve rising to <paramref name="final"/> at its last epoch.</summary>
    public static double[] Curve(double final, int epochs = Epochs) =>
        Enumerable.Range(1, epochs).Select(e => e == epochs ? final : Math.Round(final - (final - 0.55) * Math.Pow(0.5, e), 4)).ToArray();

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
            double valNoise = ((s * 104729 + w * 17 + ((int)(t * 29) + (int)(a * 70)) * s * s) % 13 - 6) * 0.0005;
            n++;
            double test = Math.Round((baseAcc + kd + noise) * TestRows) / TestRows;
            // The validation rows happen to favour T 8, alpha 0.9 at width 128 (the test rows favour T 4): selection noise, so
            // the best on validation and the best on test differ there.
            double lucky = w == 128 && t == 8 && a == 0.9 ? 0.005 : 0;
            double val = Math.Round(baseAcc + kd + valNoise + lucky + 0.002, 3); // 1,000 validation rows
            list.Add(new TrialResult($"{n:x12}", w, a == 0 ? null : t, a, s, test, 0.3, TeacherAccuracy,
                ParamsOf(w), TeacherParams, 0.5 + w / 64.0 + n % 3 * 0.1, n % 2 == 0 ? "node-b" : "node-a", Created.AddSeconds(10 + n),
                val, 0.28, Curve(val), Curve(0.28).Select(x => 1.5 - x).ToArray(), Epochs));
        }
        return list;
    }

    public static int TrialCount => Widths.Length * (1 + (Alphas.Length - 1) * Temperatures.Length) * Seeds.Length;

    /// <summary>The fixture as an old journal has it: no validation accuracies or curves.</summary>
    public static List<TrialResult> WithoutValidation(IEnumerable<TrialResult> results) =>
        results.Select(r => r with { ValAcc = null, ValLoss = null, ValAccCurve = null, ValLossCurve = null, Epochs = null }).ToList();

    /// <summary>Writes the journal (header, teacher, results) to <paramref name="dir"/>/results.jsonl with Journal.Create/AppendAsync.</summary>
    /// <param name="withOptionalFields">false: a journal of an older akkakd (no sweep file, machine, slices, validation).</param>
    public static async Task<List<TrialResult>> WriteAsync(string dir, int? take = null, bool withOptionalFields = true)
    {
        var results = withOptionalFields ? Results() : WithoutValidation(Results());
        if (take is { } k) results = results.Take(k).ToList();
        using var j = Journal.Create(Path.Combine(dir, Journal.FileName), Header(TrialCount, withOptionalFields));
        await j.AppendAsync(withOptionalFields ? Teacher() : Teacher() with { ValAcc = null, ValAccCurve = null });
        foreach (var r in results) await j.AppendAsync(r);
        return results;
    }
}
