using System.Text.RegularExpressions;
using AkkaKd.Reports.Tests;
using AkkaKd.Sweep;

namespace AkkaKd.Cli.Tests;

/// <summary><c>akkakd report DIR</c> as a user runs it (the page's contents are checked in AkkaKd.Sweep.Tests).</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task Report_writes_report_html_next_to_the_journal()
    {
        await ReportFixture.WriteAsync(_dir);
        var (code, output, err) = await Akkakd.Run(_dir, Limit, "report", _dir);
        Assert.True(code == 0, err);
        var path = Path.Combine(_dir, "report.html");
        Assert.Equal($"wrote {path}", output.Trim());
        var html = await File.ReadAllTextAsync(path);
        // The frontier, and per width a heatmap and its learning curves.
        Assert.Equal(1 + 2 * ReportFixture.Widths.Length, Regex.Matches(html, "<img src=\"data:image/png;base64,").Count);
        Assert.Contains("id=\"selected-figures\"", html);
        foreach (var w in ReportFixture.Widths) Assert.Contains($"<figure id=\"width-{w}\"", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        // Again (a sweep still running, say): the page is replaced, no temporary file is left.
        (code, _, _) = await Akkakd.Run(_dir, Limit, "report", Path.Combine(_dir, Journal.FileName));
        Assert.Equal(0, code);
        Assert.Equal(["report.html", "results.jsonl"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_sweep_ends_with_a_grid_per_width_and_its_report()
    {
        var file = Path.Combine(_dir, "tiny.hocon");
        await File.WriteAllTextAsync(file, """
            sweep {
              name = tiny
              data    { source = "embedded:mnist10k", train = 600, test = 300 }
              teacher { hidden = [32], epochs = 1, batch = 32, lr = 0.005 }
              student { epochs = 2, batch = 32, lr = 0.005 }
              grid    { temperature = [2, 4], alpha = [0, 0.9], width = [8, 16], seeds = [1] }
            }
            """);
        var outDir = Path.Combine(_dir, "out");
        var (code, output, err) = await Akkakd.Run(_dir, TimeSpan.FromMinutes(3), "sweep", file, "--out", outDir, "--slots", "1");
        Assert.True(code == 0, output + err);
        // Piped: plain ASCII grids, one per width, after the ranking.
        Assert.Matches(@"width 8, baseline \d+\.\d\d", output);
        Assert.Matches(@"width 16, baseline \d+\.\d\d", output);
        Assert.Matches(@"\| alpha \\ T \|\s+2 \|\s+4 \|", output);
        Assert.DoesNotContain("\x1b[", output);
        Assert.Contains(Path.Combine(outDir, "report.html"), output);

        // The journal's header keeps the sweep file, the backend and the machine; the report shows them.
        var header = Journal.Read(Path.Combine(outDir, Journal.FileName)).Header!;
        Assert.Contains("width = [8, 16]", header.SweepFile);
        Assert.StartsWith("GEMM backend:", header.Backend);
        Assert.NotNull(header.Machine);
        var html = await File.ReadAllTextAsync(Path.Combine(outDir, "report.html"));
        Assert.Contains("<figure id=\"width-8\"", html);
        Assert.Contains("<figure id=\"width-16\"", html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(header.Backend!), html);
    }

    [Fact]
    public async Task Help_and_usage_name_the_new_commands()
    {
        var (code, output, _) = await Akkakd.Run(_dir, Limit, "--help");
        Assert.Equal(0, code);
        Assert.Contains("report <DIR>", output);
        Assert.Contains("leaderboard <DIR>", output);
        (code, output, _) = await Akkakd.Run(_dir, Limit, "report", "--help");
        Assert.Equal(0, code);
        Assert.Contains("akkakd report <DIR>", output);
    }
}
