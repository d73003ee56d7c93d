using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
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
            <p class="sub">{m.Results.Count} of {h.Trials} trials finished{(m.StoppedByScheduler > 0 ? $", {m.StoppedByScheduler} stopped early by the scheduler" : "")}{(m.Results.Count + m.StoppedByScheduler < h.Trials ? " (the sweep is running, was interrupted, or some trials failed)" : "")}.
            Made from {Journal.FileName} on {E(generated.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture))} by <code>akkakd report</code>.</p>

            """);
        if (m.LeftOutNote != null) sb.Append($"<p class=\"warn\" id=\"left-out\">{E(m.LeftOutNote)}: see the sweep files at the end.</p>\n");
        if (m.SelectedOnTest)
            sb.Append($"<p class=\"warn\" id=\"selected-on-test\"><b>{E(Leaderboard.SelectedOnTestNote)}</b>: this journal has no validation " +
                      "accuracies, so every ranking and every \"best\" here is chosen on the test rows, and the test figures of the chosen " +
                      "configurations are optimistic.</p>\n");
        HtmlSelection.Headline(sb, m);
        HtmlSelection.Selected(sb, m);
        Facts(sb, m);
        sb.Append("<section id=\"frontier\">\n<h2>The distillation frontier</h2>\n");
        sb.Append($"<p>Test accuracy against the student's hidden width (log scale): the best distilled student of each width " +
                  $"(chosen on {(m.SelectedOnTest ? "test" : "validation")} accuracy), the baseline of the same width (alpha 0, labels only) " +
                  "and the teacher. Error bars: 95% interval over seeds.</p>\n");
        Img(sb, () => ReportPlots.Frontier(m), "test accuracy against student width: best distilled student, baseline and teacher");
        sb.Append("</section>\n");
        HtmlSelection.Curves(sb, m);
        HtmlSearch.Section(sb, m);
        HtmlSelection.Best(sb, m);
        HtmlSelection.Grids(sb, m);
        Ranking(sb, m);
        SweepFiles(sb, m);
        sb.Append("</body>\n</html>\n");
        DrawPlots(sb);
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
            ? m.TeacherAccuracy is { } ta ? $"accuracy {Pct(ta)}% (from the trials; no teacher record)" : "not trained yet"
            : $"test accuracy <b>{Pct(t.TestAccuracy)}%</b>{(t.ValAcc is { } tv ? $", validation accuracy {Pct(tv)}%" : "")}, {N(t.Params)} parameters, trained in {Sec(t.TrainSeconds)} on {E(t.Node)}; " +
              $"logits <code>{E(Short(t.Hash))}</code>");
        Row("grid", $"{m.Grids.Count} widths ({string.Join(", ", m.Grids.Select(g => g.Width))}), " +
                    $"T {{{string.Join(", ", m.Temperatures.Select(Num))}}}, alpha {{{string.Join(", ", m.Alphas.Select(Num))}}} and the baseline, " +
                    $"{m.Seeds.Length} seed{(m.Seeds.Length == 1 ? "" : "s")} ({string.Join(", ", m.Seeds)})");
        Row("trials", $"{m.Results.Count} of {h.Trials} finished" + (m.LeftOut > 0 ? $"; {E(m.LeftOutNote!)}" : ""));
        if (m.DivergedTrials is { Count: > 0 } diverged)
            Row("diverged", $"<b>{diverged.Count}</b> trial{(diverged.Count == 1 ? "" : "s")} whose loss became NaN or infinite, ranked last with no accuracy: " +
                            string.Join("; ", diverged.Take(20).Select(d => E($"{d.Id} (width {d.Width}, T {(d.Temperature is { } dt ? Num(dt) : "-")}, " +
                                                                              $"alpha {Num(d.Alpha)}, seed {d.Seed}): {d.DivergedReason ?? d.DivergedText}"))) +
                            (diverged.Count > 20 ? $"; and {diverged.Count - 20} more" : ""));
        Row("data slices", h.Train is null && h.Validation is null && h.Test is null
            ? "<span class=\"na\">not in this journal's header</span>" + (m.TestRows is { } tr ? $"; {N(tr)} test rows (from the recorded sweep file)" : "")
            : string.Join(", ", new[] { ("train", h.Train), ("validation", h.Validation), ("test", h.Test) }
                .Where(x => x.Item2 is not null).Select(x => $"{N(x.Item2!.Value)} {x.Item1}")) + " rows");
        Row("selection", m.SelectedOnTest
            ? $"<b>{E(Leaderboard.SelectedOnTestNote)}</b>"
            : "on validation accuracy (mean over seeds); test accuracy is measured once per trial, at its end, and never chooses");
        if (h.ThreadsPerTrial is { } threads) Row("threads per trial", threads.ToString(CultureInfo.InvariantCulture));
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

    private static void SweepFiles(StringBuilder sb, ReportModel m)
    {
        var byHeader = m.ByHeader();
        if (byHeader.Count <= 1)
        {
            sb.Append("<section id=\"sweep-file\">\n<h2>Sweep file</h2>\n");
            SweepFileText(sb, m.Header!);
            sb.Append("</section>\n");
            return;
        }
        sb.Append($"<section id=\"sweep-file\">\n<h2>Sweep files</h2>\n<p>This journal was extended (<code>--resume --force</code>): " +
                  $"{byHeader.Count} sweep files, each recorded as a header line; the trials under each ran with it. The last one is in force: " +
                  "its grid is the total, and a result of an earlier file counts only if its trial id (which encodes every setting) is in that grid.</p>\n");
        var current = m.Results.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < byHeader.Count; i++)
        {
            var (h, trials) = byHeader[i];
            int kept = trials.Count(r => current.Contains(r.Id));
            sb.Append($"<div class=\"header\" data-header=\"{i + 1}\" data-trials=\"{trials.Count}\" data-kept=\"{kept}\">\n");
            sb.Append($"<h3>{i + 1}. {(i == byHeader.Count - 1 ? "in force" : "earlier")}: sweep <code>{E(Short(h.SweepHash))}</code>, " +
                      $"{E(h.Created.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}</h3>\n");
            sb.Append($"<p>{h.Trials} trials in its grid; {trials.Count} results ran under it, {kept} of them in the current grid" +
                      (kept < trials.Count ? $", {trials.Count - kept} left out of the ranking" : "") + ".</p>\n");
            if (trials.Count > 0)
            {
                sb.Append("<details><summary>its trials</summary>\n<table class=\"data\"><thead><tr><th>id</th><th>width</th><th>T</th>" +
                          "<th>alpha</th><th>seed</th><th>val acc %</th><th>test acc %</th><th>ranked</th></tr></thead><tbody>\n");
                foreach (var r in trials)
                    sb.Append($"<tr><td><code>{E(r.Id)}</code></td><td>{r.Width}</td><td>{(r.Temperature is { } t ? Num(t) : "-")}</td><td>{Num(r.Alpha)}</td>" +
                              $"<td>{r.Seed}</td><td>{(r.ValAcc is { } v ? Pct(v) : "")}</td><td>{(r.Diverged ? E(r.DivergedText) : Pct(r.TestAccuracy))}</td>" +
                              $"<td>{(current.Contains(r.Id) ? "yes" : "no: not in the current grid")}</td></tr>\n");
                sb.Append("</tbody></table>\n</details>\n");
            }
            SweepFileText(sb, h);
            sb.Append("</div>\n");
        }
        sb.Append("</section>\n");
    }

    private static void SweepFileText(StringBuilder sb, JournalHeader h)
    {
        if (h.SweepFile is null)
            sb.Append("<p class=\"na\">This journal's header holds no sweep file (it was written by an older akkakd); " +
                      $"its sweep hash is <code>{E(h.SweepHash)}</code>.</p>\n");
        else
            sb.Append("<p>Every key as the sweep ran it (defaults filled in, <code>--set</code> overrides applied): " +
                      "<code>akkakd sweep</code> with this file repeats it.</p>\n<pre>" + E(h.SweepFile.TrimEnd()) + "</pre>\n");
    }

    /// <summary>
    /// An image whose PNG <paramref name="plot"/> draws. The page holds a mark in its place (a control character, which no
    /// escaped text contains); <see cref="Render"/> draws every plot of the page at the end, in parallel (each plot its own
    /// ScottPlot and SkiaSharp objects; ScottPlot's typeface cache is a concurrent one), and puts each in its place.
    /// </summary>
    internal static void Img(StringBuilder sb, Func<byte[]> plot, string alt)
    {
        var plots = Plots.GetOrCreateValue(sb);
        sb.Append($"<img src=\"data:image/png;base64,{Mark(plots.Count)}\" alt=\"{E(alt)}\">\n");
        plots.Add(plot);
    }

    /// <summary>The plots a page under construction waits for, by its StringBuilder (gone with it).</summary>
    private static readonly ConditionalWeakTable<StringBuilder, List<Func<byte[]>>> Plots = new();

    private static string Mark(int i) => $"\u0001plot{i}\u0001";

    /// <summary>Draws the page's plots (the calling thread among those drawing) and puts their PNGs in place of their marks.</summary>
    internal static void DrawPlots(StringBuilder sb)
    {
        if (!Plots.TryGetValue(sb, out var plots)) return;
        Plots.Remove(sb);
        var pngs = new byte[plots.Count][];
        try
        {
            Parallel.For(0, plots.Count, i => pngs[i] = plots[i]());
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); // a plot's own exception, as a serial draw would throw it
        }
        for (int i = 0; i < pngs.Length; i++) sb.Replace(Mark(i), Convert.ToBase64String(pngs[i]));
    }

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
        .up { color: #1a7f37; } .down { color: #cf222e; }
        .warn { background: #fff8c5; border: 1px solid #d4a72c; padding: 0.5em 0.8em; }
        ul.headline li, ul.headline-by-t li { margin: 0.25em 0; }
        .curves { display: flex; flex-wrap: wrap; gap: 1em; }
        figure.curve { margin: 0; }
        figure.heatmap { max-width: 540px; }
        #best-settings th { white-space: normal; }
        h3 { font-size: 1em; margin-bottom: 0.2em; }
        .heatmaps { display: flex; flex-wrap: wrap; gap: 1em; }
        figure.heatmap { margin: 0; border: 1px solid #e3e3e3; padding: 0.5em; }
        figcaption { font-size: 0.9em; color: #444; margin: 0.3em 0; }
        details summary { cursor: pointer; color: #2a6099; font-size: 0.92em; }

        """;

    internal static string E(string s) => WebUtility.HtmlEncode(s);
    internal static string Pct(double v) => Formats.Percent(v);
    internal static string PctCi(double v, double? ci) => Formats.PercentInterval(v, ci);
    internal static string Signed(double v) => Formats.Points(v);
    internal static string Num(double v) => Formats.Axis(v);
    internal static string R(double v) => Formats.Exact(v);
    internal static string Opt(double? v) => v is { } x ? R(x) : "";
    internal static string N(long v) => Formats.Parameters(v);
    internal static string Sec(double s) => Formats.TrainTime(s);
    internal static string Short(string s) => s.Length > 16 ? s[..16] + "…" : s;
    internal static string Duration(double s) => Formats.Duration(s);
}
