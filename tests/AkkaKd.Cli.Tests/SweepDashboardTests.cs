using System.Text.RegularExpressions;

namespace AkkaKd.Cli.Tests;

/// <summary><c>akkakd sweep --dashboard 0</c>: the launching node serves its sweep's dashboard while it runs.</summary>
public sealed class SweepDashboardTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();

    [Fact]
    public async Task A_sweep_with_dashboard_prints_its_url_and_serves_its_own_journal_while_it_runs()
    {
        var file = Path.Combine(_dir, "dash.hocon");
        // Trials long enough (several seconds each on a quiet machine) that the page is read while the sweep runs.
        File.WriteAllText(file, Sweeps.Twelve.Replace("student { epochs = 6", "student { epochs = 300"));
        var outDir = Path.Combine(_dir, "out");
        using var p = Akkakd.Start(_dir, "sweep", file, "--out", outDir, "--plain", "--dashboard", "0");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        Match m;
        while (!(m = Regex.Match(p.Out, @"dashboard: (http://127\.0\.0\.1:\d+/)")).Success)
        {
            Assert.True(DateTime.UtcNow < deadline && !p.HasExited, "no dashboard URL:\n" + p.Out + p.Err);
            await Task.Delay(50);
        }
        using var http = new HttpClient { BaseAddress = new Uri(m.Groups[1].Value), Timeout = TimeSpan.FromSeconds(10) };
        string sweeps = "";
        while (!sweeps.Contains("twelve", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the sweep never showed:\n" + sweeps);
            sweeps = await http.GetStringAsync("api/sweeps");
            await Task.Delay(100);
        }
        Assert.False(p.HasExited, "the sweep ended before its dashboard was read");
        Assert.Equal(0, await p.WaitAsync(TimeSpan.FromMinutes(3)));
        // The dashboard ends with the sweep.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync("api/sweeps"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
