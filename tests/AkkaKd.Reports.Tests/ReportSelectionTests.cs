using System.Globalization;
using System.Text.RegularExpressions;
using SkiaSharp;
using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>
/// report.html's selection sections: the selected configuration's test figures (interval, errors out of N, optimism,
/// paired test gain), the headline per width, learning curves, heatmaps centred on the baseline, and a journal extended
/// under several sweep files. Expected figures are computed here from the journal's lines, without the report's code.
/// </summary>
public sealed partial class ReportSelectionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static double? Ci(IReadOnlyList<double> xs)
    {
        if (xs.Count < 2) return null;
        double m = xs.Average();
        double sd = Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1));
        return xs.Count switch { 2 => 12.706204736174707, 3 => 4.302652729911275, _ => throw new NotSupportedException() } * sd / Math.Sqrt(xs.Count);
    }

    private async Task<string> Report(IEnumerable<TrialResult>? results = null)
    {
        using (var j = Journal.Create(_dir.File(Journal.FileName), ReportFixture.Header(ReportFixture.TrialCount)))
        {
            await j.AppendAsync(ReportFixture.Teacher());
            foreach (var r in results ?? ReportFixture.Results()) await j.AppendAsync(r);
        }
        return await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
    }

    private static string Attr(string html, string id, string name) =>
        Regex.Match(html, $"id=\"{id}\"[^>]* {name}=\"([^\"]*)\"").Groups[1].Value;

    [Fact]
    public async Task The_selected_configuration_shows_its_test_accuracy_errors_optimism_and_paired_test_gain()
    {
        var results = ReportFixture.Results();
        var html = await Report(results);
        // The winner: the best mean validation accuracy over seeds of all configurations.
        var winner = results.GroupBy(r => (r.Width, r.Temperature, r.Alpha)).MaxBy(g => g.Average(r => r.ValAcc!.Value))!.OrderBy(r => r.Seed).ToList();
        var baseline = results.Where(r => r.Width == winner[0].Width && r.Alpha == 0).ToDictionary(r => r.Seed);
        var tests = winner.Select(r => r.TestAccuracy).ToList();
        var errors = tests.Select(a => (int)Math.Round((1 - a) * ReportFixture.TestRows)).ToList();
        var optimism = winner.Select(r => r.ValAcc!.Value - r.TestAccuracy).ToList();
        var gain = winner.Select(r => r.TestAccuracy - baseline[r.Seed].TestAccuracy).ToList();

        Assert.Equal(tests.Average(), D(Attr(html, "selected-figures", "data-test-acc")), 12);
        Assert.Equal(Ci(tests)!.Value, D(Attr(html, "selected-figures", "data-test-ci95")), 9);
        Assert.Equal(string.Join(' ', errors), Attr(html, "selected-figures", "data-errors"));
        Assert.Equal("2000", Attr(html, "selected-figures", "data-test-rows"));
        Assert.Equal(optimism.Average(), D(Attr(html, "selected-figures", "data-optimism")), 12);
        Assert.Equal(Ci(optimism)!.Value, D(Attr(html, "selected-figures", "data-optimism-ci95")), 9);
        Assert.Equal(gain.Average(), D(Attr(html, "selected-figures", "data-test-gain")), 12);
        Assert.Equal(Ci(gain)!.Value, D(Attr(html, "selected-figures", "data-test-gain-ci95")), 9);
        // In words: the errors out of N with each seed's count, the interval's ends.
        Assert.Contains($"<b>{errors.Average().ToString("0.0", CultureInfo.InvariantCulture)}</b> of 2,000 test rows wrong " +
                        $"(mean over seeds; per seed {string.Join(", ", errors)})", html);
        Assert.Contains($"(95% interval over seeds {(tests.Average() - Ci(tests)!.Value) * 100:0.00} to {(tests.Average() + Ci(tests)!.Value) * 100:0.00})", html);
        Assert.Contains($"Rank 1 of 36 by mean validation accuracy over 3 seeds: <b>width {winner[0].Width}, T {winner[0].Temperature}, alpha {winner[0].Alpha}</b>", html);
    }

    [Fact]
    public async Task Without_a_row_count_in_the_header_the_errors_come_from_the_recorded_sweep_file()
    {
        var header = ReportFixture.Header(ReportFixture.TrialCount) with
        {
            Train = null, Validation = null, Test = null,
            SweepFile = "sweep {\n  data { train = 7000, test = 1500 }\n  grid { width = [16] }\n}\n",
        };
        using (var j = Journal.Create(_dir.File(Journal.FileName), header))
            foreach (var r in ReportFixture.Results()) await j.AppendAsync(r);
        var html = await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
        Assert.Equal("1500", Attr(html, "selected-figures", "data-test-rows"));
        Assert.Contains("1,500 test rows (from the recorded sweep file)", html);
    }

    [Fact]
    public async Task The_headline_says_per_width_where_distillation_helped_hurt_or_cannot_be_told()
    {
        // Width 16 as the fixture has it (helps); width 32 made worse on test for every seed; width 64 with a gain
        // whose interval holds 0; width 128 with one seed.
        var results = ReportFixture.Results().Select(r =>
            r.Width == 32 && r.Alpha > 0 ? r with { TestAccuracy = r.TestAccuracy - 0.05 } :
            r.Width == 64 && r.Alpha > 0 && r.Seed == 1 ? r with { TestAccuracy = r.TestAccuracy - 0.08 } : r)
            .Where(r => r.Width != 128 || r.Seed == 1).ToList();
        var html = await Report(results);
        string Verdict(int w) => Regex.Match(html, $"<li data-width=\"{w}\" data-verdict=\"([a-z]+)\"").Groups[1].Value;
        Assert.Equal("better", Verdict(16));
        Assert.Equal("worse", Verdict(32));
        Assert.Equal("unclear", Verdict(64));
        Assert.Equal("nointerval", Verdict(128));
        Assert.Contains("Distillation helped at width 16; hurt at width 32; made no clear difference at width 64; " +
                        "cannot be judged (1 seed: no interval) at width 128", html);
        var li16 = Regex.Match(html, "<li data-width=\"16\".*?</li>").Value;
        Assert.Contains("<b>distillation helped</b>", li16);
        Assert.Contains("<span class=\"up\">", li16);
        var li64 = Regex.Match(html, "<li data-width=\"64\".*?</li>").Value;
        Assert.DoesNotContain("class=\"up\"", li64);
        Assert.DoesNotContain("class=\"down\"", li64);
        Assert.Contains("(1 seed: no interval)", Regex.Match(html, "<li data-width=\"128\".*?</li>").Value);
    }

    [Fact]
    public async Task The_headline_also_judges_each_temperature_so_a_loss_at_high_T_is_not_hidden_by_the_best_overall()
    {
        // At T 8 width 16 loses 3 points on test for every seed (its best overall, at another T, is untouched) and width
        // 128 gains 2.
        var results = ReportFixture.Results().Select(r =>
            r.Temperature == 8 && r.Width == 16 ? r with { TestAccuracy = r.TestAccuracy - 0.03 } :
            r.Temperature == 8 && r.Width == 128 ? r with { TestAccuracy = r.TestAccuracy + 0.02 } : r).ToList();
        var html = await Report(results);
        var line = Regex.Match(html, "<li data-t=\"8\">.*?</li>").Value;
        Assert.StartsWith("<li data-t=\"8\">At T 8 (each width's best alpha at this T, chosen on validation accuracy; test points over the baseline): distillation helped at ", line);
        string Expected(int width)
        {
            // The alpha with the best mean validation accuracy at T 8, against the baseline on test, paired by seed.
            var best = results.Where(r => r.Width == width && r.Temperature == 8).GroupBy(r => r.Alpha)
                .MaxBy(g => g.Average(r => r.ValAcc!.Value))!;
            var baseline = results.Where(r => r.Width == width && r.Alpha == 0).ToDictionary(r => r.Seed);
            var gains = best.Select(r => r.TestAccuracy - baseline[r.Seed].TestAccuracy).ToList();
            return $"width {width} ({Formats.Points(gains.Average())} {Formats.Interval(Ci(gains)!.Value)})";
        }
        Assert.Contains("hurt at " + Expected(16).Replace("(", "(<span class=\"down\">").Replace(")", "</span>)"), line);
        Assert.Contains(Expected(128).Replace("(", "(<span class=\"up\">").Replace(")", "</span>)"), line);
        // Width 16's best configuration overall is not at T 8: the per-width line above does not show the loss.
        Assert.DoesNotContain("data-width=\"16\" data-verdict=\"worse\"", html);
        Assert.Equal(ReportFixture.Temperatures.Length, Regex.Matches(html, "<li data-t=\"").Count);
    }

    [Fact]
    public async Task Learning_curves_are_the_mean_over_seeds_one_entry_per_epoch_and_drawn_per_width()
    {
        var html = await Report();
        foreach (var w in ReportFixture.Widths) Assert.Contains($"<figure id=\"curves-{w}\" class=\"curve\">\n<img src=\"data:image/png;base64,", html);
        var m = ReportModel.From(Journal.Read(_dir.File(Journal.FileName)));
        var best = m.Grids[0].Best!;
        var curve = m.MeanCurve(best)!;
        Assert.Equal(ReportFixture.Epochs, curve.Length);
        var trials = ReportFixture.Results().Where(r => r.Width == best.Width && r.Temperature == best.Temperature && r.Alpha == best.Alpha).ToList();
        for (int e = 0; e < curve.Length; e++) Assert.Equal(trials.Average(r => r.ValAccCurve![e]), curve[e], 12);
        Assert.Equal(best.Acc, curve[^1], 12); // the last epoch is the ranked accuracy
    }

    [Fact]
    public void A_heatmap_is_centred_on_its_baseline_white_there_green_above_red_below()
    {
        LeaderboardRow Row(double? t, double alpha, double acc) =>
            new(0, 16, t, alpha, 1, acc, null, null, acc, null, null, null, null, null, null, null, 100, null, 1, "n", false);
        // Far more above the baseline than below: a scale from min to max would not put the baseline at its middle.
        var grid = new WidthGrid(16, Row(null, 0, 0.90), [Row(1, 0.5, 0.98), Row(2, 0.5, 0.84), Row(1, 0.9, 0.95), Row(2, 0.9, 0.97)]);
        using var bitmap = SKBitmap.Decode(ReportPlots.Heatmap(grid, [1, 2], [0.5, 0.9]));
        int white = 0, green = 0, red = 0;
        for (int y = 0; y < bitmap.Height; y++)
        for (int x = 0; x < bitmap.Width; x++)
        {
            var c = bitmap.GetPixel(x, y);
            if (c.Red == 0xf7 && c.Green == 0xf7 && c.Blue == 0xf7) white++;
            if (c.Green > 100 && c.Green > c.Red + 60 && c.Green > c.Blue + 40) green++;
            if (c.Red > 150 && c.Red > c.Green + 60 && c.Red > c.Blue + 60) red++;
        }
        // The baseline row (two cells) is the scale's exact middle colour.
        Assert.True(white > 5000, $"{white} pixels of the scale's middle colour");
        Assert.True(green > 5000, $"{green} green pixels");
        Assert.True(red > 500, $"{red} red pixels");
    }

    [Fact]
    public async Task An_extended_journal_shows_what_ran_under_which_sweep_file_and_leaves_out_the_rest()
    {
        var s1 = SweepFile.Parse("sweep { name = ext, grid { width = [8], temperature = [2], alpha = [0, 0.5], seeds = [1] } }", "a");
        var s2 = SweepFile.Parse("sweep { name = ext, grid { width = [8], temperature = [2, 4], alpha = [0, 0.5], seeds = [1, 2] } }", "b");
        var s3 = SweepFile.Parse("sweep { name = ext, seed = 9, grid { width = [8], temperature = [2], alpha = [0, 0.5], seeds = [1] } }", "c");
        TrialResult Of(Trial t) => new(t.Id, t.Width, t.Temperature, t.Alpha, t.Seed, 0.9, 0.3, null, 10, 100, 1, "n", DateTimeOffset.UnixEpoch,
            0.91 + t.Seed * 0.001, 0.2, [0.8, 0.91 + t.Seed * 0.001], null, 2);
        async Task Run(SweepSettings s, bool first)
        {
            var plan = SweepPlan.Prepare(s, _dir.Path, !first, !first, "fp");
            using (plan.Journal)
                foreach (var t in plan.Trials.Where(t => plan.Finished.All(f => f.Id != t.Id))) await plan.Journal.AppendAsync(Of(t));
        }
        await Run(s3, first: true); // 2 trials of another sweep seed: not in the final grid
        await Run(s1, first: false); // 2 trials, kept
        await Run(s2, first: false); // 4 more: its grid is 6
        var html = await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
        Assert.Contains("6 of 6 trials finished", html);
        Assert.Contains("2 results made under an earlier sweep file left out of the ranking (their trial ids are not in the current grid)", html);
        Assert.Contains("<h2>Sweep files</h2>", html);
        var headers = Regex.Matches(html, "<div class=\"header\" data-header=\"(\\d)\" data-trials=\"(\\d+)\" data-kept=\"(\\d+)\">")
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToList();
        Assert.Equal([("1", "2", "0"), ("2", "2", "2"), ("3", "4", "4")], headers);
        Assert.Contains("no: not in the current grid", html);
        Assert.Equal(3, Regex.Matches(html, "<pre>sweep \\{").Count);
        Assert.Contains("all 3 configurations, best first", html); // T 2 and T 4 at alpha 0.5, and the baseline
    }
}
