using System.Globalization;
using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>The end-of-sweep T x alpha grids: plain text when piped, colours on a terminal.</summary>
public sealed class TerminalGridTests
{
    private static IReadOnlyList<LeaderboardRow> Rows() => Leaderboard.Rank(ReportFixture.Results(), ReportFixture.Teacher());

    private static string Render(bool colour, int width = 120, IReadOnlyList<LeaderboardRow>? rows = null)
    {
        var w = new StringWriter();
        TerminalGrid.Write(w, rows ?? Rows(), colour, width);
        return w.ToString();
    }

    [Fact]
    public void Plain_text_has_one_grid_per_width_with_every_mean_and_the_best_starred()
    {
        var text = Render(colour: false);
        Assert.DoesNotContain("\x1b", text);
        Assert.All(text, c => Assert.True(c < 128, $"non-ASCII '{c}' in plain output"));
        var rows = Rows();
        foreach (var g in WidthGrid.From(rows))
        {
            Assert.Contains($"width {g.Width}, baseline {g.Baseline!.Acc * 100:0.00}", text);
            foreach (var r in g.Distilled)
                Assert.Contains((r.Acc * 100).ToString("0.00", CultureInfo.InvariantCulture) + (r == g.Best ? "*" : ""), text);
        }
        var tableLines = text.Split('\n').Where(l => l.Contains('|')).ToList();
        Assert.Equal(4, tableLines.Sum(l => l.Split("alpha \\ T").Length - 1));
        Assert.Equal(4, tableLines.Sum(l => l.Count(c => c == '*'))); // one best per width
        // Rows: alpha 0.9 above 0.5, columns T ascending.
        Assert.Matches(@"\| alpha \\ T \|\s+1 \|\s+2 \|\s+4 \|\s+8 \|", tableLines.First(l => l.Contains("alpha")));
        Assert.True(System.Text.RegularExpressions.Regex.Match(text, @"\|\s+0\.9 \|").Index < System.Text.RegularExpressions.Regex.Match(text, @"\|\s+0\.5 \|").Index);
    }

    [Fact]
    public void Grids_sit_side_by_side_as_the_width_allows()
    {
        int Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var wide = Render(colour: false, width: 200);
        var narrow = Render(colour: false, width: 60);
        Assert.True(Lines(wide) < Lines(narrow), $"{Lines(wide)} lines at 200 columns, {Lines(narrow)} at 60");
        Assert.All(narrow.Split('\n'), l => Assert.True(l.Length <= 60, l));
    }

    [Fact]
    public void In_colour_a_cell_above_the_baseline_is_green_and_the_best_is_bold()
    {
        var text = Render(colour: true);
        Assert.Contains("\x1b[", text);
        Assert.Contains("α \\ T", text);
        Assert.Contains("╭", text); // rounded Unicode borders on a terminal
        var best = WidthGrid.From(Rows())[0].Best!;
        Assert.True(best.Gain > 0);
        Assert.Matches($@"\x1b\[1(;|m\x1b\[)32m{best.Acc * 100:0.00}\*", text);

        // A distilled cell below its baseline is red.
        var worse = Leaderboard.Rank([
            new TrialResult("b", 16, null, 0, 1, 0.90, 0.3, null, 100, 1000, 1, "n", DateTimeOffset.UnixEpoch),
            new TrialResult("d", 16, 4, 0.5, 1, 0.88, 0.3, null, 100, 1000, 1, "n", DateTimeOffset.UnixEpoch),
        ]);
        Assert.Matches(@"\x1b\[(1;)?(31|91)m88\.00\*", Render(colour: true, rows: worse));
    }

    [Fact]
    public void Nothing_to_show_writes_nothing()
    {
        Assert.Equal("", Render(colour: false, rows: []));
    }

    [Fact]
    public void Many_widths_show_the_most_accurate_few_and_say_how_many_there_are()
    {
        // 30 widths: accuracy rises with the width, so the widest eight are the ones drawn.
        var results = Enumerable.Range(1, 30).SelectMany(w => new[]
        {
            new TrialResult($"b{w:x11}", w, null, 0, 1, 0.5 + w / 100.0, 0.1, 0.9, w * 10, 1000, 1, "n", DateTimeOffset.UnixEpoch),
            new TrialResult($"d{w:x11}", w, 4, 0.5, 1, 0.49 + w / 100.0, 0.1, 0.9, w * 10, 1000, 1, "n", DateTimeOffset.UnixEpoch),
        }).ToList();
        var text = Render(colour: false, rows: Leaderboard.Rank(results));
        Assert.Contains($"{TerminalGrid.MaxGrids} of 30 widths shown", text);
        Assert.Equal(TerminalGrid.MaxGrids, text.Split("alpha \\ T").Length - 1);
        Assert.Contains("width 30,", text);
        Assert.DoesNotContain("width 1,", text);
        Assert.Equal(Enumerable.Range(23, 8), WidthGrid.Showcase(WidthGrid.From(Leaderboard.Rank(results)), 8).Select(g => g.Width));
    }
}
