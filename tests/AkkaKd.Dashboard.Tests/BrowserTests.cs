using System.Buffers.Binary;
using AkkaKd.Dashboard.Bench;
using Xunit.Abstractions;

namespace AkkaKd.Dashboard.Tests;

/// <summary>
/// The pages in a real browser: Debian's headless Chromium over the DevTools protocol. In CI (CI=true) Chromium is
/// required and its absence fails these tests; elsewhere they say in their output that they did not run. Set
/// AKKAKD_DASHBOARD_SCREENSHOT=PATH to keep the screenshot.
/// </summary>
public sealed class BrowserTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private bool ChromiumMissing()
    {
        if (HeadlessChromium.Available()) return false;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail($"{HeadlessChromium.DefaultPath} is missing: in CI the dashboard must be tested in a browser (apt-get install chromium)");
        output.WriteLine($"NOT RUN: {HeadlessChromium.DefaultPath} is absent (apt-get install chromium)");
        return true;
    }

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_page_loads_shows_the_sweep_and_draws_every_chart()
    {
        if (ChromiumMissing()) return;
        new SyntheticSweep("browser-sweep", [16, 32, 64], [1, 2, 4, 8], [0, 0.5, 0.9], seeds: 3).Write(Path.Combine(_dir.Path, "b"));
        // With a token: the browser gets in by the printed URL (a cookie from then on, for the event stream too).
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Folders = [_dir.Path], Port = 0, Token = "tok" });
        await using var chromium = await HeadlessChromium.StartAsync(1280, 900);

        await chromium.NavigateAsync(server.Url);
        Assert.True(await chromium.WaitForAsync("document.querySelector('#sweeps a')?.textContent === 'browser-sweep'", Wait), await Body(chromium));
        Assert.DoesNotContain("token", (await chromium.EvaluateAsync("location.href")).GetString());
        await chromium.EvaluateAsync("document.querySelector('#sweeps a').click()");
        Assert.True(await chromium.WaitForAsync("document.querySelector('#sweep-title')?.textContent.includes('browser-sweep')", Wait), await Body(chromium));

        // The title can be drawn a moment before the figures: wait for them, then check each.
        Assert.True(await chromium.WaitForAsync(
            "document.querySelector('#done')?.textContent === '81 / 81' && document.querySelectorAll('#heatmaps svg rect').length === 24", Wait),
            await Body(chromium));
        Assert.Equal("81 / 81", await Text(chromium, "#done"));
        Assert.Equal(3 * (1 + 4 * 2), await Count(chromium, "#leaderboard tbody tr"));
        Assert.Equal(3 * 4 * 2, await Count(chromium, "#heatmaps svg rect"));
        Assert.True(await Count(chromium, "#curves svg path") >= 9);
        Assert.True(await Count(chromium, "#parallel svg path") >= 1);
        Assert.True(await Count(chromium, "#frontier svg path") >= 2);
        Assert.True(await Count(chromium, "#timeline svg path") >= 1);
        Assert.Contains("synthetic-browser-sweep", await Text(chromium, "#facts"));
        // Sorting by width, narrowest first, then the width filter.
        await chromium.EvaluateAsync("document.querySelector('th[data-key=width]').click()");
        Assert.Equal("16", await Text(chromium, "#leaderboard tbody tr td:nth-child(2)"));
        await chromium.EvaluateAsync("const s = document.querySelector('#width-filter'); s.value = '64'; s.dispatchEvent(new Event('change', { bubbles: true }))");
        Assert.Equal(9, await Count(chromium, "#leaderboard tbody tr"));
        Assert.Equal(8, await Count(chromium, "#heatmaps svg rect"));
        // Gains are coloured only where their interval excludes 0; each shows its interval (three seeds).
        Assert.Equal(8, await Count(chromium, "#leaderboard tbody tr:not(.baseline) td:nth-child(8) .ci"));
    }

    [Fact]
    public async Task A_trial_appended_to_the_journal_appears_in_the_open_page()
    {
        if (ChromiumMissing()) return;
        var sweep = new SyntheticSweep("live", [16, 32], [2, 4], [0, 0.5], seeds: 1);
        var journal = sweep.Write(_dir.Path, trials: 4);
        await using var server = await Api.Start(_dir.Path);
        await using var chromium = await HeadlessChromium.StartAsync(1280, 900);
        using var c = Api.Client(server);
        await chromium.NavigateAsync(server.BaseUrl + "sweep/" + await Api.IdOf(c, "live"));
        Assert.True(await chromium.WaitForAsync("document.querySelector('#done')?.textContent === '4 / 6'", Wait), await Body(chromium));
        Assert.Contains("1 seed: no interval", await Text(chromium, "#leaderboard"));

        var started = DateTime.UtcNow;
        SyntheticSweep.AppendDurably(journal, sweep.TrialLine("brand-new-trial", 32, 4, 0.5, 1));
        Assert.True(await chromium.WaitForAsync("document.querySelector('#latest tr[data-id=\"brand-new-trial\"]') !== null", Wait), await Body(chromium));
        output.WriteLine($"the appended trial was in the page after {(DateTime.UtcNow - started).TotalMilliseconds:0} ms");
        Assert.Equal("5 / 6", await Text(chromium, "#done"));
        Assert.Equal("live", await Text(chromium, "#live"));
    }

    [Fact]
    public async Task A_screenshot_of_the_sweep_page()
    {
        if (ChromiumMissing()) return;
        new SyntheticSweep("screenshot", [16, 32, 64, 128], [1, 2, 4, 8, 20], [0, 0.5, 0.9], seeds: 3).Write(Path.Combine(_dir.Path, "shot"));
        await using var server = await Api.Start(_dir.Path);
        await using var chromium = await HeadlessChromium.StartAsync(1280, 900);
        using var c = Api.Client(server);
        await chromium.NavigateAsync(server.BaseUrl + "sweep/" + await Api.IdOf(c, "screenshot"));
        Assert.True(await chromium.WaitForAsync("window.__akkakd.renders > 0", Wait), await Body(chromium));
        var png = await chromium.ScreenshotAsync(1280);
        Assert.True(png.AsSpan(0, 8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }), "not a PNG");
        Assert.Equal(1280, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        int height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
        Assert.True(height > 2000, $"page only {height} px tall: the charts are missing");
        Assert.True(png.Length > 100 * 1024, $"screenshot of {png.Length} bytes");
        // Nothing drawn off the page's width: no horizontal overflow.
        Assert.True((await chromium.EvaluateAsync("document.documentElement.scrollWidth <= 1280")).GetBoolean());
        if (Environment.GetEnvironmentVariable("AKKAKD_DASHBOARD_SCREENSHOT") is { Length: > 0 } keep) await File.WriteAllBytesAsync(keep, png);
        output.WriteLine($"screenshot 1280x{height}, {png.Length:N0} bytes");
    }

    private static async Task<string> Text(HeadlessChromium c, string selector) =>
        (await c.EvaluateAsync($"document.querySelector('{selector}')?.textContent ?? '(no {selector})'")).GetString()!;

    private static async Task<int> Count(HeadlessChromium c, string selector) =>
        (await c.EvaluateAsync($"document.querySelectorAll('{selector}').length")).GetInt32();

    private static async Task<string> Body(HeadlessChromium c) =>
        "page: " + (await c.EvaluateAsync("document.body.innerText.slice(0, 2000)")).GetString();
}
