using System.Text;
using ScottPlot;
using static AkkaKd.Reports.HtmlReport;

namespace AkkaKd.Reports;

/// <summary>
/// The report's section on a scheduled search (sha, asha): every configuration's validation curve, the ones a scheduler
/// stopped faded, the selected one marked; the rungs; and the student epochs spent against every trial in full.
/// </summary>
public static class HtmlSearch
{
    /// <summary>Rows of the configuration table (the furthest first); the plot draws every configuration.</summary>
    public const int MaxRows = 300;

    public static void Section(StringBuilder sb, ReportModel m)
    {
        if (SearchView.Of(m) is not { } v) return;
        int stopped = v.Curves.Count(c => c.Stopped);
        sb.Append("<section id=\"search\">\n<h2>Adaptive search</h2>\n");
        sb.Append($"<p id=\"search-summary\">{E(v.Scheduler ?? "a scheduler")}: {v.Curves.Count} configurations, {stopped} stopped at a rung, " +
                  $"{v.Curves.Count - stopped} trained on. Student epochs spent: <b>{v.EpochsSpent:N0}</b>" +
                  (v.Budget is { } b && b > 0 ? $" of {b:N0} for every trial in full (<b>{Pct((double)v.EpochsSpent / b)}%</b>)" : "") +
                  ".</p>\n");
        sb.Append("<ul id=\"rungs\">\n");
        foreach (var line in v.RungLines.SkipLast(1)) sb.Append($"<li>{E(line.Trim())}</li>\n");
        sb.Append("</ul>\n");
        sb.Append(v.Selected is { } s
            ? $"<p id=\"search-selected\">Selected (the ranking's first, on validation accuracy): <b>{E(s.Label)}</b>, drawn thick in red.</p>\n"
            : "<p id=\"search-selected\" class=\"na\">The selected configuration is not a scheduled one (a baseline, or none yet).</p>\n");
        Img(sb, () => Plot(v), "validation accuracy per epoch of every configuration; stopped ones faded; the selected one marked");
        sb.Append($"<details><summary>Every configuration ({v.Curves.Count})</summary>\n<table class=\"data\" id=\"search-configs\">\n" +
                  "<tr><th>configuration</th><th>epochs</th><th>val acc (%)</th><th>outcome</th></tr>\n");
        foreach (var c in v.Curves.Take(MaxRows))
            sb.Append($"<tr class=\"{(c.Selected ? "selected" : c.Stopped ? "stopped" : "on")}\"><td>{E(c.Label)}</td><td>{c.Reached}</td>" +
                      $"<td>{(c.Last is { } l ? Pct(l) : "")}</td><td>{(c.Selected ? "selected" : c.Stopped ? "stopped" : "trained on")}</td></tr>\n");
        sb.Append("</table>\n");
        if (v.Curves.Count > MaxRows) sb.Append($"<p class=\"note\">{v.Curves.Count - MaxRows} more not listed.</p>\n");
        sb.Append("</details>\n</section>\n");
    }

    /// <summary>Every configuration's curve: stopped ones faded grey, those trained on in blue, the selected one thick red.</summary>
    public static byte[] Plot(SearchView v)
    {
        var plot = new Plot();
        plot.Font.Set(ReportPlots.Font);
        bool stoppedLabel = false, onLabel = false;
        foreach (var c in v.Curves.Where(c => !c.Selected).OrderBy(c => c.Stopped ? 0 : 1))
        {
            if (c.ValAcc.Length == 0) continue;
            var sc = plot.Add.Scatter(c.Epochs, c.ValAcc.Select(x => x * 100).ToArray());
            sc.Color = c.Stopped ? Colors.Gray.WithAlpha(0.3) : Colors.C0.WithAlpha(0.85);
            sc.LineWidth = c.Stopped ? 1 : 1.5f;
            sc.MarkerSize = c.Stopped ? 2 : 3;
            if (c.Stopped && !stoppedLabel) (sc.LegendText, stoppedLabel) = ("stopped at a rung", true);
            if (!c.Stopped && !onLabel) (sc.LegendText, onLabel) = ("trained on", true);
        }
        if (v.Selected is { ValAcc.Length: > 0 } s)
        {
            var sc = plot.Add.Scatter(s.Epochs, s.ValAcc.Select(x => x * 100).ToArray());
            sc.Color = Colors.Red;
            sc.LineWidth = 3;
            sc.MarkerSize = 6;
            sc.LegendText = $"selected: {s.Label}";
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Alignment.LowerRight);
        plot.Title("Every configuration's validation curve");
        plot.XLabel("epoch");
        plot.YLabel("validation accuracy (%)");
        return plot.GetImageBytes(900, 420, ImageFormat.Png);
    }
}
