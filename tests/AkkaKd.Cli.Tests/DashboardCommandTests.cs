using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace AkkaKd.Cli.Tests;

/// <summary>akkakd dashboard in-process: it prints its URL, serves, and ends with exit code 0 when cancelled.</summary>
public sealed class DashboardCommandTests
{
    [Fact]
    public async Task Prints_the_url_serves_and_stops_with_exit_code_0()
    {
        var dir = Directory.CreateTempSubdirectory("akkakd-dashboard-cmd-").FullName;
        try
        {
            new AkkaKd.Dashboard.Bench.SyntheticSweep("cmd", [16], [2], [0, 0.5], 1).Write(Path.Combine(dir, "cmd"));
            var output = new StringWriter();
            var error = new StringWriter();
            using var cts = new CancellationTokenSource();
            var run = DashboardCommand.RunAsync([dir], "127.0.0.1", 0, null, TextWriter.Synchronized(output), error, cts.Token);
            var sw = Stopwatch.StartNew();
            Match m;
            while (!(m = Regex.Match(output.ToString(), @"http://127\.0\.0\.1:\d+/")).Success && sw.Elapsed < TimeSpan.FromSeconds(30) && !run.IsCompleted)
                await Task.Delay(50);
            Assert.True(m.Success, $"no URL printed; stdout: {output}; stderr: {error}");
            Assert.Contains("1 sweep under", output.ToString());
            using var http = new HttpClient();
            var list = await http.GetAsync(m.Value + "api/sweeps");
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Contains("\"cmd\"", await list.Content.ReadAsStringAsync());

            sw.Restart();
            cts.Cancel();
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"stopped after {sw.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task A_missing_folder_is_one_line_and_exit_code_2()
    {
        var error = new StringWriter();
        var code = await DashboardCommand.RunAsync(["/nonexistent/akkakd-sweeps"], "127.0.0.1", 0, null, TextWriter.Null, error, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Equal("/nonexistent/akkakd-sweeps: no such folder", error.ToString().Trim());
    }
}
