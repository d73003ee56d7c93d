using System.Text.RegularExpressions;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Tests;

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
        Assert.Equal(5, Regex.Matches(html, "<img src=\"data:image/png;base64,").Count);
        foreach (var w in ReportFixture.Widths) Assert.Contains($"<figure id=\"width-{w}\"", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        // Again (a sweep still running, say): the page is replaced, no temporary file is left.
        (code, _, _) = await Akkakd.Run(_dir, Limit, "report", Path.Combine(_dir, Journal.FileName));
        Assert.Equal(0, code);
        Assert.Equal(["report.html", "results.jsonl"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Help_and_usage_name_the_new_commands()
    {
        var (code, output, _) = await Akkakd.Run(_dir, Limit, "--help");
        Assert.Equal(0, code);
        Assert.Contains("akkakd report DIR", output);
        Assert.Contains("akkakd leaderboard DIR [--watch] [--top N]", output);
        (code, output, _) = await Akkakd.Run(_dir, Limit, "report", "--help");
        Assert.Equal(0, code);
        Assert.Contains("akkakd report DIR", output);
    }
}
