using Spectre.Console;
using Spectre.Console.Rendering;
using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>
/// The shape of a sweep's result in the terminal: per width, a small T x alpha table of the ranked accuracy (validation,
/// mean over seeds; test only for a journal without validation rows) drawn with Spectre.Console, side by side as the
/// width allows. In colour, a cell is green above the width's baseline and red below it only when the 95% interval of the
/// paired gain over seeds excludes zero (one seed: no interval, no colour); the best cell of each width is bold and starred.
/// </summary>
public static class TerminalGrid
{
    /// <summary>A terminal holds a few grids: at most this many widths are drawn.</summary>
    public const int MaxGrids = 8;

    /// <summary>Writes the grids for <paramref name="ranked"/> (a <see cref="Leaderboard.Rank"/> result) to <paramref name="writer"/>.</summary>
    /// <param name="colour">ANSI colours and Unicode borders (a terminal); otherwise plain ASCII text.</param>
    /// <param name="width">The columns available.</param>
    public static void Write(TextWriter writer, IReadOnlyList<LeaderboardRow> ranked, bool colour, int width = 120)
    {
        var all = WidthGrid.From(ranked);
        var grids = WidthGrid.Showcase(all, MaxGrids);
        var (temperatures, alphas) = WidthGrid.Axes(ranked);
        if (grids.Count == 0) return;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Math.Max(40, width);
        console.Profile.Capabilities.Unicode = colour;
        console.Write(new Columns(grids.Select(g => (IRenderable)Table(g, temperatures, alphas, colour))) { Expand = false });
        console.WriteLine(Legend(ranked, colour));
        if (grids.Count < all.Count)
            console.WriteLine($"{grids.Count} of {all.Count} widths shown (the most accurate); all of them in report.html and leaderboard.csv");
    }

    private static Table Table(WidthGrid g, double[] temperatures, double[] alphas, bool colour)
    {
        var title = $"width {g.Width}" + (g.Baseline is { } b ? $", baseline {Pct(b.Acc)}" : "");
        var table = new Table
        {
            Border = colour ? TableBorder.Rounded : TableBorder.Ascii,
            Title = new TableTitle(Markup.Escape(title)),
        };
        table.AddColumn(new TableColumn(colour ? "α \\ T" : "alpha \\ T").RightAligned());
        foreach (var t in temperatures) table.AddColumn(new TableColumn(Num(t)).RightAligned());
        var best = g.Best;
        foreach (var a in alphas.OrderDescending())
        {
            var cells = new List<IRenderable> { new Text(Num(a)) };
            foreach (var t in temperatures)
            {
                var cell = g.Cell(t, a);
                if (cell is null)
                {
                    cells.Add(new Text("-"));
                    continue;
                }
                bool isBest = cell == best;
                var text = Pct(cell.Acc) + (isBest ? "*" : " ");
                var style = !colour ? "" : Leaderboard.Verdict(cell.Gain, cell.GainCi95) switch
                {
                    GainVerdict.Better => "green",
                    GainVerdict.Worse => "red",
                    _ => "",
                };
                if (isBest && colour) style = (style + " bold").Trim();
                cells.Add(style.Length == 0 ? new Text(text) : new Markup($"[{style}]{Markup.Escape(text)}[/]"));
            }
            table.AddRow(cells);
        }
        return table;
    }

    /// <summary>What the cells are and what the colours mean (and that one seed colours nothing).</summary>
    public static string Legend(IReadOnlyList<LeaderboardRow> ranked, bool colour)
    {
        bool onTest = ranked.Any(r => r.SelectedOnTest);
        var text = onTest
            ? $"test accuracy (%), mean over seeds, {Leaderboard.SelectedOnTestNote}; * best of the width"
            : "val accuracy (%), mean over seeds; * best of the width (test accuracy: leaderboard.md, report.html)";
        if (colour) text += "; green/red: above/below the width's baseline (alpha 0), the 95% interval of the paired gain excluding 0";
        if (ranked.Any(r => !r.IsBaseline && r.Gain is not null && r.GainCi95 is null)) text += $"; {Leaderboard.NoIntervalNote}" + (colour ? ", not coloured" : "");
        return text;
    }

    private static string Pct(double v) => Formats.Percent(v);

    private static string Num(double v) => Formats.Axis(v);
}
