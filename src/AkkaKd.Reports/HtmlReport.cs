using System.Globalization;
using System.Net;
using System.Text;
using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>
/// report.html: one self-contained page made from a sweep's journal alone. Plots are PNG data URIs; the style is inline;
/// nothing is fetched from anywhere, so the file can be mailed, archived or opened offline.
/// </summary>
public static class HtmlReport
{
    public const string FileName = "report.html";

    /// <summary>
    /// Writes <paramref name="dir"/>/report.html from <paramref name="dir"/>/results.jsonl (whole or not at all) and returns
    /// its path; null when the folder has no journal. A journal that cannot be read throws <see cref="JournalException"/>;
    /// a file that cannot be written, <see cref="ReportWriteException"/>.
    /// </summary>
    public static string? Write(string dir)
    {
        var model = ReportModel.Read(Path.Combine(dir, Journal.FileName));
        if (model is null) return null;
        var path = Path.Combine(dir, FileName);
        AtomicFile.WriteAllText(path, Render(model, DateTimeOffset.Now));
        return path;
    }

    public static string Render(ReportModel m, DateTimeOffset generated)
    {
        var h = m.Header!;
        var sb = new StringBuilder();
        sb.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>akkakd report: {E(h.SweepName)}</title>
            <style>{Css}</style>
            </head>
            <body>
            <h1>akkakd sweep <em>{E(h.SweepName)}</em></h1>
            <p class="sub">{m.Results.Count} of {h.Trials} trials finished{(m.Results.Count < h.Trials ? " (the sweep is running, was interrupted, or some trials failed)" : "")}.
            Made from {Journal.FileName} on {E(generated.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture))} by <code>akkakd report</code>.</p>

            """);
        Facts(sb, m);
        sb.Append("<section id=\"frontier\">\n<h2>The distillation frontier</h2>\n");
        sb.Append("<p>Test accuracy against the student's hidden width (log scale): the best distilled student of each width, " +
                  "the baseline of the same width (alpha 0, labels only) and the teacher. Error bars: 95% interval over seeds.</p>\n");
        Img(sb, ReportPlots.Frontier(m), "accuracy against student width: best distilled student, baseline and teacher");
        sb.Append("</section>\n");
        Best(sb, m);
        Grids(sb, m);
        Ranking(sb, m);
        SweepFile(sb, h);
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Facts(StringBuilder sb, ReportModel m)
    {
        var h = m.Header!;
        var t = m.Teacher;
        sb.Append("<section id=\"facts\">\n<h2>The sweep</h2>\n<table class=\"facts\">\n");
        void Row(string k, string vHtml) => sb.Append($"<tr><th>{E(k)}</th><td>{vHtml}</td></tr>\n");
        Row("sweep", $"{E(h.SweepName)}, hash <code>{E(h.SweepHash)}</code>");
        Row("data fingerprint", $"<code>{E(h.DataFingerprint)}</code> (SHA-256)");
        Row("teacher", t is null
            ? m.TeacherAcc is { } ta ? $"accuracy {Pct(ta)}% (from the trials; no teacher record)" : "not trained yet"
            : $"accuracy <b>{Pct(t.TestAcc)}%</b>, {N(t.Params)} parameters, trained in {Sec(t.TrainSeconds)} on {E(t.Node)}; " +
              $"logits <code>{E(Short(t.Hash))}</code>");
        Row("grid", $"{m.Grids.Count} widths ({string.Join(", ", m.Grids.Select(g => g.Width))}), " +
                    $"T {{{string.Join(", ", m.Temperatures.Select(Num))}}}, alpha {{{string.Join(", ", m.Alphas.Select(Num))}}} and the baseline, " +
                    $"{m.Seeds.Length} seed{(m.Seeds.Length == 1 ? "" : "s")} ({string.Join(", ", m.Seeds)})");
        Row("trials", $"{m.Results.Count} of {h.Trials} finished");
        Row("train time", m.Results.Count == 0 ? "none yet"
            : $"{Sec(m.TotalTrainSeconds)} in all, {Sec(m.MeanTrainSeconds!.Value)} per trial " +
              $"(fastest {Sec(m.Results.Min(r => r.TrainSeconds))}, slowest {Sec(m.Results.Max(r => r.TrainSeconds))})" +
              (t is null ? "" : $", teacher {Sec(t.TrainSeconds)}"));
        if (m.WallClock is { } wall)
            Row("wall clock", $"{E(Duration(wall.TotalSeconds))} from the journal's creation ({E(h.Created.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}) " +
                              "to its last result, pauses between resumed runs included");
        Row("nodes", m.Nodes.Count == 0 ? "none yet" : string.Join(", ", m.Nodes.Select(n => $"{E(n.Node)} ({n.Trials} trials)")));
        Row("machine", h.Machine is null ? "<span class=\"na\">not in this journal (written by an older akkakd)</span>" : E(h.Machine) + " (the launching node)");
        Row("backend", h.Backend is null ? "<span class=\"na\">not in this journal</span>" : E(h.Backend) + " (the launching node)");
        sb.Append("</table>\n</section>\n");
    }

    private static void Best(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"best\">\n<h2>Best settings per width</h2>\n");
        sb.Append("<table id=\"best-settings\" class=\"data\">\n<thead><tr><th>width</th><th>T</th><th>alpha</th><th>seeds</th>" +
                  "<th>accuracy %</th><th>baseline %</th><th>gain (points)</th><th>gap to teacher</th><th>parameters</th><th>compression</th></tr></thead>\n<tbody>\n");
        foreach (var g in m.Grids)
        {
            var b = g.Best;
            var bl = g.Baseline;
            if (b is null)
            {
                sb.Append($"<tr data-width=\"{g.Width}\"><td>{g.Width}</td><td colspan=\"4\" class=\"na\">no distilled student finished</td>" +
                          $"<td>{(bl is null ? "" : PctCi(bl.MeanAcc, bl.Ci95))}</td><td colspan=\"4\"></td></tr>\n");
                continue;
            }
            sb.Append($"<tr data-width=\"{g.Width}\" data-t=\"{R(b.Temperature!.Value)}\" data-alpha=\"{R(b.Alpha)}\" data-seeds=\"{b.Seeds}\" " +
                      $"data-acc=\"{R(b.MeanAcc)}\" data-acc-ci95=\"{Opt(b.Ci95)}\" data-baseline=\"{Opt(bl?.MeanAcc)}\" data-gain=\"{Opt(b.Gain)}\" data-gain-ci95=\"{Opt(b.GainCi95)}\">");
            sb.Append($"<td>{g.Width}</td><td>{Num(b.Temperature.Value)}</td><td>{Num(b.Alpha)}</td><td>{b.Seeds}</td>");
            sb.Append($"<td><b>{PctCi(b.MeanAcc, b.Ci95)}</b></td><td>{(bl is null ? "<span class=\"na\">none</span>" : PctCi(bl.MeanAcc, bl.Ci95))}</td>");
            sb.Append($"<td class=\"{(b.Gain > 0 ? "up" : b.Gain < 0 ? "down" : "")}\">{(b.Gain is { } gain ? Signed(gain) + (b.GainCi95 is { } gci ? " " + Formats.Interval(gci) : "") : "")}</td>");
            sb.Append($"<td>{(b.GapToTeacher is { } gap ? Signed(gap) : "")}</td><td>{N(b.Params)}</td>" +
                      $"<td>{(b.Compression is { } c ? Formats.Ratio(c) : "")}</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        sb.Append("<p class=\"note\">The best distilled configuration (alpha &gt; 0) of each width by mean test accuracy over seeds. " +
                  "±: half-width of the 95% interval of the mean, Student's t with n&nbsp;-&nbsp;1 degrees of freedom, shown when there are several seeds. " +
                  "Gain: points over the same-width baseline, paired by seed (the distilled student and its baseline start from the same " +
                  "weights and see the same batches), its interval from the paired differences. Compression: teacher parameters / student parameters.</p>\n");
        sb.Append("</section>\n");
    }

    private static void Grids(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"grids\">\n<h2>Accuracy over temperature and alpha</h2>\n");
        sb.Append("<p>One heatmap per student width: mean test accuracy (%) over seeds, ± its 95% interval when there are several seeds; " +
                  "the bottom row is the baseline (alpha 0: the temperature does not matter). The best cell is outlined in red. " +
                  "Each width has its own colour scale.</p>\n");
        var shown = WidthGrid.Showcase(m.Grids, MaxHeatmaps);
        if (shown.Count < m.Grids.Count)
            sb.Append($"<p class=\"note\">{shown.Count} of {m.Grids.Count} widths are drawn: those with the most accurate students. " +
                      "The others are in the ranking below and in leaderboard.csv.</p>\n");
        sb.Append("<div class=\"heatmaps\">\n");
        foreach (var g in shown)
        {
            sb.Append($"<figure id=\"width-{g.Width}\" class=\"heatmap\">\n");
            Img(sb, ReportPlots.Heatmap(g, m.Temperatures, m.Alphas), $"heatmap of test accuracy over T and alpha, width {g.Width}");
            sb.Append($"<figcaption>width {g.Width}: {N(g.Best?.Params ?? g.Baseline?.Params ?? 0)} parameters");
            if (g.Best is { } b) sb.Append($"; best T {Num(b.Temperature!.Value)}, alpha {Num(b.Alpha)}: {Pct(b.MeanAcc)}%");
            if (g.Baseline is { } bl) sb.Append($"; baseline {Pct(bl.MeanAcc)}%");
            sb.Append("</figcaption>\n<details><summary>every cell: mean, standard deviation, interval, gain</summary>\n");
            sb.Append("<table class=\"data\"><thead><tr><th>T</th><th>alpha</th><th>seeds</th><th>mean %</th><th>sd</th><th>95% interval</th><th>gain (points)</th></tr></thead><tbody>\n");
            foreach (var r in g.Distilled.OrderBy(r => r.Alpha).ThenBy(r => r.Temperature).Concat(g.Baseline is null ? [] : [g.Baseline]))
            {
                sb.Append($"<tr><td>{(r.Temperature is { } t ? Num(t) : "-")}</td><td>{Num(r.Alpha)}</td><td>{r.Seeds}</td><td>{Pct(r.MeanAcc)}</td>" +
                          $"<td>{(r.StdDev is { } sd ? Pct(sd) : "")}</td>" +
                          $"<td>{(r.Ci95 is { } ci ? $"{Pct(r.MeanAcc - ci)} to {Pct(r.MeanAcc + ci)}" : "")}</td>" +
                          $"<td>{(r.IsBaseline ? "baseline" : r.Gain is { } gain ? Signed(gain) + (r.GainCi95 is { } gci ? " " + Formats.Interval(gci) : "") : "")}</td></tr>\n");
            }
            sb.Append("</tbody></table>\n</details>\n</figure>\n");
        }
        sb.Append("</div>\n</section>\n");
    }

    private static void Ranking(StringBuilder sb, ReportModel m)
    {
        sb.Append($"<section id=\"ranking\">\n<h2>Ranking</h2>\n<details><summary>all {m.Rows.Count} configurations, best first " +
                  "(the columns of the live leaderboard and leaderboard.csv)</summary>\n<table class=\"data\"><thead><tr>");
        foreach (var c in LeaderboardTable.Columns) sb.Append($"<th>{E(c)}</th>");
        sb.Append("</tr></thead><tbody>\n");
        foreach (var r in m.Rows.Take(MaxRankingRows))
        {
            sb.Append("<tr>");
            foreach (var c in LeaderboardTable.Cells(r)) sb.Append($"<td>{E(c)}</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n");
        if (m.Rows.Count > MaxRankingRows)
            sb.Append($"<p class=\"note\">The first {MaxRankingRows} of {m.Rows.Count} rows; every row is in leaderboard.csv.</p>\n");
        sb.Append("</details>\n</section>\n");
    }

    /// <summary>A report stays readable (and quick to make) for any grid: so many heatmaps and ranking rows at most.</summary>
    public const int MaxHeatmaps = 36, MaxRankingRows = 500;

    private static void SweepFile(StringBuilder sb, JournalHeader h)
    {
        sb.Append("<section id=\"sweep-file\">\n<h2>Sweep file</h2>\n");
        if (h.SweepFile is null)
            sb.Append("<p class=\"na\">This journal's header holds no sweep file (it was written by an older akkakd); " +
                      $"its sweep hash is <code>{E(h.SweepHash)}</code>.</p>\n");
        else
            sb.Append("<p>Every key as the sweep ran it (defaults filled in, <code>--set</code> overrides applied): " +
                      "<code>akkakd sweep</code> with this file repeats it.</p>\n<pre>" + E(h.SweepFile.TrimEnd()) + "</pre>\n");
        sb.Append("</section>\n");
    }

    private static void Img(StringBuilder sb, byte[] png, string alt) =>
        sb.Append($"<img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"{E(alt)}\">\n");

    private const string Css = """

        body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1220px; padding: 0 1em; color: #222; line-height: 1.4; }
        h1 { margin-bottom: 0.2em; } h1 em { font-style: normal; color: #2a6099; }
        h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
        .sub, .note { color: #555; font-size: 0.92em; }
        .na { color: #888; font-style: italic; }
        code, pre { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.9em; }
        pre { background: #f6f8fa; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto; }
        img { max-width: 100%; height: auto; }
        table { border-collapse: collapse; }
        table.facts th { text-align: left; padding: 0.2em 1em 0.2em 0; vertical-align: top; white-space: nowrap; }
        table.facts td { padding: 0.2em 0; }
        table.data { font-size: 0.9em; margin: 0.5em 0; }
        table.data th, table.data td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; white-space: nowrap; }
        table.data th { background: #f0f3f6; }
        td.up { color: #1a7f37; } td.down { color: #cf222e; }
        .heatmaps { display: flex; flex-wrap: wrap; gap: 1em; }
        figure.heatmap { margin: 0; border: 1px solid #e3e3e3; padding: 0.5em; }
        figcaption { font-size: 0.9em; color: #444; margin: 0.3em 0; }
        details summary { cursor: pointer; color: #2a6099; font-size: 0.92em; }

        """;

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string Pct(double v) => Formats.Percent(v);
    private static string PctCi(double v, double? ci) => Formats.PercentInterval(v, ci);
    private static string Signed(double v) => Formats.Points(v);
    private static string Num(double v) => Formats.Axis(v);
    private static string R(double v) => Formats.Exact(v);
    private static string Opt(double? v) => v is { } x ? R(x) : "";
    private static string N(long v) => Formats.Parameters(v);
    private static string Sec(double s) => Formats.TrainTime(s);
    private static string Short(string s) => s.Length > 16 ? s[..16] + "…" : s;
    private static string Duration(double s) => Formats.Duration(s);
}
