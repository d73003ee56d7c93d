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

    /// <summary>The legend wraps at the terminal's width: read it as one line.</summary>
    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s*\n\s*", " ");

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
        Assert.Equal(GainVerdict.Better, Leaderboard.Verdict(best.Gain, best.GainCi95));
        Assert.Matches($@"\x1b\[1(;|m\x1b\[)32m{best.Acc * 100:0.00}\*", text);
        Assert.Contains("val accuracy (%), mean over seeds", Flat(text));
        Assert.Contains("95% interval of the paired gain excluding 0", Flat(text));
    }

    private static TrialResult T(string id, double? t, double alpha, int seed, double val) =>
        new(id, 16, t, alpha, seed, 0.5, 0.3, null, 100, 1000, 1, "n", DateTimeOffset.UnixEpoch, val);

    [Fact]
    public void Below_the_baseline_is_red_only_when_the_interval_excludes_zero_and_one_seed_colours_nothing()
    {
        // Clearly worse over 3 seeds: red.
        var worse = Leaderboard.Rank([
            T("b1", null, 0, 1, 0.90), T("b2", null, 0, 2, 0.91), T("b3", null, 0, 3, 0.92),
            T("d1", 4, 0.5, 1, 0.88), T("d2", 4, 0.5, 2, 0.89), T("d3", 4, 0.5, 3, 0.90),
        ]);
        Assert.Matches(@"\x1b\[(1;)?(31|91)m89\.00\*", Render(colour: true, rows: worse));

        // Worse on average, but the interval holds 0: no colour.
        var unclear = Leaderboard.Rank([
            T("b1", null, 0, 1, 0.90), T("b2", null, 0, 2, 0.91), T("b3", null, 0, 3, 0.92),
            T("d1", 4, 0.5, 1, 0.93), T("d2", 4, 0.5, 2, 0.86), T("d3", 4, 0.5, 3, 0.90),
        ]);
        var text = Render(colour: true, rows: unclear);
        Assert.Contains("89.67*", text);
        Assert.DoesNotMatch(@"\x1b\[(1;)?(31|91|32|92)m89\.67", text);

        // One seed: no interval, no colour, and the legend says why.
        var one = Leaderboard.Rank([T("b", null, 0, 1, 0.90), T("d", 4, 0.5, 1, 0.80)]);
        text = Render(colour: true, rows: one);
        Assert.DoesNotMatch(@"\x1b\[(1;)?(31|91)m80\.00", text);
        Assert.Contains("1 seed: no interval, not coloured", Flat(text));
        Assert.Contains("1 seed: no interval", Flat(Render(colour: false, rows: one)));
    }

    [Fact]
    public void An_old_journal_shows_test_accuracy_and_says_it_was_selected_on_test()
    {
        var rows = Leaderboard.Rank(ReportFixture.WithoutValidation(ReportFixture.Results()));
        var text = Render(colour: false, rows: rows);
        Assert.Contains("test accuracy (%), mean over seeds, selected on test (no validation rows)", Flat(text));
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
