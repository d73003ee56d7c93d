using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SkiaSharp;
using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>report.html from a journal alone: one self-contained file, a heatmap per width, the best settings per width.</summary>
public sealed partial class ReportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<(string Html, List<TrialResult> Results)> WriteReport(int? take = null, bool withOptionalFields = true)
    {
        var results = await ReportFixture.WriteAsync(_dir.Path, take, withOptionalFields);
        var path = HtmlReport.Write(_dir.Path);
        Assert.Equal(_dir.File("report.html"), path);
        Assert.True(File.Exists(path));
        return (await File.ReadAllTextAsync(path), results);
    }

    [GeneratedRegex("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex PngImg();

    [GeneratedRegex(@"<figure id=""width-(\d+)"" class=""heatmap"">\s*<img src=""data:image/png;base64,")]
    private static partial Regex HeatmapFigure();

    [GeneratedRegex(@"<tr data-width=""(\d+)"" data-t=""([^""]*)"" data-alpha=""([^""]*)"" data-seeds=""(\d+)"" data-acc=""([^""]*)"" " +
                    @"data-acc-ci95=""([^""]*)"" data-test-acc=""([^""]*)"" data-test-acc-ci95=""([^""]*)"" data-baseline=""([^""]*)"" " +
                    @"data-gain=""([^""]*)"" data-gain-ci95=""([^""]*)"" data-test-gain=""([^""]*)"" data-test-gain-ci95=""([^""]*)"">")]
    private static partial Regex BestRow();

    /// <summary>Figures: the frontier, a heatmap and a learning-curve plot per width.</summary>
    private static readonly int Plots = 1 + 2 * ReportFixture.Widths.Length;

    [Fact]
    public async Task Every_embedded_plot_decodes_as_a_png_image()
    {
        var (html, _) = await WriteReport();
        var images = PngImg().Matches(html);
        Assert.Equal(Plots, images.Count); // the frontier, one heatmap and one learning-curve plot per width
        foreach (Match m in images)
        {
            var bytes = Convert.FromBase64String(m.Groups[1].Value);
            Assert.Equal<byte>([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
            using var bitmap = SKBitmap.Decode(bytes);
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width >= 300 && bitmap.Height >= 200, $"{bitmap.Width}x{bitmap.Height}");
            // A plot, not a blank canvas: many distinct colours.
            var colours = new HashSet<SKColor>();
            for (int y = 0; y < bitmap.Height; y += 4)
            for (int x = 0; x < bitmap.Width; x += 4)
                colours.Add(bitmap.GetPixel(x, y));
            Assert.True(colours.Count > 20, $"{colours.Count} colours");
        }
        Assert.DoesNotContain("<svg", html);
    }

    [Fact]
    public async Task Every_width_has_its_heatmap()
    {
        var (html, _) = await WriteReport();
        var widths = HeatmapFigure().Matches(html).Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(ReportFixture.Widths, widths);
    }

    [Fact]
    public async Task The_file_is_self_contained()
    {
        var (html, _) = await WriteReport();
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.EndsWith("</html>\n", html);
        var withoutXmlns = Regex.Replace(html, "xmlns(:\\w+)?=\"[^\"]*\"", "");
        Assert.DoesNotContain("http://", withoutXmlns);
        Assert.DoesNotContain("https://", withoutXmlns);
        Assert.DoesNotContain("src=\"http", withoutXmlns);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        Assert.All(Regex.Matches(html, "src=\"([^\"]*)\"").Select(m => m.Groups[1].Value), s => Assert.StartsWith("data:image/png;base64,", s));
    }

    /// <summary>The expected best settings, computed here from the journal's lines without the report's code.</summary>
    private sealed record Expected(int Width, double T, double Alpha, int Seeds, double Acc, double? AccCi, double TestAccuracy, double? TestAccCi,
        double Baseline, double Gain, double? GainCi, double TestGain, double? TestGainCi);

    private static double? Ci(IReadOnlyList<double> xs)
    {
        if (xs.Count < 2) return null;
        double m = xs.Average();
        double sd = Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1));
        double t = xs.Count switch { 2 => 12.706204736174707, 3 => 4.302652729911275, 4 => 3.182446305284263, _ => throw new NotSupportedException() };
        return t * sd / Math.Sqrt(xs.Count);
    }

    /// <summary>The best distilled configuration of each width by mean validation accuracy (never test).</summary>
    private static List<Expected> ExpectedBest(List<TrialResult> results)
    {
        static double Mean(IEnumerable<double> xs) => xs.Average();
        var list = new List<Expected>();
        foreach (var w in results.Select(r => r.Width).Distinct().Order())
        {
            var baseline = results.Where(r => r.Width == w && r.Alpha == 0).ToDictionary(r => r.Seed);
            var configs = results.Where(r => r.Width == w && r.Alpha > 0)
                .GroupBy(r => (T: r.Temperature!.Value, r.Alpha))
                .Select(g => (g.Key, Accs: g.OrderBy(r => r.Seed).ToList()))
                .OrderByDescending(c => Mean(c.Accs.Select(r => r.ValAcc!.Value)))
                .ToList();
            var best = configs[0];
            double bestMean = Mean(best.Accs.Select(r => r.ValAcc!.Value));
            Assert.True(bestMean - Mean(configs[1].Accs.Select(r => r.ValAcc!.Value)) > 1e-6, $"width {w}: the fixture has a tie for the best");
            var diffs = best.Accs.Select(r => r.ValAcc!.Value - baseline[r.Seed].ValAcc!.Value).ToList();
            var testDiffs = best.Accs.Select(r => r.TestAccuracy - baseline[r.Seed].TestAccuracy).ToList();
            list.Add(new Expected(w, best.Key.T, best.Key.Alpha, best.Accs.Count, bestMean, Ci(best.Accs.Select(r => r.ValAcc!.Value).ToList()),
                Mean(best.Accs.Select(r => r.TestAccuracy)), Ci(best.Accs.Select(r => r.TestAccuracy).ToList()),
                Mean(baseline.Values.Select(r => r.ValAcc!.Value)), Mean(diffs), Ci(diffs), Mean(testDiffs), Ci(testDiffs)));
        }
        return list;
    }

    private static (double, double) BestOnTest(List<TrialResult> results, int width) =>
        results.Where(r => r.Width == width && r.Alpha > 0).GroupBy(r => (r.Temperature!.Value, r.Alpha))
            .MaxBy(g => g.Average(r => r.TestAccuracy))!.Key;

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_best_settings_table_matches_the_journal()
    {
        var (html, results) = await WriteReport();
        var expected = ExpectedBest(results);
        var rows = BestRow().Matches(html).ToList();
        Assert.Equal(expected.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var g = rows[i].Groups;
            var e = expected[i];
            Assert.Equal(e.Width, int.Parse(g[1].Value));
            Assert.Equal(e.T, D(g[2].Value));
            Assert.Equal(e.Alpha, D(g[3].Value));
            Assert.Equal(e.Seeds, int.Parse(g[4].Value));
            Assert.Equal(e.Acc, D(g[5].Value), 12);
            Assert.Equal(e.AccCi!.Value, D(g[6].Value), 9);
            Assert.Equal(e.TestAccuracy, D(g[7].Value), 12);
            Assert.Equal(e.TestAccCi!.Value, D(g[8].Value), 9);
            Assert.Equal(e.Baseline, D(g[9].Value), 12);
            Assert.Equal(e.Gain, D(g[10].Value), 12);
            Assert.Equal(e.GainCi!.Value, D(g[11].Value), 9);
            Assert.Equal(e.TestGain, D(g[12].Value), 12);
            Assert.Equal(e.TestGainCi!.Value, D(g[13].Value), 9);
            // and the visible cells say the same, in percent
            var tr = html[rows[i].Index..html.IndexOf("</tr>", rows[i].Index, StringComparison.Ordinal)];
            Assert.Contains($"<b>{e.Acc * 100:0.00} ±{e.AccCi.Value * 100:0.00}</b>", tr);
            Assert.Contains($"<td>{e.TestAccuracy * 100:0.00} ±{e.TestAccCi.Value * 100:0.00}</td>", tr);
            Assert.Contains($"+{e.Gain * 100:0.00} ±{e.GainCi.Value * 100:0.00}", tr);
            Assert.Contains($"{(e.TestGain >= 0 ? "+" : "")}{e.TestGain * 100:0.00} ±{e.TestGainCi.Value * 100:0.00}", tr);
        }
        // The fixture's validation and test orders disagree: at some width the best on test is another configuration,
        // so this table would differ had it been chosen on test.
        Assert.Contains(expected, e => BestOnTest(results, e.Width) != (e.T, e.Alpha));
    }

    [Fact]
    public async Task With_one_seed_there_is_no_interval()
    {
        // Seed 1 only: the fixture's first trials per configuration are seed 1, 2, 3 in turn.
        var results = ReportFixture.Results().Where(r => r.Seed == 1).ToList();
        using (var j = Journal.Create(_dir.File(Journal.FileName), ReportFixture.Header(results.Count)))
            foreach (var r in results) await j.AppendAsync(r);
        var html = await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
        var rows = BestRow().Matches(html).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, m =>
        {
            Assert.Equal("1", m.Groups[4].Value);
            Assert.Equal("", m.Groups[6].Value);
            Assert.Equal("", m.Groups[8].Value);
            Assert.Equal("", m.Groups[11].Value);
            Assert.Equal("", m.Groups[13].Value);
        });
        Assert.Contains("(1 seed: no interval)", html[html.IndexOf("id=\"best-settings\"", StringComparison.Ordinal)..]);
        var best = html[html.IndexOf("id=\"best-settings\"", StringComparison.Ordinal)..html.IndexOf("</table>", html.IndexOf("id=\"best-settings\"", StringComparison.Ordinal), StringComparison.Ordinal)];
        Assert.DoesNotContain(" ±", best);
        Assert.DoesNotContain("class=\"up\"", best); // nothing is called better without an interval
        Assert.DoesNotContain("class=\"down\"", best);
    }

    [Fact]
    public async Task The_sweep_facts_come_from_the_header_and_the_teacher_record()
    {
        var (html, results) = await WriteReport();
        Assert.Contains(new string('a', 64), html); // sweep hash
        Assert.Contains(new string('f', 64), html); // data fingerprint
        Assert.Contains("test accuracy <b>97.45%</b>, validation accuracy 97.60%", html);
        Assert.Contains("7,000 train, 1,000 validation, 2,000 test rows", html);
        Assert.Contains("threads per trial</th><td>1<", html);
        Assert.Contains("GEMM backend: OpenBLAS (test)", html);
        Assert.Contains("test-box: 2 cores", html);
        Assert.Contains($"{results.Count} of {ReportFixture.TrialCount} trials finished", html);
        Assert.Contains("node-a (", html);
        Assert.Contains("node-b (", html);
        double total = results.Sum(r => r.TrainSeconds);
        Assert.Contains($"{total.ToString("0.0", CultureInfo.InvariantCulture)} s in all", html);
        Assert.Contains($"{(total / results.Count).ToString("0.00", CultureInfo.InvariantCulture)} s per trial", html);
        Assert.Contains("<pre>sweep {", html);
        Assert.Contains("width = [16, 32, 64, 128]", html);
    }

    [Fact]
    public async Task An_older_journal_without_the_sweep_file_says_so()
    {
        var (html, _) = await WriteReport(withOptionalFields: false);
        Assert.Contains("holds no sweep file", html);
        Assert.Contains("machine</th><td><span class=\"na\">not in this journal", html);
        Assert.Equal(1 + ReportFixture.Widths.Length, PngImg().Matches(html).Count); // no curves to draw
        Assert.Contains("no validation curves", html);
        // Ranked on test, and the page says so (its banner, the facts and the best settings' note).
        Assert.Contains("<b>selected on test (no validation rows)</b>: this journal has no validation", html);
        Assert.Contains("selection</th><td><b>selected on test (no validation rows)</b>", html);
        Assert.Contains("by mean test accuracy over seeds", html);
        Assert.Contains("Its test figures come from the rows that chose it: they are optimistic.", html);
        Assert.Contains("none to measure: selected on test (no validation rows)", html);
        Assert.Contains("chosen on test accuracy, against the same-width baseline", html);
    }

    [Fact]
    public async Task A_running_sweep_gives_a_partial_report()
    {
        // The first 40 trials: widths 16 (all 27) and part of 32; a torn last line as a crash or a writer mid-line leaves it.
        var (_, results) = await WriteReport(take: 40);
        await File.AppendAllTextAsync(_dir.File(Journal.FileName), "{\"type\":\"trial\",\"id\":\"to");
        var html = await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
        Assert.Contains($"40 of {ReportFixture.TrialCount} trials finished (the sweep is running", html);
        Assert.Equal([16, 32], HeatmapFigure().Matches(html).Select(m => int.Parse(m.Groups[1].Value)));
        Assert.Equal(2, BestRow().Matches(html).Count);
        Assert.Equal(40, results.Count);
    }

    [Fact]
    public async Task A_journal_with_no_results_yet_still_makes_a_page()
    {
        using (Journal.Create(_dir.File(Journal.FileName), ReportFixture.Header(10))) { }
        var html = await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
        Assert.Contains("0 of 10 trials finished", html);
        Assert.Contains("not trained yet", html);
        var png = Convert.FromBase64String(Assert.Single(PngImg().Matches(html)).Groups[1].Value);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
    }

    [Fact]
    public void No_journal_no_report()
    {
        Assert.Null(HtmlReport.Write(_dir.Path));
        Assert.False(File.Exists(_dir.File("report.html")));
    }

    [Fact]
    public void A_corrupt_journal_is_a_journal_error()
    {
        _dir.Write(Journal.FileName, "{\"type\":\"header\",\"sweep_hash\":\"a\",\"sweep_name\":\"n\",\"data_fingerprint\":\"f\",\"trials\":1,\"created\":\"2025-01-01T00:00:00Z\"}\nnot json\n{}\n");
        Assert.Throws<JournalException>(() => HtmlReport.Write(_dir.Path));
    }

    [Fact]
    public async Task Names_from_the_journal_are_escaped()
    {
        var header = ReportFixture.Header(1) with { SweepName = "<script>alert(1)</script>", SweepFile = "sweep { name = \"</pre><b>\" }" };
        using (var j = Journal.Create(_dir.File(Journal.FileName), header))
            await j.AppendAsync(ReportFixture.Results()[0] with { Node = "<i>node</i>" });
        var html = await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<i>node", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("&lt;/pre&gt;&lt;b&gt;", html);
    }

    [Fact]
    public async Task The_page_is_well_formed()
    {
        // Not an XHTML document, but every tag the report writes is closed: with the doctype and the void <meta>/<img>
        // tags closed it parses as XML, which catches a missing </td> or </section>.
        var (html, _) = await WriteReport();
        var xml = Regex.Replace(html.Replace("<!DOCTYPE html>", ""), "<(meta|img)([^>]*)>", "<$1$2/>").Replace("&nbsp;", "&#160;");
        var doc = XDocument.Parse(xml);
        Assert.Equal("html", doc.Root!.Name.LocalName);
        Assert.Equal(2 * ReportFixture.Widths.Length, doc.Descendants("figure").Count());
    }

    [Fact]
    public async Task Plots_drawn_in_parallel_each_land_in_their_own_place()
    {
        var (html, _) = await WriteReport();
        (int W, int H) Size(string base64)
        {
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(base64));
            return (bitmap.Width, bitmap.Height);
        }
        var frontier = Regex.Match(html, "<section id=\"frontier\">.*?base64,([A-Za-z0-9+/=]+)\"", RegexOptions.Singleline);
        Assert.Equal((1000, 480), Size(frontier.Groups[1].Value));
        foreach (var w in ReportFixture.Widths)
        {
            var curves = Regex.Match(html, $"<figure id=\"curves-{w}\" class=\"curve\">\n<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
            Assert.Equal((560, 360), Size(curves.Groups[1].Value));
            Assert.Contains($"alt=\"validation accuracy per epoch, width {w}\"", html[curves.Index..(curves.Index + curves.Length + 200)]);
        }
        var all = PngImg().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(all.Count, all.Distinct().Count()); // every place its own plot
        Assert.DoesNotContain('\u0001', html);
    }

    [Fact]
    public void A_page_s_plots_go_in_place_of_their_marks_in_order_and_a_failing_plot_throws_its_own_exception()
    {
        var sb = new System.Text.StringBuilder("<p>");
        HtmlReport.Img(sb, () => [1, 2, 3], "first");
        HtmlReport.Img(sb, () => [4], "second");
        HtmlReport.DrawPlots(sb);
        Assert.Equal("<p><img src=\"data:image/png;base64,AQID\" alt=\"first\">\n<img src=\"data:image/png;base64,BA==\" alt=\"second\">\n",
            sb.ToString());

        var failing = new System.Text.StringBuilder();
        HtmlReport.Img(failing, () => [1], "fine");
        HtmlReport.Img(failing, () => throw new InvalidOperationException("no font"), "broken");
        Assert.Equal("no font", Assert.Throws<InvalidOperationException>(() => HtmlReport.DrawPlots(failing)).Message);
    }
}
