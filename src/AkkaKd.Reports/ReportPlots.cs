using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;
using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>The report's plots, drawn with ScottPlot (SkiaSharp, headless) and returned as PNG bytes.</summary>
public static class ReportPlots
{
    /// <summary>
    /// The ranked accuracy (%: validation, or test for a journal without validation rows) over temperature (columns) and
    /// alpha (rows, the baseline at the bottom) for one width, the value in each cell (with the 95% interval when there
    /// are several seeds), the best cell outlined. The colour scale is centred on the width's baseline: green above it,
    /// red below, white at it.
    /// </summary>
    public static byte[] Heatmap(WidthGrid grid, double[] temperatures, double[] alphas, bool onTest = false)
    {
        int nT = temperatures.Length;
        bool hasBaseline = grid.Baseline != null;
        // Rows from the top: the largest alpha first, the baseline (alpha 0) last.
        var rowAlphas = alphas.OrderDescending().ToList();
        int nRows = rowAlphas.Count + (hasBaseline ? 1 : 0);
        if (nT == 0 || nRows == 0)
            return Empty($"width {grid.Width}: " + (grid.Baseline is { } only ? $"baseline {Pct(only.Acc)}%, no distilled student yet" : "no results"), 440, 200);

        var values = new double[nRows, nT];
        for (int r = 0; r < rowAlphas.Count; r++)
        for (int c = 0; c < nT; c++)
            values[r, c] = grid.Cell(temperatures[c], rowAlphas[r]) is { } cell ? cell.Acc * 100 : double.NaN;
        if (hasBaseline)
            for (int c = 0; c < nT; c++) values[nRows - 1, c] = grid.Baseline!.Acc * 100;

        // Centred on the baseline: equal reach above and below it, so white is the baseline and the hue says the side.
        var finite = values.Cast<double>().Where(double.IsFinite).ToArray();
        double centre = grid.Baseline is { } bl0 ? bl0.Acc * 100 : (finite.Min() + finite.Max()) / 2;
        double reach = Math.Max(0.1, finite.Max(v => Math.Abs(v - centre)));
        double lo = centre - reach, hi = centre + reach;

        var plot = NewPlot();
        var hm = plot.Add.Heatmap(values);
        hm.Colormap = Diverging;
        hm.ManualRange = new ScottPlot.Range(lo, hi);
        hm.NaNCellColor = Colors.LightGray;
        hm.Position = new CoordinateRect(0, nT - 1, 0, nRows - 1);
        var bar = plot.Add.ColorBar(hm);
        bar.Label = (onTest ? "test" : "validation") + " accuracy (%)";

        // Heatmap row 0 is drawn at the top, at y = nRows - 1.
        double Y(int row) => nRows - 1 - row;
        var best = grid.Best;
        bool manyCells = nT > 6;
        for (int r = 0; r < rowAlphas.Count; r++)
        for (int c = 0; c < nT; c++)
        {
            var cell = grid.Cell(temperatures[c], rowAlphas[r]);
            string label = cell is null ? "-" : Pct(cell.Acc) + (cell.Ci95 is { } ci && !manyCells ? "\n±" + Pct(ci) : "");
            CellText(plot, label, c, Y(r), cell is null ? Colors.Black : TextOn(values[r, c], lo, hi), manyCells ? 11 : 14,
                bold: cell != null && cell == best);
            if (cell != null && cell == best)
            {
                var box = plot.Add.Rectangle(c - 0.5, c + 0.5, Y(r) - 0.5, Y(r) + 0.5);
                box.FillStyle.Color = Colors.Transparent;
                box.LineStyle.Color = Colors.Red;
                box.LineStyle.Width = 3;
            }
        }
        if (hasBaseline)
        {
            var b = grid.Baseline!;
            CellText(plot, $"baseline {Pct(b.Acc)}{(b.Ci95 is { } ci ? " ±" + Pct(ci) : "")}", (nT - 1) / 2.0, 0,
                TextOn(values[nRows - 1, 0], lo, hi), 14, bold: false);
        }

        plot.Axes.Bottom.TickGenerator = new NumericManual(
            Enumerable.Range(0, nT).Select(i => (double)i).ToArray(), temperatures.Select(Num).ToArray());
        var yTicks = rowAlphas.Select(Num).ToList();
        if (hasBaseline) yTicks.Add("0");
        plot.Axes.Left.TickGenerator = new NumericManual(
            Enumerable.Range(0, nRows).Select(r => Y(r)).ToArray(), yTicks.ToArray());
        plot.Axes.SetLimits(-0.5, nT - 0.5, -0.5, nRows - 0.5);
        plot.HideGrid();
        plot.Title($"width {grid.Width}");
        plot.XLabel("temperature T");
        plot.YLabel("alpha (soft-target weight)");
        return Png(plot, Math.Max(440, 140 + 76 * nT), Math.Max(300, 130 + 62 * nRows));
    }

    /// <summary>
    /// The distillation frontier: test accuracy against student width (log scale) for the best distilled student of each
    /// width (selected on validation) and the baseline, with 95% intervals over seeds where there are several, and the
    /// teacher as a horizontal line.
    /// </summary>
    public static byte[] Frontier(ReportModel m)
    {
        var grids = m.Grids;
        if (grids.Count == 0) return Empty("no results yet", 1000, 300);
        var plot = NewPlot();
        double X(int width) => Math.Log10(width);

        void Series(IReadOnlyList<(int Width, LeaderboardRow Row)> points, string name, Color color, MarkerShape marker)
        {
            if (points.Count == 0) return;
            double[] xs = points.Select(p => X(p.Width)).ToArray();
            double[] ys = points.Select(p => p.Row.TestAccuracy * 100).ToArray();
            if (points.Any(p => p.Row.TestCi95 != null))
            {
                var err = plot.Add.ErrorBar(xs, ys, points.Select(p => (p.Row.TestCi95 ?? 0) * 100).ToArray());
                err.Color = color;
                err.LineWidth = 2;
            }
            var s = plot.Add.Scatter(xs, ys);
            s.Color = color;
            s.LineWidth = 2;
            s.MarkerSize = 10;
            s.MarkerShape = marker;
            s.LegendText = name;
        }

        var best = grids.Where(g => g.Best != null).Select(g => (g.Width, g.Best!)).ToList();
        Series(best, m.SelectedOnTest ? "best distilled student (selected on test)" : "best distilled student (selected on validation)",
            Colors.C0, MarkerShape.FilledCircle);
        Series(grids.Where(g => g.Baseline != null).Select(g => (g.Width, g.Baseline!)).ToList(),
            "baseline (alpha 0)", Colors.C1, MarkerShape.FilledSquare);
        foreach (var (w, row) in best)
        {
            var t = plot.Add.Text($"T {Num(row.Temperature!.Value)}, α {Num(row.Alpha)}", X(w), row.TestAccuracy * 100);
            t.LabelFontSize = 12;
            t.LabelFontColor = Colors.C0.Darken(0.3);
            t.LabelAlignment = Alignment.LowerCenter;
            t.OffsetY = -12;
        }
        var ys = grids.SelectMany(g => new[] { g.Best, g.Baseline }).OfType<LeaderboardRow>()
            .SelectMany(r => new[] { (r.TestAccuracy - (r.TestCi95 ?? 0)) * 100, (r.TestAccuracy + (r.TestCi95 ?? 0)) * 100 }).ToList();
        if (m.TeacherAccuracy is { } teacher)
        {
            var line = plot.Add.HorizontalLine(teacher * 100);
            line.Color = Colors.C2;
            line.LineWidth = 2;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"teacher {Pct(teacher)}%";
            ys.Add(teacher * 100);
        }
        var widths = grids.Select(g => g.Width).ToArray();
        plot.Axes.Bottom.TickGenerator = new NumericManual(widths.Select(X).ToArray(),
            widths.Select(w => w.ToString(CultureInfo.InvariantCulture)).ToArray());
        double span = Math.Max(X(widths[^1]) - X(widths[0]), 0.3);
        double yLo = ys.Min(), yHi = ys.Max(), pad = Math.Max(0.5, (yHi - yLo) * 0.12);
        plot.Axes.SetLimits(X(widths[0]) - span * 0.08, X(widths[^1]) + span * 0.08, yLo - pad, yHi + pad * 1.5);
        plot.ShowLegend(Alignment.LowerRight);
        plot.Title("The distillation frontier");
        plot.XLabel("student hidden width (log scale)");
        plot.YLabel("test accuracy (%)");
        return Png(plot, 1000, 480);
    }

    /// <summary>
    /// Learning curves of one width: validation accuracy (%) after each epoch, the mean over seeds, for the baseline
    /// (dashed) and the given configurations (the width's best distilled ones, best first).
    /// </summary>
    public static byte[] Curves(int width, (LeaderboardRow Row, double[] Curve)? baseline, IReadOnlyList<(LeaderboardRow Row, double[] Curve)> top)
    {
        if (baseline is null && top.Count == 0) return Empty($"width {width}: no validation curves in this journal", 560, 200);
        var plot = NewPlot();
        var palette = new[] { Colors.C0, Colors.C2, Colors.C3, Colors.C4, Colors.C5 };
        var all = new List<double>();
        void Line(double[] curve, string name, Color color, LinePattern pattern)
        {
            var xs = Enumerable.Range(1, curve.Length).Select(e => (double)e).ToArray();
            var ys = curve.Select(v => v * 100).ToArray();
            all.AddRange(ys);
            var sc = plot.Add.Scatter(xs, ys);
            sc.Color = color;
            sc.LineWidth = 2;
            sc.MarkerSize = 5;
            sc.LinePattern = pattern;
            sc.LegendText = name;
        }
        if (baseline is { } b) Line(b.Curve, $"baseline {Pct(b.Row.Acc)}%", Colors.Black, LinePattern.Dashed);
        for (int i = 0; i < top.Count; i++)
            Line(top[i].Curve, $"T {Num(top[i].Row.Temperature!.Value)}, α {Num(top[i].Row.Alpha)}: {Pct(top[i].Row.Acc)}%",
                palette[i % palette.Length], LinePattern.Solid);
        int epochs = Math.Max(baseline?.Curve.Length ?? 0, top.Count > 0 ? top.Max(t => t.Curve.Length) : 0);
        // The last epochs decide the ranking: scale to them rather than to the first epoch's low start.
        double yHi = all.Max(), yLo = Math.Min(all.OrderBy(v => v).ElementAt(all.Count / 4), yHi - 1);
        plot.Axes.SetLimits(0.5, epochs + 0.5, yLo - 0.3, yHi + 0.3);
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Alignment.LowerRight);
        plot.Title($"width {width}");
        plot.XLabel("epoch");
        plot.YLabel("validation accuracy (%)");
        return Png(plot, 560, 360);
    }

    /// <summary>The sans-serif font every plot of the report uses.</summary>
    internal static string Font => SansFont.Value;

    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(SansFont.Value);
        return plot;
    }

    /// <summary>
    /// A sans-serif font the machine has. SkiaSharp's NoDependencies build reads the font files itself (no fontconfig),
    /// and ScottPlot's own guess there can be a serif face.
    /// </summary>
    private static readonly Lazy<string> SansFont = new(() =>
    {
        var families = SkiaSharp.SKFontManager.Default.FontFamilies.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" }.FirstOrDefault(families.Contains) ?? Fonts.Sans;
    });

    private static void CellText(Plot plot, string text, double x, double y, Color color, float size, bool bold)
    {
        var t = plot.Add.Text(text, x, y);
        t.LabelAlignment = Alignment.MiddleCenter;
        t.LabelFontSize = size;
        t.LabelFontColor = color;
        t.LabelBold = bold;
    }

    /// <summary>Red below the centre, white at it, green above (as the terminal grid's red and green).</summary>
    private static readonly IColormap Diverging = new ScottPlot.Colormaps.CustomInterpolated(
        [Color.FromHex("#b2182b"), Color.FromHex("#ef8a62"), Color.FromHex("#f7f7f7"), Color.FromHex("#7fbf7b"), Color.FromHex("#1b7837")]);

    /// <summary>Black on the light middle of the diverging scale, white on its dark ends.</summary>
    private static Color TextOn(double value, double lo, double hi) =>
        double.IsFinite(value) && Math.Abs((value - lo) / (hi - lo) - 0.5) > 0.36 ? Colors.White : Colors.Black;

    private static byte[] Empty(string message, int width, int height)
    {
        var plot = NewPlot();
        var t = plot.Add.Text(message, 0, 0);
        t.LabelAlignment = Alignment.MiddleCenter;
        t.LabelFontSize = 16;
        plot.Axes.SetLimits(-1, 1, -1, 1);
        plot.HideGrid();
        plot.Layout.Frameless();
        return Png(plot, width, height);
    }

    private static byte[] Png(Plot plot, int width, int height) => plot.GetImageBytes(width, height, ImageFormat.Png);

    private static string Pct(double v) => Formats.Percent(v);

    private static string Num(double v) => Formats.Axis(v);
}
