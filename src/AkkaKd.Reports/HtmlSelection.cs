using System.Text;
using AkkaKd.Sweep;
using static AkkaKd.Reports.HtmlReport;

namespace AkkaKd.Reports;

/// <summary>
/// The report's sections about selection: the headline (where distillation helped and where it hurt), the selected
/// configuration's test figures, the learning curves, the best settings per width and the heatmaps. Choices are made on
/// validation accuracy; test figures are reported beside them and say how sure they are (95% intervals over seeds).
/// </summary>
internal static class HtmlSelection
{
    /// <summary>Configurations per width whose learning curves are drawn beside the baseline's.</summary>
    public const int CurvesPerWidth = 3;

    private static string Chosen(ReportModel m) => m.SelectedOnTest ? "test" : "validation";

    /// <summary>A gain in points with its interval, or what stands in for one; classed up/down only when the interval excludes 0.</summary>
    public static string GainHtml(double? gain, double? ci95)
    {
        if (gain is not { } g) return "";
        var verdict = Leaderboard.Verdict(gain, ci95);
        var css = verdict switch { GainVerdict.Better => " class=\"up\"", GainVerdict.Worse => " class=\"down\"", _ => "" };
        var text = Signed(g) + (ci95 is { } ci ? " " + Formats.Interval(ci) : $" ({Leaderboard.NoIntervalNote})");
        return $"<span{css}>{text}</span>"; // digits, signs and words of ours: nothing to escape
    }

    /// <summary>Per width: the best distilled configuration (chosen on validation) against its baseline, on test.</summary>
    public static void Headline(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"headline\">\n<h2>Where distillation helped, and where it hurt</h2>\n");
        var items = m.Grids.Select(g => (g, Verdict: g.Best is { } b ? Leaderboard.Verdict(b.TestGain, b.TestGainCi95) : GainVerdict.None)).ToList();
        string Widths(GainVerdict v) => string.Join(", ", items.Where(i => i.Verdict == v).Select(i => i.g.Width));
        var summary = new List<string>();
        foreach (var (v, words) in new[] { (GainVerdict.Better, "helped at width"), (GainVerdict.Worse, "hurt at width"),
                     (GainVerdict.Unclear, "made no clear difference at width"), (GainVerdict.NoInterval, "cannot be judged (1 seed: no interval) at width") })
            if (Widths(v) is { Length: > 0 } w) summary.Add($"{words}{(w.Contains(',') ? "s" : "")} {w}");
        sb.Append(summary.Count == 0
            ? "<p class=\"na\">No width has both a baseline and a distilled student yet.</p>\n"
            : $"<p id=\"headline-summary\">Distillation {E(string.Join("; ", summary))}: the best distilled configuration of each width, " +
              $"chosen on {Chosen(m)} accuracy, against the same-width baseline on the test rows, paired by seed; helped or hurt only " +
              "when the 95% interval over seeds excludes 0.</p>\n");
        sb.Append("<ul class=\"headline\">\n");
        foreach (var (g, verdict) in items)
        {
            sb.Append($"<li data-width=\"{g.Width}\" data-verdict=\"{verdict.ToString().ToLowerInvariant()}\">width {g.Width}: ");
            if (g.Best is not { } b || g.Baseline is not { } bl || b.TestGain is not { } gain)
            {
                sb.Append(g.Best is null ? "no distilled student finished" : "no baseline with a shared seed to compare with").Append("</li>\n");
                continue;
            }
            var words = verdict switch
            {
                GainVerdict.Better => "distillation helped",
                GainVerdict.Worse => "distillation hurt",
                GainVerdict.Unclear => "no clear difference (the interval includes 0)",
                _ => Leaderboard.NoIntervalNote,
            };
            sb.Append($"<b>{E(words)}</b>: T {Num(b.Temperature!.Value)}, alpha {Num(b.Alpha)} tests at {PctCi(b.TestAccuracy, b.TestCi95)}% " +
                      $"against the baseline's {PctCi(bl.TestAccuracy, bl.TestCi95)}%, a gain of {GainHtml(gain, b.TestGainCi95)} points" +
                      (b.TestGainCi95 is { } ci ? $" (95% interval {Signed(gain - ci)} to {Signed(gain + ci)}, {b.Seeds} seeds)" : "") + "</li>\n");
        }
        sb.Append("</ul>\n");
        ByTemperature(sb, m);
        sb.Append("</section>\n");
    }

    /// <summary>
    /// Per temperature, the same judgement with T held: each width's best alpha at that T (chosen on validation) against
    /// its baseline on test, paired by seed. A grid's best overall may hide a loss at high T; this line shows it.
    /// </summary>
    private static void ByTemperature(StringBuilder sb, ReportModel m)
    {
        if (m.Temperatures.Length < 2) return; // one T: the lines above say it already
        sb.Append("<ul class=\"headline-by-t\">\n");
        foreach (var t in m.Temperatures)
        {
            var cells = m.Grids.Select(g => (g.Width, Row: g.Distilled.FirstOrDefault(r => r.Temperature == t)))
                .Where(c => c.Row?.TestGain is not null).ToList();
            var parts = new List<string>();
            foreach (var (v, words) in new[] { (GainVerdict.Better, "helped at"), (GainVerdict.Worse, "hurt at"),
                         (GainVerdict.Unclear, "no clear difference at"), (GainVerdict.NoInterval, "no interval (1 seed) at") })
            {
                var these = cells.Where(c => Leaderboard.Verdict(c.Row!.TestGain, c.Row.TestGainCi95) == v)
                    .Select(c => $"width {c.Width} ({GainHtml(c.Row!.TestGain, c.Row.TestGainCi95)})").ToList();
                if (these.Count > 0) parts.Add($"{words} {string.Join(", ", these)}");
            }
            if (parts.Count == 0) continue;
            sb.Append($"<li data-t=\"{R(t)}\">At T {Num(t)} (each width's best alpha at this T, chosen on {Chosen(m)} accuracy; " +
                      $"test points over the baseline): distillation {string.Join("; ", parts)}.</li>\n");
        }
        sb.Append("</ul>\n");
    }

    /// <summary>The first of the ranking: its test accuracy and errors, how optimistic its choice was, its paired test gain.</summary>
    public static void Selected(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"selected\">\n<h2>The selected configuration</h2>\n");
        if (m.Winner is not { } w)
        {
            sb.Append("<p class=\"na\">No results yet.</p>\n</section>\n");
            return;
        }
        var errors = m.TestErrors(w);
        var optimism = m.Optimism(w);
        sb.Append($"<p>Rank 1 of {m.Rows.Count} by mean {Chosen(m)} accuracy over {w.Seeds} seed{(w.Seeds == 1 ? "" : "s")}: " +
                  $"<b>width {w.Width}, {(w.IsBaseline ? "the baseline (alpha 0)" : $"T {Num(w.Temperature!.Value)}, alpha {Num(w.Alpha)}")}</b>. " +
                  (w.SelectedOnTest
                      ? "Its test figures come from the rows that chose it: they are optimistic.</p>\n"
                      : "Its test figures are measured on rows that chose nothing.</p>\n"));
        sb.Append($"<table class=\"facts\" id=\"selected-figures\" data-test-acc=\"{R(w.TestAccuracy)}\" data-test-ci95=\"{Opt(w.TestCi95)}\" " +
                  $"data-errors=\"{(errors is null ? "" : string.Join(' ', errors))}\" data-test-rows=\"{m.TestRows?.ToString() ?? ""}\" " +
                  $"data-optimism=\"{Opt(optimism?.Mean)}\" data-optimism-ci95=\"{Opt(optimism?.Ci95)}\" " +
                  $"data-test-gain=\"{Opt(w.IsBaseline ? null : w.TestGain)}\" data-test-gain-ci95=\"{Opt(w.IsBaseline ? null : w.TestGainCi95)}\">\n");
        void Row(string k, string vHtml) => sb.Append($"<tr><th>{E(k)}</th><td>{vHtml}</td></tr>\n");
        if (!w.SelectedOnTest) Row("validation accuracy", $"{PctCi(w.Acc, w.Ci95)}% (what chose it)");
        Row("test accuracy", $"<b>{PctCi(w.TestAccuracy, w.TestCi95)}%</b>" +
                             (w.TestCi95 is { } tci ? $" (95% interval over seeds {Pct(w.TestAccuracy - tci)} to {Pct(w.TestAccuracy + tci)})" : $" ({Leaderboard.NoIntervalNote})"));
        Row("test errors", errors is null
            ? "<span class=\"na\">the number of test rows is not in this journal</span>"
            : $"<b>{E(Formats.Fixed(errors.Average(), errors.Length == 1 ? "0" : "0.0"))}</b> of {N(m.TestRows!.Value)} test rows wrong" +
              (errors.Length > 1 ? $" (mean over seeds; per seed {string.Join(", ", errors)})" : ""));
        Row("optimism of selection", optimism is { } o
            ? $"{GainHtml(o.Mean, o.Ci95)} points: validation minus test accuracy of the winner, paired by seed (how much better it " +
              "looked on the rows that chose it)"
            : $"<span class=\"na\">none to measure: {E(Leaderboard.SelectedOnTestNote)}, so its test accuracy is itself optimistic</span>");
        Row("test gain over the baseline", w.IsBaseline
            ? "<span class=\"na\">the selected configuration is the baseline itself</span>"
            : w.TestGain is { } tg
                ? $"{GainHtml(tg, w.TestGainCi95)} points over width {w.Width}'s baseline, paired by seed" +
                  (w.TestGainCi95 is { } gci ? $" (95% interval {Signed(tg - gci)} to {Signed(tg + gci)})" : "")
                : "<span class=\"na\">no baseline of its width with a shared seed</span>");
        sb.Append("</table>\n</section>\n");
    }

    /// <summary>Validation accuracy per epoch, per width: the baseline and the width's best configurations.</summary>
    public static void Curves(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"curves\">\n<h2>Learning curves</h2>\n");
        var shown = WidthGrid.Showcase(m.Grids, MaxHeatmaps);
        if (!m.Results.Any(r => r.ValAccCurve is { Length: > 0 }))
        {
            sb.Append("<p class=\"na\">This journal has no validation curves (written before the validation slice).</p>\n</section>\n");
            return;
        }
        sb.Append($"<p>Validation accuracy after each epoch, the mean over seeds: the baseline (dashed) and the {CurvesPerWidth} best " +
                  "distilled configurations of each width.</p>\n<div class=\"curves\">\n");
        foreach (var g in shown)
        {
            (LeaderboardRow, double[])? baseline = g.Baseline is { } b && m.MeanCurve(b) is { } bc ? (b, bc) : null;
            var top = g.Distilled.Take(CurvesPerWidth).Select(r => (r, m.MeanCurve(r))).Where(x => x.Item2 != null)
                .Select(x => (x.r, x.Item2!)).ToList();
            sb.Append($"<figure id=\"curves-{g.Width}\" class=\"curve\">\n");
            Img(sb, () => ReportPlots.Curves(g.Width, baseline, top), $"validation accuracy per epoch, width {g.Width}");
            sb.Append("</figure>\n");
        }
        sb.Append("</div>\n</section>\n");
    }

    public static void Best(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"best\">\n<h2>Best settings per width</h2>\n");
        sb.Append("<table id=\"best-settings\" class=\"data\">\n<thead><tr><th>width</th><th>T</th><th>alpha</th><th>seeds</th>" +
                  "<th>val acc %</th><th>test acc %</th><th>baseline val %</th><th>baseline test %</th><th>val gain</th><th>test gain</th>" +
                  "<th>gap to teacher (test)</th><th>parameters</th><th>compression</th></tr></thead>\n<tbody>\n");
        foreach (var g in m.Grids)
        {
            var b = g.Best;
            var bl = g.Baseline;
            string Val(LeaderboardRow r) => r.SelectedOnTest ? "-" : PctCi(r.Acc, r.Ci95);
            if (b is null)
            {
                sb.Append($"<tr data-width=\"{g.Width}\"><td>{g.Width}</td><td colspan=\"5\" class=\"na\">no distilled student finished</td>" +
                          $"<td>{(bl is null ? "" : Val(bl))}</td><td>{(bl is null ? "" : PctCi(bl.TestAccuracy, bl.TestCi95))}</td><td colspan=\"5\"></td></tr>\n");
                continue;
            }
            sb.Append($"<tr data-width=\"{g.Width}\" data-t=\"{R(b.Temperature!.Value)}\" data-alpha=\"{R(b.Alpha)}\" data-seeds=\"{b.Seeds}\" " +
                      $"data-acc=\"{R(b.Acc)}\" data-acc-ci95=\"{Opt(b.Ci95)}\" data-test-acc=\"{R(b.TestAccuracy)}\" data-test-acc-ci95=\"{Opt(b.TestCi95)}\" " +
                      $"data-baseline=\"{Opt(bl?.Acc)}\" data-gain=\"{Opt(b.Gain)}\" data-gain-ci95=\"{Opt(b.GainCi95)}\" " +
                      $"data-test-gain=\"{Opt(b.TestGain)}\" data-test-gain-ci95=\"{Opt(b.TestGainCi95)}\">");
            sb.Append($"<td>{g.Width}</td><td>{Num(b.Temperature.Value)}</td><td>{Num(b.Alpha)}</td><td>{b.Seeds}</td>");
            sb.Append($"<td><b>{Val(b)}</b></td><td>{PctCi(b.TestAccuracy, b.TestCi95)}</td>");
            sb.Append(bl is null ? "<td><span class=\"na\">none</span></td><td></td>" : $"<td>{Val(bl)}</td><td>{PctCi(bl.TestAccuracy, bl.TestCi95)}</td>");
            sb.Append($"<td>{(b.SelectedOnTest ? "-" : GainHtml(b.Gain, b.GainCi95))}</td><td>{GainHtml(b.TestGain, b.TestGainCi95)}</td>");
            sb.Append($"<td>{(b.GapToTeacher is { } gap ? Signed(gap) : "")}</td><td>{N(b.Params)}</td>" +
                      $"<td>{(b.Compression is { } c ? Formats.Ratio(c) : "")}</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        sb.Append($"<p class=\"note\">The best distilled configuration (alpha &gt; 0) of each width by mean {Chosen(m)} accuracy over seeds; " +
                  "test accuracy beside it, never used to choose. ±: half-width of the 95% interval of the mean, Student's t with n&nbsp;-&nbsp;1 " +
                  "degrees of freedom, shown when there are several seeds. Gains: points over the same-width baseline, paired by seed (the distilled " +
                  "student and its baseline start from the same weights and see the same batches), their interval from the paired differences; " +
                  "green or red only when that interval excludes 0. Compression: teacher parameters / student parameters.</p>\n");
        sb.Append("</section>\n");
    }

    public static void Grids(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"grids\">\n<h2>Accuracy over temperature and alpha</h2>\n");
        sb.Append($"<p>One heatmap per student width: mean {Chosen(m)} accuracy (%) over seeds, ± its 95% interval when there are several " +
                  "seeds; the bottom row is the baseline (alpha 0: the temperature does not matter). The best cell is outlined in red. " +
                  "Each width's colour scale is centred on its baseline: green above it, red below, white at it.</p>\n");
        var shown = WidthGrid.Showcase(m.Grids, MaxHeatmaps);
        if (shown.Count < m.Grids.Count)
            sb.Append($"<p class=\"note\">{shown.Count} of {m.Grids.Count} widths are drawn: those with the most accurate students. " +
                      "The others are in the ranking below and in leaderboard.csv.</p>\n");
        sb.Append("<div class=\"heatmaps\">\n");
        foreach (var g in shown)
        {
            sb.Append($"<figure id=\"width-{g.Width}\" class=\"heatmap\">\n");
            Img(sb, () => ReportPlots.Heatmap(g, m.Temperatures, m.Alphas, m.SelectedOnTest), $"heatmap of {Chosen(m)} accuracy over T and alpha, width {g.Width}");
            sb.Append($"<figcaption>width {g.Width}: {N(g.Best?.Params ?? g.Baseline?.Params ?? 0)} parameters");
            if (g.Best is { } b) sb.Append($"; best T {Num(b.Temperature!.Value)}, alpha {Num(b.Alpha)}: {Pct(b.Acc)}% {Chosen(m)}, {Pct(b.TestAccuracy)}% test");
            if (g.Baseline is { } bl) sb.Append($"; baseline {Pct(bl.Acc)}% {Chosen(m)}, {Pct(bl.TestAccuracy)}% test");
            sb.Append("</figcaption>\n<details><summary>every cell: mean, standard deviation, interval, gains</summary>\n");
            sb.Append($"<table class=\"data\"><thead><tr><th>T</th><th>alpha</th><th>seeds</th><th>{Chosen(m)} mean %</th><th>sd</th><th>95% interval</th>" +
                      $"<th>{Chosen(m)} gain</th><th>test mean %</th><th>test gain</th></tr></thead><tbody>\n");
            foreach (var r in g.Distilled.OrderBy(r => r.Alpha).ThenBy(r => r.Temperature).Concat(g.Baseline is null ? [] : [g.Baseline]))
            {
                sb.Append($"<tr><td>{(r.Temperature is { } t ? Num(t) : "-")}</td><td>{Num(r.Alpha)}</td><td>{r.Seeds}</td><td>{Pct(r.Acc)}</td>" +
                          $"<td>{(r.StdDev is { } sd ? Pct(sd) : "")}</td>" +
                          $"<td>{(r.Ci95 is { } ci ? $"{Pct(r.Acc - ci)} to {Pct(r.Acc + ci)}" : "")}</td>" +
                          $"<td>{(r.IsBaseline ? "baseline" : GainHtml(r.Gain, r.GainCi95))}</td><td>{PctCi(r.TestAccuracy, r.TestCi95)}</td>" +
                          $"<td>{(r.IsBaseline ? "baseline" : GainHtml(r.TestGain, r.TestGainCi95))}</td></tr>\n");
            }
            sb.Append("</tbody></table>\n</details>\n</figure>\n");
        }
        sb.Append("</div>\n</section>\n");
    }
}
