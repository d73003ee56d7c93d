using System.Diagnostics;
using SkiaSharp;
using Xunit.Abstractions;
using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>
/// report.html as a person sees it: Debian's headless Chromium opens the file and takes a screenshot. In CI (CI=true)
/// Chromium is required (.ci/run installs it); on a machine without it the test does not run and says so in its output.
/// Set AKKAKD_SCREENSHOT=PATH to keep the screenshot.
/// </summary>
public sealed class ReportScreenshotTests(ITestOutputHelper output) : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Headless_chromium_renders_the_report()
    {
        if (!File.Exists(Chromium))
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
                Assert.Fail($"{Chromium} is missing: in CI the report must be rendered (.ci/run installs Debian's chromium)");
            output.WriteLine($"NOT RUN: {Chromium} is absent (apt-get install chromium); the screenshot was not taken");
            return;
        }
        await ReportFixture.WriteAsync(_dir.Path);
        var report = HtmlReport.Write(_dir.Path)!;
        var png = _dir.File("screenshot.png");
        var profile = Directory.CreateDirectory(_dir.File("chromium-profile")).FullName;

        var psi = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile}",
                     $"--screenshot={png}", "--window-size=1280,5200", new Uri(report).AbsoluteUri,
                 })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 90 s:\n" + await stderr);
            }
        }
        output.WriteLine($"chromium exited {p.ExitCode}; {await stdout}");

        Assert.True(File.Exists(png), "no screenshot; chromium said:\n" + await stderr);
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 20 * 1024, $"screenshot of {bytes.Length} bytes");
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal(1280, bitmap.Width);
        // The plots are there: the heatmaps' diverging scale shows its green end (the fixture's distilled students are
        // above their baselines) and its white middle (the baseline rows); a page of text and broken images has neither.
        bool green = false;
        int middle = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
        for (int x = 0; x < bitmap.Width; x += 2)
        {
            var c = bitmap.GetPixel(x, y);
            green |= c.Green > 100 && c.Green > c.Red + 60 && c.Green > c.Blue + 40;
            if (c.Red == 0xf7 && c.Green == 0xf7 && c.Blue == 0xf7) middle++;
        }
        Assert.True(green && middle > 500, $"heatmap colours not seen (green {green}, {middle} pixels of the baseline's colour)");
        if (Environment.GetEnvironmentVariable("AKKAKD_SCREENSHOT") is { Length: > 0 } keep) File.Copy(png, keep, overwrite: true);
        output.WriteLine($"screenshot {bitmap.Width}x{bitmap.Height}, {bytes.Length:N0} bytes");
    }
}
